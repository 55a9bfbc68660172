"""A group plan shipped from shared warehouses and accounted per shop, per sample.

Each shop's demand (units per sample, week and SKU) comes from a :class:`UnitsModel`: the
fitted models (:class:`ModelUnits`, posterior samples) or the demo's ground truth
(:class:`TruthUnits`, one sample). What ships is decided per warehouse: the SKUs of all the
shops shipping from it are served from their own stock week by week and, in a week whose
summed load exceeds the warehouse's capacity, every SKU of every shop ships in the same
proportion (:func:`optimizer.scenario.joint.demand.ship` on the shops' SKUs side by side). Each
shop's P&L is then :func:`~optimizer.scenario.joint.pnl.compute_pnl` of its own units, prices and
media, with its warehouse's cost per logistics unit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from optimizer.data.catalog import Catalog
from optimizer.data.demo import GroundTruth
from optimizer.scenario.joint.demand import StoreDemand, ship
from optimizer.scenario.joint.pnl import PnL, catalog_pnl

__all__ = [
    "GroupEvaluation",
    "ModelUnits",
    "Pool",
    "ShopPlan",
    "TruthUnits",
    "UnitsModel",
    "evaluate_group",
    "total_pnl",
]


@dataclass(frozen=True, eq=False)
class ShopPlan:
    """One shop's plan: media per week and channel, one price per SKU.

    Attributes
    ----------
    media : numpy.ndarray
        Spend per week and channel, (T, C), EUR excl. VAT.
    prices : numpy.ndarray
        Price per SKU in catalog order, (K,), EUR incl. VAT.
    """

    media: np.ndarray
    prices: np.ndarray


@dataclass(frozen=True, eq=False)
class Pool:
    """A warehouse's capacity shared by some shops.

    Attributes
    ----------
    name : str
        Warehouse name.
    shops : tuple of str
        Shops shipping from it.
    capacity : numpy.ndarray
        Logistics units it can ship per horizon week, (T,).
    cost_per_unit : numpy.ndarray
        EUR excl. VAT per logistics unit shipped, (T,).
    """

    name: str
    shops: tuple[str, ...]
    capacity: np.ndarray
    cost_per_unit: np.ndarray


class UnitsModel(Protocol):
    """Units demanded by a shop's plan, per sample, week and SKU."""

    def catalog(self, shop: str) -> Catalog:
        """The shop's catalog (SKUs in plan order)."""
        ...

    def channels(self, shop: str) -> tuple[str, ...]:
        """The shop's media channels (plan columns)."""
        ...

    def units(self, shop: str, plan: ShopPlan) -> np.ndarray:
        """Expected demand, (S, T, K) units (S is the same for every shop)."""
        ...


@dataclass(frozen=True, eq=False)
class ModelUnits:
    """Demand under the fitted models: sample ``s`` of every shop is posterior sample ``s``."""

    demands: Mapping[str, StoreDemand]

    def catalog(self, shop: str) -> Catalog:
        """The shop's catalog."""
        return self.demands[shop].catalog

    def channels(self, shop: str) -> tuple[str, ...]:
        """The shop's model channels."""
        return self.demands[shop].curves.channels

    def units(self, shop: str, plan: ShopPlan) -> np.ndarray:
        """Posterior demand, (S, T, K) units."""
        return self.demands[shop].ship(plan.media, plan.prices).demand


@dataclass(frozen=True, eq=False)
class TruthUnits:
    """Demand under the demo's ground truth (one sample): what the plan would really sell."""

    truths: Mapping[str, GroundTruth]
    catalogs: Mapping[str, Catalog]
    channel_names: Mapping[str, tuple[str, ...]]
    weeks: pd.DatetimeIndex

    def catalog(self, shop: str) -> Catalog:
        """The shop's catalog."""
        return self.catalogs[shop]

    def channels(self, shop: str) -> tuple[str, ...]:
        """The shop's channels, in the plans' column order."""
        return tuple(self.channel_names[shop])

    def units(self, shop: str, plan: ShopPlan) -> np.ndarray:
        """True expected demand, (1, T, K) units."""
        truth = self.truths[shop]
        media = pd.DataFrame(plan.media, index=self.weeks, columns=list(self.channels(shop)))
        index = truth.baseline(self.weeks) + truth.media_contribution(media).sum(axis=1).to_numpy()
        prices = pd.Series(plan.prices, index=self.catalogs[shop].skus)
        return truth.expected_units(prices, index).to_numpy()[None, :, :]


