"""Closed-form response curves for allocation tests and benchmarks (no sampling)."""

from __future__ import annotations

from pathlib import Path

from optimizer.curves import ResponseCurves, synthetic_curves  # noqa: F401 (re-export)
from optimizer.data.demo import GroundTruth

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
