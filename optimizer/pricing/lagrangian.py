"""Certified fast path: Lagrangian relaxation of the coupling constraints.

The pricing problem is a multiple-choice knapsack: pick one option ``k`` per SKU ``s`` to
maximize ``sum v[s, k]`` subject to a few coupling rows ``sum w[s, k, j] <= b[j]`` (weekly
capacity, the cap on price changes). A row may be soft (``capacity_mode="ration"``): exceeded
at a cost ``pi_j`` per unit above its right-hand side; a hard row is a soft row with
``pi_j = inf``::

    max  sum_s v[s, x_s] - sum_j pi_j * o_j   s.t.  sum_s w[s, x_s, j] - o_j <= b_j,  o_j >= 0

Dualizing the rows with multipliers ``0 <= lam_j <= pi_j`` splits it into independent per-SKU
choices (``sum_j (lam_j - pi_j) * o_j`` is bounded over ``o >= 0`` only when ``lam_j <= pi_j``)::

    g(lam) = sum_s max_k (v[s, k] - w[s, k] @ lam) + lam @ b

``g(lam)`` is an upper bound on the optimum for every such ``lam`` (weak duality) and, with
hard rows only, its minimum equals the LP relaxation (the per-SKU choice polytope is integral).
A choice meeting the hard rows is built from the relaxed one
(:mod:`optimizer.pricing.lagrangian_primal`); its value is exact,
``sum v - sum_j pi_j * max(0, load_j - b_j)``, and ``(bound - primal) / |bound|`` is a
certified gap.

One row: bisection on ``lam`` (a soft row whose relaxed choice at ``lam = pi`` still overflows
is solved there: ``g`` decreases up to ``pi`` and that choice's value equals ``g(pi)``).
Several rows: projected subgradient with Polyak steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.pricing.lagrangian_primal import (
    FEAS,
    choice_load,
    choice_value,
    fixable_rows,
    improve,
    iteration_candidates,
    penalized_value,
    primal_candidates,
)

__all__ = ["LagrangianSolution", "dual_value", "gap_of", "penalized_value", "solve_lagrangian"]


@dataclass(frozen=True, eq=False)
class LagrangianSolution:
    """Outcome of :func:`solve_lagrangian`.

    Attributes
    ----------
    choice : numpy.ndarray or None
        Chosen option per SKU (meets the hard rows), or ``None`` when none was found.
    primal : float
        Penalized objective of ``choice`` (``-inf`` when none).
    bound : float
        Best dual bound found (an upper bound on the optimum).
    multipliers : numpy.ndarray
        Multipliers at the best bound, in the units of the original rows (objective per unit
        of the row), within ``[0, penalty]``.
    iterations : int
        Dual evaluations.
    """

    choice: np.ndarray | None
    primal: float
    bound: float
    multipliers: np.ndarray
    iterations: int

    @property
    def gap(self) -> float:
        """Certified relative gap ``(bound - primal) / |bound|`` (inf when no primal)."""
        if self.choice is None:
            return float("inf")
        return gap_of(self.bound, self.primal)


def gap_of(bound: float, primal: float) -> float:
    """Relative gap, 0 when both are 0."""
    if bound == primal:
        return 0.0
    return max(0.0, (bound - primal) / max(abs(bound), 1e-12))


def dual_value(
    values: np.ndarray, weights: np.ndarray, rhs: np.ndarray, lam: np.ndarray
) -> tuple[float, np.ndarray]:
    """Lagrangian dual function and its maximizing choice.

    Parameters
    ----------
    values : numpy.ndarray
        Objective per option, shape ``(n, K)``; ``-inf`` marks options that do not exist.
    weights : numpy.ndarray
        Row coefficients per option, shape ``(n, K, m)``.
    rhs : numpy.ndarray
        Right-hand sides, shape ``(m,)``.
    lam : numpy.ndarray
        Multipliers ``>= 0``, shape ``(m,)``.

    Returns
    -------
    g : float
        ``g(lam)``, an upper bound on the optimum.
    choice : numpy.ndarray
        Option maximizing the Lagrangian for each SKU.
    """
    reduced = values - weights @ lam if len(lam) else values
    choice = reduced.argmax(axis=1)
    best = np.take_along_axis(reduced, choice[:, None], axis=1)[:, 0]
    return float(best.sum() + lam @ rhs), choice


def _bisect_between(
    values: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    lo: float,
    hi: float,
    x_hi: np.ndarray,
    x_lo: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, float, float, int]:
    """One normalized row: bisect ``[lo, hi]`` (``hi`` fits, ``lo`` overflows).

    Returns the last fitting and overflowing relaxed choices, the lowest bound met in the
    interval with its multiplier (``inf`` and ``hi`` when none), and the dual evaluations.
    """
    best_bound, best_lam, evals = np.inf, hi, 0
    for _ in range(100):
        if hi - lo <= 1e-13 * max(hi, 1e-12):
            break
        mid = 0.5 * (lo + hi)
        g, x = dual_value(values, w, b, np.array([mid]))
        evals += 1
        if g < best_bound:
            best_bound, best_lam = g, mid
        if choice_load(w, x)[0] <= b[0] * (1 + FEAS):
            hi, x_hi = mid, x
        else:
            lo, x_lo = mid, x
    return x_hi, x_lo, best_bound, best_lam, evals


def _bisect_hard(values: np.ndarray, w: np.ndarray, b: np.ndarray) -> tuple:
    """One hard row: grow the multiplier until the relaxed choice fits, then bisect."""
    evals = 0
    best_bound = np.inf
    lam_lo, lam_hi = 0.0, 1.0
    while True:  # grow lam until the relaxed choice fits
        g, x_hi = dual_value(values, w, b, np.array([lam_hi]))
        evals += 1
        best_bound = min(best_bound, g)
        if choice_load(w, x_hi)[0] <= b[0] * (1 + FEAS) or evals > 200:
            break
        lam_lo, lam_hi = lam_hi, lam_hi * 4.0
    x_hi, _, bound, lam, n = _bisect_between(values, w, b, lam_lo, lam_hi, x_hi, x_hi)
    best_lam = lam if bound < best_bound else lam_hi
    return [x_hi], min(best_bound, bound), np.array([best_lam]), evals + n


def _bisect_soft(values: np.ndarray, w: np.ndarray, b: np.ndarray, upper: float) -> tuple:
    """One soft row (normalized): the dual's minimum lies in ``[0, upper]``."""
    lam_top = np.array([upper])
    g_top, x_top = dual_value(values, w, b, lam_top)
    if choice_load(w, x_top)[0] > b[0]:  # g still decreasing at the cap: lam = pi, x_top optimal
        return [x_top], g_top, lam_top, 1
    x_lo = dual_value(values, w, b, np.zeros(1))[1]
    x_hi, x_lo, bound, lam, n = _bisect_between(values, w, b, 0.0, upper, x_top, x_lo)
    best_lam = lam if bound < g_top else upper
    return [x_hi, x_lo], min(g_top, bound), np.array([best_lam]), 2 + n


