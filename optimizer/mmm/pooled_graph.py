"""The PyMC graph of the pooled (hierarchical) media-mix model of several shops.

Each shop keeps the single model's structure (:mod:`optimizer.mmm.graph`: its own scaled design,
baseline regressors, level, noise and likelihood, lift tests; ``beta`` derived from the ROAS).
The four channel parameters of shop ``k`` and channel family ``f`` (channels with the same name
in several shops) are partially pooled on an unconstrained scale, non-centred::

    log roas_kf    = mu_roas_f  + tau_roas  * z_roas_kf
    logit alpha_kf = mu_alpha_f + tau_alpha * z_alpha_kf     (geometric adstock retention)
    log half_kf    = mu_half_f  + tau_half  * z_half_kf      (Hill half-saturation, scaled spend)
    log slope_kf   = mu_slope_f + tau_slope * z_slope_kf     (Hill slope)

with ``z ~ Normal(0, 1)``; a family held by one shop has no deviation (its value is ``mu``).
The group values ``mu_f`` get the single model's priors on the same scale: ROAS and carry-over
from :class:`~optimizer.mmm.priors.Priors` (the logit of a Beta(a, b) has mean ``psi(a) -
psi(b)`` and variance ``psi'(a) + psi'(b)``), ``log half ~ Normal(0, 0.7)``, and ``log slope``
the log-normal with the single model's Gamma(1.5, 0.5) mean and sd. Every parameter is unitless
(spend is scaled by each shop's own mean active spend, revenue by its own mean), so shops of any
size share one group value. Shop deviations ``tau ~ HalfNormal(0.5)`` (one per parameter kind,
shared by the families: a handful of shops cannot tell a deviation per family): a priori
shops differ by about +/-35 % in ROAS, with room for a factor of 2 or more.

Non-centred deviations sampled better than centred ones (``dev ~ Normal(0, tau)``) on the demo
portfolio: 61 vs 125 leapfrog steps per draw, R-hat 1.08 vs 1.22 (2 chains, 200 tuning steps,
100 draws, seed 1; short runs to choose the form, not a quality figure). The shops' designs are
stacked into padded arrays so that the graph has one set of operations for any number of shops
(compile time does not grow with the shops).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pymc as pm
import pytensor.tensor as pt
from scipy.special import digamma, polygamma

from optimizer.mmm.design import Design, LiftDesign
from optimizer.mmm.graph import (
    HALF_LOG_SD,
    SLOPE_MEAN,
    SLOPE_SD,
    ModelOptions,
    coef_sd,
    lift_likelihood,
)
from optimizer.mmm.priors import Priors
from optimizer.mmm.transforms import adstock_pt, geometric_weights_pt, hill_pt

__all__ = ["KINDS", "TAU_SD", "PoolIndex", "build_pooled_model", "pair_values", "pool_index"]

KINDS = ("roas", "alpha", "half", "slope")
TAU_SD = 0.5  # HalfNormal scale of the shop deviations (log / logit scale)


@dataclass(frozen=True)
class PoolIndex:
    """Which shop has which channel family.

    Attributes
    ----------
    shops : tuple of str
        Shop names, in order (shop ``k`` is ``shops[k]``).
    families : tuple of str
        Channel names over all shops, first seen first.
    pair_shop, pair_family : numpy.ndarray
        For each (shop, channel) pair, shop-major in each shop's channel order: its shop and
        family index, (N,).
    """

    shops: tuple[str, ...]
    families: tuple[str, ...]
    pair_shop: np.ndarray
    pair_family: np.ndarray

    @property
    def shared(self) -> np.ndarray:
        """Pairs whose family is held by two shops or more, (N,) bool."""
        counts = np.bincount(self.pair_family, minlength=len(self.families))
        return counts[self.pair_family] >= 2

    def of_shop(self, k: int) -> np.ndarray:
        """Pair indices of shop ``k``, in its channel order."""
        return np.flatnonzero(self.pair_shop == k)

    @property
    def labels(self) -> list[str]:
        """``shop/channel`` per pair."""
        return [
            f"{self.shops[s]}/{self.families[f]}"
            for s, f in zip(self.pair_shop, self.pair_family, strict=True)
        ]


def pool_index(channels: Mapping[str, tuple[str, ...]]) -> PoolIndex:
    """Index the channels of each shop (``{shop: channels}``) by family."""
    families: list[str] = []
    shop_idx, fam_idx = [], []
    for k, chans in enumerate(channels.values()):
        for c in chans:
            if c not in families:
                families.append(c)
            shop_idx.append(k)
            fam_idx.append(families.index(c))
    return PoolIndex(
        tuple(channels), tuple(families), np.array(shop_idx, int), np.array(fam_idx, int)
    )


def _group_priors(families: tuple[str, ...], priors: Priors) -> dict[str, tuple[np.ndarray, ...]]:
    """Centre and sd of each group value ``mu_f`` on its unconstrained scale."""
    chan = [priors.for_channel(f) for f in families]
    a = np.array([cp.carryover[0] for cp in chan])
    b = np.array([cp.carryover[1] for cp in chan])
    s2 = math.log(1.0 + (SLOPE_SD / SLOPE_MEAN) ** 2)  # log-normal with the Gamma's mean and sd
    n = len(families)
    return {
        "roas": (np.array([cp.roas.mu for cp in chan]), np.array([cp.roas.sigma for cp in chan])),
        "alpha": (digamma(a) - digamma(b), np.sqrt(polygamma(1, a) + polygamma(1, b))),
        "half": (np.zeros(n), np.full(n, HALF_LOG_SD)),
        "slope": (np.full(n, math.log(SLOPE_MEAN) - s2 / 2), np.full(n, math.sqrt(s2))),
    }


def _pooled_values(index: PoolIndex, priors: Priors) -> dict[str, pt.TensorVariable]:
    """Pair-level parameters on their natural scale (inside a model context)."""
    shared = np.flatnonzero(index.shared)
    out = {}
    for kind, (centre, sd) in _group_priors(index.families, priors).items():
        mu = pm.Normal(f"mu_{kind}", mu=centre, sigma=sd, dims="family")
        raw = mu[index.pair_family]
        if len(shared):
            tau = pm.HalfNormal(f"tau_{kind}", sigma=TAU_SD)
            z = pm.Normal(f"z_{kind}", mu=0.0, sigma=1.0, dims="shared_pair")
            raw = pt.inc_subtensor(raw[shared], tau * z)
        value = pt.sigmoid(raw) if kind == "alpha" else pt.exp(raw)
        # kept out of the trace (the sampler stores free variables only): pair_values rebuilds
        # them in numpy; named so that tests can check both agree
        out[kind] = pm.Deterministic(kind, value, dims="pair")
    return out


@dataclass(frozen=True, eq=False)
class Stacked:
    """The shops' designs stacked into padded arrays (one set of graph operations for all).

    Attributes
    ----------
    windows : numpy.ndarray
        Lag tensor of scaled spend per (shop, channel) pair over the training weeks, zero
        after a shop's last training week, (T, L, N).
    spend_total : numpy.ndarray
        Each pair's training spend in units of its shop's mean revenue, (N,).
    incidence : numpy.ndarray
        1 where pair ``n`` belongs to shop ``k``, (N, K).
    n_train : numpy.ndarray
        Training weeks per shop, (K,).
    x : numpy.ndarray
        Baseline regressors, zero-padded, (K, T, P).
    coef_sd : numpy.ndarray
        Prior sd of the coefficients (1 for padding), (K, P).
    y : numpy.ndarray
        Scaled target, zero-padded, (T, K).
    lift : LiftDesign or None
        Every shop's lift tests; ``channel`` is the pair index.
    """

    windows: np.ndarray
    spend_total: np.ndarray
    incidence: np.ndarray
    n_train: np.ndarray
    x: np.ndarray
    coef_sd: np.ndarray
    y: np.ndarray
    lift: LiftDesign | None

    def valid(self, first: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """(week, shop) indices of the training weeks from week ``first`` on, shop-major."""
        t = [np.arange(first, n) for n in self.n_train]
        k = [np.full(len(ti), j) for j, ti in enumerate(t)]
        return np.concatenate(t), np.concatenate(k)


def stack_designs(designs: Mapping[str, Design], index: PoolIndex) -> Stacked:
    """Stack the shops' designs (in the order of ``index.shops``)."""
    ds = list(designs.values())
    n_train = np.array([d.n_train for d in ds])
    t_max, lags, n_pairs = int(n_train.max()), ds[0].max_lag, len(index.pair_shop)
    p_max = max(d.baseline_x.shape[1] for d in ds)
    windows = np.zeros((t_max, lags, n_pairs))
    spend_total = np.zeros(n_pairs)
    x, sd = np.zeros((len(ds), t_max, p_max)), np.ones((len(ds), p_max))
    y = np.zeros((t_max, len(ds)))
    lifts = []
    for k, d in enumerate(ds):
        n, pairs = d.n_train, index.of_shop(k)
        windows[:n, :, pairs] = d.windows[:n]
        spend_total[pairs] = d.spend[:n].sum(axis=0) / d.y_scale
        p = d.baseline_x.shape[1]
        x[k, :n, :p], sd[k, :p], y[:n, k] = d.baseline_x[:n], coef_sd(d), d.y[:n]
        if d.lift is not None:
            lifts.append(dataclasses.replace(d.lift, channel=pairs[d.lift.channel]))
    incidence = (index.pair_shop[:, None] == np.arange(len(ds))[None, :]).astype(float)
    return Stacked(windows, spend_total, incidence, n_train, x, sd, y, _stack_lifts(lifts))


