"""Fit elasticities and choose prices: the one library calls of ``optimizer pricing``.

:func:`fit_elasticities` (``pricing fit``) loads the catalog and the sales history and fits the
elasticity model; :func:`plan_prices` (``pricing optimize``) loads the catalog, the fitted
elasticities, the capacity, the rules and the optional sales history, builds the
:class:`~optimizer.pricing.problem.PricingProblem` and solves it, safe or plain. Each returns
what its :mod:`optimizer.report.pricing_writer` writer takes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from optimizer.data.catalog import load_catalog
from optimizer.data.logistics import load_logistics
from optimizer.data.sales import load_sales
from optimizer.errors import ConfigError
from optimizer.pricing.config import RulesFile, load_rules
from optimizer.pricing.elasticity import ElasticityModel
from optimizer.pricing.estimates import Elasticities
from optimizer.pricing.optimize import optimize_prices
from optimizer.pricing.problem import Method, PricingProblem
from optimizer.pricing.result import PricingResult
from optimizer.pricing.rules import reference_prices
from optimizer.pricing.safe import safe_prices
from optimizer.pricing.safe_types import SafePriceResult
from optimizer.report.pricing_writer import elasticity_summary, pricing_summary

__all__ = [
    "ElasticityFitRun",
    "FitRequest",
    "PricePlanRun",
    "PriceRequest",
    "capacity_per_week",
    "fit_elasticities",
    "plan_prices",
]


@dataclass(frozen=True)
class FitRequest:
    """What to fit: the options of ``optimizer pricing fit``.

    Attributes
    ----------
    sales, catalog : Path
        Sales history CSV and catalog CSV.
    method : str
        ``nuts`` (full MCMC) or ``laplace`` (fast approximation).
    max_weeks : int or None
        Fit on the last N weeks only.
    draws, tune, chains : int
        Sampler settings (nuts).
    seed : int
        Random seed.
    """

    sales: Path
    catalog: Path
    method: str = "nuts"
    max_weeks: int | None = None
    draws: int = 1000
    tune: int = 500
    chains: int = 2
    seed: int = 0


@dataclass(frozen=True)
class ElasticityFitRun:
    """Fitted elasticities, ready for :func:`~optimizer.report.pricing_writer.write_elasticities`.

    Attributes
    ----------
    estimates : Elasticities
        Per-SKU price elasticities (dimensionless: % units per % price) and their draws.
    summary : dict
        The ``summary.json`` content.
    """

    estimates: Elasticities
    summary: dict[str, Any]


def fit_elasticities(request: FitRequest) -> ElasticityFitRun:
    """Fit the hierarchical elasticity model of ``request``.

    Parameters
    ----------
    request : FitRequest
        The input files (prices in EUR incl. VAT, units per week) and sampler settings.

    Returns
    -------
    ElasticityFitRun
        The estimates and the summary.

    Raises
    ------
    ConfigError
        An unreadable or invalid catalog or sales file.
    """
    catalog = load_catalog(request.catalog)
    sales = load_sales(request.sales, catalog=catalog)
    model = ElasticityModel(
        method=request.method,
        draws=request.draws,
        tune=request.tune,
        chains=request.chains,
        max_weeks=request.max_weeks,
        seed=request.seed,
    )
    est = model.fit(sales, catalog).estimates
    inputs = {"sales": str(request.sales), "catalog": str(request.catalog)}
    return ElasticityFitRun(estimates=est, summary=elasticity_summary(est, inputs))


@dataclass(frozen=True)
class PriceRequest:
    """What to price: the options of ``optimizer pricing optimize``.

    Attributes
    ----------
    catalog : Path
        Catalog CSV (current prices EUR incl. VAT, unit costs EUR excl. VAT, VAT, stock).
    elasticities : Path
        Folder written by ``optimizer pricing fit``.
    capacity : str
        Logistics units per week (a number), or the path of a logistics CSV.
    weeks : int
        Horizon, in weeks.
    rules : Path or None
        Rules TOML; None for the defaults.
    sales : Path or None
        Sales history, for the 30-day reference price of reductions.
    method : str
        ``auto``, ``lagrangian`` or ``milp``.
    capacity_mode : str or None
        ``hard`` or ``ration``; None: the rules file's.
    safe : bool or None
        Safe plan or the plain optimum; None: the rules file's.
    alpha : float or None
        Largest held-out probability of earning less than today; None: the rules file's.
    seed : int
        Seed of the draw split.
    """

    catalog: Path
    elasticities: Path
    capacity: str
    weeks: int
    rules: Path | None = None
    sales: Path | None = None
    method: str = "auto"
    capacity_mode: str | None = None
    safe: bool | None = None
    alpha: float | None = None
    seed: int = 0


@dataclass(frozen=True)
class PricePlanRun:
    """Chosen prices, ready for :func:`~optimizer.report.pricing_writer.write_pricing`.

    Attributes
    ----------
    result : PricingResult
        The prices and their expected units, revenue and margin (EUR).
    safety : SafePriceResult or None
        The safe planner's answer (safe mode), else None.
    summary : dict
        The ``summary.json`` content.
    """

    result: PricingResult
    safety: SafePriceResult | None
    summary: dict[str, Any]


def plan_prices(request: PriceRequest) -> PricePlanRun:
    """Choose the prices of ``request``: load, build the problem, solve (safe or plain), summary.

    Parameters
    ----------
    request : PriceRequest
        The input files, capacity (units per week), horizon (weeks) and overrides of the rules.

    Returns
    -------
    PricePlanRun
        The prices, the safe planner's answer (safe mode) and the summary.

    Raises
    ------
    ConfigError
        A bad rules, catalog, elasticities, logistics or sales file, or a bad capacity.
    """
    cfg = load_rules(request.rules) if request.rules is not None else RulesFile.model_validate({})
    catalog = load_catalog(request.catalog)
    est = Elasticities.load(request.elasticities)
    cap, log_cost = capacity_per_week(request.capacity, request.weeks)
    refs = None
    if request.sales is not None:
        refs = reference_prices(load_sales(request.sales, catalog=catalog), catalog)
    problem = PricingProblem(
        catalog=catalog,
        elasticities=est,
        capacity=cap,
        rules=cfg.to_rules(),
        objective=cfg.objective_enum,
        logistics_cost=cfg.logistics_cost if cfg.logistics_cost is not None else log_cost,
        net_of_returns=cfg.net_of_returns,
        units_quantile=cfg.units_quantile,
        reference_prices=refs,
        method=Method(request.method),
        gap_tolerance=cfg.gap_tolerance,
        capacity_mode=request.capacity_mode or cfg.capacity_mode,
    )
    overrides = (("safe", request.safe), ("alpha", request.alpha))
    if request.safe is not None or request.alpha is not None:
        cfg = cfg.model_copy(update={k: v for k, v in overrides if v is not None})
    settings = cfg.safe_settings(request.seed)
    safety = None
    if settings is None:
        res = optimize_prices(problem)
    else:
        safety = safe_prices(problem, settings)
        res = safety.result
    summary = pricing_summary(res, history_references=refs is not None)
    return PricePlanRun(result=res, safety=safety, summary=summary)


def capacity_per_week(value: str, weeks: int) -> tuple[np.ndarray, float]:
    """Capacity per week and logistics cost from a number or a logistics CSV.

    Parameters
    ----------
    value : str
        Logistics units per week (decimal point or comma), or the path of a logistics CSV
        (week, capacity, cost_per_unit).
    weeks : int
        Horizon, in weeks: a weekly file must cover it (its first ``weeks`` rows are used).

    Returns
    -------
    (numpy.ndarray, float)
        Capacity in logistics units for each week, and the cost in EUR per logistics unit
        (0 for a number; the mean over the horizon for a weekly file).

    Raises
    ------
    ConfigError
        A number <= 0, an unreadable file, or a weekly file shorter than ``weeks``.
    """
    try:
        units = float(value.replace(",", "."))
    except ValueError:
        units = None
    if units is not None:
        if units <= 0:
            raise ConfigError(f"--capacity {value}: give a positive number of units per week.")
        return np.full(weeks, units), 0.0
    log = load_logistics(value)
    if not log.weekly:
        return np.full(weeks, float(log.capacity)), float(log.cost_per_unit)  # type: ignore[arg-type]
    cap = log.capacity
    if len(cap) < weeks:  # type: ignore[arg-type]
        raise ConfigError(
            f"--capacity {value}: the file covers {len(cap)} weeks but --weeks is {weeks}; "  # type: ignore[arg-type]
            "add weeks to the file or shorten the horizon."
        )
    cost = np.asarray(log.cost_per_unit)[:weeks]
    return np.asarray(cap)[:weeks].astype(float), float(np.mean(cost))
