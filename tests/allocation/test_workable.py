"""Workable plans: week-to-week limits, always-on minimums, no restart (issue 14, item 4)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from optimizer.allocation import AllocationProblem, ChannelRule, Status, WeekBound, allocate
from optimizer.allocation.constraints_file import load_constraints
from optimizer.allocation.polytope import OnOff, linear_rows
from optimizer.allocation.resolve import reference_levels, resolve
from optimizer.curves import ResponseCurves
from optimizer.errors import ConfigError, InfeasibleError
from tests.allocation.helpers import synthetic_curves

FAST = settings(max_examples=25, deadline=None)
RULES = {"max_week_change": 0.25, "always_on_min_share": 0.5, "no_restart": True}


def _with_history(cv: ResponseCurves, history: np.ndarray) -> ResponseCurves:
    """The same curves with another recent history (and its mean as the run-rate)."""
    return ResponseCurves(
        cv.channels,
        cv.weights,
        cv.saturation,
        cv.params,
        cv.beta,
        history,
        history.mean(axis=0),
    )


def restarts(plan: np.ndarray, last_week: np.ndarray, tol: float) -> list[tuple[int, int]]:
    """(channel, week) where a channel is switched on again after being switched off."""
    out = []
    for c in range(plan.shape[1]):
        was_on, off_after_on = bool(last_week[c] > 0), False
        for t in range(plan.shape[0]):
            on = plan[t, c] > tol
            if on and off_after_on:
                out.append((c, t))
            if not on and was_on:
                off_after_on = True
            was_on = was_on or on
    return out


@st.composite
def workable_problems(draw, concave: bool = True):
    """Synthetic curves with some flighted channels and random workable rules."""
    seed = draw(st.integers(0, 10_000))
    c_len = draw(st.integers(2, 4))
    cv = synthetic_curves(
        n_channels=c_len,
        n_samples=6,
        lags=draw(st.integers(1, 3)),
        seed=seed,
        slope=None if concave else draw(st.sampled_from([None, 1.8])),
        hetero_weights=draw(st.booleans()),
    )
    rng = np.random.default_rng(seed)
    hist = np.tile(cv.current, (6, 1)) * rng.uniform(0.7, 1.3, (6, c_len))
    for c in range(c_len):
        if draw(st.booleans()) and c > 0:  # flighted: off in some recent weeks
            hist[rng.choice(6, size=draw(st.integers(1, 4)), replace=False), c] = 0.0
    cv = _with_history(cv, hist)
    t_len = draw(st.integers(2, 6))
    budget = float(cv.current.sum()) * t_len * draw(st.floats(0.8, 1.2))
    problem = AllocationProblem(
        budget=budget,
        n_weeks=t_len,
        max_week_change=draw(st.sampled_from([0.1, 0.25, 0.5])),
        always_on_min_share=draw(st.sampled_from([None, 0.3, 0.5, 0.8])),
        no_restart=draw(st.booleans()),
        budget_mode=draw(st.sampled_from(["exact", "up_to"])),
    )
    return cv, problem


def _check_rules(cv: ResponseCurves, p: AllocationProblem, plan: np.ndarray) -> None:
    tol = 1e-6 * p.budget + 1e-6
    ref = reference_levels(cv.current, p.budget, p.n_weeks)
    step = p.max_week_change * ref
    # week-to-week changes, the first one from the run-rate
    path = np.vstack([cv.current[None, :], plan])
    assert (np.abs(np.diff(path, axis=0)) <= step[None, :] + tol).all(), "week-to-week limit"
    always_on = (cv.history[-13:] > 0).all(axis=0)
    if p.always_on_min_share is not None:
        floor = p.always_on_min_share * cv.current
        assert (plan[:, always_on] >= floor[always_on] - tol).all(), "always-on minimum"
    if p.no_restart:
        assert not restarts(plan, cv.history[-1], tol), "restart"
        share = p.always_on_min_share or 0.1
        level = np.minimum(share * ref, step)
        on = plan > tol
        assert (~on | (plan >= level[None, :] - tol)).all(), "spend below the on-level"
    if p.budget_mode == "exact":
        assert plan.sum() == pytest.approx(p.budget, rel=1e-6), "budget spent exactly"
    else:
        assert plan.sum() <= p.budget + tol


@FAST
@given(workable_problems(concave=False))
def test_workable_rules_hold_and_the_bound_is_valid(case):
    cv, p = case
    try:
        r = allocate(cv, p)
    except InfeasibleError as exc:
        # only the up-front checks may refuse (the rules are reachable from the run-rate unless
        # the budget is out of the ramp's reach)
        assert "Infeasible allocation:" in str(exc) or "No plan meets" in str(exc), str(exc)
        event("refused")
        return
    event(f"{r.status.value}, {r.solver}")
    plan = r.plan.to_numpy()
    _check_rules(cv, p, plan)
    assert r.upper_bound is not None and r.upper_bound >= r.value - 1e-9 * abs(r.value)
    exact = float(cv.total(plan).mean())
    assert r.value == pytest.approx(exact, rel=1e-9)


@FAST
@given(workable_problems(concave=True), st.integers(0, 1000))
def test_bound_beats_random_plans_that_meet_the_rules(case, seed):
    """Concave curves: no plan meeting every rule is worth more than the certified bound.

    Random plans: the run-rate plus a per-channel shift that sums to 0, kept within the
    week-to-week limit and the always-on minimum (constant over the weeks: no restart).
    """
    cv, p = case
    p = AllocationProblem(
        budget=float(cv.current.sum()) * p.n_weeks,
        n_weeks=p.n_weeks,
        max_week_change=p.max_week_change,
        always_on_min_share=p.always_on_min_share,
        no_restart=p.no_restart,
    )
    r = allocate(cv, p)
    _check_rules(cv, p, r.plan.to_numpy())
    rng = np.random.default_rng(seed)
    ref = reference_levels(cv.current, p.budget, p.n_weeks)
    share = p.always_on_min_share or 0.0
    room = np.minimum(p.max_week_change * ref, (1.0 - share) * cv.current)
    room[cv.current <= 0] = 0.0
    for _ in range(30):
        u = rng.uniform(-1, 1, len(room)) * room
        u -= u.mean()
        scale = np.max(np.abs(u) / np.where(room > 0, room, np.inf), initial=0.0)
        if scale > 1:
            u /= scale
        plan = np.tile(cv.current + u, (p.n_weeks, 1))
        _check_rules(cv, p, plan)
        assert float(cv.total(plan).mean()) <= r.upper_bound + 1e-6 * abs(r.upper_bound)


def test_run_rate_plan_is_feasible_and_never_beats_the_bound():
    cv = synthetic_curves(n_channels=3, n_samples=10, lags=3, seed=5, hetero_weights=True)
    p = AllocationProblem(budget=float(cv.current.sum()) * 8, n_weeks=8, **RULES)
    r = allocate(cv, p)
    current = np.tile(cv.current, (8, 1))
    assert float(cv.total(current).mean()) <= r.upper_bound
    assert r.value >= float(cv.total(current).mean()) - 1e-6


def test_week_change_rows_are_sparse_and_named():
    cv = synthetic_curves(n_channels=50, n_samples=2, lags=2, seed=1)
    p = AllocationProblem(budget=float(cv.current.sum()) * 52, n_weeks=52, **RULES)
    rows = linear_rows(resolve(p, cv.channels, cv.current, cv.history))
    names = [n for n in rows.names if n.startswith("week change")]
    assert len(names) == 2 * 50 * 52
    assert rows.matrix.nnz < 4 * len(names) + 10 * 52 * 50  # two entries per limit row
    assert "week change 7 3 up" in names and "week change 7 0 down" in names


def test_binding_week_change_is_explained_in_words():
    cv = synthetic_curves(n_channels=3, n_samples=4, lags=1, seed=2)
    # the budget doubles the run-rate: every channel ramps up as fast as it may
    p = AllocationProblem(budget=float(cv.current.sum()) * 6 * 1.5, n_weeks=6, **RULES)
    r = allocate(cv, p)
    text = " | ".join(r.binding)
    assert "week-to-week change limit (" in text and " binds in week" in text, text
    limit = 0.25 * cv.current[0]
    assert f"ch0: week-to-week change limit ({limit:,.0f} EUR) binds in" in text, text


def test_always_on_minimum_spares_flighted_channels_and_yields_to_explicit_rules():
    cv = synthetic_curves(n_channels=3, n_samples=4, lags=1, seed=3)
    hist = np.tile(cv.current, (13, 1))
    hist[4, 2] = 0.0  # ch2 flighted
    cv = _with_history(cv, hist)
    p = AllocationProblem(
        budget=float(cv.current.sum()) * 4,
        n_weeks=4,
        always_on_min_share=0.5,
        channels={"ch1": ChannelRule(min_weekly=10.0)},
        week_bounds=(WeekBound("ch0", 2, max=0.0),),
    )
    res = resolve(p, cv.channels, cv.current, cv.history)
    assert res.floor[0] == pytest.approx(0.5 * cv.current[0])
    assert res.lo[2, 0] == 0.0 and res.lo[1, 0] == pytest.approx(0.5 * cv.current[0])
    assert res.floor[1] == 0.0 and (res.lo[:, 1] == 10.0).all()  # min_weekly replaces it
    assert res.floor[2] == 0.0  # flighted: not forced on
    plan = allocate(cv, p).plan.to_numpy()
    assert plan[2, 0] <= 1e-6 and (np.delete(plan[:, 0], 2) >= 0.5 * cv.current[0] - 1e-6).all()


def test_unreachable_week_bound_is_refused_with_the_limit():
    cv = synthetic_curves(n_channels=2, n_samples=2, lags=1, seed=4)
    p = AllocationProblem(
        budget=float(cv.current.sum()) * 4,
        n_weeks=4,
        max_week_change=0.1,
        week_bounds=(WeekBound("ch0", 1, max=0.0),),
    )
    with pytest.raises(InfeasibleError, match="channel 'ch0' week 1: .*week-to-week change limit"):
        allocate(cv, p)


def test_no_restart_keeps_a_flighted_channel_off_once_off():
    # one lag, zero-value middle weeks: without the rule the flighted channel pauses there and
    # comes back; with it, it does not come back
    cv = synthetic_curves(n_channels=2, n_samples=4, lags=1, seed=6)
    hist = np.tile(cv.current, (13, 1))
    hist[3, 1] = 0.0
    cv = _with_history(cv, hist)
    weights = (1.0, 0.0, 0.0, 1.0, 1.0)
    base = {
        "budget": float(cv.current.sum()) * 5,
        "n_weeks": 5,
        "week_weights": weights,
        "objective": "margin",
        "margin_rate": 0.5,
        "budget_mode": "up_to",
    }
    free = allocate(cv, AllocationProblem(**base)).plan.to_numpy()
    assert restarts(free, cv.history[-1], 1e-6)  # the case does restart without the rule
    r = allocate(cv, AllocationProblem(**base, no_restart=True))
    plan = r.plan.to_numpy()
    assert not restarts(plan, cv.history[-1], 1e-6)
    assert r.upper_bound >= r.value
    # per channel: allowed to restart
    loose = AllocationProblem(
        **base, no_restart=True, channels={"ch1": ChannelRule(no_restart=False)}
    )
    assert restarts(allocate(cv, loose).plan.to_numpy(), cv.history[-1], 1e-6)


def test_onoff_violation_measures_between_and_restarts():
    oo = OnOff(
        channels=np.array([0]),
        level=np.full((4, 1), 100.0),
        was_on=np.array([True]),
        n_plan=4,
        n_channels=1,
    )
    assert oo.violation(np.array([200.0, 150.0, 0.0, 0.0])) == 0.0
    assert oo.violation(np.array([200.0, 0.0, 0.0, 300.0])) == 300.0  # restart in week 3
    assert oo.violation(np.array([200.0, 40.0, 0.0, 0.0])) == pytest.approx(60.0)  # below level
    assert oo.restarts(np.array([200.0, 0.0, 120.0, 0.0])) == [(0, 2)]
    off_before = OnOff(np.array([0]), np.full((3, 1), 1.0), np.array([False]), 3, 1)
    assert off_before.violation(np.array([0.0, 5.0, 5.0])) == 0.0  # switched on once
    assert off_before.violation(np.array([5.0, 0.0, 5.0])) == 5.0


def test_demo_store_plan_with_week_weights_is_not_bang_bang(truth, demo_curves):
    """Capacity-weighted weeks (as the Black Friday scenario passes them) used to give plans
    switching channels to 0 EUR and back; with the workable rules they move in steps."""
    weights = (1.0, 0.35, 1.0, 0.6, 0.2, 1.0)
    p = AllocationProblem(
        budget=float(demo_curves.current.sum()) * 6,
        n_weeks=6,
        week_weights=weights,
        objective="contribution",
        margin_rate=0.45,
        variable_cost_rate=0.1,
        **RULES,
    )
    plan = allocate(demo_curves, p).plan.to_numpy()
    _check_rules(demo_curves, p, plan)
    assert (plan > 0).all()
    free = AllocationProblem(
        budget=p.budget,
        n_weeks=6,
        week_weights=weights,
        objective="contribution",
        margin_rate=0.45,
        variable_cost_rate=0.1,
    )
    bang = allocate(demo_curves, free).plan.to_numpy()
    assert (bang <= 1e-6).any()  # without the rules some channel is switched off and on
    step = np.abs(np.diff(np.vstack([demo_curves.current, plan]), axis=0)).max(axis=0)
    assert (step <= 0.25 * demo_curves.current + 1e-6).all()


def test_constraints_file_reads_the_rules_with_key_paths(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(
        "max_week_change = 0.25\nalways_on_min_share = 0.5\nno_restart = true\n"
        "[channels.ch0]\nmax_week_change = 0.1\nno_restart = false\n"
    )
    kw = load_constraints(path, ("ch0", "ch1"))
    assert kw["max_week_change"] == 0.25 and kw["always_on_min_share"] == 0.5
    assert kw["no_restart"] is True
    assert kw["channels"]["ch0"] == ChannelRule(max_week_change=0.1, no_restart=False)
    for text, key in (
        ("max_week_change = -0.1\n", "max_week_change"),
        ("always_on_min_share = 1.5\n", "always_on_min_share"),
        ('no_restart = "yes"\n', "no_restart"),
        ("[channels.ch1]\nmax_week_change = -1\n", "[channels.ch1].max_week_change"),
        ("[channels.ch1]\nno_restrat = true\n", "Did you mean 'no_restart'"),
    ):
        path.write_text(text)
        with pytest.raises(ConfigError, match=re.escape(key)):
            load_constraints(path, ("ch0", "ch1"))


def test_problem_validates_the_rules():
    with pytest.raises(ConfigError, match="max_week_change"):
        AllocationProblem(budget=1.0, n_weeks=2, max_week_change=-0.5)
    with pytest.raises(ConfigError, match="always_on_min_share"):
        AllocationProblem(budget=1.0, n_weeks=2, always_on_min_share=0.0)
    with pytest.raises(ConfigError, match="max_week_change"):
        ChannelRule(max_week_change=float("nan"))


def test_defaults_change_nothing(demo_curves):
    p = AllocationProblem(budget=float(demo_curves.current.sum()) * 4, n_weeks=4)
    res = resolve(p, demo_curves.channels, demo_curves.current, demo_curves.history)
    assert np.isinf(res.week_change).all() and (res.floor == 0).all() and not res.no_restart.any()
    rows = linear_rows(res)
    assert rows.onoff is None and not any(n.startswith("week change") for n in rows.names)
    assert allocate(demo_curves, p).status is Status.OPTIMAL


def test_the_cli_and_scenario_default_is_workable_and_false_switches_a_rule_off(tmp_path):
    from optimizer.allocation.constraints_file import WORKABLE_DEFAULTS, default_constraints

    kw = default_constraints(("ch0", "ch1"))
    assert {k: kw[k] for k in WORKABLE_DEFAULTS} == RULES
    path = tmp_path / "rules.toml"
    path.write_text("max_week_change = false\nalways_on_min_share = false\nno_restart = false\n")
    kw = load_constraints(path, ("ch0", "ch1"))
    assert kw["max_week_change"] is None and kw["always_on_min_share"] is None
    assert kw["no_restart"] is False
    for text in ("max_week_change = 0\n", "max_week_change = true\n"):
        path.write_text(text)
        with pytest.raises(ConfigError, match="false to switch the rule off"):
            load_constraints(path, ("ch0", "ch1"))
