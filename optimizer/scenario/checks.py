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

from optimizer.allocation.problem import (
    AllocationProblem,
    BudgetMode,
    ChannelRule,
    WeekBound,
)
from optimizer.allocation.resolve import resolve
from optimizer.allocation.today import last_year_plan, read_plan_csv
from optimizer.data.catalog import Catalog
from optimizer.data.dataset import Dataset, load_dataset
from optimizer.data.logistics import Logistics
from optimizer.data.marketing import MarketingHistory
from optimizer.data.sales import SalesHistory
from optimizer.errors import ConfigError, DataError, InfeasibleError
from optimizer.scenario.schema import ScenarioSpec, check_channels, check_paths, load_scenario

__all__ = ["check_dataset", "horizon_weeks", "today_plan", "validate_scenario"]

#: Budget standing for "not known before the fit" (a ``budget_change``): large, finite.
_UNKNOWN_BUDGET = 1e300


def _amount(x: float) -> str:
    """EUR amount for messages: thousands separated, cents only when there are some."""
    return f"{x:,.2f}".removesuffix(".00") + " EUR"


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
        _check_media(spec, ds.marketing.channels, weeks)
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
    from optimizer.pricing.rules import build_ladder

    try:
        build_ladder(catalog, spec.file.pricing.to_rules())
    except InfeasibleError as exc:
        raise InfeasibleError(f"{spec.source}: [pricing]: {exc}") from None


def _check_media(spec: ScenarioSpec, channels: tuple[str, ...], weeks: pd.DatetimeIndex) -> None:
    """Media rules against each other, the horizon, the budget and the caps.

    ``min_change`` and ``max_change`` are relative to the model's run-rate: they are left out,
    which only loosens the rules, so every conflict found here is one the run would meet.
    """
    m = spec.file.media
    src = spec.source
    t_len = len(weeks)
    for name, r in m.channels.items():
        key = f"[media.channels.{name}]"
        if r.fixed is not None:
            continue  # fixed replaces the weekly bounds; fixed against the totals is in the file
        least = (r.min_weekly or 0.0) * t_len
        if r.max_total is not None and least > r.max_total + 1e-6:
            raise ConfigError(
                f"{src}: {key}: min_weekly ({_amount(r.min_weekly or 0.0)}) over the "
                f"{t_len}-week horizon is {_amount(least)}, above max_total "
                f"({_amount(r.max_total)}); lower min_weekly or raise max_total."
            )
        most = np.inf if r.max_weekly is None else r.max_weekly * t_len
        if r.min_total is not None and most < r.min_total - 1e-6:
            raise ConfigError(
                f"{src}: {key}: max_weekly ({_amount(r.max_weekly or 0.0)}) over the "
                f"{t_len}-week horizon allows at most {_amount(most)}, below min_total "
                f"({_amount(r.min_total)}); raise max_weekly or lower min_total."
            )
    for i, wb in enumerate(m.week_bounds):
        _check_week_bound(spec, i, wb.channel, wb.week, wb.min, wb.max, t_len)

    rules = {
        name: ChannelRule(**r.model_dump(exclude={"min_change", "max_change"}))
        for name, r in m.channels.items()
    }
    bounds = tuple(WeekBound(**wb.model_dump()) for wb in m.week_bounds)
    start = weeks[0].date()
    try:
        # the rules alone (no budget, no caps): the per-week and total bounds as arrays
        res = resolve(
            AllocationProblem(
                budget=_UNKNOWN_BUDGET,
                n_weeks=t_len,
                budget_mode=BudgetMode.UP_TO,
                start=start,
                channels=rules,
                week_bounds=bounds,
            ),
            channels,
            np.zeros(len(channels)),
        )
    except InfeasibleError as exc:
        raise InfeasibleError(f"{src}: [media]: {exc}") from None
    lo, hi = res.lo, res.hi
    need = np.maximum(res.tot_lo, lo.sum(axis=0))  # least spend per channel, EUR

    def listing(values: np.ndarray) -> str:
        return ", ".join(
            f"{channels[c]} {_amount(float(v))}" for c, v in enumerate(values) if v > 0
        )

    exact = BudgetMode(m.budget_mode) is BudgetMode.EXACT
    if m.budget is not None and need.sum() > m.budget + 1e-6:
        raise ConfigError(
            f"{src}: [media].budget ({_amount(m.budget)}) is below the channel minimums over "
            f"the {t_len}-week horizon, which sum to {_amount(float(need.sum()))} "
            f"({listing(need)}); raise the budget or lower a minimum in [media.channels]."
        )
    if m.weekly_cap is not None:
        week_lo = lo.sum(axis=1)
        over = np.flatnonzero(week_lo > m.weekly_cap + 1e-6)
        if len(over):
            t = int(over[0])
            raise ConfigError(
                f"{src}: [media].weekly_cap ({_amount(m.weekly_cap)}) is below the channel "
                f"minimums of week {t} ({weeks[t].date()}), which sum to "
                f"{_amount(float(week_lo[t]))} ({listing(lo[t])}); raise weekly_cap or lower "
                "a weekly minimum."
            )
    for month, cap in sorted(m.monthly_caps.items()):
        in_month = [t for t, d in enumerate(weeks) if f"{d.year:04d}-{d.month:02d}" == month]
        month_lo = float(lo[in_month].sum()) if in_month else 0.0
        if month_lo > cap + 1e-6:
            raise ConfigError(
                f"{src}: [media.monthly_caps].{month} ({_amount(cap)}) is below the channel "
                f"minimums of the {len(in_month)} planning weeks starting in {month}, which "
                f"sum to {_amount(month_lo)}; raise the cap or lower a weekly minimum."
            )
    if m.budget is not None and exact:
        most = np.minimum(res.tot_hi, hi.sum(axis=0))  # most spend per channel (inf: free)
        if most.sum() < m.budget - 1e-6:
            raise ConfigError(
                f"{src}: [media].budget ({_amount(m.budget)}) is above the channel maximums "
                f"over the {t_len}-week horizon, which sum to {_amount(float(most.sum()))} "
                f"({listing(most)}), and budget_mode = 'exact' spends all of it; lower the "
                "budget, raise a maximum or set budget_mode = 'up_to'."
            )
        if m.weekly_cap is not None:
            room = float(np.minimum(m.weekly_cap, hi.sum(axis=1)).sum())
            if room < m.budget - 1e-6:
                raise ConfigError(
                    f"{src}: [media].weekly_cap ({_amount(m.weekly_cap)}) allows at most "
                    f"{_amount(room)} over the {t_len}-week horizon, below [media].budget "
                    f"({_amount(m.budget)}), which budget_mode = 'exact' spends in full; raise "
                    "weekly_cap, lower the budget or set budget_mode = 'up_to'."
                )
    try:
        # anything else the solver would refuse (the checks above name the keys first)
        resolve(
            AllocationProblem(
                budget=_UNKNOWN_BUDGET if m.budget is None else float(m.budget),
                n_weeks=t_len,
                budget_mode=m.budget_mode if m.budget is not None else BudgetMode.UP_TO,
                start=start,
                channels=rules,
                week_bounds=bounds,
                weekly_cap=m.weekly_cap,
                monthly_caps=dict(m.monthly_caps),
            ),
            channels,
            np.zeros(len(channels)),
        )
    except InfeasibleError as exc:
        raise InfeasibleError(f"{src}: [media]: {exc}") from None


