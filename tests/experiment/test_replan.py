"""The flat safe rule: budget spent, never judged worse than today, equal to the prior plan."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from optimizer.allocation.safe import SafeRule
from optimizer.curves import synthetic_curves
from optimizer.experiment import FlatPlanner

WEEKS = 13


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_plan_spends_the_budget_and_beats_today_on_held_out_samples(seed):
    cv = synthetic_curves(n_channels=4, n_samples=80, lags=2, seed=seed)
    budget = float(cv.current.sum() * WEEKS)
    planner = FlatPlanner(cv, cv.current, budget, WEEKS, SafeRule(calibrate=False), units=40)
    plan = planner.plan()
    if plan.chosen == "today":
        return
    assert plan.weekly.sum() * WEEKS == pytest.approx(budget)
    lift = planner.value(plan)[planner.report] - planner.today_value[planner.report]
    assert lift.mean() > 0
    assert np.mean(lift < 0) <= 0.1


def test_channels_whose_cost_follows_sales_keep_todays_spend():
    cv = synthetic_curves(n_channels=3, n_samples=40, lags=2, seed=5)
    cv = dataclasses.replace(cv, follows_sales=("ch2",))
    budget = float(cv.current.sum() * WEEKS)
    plan = FlatPlanner(cv, cv.current, budget, WEEKS, units=30).plan()
    assert plan.weekly[2] == pytest.approx(cv.current[2])
    assert plan.weekly.sum() == pytest.approx(cv.current.sum())


def test_equal_weights_give_the_prior_plan_and_weights_move_it():
    cv = synthetic_curves(n_channels=3, n_samples=60, lags=2, seed=8)
    planner = FlatPlanner(cv, cv.current, float(cv.current.sum() * WEEKS), WEEKS, units=30)
    assert planner.plan(np.ones(60)).key == planner.plan().key
    # all the weight on the samples where ch0 is strongest: the plan gives ch0 no less
    w = (cv.beta[:, 0] > np.quantile(cv.beta[:, 0], 0.7)).astype(float)
    strong = planner.plan(w)
    assert strong.weekly[0] >= planner.plan().weekly[0] - 1e-6
