"""A family of generated stores with known truth: spend patterns x seeds x noise levels.

A method tuned to one dataset is a defect, so benchmarks and tests judge the product on many
stores. Each store keeps the demo generator's revenue identity (``E[revenue_t] = (B_t + sum_c
M_c,t) * PM_t``: baseline demand, true media demand, price/promo multiplier of the demo store of
the same seed; see :mod:`optimizer.data.demo`), so :class:`~optimizer.data.demo.GroundTruth`
evaluates any plan on it, and varies what decides whether a media-mix model can learn:

``mixed``
    The demo store's own spend paths (quarterly SEO steps, SEA pushed with the season, social
    flights, affiliation following sales, retail media launched mid-history).
``flighted``
    Every channel bought in on/off flights: strong, independent variation (easy).
``always_on``
    Every channel always on, moving with a shared yearly budget cycle plus its own random walk:
    correlated channels.
``weak``
    SEA bought tightly with the season, social mirroring SEA, retail media almost constant:
    weak identification (what a national weekly history often looks like).

The true adstock, saturation and ROAS of every channel are drawn from the seed (geometric
adstock, Hill saturation with the half-saturation relative to the channel's typical spend), and
weekly revenue gets multiplicative log-normal noise of sd ``noise``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from optimizer.data.demo import (
    ChannelTruth,
    GroundTruth,
    generate_demo_store,
    geometric_adstock_np,
    hill_np,
    lift_tests_for,
)
from optimizer.data.lift_tests import LiftTests
from optimizer.data.marketing import DEFAULT_CHANNELS, MarketingHistory

__all__ = ["PATTERNS", "GeneratedStore", "draw_truth_params", "generate_store", "media_variant"]

PATTERNS: dict[str, str] = {
    "mixed": "demo-store spend paths (SEA pushed with the season, social flights, affiliation "
    "following sales, retail media launched mid-history)",
    "flighted": "every channel in on/off flights (independent, strong variation)",
    "always_on": "every channel always on with a shared budget cycle (correlated channels)",
    "weak": "SEA bought with the season, social mirroring SEA, retail media near constant "
    "(weak identification)",
}
# typical weekly spend per channel (EUR), about 8 % of revenue as in the demo store
_LEVELS = {
    "seo": 3000.0,
    "sea": 5000.0,
    "social": 3500.0,
    "affiliation": 3000.0,
    "retail_media": 2500.0,
}


@dataclass(frozen=True, eq=False)
class GeneratedStore:
    """A weekly marketing history, the truth behind it, and the store's two lift tests."""

    name: str
    pattern: str
    seed: int
    noise: float
    history: MarketingHistory
    truth: GroundTruth
    lift_tests: LiftTests | None

    def true_roas(self) -> dict[str, float]:
        """True ROAS per channel over the history (incremental revenue / spend)."""
        return {c: float(t.roas) for c, t in self.truth.channels.items()}


def draw_truth_params(rng: np.random.Generator, channels: tuple[str, ...]) -> dict[str, Any]:
    """Random true response per channel (geometric adstock, Hill saturation, ROAS).

    Returns
    -------
    dict
        Per channel: ``alpha``, ``max_lag`` (weeks), ``K_rel`` (half-saturation / mean active
        adstocked spend), ``slope``, ``roas``.
    """
    out = {}
    for c in channels:
        alpha = float(rng.uniform(0.1, 0.75))
        lag = int(np.clip(np.ceil(np.log(0.05) / np.log(alpha)) + 1, 3, 12))
        out[c] = {
            "alpha": round(alpha, 3),
            "max_lag": lag,
            "K_rel": round(float(rng.uniform(0.6, 1.6)), 3),
            "slope": round(float(rng.uniform(0.9, 2.2)), 3),
            "roas": round(float(rng.uniform(1.5, 6.0)), 3),
        }
    return out


def flight_spend(
    rng: np.random.Generator, n: int, level: float, on=(3, 7), off=(2, 7)
) -> np.ndarray:
    x = np.zeros(n)
    i = int(rng.integers(0, 4))
    while i < n:
        k = int(rng.integers(*on))
        x[i : i + k] = level * rng.uniform(0.5, 1.5)
        i += k + int(rng.integers(*off))
    return x * rng.lognormal(0, 0.1, n)


def always_on_spend(
    rng: np.random.Generator, n: int, level: float, cycle: np.ndarray
) -> np.ndarray:
    walk = np.exp(np.cumsum(rng.normal(0, 0.08, n)))
    walk = walk / walk.mean()
    return level * (0.6 + 0.4 * cycle) * walk * rng.lognormal(0, 0.08, n)


