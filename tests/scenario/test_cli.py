from __future__ import annotations

import pytest
from click.testing import CliRunner

from optimizer.cli import cli

from .conftest import SMALL, make_scenario

pytestmark = pytest.mark.xdist_group("scenario")


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_run_and_compare_cli(scenario_dir, small_run):
    out = scenario_dir / "cli_run"
    r = run("scenario", "run", scenario_dir / "scenario.toml", "--out", out, "--lang", "en")
    assert r.exit_code == 0, r.output
    assert "Small test: contribution" in r.stdout and "report.html" in r.stdout
    assert "probability of a gain" in r.stdout and "€" in r.stdout
    assert "fitting" not in r.stdout and "allocating" in r.stderr  # progress on stderr
    assert '<html lang="en">' in (out / "report.html").read_text()
    r = run("scenario", "run", scenario_dir / "scenario.toml", "--out", out)
    assert r.exit_code == 1 and "already exists" in r.output
    r = run("scenario", "compare", small_run, out, "--out", scenario_dir / "cmp")
    assert r.exit_code == 0, r.output
    r = run("scenario", "compare", small_run, out, "--out", scenario_dir / "cmp")
    assert r.exit_code == 1 and "--force" in r.output
    r = run("scenario", "compare", small_run, out, "--out", scenario_dir / "cmp", "--force")
    assert r.exit_code == 0, r.output
    assert {p.name for p in (scenario_dir / "cmp").iterdir()} == {
        "comparison.html",
        "comparison.xlsx",
        "comparison.csv",
    }
    r = run("scenario", "compare", small_run, "--out", scenario_dir / "cmp2")
    assert r.exit_code == 1 and "at least two run folders" in r.output


def _bad(tmp_path, body):
    path = make_scenario(tmp_path, body=body)
    out = tmp_path / "out"
    r = run("scenario", "run", path, "--out", out)
    assert not out.exists()
    assert not list(tmp_path.glob(".out.*"))  # no staging folder left behind
    assert "Traceback" not in r.output
    return r


def test_typo_exit_1_nothing_written(tmp_path):
    r = _bad(tmp_path, SMALL.format(extra_pricing="").replace("budget_change", "budjet_change"))
    assert r.exit_code == 1
    assert "Unknown key 'budjet_change' in [media]. Did you mean 'budget_change'?" in r.output


def test_unknown_channel_exit_1(tmp_path):
    r = _bad(
        tmp_path,
        SMALL.format(extra_pricing="").replace("[media.channels.sea]", "[media.channels.tv]"),
    )
    assert r.exit_code == 1
    assert "unknown channel 'tv'" in r.output


def test_budget_below_minimums_exit_1(scenario_dir, small_run, tmp_path):
    import shutil

    shutil.copytree(scenario_dir / ".cache", tmp_path / ".cache")
    body = SMALL.format(extra_pricing="").replace("min_change = -0.3", "min_total = 10000000")
    r = _bad(tmp_path, body)
    assert r.exit_code == 1
    assert (
        "channel minimums sum to" in r.output and "raise the budget or lower a minimum" in r.output
    )


def test_missing_data_file_exit_1(tmp_path):
    make_scenario(tmp_path)
    (tmp_path / "demo" / "sales.csv").unlink()
    r = _bad(tmp_path, SMALL.format(extra_pricing=""))
    assert r.exit_code == 1
    assert "sales.csv: file not found" in r.output


def test_zero_capacity_exit_1(tmp_path):
    r = _bad(tmp_path, SMALL.format(extra_pricing="") + "\n[logistics]\ncapacity = 0\n")
    assert r.exit_code == 1
    assert "[logistics].capacity: Input should be greater than 0 (got 0)." in r.output


def test_validate_cli(tmp_path, scenario_dir):
    r = run("scenario", "validate", scenario_dir / "scenario.toml")
    assert r.exit_code == 0 and "OK" in r.output
    p = tmp_path / "x.toml"
    p.write_text("schema_version = 1\n")
    r = run("scenario", "validate", p)
    assert r.exit_code == 1 and "Missing required key 'name'" in r.output


def test_run_prints_french_by_default(scenario_dir, small_run):
    r = run("scenario", "run", scenario_dir / "scenario.toml", "--out", scenario_dir / "fr_run")
    assert r.exit_code == 0, r.output
    assert "Small test : contribution" in r.stdout and "probabilité de gain" in r.stdout
    assert "\u202f€" in r.stdout  # 1 206 277 €


def test_risk_spelled_exactly(tmp_path):
    r = _bad(
        tmp_path,
        SMALL.format(extra_pricing="").replace(
            'objective = "contribution"', 'objective = "contribution"\nrisk = "p05"'
        ),
    )
    assert r.exit_code == 1
    assert "'p5'" in r.output
