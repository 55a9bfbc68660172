"""Scale check of capacity_mode="ration": N SKUs x 11 prices x 13 weeks, several soft rows.

Synthetic catalog of bench/pricing_scale.py; demand multiplier 1.3 in week 1 (Black Friday),
1.2 and 1.15 in weeks 5-6 (Christmas), 1 elsewhere; weekly capacity = scale x the load each
week would ship at every SKU's own best price (so several weeks overflow). Hard mode is tried
too (it raises InfeasibleError when even the highest prices overflow a week). Lagrangian path
only (method="lagrangian"); medians of repeats.

Usage: .venv/bin/python bench/pricing_ration_scale.py [--sizes 10000 100000] [--scale 0.9]
       [--repeats 3]
Writes bench/results/pricing_ration_scale.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
from pricing_scale import synthetic

from optimizer.errors import InfeasibleError
from optimizer.pricing import Method, PriceRules, PricingProblem, optimize_prices
from optimizer.pricing.candidates import build_candidates

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--scale", type=float, default=0.9)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    out: dict = {"scale": args.scale, "weeks": 13, "sizes": {}}
    for n in args.sizes:
        cat, est = synthetic(n)
        mult = np.ones(13)
        mult[0], mult[4], mult[5] = 1.3, 1.2, 1.15
        rules = PriceRules(max_change=0.25, n_points=11)
        probe = PricingProblem(cat, est, np.full(13, 1e18), demand_multiplier=mult, rules=rules)
        c = build_candidates(probe)
        free = c.values.argmax(axis=1)
        lu = cat.frame["logistics_units"].to_numpy(float)
        free_load = (c.sold[np.arange(n), free] * lu[:, None]).sum(axis=0)
        cap = np.maximum(args.scale * free_load, 1.0)
        row: dict = {"free_load": [round(float(x), 1) for x in free_load]}
        for mode in ("hard", "ration"):
            prob = probe.with_(capacity=cap, capacity_mode=mode, method=Method.LAGRANGIAN)
            times, res = [], None
            try:
                for _ in range(args.repeats):
                    t = time.perf_counter()
                    res = optimize_prices(prob)
                    times.append(time.perf_counter() - t)
            except InfeasibleError as exc:
                row[mode] = {"infeasible": str(exc)}
                continue
            assert res is not None
            row[mode] = {
                "status": res.status.value,
                "gap": res.gap,
                "seconds_median": statistics.median(times),
                "seconds_all": times,
                "objective_value": res.objective_value,
                "coupling_rows": len(res.info["coupling_rows"]),
                "iterations": res.info["lagrangian"]["iterations"],
                "overflow_logistics_units": float(res.overflow.sum()),
                "peak_shipped_over_capacity": float((res.load / cap).max()),
            }
        print(json.dumps({n: row}, indent=1, default=float), flush=True)
        out["sizes"][str(n)] = row
    path = ROOT / "bench/results/pricing_ration_scale.json"
    path.write_text(json.dumps(out, indent=1, default=float) + "\n")


if __name__ == "__main__":
    main()
