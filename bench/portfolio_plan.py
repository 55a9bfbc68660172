"""Portfolio: the group plan vs each shop planned alone, under the model and under the truth.

Run: ``PYTHONPATH=. .venv/bin/python bench/portfolio_plan.py`` (writes
``bench/results/portfolio_plan.json``; ``--portfolio DIR`` for another generated portfolio).

On the bundled demo portfolio (``scenarios/portfolio``: three shops sharing the ``lyon``
warehouse, truth per shop) the shops' models are fitted with the defaults (cached in
``scenarios/portfolio/.cache``, the path ``optimizer portfolio run`` uses) and three 13-week
plans are compared:

* ``today``: each shop's recent run-rate media and current prices;
* ``group``: the portfolio plan (one media allocation over shop x channel x week under the group
  budget with each shop's +/-30 % range, safe; prices coordinated per warehouse-week; the
  candidate kept on the held-out samples);
* ``alone``: each shop planned alone with its own budget (today's) and its share of the
  warehouse's capacity (its share of today's expected load), by the same code;
* ``group media`` / ``alone media``: those plans' media at today's prices (what moving budget
  between shops does, prices aside).

Every plan is shipped from the shared warehouse (rationed where the summed load exceeds its
capacity) and accounted per shop, under the model (held-out posterior samples: mean, P10, P90)
and under each shop's ground truth (``truth.json``: true baseline, media response, elasticities).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, command_line, meta, write_result

from optimizer.data.demo_portfolio import portfolio_truth
from optimizer.data.portfolio import load_portfolio
from optimizer.portfolio.evaluate import (
    GroupEvaluation,
    ModelUnits,
    ShopPlan,
    TruthUnits,
    evaluate_group,
)
from optimizer.portfolio.fit import fit_shops
from optimizer.portfolio.plan import PlanSettings
from optimizer.portfolio.run import plan_portfolio, pools_of, sample_halves


def _stats(v: np.ndarray) -> dict[str, float]:
    q = np.quantile(v, [0.1, 0.5, 0.9])
    return {"mean": float(v.mean()), "p10": float(q[0]), "p50": float(q[1]), "p90": float(q[2])}


def _model(ev: GroupEvaluation, today: GroupEvaluation) -> dict[str, Any]:
    c, c0 = ev.contribution(), today.contribution()
    shops = {
        s: {
            "contribution": float(p.lines["contribution"].mean()),
            "lift": float((p.lines["contribution"] - today.pnl[s].lines["contribution"]).mean()),
        }
        for s, p in ev.pnl.items()
    }
    return {"contribution": _stats(c), "lift": _stats(c - c0), "shops": shops}


def _truth(ev: GroupEvaluation, today: GroupEvaluation) -> dict[str, Any]:
    shops = {
        s: {
            "contribution": float(p.lines["contribution"][0]),
            "lift": float(p.lines["contribution"][0] - today.pnl[s].lines["contribution"][0]),
        }
        for s, p in ev.pnl.items()
    }
    return {
        "contribution": float(ev.contribution()[0]),
        "lift": float(ev.contribution()[0] - today.contribution()[0]),
        "shops": shops,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--portfolio", type=Path, default=ROOT / "scenarios" / "portfolio")
    args = ap.parse_args()
    t0 = time.perf_counter()
    portfolio = load_portfolio(args.portfolio)
    say = lambda m: print(f"[{time.perf_counter() - t0:7.1f} s] {m}", flush=True)  # noqa: E731
    fits = fit_shops(portfolio, progress=say)
    t_fit = time.perf_counter() - t0
    result = plan_portfolio(portfolio, fits, PlanSettings(alone=True), progress=say)
    t_plan = time.perf_counter() - t0 - t_fit
    assert result.alone is not None
    truth = TruthUnits(
        portfolio_truth(portfolio),
        {f.shop: f.demand.catalog for f in fits},
        {f.shop: f.demand.curves.channels for f in fits},
        portfolio.horizon,
    )
    pools = pools_of(portfolio)
    plans = result.plans()
    # the budget moves alone: each plan's media at today's prices
    for k in ("group", "alone"):
        plans[f"{k} media"] = {
            s: ShopPlan(p.media, plans["today"][s].prices) for s, p in plans[k].items()
        }
    held = ModelUnits(sample_halves(portfolio, fits, result.safe)[1])
    model = {k: evaluate_group(held, v, pools, k) for k, v in plans.items()}
    evals = {k: evaluate_group(truth, v, pools, k) for k, v in plans.items()}
    rows = {
        k: {
            "budgets": {s: float(p.media.sum()) for s, p in plans[k].items()},
            "price_changes": {
                s: int((np.abs(p.prices / plans["today"][s].prices - 1) > 1e-9).sum())
                for s, p in plans[k].items()
            },
            "model": _model(model[k], model["today"]),
            "truth": _truth(evals[k], evals["today"]),
        }
        for k in plans
    }
    gva = model["group"].contribution() - model["alone"].contribution()
    gva_media = model["group media"].contribution() - model["alone media"].contribution()
    payload = {
        "meta": meta(command_line(), portfolio=str(args.portfolio.relative_to(ROOT))),
        "chosen": result.chosen,
        "reason": result.reason,
        "budget": result.budget,
        "plans": rows,
        "group_vs_alone": {
            "model": {**_stats(gva), "p_positive": float(np.mean(gva > 0))},
            "truth": rows["group"]["truth"]["contribution"]
            - rows["alone"]["truth"]["contribution"],
        },
        "group_vs_alone_media": {
            "model": {**_stats(gva_media), "p_positive": float(np.mean(gva_media > 0))},
            "truth": rows["group media"]["truth"]["contribution"]
            - rows["alone media"]["truth"]["contribution"],
        },
        "capacity": [
            {"warehouse": p.pool, "overflow_weeks": list(p.overflow_weeks), "gap": p.gap}
            for p in result.pools
        ],
        "seconds": {"fits": t_fit, "plan": t_plan},
    }
    write_result("portfolio_plan", payload)
    print(
        f"group vs alone: model {gva.mean():,.0f} (media only {gva_media.mean():,.0f}), truth "
        f"{payload['group_vs_alone']['truth']:,.0f} (media only "
        f"{payload['group_vs_alone_media']['truth']:,.0f})"
    )
    for k, r in rows.items():
        print(
            f"{k:12} model lift {r['model']['lift']['mean']:>12,.0f}  "
            f"true lift {r['truth']['lift']:>12,.0f}  budgets "
            + ", ".join(f"{s} {b:,.0f}" for s, b in r["budgets"].items())
        )


if __name__ == "__main__":
    main()
