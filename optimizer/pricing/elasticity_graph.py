"""The PyMC graph of the elasticity model, and its deterministics recomputed in numpy.

:func:`build_graph` writes the model of :mod:`optimizer.pricing.elasticity` with the SKU levels
integrated out; the sampler traces its free variables only and :func:`derived_draws` /
:func:`add_derived` recompute the deterministics (category means, elasticities, exposures) on
the draws.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from optimizer.pricing.elasticity_design import LEVEL_PRIOR_SHAPE, split_centring

__all__ = [
    "DERIVED_DIMS",
    "EXPOSURE_BLOCK",
    "add_derived",
    "build_graph",
    "derived_draws",
    "exposure",
]


def build_graph(
    d: dict[str, Any], weight: np.ndarray, centred: tuple[np.ndarray, np.ndarray]
) -> Any:
    """PyMC graph with the SKU levels integrated out; ``weight`` = 1 / dispersion per SKU."""
    import pymc as pm  # lazy: PyMC takes seconds to import and only NUTS fits need it
    import pytensor.tensor as pt  # lazy: as PyMC

    n, s, t = len(d["skus"]), d["sku_idx"], d["week_idx"]
    ident, weak, c_cen, c_nc = split_centring(centred)
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


#: Deterministics of :func:`build_graph`, with their dims after (chain, draw): the sampler traces
#: the free variables only and :func:`derived_draws` recomputes these in numpy (compiling them
#: too cost compile time on a new machine).
DERIVED_DIMS = {"log_mag_category": "category", "elasticity": "sku", "exposure": "sku"}
#: Largest (draws x sales rows) block evaluated at once by :func:`exposure` (32 MB of float64).
EXPOSURE_BLOCK = 1 << 22


def derived_draws(
    d: dict[str, Any],
    weight: np.ndarray,
    centred: tuple[np.ndarray, np.ndarray],
    draws: dict[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """The deterministics of :func:`build_graph` evaluated in numpy on draws of its free variables.

    Parameters
    ----------
    d : dict
        Design (:func:`design`).
    weight : numpy.ndarray
        Likelihood weight per SKU, as given to :func:`build_graph`.
    centred : tuple of numpy.ndarray
        SKU and category centring masks, as given to :func:`build_graph`.
    draws : dict of str to numpy.ndarray
        Each free variable of the model by name (constrained values), with the same leading
        sample dimensions, e.g. (chain, draw).

    Returns
    -------
    dict of str to numpy.ndarray
        ``log_mag_category`` (..., categories), ``elasticity`` and ``exposure`` (..., SKUs).
    """
    ident, weak, c_cen, c_nc = split_centring(centred)
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
    expo = exposure(d, weight, elast, draws["promo_effect"], draws["week_effect"])
    return {"log_mag_category": m_cat, "elasticity": elast, "exposure": expo}


def exposure(
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
        Design (:func:`design`).
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
    step = max(1, EXPOSURE_BLOCK // max(len(s), 1))
    for i in range(0, len(e), step):
        b = slice(i, i + step)
        eta = e[b][:, s] * x + p[b] * pr + w[b][:, t]
        out[b, has] = np.add.reduceat(ws * np.exp(eta), starts, axis=1)
    return out.reshape(elast.shape)


def add_derived(
    post: Any,
    d: dict[str, Any],
    weight: np.ndarray,
    centred: tuple[np.ndarray, np.ndarray],
    free: list[str],
) -> None:
    """Add the model's deterministics, computed by :func:`derived_draws`, to a nutpie posterior.

    Parameters
    ----------
    post : xarray.Dataset
        Posterior of the free variables ``free`` (dims chain, draw, ...); modified in place.
    d, weight, centred
        As given to :func:`build_graph`.
    free : list of str
        Names of the model's free variables.
    """
    derived = derived_draws(d, weight, centred, {k: post[k].to_numpy() for k in free})
    post.coords["sku"] = list(d["skus"])
    post.coords["category"] = list(d["categories"])
    for name, dim in DERIVED_DIMS.items():
        post[name] = (("chain", "draw", dim), derived[name])
