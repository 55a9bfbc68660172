"""The scenario's media rules checked before any fit: against each other, the horizon, the budget.

Part of :mod:`optimizer.scenario.checks`. ``min_change`` and ``max_change`` are relative to the
model's run-rate: they are left out, which only loosens the rules, so every conflict found here
is one the run would meet.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.allocation.problem import (
    AllocationProblem,
    BudgetMode,
    ChannelRule,
    WeekBound,
)
from optimizer.allocation.resolve import Resolved, resolve
from optimizer.errors import ConfigError, InfeasibleError
from optimizer.scenario.file import MediaSection
from optimizer.scenario.schema import ScenarioSpec

__all__ = ["check_media"]

#: Budget standing for "not known before the fit" (a ``budget_change``): large, finite.
_UNKNOWN_BUDGET = 1e300


def amount(x: float) -> str:
    """EUR amount for messages: thousands separated, cents only when there are some."""
    return f"{x:,.2f}".removesuffix(".00") + " EUR"


def check_media(spec: ScenarioSpec, channels: tuple[str, ...], weeks: pd.DatetimeIndex) -> None:
    """Media rules against each other, the horizon, the budget and the caps.

    Each channel's weekly bounds against its totals, each week bound against its channel, the
    channel minimums against the budget and the caps, the maximums against a budget to spend
    exactly, then anything else the solver would refuse.

    Raises
    ------
    ConfigError
        A rule contradicts another, naming the keys and the fix.
    InfeasibleError
        The rules admit no plan (as :func:`~optimizer.allocation.resolve.resolve` says).
    """
    m = spec.file.media
    t_len = len(weeks)
    _check_channel_totals(spec, t_len)
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
        raise InfeasibleError(f"{spec.source}: [media]: {exc}") from None
    _check_minimums(spec, m, channels, weeks, res)
    _check_maximums(spec, m, channels, t_len, res)
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
        raise InfeasibleError(f"{spec.source}: [media]: {exc}") from None


def _check_channel_totals(spec: ScenarioSpec, t_len: int) -> None:
    """Each channel's weekly minimum and maximum over the horizon against its totals."""
    src = spec.source
    for name, r in spec.file.media.channels.items():
        key = f"[media.channels.{name}]"
        if r.fixed is not None:
            continue  # fixed replaces the weekly bounds; fixed against the totals is in the file
        least = (r.min_weekly or 0.0) * t_len
        if r.max_total is not None and least > r.max_total + 1e-6:
            raise ConfigError(
                f"{src}: {key}: min_weekly ({amount(r.min_weekly or 0.0)}) over the "
                f"{t_len}-week horizon is {amount(least)}, above max_total "
                f"({amount(r.max_total)}); lower min_weekly or raise max_total."
            )
        most = np.inf if r.max_weekly is None else r.max_weekly * t_len
        if r.min_total is not None and most < r.min_total - 1e-6:
            raise ConfigError(
                f"{src}: {key}: max_weekly ({amount(r.max_weekly or 0.0)}) over the "
                f"{t_len}-week horizon allows at most {amount(most)}, below min_total "
                f"({amount(r.min_total)}); raise max_weekly or lower min_total."
            )


def _listing(channels: tuple[str, ...], values: np.ndarray) -> str:
    """``channel amount`` for every channel with a positive value, comma separated."""
    return ", ".join(f"{channels[c]} {amount(float(v))}" for c, v in enumerate(values) if v > 0)


def _check_minimums(
    spec: ScenarioSpec,
    m: MediaSection,
    channels: tuple[str, ...],
    weeks: pd.DatetimeIndex,
    res: Resolved,
) -> None:
    """The channel minimums against the budget, the weekly cap and the monthly caps."""
    src, t_len, lo = spec.source, len(weeks), res.lo
    need = np.maximum(res.tot_lo, lo.sum(axis=0))  # least spend per channel, EUR
    if m.budget is not None and need.sum() > m.budget + 1e-6:
        raise ConfigError(
            f"{src}: [media].budget ({amount(m.budget)}) is below the channel minimums over "
            f"the {t_len}-week horizon, which sum to {amount(float(need.sum()))} "
            f"({_listing(channels, need)}); raise the budget or lower a minimum in "
            "[media.channels]."
        )
    if m.weekly_cap is not None:
        week_lo = lo.sum(axis=1)
        over = np.flatnonzero(week_lo > m.weekly_cap + 1e-6)
        if len(over):
            t = int(over[0])
            raise ConfigError(
                f"{src}: [media].weekly_cap ({amount(m.weekly_cap)}) is below the channel "
                f"minimums of week {t} ({weeks[t].date()}), which sum to "
                f"{amount(float(week_lo[t]))} ({_listing(channels, lo[t])}); raise weekly_cap "
                "or lower a weekly minimum."
            )
    for month, cap in sorted(m.monthly_caps.items()):
        in_month = [t for t, d in enumerate(weeks) if f"{d.year:04d}-{d.month:02d}" == month]
        month_lo = float(lo[in_month].sum()) if in_month else 0.0
        if month_lo > cap + 1e-6:
            raise ConfigError(
                f"{src}: [media.monthly_caps].{month} ({amount(cap)}) is below the channel "
                f"minimums of the {len(in_month)} planning weeks starting in {month}, which "
                f"sum to {amount(month_lo)}; raise the cap or lower a weekly minimum."
            )


def _check_maximums(
    spec: ScenarioSpec, m: MediaSection, channels: tuple[str, ...], t_len: int, res: Resolved
) -> None:
    """The channel maximums and the weekly cap against a budget spent exactly."""
    if m.budget is None or BudgetMode(m.budget_mode) is not BudgetMode.EXACT:
        return
    src, hi = spec.source, res.hi
    most = np.minimum(res.tot_hi, hi.sum(axis=0))  # most spend per channel (inf: free)
    if most.sum() < m.budget - 1e-6:
        raise ConfigError(
            f"{src}: [media].budget ({amount(m.budget)}) is above the channel maximums "
            f"over the {t_len}-week horizon, which sum to {amount(float(most.sum()))} "
            f"({_listing(channels, most)}), and budget_mode = 'exact' spends all of it; lower "
            "the budget, raise a maximum or set budget_mode = 'up_to'."
        )
    if m.weekly_cap is not None:
        room = float(np.minimum(m.weekly_cap, hi.sum(axis=1)).sum())
        if room < m.budget - 1e-6:
            raise ConfigError(
                f"{src}: [media].weekly_cap ({amount(m.weekly_cap)}) allows at most "
                f"{amount(room)} over the {t_len}-week horizon, below [media].budget "
                f"({amount(m.budget)}), which budget_mode = 'exact' spends in full; raise "
                "weekly_cap, lower the budget or set budget_mode = 'up_to'."
            )


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
                    f"{spec.source}: {key}: {rule}.fixed ({amount(r.fixed)}) puts "
                    f"{amount(share)} {where}, {'below' if side == 'min' else 'above'} this "
                    f"bound's {side} ({amount(limit)}); change the bound or the fixed amount."
                )
        return
    if r.max_weekly is not None and low > r.max_weekly + 1e-6:
        raise ConfigError(
            f"{spec.source}: {key}: min ({amount(low)}) {where} is above {rule}.max_weekly "
            f"({amount(r.max_weekly)}); lower min or raise max_weekly."
        )
    if r.min_weekly is not None and high < r.min_weekly - 1e-6:
        raise ConfigError(
            f"{spec.source}: {key}: max ({amount(high)}) {where} is below {rule}.min_weekly "
            f"({amount(r.min_weekly)}); raise max or lower min_weekly."
        )
