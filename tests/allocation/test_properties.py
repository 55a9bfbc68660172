"""Hypothesis properties: every promise the allocation solver makes."""

from __future__ import annotations

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from optimizer.allocation import AllocationProblem, ChannelRule, allocate
from optimizer.errors import InfeasibleError
from tests.allocation.helpers import synthetic_curves

FAST = settings(max_examples=20, deadline=None)
T = 4


@st.composite
def problems(draw, concave=True):
    seed = draw(st.integers(0, 10_000))
    c = draw(st.integers(2, 4))
    slope = None if concave else draw(st.sampled_from([None, 1.8]))
    cv = synthetic_curves(
        n_channels=c,
        n_samples=8,
        lags=2,
        seed=seed,
        slope=slope,
        hetero_weights=draw(st.booleans()),
    )
    budget = draw(st.floats(20_000, 400_000))
    rules = {}
    for name in cv.channels:
        kind = draw(st.sampled_from(["none", "max", "min", "weekly"]))
        if kind == "max":
            rules[name] = ChannelRule(max_total=draw(st.floats(0.05, 0.6)) * budget)
        elif kind == "min":
            rules[name] = ChannelRule(min_total=draw(st.floats(0.0, 0.3)) * budget / c)
        elif kind == "weekly":
            rules[name] = ChannelRule(max_weekly=draw(st.floats(0.1, 0.5)) * budget / T)
    mode = draw(st.sampled_from(["exact", "up_to"]))
    objective = draw(st.sampled_from(["revenue", "margin"])) if mode == "up_to" else "revenue"
    p = AllocationProblem(
        budget=budget,
        n_weeks=T,
        channels=rules,
        budget_mode=mode,
        objective=objective,
        margin_rate=0.5 if objective == "margin" else 1.0,
    )
    return cv, p


def _solve_or_skip(cv, p, **kw):
    try:
        return allocate(cv, p, **kw)
    except InfeasibleError as exc:
        # only the up-front checks may refuse these problems (no ROAS rules here)
        assert "Infeasible allocation:" in str(exc)
        event("refused up front")
        return None


@FAST
@given(problems(concave=False))
def test_budget_and_every_bound_respected(case):
    cv, p = case
    r = _solve_or_skip(cv, p)
    if r is None:
        return
    event(f"solved by {r.solver}")
    plan = r.plan.to_numpy()
    tol = 1e-6 * p.budget
    assert (plan >= -1e-9).all()
    if p.budget_mode == "exact":
        assert plan.sum() == pytest.approx(p.budget, rel=1e-6)
    else:
        assert plan.sum() <= p.budget + tol
    for c, name in enumerate(cv.channels):
        rule = p.channels.get(name)
        if rule is None:
            continue
        if rule.max_total is not None:
            assert plan[:, c].sum() <= rule.max_total + tol
        if rule.min_total is not None:
            assert plan[:, c].sum() >= rule.min_total - tol
        if rule.max_weekly is not None:
            assert (plan[:, c] <= rule.max_weekly + tol).all()
    assert r.upper_bound is not None and r.upper_bound >= r.value


@FAST
@given(problems(concave=False), st.floats(1.05, 2.0))
def test_more_budget_never_lowers_the_optimum(case, factor):
    cv, p = case
    small = _solve_or_skip(cv, p)
    big = _solve_or_skip(cv, p.with_budget(p.budget * factor))
    if small is None or big is None:
        return
    # opt(big) >= opt(small) >= value(small), and value(big) >= opt(big) - gap(big)
    assert big.value >= small.value - big.gap - 1e-6 * abs(small.value)
    assert big.upper_bound >= small.value - 1e-6 * abs(small.value)


@FAST
@given(problems(concave=True))
def test_lp_and_nonlinear_agree_within_the_gap(case):
    cv, p = case
    lp = _solve_or_skip(cv, p, method="lp")
    if lp is None:
        return
    nl = allocate(cv, p, method="nonlinear")
    eps = 1e-6 * abs(lp.value) + 1e-6
    assert nl.value <= lp.upper_bound + eps
    assert lp.value <= nl.upper_bound + eps
    assert abs(nl.value - lp.value) <= max(lp.gap, nl.gap) + eps


@FAST
@given(st.integers(0, 10_000), st.integers(2, 5), st.floats(30_000, 300_000))
def test_marginal_roas_equalizes_off_the_bounds(seed, c, budget):
    cv = synthetic_curves(n_channels=c, n_samples=6, lags=1, seed=seed)
    r = allocate(cv, AllocationProblem(budget=budget, n_weeks=2))
    plan = r.plan.to_numpy()
    grad = cv.gradient(plan).mean(axis=0)
    interior = plan > 1e-3 * budget
    g = grad[interior]
    assert g.max() / g.min() < 1.01
    # cells at zero spend could not earn more than the common marginal ROAS
    if (~interior).any():
        assert grad[~interior].max() <= g.max() * 1.01
    live = r.channels["spend"] > 1e-3 * budget
    m = r.channels.loc[live, "marginal_roas"]
    assert m.max() / m.min() < 1.01


@FAST
@given(st.integers(0, 10_000), st.floats(1.01, 3.0))
def test_infeasible_minimums_raise(seed, excess):
    cv = synthetic_curves(n_channels=3, n_samples=2, lags=1, seed=seed)
    budget = 50_000.0
    rules = {name: ChannelRule(min_total=budget * excess / 3) for name in cv.channels}
    with pytest.raises(InfeasibleError, match="channel minimums sum to .* > budget 50,000 EUR"):
        allocate(cv, AllocationProblem(budget=budget, n_weeks=T, channels=rules))
