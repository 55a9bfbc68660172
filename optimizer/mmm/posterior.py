"""Posterior samples as numpy arrays, and the model's formulas evaluated on them.

The sampler only stores the free parameters; everything reported (weekly contributions,
baseline, fitted values, ROAS) is recomputed here with the numpy transforms, which the tests
check against the PyMC graph.
"""

from __future__ import annotations

from dataclasses import dataclass

import arviz as az
import numpy as np

from optimizer.mmm.design import Design
from optimizer.mmm.extension import get_adstock
from optimizer.mmm.graph import ModelOptions
from optimizer.mmm.transforms import (
    delayed_weights,
    geometric_weights,
    hill,
    lag_tensor,
    logistic,
    weibull_weights,
)

__all__ = ["PosteriorSamples", "thin_index"]


def thin_index(n_total: int, n_keep: int) -> np.ndarray:
    """Evenly spaced sample indices (deterministic), at most ``n_total`` of them."""
    n_keep = max(1, min(n_keep, n_total))
    return np.unique(np.linspace(0, n_total - 1, n_keep).round().astype(int))


@dataclass(frozen=True, eq=False)
class PosteriorSamples:
    """Flattened posterior (chains x draws = S samples), scaled units.

    Attributes
    ----------
    weights : numpy.ndarray
        Adstock lag weights, (S, C, L), rows summing to 1.
    saturation : str
        ``hill`` or ``logistic``.
    params : numpy.ndarray
        Saturation parameters in scaled spend units, (S, C, 2): Hill ``(half, slope)``,
        logistic ``(lam, 0)``.
    beta : numpy.ndarray
        Maximum weekly effect per channel in units of ``y_scale``, (S, C).
    intercept : numpy.ndarray
        (S,).
    coef : numpy.ndarray
        Baseline regressor coefficients, (S, P).
    sigma : numpy.ndarray
        Observation noise sd (scaled), (S,).
    roas : numpy.ndarray
        Sampled ROAS over the training weeks, (S, C).
    nu : float or None
        Student-t degrees of freedom (None for a normal likelihood).
    rho : numpy.ndarray or None
        AR(1) coefficient of the errors, (S,) (None unless the likelihood is ``ar1``).
    """

    weights: np.ndarray
    saturation: str
    params: np.ndarray
    beta: np.ndarray
    intercept: np.ndarray
    coef: np.ndarray
    sigma: np.ndarray
    roas: np.ndarray
    nu: float | None
    rho: np.ndarray | None = None

    @property
    def n_samples(self) -> int:
        """Number of samples S."""
        return int(self.beta.shape[0])

    @classmethod
    def from_idata(
        cls, idata: az.InferenceData, opts: ModelOptions, design: Design | None = None
    ) -> PosteriorSamples:
        """Read the free parameters of a fit and rebuild the derived ones.

        With ``design``, each channel's maximum effect ``beta`` and the ``intercept`` are
        computed here from the free parameters (the sampler stores only those: compiling the
        model's deterministics too cost ~40 % more compile time on a new machine); without it
        they are read from the posterior.
        """
        post = idata["posterior"]

        def flat(name: str) -> np.ndarray:
            v = post[name].to_numpy()
            return v.reshape(v.shape[0] * v.shape[1], *v.shape[2:])

        custom = get_adstock(opts.adstock)
        if custom is not None:
            w = custom.lag_weights({k: flat(k) for k in custom.params}, opts.max_lag)
        elif opts.adstock == "weibull":
            w = weibull_weights(flat("ad_shape"), flat("ad_scale"), opts.max_lag)
        elif opts.adstock == "delayed":
            w = delayed_weights(flat("alpha"), flat("theta"), opts.max_lag)
        else:
            w = geometric_weights(flat("alpha"), opts.max_lag)
        if opts.saturation == "hill":
            params = np.stack([flat("half"), flat("slope")], axis=-1)
        else:
            lam = flat("lam")
            params = np.stack([lam, np.zeros_like(lam)], axis=-1)
        roas = flat("roas")
        if design is not None:
            beta, intercept = _derived(design, w, opts.saturation, params, roas, flat("level_gap"))
        else:
            beta, intercept = flat("beta"), flat("intercept")
        return cls(
            weights=w,
            saturation=opts.saturation,
            params=params,
            beta=beta,
            intercept=intercept,
            coef=flat("coef"),
            sigma=flat("sigma"),
            roas=roas,
            nu=5.0 if opts.likelihood == "student_t" else None,
            rho=flat("rho") if opts.likelihood == "ar1" else None,
        )

    def subset(self, idx: np.ndarray) -> PosteriorSamples:
        """The same posterior restricted to sample indices ``idx``."""
        return PosteriorSamples(
            self.weights[idx],
            self.saturation,
            self.params[idx],
            self.beta[idx],
            self.intercept[idx],
            self.coef[idx],
            self.sigma[idx],
            self.roas[idx],
            self.nu,
            None if self.rho is None else self.rho[idx],
        )

    def saturate(self, x: np.ndarray) -> np.ndarray:
        """Saturation of adstocked scaled spend ``x`` of shape (S, T, C)."""
        p0 = self.params[:, None, :, 0]
        if self.saturation == "hill":
            return hill(x, p0, self.params[:, None, :, 1])
        return logistic(x, p0)

    def contributions(
        self, scaled_spend: np.ndarray, history: np.ndarray | None = None
    ) -> np.ndarray:
        """Channel contributions in units of ``y_scale``, (S, T, C).

        Parameters
        ----------
        scaled_spend : numpy.ndarray
            Spend divided by the channel scales, (T, C).
        history : numpy.ndarray, optional
            Scaled spend of the weeks before, (H, C), for carry-over (zero if omitted).
        """
        windows = lag_tensor(scaled_spend, self.weights.shape[-1], history)
        ad = np.einsum("tlc,scl->stc", windows, self.weights)
        return self.beta[:, None, :] * self.saturate(ad)

    def baseline(self, x_base: np.ndarray) -> np.ndarray:
        """Baseline in units of ``y_scale`` for regressors ``x_base`` (T, P) -> (S, T)."""
        return self.intercept[:, None] + self.coef @ x_base.T

    def fitted(self, design: Design) -> tuple[np.ndarray, np.ndarray]:
        """Baseline (S, T) and channel contributions (S, T, C) over all history weeks (scaled)."""
        return self.baseline(design.baseline_x), self.contributions(
            design.spend / design.spend_scale
        )

    def predictive(self, mu: np.ndarray, seed: int) -> np.ndarray:
        """Posterior-predictive draws around ``mu`` (S, T), same shape (deterministic in seed)."""
        rng = np.random.default_rng(seed)
        if self.nu is None:
            eps = rng.standard_normal(mu.shape)
        else:
            eps = rng.standard_t(self.nu, size=mu.shape)
        if self.rho is None:
            return mu + self.sigma[:, None] * eps
        # AR(1) errors from their stationary law: e_0 ~ N(0, s^2 / (1 - rho^2)), then
        # e_t = rho e_(t-1) + s eps_t (the marginal predictive of every week)
        rho = self.rho[:, None]
        e = np.empty_like(mu)
        e[:, :1] = self.sigma[:, None] * eps[:, :1] / np.sqrt(1.0 - rho**2)
        for t in range(1, mu.shape[1]):
            e[:, t] = self.rho * e[:, t - 1] + self.sigma * eps[:, t]
        return mu + e


def _derived(
    design: Design,
    weights: np.ndarray,
    saturation: str,
    params: np.ndarray,
    roas: np.ndarray,
    gap: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """``beta`` (S, C) and ``intercept`` (S,) as the model graph derives them (scaled units).

    ``beta_c = roas_c * spend_c[train] / y_scale / sum_t sat_c,t[train]`` and
    ``intercept = 1 + level_gap - mean_t(media_t)[train]`` (see :mod:`optimizer.mmm.graph`).
    """
    n = design.n_train
    ad = np.einsum("tlc,scl->stc", design.windows[:n], weights)  # (S, n, C)
    p0 = params[:, None, :, 0]
    sat = hill(ad, p0, params[:, None, :, 1]) if saturation == "hill" else logistic(ad, p0)
    spend_total = design.spend[:n].sum(axis=0) / design.y_scale
    beta = roas * spend_total[None, :] / sat.sum(axis=1)
    media = (sat * beta[:, None, :]).sum(axis=2)
    return beta, 1.0 + gap - media.mean(axis=1)
