"""Finance P&L of a plan: from units per week and SKU, prices and media spend to contribution.

Conventions (documented for finance in ``docs/scenarios.md``):

* revenue is counted when units ship; prices are the VAT-inclusive shelf prices;
* returns (14-day withdrawal right): a share ``return_rate`` of units, per SKU category, is
  refunded (revenue excl. VAT reversed) and restocked (no COGS); the outbound shipping of a
  returned unit is a sunk cost;
* COGS = kept units x unit cost (excl. VAT);
* logistics = shipped logistics units x cost per unit (EUR excl. VAT) of the week;
* contribution = net revenue excl. VAT - COGS - logistics - media.

Every line is computed per posterior sample so that finance gets P10/P50/P90.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["PNL_LINES", "PnL", "catalog_pnl", "compute_pnl"]

#: P&L lines in display order (media lines are inserted per channel before ``media_total``).
PNL_LINES = (
    "gross_revenue_incl_vat",
    "vat",
    "gross_revenue_excl_vat",
    "returns_excl_vat",
    "net_revenue_excl_vat",
    "cogs",
    "gross_margin",
    "logistics",
    "media_total",
    "contribution",
)

LABELS = {
    "gross_revenue_incl_vat": "Gross revenue incl. VAT",
    "vat": "VAT",
    "gross_revenue_excl_vat": "Gross revenue excl. VAT",
    "returns_excl_vat": "Returns (refunds excl. VAT)",
    "net_revenue_excl_vat": "Net revenue excl. VAT",
    "cogs": "Cost of goods sold",
    "gross_margin": "Gross margin",
    "logistics": "Logistics (shipping + picking)",
    "media_total": "Media, total",
    "contribution": "Contribution after media",
}


@dataclass(frozen=True, eq=False)
class PnL:
    """P&L lines per posterior sample.

    Attributes
    ----------
    lines : dict of str to numpy.ndarray
        Each line over the horizon, shape (S,), EUR. Media lines are ``media_<channel>``.
    units : numpy.ndarray
        Units shipped per sample, shape (S,).
    channels : tuple of str
        Media channels, in order.
    """

    lines: dict[str, np.ndarray]
    units: np.ndarray
    channels: tuple[str, ...]

    @property
    def order(self) -> list[str]:
        """Line names in display order."""
        media = [f"media_{c}" for c in self.channels]
        out = []
        for name in PNL_LINES:
            if name == "media_total":
                out.extend(media)
            out.append(name)
        return out

    def table(self, quantiles: Sequence[float] = (0.1, 0.5, 0.9)) -> pd.DataFrame:
        """One row per line: label, mean and the quantiles (EUR)."""
        rows = []
        for name in self.order:
            v = self.lines[name]
            label = LABELS.get(name, f"Media, {name.removeprefix('media_')}")
            row = {"line": name, "label": label, "mean": float(v.mean())}
            for q in quantiles:
                row[f"p{round(q * 100)}"] = float(np.quantile(v, q))
            rows.append(row)
        return pd.DataFrame(rows)


def compute_pnl(
    units: np.ndarray,
    price_incl_vat: np.ndarray,
    vat_rate: np.ndarray,
    unit_cost: np.ndarray,
    return_rate: np.ndarray,
    logistics_units: np.ndarray,
    cost_per_unit: np.ndarray,
    media: np.ndarray,
    channels: Sequence[str],
) -> PnL:
    """Compute the P&L of a plan.

    Parameters
    ----------
    units : numpy.ndarray
        Units shipped, shape (S, T, K): samples x weeks x SKUs.
    price_incl_vat, vat_rate, unit_cost, return_rate, logistics_units : numpy.ndarray
        Per SKU, shape (K,): price incl. VAT (EUR), VAT rate (fraction), unit cost excl. VAT
        (EUR), return rate (fraction), logistics units per item.
    cost_per_unit : numpy.ndarray
        EUR excl. VAT per logistics unit shipped, shape (T,).
    media : numpy.ndarray
        Media spend, shape (T, C), EUR excl. VAT.
    channels : sequence of str
        Channel names (C).

    Returns
    -------
    PnL
    """
    units = np.asarray(units, float)
    excl = price_incl_vat / (1.0 + vat_rate)
    per_sku = units.sum(axis=1)  # (S, K)
    gross_incl = per_sku @ price_incl_vat
    gross_excl = per_sku @ excl
    returns = per_sku @ (excl * return_rate)
    cogs = per_sku @ (unit_cost * (1.0 - return_rate))
    logistics = np.einsum("stk,k,t->s", units, logistics_units, cost_per_unit)
    media = np.asarray(media, float)
    s = units.shape[0]
    lines: dict[str, np.ndarray] = {
        "gross_revenue_incl_vat": gross_incl,
        "vat": gross_incl - gross_excl,
        "gross_revenue_excl_vat": gross_excl,
        "returns_excl_vat": returns,
        "net_revenue_excl_vat": gross_excl - returns,
        "cogs": cogs,
        "gross_margin": gross_excl - returns - cogs,
        "logistics": logistics,
    }
    for j, c in enumerate(channels):
        lines[f"media_{c}"] = np.full(s, media[:, j].sum())
    lines["media_total"] = np.full(s, media.sum())
    lines["contribution"] = lines["gross_margin"] - logistics - lines["media_total"]
    return PnL(lines=lines, units=units.sum(axis=(1, 2)), channels=tuple(channels))


def catalog_pnl(
    units: np.ndarray,
    prices: np.ndarray,
    catalog: pd.DataFrame,
    cost_per_unit: np.ndarray,
    media: np.ndarray,
    channels: Sequence[str],
) -> PnL:
    """:func:`compute_pnl` with the per-SKU economics read from a catalog frame.

    Parameters
    ----------
    units : numpy.ndarray
        Units shipped, (S, T, K), SKUs in ``catalog`` order.
    prices : numpy.ndarray
        Price incl. VAT per SKU, (K,), EUR.
    catalog : pandas.DataFrame
        :attr:`optimizer.data.catalog.Catalog.frame` (``vat_rate``, ``unit_cost``,
        ``return_rate``, ``logistics_units``).
    cost_per_unit : numpy.ndarray
        EUR excl. VAT per logistics unit shipped, (T,).
    media : numpy.ndarray
        Media spend, (T, C), EUR excl. VAT.
    channels : sequence of str
    """
    return compute_pnl(
        units,
        price_incl_vat=np.asarray(prices, float),
        vat_rate=catalog["vat_rate"].to_numpy(float),
        unit_cost=catalog["unit_cost"].to_numpy(float),
        return_rate=catalog["return_rate"].to_numpy(float),
        logistics_units=catalog["logistics_units"].to_numpy(float),
        cost_per_unit=cost_per_unit,
        media=media,
        channels=channels,
    )
