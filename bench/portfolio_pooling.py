"""Portfolio: pooled (hierarchical) vs independent media-mix models, judged on the truth.

Run: ``.venv/bin/python bench/portfolio_pooling.py [--seeds 7,11,23] [--draws 1000] [--tune
1000] [--chains 4]`` (``BENCH_QUICK=1``: seed 7 only, 2 chains x 200 + 200). Writes
``bench/results/portfolio_pooling.json`` (after every fit, so a stopped run keeps what it did).

Portfolios: ``optimizer.data.demo_portfolio`` with each seed (seed 7 is the bundled
``scenarios/portfolio``): a big brand (156 weeks, five channels, two lift tests), a mid-size
brand (156 weeks, four channels, two lift tests) and a marketplace presence (65 weeks, SEA and
retail media, no lift test); true channel parameters drawn around group values per channel
family (see that module). Each portfolio is fitted twice with ``fit_portfolio_models``, product
defaults (4 chains x 1000 draws, 1000 tuning, up to 2 retries, 8 hold-out weeks, lift tests
used), seed = the portfolio's seed:

* ``pooled``: one PyMC model, channel parameters partially pooled across shops;
* ``independent``: one model per shop.

Per shop and channel: relative ROAS error ``|posterior mean - true| / true`` (ROAS over the whole
history, incl. VAT revenue per EUR of spend, as the generator defines it) and whether the
central 90 % interval covers the true ROAS; per fit: wall time (build, compile, sampling, gate,
retries), divergences, max R-hat, gate verdict.

Decision rule (stated before the run): the default is ``pooled`` when, over the portfolios, the
small shop's median ROAS error is lower than with independent fits and its 90 % coverage is not
lower, while each big shop's median error rises by at most 2 percentage points and its coverage
does not fall; otherwise ``independent``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import QUICK, command_line, meta, write_result  # type: ignore[import-not-found]

from optimizer.data.demo_portfolio import DEMO_SHOPS, generate_demo_portfolio, write_demo_portfolio
from optimizer.data.portfolio import load_portfolio
from optimizer.mmm.portfolio import METHODS, FitSettings, fit_portfolio_models

SMALL = "marketplace"
TOLERANCE = 0.02  # big shops: median ROAS error may rise by at most 2 points


def _shop_rows(fit: Any, truths: dict[str, Any]) -> dict[str, Any]:
    table = fit.roas()
    out = {}
    for shop, model in fit.models.items():
        rows = {}
        for c, t in truths[shop].channels.items():
            r = table.loc[(shop, c)]
            err = abs(r["roas_mean"] - t.roas) / t.roas
            rows[c] = {
                "true": t.roas,
                "mean": r["roas_mean"],
                "low": r["roas_low"],
                "high": r["roas_high"],
                "rel_error": err,
                "covered": bool(r["roas_low"] <= t.roas <= r["roas_high"]),
            }
        d = model.diagnostics_
        out[shop] = {
            "channels": rows,
            "median_rel_error": float(np.median([v["rel_error"] for v in rows.values()])),
            "coverage": float(np.mean([v["covered"] for v in rows.values()])),
            "r_hat_max": d.r_hat_max,
            "divergences": d.divergences,
            "passed": d.passed,
        }
    return out


def _run(seed: int, method: str, settings: FitSettings, tmp: Path) -> dict[str, Any]:
    group = generate_demo_portfolio(seed)
    folder = write_demo_portfolio(tmp / f"portfolio_{seed}", group)
    portfolio = load_portfolio(folder)
    t0 = time.perf_counter()
    fit = fit_portfolio_models(portfolio, method, settings)
    wall = time.perf_counter() - t0
    shops = _shop_rows(fit, group.truths())
    return {
        "fit_seconds": wall,
        "passed": fit.passed,
        "failures": fit.failures,
        "divergences": max(s["divergences"] for s in shops.values()),
        "r_hat_max": max(s["r_hat_max"] for s in shops.values()),
        "attempts": (
            len(fit.pooled.attempts_)
            if fit.pooled is not None
            else {n: len(m.attempts_) for n, m in fit.models.items()}
        ),
        "shops": shops,
    }


def _summary(portfolios: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for method in METHODS:
        runs = [p["runs"][method] for p in portfolios if method in p["runs"]]
        if not runs:
            continue
        per_shop = {}
        for r in DEMO_SHOPS:
            rows = [
                v for run in runs for v in run["shops"][r.name]["channels"].values()
            ]  # every (portfolio, channel) of this shop
            per_shop[r.name] = {
                "median_rel_error": float(np.median([v["rel_error"] for v in rows])),
                "coverage": float(np.mean([v["covered"] for v in rows])),
                "n": len(rows),
            }
        out[method] = {
            "shops": per_shop,
            "fit_seconds_mean": float(np.mean([run["fit_seconds"] for run in runs])),
            "divergences_max": max(run["divergences"] for run in runs),
            "r_hat_max": max(run["r_hat_max"] for run in runs),
            "passed": sum(run["passed"] for run in runs),
            "runs": len(runs),
        }
    return out


def _verdict(summary: dict[str, Any]) -> dict[str, Any]:
    if not all(m in summary for m in METHODS):
        return {"default": None, "reason": "incomplete run"}
    p, i = summary["pooled"]["shops"], summary["independent"]["shops"]
    small_wins = (
        p[SMALL]["median_rel_error"] < i[SMALL]["median_rel_error"]
        and p[SMALL]["coverage"] >= i[SMALL]["coverage"]
    )
    hurt = [
        s
        for s in p
        if s != SMALL
        and (
            p[s]["median_rel_error"] > i[s]["median_rel_error"] + TOLERANCE
            or p[s]["coverage"] < i[s]["coverage"]
        )
    ]
    default = "pooled" if small_wins and not hurt else "independent"
    return {"default": default, "small_shop_wins": small_wins, "big_shops_hurt": hurt}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="7" if QUICK else "7,11,23")
    ap.add_argument("--draws", type=int, default=200 if QUICK else 1000)
    ap.add_argument("--tune", type=int, default=200 if QUICK else 1000)
    ap.add_argument("--chains", type=int, default=2 if QUICK else 4)
    ap.add_argument("--methods", default=",".join(METHODS))
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    header = meta(command_line(), seeds=seeds, draws=args.draws, tune=args.tune)
    portfolios: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            entry: dict[str, Any] = {"seed": seed, "runs": {}}
            portfolios.append(entry)
            for method in args.methods.split(","):
                settings = FitSettings(
                    seed=seed, draws=args.draws, tune=args.tune, chains=args.chains
                )
                print(f"portfolio seed {seed}: {method} ...", flush=True)
                entry["runs"][method] = _run(seed, method, settings, Path(tmp))
                run = entry["runs"][method]
                print(
                    f"  {run['fit_seconds']:.0f} s, gate {run['passed']}, "
                    + ", ".join(
                        f"{s} err {v['median_rel_error']:.0%} cov {v['coverage']:.0%}"
                        for s, v in run["shops"].items()
                    ),
                    flush=True,
                )
                summary = _summary(portfolios)
                write_result(
                    "portfolio_pooling",
                    {
                        "meta": header,
                        "chains": args.chains,
                        "portfolios": portfolios,
                        "summary": summary,
                        "verdict": _verdict(summary),
                    },
                )


if __name__ == "__main__":
    main()
