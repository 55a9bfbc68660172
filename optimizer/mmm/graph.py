"""The PyMC graph of the media-mix model (scaled space).

``y_t / y_scale ~ Normal(mu_t, sigma)`` (or Student-t) with

``mu_t = intercept + X_t . coef + sum_c beta_c * sat_c(adstock_c(spend_c / scale_c)_t)``

where ``X`` holds the linear trend, yearly Fourier terms and scaled controls. Each channel's
``beta_c`` (its maximum weekly effect, in units of mean weekly revenue) is *derived* from its
ROAS over the training weeks, which is the sampled parameter:

``beta_c = roas_c * spend_c[train] / y_scale / sum_t sat_c,t[train]``

so that the ROAS prior a manager states is exactly the prior the model uses, and the sampler
moves along the well-identified direction (total return) instead of the ridge between a large
``beta`` and a far half-saturation point. Lift tests add
``measured_i ~ Normal(beta_c * sum_w [sat(modified) - sat(actual)], se_i)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from optimizer.errors import ConfigError
from optimizer.mmm.design import Design, LiftDesign
from optimizer.mmm.extension import adstock_names, get_adstock
from optimizer.mmm.priors import Priors
from optimizer.mmm.transforms import (
    adstock_pt,
    delayed_weights_pt,
    geometric_weights_pt,
    hill_pt,
    logistic_pt,
    weibull_weights_pt,
)

__all__ = [
    "LIKELIHOODS",
    "ModelOptions",
    "baseline_coef",
    "build_model",
    "coef_sd",
    "lift_likelihood",
    "media_terms",
    "shop_likelihood",
]

LIKELIHOODS = ("normal", "student_t", "ar1")
SATURATION_KINDS = ("hill", "logistic")

# prior scales on the baseline regressors (target scaled to mean 1): trend over the whole history,
# each Fourier term, each control scaled to max |x| = 1
_TREND_SD = 0.5
_FOURIER_SD = 0.2
_CONTROL_SD = 0.5


@dataclass(frozen=True)
class ModelOptions:
    """Structural options of the model (what, not how it is sampled).

    Attributes
    ----------
    adstock : str
        ``geometric``, ``delayed``, ``weibull`` or a family registered with
        :func:`~optimizer.mmm.extension.register_adstock`.
    saturation : str
        ``hill`` or ``logistic``.
    max_lag : int
        Adstock window L, weeks (lag 0 included).
    fourier_order : int
        Yearly sine/cosine pairs in the baseline.
    likelihood : str
        ``normal``, ``student_t`` (nu = 5, robust to a few outlying weeks) or ``ar1`` (normal
        errors following an AR(1) process, ``e_t = rho e_{t-1} + eps_t``: a weekly model whose
        baseline misses part of the season leaves autocorrelated residuals, and treating them as
        independent makes the posterior over-confident; the AR(1) likelihood also weighs the
        week-to-week changes of spend and revenue, which slow confounders touch less).
    """

    adstock: str = "geometric"
    saturation: str = "hill"
    max_lag: int = 12
    fourier_order: int = 2
    likelihood: str = "normal"

    def __post_init__(self) -> None:
        if self.adstock not in adstock_names():
            raise ConfigError(
                f"adstock '{self.adstock}' is unknown; use one of {', '.join(adstock_names())}, "
                "or register a custom family with optimizer.mmm.register_adstock(...) first "
                "(also before load_model reads a model that uses it)."
            )
        if self.saturation not in SATURATION_KINDS:
            raise ConfigError(
                f"saturation '{self.saturation}' is unknown; use one of {', '.join(SATURATION_KINDS)}."
            )
        if self.likelihood not in LIKELIHOODS:
            raise ConfigError(
                f"likelihood '{self.likelihood}' is unknown; use one of {', '.join(LIKELIHOODS)}."
            )
        if not 1 <= self.max_lag <= 52:
            raise ConfigError(f"max_lag must be between 1 and 52 weeks, got {self.max_lag}.")
        if not 0 <= self.fourier_order <= 10:
            raise ConfigError(f"fourier_order must be between 0 and 10, got {self.fourier_order}.")


def _weights(opts: ModelOptions, alpha_ab: np.ndarray) -> pt.TensorVariable:
    c = alpha_ab.shape[0]
    custom = get_adstock(opts.adstock)
    if custom is not None:
        values = {name: prior.variable(name) for name, prior in custom.params.items()}
        return custom.lag_weights_pt(values, opts.max_lag)
    if opts.adstock == "weibull":
        shape = pm.Gamma("ad_shape", mu=1.5, sigma=0.75, dims="channel")
        scale = pm.Gamma("ad_scale", mu=2.0, sigma=1.5, dims="channel")
        return weibull_weights_pt(shape, scale, opts.max_lag)
    alpha = pm.Beta("alpha", alpha=alpha_ab[:, 0], beta=alpha_ab[:, 1], dims="channel")
    if opts.adstock == "delayed":
        theta = pm.HalfNormal("theta", sigma=np.full(c, 2.0), dims="channel")
        return delayed_weights_pt(alpha, theta, opts.max_lag)
    return geometric_weights_pt(alpha, opts.max_lag)


# Hill saturation priors (scaled spend): half-saturation around the channel's typical weekly
# spend (scaled spend 1), slope about 1.5; shared with the pooled model's group level
HALF_LOG_SD = 0.7
SLOPE_MEAN, SLOPE_SD = 1.5, 0.5


def _saturation(opts: ModelOptions) -> Callable[..., pt.TensorVariable]:
    if opts.saturation == "hill":
        half = pm.LogNormal("half", mu=0.0, sigma=HALF_LOG_SD, dims="channel")
        slope = pm.Gamma("slope", mu=SLOPE_MEAN, sigma=SLOPE_SD, dims="channel")
        return lambda x, idx=slice(None): hill_pt(x, half[idx], slope[idx])
    lam = pm.Gamma("lam", mu=1.0, sigma=0.7, dims="channel")
    return lambda x, idx=slice(None): logistic_pt(x, lam[idx])


def coef_sd(design: Design) -> np.ndarray:
    """Prior sd of each baseline regressor's coefficient (trend, Fourier terms, controls)."""
    sd = np.full(design.baseline_x.shape[1], _CONTROL_SD)
    sd[0] = _TREND_SD
    sd[1 : 1 + 2 * design.fourier_order] = _FOURIER_SD
    return sd


