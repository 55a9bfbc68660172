"""A shipped scenario with the safe price steps (default) and with ``safe = false``, on the truth.

Runs the scenario twice (the media-mix and elasticity fits are cached after the first run) and
prints, for each: the truth report of the three plans (``optimizer.scenario.truth``) and the
price effect alone at the joint media plan: contribution of the joint prices minus today's
prices, paired sample by sample under the model, and under the true demand.

Usage: .venv/bin/python bench/pricing_safe_scenario.py scenarios/current_run_rate.toml
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from optimizer.data.demo import GroundTruth
from optimizer.scenario import load_scenario, run_scenario
from optimizer.scenario.joint.evaluation import evaluate_plan
from optimizer.scenario.schema import ScenarioSpec
from optimizer.scenario.truth import truth_pnl, truth_report


def main() -> None:
    path = Path(sys.argv[1])
    truth = GroundTruth.load(path.parent / "demo")
    for safe in (True, False):
        spec = load_scenario(path)
        pricing = spec.file.pricing.model_copy(update={"safe": safe})
        spec = ScenarioSpec(
            spec.file.model_copy(update={"pricing": pricing}), spec.path, spec.root, spec.text
        )
        t = time.perf_counter()
        res = run_scenario(spec)
        print(
            f"safe = {safe}: {time.perf_counter() - t:.0f} s, {res.provenance['timings_seconds']}"
        )
        print(truth_report(res, truth).to_string())
        cur, joint = res.plans.current, res.plans.joint
        today = evaluate_plan(res.demand, "today's prices", joint.media, cur.prices)
        lift = joint.pnl.lines["contribution"] - today.pnl.lines["contribution"]
        true_lift = (
            truth_pnl(res, truth, joint).lines["contribution"][0]
            - truth_pnl(res, truth, today).lines["contribution"][0]
        )
        q = np.quantile(lift, [0.1, 0.9])
        print(
            f"price lift at the joint media: model {lift.mean():,.0f} EUR (P10 {q[0]:,.0f}, "
            f"P90 {q[1]:,.0f}, P(>0) {(lift > 0).mean():.2f}); truth {true_lift:,.0f} EUR; "
            f"{int((~np.isclose(joint.prices, cur.prices)).sum())} price changes"
        )
        pr = res.plans.pricing
        if pr is not None and "safety" in pr.info:
            s = pr.info["safety"]
            print(f"chosen {s['chosen']}; promise {s['promise']}; {s['identification']}")
            print(f"reason: {s['reason']}")


if __name__ == "__main__":
    main()
