"""Efficient frontier: the optimum for a list of budgets, and where an extra euro stops paying."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from optimizer.allocation.problem import AllocationProblem
from optimizer.allocation.result import AllocationResult
from optimizer.allocation.solve import allocate
from optimizer.curves import ResponseCurves
from optimizer.errors import ConfigError, InfeasibleError
from optimizer.forked import run_forked

__all__ = ["frontier"]


def _solve_at(
    curves: ResponseCurves, problem: AllocationProblem, m: float, kwargs: dict[str, Any]
) -> AllocationResult | str:
    """The plan at ``m`` times the budget, or the reason it is infeasible."""
    try:
        return allocate(curves, problem.with_budget(problem.budget * m), **kwargs)
    except InfeasibleError as exc:
        return str(exc)


def frontier(
    curves: ResponseCurves,
    problem: AllocationProblem,
    multipliers: Sequence[float] = (0.5, 0.75, 1.0, 1.25, 1.5),
    *,
    workers: int = 2,
    **allocate_kwargs: Any,
) -> tuple[pd.DataFrame, dict[float, AllocationResult]]:
    """Solve the problem at several budgets (multiples of ``problem.budget``).

    Parameters
    ----------
    curves : ResponseCurves
    problem : AllocationProblem
        The base problem; only its budget changes.
    multipliers : sequence of float
        Budget multipliers, e.g. 0.5 to 1.5.
    workers : int
        Budgets solved side by side in forked processes (:func:`optimizer.forked.run_forked`;
        each solve is deterministic, so the table is the same with 1); 1, or no fork: in turn.
    **allocate_kwargs
        Passed to :func:`allocate`.

    Returns
    -------
    table : pandas.DataFrame
        One row per budget: ``multiplier``, ``budget``, ``status``, ``spend`` (EUR), ``value``
        (maximized objective, EUR), ``upper_bound``, ``revenue_mean``/``p10``/``p90`` (EUR),
        ``roas``, ``incremental_roas`` (extra revenue per extra EUR vs the previous budget),
        ``marginal_roas`` (spend-weighted marginal ROAS at the optimum) and ``message`` (why a
        budget is infeasible).
    results : dict of float to AllocationResult
        The solved budgets.
    """
    mults = sorted({float(m) for m in multipliers})
    if not mults or mults[0] <= 0:
        raise ConfigError(f"frontier multipliers {multipliers} must be > 0, e.g. 0.5,1,1.5.")
    jobs = [partial(_solve_at, curves, problem, m, allocate_kwargs) for m in mults]
    solved = None
    if workers >= 2 and len(jobs) >= 2:
        solved = run_forked(jobs, [f"frontier budget x{m:g}" for m in mults], workers=workers)
    if solved is None:
        solved = [job() for job in jobs]
    rows = []
    results: dict[float, AllocationResult] = {}
    for m, r in zip(mults, solved, strict=True):
        budget = problem.budget * m
        if isinstance(r, str):
            rows.append({"multiplier": m, "budget": budget, "status": "infeasible", "message": r})
            continue
        results[m] = r
        ch = r.channels
        spend = r.total_spend
        rows.append(
            {
                "multiplier": m,
                "budget": budget,
                "status": r.status.value,
                "spend": spend,
                "value": r.value,
                "upper_bound": r.upper_bound,
                "revenue_mean": r.revenue.mean,
                "revenue_p10": r.revenue.p10,
                "revenue_p90": r.revenue.p90,
                "roas": r.revenue.mean / spend if spend > 0 else np.nan,
                "marginal_roas": float((ch["marginal_roas"] * ch["spend"]).sum() / spend)
                if spend > 0
                else np.nan,
                "message": "",
            }
        )
    table = pd.DataFrame(rows)
    if "spend" in table:
        ok = table["status"] != "infeasible"
        d_rev = table.loc[ok, "revenue_mean"].diff()
        d_sp = table.loc[ok, "spend"].diff()
        table.loc[ok, "incremental_roas"] = d_rev / d_sp.where(d_sp.abs() > 1e-6)
    return table, results
