"""The causal model's response functions in numpy: adstock, saturation, baseline demand."""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.data.calendar import french_retail_calendar

__all__ = ["baseline_demand", "geometric_adstock_np", "hill_np"]


def geometric_adstock_np(x: np.ndarray, alpha: float, max_lag: int) -> np.ndarray:
    """Normalised geometric adstock along axis 0 (weights ``alpha**l`` summing to 1).

    Parameters
    ----------
    x : numpy.ndarray
        Spend, weeks first (EUR per week).
    alpha : float
        Weekly retention in [0, 1).
    max_lag : int
        Number of weeks an euro keeps acting (lag 0 included).

    Returns
    -------
    numpy.ndarray
        Adstocked spend (EUR per week, same shape as ``x``), zero spend assumed before week 0.
    """
    w = alpha ** np.arange(max_lag)
    w = w / w.sum()
    out = np.zeros_like(x, dtype=float)
    for lag in range(max_lag):
        out[lag:] += w[lag] * x[: len(x) - lag]
    return out


def hill_np(x: np.ndarray, half: float, slope: float) -> np.ndarray:
    """Hill saturation ``x**s / (x**s + K**s)`` in [0, 1)."""
    xs = np.power(np.maximum(x, 0.0), slope)
    return xs / (xs + half**slope)


def baseline_demand(weeks: pd.DatetimeIndex, level: float, start: pd.Timestamp) -> np.ndarray:
    """Baseline demand (EUR per week at reference prices): trend, season, events."""
    years = (weeks - start).days.to_numpy() / 365.25
    doy = weeks.dayofyear.to_numpy() / 365.25
    season = (
        1.0
        + 0.10 * np.cos(2 * np.pi * (doy - 0.95))  # winter high
        + 0.05 * np.sin(4 * np.pi * doy)
    )
    flags = french_retail_calendar(weeks)
    events = 1.0 + 0.55 * flags["black_friday"] + 0.30 * flags["christmas"] + 0.12 * flags["soldes"]
    return level * (1.0 + 0.07 * years) * season * events.to_numpy()
