"""Closed-form response curves for allocation tests and benchmarks (no sampling)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from optimizer.data.demo import GroundTruth
from optimizer.mmm.curves import ResponseCurves

REPO = Path(__file__).resolve().parents[2]


def truth_curves(
    truth: GroundTruth,
    n_samples: int = 1,
    noise: float = 0.0,
    seed: int = 0,
    recent_weeks: int = 13,
) -> ResponseCurves:
    """ResponseCurves from the demo truth; ``noise`` > 0 perturbs K/beta to mimic a posterior.

    The truth's media effect is in demand (EUR at reference prices); a price multiplier of 1 is
    assumed, so the response is incremental revenue at reference prices.
    """
    return truth.response_curves(recent_weeks, n_samples=n_samples, noise=noise, seed=seed)


def synthetic_curves(
    n_channels: int = 3,
    n_samples: int = 20,
    lags: int = 3,
    slope=None,
    seed: int = 0,
    hetero_weights: bool = False,
) -> ResponseCurves:
    """Random Hill curves with geometric adstock; ``slope`` None draws concave (<= 1) slopes."""
    rng = np.random.default_rng(seed)
    names = tuple(f"ch{i}" for i in range(n_channels))
    alpha = rng.uniform(0.0, 0.6, n_channels)
    w = alpha[:, None] ** np.arange(lags)[None, :]
    w = w / w.sum(axis=1, keepdims=True)
    weights = np.repeat(w[None], n_samples, axis=0)
    if hetero_weights:
        a_s = np.clip(alpha[None, :] + 0.1 * rng.standard_normal((n_samples, n_channels)), 0, 0.9)
        weights = a_s[:, :, None] ** np.arange(lags)[None, None, :]
        weights = weights / weights.sum(axis=2, keepdims=True)
    k = rng.uniform(2_000, 10_000, n_channels)
    s = rng.uniform(0.6, 1.0, n_channels) if slope is None else np.full(n_channels, slope)
    b = rng.uniform(20_000, 60_000, n_channels)
    params = np.zeros((n_samples, n_channels, 2))
    params[:, :, 0] = k[None] * np.exp(0.1 * rng.standard_normal((n_samples, n_channels)))
    params[:, :, 1] = s[None]
    beta = b[None] * np.exp(0.1 * rng.standard_normal((n_samples, n_channels)))
    current = rng.uniform(2_000, 8_000, n_channels)
    hist = np.tile(current, (lags + 2, 1))
    return ResponseCurves(names, weights, ("hill",) * n_channels, params, beta, hist, current)
