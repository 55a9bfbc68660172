"""Adstock and saturation transforms, in pure numpy and in pytensor (same formulas).

Adstock is a normalised convolution: the spend of week ``t`` acts on weeks ``t .. t + L - 1``
with lag weights ``w_0 .. w_{L-1}`` (lag 0 first) that sum to 1, so an adstocked euro is still a
euro, spread over time. Spend before the first week is taken as zero. Three weight families:

* ``geometric``: ``w_l ∝ alpha**l`` (decay from the week of spend);
* ``delayed``: ``w_l ∝ alpha**((l - theta)**2)`` (peak ``theta`` weeks after the spend);
* ``weibull``: ``w_l ∝ Weibull-pdf(l + 1; shape k, scale lam)`` (flexible delayed decay).

Saturation maps adstocked spend to a share in ``[0, 1)`` of the channel's maximum weekly effect:

* ``hill``: ``x**s / (x**s + K**s)`` (``K``: half-saturation point, same unit as ``x``);
* ``logistic``: ``(1 - exp(-lam x)) / (1 + exp(-lam x))`` (``lam``: 1 / unit of ``x``).

All numpy functions broadcast over leading axes so that a whole posterior is transformed at once.
The pytensor versions take a precomputed lag tensor (:func:`lag_tensor`) so that adstock over all
channels is a single element-wise product and sum, with no scan.
"""

from __future__ import annotations

import numpy as np
import pytensor.tensor as pt

__all__ = [
    "ADSTOCKS",
    "adstock",
    "adstock_pt",
    "delayed_weights",
    "delayed_weights_pt",
    "geometric_weights",
    "geometric_weights_pt",
    "hill",
    "hill_pt",
    "lag_tensor",
    "logistic",
    "logistic_pt",
    "weibull_weights",
    "weibull_weights_pt",
]

ADSTOCKS = ("geometric", "delayed", "weibull")


# --- lag weights ------------------------------------------------------------------------------
def geometric_weights(alpha: np.ndarray | float, max_lag: int) -> np.ndarray:
    """Normalised geometric lag weights.

    Parameters
    ----------
    alpha : array_like
        Weekly retention in ``[0, 1)``, any shape ``(...)``.
    max_lag : int
        Window ``L`` in weeks, lag 0 included.

    Returns
    -------
    numpy.ndarray
        Shape ``(..., L)``, each row summing to 1.
    """
    a = np.asarray(alpha, float)[..., None]
    w = np.power(a, np.arange(max_lag, dtype=float))
    return w / w.sum(axis=-1, keepdims=True)


def delayed_weights(
    alpha: np.ndarray | float, theta: np.ndarray | float, max_lag: int
) -> np.ndarray:
    """Normalised delayed-peak lag weights ``alpha**((l - theta)**2)``, shape ``(..., L)``."""
    a = np.asarray(alpha, float)[..., None]
    th = np.asarray(theta, float)[..., None]
    w = np.power(a, (np.arange(max_lag, dtype=float) - th) ** 2)
    return w / w.sum(axis=-1, keepdims=True)


def weibull_weights(
    shape: np.ndarray | float, scale: np.ndarray | float, max_lag: int
) -> np.ndarray:
    """Normalised Weibull-pdf lag weights evaluated at ``l + 1`` weeks, shape ``(..., L)``.

    Parameters
    ----------
    shape : array_like
        Weibull shape ``k > 0`` (``k > 1`` gives a delayed peak).
    scale : array_like
        Weibull scale ``lam > 0`` in weeks.
    max_lag : int
        Window ``L`` in weeks.
    """
    k = np.asarray(shape, float)[..., None]
    lam = np.asarray(scale, float)[..., None]
    z = (np.arange(max_lag, dtype=float) + 1.0) / lam
    # the constant k / lam cancels in the normalisation
    w = np.power(z, k - 1.0) * np.exp(-np.power(z, k))
    return w / w.sum(axis=-1, keepdims=True)


def geometric_weights_pt(alpha: pt.TensorVariable, max_lag: int) -> pt.TensorVariable:
    """Pytensor version of :func:`geometric_weights` (``alpha`` of shape ``(C,)``)."""
    lags = pt.as_tensor_variable(np.arange(max_lag, dtype=float))
    w = pt.power(alpha[..., None], lags)
    return w / w.sum(axis=-1, keepdims=True)