def baseline_coef(design: Design) -> pt.TensorVariable:
    """Coefficients of the baseline regressors (``coef``)."""
    return pm.Normal("coef", mu=0.0, sigma=coef_sd(design), dims="regressor")


def media_terms(
    design: Design,
    roas: pt.TensorVariable,
    weights: pt.TensorVariable,
    sat: Callable[..., pt.TensorVariable],
) -> tuple[pt.TensorVariable, pt.TensorVariable]:
    """Channels' maximum effects and the weekly media effect over the training weeks.

    Returns
    -------
    tuple of pytensor variables
        ``beta`` (C,) derived from the ROAS (see the module docstring) and the media effect
        summed over channels (n_train,), both in units of ``y_scale``.
    """
    n = design.n_train
    spend_total = design.spend[:n].sum(axis=0) / design.y_scale  # scaled revenue units
    ad = adstock_pt(pt.as_tensor_variable(design.windows[:n]), weights)  # (n, C)
    s = sat(ad)
    beta = roas * spend_total / s.sum(axis=0)
    return beta, (s * beta).sum(axis=1)


def shop_likelihood(
    design: Design,
    opts: ModelOptions,
    coef: pt.TensorVariable,
    media: pt.TensorVariable,
) -> None:
    """Level, noise and likelihood of the store's training weeks."""
    n = design.n_train
    # The intercept is not sampled directly: the mean of the fit over the training weeks,
    # 1 + gap, is (regressors are centred there), and the intercept follows as
    # 1 + gap - mean(media). This removes the ridge between the intercept and every
    # channel's ROAS (media "explaining" the level); the shift has unit Jacobian, so adding
    # the intercept's Normal(0.5, 0.5) prior as a potential keeps the same model.
    gap = pm.Flat("level_gap")
    intercept = pm.Deterministic("intercept", 1.0 + gap - media.mean())
    pm.Potential("intercept_prior", pm.logp(pm.Normal.dist(0.5, 0.5), intercept))
    mu = intercept + pt.dot(pt.as_tensor_variable(design.baseline_x[:n]), coef) + media
    sigma = pm.HalfNormal("sigma", sigma=0.1)
    y = design.y[:n]
    if opts.likelihood == "student_t":
        pm.StudentT("y", nu=5.0, mu=mu, sigma=sigma, observed=y)
    elif opts.likelihood == "ar1":
        # exact AR(1) likelihood: the first week from the stationary law, then each week
        # given the previous week's error
        rho = pm.TruncatedNormal("rho", mu=0.0, sigma=0.5, lower=-0.9, upper=0.95)
        first = sigma / pt.sqrt(1.0 - rho**2)
        pm.Normal("y_first", mu=mu[0], sigma=first, observed=y[:1])
        pm.Normal("y", mu=mu[1:] + rho * (y[:-1] - mu[:-1]), sigma=sigma, observed=y[1:])
    else:
        pm.Normal("y", mu=mu, sigma=sigma, observed=y)


