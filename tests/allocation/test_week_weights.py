"""Week weights: the objective values each week's revenue by its weight (scenario capacity)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.allocation import AllocationProblem, allocate
from optimizer.errors import ConfigError

from .helpers import synthetic_curves


def _problem(curves, weights=None, **kw):
    return AllocationProblem(
        budget=float(curves.current.sum()) * 6,
        n_weeks=6,
        objective="margin",
        margin_rate=0.5,
        week_weights=weights,
        **kw,
    )


def test_unit_weights_change_nothing():
    curves = synthetic_curves(seed=1)
    a = allocate(curves, _problem(curves))
    b = allocate(curves, _problem(curves, (1.0,) * 6))
    assert np.allclose(a.plan.to_numpy(), b.plan.to_numpy(), atol=1e-3 * a.plan.to_numpy().max())
    assert a.value == pytest.approx(b.value, rel=1e-6)


def test_zero_weight_week_gets_less_spend():
    curves = synthetic_curves(seed=2, lags=1)
    plain = allocate(curves, _problem(curves)).plan.to_numpy().sum(axis=1)
    w = (1.0, 1.0, 0.0, 1.0, 1.0, 1.0)
    weighted = allocate(curves, _problem(curves, w)).plan.to_numpy().sum(axis=1)
    # with no carry-over, a week whose revenue is worth nothing gets no spend
    assert weighted[2] < 1e-6 * plain.sum() + 1e-6
    assert weighted.sum() == pytest.approx(plain.sum(), rel=1e-6)  # the budget is still spent


def test_reported_objective_uses_weights_revenue_does_not():
    curves = synthetic_curves(seed=3)
    w = (1.0, 0.5, 0.5, 1.0, 0.2, 1.0)
    r = allocate(curves, _problem(curves, w))
    plan = r.plan.to_numpy()
    rev = curves.total(plan)
    val = 0.5 * curves.total(plan, np.array(w)) - plan.sum()
    assert r.revenue.mean == pytest.approx(rev.mean(), rel=1e-9)
    assert r.objective_outcome.mean == pytest.approx(val.mean(), rel=1e-9)


@settings(max_examples=10, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=6, max_size=6), st.integers(0, 50))
def test_lp_and_nonlinear_agree_within_gap(weights, seed):
    curves = synthetic_curves(seed=seed, n_samples=8)
    p = _problem(curves, tuple(weights))
    r = allocate(curves, p, method="nonlinear")
    lp = allocate(curves, p, method="lp")
    best = max(r.value, lp.value)
    assert r.upper_bound is not None and r.upper_bound >= best - 1e-6 * abs(best) - 1e-6
    assert r.value >= lp.value - 1e-6 * abs(lp.value) - 1e-6


def test_bad_weights():
    curves = synthetic_curves()
    with pytest.raises(ConfigError, match="week_weights must give one value in"):
        _problem(curves, (1.0, 2.0, 1.0, 1.0, 1.0, 1.0))
    with pytest.raises(ConfigError, match="week_weights"):
        _problem(curves, (1.0,))
