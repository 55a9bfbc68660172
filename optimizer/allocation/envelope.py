"""Concave envelopes of the posterior curves on the spend the rules leave reachable.

Used by :mod:`optimizer.allocation.certify` for its upper bounds (see its docstring): on
``[alpha, beta]`` an S-shaped Hill curve is over-estimated by its concave envelope (the curve
past a tangent point, the tangent or the chord before it); concave curves are their own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.allocation.evaluate import sat_and_slope
from optimizer.curves import ResponseCurves

__all__ = ["Envelopes", "chain_gradient", "interval_envelope", "reachable_ranges"]

_BISECT = 60  # bisection steps for the tangent point (interval shrinks by 2**-60)


def interval_envelope(
    kind: str,
    a: np.ndarray,
    alpha: np.ndarray,
    beta: np.ndarray,
    p0: np.ndarray,
    p1: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Concave envelope of a saturation curve on ``[alpha, beta]``, at ``a`` (broadcasting).

    Parameters
    ----------
    kind : {"hill", "logistic"}
    a : numpy.ndarray
        Adstocked spend where to evaluate, EUR per week (inside ``[alpha, beta]``).
    alpha, beta : numpy.ndarray
        The reachable range of the adstocked spend, EUR per week.
    p0, p1 : numpy.ndarray
        Saturation parameters.

    Returns
    -------
    tuple of numpy.ndarray
        ``(value, slope)`` in saturation units (multiply by the maximum effect): a concave
        function of ``a`` on ``[alpha, beta]`` that is >= the curve there and its derivative.

    Notes
    -----
    For an S-shaped Hill curve (slope ``s > 1``, inflection ``K ((s-1)/(s+1))**(1/s)``) with
    ``alpha`` below the inflection, ``h(x) = f(x) - f(alpha) - f'(x) (x - alpha)`` increases past
    the inflection and its root ``x*`` is the tangent point. If ``h(beta) <= 0`` the envelope is
    the chord from ``alpha`` to ``beta``. Otherwise the tangent line at any ``x~ >= x*`` (the
    upper end of a bisection bracket, where ``h > 0``) lies above ``f(alpha)`` at ``alpha`` and
    above the concave part, hence above the convex part too; joined to the curve at ``x~`` it is
    continuous, concave and above the curve, so rounding in ``x~`` never breaks validity.
    """
    shape = np.broadcast_shapes(np.shape(a), np.shape(alpha), np.shape(beta), np.shape(p0))
    a, alpha, beta, p0, p1 = (
        np.broadcast_to(v, shape).astype(float) for v in (a, alpha, beta, p0, p1)
    )
    val, der = sat_and_slope(kind, a, p0, p1)
    parts = _parts(kind, alpha, beta, p0, p1)
    return (val, der) if parts is None else parts.apply(a, val, der)


