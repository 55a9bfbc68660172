"""Exact evaluation of plans on every posterior sample: value, risk summary, gradients.

A plan's value on sample ``s`` is ``a * R_s(plan) - b * spend`` (see
:attr:`AllocationProblem.value_coefficients`); the risk summary turns the S values into one
number (mean, low quantile or CVaR). This module also holds the *concave envelope* of each
saturation curve, an over-estimator used to certify upper bounds on S-shaped curves.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from optimizer.allocation.problem import Risk
from optimizer.curves import ResponseCurves

__all__ = [
    "Outcome",
    "chain_gradient",
    "response_and_slope",
    "envelope_weekly_and_slope",
    "risk_value",
    "risk_weights",
    "sat_and_slope",
    "summarize",
]


def sat_and_slope(
    kind: str, x: np.ndarray, p0: np.ndarray, p1: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Saturation value and derivative (per EUR of adstocked spend), broadcasting.

    Parameters
    ----------
    kind : {"hill", "logistic"}
    x : numpy.ndarray
        Adstocked weekly spend, EUR (clipped at 0).
    p0, p1 : numpy.ndarray
        Saturation parameters (see :mod:`optimizer.curves`).
    """
    x = np.maximum(x, 0.0)
    if kind == "hill":
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            ks = np.power(p0, p1)
            xs = np.power(x, p1)
            val = xs / (xs + ks)
            d = p1 * ks * np.power(x, p1 - 1.0) / (xs + ks) ** 2
        d = np.where(np.isfinite(d), d, 1e6 / np.maximum(p0, 1e-9))
        return val, d
    z = np.exp(-p0 * x)
    return (1.0 - z) / (1.0 + z), 2.0 * p0 * z / (1.0 + z) ** 2


