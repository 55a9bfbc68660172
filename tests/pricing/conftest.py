from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from optimizer.cli import cli

TRUE_ELASTICITY = {"A1": -2.5, "A2": -1.5, "B1": -1.2, "B2": -3.0, "B3": -2.0}
FIXED_PRICE = "B3"  # never changes price: its elasticity can only come from pooling


@pytest.fixture(scope="session")
def tiny_store(tmp_path_factory) -> Path:
    """Five SKUs, 40 weeks, known elasticities, one stock-out spell, one fixed-price SKU."""
    rng = np.random.default_rng(42)
    d = tmp_path_factory.mktemp("tiny_store")
    skus = list(TRUE_ELASTICITY)
    price = {"A1": 29.99, "A2": 49.99, "B1": 12.99, "B2": 89.99, "B3": 19.99}
    catalog = pd.DataFrame(
        {
            "sku": skus,
            "category": ["Mode", "Mode", "Maison", "Maison", "Maison"],
            "price_incl_vat": [price[s] for s in skus],
            "vat_rate": 0.2,
            "unit_cost": [round(price[s] / 1.2 * 0.4, 2) for s in skus],
            "stock": [400, 300, 500, 200, 300],
            "logistics_units": [1.0, 1.0, 0.5, 2.0, 1.0],
        }
    )
    catalog.to_csv(d / "catalog.csv", index=False)
    weeks = pd.date_range("2025-01-06", periods=40, freq="7D")
    season = 1 + 0.2 * np.sin(np.arange(40) / 40 * 2 * np.pi)
    rows = []
    for s in skus:
        rel = np.exp(rng.uniform(-0.25, 0.1, 40)) if s != FIXED_PRICE else np.ones(40)
        p = np.round(price[s] * rel, 2)
        lam = 40 * season * rel ** TRUE_ELASTICITY[s]
        units = rng.poisson(lam)
        in_stock = np.ones(40, bool)
        if s == "A2":
            in_stock[10:13] = False
            units[10:13] = 0
        for w, pp, u, st in zip(weeks, p, units, in_stock, strict=True):
            rows.append((w.strftime("%Y-%m-%d"), s, pp, int(u), 0, int(st)))
    pd.DataFrame(rows, columns=["week", "sku", "price_paid", "units", "promo", "in_stock"]).to_csv(
        d / "sales.csv", index=False
    )
    return d


@pytest.fixture(scope="session")
def tiny_fit(tiny_store, tmp_path_factory) -> Path:
    """The one real MCMC fit of the default suite, through the CLI (short nutpie chains)."""
    out = tmp_path_factory.mktemp("fit") / "el"
    res = CliRunner().invoke(
        cli,
        [
            "pricing",
            "fit",
            "--sales",
            str(tiny_store / "sales.csv"),
            "--catalog",
            str(tiny_store / "catalog.csv"),
            "--out",
            str(out),
            "--draws",
            "300",
            "--tune",
            "300",
        ],
    )
    assert res.exit_code == 0, res.output
    return out
