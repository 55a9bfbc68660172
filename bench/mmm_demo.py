"""Demo-store recovery benchmark of the media-mix model (default settings).

Run: ``.venv/bin/python bench/mmm_demo.py [--repeats N] [--seed S]``. Fits the bundled demo store
with its lift tests, compares each channel's posterior ROAS with the generator's true ROAS and
writes ``bench/results/mmm_demo.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np

from optimizer.data import load_dataset
from optimizer.data.demo import GroundTruth
from optimizer.mmm import MMM

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "scenarios" / "demo"


def run_once(seed: int) -> dict:
    ds = load_dataset(DEMO)
    truth = GroundTruth.load(DEMO)
    t0 = time.perf_counter()
    mmm = MMM(seed=seed).fit(ds.marketing, lift_tests=ds.lift_tests)
    wall = time.perf_counter() - t0
    table = mmm.roas()
    d = mmm.diagnostics_
    channels = {}
    for c in table.index:
        true = truth.channels[c].roas
        r = table.loc[c]
        channels[c] = {
            "true_roas": true,
            "roas_mean": r["roas_mean"],
            "roas_low": r["roas_low"],
            "roas_high": r["roas_high"],
            "inside_90": bool(r["roas_low"] <= true <= r["roas_high"]),
            "abs_rel_error": abs(r["roas_mean"] - true) / true,
        }
    ess = min(d.ess_bulk_min, d.ess_tail_min)
    return {
        "seed": seed,
        "fit_seconds": mmm.fit_seconds_,
        "wall_seconds": wall,
        "compile_seconds": mmm.compile_seconds_,
        "sampling_seconds": mmm.sampling_seconds_,
        "ess_min_per_sampling_second": ess / mmm.sampling_seconds_,
        "sampler": mmm.sampler_,
        "r_hat_max": d.r_hat_max,
        "ess_bulk_min": d.ess_bulk_min,
        "ess_tail_min": d.ess_tail_min,
        "ess_min_per_second": ess / mmm.fit_seconds_,
        "divergences": d.divergences,
        "ppc_coverage_90": d.ppc_coverage_90,
        "holdout": vars(d.holdout),
        "passed": d.passed,
        "failures": d.failures,
        "channels": channels,
        "n_inside_90": sum(v["inside_90"] for v in channels.values()),
        "mean_abs_rel_roas_error": float(np.mean([v["abs_rel_error"] for v in channels.values()])),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    runs = []
    for i in range(args.repeats):
        r = run_once(args.seed + i)
        runs.append(r)
        print(json.dumps({k: v for k, v in r.items() if k != "channels"}, indent=1, default=str))
        for c, v in r["channels"].items():
            print(
                f"  {c:13s} true {v['true_roas']:.2f}  est {v['roas_mean']:.2f} "
                f"[{v['roas_low']:.2f}, {v['roas_high']:.2f}]  {'in' if v['inside_90'] else 'OUT'}"
            )
    out = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "median_fit_seconds": statistics.median(r["fit_seconds"] for r in runs),
        "runs": runs,
    }
    path = REPO / "bench" / "results" / "mmm_demo.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=1, default=str) + "\n", encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