def _check_week_bound(
    spec: ScenarioSpec, i: int, channel: str, week: int, low: float, high: float, t_len: int
) -> None:
    """One ``[[media.week_bounds]]`` entry against its channel's weekly or fixed amount."""
    r = spec.file.media.channels.get(channel)
    if r is None:
        return
    key = f"[media.week_bounds.{i}]"
    rule = f"[media.channels.{channel}]"
    where = f"for '{channel}' in week {week}"
    if r.fixed is not None:
        share = r.fixed / t_len  # a fixed amount is spread evenly over the weeks
        for side, limit, broken in (
            ("min", low, share < low - 1e-6),
            ("max", high, share > high + 1e-6),
        ):
            if broken:
                raise ConfigError(
                    f"{spec.source}: {key}: {rule}.fixed ({_amount(r.fixed)}) puts "
                    f"{_amount(share)} {where}, {'below' if side == 'min' else 'above'} this "
                    f"bound's {side} ({_amount(limit)}); change the bound or the fixed amount."
                )
        return
    if r.max_weekly is not None and low > r.max_weekly + 1e-6:
        raise ConfigError(
            f"{spec.source}: {key}: min ({_amount(low)}) {where} is above {rule}.max_weekly "
            f"({_amount(r.max_weekly)}); lower min or raise max_weekly."
        )
    if r.min_weekly is not None and high < r.min_weekly - 1e-6:
        raise ConfigError(
            f"{spec.source}: {key}: max ({_amount(high)}) {where} is below {rule}.min_weekly "
            f"({_amount(r.min_weekly)}); raise max or lower min_weekly."
        )
