"""What a portfolio run produced: per-shop plans, P&L with intervals, bridge, capacity use.

Every figure is on the held-out posterior samples (the plan was chosen on the other half) and
given as mean, P10, P50 and P90; a change (plan - today) is computed sample by sample, so its
interval is the interval of the difference. Amounts are EUR rounded to the cent so that two
runs of the same portfolio and seeds write identical files, wherever they were computed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from optimizer.data.portfolio import Portfolio
from optimizer.portfolio.evaluate import GroupEvaluation, ShopPlan, total_pnl
from optimizer.portfolio.fit import ShopFit
from optimizer.portfolio.plan import CANDIDATES, BlockPlan
from optimizer.portfolio.prices import PoolPrices
from optimizer.pricing import PricingResult
from optimizer.scenario.insights import BridgePlans, bridge_of, bridge_summary, stats, unit_margin
from optimizer.scenario.joint.demand import StoreDemand
from optimizer.scenario.joint.pnl import PnL

__all__ = ["KPIS", "PortfolioResult", "ShopResult", "assemble"]

#: P&L lines summarized as KPIs, per shop and in total.
KPIS = ("net_revenue_excl_vat", "gross_margin", "logistics", "media_total", "contribution")


@dataclass(frozen=True, eq=False)
class ShopResult:
    """One shop's part of the group plan.

    Attributes
    ----------
    shop, warehouse : str
    channels : tuple of str
    today, plan : ShopPlan
        Today's and the recommended media (T, C) and prices (K,).
    budget_bounds : (float, float)
        The shop's budget range from the group rules, EUR over the horizon.
    pnl_today, pnl_plan : PnL
        Per held-out sample.
    bridge : dict
        From today to the plan: media, price, volume and mix, logistics
        (:func:`~optimizer.scenario.insights.bridge_summary`).
    pricing : PricingResult
        The prices optimized at the group's media plan (kept if the chosen candidate changes
        prices).
    model : dict
        The shop's fit summary (ROAS table, diagnostics, cache use, seed).
    """

    shop: str
    warehouse: str
    channels: tuple[str, ...]
    today: ShopPlan
    plan: ShopPlan
    budget_bounds: tuple[float, float]
    pnl_today: PnL
    pnl_plan: PnL
    bridge: dict[str, Any]
    pricing: PricingResult
    model: dict[str, Any]


@dataclass(frozen=True, eq=False)
class PortfolioResult:
    """The group plan and everything reported about it.

    Attributes
    ----------
    name : str
        The portfolio's display name.
    weeks : pandas.DatetimeIndex
        Horizon.
    budget : float
        Group media budget, EUR excl. VAT over the horizon.
    safe : bool
        Whether the safety rule chose the plan.
    chosen, reason : str
        The candidate kept (``today``, ``media``, ``prices``, ``media and prices``) and why.
    shops : tuple of ShopResult
    pnl_today, pnl_plan : PnL
        The group's, per held-out sample.
    bridge : dict
        The group's bridge (the shops' lines added sample by sample).
    pools : tuple of PoolPrices
        Each warehouse's multipliers, expected load and gap.
    evaluations : dict of str to GroupEvaluation
        Every candidate on the held-out samples.
    selection : pandas.DataFrame
        Per candidate: mean lift, P10, P90, P(loss), safe.
    media_safety : dict
        The safe media planner's summary.
    alone : GroupEvaluation or None
        Each shop planned alone (own budget, share of the capacity), shipped from the shared
        warehouses, on the same samples.
    seeds : dict
        Portfolio seed (sample split, safety rule) and each shop's fit seed.
    inputs_sha256 : dict
        SHA-256 of every input file.
    provenance : dict
        Package version, where it ran, seconds (not part of the figures).
    """

    name: str
    weeks: pd.DatetimeIndex
    budget: float
    safe: bool
    chosen: str
    reason: str
    shops: tuple[ShopResult, ...]
    pnl_today: PnL
    pnl_plan: PnL
    bridge: dict[str, Any]
    pools: tuple[PoolPrices, ...]
    evaluations: dict[str, GroupEvaluation]
    selection: pd.DataFrame
    media_safety: dict[str, Any]
    alone: GroupEvaluation | None
    seeds: dict[str, int]
    inputs_sha256: dict[str, str]
    provenance: dict[str, Any]

    def plans(self) -> dict[str, dict[str, ShopPlan]]:
        """Today's, the group's and (when planned) the shops-alone plans, per shop."""
        out = {
            "today": {s.shop: s.today for s in self.shops},
            "group": {s.shop: s.plan for s in self.shops},
        }
        if self.alone is not None:
            out["alone"] = dict(self.alone.plans)
        return out


def _bridge_samples(
    demand: StoreDemand, shop: str, evals: Mapping[str, GroupEvaluation], chosen: str
) -> dict[str, np.ndarray]:
    """A shop's bridge lines per sample, from today's plan to the chosen one."""
    mid = "media" if CANDIDATES[chosen][0] == "new" else "today"
    now, new = evals["today"], evals[chosen]
    f = demand.catalog.frame
    return bridge_of(
        BridgePlans(
            units_now=now.shipped[shop].sum(axis=1),
            units_mid=evals[mid].shipped[shop].sum(axis=1),
            units_new=new.shipped[shop].sum(axis=1),
            margin_now=unit_margin(f, now.plans[shop].prices),
            margin_new=unit_margin(f, new.plans[shop].prices),
            now=now.pnl[shop].lines,
            new=new.pnl[shop].lines,
        )
    )


def assemble(
    portfolio: Portfolio,
    group: BlockPlan,
    alone: GroupEvaluation | None,
    fits: Mapping[str, ShopFit],
    held: Mapping[str, StoreDemand],
    *,
    safe: bool,
    provenance: dict[str, Any],
) -> PortfolioResult:
    """Gather the group's block plan into a :class:`PortfolioResult`."""
    chosen, evals = group.chosen, group.evaluations
    bounds = portfolio.budget_bounds()
    shops, samples = [], []
    for s in portfolio.shops:
        b = _bridge_samples(held[s.name], s.name, evals, chosen)
        samples.append(b)
        shops.append(
            ShopResult(
                shop=s.name,
                warehouse=s.warehouse,
                channels=held[s.name].curves.channels,
                today=group.plans["today"][s.name],
                plan=group.plans[chosen][s.name],
                budget_bounds=bounds[s.name],
                pnl_today=evals["today"].pnl[s.name],
                pnl_plan=evals[chosen].pnl[s.name],
                bridge=bridge_summary(b),
                pricing=group.pricing[s.name],
                model=fits[s.name].summary,
            )
        )
    total = {k: np.sum([b[k] for b in samples], axis=0) for k in samples[0]}
    return PortfolioResult(
        name=portfolio.name or portfolio.path.parent.name,
        weeks=portfolio.horizon,
        budget=portfolio.budget,
        safe=safe,
        chosen=chosen,
        reason=group.reason,
        shops=tuple(shops),
        pnl_today=total_pnl(evals["today"].pnl),
        pnl_plan=total_pnl(evals[chosen].pnl),
        bridge=bridge_summary(total),
        pools=group.pools,
        evaluations=evals,
        selection=group.selection,
        media_safety=dict(group.media.safety),
        alone=alone,
        seeds={"portfolio": portfolio.seed, **{f"fit {k}": v.seed for k, v in fits.items()}},
        inputs_sha256=portfolio.input_digests(),
        provenance=provenance,
    )


def kpis(today: PnL, plan: PnL) -> dict[str, dict[str, Any]]:
    """Current (today's), plan and change (sample by sample) of each :data:`KPIS` line."""
    out = {}
    for k in KPIS:
        a, b = today.lines[k], plan.lines[k]
        out[k] = {
            "current": stats(a),
            "plan": stats(b),
            "delta": {**stats(b - a), "p_positive": round(float(np.mean(b - a > 0)), 4)},
        }
    return out
