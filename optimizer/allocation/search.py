"""Candidate plans under exact evaluation: their rules, their value, a repaired LP plan."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from optimizer.allocation.evaluate import risk_value
from optimizer.allocation.polytope import LinearRows
from optimizer.allocation.problem import AllocationProblem
from optimizer.allocation.resolve import Resolved
from optimizer.curves import ResponseCurves
from optimizer.errors import InfeasibleError

__all__ = ["feasible", "plan_value", "tightened_plan"]


def feasible(
    plan: np.ndarray,
    rows: LinearRows,
    res: Resolved,
    curves: ResponseCurves,
    tol: float,
) -> bool:
    """Whether ``plan`` meets every rule under exact evaluation, within ``tol`` EUR."""
    if rows.violation(plan) > tol:
        return False
    if res.roas_rules:
        weekly = curves.weekly(plan).mean(axis=0)
        for ci, rho in res.roas_rules:
            spend = plan.sum() if ci is None else plan[:, ci].sum()
            rev = weekly.sum() if ci is None else weekly[:, ci].sum()
            if rev - rho * spend < -tol:
                return False
    return True


def plan_value(curves: ResponseCurves, problem: AllocationProblem, plan: np.ndarray) -> float:
    """The risk-adjusted value of ``plan`` on the exact curves (every sample), EUR."""
    a, b = problem.value_coefficients
    ww = problem.weights_for(plan.shape[0])
    return risk_value(a * curves.total(plan, ww) - b * plan.sum(), problem.risk)


def tightened_plan(
    curves: ResponseCurves,
    rows: LinearRows,
    res: Resolved,
    plan: np.ndarray,
    solve: Callable[[tuple[tuple[int | None, float], ...]], np.ndarray],
) -> np.ndarray | None:
    """Re-solve the LP with the ROAS rules raised by the exact shortfall of ``plan``.

    The piecewise-linear curves over-estimate revenue slightly, so when a ROAS rule binds the LP
    plan can sit just outside it, and SLSQP may fail to repair it. Returns a plan meeting every
    rule under exact evaluation, or None. ``solve`` solves the piecewise-linear model under the
    given ROAS rules and returns its plan (:class:`InfeasibleError` when none meets them).
    """
    tol = 1e-6 * max(res.budget, 1.0) + 1e-6
    rules = list(res.roas_rules)
    for _ in range(4):
        weekly = curves.weekly(plan).mean(axis=0)
        tighter = []
        for (ci, rho), (_, rho0) in zip(rules, res.roas_rules, strict=True):
            spend = plan.sum() if ci is None else plan[:, ci].sum()
            rev = weekly.sum() if ci is None else weekly[:, ci].sum()
            short = rho0 * spend / rev if rev > 0 else 1.0
            tighter.append((ci, rho * max(short, 1.0) * (1.0 + 1e-3)))
        rules = tighter
        try:
            found = solve(tuple(rules))
        except InfeasibleError:
            return None
        plan = np.clip(found, res.chain_lo, res.finite_hi())
        if feasible(plan, rows, res, curves, tol):
            return plan
    return None
