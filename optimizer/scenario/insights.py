"""Where the gain comes from and how sure it is: the bridge, P(gain > 0) and stress tests.

The **bridge** splits the change in contribution after media, from the current plan (today's
media run-rate and prices) to the recommended plan, into four effects that add up exactly, sample
by sample (so each effect has its own interval):

* **media**: margin of the units the new media plan adds (or loses) at today's prices, minus the
  change in media spend;
* **price**: margin per unit at the new prices minus at today's, on the units the recommended
  plan sells;
* **volume and mix**: units won or lost because of the new prices (and the shift between
  products, stock-outs and capacity rationing), valued at today's unit margins;
* **logistics**: change in shipping and picking cost (negative when more units ship).

With ``GM(plan)`` the gross margin after returns, ``L`` logistics and ``X`` media spend, and the
intermediate plan "new media, today's prices" (``m``)::

    media   = GM(m) - GM(current) - (X_new - X_now)
    price   = sum_k units_new_k * (u_new_k - u_now_k)        (u: margin per unit)
    volume  = sum_k (units_new_k - units_m_k) * u_now_k
    logist. = -(L_new - L_now)
    media + price + volume + logist. = contribution_new - contribution_now

**Stress tests** re-evaluate both plans (unchanged) under one assumption moved at a time — price
elasticities, media effect, baseline demand, warehouse capacity, logistics cost — and report the
gain that would remain; the three that move it most are the assumptions that matter most, and a
break-even search tells how far each may move before the recommendation stops paying.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from optimizer.scenario.demand import StoreDemand
from optimizer.scenario.evaluation import PlanEvaluation, evaluate_plan
from optimizer.scenario.plan import Plans

__all__ = [
    "BRIDGE_LINES",
    "STRESSES",
    "BridgePlans",
    "Stress",
    "bridge",
    "bridge_of",
    "bridge_samples",
    "bridge_summary",
    "p_positive",
    "sensitivity",
    "stats",
    "unit_margin",
]

#: Bridge lines in display order.
BRIDGE_LINES = ("media", "price", "volume_mix", "logistics")


def _r(x: float) -> float:
    return round(float(x), 2) + 0.0  # + 0.0: never write -0.0


def stats(v: np.ndarray) -> dict[str, float]:
    """Mean, P10, P50, P90 of per-sample values, EUR to the cent."""
    q = np.quantile(v, [0.1, 0.5, 0.9])
    return {"mean": _r(v.mean()), "p10": _r(q[0]), "p50": _r(q[1]), "p90": _r(q[2])}


def p_positive(v: np.ndarray) -> float:
    """Share of posterior samples with a value above zero (4 decimals)."""
    return round(float(np.mean(np.asarray(v) > 0.0)), 4)


def unit_margin(catalog: pd.DataFrame, prices: np.ndarray) -> np.ndarray:
    """Gross margin per unit shipped, after returns, EUR excl. VAT, shape (K,).

    ``catalog`` is a :class:`~optimizer.data.catalog.Catalog` frame (``vat_rate``,
    ``unit_cost``, ``return_rate``); ``prices`` are incl. VAT, EUR, one per row.
    """
    excl = np.asarray(prices, float) / (1.0 + catalog["vat_rate"].to_numpy(float))
    return (excl - catalog["unit_cost"].to_numpy(float)) * (
        1.0 - catalog["return_rate"].to_numpy(float)
    )


def _unit_margin(demand: StoreDemand, prices: np.ndarray) -> np.ndarray:
    return unit_margin(demand.catalog.frame, prices)


@dataclass(frozen=True, eq=False)
class BridgePlans:
    """The three plans a bridge compares, as units shipped and P&L lines per sample.

    Attributes
    ----------
    units_now, units_mid, units_new : numpy.ndarray
        Units shipped per sample and SKU over the horizon, (S, K): today's plan, the new media
        plan at today's prices, the new plan.
    margin_now, margin_new : numpy.ndarray
        Gross margin per unit at today's and at the new prices, EUR, (K,).
    now, new : dict of str to numpy.ndarray
        P&L lines (``media_total``, ``logistics``, ``contribution``) of today's and the new
        plan, (S,) each, EUR.
    """

    units_now: np.ndarray
    units_mid: np.ndarray
    units_new: np.ndarray
    margin_now: np.ndarray
    margin_new: np.ndarray
    now: dict[str, np.ndarray]
    new: dict[str, np.ndarray]


def bridge_of(p: BridgePlans) -> dict[str, np.ndarray]:
    """Each bridge line and the total per sample (see :func:`bridge_samples`), (S,) each, EUR."""
    spend = p.new["media_total"] - p.now["media_total"]
    media_volume = (p.units_mid - p.units_now) @ p.margin_now
    return {
        "media": media_volume - spend,
        "price": p.units_new @ (p.margin_new - p.margin_now),
        "volume_mix": (p.units_new - p.units_mid) @ p.margin_now,
        "logistics": -(p.new["logistics"] - p.now["logistics"]),
        "total": p.new["contribution"] - p.now["contribution"],
        "media_volume": media_volume,
        "media_spend": -spend,
        "units_media": (p.units_mid - p.units_now).sum(axis=1),
        "units_price": (p.units_new - p.units_mid).sum(axis=1),
    }


def bridge_samples(demand: StoreDemand, plans: Plans) -> dict[str, np.ndarray]:
    """Each bridge line and the total per posterior sample, shape (S,) each, EUR.

    Keys: :data:`BRIDGE_LINES`, ``total`` (the change in contribution), ``media_volume`` and
    ``media_spend`` (the two parts of the media line), ``units_media`` and ``units_price``
    (units won or lost because of media and because of prices).
    """
    cur, new = plans.current, plans.joint
    mid = evaluate_plan(demand, "media_only", new.media, cur.prices)
    return bridge_of(
        BridgePlans(
            units_now=cur.shipments.shipped.sum(axis=1),
            units_mid=mid.shipments.shipped.sum(axis=1),
            units_new=new.shipments.shipped.sum(axis=1),
            margin_now=_unit_margin(demand, cur.prices),
            margin_new=_unit_margin(demand, new.prices),
            now=cur.pnl.lines,
            new=new.pnl.lines,
        )
    )


def bridge(demand: StoreDemand, plans: Plans) -> dict[str, Any]:
    """The contribution bridge from the current plan to the recommended (joint) plan.

    Returns
    -------
    dict
        See :func:`bridge_summary`.
    """
    return bridge_summary(bridge_samples(demand, plans))


def bridge_summary(b: dict[str, np.ndarray]) -> dict[str, Any]:
    """Summarize bridge samples (:func:`bridge_of`).

    Returns
    -------
    dict
        ``lines``: one entry per :data:`BRIDGE_LINES` with mean/P10/P50/P90 (EUR) and
        ``p_positive``; ``total``: the change in contribution (equal to
        ``kpis.contribution.delta``); ``media_detail``: the media line split into the margin of
        media-driven units (``volume``) and the change in spend (``spend``, a cost);
        ``units``: units won or lost because of media and because of prices (means). The line
        means, rounded to the cent, add up exactly to the rounded total (the rounding rest, at
        most a few cents, goes to the largest line).
    """
    lines = {k: {**stats(b[k]), "p_positive": p_positive(b[k])} for k in BRIDGE_LINES}
    # the parts add up sample by sample; make the rounded means add up to the rounded total too
    t = stats(b["total"])
    rest = round(t["mean"] - sum(lines[k]["mean"] for k in BRIDGE_LINES), 2)
    if rest:
        big = max(BRIDGE_LINES, key=lambda k: abs(lines[k]["mean"]))
        lines[big]["mean"] = _r(lines[big]["mean"] + rest)
    return {
        "lines": [{"key": k, **lines[k]} for k in BRIDGE_LINES],
        "total": {**t, "p_positive": p_positive(b["total"])},
        "media_detail": {"volume": stats(b["media_volume"]), "spend": stats(b["media_spend"])},
        "units": {"media": _r(b["units_media"].mean()), "price": _r(b["units_price"].mean())},
    }


# --- stress tests ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Stress:
    """One assumption moved by a factor.

    Attributes
    ----------
    key : str
        Identifier (``elasticity``, ``media``, ``baseline``, ``capacity``, ``logistics_cost``).
    factor : float
        The stressed value as a multiple of the estimate (1 = as estimated).
    worse : str
        Direction of the break-even search: ``up`` (larger factors hurt) or ``down``.
    limit : float
        Furthest factor the break-even search tries.
    """

    key: str
    factor: float
    worse: str
    limit: float


#: The stress tests, each a plausible adverse move of one estimate.
STRESSES = (
    Stress("elasticity", 1.25, "up", 3.0),  # customers 25 % more price-sensitive
    Stress("media", 0.5, "down", 0.0),  # media half as effective as estimated
    Stress("baseline", 0.85, "down", 0.3),  # 15 % less demand without media
    Stress("capacity", 0.85, "down", 0.3),  # warehouse ships 15 % less
    Stress("logistics_cost", 1.25, "up", 3.0),  # shipping and picking 25 % dearer
)


def _stressed(demand: StoreDemand, key: str, f: float) -> StoreDemand:
    if key == "elasticity":
        est = demand.elasticities
        frame = est.frame.copy()
        for col in ("elasticity_mean", "elasticity_low", "elasticity_high"):
            frame[col] = frame[col] * f
        draws = None if est.elasticity_draws is None else est.elasticity_draws * f
        return replace(demand, elasticities=replace(est, frame=frame, elasticity_draws=draws))
    if key == "media":
        return replace(demand, curves=replace(demand.curves, beta=demand.curves.beta * f))
    if key == "baseline":
        return replace(demand, baseline=demand.baseline * f)
    if key == "capacity":
        return replace(demand, capacity=demand.capacity * f)
    if key == "logistics_cost":
        return replace(demand, cost_per_unit=demand.cost_per_unit * f)
    raise ValueError(f"unknown stress '{key}'")


def _gain_fn(demand: StoreDemand, cur: PlanEvaluation, new: PlanEvaluation) -> Callable:
    def gain(key: str, f: float) -> np.ndarray:
        d = _stressed(demand, key, f)
        a = evaluate_plan(d, "current", cur.media, cur.prices).pnl.lines["contribution"]
        b = evaluate_plan(d, "joint", new.media, new.prices).pnl.lines["contribution"]
        return np.asarray(b - a, float)

    return gain


def _break_even(gain: Callable, s: Stress, base: float) -> float | None:
    """Factor at which the mean gain reaches zero, searched from 1 towards ``s.limit``."""
    if base <= 0:
        return 1.0
    lo, hi = 1.0, s.limit
    if float(gain(s.key, hi).mean()) > 0:
        return None  # still pays at the far end of the plausible range
    for _ in range(14):
        mid = 0.5 * (lo + hi)
        if float(gain(s.key, mid).mean()) > 0:
            lo = mid
        else:
            hi = mid
    return round(0.5 * (lo + hi), 3)


def sensitivity(demand: StoreDemand, plans: Plans) -> list[dict[str, Any]]:
    """The recommendation's gain under each stress test, most influential first.

    Returns
    -------
    list of dict
        Per stress: ``key``, ``factor``, ``gain`` (mean/P10/P50/P90 of the stressed gain,
        EUR), ``change`` (stressed mean gain minus the estimated one, EUR), ``p_positive`` and
        ``break_even`` (the factor at which the mean gain falls to zero, ``None`` when it still
        pays at ``limit``, ``1.0`` when it does not pay as estimated), ``limit``.
    """
    cur, new = plans.current, plans.joint
    gain = _gain_fn(demand, cur, new)
    base = float((new.pnl.lines["contribution"] - cur.pnl.lines["contribution"]).mean())
    out: list[dict[str, Any]] = []
    for s in STRESSES:
        g = gain(s.key, s.factor)
        out.append(
            {
                "key": s.key,
                "factor": s.factor,
                "gain": stats(g),
                "change": _r(g.mean() - base),
                "p_positive": p_positive(g),
                "break_even": _break_even(gain, s, base),
                "limit": s.limit,
            }
        )
    out.sort(key=lambda r: -abs(r["change"]))
    return out
