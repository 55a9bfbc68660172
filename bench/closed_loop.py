"""A year with the product: four quarterly cycles of fit -> plan -> (test) -> observe -> update.

On generated stores with a future (:func:`optimizer.data.forward.forward_store`: 156 observed
weeks, then 52 weeks lived under each policy's plans with the generator's baseline, prices and
weekly noise), six policies run four 13-week quarters with the budget of today's run-rate:

* ``today``: keep today's plan (the run-rate at the start) every quarter;
* ``free``: the posterior-mean optimum under the budget only;
* ``pm30``: the same with every channel within +/-30 % of its run-rate;
* ``safe``: :func:`optimizer.allocation.safe.safe_allocate` (today = the policy's own last 13
  weeks' run-rate, so its trust region moves quarter after quarter);
* ``safe_exp``: the safe plan with the test recommended by
  :func:`optimizer.experiment.plan_experiments` run inside the quarter (quarters 1-3; a test in
  the last quarter would inform no later plan), read out against the model's counterfactual;
* ``oracle``: the optimum on the true curves (carry-over from its own history).

Each policy keeps its own posterior. One short MCMC fit per store at the start (cached), then
after each quarter the posterior samples are reweighted by the likelihood of every week observed
since the last fit (baseline forecast + media response + the model's noise, sample by sample)
and resampled for planning: exact Bayes on the fit's samples. When the effective sample size
falls under 10 % (``--update auto``, the default) the policy's model is refitted (short MCMC) on
its own history, with its read-out rows for ``safe_exp``. ``--update reweight`` never refits;
``--update refit`` refits every policy every quarter.

Reported per store, policy and quarter: true contribution (true media revenue - spend, test
costs included), share of the oracle's lift over today's plan, and the posterior-mean error of
every lever's ROAS and marginal ROAS at today's run-rate (mean absolute relative error).

Run: ``.venv/bin/python bench/closed_loop.py --quick`` (3 stores, 2 x 200 draws: 23.5 min on
2 shared cores, the refits dominate; fits are cached in ``bench/results/cache/closed_loop/``
keyed by the data they saw, so a rerun with unchanged code takes a few minutes); without
``--quick``: 5 stores, 2 x 500 draws (about an hour; not run yet).
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

from _common import QUICK, ROOT, command_line, meta, write_result

from optimizer.allocation import AllocationProblem, ChannelRule, allocate
from optimizer.allocation.safe import SafeRule, safe_allocate
from optimizer.data.forward import ForwardStore, forward_store
from optimizer.data.lift_tests import LiftTests
from optimizer.experiment import CandidateGrid, EviSettings, plan_experiments, readout_for_model
from optimizer.mmm import MMM, ResponseCurves
from optimizer.mmm.persistence import load_model, save_model
from optimizer.mmm.posterior import thin_index

WEEKS = 13
QUARTERS = 4
N_SAMPLES = 300
POLICIES = ("today", "free", "pm30", "safe", "safe_exp", "oracle")
FITTED = ("free", "pm30", "safe", "safe_exp")
STORES_QUICK = [("flighted", 1, 0.05), ("always_on", 1, 0.03), ("weak", 1, 0.03)]
STORES_FULL = [*STORES_QUICK, ("mixed", 1, 0.03), ("weak", 2, 0.05)]
CACHE = ROOT / "bench" / "results" / "cache" / "closed_loop"
RULE = SafeRule(calibrate=False)
#: Under this share of effective samples the reweighted posterior has collapsed: refit.
ESS_MIN = 0.1


def fit(history: Any, lift: LiftTests | None, draws: int, key: str | None) -> Any:
    """A short MCMC fit (cached by ``key``); the gate is not enforced (short chains)."""
    path = CACHE / key if key else None
    if path is not None and (path / "spec.json").is_file():
        return load_model(path)
    t0 = time.perf_counter()
    model = MMM(draws=draws, tune=draws, chains=2, seed=1, retries=0).fit(history, lift)
    print(f"    fit {history.n_weeks} weeks in {time.perf_counter() - t0:.0f} s", flush=True)
    if path is not None:
        save_model(model, path, overwrite=True)
    return model


def history_hash(history: Any, lift: LiftTests | None) -> str:
    """Short hash of what a fit sees (cache key: a policy's history depends on its plans)."""
    h = hashlib.sha256(history.spend.to_numpy().tobytes() + history.revenue.tobytes())
    if lift is not None:
        h.update(lift.frame.to_csv(index=False).encode())
    return h.hexdigest()[:10]


@dataclasses.dataclass
class Belief:
    """A policy's posterior: a fitted model and importance weights of its samples."""

    model: Any
    curves: ResponseCurves
    sigma: np.ndarray
    logw: np.ndarray

    @classmethod
    def of(cls, model: Any) -> Belief:
        curves = model.response_curves(N_SAMPLES, allow_failed=True)
        s = model.samples_.subset(thin_index(model.samples_.n_samples, N_SAMPLES))
        return cls(model, curves, s.sigma * model.design_.y_scale, np.zeros(curves.n_samples))

    def update(self, history: Any) -> float:
        """Reweight by the likelihood of the weeks since the fit; returns the ESS."""
        n_fit = self.model.history_.n_weeks
        weeks = history.weeks[n_fit:]
        if not len(weeks):
            return float(self.curves.n_samples)
        base = self.model.baseline_forecast(weeks, history.controls.iloc[n_fit:], N_SAMPLES)
        media = self.curves.weekly(history.spend.iloc[n_fit:].to_numpy(float)).sum(axis=2)
        resid = history.revenue[n_fit:][None, :] - base - media
        sig = self.sigma[:, None]
        self.logw = (-0.5 * (resid / sig) ** 2 - np.log(sig)).sum(axis=1)
        w = np.exp(self.logw - self.logw.max())
        w /= w.sum()
        return float(1.0 / np.sum(w**2))

    def planning_curves(self, history: Any, seed: int) -> ResponseCurves:
        """Resampled by weight, carrying over the policy's own recent spend."""
        w = np.exp(self.logw - self.logw.max())
        w /= w.sum()
        n = len(w)
        u = np.random.default_rng(seed).uniform()
        idx = np.searchsorted(np.cumsum(w), (np.arange(n) + u) / n).clip(0, n - 1)
        spend = history.spend.to_numpy(float)
        return dataclasses.replace(
            self.curves.subset(idx), history=spend[-24:], current=spend[-WEEKS:].mean(axis=0)
        )


def errors(curves: ResponseCurves, store: ForwardStore, at: np.ndarray) -> dict[str, float]:
    """Mean absolute relative error of the posterior-mean ROAS and marginal ROAS at ``at``."""
    pm = float(np.mean(store.price_multiplier[store.n_observed - 52 : store.n_observed]))
    true = store.truth.response_curves()
    lever = [c not in curves.follows_sales for c in curves.channels]
    est_roas = (curves.steady_state(at) / at).mean(axis=0)[lever]
    true_roas = (pm * true.steady_state(at) / at)[0][lever]
    est_m = curves.marginal_roas(at).mean(axis=0)[lever]
    true_m = pm * true.marginal_roas(at)[0][lever]
    return {
        "roas": float(np.mean(np.abs(est_roas / true_roas - 1))),
        "mroas": float(np.mean(np.abs(est_m / true_m - 1))),
    }


def problems(channels: tuple[str, ...], today: np.ndarray, fixed: tuple[str, ...]) -> dict:
    budget = float(today.sum() * WEEKS)
    pinned = {
        c: ChannelRule(fixed=float(today[i] * WEEKS)) for i, c in enumerate(channels) if c in fixed
    }
    return {
        "free": AllocationProblem(budget=budget, n_weeks=WEEKS, channels=pinned),
        "pm30": AllocationProblem(
            budget=budget,
            n_weeks=WEEKS,
            channels={c: ChannelRule(min_change=-0.3, max_change=0.3) for c in channels} | pinned,
        ),
    }


def plan_for(
    policy: str, belief: Belief | None, store: ForwardStore, q: int, today: np.ndarray, probs: dict
) -> tuple[np.ndarray, dict[str, Any]]:
    """The quarter's plan of a policy, and what it says about it."""
    info: dict[str, Any] = {}
    if policy == "today":
        return np.tile(today, (WEEKS, 1)), info
    fixed = tuple(store.history.cost_follows_sales)
    if policy == "oracle":
        true = store.truth.response_curves()
        true = dataclasses.replace(true, follows_sales=fixed)
        return allocate(true, probs["free"]).plan.to_numpy(float), info
    assert belief is not None
    curves = dataclasses.replace(belief.planning_curves(store.history, q), follows_sales=fixed)
    info["errors"] = errors(curves, store, today)
    if policy in ("free", "pm30"):
        return allocate(curves, probs[policy]).plan.to_numpy(float), info
    problem = dataclasses.replace(probs["free"], channels={})
    if policy == "safe" or q == QUARTERS - 1:
        safe = safe_allocate(curves, problem, rule=RULE)
        info["chosen"] = safe.chosen
        return safe.plan.to_numpy(float), info
    weeks = store.future_weeks(WEEKS)
    noise = float(np.mean(belief.sigma))
    base = belief.model.baseline_forecast(
        weeks, store.controls.iloc[store.n_observed :][:WEEKS], N_SAMPLES
    )
    t0 = time.perf_counter()
    ep = plan_experiments(
        curves,
        problem,
        noise_sd=noise,
        level_sd=float(np.std(base.mean(axis=1))),
        rule=RULE,
        grid=CandidateGrid(durations=(2, 4, 8), starts=(0,)),
        settings=EviSettings(n_draws=N_SAMPLES, n_outcomes=60, seed=q),
    )
    info["evi_seconds"] = time.perf_counter() - t0
    rec = ep.recommended
    info["test"] = None if rec is None else rec.row()
    plan = ep.host_plan.to_numpy(float) if ep.test_plan is None else ep.test_plan.to_numpy(float)
    if rec is not None:
        info["planned_weekly"] = float(
            ep.host_plan.iloc[rec.design.window()][rec.design.channel].mean()
        )
    return plan, info


def run_store(pattern: str, seed: int, noise: float, draws: int, update: str) -> dict[str, Any]:
    store0 = forward_store(pattern, seed, noise=noise, n_history=156, n_future=QUARTERS * WEEKS)
    print(f"== {store0.name}", flush=True)
    key = f"{store0.name}-d{draws}"
    model0 = fit(store0.history, None, draws, key)
    today = store0.history.spend.iloc[-WEEKS:].mean().to_numpy(float)
    probs = problems(
        tuple(store0.history.channels), today, tuple(store0.history.cost_follows_sales)
    )
    rows: dict[str, list[dict[str, Any]]] = {p: [] for p in POLICIES}
    for policy in POLICIES:
        store = store0
        belief = Belief.of(model0) if policy in FITTED else None
        lift_rows: list[pd.DataFrame] = []
        for q in range(QUARTERS):
            t0 = time.perf_counter()
            ess = None
            refit = False
            if belief is not None and q > 0:
                if update != "refit":
                    ess = belief.update(store.history)
                if update == "refit" or (update == "auto" and ess < ESS_MIN * N_SAMPLES):
                    lt = LiftTests(pd.concat(lift_rows, ignore_index=True)) if lift_rows else None
                    tag = f"{key}-{policy}-q{q + 1}-{history_hash(store.history, lt)}"
                    belief = Belief.of(fit(store.history, lt, draws, tag))
                    refit = True
            plan, info = plan_for(policy, belief, store, q, today, probs)
            before = store
            store, lived = store.live(plan, np.random.default_rng([seed, q, 7]))
            test = info.get("test")
            if test is not None and belief is not None:
                ch = test["channel"]
                c = list(store.history.channels).index(ch)
                win = slice(test["start_week"] - 1, test["start_week"] - 1 + test["weeks"])
                without = plan.copy()
                without[win, c] = info["planned_weekly"]
                truth = before.true_media(plan)[win].sum() - before.true_media(without)[win].sum()
                weeks = store.history.weeks[before.n_observed :][win]
                r = readout_for_model(
                    belief.model, store.history, ch, weeks[0], weeks[-1], info["planned_weekly"],
                    allow_failed=True,
                )  # fmt: skip
                lift_rows.append(r.row().frame)
                info["readout"] = {"lift": r.lift, "se": r.se, "true_lift": float(truth)}
            rows[policy].append(
                {
                    "quarter": q + 1,
                    "contribution": lived.contribution,
                    "media_revenue": float(lived.media_revenue.sum()),
                    "spend": float(lived.spend.sum()),
                    "ess": ess,
                    "refit": refit,
                    "seconds": time.perf_counter() - t0,
                    **info,
                }
            )
            print(
                f"  {policy:<9} Q{q + 1} contribution {lived.contribution:>11,.0f}"
                + (f" ESS {ess:5.0f}" if ess is not None else "")
                + (" (refit)" if refit else "")
                + (f" test {test['test']} net {test['net']:,.0f}" if test else ""),
                flush=True,
            )
    return {"store": store0.name, "pattern": pattern, "noise": noise, "policies": rows}


def summarize(result: dict[str, Any]) -> dict[str, Any]:
    """Per policy: contribution by quarter and in total, share of the oracle's lift."""
    pol = result["policies"]
    by_q = {p: np.array([r["contribution"] for r in pol[p]]) for p in POLICIES}
    gain_oracle = by_q["oracle"] - by_q["today"]
    out: dict[str, Any] = {}
    for p in POLICIES:
        gain = by_q[p] - by_q["today"]
        out[p] = {
            "total": float(by_q[p].sum()),
            "lift_total": float(gain.sum()),
            "share_total": float(gain.sum() / gain_oracle.sum()),
            "share_by_quarter": (gain / gain_oracle).tolist(),
            "below_today_quarters": int(np.sum(gain < 0)),
            "errors": [r.get("errors") for r in pol[p]],
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="3 stores, short fits, reweighting")
    ap.add_argument(
        "--update",
        choices=["auto", "reweight", "refit"],
        default="auto",
        help="auto: reweight, refit when the ESS falls under 10 %%; refit: every quarter",
    )
    args = ap.parse_args()
    quick = args.quick or QUICK
    draws = 200 if quick else 500
    update = args.update
    stores = STORES_QUICK if quick else STORES_FULL
    t0 = time.perf_counter()
    results = []
    for pattern, seed, noise in stores:
        r = run_store(pattern, seed, noise, draws, update)
        r["summary"] = summarize(r)
        results.append(r)
        s = r["summary"]
        print(
            "  share of oracle lift over the year: "
            + ", ".join(f"{p} {s[p]['share_total']:.0%}" for p in POLICIES if p != "today"),
            flush=True,
        )
    name = "closed_loop"  # BENCH_QUICK=1 writes under bench/results/quick/ (docs untouched)
    payload = {
        "meta": meta(command_line(), chains=2, draws=draws, tune=draws, update=update),
        "seconds": time.perf_counter() - t0,
        "stores": results,
    }
    write_result(name, payload)
    print(
        json.dumps(
            {
                r["store"]: {p: round(v["share_total"], 3) for p, v in r["summary"].items()}
                for r in results
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
