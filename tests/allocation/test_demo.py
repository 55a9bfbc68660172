"""On the demo store the optimized plan must beat the current plan under the *true* response."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from optimizer.allocation import AllocationProblem, Status, allocate
from tests.allocation.helpers import truth_curves


def test_truth_curves_reproduce_the_generator(truth, demo_curves):
    plan = truth.run_rate_plan(13)
    ours = demo_curves.weekly(plan[list(demo_curves.channels)].to_numpy())[0]
    theirs = truth.media_contribution(plan).to_numpy()
    assert ours == pytest.approx(theirs, rel=1e-10)


def test_marginal_roas_at_the_current_plan_matches_the_truth(truth, demo_curves):
    """Steady-state marginal ROAS of the curves = finite difference of the generator's Hill."""
    from optimizer.data.demo import hill_np

    m = dict(
        zip(demo_curves.channels, demo_curves.marginal_roas(demo_curves.current)[0], strict=True)
    )
    for c, t in truth.channels.items():
        x = float(demo_curves.current[list(demo_curves.channels).index(c)])
        h = 1e-3 * x
        fd = (
            t.beta
            * (
                hill_np(np.array([x + h]), t.half_saturation, t.slope)
                - hill_np(np.array([x - h]), t.half_saturation, t.slope)
            )[0]
            / (2 * h)
        )
        assert m[c] == pytest.approx(fd, rel=1e-4)
    # the demo is built so that channels differ at the margin (something to re-allocate)
    assert max(m.values()) > 1.5 * min(m.values())


def test_optimized_plan_beats_the_current_plan_under_the_truth(truth, demo_curves):
    n = 13
    budget = float(demo_curves.current.sum() * n)
    r = allocate(demo_curves, AllocationProblem(budget=budget, n_weeks=n))
    assert r.status in (Status.OPTIMAL, Status.FEASIBLE)
    assert r.rel_gap < 0.01
    plan = pd.DataFrame(
        r.plan.to_numpy(), columns=r.plan.columns, index=truth.run_rate_plan(n).index
    )
    true_opt = truth.media_revenue(plan)
    true_cur = truth.media_revenue(truth.run_rate_plan(n))
    assert true_opt > true_cur * 1.01
    assert r.revenue_lift.mean == pytest.approx(true_opt - true_cur, rel=1e-6)
    # the noisy "posterior" version still beats the current plan on the truth
    noisy = truth_curves(truth, n_samples=40, noise=0.15, seed=1)
    r2 = allocate(noisy, AllocationProblem(budget=budget, n_weeks=n))
    plan2 = pd.DataFrame(r2.plan.to_numpy(), columns=r2.plan.columns, index=plan.index)
    assert truth.media_revenue(plan2) > true_cur
    assert np.isfinite(r2.upper_bound)


def test_tail_weeks_count_carry_over_after_the_horizon(truth, demo_curves):
    n, tail = 13, 11
    budget = float(demo_curves.current.sum() * n)
    short = allocate(demo_curves, AllocationProblem(budget=budget, n_weeks=n))
    long = allocate(demo_curves, AllocationProblem(budget=budget, n_weeks=n, tail_weeks=tail))
    assert long.plan.shape == (n, 5)
    assert long.plan.to_numpy().sum() == pytest.approx(budget, rel=1e-6)
    # without the tail, seo (12-week adstock) is starved in the last weeks; with it, it is not
    assert short.plan["seo"].iloc[-1] < 1.0
    assert long.plan["seo"].iloc[-1] > 1_000.0
    # under the truth, counting the carry-over the long plan earns more in total
    idx = pd.RangeIndex(n + tail)

    def true_total(plan):
        padded = pd.DataFrame(
            np.vstack([plan.to_numpy(), np.zeros((tail, 5))]), columns=plan.columns, index=idx
        )
        return truth.media_revenue(padded)

    assert true_total(long.plan) > true_total(short.plan)
    assert long.revenue.mean == pytest.approx(true_total(long.plan), rel=1e-9)
