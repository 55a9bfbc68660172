"""The three MMM benchmark datasets with known truth.

* ``demo``: the bundled demo store (``scenarios/demo``, generator seed 7) as shipped.
* ``flighted_noisy``: demo-store seed 11 for the baseline, calendar, prices and controls, but
  every channel bought in on/off flights, other true adstock/saturation/ROAS, and 6 %
  multiplicative weekly noise.
* ``always_on_low_noise``: seed 23, every channel always on with a shared seasonal budget cycle
  plus an independent random walk (correlated channels), other truth, 2 % noise.

The variants reuse the generator's revenue identity, ``E[revenue_t] = (B_t + sum_c M_c,t) *
PM_t`` (baseline demand, true media demand, price/promo multiplier; see
``optimizer.data.demo``), so the truth keeps the product's definition of ROAS (incremental
revenue incl. the price effect / spend over the history) and ``GroundTruth.media_contribution``
evaluates any plan. The variation lives here, not in the product generator. Each variant is
written to ``bench/results/datasets/<name>/`` (``marketing.csv`` + ``truth_media.json``).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from _common import RESULTS, ROOT  # type: ignore[import-not-found]

from optimizer.data import load_dataset
from optimizer.data.demo import GroundTruth
from optimizer.data.lift_tests import LiftTests, write_lift_tests
from optimizer.data.marketing import MarketingHistory, write_marketing
from optimizer.data.stores import always_on_spend, flight_spend, media_variant

DEMO = ROOT / "scenarios" / "demo"


@dataclass(frozen=True)
class BenchDataset:
    """A weekly history and the truth behind it."""

    name: str
    description: str
    history: MarketingHistory
    truth: GroundTruth
    noise: str
    lift_tests: LiftTests | None = None

    def true_roas(self) -> dict[str, float]:
        """True ROAS per channel over the history (incremental revenue / spend)."""
        return {c: float(t.roas) for c, t in self.truth.channels.items()}


def _variant(
    name: str,
    description: str,
    seed: int,
    noise_sd: float,
    spend: pd.DataFrame,
    params: dict[str, dict[str, float]],
) -> BenchDataset:
    history, truth, lift = media_variant(
        seed, noise_sd, spend, params, source=f"bench/results/datasets/{name}/marketing.csv"
    )
    ds = BenchDataset(name, description, history, truth, f"lognormal {noise_sd:.0%} weekly", lift)
    _write(ds)
    return ds


def _write(ds: BenchDataset) -> None:
    out = RESULTS / "datasets" / ds.name
    out.mkdir(parents=True, exist_ok=True)
    write_marketing(ds.history, out / "marketing.csv")
    if ds.lift_tests is not None:
        write_lift_tests(ds.lift_tests, out / "lift_tests.csv")
    info: dict[str, Any] = {
        "name": ds.name,
        "description": ds.description,
        "noise": ds.noise,
        "media_share_of_revenue": float(
            sum(t.contribution for t in ds.truth.channels.values()) / ds.history.revenue.sum()
        ),
        "spend_share_of_revenue": float(
            ds.history.spend.to_numpy().sum() / ds.history.revenue.sum()
        ),
        "channels": {c: dataclasses.asdict(t) for c, t in ds.truth.channels.items()},
    }
    (out / "truth_media.json").write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")


def demo() -> BenchDataset:
    """The bundled demo store."""
    ds = load_dataset(DEMO)
    assert ds.marketing is not None
    return BenchDataset(
        "demo",
        "bundled demo store (scenarios/demo, generator seed 7): quarterly SEO steps, seasonal "
        "SEA, social flights, affiliation following sales, retail media launched mid-history",
        ds.marketing,
        GroundTruth.load(DEMO),
        "Poisson units + 2.5 % weekly demand shock",
        ds.lift_tests,
    )


def flighted_noisy() -> BenchDataset:
    """Seed 11; all channels in on/off flights; 6 % noise."""
    seed = 11
    n = 156
    rng = np.random.default_rng(seed)
    levels = {"seo": 4000, "sea": 5500, "social": 5000, "affiliation": 3500, "retail_media": 4000}
    spend = pd.DataFrame({c: flight_spend(rng, n, lv) for c, lv in levels.items()})
    params = {
        "seo": {"alpha": 0.6, "max_lag": 10, "K_rel": 1.2, "slope": 1.0, "roas": 5.0},
        "sea": {"alpha": 0.25, "max_lag": 6, "K_rel": 1.0, "slope": 1.0, "roas": 3.0},
        "social": {"alpha": 0.5, "max_lag": 8, "K_rel": 0.9, "slope": 2.0, "roas": 2.0},
        "affiliation": {"alpha": 0.1, "max_lag": 4, "K_rel": 1.5, "slope": 1.0, "roas": 4.0},
        "retail_media": {"alpha": 0.4, "max_lag": 6, "K_rel": 0.8, "slope": 1.5, "roas": 3.0},
    }
    return _variant(
        "flighted_noisy",
        "seed 11 baseline/prices/controls; every channel bought in flights (3-6 weeks on, 2-6 "
        "off); other true adstock, Hill and ROAS",
        seed,
        0.06,
        spend,
        params,
    )


def always_on_low_noise() -> BenchDataset:
    """Seed 23; all channels always on, correlated through a shared budget cycle; 2 % noise."""
    seed = 23
    n = 156
    rng = np.random.default_rng(seed)
    doy = np.arange(n) * 7 / 365.25
    cycle = 0.5 + 0.5 * np.cos(2 * np.pi * (doy - 0.9))  # shared yearly budget cycle
    levels = {"seo": 3000, "sea": 5000, "social": 3500, "affiliation": 3000, "retail_media": 2500}
    spend = pd.DataFrame({c: always_on_spend(rng, n, lv, cycle) for c, lv in levels.items()})
    params = {
        "seo": {"alpha": 0.7, "max_lag": 12, "K_rel": 1.0, "slope": 1.0, "roas": 4.0},
        "sea": {"alpha": 0.2, "max_lag": 6, "K_rel": 1.3, "slope": 1.0, "roas": 3.5},
        "social": {"alpha": 0.4, "max_lag": 8, "K_rel": 1.0, "slope": 1.8, "roas": 3.0},
        "affiliation": {"alpha": 0.1, "max_lag": 4, "K_rel": 1.0, "slope": 1.0, "roas": 5.0},
        "retail_media": {"alpha": 0.3, "max_lag": 6, "K_rel": 0.9, "slope": 1.2, "roas": 2.0},
    }
    return _variant(
        "always_on_low_noise",
        "seed 23 baseline/prices/controls; every channel always on, moving with a shared "
        "yearly budget cycle plus its own random walk (correlated channels); other truth",
        seed,
        0.02,
        spend,
        params,
    )


BUILDERS = {
    "demo": demo,
    "flighted_noisy": flighted_noisy,
    "always_on_low_noise": always_on_low_noise,
}


if __name__ == "__main__":
    for b in BUILDERS.values():
        d = b()
        sp = d.history.spend.to_numpy().sum() / d.history.revenue.sum()
        print(d.name, f"spend/revenue {sp:.3f}", {c: round(v, 2) for c, v in d.true_roas().items()})
