"""Prices of the demo catalog: optimal prices under the truth, today's prices, price endings."""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.data.catalog import default_return_rate
from optimizer.data.demo.constants import LOGISTICS_COST, MIN_COST_SHARE, MISPRICED_SHARE

__all__ = ["optimal_price_excl_vat", "price_ending", "priced_catalog"]


def optimal_price_excl_vat(
    unit_cost: np.ndarray, elasticity: np.ndarray, logistics: np.ndarray, return_rate: np.ndarray
) -> np.ndarray:
    """Margin-maximizing price excl. VAT of a constant-elasticity demand.

    With units ``u(x) ~ x ** e`` and a contribution per unit ``(x - c) * (1 - r) - L`` (price
    ``x`` excl. VAT, unit cost ``c``, return rate ``r``, logistics cost ``L`` per item), the
    optimum is ``x* = e / (1 + e) * (c + L / (1 - r))`` (``e < -1``).
    """
    e = np.asarray(elasticity, float)
    return e / (1.0 + e) * (np.asarray(unit_cost) + np.asarray(logistics) / (1 - return_rate))


def priced_catalog(skus: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Optimal prices, unit costs and today's prices: most near the optimum, a minority off.

    ``skus["ref_price"]`` holds a price level drawn in the category's range; the SKU's optimal
    price is that level (raised where the cost would be under :data:`MIN_COST_SHARE`), its unit
    cost the one that makes it optimal, and today's price the optimum within +/-2.5 % for most
    SKUs, 12 % to 25 % above or below it for :data:`MISPRICED_SHARE` of them.
    """
    rng = np.random.default_rng([seed, 17])  # own stream: the rest of the store is unchanged
    vat = skus["vat_rate"].to_numpy(float)
    e = skus["elasticity"].to_numpy(float)
    lu = skus["logistics_units"].to_numpy(float)
    rr = np.array([default_return_rate(c) for c in skus["category"]])
    per_item = lu * LOGISTICS_COST / (1 - rr)  # logistics per kept item, EUR excl. VAT
    k = (1 + e) / e  # cost share of the optimal price, before logistics
    x_opt = skus["ref_price"].to_numpy(float) / (1 + vat)
    x_opt = np.maximum(x_opt, per_item / (k - MIN_COST_SHARE))
    cost = np.round(k * x_opt - per_item, 2)
    p_opt = x_opt * (1 + vat)
    off = rng.random(len(skus)) < MISPRICED_SHARE
    gap = np.where(
        off,
        np.where(rng.random(len(skus)) < 0.5, -1.0, 1.0) * rng.uniform(0.12, 0.25, len(skus)),
        rng.normal(0.0, 0.0125, len(skus)).clip(-0.025, 0.025),
    )
    out = skus.copy()
    out["unit_cost"] = cost
    out["optimal_price"] = np.round(p_opt, 2)
    out["ref_price"] = price_ending(p_opt * (1 + gap))
    out["mispriced"] = off
    return out


def price_ending(p: np.ndarray) -> np.ndarray:
    """Round prices incl. VAT to a ``,99`` or ``,90`` ending (``,90`` above 100 EUR)."""
    p = np.asarray(p, float)
    return np.where(p >= 100, np.floor(p) + 0.90, np.maximum(np.floor(p) + 0.99, 0.99))
