"""Fast numpy fit of the elasticity model: posterior mode, Laplace variances, dispersion.

Used twice by :class:`~optimizer.pricing.elasticity.ElasticityModel`: to measure Pearson's
dispersion before sampling (is a Poisson likelihood adequate?) and as the fast *approximate*
mode ``method="laplace"`` for very large catalogs.

The fit is a block coordinate ascent on the same model as the MCMC one, with the
hyperparameters set by empirical Bayes (EM):

* SKU level ``a_s``: exact conditional mode of the Gamma-Poisson pair;
* week effects ``w_t`` (sum to zero) and promo effect ``b``: one Newton step per sweep;
* log-magnitudes ``u_s`` (elasticity ``-exp(u_s)``): one Fisher-scoring step per sweep with
  the ``Normal(m_cat, sigma)`` prior;
* ``m_cat``, ``m``, ``sigma``, ``tau``: EM updates from the Laplace posteriors of ``u_s``.

Every pass over the data is a ``bincount``: cost ``O(rows)`` per sweep, memory ``O(rows)``.
The Laplace posterior of ``(a_s, u_s)`` is Gaussian per SKU with the 2 x 2 observed-Fisher
precision; the variance of ``u_s`` adds, by the delta method, the uncertainty of its category
mean. It ignores the uncertainty of ``sigma``, ``tau``, the week and promo effects.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["fit_poisson", "laplace_draws", "pearson_dispersion"]

#: Floor of the EM between-SKU / between-category sd of log-magnitudes (avoids collapse).
MIN_SD = 0.05
#: Pseudo degrees of freedom that shrink each SKU's dispersion towards the catalog's.
DISPERSION_PRIOR_DF = 20.0


def _levels_and_mean(
    d: dict[str, Any],
    u: np.ndarray,
    b: float,
    w: np.ndarray,
    om: np.ndarray,
    shape: np.ndarray,
    rate0: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row ``e_s * x_i``, the SKU log-levels at their conditional mode, per row the mean.

    ``u`` are the log-magnitudes of the elasticities, ``b`` the promo effect, ``w`` the week
    effects, ``om`` the likelihood weight per row, ``shape`` and ``rate0`` the Gamma level
    prior (shape per SKU after the data, prior rate).
    """
    s, t, x, p = d["sku_idx"], d["week_idx"], d["x"], d["promo"]
    e = -np.exp(u)
    ex = e[s] * x
    rest = np.exp(ex + b * p + w[t])
    a = np.log(shape / (rate0 + np.bincount(s, weights=om * rest, minlength=len(d["skus"]))))
    return ex, a, np.exp(a[s]) * rest


