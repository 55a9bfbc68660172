"""MMM head-to-head with PyMC-Marketing, and the decision quality of each tool's budget plan.

Run: ``.venv/bin/python bench/mmm_compare.py [--datasets demo,...] [--repeats N] [--chains C]
[--draws D] [--tune T]`` (``BENCH_QUICK=1``: demo only, 2 x 150 + 150). Writes
``bench/results/mmm_compare.json``.

Per dataset and repeat (seed = repeat index, the same for both tools), in the same process:

* this project's ``MMM`` (defaults: geometric adstock, Hill, Fourier 2, trend, controls, nutpie
  with its low-rank mass matrix) with ``holdout_weeks=0`` so that both tools see every week;
* PyMC-Marketing's MMM (see ``bench/mmm_peer.py``), same chains/draws/tune, nutpie;
* no lift tests for either in the head-to-head (same information). On repeat 0 ours is also
  fitted with the dataset's two lift tests (a product feature; row ``ours_lift_tests``, not
  part of the ratios).

Figures: wall time (build + compile + sampling; ours also runs its diagnostics gate), min bulk
ESS over the per-channel ROAS draws and over all free parameters, ESS/s = ESS / wall, max
R-hat, divergences, mean absolute relative ROAS error of the posterior mean vs the truth, and
how many true ROAS fall inside the central 90 % interval. ESS/s ratios are taken per repeat
(same seed, same run) and their median is reported.

Decision quality (repeat 0 only): budget = run-rate (mean of the last 13 weeks) x 13 weeks.
Ours: ``allocate`` on the fitted posterior curves (300 samples, mean objective). Peer: its
``optimize_budget`` (run-rate weekly total per period, default bounds). Oracle: ``allocate`` on
the true curves. Every plan is evaluated with ``GroundTruth.media_contribution`` (true carry-over
from the history included): lift over the run-rate plan and share of the oracle's lift. The
same is repeated with every channel's spend bounded to +/-30 % of its run-rate (the guard-rail
the shipped scenarios use), for all three (oracle included), in ``bounded_plans``.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import arviz as az
from _common import QUICK, command_line, median, meta, truth_curves, write_result
from mmm_datasets import BUILDERS, BenchDataset

from optimizer.allocation import AllocationProblem, ChannelRule, allocate
from optimizer.mmm import MMM

WEEKS = 13


def roas_summary(draws: np.ndarray, channels: list[str], truth: dict[str, float]) -> dict[str, Any]:
    """Mean / 90 % interval / error / coverage from (chain, draw, channel) ROAS draws."""
    flat = draws.reshape(-1, draws.shape[-1])
    ess = az.ess(az.convert_to_dataset({"roas": draws}), method="bulk")["roas"].to_numpy()
    per = {}
    for c, name in enumerate(channels):
        lo, hi = np.quantile(flat[:, c], [0.05, 0.95])
        m = float(flat[:, c].mean())
        t = truth[name]
        per[name] = {
            "true": t,
            "mean": m,
            "low": float(lo),
            "high": float(hi),
            "abs_rel_error": abs(m - t) / t,
            "inside_90": bool(lo <= t <= hi),
            "ess_bulk": float(ess[c]),
        }
    return {
        "channels": per,
        "mean_abs_rel_error": float(np.mean([v["abs_rel_error"] for v in per.values()])),
        "n_inside_90": int(sum(v["inside_90"] for v in per.values())),
        "coverage_90": float(np.mean([v["inside_90"] for v in per.values()])),
        "roas_ess_bulk_min": float(ess.min()),
    }


def fit_ours(
    ds: BenchDataset, chains: int, draws: int, tune: int, seed: int, lift: bool = False
) -> dict[str, Any]:
    t0 = time.perf_counter()
    mmm = MMM(holdout_weeks=0, chains=chains, draws=draws, tune=tune, seed=seed)
    mmm.fit(ds.history, lift_tests=ds.lift_tests if lift else None)
    wall = time.perf_counter() - t0
    d = mmm.diagnostics_
    draws_ = mmm.idata_.posterior["roas"].transpose("chain", "draw", ...).to_numpy()
    table = mmm.roas()
    channels = list(ds.history.channels)
    s = roas_summary(draws_, channels, ds.true_roas())
    # the sampled ROAS is the reported ROAS when nothing is held out: check it
    s["max_abs_diff_vs_roas_table"] = float(
        np.max(np.abs(table.loc[channels, "roas_mean"].to_numpy() - draws_.mean(axis=(0, 1))))
    )
    return {
        "model": mmm,
        "wall_seconds": wall,
        "compile_seconds": mmm.compile_seconds_,
        "sample_seconds": mmm.sampling_seconds_,
        "sampler": mmm.sampler_,
        "r_hat_max": d.r_hat_max,
        "ess_bulk_min": d.ess_bulk_min,
        "ess_tail_min": d.ess_tail_min,
        "divergences": d.divergences,
        "gate_passed": bool(d.passed),
        "gate_failures": list(d.failures),
        **s,
    }


def fit_peer(ds: BenchDataset, chains: int, draws: int, tune: int, seed: int) -> dict[str, Any]:
    import mmm_peer

    r = mmm_peer.fit_peer(ds.history, chains=chains, draws=draws, tune=tune, seed=seed)
    s = roas_summary(r.pop("roas_draws"), r["channels"], ds.true_roas())
    return {**r, **s, "sampler": "nutpie"}


def public(r: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in r.items() if k not in ("model", "idata")}
    for key in ("roas_ess_bulk_min", "ess_bulk_min"):
        out[f"{key}_per_s"] = r[key] / r["wall_seconds"]
    return out


def plan_frame(truth: Any, weekly: dict[str, float] | pd.DataFrame) -> pd.DataFrame:
    idx = truth.run_rate_plan(WEEKS).index
    if isinstance(weekly, pd.DataFrame):
        return pd.DataFrame(weekly.to_numpy(float), columns=weekly.columns, index=idx)
    return pd.DataFrame({c: np.full(WEEKS, v) for c, v in weekly.items()}, index=idx)


def our_plan(
    model: Any, problem: AllocationProblem, truth: Any, true_rev: Any, base: float
) -> dict:
    t0 = time.perf_counter()
    curves = model.response_curves(n_samples=300, allow_failed=True)
    res = allocate(curves, problem)
    plan = plan_frame(truth, res.plan)
    lift = true_rev(plan) - base
    return {
        "true_lift": lift,
        "true_lift_pct": 100 * lift / base,
        "model_lift": res.revenue_lift.mean,
        "seconds": time.perf_counter() - t0,
        "status": res.status.value,
        "rel_gap": res.rel_gap,
        "spent": float(plan.to_numpy().sum()),
        "spend": {c: float(v) for c, v in plan.sum().items()},
    }


#: the product's recommended guard-rail (the shipped scenarios use it): each channel's horizon
#: spend within +/-30 % of its run-rate
BOUND = 0.3


def decision_quality(
    ds: BenchDataset,
    ours: dict[str, Any],
    peer: dict[str, Any] | None,
    ours_lift: dict[str, Any] | None,
) -> dict:
    """Plans of every tool judged on the truth, free and with +/-30 % channel bounds."""
    truth = ds.truth
    current = truth.run_rate_plan(WEEKS)
    weekly = {c: float(v) for c, v in current.iloc[0].items()}
    weekly_budget = float(sum(weekly.values()))
    pm = float(np.mean(truth.price_multiplier[-13:]))

    def true_rev(plan: pd.DataFrame) -> float:
        return truth.media_revenue(plan, pm)

    base = true_rev(current)
    out: dict[str, Any] = {
        "budget_eur": weekly_budget * WEEKS,
        "weeks": WEEKS,
        "price_multiplier": pm,
        "current_true_media_revenue": base,
        "current_weekly_spend": weekly,
        "bound": BOUND,
    }
    for setting in ("free", "bounded"):
        weekly_bounds = (
            {c: ((1 - BOUND) * w, (1 + BOUND) * w) for c, w in weekly.items()}
            if setting == "bounded"
            else None
        )
        rules = {
            c: ChannelRule(min_total=lo * WEEKS, max_total=hi * WEEKS)
            for c, (lo, hi) in (weekly_bounds or {}).items()
        }
        problem = AllocationProblem(budget=weekly_budget * WEEKS, n_weeks=WEEKS, channels=rules)
        rows = _plans(ds, problem, weekly_bounds, ours, peer, ours_lift, true_rev, base)
        if setting == "free":
            out.update(rows)  # top level, as in earlier result files
        else:
            out["bounded_plans"] = rows
    return out


def _plans(
    ds: BenchDataset,
    problem: AllocationProblem,
    weekly_bounds: dict[str, tuple[float, float]] | None,
    ours: dict[str, Any],
    peer: dict[str, Any] | None,
    ours_lift: dict[str, Any] | None,
    true_rev: Any,
    base: float,
) -> dict[str, Any]:
    truth = ds.truth
    current = truth.run_rate_plan(WEEKS)
    t0 = time.perf_counter()
    oracle = allocate(truth_curves(truth), problem)
    oracle_plan = plan_frame(truth, oracle.plan)
    oracle_lift = true_rev(oracle_plan) - base
    rows: dict[str, Any] = {
        "oracle": {
            "true_lift": oracle_lift,
            "true_lift_pct": 100 * oracle_lift / base,
            "seconds": time.perf_counter() - t0,
            "rel_gap": oracle.rel_gap,
            "spend": {c: float(v) for c, v in oracle_plan.sum().items()},
        },
    }
    for key, fit in (("ours", ours), ("ours_lift_tests", ours_lift)):
        if fit is not None:
            row = our_plan(fit["model"], problem, truth, true_rev, base)
            row["share_of_oracle"] = row["true_lift"] / oracle_lift
            rows[key] = row
    if peer is not None:
        import mmm_peer

        try:
            weekly_budget = float(current.iloc[0].sum())
            pp = mmm_peer.peer_plan(peer, weekly_budget, current.index[0], WEEKS, weekly_bounds)
            plan = plan_frame(truth, pp["weekly_spend"])
            lift = true_rev(plan) - base
            rows["peer"] = {
                "true_lift": lift,
                "true_lift_pct": 100 * lift / base,
                "share_of_oracle": lift / oracle_lift,
                "spent": float(plan.to_numpy().sum()),
                "spend": {c: float(v) for c, v in plan.sum().items()},
                **{k: v for k, v in pp.items() if k != "weekly_spend"},
            }
        except Exception as exc:  # the peer's optimizer failing is a result to report
            rows["peer"] = {
                "error": f"{type(exc).__name__}: {exc}",
                "trace": traceback.format_exc(),
            }
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--datasets", default="demo" if QUICK else ",".join(BUILDERS))
    ap.add_argument("--repeats", type=int, default=1 if QUICK else 2)
    ap.add_argument("--chains", type=int, default=2)
    ap.add_argument("--draws", type=int, default=150 if QUICK else 500)
    ap.add_argument("--tune", type=int, default=150 if QUICK else 500)
    ap.add_argument("--no-peer", action="store_true", help="skip PyMC-Marketing")
    args = ap.parse_args()
    try:
        import pymc_marketing  # noqa: F401

        peer_ok = not args.no_peer
    except ImportError:
        peer_ok = False
        print("pymc-marketing not installed: peer skipped (install the bench extra)", flush=True)
    out: dict[str, Any] = {
        "meta": meta(
            command_line(),
            chains=args.chains,
            draws=args.draws,
            tune=args.tune,
            repeats=args.repeats,
            peer_run=peer_ok,
        ),
        "datasets": {},
    }
    for name in args.datasets.split(","):
        ds = BUILDERS[name]()
        runs = []
        dq = None
        for rep in range(args.repeats):
            kw = {"chains": args.chains, "draws": args.draws, "tune": args.tune, "seed": rep}
            ours = fit_ours(ds, **kw)
            print(name, rep, "ours", f"{ours['wall_seconds']:.1f}s", flush=True)
            peer = None
            if peer_ok:
                try:
                    peer = fit_peer(ds, **kw)
                    print(name, rep, "peer", f"{peer['wall_seconds']:.1f}s", flush=True)
                except Exception as exc:
                    print(f"peer fit failed: {exc}", flush=True)
                    peer = None
            run: dict[str, Any] = {"seed": rep, "ours": public(ours)}
            if peer is not None:
                run["peer"] = public(peer)
                for key in ("roas_ess_bulk_min_per_s", "ess_bulk_min_per_s"):
                    run[f"ratio_{key}"] = run["ours"][key] / run["peer"][key]
                run["ratio_wall"] = peer["wall_seconds"] / ours["wall_seconds"]
            ours_lift = None
            if rep == 0 and ds.lift_tests is not None:
                ours_lift = fit_ours(ds, **kw, lift=True)
                run["ours_lift_tests"] = public(ours_lift)
                print(name, rep, "ours+lift", f"{ours_lift['wall_seconds']:.1f}s", flush=True)
            if rep == 0:
                dq = decision_quality(ds, ours, peer, ours_lift)
                print(
                    name,
                    "decision",
                    {
                        k: v.get("share_of_oracle")
                        for k, v in dq.items()
                        if isinstance(v, dict) and "true_lift" in v
                    },
                    flush=True,
                )
            runs.append(run)
        summary: dict[str, Any] = {}
        for tool in ("ours", "peer"):
            rs = [r[tool] for r in runs if tool in r]
            if not rs:
                continue
            summary[tool] = {
                k: median([r[k] for r in rs])
                for k in (
                    "wall_seconds",
                    "roas_ess_bulk_min_per_s",
                    "ess_bulk_min_per_s",
                    "r_hat_max",
                    "divergences",
                    "mean_abs_rel_error",
                    "coverage_90",
                )
            }
        for key in ("ratio_roas_ess_bulk_min_per_s", "ratio_ess_bulk_min_per_s", "ratio_wall"):
            vals = [r[key] for r in runs if key in r]
            if vals:
                summary[key] = median(vals)
        out["datasets"][name] = {
            "description": ds.description,
            "noise": ds.noise,
            "n_weeks": ds.history.n_weeks,
            "true_roas": ds.true_roas(),
            "summary": summary,
            "runs": runs,
            "decision": dq,
        }
        write_result("mmm_compare", out)  # after each dataset: a crash keeps what was done


if __name__ == "__main__":
    main()
