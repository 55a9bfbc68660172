"""A plan under the model: shipped and accounted per sample, and the media problem at its prices.

:func:`evaluate_plan` ships a media and price plan within stock and capacity and accounts it
(every posterior sample); the other functions value a euro of media revenue at a price list
(margin, logistics, capacity shadow prices) to build the media problem the planner solves.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from optimizer.allocation import AllocationProblem, Risk
from optimizer.pricing import PriceRules, PricingProblem, PricingResult
from optimizer.scenario.demand import Shipments, StoreDemand
from optimizer.scenario.pnl import PnL, catalog_pnl

__all__ = [
    "PlanEvaluation",
    "allocation_problem_at",
    "capacity_weights",
    "default_problems",
    "evaluate_plan",
    "media_problem_at",
    "new_prices",
    "pricing_problem_at",
    "problem_at_prices",
]


@dataclass(frozen=True, eq=False)
class PlanEvaluation:
    """A plan and its outcome under the model.

    Attributes
    ----------
    name : str
        ``current``, ``separate`` or ``joint``.
    media : numpy.ndarray
        Spend per week and channel, shape (T, C), EUR.
    prices : numpy.ndarray
        Price incl. VAT per SKU, shape (K,), EUR.
    shipments : Shipments
        Units per sample, week and SKU.
    pnl : PnL
        P&L per posterior sample.
    media_revenue : numpy.ndarray
        Incremental revenue of the media plan per sample (EUR, at history prices), shape (S,).
    """

    name: str
    media: np.ndarray
    prices: np.ndarray
    shipments: Shipments
    pnl: PnL
    media_revenue: np.ndarray

    @property
    def contribution(self) -> float:
        """Posterior-mean contribution after media, EUR."""
        return float(self.pnl.lines["contribution"].mean())


def evaluate_plan(
    demand: StoreDemand, name: str, media: np.ndarray, prices: np.ndarray
) -> PlanEvaluation:
    """Ship and account a plan under the model (every posterior sample)."""
    sh = demand.ship(media, prices)
    pnl = catalog_pnl(
        sh.shipped,
        prices,
        demand.catalog.frame,
        demand.cost_per_unit,
        media,
        demand.curves.channels,
    )
    rev = demand.curves.weekly(media).sum(axis=(1, 2))
    return PlanEvaluation(name, np.asarray(media, float), np.asarray(prices, float), sh, pnl, rev)


def _rates(demand: StoreDemand, prices: np.ndarray) -> tuple[float, float, float, float]:
    """Value of one EUR of media revenue at these prices: (margin, logistics, load, units).

    Returns, per EUR of the media-mix model's revenue (one EUR raises the demand multiplier by
    ``1 / D_ref``): contribution margin before logistics (net of returns, excl. VAT), logistics
    cost, logistics units and units, all for an average week.
    """
    f = demand.catalog.frame
    u = demand.weekly_units(prices).mean(axis=0)  # (K,)
    p = np.asarray(prices, float)
    excl = p / (1.0 + f["vat_rate"].to_numpy(float))
    rr = f["return_rate"].to_numpy(float)
    cost = f["unit_cost"].to_numpy(float)
    lu = f["logistics_units"].to_numpy(float)
    margin = float(u @ ((excl - cost) * (1.0 - rr))) / demand.d_ref
    load = float(u @ lu) / demand.d_ref
    logistics = load * float(np.mean(demand.cost_per_unit))
    return margin, logistics, load, float(u.sum()) / demand.d_ref


def problem_at_prices(
    base: AllocationProblem, demand: StoreDemand, prices: np.ndarray, weights: np.ndarray | None
) -> AllocationProblem:
    """The media problem with a euro of revenue valued at ``prices`` and per-week ``weights``.

    Its margin and variable-cost rates are those the prices imply (:func:`_rates`);
    ``weights`` (capacity weights, one per week; None: every week counts fully).
    """
    margin, logistics, _, _ = _rates(demand, prices)
    margin = float(np.clip(margin, 1e-6, 1.0))
    logistics = float(np.clip(logistics, 0.0, margin * 0.999))
    kwargs: dict[str, Any] = {"margin_rate": margin, "variable_cost_rate": logistics}
    if weights is not None:
        kwargs["week_weights"] = tuple(float(w) for w in weights)
    return replace(base, **kwargs)


def pricing_problem_at(
    base: PricingProblem, demand: StoreDemand, media: np.ndarray
) -> PricingProblem:
    """The price problem at a media plan (its mean demand multiplier, every sample)."""
    return base.with_(demand_multiplier=demand.mean_multiplier(media))


def capacity_weights(
    demand: StoreDemand, prices: np.ndarray, pricing: PricingResult | None
) -> np.ndarray:
    """Per-week value of media revenue relative to an unconstrained week, in [0, 1].

    A week whose capacity binds carries a shadow price ``lam_t`` (EUR per logistics unit) from
    the price step; one EUR of media revenue there earns ``margin - logistics - lam_t * load``.
    """
    margin, logistics, load, _ = _rates(demand, prices)
    n_t = len(demand.weeks)
    lam = np.zeros(n_t)
    if pricing is not None:
        for name, value in pricing.multipliers.items():
            if name.startswith("capacity_week_"):
                t = int(name.rsplit("_", 1)[1]) - 1
                if 0 <= t < n_t:
                    lam[t] = max(float(value), 0.0)
    net = margin - logistics
    if net <= 0:
        return np.zeros(n_t)
    return np.clip((net - lam * load) / net, 0.0, 1.0)


def allocation_problem_at(
    base: AllocationProblem,
    demand: StoreDemand,
    prices: np.ndarray,
    pricing: PricingResult | None,
) -> AllocationProblem:
    """The media problem valued at a price list, with its capacity weights (for frontiers)."""
    return problem_at_prices(base, demand, prices, capacity_weights(demand, prices, pricing))


def media_problem_at(
    base: AllocationProblem, demand: StoreDemand, prices: np.ndarray
) -> AllocationProblem:
    """The media problem valued at a price list, blind to capacity (the separate plan's step)."""
    return problem_at_prices(base, demand, prices, None)


def new_prices(result: PricingResult, demand: StoreDemand) -> np.ndarray:
    """The new prices incl. VAT of a pricing result in catalog order, EUR, shape (K,)."""
    p = result.prices.set_index("sku") if "sku" in result.prices.columns else result.prices
    return p.loc[demand.catalog.skus, "new_price_incl_vat"].to_numpy(float)


def default_problems(
    demand: StoreDemand,
    *,
    budget: float,
    rules: PriceRules,
    allocation_kwargs: dict[str, Any] | None = None,
    pricing_kwargs: dict[str, Any] | None = None,
    risk: Risk | None = None,
) -> tuple[AllocationProblem, PricingProblem]:
    """Problems with the store's defaults, for notebooks and tests."""
    a = AllocationProblem(
        budget=budget,
        n_weeks=len(demand.weeks),
        start=pd.Timestamp(demand.weeks[0]).date(),
        objective="contribution",
        margin_rate=0.5,
        variable_cost_rate=0.0,
        risk=risk or Risk(),
        **(allocation_kwargs or {}),
    )
    p = PricingProblem(
        catalog=demand.catalog,
        elasticities=demand.elasticities,
        capacity=demand.capacity,
        rules=rules,
        logistics_cost=float(np.mean(demand.cost_per_unit)),
        net_of_returns=True,
        **(pricing_kwargs or {}),
    )
    return a, p
