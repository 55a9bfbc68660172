"""Channel groups: bounds on the summed spend of several channels (a shop of a group)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from optimizer.allocation import AllocationProblem, ChannelGroup, ChannelRule, allocate
from optimizer.allocation.constraints_file import default_constraints
from optimizer.allocation.safe import SafeRule, safe_allocate
from optimizer.curves import synthetic_curves
from optimizer.errors import ConfigError, InfeasibleError

WEEKS = 6


def _problem(curves, groups, **kw):
    budget = float(curves.current.sum()) * WEEKS
    return AllocationProblem(
        budget=budget, n_weeks=WEEKS, objective="revenue", channel_groups=groups, **kw
    )


@given(lo=st.floats(0.0, 0.45), hi=st.floats(0.5, 1.0), seed=st.integers(0, 5))
def test_group_bounds_hold_and_the_budget_is_spent(lo, hi, seed):
    curves = synthetic_curves(4, 12, seed=seed)
    total = float(curves.current.sum()) * WEEKS
    groups = (ChannelGroup("a", ("ch0", "ch1"), min_total=lo * total, max_total=hi * total),)
    res = allocate(curves, _problem(curves, groups))
    plan = res.plan.to_numpy()
    tol = 1e-6 * total + 1e-3
    assert abs(plan.sum() - total) <= tol
    assert lo * total - tol <= plan[:, :2].sum() <= hi * total + tol


def test_a_binding_group_is_named_and_lowers_the_value():
    curves = synthetic_curves(4, 12, seed=1)
    free = allocate(curves, _problem(curves, ()))
    share = float(free.plan.to_numpy()[:, :2].sum()) * 0.7
    res = allocate(curves, _problem(curves, (ChannelGroup("shop a", ("ch0", "ch1"), None, share),)))
    assert res.plan.to_numpy()[:, :2].sum() <= share + 1e-3
    assert any("group 'shop a' at its maximum" in b for b in res.binding)
    assert res.value <= free.value * (1 + 1e-6) + 1e-6


def test_groups_with_the_workable_rules_and_the_safe_planner():
    curves = synthetic_curves(4, 40, seed=2, hetero_weights=True)
    total = float(curves.current.sum()) * WEEKS
    today_a = float(curves.current[:2].sum()) * WEEKS
    groups = (
        ChannelGroup("a", ("ch0", "ch1"), today_a * 0.9, today_a * 1.1),
        ChannelGroup("b", ("ch2", "ch3")),
    )
    problem = AllocationProblem(
        budget=total,
        n_weeks=WEEKS,
        objective="contribution",
        margin_rate=0.5,
        channel_groups=groups,
        **default_constraints(curves.channels),
    )
    safe = safe_allocate(curves, problem, rule=SafeRule(seed=3))
    plan = safe.plan.to_numpy()
    assert today_a * 0.9 - 1e-3 <= plan[:, :2].sum() <= today_a * 1.1 + 1e-3
    assert safe.promise.mean >= 0.0  # today's plan is a candidate: never worse on average


def test_conflicting_groups_are_explained():
    curves = synthetic_curves(3, 8, seed=0)
    total = float(curves.current.sum()) * WEEKS
    over = (ChannelGroup("a", ("ch0",), 0.7 * total), ChannelGroup("b", ("ch1",), 0.6 * total))
    with pytest.raises(InfeasibleError, match="group minimums sum to"):
        allocate(curves, _problem(curves, over))
    short = (
        ChannelGroup("a", ("ch0", "ch1"), None, 0.1 * total),
        ChannelGroup("b", ("ch2",), None, 0.1 * total),
    )
    with pytest.raises(InfeasibleError, match="group maximums allow at most"):
        allocate(curves, _problem(curves, short))
    tight = (ChannelGroup("a", ("ch0", "ch1"), None, 0.2 * total),)
    rules = {"ch0": ChannelRule(min_total=0.5 * total)}
    with pytest.raises(InfeasibleError, match="group 'a': its channels' minimums"):
        allocate(curves, _problem(curves, tight, channels=rules))


def test_bad_groups_are_refused():
    curves = synthetic_curves(2, 4, seed=0)
    with pytest.raises(ConfigError, match="unknown channel 'chx'"):
        allocate(curves, _problem(curves, (ChannelGroup("a", ("chx",)),)))
    with pytest.raises(ConfigError, match="at least one channel"):
        ChannelGroup("a", ())
    with pytest.raises(ConfigError, match="above max_total"):
        ChannelGroup("a", ("ch0",), 10.0, 5.0)
    with pytest.raises(ConfigError, match="distinct names"):
        _problem(curves, (ChannelGroup("a", ("ch0",)), ChannelGroup("a", ("ch1",))))


def test_overlapping_groups_both_hold():
    curves = synthetic_curves(3, 8, seed=4)
    total = float(curves.current.sum()) * WEEKS
    groups = (
        ChannelGroup("ab", ("ch0", "ch1"), max_total=0.5 * total),
        ChannelGroup("bc", ("ch1", "ch2"), max_total=0.7 * total),
    )
    plan = allocate(curves, _problem(curves, groups)).plan.to_numpy()
    assert plan[:, :2].sum() <= 0.5 * total + 1e-3
    assert plan[:, 1:].sum() <= 0.7 * total + 1e-3
    assert np.isclose(plan.sum(), total)
