"""The smallest failing inputs the fuzzers found, kept as plain tests.

Hypothesis replays failures from its local database only; these run everywhere.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from optimizer.allocation import AllocationProblem, ChannelRule, WeekBound, allocate
from optimizer.allocation.constraints_file import load_constraints
from optimizer.allocation.problem import Risk
from optimizer.curves import ResponseCurves
from optimizer.data import load_dataset, load_logistics
from optimizer.data.catalog import Catalog
from optimizer.errors import ConfigError, DataError, InfeasibleError
from optimizer.pricing import Elasticities, PriceRules, PricingProblem, optimize_prices
from optimizer.pricing.config import load_rules
from optimizer.scenario import load_scenario


def _curves() -> ResponseCurves:
    """Two convex Hill channels (slope 1.8), no carry-over, two posterior samples."""
    return ResponseCurves(
        ("ch0", "ch1"),
        np.ones((2, 2, 1)),
        ("hill", "hill"),
        np.array([[[2652.0, 1.8], [2344.0, 1.8]], [[2170.0, 1.8], [1879.0, 1.8]]]),
        np.array([[49357.0, 56744.0], [41633.0, 55287.0]]),
        np.tile([6378.0, 3054.0], (3, 1)),
        np.array([6378.0, 3054.0]),
    )


@pytest.mark.parametrize("method", ["lp", "nonlinear", "auto"])
def test_equal_min_and_max_total_is_kept(method):
    """min_total == max_total used to be taken for 'fixed' and dropped from the constraints."""
    budget = 6107.87
    p = AllocationProblem(
        budget=budget, n_weeks=2, channels={"ch1": ChannelRule(min_total=3000.0, max_total=3000.0)}
    )
    plan = allocate(_curves(), p, method=method).plan.to_numpy()
    assert plan[:, 1].sum() == pytest.approx(3000.0, rel=1e-6)
    assert plan.sum() == pytest.approx(budget, rel=1e-6)


def test_equal_change_bounds_are_kept():
    """The same through min_change == max_change (a total pinned to the run-rate)."""
    curves = _curves()
    p = AllocationProblem(
        budget=20_000.0, n_weeks=2, channels={"ch0": ChannelRule(min_change=-0.5, max_change=-0.5)}
    )
    plan = allocate(curves, p).plan.to_numpy()
    assert plan[:, 0].sum() == pytest.approx(curves.current[0] * 2 * 0.5, rel=1e-6)


def test_zero_week_weights_solve():
    """All week weights 0: CBC left objective variables unset and the LP value was None."""
    p = AllocationProblem(budget=12_755.0, n_weeks=2, week_weights=(0.0, 0.0))
    r = allocate(_curves(), p)
    assert r.plan.to_numpy().sum() == pytest.approx(12_755.0, rel=1e-6)
    assert r.value == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("week", ["-2025-04-07", "0999-01-01", "2300-01-01"])
def test_dates_out_of_range_are_data_errors(tmp_path: Path, week: str):
    """'-2025-04-07' parsed as the year -2025 and crashed the weekly-grid check."""
    p = tmp_path / "logistics.csv"
    p.write_text(f"capacity,week,cost_per_unit\n1,2025-03-31,1\n1,{week},1\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"logistics.csv, column 'week', row 3: date out of range"):
        load_logistics(p)


def _scenario(tmp_path: Path, text: str) -> Path:
    (tmp_path / "shop").mkdir(exist_ok=True)
    (tmp_path / "shop" / "dataset.toml").write_text('[marketing]\nfile = "m.csv"\n', "utf-8")
    path = tmp_path / "scenario.toml"
    path.write_text('schema_version = 1\nname = "x"\n' + text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("dataset", "message"),
    [
        ("shop\\u0000", "is not a usable path"),  # ValueError: embedded null byte
        ("s" * 300, "no dataset.toml"),  # OSError: file name too long
    ],
    ids=["nul", "too_long"],
)
def test_unusable_dataset_paths_are_config_errors(tmp_path: Path, dataset: str, message: str):
    path = _scenario(tmp_path, f'[data]\ndataset = "{dataset}"\n')
    with pytest.raises(ConfigError, match=message) as info:
        load_scenario(path)
    assert "scenario.toml" in str(info.value)


@pytest.mark.parametrize(
    ("file", "message"),
    [
        ("a\\u0000b.csv", r"\[catalog\].file = .* is not a usable path"),
        ("a" * 300 + ".csv", r"\[catalog\].file = .* is not a usable path"),
        ("", r"\[catalog\].file = '' is a folder"),
    ],
    ids=["nul", "too_long", "folder"],
)
def test_unusable_dataset_files_are_config_errors(tmp_path: Path, file: str, message: str):
    (tmp_path / "dataset.toml").write_text(f'[catalog]\nfile = "{file}"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load_dataset(tmp_path)
    assert str(info.value).startswith("dataset.toml:")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[media]\nrisk = "meen"\n', r"\[media\].risk: risk 'meen' is not understood"),
        ("[media]\nbudget = inf\n", r"\[media\].budget: Input should be a finite number"),
        ("[media.monthly_caps]\nx = 1\n", "monthly cap key 'x' must be YYYY-MM"),
        ("[pricing]\nendings = [1.5]\n", r"\[pricing.endings\].0: Input should be less than 1"),
        ("[pricing.min_advertised_price]\nA = nan\n", "Input should be a finite number"),
        (
            '[horizon]\nweeks = 4\n[[media.week_bounds]]\nchannel = "sea"\nweek = 4\n',
            "week 4 is past the horizon of 4 weeks",
        ),
    ],
    ids=["risk", "inf", "month_key", "endings", "nan_map", "week_bound"],
)
def test_values_the_runner_refused_after_the_fits_are_refused_at_validation(
    tmp_path: Path, text: str, message: str
):
    path = _scenario(tmp_path, '[data]\ndataset = "shop"\n' + text)
    with pytest.raises(ConfigError, match=message) as info:
        load_scenario(path)
    assert "scenario.toml" in str(info.value)


def test_constraints_and_rules_files_refuse_the_same_values(tmp_path: Path):
    c = tmp_path / "constraints.toml"
    c.write_text('[monthly_caps]\n"2026-1" = 5000\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="constraints.toml: .*must be YYYY-MM"):
        load_constraints(c, ("sea",))
    r = tmp_path / "rules.toml"
    r.write_text("endings = [0.99, -0.1]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"rules.toml: \[endings\].1"):
        load_rules(r)


def test_fixed_channel_with_an_equal_week_bound():
    """fixed / n_weeks and an equal week bound crossed by one ulp: SLSQP refused the bounds."""
    curves = _curves()
    fixed = 41689.82606123062
    week = 13896.608687076874  # fixed / 3 rounds one ulp above this
    p = AllocationProblem(
        budget=53982.31346529171,
        n_weeks=3,
        channels={"ch1": ChannelRule(fixed=fixed)},
        week_bounds=(WeekBound("ch1", 0, min=week, max=week),),
    )
    plan = allocate(curves, p, method="nonlinear").plan.to_numpy()
    assert plan[:, 1] == pytest.approx(np.full(3, fixed / 3), rel=1e-9)


@pytest.mark.parametrize("mode", ["hard", "ration"])
def test_stock_forced_change_with_max_changes_zero(mode):
    """allow_stockout=False and max_changes=0 where the current price's demand exceeds the stock.

    The SKU was left without any candidate: "ration" returned a changed price selling past the
    stock, "hard" blamed the capacity with "inf logistics units".
    """
    f = pd.DataFrame(
        {
            "category": ["Mode", "Mode"],
            "price_incl_vat": [1.0, 1.0],
            "vat_rate": [0.2, 0.2],
            "unit_cost": [0.0, 0.0],
            "stock": [2.0, 7.0],
            "logistics_units": [1.0, 1.0],
            "min_price": np.nan,
            "max_price": np.nan,
            "return_rate": 0.0,
        },
        index=pd.Index(["S00", "S01"], name="sku"),
    )
    f["price_excl_vat"] = f["price_incl_vat"] / 1.2
    cat = Catalog(f, "fuzz")
    el = Elasticities.from_values(
        pd.Series([-3.0, -3.0], index=f.index),
        pd.Series([1.0, 4.7], index=f.index),
        f["price_incl_vat"],
    )
    rules = PriceRules(max_change=0.15, endings=(), n_points=3, max_changes=0, allow_stockout=False)
    problem = PricingProblem(
        cat, el, np.array([5.0]), demand_multiplier=np.array([2.0]), rules=rules, capacity_mode=mode
    )
    with pytest.raises(InfeasibleError, match=r"max_changes: 1 SKU\(s\) must change .*'S01'"):
        optimize_prices(problem)


def test_binding_min_roas_is_met_when_slsqp_cannot_repair_the_lp_plan():
    """A feasible overall ROAS rule was reported infeasible ("No plan found ... relax those rules").

    The piecewise-linear curves over-estimate revenue slightly: the LP plan sat just below the
    binding ROAS rule and SLSQP failed to repair it. Spending the whole budget on ch0 meets it.
    """
    k = [8055.5793119280825, 9012.425279196636, 7141.066575306303, 8696.984236018608]
    k2 = [8397.527905560386, 10664.074558637029, 6412.053795347466, 8116.313073681702]
    s = [0.8174499965861691, 0.9740289695151073, 0.9263414216486129, 0.6010954000680592]
    current = [2810.5790301344673, 6328.93004116449, 5152.125934854355, 3861.451253353734]
    curves = ResponseCurves(
        ("ch0", "ch1", "ch2", "ch3"),
        np.ones((2, 4, 1)),
        ("hill",) * 4,
        np.stack([np.column_stack([k, s]), np.column_stack([k2, s])]),
        np.array(
            [
                [59430.093825539756, 21545.02359804126, 45661.8672292349, 24646.506018318538],
                [51866.91585166202, 21818.60724164593, 44462.7447122167, 26466.77378587453],
            ]
        ),
        np.tile(current, (3, 1)),
        np.array(current),
    )
    budget = 8431.737090403401
    p = AllocationProblem(
        budget=budget,
        n_weeks=3,
        week_bounds=(WeekBound("ch1", 0, min=0.0, max=0.0),),
        min_roas=5.455369186348704,
        week_weights=(0.0, 1.0, 0.0),
    )
    planted = np.zeros((3, 4))
    planted[:, 0] = budget / 3
    assert curves.weekly(planted).mean(axis=0).sum() >= p.min_roas * budget  # feasible
    plan = allocate(curves, p).plan.to_numpy()
    assert plan.sum() == pytest.approx(budget, rel=1e-6)
    assert curves.weekly(plan).mean(axis=0).sum() >= p.min_roas * plan.sum() - 1e-3


def test_quantile_lp_with_a_pinned_plan():
    """A channel fixed at the whole budget (every cell pinned) under quantile risk.

    The MILP was declared infeasible: the solver reads the model with 12 significant digits, so
    the exact budget row and the pinned cells disagreed by round-off.
    """
    current = np.array([6585.3619004, 6700.12308598, 4169.16489758])
    curves = ResponseCurves(
        ("ch0", "ch1", "ch2"),
        np.ones((2, 3, 1)),
        ("hill",) * 3,
        np.array(
            [
                [[2536.9988, 0.887508551], [6227.8903, 0.738142602], [3234.48211, 0.78280387]],
                [[2409.96133, 0.887508551], [6792.97095, 0.738142602], [3643.86924, 0.78280387]],
            ]
        ),
        np.array(
            [
                [62268.61328934, 60518.4310989, 57271.062523],
                [57997.44682645, 44011.16811151, 45985.19503458],
            ]
        ),
        np.tile(current, (3, 1)),
        current,
    )
    budget = 79024.34280474132
    p = AllocationProblem(
        budget=budget,
        n_weeks=4,
        channels={"ch0": ChannelRule(fixed=budget)},
        risk=Risk("quantile", 0.25),
    )
    plan = allocate(curves, p).plan.to_numpy()
    assert plan[:, 0] == pytest.approx([budget / 4] * 4, rel=1e-9)
    assert plan[:, 1:].sum() <= 1e-6 * budget


@pytest.mark.parametrize(
    "risk", [Risk("quantile", 0.25), Risk("cvar", 0.25)], ids=["p25", "cvar25"]
)
def test_scenario_lp_with_a_tiny_week_weight(risk):
    """A week weight of 1e-12 put coefficients below the solver's zero tolerance into the
    scenario rows (CVaR, quantile): the LP read as infeasible."""
    curves = ResponseCurves(
        ("ch0", "ch1"),
        np.ones((2, 2, 1)),
        ("hill", "hill"),
        np.array([[[4610.35786, 1.8], [2991.87712, 1.8]], [[4843.79691, 1.8], [2908.32656, 1.8]]]),
        np.array([[38371.73784582, 45217.73910898], [40669.44890205, 52314.34810654]]),
        np.tile([5041.30691881, 7297.85436077], (3, 1)),
        np.array([5041.30691881, 7297.85436077]),
    )
    budget = 10082.613837611734
    p = AllocationProblem(
        budget=budget,
        n_weeks=2,
        channels={"ch0": ChannelRule(fixed=budget)},
        risk=risk,
        week_weights=(1.0, 1e-12),
    )
    plan = allocate(curves, p).plan.to_numpy()
    assert plan[:, 0] == pytest.approx([budget / 2] * 2, rel=1e-9)
    assert plan[:, 1].sum() <= 1e-6 * budget


def test_missing_dataset_file_names_the_key(tmp_path: Path):
    """A typo in dataset.toml's file name: the message said only 'arketing.csv: file not found'."""
    (tmp_path / "dataset.toml").write_text('[marketing]\nfile = "arketing.csv"\n', "utf-8")
    with pytest.raises(
        DataError, match=r"arketing.csv: file not found .*\[marketing\].file in dataset.toml"
    ):
        load_dataset(tmp_path)


def test_max_cpa_without_basket_is_refused_at_validation(tmp_path: Path):
    path = _scenario(tmp_path, '[data]\ndataset = "shop"\n[media]\nmax_cpa = 30.0\n')
    with pytest.raises(ConfigError, match=r"scenario.toml: \[media\]: max_cpa needs orders_per"):
        load_scenario(path)


def test_csv_path_too_long_is_a_data_error(tmp_path: Path):
    """A file name longer than the file system allows raised OSError from Path.exists()."""
    path = tmp_path / ("m" * 300 + ".csv")
    with pytest.raises(DataError, match="cannot open .*Check the path"):
        load_logistics(path)
