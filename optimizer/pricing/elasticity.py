"""Hierarchical log-log demand model per SKU (PyMC + nutpie, or a fast Laplace approximation).

Model, one row ``i`` per (week, SKU) with the SKU in stock (out-of-stock weeks are dropped:
they are censored demand, not zero demand)::

    units_i ~ Poisson(lambda_s * exp(e_s * x_i + b_promo * promo_i + w_t))   (quasi, see below)
    x_i     = log(price_paid_i / ref_price_s)       ref_price_s = the SKU's median price paid
    e_s     = -exp(u_s),  u_s ~ Normal(m_cat, sigma_sku)      (negative, pooled by category)
    m_cat   ~ Normal(m, tau)
    w_t     ~ ZeroSumNormal(sigma_week)                       (shared seasonality and events)
    lambda_s ~ Gamma(1, 1 / mean units per row)               (SKU level, integrated out)

Why this shape (each point was measured on the demo store, see ``docs/benchmarks_pricing.md``):

* Log price is centred on the SKU's *median* price, so level and elasticity are nearly
  uncorrelated a posteriori (the main ESS killer of a level at the current price).
* The SKU level ``lambda_s`` is Gamma-Poisson conjugate: it is integrated out of the likelihood
  exactly (``sum_i y_i eta_i - (1 + Y_s) log(beta_0 + sum_i exp(eta_i))`` per SKU) and drawn
  afterwards from its exact conditional ``Gamma(1 + Y_s, beta_0 + S_s)`` for every posterior
  draw. NUTS then samples ~560 parameters instead of ~760, with no level/slope funnel.
* ``u_s`` is *centred* for SKUs whose price moved (their data dominate the prior) and
  non-centred for SKUs with no price variation (their posterior is the category prior);
  category means are centred (each is informed by ~25 SKUs).
* Over-dispersion: a fast Poisson fit (numpy) gives Pearson's dispersion. When the catalog-wide
  dispersion exceeds :data:`OVERDISPERSION_THRESHOLD` each SKU's likelihood is tempered by its
  (shrunk) dispersion ``phi_s`` (quasi-Poisson: posterior variances inflated by ``phi_s``),
  otherwise the exact Poisson likelihood is used. The level stays conjugate either way.

``method="laplace"`` is a fast *approximate* mode for very large catalogs: empirical-Bayes
hyperparameters (EM), plug-in week and promo effects, and a Gaussian (Laplace) posterior per
SKU for (level, log-magnitude of elasticity). It ignores the uncertainty of the hyperparameters
and of the shared effects, so its intervals are somewhat narrower than the MCMC ones; outputs
carry ``method="laplace"`` and a note saying so.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd

from optimizer.data.catalog import Catalog
from optimizer.data.sales import SalesHistory
from optimizer.errors import ConvergenceError, DataError, NotFittedError
from optimizer.interrupt import require_all_draws
from optimizer.nuts import compile_nutpie
from optimizer.pricing.elasticity_design import (
    LEVEL_PRIOR_SHAPE,
    MIN_PRICE_VARIATION,
    centring,
    design,
)
from optimizer.pricing.elasticity_graph import add_derived, build_graph
from optimizer.pricing.elasticity_laplace import fit_poisson, laplace_draws, pearson_dispersion
from optimizer.pricing.estimates import Elasticities

__all__ = ["MIN_PRICE_VARIATION", "WEAK_WIDTH_SHARE", "ElasticityModel"]

#: Posterior 90 % interval width, as a share of the category's, above which a SKU is flagged.
WEAK_WIDTH_SHARE = 0.8
#: Catalog-wide Pearson dispersion above which the likelihood is tempered per SKU.
OVERDISPERSION_THRESHOLD = 1.1
#: NUTS target acceptance rate (above nutpie's 0.8: fewer divergences in small hierarchies).
TARGET_ACCEPT = 0.9
#: Methods accepted by :class:`ElasticityModel` (``"advi"`` is a legacy name of ``"laplace"``).
METHODS = ("nuts", "laplace", "advi")
_APPROX_NOTE = (
    "Laplace approximation (empirical-Bayes hyperparameters, plug-in week/promo effects): "
    "approximate, intervals somewhat narrower than MCMC; use method='nuts' when the catalog "
    "allows it."
)
_DIAG_VARS = (
    "elasticity",
    "log_mag_category",
    "log_mag_mean",
    "tau_category",
    "sigma_sku",
    "sigma_week",
    "week_effect",
    "promo_effect",
    "level",
)


class ElasticityModel:
    """Bayesian price elasticities per SKU, pooled by category.

    Parameters
    ----------
    method : {"nuts", "laplace"}
        ``"nuts"``: full MCMC with nutpie (default). ``"laplace"``: fast *approximate* mode for
        very large catalogs (empirical Bayes + per-SKU Laplace; intervals somewhat too narrow).
        ``"advi"`` is accepted as a legacy name of ``"laplace"``.
    draws, tune, chains : int
        NUTS draws and tuning steps per chain, number of chains.
    advi_iterations : int
        Ignored; kept so that existing callers keep working.
    max_weeks : int, optional
        Fit on the last ``max_weeks`` weeks of history only.
    keep_draws : int
        Posterior draws kept in the estimates (thinned evenly) for quantile planning.
    seed : int
        Random seed.
    max_rhat : float
        Convergence gate: ``fit`` raises :class:`ConvergenceError` above it (NUTS only).
    dispersion : float, optional
        Force the Pearson dispersion (1 = exact Poisson); default: estimated from the data.

    Attributes
    ----------
    estimates_ : Elasticities
        Per-SKU estimates after ``fit``.
    idata_ : arviz.InferenceData or None
        Posterior (NUTS only).
    """

    def __init__(
        self,
        *,
        method: str = "nuts",
        draws: int = 1000,
        tune: int = 500,
        chains: int = 2,
        advi_iterations: int = 30_000,
        max_weeks: int | None = None,
        keep_draws: int = 200,
        seed: int = 0,
        max_rhat: float = 1.05,
        dispersion: float | None = None,
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
        self.dispersion = dispersion

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
            Unknown method or no usable rows.
        ConvergenceError
            NUTS R-hat above ``max_rhat``.
        """
        if self.method not in METHODS:
            raise DataError(
                f"method {self.method!r} is unknown; use 'nuts' (MCMC) or 'laplace' (fast, "
                "approximate)."
            )
        method = "laplace" if self.method == "advi" else self.method
        t0 = time.perf_counter()
        d = design(sales, catalog, self.max_weeks)
        diag: dict[str, Any] = {
            "method": method,
            "n_rows": len(d["y"]),
            "n_skus": len(d["skus"]),
            "n_weeks": len(d["weeks"]),
        }
        pilot = fit_poisson(d, np.ones(len(d["skus"])), LEVEL_PRIOR_SHAPE, MIN_PRICE_VARIATION)
        weight = self._weights(d, pilot, diag)
        if (weight != 1).any():
            pilot = fit_poisson(d, weight, LEVEL_PRIOR_SHAPE, MIN_PRICE_VARIATION)
        self.idata_ = None
        if method == "nuts":
            e, lvl, wk, m_cat, sig = self._sample(d, weight, centring(d, pilot), diag)
        else:
            fit = pilot
            rng = np.random.default_rng(self.seed)
            e, lvl = laplace_draws(fit, max(self.keep_draws, 400), rng)
            wk = np.tile(fit["w"], (len(e), 1))
            m_cat = fit["m_cat"] + np.sqrt(fit["var_m_cat"]) * rng.standard_normal(
                (len(e), len(fit["m_cat"]))
            )
            sig = np.full(len(e), fit["sigma"])
            diag.update(
                note=_APPROX_NOTE,
                sweeps=fit["sweeps"],
                sigma_sku=float(fit["sigma"]),
                tau_category=float(fit["tau"]),
                converged=bool(fit["converged"]),
            )
        diag["seconds"] = time.perf_counter() - t0
        self.design_ = d
        self.estimates_ = self._estimates(e, lvl, wk, (m_cat, sig), d, diag, method)
        return self

    def _weights(
        self, d: dict[str, Any], pilot: dict[str, Any], diag: dict[str, Any]
    ) -> np.ndarray:
        """Per-SKU likelihood weights ``1 / phi_s`` from the pilot Poisson fit (or forced)."""
        n = len(d["skus"])
        if self.dispersion is not None:
            diag["dispersion"] = float(self.dispersion)
            diag["likelihood"] = "poisson" if self.dispersion <= 1 else "quasi-poisson (given)"
            return np.full(n, 1.0 / max(float(self.dispersion), 1.0))
        phi_all, phi = pearson_dispersion(d, pilot["mu"])
        diag["dispersion"] = round(phi_all, 4)
        if phi_all <= OVERDISPERSION_THRESHOLD:
            diag["likelihood"] = "poisson"
            return np.ones(n)
        diag["likelihood"] = "quasi-poisson (per-SKU dispersion)"
        return 1.0 / phi

    def _sample(
        self,
        d: dict[str, Any],
        weight: np.ndarray,
        centred: tuple[np.ndarray, np.ndarray],
        diag: dict[str, Any],
    ) -> tuple[np.ndarray, ...]:
        import arviz as az  # lazy: heavy, and only NUTS fits need it
        import nutpie  # lazy: as arviz

        model = build_graph(d, weight, centred)
        diag["n_centred_skus"] = int(centred[0].sum())
        t = time.perf_counter()
        free = [v.name for v in model.free_RVs]
        # trace the free variables only (nutpie stores them constrained, under their names)
        compiled = compile_nutpie(model, free)
        diag["compile_seconds"] = time.perf_counter() - t
        t = time.perf_counter()
        idata = nutpie.sample(
            compiled,
            draws=self.draws,
            tune=self.tune,
            chains=self.chains,
            seed=self.seed,
            target_accept=TARGET_ACCEPT,
            progress_bar=False,
            cores=min(self.chains, 2),
        )
        diag["sampling_seconds"] = time.perf_counter() - t
        require_all_draws(
            idata.posterior.sizes, draws=self.draws, chains=self.chains, what="elasticity model"
        )
        post = idata.posterior
        add_derived(post, d, weight, centred, free)
        # exact conditional draw of each SKU level: Gamma(shape_s, rate + exposure_s)
        rng = np.random.default_rng(self.seed + 1)
        rate = d["level_rate"] + post["exposure"].to_numpy()
        level = rng.gamma(model.level_shape, 1.0 / rate)
        post["level"] = (("chain", "draw", "sku"), np.log(level))
        summ = az.summary(idata, var_names=list(_DIAG_VARS), kind="diagnostics")
        diag.update(
            max_rhat=round(float(summ["r_hat"].max()), 4),
            min_ess_bulk=float(summ["ess_bulk"].min()),
            min_ess_tail=float(summ["ess_tail"].min()),
            divergences=int(idata.sample_stats["diverging"].sum()),
            mean_tree_depth=round(float(idata.sample_stats["depth"].mean()), 2),
            draws=self.draws,
            tune=self.tune,
            chains=self.chains,
        )
        self.idata_ = idata
        if diag["max_rhat"] > self.max_rhat:
            raise ConvergenceError(
                f"elasticity model: max R-hat {diag['max_rhat']:.3f} is above "
                f"{self.max_rhat}; increase tune/draws or use more history."
            )
        n = len(d["skus"])
        e = post["elasticity"].to_numpy().reshape(-1, n)
        lvl = np.log(level).reshape(-1, n)
        wk = post["week_effect"].to_numpy().reshape(len(e), -1)
        m_cat = post["log_mag_category"].to_numpy().reshape(len(e), -1)
        sig = post["sigma_sku"].to_numpy().reshape(-1)
        return e, lvl, wk, m_cat, sig

    def _estimates(
        self,
        e: np.ndarray,
        lvl: np.ndarray,
        wk: np.ndarray,
        hyper: tuple[np.ndarray, np.ndarray],
        d: dict[str, Any],
        diag: dict[str, Any],
        method: str,
    ) -> Elasticities:
        # baseline units at the current price in an average history week
        base = np.exp(lvl + e * d["log_cur_ref"]) * np.exp(wk).mean(axis=1, keepdims=True)
        lo, hi = np.quantile(e, [0.05, 0.95], axis=0)
        # category predictive interval: what pooling says without the SKU's own data
        rng = np.random.default_rng(self.seed)
        m_cat, sig = hyper
        pred = -np.exp(m_cat + sig[:, None] * rng.standard_normal(m_cat.shape))
        cat_w = np.diff(np.quantile(pred, [0.05, 0.95], axis=0), axis=0)[0]
        cat = d["cat_of_sku"]
        width = hi - lo
        weak = (d["price_variation"] < MIN_PRICE_VARIATION) | (
            width >= WEAK_WIDTH_SHARE * cat_w[cat]
        )
        frame = pd.DataFrame(
            {
                "category": np.asarray(d["categories"], dtype=object)[cat],
                "current_price": d["current_price"],
                "elasticity_mean": e.mean(axis=0),
                "elasticity_low": lo,
                "elasticity_high": hi,
                "baseline_units": base.mean(axis=0),
                "price_variation": d["price_variation"],
                "weakly_identified": weak,
                # what pooling alone would say: the yardstick of identification (safe.py)
                "category_interval_width": cat_w[cat],
            },
            index=d["skus"],
        )
        keep = np.linspace(0, len(e) - 1, min(self.keep_draws, len(e))).astype(int)
        diag["n_weakly_identified"] = int(weak.sum())
        return Elasticities(
            frame=frame,
            elasticity_draws=e[keep],
            baseline_draws=base[keep],
            method=method,
            diagnostics=diag,
        )

    @property
    def estimates(self) -> Elasticities:
        """The fitted estimates (raises :class:`NotFittedError` before ``fit``)."""
        if not hasattr(self, "estimates_"):
            raise NotFittedError("ElasticityModel is not fitted; call fit(sales, catalog) first.")
        return self.estimates_
