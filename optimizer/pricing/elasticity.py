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
from optimizer.pricing.elasticity_laplace import fit_poisson, laplace_draws, pearson_dispersion
from optimizer.pricing.estimates import Elasticities

__all__ = ["ElasticityModel"]

#: Std of log price below which a SKU's own data cannot inform its elasticity.
MIN_PRICE_VARIATION = 0.02
#: Posterior 90 % interval width, as a share of the category's, above which a SKU is flagged.
WEAK_WIDTH_SHARE = 0.8
#: Catalog-wide Pearson dispersion above which the likelihood is tempered per SKU.
OVERDISPERSION_THRESHOLD = 1.1
#: Shape of the Gamma prior on each SKU level (its rate makes the prior mean the catalog mean).
LEVEL_PRIOR_SHAPE = 1.0
#: NUTS target acceptance rate (above nutpie's 0.8: fewer divergences in small hierarchies).
TARGET_ACCEPT = 0.9
#: Methods accepted by :class:`ElasticityModel` (``"advi"`` is a legacy name of ``"laplace"``).
METHODS = ("nuts", "laplace", "advi")
_APPROX_NOTE = (
    "Laplace approximation (empirical-Bayes hyperparameters, plug-in week/promo effects): "
    "approximate, intervals somewhat narrower than MCMC; use method='nuts' when the catalog "
    "allows it."
)


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


