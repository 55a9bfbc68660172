"""Certified fast path: Lagrangian relaxation of the coupling constraints.

The pricing problem is a multiple-choice knapsack: pick one option ``k`` per SKU ``s`` to
maximize ``sum v[s, k]`` subject to a few coupling rows ``sum w[s, k, j] <= b[j]`` (weekly
capacity, the cap on price changes). Dualizing the rows with multipliers ``lam >= 0`` splits
it into independent per-SKU choices::

    g(lam) = sum_s max_k (v[s, k] - w[s, k] @ lam) + lam @ b

``g(lam)`` is an upper bound on the optimum for every ``lam >= 0`` (weak duality) and its
minimum equals the LP relaxation (the per-SKU choice polytope is integral). A feasible choice
is repaired from the relaxed one; ``(bound - primal) / |bound|`` is a certified gap.

One row: exact bisection on ``lam``. Several rows: projected subgradient with Polyak steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["LagrangianSolution", "dual_value", "solve_lagrangian"]

_FEAS = 1e-9  # relative feasibility tolerance on normalized rows


@dataclass(frozen=True, eq=False)
class LagrangianSolution:
    """Outcome of :func:`solve_lagrangian`.

    Attributes
    ----------
    choice : numpy.ndarray or None
        Chosen option per SKU (feasible), or ``None`` when no feasible choice was found.
    primal : float
        Objective of ``choice`` (``-inf`` when none).
    bound : float
        Best dual bound found (an upper bound on the optimum).
    multipliers : numpy.ndarray
        Multipliers at the best bound, in the units of the original rows (objective per unit
        of the row).
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


def _load(weights: np.ndarray, choice: np.ndarray) -> np.ndarray:
    return weights[np.arange(len(choice)), choice].sum(axis=0)


def _objective(values: np.ndarray, choice: np.ndarray) -> float:
    return float(values[np.arange(len(choice)), choice].sum())


def repair(
    values: np.ndarray, weights: np.ndarray, rhs: np.ndarray, choice: np.ndarray
) -> np.ndarray | None:
    """Move SKUs to lighter options, cheapest value loss per unit of overload first.

    Returns a feasible choice, or ``None`` when 100 rounds do not restore feasibility.
    """
    x = choice.copy()
    ar = np.arange(len(x))
    valid = np.isfinite(values)
    for _ in range(100):
        over = _load(weights, x) - rhs
        viol = over > _FEAS * np.maximum(rhs, 1.0)
        if not viol.any():
            return x
        alpha = over[viol] / over[viol].sum()
        cur_w = weights[ar, x][:, viol] @ alpha
        red = cur_w[:, None] - weights[:, :, viol] @ alpha
        loss = values[ar, x][:, None] - values
        ok = valid & (red > 1e-15)
        ratio = np.where(ok, loss / np.where(ok, red, 1.0), np.inf)
        k = ratio.argmin(axis=1)
        r = ratio[ar, k]
        cand = np.flatnonzero(np.isfinite(r))
        if len(cand) == 0:
            return None
        order = cand[np.argsort(r[cand], kind="stable")]
        need = float(over[viol] @ alpha)
        cum = np.cumsum(red[order, k[order]])
        take = order[: int(np.searchsorted(cum, need)) + 1]
        x[take] = k[take]
    return None


def improve(
    values: np.ndarray, weights: np.ndarray, rhs: np.ndarray, choice: np.ndarray
) -> np.ndarray:
    """Greedy fill of the remaining slack: upgrade SKUs while every row still fits."""
    x = choice.copy()
    ar = np.arange(len(x))
    valid = np.isfinite(values)
    for _ in range(3):
        slack = rhs - _load(weights, x)
        gain = np.where(valid, values - values[ar, x][:, None], -np.inf)
        dw = weights - weights[ar, x][:, None, :]
        fits = (dw <= slack[None, None, :] + 1e-12).all(axis=-1) & (gain > 1e-9)
        if not fits.any():
            break
        # efficiency: gain per unit of (normalized) extra load; free upgrades first
        extra = np.clip(dw, 0, None).sum(axis=-1)
        eff = np.where(fits, gain / np.maximum(extra, 1e-12), -np.inf)
        k = eff.argmax(axis=1)
        skus = np.flatnonzero(fits.any(axis=1))
        order = skus[np.argsort(-eff[skus, k[skus]], kind="stable")]
        s_left = slack.copy()
        changed = False
        for s in order:
            d = dw[s, k[s]]
            if (d <= s_left + 1e-12).all():
                x[s] = k[s]
                s_left -= d
                changed = True
        if not changed:
            break
    return x