def response_and_slope(curves: ResponseCurves, plan: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weekly response and its slope per adstocked EUR, each (S, T, C), from one adstock pass.

    The same numbers as :meth:`ResponseCurves.weekly` and the per-week factor of
    :meth:`ResponseCurves.gradient`, with one power per sample, week and channel for Hill curves
    (``r = (x / K)**s``, response ``r / (1 + r)``, slope ``s r / (x (1 + r)**2)``): the nonlinear
    solver evaluates both about a hundred times per solve.
    """
    return _per_channel(curves, plan, _fast_sat_and_slope)


def _fast_sat_and_slope(
    kind: str, x: np.ndarray, p0: np.ndarray, p1: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`sat_and_slope` with one power per value for Hill curves."""
    xc = np.maximum(x, 0.0)
    if kind != "hill":
        return sat_and_slope(kind, xc, p0, p1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r = np.power(xc / p0, p1)
        v = np.where(np.isinf(r), 1.0, r / (1.0 + r))
        d = p1 * r / (np.where(xc > 0, xc, 1.0) * (1.0 + r) ** 2)
    # at 0 EUR: 0 for s > 1, 1 / K for s = 1, infinite (capped, as in ResponseCurves)
    # for s < 1
    at0 = np.where(p1 > 1.0, 0.0, np.where(p1 == 1.0, 1.0 / p0, 1e6 / np.maximum(p0, 1e-9)))
    return v, np.where(xc > 0, np.where(np.isfinite(d), d, 0.0), at0)


def _per_channel(
    curves: ResponseCurves,
    plan: np.ndarray,
    saturation: Callable[[str, np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray]:
    """Response and slope, each (S, T, C), from one adstock pass.

    ``saturation(kind, x, p0, p1)`` gives the value and slope of a channel's adstocked spend
    ``x`` (S, T); both are scaled by the channel's ``beta``.
    """
    x = curves.adstock(plan)
    val = np.empty_like(x)
    der = np.empty_like(x)
    for c, kind in enumerate(curves.saturation):
        p0 = curves.params[:, None, c, 0]
        p1 = curves.params[:, None, c, 1]
        beta = curves.beta[:, None, c]
        v, d = saturation(kind, x[:, :, c], p0, p1)
        val[:, :, c] = beta * v
        der[:, :, c] = beta * d
    return val, der


def tangent_point(kind: str, p0: np.ndarray, p1: np.ndarray) -> np.ndarray:
    """Where the tangent from the origin touches an S-shaped Hill curve (0 when concave), EUR.

    For ``x**s / (x**s + K**s)`` with ``s > 1`` the line through the origin is tangent at
    ``x* = K (s - 1)**(1/s)``; the concave envelope is that line below ``x*`` and the curve above.
    """
    if kind != "hill":
        return np.zeros_like(np.asarray(p0, float))
    s = np.asarray(p1, float)
    with np.errstate(invalid="ignore"):
        xs = np.asarray(p0, float) * np.power(np.maximum(s - 1.0, 0.0), 1.0 / s)
    return np.where(s > 1.0, xs, 0.0)


def envelope_weekly_and_slope(
    curves: ResponseCurves, plan: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Concave-envelope response and its derivative per sample, week and channel.

    Returns
    -------
    tuple of numpy.ndarray
        ``(value, slope)``, each (S, T, C): EUR per week and EUR per EUR of adstocked spend.
        Equal to :meth:`ResponseCurves.weekly` for concave curves, above it for S-shaped ones.
    """
    return _per_channel(curves, plan, _envelope_sat_and_slope)


def _envelope_sat_and_slope(
    kind: str, x: np.ndarray, p0: np.ndarray, p1: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`sat_and_slope` of the concave envelope: the tangent from the origin below it."""
    v, d = sat_and_slope(kind, x, p0, p1)
    xt = tangent_point(kind, p0, p1)
    if np.any(xt > 0):
        vt, _ = sat_and_slope(kind, xt, p0, p1)
        lin = np.where(xt > 0, vt / np.where(xt > 0, xt, 1.0), 0.0)
        below = x < xt
        v = np.where(below, lin * x, v)
        d = np.where(below, lin * np.ones_like(d), d)
    return v, d


def chain_gradient(curves: ResponseCurves, slope: np.ndarray) -> np.ndarray:
    """Gradient of a weekly response sum with respect to the plan through adstock.

    Parameters
    ----------
    slope : numpy.ndarray
        Derivative of each week's response with respect to that week's adstocked spend,
        (S, T, C).

    Returns
    -------
    numpy.ndarray
        (S, T, C) EUR per EUR of spend in each plan cell (effects past the horizon not counted).
    """
    t_len = slope.shape[1]
    grad = np.zeros_like(slope)
    for lag in range(min(curves.max_lag, t_len)):
        grad[:, : t_len - lag, :] += slope[:, lag:, :] * curves.weights[:, None, :, lag]
    return grad


def _k(risk: Risk, n: int) -> int:
    return max(1, min(n, math.ceil(risk.level * n - 1e-9)))


def risk_value(values: np.ndarray, risk: Risk) -> float:
    """Summarize sample values: mean, the ``level`` quantile (order statistic) or lower CVaR."""
    v = np.asarray(values, float)
    if risk.kind == "mean":
        return float(v.mean())
    k = _k(risk, len(v))
    part = np.partition(v, k - 1)
    if risk.kind == "quantile":
        return float(part[k - 1])
    return float(part[:k].mean())


def risk_weights(values: np.ndarray, risk: Risk) -> np.ndarray:
    """Weights ``w`` with ``risk_value = w @ values`` here (a supergradient for mean and CVaR)."""
    v = np.asarray(values, float)
    n = len(v)
    if risk.kind == "mean":
        return np.full(n, 1.0 / n)
    k = _k(risk, n)
    order = np.argsort(v, kind="stable")
    w = np.zeros(n)
    if risk.kind == "quantile":
        w[order[k - 1]] = 1.0
    else:
        w[order[:k]] = 1.0 / k
    return w


@dataclass(frozen=True)
class Outcome:
    """Posterior summary of an amount over the horizon, EUR.

    Attributes
    ----------
    mean, p10, p90 : float
        Posterior mean and 10 % / 90 % quantiles, EUR.
    """

    mean: float
    p10: float
    p90: float

    def to_dict(self) -> dict[str, float]:
        """``{"mean", "p10", "p90"}``."""
        return {"mean": self.mean, "p10": self.p10, "p90": self.p90}


def summarize(samples: np.ndarray) -> Outcome:
    """Mean and 10/90 % quantiles of posterior samples."""
    s = np.asarray(samples, float)
    return Outcome(float(s.mean()), float(np.quantile(s, 0.1)), float(np.quantile(s, 0.9)))
