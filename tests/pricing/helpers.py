"""Small synthetic catalogs and demand estimates for optimizer tests (no sampling)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.data.catalog import Catalog
from optimizer.pricing import Elasticities


def make_catalog(n: int = 6, seed: int = 0, *, stock_scale: float = 3.0) -> Catalog:
    rng = np.random.default_rng(seed)
    price = np.floor(np.exp(rng.uniform(np.log(8), np.log(150), n))) + 0.99
    vat = rng.choice([0.2, 0.055], n, p=[0.8, 0.2])
    cost = np.round(price / (1 + vat) * rng.uniform(0.3, 0.7, n), 2)
    base = rng.lognormal(2.5, 0.6, n)
    frame = pd.DataFrame(
        {
            "category": rng.choice(["Mode", "Maison", "Beauté"], n),
            "price_incl_vat": price,
            "vat_rate": vat,
            "unit_cost": cost,
            "stock": np.round(base * rng.uniform(0.5, stock_scale, n) * 4),
            "logistics_units": rng.choice([0.5, 1.0, 2.0], n),
            "min_price": np.where(rng.random(n) < 0.2, np.floor(price * 0.92) + 0.99, np.nan),
            "max_price": np.where(rng.random(n) < 0.2, np.floor(price * 1.08) + 0.99, np.nan),
            "return_rate": rng.uniform(0.0, 0.3, n),
        },
        index=pd.Index([f"S{i:03d}" for i in range(n)], name="sku"),
    )
    frame["min_price"] = np.where(frame["min_price"] > price, np.nan, frame["min_price"])
    frame["max_price"] = np.where(frame["max_price"] < price, np.nan, frame["max_price"])
    frame["price_excl_vat"] = price / (1 + vat)
    return Catalog(frame=frame, source="synthetic")


def make_elasticities(catalog: Catalog, seed: int = 0) -> Elasticities:
    rng = np.random.default_rng(seed + 1)
    idx = catalog.frame.index
    n = len(idx)
    e = pd.Series(-rng.uniform(0.6, 3.5, n), index=idx)
    base = pd.Series(rng.lognormal(2.5, 0.6, n), index=idx)
    return Elasticities.from_values(e, base, catalog.frame["price_incl_vat"])