def _one_row(values: np.ndarray, w: np.ndarray, b: np.ndarray, upper: np.ndarray) -> tuple:
    """One normalized row: bisection, then the best improved choice around the multiplier."""
    if np.isfinite(upper[0]):
        xs, bound, lam, evals = _bisect_soft(values, w, b, float(upper[0]))
        fixable = fixable_rows(values, w, b)
        xs = [y for x in xs for y in primal_candidates(values, w, b, upper, x, fixable)]
    else:
        xs, bound, lam, evals = _bisect_hard(values, w, b)
        xs = [improve(values, w, b, xs[0])]
    vals = [penalized_value(values, w, b, upper, x) for x in xs]
    i = int(np.argmax(vals))
    return xs[i], vals[i], bound, lam, evals


def _keep_best(
    cands: list[np.ndarray],
    best: tuple[np.ndarray | None, float],
    values: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    upper: np.ndarray,
) -> tuple[np.ndarray | None, float]:
    """The best of ``best`` (choice, penalized value) and ``cands``, first one on ties."""
    for xr in cands:
        p = penalized_value(values, w, b, upper, xr)
        if p > best[1]:
            best = (xr, p)
    return best


def _subgradient(
    values: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    upper: np.ndarray,
    tol: float,
    max_iter: int,
) -> tuple:
    """Several normalized rows: projected subgradient on ``0 <= lam <= upper``.

    With soft rows the step direction is projected on the box, the Polyak target is never
    more than 5 % below ``g`` and a costly repair of the primal runs every 20 iterations
    while the gap is uncertified; with hard rows only, the historical unprojected step is
    kept (results pinned bit for bit by the tests).
    """
    m = len(b)
    soft = bool(np.isfinite(upper).any())
    fixable = fixable_rows(values, w, b) if soft else np.zeros(m, bool)
    lam = np.zeros(m)
    best_bound, best_lam = np.inf, lam.copy()
    best: tuple[np.ndarray | None, float] = (None, -np.inf)
    theta, stall = 1.0, 0
    scale = float(np.abs(np.where(np.isfinite(values), values, 0)).max(axis=1).sum()) or 1.0
    it = 0
    for it in range(1, max_iter + 1):
        g, x = dual_value(values, w, b, lam)
        if g < best_bound - 1e-12 * abs(g):
            best_bound, best_lam, stall = g, lam.copy(), 0
        else:
            stall += 1
            if stall >= 8:
                theta, stall = theta / 2, 0
        cands = iteration_candidates(values, w, b, upper, x, fixable, it)
        best = _keep_best(cands, best, values, w, b, upper)
        certified = best[0] is not None and gap_of(best_bound, best[1]) <= tol / 2
        if soft and it % 20 == 0 and not certified:  # the costly repair, only while it may help
            best = _keep_best(
                primal_candidates(values, w, b, upper, x, fixable), best, values, w, b, upper
            )
            certified = best[0] is not None and gap_of(best_bound, best[1]) <= tol / 2
        if certified:
            break
        sub = b - choice_load(w, x)  # gradient of g wrt lam
        d = sub
        if soft:  # projected direction: components held at a bound of the box do not move
            d = np.where(((lam <= 0) & (sub > 0)) | ((lam >= upper) & (sub < 0)), 0.0, sub)
        norm = float(d @ d)
        if norm <= 1e-18:
            break
        # Polyak target: the best primal, unless there is none (or, soft, a poor one): then a
        # 5 % guess below g
        guess = g - 0.05 * abs(g)
        target = max(best[1], guess) if soft else (best[1] if np.isfinite(best[1]) else guess)
        step = theta * max(g - target, 1e-9 * scale) / norm
        lam = np.clip(lam - step * sub, 0.0, upper)
        if theta < 1e-6:
            break
    if soft:  # the relaxed choice at the best multipliers, improved once more
        x_best_lam = dual_value(values, w, b, best_lam)[1]
        uncertified = best[0] is None or gap_of(best_bound, best[1]) > tol / 2
        cands = primal_candidates(values, w, b, upper, x_best_lam, fixable, uncertified)
        best = _keep_best(cands, best, values, w, b, upper)
    return best[0], best[1], best_bound, best_lam, it


