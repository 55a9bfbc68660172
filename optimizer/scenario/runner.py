"""Run a scenario: data -> cached fits -> store demand -> joint plan -> scenario result."""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from optimizer._version import __version__
from optimizer.allocation import AllocationProblem
from optimizer.allocation.safe import SafeRule
from optimizer.data.calendar import CALENDAR_CONTROLS, french_retail_calendar
from optimizer.data.dataset import Dataset, load_dataset
from optimizer.data.marketing import MarketingHistory
from optimizer.mmm import MMM
from optimizer.mmm.results import channel_table, curve_grid
from optimizer.pricing import Elasticities, PricingProblem
from optimizer.scenario.cache import code_digest
from optimizer.scenario.checks import check_dataset, today_plan
from optimizer.scenario.demand import StoreDemand
from optimizer.scenario.fits import Progress, fit_elasticities, fit_mmm, fit_model
from optimizer.scenario.frontier import media_frontier
from optimizer.scenario.plan import JointSettings, Plans, plan_joint
from optimizer.scenario.schema import ScenarioSpec

__all__ = [
    "N_SAMPLES",
    "ScenarioResult",
    "ScenarioSetup",
    "fit_model",
    "future_controls",
    "prepare_scenario",
    "run_scenario",
]

#: Posterior samples carried through the plan evaluation (P10/P50/P90 of every KPI).
N_SAMPLES = 200


@dataclass(frozen=True, eq=False)
class ScenarioResult:
    """Everything a scenario run produced, before rendering.

    Attributes
    ----------
    spec : ScenarioSpec
        The scenario.
    demand : StoreDemand
        Posterior store demand over the horizon.
    plans : Plans
        Current, separate and joint plans.
    budget : float
        Media budget over the horizon, EUR.
    mmm : dict
        Media-mix model summary (ROAS table, diagnostics).
    elasticity : dict
        Elasticity model summary (method, diagnostics, counts).
    response_grid : pandas.DataFrame
        Response curves on a spend grid (for the report).
    frontier : pandas.DataFrame or None
        Optimum for a range of budgets at the joint plan's prices.
    provenance : dict
        Package version, input file hashes, seed, cache use, timings.
    """

    spec: ScenarioSpec
    demand: StoreDemand
    plans: Plans
    budget: float
    mmm: dict[str, Any]
    elasticity: dict[str, Any]
    response_grid: pd.DataFrame
    frontier: pd.DataFrame | None
    provenance: dict[str, Any] = field(default_factory=dict)


def future_controls(history: MarketingHistory, weeks: pd.DatetimeIndex) -> pd.DataFrame:
    """Control values for future weeks.

    Calendar controls (``black_friday``, ``christmas``, ``soldes``) come from the French retail
    calendar. Any other control (promotion share, price index...) is held at its historical
    mean: the horizon's prices and promotions are decided by the pricing step, whose price
    effects apply on top of this average week, so carrying last year's promotions into the
    baseline would count them twice.
    """
    cols = list(history.controls.columns)
    out = pd.DataFrame(index=weeks, columns=cols, dtype=float)
    cal = french_retail_calendar(weeks)
    for c in cols:
        if c in CALENDAR_CONTROLS:
            out[c] = cal[c].to_numpy()
        else:
            out[c] = float(history.controls[c].mean())
    return out


@dataclass(frozen=True, eq=False)
class ScenarioSetup:
    """A scenario ready to plan: fitted models, store demand, the media and price problems.

    Attributes
    ----------
    spec : ScenarioSpec
        The scenario.
    demand : StoreDemand
        Posterior store demand over the horizon (every sample).
    allocation : AllocationProblem
        The media problem (budget, rules, objective, risk); its margin and cost rates are
        placeholders that the planner replaces with those the prices imply.
    pricing : PricingProblem
        The price problem (catalog, elasticities, capacity, rules).
    budget : float
        Media budget over the horizon, EUR.
    today : numpy.ndarray or None
        Today's media plan, (T, C) EUR per week, already scaled to the budget when
        ``[media].today = "last_year"``; None: the recent run-rate every week.
    model : MMM
        The fitted media-mix model.
    elasticities : Elasticities
        The fitted price elasticities.
    decomposition : pandas.DataFrame
        The media-mix model's weekly decomposition of the history.
    digests : dict
        SHA-256 of every input file, by role.
    cache : dict
        Per model (``mmm``, ``elasticity``): its cache folder and whether it was reused.
    timings : dict
        Seconds per step so far (``load``, ``mmm``, ``elasticity``).
    started : float
        :func:`time.perf_counter` when the preparation started.
    """

    spec: ScenarioSpec
    demand: StoreDemand
    allocation: AllocationProblem
    pricing: PricingProblem
    budget: float
    today: np.ndarray | None
    model: MMM
    elasticities: Elasticities
    decomposition: pd.DataFrame
    digests: dict[str, str]
    cache: dict[str, tuple[Path, bool]]
    timings: dict[str, float]
    started: float

    def provenance(self) -> dict[str, Any]:
        """Package version, code and input hashes, scenario hash and seed (for result files)."""
        return {
            "version": __version__,
            "code_sha256": code_digest(),
            "seed": self.spec.file.seed,
            "scenario_sha256": self.spec.digest,
            "inputs_sha256": self.digests,
        }

    @property
    def safe_rule(self) -> SafeRule | None:
        """The media safety rule the scenario asks for (None when ``[media].mode = "free"``)."""
        return self.spec.sections.media.safe_rule


