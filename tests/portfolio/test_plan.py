"""Planning invariants on stand-in fits (no sampling): budget, shop bounds, safety, capacity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from optimizer.portfolio.media import split_plan, stack_curves
from optimizer.portfolio.plan import price_problem
from optimizer.portfolio.prices import OVER, build_table, coordinate_prices, shop_response
from optimizer.portfolio.synthetic import synthetic_curves_for
from optimizer.scenario.schema import PricingSection


@pytest.fixture
def result(small_result):
    return small_result


def test_the_group_budget_is_spent_and_each_shop_stays_in_its_range(result, small_portfolio):
    total = sum(float(s.plan.media.sum()) for s in result.shops)
    assert total == pytest.approx(small_portfolio.budget, rel=1e-6)
    bounds = small_portfolio.budget_bounds()
    for s in result.shops:
        lo, hi = bounds[s.shop]
        assert lo - 1e-3 <= float(s.plan.media.sum()) <= hi + 1e-3, s.shop
        assert (s.plan.media >= -1e-9).all()


def test_the_plan_kept_is_never_worse_than_today_under_the_model(result):
    table = result.selection.set_index("candidate")
    assert "today" in table.index and table.loc["today", "lift_mean"] == 0.0
    chosen = table.loc[result.chosen]
    assert chosen["safe"] and chosen["p_loss"] <= 0.1
    assert chosen["lift_mean"] >= 0.0
    assert chosen["lift_mean"] == table[table["safe"]]["lift_mean"].max()
    delta = result.pnl_plan.lines["contribution"] - result.pnl_today.lines["contribution"]
    assert delta.mean() == pytest.approx(chosen["lift_mean"])


def test_shipments_never_exceed_the_shared_capacity(result):
    for pool in result.pools:
        for ev in result.evaluations.values():
            assert (ev.load[pool.pool] <= pool.capacity[None, :] * (1 + 1e-9)).all()
        over = pool.load > pool.capacity * (1 + OVER)
        assert tuple(np.flatnonzero(over)) == pool.overflow_weeks
        assert (pool.multipliers <= pool.penalty + 1e-9).all()


def test_the_bridge_adds_up_per_shop_and_in_total(result):
    for b in [s.bridge for s in result.shops] + [result.bridge]:
        parts = sum(line["mean"] for line in b["lines"])
        assert parts == pytest.approx(b["total"]["mean"], abs=0.02)
    shops = sum(s.bridge["total"]["mean"] for s in result.shops)
    assert shops == pytest.approx(result.bridge["total"]["mean"], abs=0.05)


def test_shops_alone_keep_their_own_budget(result, small_portfolio):
    today = small_portfolio.today_budgets()
    assert result.alone is not None
    for shop, plan in result.alone.plans.items():
        assert float(plan.media.sum()) == pytest.approx(today[shop], rel=1e-6)


def test_stacked_curves_add_the_shops_responses(small_fits):
    curves = {f.shop: f.demand.curves for f in small_fits}
    scale = {"maison": 1.0, "atelier": 0.5, "marketplace": 2.0}
    stacked = stack_curves(curves, scale)
    rng = np.random.default_rng(0)
    plan = rng.uniform(0, 5000, (4, len(stacked.curves.channels)))
    total = stacked.curves.total(plan)
    parts = split_plan(stacked, plan)
    expect = sum(scale[s] * curves[s].total(parts[s]) for s in curves)
    np.testing.assert_allclose(total, expect, rtol=1e-10)


def test_prices_share_a_tight_capacity(small_fits):
    """A warehouse 10 % below today's load: the summed expected load fits, capacity is priced."""
    pricing = PricingSection()
    tables, today_load = [], 0.0
    for f in small_fits:
        d = f.demand
        problem = price_problem(f, d, d.current_media(), pricing)
        t = build_table(f.shop, 0, problem=problem)
        today_load += t.load[np.arange(len(t.load)), t.table.ladder.current].sum(axis=0)
        tables.append(t)
    cap = 0.9 * today_load
    pool, results = coordinate_prices(tables, cap, "lyon")
    assert pool.multipliers.max() > 0
    assert (pool.multipliers <= pool.penalty + 1e-9).all()
    # below its ceiling a week's price brings the summed load within the capacity
    inside = (pool.multipliers > 0) & (pool.multipliers < 0.99 * pool.penalty)
    assert inside.any()
    assert (pool.load[inside] <= cap[inside] * (1 + 0.01)).all()
    assert pool.bound >= pool.objective - 1e-6
    assert pool.gap <= 1e-3
    assert set(results) == {f.shop for f in small_fits}
    # given the multipliers, each shop's own best prices carry no more load than it was given
    free = sum(
        t.load[np.arange(len(t.load)), shop_response(t, np.zeros(len(cap)))].sum(axis=0)
        for t in tables
    )
    assert (free >= pool.load - 1e-6).all()


def test_synthetic_curves_are_concave_around_today():
    spend = pd.DataFrame({"a": np.full(20, 1000.0), "b": np.full(20, 3000.0)})
    c = synthetic_curves_for(spend, np.random.default_rng(1), 8, ())
    m1 = c.marginal_roas(np.array([1000.0, 3000.0]))
    m2 = c.marginal_roas(np.array([2000.0, 6000.0]))
    assert (m2 < m1).all()
