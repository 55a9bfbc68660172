"""Fuzzing the solvers: random rule combinations, results always within their constraints.

The properties in ``tests/allocation/test_properties.py`` and ``tests/pricing`` cover budget,
min/max totals, max weekly spend, a 0.2 max change, the default endings and margin floors of 0 and
0.2 with stock-outs allowed. These add the combinations they leave out:

* allocation: weekly minimums, +/- change vs the run-rate, fixed channels, per-week bounds,
  weekly and monthly caps, channel and overall minimum ROAS, maximum CPA, week weights, tail
  weeks, CVaR and quantile risk, with a *planted* feasible plan (the solver must not call the
  problem infeasible, and its certified bound must not fall below the planted plan's value);
  and deliberately conflicting rules (``InfeasibleError`` naming the rule, channel, week or month);
* pricing: random catalogs (zero stock, cost equal to the price excl. VAT, min/max prices),
  random ladders (any endings or none, any max change, 2-12 points), margin floors up to 60 %,
  minimum advertised prices, ``allow_stockout = false``, ``max_changes = 0``, logistics cost,
  returns, every method and both capacity modes: chosen prices lie on the ladder and respect
  every rule, stock and capacity, or ``InfeasibleError`` names what binds; when the current
  price list is feasible the optimizer never raises and never does worse than it.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from optimizer.allocation import AllocationProblem, ChannelRule, allocate
from optimizer.allocation.evaluate import risk_value
from optimizer.allocation.problem import Risk, WeekBound
from optimizer.data.catalog import FRENCH_VAT_RATES, Catalog
from optimizer.errors import InfeasibleError
from optimizer.pricing import (
    Elasticities,
    Method,
    Objective,
    PriceRules,
    PricingProblem,
    build_ladder,
    optimize_prices,
)
from optimizer.pricing.evaluate import sell_through, unit_economics
from tests.allocation.helpers import synthetic_curves
from tests.fuzz.strategies import CHANNEL_RULE_KEYS, fuzz_settings
from tests.pricing.test_rules import check_ladder_rules

_finite = {"allow_nan": False, "allow_infinity": False}

# --------------------------------------------------------------------------------------------
# allocation


def _value(curves, problem: AllocationProblem, plan: np.ndarray) -> float:
    """The objective of a plan as the solver defines it (horizon rows then tail rows)."""
    a, b = problem.value_coefficients
    full = np.vstack([plan, np.zeros((problem.tail_weeks, plan.shape[1]))])
    return risk_value(
        a * curves.total(full, problem.weights_for(full.shape[0])) - b * full.sum(), problem.risk
    )


def _mean_revenue(curves, plan: np.ndarray, tail: int) -> np.ndarray:
    """Posterior-mean incremental revenue per channel over horizon + tail (ROAS rules)."""
    full = np.vstack([plan, np.zeros((tail, plan.shape[1]))])
    return curves.weekly(full).mean(axis=0).sum(axis=0)


@st.composite
def planted_allocations(draw):
    """A random problem built around a plan that meets every rule (so it is feasible)."""
    c_len = draw(st.integers(2, 4))
    t_len = draw(st.integers(2, 6))
    concave = draw(st.booleans())
    curves = synthetic_curves(
        n_channels=c_len,
        n_samples=draw(st.integers(2, 8)),
        lags=draw(st.integers(1, 3)),
        seed=draw(st.integers(0, 10_000)),
        slope=None if concave else 1.8,
        hetero_weights=draw(st.booleans()),
    )
    names = curves.channels
    # the planted plan: per channel a share of the run-rate, some channels flat or empty
    plan = np.zeros((t_len, c_len))
    for c in range(c_len):
        shape = draw(st.sampled_from(["random", "flat", "zero"]))
        scale = curves.current[c] * draw(st.floats(0.1, 3.0))
        if shape == "random":
            # in steps of 5 %: no sub-cent spend whose ROAS only round-off decides
            steps = draw(st.lists(st.integers(0, 20), min_size=t_len, max_size=t_len))
            plan[:, c] = scale * np.asarray(steps) / 20
        elif shape == "flat":
            plan[:, c] = scale
    if plan.sum() <= 0:
        plan[:, 0] = curves.current[0]
    tail = draw(st.integers(0, 2))
    slack = st.sampled_from([0.0, 0.01]) | st.floats(0.0, 0.5)
    rules: dict[str, ChannelRule] = {}
    rev = _mean_revenue(curves, plan, tail)
    kinds_used: set[str] = set()
    for c, name in enumerate(names):
        col, tot = plan[:, c], plan[:, c].sum()
        base = curves.current[c] * t_len
        kinds = draw(
            st.lists(
                st.sampled_from(CHANNEL_RULE_KEYS),
                unique=True,
                max_size=4,
            )
        )
        kw: dict[str, float] = {}
        for k in kinds:
            s = draw(slack)
            if k == "min_total":
                kw[k] = tot * (1 - s)
            elif k == "max_total":
                kw[k] = tot * (1 + s)
            elif k == "min_weekly":
                kw[k] = col.min() * (1 - s)
            elif k == "max_weekly":
                kw[k] = col.max() * (1 + s)
            elif k == "min_change":
                kw[k] = tot / base * (1 - s) - 1.0
            elif k == "max_change":
                kw[k] = tot / base * (1 + s) - 1.0
            elif k == "fixed" and np.ptp(col) == 0:
                kw[k] = tot
            elif k == "min_roas" and tot > 1.0 and rev[c] > 0:
                kw[k] = rev[c] / tot * draw(st.floats(0.5, 0.95))
        kinds_used |= set(kw)
        if kw:
            rules[name] = ChannelRule(**kw)
    week_bounds = []
    for _ in range(draw(st.integers(0, 3))):
        t, c = draw(st.integers(0, t_len - 1)), draw(st.integers(0, c_len - 1))
        week_bounds.append(
            WeekBound(
                names[c], t, min=plan[t, c] * (1 - draw(slack)), max=plan[t, c] * (1 + draw(slack))
            )
        )
    kw_p: dict = {}
    if draw(st.booleans()):
        kw_p["weekly_cap"] = plan.sum(axis=1).max() * (1 + draw(slack)) + 1e-6
    if draw(st.booleans()):
        start = date(2026, 1, 5) + timedelta(weeks=draw(st.integers(0, 60)))
        kw_p["start"] = start
        sums: dict[str, float] = {}
        for t in range(t_len):
            d = start + timedelta(weeks=t)
            key = f"{d.year:04d}-{d.month:02d}"
            sums[key] = sums.get(key, 0.0) + plan[t].sum()
        kw_p["monthly_caps"] = {
            k: v * (1 + draw(slack)) + 1e-6 for k, v in sums.items() if draw(st.booleans())
        }
    total_rev, total_spend = rev.sum(), plan.sum()
    overall = draw(st.sampled_from(["none", "min_roas", "max_cpa"]))
    if overall != "none" and total_rev > 0:
        rho = total_rev / total_spend * draw(st.floats(0.5, 0.95))
        if overall == "min_roas":
            kw_p["min_roas"] = rho
        else:
            opr = draw(st.floats(1e-3, 0.05))
            kw_p["orders_per_revenue"], kw_p["max_cpa"] = opr, 1.0 / (opr * rho)
    # workable-plan rules the planted plan meets (history: the run-rate every week, so every
    # channel counts as always on)
    ref = np.where(curves.current > 0, curves.current, curves.current[curves.current > 0].mean())
    if draw(st.booleans()):
        path = np.vstack([curves.current[None, :], plan])
        steps = np.abs(np.diff(path, axis=0)).max(axis=0) / ref
        kw_p["max_week_change"] = float(steps.max()) * (1 + draw(slack)) + 1e-9
    if draw(st.booleans()):
        share = float((plan / curves.current[None, :]).min())
        if share > 0:
            kw_p["always_on_min_share"] = min(share * (1 - draw(slack)), 1.0)
    mode = draw(st.sampled_from(["exact", "up_to"]))
    budget = total_spend if mode == "exact" else total_spend * (1 + draw(slack))
    objective = draw(st.sampled_from(["revenue", "margin", "contribution"]))
    margin = 1.0 if objective == "revenue" else draw(st.floats(0.2, 0.9))
    risk = draw(st.sampled_from([Risk(), Risk("cvar", 0.25), Risk("quantile", 0.25)]))
    weights = (
        tuple(draw(st.lists(st.floats(0.0, 1.0), min_size=t_len, max_size=t_len)))
        if draw(st.booleans())
        else None
    )
    problem = AllocationProblem(
        budget=budget,
        n_weeks=t_len,
        budget_mode=mode,
        channels=rules,
        week_bounds=tuple(week_bounds),
        objective=objective,
        margin_rate=margin,
        variable_cost_rate=margin * 0.3 if objective == "contribution" else 0.0,
        risk=risk,
        tail_weeks=tail,
        week_weights=weights,
        **kw_p,
    )
    roas = "min_roas" in kinds_used or overall != "none"
    return curves, problem, plan, concave, roas


def _check_plan(curves, p: AllocationProblem, plan: np.ndarray) -> None:
    """Every rule of ``p`` holds for ``plan`` (horizon weeks x channels, EUR)."""
    tol = 1e-6 * max(p.budget, 1.0) + 1e-6
    t_len = p.n_weeks
    assert plan.shape == (t_len, len(curves.channels))
    assert (plan >= -tol).all(), "negative spend"
    if p.budget_mode == "exact":
        assert plan.sum() == pytest.approx(p.budget, rel=1e-6, abs=1e-6), "budget spent exactly"
    else:
        assert plan.sum() <= p.budget + tol, "budget"
    for c, name in enumerate(curves.channels):
        r = p.channels.get(name)
        col, tot = plan[:, c], plan[:, c].sum()
        base = curves.current[c] * t_len
        if r is None:
            continue
        if r.min_total is not None:
            assert tot >= r.min_total - tol, f"{name} min_total"
        if r.max_total is not None:
            assert tot <= r.max_total + tol, f"{name} max_total"
        if r.min_weekly is not None:
            assert (col >= r.min_weekly - tol).all(), f"{name} min_weekly"
        if r.max_weekly is not None:
            assert (col <= r.max_weekly + tol).all(), f"{name} max_weekly"
        if r.min_change is not None:
            assert tot >= base * (1 + r.min_change) - tol, f"{name} min_change"
        if r.max_change is not None:
            assert tot <= base * (1 + r.max_change) + tol, f"{name} max_change"
        if r.fixed is not None:
            assert tot == pytest.approx(r.fixed, rel=1e-6, abs=tol), f"{name} fixed"
    for wb in p.week_bounds:
        c = curves.channels.index(wb.channel)
        assert wb.min - tol <= plan[wb.week, c] <= wb.max + tol, f"week bound {wb}"
    if p.weekly_cap is not None:
        assert (plan.sum(axis=1) <= p.weekly_cap + tol).all(), "weekly cap"
    for month, cap in p.monthly_caps.items():
        weeks = [
            t for t, d in enumerate(p.week_starts() or []) if f"{d.year:04d}-{d.month:02d}" == month
        ]
        assert plan[weeks].sum() <= cap + tol, f"monthly cap {month}"
    rev = _mean_revenue(curves, plan, p.tail_weeks)
    for c, name in enumerate(curves.channels):
        r = p.channels.get(name)
        if r is not None and r.min_roas is not None:
            assert rev[c] >= r.min_roas * plan[:, c].sum() - tol, f"{name} min_roas"
    if p.min_roas is not None:
        assert rev.sum() >= p.min_roas * plan.sum() - tol, "overall min_roas"
    if p.max_cpa is not None and p.orders_per_revenue:
        assert plan.sum() <= p.max_cpa * rev.sum() * p.orders_per_revenue + tol, "max_cpa"
    fixed = {n for n, r in p.channels.items() if r.fixed is not None}
    ref = np.where(curves.current > 0, curves.current, curves.current[curves.current > 0].mean())
    if p.max_week_change is not None:
        path = np.vstack([curves.current[None, :], plan])
        step = np.abs(np.diff(path, axis=0))
        for c, name in enumerate(curves.channels):
            if name not in fixed:
                assert (step[:, c] <= p.max_week_change * ref[c] + tol).all(), "week change"
    if p.always_on_min_share is not None:
        for c, name in enumerate(curves.channels):
            r = p.channels.get(name)
            if name in fixed or (r is not None and r.min_weekly is not None):
                continue
            own = [wb for wb in p.week_bounds if wb.channel == name]
            floor = p.always_on_min_share * curves.current[c]
            if r is not None and r.max_weekly is not None:
                floor = min(floor, r.max_weekly)
            highs = [] if r is None else [r.max_total] if r.max_total is not None else []
            if r is not None and r.max_change is not None:
                highs.append(curves.current[c] * t_len * (1 + r.max_change))
            if highs:
                floor = min(floor, min(highs) / t_len)  # an explicit maximum wins
            for t in range(t_len):
                cap = min([floor, *(wb.max for wb in own if wb.week == t)])
                assert plan[t, c] >= cap - tol, "always-on minimum"


@fuzz_settings(40)
@given(case=planted_allocations())
def test_allocation_with_a_planted_plan_is_solved_within_every_rule(case):
    """A feasible rule combination is never called infeasible; the plan meets every rule;
    the certified bound is at least the planted plan's value."""
    curves, problem, planted, concave, roas = case
    try:
        result = allocate(curves, problem)
    except InfeasibleError as exc:
        # known limit: with S-shaped (non-concave) curves the piecewise-linear model, on mean
        # adstock weights, may miss a feasible minimum ROAS / maximum CPA region
        assert roas and not concave and "ROAS" in str(exc), str(exc)
        event("non-concave curves with a ROAS rule: refused")
        return
    event(f"{result.status.value}, {result.solver}")
    plan = result.plan.to_numpy()
    _check_plan(curves, problem, plan)
    assert result.value == pytest.approx(_value(curves, problem, plan), rel=1e-9, abs=1e-6)
    if result.upper_bound is not None:
        planted_value = _value(curves, problem, planted)
        assert result.upper_bound >= planted_value - 1e-6 * abs(planted_value) - 1e-6
        assert result.upper_bound >= result.value - 1e-9 * abs(result.value)