def _curvature(
    d: dict[str, Any], omu: np.ndarray, ex: np.ndarray, a: np.ndarray, sigma: float, rate0: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Negative Hessian blocks ``(h_uu, h_aa, h_au)`` of the log-posterior per SKU."""
    s, n = d["sku_idx"], len(d["skus"])
    h_uu = np.bincount(s, weights=omu * ex * ex, minlength=n) + 1 / sigma**2
    h_aa = np.bincount(s, weights=omu, minlength=n) + rate0 * np.exp(a)
    h_au = np.bincount(s, weights=omu * ex, minlength=n)
    return h_uu, h_aa, h_au


def fit_poisson(
    d: dict[str, Any],
    weight: np.ndarray,
    level_shape: float,
    min_variation: float,
    *,
    max_sweeps: int = 2000,
    tol: float = 1e-7,
) -> dict[str, Any]:
    """Posterior mode and Laplace variances of the elasticity model (numpy, vectorized).

    Long because one coordinate-ascent sweep updates the levels, week, promo, elasticity and
    hyperparameter blocks in a fixed Gauss-Seidel order on shared per-row arrays (``mu``,
    ``omu``); split into steps it would pass a dozen arrays back and forth, and its numbers
    are pinned by the elasticity tests.

    Parameters
    ----------
    d : dict
        Design from :func:`optimizer.pricing.elasticity_design.design` (row indices, centred log
        price, units...).
    weight : numpy.ndarray
        Likelihood weight per SKU (``1 / dispersion``), shape ``(n_skus,)``.
    level_shape : float
        Shape of the Gamma prior on the SKU levels (rate ``d["level_rate"]``).
    min_variation : float
        Std of log price below which a SKU's data do not count as informative (reported only).
    max_sweeps : int
        Cap on coordinate-ascent sweeps.
    tol : float
        Stop when no parameter moves more than this in a sweep.

    Returns
    -------
    dict
        ``a``, ``u`` (modes per SKU), ``var_a``, ``var_u``, ``cov_au`` (Laplace, per SKU),
        ``info_u`` (Fisher information of the SKU's own data on ``u_s``, level profiled out),
        ``w`` (per week), ``b``, ``m_cat``, ``var_m_cat`` (per category), ``m``, ``sigma``,
        ``tau``, ``mu`` (fitted mean per row), ``sweeps``, ``converged``.
    """
    s, t, p = d["sku_idx"], d["week_idx"], d["promo"]
    y = d["y"].astype(float)
    n, n_t = len(d["skus"]), len(d["weeks"])
    cat = d["cat_of_sku"]
    n_c = len(d["categories"])
    per_cat = np.bincount(cat, minlength=n_c).astype(float)
    om = weight[s]
    wy = om * y
    shape = level_shape + np.bincount(s, weights=wy, minlength=n)
    rate0 = float(d["level_rate"])
    sum_py = float((wy * p).sum())
    sum_ty = np.bincount(t, weights=wy, minlength=n_t)

    u = np.full(n, np.log(1.5))
    m_cat = np.full(n_c, np.log(1.5))
    var_m_cat = np.zeros(n_c)
    m, sigma, tau = float(np.log(1.5)), 0.3, 0.3
    w = np.zeros(n_t)
    b = 0.0
    a = np.zeros(n)
    converged = False
    sweep = 0
    for sweep in range(1, max_sweeps + 1):  # noqa: B007 - reported below
        ex, a_new, mu = _levels_and_mean(d, u, b, w, om, shape, rate0)
        # Gauss-Seidel: week, promo and elasticity blocks each see the previous block's update
        # (simultaneous steps cycle: promo weeks and week effects are collinear)
        omu = om * mu
        h_w = np.bincount(t, weights=omu, minlength=n_t) + 1.0
        dw = np.clip((sum_ty - np.bincount(t, weights=omu, minlength=n_t) - w) / h_w, -1, 1)
        w_new = w + dw
        shift = w_new.mean()
        w_new -= shift
        a_new += shift  # the mean of the week effects moves to the levels; mu is unchanged
        mu *= np.exp(dw)[t]
        omu = om * mu
        g_b = sum_py - float((omu * p).sum()) - b / 0.25
        db = float(np.clip(g_b / (float((omu * p * p).sum()) + 1 / 0.25), -1, 1))
        mu *= np.exp(db * p)
        omu = om * mu
        r = om * y - omu
        # log-magnitudes: Fisher scoring with the pooled prior
        h_uu, h_aa, h_au = _curvature(d, omu, ex, a_new, sigma, rate0)
        g_u = np.bincount(s, weights=r * ex, minlength=n) - (u - m_cat[cat]) / sigma**2
        du = np.clip(g_u / h_uu, -1, 1)
        # Laplace covariance of (a_s, u_s) at the current point
        det = h_aa * h_uu - h_au**2
        var_u = h_aa / det
        # EM for the hyperparameters
        prec_c = per_cat / sigma**2 + 1 / tau**2
        m_cat_new = (np.bincount(cat, weights=u, minlength=n_c) / sigma**2 + m / tau**2) / prec_c
        var_m_cat = 1 / prec_c
        dev = (u - m_cat_new[cat]) ** 2 + var_u + var_m_cat[cat]
        sigma_new = max(float(np.sqrt(dev.mean())), MIN_SD)
        m_new = float(m_cat_new.mean())
        tau_new = max(float(np.sqrt(((m_cat_new - m_new) ** 2 + var_m_cat).mean())), MIN_SD)
        moves = max(
            float(np.abs(du).max()),
            float(np.abs(w_new - w).max()),
            abs(db),
            float(np.abs(a_new - a).max()),
            float(np.abs(m_cat_new - m_cat).max()),
            abs(sigma_new - sigma),
            abs(tau_new - tau),
        )
        u, w, b, a = u + du, w_new, b + db, a_new
        m_cat, m, sigma, tau = m_cat_new, m_new, sigma_new, tau_new
        if moves < tol:
            converged = True
            break
    ex, a, mu = _levels_and_mean(d, u, b, w, om, shape, rate0)
    h_uu, h_aa, h_au = _curvature(d, om * mu, ex, a, sigma, rate0)
    det = h_aa * h_uu - h_au**2
    var_u = h_aa / det
    # delta method: the posterior mean of u_s moves by var_u / sigma^2 per unit of m_cat
    var_u_total = var_u + (var_u / sigma**2) ** 2 * var_m_cat[cat]
    return {
        "a": a,
        "u": u,
        "var_a": h_uu / det,
        "var_u": var_u_total,
        "cov_au": -h_au / det,
        "info_u": h_uu - h_au**2 / h_aa - 1 / sigma**2,
        "w": w,
        "b": b,
        "m_cat": m_cat,
        "var_m_cat": var_m_cat,
        "m": m,
        "sigma": sigma,
        "tau": tau,
        "mu": mu,
        "sweeps": sweep,
        "converged": converged,
        "informative": d["price_variation"] >= min_variation,
    }


def laplace_draws(
    fit: dict[str, Any], n_draws: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Draws of elasticities and log levels from the per-SKU Gaussian (Laplace) posterior.

    Returns
    -------
    elasticity, log_level : numpy.ndarray
        Shape ``(n_draws, n_skus)`` each; elasticities are negative.
    """
    n = len(fit["u"])
    z1, z2 = rng.standard_normal((2, n_draws, n))
    sd_u = np.sqrt(fit["var_u"])
    u = fit["u"] + sd_u * z1
    slope = fit["cov_au"] / fit["var_u"]
    cond_var = np.clip(fit["var_a"] - fit["cov_au"] ** 2 / fit["var_u"], 0.0, None)
    log_level = fit["a"] + slope * (u - fit["u"]) + np.sqrt(cond_var) * z2
    return -np.exp(u), log_level


def pearson_dispersion(d: dict[str, Any], mu: np.ndarray) -> tuple[float, np.ndarray]:
    """Pearson dispersion of a fitted Poisson model: catalog-wide and per SKU (shrunk).

    Parameters
    ----------
    d : dict
        Design (``sku_idx``, ``y``, ``skus``, ``weeks``).
    mu : numpy.ndarray
        Fitted mean units per row.

    Returns
    -------
    phi_all : float
        ``sum (y - mu)^2 / mu`` over the residual degrees of freedom (1 for Poisson data).
    phi_sku : numpy.ndarray
        Per-SKU dispersion shrunk towards ``phi_all`` with :data:`DISPERSION_PRIOR_DF` pseudo
        degrees of freedom, floored at 1, shape ``(n_skus,)``.
    """
    s, y = d["sku_idx"], d["y"].astype(float)
    n = len(d["skus"])
    chi2 = np.bincount(s, weights=(y - mu) ** 2 / np.maximum(mu, 1e-9), minlength=n)
    df = np.maximum(np.bincount(s, minlength=n) - 2.0, 1.0)
    resid_df = max(len(y) - 2.0 * n - len(d["weeks"]) - 1.0, 1.0)
    phi_all = float(chi2.sum() / resid_df)
    k = DISPERSION_PRIOR_DF
    phi = np.maximum((chi2 + k * phi_all) / (df + k), 1.0)
    return phi_all, phi
