from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from optimizer.allocation import AllocationProblem, ChannelRule, Risk, WeekBound, allocate
from optimizer.allocation.resolve import resolve
from optimizer.errors import ConfigError, InfeasibleError

CH = ("seo", "sea", "social")
CUR = np.array([1000.0, 2000.0, 3000.0])


def test_channel_minimums_above_budget_name_the_amounts():
    p = AllocationProblem(
        budget=1_200_000,
        n_weeks=13,
        channels={"seo": ChannelRule(min_total=700_000), "sea": ChannelRule(min_total=600_000)},
    )
    with pytest.raises(
        InfeasibleError,
        match=r"channel minimums sum to 1,300,000 EUR > budget "
        r"1,200,000 EUR; raise the budget or lower a minimum",
    ):
        resolve(p, CH, CUR)


def test_maximums_below_exact_budget():
    rules = {c: ChannelRule(max_weekly=100.0) for c in CH}
    p = AllocationProblem(budget=10_000, n_weeks=10, channels=rules)
    with pytest.raises(InfeasibleError, match=r"channel maximums sum to 3,000 EUR < budget 10,000"):
        resolve(p, CH, CUR)
    # the same rules are fine when the budget is an upper limit
    resolve(
        AllocationProblem(budget=10_000, n_weeks=10, channels=rules, budget_mode="up_to"), CH, CUR
    )


def test_percent_rules_use_the_run_rate():
    p = AllocationProblem(
        budget=100_000,
        n_weeks=10,
        channels={"sea": ChannelRule(min_change=-0.2, max_change=0.5)},
        budget_mode="up_to",
    )
    res = resolve(p, CH, CUR)
    assert res.tot_lo[1] == pytest.approx(16_000)
    assert res.tot_hi[1] == pytest.approx(30_000)


def test_fixed_outside_bounds_and_min_above_max():
    p = AllocationProblem(
        budget=1e6, n_weeks=4, channels={"seo": ChannelRule(fixed=5_000, max_total=4_000)}
    )
    with pytest.raises(InfeasibleError, match="'seo' is fixed at 5,000 EUR"):
        resolve(p, CH, CUR)
    p = AllocationProblem(
        budget=1e6, n_weeks=4, channels={"sea": ChannelRule(min_total=9_000, max_weekly=2_000)}
    )
    with pytest.raises(InfeasibleError, match="'sea': minimum 9,000 EUR > maximum 8,000 EUR"):
        resolve(p, CH, CUR)


def test_weekly_and_monthly_caps_conflicts():
    rules = {"seo": ChannelRule(min_weekly=600), "sea": ChannelRule(min_weekly=600)}
    p = AllocationProblem(
        budget=1e5, n_weeks=4, channels=rules, weekly_cap=1_000, budget_mode="up_to"
    )
    with pytest.raises(InfeasibleError, match="week 0: channel minimums sum to 1,200 EUR > weekly"):
        resolve(p, CH, CUR)
    p = AllocationProblem(budget=1e5, n_weeks=8, weekly_cap=1_000)
    with pytest.raises(InfeasibleError, match="weekly caps allow at most 8,000 EUR"):
        resolve(p, CH, CUR)
    p = AllocationProblem(
        budget=1e5,
        n_weeks=8,
        channels=rules,
        start=date(2026, 11, 23),
        monthly_caps={"2026-12": 3_000},
        budget_mode="up_to",
    )
    with pytest.raises(InfeasibleError, match="month 2026-12: channel minimums sum to 4,800 EUR"):
        resolve(p, CH, CUR)


def test_unknown_channel_is_named_with_a_hint():
    p = AllocationProblem(budget=1e5, n_weeks=4, channels={"socail": ChannelRule(max_total=1)})
    with pytest.raises(ConfigError, match="unknown channel 'socail'.*Did you mean 'social'"):
        resolve(p, CH, CUR)
    p = AllocationProblem(budget=1e5, n_weeks=4, week_bounds=(WeekBound("tv", 0, max=0),))
    with pytest.raises(ConfigError, match="unknown channel 'tv'"):
        resolve(p, CH, CUR)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"budget": -1.0}, "budget -1.0 EUR"),
        ({"n_weeks": 0}, "n_weeks 0"),
        ({"objective": "margin"}, "needs a margin rate below 1"),
        ({"max_cpa": 20.0}, "max_cpa needs orders_per_revenue"),
        ({"monthly_caps": {"2026-12": 1.0}}, "monthly caps need the horizon start"),
        ({"monthly_caps": {"dec": 1.0}, "start": date(2026, 1, 5)}, "must be YYYY-MM"),
        ({"week_bounds": (WeekBound("seo", 9),)}, "past the horizon"),
    ],
)
def test_problem_validation(kwargs, message):
    base = {"budget": 1e5, "n_weeks": 4}
    with pytest.raises(ConfigError, match=message):
        AllocationProblem(**{**base, **kwargs})


def test_risk_parsing():
    assert Risk.parse("p10") == Risk("quantile", 0.1)
    assert Risk.parse("cvar10").label == "cvar10"
    assert Risk.parse("mean").kind == "mean"
    with pytest.raises(ConfigError, match="not understood"):
        Risk.parse("var5%")
    with pytest.raises(ConfigError, match="Did you mean 'cvar'"):
        Risk("cvarr")


def test_allocate_rejects_unknown_method(demo_curves):
    with pytest.raises(ConfigError, match="method 'fast' is unknown"):
        allocate(demo_curves, AllocationProblem(budget=1e5, n_weeks=2), method="fast")
