"""Per-SKU bounds on price changes from how well each elasticity is identified.

Used by the safe price plan (:func:`~optimizer.pricing.safe.safe_prices`): a SKU whose
elasticity is only its category prior moves little, a well-identified one up to the rules'
``max_change``; a bounded SKU that sells out its stock anyway may still rise; bounds that would
leave the rules or a hard capacity without a feasible price list are widened, and every bound
carries its reason in words.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from optimizer.errors import InfeasibleError
from optimizer.pricing.candidates import build_candidates
from optimizer.pricing.elasticity import WEAK_WIDTH_SHARE
from optimizer.pricing.elasticity_design import MIN_PRICE_VARIATION
from optimizer.pricing.estimates import Elasticities
from optimizer.pricing.problem import PricingProblem
from optimizer.pricing.rules import build_ladder

__all__ = [
    "FULL_WIDTH_SHARE",
    "WEAK_MAX_CHANGE",
    "bounded_problem",
    "feasible_bounds",
    "identification_bounds",
    "sellout_raises",
    "widen_to_rules",
]

#: Largest price change of a SKU whose elasticity is only its category prior (fraction).
WEAK_MAX_CHANGE = 0.03
#: Posterior 90 % interval width, as a share of the category's, at or below which a SKU may
#: move up to ``max_change``; between this and ``WEAK_WIDTH_SHARE`` the bound is linear.
FULL_WIDTH_SHARE = 0.5
#: Resolution of the widening of the bounds when they make the problem infeasible.
_RELAX_STEP = 1 / 64


def _sku_bound(
    pv: float,
    r: float,
    width: float,
    cat_w: float,
    flag: bool,
    max_change: float,
    weak_cap: float,
) -> tuple[float, str]:
    """One SKU's change bound (fraction) and its reason, in words.

    The rule of :func:`identification_bounds`.

    ``pv`` is the std of its log price, ``r`` its width share, ``width`` and ``cat_w`` its and
    its category's 90 % interval widths, ``flag`` the fit's ``weakly_identified``.
    """
    pct = 100.0
    bound = float(max_change)
    if pv < MIN_PRICE_VARIATION:
        bound = weak_cap
        why = (
            f"no own price variation in the history (std of log price {pv:.3f} < "
            f"{MIN_PRICE_VARIATION}): the elasticity is only its category prior; moves "
            f"limited to ±{weak_cap * pct:.1f} %"
        )
    elif np.isfinite(r):
        t = (WEAK_WIDTH_SHARE - r) / (WEAK_WIDTH_SHARE - FULL_WIDTH_SHARE)
        bound = weak_cap + (max_change - weak_cap) * float(np.clip(t, 0.0, 1.0))
        ratio = (
            f"90 % interval of the elasticity {width:.2f} wide, {r * pct:.0f} % of its "
            f"category's ({cat_w:.2f})"
        )
        if r >= WEAK_WIDTH_SHARE:
            why = f"weakly identified: {ratio}; moves limited to ±{bound * pct:.1f} %"
        elif r <= FULL_WIDTH_SHARE:
            why = f"well identified: {ratio}; up to the largest change allowed, ±{max_change * pct:.1f} %"
        else:
            why = f"partly identified: {ratio}; moves limited to ±{bound * pct:.1f} %"
    elif flag:
        bound = weak_cap
        why = (
            "weakly identified (flagged by the fit, which records no category interval); "
            f"moves limited to ±{weak_cap * pct:.1f} %"
        )
    else:
        why = (
            f"identified (90 % interval {width:.2f} wide; the fit records no category "
            f"interval): up to the largest change allowed, ±{max_change * pct:.1f} %"
        )
    return bound, why


def identification_bounds(
    estimates: Elasticities,
    skus: pd.Index,
    max_change: float,
    weak_max_change: float = WEAK_MAX_CHANGE,
) -> pd.DataFrame:
    """Largest price change per SKU allowed by how well its elasticity is identified.

    Parameters
    ----------
    estimates : Elasticities
        Per-SKU estimates (``elasticity_low``/``elasticity_high``, ``price_variation``,
        ``weakly_identified`` and, from fits of this version on, ``category_interval_width``).
    skus : pandas.Index
        SKUs to bound (catalog order).
    max_change : float
        The rules' cap (fraction): what a well-identified SKU may use.
    weak_max_change : float
        The bound of a SKU whose elasticity is only its category prior (fraction).

    Returns
    -------
    pandas.DataFrame
        Indexed by SKU: ``max_change_bound`` (fraction, both ways), ``max_raise_bound`` (the
        same here; :func:`safe_prices` raises it for SKUs that sell out their stock anyway),
        ``width_share`` (the SKU's posterior 90 % interval width over its category's
        predictive one; NaN when the fit did not record the category's) and
        ``bound_reason`` (words).

    Notes
    -----
    With ``r = width_share``: a SKU whose price never moved in the history (std of log price
    below :data:`~optimizer.pricing.elasticity_design.MIN_PRICE_VARIATION`) or with ``r >=``
    :data:`~optimizer.pricing.elasticity.WEAK_WIDTH_SHARE` (the model's own flag) gets
    ``weak_max_change``; ``r <=`` :data:`FULL_WIDTH_SHARE` (the data at least halved the
    category's interval) gets ``max_change``; in between the bound is linear in ``r``. A
    point-mass posterior (``r = 0``) is never restricted. Fits without the category's
    interval fall back on the model's ``weakly_identified`` flag.
    """
    f = estimates.frame.reindex(skus)
    weak_cap = min(weak_max_change, max_change)
    width = (f["elasticity_high"] - f["elasticity_low"]).to_numpy(float)
    pv = f["price_variation"].to_numpy(float)
    flag = f["weakly_identified"].eq(True).to_numpy(bool)
    if "category_interval_width" in f.columns:
        cat_w = f["category_interval_width"].to_numpy(float)
    else:
        cat_w = np.full(len(f), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(cat_w > 0, width / cat_w, np.nan)
    bound = np.full(len(f), float(max_change))
    reasons = []
    for i in range(len(f)):
        bound[i], why = _sku_bound(
            pv[i], share[i], width[i], cat_w[i], flag[i], max_change, weak_cap
        )
        reasons.append(why)
    return pd.DataFrame(
        {
            "max_change_bound": bound,
            "max_raise_bound": bound.copy(),
            "width_share": share,
            "bound_reason": reasons,
        },
        index=pd.Index(skus, name="sku"),
    )


def widen_to_rules(problem: PricingProblem, bounds: pd.DataFrame) -> pd.DataFrame:
    """Widen a bound that would leave a SKU no allowed price (its current price breaks a rule)."""
    lad = build_ladder(problem.catalog, problem.rules)
    p0 = problem.catalog.frame["price_incl_vat"].to_numpy(float)
    move = np.where(lad.valid, np.abs(lad.prices / p0[:, None] - 1.0), np.inf).min(axis=1)
    b = bounds["max_change_bound"].to_numpy(float)
    short = move > b + 1e-12
    if not short.any():
        return bounds
    out = bounds.copy()
    need = np.minimum(move[short] * (1 + 1e-9) + 1e-9, problem.rules.max_change)
    out.loc[out.index[short], "max_change_bound"] = need
    up = out.loc[out.index[short], "max_raise_bound"].to_numpy(float)
    out.loc[out.index[short], "max_raise_bound"] = np.maximum(up, need)
    out.loc[out.index[short], "bound_reason"] = [
        f"{r}; widened to ±{n * 100:.1f} % to reach the nearest price the rules allow"
        for r, n in zip(out.loc[out.index[short], "bound_reason"], need, strict=True)
    ]
    return out


def sellout_raises(problem: PricingProblem, bounds: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Let a bounded SKU rise as far as it still sells out its stock in ``1 - alpha`` of draws.

    While the horizon's demand exceeds the stock, units sold are the stock whatever the
    elasticity, so a higher price earns more per unit at no risk from the elasticity. Judged
    on ``problem``'s draws (half A) against the whole horizon's demand multiplier; prices are
    those of the unbounded ladder (every rule holds).
    """
    est = problem.elasticities
    up = bounds["max_raise_bound"].to_numpy(float)
    cap = problem.rules.max_change
    low = np.flatnonzero(up < cap - 1e-12)
    if est.elasticity_draws is None or est.baseline_draws is None or not len(low):
        return bounds
    f = problem.catalog.frame
    lad = build_ladder(problem.catalog, problem.rules)
    p0 = f["price_incl_vat"].to_numpy(float)
    pos = est.skus.get_indexer(f.index)
    ref = est.frame["current_price"].to_numpy(float)[pos]
    total = float(problem.multiplier.sum())
    stock = f["stock"].to_numpy(float)
    best = up.copy()
    step = max(1, 2_000_000 // max(1, est.elasticity_draws.shape[0] * lad.prices.shape[1]))
    for a in range(0, len(low), step):
        i = low[a : a + step]
        prices = np.where(lad.valid[i], lad.prices[i], p0[i, None])  # (k, K)
        e = est.elasticity_draws[:, pos[i]][:, :, None]
        b = est.baseline_draws[:, pos[i]][:, :, None]
        horizon = b * (prices / ref[i, None])[None] ** e * total  # (draws, k, K)
        sure = (horizon >= stock[i, None][None] * (1 - 1e-9)).mean(axis=0) >= 1 - alpha
        rise = np.where(lad.valid[i] & sure & (prices > p0[i, None]), prices / p0[i, None] - 1, 0)
        best[i] = np.maximum(up[i], np.minimum(rise.max(axis=1), cap))
    raised = best > up + 1e-12
    if not raised.any():
        return bounds
    out = bounds.copy()
    out["max_raise_bound"] = best
    out.loc[raised, "bound_reason"] = [
        f"{r}; rises up to +{u * 100:.1f} % allowed: the SKU still sells out its stock there "
        f"in at least {1 - alpha:.0%} of the draws, whatever its elasticity"
        for r, u in zip(out.loc[raised, "bound_reason"], best[raised], strict=True)
    ]
    return out


def feasible_bounds(
    check: PricingProblem, bounds: pd.DataFrame
) -> tuple[pd.DataFrame, PricingProblem]:
    """Relax the bounds toward ``max_change`` until the problem is feasible.

    Hard capacity (or stock without stock-outs) may need prices to move further than the
    identification bounds allow. Every bound is then widened by the same, smallest share
    ``w`` of the way to ``max_change`` that leaves a feasible problem (bisection on ``w`` to
    1/64), and the reasons say so. Raises the plain problem's ``InfeasibleError`` when even
    the unbounded problem is infeasible.
    """
    cap = check.rules.max_change
    b0 = bounds["max_change_bound"].to_numpy(float)
    u0 = bounds["max_raise_bound"].to_numpy(float)

    def attempt(relax: float) -> tuple[pd.DataFrame, PricingProblem] | None:
        out = bounds.copy()
        if relax:
            widened = b0 + relax * (cap - b0)
            moved = widened > b0 + 1e-12
            out["max_change_bound"] = widened
            out["max_raise_bound"] = u0 + relax * (cap - u0)
            out.loc[moved, "bound_reason"] = [
                f"{r}; widened to ±{w * 100:.1f} % because the bounds left the hard capacity "
                "or stock rules without a feasible price list"
                for r, w in zip(out.loc[moved, "bound_reason"], widened[moved], strict=True)
            ]
        problem = bounded_problem(check, out)
        try:
            build_candidates(problem)
        except InfeasibleError:
            if relax >= 1.0:
                raise
            return None
        return out, problem

    found = attempt(0.0)
    if found is not None:
        return found
    best = attempt(1.0)
    assert best is not None  # attempt(1.0) raises when infeasible
    lo, hi = 0.0, 1.0
    while hi - lo > _RELAX_STEP:
        mid = (lo + hi) / 2
        got = attempt(mid)
        if got is None:
            lo = mid
        else:
            hi, best = mid, got
    return best


def bounded_problem(problem: PricingProblem, bounds: pd.DataFrame) -> PricingProblem:
    """``problem`` with the bounds written into its rules as ``sku_max_change``."""
    cap = problem.rules.max_change
    own: dict[str, float | tuple[float, float]] = {}
    for k, down, up in zip(
        bounds.index, bounds["max_change_bound"], bounds["max_raise_bound"], strict=True
    ):
        if min(down, up) < cap - 1e-12:
            own[str(k)] = float(down) if down == up else (float(down), float(up))
    return problem.with_(rules=replace(problem.rules, sku_max_change=own))
