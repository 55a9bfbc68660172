"""A scenario is checked against its dataset before any fit (``optimizer scenario validate``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from optimizer.errors import ConfigError, DataError, InfeasibleError
from optimizer.scenario.checks import validate_scenario

REPO = Path(__file__).resolve().parents[2]
BASE = 'schema_version = 1\nname = "t"\n[data]\ndataset = "demo"\n'


@pytest.fixture(scope="module")
def folder(tmp_path_factory, demo_dir) -> Path:
    out = tmp_path_factory.mktemp("checks")
    shutil.copytree(demo_dir, out / "demo")
    return out


def _validate(folder: Path, body: str):
    path = folder / "s.toml"
    path.write_text(BASE + body, encoding="utf-8")
    return validate_scenario(path)


def test_shipped_scenarios_pass():
    for path in sorted((REPO / "scenarios").glob("*.toml")):
        assert validate_scenario(path).name


def test_horizon_longer_than_logistics(folder):
    """The demo logistics file covers the 52 weeks after the history."""
    with pytest.raises(ConfigError) as exc:
        _validate(folder, "[horizon]\nweeks = 80\n")
    assert str(exc.value) == (
        "s.toml: [horizon].weeks = 80: the plan runs from 2026-11-23 to 2028-05-29 but "
        "logistics.csv covers 2026-11-23 to 2027-11-15 (first week missing: 2027-11-22); lower "
        "[horizon].weeks to 52, add rows to logistics.csv up to 2028-05-29, or set "
        "[logistics].capacity and [logistics].cost_per_unit (one value for every week)."
    )
    assert _validate(folder, "[horizon]\nweeks = 52\n").file.horizon.weeks == 52
    # the file is not read for what the scenario sets itself
    both = "[horizon]\nweeks = 80\n[logistics]\ncapacity = 6000\ncost_per_unit = 6.4\n"
    assert _validate(folder, both).file.horizon.weeks == 80
    with pytest.raises(ConfigError, match=r"or set \[logistics\]\.cost_per_unit \(one value"):
        _validate(folder, "[horizon]\nweeks = 80\n[logistics]\ncapacity = 6000\n")


def test_start_must_follow_history(folder):
    with pytest.raises(ConfigError, match=r"\[horizon\]\.start = 2026-12-07 but the marketing"):
        _validate(folder, "[horizon]\nstart = 2026-12-07\n")
    assert _validate(folder, "[horizon]\nstart = 2026-11-23\n").file.horizon.start


def test_rules_against_horizon_and_budget(folder):
    with pytest.raises(ConfigError) as exc:
        _validate(
            folder,
            "[horizon]\nweeks = 4\n[media.channels.sea]\nmax_weekly = 1000\nmin_total = 5000\n",
        )
    assert str(exc.value) == (
        "s.toml: [media.channels.sea]: max_weekly (1,000 EUR) over the 4-week horizon allows at "
        "most 4,000 EUR, below min_total (5,000 EUR); raise max_weekly or lower min_total."
    )
    with pytest.raises(ConfigError, match=r"\[media\.week_bounds\.0\]: \[media\.channels\.sea\]"):
        _validate(
            folder,
            '[horizon]\nweeks = 4\n[media.channels.sea]\nfixed = 4000\n[[media.week_bounds]]\nchannel = "sea"\nweek = 0\nmax = 500\n',
        )


def test_other_conflicts_reported_as_the_solver_would(folder):
    """Conflicts without a dedicated message get the solver's, under [media]."""
    body = (
        '[[media.week_bounds]]\nchannel = "sea"\nweek = 1\nmin = 3000\n'
        '[[media.week_bounds]]\nchannel = "sea"\nweek = 1\nmax = 1000\n'
    )
    with pytest.raises(InfeasibleError) as exc:
        _validate(folder, body)
    assert str(exc.value).startswith(
        "s.toml: [media]: Infeasible allocation: channel 'sea' week 1: minimum 3,000 EUR > "
        "maximum 1,000 EUR; lower the minimum or raise the maximum"
    )


def test_what_needs_the_model_is_left_to_the_run(folder):
    """Run-rate rules cannot be checked without the model; disabled parts are not checked."""
    _validate(folder, "[media]\nbudget_change = 0.1\n[media.channels.sea]\nmin_total = 1e9\n")
    _validate(
        folder, "[media]\nenabled = false\nbudget = 1000\n[media.channels.sea]\nmin_total = 5000\n"
    )
    _validate(folder, "[pricing]\nenabled = false\nmargin_floor = 0.9\n")
    with pytest.raises(InfeasibleError, match=r"s.toml: \[pricing\]: price rules leave no price"):
        _validate(folder, "[pricing]\nmargin_floor = 0.9\n")


def test_dataset_sections_and_sales(tmp_path, demo_dir):
    shutil.copytree(demo_dir, tmp_path / "demo")
    spec = tmp_path / "demo" / "dataset.toml"
    spec.write_text(spec.read_text().replace('[sales]\nfile = "sales.csv"\n', ""))
    with pytest.raises(ConfigError, match=r"'demo' has no sales section\(s\) in its dataset.toml"):
        _validate(tmp_path, "")
    shutil.rmtree(tmp_path / "demo")
    shutil.copytree(demo_dir, tmp_path / "demo")
    sales = tmp_path / "demo" / "sales.csv"
    head, *rows = sales.read_text().splitlines()
    sales.write_text("\n".join([head, *(r for r in rows if ",MDF-004," not in r)]) + "\n")
    with pytest.raises(DataError) as exc:
        _validate(tmp_path, "")
    assert str(exc.value) == (
        "sales.csv: SKU 'MDF-004' of the catalog (catalog.csv) has no in-stock week with a "
        "price, so its price elasticity cannot be estimated; add its sales rows or drop it from "
        "the catalog."
    )
