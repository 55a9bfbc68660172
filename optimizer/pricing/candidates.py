"""Candidate table: every allowed price per SKU with its expected sales, value and load.

The single place where demand estimates, rules, stock and capacity meet; both solver paths
(Lagrangian and MILP) and the benchmark read the same arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.errors import InfeasibleError
from optimizer.pricing.evaluate import sell_through, unit_economics
from optimizer.pricing.problem import CapacityMode, Objective, PricingProblem
from optimizer.pricing.rationing import overflow_penalty
from optimizer.pricing.rules import Ladder, build_ladder

__all__ = ["Candidates", "build_candidates"]


@dataclass(frozen=True, eq=False)
class Candidates:
    """Arrays over (SKU, candidate price[, week]) shared by the solvers.

    Attributes
    ----------
    ladder : Ladder
        Candidate prices.
    valid : numpy.ndarray
        Allowed candidates, ``(n, K)``.
    values : numpy.ndarray
        Objective per candidate over the horizon (EUR), ``-inf`` where not allowed.
    weights, rhs : numpy.ndarray
        Coupling rows ``(n, K, m)`` and their right-hand sides ``(m,)``: weekly capacities
        that can bind (logistics units), then the cap on price changes when it can bind.
    row_names : list of str
        Name of each coupling row.
    demand, sold : numpy.ndarray
        Expected demand and sales per week, units, ``(n, K, T)``.
    rev_u, mar_u : numpy.ndarray
        Revenue and margin per unit sold (EUR excl. VAT), ``(n, K)``.
    p0 : numpy.ndarray
        Current prices incl. VAT (EUR).
    changes_row : bool
        Whether the cap on price changes is a coupling row.
    penalty : numpy.ndarray or None
        Per coupling row, the objective lost per unit of the row above its right-hand side
        (EUR per logistics unit) for soft rows, ``inf`` for hard rows; ``None`` when every row
        is hard (``capacity_mode="hard"``).
    week_penalty : numpy.ndarray or None
        Overflow penalty per horizon week (EUR per logistics unit), ``"ration"`` mode only.
    """

    ladder: Ladder
    valid: np.ndarray
    values: np.ndarray
    weights: np.ndarray
    rhs: np.ndarray
    row_names: list[str]
    demand: np.ndarray
    sold: np.ndarray
    rev_u: np.ndarray
    mar_u: np.ndarray
    p0: np.ndarray
    changes_row: bool
    penalty: np.ndarray | None = None
    week_penalty: np.ndarray | None = None


def _skus(index: pd.Index, where: np.ndarray, limit: int = 5) -> str:
    names = [repr(str(s)) for s in index[where][:limit]]
    more = f" and {int(where.sum()) - limit} more" if where.sum() > limit else ""
    return ", ".join(names) + more


def _binding_weeks(load: np.ndarray, valid: np.ndarray, cap: np.ndarray) -> list[int]:
    """Weeks whose capacity can bind and is not implied by a tighter kept week."""
    lv = np.where(valid[..., None], load, 0.0)
    worst = lv.max(axis=1).sum(axis=0)  # heaviest possible load per week
    cand = np.flatnonzero(worst > cap * (1 + 1e-12))
    cand = cand[np.argsort(-(worst[cand] / cap[cand]), kind="stable")]
    kept: list[int] = []
    for t in cand:
        dominated = any(
            cap[t] >= cap[u] and bool((lv[:, :, t] <= lv[:, :, u] + 1e-12).all()) for u in kept
        )
        if not dominated:
            kept.append(int(t))
    return sorted(kept)


def _check_capacity(load, valid, cap, index) -> None:
    lightest = np.where(valid[..., None], load, np.inf).min(axis=1)  # (n, T)
    need = lightest.sum(axis=0)
    over = np.flatnonzero(need > cap * (1 + 1e-9))
    if len(over):
        t = int(over[0])
        heavy = np.argsort(-lightest[:, t])[:3]
        raise InfeasibleError(
            f"capacity: even at the highest allowed prices the expected shipments of horizon "
            f"week {t + 1} are {need[t]:,.0f} logistics units but capacity is {cap[t]:,.0f} "
            f"({len(over)} week(s) short; heaviest SKUs {', '.join(repr(str(index[i])) for i in heavy)}). "
            "Raise the capacity, allow higher prices (max_change, max_price) or lower the "
            "demand multiplier."
        )


def _stock_fits(
    problem: PricingProblem, demand: np.ndarray, valid: np.ndarray, stock: np.ndarray
) -> np.ndarray:
    """Candidates whose expected demand over the horizon fits the stock (no stock-outs).

    Raises
    ------
    InfeasibleError
        A SKU has no allowed price whose demand fits its stock.
    """
    idx = problem.catalog.frame.index
    fits = demand.sum(axis=-1) <= stock[:, None] * (1 + 1e-9)
    short = ~(valid & fits).any(axis=1)
    if short.any():
        raise InfeasibleError(
            f"stock: at every allowed price the expected demand over {problem.n_weeks} "
            f"week(s) exceeds the stock of {int(short.sum())} SKU(s) ({_skus(idx, short)}); "
            "set allow_stockout = true, restock, raise max_change/max_price or shorten the "
            "horizon."
        )
    return fits


def _coupling_rows(
    problem: PricingProblem, load: np.ndarray, valid: np.ndarray, is_change: np.ndarray
) -> tuple:
    """Coupling rows: the weeks whose capacity can bind, then the cap on price changes.

    Returns ``(weights, rhs, names, changes_row, penalty, week_penalty)``: row coefficients
    ``(n, K, m)``, right-hand sides, row names, whether the ``max_changes`` row is there, the
    overflow penalty per row (``inf`` = hard; ``None`` in ``"hard"`` mode) and per week.

    Raises
    ------
    InfeasibleError
        Hard capacity short in a week even at the lightest allowed prices.
    """
    idx, k_max = problem.catalog.frame.index, problem.rules.max_changes
    cap = problem.capacity
    ration = problem.capacity_mode is CapacityMode.RATION
    week_pen = overflow_penalty(problem) if ration else None
    if week_pen is None:
        _check_capacity(load, valid, cap, idx)
        weeks = _binding_weeks(load, valid, cap)
    else:
        # soft rows: a week that can overflow is kept even when a tighter week "implies" it
        # (its penalty still counts); a week with a zero penalty never constrains anything
        worst = np.where(valid[..., None], load, 0.0).max(axis=1).sum(axis=0)
        weeks = [int(t) for t in np.flatnonzero((worst > cap * (1 + 1e-12)) & (week_pen > 0))]
    w_list = [np.where(valid[..., None], load[:, :, weeks], 0.0)]
    rhs = list(cap[weeks])
    names = [f"capacity_week_{t + 1}" for t in weeks]
    changeable = (valid & is_change).any(axis=1).sum()
    changes_row = k_max is not None and 0 < k_max < changeable
    if changes_row:
        w_list.append((valid & is_change).astype(float)[..., None])
        rhs.append(float(k_max))  # type: ignore[arg-type]
        names.append("max_changes")
    weights = np.concatenate(w_list, axis=-1)
    b = np.asarray(rhs, float)
    penalty = None
    if week_pen is not None:
        penalty = np.full(len(b), np.inf)
        penalty[: len(weeks)] = week_pen[weeks]
    return weights, b, names, changes_row, penalty, week_pen


def build_candidates(problem: PricingProblem) -> Candidates:
    """Build the candidate table and check feasibility.

    Raises
    ------
    InfeasibleError
        See :func:`~optimizer.pricing.optimize.optimize_prices`.
    """
    cat, rules = problem.catalog, problem.rules
    f = cat.frame
    idx = f.index
    ladder = build_ladder(cat, rules)
    valid = ladder.valid.copy()
    p0 = f["price_incl_vat"].to_numpy(float)
    fill = np.where(valid, ladder.prices, p0[:, None])
    weekly = problem.elasticities.weekly_units(idx, fill, problem.units_quantile)
    demand = weekly[:, :, None] * problem.multiplier[None, None, :]
    stock = f["stock"].to_numpy(float)
    if not rules.allow_stockout:
        valid &= _stock_fits(problem, demand, valid, stock)
    sold = sell_through(demand, stock)
    rev_u, mar_u = unit_economics(
        cat, fill, logistics_cost=problem.logistics_cost, net_of_returns=problem.net_of_returns
    )
    per_unit = mar_u if problem.objective is Objective.MARGIN else rev_u
    values = np.where(valid, sold.sum(axis=-1) * per_unit, -np.inf)
    load = sold * f["logistics_units"].to_numpy(float)[:, None, None]

    k_max = rules.max_changes
    n_k = valid.shape[1]
    is_change = np.arange(n_k)[None, :] != ladder.current[:, None]
    # the current price is not a candidate when it breaks a rule or, without stock-outs, when
    # its expected demand exceeds the stock
    forced = ~(valid & ~is_change).any(axis=1)
    if k_max is not None and forced.sum() > k_max:
        raise InfeasibleError(
            f"max_changes: {int(forced.sum())} SKU(s) must change price because their current "
            f"price breaks a rule or its expected demand exceeds the stock "
            f"({_skus(idx, forced)}) but max_changes is {k_max}; raise max_changes or relax the "
            "rules those prices break."
        )
    if k_max == 0:
        valid &= ~is_change
        values = np.where(valid, values, -np.inf)
    rows = _coupling_rows(problem, load, valid, is_change)
    weights, b, names, changes_row, penalty, week_pen = rows
    return Candidates(
        ladder=ladder,
        valid=valid,
        values=values,
        weights=weights,
        rhs=b,
        row_names=names,
        demand=demand,
        sold=sold,
        rev_u=rev_u,
        mar_u=mar_u,
        p0=p0,
        changes_row=changes_row,
        penalty=penalty,
        week_penalty=week_pen,
    )
