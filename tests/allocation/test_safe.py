"""Issue 14: safe plans — paired lift, data bounds, held-out promise, today's plan as fallback."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.allocation import AllocationProblem, ChannelRule
from optimizer.allocation.safe import (
    SafeRule,
    data_bounds,
    paired_lift,
    safe_allocate,
    split_samples,
)
from optimizer.curves import ResponseCurves
from optimizer.errors import ConfigError, InfeasibleError
from tests.allocation.helpers import synthetic_curves
from tests.allocation.test_workable import _check_rules, workable_problems

FAST = settings(max_examples=12, deadline=None)
T = 4


def _problem(cv: ResponseCurves, **kw) -> AllocationProblem:
    return AllocationProblem(budget=float(cv.current.sum() * T), n_weeks=T, **kw)


@st.composite
def cases(draw):
    cv = synthetic_curves(
        n_channels=draw(st.integers(2, 4)),
        n_samples=draw(st.sampled_from([16, 40])),
        lags=2,
        seed=draw(st.integers(0, 10_000)),
        hetero_weights=draw(st.booleans()),
    )
    alpha = draw(st.sampled_from([0.05, 0.1, 0.2]))
    return cv, SafeRule(alpha=alpha, seed=draw(st.integers(0, 100)))


@FAST
@given(cases())
def test_the_safe_plan_is_safe_by_its_own_rule_and_within_its_bounds(case):
    cv, rule = case
    p = _problem(cv)
    r = safe_allocate(cv, p, rule=rule)
    plan = r.plan.to_numpy(float)
    today = r.today.to_numpy(float)
    # the reported promise is the paired lift on the held-out half, and it is safe
    _, report = split_samples(cv.n_samples, rule.seed)
    lift = paired_lift(cv.subset(report), p, plan, today)
    assert r.promise.mean == pytest.approx(lift.mean())
    assert np.mean(lift < 0) <= rule.alpha + 1e-12
    assert r.promise.p_positive == pytest.approx(np.mean(lift > 0))
    # the budget is spent and every channel stays inside its data bound
    assert plan.sum() == pytest.approx(p.budget, rel=1e-6)
    for c, b in enumerate(r.bounds):
        assert b.min_total - 1e-3 <= plan[:, c].sum() <= b.max_total + 1e-3, b.reason
        assert (plan[:, c] <= b.max_weekly + 1e-3).all(), b.reason
    assert r.chosen in set(r.candidates["candidate"])
    assert bool(r.candidates.set_index("candidate").loc[r.chosen, "safe"])


def test_lift_is_paired_draw_by_draw():
    cv = synthetic_curves(n_channels=3, n_samples=10, lags=2, seed=4)
    p = _problem(cv, objective="margin", margin_rate=0.4, budget_mode="up_to")
    today = np.tile(cv.current, (T, 1))
    plan = today * np.array([1.2, 0.8, 1.0])
    lift = paired_lift(cv, p, plan, today)
    expected = 0.4 * (cv.total(plan) - cv.total(today)) - (plan.sum() - today.sum())
    np.testing.assert_allclose(lift, expected)
    np.testing.assert_array_equal(paired_lift(cv, p, today, today), np.zeros(10))


def _anti_correlated(n: int = 60) -> ResponseCurves:
    """Two channels the posterior cannot rank: 60 % of samples favour one, 40 % the other."""
    cv = synthetic_curves(n_channels=2, n_samples=n, lags=2, seed=1)
    flip = np.where(np.arange(n) % 5 < 3, 3.0, 1 / 3)
    beta = np.column_stack([cv.beta[:, 0] * flip, cv.beta[:, 1] / flip])
    return dataclasses.replace(cv, beta=beta)


def test_todays_plan_is_kept_when_no_move_is_safe():
    cv = _anti_correlated()
    r = safe_allocate(cv, _problem(cv))
    assert r.chosen == "today"
    np.testing.assert_allclose(r.plan.to_numpy(), r.today.to_numpy())
    assert r.promise.mean == 0.0 and r.promise.p_positive == 0.0
    assert "today's plan is kept" in r.reason
    # the choosing half saw a gain in moving, the held-out half a risk of loss far above alpha
    others = r.candidates[r.candidates["candidate"] != "today"]
    assert len(others) and not others["safe"].any()
    assert (others["lift_choose"] > 0).all() and (others["p_loss"] > 0.2).all()


def test_weakly_identified_channels_may_move_less():
    cv = synthetic_curves(n_channels=2, n_samples=200, lags=2, seed=3)
    # channel 1's maximum effect is far less certain than channel 0's
    rng = np.random.default_rng(0)
    beta = cv.beta.copy()
    beta[:, 1] = beta[:, 1].mean() * np.exp(0.6 * rng.standard_normal(200))
    cv = dataclasses.replace(cv, beta=beta)
    ref = np.tile(cv.current, (T, 1))
    b0, b1 = data_bounds(cv, ref)
    assert b0.identification > b1.identification
    assert b0.max_total - b0.reference_total > b1.max_total - b1.reference_total
    assert "marginal ROAS" in b1.reason and "identification" in b1.reason


def test_channels_whose_cost_follows_sales_are_not_moved():
    cv = dataclasses.replace(
        synthetic_curves(n_channels=3, n_samples=20, lags=2, seed=5), follows_sales=("ch1",)
    )
    r = safe_allocate(cv, _problem(cv))
    assert r.plan["ch1"].sum() == pytest.approx(cv.current[1] * T, rel=1e-6)
    assert "not a budget lever" in r.bounds[1].reason


def test_a_bigger_budget_keeps_the_unspent_part_on_todays_channels():
    cv = synthetic_curves(n_channels=3, n_samples=20, lags=2, seed=6)
    p = dataclasses.replace(_problem(cv), budget=float(cv.current.sum() * T * 1.2))
    r = safe_allocate(cv, p)
    assert r.plan.to_numpy().sum() == pytest.approx(p.budget, rel=1e-6)
    # today's plan spends less than the budget: it is judged against, not a candidate
    assert "today" not in set(r.candidates["candidate"])


def test_user_rules_still_bind_and_bad_settings_are_refused():
    cv = synthetic_curves(n_channels=3, n_samples=20, lags=2, seed=7)
    p = _problem(cv, channels={"ch0": ChannelRule(max_change=-0.1)})
    r = safe_allocate(cv, p)
    assert r.plan["ch0"].sum() <= cv.current[0] * T * 0.9 + 1e-6
    with pytest.raises(ConfigError, match="alpha"):
        SafeRule(alpha=0.7)
    with pytest.raises(ConfigError, match="today's plan"):
        safe_allocate(cv, p, today=np.ones((2, 3)))


def test_a_point_estimate_is_planned_without_a_split():
    cv = synthetic_curves(n_channels=3, n_samples=20, lags=2, seed=8).mean_curves()
    r = safe_allocate(cv, _problem(cv))
    assert r.promise.n_samples == 1 and "same samples" in r.promise.basis
    assert r.plan.to_numpy().sum() == pytest.approx(cv.current.sum() * T, rel=1e-6)


def test_calibrated_promise_multiplies_the_lift_by_the_measured_ratios():
    from optimizer.allocation.calibration import PromiseCalibration

    cal = PromiseCalibration((0.5, 1.0, -0.2), ("a", "b", "c"), "test")
    lift = np.array([100.0, 200.0])
    np.testing.assert_allclose(sorted(cal.draws(lift)), sorted([50, 100, -20, 100, 200, -40]))
    assert cal.without("b").ratios == (0.5, -0.2)
    assert "3 generated stores" in cal.describe()
    cv = synthetic_curves(n_channels=3, n_samples=20, lags=2, seed=9)
    r = safe_allocate(cv, _problem(cv), calibration=cal)
    c = r.promise_calibrated
    assert c is not None and c.n_samples == 3 * r.promise.n_samples
    assert c.mean == pytest.approx(r.promise.mean * np.mean(cal.ratios))
    off = safe_allocate(cv, _problem(cv), rule=SafeRule(calibrate=False))
    assert off.promise_calibrated is None
    with pytest.raises(ConfigError):
        PromiseCalibration(())


@FAST
@given(workable_problems(concave=True), st.integers(0, 100))
def test_the_safe_plan_meets_the_workable_rules(case, seed):
    """Smoothness rules (week-to-week change, always-on minimum, no restart) hold on the safe plan."""
    cv, p = case
    try:
        r = safe_allocate(cv, p, rule=SafeRule(seed=seed))
    except InfeasibleError:
        return  # the budget is out of the rules' reach: refused up front, with the figures
    if r.chosen == "today":
        # the manager's own plan is kept as it is, judged on the budget and caps only
        np.testing.assert_allclose(r.plan.to_numpy(float), r.today.to_numpy(float))
        return
    _check_rules(cv, p, r.plan.to_numpy(float))