_CONFLICTS = (
    "min_above_max",
    "minimums_above_budget",
    "maximums_below_budget",
    "weekly_min_above_cap",
    "weekly_caps_below_budget",
    "month_min_above_cap",
    "fixed_outside_bounds",
    "week_bound_inverted",
    "weekly_mins_above_max_total",
)


@fuzz_settings(60)
@given(case=planted_allocations(), conflict=st.sampled_from(_CONFLICTS), data=st.data())
def test_conflicting_rules_raise_infeasible_naming_the_rule(case, conflict, data):
    """A deliberately broken rule raises InfeasibleError whose message names the conflict."""
    curves, p, _, _, _ = case
    names = curves.channels
    c = data.draw(st.integers(0, len(names) - 1))
    name = names[c]
    t_len = p.n_weeks
    rules = dict(p.channels)
    kw: dict = {}
    bounds = list(p.week_bounds)
    budget = max(p.budget, 1000.0)
    if conflict == "min_above_max":
        hi = data.draw(st.floats(0.0, budget))
        rules[name] = ChannelRule(min_total=hi * 1.5 + 10.0, max_total=hi)
        expect = [f"channel '{name}'"]
    elif conflict == "minimums_above_budget":
        rules = {n: ChannelRule(min_total=budget * data.draw(st.floats(0.6, 2.0))) for n in names}
        expect = ["channel minimums sum to", "> budget"]
    elif conflict == "maximums_below_budget":
        rules = {
            n: ChannelRule(max_total=budget * data.draw(st.floats(0.0, 0.9)) / len(names))
            for n in names
        }
        kw["budget_mode"] = "exact"
        bounds = []
        expect = ["channel maximums sum to", "< budget"]
    elif conflict == "weekly_min_above_cap":
        rules = {name: ChannelRule(min_weekly=2000.0)}
        kw["weekly_cap"] = data.draw(st.floats(1.0, 1999.0))
        bounds = []
        expect = ["week 0", "weekly cap"]
    elif conflict == "weekly_caps_below_budget":
        rules, bounds = {}, []
        kw["weekly_cap"] = budget / t_len * data.draw(st.floats(0.05, 0.95))
        kw["budget_mode"] = "exact"
        expect = ["weekly caps allow at most", "budget"]
    elif conflict == "month_min_above_cap":
        rules, bounds = {name: ChannelRule(min_weekly=1000.0)}, []
        kw["start"] = date(2026, 3, 2)
        kw["monthly_caps"] = {"2026-03": data.draw(st.floats(0.0, 999.0))}
        expect = ["month 2026-03", "monthly cap"]
    elif conflict == "fixed_outside_bounds":
        hi = data.draw(st.floats(0.0, budget / 2))
        rules[name] = ChannelRule(max_total=hi, fixed=hi * 1.2 + 10.0)
        expect = [f"channel '{name}' is fixed at"]
    elif conflict == "week_bound_inverted":
        rules = {}
        w = data.draw(st.integers(0, t_len - 1))
        bounds = [WeekBound(name, w, min=500.0, max=data.draw(st.floats(0.0, 499.0)))]
        expect = [f"channel '{name}' week {w}", "minimum", "maximum"]
    else:  # weekly minimums above the channel's horizon maximum
        rules = {
            name: ChannelRule(min_weekly=1000.0, max_total=data.draw(st.floats(0.0, 999.0 * t_len)))
        }
        bounds = []
        expect = [f"channel '{name}'", "weekly minimums sum to"]
    fields = {
        "budget": budget,
        "n_weeks": t_len,
        "budget_mode": kw.pop("budget_mode", p.budget_mode),
        "channels": rules,
        "week_bounds": tuple(bounds),
        "weekly_cap": kw.pop("weekly_cap", None),
        "start": kw.pop("start", None),
        "monthly_caps": kw.pop("monthly_caps", {}),
    }
    with pytest.raises(InfeasibleError) as info:
        allocate(curves, AllocationProblem(**fields))
    msg = str(info.value)
    assert msg.startswith("Infeasible allocation:"), msg
    for part in expect:
        assert part in msg, f"{part!r} not in {msg!r}"


