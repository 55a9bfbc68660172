"""Hard vs rationed weekly capacity on the demo store, judged under the true demand.

Same set-up as bench/pricing_demo.py (first 13 horizon weeks of scenarios/demo, Black Friday
and Christmas included; demand multiplier = true demand index; rules +-15 %, margin floor
15 %; logistics cost from logistics.csv; the NUTS elasticities saved by pricing_demo.py), with
the weekly capacity scaled by 1.0, 0.97, 0.95, 0.9 and 0.8. For each scale: optimize with
capacity_mode="hard" and "ration", then evaluate current, hard and ration prices under the
true demand with proportional rationing of every week over capacity (evaluate_prices with
capacity=...).

Usage: .venv/bin/python bench/pricing_ration_demo.py [--demo DIR] [--elasticities DIR]
       [--repeats 3] [--scales 1.0,0.97,0.95,0.9,0.8]
Writes bench/results/pricing_ration_demo.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from optimizer.data import load_dataset
from optimizer.data.demo import GroundTruth
from optimizer.errors import InfeasibleError
from optimizer.pricing import (
    Elasticities,
    PriceRules,
    PricingProblem,
    evaluate_prices,
    optimize_prices,
    reference_prices,
)
from optimizer.pricing.rationing import mix_penalty

ROOT = Path(__file__).resolve().parents[1]


def _truth(cat, truth, prices, demand_index, cost, cap) -> dict:
    weekly = truth.expected_units(prices, demand_index).to_numpy().T  # (n, T)
    ev = evaluate_prices(cat, prices, weekly, logistics_cost=cost, capacity=cap)
    return {
        "margin": ev.margin,
        "revenue": ev.revenue,
        "units_shipped": float(ev.frame["units"].sum()),
        "rationed_units": float(ev.frame["rationed_units"].sum()),
        "lost_units_stock": float(ev.frame["lost_units"].sum()),
        "weeks_over_capacity": int((ev.demand_load > cap * (1 + 1e-9)).sum()),
        "peak_demand_load_over_capacity": float((ev.demand_load / cap).max()),
    }


def _run(problem, repeats):
    times, res = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        res = optimize_prices(problem)
        times.append(time.perf_counter() - t)
    return res, statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--elasticities", default=str(ROOT / "bench/results/pricing_demo_elasticities"))
    ap.add_argument("--demo", default=str(ROOT / "scenarios/demo"), help="demo dataset folder")
    ap.add_argument("--weeks", type=int, default=13)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--scales", default="1.0,0.97,0.95,0.9,0.8")
    args = ap.parse_args()
    demo = Path(args.demo)
    ds = load_dataset(demo)
    truth = GroundTruth.load(demo)
    cat, log = ds.catalog, ds.logistics
    est = Elasticities.load(args.elasticities)
    horizon = log.capacity.index[: args.weeks]
    cap0 = np.asarray(log.capacity_for(horizon), float)
    cost = float(log.cost_for(horizon).mean())
    plan = truth.run_rate_plan(args.weeks)
    demand_index = (
        truth.baseline(plan.index) + truth.media_contribution(plan).sum(axis=1).to_numpy()
    )
    mult = demand_index / truth.d_ref
    base = PricingProblem(
        cat,
        est,
        cap0,
        demand_multiplier=mult,
        rules=PriceRules(max_change=0.15, margin_floor=0.15),
        logistics_cost=cost,
        reference_prices=reference_prices(ds.sales, cat),
    )
    p0 = cat.frame["price_incl_vat"]
    out: dict = {
        "weeks": args.weeks,
        "demo": str(demo),
        "elasticities": args.elasticities,
        "capacity": [float(c) for c in cap0],
        "scales": {},
    }
    for scale in (float(s) for s in args.scales.split(",")):
        cap = cap0 * scale
        prob = base.with_(capacity=cap)
        row: dict = {"capacity_per_week": float(cap.max())}
        row["current"] = {"truth": _truth(cat, truth, p0, demand_index, cost, cap)}
        ration_prob = prob.with_(capacity_mode="ration")
        first = optimize_prices(ration_prob)
        # experiment: penalty re-estimated on the mix the rationed prices sell, solved again
        refit = ration_prob.with_(
            overflow_penalty=mix_penalty(
                ration_prob, first.prices["new_price_incl_vat"].to_numpy(float)
            )
        )
        for mode, problem in (("hard", prob), ("ration", ration_prob), ("ration_refit", refit)):
            try:
                res, secs = _run(problem, args.repeats)
            except InfeasibleError as exc:
                row[mode] = {"infeasible": str(exc)}
                continue
            # the hard prices judged by the ration-mode planning objective (no overflow: same)
            tot = res.totals()
            row[mode] = {
                "status": res.status.value,
                "solver": res.solver,
                "gap": res.gap,
                "seconds_median": secs,
                "objective_value": res.objective_value,
                "bound": res.bound,
                "n_changes": res.n_changes,
                "mean_change_pct": float(res.prices["change_pct"].mean()),
                "model_shipped_margin": tot["margin"],
                "model_rationed_units": tot["rationed_units"],
                "model_overflow_logistics_units": tot["overflow_logistics_units"],
                "multipliers": {k: round(v, 4) for k, v in res.multipliers.items() if v > 0},
                "overflow_penalty": res.info.get("overflow_penalty"),
                "truth": _truth(
                    cat, truth, res.prices["new_price_incl_vat"], demand_index, cost, cap
                ),
            }
        print(json.dumps({f"scale {scale}": row}, indent=1, default=float), flush=True)
        out["scales"][str(scale)] = row
    path = ROOT / "bench/results/pricing_ration_demo.json"
    path.write_text(json.dumps(out, indent=1, default=float) + "\n")


if __name__ == "__main__":
    main()