def _stack_lifts(lifts: list[LiftDesign]) -> LiftDesign | None:
    if not lifts:
        return None
    width = max(lf.mask.shape[1] for lf in lifts)

    def pad(a: np.ndarray) -> np.ndarray:
        return np.pad(a, [(0, 0), (0, width - a.shape[1])] + [(0, 0)] * (a.ndim - 2))

    return LiftDesign(
        channel=np.concatenate([lf.channel for lf in lifts]),
        actual=np.concatenate([pad(lf.actual) for lf in lifts]),
        modified=np.concatenate([pad(lf.modified) for lf in lifts]),
        mask=np.concatenate([pad(lf.mask) for lf in lifts]),
        measured=np.concatenate([lf.measured for lf in lifts]),
        se=np.concatenate([lf.se for lf in lifts]),
    )


def _hill(half: pt.TensorVariable, slope: pt.TensorVariable) -> Callable[..., pt.TensorVariable]:
    return lambda x, i=slice(None): hill_pt(x, half[i], slope[i])


def _likelihood(st: Stacked, opts: ModelOptions, mu: pt.TensorVariable) -> None:
    """Each shop's noise and likelihood over its training weeks (``mu``: (T, K))."""
    sigma = pm.HalfNormal("sigma", sigma=0.1, dims="shop")
    if opts.likelihood != "ar1":
        t, k = st.valid()
        if opts.likelihood == "student_t":
            pm.StudentT("y", nu=5.0, mu=mu[t, k], sigma=sigma[k], observed=st.y[t, k])
        else:
            pm.Normal("y", mu=mu[t, k], sigma=sigma[k], observed=st.y[t, k])
        return
    # exact AR(1) likelihood per shop, as the single model's
    rho = pm.TruncatedNormal("rho", mu=0.0, sigma=0.5, lower=-0.9, upper=0.95, dims="shop")
    first = sigma / pt.sqrt(1.0 - rho**2)
    pm.Normal("y_first", mu=mu[0], sigma=first, observed=st.y[0])
    t, k = st.valid(first=1)
    mean = mu[t, k] + rho[k] * (st.y[t - 1, k] - mu[t - 1, k])
    pm.Normal("y", mu=mean, sigma=sigma[k], observed=st.y[t, k])


