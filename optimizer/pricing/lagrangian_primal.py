"""Primal side of the Lagrangian pricing solver: feasible, improved choices from relaxed ones.

The dual (:mod:`optimizer.pricing.lagrangian`) hands over the per-SKU choice that maximizes the
Lagrangian; it may overload the coupling rows. The helpers here turn it into a choice that
meets every hard row (``penalty = inf``) and score it with the exact penalized objective
``sum v - sum_j pi_j * max(0, load_j - b_j)`` (soft rows only; a hard row costs nothing once
met). Every array keeps the solver's shapes: ``values (n, K)``, ``weights (n, K, m)``,
``rhs (m,)``, ``penalty (m,)``, ``choice (n,)``.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "FEAS",
    "choice_load",
    "choice_value",
    "fixable_rows",
    "improve",
    "improve_soft",
    "iteration_candidates",
    "meets_hard_rows",
    "penalized_value",
    "primal_candidates",
    "repair",
]

FEAS = 1e-9  #: relative feasibility tolerance on normalized rows


def choice_load(weights: np.ndarray, choice: np.ndarray) -> np.ndarray:
    """Load of every row under ``choice``, shape ``(m,)``."""
    return weights[np.arange(len(choice)), choice].sum(axis=0)


def choice_value(values: np.ndarray, choice: np.ndarray) -> float:
    """Objective of ``choice`` before any penalty (EUR)."""
    return float(values[np.arange(len(choice)), choice].sum())


def penalized_value(
    values: np.ndarray, weights: np.ndarray, rhs: np.ndarray, penalty: np.ndarray, x: np.ndarray
) -> float:
    """Objective of a choice minus the penalty of its overflow on soft rows (EUR)."""
    over = np.maximum(choice_load(weights, x) - rhs, 0.0)
    soft = np.isfinite(penalty)
    return choice_value(values, x) - float(penalty[soft] @ over[soft])


def meets_hard_rows(weights: np.ndarray, rhs: np.ndarray, hard: np.ndarray, x: np.ndarray) -> bool:
    """Whether ``x`` meets every row flagged in ``hard`` (within :data:`FEAS`)."""
    if not hard.any():
        return True
    return bool((choice_load(weights[..., hard], x) <= rhs[hard] * (1 + FEAS)).all())


def fixable_rows(values: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Rows that the lightest allowed option of every SKU can meet."""
    lightest = np.where(np.isfinite(values)[..., None], w, np.inf).min(axis=1).sum(axis=0)
    return lightest <= b * (1 + FEAS)


def repair(
    values: np.ndarray, weights: np.ndarray, rhs: np.ndarray, choice: np.ndarray
) -> np.ndarray | None:
    """Move SKUs to lighter options, cheapest value loss per unit of overload first.

    Every row is treated as hard. Returns a feasible choice, or ``None`` when 100 rounds do
    not restore feasibility.
    """
    x = choice.copy()
    ar = np.arange(len(x))
    valid = np.isfinite(values)
    for _ in range(100):
        over = choice_load(weights, x) - rhs
        viol = over > FEAS * np.maximum(rhs, 1.0)
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
        slack = rhs - choice_load(weights, x)
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
        load = choice_load(weights, x)
        dv = np.where(valid, values - values[ar, x][:, None], -np.inf)
        dw = weights - weights[ar, x][:, None, :]
        new = load + dw
        over_now = np.maximum(load[soft] - rhs[soft], 0.0)
        dpen = (np.maximum(new[..., soft] - rhs[soft], 0.0) - over_now) @ pen
        ok = valid
        if hard.any():
            ok = ok & (new[..., hard] <= rhs[hard] * (1 + FEAS)).all(axis=-1)
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
            if hard.any() and (nl[hard] > rhs[hard] * (1 + FEAS)).any():
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


def primal_candidates(
    values: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    upper: np.ndarray,
    x: np.ndarray,
    fixable: np.ndarray,
    with_repair: bool = True,
) -> list[np.ndarray]:
    """Improved primal choices from a relaxed one when some rows are soft.

    The choice kept as is (soft rows may overflow) and repaired as if every row that can be
    met were hard (best when the penalties are large), both improved with
    :func:`improve_soft`. The repair is the costly part (up to 100 rounds over all SKUs); it is
    skipped when ``with_repair`` is false and the relaxed choice meets the hard rows.
    """
    hard = ~np.isfinite(upper)
    out = []
    if meets_hard_rows(w, b, hard, x):
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


def iteration_candidates(
    values: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    upper: np.ndarray,
    x: np.ndarray,
    fixable: np.ndarray,
    it: int,
) -> list[np.ndarray]:
    """Primal choices tried at subgradient iteration ``it`` from the relaxed choice ``x``.

    Every row hard (``upper`` all infinite): repair and fill the slack, on the first five
    iterations and every fourth after. Some rows soft: on the same schedule the cheap
    :func:`primal_candidates` (no repair when ``x`` meets the hard rows), otherwise ``x`` itself
    when it meets the hard rows.
    """
    scheduled = it % 4 == 1 or it <= 5
    hard = ~np.isfinite(upper)
    if hard.all():
        xr = repair(values, w, b, x) if scheduled else None
        return [] if xr is None else [improve(values, w, b, xr)]
    if scheduled:
        return primal_candidates(values, w, b, upper, x, fixable, with_repair=False)
    return [x] if meets_hard_rows(w, b, hard, x) else []
