"""Upper bounds on the best plan from concave over-estimators of the posterior curves.

When the posterior samples disagree on adstock weights, no single curve of one adstocked spend
describes the posterior mean, and the piecewise-linear bound of :mod:`optimizer.allocation.lp`
does not apply. The bounds here hold whatever the samples:

1. **Envelope on the reachable range.** Every feasible plan keeps each cell between the implied
   bounds ``lo``/``hi`` (rules, always-on minimums, week-to-week limits), so sample ``s``'s
   adstocked spend in week ``t`` of channel ``c`` stays in ``[alpha, beta]`` = the adstock of
   ``lo`` and of ``hi`` (adstock is monotone in the plan). On that interval an S-shaped Hill
   curve is over-estimated by its concave envelope: the curve itself past the tangent point of
   the line from ``(alpha, f(alpha))``, that tangent before it (or the chord to ``beta`` when the
   tangent point lies beyond it). The closer ``alpha`` is to the operating spend (always-on
   minimums), the tighter the envelope. Concave curves are their own envelope.
2. **Concave maximization by cutting planes.** ``F~(y) = sum_(t,c) G_tc(window_tc(y)) - b y``
   with ``G_tc`` the posterior mean (times the objective weight) of the envelopes of week ``t``
   and channel ``c``: concave in the spend window feeding that week. Each tangent plane
   ``G_tc(X) <= G_tc(X0) + grad G_tc(X0) (X - X0)`` is valid everywhere, so the LP maximizing
   ``sum theta_tc - b y`` with ``theta_tc`` under any set of such planes, over the rules (the
   no-restart rule relaxed, minimum-ROAS rules outer-linearized the same way), bounds
   ``max F~ >= max F`` from above at every round. Planes are added at the LP's own solutions
   (Kelley's method, one plane per cell and round), which drives the bound down to ``max F~``.
   For CVaR (concave too) the planes are on the CVaR of the samples' envelope values, one
   aggregate variable: the first plane at the plan is the Frank-Wolfe bound.

What is left between the bound and the plan is the envelope's over-estimate of S-shaped samples
(none for concave curves) plus what the rounds did not close; :class:`EnvelopeBound` reports the
first part at the plan itself, so that a gap can be explained.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from optimizer.allocation.backend import LPSession, ModelBuilder, run_model
from optimizer.allocation.envelope import (
    Envelopes,
    chain_gradient,
    interval_envelope,
    reachable_ranges,
)
from optimizer.allocation.evaluate import risk_value, risk_weights
from optimizer.allocation.lp import add_linear_rows
from optimizer.allocation.polytope import LinearRows
from optimizer.allocation.problem import AllocationProblem
from optimizer.curves import ResponseCurves

__all__ = [
    "EnvelopeBound",
    "envelope_bound",
    "interval_envelope",
    "linearized_bound",
]


def linearized_bound(
    rows: LinearRows,
    gradient: np.ndarray,
    x0: np.ndarray,
    value0: float,
    roas_cuts: list[tuple[np.ndarray, float]],
    solver: str = "cbc",
) -> float | None:
    """Upper bound ``value0 + max_y g @ (y - x0)`` over the polytope (Frank-Wolfe certificate).

    Valid when the exact value is concave (or over-estimated by a concave function whose value
    at ``x0`` is ``value0`` and supergradient is ``gradient``): ``F(y) <= F(x0) + g @ (y - x0)``.
    The no-restart rule is relaxed (a larger set: still a bound).

    Parameters
    ----------
    rows : LinearRows
    gradient : numpy.ndarray
        Supergradient at ``x0``, (T*C,) EUR per EUR.
    x0 : numpy.ndarray
        The plan, (T*C,).
    value0 : float
        Over-estimator value at ``x0``, EUR.
    roas_cuts : list of (numpy.ndarray, float)
        Outer linearizations ``coef @ y >= rhs`` of the minimum-ROAS rules.
    solver : str

    Returns
    -------
    float or None
        The bound, or None when the LP fails.
    """
    b = ModelBuilder()
    y = b.cols(rows.lo, rows.hi)
    _add_rules(b, rows, y, roas_cuts)
    b.cost(y, gradient)
    out = run_model(b.build(), solver, 60.0, 1e-9)
    if out.status != "optimal" or out.bound is None:
        return None
    return float(value0 + out.bound - gradient @ x0)


def _add_rules(
    b: ModelBuilder, rows: LinearRows, y: np.ndarray, cuts: list[tuple[np.ndarray, float]]
) -> None:
    """The rules (no-restart relaxed) and the minimum-ROAS cuts ``coef @ y >= rhs`` on ``y``."""
    add_linear_rows(b, rows.relaxed(), y)
    for coef, rhs in cuts:
        nz = np.nonzero(coef)[0]
        b.rows(np.zeros(nz.size), y[nz], coef[nz], rhs, np.inf, count=1)


@dataclass(frozen=True)
class EnvelopeBound:
    """A certificate from the concave envelope.

    Attributes
    ----------
    bound : float or None
        Upper bound on the best value, EUR (None when the LP failed).
    excess_at_plan : float
        Envelope value minus exact value at the plan, EUR: the part of the gap that is the
        envelope's over-estimate of S-shaped samples at the plan itself (0 for concave curves).
    rounds : int
        Cutting-plane rounds solved.
    """

    bound: float | None
    excess_at_plan: float
    rounds: int


def envelope_bound(
    curves: ResponseCurves,
    problem: AllocationProblem,
    rows: LinearRows,
    roas_rules: tuple[tuple[int | None, float], ...],
    plan: np.ndarray,
    solver: str = "cbc",
    *,
    rounds: int = 8,
    target: float | None = None,
) -> EnvelopeBound:
    """Valid upper bound on the best value from the interval envelope (see module docstring).

    Parameters
    ----------
    curves : ResponseCurves
    problem : AllocationProblem
    rows : LinearRows
        Rules; ``rows.lo``/``rows.hi`` are the implied per-cell bounds.
    roas_rules : tuple of (int or None, float)
    plan : numpy.ndarray
        The plan to certify, (T, C) EUR (inside the bounds).
    solver : str
    rounds : int
        Largest number of cutting-plane LPs (mean risk).
    target : float or None
        Stop once the bound is at most this value, EUR (e.g. the plan's value plus the gap
        tolerance).

    Returns
    -------
    EnvelopeBound
        ``bound`` is None for quantile risk (not concave) or when an LP fails.
    """
    t_len, c_len = plan.shape
    a_coef, b_coef = problem.value_coefficients
    lo = rows.lo.reshape(t_len, c_len)
    hi = rows.hi.reshape(t_len, c_len)
    alpha, beta = reachable_ranges(curves, lo, hi)
    envelopes = Envelopes(curves, alpha, beta)
    env, slope = envelopes(plan)
    ww = problem.weights_for(t_len)
    week_w = np.ones(t_len) if ww is None else ww
    spend = float(plan.sum())
    values = a_coef * np.einsum("stc,t->s", env, week_w) - b_coef * spend
    exact = a_coef * curves.total(plan, ww) - b_coef * spend
    excess = risk_value(values, problem.risk) - risk_value(exact, problem.risk)
    if problem.risk.kind == "quantile":
        return EnvelopeBound(None, float(excess), 0)
    cuts = _roas_cuts(curves, roas_rules, plan, env, slope)
    planes = _Planes(problem, rows, plan, envelopes, cuts, week_w, target, float(excess))
    if problem.risk.kind == "cvar":
        return _kelley_cvar(planes, 2 * rounds)
    return _kelley(planes, rounds)


@dataclass(frozen=True)
class _Planes:
    """What both cutting-plane bounds start from.

    Attributes
    ----------
    problem : AllocationProblem
    rows : LinearRows
        Rules; ``rows.lo``/``rows.hi`` are the implied per-cell bounds.
    plan : numpy.ndarray
        The plan to certify, (T, C) EUR; the first plane is at it.
    envelopes : Envelopes
        The samples' envelopes on the reachable range.
    cuts : list of (numpy.ndarray, float)
        Outer linearizations ``coef @ y >= rhs`` of the minimum-ROAS rules.
    week_w : numpy.ndarray
        Objective weight of each week, (T,).
    target : float or None
        Stop once the bound is at most this value, EUR.
    excess : float
        Envelope value minus exact value at the plan, EUR.
    """

    problem: AllocationProblem
    rows: LinearRows
    plan: np.ndarray
    envelopes: Envelopes
    cuts: list[tuple[np.ndarray, float]]
    week_w: np.ndarray
    target: float | None
    excess: float

    def builder(self) -> tuple[ModelBuilder, np.ndarray]:
        """A model with the plan's columns ``y`` under the rules and cuts; (builder, y)."""
        b = ModelBuilder()
        y = b.cols(self.rows.lo, self.rows.hi)
        _add_rules(b, self.rows, y, self.cuts)
        return b, y


