"""The task of one sweep point: plan its media, account it on the held-out samples.

Kept apart from :mod:`optimizer.scenario.sweep` so that a Dask worker running the points
imports the planners and the P&L only, not the model fitting (PyMC): a worker starts in a few
seconds instead of a quarter of a minute.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from optimizer.allocation import AllocationProblem, ChannelRule, Risk, allocate
from optimizer.allocation.constraints_file import WORKABLE_DEFAULTS
from optimizer.allocation.safe import SafeRule, safe_allocate, without_workable
from optimizer.errors import InfeasibleError
from optimizer.scenario.demand import StoreDemand
from optimizer.scenario.evaluation import evaluate_plan
from optimizer.scenario.grid import RuleSet, SweepPoint

__all__ = ["SweepContext", "plan_point", "rule_problem"]


def rule_problem(
    rules: RuleSet, problem: AllocationProblem, channels: tuple[str, ...]
) -> AllocationProblem:
    """The scenario's media problem with a rule set's rules (see the module docstring)."""
    if rules.kind == "workable":
        # the scenario's own workable settings, or the defaults where it switched them off
        kept = {k: getattr(problem, k) or v for k, v in WORKABLE_DEFAULTS.items()}
        return dataclasses.replace(problem, **kept)
    free = without_workable(problem)
    if rules.guard is None:
        return free
    g = rules.guard
    out = {}
    for ch in channels:
        r = free.channels.get(ch, ChannelRule())
        lo = -g if r.min_change is None else max(r.min_change, -g)
        hi = g if r.max_change is None else min(r.max_change, g)
        out[ch] = dataclasses.replace(r, min_change=lo, max_change=max(lo, hi))
    return dataclasses.replace(free, channels=out)


@dataclass(frozen=True, eq=False)
class SweepContext:
    """What every point of a sweep shares (sent to a cluster once).

    Attributes
    ----------
    choose, held_out : StoreDemand
        The posterior samples that choose the plans and those that account for them.
    problem : AllocationProblem
        The scenario's media problem valued at today's prices.
    channels : tuple of str
    today : numpy.ndarray
        Today's media plan, (T, C) EUR per week.
    prices : numpy.ndarray
        Today's prices incl. VAT, (K,) EUR.
    safe : SafeRule or None
        The scenario's safety rule (None: ``[media] mode = "free"``).
    base : numpy.ndarray
        Today's plan's contribution after media per held-out sample, (S/2,) EUR.
    """

    choose: StoreDemand
    held_out: StoreDemand
    problem: AllocationProblem
    channels: tuple[str, ...]
    today: np.ndarray
    prices: np.ndarray
    safe: SafeRule | None
    base: np.ndarray


def plan_point(
    point: SweepPoint, seed: int, *, context: SweepContext
) -> tuple[dict[str, Any], float]:
    """Plan and account one grid point (a task of :func:`~optimizer.scaleout.run_tasks`).

    ``seed`` is not used: every point splits the samples with the scenario's seed, so that all
    points are judged on the same held-out samples.

    Returns
    -------
    tuple of (dict, float)
        The point's row (figures in EUR, rounded to cents) and its seconds.
    """
    t0 = time.perf_counter()
    c = context
    base = dataclasses.replace(
        c.problem, budget=c.problem.budget * point.multiplier, risk=Risk.parse(point.risk)
    )
    problem = rule_problem(point.rules, base, c.channels)
    row: dict[str, Any] = {
        "rules": point.rules.name,
        "risk": point.risk,
        "multiplier": point.multiplier,
        "budget": round(float(problem.budget), 2),
    }
    try:
        if point.rules.kind == "workable" and c.safe is not None:
            safe = safe_allocate(c.choose.curves, problem, rule=c.safe, today=c.today)
            res, chosen = safe.result, safe.chosen
            media = safe.plan.to_numpy(float)
        else:
            res, chosen = allocate(c.choose.curves, problem), "optimum"
            media = res.plan.to_numpy(float)
    except InfeasibleError as exc:
        return {**row, "status": "infeasible", "note": str(exc)}, time.perf_counter() - t0
    ev = evaluate_plan(c.held_out, "sweep", media[: len(c.held_out.weeks)], c.prices)
    contribution = ev.pnl.lines["contribution"]
    lift = contribution - c.base

    def eur(x: Any) -> float:
        return round(float(x), 2)

    row |= {
        "status": res.status.value,
        "chosen": chosen,
        "spend": eur(ev.media.sum()),
        "media_revenue": eur(ev.media_revenue.mean()),
        "contribution_mean": eur(contribution.mean()),
        "contribution_p10": eur(np.quantile(contribution, 0.1)),
        "contribution_p90": eur(np.quantile(contribution, 0.9)),
        "lift_mean": eur(lift.mean()),
        "lift_p10": eur(np.quantile(lift, 0.1)),
        "lift_p90": eur(np.quantile(lift, 0.9)),
        "p_loss": round(float(np.mean(lift < 0)), 4),
        "rel_gap": None if res.rel_gap is None else round(float(res.rel_gap), 6),
        "note": "",
    }
    row |= {f"spend_{ch}": eur(ev.media[:, j].sum()) for j, ch in enumerate(c.channels)}
    return row, time.perf_counter() - t0
