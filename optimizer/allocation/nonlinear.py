"""Nonlinear allocation with SciPy SLSQP on the exact posterior curves.

The objective is the risk summary (mean, quantile, CVaR) of the plan's value over *all*
posterior samples, with the analytic gradient of :meth:`ResponseCurves.gradient` (for quantile
and CVaR, the supergradient at the current tail). Minimum-ROAS rules are smooth inequality
constraints on the posterior-mean revenue. It is a local method: it is warm-started from the
LP plan and only refines it.

This is the only module of the package that imports ``scipy.optimize``.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from optimizer.allocation.evaluate import (
    chain_gradient,
    response_and_slope,
    risk_value,
    risk_weights,
)
from optimizer.allocation.polytope import LinearRows
from optimizer.allocation.problem import AllocationProblem
from optimizer.curves import ResponseCurves

__all__ = ["MAX_VARIABLES", "NLSolution", "solve_nonlinear", "value_and_gradient"]

MAX_VARIABLES = 800  # SLSQP is dense (cubic in the variables); larger plans keep the LP plan


@dataclass(frozen=True, eq=False)
class NLSolution:
    """SLSQP outcome: plan (T, C) EUR, exact value EUR, success flag, message, iterations, time."""

    plan: np.ndarray
    value: float
    success: bool
    message: str
    iterations: int
    seconds: float


def value_and_gradient(
    curves: ResponseCurves, problem: AllocationProblem, plan: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """Exact risk-adjusted value of a plan and its (super)gradient.

    Returns
    -------
    tuple
        ``(value, gradient, sample_values)``: EUR, (T, C) EUR per EUR, (S,) EUR.
    """
    a, b = problem.value_coefficients
    spend = float(plan.sum())
    ww = problem.weights_for(plan.shape[0])
    weekly, slope = response_and_slope(curves, plan)
    if ww is None:
        values = a * weekly.sum(axis=(1, 2)) - b * spend
    else:
        values = a * np.einsum("stc,t->s", weekly, ww) - b * spend
        slope = slope * ww[None, :, None]
    w = risk_weights(values, problem.risk)
    grad = a * np.tensordot(w, chain_gradient(curves, slope), axes=1) - b
    return risk_value(values, problem.risk), grad, values


def solve_nonlinear(
    curves: ResponseCurves,
    problem: AllocationProblem,
    rows: LinearRows,
    roas_rules: tuple[tuple[int | None, float], ...],
    start: np.ndarray,
    *,
    max_iter: int = 200,
    tol: float = 1e-9,
) -> NLSolution:
    """Refine a plan with SLSQP on the exact curves.

    Long because its parameters and outcome are documented here; the body is one SLSQP call with
    its constraints.

    Parameters
    ----------
    curves : ResponseCurves
    problem : AllocationProblem
    rows : LinearRows
        Linear constraints and bounds of the problem (without the no-restart rule: fix the start
        plan's on/off pattern with :meth:`LinearRows.with_pattern` first).
    roas_rules : tuple of (int or None, float)
        Minimum ROAS per channel index (None: overall).
    start : numpy.ndarray
        Warm start, (T, C) EUR (the LP plan).
    max_iter : int
    tol : float
        SLSQP ``ftol`` on the scaled objective.

    Returns
    -------
    NLSolution
    """
    t0 = time.perf_counter()
    shape = start.shape
    n = start.size
    xs = max(float(rows.rhs[0]) / n, 1.0)  # row 0 is the budget: variables of order 1
    z0 = np.clip(start.ravel(), rows.lo, rows.hi) / xs
    v0, _, _ = value_and_gradient(curves, problem, z0.reshape(shape) * xs)
    fs = max(abs(v0), 1.0)
    cache: dict[bytes, tuple[float, np.ndarray]] = {}

    def fg(z: np.ndarray) -> tuple[float, np.ndarray]:
        key = z.tobytes()
        if key not in cache:
            plan = np.maximum(z.reshape(shape) * xs, 0.0)
            v, g, _ = value_and_gradient(curves, problem, plan)
            cache.clear()
            cache[key] = (-v / fs, -g.ravel() * xs / fs)
        return cache[key]

    cons: list[dict[str, object]] = []
    rs = max(float(np.abs(rows.rhs).max(initial=1.0)), 1.0)
    eq = rows.equality
    dense = rows.matrix.toarray()  # SLSQP is dense anyway (<= MAX_VARIABLES plan cells)
    if eq.any():
        a_eq, b_eq = dense[eq] * xs / rs, rows.rhs[eq] / rs
        cons.append({"type": "eq", "fun": lambda z: a_eq @ z - b_eq, "jac": lambda z: a_eq})
    if (~eq).any():
        a_ub, b_ub = dense[~eq] * xs / rs, rows.rhs[~eq] / rs
        cons.append({"type": "ineq", "fun": lambda z: b_ub - a_ub @ z, "jac": lambda z: -a_ub})
    for ci, rho in roas_rules:
        cons.append(_roas_constraint(curves, shape, xs, rs, ci, rho))

    bounds = list(zip(rows.lo / xs, rows.hi / xs, strict=True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # SLSQP line-search probes
        out = minimize(
            lambda z: fg(z)[0],
            z0,
            jac=lambda z: fg(z)[1],
            method="SLSQP",
            bounds=bounds,
            constraints=cons,
            options={"maxiter": max_iter, "ftol": tol},
        )
    plan = np.clip(out.x, rows.lo / xs, rows.hi / xs).reshape(shape) * xs
    value, _, _ = value_and_gradient(curves, problem, plan)
    return NLSolution(
        plan=plan,
        value=value,
        success=bool(out.success),
        message=str(out.message),
        iterations=int(out.get("nit", 0)),
        seconds=time.perf_counter() - t0,
    )


def _roas_constraint(
    curves: ResponseCurves, shape: tuple[int, ...], xs: float, rs: float, ci: int | None, rho: float
) -> dict[str, object]:
    """``mean revenue - rho * spend >= 0`` (overall or for channel ``ci``), scaled."""

    def fun(z: np.ndarray) -> float:
        plan = np.maximum(z.reshape(shape) * xs, 0.0)
        weekly = curves.weekly(plan).mean(axis=0)  # (T, C)
        if ci is None:
            return float(weekly.sum() - rho * plan.sum()) / rs
        return float(weekly[:, ci].sum() - rho * plan[:, ci].sum()) / rs

    def jac(z: np.ndarray) -> np.ndarray:
        plan = np.maximum(z.reshape(shape) * xs, 0.0)
        g = curves.gradient(plan).mean(axis=0) - rho  # (T, C)
        if ci is not None:
            mask = np.zeros_like(g)
            mask[:, ci] = 1.0
            g = g * mask
        return g.ravel() * xs / rs

    return {"type": "ineq", "fun": fun, "jac": jac}