def _centring(d: dict[str, Any], pilot: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
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


def _split(centred: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, ...]:
    """Indices of the centred and non-centred SKUs, then of the centred and non-centred categories.

    Parameters
    ----------
    centred : tuple of numpy.ndarray
        Boolean masks per SKU and per category (see :func:`_centring`).

    Returns
    -------
    tuple of numpy.ndarray
        ``(ident, weak, c_cen, c_nc)``.
    """
    sku, cat = centred
    return np.flatnonzero(sku), np.flatnonzero(~sku), np.flatnonzero(cat), np.flatnonzero(~cat)


def _build(d: dict[str, Any], weight: np.ndarray, centred: tuple[np.ndarray, np.ndarray]) -> Any:
    """PyMC graph with the SKU levels integrated out; ``weight`` = 1 / dispersion per SKU."""
    # lazy: PyMC and PyTensor load in seconds, only when elasticities are fitted
    import pymc as pm
    import pytensor.tensor as pt

    n, s, t = len(d["skus"]), d["sku_idx"], d["week_idx"]
    ident, weak, c_cen, c_nc = _split(centred)
    cat = d["cat_of_sku"]
    wy = weight[s] * d["y"]
    # sufficient statistics of the linear part of the log-likelihood
    sxy = np.bincount(s, weights=wy * d["x"], minlength=n)
    spy = float((wy * d["promo"]).sum())
    sty = np.bincount(t, weights=wy, minlength=len(d["weeks"]))
    shape = LEVEL_PRIOR_SHAPE + np.bincount(s, weights=wy, minlength=n)
    coords = {"sku": list(d["skus"]), "category": d["categories"], "week": list(range(len(sty)))}
    with pm.Model(coords=coords) as model:
        m = pm.Normal("log_mag_mean", np.log(1.5), 0.5)
        tau = pm.HalfNormal("tau_category", 0.4)
        m_cat = pt.zeros(len(d["categories"]))
        if len(c_cen):
            m_c = pm.Normal("log_mag_category_centred", m, tau, shape=len(c_cen))
            m_cat = pt.set_subtensor(m_cat[c_cen], m_c)
        if len(c_nc):
            z_c = pm.Normal("z_category", 0.0, 1.0, shape=len(c_nc))
            m_cat = pt.set_subtensor(m_cat[c_nc], m + tau * z_c)
        m_cat = pm.Deterministic("log_mag_category", m_cat, dims="category")
        sigma = pm.HalfNormal("sigma_sku", 0.3)
        u = pt.zeros(n)
        if len(ident):
            u_id = pm.Normal("log_mag_centred", m_cat[cat[ident]], sigma, shape=len(ident))
            u = pt.set_subtensor(u[ident], u_id)
        if len(weak):
            z_weak = pm.Normal("z_sku", 0.0, 1.0, shape=len(weak))
            u = pt.set_subtensor(u[weak], m_cat[cat[weak]] + sigma * z_weak)
        elast = pm.Deterministic("elasticity", -pt.exp(u), dims="sku")
        sigma_w = pm.HalfNormal("sigma_week", 0.5)
        w = pm.ZeroSumNormal("week_effect", sigma=sigma_w, dims="week")
        promo = pm.Normal("promo_effect", 0.0, 0.5)
        eta = elast[s] * d["x"] + promo * d["promo"] + w[t]
        big_s = pm.Deterministic(
            "exposure", pt.zeros(n)[s].inc(weight[s] * pt.exp(eta)), dims="sku"
        )
        loglik = (
            pt.sum(elast * sxy)
            + promo * spy
            + pt.sum(w * sty)
            - pt.sum(shape * pt.log(d["level_rate"] + big_s))
        )
        pm.Potential("loglik", loglik)
    model.level_shape = shape
    return model


#: Deterministics of :func:`_build`, with their dims after (chain, draw): the sampler traces the
#: free variables only and :func:`_derived` recomputes these in numpy (compiling them too cost
#: compile time on a new machine).
_DERIVED_DIMS = {"log_mag_category": "category", "elasticity": "sku", "exposure": "sku"}
#: Largest (draws x sales rows) block evaluated at once by :func:`_exposure` (32 MB of float64).
_EXPOSURE_BLOCK = 1 << 22


def _derived(
    d: dict[str, Any],
    weight: np.ndarray,
    centred: tuple[np.ndarray, np.ndarray],
    draws: dict[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """The deterministics of :func:`_build` evaluated in numpy on draws of its free variables.

    Parameters
    ----------
    d : dict
        Design (:func:`_design`).
    weight : numpy.ndarray
        Likelihood weight per SKU, as given to :func:`_build`.
    centred : tuple of numpy.ndarray
        SKU and category centring masks, as given to :func:`_build`.
    draws : dict of str to numpy.ndarray
        Each free variable of the model by name (constrained values), with the same leading
        sample dimensions, e.g. (chain, draw).

    Returns
    -------
    dict of str to numpy.ndarray
        ``log_mag_category`` (..., categories), ``elasticity`` and ``exposure`` (..., SKUs).
    """
    ident, weak, c_cen, c_nc = _split(centred)
    m, tau = draws["log_mag_mean"][..., None], draws["tau_category"][..., None]
    lead = m.shape[:-1]
    m_cat = np.zeros((*lead, len(d["categories"])))
    if len(c_cen):
        m_cat[..., c_cen] = draws["log_mag_category_centred"]
    if len(c_nc):
        m_cat[..., c_nc] = m + tau * draws["z_category"]
    u = np.zeros((*lead, len(d["skus"])))
    if len(ident):
        u[..., ident] = draws["log_mag_centred"]
    if len(weak):
        sigma = draws["sigma_sku"][..., None]
        u[..., weak] = m_cat[..., d["cat_of_sku"][weak]] + sigma * draws["z_sku"]
    elast = -np.exp(u)
    expo = _exposure(d, weight, elast, draws["promo_effect"], draws["week_effect"])
    return {"log_mag_category": m_cat, "elasticity": elast, "exposure": expo}


def _exposure(
    d: dict[str, Any],
    weight: np.ndarray,
    elast: np.ndarray,
    promo: np.ndarray,
    week: np.ndarray,
) -> np.ndarray:
    """Weighted sum over each SKU's sales rows of ``exp(eta)``, per draw, in blocks of draws.

    Parameters
    ----------
    d : dict
        Design (:func:`_design`).
    weight : numpy.ndarray
        Likelihood weight per SKU.
    elast : numpy.ndarray
        Elasticities, (..., SKUs).
    promo : numpy.ndarray
        Promotion effect, (...).
    week : numpy.ndarray
        Week effects, (..., weeks).

    Returns
    -------
    numpy.ndarray
        ``sum_i weight_s exp(e_s x_i + promo promo_i + w_t)`` over the rows ``i`` of each SKU
        ``s``, (..., SKUs).
    """
    n = elast.shape[-1]
    order = np.argsort(d["sku_idx"], kind="stable")
    s, t = d["sku_idx"][order], d["week_idx"][order]
    x, pr, ws = d["x"][order], d["promo"][order], weight[s]
    counts = np.bincount(s, minlength=n)
    has = np.flatnonzero(counts)
    starts = (np.cumsum(counts) - counts)[has]
    e, p = elast.reshape(-1, n), promo.reshape(-1, 1)
    w = week.reshape(len(e), -1)
    out = np.zeros((len(e), n))
    step = max(1, _EXPOSURE_BLOCK // max(len(s), 1))
    for i in range(0, len(e), step):
        b = slice(i, i + step)
        eta = e[b][:, s] * x + p[b] * pr + w[b][:, t]
        out[b, has] = np.add.reduceat(ws * np.exp(eta), starts, axis=1)
    return out.reshape(elast.shape)


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


def _add_derived(
    post: Any,
    d: dict[str, Any],
    weight: np.ndarray,
    centred: tuple[np.ndarray, np.ndarray],
    free: list[str],
) -> None:
    """Add the model's deterministics, computed by :func:`_derived`, to a nutpie posterior.

    Parameters
    ----------
    post : xarray.Dataset
        Posterior of the free variables ``free`` (dims chain, draw, ...); modified in place.
    d, weight, centred
        As given to :func:`_build`.
    free : list of str
        Names of the model's free variables.
    """
    derived = _derived(d, weight, centred, {k: post[k].to_numpy() for k in free})
    post.coords["sku"] = list(d["skus"])
    post.coords["category"] = list(d["categories"])
    for name, dim in _DERIVED_DIMS.items():
        post[name] = (("chain", "draw", dim), derived[name])


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
        d = _design(sales, catalog, self.max_weeks)
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
            e, lvl, wk, m_cat, sig = self._sample(d, weight, _centring(d, pilot), diag)
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
        # lazy: ArviZ and nutpie load in seconds, only when elasticities are sampled
        import arviz as az
        import nutpie

        model = _build(d, weight, centred)
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
        _add_derived(post, d, weight, centred, free)
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
