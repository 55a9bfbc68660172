"""Certificates when the posterior samples disagree on adstock weights (issue 14, item 5)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.allocation import AllocationProblem, Status, allocate
from optimizer.allocation.certify import interval_envelope
from optimizer.allocation.evaluate import sat_and_slope
from optimizer.curves import ResponseCurves
from tests.allocation.helpers import REPO, synthetic_curves

POSTERIOR = REPO / "bench" / "results" / "demo_posterior_curves.json"
RULES = {"max_week_change": 0.25, "always_on_min_share": 0.5, "no_restart": True}


def _posterior(n_samples: int = 60) -> ResponseCurves:
    """The demo model's own posterior (saved by bench/allocation_speed.py), thinned."""
    data = json.loads(POSTERIOR.read_text(encoding="utf-8"))
    data.pop("source", None)
    cv = ResponseCurves.from_dict(data)
    return cv.subset(np.linspace(0, cv.n_samples - 1, n_samples).astype(int))


@settings(max_examples=40, deadline=None)
@given(
    st.floats(1_000, 20_000),
    st.floats(1.05, 4.0),
    st.floats(0.0, 30_000),
    st.floats(0.0, 60_000),
)
def test_interval_envelope_is_concave_above_the_curve_and_tight_past_the_tangent(k, s, a, w):
    alpha, beta = a, a + w + 1.0
    grid = np.linspace(alpha, beta, 2001)
    env, slope = interval_envelope("hill", grid, np.array(alpha), np.array(beta), k, s)
    f, _ = sat_and_slope("hill", grid, k, s)
    assert (env >= f - 1e-12).all()
    assert (np.diff(slope) <= 1e-12).all()  # slopes never rise: concave
    # past the inflection point and the tangent point the envelope is the curve
    infl = k * ((s - 1) / (s + 1)) ** (1 / s)
    if alpha >= infl:
        assert env == pytest.approx(f, abs=1e-15)
    assert env[0] == pytest.approx(f[0], abs=1e-12)  # it starts on the curve


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 5_000), st.sampled_from([1.6, 2.5]), st.booleans())
def test_envelope_bound_holds_for_random_plans_when_adstock_weights_differ(seed, slope, rules):
    cv = synthetic_curves(
        n_channels=3, n_samples=12, lags=3, seed=seed, slope=slope, hetero_weights=True
    )
    t_len = 4
    budget = float(cv.current.sum()) * t_len
    p = AllocationProblem(budget=budget, n_weeks=t_len, **(RULES if rules else {}))
    r = allocate(cv, p)
    assert r.upper_bound is not None and r.upper_bound >= r.value
    rng = np.random.default_rng(seed)
    plans = [np.tile(cv.current, (t_len, 1))]
    if not rules:
        plans += [
            rng.dirichlet(np.full(3 * t_len, 0.4)).reshape(t_len, 3) * budget for _ in range(150)
        ]
    for plan in plans:
        assert float(cv.total(plan).mean()) <= r.upper_bound + 1e-9 * abs(r.upper_bound)


@pytest.mark.parametrize("rules", [{}, RULES], ids=["no rules", "workable rules"])
def test_demo_model_certifies_or_says_why(rules):
    cv = _posterior()
    weeks = 13
    p = AllocationProblem(budget=float(cv.current.sum()) * weeks, n_weeks=weeks, **rules)
    r = allocate(cv, p)
    assert r.upper_bound is not None and r.upper_bound >= r.value
    if r.status is not Status.OPTIMAL:
        reasons = [n for n in r.notes if n.startswith("why the gap")]
        assert reasons, r.notes
        assert any("adstock weights" in n for n in reasons)
    current = np.tile(cv.current, (weeks, 1))
    assert float(cv.total(current).mean()) <= r.upper_bound
    assert r.value >= float(cv.total(current).mean())
