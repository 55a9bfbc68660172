"""capacity_mode="ration": soft weekly capacity with an overflow penalty."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.errors import ConfigError, InfeasibleError
from optimizer.pricing import (
    Method,
    Objective,
    PriceRules,
    evaluate_prices,
    optimize_prices,
)
from optimizer.pricing.config import RulesFile
from optimizer.pricing.evaluate import unit_economics
from optimizer.pricing.lagrangian import solve_lagrangian
from optimizer.pricing.lagrangian_primal import penalized_value
from optimizer.pricing.milp import solve_milp
from optimizer.pricing.rationing import default_overflow_penalty
from tests.pricing.test_optimize import _check_result, _problem

_RULES = st.builds(
    PriceRules,
    max_change=st.just(0.2),
    n_points=st.just(6),
    max_changes=st.one_of(st.none(), st.integers(1, 6)),
    margin_floor=st.sampled_from([0.0, 0.2]),
)


def _check_ration(problem, res):
    """Shipped load within capacity, unit identities, multipliers boxed, exact objective."""
    p = res.prices
    f = problem.catalog.frame
    cap = problem.capacity
    assert res.capacity_mode == "ration"
    assert (res.load <= cap * (1 + 1e-9)).all()
    assert (res.overflow >= 0).all()
    np.testing.assert_allclose(res.load + res.overflow, res.demand_load, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(
        p["expected_units"] + p["lost_units"] + p["rationed_units"],
        p["expected_demand"],
        rtol=1e-9,
        atol=1e-9,
    )
    assert (p["rationed_units"] >= -1e-9).all()
    assert res.rationed_units == pytest.approx(p["rationed_units"].sum())
    assert (p["expected_units"] <= f["stock"] + 1e-6).all()
    # multipliers of soft rows never exceed the penalty of their week
    for name, value in res.multipliers.items():
        if name.startswith("capacity_week_"):
            t = int(name.rsplit("_", 1)[1]) - 1
            assert 0 <= value <= res.overflow_penalty[t] * (1 + 1e-9) + 1e-12
    # the objective is the penalized model: value of what is served from stock minus penalty
    rev_u, mar_u = unit_economics(
        problem.catalog,
        p["new_price_incl_vat"].to_numpy(float),
        logistics_cost=problem.logistics_cost,
        net_of_returns=problem.net_of_returns,
    )
    per_unit = mar_u if problem.objective is Objective.MARGIN else rev_u
    served = (p["expected_units"] + p["rationed_units"]).to_numpy(float)
    expected = served @ per_unit - res.overflow @ res.overflow_penalty
    assert res.objective_value == pytest.approx(expected, rel=1e-9, abs=1e-6)
    assert res.bound >= res.objective_value - 1e-6 * abs(res.objective_value)
    shipped_margin = p["margin"].sum()
    assert shipped_margin == pytest.approx(p["expected_units"].to_numpy(float) @ mar_u)


@given(
    seed=st.integers(0, 5000),
    cap_share=st.floats(0.01, 1.5),
    rules=_RULES,
    objective=st.sampled_from(list(Objective)),
)
def test_ration_never_raises_for_capacity_and_ships_within_capacity(
    seed, cap_share, rules, objective
):
    prob = _problem(seed, cap_share=cap_share, rules=rules, objective=objective)
    try:
        res = optimize_prices(prob.with_(capacity_mode="ration"))
    except InfeasibleError as exc:  # only rule conflicts, never capacity
        assert "capacity:" not in str(exc) and "capacity/" not in str(exc)
        return
    _check_ration(prob.with_(capacity_mode="ration"), res)


@settings(max_examples=15)
@given(seed=st.integers(0, 5000), cap_share=st.floats(0.55, 1.1), rules=_RULES)
def test_ration_is_never_worse_than_hard_and_equals_it_with_a_huge_penalty(seed, cap_share, rules):
    prob = _problem(seed, n=8, cap_share=cap_share, rules=rules, method=Method.MILP)
    try:
        hard = optimize_prices(prob)
    except InfeasibleError:
        return
    ration = optimize_prices(prob.with_(capacity_mode="ration"))
    # the hard optimum is a ration-mode choice with no overflow, worth the same
    assert ration.objective_value >= hard.objective_value - ration.gap * abs(ration.bound) - 1e-6
    assert ration.bound >= hard.objective_value * (1 - 1e-6)
    # a penalty far above any unit margin makes overflow never worth it: same optimum
    huge = np.full(prob.n_weeks, 1e5)
    strict = optimize_prices(prob.with_(capacity_mode="ration", overflow_penalty=huge))
    _check_ration(prob.with_(capacity_mode="ration", overflow_penalty=huge), strict)
    assert strict.overflow.sum() <= 1e-6 * prob.capacity.sum()
    assert strict.objective_value == pytest.approx(hard.objective_value, rel=1e-5, abs=1e-3)


@settings(max_examples=15)
@given(seed=st.integers(0, 5000), cap_share=st.floats(0.3, 1.0), rules=_RULES)
def test_ration_milp_and_lagrangian_agree_within_gap(seed, cap_share, rules):
    prob = _problem(seed, n=10, cap_share=cap_share, rules=rules, capacity_mode="ration")
    try:
        fast = optimize_prices(prob.with_(method=Method.LAGRANGIAN))
    except InfeasibleError:
        return
    exact = optimize_prices(prob.with_(method=Method.MILP))
    _check_ration(prob, fast)
    _check_ration(prob, exact)
    assert exact.objective_value <= fast.bound * (1 + 1e-6) + 1e-6
    assert fast.objective_value >= exact.objective_value - fast.gap * abs(fast.bound) - 1e-6
    assert exact.objective_value >= fast.objective_value * (1 - 1e-6) - 1e-6


def test_hard_mode_raises_where_ration_rations():
    prob = _problem(3, n=30, cap_share=0.3)
    with pytest.raises(InfeasibleError, match=r"capacity.*week 1"):
        optimize_prices(prob)
    res = optimize_prices(prob.with_(capacity_mode="ration"))
    _check_ration(prob.with_(capacity_mode="ration"), res)
    over = res.overflow > 0
    assert over.any() and res.rationed_units > 0
    np.testing.assert_allclose(res.load[over], prob.capacity[over], rtol=1e-9)
    assert res.totals()["peak_capacity_use"] <= 1 + 1e-9
    assert res.summary()["weekly"]["overflow"] == pytest.approx(list(res.overflow))


def test_default_penalty_is_the_exact_loss_of_proportional_rationing_at_current_prices():
    prob = _problem(11, n=20, cap_share=0.6, capacity_mode="ration", logistics_cost=1.5)
    f = prob.catalog.frame.copy()
    f["stock"] = 1e9  # stock never binds, so rationed units do not move sales to later weeks
    cat = type(prob.catalog)(frame=f, source="x")
    prob = prob.with_(catalog=cat)
    pen = default_overflow_penalty(prob)
    p0 = f["price_incl_vat"]
    weekly = prob.elasticities.weekly_units(f.index, p0.to_numpy()[:, None], None)
    demand = weekly * prob.multiplier[None, :]
    free = evaluate_prices(cat, p0, demand, logistics_cost=1.5)
    rationed = evaluate_prices(cat, p0, demand, logistics_cost=1.5, capacity=prob.capacity)
    overflow = np.clip(free.load - prob.capacity, 0, None)
    assert overflow.sum() > 0
    assert free.margin - rationed.margin == pytest.approx(pen @ overflow, rel=1e-9)
    assert (rationed.load <= prob.capacity * (1 + 1e-12)).all()
    assert rationed.frame["rationed_units"].sum() > 0


def test_penalty_validation_and_rules_file():
    prob = _problem(1)
    with pytest.raises(ConfigError, match="capacity_mode"):
        prob.with_(capacity_mode="soft")
    with pytest.raises(ConfigError, match="overflow_penalty"):
        prob.with_(capacity_mode="ration", overflow_penalty=np.ones(prob.n_weeks + 1))
    with pytest.raises(ConfigError, match="only used with capacity_mode='ration'"):
        prob.with_(overflow_penalty=np.ones(prob.n_weeks))
    assert RulesFile.model_validate({}).capacity_mode == "hard"
    assert RulesFile.model_validate({"capacity_mode": "ration"}).capacity_mode == "ration"
    with pytest.raises(ValueError):
        RulesFile.model_validate({"capacity_mode": "soft"})


def test_hard_mode_result_has_no_overflow():
    prob = _problem(6, n=30, cap_share=0.8, rules=PriceRules(max_change=0.3))
    res = optimize_prices(prob)
    _check_result(prob, res)
    assert res.capacity_mode == "hard" and res.overflow_penalty is None
    assert (res.overflow == 0).all() and res.rationed_units == 0
    assert (res.prices["rationed_units"] == 0).all()


def test_soft_lagrangian_matches_brute_force_on_small_knapsacks():
    rng = np.random.default_rng(1)
    for _ in range(30):
        n, k, m = 5, 3, int(rng.integers(1, 4))
        v = rng.uniform(0, 10, (n, k))
        w = rng.uniform(0, 5, (n, k, m))
        b = w.min(axis=1).sum(axis=0) + rng.uniform(-2, 6, m)  # some rows cannot be met
        b = np.maximum(b, 0.5)
        pen = rng.uniform(0.2, 5, m)
        if m == 3:
            pen[2] = np.inf  # one hard row
            b[2] = w[:, :, 2].min(axis=1).sum() + 3.0
        combos = np.array(list(itertools.product(range(k), repeat=n)))
        ar = np.arange(n)
        load = w[ar, combos].sum(axis=1)  # (k**n, m)
        soft = np.isfinite(pen)
        ok = (load[:, ~soft] <= b[~soft] + 1e-12).all(axis=1)
        obj = v[ar, combos].sum(axis=1) - np.maximum(load[:, soft] - b[soft], 0) @ pen[soft]
        best = obj[ok].max()
        sol = solve_lagrangian(v, w, b, tol=1e-9, max_iter=300, penalty=pen)
        assert sol.bound >= best - 1e-9
        assert sol.choice is not None
        assert sol.primal == pytest.approx(penalized_value(v, w, b, pen, sol.choice))
        assert sol.primal <= best + 1e-9
        assert (sol.multipliers <= pen * (1 + 1e-9) + 1e-12).all()
        assert (sol.multipliers >= 0).all()
        ms = solve_milp(v, w, b, penalty=pen)
        assert ms.objective == pytest.approx(best, abs=1e-6)


def test_hard_rows_are_soft_rows_with_an_infinite_penalty():
    rng = np.random.default_rng(7)
    for m in (0, 1, 3):
        w = rng.uniform(0, 5, (12, 4, m))
        v = rng.uniform(0, 10, (12, 4)) + 2 * w.sum(axis=-1)  # heavy options pay: rows bind
        b = w[:, 0].sum(axis=0) + 6.0  # option 0 of every SKU fits: feasible
        hard = solve_lagrangian(v, w, b, tol=1e-6)
        assert hard.choice is not None
        assert m == 0 or hard.iterations > 1  # bisection (one row), subgradient (three)
        inf = solve_lagrangian(v, w, b, tol=1e-6, penalty=np.full(m, np.inf))
        assert np.array_equal(hard.choice, inf.choice)
        assert (hard.primal, hard.bound, hard.iterations) == (inf.primal, inf.bound, inf.iterations)
        assert np.array_equal(hard.multipliers, inf.multipliers)
        assert hard.primal == penalized_value(v, w, b, np.full(m, np.inf), hard.choice)