def delayed_weights_pt(
    alpha: pt.TensorVariable, theta: pt.TensorVariable, max_lag: int
) -> pt.TensorVariable:
    """Pytensor version of :func:`delayed_weights`."""
    lags = pt.as_tensor_variable(np.arange(max_lag, dtype=float))
    w = pt.power(alpha[..., None], (lags - theta[..., None]) ** 2)
    return w / w.sum(axis=-1, keepdims=True)


def weibull_weights_pt(
    shape: pt.TensorVariable, scale: pt.TensorVariable, max_lag: int
) -> pt.TensorVariable:
    """Pytensor version of :func:`weibull_weights`."""
    z = pt.as_tensor_variable(np.arange(max_lag, dtype=float) + 1.0) / scale[..., None]
    k = shape[..., None]
    w = pt.power(z, k - 1.0) * pt.exp(-pt.power(z, k))
    return w / w.sum(axis=-1, keepdims=True)


# --- adstock ----------------------------------------------------------------------------------
def lag_tensor(x: np.ndarray, max_lag: int, history: np.ndarray | None = None) -> np.ndarray:
    """Stack lagged copies of ``x``: ``out[t, l, c] = x[t - l, c]`` (zero, or ``history``, before).

    Parameters
    ----------
    x : numpy.ndarray
        Spend, shape ``(T, C)``, EUR per week (or scaled).
    max_lag : int
        Window ``L``.
    history : numpy.ndarray, optional
        Spend of the weeks before ``x``, shape ``(H, C)``, oldest first; missing weeks are zero.

    Returns
    -------
    numpy.ndarray
        Shape ``(T, L, C)``.
    """
    x = np.asarray(x, float)
    t_len, c = x.shape
    pad = max_lag - 1
    before = np.zeros((pad, c))
    if history is not None and pad:
        h = np.asarray(history, float)[-pad:]
        before[pad - len(h) :] = h
    full = np.vstack([before, x])
    idx = pad + np.arange(t_len)[:, None] - np.arange(max_lag)[None, :]
    return full[idx]


def adstock(x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Adstock spend with lag weights (zero spend before the first week).

    Parameters
    ----------
    x : numpy.ndarray
        Spend, shape ``(T, C)``.
    weights : numpy.ndarray
        Lag weights, shape ``(C, L)`` or a batch ``(S, C, L)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(T, C)`` or ``(S, T, C)``, same unit as ``x``.
    """
    windows = lag_tensor(x, weights.shape[-1])
    return np.einsum("tlc,...cl->...tc", windows, weights)


def adstock_pt(
    windows: np.ndarray | pt.TensorVariable, weights: pt.TensorVariable
) -> pt.TensorVariable:
    """Adstock from a lag tensor ``(T, L, C)`` and weights ``(C, L)`` -> ``(T, C)``."""
    return (windows * weights.T[None, :, :]).sum(axis=1)


# --- saturation -------------------------------------------------------------------------------
def hill(x: np.ndarray, half: np.ndarray | float, slope: np.ndarray | float) -> np.ndarray:
    """Hill saturation ``x**s / (x**s + K**s)`` in ``[0, 1)`` (``x`` clipped at 0)."""
    xs = np.power(np.maximum(x, 0.0), slope)
    return xs / (xs + np.power(half, slope))


def logistic(x: np.ndarray, lam: np.ndarray | float) -> np.ndarray:
    """Logistic saturation ``(1 - exp(-lam x)) / (1 + exp(-lam x))`` in ``[0, 1)``."""
    z = np.exp(-np.asarray(lam) * np.maximum(x, 0.0))
    return (1.0 - z) / (1.0 + z)


def hill_pt(
    x: pt.TensorVariable, half: pt.TensorVariable, slope: pt.TensorVariable
) -> pt.TensorVariable:
    """Pytensor version of :func:`hill`, written as a sigmoid in log space for stability."""
    # x**s / (x**s + K**s) = sigmoid(s * (log x - log K)); exactly 0 at x = 0 (the floor only
    # keeps the unused branch and its gradient finite)
    pos = x > 0
    z = slope * (pt.log(pt.switch(pos, x, 1.0)) - pt.log(half))
    return pt.switch(pos, pt.sigmoid(z), 0.0)


def logistic_pt(x: pt.TensorVariable, lam: pt.TensorVariable) -> pt.TensorVariable:
    """Pytensor version of :func:`logistic` (``tanh(lam x / 2)``)."""
    return pt.tanh(lam * pt.maximum(x, 0.0) / 2.0)
