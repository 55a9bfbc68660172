"""Safe plans judged on the truth: free mean plan, +/-30 % plan and the safe default.

On generated stores that are not in the repository (``optimizer.data.stores``: demo-like mixed
patterns, flights, always-on correlated channels, weak identification; several seeds and noise
levels) plus the bundled demo store, a default MMM is fitted (4 chains x 1000 draws, its lift
tests when the store has them), and a 13-week plan with the budget of the last 13 weeks'
run-rate is chosen three ways:

* ``free``: the posterior-mean optimum under the budget only;
* ``pm30``: the same with every channel's horizon spend within +/-30 % of its run-rate (the
  earlier shipped guard-rail);
* ``safe``: :func:`optimizer.allocation.safe.safe_allocate` with its defaults and the workable
  rules ``optimizer allocate`` applies by default (week-to-week change <= 25 % of the run-rate,
  always-on channels >= 50 % of it, no restart; ``--no-workable`` drops them).

Each plan is judged under the generator's true response (carry-over from the history
included): true lift over today's plan (the run-rate) and share of the oracle's lift (the
best plan on the true curves, free). The safe plan's promise (held-out half: mean, P10, P90,
P(lift > 0)) is set against the true lift. Fitted curves are cached in
``bench/results/cache/`` (ignored by git) so that the plan step can be re-run alone.

Run: ``.venv/bin/python bench/safe_plans.py`` (``BENCH_QUICK=1``: 3 stores, short fits;
``--refit`` ignores the cache).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import QUICK, ROOT, command_line, median, meta, write_result

from optimizer.allocation import AllocationProblem, ChannelRule, allocate
from optimizer.allocation.calibration import CALIBRATION_FILE, PromiseCalibration
from optimizer.allocation.constraints_file import WORKABLE_DEFAULTS
from optimizer.allocation.safe import Promise, SafeRule, safe_allocate
from optimizer.data import load_dataset
from optimizer.data.demo import GroundTruth
from optimizer.data.stores import generate_store
from optimizer.mmm import MMM, ResponseCurves

WEEKS = 13
N_SAMPLES = 300
CACHE = ROOT / "bench" / "results" / "cache" / "safe_plans"
STORES = [
    ("mixed", 1, 0.03),
    ("flighted", 1, 0.05),
    ("always_on", 1, 0.03),
    ("weak", 1, 0.03),
    ("mixed", 2, 0.05),
    ("always_on", 2, 0.05),
    ("weak", 2, 0.05),
    ("flighted", 3, 0.03),
]


def stores() -> list[tuple[str, Any, GroundTruth, Any]]:
    """(name, history, truth, lift tests) of every benchmark store."""
    out = []
    demo = ROOT / "scenarios" / "demo"
    ds = load_dataset(demo)
    out.append(("demo", ds.marketing, GroundTruth.load(demo), ds.lift_tests))
    for pattern, seed, noise in STORES[:2] if QUICK else STORES:
        s = generate_store(pattern, seed, noise=noise)
        out.append((s.name, s.history, s.truth, s.lift_tests))
    return out


def fitted_curves(name: str, history: Any, lift: Any, refit: bool) -> tuple[ResponseCurves, dict]:
    """Posterior curves of a default fit (cached as JSON)."""
    # keyed by the data too: a regenerated store (e.g. the demo) is refitted
    h = hashlib.sha256(np.ascontiguousarray(history.revenue, float).tobytes())
    h.update(np.ascontiguousarray(history.spend.to_numpy(float)).tobytes())
    h.update(np.ascontiguousarray(history.controls.to_numpy(float)).tobytes())
    if lift is not None:
        h.update(lift.to_csv().encode() if hasattr(lift, "to_csv") else repr(lift).encode())
    path = CACHE / f"{name}-{h.hexdigest()[:10]}{'-quick' if QUICK else ''}.json"
    if path.is_file() and not refit:
        data = json.loads(path.read_text())
        return ResponseCurves.from_dict(data["curves"]), data["fit"]
    settings = {"draws": 300, "tune": 300, "chains": 2} if QUICK else {}
    t0 = time.perf_counter()
    mmm = MMM(seed=1, **settings).fit(history, lift_tests=lift)
    curves = mmm.response_curves(N_SAMPLES, allow_failed=True)
    table = mmm.roas()
    fit = {
        "seconds": time.perf_counter() - t0,
        "passed": mmm.diagnostics_.passed,
        "attempts": len(mmm.attempts_),
        "roas": {c: float(table.loc[c, "roas_mean"]) for c in table.index},
    }
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"curves": curves.to_dict(), "fit": fit}))
    return curves, fit


def judge(
    name: str,
    history: Any,
    truth: GroundTruth,
    lift: Any,
    refit: bool,
    rule: SafeRule,
    workable: bool = True,
) -> dict[str, Any]:
    curves, fit = fitted_curves(name, history, lift, refit)
    # channels whose cost follows sales are not levers (the data contract says which)
    curves = dataclasses.replace(curves, follows_sales=tuple(history.cost_follows_sales))
    true_curves = truth.response_curves()
    pm = float(np.mean(truth.price_multiplier[-13:]))
    today = np.tile(curves.current, (WEEKS, 1))
    budget = float(today.sum())

    def true_lift(plan: np.ndarray) -> float:
        return pm * float(true_curves.total(plan)[0] - true_curves.total(today)[0])

    # a channel whose cost follows sales is no lever for any plan, the oracle's included
    fixed = {
        c: ChannelRule(fixed=float(today[:, i].sum()))
        for i, c in enumerate(curves.channels)
        if c in curves.follows_sales
    }
    problem = AllocationProblem(budget=budget, n_weeks=WEEKS, channels=fixed)
    pm30 = AllocationProblem(
        budget=budget,
        n_weeks=WEEKS,
        channels={c: ChannelRule(min_change=-0.3, max_change=0.3) for c in curves.channels} | fixed,
    )
    oracle = allocate(true_curves, problem)
    oracle_lift = true_lift(oracle.plan.to_numpy(float))
    row: dict[str, Any] = {
        "store": name,
        "fit": fit,
        "true_roas": {c: float(t.roas) for c, t in truth.channels.items()},
        "budget": budget,
        "oracle_lift": oracle_lift,
        "plans": {},
    }
    for key, prob in (("free", problem), ("pm30", pm30)):
        t0 = time.perf_counter()
        res = allocate(curves, prob)
        plan = res.plan.to_numpy(float)
        tl = true_lift(plan)
        row["plans"][key] = {
            "true_lift": tl,
            "share": tl / oracle_lift,
            "promise": res.revenue_lift.to_dict(),
            "status": res.status.value,
            "rel_gap": res.rel_gap,
            "seconds": time.perf_counter() - t0,
        }
    t0 = time.perf_counter()
    # the benchmark measures the model's own promise: no shipped calibration applied here
    safe_problem = dataclasses.replace(problem, **(WORKABLE_DEFAULTS if workable else {}))
    safe = safe_allocate(curves, safe_problem, rule=dataclasses.replace(rule, calibrate=False))
    plan = safe.plan.to_numpy(float)
    tl = true_lift(plan)
    row["held_out_lift"] = safe.held_out_lift.tolist()
    row["plans"]["safe"] = {
        "true_lift": tl,
        "share": tl / oracle_lift,
        "promise": safe.promise.to_dict(),
        "promise_in_sample": safe.promise_in_sample.to_dict(),
        "chosen": safe.chosen,
        "status": safe.result.status.value,
        "rel_gap": safe.result.rel_gap,
        "seconds": time.perf_counter() - t0,
        "bounds": [b.reason for b in safe.bounds],
        "candidates": safe.candidates.to_dict(orient="records"),
    }
    return row


def calibration_check(rows: list[dict[str, Any]], write: bool) -> dict[str, Any]:
    """Leave-one-store-out check of the calibrated promise; optionally ship the ratios."""
    stores = tuple(r["store"] for r in rows)
    ratios = tuple(
        r["plans"]["safe"]["true_lift"] / r["plans"]["safe"]["promise"]["mean"]
        if r["plans"]["safe"]["promise"]["mean"]
        else 1.0
        for r in rows
    )
    full = PromiseCalibration(ratios, stores, f"{command_line()} on {meta('')['date'][:10]}")
    within = covers = 0
    for r in rows:
        loo = full.without(r["store"])
        p = Promise.of(loo.draws(np.asarray(r["held_out_lift"])))
        true = r["plans"]["safe"]["true_lift"]
        r["plans"]["safe"]["promise_calibrated_loo"] = p.to_dict()
        within += abs(p.mean - true) <= 0.25 * abs(true)
        covers += p.p10 <= true <= p.p90
    if write:
        path = ROOT / "optimizer" / "allocation" / CALIBRATION_FILE
        path.write_text(json.dumps(full.to_dict(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return {
        "ratios": dict(zip(stores, ratios, strict=True)),
        "calibrated_loo_within_25pct": within,
        "calibrated_loo_80pct_covers": covers,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--refit", action="store_true")
    ap.add_argument("--max-move", type=float, default=SafeRule().max_move)
    ap.add_argument("--reach", type=float, default=SafeRule().reach_extension)
    ap.add_argument("--alpha", type=float, default=SafeRule().alpha)
    ap.add_argument("--tag", default="", help="suffix of the result file (variants)")
    ap.add_argument(
        "--no-workable", action="store_true", help="safe plan without the workable-plan rules"
    )
    ap.add_argument(
        "--calibrate",
        action="store_true",
        help="write the measured true/promised ratios to the package's promise_calibration.json",
    )
    args = ap.parse_args()
    rule = SafeRule(alpha=args.alpha, max_move=args.max_move, reach_extension=args.reach)
    rows = []
    for name, history, truth, lift in stores():
        r = judge(name, history, truth, lift, args.refit, rule, workable=not args.no_workable)
        rows.append(r)
        s, f, b = (r["plans"][k] for k in ("safe", "free", "pm30"))
        pr = s["promise"]
        print(
            f"{name:<18} oracle {r['oracle_lift']:>9,.0f} | free {f['share']:>6.0%} "
            f"pm30 {b['share']:>6.0%} safe {s['share']:>6.0%} ({s['chosen']}) | safe true "
            f"{s['true_lift']:>8,.0f} promise {pr['mean']:>8,.0f} [{pr['p10']:,.0f}, "
            f"{pr['p90']:,.0f}] P+ {pr['p_positive']:.0%}",
            flush=True,
        )
    shares = {k: [r["plans"][k]["share"] for r in rows] for k in ("free", "pm30", "safe")}
    safe_rows = [r["plans"]["safe"] for r in rows]
    within = [
        abs(p["promise"]["mean"] - p["true_lift"]) <= 0.25 * abs(p["true_lift"]) for p in safe_rows
    ]
    covered = [p["promise"]["p10"] <= p["true_lift"] <= p["promise"]["p90"] for p in safe_rows]
    summary = {
        "stores": len(rows),
        "median_share": {k: median(v) for k, v in shares.items()},
        "losses": {k: sum(x < 0 for x in v) for k, v in shares.items()},
        "safe_promise_within_25pct": int(sum(within)),
        "safe_promise_80pct_covers": int(sum(covered)),
        "safe_median_seconds": median([p["seconds"] for p in safe_rows]),
    }
    print(json.dumps(summary, indent=1))
    summary.update(calibration_check(rows, args.calibrate))
    for r in rows:
        r.pop("held_out_lift")
    summary["rule"] = {
        "alpha": rule.alpha,
        "max_move": rule.max_move,
        "reach": rule.reach_extension,
        "workable": None if args.no_workable else WORKABLE_DEFAULTS,
    }
    name = "safe_plans" + (f"_{args.tag}" if args.tag else "")
    write_result(name, {"meta": meta(command_line()), "summary": summary, "rows": rows})


if __name__ == "__main__":
    pd.set_option("display.width", 200)
    main()