@dataclass(frozen=True, eq=False)
class _Inputs:
    """The dataset as the run reads it, checked: its planning weeks, today's plan, hashes."""

    ds: Dataset
    weeks: pd.DatetimeIndex
    today: np.ndarray | None
    digests: dict[str, str]


@dataclass(frozen=True, eq=False)
class _Fits:
    """Both fitted models and, per model, its cache folder and whether it was reused."""

    model: MMM
    elasticities: Elasticities
    cache: dict[str, tuple[Path, bool]]


def _load(spec: ScenarioSpec, say: Progress) -> _Inputs:
    """Load the dataset and refuse what the run would refuse, before any fit."""
    folder = spec.sections.paths.dataset
    say(f"loading the dataset {folder}")
    ds = load_dataset(folder)
    # everything the run would refuse that the files show, before any fit: a typo costs no
    # minutes
    weeks = check_dataset(spec, ds)
    assert ds.marketing and ds.catalog and ds.sales and ds.logistics and ds.spec
    today = today_plan(spec, ds.marketing, weeks)
    return _Inputs(ds, weeks, today, ds.input_digests())


def _fit(spec: ScenarioSpec, inputs: _Inputs, say: Progress, timings: dict[str, float]) -> _Fits:
    """Fit (or reuse) the media-mix model, check its gate, then fit the elasticities."""
    t = time.perf_counter()
    model, mmm_folder, mmm_hit = fit_mmm(spec, inputs.ds, inputs.digests, say)
    timings["mmm"] = time.perf_counter() - t
    model.require_passed(spec.file.model.allow_failed)
    t = time.perf_counter()
    est, el_folder, el_hit = fit_elasticities(spec, inputs.ds, inputs.digests, say)
    timings["elasticity"] = time.perf_counter() - t
    return _Fits(model, est, {"mmm": (mmm_folder, mmm_hit), "elasticity": (el_folder, el_hit)})


def _store_demand(
    spec: ScenarioSpec, inputs: _Inputs, fits: _Fits
) -> tuple[StoreDemand, pd.DataFrame]:
    """Posterior store demand over the horizon, and the model's decomposition of the history."""
    ds, weeks, model = inputs.ds, inputs.weeks, fits.model
    assert ds.marketing and ds.catalog and ds.sales and ds.logistics
    logistics = spec.sections.logistics
    capacity = logistics.capacity(ds.logistics, weeks)
    cost = logistics.cost_per_unit(ds.logistics, weeks)
    curves = model.response_curves(N_SAMPLES, allow_failed=spec.file.model.allow_failed)
    baseline = model.baseline_forecast(weeks, future_controls(ds.marketing, weeks), N_SAMPLES)
    decomposition = model.decomposition()
    in_sales = decomposition.index.isin(ds.sales.weeks)
    d_ref = float(decomposition.loc[in_sales if in_sales.any() else slice(None), "fitted"].mean())
    demand = StoreDemand(
        weeks=weeks,
        curves=curves,
        baseline=baseline,
        d_ref=d_ref,
        catalog=ds.catalog,
        elasticities=fits.elasticities,
        capacity=capacity,
        cost_per_unit=cost,
    )
    return demand, decomposition


def prepare_scenario(spec: ScenarioSpec, *, progress: Progress | None = None) -> ScenarioSetup:
    """Load the data, fit (or reuse) both models and build the scenario's problems.

    Parameters
    ----------
    spec : ScenarioSpec
        A validated scenario.
    progress : callable, optional
        Receives one short message per step.

    Returns
    -------
    ScenarioSetup

    Raises
    ------
    OptimizerError
        Bad data, bad scenario values, a failed model gate (unless allowed).
    """
    say = progress or (lambda _m: None)
    t0 = time.perf_counter()
    inputs = _load(spec, say)
    timings = {"load": time.perf_counter() - t0}
    fits = _fit(spec, inputs, say, timings)
    demand, decomposition = _store_demand(spec, inputs, fits)
    sections, ds, weeks = spec.sections, inputs.ds, inputs.weeks
    assert ds.catalog and ds.sales
    budget = sections.media.budget(float(demand.curves.current.sum()) * len(weeks))
    today = inputs.today
    if today is not None and sections.media.rules.today == "last_year":
        today = today * (budget / max(float(today.sum()), 1e-9))
    return ScenarioSetup(
        spec=spec,
        demand=demand,
        allocation=sections.media.to_allocation_problem(demand.curves.channels, weeks, budget),
        pricing=sections.pricing.to_pricing_problem(
            ds.catalog, ds.sales, fits.elasticities, demand.capacity, demand.cost_per_unit
        ),
        budget=budget,
        today=today,
        model=fits.model,
        elasticities=fits.elasticities,
        decomposition=decomposition,
        digests=inputs.digests,
        cache=fits.cache,
        timings=timings,
        started=t0,
    )