def solve_lagrangian(
    values: np.ndarray,
    weights: np.ndarray,
    rhs: np.ndarray,
    *,
    tol: float = 1e-3,
    max_iter: int = 400,
    penalty: np.ndarray | None = None,
) -> LagrangianSolution:
    """Solve the multiple-choice problem by Lagrangian relaxation (see the module docstring).

    Parameters
    ----------
    values : numpy.ndarray
        Objective per option (EUR), shape ``(n, K)``; ``-inf`` for missing options. Every SKU
        needs at least one finite option.
    weights : numpy.ndarray
        Coupling-row coefficients per option, shape ``(n, K, m)`` (``m`` may be 0).
    rhs : numpy.ndarray
        Right-hand sides (> 0), shape ``(m,)``.
    tol : float
        Target relative gap; the subgradient stops once it is certified.
    max_iter : int
        Most subgradient iterations (several rows only).
    penalty : numpy.ndarray or None
        Objective lost per unit of row above ``rhs`` (EUR per row unit), ``inf`` for a hard
        row, shape ``(m,)``. ``None``: every row is hard.

    Returns
    -------
    LagrangianSolution
        ``primal`` is the penalized objective of ``choice``; ``multipliers`` lie in
        ``[0, penalty]`` (original row units).
    """
    rhs = np.asarray(rhs, float)
    m = len(rhs)
    if m == 0:
        _, x = dual_value(values, weights, rhs, np.zeros(0))
        p = choice_value(values, x)
        return LagrangianSolution(x, p, p, np.zeros(0), 1)
    # normalize rows to rhs 1 for conditioning; penalties and multipliers scale with rhs
    w = weights / rhs
    b = np.ones(m)
    g0, x0 = dual_value(values, w, b, np.zeros(m))
    if (choice_load(w, x0) <= b * (1 + FEAS)).all():  # no row binds: the free choice is optimal
        return LagrangianSolution(x0, g0, g0, np.zeros(m), 1)
    pen = np.full(m, np.inf) if penalty is None else np.asarray(penalty, float)
    upper = pen * rhs if np.isfinite(pen).any() else np.full(m, np.inf)
    if m == 1:
        x, primal, bound, lam, evals = _one_row(values, w, b, upper)
    else:
        x, primal, bound, lam, evals = _subgradient(values, w, b, upper, tol, max_iter)
    return LagrangianSolution(x, primal, bound, lam / rhs, evals)
