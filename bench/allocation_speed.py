"""Allocation speed and certificate benchmark.

Cases: the demo store's true curves (5 x 13), synthetic posteriors (20 x 52 and 50 x 52, S=100,
adstock weights equal across samples) and the demo model's own posterior (5 x 13, S=300 samples
whose adstock weights differ, ``bench/results/demo_posterior_curves.json``), each without rules
and with the workable-plan rules (``max_week_change=0.25``, ``always_on_min_share=0.5``,
``no_restart``), for ``method`` = lp, nonlinear and auto.

Run: ``.venv/bin/python bench/allocation_speed.py [--repeats 5] [--methods lp,nonlinear,auto]
[--solvers cbc] [--rules none,workable]``; writes ``bench/results/allocation_speed.json``.
``BENCH_QUICK=1``: one repeat. Budget = current run-rate x weeks, posterior-mean revenue
objective. Wall and CPU seconds (process + solver subprocess) are medians of the repeats; the
value, lift and certified gap are those of the last repeat (the solvers are deterministic).
The script also runs on an older checkout (``PYTHONPATH=<checkout>``): cases its
``AllocationProblem`` cannot express are skipped, so before/after figures come from one script.

``--save-posterior MODEL_DIR`` writes the demo posterior file from a fitted model folder (e.g.
the scenario cache's ``scenarios/.cache/mmm/<key>/model``, the model ``optimizer demo`` fits)
and exits.
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
from optimizer.curves import ResponseCurves, synthetic_curves
from optimizer.data.demo import GroundTruth

POSTERIOR = ROOT / "bench" / "results" / "demo_posterior_curves.json"
WORKABLE = {"max_week_change": 0.25, "always_on_min_share": 0.5, "no_restart": True}


def with_s_shaped(n: int, n_s: int, samples: int, seed: int) -> ResponseCurves:
    """Synthetic concave channels, the first ``n_s`` of them S-shaped (Hill slope 1.8)."""
    base = synthetic_curves(n, samples, lags=4, seed=seed)
    s_shaped = synthetic_curves(n, samples, lags=4, seed=seed, slope=1.8)
    params = base.params.copy()
    params[:, :n_s, :] = s_shaped.params[:, :n_s, :]
    return ResponseCurves(
        base.channels, base.weights, base.saturation, params, base.beta, base.history, base.current
    )


def save_posterior(model_dir: str) -> None:
    """Write the demo model's posterior curves (300 samples) for the benchmark and the tests."""
    from optimizer.mmm.persistence import load_model  # PyMC: only for this one-off step

    model = load_model(model_dir)
    curves = model.response_curves(300)
    data = curves.to_dict()
    data["source"] = {
        "model": str(model_dir),
        "note": "optimizer demo's MMM fit of scenarios/demo (4 chains x 1000 draws, seed 7), "
        "thinned to 300 samples by MMM.response_curves",
    }
    POSTERIOR.write_text(json.dumps(data) + "\n", encoding="utf-8")
    print(f"wrote {POSTERIOR.relative_to(ROOT)}")


def cases():
    truth = GroundTruth.load(ROOT / "scenarios" / "demo")
    yield "5x13", "demo store, true curves (S=1; 2 S-shaped channels)", truth_curves(truth), 13
    if POSTERIOR.exists():
        data = json.loads(POSTERIOR.read_text(encoding="utf-8"))
        data.pop("source", None)
        yield (
            "5x13",
            "demo store, the demo model's posterior (S=300, adstock weights differ)",
            ResponseCurves.from_dict(data),
            13,
        )
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
    ap.add_argument("--repeats", type=int, default=1 if QUICK else 5)
    ap.add_argument("--methods", default="lp,nonlinear,auto")
    ap.add_argument("--solvers", default="cbc")
    ap.add_argument("--rules", default="none,workable")
    ap.add_argument("--sizes", default="5x13,20x52,50x52")
    ap.add_argument("--out", default="allocation_speed")
    ap.add_argument("--save-posterior", default=None, metavar="MODEL_DIR")
    ap.add_argument(
        "--skip",
        default="50x52:nonlinear,20x52:nonlinear",
        help="size:method pairs to skip, comma-separated ('' for none); SLSQP on 1,040 and "
        "2,600 variables takes 10 s and 500 s (see allocation_speed_nonlinear_50x52.json)",
    )
    args = ap.parse_args()
    if args.save_posterior:
        save_posterior(args.save_posterior)
        return
    skip = {tuple(p.split(":")) for p in args.skip.split(",") if p}
    sizes = set(args.sizes.split(","))
    rows = []
    for size, desc, curves, weeks in cases():
        if size not in sizes:
            continue
        for rules in args.rules.split(","):
            kw = WORKABLE if rules == "workable" else {}
            try:
                problem = AllocationProblem(
                    budget=float(curves.current.sum() * weeks), n_weeks=weeks, **kw
                )
            except TypeError:  # an older checkout without the workable-plan rules
                print(f"skipped {size} {rules}: not in this version", flush=True)
                continue
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
                        "rules": rules,
                        "method": method,
                        "solver": solver,
                        "pipeline": r.solver,
                        "median_s": median(secs),
                        "all_s": secs,
                        "median_cpu_s": median(cpus),
                        "all_cpu_s": cpus,
                        "rel_gap": r.rel_gap,
                        "status": r.status.value,
                        "value": r.value,
                        "upper_bound": r.upper_bound,
                        "lift_vs_current_mean": r.revenue_lift.mean,
                        "notes": list(r.notes),
                    }
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    write_result(args.out, {"meta": meta(command_line(), repeats=args.repeats), "rows": rows})


if __name__ == "__main__":
    main()