def _kelley_cvar(planes: _Planes, rounds: int) -> EnvelopeBound:
    """Cutting planes on the CVaR of the envelope values (concave: CVaR of concave functions).

    One variable ``theta`` under planes ``theta <= V(y_i) + g_i (y - y_i)`` with ``V`` the CVaR
    of the samples' envelope values and ``g_i`` its supergradient at ``y_i`` (the tail samples'
    mean gradient); the first plane at the plan is the Frank-Wolfe bound, later ones at each LP's
    solution tighten it. Every round's optimum is a bound.
    """
    problem, envelopes, week_w = planes.problem, planes.envelopes, planes.week_w
    curves = envelopes.curves
    a_coef, b_coef = problem.value_coefficients
    b, y = planes.builder()
    theta = b.cols(-np.inf, np.inf)
    b.cost(theta, 1.0)
    base = b.build()
    session = LPSession(base)

    def add_plane(y0: np.ndarray) -> None:
        env, slope = envelopes(y0)
        values = a_coef * np.einsum("stc,t->s", env, week_w) - b_coef * float(y0.sum())
        w = risk_weights(values, problem.risk)
        grad = a_coef * np.tensordot(
            w, chain_gradient(curves, slope * week_w[None, :, None]), axes=1
        )
        g = (grad - b_coef).ravel()
        v0 = risk_value(values, problem.risk)
        # theta - g y <= v0 - g y0
        a = sp.csr_array(
            (np.r_[1.0, -g], (np.zeros(g.size + 1, int), np.r_[theta, y])),
            shape=(1, base.n_cols),
        )
        session.add_rows(a, np.array([-np.inf]), np.array([v0 - g @ y0.ravel()]))

    return _cutting_planes(planes, session, y, add_plane, rounds, None)