def _bisect(values: np.ndarray, weights: np.ndarray, rhs: np.ndarray) -> tuple:
    """Single row: bisection on the multiplier."""
    evals = 0
    best_bound = np.inf
    lam_lo, lam_hi = 0.0, 1.0
    while True:  # grow lam until the relaxed choice fits
        g, x_hi = dual_value(values, weights, rhs, np.array([lam_hi]))
        evals += 1
        best_bound = min(best_bound, g)
        if _load(weights, x_hi)[0] <= rhs[0] * (1 + _FEAS) or evals > 200:
            break
        lam_lo, lam_hi = lam_hi, lam_hi * 4.0
    best_lam = lam_hi
    for _ in range(100):
        if lam_hi - lam_lo <= 1e-13 * max(lam_hi, 1e-12):
            break
        mid = 0.5 * (lam_lo + lam_hi)
        g, x = dual_value(values, weights, rhs, np.array([mid]))
        evals += 1
        if g < best_bound:
            best_bound, best_lam = g, mid
        if _load(weights, x)[0] <= rhs[0] * (1 + _FEAS):
            lam_hi, x_hi = mid, x
        else:
            lam_lo = mid
    return x_hi, best_bound, np.array([best_lam]), evals


def _subgradient(
    values: np.ndarray, weights: np.ndarray, rhs: np.ndarray, tol: float, max_iter: int
) -> tuple:
    m = len(rhs)
    lam = np.zeros(m)
    best_bound, best_lam = np.inf, lam.copy()
    best_x, best_primal = None, -np.inf
    theta, stall = 1.0, 0
    scale = float(np.abs(np.where(np.isfinite(values), values, 0)).max(axis=1).sum()) or 1.0
    it = 0
    for it in range(1, max_iter + 1):
        g, x = dual_value(values, weights, rhs, lam)
        if g < best_bound - 1e-12 * abs(g):
            best_bound, best_lam, stall = g, lam.copy(), 0
        else:
            stall += 1
            if stall >= 8:
                theta, stall = theta / 2, 0
        if it % 4 == 1 or it <= 5:
            xr = repair(values, weights, rhs, x)
            if xr is not None:
                xr = improve(values, weights, rhs, xr)
                p = _objective(values, xr)
                if p > best_primal:
                    best_primal, best_x = p, xr
        if best_x is not None and gap_of(best_bound, best_primal) <= tol / 2:
            break
        sub = rhs - _load(weights, x)  # gradient of g wrt lam
        target = best_primal if np.isfinite(best_primal) else g - 0.05 * abs(g)
        norm = float(sub @ sub)
        if norm <= 1e-18:
            break
        step = theta * max(g - target, 1e-9 * scale) / norm
        lam = np.maximum(0.0, lam - step * sub)
        if theta < 1e-6:
            break
    return best_x, best_primal, best_bound, best_lam, it


def solve_lagrangian(
    values: np.ndarray,
    weights: np.ndarray,
    rhs: np.ndarray,
    *,
    tol: float = 1e-3,
    max_iter: int = 400,
    penalty: np.ndarray | None = None,
) -> LagrangianSolution:
    """Solve the multiple-choice problem by Lagrangian relaxation.

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
        Soft rows: objective lost per unit above ``rhs`` (``inf`` = hard row), shape ``(m,)``;
        see :mod:`optimizer.pricing.lagrangian_soft`. ``None``: every row is hard.

    Returns
    -------
    LagrangianSolution
    """
    rhs = np.asarray(rhs, float)
    m = len(rhs)
    if penalty is not None and m and np.isfinite(penalty).any():
        from optimizer.pricing.lagrangian_soft import solve_soft

        return solve_soft(values, weights, rhs, penalty, tol=tol, max_iter=max_iter)
    if m == 0:
        _, x = dual_value(values, weights, rhs, np.zeros(0))
        p = _objective(values, x)
        return LagrangianSolution(x, p, p, np.zeros(0), 1)
    # normalize rows to rhs 1 for conditioning; multipliers are scaled back at the end
    w = weights / rhs
    b = np.ones(m)
    g0, x0 = dual_value(values, w, b, np.zeros(m))
    if (_load(w, x0) <= b * (1 + _FEAS)).all():  # no row binds: the free choice is optimal
        return LagrangianSolution(x0, g0, g0, np.zeros(m), 1)
    if m == 1:
        x, bound, lam, evals = _bisect(values, w, b)
        x = improve(values, w, b, x)
        return LagrangianSolution(x, _objective(values, x), bound, lam / rhs, evals)
    x, primal, bound, lam, evals = _subgradient(values, w, b, tol, max_iter)
    return LagrangianSolution(x, primal, bound, lam / rhs, evals)
