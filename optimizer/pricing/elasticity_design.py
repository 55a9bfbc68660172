"""Design of the elasticity model: the sales rows as arrays, and which parameters to centre.

:func:`design` turns a sales history and a catalog into the arrays every fitting method uses
(one row per in-stock (week, SKU), log price centred on the SKU's median price paid);
:func:`centring` chooses, from a pilot Poisson fit, which SKU and category parameters the PyMC
graph (:mod:`optimizer.pricing.elasticity_graph`) samples centred.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from optimizer.data.catalog import Catalog
from optimizer.data.sales import SalesHistory
from optimizer.errors import DataError

__all__ = ["LEVEL_PRIOR_SHAPE", "MIN_PRICE_VARIATION", "centring", "design", "split_centring"]

#: Std of log price below which a SKU's own data cannot inform its elasticity.
MIN_PRICE_VARIATION = 0.02
#: Shape of the Gamma prior on each SKU level (its rate makes the prior mean the catalog mean).
LEVEL_PRIOR_SHAPE = 1.0


def design(sales: SalesHistory, catalog: Catalog, max_weeks: int | None) -> dict[str, Any]:
    """Model arrays from the in-stock, priced sales rows of catalog SKUs.

    Parameters
    ----------
    sales : SalesHistory
        Weekly prices paid incl. VAT, units, promo and in-stock flags.
    catalog : Catalog
        Current prices and categories.
    max_weeks : int or None
        Keep the last ``max_weeks`` weeks of history only.

    Returns
    -------
    dict
        ``skus``, ``weeks``, ``categories`` (indexes), per row ``sku_idx``, ``week_idx``, ``x``
        (log price over the SKU's reference), ``promo``, ``y`` (units); per SKU ``cat_of_sku``,
        ``price_variation`` (std of ``x``), ``current_price`` (EUR incl. VAT), ``log_cur_ref``;
        ``level_rate`` (rate of the Gamma prior on the SKU levels).

    Raises
    ------
    DataError
        No SKU of the history in the catalog, or no usable row.
    """
    f = sales.frame
    known = f["sku"].isin(catalog.frame.index)
    if not known.any():
        raise DataError(
            f"{sales.source}: no SKU of the sales history is in the catalog ({catalog.source}); "
            "check that both files use the same SKU codes."
        )
    f = f[known & f["in_stock"] & (f["price_paid"] > 0)]
    if max_weeks is not None:
        f = f[f["week"] >= f["week"].max() - pd.Timedelta(weeks=max_weeks - 1)]
    present = set(f["sku"])
    skus = pd.Index([s for s in catalog.frame.index if s in present], name="sku")
    if len(skus) == 0:
        raise DataError(f"{sales.source}: no in-stock week with a price; nothing to fit.")
    weeks = pd.DatetimeIndex(sorted(f["week"].unique()))
    cats = sorted(catalog.frame.loc[skus, "category"].unique())
    s_idx = skus.get_indexer(f["sku"])
    cur = catalog.frame.loc[skus, "price_incl_vat"].to_numpy(float)
    n = len(skus)
    logp = np.log(f["price_paid"].to_numpy(float))
    # reference price = the SKU's median price paid: centres x so that level and elasticity
    # decorrelate (the current price is often at one end of the history's prices)
    log_ref = pd.Series(logp).groupby(s_idx).median().reindex(range(n)).to_numpy()
    x = logp - log_ref[s_idx]
    y = np.round(f["units"].to_numpy(float)).astype(np.int64)
    var = pd.Series(x).groupby(s_idx).std().reindex(range(n)).fillna(0.0).to_numpy()
    return {
        "skus": skus,
        "weeks": weeks,
        "categories": cats,
        "sku_idx": s_idx,
        "cat_of_sku": pd.Index(cats).get_indexer(catalog.frame.loc[skus, "category"]),
        "week_idx": weeks.get_indexer(pd.DatetimeIndex(f["week"])),
        "x": x,
        "promo": f["promo"].to_numpy(float),
        "y": y,
        "price_variation": var,
        "current_price": cur,
        # log(current / reference): moves baseline units from the reference to the current price
        "log_cur_ref": np.log(cur) - log_ref,
        "level_rate": LEVEL_PRIOR_SHAPE / max(float(y.mean()), 1e-3),
    }


def centring(d: dict[str, Any], pilot: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Which SKUs and categories to sample centred (data dominate the prior) or non-centred.

    A SKU is centred when its price moved and its own data carry more information on its
    log-magnitude than the pooled prior (``info_u > 1 / sigma^2`` at the pilot fit); a category
    when its SKUs together inform its mean more than the prior across categories does
    (``n_c / sigma^2 > 1 / tau^2``). Centring data-dominated parameters and non-centring
    prior-dominated ones avoids both funnels (measured on the demo store and the test store).
    """
    sig2, tau2 = pilot["sigma"] ** 2, pilot["tau"] ** 2
    sku = (d["price_variation"] >= MIN_PRICE_VARIATION) & (pilot["info_u"] > 1 / sig2)
    n_c = np.bincount(d["cat_of_sku"], weights=sku, minlength=len(d["categories"]))
    return sku, n_c / sig2 > 1 / tau2


def split_centring(centred: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, ...]:
    """Indices of the centred and non-centred SKUs, then of the centred and non-centred categories.

    Parameters
    ----------
    centred : tuple of numpy.ndarray
        Boolean masks per SKU and per category (see :func:`centring`).

    Returns
    -------
    tuple of numpy.ndarray
        ``(ident, weak, c_cen, c_nc)``.
    """
    sku, cat = centred
    return np.flatnonzero(sku), np.flatnonzero(~sku), np.flatnonzero(cat), np.flatnonzero(~cat)
