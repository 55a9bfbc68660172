"""Safe vs plain price plan on generated stores, judged on the model AND on the true demand.

For each store (the bundled demo store, seed 7, and generated stores of other seeds written to
a temporary folder) the elasticity model is fitted with NUTS (defaults, seed 0), then prices
are set for the first 13 horizon weeks (Black Friday and Christmas included) under the same
rules as ``bench/pricing_demo.py`` (max change 15 %, margin floor 15 %, logistics capacity,
demand multiplier from the true run-rate media plan), in both capacity modes:

* ``plain``: ``optimize_prices`` on the whole posterior (``--no-safe``);
* ``safe``: ``safe_prices`` with the defaults (alpha 0.1, identification bounds, seed 0).

Model-side lift over today's prices is paired draw by draw (``ProblemDraws``): on every draw
for the plain plan (what it would claim) and on the held-out half B for both. The true lift is
the contribution (margin after logistics, excl. VAT) of the new prices minus today's under the
generator's true demand, shipped within stock and capacity week by week
(``evaluate_prices(..., capacity=...)``).

Usage: .venv/bin/python bench/pricing_safe_demo.py [--seeds 7 11 23] [--fits DIR]
Writes bench/results/pricing_safe_demo.json. ``--fits DIR`` reuses/stores fits in DIR/seed_<s>.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.data import load_dataset
from optimizer.data.demo import GroundTruth, generate_demo_store, write_demo_store
from optimizer.pricing import (
    Elasticities,
    ElasticityModel,
    PriceRules,
    PricingProblem,
    evaluate_prices,
    optimize_prices,
    reference_prices,
)
from optimizer.pricing.draws import ProblemDraws
from optimizer.pricing.safe import safe_prices

ROOT = Path(__file__).resolve().parents[1]
WEEKS = 13


def _stats(lift: np.ndarray) -> dict[str, float]:
    q = np.quantile(lift, [0.1, 0.9])
    return {
        "mean": round(float(lift.mean()), 2),
        "p10": round(float(q[0]), 2),
        "p90": round(float(q[1]), 2),
        "p_gain": round(float((lift > 0).mean()), 4),
        "p_loss": round(float((lift < 0).mean()), 4),
    }


def _store(seed: int, tmp: Path) -> Path:
    if seed == 7:
        return ROOT / "scenarios/demo"
    return write_demo_store(generate_demo_store(seed), tmp / f"store_{seed}")


def _fit(folder: Path, fits: Path | None, seed: int) -> tuple[Elasticities, float]:
    cached = fits / f"seed_{seed}" if fits else None
    if cached is not None and (cached / "elasticities.csv").is_file():
        return Elasticities.load(cached), 0.0
    ds = load_dataset(folder)
    t = time.perf_counter()
    est = ElasticityModel(method="nuts", seed=0).fit(ds.sales, ds.catalog).estimates
    secs = time.perf_counter() - t
    if cached is not None:
        cached.mkdir(parents=True, exist_ok=True)
        est.save(cached)
        est = Elasticities.load(cached)  # float32 draws, as every later run reads them
    return est, secs


def run_store(seed: int, folder: Path, est: Elasticities) -> dict:
    ds = load_dataset(folder)
    truth = GroundTruth.load(folder)
    cat, log = ds.catalog, ds.logistics
    assert cat is not None and log is not None and ds.sales is not None
    horizon = log.capacity.index[:WEEKS]
    cap = log.capacity_for(horizon)
    cost = float(log.cost_for(horizon).mean())
    plan = truth.run_rate_plan(WEEKS)
    demand_index = (
        truth.baseline(plan.index) + truth.media_contribution(plan).sum(axis=1).to_numpy()
    )
    p0 = cat.frame["price_incl_vat"]

    def true_margin(prices: pd.Series, catalog=cat) -> float:
        weekly = truth.expected_units(prices, demand_index).to_numpy().T
        return evaluate_prices(catalog, prices, weekly, logistics_cost=cost, capacity=cap).margin

    f = est.frame
    tr = truth.skus.loc[f.index, "elasticity"]
    out: dict = {
        "seed": seed,
        "fit": {
            k: (est.diagnostics or {}).get(k)
            for k in ("max_rhat", "min_ess_bulk", "divergences", "n_weakly_identified")
        },
        "coverage_90": round(
            float(((tr >= f["elasticity_low"]) & (tr <= f["elasticity_high"])).mean()), 4
        ),
        "current_true_margin": round(true_margin(p0), 2),
    }
    s_true = truth.skus.loc[cat.frame.index]
    oracle_est = Elasticities.from_values(
        s_true["elasticity"],
        s_true["base_units"] * (p0 / s_true["ref_price"]) ** s_true["elasticity"],
        p0,
    )
    # stress case: today's prices already at the truth's optimum (the oracle's prices, ration
    # mode, iterated), so what is left to gain is nil and any move the model suggests is noise
    near = cat.frame.copy()
    near["price_incl_vat"] = _oracle_prices(cat, est, oracle_est, cap, demand_index, truth, cost)
    near["price_excl_vat"] = near["price_incl_vat"] / (1 + near["vat_rate"])
    cats = {"today": cat, "near_optimal": type(cat)(frame=near, source="near_optimal")}
    for mode, setting in (
        ("hard", "today"),
        ("ration", "today"),
        ("ration", "near_optimal"),
    ):
        catalog = cats[setting]
        p0 = catalog.frame["price_incl_vat"]
        cur = true_margin(p0, catalog)
        problem = PricingProblem(
            catalog,
            est,
            cap,
            demand_multiplier=demand_index / truth.d_ref,
            rules=PriceRules(max_change=0.15, margin_floor=0.15),
            logistics_cost=cost,
            reference_prices=reference_prices(ds.sales, catalog),
            capacity_mode=mode,
        )
        draws = ProblemDraws(problem)
        base = draws.contribution(p0.to_numpy(float))
        plain = optimize_prices(problem)
        sp = safe_prices(problem)
        b = sp.half_b
        row: dict = {}
        evals = {}
        for name, res in (("plain", plain), ("safe", sp.result)):
            new = res.prices["new_price_incl_vat"]
            weekly = truth.expected_units(new, demand_index).to_numpy().T
            evals[name] = evaluate_prices(
                catalog, new, weekly, logistics_cost=cost, capacity=cap
            ).frame["margin"]
            lift = draws.contribution(new.to_numpy(float)) - base
            row[name] = {
                "n_changes": res.n_changes,
                "mean_abs_change_pct": round(float(res.prices["change_pct"].abs().mean()), 3),
                "model_lift_all_draws": _stats(lift),
                "model_lift_half_b": _stats(lift[b]),
                "true_lift": round(true_margin(new, catalog) - cur, 2),
            }
        oracle = optimize_prices(problem.with_(elasticities=oracle_est))
        row["oracle_true_lift"] = round(
            true_margin(oracle.prices["new_price_incl_vat"], catalog) - cur, 2
        )
        row["current_true_margin"] = round(cur, 2)
        row["safe"]["chosen"] = sp.chosen
        row["safe"]["reason"] = sp.reason
        row["safe"]["promise"] = None if sp.promise is None else sp.promise.to_dict()
        row["safe"]["candidates"] = (
            sp.candidates[
                ["candidate", "n_changes", "feasible", "lift_mean_a", "lift_mean_b", "p_loss_b"]
            ]
            .round(2)
            .to_dict(orient="records")
        )
        bnd = sp.bounds["max_change_bound"]
        row["safe"]["identification"] = {
            "n_below_max_change": int((bnd < 0.15 - 1e-9).sum()),
            "n_at_weak_floor": int((bnd <= 0.03 + 1e-9).sum()),
            "n_widened": int(sp.bounds["bound_reason"].str.contains("widened").sum()),
            "bound_quantiles": [round(float(x), 4) for x in bnd.quantile([0, 0.25, 0.5, 1])],
            "binding_sku_max_change": int(
                (sp.result.prices["binding_rule"] == "sku_max_change").sum()
            ),
        }
        # true margin of the safe minus the plain plan, per kind of identification bound
        # (approximate: capacity rationing couples the SKUs)
        kind = sp.bounds["bound_reason"].str.split(r"[:(]").str[0].str.strip()
        row["safe"]["true_margin_vs_plain_by_bound"] = (
            (evals["safe"] - evals["plain"]).groupby(kind).sum().round(2).to_dict()
        )
        out[f"{mode}/{setting}"] = row
    return out


def _oracle_prices(cat, est, oracle_est, cap, demand_index, truth, cost) -> np.ndarray:
    """The truth's optimal prices under the bench rules (ration mode), repeated from each
    optimum until nothing moves (at most 8 cycles of +/-15 %): a store already priced at
    the truth's optimum."""
    frame = cat.frame.copy()
    for _ in range(8):
        problem = PricingProblem(
            type(cat)(frame=frame, source="oracle"),
            oracle_est,
            cap,
            demand_multiplier=demand_index / truth.d_ref,
            rules=PriceRules(max_change=0.15, margin_floor=0.15),
            logistics_cost=cost,
            capacity_mode="ration",
        )
        new = optimize_prices(problem).prices["new_price_incl_vat"].to_numpy(float)
        if np.allclose(new, frame["price_incl_vat"].to_numpy(float)):
            break
        frame["price_incl_vat"] = new
        frame["price_excl_vat"] = new / (1 + frame["vat_rate"])
    return frame["price_incl_vat"].to_numpy(float)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[7, 11, 23])
    ap.add_argument("--fits", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=ROOT / "bench/results/pricing_safe_demo.json")
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            folder = _store(seed, Path(tmp))
            est, secs = _fit(folder, args.fits, seed)
            r = run_store(seed, folder, est)
            r["fit_seconds"] = round(secs, 1)
            results.append(r)
            short = {
                m: {
                    k: (
                        r[m][k]["true_lift"],
                        r[m][k]["model_lift_all_draws"]["mean"],
                        r[m][k]["model_lift_half_b"]["mean"],
                    )
                    for k in ("plain", "safe")
                }
                | {"chosen": r[m]["safe"]["chosen"], "oracle": r[m]["oracle_true_lift"]}
                for m in ("hard/today", "ration/today", "ration/near_optimal")
            }
            print(seed, json.dumps(short), flush=True)
    args.out.write_text(json.dumps(results, indent=1, default=float) + "\n")


if __name__ == "__main__":
    main()
