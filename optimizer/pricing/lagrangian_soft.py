"""Lagrangian relaxation with soft coupling rows (``capacity_mode="ration"``).

A soft row ``j`` may be exceeded at a cost ``pi_j`` per unit above its right-hand side::

    max  sum_s v[s, x_s] - sum_j pi_j * o_j   s.t.  sum_s w[s, x_s, j] - o_j <= b_j,  o_j >= 0

Dualizing the rows with ``lam >= 0`` gives the same per-SKU decomposition as for hard rows plus
``sum_j (lam_j - pi_j) * o_j``, bounded over ``o >= 0`` only when ``lam_j <= pi_j``. So::

    g(lam) = sum_s max_k (v[s, k] - w[s, k] @ lam) + lam @ b,   0 <= lam_j <= pi_j

is an upper bound on the optimum for every such ``lam`` (hard rows: ``pi_j = inf``). The primal
value of a choice is exact: ``sum v - sum_j pi_j * max(0, load_j - b_j)``; every choice that
meets the hard rows is feasible, so soft rows need no repair.

One soft row: if the relaxed choice at ``lam = pi`` still overflows, ``g`` decreases up to
``pi`` and that choice is optimal (its primal value equals ``g(pi)``); otherwise bisection on
``[0, pi]``. Several rows: projected subgradient on the box, with a penalty-aware greedy
improvement of the primal.
"""

from __future__ import annotations

import numpy as np

from optimizer.pricing.lagrangian import (
    _FEAS,
    LagrangianSolution,
    _load,
    _objective,
    dual_value,
    gap_of,
    improve,
    repair,
)

__all__ = ["penalized_value", "solve_soft"]


def penalized_value(
    values: np.ndarray, weights: np.ndarray, rhs: np.ndarray, penalty: np.ndarray, x: np.ndarray
) -> float:
    """Objective of a choice minus the penalty of its overflow on soft rows (EUR)."""
    over = np.maximum(_load(weights, x) - rhs, 0.0)
    soft = np.isfinite(penalty)
    return _objective(values, x) - float(penalty[soft] @ over[soft])


def _hard_ok(weights: np.ndarray, rhs: np.ndarray, hard: np.ndarray, x: np.ndarray) -> bool:
    if not hard.any():
        return True
    return bool((_load(weights[..., hard], x) <= rhs[hard] * (1 + _FEAS)).all())


def improve_soft(
    values: np.ndarray,
    weights: np.ndarray,
    rhs: np.ndarray,
    penalty: np.ndarray,
    choice: np.ndarray,
    passes: int = 5,
) -> np.ndarray:
    """Greedy single-SKU moves that raise the penalized objective, hard rows kept.

    Each pass scores every SKU's best move against the current loads, then applies the moves
    with the highest gain per unit of load moved first, re-checking each against the updated
    loads.
    """
    x = choice.copy()
    ar = np.arange(len(x))
    valid = np.isfinite(values)
    soft = np.isfinite(penalty)
    hard = ~soft
    pen = penalty[soft]
    scale = float(np.abs(np.where(valid, values, 0)).max(axis=1).sum()) or 1.0
    for _ in range(passes):
        load = _load(weights, x)
        dv = np.where(valid, values - values[ar, x][:, None], -np.inf)
        dw = weights - weights[ar, x][:, None, :]
        new = load + dw
        over_now = np.maximum(load[soft] - rhs[soft], 0.0)
        dpen = (np.maximum(new[..., soft] - rhs[soft], 0.0) - over_now) @ pen
        ok = valid
        if hard.any():
            ok = ok & (new[..., hard] <= rhs[hard] * (1 + _FEAS)).all(axis=-1)
        gain = np.where(ok, dv - dpen, -np.inf)
        k = gain.argmax(axis=1)
        g = gain[ar, k]
        cand = np.flatnonzero(g > 1e-12 * scale)
        if len(cand) == 0:
            break
        # gain per unit of load moved: cheapest overflow cuts and best slack fills first
        moved = np.abs(dw[cand, k[cand]]).sum(axis=-1)
        order = cand[np.argsort(-(g[cand] / (moved + 1e-12)), kind="stable")]
        changed = False
        for s in order:
            d = dw[s, k[s]]
            nl = load + d
            if hard.any() and (nl[hard] > rhs[hard] * (1 + _FEAS)).any():
                continue
            dp = float(
                pen
                @ (np.maximum(nl[soft] - rhs[soft], 0.0) - np.maximum(load[soft] - rhs[soft], 0))
            )
            if dv[s, k[s]] - dp > 1e-12 * scale:
                x[s] = k[s]
                load = nl
                changed = True
        if not changed:
            break
    return x


