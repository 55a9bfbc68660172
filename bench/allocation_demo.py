"""Demo-store allocation: lift of the optimized plan vs the current plan, under the model and
under the generator's truth.

Run: ``.venv/bin/python bench/allocation_demo.py [--weeks 13] [--fit | --model DIR]``; writes
``bench/results/allocation_demo.json``. Without ``--fit``/``--model`` only curves built from the
truth (exact, and perturbed to mimic a posterior) are used; ``--fit`` fits the MMM on the demo
store once (minutes) and plans with its posterior curves.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optimizer.allocation import AllocationProblem, ChannelRule, Risk, allocate  # noqa: E402
from optimizer.data.demo import GroundTruth  # noqa: E402

DEMO = ROOT / "scenarios" / "demo"


def evaluate(name, curves, truth, weeks, risk="mean", pm=1.0, change=None):
    budget = float(curves.current.sum() * weeks)
    rules = {}
    if change is not None:
        rules = {c: ChannelRule(min_change=-change, max_change=change) for c in curves.channels}
    t0 = time.perf_counter()
    problem = AllocationProblem(budget=budget, n_weeks=weeks, risk=Risk.parse(risk), channels=rules)
    r = allocate(curves, problem)
    secs = time.perf_counter() - t0
    idx = truth.run_rate_plan(weeks).index
    plan = pd.DataFrame(r.plan.to_numpy(), columns=r.plan.columns, index=idx)
    current = truth.run_rate_plan(weeks)
    true_opt = truth.media_revenue(plan, pm)
    true_cur = truth.media_revenue(current, pm)
    row = {
        "case": name,
        "risk": risk,
        "max_change_vs_run_rate": change,
        "upper_bound": r.upper_bound,
        "lp_model_value": r.lp_model_value,
        "value": r.value,
        "weeks": weeks,
        "budget_eur": budget,
        "status": r.status.value,
        "solver": r.solver,
        "rel_gap": r.rel_gap,
        "seconds": secs,
        "model_revenue_optimal": r.revenue.to_dict(),
        "model_revenue_current": r.current_revenue.to_dict(),
        "model_lift": r.revenue_lift.to_dict(),
        "model_lift_pct": 100 * r.revenue_lift.mean / r.current_revenue.mean,
        "truth_revenue_optimal": true_opt,
        "truth_revenue_current": true_cur,
        "truth_lift": true_opt - true_cur,
        "truth_lift_pct": 100 * (true_opt - true_cur) / true_cur,
        "spend_by_channel": {c: float(v) for c, v in r.channels["spend"].items()},
        "current_by_channel": {c: float(v) for c, v in r.channels["current_spend"].items()},
        "marginal_roas": {c: float(v) for c, v in r.channels["marginal_roas"].items()},
    }
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--weeks", type=int, default=13)
    ap.add_argument("--fit", action="store_true")
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument(
        "--mmm-curves",
        type=Path,
        default=None,
        help="ResponseCurves JSON exported from a fitted MMM (skips the fit)",
    )
    args = ap.parse_args()
    truth = GroundTruth.load(DEMO)
    rows = [
        evaluate("truth curves (S=1)", truth.response_curves(), truth, args.weeks),
    ]
    noisy = truth.response_curves(n_samples=200, noise=0.15, seed=1)
    for risk in ("mean", "p10", "cvar10"):
        rows.append(evaluate("truth +-15% noise (S=200)", noisy, truth, args.weeks, risk))
    fit_info = None
    if args.mmm_curves:
        from optimizer.curves import ResponseCurves

        curves = ResponseCurves.from_dict(json.loads(args.mmm_curves.read_text()))
        pm = float(np.mean(truth.price_multiplier[-13:]))
        for risk, change in (("mean", None), ("p10", None), ("mean", 0.3)):
            row = evaluate(
                "fitted MMM curves (gate passed)", curves, truth, args.weeks, risk, pm, change
            )
            row["truth_price_multiplier"] = pm
            rows.append(row)
    if args.fit or args.model:
        from optimizer.data import load_dataset
        from optimizer.mmm import MMM, load_model

        if args.model:
            mmm = load_model(args.model)
        else:
            ds = load_dataset(DEMO)
            t0 = time.perf_counter()
            mmm = MMM(seed=0).fit(ds.marketing, lift_tests=ds.lift_tests)
            fit_info = {"fit_seconds": time.perf_counter() - t0}
        passed = bool(mmm.diagnostics_.passed)
        curves = mmm.response_curves(n_samples=300, allow_failed=True)
        # the model's revenue includes the price/promo multiplier: evaluate the truth with the
        # mean multiplier of the last 13 history weeks
        pm = float(np.mean(truth.price_multiplier[-13:]))
        for risk in ("mean", "p10"):
            row = evaluate(
                f"fitted MMM (gate passed={passed})", curves, truth, args.weeks, risk, pm
            )
            row["truth_price_multiplier"] = pm
            rows.append(row)
    out = ROOT / "bench" / "results" / "allocation_demo.json"
    meta = {"cores": os.cpu_count(), "load_avg": os.getloadavg(), "fit": fit_info}
    out.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    print(f"written {out}")


if __name__ == "__main__":
    main()
