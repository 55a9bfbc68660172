"""Large synthetic catalog and sales files, to check that loading scales (tests, benchmarks).

Unlike :mod:`optimizer.data.demo`, these files carry no ground truth: they only have the shape
of a big store's exports (many SKUs, many weeks) and are written row by row, so that even a
1M-row file costs little memory to produce.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["write_scale_catalog", "write_scale_sales"]

_CATEGORIES = ("Mode femme", "Mode homme", "Maison", "Beauté", "Sport", "Enfant", "High-tech")


def write_scale_catalog(path: str | Path, skus: int, seed: int = 0) -> list[str]:
    """Write a valid catalog CSV of ``skus`` products.

    Parameters
    ----------
    path : str or Path
        Destination CSV file.
    skus : int
        Number of products.
    seed : int
        Random seed (prices, costs, stock).

    Returns
    -------
    list of str
        The SKU identifiers, in file order.
    """
    rng = np.random.default_rng(seed)
    ids = [f"SKU-{i:06d}" for i in range(skus)]
    price = np.round(rng.uniform(5, 300, skus), 2)  # EUR incl. VAT
    cost = np.round(price / 1.2 * rng.uniform(0.2, 0.7, skus), 2)  # EUR excl. VAT
    stock = rng.integers(0, 500, skus)
    cat = rng.integers(0, len(_CATEGORIES), skus)
    with Path(path).open("w", encoding="utf-8") as fh:
        fh.write("sku,category,price_incl_vat,vat_rate,unit_cost,stock,logistics_units\n")
        fh.writelines(
            f"{ids[i]},{_CATEGORIES[cat[i]]},{price[i]},0.2,{cost[i]},{stock[i]},1\n"
            for i in range(skus)
        )
    return ids


def write_scale_sales(
    path: str | Path, skus: list[str], rows: int, *, weeks: int = 100, seed: int = 0
) -> int:
    """Write a valid weekly sales history CSV of about ``rows`` rows.

    Parameters
    ----------
    path : str or Path
        Destination CSV file.
    skus : list of str
        Catalog SKUs to draw from (``rows // weeks`` of them are sold, every week).
    rows : int
        Target number of rows (rounded down to a multiple of ``weeks``).
    weeks : int
        Consecutive Monday weeks, from 2023-01-02.
    seed : int
        Random seed (units, prices, promos, chosen SKUs).

    Returns
    -------
    int
        Number of data rows written.
    """
    rng = np.random.default_rng(seed)
    n_sku = rows // weeks
    if n_sku > len(skus):
        raise ValueError(f"{rows} rows over {weeks} weeks need {n_sku} SKUs; got {len(skus)}.")
    chosen = [skus[j] for j in rng.choice(len(skus), n_sku, replace=False)]
    dates = np.datetime64("2023-01-02") + 7 * np.arange(weeks)
    with Path(path).open("w", encoding="utf-8") as fh:
        fh.write("week,sku,price_paid,units,promo,in_stock\n")
        for day in dates:
            units = rng.poisson(3.0, n_sku)
            price = np.round(rng.uniform(5, 300, n_sku), 2)  # EUR incl. VAT
            promo = (rng.random(n_sku) < 0.1).astype(int)
            fh.writelines(
                f"{day},{s},{price[k]},{units[k]},{promo[k]},1\n" for k, s in enumerate(chosen)
            )
    return n_sku * weeks
