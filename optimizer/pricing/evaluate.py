"""Economics of a price list: sell-through against stock, margin, revenue, logistics load.

Shared by the optimizer (for every candidate price) and by evaluations under another demand
model (e.g. the demo store's true demand), so both count money the same way.

Sales are ``min(demand, stock)``, consumed week by week: a SKU sells its weekly demand until
its stock runs out; demand beyond the stock is lost (reported as ``lost_units``), it is never
hidden by capping the expected units. Given a weekly capacity, :func:`evaluate_prices` also
rations each overloaded week in proportion (every SKU ships the same share; what does not ship
is lost and stays in stock), as the store does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.data.catalog import Catalog

__all__ = ["Evaluation", "evaluate_prices", "sell_through", "unit_economics"]


def sell_through(demand: np.ndarray, stock: np.ndarray) -> np.ndarray:
    """Units sold per week when demand is served from stock, first come first served.

    Parameters
    ----------
    demand : numpy.ndarray
        Expected demand in units, weeks on the last axis, shape ``(n_skus, ..., n_weeks)``.
    stock : numpy.ndarray
        Units on hand per SKU, shape ``(n_skus,)``.

    Returns
    -------
    numpy.ndarray
        Units sold per week, same shape as ``demand``; sums to ``min(demand.sum(-1), stock)``.
    """
    cum = np.cumsum(demand, axis=-1)
    s = np.asarray(stock, float).reshape((-1,) + (1,) * (demand.ndim - 1))
    capped = np.minimum(cum, s)
    out = np.diff(capped, axis=-1, prepend=0.0)
    return out


def unit_economics(
    catalog: Catalog,
    prices: np.ndarray,
    *,
    logistics_cost: float = 0.0,
    net_of_returns: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Revenue and margin per unit sold at given prices.

    Parameters
    ----------
    catalog : Catalog
        VAT, unit cost (EUR excl. VAT), logistics units and return rate per SKU.
    prices : numpy.ndarray
        Prices incl. VAT (EUR), shape ``(n_skus,)`` or ``(n_skus, n_points)``.
    logistics_cost : float
        EUR excl. VAT per logistics unit shipped.
    net_of_returns : bool
        Net of returns: a returned unit is refunded and restocked, its shipping is lost.

    Returns
    -------
    revenue, margin : numpy.ndarray
        EUR excl. VAT per unit sold, shape of ``prices``.
    """
    f = catalog.frame
    shape = (-1,) + (1,) * (np.ndim(prices) - 1)
    vat = f["vat_rate"].to_numpy(float).reshape(shape)
    cost = f["unit_cost"].to_numpy(float).reshape(shape)
    lu = f["logistics_units"].to_numpy(float).reshape(shape)
    keep = 1.0 - f["return_rate"].to_numpy(float).reshape(shape) if net_of_returns else 1.0
    p_ht = prices / (1.0 + vat)
    revenue = p_ht * keep
    margin = (p_ht - cost) * keep - logistics_cost * lu
    return revenue, margin


@dataclass(frozen=True, eq=False)
class Evaluation:
    """A price list evaluated under a demand model.

    Attributes
    ----------
    frame : pandas.DataFrame
        Per SKU: ``price_incl_vat``, ``demand`` and ``units`` (sold) over the horizon,
        ``lost_units`` (demand above stock), ``rationed_units`` (not shipped for lack of
        capacity; 0 without a capacity), ``revenue_excl_vat`` and ``margin`` (EUR).
    load : numpy.ndarray
        Logistics units shipped per horizon week.
    demand_load : numpy.ndarray or None
        Logistics units that would ship per week without a capacity limit (``None`` when no
        capacity was given: same as ``load``).
    """

    frame: pd.DataFrame
    load: np.ndarray
    demand_load: np.ndarray | None = None

    @property
    def margin(self) -> float:
        """Total margin over the horizon (EUR excl. VAT)."""
        return float(self.frame["margin"].sum())

    @property
    def revenue(self) -> float:
        """Total revenue over the horizon (EUR excl. VAT)."""
        return float(self.frame["revenue_excl_vat"].sum())


def evaluate_prices(
    catalog: Catalog,
    prices: pd.Series,
    weekly_demand: np.ndarray,
    *,
    logistics_cost: float = 0.0,
    net_of_returns: bool = False,
    capacity: np.ndarray | None = None,
) -> Evaluation:
    """Sales, margin and logistics load of a price list under a demand model.

    Parameters
    ----------
    catalog : Catalog
        The catalog (stock, costs, VAT, logistics units).
    prices : pandas.Series
        Price incl. VAT per catalog SKU (EUR).
    weekly_demand : numpy.ndarray
        Expected demand at those prices, units, shape ``(n_skus, n_weeks)``, catalog order.
    logistics_cost : float
        EUR excl. VAT per logistics unit shipped.
    net_of_returns : bool
        See :func:`unit_economics`.
    capacity : numpy.ndarray or None
        Logistics units that can ship per week, shape ``(n_weeks,)``. Given: week by week,
        demand is served from the stock left, then a week whose load exceeds capacity ships
        every SKU in the same proportion; rationed units are lost sales and stay in stock.
        ``None``: no capacity limit.

    Returns
    -------
    Evaluation
    """
    f = catalog.frame
    p = prices.reindex(f.index).to_numpy(float)
    wd = np.asarray(weekly_demand, float)
    stock = f["stock"].to_numpy(float)
    lu = f["logistics_units"].to_numpy(float)
    rationed = np.zeros(len(f))
    demand_load = None
    if capacity is None:
        sold = sell_through(wd, stock)
    else:
        cap = np.asarray(capacity, float)
        sold = np.empty_like(wd)
        left = stock.copy()
        demand_load = np.empty(wd.shape[1])
        for t in range(wd.shape[1]):
            can = np.minimum(wd[:, t], left)
            demand_load[t] = can @ lu
            share = min(1.0, cap[t] / demand_load[t]) if demand_load[t] > 0 else 1.0
            sold[:, t] = can * share
            rationed += can - sold[:, t]
            left -= sold[:, t]
    units = sold.sum(axis=1)
    rev, mar = unit_economics(
        catalog, p, logistics_cost=logistics_cost, net_of_returns=net_of_returns
    )
    demand = np.asarray(weekly_demand, float).sum(axis=1)
    frame = pd.DataFrame(
        {
            "price_incl_vat": p,
            "demand": demand,
            "units": units,
            "lost_units": demand - units - rationed,
            "rationed_units": rationed,
            "revenue_excl_vat": units * rev,
            "margin": units * mar,
        },
        index=f.index,
    )
    load = (sold * lu[:, None]).sum(axis=0)
    return Evaluation(frame=frame, load=load, demand_load=demand_load)