# --------------------------------------------------------------------------------------------
# pricing


@st.composite
def catalogs(draw, n: int, stock_scale: np.ndarray) -> Catalog:
    """A random valid catalog built in code (the loader is fuzzed in test_loaders).

    ``stock_scale`` is each SKU's baseline demand over the horizon: stock is drawn around it
    (none, short, enough) so that stock rules bind sometimes, not always.
    """
    rows = []
    for i in range(n):
        price = draw(st.integers(100, 50_000)) / 100
        if draw(st.booleans()):
            price = max(float(np.floor(price)) + draw(st.sampled_from([0.99, 0.9, 0.5, 0.0])), 0.5)
        vat = draw(st.sampled_from(FRENCH_VAT_RATES))
        excl = price / (1 + vat)
        share = draw(st.sampled_from([0.0, 1.0, 0.99]) | st.floats(0.2, 0.7) | st.floats(0.0, 1.0))
        cost = excl if share == 1.0 else min(np.floor(excl * share * 100) / 100, excl)
        pmin = (
            np.floor(price * draw(st.floats(0.5, 1.0)) * 100) / 100
            if draw(st.booleans())
            else np.nan
        )
        pmax = (
            np.ceil(price * draw(st.floats(1.0, 1.5)) * 100) / 100
            if draw(st.booleans())
            else np.nan
        )
        stock = np.ceil(stock_scale[i] * draw(st.sampled_from([0.0, 0.5]) | st.floats(0.8, 4.0)))
        rows.append(
            {
                "sku": f"S{i:02d}",
                "category": draw(st.sampled_from(["Mode", "Maison", "Beauté"])),
                "price_incl_vat": price,
                "vat_rate": vat,
                "unit_cost": cost,  # share 1.0: zero margin today, the legal floor binds
                "stock": float(stock),
                "logistics_units": draw(st.sampled_from([0.5, 1.0, 2.0, 0.1])),
                "min_price": pmin if pmin > 0 else np.nan,
                "max_price": pmax,
                "return_rate": draw(st.floats(0.0, 0.5)),
            }
        )
    frame = pd.DataFrame(rows).set_index("sku")
    frame["price_excl_vat"] = frame["price_incl_vat"] / (1 + frame["vat_rate"])
    return Catalog(frame=frame, source="fuzz")


