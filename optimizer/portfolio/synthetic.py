"""Stand-in shop fits drawn from a shop's data, without sampling (tests, quick checks).

:func:`synthetic_fit` has the signature of :func:`~optimizer.portfolio.fit.fit_shop` and
returns a :class:`~optimizer.portfolio.fit.ShopFit` in a fraction of a second: Hill response
curves with geometric carry-over whose return on today's spend is drawn in a plausible range,
a flat baseline at the shop's mean weekly revenue, and price elasticities drawn per SKU with
posterior-like spread. The figures mean nothing about the shop; they exercise every planning
step, on one machine or on a Dask cluster, in seconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.curves import ResponseCurves
from optimizer.data.dataset import load_dataset
from optimizer.portfolio.fit import FitSettings, ShopFit, ShopTask
from optimizer.pricing import Elasticities
from optimizer.pricing.rules import reference_prices
from optimizer.scenario.joint.demand import StoreDemand

__all__ = ["N_SYNTHETIC", "synthetic_curves_for", "synthetic_fit"]

#: Posterior samples of a synthetic fit.
N_SYNTHETIC = 40
LAGS = 3


def synthetic_curves_for(
    spend: pd.DataFrame, rng: np.random.Generator, n_samples: int, follows: tuple[str, ...]
) -> ResponseCurves:
    """Hill curves around a shop's spend: ROAS on today's spend in [1.5, 4], concave.

    Parameters
    ----------
    spend : pandas.DataFrame
        Weekly spend per channel (the history), EUR.
    rng : numpy.random.Generator
    n_samples : int
    follows : tuple of str
        Channels whose cost follows sales.
    """
    c_len = spend.shape[1]
    current = spend.iloc[-13:].mean().to_numpy(float)
    active = np.where(spend.to_numpy() > 0, spend.to_numpy(), np.nan)
    level = np.nan_to_num(np.nanmean(active, axis=0), nan=1000.0)
    alpha = rng.uniform(0.1, 0.5, c_len)
    a_s = np.clip(alpha + 0.05 * rng.standard_normal((n_samples, c_len)), 0.0, 0.9)
    weights = a_s[:, :, None] ** np.arange(LAGS)[None, None, :]
    weights = weights / weights.sum(axis=2, keepdims=True)
    half = level * rng.uniform(0.8, 1.6, c_len)
    slope = rng.uniform(0.7, 1.0, c_len)
    roas = rng.uniform(1.5, 4.0, c_len)
    ref = np.maximum(current, 1.0)
    sat = ref**slope / (ref**slope + half**slope)
    beta = roas * ref / sat
    params = np.zeros((n_samples, c_len, 2))
    params[:, :, 0] = half * np.exp(0.1 * rng.standard_normal((n_samples, c_len)))
    params[:, :, 1] = slope
    beta_s = beta * np.exp(0.15 * rng.standard_normal((n_samples, c_len)))
    return ResponseCurves(
        channels=tuple(spend.columns),
        weights=weights,
        saturation=("hill",) * c_len,
        params=params,
        beta=beta_s,
        history=spend.to_numpy(float)[-13:],
        current=current,
        observed_max=spend.to_numpy(float).max(axis=0),
        follows_sales=tuple(c for c in follows if c in spend.columns),
    )


def _elasticities(
    sales: pd.DataFrame, catalog: pd.DataFrame, rng: np.random.Generator, n_samples: int
) -> Elasticities:
    """Per-SKU elasticities in [-2.6, -1.2] and baseline units from the sales, with draws."""
    skus = catalog.index
    weeks = sales["week"].nunique()
    units = sales.groupby("sku")["units"].sum().reindex(skus).fillna(0.0) / max(weeks, 1)
    e = rng.uniform(-2.6, -1.2, len(skus))
    base = Elasticities.from_values(
        pd.Series(e, index=skus),
        units.clip(lower=0.01),
        catalog["price_incl_vat"],
        category=catalog["category"],
        spread=0.3,
    )
    draws = e[None, :] + 0.18 * rng.standard_normal((n_samples, len(skus)))
    b_draws = units.to_numpy(float)[None, :] * np.exp(0.05 * rng.standard_normal(draws.shape))
    return Elasticities(base.frame, np.minimum(draws, -0.2), np.maximum(b_draws, 0.01), "given")


def synthetic_fit(
    task: ShopTask, seed: int, *, settings: FitSettings | None = None, n_samples: int = N_SYNTHETIC
) -> ShopFit:
    """A stand-in for :func:`~optimizer.portfolio.fit.fit_shop` (no sampling).

    Parameters
    ----------
    task : ShopTask
    seed : int
        Seed of every draw.
    settings : FitSettings, optional
        Ignored (same signature as the real fit).
    n_samples : int
        Posterior samples.

    Returns
    -------
    ShopFit
    """
    del settings
    ds = load_dataset(task.folder)
    assert ds.marketing and ds.catalog and ds.sales and ds.logistics
    rng = np.random.default_rng(seed)
    history = ds.marketing
    curves = synthetic_curves_for(history.spend, rng, n_samples, history.cost_follows_sales)
    last = history.weeks[-1]
    weeks = pd.date_range(last + pd.Timedelta(days=7), periods=task.weeks, freq="7D", name="week")
    d_ref = float(np.mean(history.revenue))
    media_now = float(curves.steady_state(curves.current).sum(axis=1).mean())
    level = max(d_ref - media_now, 0.2 * d_ref)
    baseline = level * np.exp(0.03 * rng.standard_normal((n_samples, task.weeks)))
    demand = StoreDemand(
        weeks=weeks,
        curves=curves,
        baseline=baseline,
        d_ref=d_ref,
        catalog=ds.catalog,
        elasticities=_elasticities(ds.sales.frame, ds.catalog.frame, rng, n_samples),
        capacity=ds.logistics.capacity_for(weeks),
        cost_per_unit=ds.logistics.cost_for(weeks),
    )
    summary = {"mmm": {"synthetic": True}, "elasticity": {"method": "given"}, "seed": seed}
    return ShopFit(task.shop, demand, reference_prices(ds.sales, ds.catalog), seed, summary)