def _spend(pattern: str, rng: np.random.Generator, demo_spend: pd.DataFrame) -> pd.DataFrame:
    n = len(demo_spend)
    doy = pd.DatetimeIndex(demo_spend.index).dayofyear.to_numpy() / 365.25
    cycle = 0.5 + 0.5 * np.cos(2 * np.pi * (doy - 0.9))  # yearly, peaks in Q4
    if pattern == "mixed":
        return demo_spend.copy()
    if pattern == "flighted":
        cols = {c: flight_spend(rng, n, lv) for c, lv in _LEVELS.items()}
    elif pattern == "always_on":
        cols = {c: always_on_spend(rng, n, lv, cycle) for c, lv in _LEVELS.items()}
    elif pattern == "weak":
        sea = _LEVELS["sea"] * (0.5 + cycle) * rng.lognormal(0, 0.05, n)
        cols = {
            "seo": always_on_spend(rng, n, _LEVELS["seo"], cycle),
            "sea": sea,
            "social": sea / _LEVELS["sea"] * _LEVELS["social"] * rng.lognormal(0, 0.05, n),
            "affiliation": always_on_spend(rng, n, _LEVELS["affiliation"], cycle),
            "retail_media": _LEVELS["retail_media"] * rng.lognormal(0, 0.03, n),
        }
    else:
        raise ValueError(f"pattern {pattern!r} is unknown; use one of {', '.join(PATTERNS)}")
    return pd.DataFrame(cols, index=demo_spend.index)[list(demo_spend.columns)]


def media_variant(
    seed: int,
    noise: float,
    spend: pd.DataFrame,
    params: dict[str, dict[str, float]],
    source: str = "marketing.csv",
) -> tuple[MarketingHistory, GroundTruth, LiftTests]:
    """A history with the demo store's baseline, prices and controls and another media truth.

    Parameters
    ----------
    seed : int
        Demo-store seed (baseline, calendar, prices, controls) and noise seed.
    noise : float
        Standard deviation of the multiplicative log-normal weekly revenue noise.
    spend : pandas.DataFrame
        Weekly spend per channel (EUR), as many rows as the demo store's weeks.
    params : dict
        True response per channel, as :func:`draw_truth_params` returns.
    source : str
        File name the history reports in messages.

    Returns
    -------
    tuple
        The history, its ground truth and two lift tests measured with noise (a social pause and
        an SEA +50 %).
    """
    store = generate_demo_store(seed, n_weeks=len(spend))
    base_truth = store.truth
    weeks = base_truth.weeks
    rng = np.random.default_rng(seed + 1000)
    spend = spend.set_axis(weeks).round(2)
    pm = base_truth.price_multiplier
    base = base_truth.baseline(weeks)
    channels: dict[str, ChannelTruth] = {}
    media = np.zeros(len(weeks))
    for c, p in params.items():
        x = spend[c].to_numpy()
        ad = geometric_adstock_np(x, p["alpha"], int(p["max_lag"]))
        # half-saturation relative to the channel's mean adstocked spend while active
        k = float(p["K_rel"] * ad[ad > 0].mean())
        sat = hill_np(ad, k, p["slope"])
        beta = p["roas"] * x.sum() / float((sat * pm).sum())
        contrib = float((beta * sat * pm).sum())
        channels[c] = ChannelTruth(
            alpha=p["alpha"],
            max_lag=int(p["max_lag"]),
            half_saturation=k,
            slope=p["slope"],
            beta=float(beta),
            roas=contrib / float(x.sum()),
            contribution=contrib,
            spend=float(x.sum()),
        )
        media += beta * sat
    revenue = (base + media) * pm * rng.lognormal(0, noise, len(weeks))
    truth = dataclasses.replace(base_truth, channels=channels, history_spend=spend)
    history = MarketingHistory(
        weeks=weeks,
        revenue=np.round(revenue, 2),
        spend=spend,
        controls=store.marketing.controls,
        orders=None,
        target="revenue",
        source=source,
    )
    return history, truth, lift_tests_for(rng, truth, spend, pm)


def generate_store(
    pattern: str = "mixed", seed: int = 0, noise: float = 0.03, n_weeks: int = 156
) -> GeneratedStore:
    """Generate one store of the family.

    Parameters
    ----------
    pattern : str
        One of :data:`PATTERNS`.
    seed : int
        Seed of everything (baseline, prices, spend paths, truth, noise).
    noise : float
        Weekly multiplicative revenue noise (log-normal sd), e.g. 0.02 to 0.08.
    n_weeks : int
        Weeks of history (at least 60).

    Returns
    -------
    GeneratedStore
    """
    if pattern not in PATTERNS:
        raise ValueError(f"pattern {pattern!r} is unknown; use one of {', '.join(PATTERNS)}")
    if not 0 <= noise < 1:
        raise ValueError(f"noise must lie in [0, 1), got {noise}")
    demo = generate_demo_store(seed, n_weeks=n_weeks)
    rng = np.random.default_rng(seed + 7919 * (1 + list(PATTERNS).index(pattern)))
    spend = _spend(pattern, rng, demo.marketing.spend)
    params = draw_truth_params(rng, tuple(DEFAULT_CHANNELS))
    name = f"{pattern}-s{seed}-n{round(noise * 100)}"
    history, truth, lift = media_variant(seed, noise, spend, params, source=f"{name}.csv")
    return GeneratedStore(name, pattern, seed, noise, history, truth, lift)