@st.composite
def pricing_problems(draw) -> PricingProblem:
    """A random pricing problem: rules, stock, capacity and mode in any combination."""
    n = draw(st.integers(1, 8))
    weeks = draw(st.integers(1, 4))
    mult = np.asarray(draw(st.lists(st.floats(0.3, 2.0), min_size=weeks, max_size=weeks)))
    base = np.asarray(draw(st.lists(st.floats(0.05, 200.0), min_size=n, max_size=n)))
    cat = draw(catalogs(n, base * mult.sum()))
    f = cat.frame
    idx = f.index
    e = pd.Series(draw(st.lists(st.floats(-4.0, -0.3), min_size=n, max_size=n)), index=idx)
    el = Elasticities.from_values(e, pd.Series(base, index=idx), f["price_incl_vat"])
    load = float((base * f["logistics_units"].to_numpy()).sum())
    cap = np.maximum(load * mult * draw(st.floats(0.2, 2.0)), 1e-3)
    maps = {}
    for s in draw(st.lists(st.sampled_from(list(idx)), unique=True, max_size=2)):
        maps[s] = float(np.round(f.loc[s, "price_incl_vat"] * draw(st.floats(0.8, 1.1)), 2))
    rules = PriceRules(
        max_change=draw(st.sampled_from([0.0, 0.05, 0.15]) | st.floats(0.0, 0.5)),
        endings=tuple(
            draw(st.lists(st.sampled_from([0.99, 0.9, 0.5, 0.0, 0.49]), unique=True, max_size=3))
        ),
        n_points=draw(st.integers(2, 12)),
        margin_floor=draw(st.sampled_from([0.0, 0.0, 0.1, 0.3]) | st.floats(0.0, 0.6)),
        min_advertised_price=maps,
        max_changes=draw(st.one_of(st.none(), st.integers(0, n))),
        allow_stockout=draw(st.sampled_from([True, True, False])),
    )
    mode = draw(st.sampled_from(["hard", "ration"]))
    return PricingProblem(
        cat,
        el,
        cap,
        demand_multiplier=mult,
        rules=rules,
        objective=draw(st.sampled_from(list(Objective))),
        logistics_cost=draw(st.sampled_from([0.0, 1.5]) | st.floats(0.0, 5.0)),
        net_of_returns=draw(st.booleans()),
        method=draw(st.sampled_from(list(Method))),
        capacity_mode=mode,
        overflow_penalty=(
            np.asarray(draw(st.lists(st.floats(0.0, 50.0), min_size=weeks, max_size=weeks)))
            if mode == "ration" and draw(st.booleans())
            else None
        ),
    )