def _roas_cuts(
    curves: ResponseCurves,
    roas_rules: tuple[tuple[int | None, float], ...],
    plan: np.ndarray,
    env: np.ndarray,
    slope: np.ndarray,
) -> list[tuple[np.ndarray, float]]:
    """``R(y) <= R~(y) <= R~(x0) + g (y - x0)``: a plan meeting ``R >= rho S`` meets the cut."""
    if not roas_rules:
        return []
    env_mean = env.mean(axis=0)
    grad_mean = chain_gradient(curves, slope).mean(axis=0)
    out = []
    for ci, rho in roas_rules:
        mask = np.ones_like(plan)
        if ci is not None:
            mask = np.zeros_like(plan)
            mask[:, ci] = 1.0
        g = (grad_mean * mask).ravel()
        r0 = float((env_mean * mask).sum())
        out.append((g - rho * mask.ravel(), float(g @ plan.ravel() - r0)))
    return out


def _kelley(planes: _Planes, rounds: int) -> EnvelopeBound:
    """Cutting-plane maximization of the mean envelope objective (valid bound each round)."""
    envelopes, week_w = planes.envelopes, planes.week_w
    curves = envelopes.curves
    t_len, c_len = planes.plan.shape
    lags = curves.max_lag
    a_coef, b_coef = planes.problem.value_coefficients
    n_s = curves.n_samples
    live = week_w > 0  # weeks whose response is worth something
    cells_t, cells_c = np.nonzero(np.broadcast_to(live[:, None], (t_len, c_len)))
    n_cells = len(cells_t)
    n_lags = min(lags, t_len)
    b, y = planes.builder()
    yg = y.reshape(t_len, c_len)
    ub = np.where(np.broadcast_to(live[:, None], (t_len, c_len)), np.inf, 0.0)
    theta = b.cols(-np.inf, ub.ravel()).reshape(t_len, c_len)
    b.cost(theta.ravel(), 1.0)
    b.cost(y, -b_coef)
    base = b.build()
    session = LPSession(base)

    def add_plane(y0: np.ndarray) -> None:
        """theta[t, c] - sum_l g[t, c, l] y[t - l, c] <= G0[t, c] - sum_l g[t, c, l] y0[t - l, c]."""
        env, slope = envelopes(y0)
        g0 = a_coef * week_w[:, None] * env.mean(axis=0)  # (T, C)
        gl = a_coef * week_w[:, None, None] * np.einsum("stc,scl->tcl", slope, curves.weights)
        gl /= n_s
        rhs = g0.copy()
        r_parts, c_parts, v_parts = (
            [np.arange(n_cells)],
            [theta[cells_t, cells_c]],
            [np.ones(n_cells)],
        )
        for lag in range(n_lags):
            rhs[lag:] -= gl[lag:, :, lag] * y0[: t_len - lag]
            ok = cells_t >= lag
            r_parts.append(np.nonzero(ok)[0])
            c_parts.append(yg[cells_t[ok] - lag, cells_c[ok]])
            v_parts.append(-gl[cells_t[ok], cells_c[ok], lag])
        a = sp.csr_array(
            (np.concatenate(v_parts), (np.concatenate(r_parts), np.concatenate(c_parts))),
            shape=(n_cells, base.n_cols),
        )
        session.add_rows(a, np.full(n_cells, -np.inf), rhs[cells_t, cells_c])

    stall = 1e-6 * max(float(planes.rows.hi.max()), 1.0)
    return _cutting_planes(planes, session, y, add_plane, rounds, stall)


