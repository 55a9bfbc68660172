from __future__ import annotations

import filecmp
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from optimizer.cli import cli
from optimizer.data.demo_portfolio import (
    DEMO_SHOPS,
    generate_demo_portfolio,
    portfolio_truth,
    write_demo_portfolio,
)
from optimizer.data.portfolio import load_portfolio
from optimizer.errors import ConfigError, DataError
from tests.data.truth_files import assert_same_truth

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "scenarios" / "portfolio"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    return write_demo_portfolio(tmp_path_factory.mktemp("portfolio"))


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled portfolio."""
    return Path(shutil.copytree(BUNDLED, tmp_path / "group"))


def _edit(folder: Path, old: str, new: str, name: str = "portfolio.toml") -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _files(folder: Path) -> list[str]:
    """The files under ``folder``, without the fit caches ``optimizer demo`` adds (.cache/)."""
    rel = (p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
    return sorted(str(r) for r in rel if not any(part.startswith(".") for part in r.parts))


def test_bundled_portfolio_is_the_generator_output(fresh):
    """scenarios/portfolio must be exactly `optimizer demo-data --portfolio --seed 7`."""
    names = _files(BUNDLED)
    assert names == _files(fresh)
    exact = [n for n in names if Path(n).name != "truth.json"]
    match, mismatch, errors = filecmp.cmpfiles(BUNDLED, fresh, exact, shallow=False)
    assert mismatch == [] and errors == []
    for n in names:
        if Path(n).name == "truth.json":
            assert_same_truth(BUNDLED / n, fresh / n)


def test_load_demo_portfolio():
    p = load_portfolio(BUNDLED / "portfolio.toml")
    assert p.shop_names == ("maison", "atelier", "marketplace")
    assert p.seed == 7 and p.rules.horizon_weeks == 13 and p.rules.safe
    # shops have their own channel mixes and history lengths, ending on the same week
    assert p.shop("maison").channels == ("seo", "sea", "social", "affiliation", "retail_media")
    assert p.shop("marketplace").channels == ("sea", "retail_media")
    assert len(p.shop("marketplace").marketing.weeks) == 65
    assert len(p.shop("maison").marketing.weeks) == 156
    assert str(p.horizon[0].date()) == "2026-11-23" and len(p.horizon) == 13
    # default budget: every shop's recent run-rate over the horizon
    today = p.today_budgets()
    maison = p.shop("maison").marketing.spend.iloc[-13:].to_numpy().sum()
    assert today["maison"] == pytest.approx(maison)
    assert p.budget == pytest.approx(sum(today.values()))
    bounds = p.budget_bounds()
    assert bounds["atelier"] == pytest.approx((today["atelier"] * 0.7, today["atelier"] * 1.3))
    assert p.shop("marketplace").rules.max_share == 0.15
    assert p.shop("marketplace").rules.max_change == 0.3  # the group default
    assert p.capacity("lyon").shape == (13,) and (p.capacity("lyon") > 0).all()
    assert p.shops_of("lyon") == p.shops
    digests = p.input_digests()
    assert {"portfolio.toml", "warehouses/lyon", "maison/sales.csv"} <= set(digests)
    assert "marketplace/lift_tests.csv" not in digests  # the marketplace ran no experiment
    # a folder works as well as the file
    assert load_portfolio(BUNDLED).shop_names == p.shop_names


def test_truth_is_related_across_shops():
    p = load_portfolio(BUNDLED)
    truth = portfolio_truth(p)
    group = json.loads((BUNDLED / "group_truth.json").read_text(encoding="utf-8"))
    for name, t in truth.items():
        assert set(t.channels) == set(p.shop(name).channels)
        assert len(t.weeks) == len(p.shop(name).marketing.weeks)
        for c, ct in t.channels.items():
            assert ct.roas == pytest.approx(group["shops"][name]["true_roas"][c])
            # drawn around the family's value: log-ROAS sd 0.2, so within 4 sd
            assert abs(np.log(ct.roas / group["group"][c]["roas"])) < 0.8


def test_another_seed_changes_truth_and_data():
    a, b = generate_demo_portfolio(seed=7), generate_demo_portfolio(seed=8)
    assert a.group["sea"] != b.group["sea"]
    ra, rb = a.stores["marketplace"].marketing.revenue, b.stores["marketplace"].marketing.revenue
    assert not np.allclose(ra, rb)
    assert [r.name for r in a.recipes] == [r.name for r in DEMO_SHOPS]


def test_cli_writes_the_demo_portfolio(tmp_path, fresh):
    r = CliRunner().invoke(cli, ["demo-data", "--portfolio", "--out", str(tmp_path / "p")])
    assert r.exit_code == 0, r.output
    assert _files(tmp_path / "p") == _files(fresh)
    r = CliRunner().invoke(cli, ["demo-data", "--portfolio", "--weeks", "80", "--out", "x"])
    assert r.exit_code == 2 and "--weeks applies to one store" in r.output


@pytest.mark.parametrize(
    ("old", "new", "error", "words"),
    [
        (
            "horizon_weeks = 13",
            "horizon_week = 13",
            ConfigError,
            ["portfolio.toml", "Unknown key 'horizon_week' in [rules]", "'horizon_weeks'"],
        ),
        (
            "max_share = 0.15",
            "max_shares = 0.15",
            ConfigError,
            ["Unknown key 'max_shares' in [shops.2]", "Did you mean 'max_share'?"],
        ),
        (
            'path = "atelier"',
            'path = "ateliers"',
            DataError,
            ["portfolio.toml", "('atelier') path = 'ateliers'", "is not a folder", "fix the path"],
        ),
        (
            'name = "atelier"',
            'name = "maison"',
            ConfigError,
            ["two shops are named 'maison'", "#1 and #2", "its own name"],
        ),
        (
            'path = "atelier"',
            'path = "maison"',
            ConfigError,
            ["shops 'maison' and 'atelier' name the same dataset folder"],
        ),
        (
            'path = "marketplace"\nwarehouse = "lyon"',
            'path = "marketplace"\nwarehouse = "lyn"',
            ConfigError,
            ["warehouse = 'lyn' is not declared", "[warehouses.lyn]", "Did you mean 'lyon'?"],
        ),
        (
            "horizon_weeks = 13",
            "horizon_weeks = 60",
            DataError,
            [
                "warehouse_lyon.csv: capacity given for 2026-11-23 to 2027-11-15",
                "horizon is 2026-11-23 to 2028-01-10",
                "add weekly rows",
                "[warehouses.lyon].file",
            ],
        ),
        (
            'file = "warehouse_lyon.csv"',
            'file = "warehouse.csv"',
            DataError,
            ["[warehouses.lyon].file = 'warehouse.csv'", "file not found", "fix the name"],
        ),
        (
            'path = "atelier"',
            'path = "../atelier"',
            ConfigError,
            ["points outside the portfolio folder", "allow_outside_paths = true"],
        ),
        (
            "max_share = 0.15",
            "min_share = 0.9",
            ConfigError,
            ["shop 'marketplace' must get at least", "loosen one of these rules"],
        ),
        (
            "max_share = 0.15",
            "max_share = 0.15\nmin_share = 0.2",
            ConfigError,
            ["[[shops]] 'marketplace' min_share = 0.2 is above max_share = 0.15"],
        ),
        (
            "max_change = 0.3 ",
            "budget = 400000\nmax_change = 0.3 ",
            ConfigError,
            ["maximums sum to", "group budget is 400,000 EUR", "[rules].budget"],
        ),
        (
            "reference_weeks = 13",
            "reference_weeks = 70",
            DataError,
            ["reference_weeks = 70", "'marketplace' has 65 weeks", "lower reference_weeks"],
        ),
    ],
    ids=[
        "typo",
        "shop-typo",
        "missing-shop",
        "same-name",
        "same-folder",
        "undeclared-warehouse",
        "horizon-not-covered",
        "missing-warehouse-file",
        "outside",
        "min-share-infeasible",
        "min-above-max",
        "budget-above-maximums",
        "reference-weeks",
    ],
)
def test_bad_portfolio_names_file_key_and_fix(copy, old, new, error, words):
    _edit(copy, old, new)
    with pytest.raises(error) as exc:
        load_portfolio(copy)
    for w in words:
        assert w in str(exc.value)


def test_bad_shop_file_is_named_with_its_shop(copy):
    _edit(copy / "marketplace", "2026-11-16,", "2026-11-16,-", name="marketing.csv")
    with pytest.raises(DataError, match=r"^shop 'marketplace' \(marketplace\): marketing.csv"):
        load_portfolio(copy)


def test_histories_must_end_on_one_week(copy):
    path = copy / "marketplace" / "marketing.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")
    with pytest.raises(DataError, match="end on different weeks") as exc:
        load_portfolio(copy)
    assert "'marketplace' 2026-11-09" in str(exc.value) and "same week" in str(exc.value)


def test_shop_without_marketing(copy):
    text = (copy / "atelier" / "dataset.toml").read_text(encoding="utf-8")
    start, end = text.index("[marketing]"), text.index("[catalog]")
    (copy / "atelier" / "dataset.toml").write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(DataError, match=r"atelier/dataset.toml: no \[marketing\] section"):
        load_portfolio(copy)


def test_missing_portfolio_file(tmp_path):
    with pytest.raises(ConfigError, match="portfolio.toml: file not found"):
        load_portfolio(tmp_path)