@dataclass(frozen=True, eq=False)
class GroupEvaluation:
    """A group plan's outcome, per shop and sample.

    Attributes
    ----------
    name : str
        Which plan (``today``, ``group``...).
    plans : dict of str to ShopPlan
        Per shop.
    shipped : dict of str to numpy.ndarray
        Units shipped per shop, (S, T, K).
    pnl : dict of str to PnL
        Per shop.
    load : dict of str to numpy.ndarray
        Logistics units shipped per warehouse, (S, T).
    demand_load : dict of str to numpy.ndarray
        Logistics units the stock could serve per warehouse, before the capacity, (S, T).
    """

    name: str
    plans: dict[str, ShopPlan]
    shipped: dict[str, np.ndarray]
    pnl: dict[str, PnL]
    load: dict[str, np.ndarray]
    demand_load: dict[str, np.ndarray]

    def contribution(self) -> np.ndarray:
        """Group contribution after media per sample, (S,), EUR."""
        return np.sum([p.lines["contribution"] for p in self.pnl.values()], axis=0)


def _pool_shipments(
    model: UnitsModel, plans: Mapping[str, ShopPlan], pool: Pool
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Ship a warehouse's shops side by side: units per shop, shipped and servable load."""
    units, stock, lu, sizes = [], [], [], []
    for shop in pool.shops:
        f = model.catalog(shop).frame
        units.append(model.units(shop, plans[shop]))
        stock.append(f["stock"].to_numpy(float))
        lu.append(f["logistics_units"].to_numpy(float))
        sizes.append(len(f))
    lu_all = np.concatenate(lu)
    sh = ship(np.concatenate(units, axis=2), np.concatenate(stock), lu_all, pool.capacity)
    bounds = np.cumsum([0, *sizes])
    per_shop = {s: sh.shipped[:, :, bounds[i] : bounds[i + 1]] for i, s in enumerate(pool.shops)}
    demand_load = _servable_load(np.concatenate(units, axis=2), np.concatenate(stock), lu_all)
    return per_shop, sh.load, demand_load


def _servable_load(units: np.ndarray, stock: np.ndarray, lu: np.ndarray) -> np.ndarray:
    """Load the stock could serve per sample and week with no capacity limit, (S, T)."""
    free = ship(units, stock, lu, np.full(units.shape[1], np.inf))
    return free.load


def evaluate_group(
    model: UnitsModel,
    plans: Mapping[str, ShopPlan],
    pools: tuple[Pool, ...],
    name: str = "plan",
) -> GroupEvaluation:
    """Ship and account a group plan.

    Parameters
    ----------
    model : UnitsModel
        Demand per shop (the fitted models or the truth).
    plans : mapping of str to ShopPlan
        Every shop's media and prices.
    pools : tuple of Pool
        The warehouses and the shops each ships for (every shop in exactly one).
    name : str
        Name of the plan.

    Returns
    -------
    GroupEvaluation
    """
    shipped: dict[str, np.ndarray] = {}
    load, demand_load = {}, {}
    pnl = {}
    for pool in pools:
        per_shop, load[pool.name], demand_load[pool.name] = _pool_shipments(model, plans, pool)
        for shop, units in per_shop.items():
            f = model.catalog(shop).frame
            plan = plans[shop]
            shipped[shop] = units
            pnl[shop] = catalog_pnl(
                units, plan.prices, f, pool.cost_per_unit, plan.media, model.channels(shop)
            )
    order = [s for pool in pools for s in pool.shops]
    return GroupEvaluation(
        name=name,
        plans={s: plans[s] for s in order},
        shipped={s: shipped[s] for s in order},
        pnl={s: pnl[s] for s in order},
        load=load,
        demand_load=demand_load,
    )


def total_pnl(pnl: Mapping[str, PnL]) -> PnL:
    """The group's P&L: every line summed over the shops sample by sample.

    Media lines keep one line per shop and channel (``media_<shop>/<channel>``).
    """
    shops = list(pnl)
    lines: dict[str, np.ndarray] = {}
    channels: list[str] = []
    for shop in shops:
        p = pnl[shop]
        for key, v in p.lines.items():
            if key.startswith("media_") and key != "media_total":
                lines[f"media_{shop}/{key.removeprefix('media_')}"] = v
            else:
                lines[key] = lines.get(key, np.zeros_like(v)) + v
        channels.extend(f"{shop}/{c}" for c in p.channels)
    units = np.sum([pnl[s].units for s in shops], axis=0)
    return PnL(lines=lines, units=units, channels=tuple(channels))