def _current_value(problem: PricingProblem) -> tuple[float, np.ndarray, np.ndarray]:
    """Objective, load per week and demand per SKU at the current prices."""
    f = problem.catalog.frame
    p0 = f["price_incl_vat"].to_numpy(float)
    demand = (
        problem.elasticities.weekly_units(f.index, p0[:, None], None) * problem.multiplier[None, :]
    )
    sold = sell_through(demand, f["stock"].to_numpy(float))
    rev_u, mar_u = unit_economics(
        problem.catalog,
        p0,
        logistics_cost=problem.logistics_cost,
        net_of_returns=problem.net_of_returns,
    )
    per_unit = mar_u if problem.objective is Objective.MARGIN else rev_u
    load = (sold * f["logistics_units"].to_numpy(float)[:, None]).sum(axis=0)
    return float(sold.sum(axis=1) @ per_unit), load, demand.sum(axis=1)


@fuzz_settings(150)
@given(problem=pricing_problems())
def test_prices_on_the_ladder_within_every_rule_stock_and_capacity(problem):
    """Chosen prices lie on the ladder, >= cost, >= margin floor, within stock and capacity."""
    f = problem.catalog.frame
    rules = problem.rules
    ladder = build_ladder(problem.catalog, rules) if _ladder_ok(problem) else None
    cur_value, cur_load, cur_demand = _current_value(problem)
    current_feasible = (
        ladder is not None
        and (ladder.current >= 0).all()
        and (rules.allow_stockout or (cur_demand <= f["stock"].to_numpy() * (1 + 1e-9)).all())
        and (problem.capacity_mode == "ration" or (cur_load <= problem.capacity * (1 + 1e-9)).all())
    )
    try:
        res = optimize_prices(problem)
    except InfeasibleError as exc:
        msg = str(exc)
        assert not current_feasible, f"current prices are feasible but: {msg}"
        assert any(w in msg for w in ("SKU", "capacity", "stock", "max_changes")), msg
        if problem.capacity_mode == "ration":
            assert "capacity:" not in msg, msg
        event(f"infeasible: {msg.split(':')[0][:30]}")
        return
    event(f"{problem.capacity_mode}, {res.solver}")
    p = res.prices
    new = p["new_price_incl_vat"].to_numpy(float)
    assert ladder is not None
    on_ladder = [
        np.isclose(ladder.prices[i], new[i], rtol=0, atol=1e-9).any() for i in range(len(new))
    ]
    assert all(on_ladder), "price not on the ladder"
    check_ladder_rules(problem.catalog, rules, new[:, None])
    # French legal floor, explicitly: no resale below cost
    assert (new / (1 + f["vat_rate"].to_numpy()) >= f["unit_cost"].to_numpy() - 1e-9).all()
    assert (p["expected_units"] <= f["stock"] + 1e-6).all()
    if not rules.allow_stockout:
        assert (p["expected_demand"] <= f["stock"] * (1 + 1e-9) + 1e-9).all(), "stock rule"
    assert (res.load <= problem.capacity * (1 + 1e-7)).all(), "shipped load above capacity"
    if problem.capacity_mode == "hard":
        assert np.allclose(p["rationed_units"], 0.0)
    if rules.max_changes is not None:
        assert res.n_changes <= rules.max_changes
    assert res.bound >= res.objective_value - 1e-6 * abs(res.objective_value) - 1e-9
    if current_feasible and problem.capacity_mode == "hard":
        # keeping today's prices is a candidate: never worse than it, beyond the certified gap
        slack = res.gap * abs(res.bound) + 1e-6 * abs(cur_value) + 1e-6
        assert res.objective_value >= cur_value - slack
        assert res.bound >= cur_value - 1e-6 * abs(cur_value) - 1e-6


def _ladder_ok(problem: PricingProblem) -> bool:
    try:
        build_ladder(problem.catalog, problem.rules)
    except InfeasibleError:
        return False
    return True