def _cutting_planes(
    planes: _Planes,
    session: LPSession,
    y: np.ndarray,
    add_plane: Callable[[np.ndarray], None],
    rounds: int,
    stall: float | None,
) -> EnvelopeBound:
    """Kelley's rounds: a plane at the plan, then one at each LP solution.

    Every round's optimum is a bound; stops at ``rounds`` LPs, once the bound is at most
    ``planes.target``, when an LP fails, or (``stall``, EUR per cell) when the solution stops
    moving.
    """
    plan, rows, target = planes.plan, planes.rows, planes.target
    t_len, c_len = plan.shape
    add_plane(plan)
    best: float | None = None
    done = 0
    y_prev = plan
    for _ in range(max(rounds, 1)):
        out = session.solve()
        done += 1
        if out.status != "optimal" or out.bound is None or out.x is None:
            break
        bound = float(out.bound) + 1e-9 * max(abs(float(out.bound)), 1.0)
        best = bound if best is None else min(best, bound)
        if target is not None and best <= target:
            break
        y_new = np.clip(
            out.x[y].reshape(t_len, c_len),
            rows.lo.reshape(t_len, c_len),
            rows.hi.reshape(t_len, c_len),
        )
        if stall is not None and np.allclose(y_new, y_prev, rtol=0, atol=stall):
            break
        add_plane(y_new)
        y_prev = y_new
    return EnvelopeBound(best, planes.excess, done)
