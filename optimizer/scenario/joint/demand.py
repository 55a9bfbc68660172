"""Store demand over the planning horizon: media lifts it, prices shape it per SKU.

Demand of SKU ``k`` in horizon week ``t`` under posterior sample ``s``::

    units[s, t, k] = baseline_units[k] * (p_k / p0_k) ** e[k] * m[s, t]
    m[s, t]        = (B[s, t] + R[s, t](media plan)) / D_ref

where ``B`` is the media-mix model's baseline revenue forecast, ``R`` the incremental revenue
of the media plan (response curves, carry-over included), ``D_ref`` the model's mean fitted
weekly revenue over the history (the "average week" the elasticity model's baseline units refer
to), ``baseline_units`` and ``e`` the elasticity model's estimates (posterior draws paired with
the media-mix samples).

What ships is then limited, week by week, by the stock left of each SKU and by the warehouse
capacity: when demand exceeds capacity the week is rationed (every SKU shipped in the same
proportion) — the plan never counts more units than can ship.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.curves import ResponseCurves
from optimizer.data.catalog import Catalog
from optimizer.pricing.estimates import Elasticities

__all__ = ["Shipments", "StoreDemand", "ship"]


def ship(
    demand: np.ndarray, stock: np.ndarray, logistics_units: np.ndarray, capacity: np.ndarray
) -> Shipments:
    """Ship demand week by week within the stock left and the week's capacity.

    Parameters
    ----------
    demand : numpy.ndarray
        Units demanded, shape (S, T, K).
    stock : numpy.ndarray
        Units on hand at the start, shape (K,).
    logistics_units : numpy.ndarray
        Logistics units per item, shape (K,).
    capacity : numpy.ndarray
        Logistics units that can ship per week, shape (T,).

    Returns
    -------
    Shipments
        Demand beyond the stock left is lost; a week whose load exceeds capacity is rationed
        (every SKU shipped in the same proportion).
    """
    n_s, n_t, _ = demand.shape
    left = np.tile(np.asarray(stock, float), (n_s, 1))
    shipped = np.empty_like(demand)
    lost_cap = np.zeros(n_s)
    lost_stock = np.zeros(n_s)
    for t in range(n_t):
        want = demand[:, t, :]
        can = np.minimum(want, left)
        lost_stock += (want - can).sum(axis=1)
        load = can @ logistics_units
        scale = np.minimum(1.0, capacity[t] / np.maximum(load, 1e-12))
        out = can * scale[:, None]
        lost_cap += (can - out).sum(axis=1)
        shipped[:, t, :] = out
        left = left - out
    return Shipments(
        demand=demand,
        shipped=shipped,
        load=shipped @ logistics_units,
        lost_capacity=lost_cap,
        lost_stock=lost_stock,
    )


@dataclass(frozen=True, eq=False)
class Shipments:
    """Units of a plan, per posterior sample.

    Attributes
    ----------
    demand : numpy.ndarray
        Expected demand, shape (S, T, K).
    shipped : numpy.ndarray
        Units shipped after stock and capacity, shape (S, T, K).
    load : numpy.ndarray
        Logistics units shipped per week, shape (S, T).
    lost_capacity : numpy.ndarray
        Demand not served for lack of capacity, units, shape (S,).
    lost_stock : numpy.ndarray
        Demand not served for lack of stock, units, shape (S,).
    """

    demand: np.ndarray
    shipped: np.ndarray
    load: np.ndarray
    lost_capacity: np.ndarray
    lost_stock: np.ndarray


@dataclass(frozen=True, eq=False)
class StoreDemand:
    """Posterior demand model of the store for one horizon.

    Attributes
    ----------
    weeks : pandas.DatetimeIndex
        Horizon weeks (T).
    curves : ResponseCurves
        Media response (S samples).
    baseline : numpy.ndarray
        Baseline revenue forecast, shape (S, T), EUR per week, paired with ``curves`` samples.
    d_ref : float
        Mean fitted weekly revenue over the history, EUR.
    catalog : Catalog
        Products (K).
    elasticities : Elasticities
        Demand estimates per SKU, aligned to the catalog.
    capacity : numpy.ndarray
        Logistics units that can ship per week, shape (T,).
    cost_per_unit : numpy.ndarray
        EUR excl. VAT per logistics unit shipped, shape (T,).
    sample_ids : numpy.ndarray or None
        Which posterior samples these are, shape (S,) (None: 0..S-1); keeps the pairing of
        media and elasticity draws in a :meth:`subset`.
    """

    weeks: pd.DatetimeIndex
    curves: ResponseCurves
    baseline: np.ndarray
    d_ref: float
    catalog: Catalog
    elasticities: Elasticities
    capacity: np.ndarray
    cost_per_unit: np.ndarray
    sample_ids: np.ndarray | None = None

    def subset(self, samples: np.ndarray) -> StoreDemand:
        """The same demand on some posterior samples (media, baseline and elasticity paired)."""
        ids = np.arange(self.n_samples) if self.sample_ids is None else self.sample_ids
        idx = np.asarray(samples)
        return dataclasses.replace(
            self,
            curves=self.curves.subset(idx),
            baseline=self.baseline[idx],
            sample_ids=ids[idx],
        )

    @property
    def n_samples(self) -> int:
        """Posterior samples S."""
        return int(self.baseline.shape[0])

    def current_media(self) -> np.ndarray:
        """The current plan: run-rate spend every week, shape (T, C), EUR."""
        return np.tile(self.curves.current, (len(self.weeks), 1))

    def multiplier(self, media: np.ndarray) -> np.ndarray:
        """Demand multiplier per sample and week, shape (S, T)."""
        incremental = self.curves.weekly(media).sum(axis=2)
        return np.maximum(self.baseline + incremental, 0.0) / self.d_ref

    def _sku_draws(self) -> tuple[np.ndarray, np.ndarray]:
        """Elasticity and baseline-unit draws paired with the media samples, (S, K) each."""
        f = self.elasticities.frame.loc[self.catalog.skus]
        e_draws = self.elasticities.elasticity_draws
        b_draws = self.elasticities.baseline_draws
        s = self.n_samples
        if e_draws is None or b_draws is None:
            e = np.tile(f["elasticity_mean"].to_numpy(float), (s, 1))
            b = np.tile(f["baseline_units"].to_numpy(float), (s, 1))
            return e, b
        pos = self.elasticities.skus.get_indexer(self.catalog.skus)
        ids = np.arange(s) if self.sample_ids is None else self.sample_ids
        idx = ids % e_draws.shape[0]
        return e_draws[idx][:, pos], b_draws[idx][:, pos]

    def weekly_units(self, prices: np.ndarray) -> np.ndarray:
        """Units per average week at ``prices`` (incl. VAT), per sample, shape (S, K)."""
        e, b = self._sku_draws()
        p0 = self.elasticities.frame.loc[self.catalog.skus, "current_price"].to_numpy(float)
        return b * (np.asarray(prices, float) / p0)[None, :] ** e

    def ship(self, media: np.ndarray, prices: np.ndarray) -> Shipments:
        """Units demanded and shipped for a media plan and a price list.

        Parameters
        ----------
        media : numpy.ndarray
            Spend per week and channel, shape (T, C), EUR.
        prices : numpy.ndarray
            Price incl. VAT per SKU, shape (K,), EUR.
        """
        m = self.multiplier(media)  # (S, T)
        per_week = self.weekly_units(prices)  # (S, K)
        demand = m[:, :, None] * per_week[:, None, :]
        f = self.catalog.frame
        return ship(
            demand,
            f["stock"].to_numpy(float),
            f["logistics_units"].to_numpy(float),
            self.capacity,
        )

    def mean_multiplier(self, media: np.ndarray) -> np.ndarray:
        """Posterior-mean demand multiplier per week, shape (T,)."""
        return self.multiplier(media).mean(axis=0)
