"""Run a scenario: data -> cached fits -> store demand -> joint plan -> scenario result."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from optimizer._version import __version__
from optimizer.allocation import AllocationProblem, Risk
from optimizer.allocation.safe import SafeRule
from optimizer.data.calendar import CALENDAR_CONTROLS, french_retail_calendar
from optimizer.data.dataset import Dataset, load_dataset
from optimizer.data.marketing import MarketingHistory
from optimizer.mmm import MMM, Priors, load_model, save_model
from optimizer.pricing import Elasticities, ElasticityModel, PricingProblem
from optimizer.pricing import Objective as PricingObjective
from optimizer.pricing.rules import reference_prices
from optimizer.scenario.cache import cached, code_digest, file_digest, is_cached
from optimizer.scenario.checks import check_dataset, today_plan
from optimizer.scenario.demand import StoreDemand
from optimizer.scenario.plan import JointSettings, Plans, plan_joint
from optimizer.scenario.schema import ScenarioSpec

__all__ = ["N_SAMPLES", "ScenarioResult", "future_controls", "run_scenario"]

#: Posterior samples carried through the plan evaluation (P10/P50/P90 of every KPI).
N_SAMPLES = 200

Progress = Callable[[str], None]


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


def input_digests(folder: Path, ds: Dataset) -> dict[str, str]:
    """SHA-256 of every input file of a dataset folder, by role (``marketing``, ``sales``...)."""
    assert ds.spec is not None
    files = {
        "marketing": ds.spec.marketing.file if ds.spec.marketing else None,
        "catalog": ds.spec.catalog.file if ds.spec.catalog else None,
        "sales": ds.spec.sales.file if ds.spec.sales else None,
        "logistics": ds.spec.logistics.file if ds.spec.logistics else None,
        "lift_tests": ds.spec.lift_tests.file if ds.spec.lift_tests else None,
    }
    digests = {k: file_digest(folder / v) for k, v in files.items() if v}
    digests["dataset.toml"] = file_digest(folder / "dataset.toml")
    return digests


def fit_model(
    spec: ScenarioSpec, kind: str, progress: Progress | None = None, *, probe: bool = False
) -> bool:
    """Fit (or load from the cache) one of a scenario's models: ``mmm`` or ``elasticity``.

    Returns whether it was in the cache; ``probe``: only say so (no fit, nothing loaded). Used
    to fit a scenario's models ahead of its run (:mod:`optimizer.scenario.prefit`); the run
    then reads them from the cache.
    """
    say = progress or (lambda _m: None)
    folder = spec.resolve(spec.file.data.dataset, "[data].dataset")
    ds = load_dataset(folder)
    check_dataset(spec, ds)
    digests = input_digests(folder, ds)
    if kind == "mmm":
        return _fit_mmm(spec, ds, digests, say, probe=probe)[2]
    return _fit_elasticities(spec, ds, digests, say, probe=probe)[2]


def _save_mmm(model: MMM, folder: Path) -> None:
    save_model(model, folder / "model", overwrite=True)


def _fit_mmm(
    spec: ScenarioSpec, ds: Dataset, digests: dict[str, str], say: Progress, probe: bool = False
) -> tuple[MMM, Path, bool]:
    m = spec.file.model
    history = ds.marketing
    assert history is not None
    priors = Priors.from_roas_ranges(dict(m.roas_priors)) if m.roas_priors else None
    if priors is not None:
        priors.check(history.channels)
    lift = ds.lift_tests if m.use_lift_tests else None
    settings: dict[str, Any] = {
        "draws": m.draws,
        "tune": m.tune,
        "chains": m.chains,
        "holdout_weeks": m.holdout_weeks,
        "retries": m.retries,
        "seed": spec.file.seed,
    }
    payload = {
        "kind": "mmm",
        "version": __version__,
        "code": code_digest("mmm", "data"),
        "marketing": digests["marketing"],
        "lift_tests": digests.get("lift_tests") if lift is not None else None,
        "roas_priors": {k: list(v) for k, v in sorted(m.roas_priors.items())},
        **settings,
    }

    def fit() -> MMM:
        say(
            f"fitting the media-mix model ({m.chains} chains x {m.draws} draws; "
            "cached for later runs)"
        )
        return MMM(priors, **settings).fit(history, lift)

    root = spec.resolve(m.cache, "[model].cache")
    if probe:
        return None, root, is_cached(root, "mmm", payload)  # type: ignore[return-value]
    model, folder, hit = cached(
        root,
        "mmm",
        payload,
        fit,
        lambda obj, d: _save_mmm(obj, d),
        lambda d: load_model(d / "model"),
    )
    if hit:
        say(f"media-mix model reused from {folder}")
    return model, folder, hit


def _fit_elasticities(
    spec: ScenarioSpec, ds: Dataset, digests: dict[str, str], say: Progress, probe: bool = False
) -> tuple[Elasticities, Path, bool]:
    e = spec.file.elasticity
    method = "nuts" if e.mode == "bayes" else "laplace"
    settings = {"draws": e.draws, "tune": e.tune, "chains": e.chains, "seed": spec.file.seed}
    payload = {
        "kind": "elasticity",
        "version": __version__,
        "code": code_digest("pricing", "data"),
        "sales": digests["sales"],
        "catalog": digests["catalog"],
        "method": method,
        **settings,
    }

    def fit() -> Elasticities:
        say(f"fitting price elasticities ({method}; cached for later runs)")
        assert ds.sales is not None and ds.catalog is not None
        return ElasticityModel(method=method, **settings).fit(ds.sales, ds.catalog).estimates

    root = spec.resolve(e.cache, "[elasticity].cache")
    if probe:
        return None, root, is_cached(root, "elasticity", payload)  # type: ignore[return-value]
    est, folder, hit = cached(
        root, "elasticity", payload, fit, lambda obj, d: obj.save(d), Elasticities.load
    )
    if hit:
        say(f"price elasticities reused from {folder}")
    return est, folder, hit


def run_scenario(
    spec: ScenarioSpec,
    *,
    progress: Progress | None = None,
    fitted_ahead: Collection[str] = (),
) -> ScenarioResult:
    """Run a scenario end to end (fits are reused from the cache when inputs are unchanged).

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
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    f = spec.file
    folder = spec.resolve(f.data.dataset, "[data].dataset")
    say(f"loading the dataset {folder}")
    ds = load_dataset(folder)
    # everything the run would refuse that the files show, before any fit: a typo costs no
    # minutes
    weeks = check_dataset(spec, ds)
    assert ds.marketing and ds.catalog and ds.sales and ds.logistics and ds.spec
    today = today_plan(spec, ds.marketing, weeks)
    digests = input_digests(folder, ds)
    timings["load"] = time.perf_counter() - t0

    t = time.perf_counter()
    model, mmm_folder, mmm_hit = _fit_mmm(spec, ds, digests, say)
    timings["mmm"] = time.perf_counter() - t
    model.require_passed(f.model.allow_failed)
    t = time.perf_counter()
    est, el_folder, el_hit = _fit_elasticities(spec, ds, digests, say)
    timings["elasticity"] = time.perf_counter() - t

    history = ds.marketing
    if f.logistics.capacity is not None:
        capacity = np.full(len(weeks), float(f.logistics.capacity))
    else:
        capacity = ds.logistics.capacity_for(weeks) * f.logistics.capacity_scale
    cost = (
        np.full(len(weeks), float(f.logistics.cost_per_unit))
        if f.logistics.cost_per_unit is not None
        else ds.logistics.cost_for(weeks)
    )
    curves = model.response_curves(N_SAMPLES, allow_failed=f.model.allow_failed)
    baseline = model.baseline_forecast(weeks, future_controls(history, weeks), N_SAMPLES)
    decomposition = model.decomposition()
    sales_weeks = ds.sales.weeks
    in_sales = decomposition.index.isin(sales_weeks)
    d_ref = float(decomposition.loc[in_sales if in_sales.any() else slice(None), "fitted"].mean())
    demand = StoreDemand(
        weeks=weeks,
        curves=curves,
        baseline=baseline,
        d_ref=d_ref,
        catalog=ds.catalog,
        elasticities=est,
        capacity=np.asarray(capacity, float),
        cost_per_unit=np.asarray(cost, float),
    )

    run_rate = float(curves.current.sum()) * len(weeks)
    if f.media.budget is not None:
        budget = float(f.media.budget)
    else:
        budget = run_rate * (1.0 + float(f.media.budget_change or 0.0))
    media = f.media
    from optimizer.allocation.constraints_file import constraints_kwargs

    alloc = AllocationProblem(
        budget=budget,
        n_weeks=len(weeks),
        start=weeks[0].date(),
        objective=media.objective,
        margin_rate=0.5,  # replaced by the rate the prices imply
        risk=Risk.parse(media.risk),
        seed=f.seed,
        **constraints_kwargs(media, curves.channels, spec.source),
    )
    pr = f.pricing
    pricing = PricingProblem(
        catalog=ds.catalog,
        elasticities=est,
        capacity=demand.capacity,
        rules=pr.to_rules(n_skus=len(ds.catalog)),
        objective=PricingObjective(pr.objective),
        logistics_cost=float(np.mean(cost)),
        net_of_returns=True,
        units_quantile=pr.units_quantile,
        reference_prices=reference_prices(ds.sales, ds.catalog),
        gap_tolerance=pr.gap_tolerance,
        capacity_mode=pr.capacity_mode,
    )
    t = time.perf_counter()
    plans: Plans = plan_joint(
        demand,
        alloc,
        pricing,
        JointSettings(
            optimize_media=media.enabled,
            optimize_prices=pr.enabled,
            joint=f.joint,
            safe=SafeRule(alpha=media.alpha, seed=f.seed) if media.mode == "safe" else None,
            price_safety=pr.safe_settings(f.seed),  # safe price plan ([pricing] safe, alpha)
        ),
        progress=say,
        today=None
        if today is None
        else today * (budget / max(float(today.sum()), 1e-9))
        if f.media.today == "last_year"
        else today,
    )
    timings["optimize"] = time.perf_counter() - t
    # from here on every figure is on the samples the plans were accounted on (in safe mode the
    # held-out half: the promise is not the in-sample optimum of the samples that chose it)
    demand = plans.demand if plans.demand is not None else demand

    t = time.perf_counter()
    frontier = None
    if media.enabled:
        say("media frontier (store contribution for the budgets the channel rules allow)")
        from optimizer.scenario.frontier import media_frontier

        frontier = media_frontier(demand, alloc, plans)
    timings["frontier"] = time.perf_counter() - t
    from optimizer.mmm.results import channel_table, curve_grid

    timings["total"] = time.perf_counter() - t0
    return ScenarioResult(
        spec=spec,
        demand=demand,
        plans=plans,
        budget=budget,
        mmm={
            "channels": channel_table(model).reset_index().to_dict(orient="records"),
            "diagnostics": model.diagnostics_.to_dict(),
            "decomposition": decomposition,
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
            "version": __version__,
            "code_sha256": code_digest(),
            "seed": f.seed,
            "scenario_sha256": spec.digest,
            "inputs_sha256": digests,
            "cache": {
                # a fit made for this run just before it (prefit) is not a reuse
                "mmm": {"folder": str(mmm_folder), "reused": mmm_hit and "mmm" not in fitted_ahead},
                "elasticity": {
                    "folder": str(el_folder),
                    "reused": el_hit and "elasticity" not in fitted_ahead,
                },
            },
            "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
            "n_samples": N_SAMPLES,
        },
    )
