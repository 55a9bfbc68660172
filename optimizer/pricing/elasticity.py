"""Hierarchical log-log demand model per SKU (PyMC), sampled with nutpie.

Model, one row per (week, SKU) with the SKU in stock (out-of-stock weeks are dropped: they are
censored demand, not zero demand)::

    units ~ NegativeBinomial(mu, phi)
    log mu = a_sku + e_sku * log(price_paid / current_price_sku) + b_promo * promo + w_week
    e_sku  = -exp(m_cat[sku] + sigma_sku * z_sku)           (negative by construction)
    m_cat  = m + tau * z_cat                                (pooled by category)
    w_week ~ ZeroSumNormal(sigma_week)                      (shared seasonality and events)

Elasticities are pooled towards their category: a SKU whose price never moved gets its
category's distribution (flagged ``weakly_identified``). Baseline weekly units at the current
price are ``exp(a_sku) * mean_t exp(w_t)`` (an average history week).

``method="advi"`` replaces NUTS by mean-field ADVI: much faster on very large catalogs, but an
*approximation* whose intervals are typically too narrow; the summary says so.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd

from optimizer.data.catalog import Catalog
from optimizer.data.sales import SalesHistory
from optimizer.errors import ConvergenceError, DataError, NotFittedError
from optimizer.pricing.estimates import Elasticities

__all__ = ["ElasticityModel"]

#: Std of log price below which a SKU's own data cannot inform its elasticity.
MIN_PRICE_VARIATION = 0.02
#: Posterior 90 % interval width, as a share of the category's, above which a SKU is flagged.
WEAK_WIDTH_SHARE = 0.8


def _design(sales: SalesHistory, catalog: Catalog, max_weeks: int | None) -> dict[str, Any]:
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
    skus = pd.Index([s for s in catalog.frame.index if s in set(f["sku"])], name="sku")
    if len(skus) == 0:
        raise DataError(f"{sales.source}: no in-stock week with a price; nothing to fit.")
    weeks = pd.DatetimeIndex(sorted(f["week"].unique()))
    cats = sorted(catalog.frame.loc[skus, "category"].unique())
    s_idx = skus.get_indexer(f["sku"])
    keep = s_idx >= 0
    f = f[keep]
    s_idx = s_idx[keep]
    cur = catalog.frame.loc[skus, "price_incl_vat"].to_numpy(float)
    x = np.log(f["price_paid"].to_numpy(float) / cur[s_idx])
    y = np.round(f["units"].to_numpy(float)).astype(np.int64)
    var = pd.Series(x).groupby(s_idx).std().reindex(range(len(skus))).fillna(0.0).to_numpy()
    mean_units = np.bincount(s_idx, weights=y, minlength=len(skus)) / np.maximum(
        np.bincount(s_idx, minlength=len(skus)), 1
    )
    return {
        "skus": skus,
        "weeks": weeks,
        "categories": cats,
        "sku_idx": s_idx,
        "cat_of_sku": pd.Index(cats).get_indexer(catalog.frame.loc[skus, "category"]),
        "week_idx": weeks.get_indexer(f["week"]),
        "x": x,
        "promo": f["promo"].to_numpy(float),
        "y": y,
        "price_variation": var,
        "log_mean_units": np.log(mean_units + 0.5),
        "current_price": cur,
    }


def _build(d: dict[str, Any]):
    import pymc as pm

    coords = {
        "sku": list(d["skus"]),
        "category": d["categories"],
        "week": list(range(len(d["weeks"]))),
    }
    with pm.Model(coords=coords) as model:
        m = pm.Normal("log_mag_mean", np.log(1.5), 0.5)
        tau = pm.HalfNormal("tau_category", 0.4)
        z_cat = pm.Normal("z_category", 0.0, 1.0, dims="category")
        m_cat = pm.Deterministic("log_mag_category", m + tau * z_cat, dims="category")
        sigma = pm.HalfNormal("sigma_sku", 0.3)
        z = pm.Normal("z_sku", 0.0, 1.0, dims="sku")
        elast = pm.Deterministic(
            "elasticity", -pm.math.exp(m_cat[d["cat_of_sku"]] + sigma * z), dims="sku"
        )
        a = pm.Normal("level", d["log_mean_units"], 1.0, dims="sku")
        sigma_w = pm.HalfNormal("sigma_week", 0.5)
        w = pm.ZeroSumNormal("week_effect", sigma=sigma_w, dims="week")
        promo = pm.Normal("promo_effect", 0.0, 0.5)
        s = d["sku_idx"]
        log_mu = a[s] + elast[s] * d["x"] + promo * d["promo"] + w[d["week_idx"]]
        inv_phi = pm.HalfNormal("inv_dispersion", 0.5)
        pm.NegativeBinomial("units", mu=pm.math.exp(log_mu), alpha=1.0 / inv_phi, observed=d["y"])
    return model


class ElasticityModel:
    """Bayesian price elasticities per SKU, pooled by category.

    Parameters
    ----------
    method : {"nuts", "advi"}
        ``"nuts"``: full MCMC with nutpie (default). ``"advi"``: fast mean-field variational
        approximation for very large catalogs (approximate; intervals too narrow).
    draws, tune, chains : int
        NUTS draws and tuning steps per chain, number of chains.
    advi_iterations : int
        ADVI optimization steps.
    max_weeks : int, optional
        Fit on the last ``max_weeks`` weeks of history only.
    keep_draws : int
        Posterior draws kept in the estimates (thinned evenly) for quantile planning.
    seed : int
        Random seed.
    max_rhat : float
        Convergence gate: ``fit`` raises :class:`ConvergenceError` above it (NUTS only).

    Attributes
    ----------
    estimates_ : Elasticities
        Per-SKU estimates after ``fit``.
    idata_ : arviz.InferenceData
        Posterior.
    """

    def __init__(
        self,
        *,
        method: str = "nuts",
        draws: int = 500,
        tune: int = 500,
        chains: int = 2,
        advi_iterations: int = 30_000,
        max_weeks: int | None = None,
        keep_draws: int = 200,
        seed: int = 0,
        max_rhat: float = 1.05,
    ) -> None:
        self.method = method
        self.draws = draws
        self.tune = tune
        self.chains = chains
        self.advi_iterations = advi_iterations
        self.max_weeks = max_weeks
        self.keep_draws = keep_draws
        self.seed = seed
        self.max_rhat = max_rhat

    def fit(self, sales: SalesHistory, catalog: Catalog) -> ElasticityModel:
        """Fit the model.

        Parameters
        ----------
        sales : SalesHistory
            Weekly prices paid incl. VAT, units, promo flags, in-stock flags.
        catalog : Catalog
            Current prices (the reference of ``baseline_units``) and categories.

        Returns
        -------
        ElasticityModel
            ``self``, fitted.

        Raises
        ------
        DataError
            No usable rows.
        ConvergenceError
            NUTS R-hat above ``max_rhat`` on the elasticities.
        """
        import arviz as az

        if self.method not in ("nuts", "advi"):
            raise DataError(f"method {self.method!r} is unknown; use 'nuts' or 'advi'.")
        t0 = time.perf_counter()
        d = _design(sales, catalog, self.max_weeks)
        model = _build(d)
        diag: dict[str, Any] = {
            "method": self.method,
            "n_rows": len(d["y"]),
            "n_skus": len(d["skus"]),
            "n_weeks": len(d["weeks"]),
        }
        if self.method == "nuts":
            import nutpie

            compiled = nutpie.compile_pymc_model(model)
            idata = nutpie.sample(
                compiled,
                draws=self.draws,
                tune=self.tune,
                chains=self.chains,
                seed=self.seed,
                progress_bar=False,
                cores=min(self.chains, 2),
            )
            summ = az.summary(
                idata, var_names=["elasticity", "log_mag_category"], kind="diagnostics"
            )
            diag.update(
                max_rhat=float(summ["r_hat"].max()),
                min_ess_bulk=float(summ["ess_bulk"].min()),
                divergences=int(idata.sample_stats["diverging"].sum()),
            )
            if diag["max_rhat"] > self.max_rhat:
                raise ConvergenceError(
                    f"elasticity model: max R-hat {diag['max_rhat']:.3f} is above "
                    f"{self.max_rhat}; increase tune/draws or use more history."
                )
        else:
            import pymc as pm

            with model:
                approx = pm.fit(
                    n=self.advi_iterations, method="advi", random_seed=self.seed, progressbar=False
                )
                idata = approx.sample(max(self.keep_draws, 500), random_seed=self.seed)
            diag["note"] = (
                "ADVI mean-field approximation: point estimates usable, intervals "
                "typically too narrow."
            )
        diag["seconds"] = time.perf_counter() - t0
        self.idata_ = idata
        self.design_ = d
        self.estimates_ = self._estimates(idata, d, diag)
        return self

    def _estimates(self, idata: Any, d: dict[str, Any], diag: dict[str, Any]) -> Elasticities:
        post = idata.posterior
        e = post["elasticity"].to_numpy().reshape(-1, len(d["skus"]))
        lvl = post["level"].to_numpy().reshape(-1, len(d["skus"]))
        wk = post["week_effect"].to_numpy().reshape(len(e), -1)
        base = np.exp(lvl) * np.exp(wk).mean(axis=1, keepdims=True)
        lo, hi = np.quantile(e, [0.05, 0.95], axis=0)
        # category predictive interval: what the pooled prior says without the SKU's own data
        rng = np.random.default_rng(self.seed)
        mcat = post["log_mag_category"].to_numpy().reshape(len(e), -1)
        sig = post["sigma_sku"].to_numpy().reshape(-1)
        pred = -np.exp(mcat + sig[:, None] * rng.standard_normal(mcat.shape))
        cat_w = np.diff(np.quantile(pred, [0.05, 0.95], axis=0), axis=0)[0]
        width = hi - lo
        weak = (d["price_variation"] < MIN_PRICE_VARIATION) | (
            width >= WEAK_WIDTH_SHARE * cat_w[d["cat_of_sku"]]
        )
        frame = pd.DataFrame(
            {
                "category": np.asarray(d["categories"], dtype=object)[d["cat_of_sku"]],
                "current_price": d["current_price"],
                "elasticity_mean": e.mean(axis=0),
                "elasticity_low": lo,
                "elasticity_high": hi,
                "baseline_units": base.mean(axis=0),
                "price_variation": d["price_variation"],
                "weakly_identified": weak,
            },
            index=d["skus"],
        )
        keep = np.linspace(0, len(e) - 1, min(self.keep_draws, len(e))).astype(int)
        diag["n_weakly_identified"] = int(weak.sum())
        return Elasticities(
            frame=frame,
            elasticity_draws=e[keep],
            baseline_draws=base[keep],
            method=self.method,
            diagnostics=diag,
        )

    @property
    def estimates(self) -> Elasticities:
        """The fitted estimates (raises :class:`NotFittedError` before ``fit``)."""
        if not hasattr(self, "estimates_"):
            raise NotFittedError("ElasticityModel is not fitted; call fit(sales, catalog) first.")
        return self.estimates_
