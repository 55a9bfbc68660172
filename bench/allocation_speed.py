"""Allocation speed and certificate benchmark: 5 x 13, 20 x 52 and 50 x 52 channel-weeks with
``method`` = lp, nonlinear and auto (CBC, this project's default solver).

Run: ``.venv/bin/python bench/allocation_speed.py [--repeats 3] [--methods lp,nonlinear,auto]
[--solvers cbc]``; writes ``bench/results/allocation_speed.json``. ``BENCH_QUICK=1``: one
repeat. Budget = current run-rate x weeks, posterior-mean revenue objective. Wall and CPU
seconds (process + solver subprocess) are medians of the repeats; the value, lift and certified
gap are those of the last repeat (the solvers are deterministic).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    QUICK,
    ROOT,
    command_line,
    median,
    meta,
    truth_curves,
    write_result,
)

from optimizer.allocation import AllocationProblem, allocate
from optimizer.data.demo import GroundTruth
from optimizer.mmm.curves import ResponseCurves, synthetic_curves


def with_s_shaped(n: int, n_s: int, samples: int, seed: int) -> ResponseCurves:
    """Synthetic concave channels, the first ``n_s`` of them S-shaped (Hill slope 1.8)."""
    base = synthetic_curves(n, samples, lags=4, seed=seed)
    s_shaped = synthetic_curves(n, samples, lags=4, seed=seed, slope=1.8)
    params = base.params.copy()
    params[:, :n_s, :] = s_shaped.params[:, :n_s, :]
    return ResponseCurves(
        base.channels, base.weights, base.saturation, params, base.beta, base.history, base.current
    )


def cases():
    truth = GroundTruth.load(ROOT / "scenarios" / "demo")
    yield "5x13", "demo store, true curves (S=1; 2 S-shaped channels)", truth_curves(truth), 13
    yield (
        "20x52",
        "synthetic, posterior S=100, 2 of 20 channels S-shaped",
        with_s_shaped(20, 2, 100, seed=3),
        52,
    )
    yield (
        "50x52",
        "synthetic, posterior S=100, 5 of 50 channels S-shaped",
        with_s_shaped(50, 5, 100, seed=1),
        52,
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=1 if QUICK else 3)
    ap.add_argument("--methods", default="lp,nonlinear,auto")
    ap.add_argument("--solvers", default="cbc")
    ap.add_argument("--out", default="allocation_speed")
    ap.add_argument(
        "--skip",
        default="50x52:nonlinear",
        help="size:method pairs to skip, comma-separated ('' for none); 50x52 nonlinear (SLSQP on "
        "2,600 variables) took 500 s once, see allocation_speed_nonlinear_50x52.json",
    )
    args = ap.parse_args()
    skip = {tuple(p.split(":")) for p in args.skip.split(",") if p}
    rows = []
    for size, desc, curves, weeks in cases():
        problem = AllocationProblem(budget=float(curves.current.sum() * weeks), n_weeks=weeks)
        for solver in args.solvers.split(","):
            for method in args.methods.split(","):
                if (size, method) in skip:
                    print(f"skipped {size} {method}", flush=True)
                    continue
                secs, cpus = [], []
                for _ in range(args.repeats):
                    ru = resource.RUSAGE_CHILDREN
                    c0 = time.process_time() + resource.getrusage(ru).ru_utime
                    t0 = time.perf_counter()
                    r = allocate(curves, problem, method=method, solver=solver)
                    secs.append(time.perf_counter() - t0)
                    cpus.append(time.process_time() + resource.getrusage(ru).ru_utime - c0)
                row = {
                    "size": size,
                    "case": desc,
                    "method": method,
                    "solver": solver,
                    "pipeline": r.solver,
                    "median_s": median(secs),
                    "all_s": secs,
                    "median_cpu_s": median(cpus),
                    "rel_gap": r.rel_gap,
                    "status": r.status.value,
                    "value": r.value,
                    "upper_bound": r.upper_bound,
                    "lift_vs_current_mean": r.revenue_lift.mean,
                }
                rows.append(row)
                print(json.dumps(row), flush=True)
    write_result(args.out, {"meta": meta(command_line(), repeats=args.repeats), "rows": rows})


if __name__ == "__main__":
    main()
