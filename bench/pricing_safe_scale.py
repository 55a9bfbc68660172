"""Time of the safe price plan vs the plain optimizer on the synthetic catalog of
``bench/pricing_scale.py``, with 200 posterior draws (elasticity +-0.3, baseline +-10 %),
13 weeks, rationed capacity at 95 % of the load at today's prices.

Usage: .venv/bin/python bench/pricing_safe_scale.py [N_SKUS ...]   (default 10000)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pricing_scale import synthetic

from optimizer.pricing import Elasticities, PriceRules, PricingProblem, optimize_prices
from optimizer.pricing.safe import safe_prices


def main() -> None:
    for n in [int(x) for x in sys.argv[1:]] or [10_000]:
        cat, est0 = synthetic(n)
        rng = np.random.default_rng(0)
        f = est0.frame
        e = f["elasticity_mean"].to_numpy() + 0.3 * rng.standard_normal((200, n))
        b = f["baseline_units"].to_numpy() * rng.lognormal(0.0, 0.1, (200, n))
        est = Elasticities(
            frame=f.assign(price_variation=0.1),
            elasticity_draws=np.minimum(e, -0.1),
            baseline_draws=b,
        )
        mult = np.ones(13)
        mult[0] = 1.3
        load = float((f["baseline_units"] * cat.frame["logistics_units"]).sum())
        problem = PricingProblem(
            cat,
            est,
            np.full(13, 0.95 * load),
            demand_multiplier=mult,
            rules=PriceRules(max_change=0.25),
            capacity_mode="ration",
        )
        t = time.perf_counter()
        optimize_prices(problem)
        plain = time.perf_counter() - t
        t = time.perf_counter()
        sp = safe_prices(problem)
        safe = time.perf_counter() - t
        print(f"{n} SKUs: plain {plain:.1f} s, safe {safe:.1f} s (chosen: {sp.chosen})")


if __name__ == "__main__":
    main()
