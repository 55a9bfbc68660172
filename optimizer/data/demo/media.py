"""Media of the demo store: weekly spend paths and the two lift tests measured on them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.data.demo.constants import SPEND_SCALE
from optimizer.data.demo.response import geometric_adstock_np, hill_np
from optimizer.data.demo.truth import GroundTruth
from optimizer.data.lift_tests import LiftTests

__all__ = ["lift_tests_for", "spend_paths"]


def spend_paths(
    rng: np.random.Generator, weeks: pd.DatetimeIndex, flags: pd.DataFrame, base_demand: np.ndarray
) -> pd.DataFrame:
    """Weekly spend per channel of the demo store's media history, EUR.

    SEO stepped each quarter, SEA with the season, social in flights, affiliation as a commission
    on last week's demand, retail media launched mid-history.
    """
    n = len(weeks)
    doy = weeks.dayofyear.to_numpy() / 365.25
    q4 = 0.5 + 0.5 * np.cos(2 * np.pi * (doy - 0.9))
    # SEO: agency/content budget, stepped every quarter
    seo = np.repeat(rng.uniform(2500, 7500, size=n // 13 + 1), 13)[:n]
    seo = seo * rng.normal(1.0, 0.05, n)
    # SEA: seasonal, pushed at Black Friday and Christmas
    sea = (
        9000
        * (0.7 + 0.6 * q4)
        * (1 + 0.8 * flags["black_friday"].to_numpy() + 0.4 * flags["christmas"].to_numpy())
    )
    sea = sea * rng.lognormal(0, 0.15, n)
    # Social: flights of 4-6 weeks on, 2-5 weeks off
    social = np.zeros(n)
    i = int(rng.integers(0, 4))
    while i < n:
        on = int(rng.integers(4, 7))
        social[i : i + on] = rng.uniform(5000, 13000)
        i += on + int(rng.integers(2, 6))
    social = social * rng.lognormal(0, 0.1, n)
    # Affiliation: commission on last week's demand, with a commission rate that is renegotiated
    rate = np.repeat(rng.uniform(0.025, 0.055, size=n // 26 + 1), 26)[:n]
    affiliation = rate * np.concatenate([[base_demand[0]], base_demand[:-1]])
    affiliation = affiliation * rng.lognormal(0, 0.12, n)
    # Retail media: launched mid-history, campaign-driven
    retail = np.zeros(n)
    launch = n // 2
    camp = rng.uniform(2000, 9000, size=(n - launch) // 4 + 1)
    retail[launch:] = np.repeat(camp, 4)[: n - launch] * rng.lognormal(0, 0.1, n - launch)
    spend = pd.DataFrame(
        {
            "seo": seo,
            "sea": sea,
            "social": social,
            "affiliation": affiliation,
            "retail_media": retail,
        },
        index=weeks,
    )
    return (spend * SPEND_SCALE).round(2)


def lift_tests_for(
    rng: np.random.Generator, truth: GroundTruth, spend: pd.DataFrame, pm: np.ndarray
) -> LiftTests:
    """Two experiments: a 4-week social pause and a 4-week SEA +50 % test, measured with noise."""
    rows = []
    n = len(spend)
    for channel, t0, factor in (("social", n - 40, 0.0), ("sea", n - 20, 1.5)):
        if channel not in truth.channels:  # a store without the channel skips its test
            continue
        t = truth.channels[channel]
        x = spend[channel].to_numpy().copy()
        # a pause needs spend to pause: start at the next flight
        if factor == 0.0:
            t0 = int(np.flatnonzero(x[t0:] > 0)[0]) + t0
        x_test = x.copy()
        x_test[t0 : t0 + 4] *= factor
        base = t.beta * hill_np(
            geometric_adstock_np(x, t.alpha, t.max_lag), t.half_saturation, t.slope
        )
        test = t.beta * hill_np(
            geometric_adstock_np(x_test, t.alpha, t.max_lag), t.half_saturation, t.slope
        )
        end = min(t0 + 4 + t.max_lag - 1, n - 1)
        true_lift = float(((test - base) * pm)[t0 : end + 1].sum())
        se = abs(true_lift) * 0.15 + 500.0
        rows.append(
            {
                "channel": channel,
                "start": spend.index[t0],
                "end": spend.index[end],
                "spend_change": round(float((x_test - x)[t0 : end + 1].sum()), 2),
                "incremental_revenue": round(true_lift + rng.normal(0, se), 2),
                "se": round(se, 2),
            }
        )
    return LiftTests(pd.DataFrame(rows), "lift_tests.csv")