def _fixable(values: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Rows that the lightest allowed option of every SKU can meet."""
    lightest = np.where(np.isfinite(values)[..., None], w, np.inf).min(axis=1).sum(axis=0)
    return lightest <= b * (1 + _FEAS)


def _primal_candidates(
    values: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    upper: np.ndarray,
    x: np.ndarray,
    fixable: np.ndarray,
    with_repair: bool = True,
) -> list[np.ndarray]:
    """Improved primal choices from a relaxed one.

    The choice kept as is (soft rows may overflow) and repaired as if every row that can be
    met were hard (best when the penalties are large), both improved with
    :func:`improve_soft`. The repair is the costly part (up to 100 rounds over all SKUs); it is
    skipped when ``with_repair`` is false and the relaxed choice meets the hard rows.
    """
    hard = ~np.isfinite(upper)
    out = []
    if _hard_ok(w, b, hard, x):
        out.append(improve_soft(values, w, b, upper, x))
    if out and not with_repair:
        return out
    wf, bf = w[..., fixable], b[fixable]
    xr = repair(values, wf, bf, x) if fixable.any() else None
    if xr is not None:
        out.append(improve_soft(values, w, b, upper, improve(values, wf, bf, xr)))
    elif hard.any():
        xh = repair(values, w[..., hard], b[hard], x)
        if xh is not None:
            out.append(improve_soft(values, w, b, upper, xh))
    return out


def _bisect_soft(values: np.ndarray, w: np.ndarray, b: np.ndarray, upper: float) -> tuple:
    """One soft row (normalized): the dual's minimum lies in ``[0, upper]``."""
    lam_top = np.array([upper])
    g_top, x_top = dual_value(values, w, b, lam_top)
    if _load(w, x_top)[0] > b[0]:  # g still decreasing at the cap: lam = pi, x_top optimal
        return [x_top], g_top, lam_top, 1
    lo, hi = 0.0, upper
    x_lo = dual_value(values, w, b, np.zeros(1))[1]
    x_hi = x_top
    best_bound, best_lam, evals = g_top, upper, 2
    for _ in range(100):
        if hi - lo <= 1e-13 * max(hi, 1e-12):
            break
        mid = 0.5 * (lo + hi)
        g, x = dual_value(values, w, b, np.array([mid]))
        evals += 1
        if g < best_bound:
            best_bound, best_lam = g, mid
        if _load(w, x)[0] <= b[0] * (1 + _FEAS):
            hi, x_hi = mid, x
        else:
            lo, x_lo = mid, x
    return [x_hi, x_lo], best_bound, np.array([best_lam]), evals


def _subgradient_soft(
    values: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    upper: np.ndarray,
    tol: float,
    max_iter: int,
) -> tuple:
    m = len(b)
    hard = ~np.isfinite(upper)
    fixable = _fixable(values, w, b)
    lam = np.zeros(m)
    best_bound, best_lam = np.inf, lam.copy()
    best_x, best_primal = None, -np.inf
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
        cands = [x] if _hard_ok(w, b, hard, x) else []
        if it % 4 == 1 or it <= 5:
            cands = _primal_candidates(values, w, b, upper, x, fixable, with_repair=False)
        for xr in cands:
            p = penalized_value(values, w, b, upper, xr)
            if p > best_primal:
                best_primal, best_x = p, xr
        uncertified = best_x is None or gap_of(best_bound, best_primal) > tol / 2
        if it % 20 == 0 and uncertified:  # the costly repair, only while it may help
            for xr in _primal_candidates(values, w, b, upper, x, fixable):
                p = penalized_value(values, w, b, upper, xr)
                if p > best_primal:
                    best_primal, best_x = p, xr
        if best_x is not None and gap_of(best_bound, best_primal) <= tol / 2:
            break
        sub = b - _load(w, x)  # gradient of g wrt lam
        # projected direction: components held at a bound of the box do not move
        d = np.where(((lam <= 0) & (sub > 0)) | ((lam >= upper) & (sub < 0)), 0.0, sub)
        norm = float(d @ d)
        if norm <= 1e-18:
            break
        # Polyak target: the best primal, unless it is poor (then a 5 % guess below g)
        target = max(best_primal, g - 0.05 * abs(g))
        step = theta * max(g - target, 1e-9 * scale) / norm
        lam = np.clip(lam - step * sub, 0.0, upper)
        if theta < 1e-6:
            break
    # the relaxed choice at the best multipliers, improved once more
    x_best_lam = dual_value(values, w, b, best_lam)[1]
    uncertified = best_x is None or gap_of(best_bound, best_primal) > tol / 2
    for xb in _primal_candidates(values, w, b, upper, x_best_lam, fixable, uncertified):
        p = penalized_value(values, w, b, upper, xb)
        if p > best_primal:
            best_primal, best_x = p, xb
    return best_x, best_primal, best_bound, best_lam, it


def solve_soft(
    values: np.ndarray,
    weights: np.ndarray,
    rhs: np.ndarray,
    penalty: np.ndarray,
    *,
    tol: float = 1e-3,
    max_iter: int = 400,
) -> LagrangianSolution:
    """Lagrangian relaxation when some rows are soft (see the module docstring).

    Parameters
    ----------
    values : numpy.ndarray
        Objective per option (EUR), shape ``(n, K)``; ``-inf`` for missing options.
    weights : numpy.ndarray
        Coupling-row coefficients, shape ``(n, K, m)``.
    rhs : numpy.ndarray
        Right-hand sides (> 0), shape ``(m,)``.
    penalty : numpy.ndarray
        Objective lost per unit of row above ``rhs`` (EUR per row unit), ``inf`` for a hard
        row, shape ``(m,)``.
    tol : float
        Target relative gap.
    max_iter : int
        Most subgradient iterations (several rows).

    Returns
    -------
    LagrangianSolution
        ``primal`` is the penalized objective of ``choice``; ``multipliers`` lie in
        ``[0, penalty]`` (original row units).
    """
    rhs = np.asarray(rhs, float)
    pen = np.asarray(penalty, float)
    m = len(rhs)
    w = weights / rhs  # normalize rows to rhs 1; penalties and multipliers scale with rhs
    b = np.ones(m)
    upper = pen * rhs
    g0, x0 = dual_value(values, w, b, np.zeros(m))
    if (_load(w, x0) <= b * (1 + _FEAS)).all():  # no row binds: the free choice is optimal
        return LagrangianSolution(x0, g0, g0, np.zeros(m), 1)
    if m == 1:
        xs, bound, lam, evals = _bisect_soft(values, w, b, float(upper[0]))
        fixable = _fixable(values, w, b)
        xs = [y for x in xs for y in _primal_candidates(values, w, b, upper, x, fixable)]
        vals = [penalized_value(values, w, b, upper, x) for x in xs]
        i = int(np.argmax(vals))
        return LagrangianSolution(xs[i], vals[i], bound, lam / rhs, evals)
    x, primal, bound, lam, evals = _subgradient_soft(values, w, b, upper, tol, max_iter)
    return LagrangianSolution(x, primal, bound, lam / rhs, evals)
