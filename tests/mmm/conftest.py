"""Small synthetic store for real (short) MCMC fits, with known true ROAS."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from optimizer.data.lift_tests import LiftTests
from optimizer.data.marketing import MarketingHistory
from optimizer.mmm.transforms import adstock, geometric_weights, hill


@dataclass(frozen=True)
class Synthetic:
    history: MarketingHistory
    lift: LiftTests
    true_roas: dict[str, float]
    contributions: pd.DataFrame


def make_synthetic(n_weeks: int = 80, seed: int = 3) -> Synthetic:
    rng = np.random.default_rng(seed)
    weeks = pd.date_range("2024-01-01", periods=n_weeks, freq="7D", name="week")
    doy = weeks.dayofyear.to_numpy() / 365.25
    event = np.zeros(n_weeks)
    event[[10, 36, 62]] = 1.0
    base = 50_000 * (1 + 0.05 * np.arange(n_weeks) / n_weeks) * (1 + 0.08 * np.cos(2 * np.pi * doy))
    base = base + 15_000 * event
    sea = 8_000 * rng.lognormal(0, 0.35, n_weeks)
    social = np.where(rng.random(n_weeks) < 0.6, rng.uniform(3_000, 9_000, n_weeks), 0.0)
    spend = pd.DataFrame({"sea": sea.round(2), "social": social.round(2)}, index=weeks)
    truth = {"sea": (0.2, 8_000.0, 1.0, 30_000.0), "social": (0.5, 5_000.0, 1.5, 20_000.0)}
    contrib = {}
    for c, (alpha, half, slope, beta) in truth.items():
        w = geometric_weights(alpha, 12)[None, :]
        ad = adstock(spend[[c]].to_numpy(), w)[:, 0]
        contrib[c] = beta * hill(ad, half, slope)
    contrib_df = pd.DataFrame(contrib, index=weeks)
    revenue = base + contrib_df.sum(axis=1).to_numpy() + rng.normal(0, 1_200, n_weeks)
    history = MarketingHistory(
        weeks=weeks,
        revenue=revenue.round(2),
        spend=spend,
        controls=pd.DataFrame({"event": event}, index=weeks),
        source="synthetic.csv",
    )
    roas = {c: float(contrib_df[c].sum() / spend[c].sum()) for c in truth}
    # a 4-week social pause measured exactly (se 10 % of the effect)
    t0 = int(np.flatnonzero(social[40:] > 0)[0]) + 40
    x_mod = social.copy()
    x_mod[t0 : t0 + 4] = 0.0
    alpha, half, slope, beta = truth["social"]
    w = geometric_weights(alpha, 12)[None, :]
    mod = beta * hill(adstock(x_mod[:, None], w)[:, 0], half, slope)
    end = t0 + 6
    lift_value = float((mod - contrib["social"])[t0 : end + 1].sum())
    lift = LiftTests(
        pd.DataFrame(
            {
                "channel": ["social"],
                "start": [weeks[t0]],
                "end": [weeks[end]],
                "spend_change": [float((x_mod - social)[t0 : end + 1].sum())],
                "incremental_revenue": [round(lift_value, 2)],
                "se": [round(abs(lift_value) * 0.1 + 200, 2)],
            }
        ),
        "lift.csv",
    )
    return Synthetic(history, lift, roas, contrib_df)


@pytest.fixture(scope="session")
def synthetic() -> Synthetic:
    return make_synthetic()
