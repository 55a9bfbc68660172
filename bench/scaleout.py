"""Scale-out on Dask: a 40-point scenario sweep and 20 generated shops, in-process and on 1 and 2
local workers, the scheduler's overhead per task, and a projection to 100 shops on 50 workers.

Run: ``PYTHONPATH=. .venv/bin/python bench/scaleout.py`` (``--repeats 3`` for medians of three
runs of each setting, ``--part overhead|sweep|shops`` for one part, ``--shops 20``,
``--draws 100``); writes ``bench/results/scaleout.json``; ``bench/report.py`` renders it into
``docs/benchmarks.md`` ("Scale-out on Dask").

* **overhead**: 1 and 200 no-op tasks through :func:`optimizer.scaleout.run_tasks`: the first is
  the cost of starting (and closing) the local cluster, the difference divided by 199 the
  scheduler's overhead per task.
* **sweep**: ``optimizer scenario sweep`` on ``scenarios/budget_plus_20.toml`` over 8 budgets x
  5 rule sets = 40 points (its fits come from the scenario cache, fitted once beforehand and
  not timed); the tables must be identical whatever the setting.
* **shops**: per shop one task = fit a media-mix model with a reduced sampler (``--draws``
  draws and as many tuning steps, 2 chains, no retry) and plan its media (safe plan, workable
  rules, 13 weeks at the run-rate budget) on stores from :func:`optimizer.data.stores.
  generate_store`.
* **projection** (computed, not measured): wall(N shops, W workers) = start + ceil(N / W) x
  (task + overhead), with the measured median task time, overhead per task and cluster start.

The machine has 2 cores shared with other work: every timing is stored with the 1-minute load
average read just before it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import QUICK, RESULTS, ROOT, command_line, meta, write_result

from optimizer.allocation import AllocationProblem
from optimizer.allocation.constraints_file import WORKABLE_DEFAULTS
from optimizer.allocation.safe import safe_allocate
from optimizer.data.stores import PATTERNS, generate_store
from optimizer.mmm import MMM
from optimizer.scaleout import IN_PROCESS, ComputeSpec, run_tasks
from optimizer.scenario import load_scenario
from optimizer.scenario.grid import SweepGrid
from optimizer.scenario.sweep import run_sweep

SCENARIO = ROOT / "scenarios" / "budget_plus_20.toml"
GRID = SweepGrid.parse("0.6,0.7,0.8,0.9,1,1.1,1.2,1.3", "free,guard20,guard30,guard50,workable")
SETTINGS: dict[str, ComputeSpec] = {
    "in-process": IN_PROCESS,
    "1 worker": ComputeSpec(workers=1),
    "2 workers": ComputeSpec(workers=2),
}
NOOPS = 200
WEEKS = 13
PROJECTION = (100, 50)  # shops, workers


def load() -> float:
    """The 1-minute load average now."""
    return round(os.getloadavg()[0], 2)


def noop(item: int, seed: int) -> int:
    """A task that does nothing (the scheduler's own cost)."""
    return item


def shop_task(item: tuple[str, int, float], seed: int, *, draws: int) -> dict[str, Any]:
    """Fit one generated shop's media-mix model (reduced sampler) and plan its media."""
    pattern, store_seed, noise = item
    t0 = time.perf_counter()
    shop = generate_store(pattern, store_seed, noise=noise)
    model = MMM(seed=seed % 2**31, draws=draws, tune=draws, chains=2, retries=0)
    model.fit(shop.history, lift_tests=shop.lift_tests)
    t1 = time.perf_counter()
    curves = model.response_curves(200, allow_failed=True)
    budget = float(curves.current.sum()) * WEEKS
    problem = AllocationProblem(budget=budget, n_weeks=WEEKS, **WORKABLE_DEFAULTS)
    safe = safe_allocate(curves, problem)
    return {
        "shop": shop.name,
        "seed": seed,
        "passed": bool(model.diagnostics_.passed),
        "chosen": safe.chosen,
        "promise_mean": round(float(safe.promise.mean), 2),
        "fit_seconds": round(t1 - t0, 3),
        "compile_seconds": round(float(model.compile_seconds_), 3),
        "plan_seconds": round(time.perf_counter() - t1, 3),
        "seconds": round(time.perf_counter() - t0, 3),
    }


def timed(fn: Any) -> tuple[Any, dict[str, float]]:
    """Run ``fn()``; return its value and the wall time with the load average before it."""
    before = load()
    t0 = time.perf_counter()
    value = fn()
    return value, {"wall": round(time.perf_counter() - t0, 3), "load_before": before}


def overhead(repeats: int) -> dict[str, Any]:
    """Cluster start (1 no-op task) and scheduler overhead per task (200 vs 1 no-op)."""
    out: dict[str, Any] = {}
    for name, compute in SETTINGS.items():
        runs = []
        for _ in range(repeats):
            _, one = timed(lambda c=compute: run_tasks(noop, [0], compute=c))
            _, many = timed(lambda c=compute: run_tasks(noop, list(range(NOOPS)), compute=c))
            per = (many["wall"] - one["wall"]) / (NOOPS - 1)
            runs.append({"one": one, "many": many, "per_task": round(per, 5)})
            print(
                f"overhead {name}: start {one['wall']:.2f} s, {1000 * per:.2f} ms/task", flush=True
            )
        out[name] = {
            "runs": runs,
            "start_median": statistics.median(r["one"]["wall"] for r in runs),
            "per_task_median": statistics.median(r["per_task"] for r in runs),
        }
    return out


def sweep(repeats: int) -> dict[str, Any]:
    """The 40-point sweep in every setting; the tables must agree to the byte."""
    spec = load_scenario(SCENARIO)
    run_sweep(spec, SweepGrid.parse("1", "free"))  # fits into the scenario cache, not timed
    out: dict[str, Any] = {"scenario": str(SCENARIO.relative_to(ROOT)), "points": 0}
    tables: dict[str, str] = {}
    for name, compute in SETTINGS.items():
        runs = []
        for _ in range(repeats):
            res, t = timed(lambda c=compute: run_sweep(spec, GRID, c, prefit=False))
            tasks = res.seconds["tasks"]
            workers = compute.workers or 1
            runs.append(
                {
                    **t,
                    "prepare": res.seconds["prepare"],
                    "points_wall": res.seconds["points"],
                    "task_sum": round(sum(tasks), 3),
                    "task_median": round(statistics.median(tasks), 3),
                    # wall beyond perfect sharing of the measured task times, per task
                    "overhead_per_task": round(
                        (res.seconds["points"] - sum(tasks) / workers) / len(tasks), 4
                    ),
                }
            )
            tables[name] = res.table.to_json(orient="records")
            out["points"] = len(tasks)
            print(f"sweep {name}: {t['wall']:.1f} s (load {t['load_before']})", flush=True)
        out[name] = {"runs": runs, "wall_median": statistics.median(r["wall"] for r in runs)}
        out[name]["points_wall_median"] = statistics.median(r["points_wall"] for r in runs)
    out["identical_tables"] = len(set(tables.values())) == 1
    return out


def shops(n: int, draws: int) -> dict[str, Any]:
    """``n`` generated shops, fit + plan per task, in every setting (one run each)."""
    patterns = list(PATTERNS)
    items = [(patterns[i % len(patterns)], 1 + i // len(PATTERNS), 0.03) for i in range(n)]
    out: dict[str, Any] = {"shops": n, "draws": draws, "tune": draws, "chains": 2}
    results: dict[str, list[dict[str, Any]]] = {}
    for name, compute in SETTINGS.items():
        rows, t = timed(
            lambda c=compute: run_tasks(
                shop_task, items, compute=c, shared={"draws": draws}, base_seed=11
            )
        )
        results[name] = rows
        secs = [r["seconds"] for r in rows]
        out[name] = {
            **t,
            "task_median": statistics.median(secs),
            "task_sum": round(sum(secs), 3),
            "compile_median": statistics.median(r["compile_seconds"] for r in rows),
            "rows": rows,
        }
        print(f"shops {name}: {t['wall']:.1f} s (load {t['load_before']})", flush=True)
    keys = ("shop", "seed", "passed", "chosen", "promise_mean")
    same = {name: [{k: r[k] for k in keys} for r in rows] for name, rows in results.items()}
    out["identical_results"] = all(v == same["in-process"] for v in same.values())
    return out


def projection(over: dict[str, Any], shop: dict[str, Any]) -> dict[str, Any]:
    """Wall time of 100 shops on 50 workers from the measured figures (a projection)."""
    n, w = PROJECTION
    task = float(shop["in-process"]["task_median"])
    per = max(0.0, float(over["2 workers"]["per_task_median"]))
    start = float(over["2 workers"]["start_median"])
    rounds = math.ceil(n / w)
    return {
        "shops": n,
        "workers": w,
        "task_seconds": task,
        "overhead_per_task": per,
        "start_seconds": start,
        "formula": "start + ceil(shops / workers) x (task + overhead per task)",
        "wall_seconds": round(start + rounds * (task + per), 1),
        "in_process_seconds": round(n * task, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--part", choices=("all", "overhead", "sweep", "shops"), default="all")
    ap.add_argument("--repeats", type=int, default=1 if QUICK else 3)
    ap.add_argument("--shops", type=int, default=4 if QUICK else 20)
    ap.add_argument("--draws", type=int, default=100)
    args = ap.parse_args()
    # a part run alone keeps the other parts of the last run
    path = RESULTS / "scaleout.json"
    previous = json.loads(path.read_text()) if path.exists() else {}
    payload: dict[str, Any] = {k: v for k, v in previous.items() if k != "meta"}
    payload["meta"] = meta(command_line(), part=args.part, load_at_start=load())
    if args.part in ("all", "overhead"):
        payload["overhead"] = overhead(args.repeats)
    if args.part in ("all", "sweep"):
        payload["sweep"] = sweep(args.repeats)
    if args.part in ("all", "shops"):
        payload["shops"] = shops(args.shops, args.draws)
    if "overhead" in payload and "shops" in payload:
        payload["projection"] = projection(payload["overhead"], payload["shops"])
    payload["load_at_end"] = load()
    write_result("scaleout", payload)


if __name__ == "__main__":
    main()
