"""What a scenario run would refuse, found from the scenario and its dataset before any fit.

A run loads the dataset, fits the media-mix model (minutes of sampling), fits the price
elasticities, and only then builds the media and price problems. Every refusal that needs only
the scenario file and the dataset files is made here first, naming the key at fault and the fix:
``optimizer scenario validate`` runs these checks (:func:`validate_scenario`) and
:func:`~optimizer.scenario.runner.run_scenario` runs them before its first fit.

What depends on the fitted model is left to the run: the recent run-rate that ``min_change``,
``max_change`` and ``budget_change`` are relative to (those rules are checked against each
other only), minimum ROAS and CPA rules, and stock or capacity limits met by predicted demand.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.allocation.today import last_year_plan, read_plan_csv
from optimizer.data.catalog import Catalog
from optimizer.data.dataset import Dataset, load_dataset
from optimizer.data.logistics import Logistics
from optimizer.data.marketing import MarketingHistory
from optimizer.data.sales import SalesHistory
from optimizer.errors import ConfigError, DataError, InfeasibleError
from optimizer.pricing.rules import build_ladder
from optimizer.scenario.media_checks import check_media
from optimizer.scenario.schema import ScenarioSpec, check_channels, check_paths, load_scenario

__all__ = ["check_dataset", "horizon_weeks", "today_plan", "validate_scenario"]


def validate_scenario(path: str | Path) -> ScenarioSpec:
    """Validate a scenario file and check it against its dataset, as a run would, without fits.

    Parameters
    ----------
    path : str or Path
        The scenario TOML file.

    Returns
    -------
    ScenarioSpec

    Raises
    ------
    ConfigError
        The file is invalid (see :func:`~optimizer.scenario.schema.load_scenario`) or its rules
        cannot hold for this dataset (horizon, logistics weeks, budget, caps, price rules).
    DataError
        A dataset file is invalid or cannot support a run.
    InfeasibleError
        Media or price rules leave no feasible plan whatever the model finds.
    """
    spec = load_scenario(path)
    check_dataset(spec, load_dataset(spec.sections.paths.dataset))
    return spec


def check_dataset(spec: ScenarioSpec, ds: Dataset) -> pd.DatetimeIndex:
    """Refuse what the run would refuse later, from the scenario and the loaded dataset.

    Parameters
    ----------
    spec : ScenarioSpec
        A validated scenario.
    ds : Dataset
        Its dataset, loaded.

    Returns
    -------
    pandas.DatetimeIndex
        The planning weeks (Monday of each, or the history's weekday).

    Raises
    ------
    ConfigError, DataError, InfeasibleError
        See :func:`validate_scenario`.
    """
    f = spec.file
    check_paths(spec)
    _need(spec, ds)
    assert ds.marketing and ds.catalog and ds.sales and ds.logistics
    check_channels(spec, ds.marketing.channels)
    _check_holdout(spec, ds.marketing)
    weeks = horizon_weeks(spec, ds.marketing)
    _check_logistics(spec, ds.logistics, weeks)
    _check_sales(ds.sales, ds.catalog)
    if f.media.enabled:
        check_media(spec, ds.marketing.channels, weeks)
    if f.pricing.enabled:
        _check_prices(spec, ds.catalog)
    today_plan(spec, ds.marketing, weeks)
    return weeks


def today_plan(
    spec: ScenarioSpec, history: MarketingHistory, weeks: pd.DatetimeIndex
) -> np.ndarray | None:
    """Today's media plan as ``[media].today`` says (None: the recent run-rate).

    Read before any fit, so that a bad file costs no minutes; ``last_year`` is scaled to the
    budget once the budget is known.
    """
    today = spec.file.media.today
    if today == "run_rate":
        return None
    if today == "last_year":
        return last_year_plan(history.spend, weeks)
    return read_plan_csv(spec.resolve(today, "[media].today"), history.channels, len(weeks))


def _need(spec: ScenarioSpec, ds: Dataset) -> None:
    missing = [
        name
        for name, part in (
            ("marketing", ds.marketing),
            ("catalog", ds.catalog),
            ("sales", ds.sales),
            ("logistics", ds.logistics),
        )
        if part is None
    ]
    if missing:
        raise ConfigError(
            f"{spec.source}: the dataset {spec.file.data.dataset!r} has no "
            f"{', '.join(missing)} section(s) in its dataset.toml; a scenario needs marketing, "
            "catalog, sales and logistics files."
        )


def horizon_weeks(spec: ScenarioSpec, history: MarketingHistory) -> pd.DatetimeIndex:
    """The planning weeks: ``[horizon].weeks`` weeks from the week after the history.

    Raises
    ------
    ConfigError
        ``[horizon].start`` is not the week after the history.
    """
    first = history.weeks[-1] + pd.Timedelta(days=7)
    start = spec.file.horizon.start
    if start is not None and pd.Timestamp(start) != first:
        raise ConfigError(
            f"{spec.source}: [horizon].start = {start} but the marketing history ends on "
            f"{history.weeks[-1].date()}; the plan must start the week after the history "
            f"({first.date()}). Remove start or extend the history."
        )
    return pd.date_range(first, periods=spec.file.horizon.weeks, freq="7D", name="week")


def _check_holdout(spec: ScenarioSpec, history: MarketingHistory) -> None:
    held = spec.file.model.holdout_weeks
    if held >= history.n_weeks:
        raise ConfigError(
            f"{spec.source}: [model].holdout_weeks = {held} but the marketing history "
            f"({history.source or 'marketing data'}) has {history.n_weeks} weeks; the model "
            "needs weeks to train on. Lower holdout_weeks or add history."
        )


def _check_logistics(spec: ScenarioSpec, logistics: Logistics, weeks: pd.DatetimeIndex) -> None:
    """Weekly capacity and cost must cover every planning week the scenario does not override."""
    lg = spec.file.logistics
    unset = [
        key
        for key, value in (("capacity", lg.capacity), ("cost_per_unit", lg.cost_per_unit))
        if value is None
    ]
    if not isinstance(logistics.capacity, pd.Series) or not unset:
        return
    given = pd.DatetimeIndex(logistics.capacity.index)
    covered = weeks.isin(given)
    if covered.all():
        return
    src = logistics.source or "the logistics file"
    n_ok = int(np.cumprod(covered).sum())  # planning weeks covered from the first one on
    missing = weeks[~covered]
    fix = (
        f"lower [horizon].weeks to {n_ok}, add rows to {src} up to {weeks[-1].date()}"
        if n_ok
        else f"add rows to {src} for the planning weeks"
    )
    overrides = " and ".join(f"[logistics].{key}" for key in unset)
    raise ConfigError(
        f"{spec.source}: [horizon].weeks = {len(weeks)}: the plan runs from "
        f"{weeks[0].date()} to {weeks[-1].date()} but {src} covers {given[0].date()} to "
        f"{given[-1].date()} (first week missing: {missing[0].date()}); {fix}, or set "
        f"{overrides} (one value for every week)."
    )


def _check_sales(sales: SalesHistory, catalog: Catalog) -> None:
    """Every catalog SKU needs a week in stock at a price: the elasticity fit estimates no other."""
    f = sales.frame
    usable = set(f.loc[f["in_stock"].astype(bool) & (f["price_paid"] > 0), "sku"])
    missing = [s for s in catalog.frame.index if s not in usable]
    if not missing:
        return
    if not usable:
        raise DataError(f"{sales.source}: no in-stock week with a price; nothing to fit.")
    more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
    raise DataError(
        f"{sales.source}: SKU {missing[0]!r}{more} of the catalog ({catalog.source}) has no "
        "in-stock week with a price, so its price elasticity cannot be estimated; add its "
        "sales rows or drop it from the catalog."
    )


def _check_prices(spec: ScenarioSpec, catalog: Catalog) -> None:
    """The price rules must leave every SKU at least one price (no model needed)."""
    try:
        build_ladder(catalog, spec.file.pricing.to_rules())
    except InfeasibleError as exc:
        raise InfeasibleError(f"{spec.source}: [pricing]: {exc}") from None