def _plan(setup: ScenarioSetup, say: Progress) -> Plans:
    """The current, separate and joint plans of a prepared scenario."""
    sections, f = setup.spec.sections, setup.spec.file
    return plan_joint(
        setup.demand,
        setup.allocation,
        setup.pricing,
        JointSettings(
            optimize_media=sections.media.enabled,
            optimize_prices=sections.pricing.enabled,
            joint=f.joint,
            safe=setup.safe_rule,
            # safe price plan ([pricing] safe, alpha)
            price_safety=sections.pricing.safety,
        ),
        progress=say,
        today=setup.today,
    )


def _summarize(
    setup: ScenarioSetup,
    plans: Plans,
    demand: StoreDemand,
    frontier: pd.DataFrame | None,
    fitted_ahead: Collection[str],
) -> ScenarioResult:
    """The scenario result: plans, model summaries, response grid, frontier and provenance."""
    model, est = setup.model, setup.elasticities
    (mmm_folder, mmm_hit), (el_folder, el_hit) = setup.cache["mmm"], setup.cache["elasticity"]
    return ScenarioResult(
        spec=setup.spec,
        demand=demand,
        plans=plans,
        budget=setup.budget,
        mmm={
            "channels": channel_table(model).reset_index().to_dict(orient="records"),
            "diagnostics": model.diagnostics_.to_dict(),
            "decomposition": setup.decomposition,
            "fit_seconds": float(model.fit_seconds_),
            "sampler": model.sampler_,
        },
        elasticity={
            "method": est.method,
            "diagnostics": est.diagnostics or {},
            "n_skus": len(est),
            "weakly_identified": int(est.frame["weakly_identified"].sum()),
        },
        response_grid=curve_grid(model),
        frontier=frontier,
        provenance={
            **setup.provenance(),
            "cache": {
                # a fit made for this run just before it (prefit) is not a reuse
                "mmm": {"folder": str(mmm_folder), "reused": mmm_hit and "mmm" not in fitted_ahead},
                "elasticity": {
                    "folder": str(el_folder),
                    "reused": el_hit and "elasticity" not in fitted_ahead,
                },
            },
            "timings_seconds": {k: round(v, 3) for k, v in setup.timings.items()},
            "n_samples": N_SAMPLES,
        },
    )


def run_scenario(
    spec: ScenarioSpec,
    *,
    progress: Progress | None = None,
    fitted_ahead: Collection[str] = (),
) -> ScenarioResult:
    """Run a scenario end to end (fits are reused from the cache when inputs are unchanged).

    Prepare (load, fit, build the problems) -> plan -> frontier -> summarize.

    Parameters
    ----------
    spec : ScenarioSpec
        A validated scenario (:func:`~optimizer.scenario.schema.load_scenario`).
    progress : callable, optional
        Receives one short message per step.
    fitted_ahead : collection of str
        Models (``mmm``, ``elasticity``) fitted for this run just before it
        (:func:`optimizer.scenario.prefit.prefit`): recorded as fitted, not reused.

    Returns
    -------
    ScenarioResult

    Raises
    ------
    OptimizerError
        Bad data, bad scenario values, a failed model gate (unless allowed), infeasible rules.
    """
    say = progress or (lambda _m: None)
    setup = prepare_scenario(spec, progress=say)
    timings = setup.timings
    t = time.perf_counter()
    plans = _plan(setup, say)
    timings["optimize"] = time.perf_counter() - t
    # from here on every figure is on the samples the plans were accounted on (in safe mode the
    # held-out half: the promise is not the in-sample optimum of the samples that chose it)
    demand = plans.demand if plans.demand is not None else setup.demand
    t = time.perf_counter()
    frontier = None
    if spec.sections.media.enabled:
        say("media frontier (store contribution for the budgets the channel rules allow)")
        frontier = media_frontier(demand, setup.allocation, plans)
    timings["frontier"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - setup.started
    return _summarize(setup, plans, demand, frontier, fitted_ahead)
