"""Demo-store check of the pricing module against the ground truth.

Fits the elasticity model on scenarios/demo (NUTS via nutpie), reports the 90 % interval
coverage of the true elasticities, then optimizes prices for the first 13 horizon weeks
(Black Friday and Christmas included) under the model and evaluates current vs optimized
prices under the model AND under the true demand, with capacity use and stock.

Usage: .venv/bin/python bench/pricing_demo.py [--method nuts|laplace] [--elasticities DIR]
       [--weeks 13] [--draws N --tune N]
Writes bench/results/pricing_demo.json (nuts) or bench/results/pricing_demo_laplace.json.
The fit uses the model's defaults unless --draws/--tune are given.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.data import load_dataset
from optimizer.data.demo import GroundTruth
from optimizer.pricing import (
    Elasticities,
    ElasticityModel,
    PriceRules,
    PricingProblem,
    evaluate_prices,
    optimize_prices,
    reference_prices,
)
from optimizer.pricing.elasticity import MIN_PRICE_VARIATION

ROOT = Path(__file__).resolve().parents[1]


def truth_eval(catalog, truth, prices, demand_index, cost):
    weekly = truth.expected_units(prices, demand_index).to_numpy().T  # (n, T)
    return evaluate_prices(catalog, prices, weekly, logistics_cost=cost)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--elasticities", default=None, help="reuse a fit folder")
    ap.add_argument("--weeks", type=int, default=13)
    ap.add_argument("--method", choices=["nuts", "laplace"], default="nuts")
    ap.add_argument("--draws", type=int, default=None)
    ap.add_argument("--tune", type=int, default=None)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    suffix = "" if args.method == "nuts" else "_laplace"
    out_path = args.out or str(ROOT / f"bench/results/pricing_demo{suffix}.json")
    demo = ROOT / "scenarios/demo"
    ds = load_dataset(demo)
    truth = GroundTruth.load(demo)
    cat, sales, log = ds.catalog, ds.sales, ds.logistics
    out: dict = {"weeks": args.weeks}

    t0 = time.perf_counter()
    if args.elasticities:
        est = Elasticities.load(args.elasticities)
        out["fit"] = {"reused": args.elasticities, **(est.diagnostics or {})}
    else:
        kw = {k: getattr(args, k) for k in ("draws", "tune") if getattr(args, k) is not None}
        est = ElasticityModel(method=args.method, seed=0, **kw).fit(sales, cat).estimates
        est_dir = ROOT / f"bench/results/pricing_demo_elasticities{suffix}"
        est_dir.mkdir(parents=True, exist_ok=True)
        est.save(est_dir)
        out["fit"] = {**(est.diagnostics or {}), "wall_seconds": time.perf_counter() - t0}
    f = est.frame
    tr = truth.skus.loc[f.index, "elasticity"]
    inside = (tr >= f["elasticity_low"]) & (tr <= f["elasticity_high"])
    varied = f["price_variation"] >= MIN_PRICE_VARIATION
    out["coverage"] = {
        "skus": len(f),
        "skus_with_price_variation": int(varied.sum()),
        "coverage_with_price_variation": float(inside[varied].mean()),
        "coverage_all": float(inside.mean()),
        "coverage_weakly_identified": float(inside[f["weakly_identified"]].mean()),
        "n_weakly_identified": int(f["weakly_identified"].sum()),
        "mae_elasticity": float((tr - f["elasticity_mean"]).abs().mean()),
        "mean_interval_width": float((f["elasticity_high"] - f["elasticity_low"]).mean()),
    }
    print(json.dumps(out["coverage"], indent=1), flush=True)

    horizon = log.capacity.index[: args.weeks]
    cap = log.capacity_for(horizon)
    cost = float(log.cost_for(horizon).mean())
    plan = truth.run_rate_plan(args.weeks)
    demand_index = (
        truth.baseline(plan.index) + truth.media_contribution(plan).sum(axis=1).to_numpy()
    )
    mult = demand_index / truth.d_ref  # stand-in for the MMM demand forecast
    rules = PriceRules(max_change=0.15, margin_floor=0.15)
    refs = reference_prices(sales, cat)
    problem = PricingProblem(
        cat,
        est,
        cap,
        demand_multiplier=mult,
        rules=rules,
        logistics_cost=cost,
        reference_prices=refs,
    )
    res = optimize_prices(problem)
    p0 = cat.frame["price_incl_vat"]
    new = res.prices["new_price_incl_vat"]
    cur_t = truth_eval(cat, truth, p0, demand_index, cost)
    new_t = truth_eval(cat, truth, new, demand_index, cost)
    # oracle: the same optimization with the true elasticities (the best the rules allow)
    s = truth.skus.loc[cat.frame.index]
    oracle_est = Elasticities.from_values(
        s["elasticity"], s["base_units"] * (p0 / s["ref_price"]) ** s["elasticity"], p0
    )
    oracle = optimize_prices(problem.with_(elasticities=oracle_est))
    orc_t = truth_eval(cat, truth, oracle.prices["new_price_incl_vat"], demand_index, cost)
    tot = res.totals()
    out["optimization"] = {
        "status": res.status.value,
        "solver": res.solver,
        "gap": res.gap,
        "seconds": res.seconds,
        "n_changes": res.n_changes,
        "binding_rules": res.prices["binding_rule"].value_counts().to_dict(),
        "demand_multiplier_range": [float(mult.min()), float(mult.max())],
        "capacity_per_week": float(cap.max()),
    }
    out["under_model"] = {
        "current_margin": tot["current_margin"],
        "optimized_margin": tot["margin"],
        "gain_pct": 100 * (tot["margin"] / tot["current_margin"] - 1),
        "peak_capacity_use_current": tot["current_peak_capacity_use"],
        "peak_capacity_use_optimized": tot["peak_capacity_use"],
    }
    out["under_truth"] = {
        "current_margin": cur_t.margin,
        "optimized_margin": new_t.margin,
        "gain_pct": 100 * (new_t.margin / cur_t.margin - 1),
        "oracle_margin": orc_t.margin,
        "oracle_gain_pct": 100 * (orc_t.margin / cur_t.margin - 1),
        "peak_capacity_use_current": float((cur_t.load / cap).max()),
        "peak_capacity_use_optimized": float((new_t.load / cap).max()),
        "weeks_over_capacity_current": int((cur_t.load > cap * (1 + 1e-9)).sum()),
        "weeks_over_capacity_optimized": int((new_t.load > cap * (1 + 1e-9)).sum()),
        "units_sold_above_stock": float(
            np.clip(new_t.frame["units"] - cat.frame["stock"], 0, None).sum()
        ),
        "lost_units_current": float(cur_t.frame["lost_units"].sum()),
        "lost_units_optimized": float(new_t.frame["lost_units"].sum()),
    }
    print(
        json.dumps(
            {k: out[k] for k in ("optimization", "under_model", "under_truth")},
            indent=1,
            default=float,
        )
    )
    Path(out_path).write_text(json.dumps(out, indent=1, default=float) + "\n")
    pd.options.display.width = 120


if __name__ == "__main__":
    main()