def build_pooled_model(
    designs: Mapping[str, Design], index: PoolIndex, priors: Priors, opts: ModelOptions
) -> pm.Model:
    """Build the pooled model over the shops' training weeks.

    Parameters
    ----------
    designs : mapping of str to Design
        Each shop's scaled inputs, in the order of ``index.shops``.
    index : PoolIndex
        The shops' channels by family.
    priors : Priors
        Channel priors, giving each family's group-value prior.
    opts : ModelOptions
        Structure; geometric adstock and Hill saturation only.

    Returns
    -------
    pymc.Model
        Free variables ``mu_<kind>`` (family), ``tau_<kind>``, ``z_<kind>`` (shared pair), and
        per shop: ``coef`` (shop, slot), ``level_gap``, ``sigma`` (and
        ``rho`` for the AR(1) likelihood).
    """
    st = stack_designs(designs, index)
    shared = np.flatnonzero(index.shared)
    coords = {
        "family": list(index.families),
        "pair": index.labels,
        "shared_pair": [index.labels[i] for i in shared],
        "shop": list(index.shops),
        "slot": list(range(st.x.shape[2])),
    }
    with pm.Model(coords=coords) as model:
        v = _pooled_values(index, priors)
        weights = geometric_weights_pt(v["alpha"], opts.max_lag)  # (N, L)
        sat = _hill(v["half"], v["slope"])
        s = sat(adstock_pt(pt.as_tensor_variable(st.windows), weights))  # (T, N), 0 on padding
        beta = v["roas"] * st.spend_total / s.sum(axis=0)
        media = pt.dot(s * beta, st.incidence)  # (T, K)
        # the level is sampled as each shop's mean fit over its training weeks, as in the
        # single model (see optimizer.mmm.graph.shop_likelihood)
        gap = pm.Flat("level_gap", dims="shop")
        intercept = 1.0 + gap - media.sum(axis=0) / st.n_train
        pm.Potential("intercept_prior", pm.logp(pm.Normal.dist(0.5, 0.5), intercept).sum())
        coef = pm.Normal("coef", mu=0.0, sigma=st.coef_sd, dims=("shop", "slot"))
        base = (pt.as_tensor_variable(st.x) * coef[:, None, :]).sum(axis=2)  # (K, T)
        _likelihood(st, opts, intercept[None, :] + base.T + media)
        lift_likelihood(st.lift, weights, sat, beta)
    return model


def pair_values(posterior: Mapping[str, np.ndarray], index: PoolIndex) -> dict[str, np.ndarray]:
    """The pair-level parameters from posterior draws, in numpy (the graph's formulas).

    Parameters
    ----------
    posterior : mapping of str to numpy.ndarray
        Draws of ``mu_<kind>`` (..., F), ``tau_<kind>`` (...) and ``z_<kind>`` (..., N shared).
    index : PoolIndex
        The shops' channels by family.

    Returns
    -------
    dict of str to numpy.ndarray
        ``roas``, ``alpha``, ``half``, ``slope``, each (..., N pairs).
    """
    shared = np.flatnonzero(index.shared)
    out = {}
    for kind in KINDS:
        raw = np.array(posterior[f"mu_{kind}"])[..., index.pair_family]
        if len(shared):
            tau = np.asarray(posterior[f"tau_{kind}"])[..., None]
            raw[..., shared] += tau * np.asarray(posterior[f"z_{kind}"])
        out[kind] = 1.0 / (1.0 + np.exp(-raw)) if kind == "alpha" else np.exp(raw)
    return out
