"""Scale benchmark: N SKUs x ~11 price points, one weekly capacity constraint.

Compares a plain PuLP model (dict of binaries, lpSum rows, 0.1 % relative gap, 300 s cap)
solved by CBC and by HiGHS with this project's solver (``optimize_prices``, Lagrangian path
with a certified gap), on the same candidate table. Medians of repeats.

Usage: .venv/bin/python bench/pricing_scale.py [--sizes 1000 10000 100000] [--repeats 3]
       [--pulp-max 10000] [--pulp-solvers cbc highs]
Writes bench/results/pricing_scale.json (``BENCH_QUICK=1``: 1k and 10k, one repeat).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pulp

from optimizer.data.catalog import Catalog
from optimizer.pricing import Elasticities, Method, PriceRules, PricingProblem, optimize_prices
from optimizer.pricing.candidates import build_candidates

ROOT = Path(__file__).resolve().parents[1]


def synthetic(n: int, seed: int = 0) -> tuple[Catalog, Elasticities]:
    rng = np.random.default_rng(seed)
    price = np.floor(np.exp(rng.uniform(np.log(6), np.log(300), n))) + 0.99
    vat = np.where(rng.random(n) < 0.85, 0.2, 0.055)
    cost = np.round(price / (1 + vat) * rng.uniform(0.25, 0.7, n), 2)
    base = rng.lognormal(1.5, 0.8, n)
    idx = pd.Index([f"SKU{i:06d}" for i in range(n)], name="sku")
    frame = pd.DataFrame(
        {
            "category": rng.choice(["mode", "maison", "sport", "beaute"], n),
            "price_incl_vat": price,
            "vat_rate": vat,
            "unit_cost": cost,
            "stock": np.round(base * rng.uniform(0.5, 4.0, n)),
            "logistics_units": rng.choice([0.5, 1.0, 1.5, 2.0], n),
            "min_price": np.nan,
            "max_price": np.nan,
            "return_rate": 0.05,
            "price_excl_vat": price / (1 + vat),
        },
        index=idx,
    )
    e = pd.Series(-rng.uniform(1.0, 4.0, n), index=idx)
    est = Elasticities.from_values(e, pd.Series(base, index=idx), frame["price_incl_vat"])
    return Catalog(frame=frame, source="synthetic"), est


def make_problem(n: int) -> PricingProblem:
    cat, est = synthetic(n)
    rules = PriceRules(max_change=0.25, n_points=11)
    probe = PricingProblem(cat, est, np.array([1e18]), rules=rules)
    c = build_candidates(probe)
    ar = np.arange(n)
    free = c.values.argmax(axis=1)
    load = (c.sold[ar, free, 0] * cat.frame["logistics_units"].to_numpy()).sum()
    return probe.with_(capacity=np.array([0.9 * load]))  # binds: 10 % short at the free optimum


def plain_pulp(
    problem: PricingProblem, gap_rel: float, time_limit: float, solver: str = "cbc"
) -> dict:
    c = build_candidates(problem)
    n, k = c.values.shape
    t0 = time.perf_counter()
    prob = pulp.LpProblem("plain", pulp.LpMaximize)
    x = {
        (s, j): pulp.LpVariable(f"x_{s}_{j}", cat="Binary")
        for s in range(n)
        for j in range(k)
        if c.valid[s, j]
    }
    prob += pulp.lpSum(float(c.values[s, j]) * v for (s, j), v in x.items())
    for s in range(n):
        prob += pulp.lpSum(x[s, j] for j in range(k) if c.valid[s, j]) == 1
    prob += pulp.lpSum(float(c.weights[s, j, 0]) * v for (s, j), v in x.items()) <= float(c.rhs[0])
    t1 = time.perf_counter()
    if solver == "cbc":
        backend = pulp.PULP_CBC_CMD(msg=False, gapRel=gap_rel, timeLimit=time_limit)
    else:
        backend = pulp.HiGHS(msg=False, gapRel=gap_rel, timeLimit=time_limit)
    prob.solve(backend)
    t2 = time.perf_counter()
    obj = sum(float(c.values[s, j]) * (v.varValue or 0) for (s, j), v in x.items())
    return {
        "build_s": t1 - t0,
        "solve_s": t2 - t1,
        "total_s": t2 - t0,
        "status": pulp.LpStatus[prob.status],
        "objective": obj,
        "n_vars": len(x),
        "hit_time_limit": t2 - t1 >= time_limit * 0.98,
    }


def main() -> None:
    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
    ap = argparse.ArgumentParser()
    sizes = [1_000, 10_000] if quick else [1_000, 10_000, 100_000]
    ap.add_argument("--sizes", type=int, nargs="+", default=sizes)
    ap.add_argument("--repeats", type=int, default=1 if quick else 3)
    ap.add_argument("--pulp-max", type=int, default=10_000, help="largest size run with PuLP")
    ap.add_argument("--pulp-repeats", type=int, default=1 if quick else 3)
    ap.add_argument("--pulp-solvers", nargs="+", default=["cbc", "highs"])
    ap.add_argument("--time-limit", type=float, default=300.0, help="per plain MILP solve, s")
    sub = "bench/results/quick" if quick else "bench/results"
    ap.add_argument("--out", default=str(ROOT / sub / "pricing_scale.json"))
    args = ap.parse_args()
    results = []
    for n in args.sizes:
        problem = make_problem(n)
        fast = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            res = optimize_prices(problem.with_(method=Method.LAGRANGIAN))
            fast.append((time.perf_counter() - t0, res))
        secs = [t for t, _ in fast]
        res = fast[-1][1]
        row = {
            "n_skus": n,
            "candidates": res.info["n_candidates"],
            "fast_seconds_median": statistics.median(secs),
            "fast_seconds_all": secs,
            "fast_gap": res.gap,
            "fast_status": res.status.value,
            "fast_objective": res.objective_value,
            "fast_bound": res.bound,
            "capacity_multiplier": res.multipliers,
        }
        print(json.dumps(row, default=float), flush=True)
        if n > args.pulp_max:
            row["plain_skipped"] = (
                f"plain PuLP MILPs run up to {args.pulp_max} SKUs (--pulp-max); at {n} SKUs "
                f"({res.info['n_candidates']} binaries) they were not attempted, to keep make bench short"
            )
        for solver in args.pulp_solvers if n <= args.pulp_max else []:
            runs = [
                plain_pulp(problem, 1e-3, args.time_limit, solver) for _ in range(args.pulp_repeats)
            ]
            key = f"pulp_{solver}"
            row[key] = {
                "build_s_median": statistics.median(r["build_s"] for r in runs),
                "solve_s_median": statistics.median(r["solve_s"] for r in runs),
                "total_s_median": statistics.median(r["total_s"] for r in runs),
                "runs": runs,
            }
            row[f"speedup_vs_{solver}"] = row[key]["total_s_median"] / row["fast_seconds_median"]
            row[f"fast_minus_{solver}_objective_rel"] = (
                res.objective_value - runs[-1]["objective"]
            ) / abs(runs[-1]["objective"])
            print(json.dumps(row[key], default=float), flush=True)
        results.append(row)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _common import command_line, meta

    info = meta(command_line(), repeats=args.repeats, pulp_repeats=args.pulp_repeats)
    info["time_limit_s"] = args.time_limit
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(
        json.dumps({"meta": info, "results": results}, indent=1, default=float) + "\n"
    )


if __name__ == "__main__":
    main()
