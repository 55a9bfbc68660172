"""The media frontier of a scenario: the store's contribution for a range of media budgets.

The allocation frontier (:func:`optimizer.allocation.frontier.frontier`) maximizes the media
objective (margin on incremental revenue minus spend, EUR), which is negative whenever media as
a whole costs more than the margin it brings within the horizon, and says nothing of the rest
of the store. A manager asks another question: *what would the store earn at another budget?*
So each frontier plan is evaluated like the recommended one — full P&L, every posterior sample,
stock and capacity, at the recommended prices — and the frontier reports the store's
contribution after media (mean, P10, P90) and the **marginal return** of the last euros: extra
contribution per extra euro of budget between neighbouring points (a value below 0 means the
extra euros cost more than they bring).

The budgets span what the channel rules allow (for ±30 % per channel, 70 % to 130 % of the
run-rate budget), so every point is a feasible plan; budgets outside that range are not drawn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.allocation import AllocationProblem
from optimizer.allocation.frontier import frontier
from optimizer.allocation.problem import BudgetMode
from optimizer.allocation.resolve import resolve
from optimizer.errors import InfeasibleError
from optimizer.scenario.demand import StoreDemand
from optimizer.scenario.evaluation import allocation_problem_at, evaluate_plan
from optimizer.scenario.plan import Plans

__all__ = ["budget_range", "media_frontier"]


def budget_range(problem: AllocationProblem, demand: StoreDemand) -> tuple[float, float]:
    """Smallest and largest horizon budgets the channel rules allow, EUR.

    Raises
    ------
    InfeasibleError
        The rules are infeasible at the scenario's own budget.
    """
    c = demand.curves
    r = resolve(problem, c.channels, c.current, c.history)
    lo = float(np.maximum(r.tot_lo, r.lo[: r.n_plan].sum(axis=0)).sum())
    hi_each = np.minimum(r.tot_hi, r.hi[: r.n_plan].sum(axis=0))
    hi = float(hi_each.sum()) if np.isfinite(hi_each).all() else np.inf
    hi = min(hi, float(np.minimum(r.week_cap[: r.n_plan], np.inf).sum()))
    return lo, hi


def _multipliers(problem: AllocationProblem, demand: StoreDemand, span: float) -> list[float]:
    budget = float(problem.budget)
    if budget <= 0:
        return [1.0]
    lo, hi = budget_range(problem, demand)
    m_lo = max(1.0 - span, lo / budget)
    m_hi = min(1.0 + span, hi / budget)
    if BudgetMode(problem.budget_mode) is BudgetMode.UP_TO:
        m_lo = max(1.0 - span, 0.0)
    below: list[float] | np.ndarray = np.linspace(m_lo, 1.0, 4)[:-1] if m_lo < 1.0 - 1e-6 else []
    above: list[float] | np.ndarray = np.linspace(1.0, m_hi, 4)[1:] if m_hi > 1.0 + 1e-6 else []
    # a hair inside the range: the rules' bounds are met with round-off to spare
    mults = [m + 1e-9 for m in below] + [1.0] + [m - 1e-9 for m in above]
    return [round(float(m), 9) for m in mults]


def media_frontier(
    demand: StoreDemand, problem: AllocationProblem, plans: Plans, span: float = 0.5
) -> pd.DataFrame:
    """Store contribution after media for budgets around the scenario's budget.

    Parameters
    ----------
    demand : StoreDemand
        Posterior store demand.
    problem : AllocationProblem
        The scenario's media problem (rules, objective, risk, budget).
    plans : Plans
        The scenario's plans; the frontier is valued at the recommended prices.
    span : float
        Budgets from ``1 - span`` to ``1 + span`` times the budget, within what the rules
        allow.

    Returns
    -------
    pandas.DataFrame
        One row per budget: ``multiplier``, ``budget``, ``status``, ``spend`` (EUR),
        ``contribution_mean``/``_p10``/``_p90`` (store contribution after media, EUR),
        ``media_revenue`` (incremental revenue of the media plan, EUR, mean),
        ``marginal_return`` (extra contribution per extra EUR vs the previous budget),
        ``value`` (the allocation objective, EUR) and ``is_scenario_budget``.
    """
    base = allocation_problem_at(problem, demand, plans.joint.prices, plans.pricing)
    try:
        mults = _multipliers(problem, demand, span)
    except InfeasibleError:
        return pd.DataFrame()
    table, results = frontier(demand.curves, base, mults)
    rows = []
    for _, row in table.iterrows():
        m = float(row["multiplier"])
        res = results.get(m)
        if res is None:
            continue
        media = res.plan.to_numpy(float)[: len(demand.weeks)]
        ev = evaluate_plan(demand, "frontier", media, plans.joint.prices)
        c = ev.pnl.lines["contribution"]
        q = np.quantile(c, [0.1, 0.9])
        rows.append(
            {
                "multiplier": round(m, 4),
                "budget": round(float(row["budget"]), 2),
                "status": str(row["status"]),
                "spend": round(float(media.sum()), 2),
                "contribution_mean": round(float(c.mean()), 2),
                "contribution_p10": round(float(q[0]), 2),
                "contribution_p90": round(float(q[1]), 2),
                "media_revenue": round(float(ev.media_revenue.mean()), 2),
                "value": round(float(row["value"]), 2),
                "is_scenario_budget": abs(m - 1.0) < 1e-6,
            }
        )
    out = pd.DataFrame(rows)
    if len(out) > 1:
        d_c = out["contribution_mean"].diff()
        d_s = out["spend"].diff()
        out["marginal_return"] = (d_c / d_s.where(d_s.abs() > 1e-6)).round(4)
    elif len(out):
        out["marginal_return"] = np.nan
    return out
