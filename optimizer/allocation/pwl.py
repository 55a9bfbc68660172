"""Piecewise-linear approximations of response curves for the LP (numpy only).

Breakpoints are placed greedily where the chord error is largest; concave stretches become the
lower envelope of the chord lines raised by their own (measured) error, an over-estimator of the
curve, so that the LP optimum bounds the exact optimum.
"""

from __future__ import annotations

import numpy as np

from optimizer.allocation.evaluate import sat_and_slope

__all__ = ["concave_hull", "curve", "focus_level", "pieces_of"]

_CANDIDATES = 400  # fine grid per curve for breakpoint placement and error measurement
_SUB = 24  # sub-grid points per piece when measuring the chord error


def curve(kind: str, a: np.ndarray, p: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """Mean over the given samples of ``beta * sat(a)``; ``p`` (K, 2), ``beta`` (K,)."""
    x = np.maximum(np.asarray(a, float), 0.0)[None, :]
    if kind == "hill":
        # x**s / (x**s + K**s) as r / (1 + r), r = (x / K)**s: one power per point and sample
        with np.errstate(divide="ignore", over="ignore"):
            r = np.power(x / p[:, 0:1], p[:, 1:2])
        v = np.where(np.isinf(r), 1.0, r / (1.0 + r))
        return (beta[:, None] * v).mean(axis=0)
    v, _ = sat_and_slope(kind, x, p[:, 0:1], p[:, 1:2])
    return (beta[:, None] * v).mean(axis=0)


def _breakpoints(grid: np.ndarray, f: np.ndarray, n: int, tol: float = 0.0) -> np.ndarray:
    """Pick at most ``n + 1`` breakpoints (indices into ``grid``) where the chord error peaks.

    Greedy; stops once the largest error is at most ``tol``.
    """
    idx = [0, len(grid) - 1]
    floor = max(tol, 1e-12 * (1.0 + abs(f).max()))
    for _ in range(n - 1):
        b = np.asarray(sorted(idx))
        err = np.abs(f - np.interp(grid, grid[b], f[b]))
        j = int(np.argmax(err))
        if err[j] <= floor or j in idx:
            break
        idx.append(j)
    return np.asarray(sorted(idx))


def _lower_envelope(
    m: np.ndarray, q: np.ndarray, top: float, lo: float = 0.0
) -> tuple[np.ndarray, np.ndarray, float]:
    """``min_i (m_i a + q_i)`` on [lo, top] for slopes ``m`` in decreasing order.

    Returns breakpoints (from ``lo`` to ``top``), the slope of each piece and the value at ``lo``.
    """
    order = np.argsort(-np.asarray(m), kind="stable")  # the minimum does not depend on order
    m, q = np.asarray(m)[order], np.asarray(q)[order]
    hull: list[tuple[float, float]] = []
    for mi, qi in zip(m.tolist(), q.tolist(), strict=True):
        if hull and mi >= hull[-1][0] - 1e-18:  # same slope: keep the lower line
            if qi < hull[-1][1]:
                hull.pop()
            else:
                continue
        while len(hull) >= 2:
            (m1, q1), (m2, q2) = hull[-2], hull[-1]
            if (qi - q1) / (m1 - mi) <= (q2 - q1) / (m1 - m2):
                hull.pop()
            else:
                break
        hull.append((mi, qi))
    xs = [
        (hull[i + 1][1] - hull[i][1]) / (hull[i][0] - hull[i + 1][0]) for i in range(len(hull) - 1)
    ]
    first = next((i for i, x in enumerate(xs) if x > lo), len(xs))
    pts, slopes = [lo], []
    for i in range(first, len(hull)):
        end = xs[i] if i < len(xs) else np.inf
        slopes.append(hull[i][0])
        if end >= top:
            break
        pts.append(end)
    pts.append(top)
    return np.asarray(pts), np.asarray(slopes), hull[first][0] * lo + hull[first][1]


def pieces_of(
    kind: str,
    p: np.ndarray,
    beta: np.ndarray,
    top: float,
    focus: float,
    n: int,
    tol: float = 0.0,
    lo: float = 0.0,
    extra: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Breakpoints, slopes, value at ``lo`` and over-estimation shift of a curve on [lo, top].

    Long because its parameters and returns are documented here; the body places the breakpoints
    in one pass.

    At most ``n`` pieces are placed on [lo, focus], fewer where the chord error is already at
    most ``tol`` (EUR per week; low curvature needs few pieces), and beyond ``focus`` follows
    the tangent at ``focus``. For a concave curve the pieces are the lower envelope of the chord
    lines each raised by its own chord error (an over-estimator: no shift needed); for an
    S-shaped curve they are the chords and the shift is the largest chord error. ``lo`` > 0
    (an adstocked spend no plan can go below, e.g. with always-on minimums) leaves out the part
    of the curve no plan reaches: often its convex toe, and with it the binaries. ``extra``
    breakpoints (e.g. dense around a first plan's adstock) are added to the greedy ones; the
    construction, and so the over-estimation, is the same whatever the breakpoints.
    """
    lo = max(float(lo), 0.0)
    top = max(top, lo + 1.0)
    focus = min(max(focus, lo + 1.0), top)
    span = focus - lo
    grid = np.unique(
        np.concatenate(
            [
                np.linspace(lo, focus, _CANDIDATES),
                lo + span * np.geomspace(1e-12, 1.0, _CANDIDATES),
            ]
        )
    )
    f = curve(kind, grid, p, beta)
    b = grid[_breakpoints(grid, f, n, tol)]
    if extra is not None and len(extra):
        b = np.unique(np.concatenate([b, np.clip(extra, lo, focus)]))
        # near-duplicate points only make the LP degenerate
        b = b[np.concatenate([[True], np.diff(b) > 1e-9 * max(focus, 1.0)])]
    fb = curve(kind, b, p, beta)
    slopes = np.diff(fb) / np.diff(b)
    # how far the curve rises above each chord, measured on a sub-grid of every piece
    u = np.linspace(0.0, 1.0, _SUB)
    pts = b[:-1, None] + np.diff(b)[:, None] * u[None, :]
    above = curve(kind, pts.ravel(), p, beta).reshape(pts.shape) - (
        fb[:-1, None] + slopes[:, None] * (pts - b[:-1, None])
    )
    # sampled maxima fall short of the true ones by a tiny amount: a small safety margin
    err = np.maximum(above.max(axis=1), 0.0) * 1.02 + 1e-5 * float(np.abs(fb).max())
    tangent = None
    if top > focus * (1 + 1e-9):
        _, d = sat_and_slope(kind, np.array([focus])[None, :], p[:, 0:1], p[:, 1:2])
        tangent = float((beta[:, None] * d).mean())
    # the sample-mean curve is concave past the largest inflection point of its samples
    if kind == "hill":
        sl_ = p[:, 1]
        with np.errstate(invalid="ignore", divide="ignore"):
            infl = np.where(sl_ > 1.0, p[:, 0] * ((sl_ - 1.0) / (sl_ + 1.0)) ** (1.0 / sl_), 0.0)
        a_conc = float(infl.max())
    else:
        a_conc = 0.0
    m_top = min(int(np.searchsorted(b, a_conc - 1e-12)), len(b) - 2)  # first concave piece
    # concave part: lower envelope of the chord lines raised by their own errors (plus the
    # tangent tail); convex part: the chords plus their largest error
    mm = slopes[m_top:].copy()
    q = fb[m_top:-1] - slopes[m_top:] * b[m_top:-1] + err[m_top:]
    if tangent is not None:
        mm = np.append(mm, min(tangent, mm[-1]))
        q = np.append(q, fb[-1] - mm[-1] * focus)
    bp, sl, start = _lower_envelope(mm, q, top, lo=float(b[m_top]))
    if m_top == 0:
        return bp, sl, start, 0.0
    # join: raise the last convex piece to end at the envelope's value (still above the curve)
    head_b = b[: m_top + 1]
    head_f = fb[: m_top + 1].copy()
    head_f[-1] = start
    b_all = np.concatenate([head_b, bp[1:]])
    s_all = np.concatenate([np.diff(head_f) / np.diff(head_b), sl])
    return b_all, s_all, float(fb[0]), float(max(err[:m_top].max(), 0.0))


def concave_hull(b: np.ndarray, slopes: np.ndarray, start: float) -> tuple[np.ndarray, np.ndarray]:
    """Least concave majorant of a piecewise-linear curve (breakpoints and slopes)."""
    v = start + np.concatenate([[0.0], np.cumsum(slopes * np.diff(b))])
    hull: list[int] = []
    for i in range(len(b)):
        while len(hull) >= 2:
            i0, i1 = hull[-2], hull[-1]
            # drop i1 when it lies on or below the segment i0 -> i
            if (v[i1] - v[i0]) * (b[i] - b[i0]) <= (v[i] - v[i0]) * (b[i1] - b[i0]):
                hull.pop()
            else:
                break
        hull.append(i)
    h = np.asarray(hull)
    return b[h], np.diff(v[h]) / np.diff(b[h])


def focus_level(kind: str, p: np.ndarray, level: float) -> float:
    """Adstocked spend past which a curve is nearly flat (20 half-saturations), EUR per week."""
    scale = float(np.median(p[:, 0])) if kind == "hill" else float(1.0 / np.median(p[:, 0]))
    return max(20.0 * scale, 3.0 * level)