@dataclass(frozen=True, eq=False)
class _Parts:
    """Where and how the envelope departs from the curve (fixed by the range, not by ``a``)."""

    chord: np.ndarray  # bool: the chord from alpha to beta
    tangent: np.ndarray  # bool: the tangent at xt below xt
    alpha: np.ndarray
    f_a: np.ndarray
    c_slope: np.ndarray
    xt: np.ndarray
    f_t: np.ndarray
    d_t: np.ndarray

    def apply(
        self, a: np.ndarray, val: np.ndarray, der: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Envelope value and slope at ``a`` from the curve's ``val``/``der`` there."""
        below_t = self.tangent & (a < self.xt)
        out_v = np.where(self.chord, self.f_a + self.c_slope * (a - self.alpha), val)
        out_d = np.where(self.chord, self.c_slope, der)
        out_v = np.where(below_t, self.f_t + self.d_t * (a - self.xt), out_v)
        out_d = np.where(below_t, self.d_t, out_d)
        return out_v, out_d


def _parts(
    kind: str, alpha: np.ndarray, beta: np.ndarray, p0: np.ndarray, p1: np.ndarray
) -> _Parts | None:
    """The envelope's chord/tangent pieces on ``[alpha, beta]`` (None: the curve itself)."""
    if kind != "hill":
        return None
    s = p1
    with np.errstate(invalid="ignore", divide="ignore"):
        infl = np.where(s > 1.0, p0 * ((s - 1.0) / (s + 1.0)) ** (1.0 / s), 0.0)
    alpha = np.maximum(alpha, 0.0)
    beta = np.maximum(beta, alpha)
    need = alpha < infl
    if not need.any():
        return None
    f_a, d_a = sat_and_slope(kind, alpha, p0, p1)
    f_b, d_b = sat_and_slope(kind, beta, p0, p1)
    h_b = f_b - f_a - d_b * (beta - alpha)
    chord = need & ((beta <= infl) | (h_b <= 0.0))
    width = beta - alpha
    with np.errstate(invalid="ignore", divide="ignore"):
        c_slope = np.where(width > 1e-12, (f_b - f_a) / np.where(width > 1e-12, width, 1.0), d_a)
    tangent = need & ~chord
    xt = beta.copy()
    if tangent.any():
        # bisection on the elements that need it only
        idx = np.nonzero(tangent)
        lo_x, hi_x = np.maximum(infl, alpha)[idx], beta[idx]
        pa, pb, al, fa = p0[idx], p1[idx], alpha[idx], f_a[idx]
        for _ in range(_BISECT):
            mid = 0.5 * (lo_x + hi_x)
            f_m, d_m = sat_and_slope(kind, mid, pa, pb)
            pos = (f_m - fa - d_m * (mid - al)) > 0.0
            hi_x = np.where(pos, mid, hi_x)
            lo_x = np.where(pos, lo_x, mid)
        xt[idx] = hi_x
    f_t, d_t = sat_and_slope(kind, xt, p0, p1)
    return _Parts(chord, tangent, alpha, f_a, c_slope, xt, f_t, d_t)


def reachable_ranges(
    curves: ResponseCurves, lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Adstocked spend of the lowest and the highest plan, (S, T, C) each."""
    return curves.adstock(lo), curves.adstock(hi)


class Envelopes:
    """Envelope response and slope per sample, week and channel, (S, T, C) EUR, for any plan.

    The chord/tangent pieces depend on the reachable ranges only: computed once.
    """

    def __init__(self, curves: ResponseCurves, alpha: np.ndarray, beta: np.ndarray) -> None:
        self.curves = curves
        self.parts = [
            _parts(
                kind,
                alpha[:, :, c],
                beta[:, :, c],
                np.broadcast_to(curves.params[:, None, c, 0], alpha.shape[:2]),
                np.broadcast_to(curves.params[:, None, c, 1], alpha.shape[:2]),
            )
            for c, kind in enumerate(curves.saturation)
        ]

    def __call__(self, plan: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Envelope response and slope of ``plan`` (T, C), each (S, T, C)."""
        cv = self.curves
        x = cv.adstock(plan)
        val = np.empty_like(x)
        der = np.empty_like(x)
        for c, kind in enumerate(cv.saturation):
            v, d = sat_and_slope(
                kind, x[:, :, c], cv.params[:, None, c, 0], cv.params[:, None, c, 1]
            )
            part = self.parts[c]
            if part is not None:
                v, d = part.apply(x[:, :, c], v, d)
            val[:, :, c] = cv.beta[:, None, c] * v
            der[:, :, c] = cv.beta[:, None, c] * d
        return val, der


def chain_gradient(curves: ResponseCurves, slope: np.ndarray) -> np.ndarray:
    """Gradient through adstock (S, T, C) of a weekly-response sum with slopes ``slope``."""
    t_len = slope.shape[1]
    grad = np.zeros_like(slope)
    for lag in range(min(curves.max_lag, t_len)):
        grad[:, : t_len - lag, :] += slope[:, lag:, :] * curves.weights[:, None, :, lag]
    return grad