def lift_likelihood(
    lift: LiftDesign | None,
    weights: pt.TensorVariable,
    sat: Callable[..., pt.TensorVariable],
    beta: pt.TensorVariable,
    name: str = "lift",
) -> None:
    """``measured_i ~ Normal(beta_c * sum_w [sat(modified) - sat(actual)], se_i)`` (if any).

    ``lift.channel`` indexes ``weights`` (C, L), ``beta`` (C,) and the saturation's parameters.
    """
    if lift is None:
        return
    idx = lift.channel
    w = weights[idx]  # (N, L)
    ad_a = (pt.as_tensor_variable(lift.actual) * w[:, None, :]).sum(axis=-1)
    ad_m = (pt.as_tensor_variable(lift.modified) * w[:, None, :]).sum(axis=-1)
    diff = (sat(ad_m, idx[:, None]) - sat(ad_a, idx[:, None])) * lift.mask
    pm.Normal(name, mu=beta[idx] * diff.sum(axis=1), sigma=lift.se, observed=lift.measured)


def build_model(design: Design, priors: Priors, opts: ModelOptions) -> pm.Model:
    """Build the PyMC model on the training weeks of ``design``.

    Returns
    -------
    pymc.Model
        Free variables: ``intercept``, ``coef``, ``roas``, adstock and saturation parameters,
        ``sigma``; the channel maximum effect ``beta`` (scaled) is a deterministic.
    """
    ch_priors = [priors.for_channel(c) for c in design.channels]
    coords = {"channel": list(design.channels), "regressor": list(design.baseline_names)}
    with pm.Model(coords=coords) as model:
        coef = baseline_coef(design)
        roas = pm.LogNormal(
            "roas",
            mu=np.array([cp.roas.mu for cp in ch_priors]),
            sigma=np.array([cp.roas.sigma for cp in ch_priors]),
            dims="channel",
        )
        weights = _weights(opts, np.array([cp.carryover for cp in ch_priors]))
        sat = _saturation(opts)
        beta, media = media_terms(design, roas, weights, sat)
        beta = pm.Deterministic("beta", beta, dims="channel")
        shop_likelihood(design, opts, coef, media)
        lift_likelihood(design.lift, weights, sat, beta)
    return model
