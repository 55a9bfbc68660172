"""The frontier is the same whether its budgets are solved in turn or side by side."""

from __future__ import annotations

import pandas as pd

from optimizer.allocation import AllocationProblem, ChannelRule
from optimizer.allocation.frontier import frontier
from tests.allocation.helpers import synthetic_curves


def test_side_by_side_frontier_equals_the_one_solved_in_turn() -> None:
    cv = synthetic_curves(n_channels=3, n_samples=4, slope=1.0, seed=3)
    p = AllocationProblem(
        budget=float(cv.current.sum()) * 4,  # the run-rate budget over the 4 weeks
        n_weeks=4,
        channels={c: ChannelRule(min_change=-0.3, max_change=0.3) for c in cv.channels},
    )
    # 0.2 x the budget is below what the channel rules allow: an infeasible row with its reason
    mults = (0.2, 0.8, 1.0, 1.2)
    t1, r1 = frontier(cv, p, mults, workers=1)
    t2, r2 = frontier(cv, p, mults, workers=2)
    pd.testing.assert_frame_equal(t1, t2)
    assert sorted(r1) == sorted(r2) == [0.8, 1.0, 1.2]
    for m in r1:
        pd.testing.assert_frame_equal(r1[m].plan, r2[m].plan)
    assert t1.loc[t1["multiplier"] == 0.2, "status"].item() == "infeasible"
    assert t1.loc[t1["multiplier"] == 0.2, "message"].item()
