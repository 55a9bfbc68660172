"""A scenario's media plan over a grid of budgets x rule sets (x risk settings), as Dask tasks.

The scenario's models are fitted once (or read from its cache); each grid point then plans the
media on its own — one task per point, in-process or on a cluster
(:mod:`optimizer.scaleout`) — and is accounted like the scenario's plans: full P&L per
posterior sample, stock and warehouse capacity included, on the **held-out half** of the
samples (the half that did not choose the plan), as a paired lift over today's plan.

**Prices stay at today's values** at every point: the sweep plans the media step of the
scenario's *separate* plan (media valued at the margin today's prices earn), not the joint
media + price ascent, which takes several times longer per point (measured on the demo scenario:
about 15 s for the joint plan against 3 s for the media step). A point's figures therefore say
what the media alone would bring; run the scenario at the chosen budget for its prices.

Rule sets (``--rules``):

* ``free``: the posterior-mean optimum under the budget and the scenario's own channel rules,
  without the workable rules;
* ``guardNN`` (e.g. ``guard30``): ``free`` with every channel's horizon spend within +/-NN % of
  its run-rate (the guard-rail shipped before the safe plans);
* ``workable``: the scenario's own planner — the workable rules (week-to-week change, always-on
  minimums, no restart), the bounds derived from the data and the safety check against today's
  plan (:func:`~optimizer.allocation.safe.safe_allocate`); the plain optimum under the
  workable rules when the scenario says ``[media] mode = "free"``.

Every point uses the scenario's seed, so all points are judged on the same held-out samples and
the results do not depend on where each point was computed. A point whose rules admit no plan
at its budget (``guard30`` at 60 % of the budget) is a row with status ``infeasible``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from optimizer.allocation.safe import split_samples
from optimizer.errors import ConfigError
from optimizer.scaleout import IN_PROCESS, ComputeSpec, check_reachable, run_tasks
from optimizer.scenario.evaluation import evaluate_plan, media_problem_at
from optimizer.scenario.grid import DEFAULT_GRID, RuleSet, SweepGrid, SweepPoint
from optimizer.scenario.prefit import prefit as prefit_models
from optimizer.scenario.runner import N_SAMPLES, ScenarioSetup, prepare_scenario
from optimizer.scenario.schema import ScenarioSpec
from optimizer.scenario.sweep_tasks import SweepContext, plan_point, rule_problem

__all__ = [
    "PRICES_NOTE",
    "RuleSet",
    "SweepContext",
    "SweepGrid",
    "SweepPoint",
    "SweepResult",
    "plan_point",
    "rule_problem",
    "run_sweep",
    "sweep_context",
]

#: What every point assumes about prices (written into the outputs).
PRICES_NOTE = (
    "prices at today's values at every point: the sweep plans the media step only (the joint "
    "media + price plan is the scenario run's)"
)


@dataclass(frozen=True, eq=False)
class SweepResult:
    """A sweep's table and what it was computed from.

    Attributes
    ----------
    spec : ScenarioSpec
    grid : SweepGrid
    table : pandas.DataFrame
        One row per point (columns of :func:`plan_point`), in grid order.
    budget : float
        The scenario's media budget over the horizon (multiplier 1), EUR.
    today : dict
        Today's plan: ``spend`` (EUR over the horizon) and ``contribution_mean`` (EUR,
        held-out half).
    provenance : dict
        Package version, code and input hashes, seed, samples: identical however computed.
    compute : str
        Where the points ran, in words.
    seconds : dict
        ``prepare`` (data and fits), ``points`` (wall time of the tasks), ``total``, and
        ``tasks`` (each point's own seconds, grid order).
    """

    spec: ScenarioSpec
    grid: SweepGrid
    table: pd.DataFrame
    budget: float
    today: dict[str, float]
    provenance: dict[str, Any]
    compute: str
    seconds: dict[str, Any]

    def document(self) -> dict[str, Any]:
        """The JSON form of the result (``sweep.json``): no timings, no host names."""
        return {
            "scenario": self.spec.name,
            "description": self.spec.file.description,
            "weeks": self.spec.file.horizon.weeks,
            "budget": round(self.budget, 2),
            "prices": PRICES_NOTE,
            "accounting": "contribution after media, paired lift over today's plan, on the "
            f"held-out half of {N_SAMPLES} posterior samples",
            "today": self.today,
            "grid": {
                "multipliers": list(self.grid.multipliers),
                "rules": [r.name for r in self.grid.rules],
                "risks": list(self.grid.risks) or [self.spec.file.media.risk],
            },
            "points": self.table.replace({np.nan: None}).to_dict(orient="records"),
            "provenance": self.provenance,
        }


def sweep_context(setup: ScenarioSetup) -> SweepContext:
    """The shared part of every point: sample halves, today's plan and prices, its value."""
    full = setup.demand
    seed = setup.spec.file.seed
    choose_ids, report_ids = split_samples(full.n_samples, seed)
    choose, held_out = full.subset(choose_ids), full.subset(report_ids)
    prices = full.catalog.frame["price_incl_vat"].to_numpy(float)
    today = full.current_media() if setup.today is None else np.asarray(setup.today, float)
    base = evaluate_plan(held_out, "today", today, prices).pnl.lines["contribution"]
    return SweepContext(
        choose=choose,
        held_out=held_out,
        problem=media_problem_at(setup.allocation, choose, prices),
        channels=tuple(full.curves.channels),
        today=today,
        prices=prices,
        safe=setup.safe_rule,
        base=np.asarray(base, float),
    )


def run_sweep(
    spec: ScenarioSpec,
    grid: SweepGrid = DEFAULT_GRID,
    compute: ComputeSpec = IN_PROCESS,
    *,
    progress: Callable[[str], None] | None = None,
    prefit: bool = True,
) -> SweepResult:
    """Plan the scenario's media at every grid point; return the table.

    Parameters
    ----------
    spec : ScenarioSpec
        A validated scenario; its models are fitted once (or read from its cache).
    grid : SweepGrid
        Budgets x rule sets x risks.
    compute : ComputeSpec
        Where the points run (default: in this process).
    progress : callable, optional
        Receives one short message per step.
    prefit : bool
        Fit the media-mix model and the elasticities side by side in two processes first
        (:mod:`optimizer.scenario.prefit`), as a scenario run does.

    Returns
    -------
    SweepResult

    Raises
    ------
    OptimizerError
        Bad data or scenario values, a failed model gate, a point's error (other than
        infeasible rules), an unreachable scheduler.
    """
    say = progress or (lambda _m: None)
    t0 = time.perf_counter()
    if not spec.file.media.enabled:
        raise ConfigError(
            f"{spec.source}: [media] enabled = false; a budget sweep plans the media. Set it to "
            "true (or remove it) to sweep this scenario."
        )
    check_reachable(compute)  # an unreachable scheduler is refused before minutes of fitting
    if prefit:
        prefit_models([spec], progress=say)
    setup = prepare_scenario(spec, progress=say)
    context = sweep_context(setup)
    points = grid.points(spec.file.media.risk)
    t1 = time.perf_counter()
    say(f"planning {len(points)} grid points ({PRICES_NOTE})")
    out = run_tasks(
        plan_point,
        points,
        compute=compute,
        shared={"context": context},
        base_seed=spec.file.seed,
        name="sweep point",
        progress=say,
    )
    t2 = time.perf_counter()
    table = pd.DataFrame([row for row, _s in out])
    return SweepResult(
        spec=spec,
        grid=grid,
        table=table,
        budget=setup.budget,
        today={
            "spend": round(float(context.today.sum()), 2),
            "contribution_mean": round(float(context.base.mean()), 2),
        },
        provenance={**setup.provenance(), "n_samples": N_SAMPLES},
        compute=compute.describe(),
        seconds={
            "prepare": round(t1 - t0, 3),
            "points": round(t2 - t1, 3),
            "total": round(t2 - t0, 3),
            "tasks": [round(s, 4) for _row, s in out],
        },
    )
