"""Closed-form posteriors for experiment tests (no sampling)."""

from __future__ import annotations

import dataclasses

import numpy as np

from optimizer.curves import ResponseCurves, synthetic_curves


def split_posterior(n: int = 120, seed: int = 4) -> ResponseCurves:
    """Three channels: ch0 a point mass, ch1 two equally likely answers (x0.4 or x1.6), ch2 tight.

    The posterior of ch1's maximum effect is bimodal, so the safe rule hardly moves it; a test on
    ch1 tells which mode is true and lets the next plan move.
    """
    cv = synthetic_curves(n_channels=3, n_samples=n, lags=2, slope=1.0, seed=seed)
    beta, params = cv.beta.copy(), cv.params.copy()
    beta[:, 0], params[:, 0] = beta[0, 0], params[0, 0]
    beta[:, 1] = beta[:, 1].mean() * np.where(np.arange(n) % 2 == 0, 0.4, 1.6)
    params[:, 1] = params[:, 1].mean(axis=0)
    beta[:, 2] = beta[:, 2].mean() * np.exp(0.02 * np.random.default_rng(1).standard_normal(n))
    params[:, 2] = params[:, 2].mean(axis=0)
    return dataclasses.replace(cv, beta=beta, params=params)
