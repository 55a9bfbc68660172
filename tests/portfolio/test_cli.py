"""``optimizer portfolio``: exit codes and messages on bad input, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from optimizer.cli import cli
from tests.portfolio.conftest import BUNDLED, small_portfolio_file


def _run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_validate_the_bundled_portfolio():
    res = _run("portfolio", "validate", str(BUNDLED), "--lang", "en")
    assert res.exit_code == 0, res.output
    assert "3 shops" in res.output and "maison" in res.output and "allowed" in res.output


def test_validate_reads_in_french_by_default():
    """The figures go through the one formatter: French by default (issue 17's rule)."""
    res = _run("portfolio", "validate", str(BUNDLED))
    assert res.exit_code == 0, res.output
    assert "3 boutiques" in res.output and "permis" in res.output
    assert "€" in res.output and "," not in res.output.split("budget du groupe")[1].split("\n")[0]


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (lambda t: t.replace("max_change = 0.3", "max_chnage = 0.3"), "max_change"),
        (lambda t: t.replace('warehouse = "lyon"', 'warehouse = "lyonn"', 1), "lyonn"),
        (lambda t: t.replace("horizon_weeks = 4", "horizon_weeks = 0"), "horizon_weeks"),
        (lambda t: t.replace("max_share = 0.15", "max_share = 0.01"), "marketplace"),
    ],
)
def test_bad_portfolio_files_exit_1_with_the_key_and_the_fix(tmp_path, edit, needle):
    path = small_portfolio_file(tmp_path)
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    for cmd in (["validate", str(path)], ["run", str(path), "--out", str(tmp_path / "out")]):
        res = _run("portfolio", *cmd)
        assert res.exit_code == 1, res.output
        assert needle in res.output and "Traceback" not in res.output
    assert not (tmp_path / "out").exists()


def test_a_shop_without_a_catalog_is_refused_before_any_fit(tmp_path):
    shop = tmp_path / "shop"
    shop.mkdir()
    for name in ("marketing.csv", "lift_tests.csv"):
        (shop / name).write_bytes((BUNDLED / "atelier" / name).read_bytes())
    text = (BUNDLED / "atelier" / "dataset.toml").read_text(encoding="utf-8")
    keep = [
        part for part in text.split("\n[") if not part.startswith(("catalog", "sales", "logistics"))
    ]
    (shop / "dataset.toml").write_text("\n[".join(keep), encoding="utf-8")
    path = small_portfolio_file(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace(str(BUNDLED / "atelier"), str(shop)))
    res = _run("portfolio", "validate", str(path))
    assert res.exit_code == 1, res.output
    assert "shop 'atelier'" in res.output and "catalog" in res.output


def test_run_refuses_an_existing_folder_and_conflicting_options(tmp_path):
    path = small_portfolio_file(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    res = _run("portfolio", "run", str(path), "--out", str(out))
    assert res.exit_code == 1 and "--force" in res.output
    res = _run(
        "portfolio",
        "run",
        str(path),
        "--out",
        str(tmp_path / "o2"),
        "--workers",
        "2",
        "--scheduler",
        "tcp://127.0.0.1:8786",
    )
    assert res.exit_code == 1 and "give one of them" in res.output
    res = _run("portfolio", "run", str(path), "--out", str(tmp_path / "o3"), "--workers", "0")
    assert res.exit_code == 2
    res = _run("portfolio", "run", str(path), "--out", str(tmp_path / "o4"), "--scheduler", "nope")
    assert res.exit_code == 1 and "tcp://HOST:PORT" in res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "portfolio.toml"]
    assert (out / "keep.txt").read_text() == "x"


def test_missing_portfolio_exits_1(tmp_path: Path):
    res = _run("portfolio", "validate", str(tmp_path / "nope"))
    assert res.exit_code == 1 and "not found" in res.output
