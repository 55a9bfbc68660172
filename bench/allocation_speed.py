"""Allocation speed and certificate benchmark: median seconds over repeats, CBC vs HiGHS.

Run: ``.venv/bin/python bench/allocation_speed.py [--repeats 3] [--quick]``; writes
``bench/results/allocation_speed.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optimizer.allocation import AllocationProblem, allocate  # noqa: E402
from optimizer.data.demo import GroundTruth  # noqa: E402
from tests.allocation.helpers import synthetic_curves, truth_curves  # noqa: E402


def cases(quick: bool):
    truth = GroundTruth.load(ROOT / "scenarios" / "demo")
    demo = truth_curves(truth)
    demo_post = truth_curves(truth, n_samples=200, noise=0.15, seed=1)
    yield "demo 5x13 truth (2 S-shaped, S=1)", demo, 13
    yield "demo 5x13 noisy posterior (S=200)", demo_post, 13
    yield (
        "synthetic 5x13 concave (S=200, sample-specific adstock)",
        synthetic_curves(5, 200, lags=4, seed=2, hetero_weights=True),
        13,
    )
    yield "synthetic 50x52 concave (S=100)", synthetic_curves(50, 100, lags=4, seed=1), 52
    if not quick:
        mixed = synthetic_curves(50, 100, lags=4, seed=1)
        s_shaped = synthetic_curves(50, 100, lags=4, seed=1, slope=1.8)
        # 5 of the 50 channels S-shaped (Hill slope 1.8), the rest concave
        params = mixed.params.copy()
        params[:, :5, :] = s_shaped.params[:, :5, :]
        from optimizer.mmm.curves import ResponseCurves

        mixed = ResponseCurves(
            mixed.channels,
            mixed.weights,
            mixed.saturation,
            params,
            mixed.beta,
            mixed.history,
            mixed.current,
        )
        yield "synthetic 50x52, 5 S-shaped channels (S=100)", mixed, 52


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--solvers", default="cbc,highs")
    ap.add_argument("--out", default="allocation_speed.json")
    args = ap.parse_args()
    rows = []
    for name, curves, weeks in cases(args.quick):
        problem = AllocationProblem(budget=float(curves.current.sum() * weeks), n_weeks=weeks)
        for solver in args.solvers.split(","):
            secs, cpus = [], []
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                c0 = time.process_time() + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
                r = allocate(curves, problem, solver=solver)
                secs.append(time.perf_counter() - t0)
                c1 = time.process_time() + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
                cpus.append(c1 - c0)
            row = {
                "case": name,
                "solver": solver,
                "pipeline": r.solver,
                "median_s": statistics.median(secs),
                "all_s": secs,
                "median_cpu_s": statistics.median(cpus),
                "load_avg_1min": os.getloadavg()[0],
                "rel_gap": r.rel_gap,
                "status": r.status.value,
                "value": r.value,
                "lift_vs_current_mean": r.revenue_lift.mean,
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    out = ROOT / "bench" / "results" / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"cores": os.cpu_count(), "load_avg_at_end": os.getloadavg(), "repeats": args.repeats}
    out.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    print(f"written {out}")


if __name__ == "__main__":
    main()
