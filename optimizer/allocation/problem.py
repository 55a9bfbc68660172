"""The media budget allocation problem: horizon, budget, rules, objective and risk.

Everything here is a frozen dataclass validated on construction.
:func:`optimizer.allocation.resolve.resolve` turns a problem plus the channels, run-rate and
history of a :class:`~optimizer.curves.ResponseCurves` into plain arrays (per-cell bounds,
channel totals, caps, week-to-week limits) that every solver shares.

Conventions: spend is EUR excl. VAT; "total" bounds are over the whole horizon; "weekly" bounds
apply to every week; percentage rules are fractions of the recent run-rate (``-0.2`` = 20 % less).

Workable plans (all off by default): ``max_week_change`` bounds the change of a channel's spend
from one week to the next, ``always_on_min_share`` keeps channels that spent in every recent week
on at a share of their run-rate, and ``no_restart`` forbids switching a channel off and on again
within the horizon. Explicit rules win over these defaults: a channel's ``min_weekly`` or
``fixed`` replaces the always-on minimum, a week bound or maximum below it lowers it, and a fixed
channel has no week-to-week limit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType

import numpy as np

from optimizer.allocation.groups import ChannelGroup
from optimizer.allocation.risk import Risk
from optimizer.allocation.rules import ChannelRule, WeekBound
from optimizer.errors import ConfigError

__all__ = [
    "NO_RESTART_ON_SHARE",
    "RECENT_WEEKS",
    "AllocationProblem",
    "BudgetMode",
    "ChannelGroup",
    "ChannelRule",
    "Objective",
    "Risk",
    "WeekBound",
]


#: Recent history weeks (at most; ``ResponseCurves.history`` may hold fewer) in which a channel
#: must have spent every week to count as *always on* for ``always_on_min_share``.
RECENT_WEEKS = 13

#: Under ``no_restart`` a week is *on* from this share of the channel's reference run-rate (when
#: ``always_on_min_share`` is not set; else that share), capped by its week-to-week limit.
NO_RESTART_ON_SHARE = 0.1


class BudgetMode(StrEnum):
    """How the budget binds: spend it all (``exact``) or at most (``up_to``)."""

    EXACT = "exact"
    UP_TO = "up_to"


class Objective(StrEnum):
    """What a plan is worth (all linear in incremental revenue ``R`` and spend ``X``, EUR).

    * ``revenue``: ``R``;
    * ``margin``: gross margin ``R * margin_rate - X``;
    * ``contribution``: ``R * (margin_rate - variable_cost_rate) - X`` (margin after the variable
      costs that scale with revenue: logistics, payment, returns).
    """

    REVENUE = "revenue"
    MARGIN = "margin"
    CONTRIBUTION = "contribution"


@dataclass(frozen=True, eq=False)
class AllocationProblem:
    """A media budget allocation over a horizon of weeks.

    Attributes
    ----------
    budget : float
        Total media budget over the horizon, EUR excl. VAT.
    n_weeks : int
        Horizon length in weeks, starting the week after the model's history.
    budget_mode : BudgetMode
        ``exact`` (spend it all) or ``up_to``.
    start : datetime.date or None
        Monday of the first horizon week (needed for monthly caps and dated plans).
    channels : Mapping of str to ChannelRule
        Rules per channel; channels not listed are free (>= 0).
    week_bounds : tuple of WeekBound
        Per-week, per-channel bounds (e.g. a blackout week).
    weekly_cap : float or None
        Maximum spend over all channels in any week, EUR per week.
    monthly_caps : Mapping of str to float
        Maximum spend over all channels per calendar month ``"YYYY-MM"`` (a week counts in the
        month of its Monday), EUR.
    min_roas : float or None
        Minimum overall posterior-mean ROAS (incremental revenue / spend over the horizon).
    max_cpa : float or None
        Maximum cost per incremental order, EUR; needs ``orders_per_revenue``.
    orders_per_revenue : float or None
        Orders per EUR of incremental revenue (1 / average basket), used for ``max_cpa``.
    objective : Objective
        What to maximize.
    margin_rate : float
        Gross margin per EUR of revenue (for ``margin`` and ``contribution``).
    variable_cost_rate : float
        Variable costs per EUR of revenue (for ``contribution``).
    risk : Risk
        Posterior summary to maximize.
    seed : int
        Seed for sample subsets (scenario formulations); recorded in the result.
    tail_weeks : int
        Weeks after the horizon whose response (carry-over of the horizon's spend, with no new
        spend) also counts; 0 counts the horizon only, which starves long-adstock channels in
        the last weeks.
    week_weights : tuple of float or None
        Value of one EUR of incremental revenue in each horizon week, relative to a normal week
        (length ``n_weeks``, each in [0, 1]; tail weeks count 1). The scenario step uses it to
        discount weeks whose extra demand the warehouse could not ship. ``None``: all 1.
        Revenue outcomes and ROAS rules stay unweighted; only the objective is weighted.
    max_week_change : float or None
        Largest change of a channel's spend from one week to the next, and from its current
        weekly run-rate to the first week, as a fraction of that run-rate (0.25: at most 25 % of
        the run-rate up or down per week). A channel whose run-rate is 0 uses the mean run-rate of
        the channels that spend as its reference. Per channel: ``ChannelRule.max_week_change``.
        Fixed channels have no limit. ``None``: no limit.
    always_on_min_share : float or None
        In (0, 1]: every channel that spent in each of the recent weeks (the last
        :data:`RECENT_WEEKS` weeks of the model's history) spends at least this share of its
        run-rate every week. Flighted channels (off in some recent week) are not forced on; a
        channel's ``min_weekly`` or ``fixed`` replaces this minimum, lower maximums cap it.
    no_restart : bool
        A channel may not be switched off (0 EUR) and on again within the horizon (a channel off
        in the last history week may be switched on once). Under the rule a week counts as on
        from the channel's *on-level* (``always_on_min_share``, else
        :data:`NO_RESTART_ON_SHARE`, of its reference run-rate, at most its week-to-week limit):
        spend between 0 and that level is not allowed, so that a pause cannot hide as a few
        euros. Per channel: ``ChannelRule.no_restart``.
    channel_groups : tuple of ChannelGroup
        Bounds on the summed horizon spend of groups of channels (a shop's channels when
        several shops share one budget); the groups may overlap.
    """

    budget: float
    n_weeks: int
    budget_mode: BudgetMode | str = BudgetMode.EXACT
    start: date | None = None
    channels: Mapping[str, ChannelRule] = field(default_factory=dict)
    week_bounds: tuple[WeekBound, ...] = ()
    weekly_cap: float | None = None
    monthly_caps: Mapping[str, float] = field(default_factory=dict)
    min_roas: float | None = None
    max_cpa: float | None = None
    orders_per_revenue: float | None = None
    objective: Objective | str = Objective.REVENUE
    margin_rate: float = 1.0
    variable_cost_rate: float = 0.0
    risk: Risk = field(default_factory=Risk)
    seed: int = 0
    tail_weeks: int = 0
    week_weights: tuple[float, ...] | None = None
    max_week_change: float | None = None
    always_on_min_share: float | None = None
    no_restart: bool = False
    channel_groups: tuple[ChannelGroup, ...] = ()

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # a mappingproxy cannot be pickled: rebuild from plain dicts (problems travel to Dask
        # workers, see optimizer.scaleout)
        kw = {f.name: getattr(self, f.name) for f in fields(self)}
        kw["channels"], kw["monthly_caps"] = dict(self.channels), dict(self.monthly_caps)
        return _rebuild, (type(self), kw)

    def __post_init__(self) -> None:
        self._normalize()
        self._check_horizon()
        self._check_value()
        self._check_workable()
        self._check_weeks()

    def _normalize(self) -> None:
        """Enums, read-only mappings and tuples in place of what the caller passed."""
        object.__setattr__(self, "budget_mode", BudgetMode(self.budget_mode))
        object.__setattr__(self, "channel_groups", tuple(self.channel_groups))
        names = [g.name for g in self.channel_groups]
        if len(set(names)) != len(names):
            raise ConfigError(f"channel groups must have distinct names, got {names}.")
        object.__setattr__(self, "objective", Objective(self.objective))
        object.__setattr__(self, "channels", MappingProxyType(dict(self.channels)))
        object.__setattr__(self, "monthly_caps", MappingProxyType(dict(self.monthly_caps)))
        object.__setattr__(self, "week_bounds", tuple(self.week_bounds))

    def _check_horizon(self) -> None:
        """A finite budget >= 0 and whole numbers of horizon and tail weeks."""
        if not math.isfinite(self.budget) or self.budget < 0:
            raise ConfigError(f"budget {self.budget} EUR must be a finite amount >= 0.")
        if int(self.n_weeks) != self.n_weeks or not 1 <= self.n_weeks <= 520:
            raise ConfigError(f"n_weeks {self.n_weeks} must be a whole number from 1 to 520.")
        if int(self.tail_weeks) != self.tail_weeks or not 0 <= self.tail_weeks <= 104:
            raise ConfigError(f"tail_weeks {self.tail_weeks} must be a whole number from 0 to 104.")

    def _check_value(self) -> None:
        """Margin and cost rates consistent with the objective; positive caps and ROAS rules."""
        if not 0.0 < self.margin_rate <= 1.0:
            raise ConfigError(f"margin_rate {self.margin_rate} must be in (0, 1], e.g. 0.4.")
        if not 0.0 <= self.variable_cost_rate < self.margin_rate:
            raise ConfigError(
                f"variable_cost_rate {self.variable_cost_rate} must be >= 0 and below the margin "
                f"rate {self.margin_rate}."
            )
        if self.objective is not Objective.REVENUE and self.margin_rate == 1.0:
            # a margin of 100 % is almost surely a forgotten option, not a real business
            raise ConfigError(
                f"objective '{Objective(self.objective).value}' needs a margin rate below 1 "
                "(e.g. --margin-rate 0.4)."
            )
        if self.max_cpa is not None and not self.orders_per_revenue:
            raise ConfigError(
                "max_cpa needs orders_per_revenue (orders per EUR of revenue, 1 / average basket)."
            )
        for name in ("weekly_cap", "min_roas", "max_cpa", "orders_per_revenue"):
            v = getattr(self, name)
            if v is not None and (not math.isfinite(v) or v <= 0):
                raise ConfigError(f"{name} = {v} must be a finite number > 0.")

    def _check_workable(self) -> None:
        """Week-to-week change and always-on share in range."""
        if self.max_week_change is not None and (
            not math.isfinite(self.max_week_change) or self.max_week_change < 0
        ):
            raise ConfigError(
                f"max_week_change = {self.max_week_change} must be a fraction >= 0 of the "
                "run-rate, e.g. 0.25."
            )
        share = self.always_on_min_share
        if share is not None and (not math.isfinite(share) or not 0.0 < share <= 1.0):
            raise ConfigError(
                f"always_on_min_share = {share} must be in (0, 1], e.g. 0.5 of the run-rate."
            )

    def _check_weeks(self) -> None:
        """Monthly caps, week weights and week bounds that fit the horizon."""
        for month, cap in self.monthly_caps.items():
            if len(month) != 7 or month[4] != "-" or not (month[:4] + month[5:]).isdigit():
                raise ConfigError(f"monthly cap key '{month}' must be YYYY-MM, e.g. '2026-12'.")
            if cap < 0:
                raise ConfigError(f"monthly cap {month} = {cap} EUR must be >= 0.")
        if self.monthly_caps and self.start is None:
            raise ConfigError("monthly caps need the horizon start date (start / --start).")
        if self.week_weights is not None:
            ww = tuple(float(w) for w in self.week_weights)
            if len(ww) != self.n_weeks or not all(math.isfinite(w) and 0 <= w <= 1 for w in ww):
                raise ConfigError(
                    f"week_weights must give one value in [0, 1] per horizon week "
                    f"({self.n_weeks}); got {len(ww)} values."
                )
            object.__setattr__(self, "week_weights", ww)
        for wb in self.week_bounds:
            if wb.week >= self.n_weeks:
                raise ConfigError(
                    f"week bound for '{wb.channel}': week {wb.week} is past the horizon of "
                    f"{self.n_weeks} weeks (weeks are numbered from 0)."
                )

    @property
    def value_coefficients(self) -> tuple[float, float]:
        """``(a, b)`` with plan value ``a * revenue - b * spend`` for the objective."""
        if self.objective is Objective.REVENUE:
            return 1.0, 0.0
        if self.objective is Objective.MARGIN:
            return self.margin_rate, 1.0
        return self.margin_rate - self.variable_cost_rate, 1.0

    def weights_for(self, t_len: int) -> np.ndarray | None:
        """Week weights for a plan of ``t_len`` rows (horizon then tail weeks at 1), or None."""
        if self.week_weights is None:
            return None
        w = np.ones(t_len)
        w[: self.n_weeks] = self.week_weights
        return w

    def with_budget(self, budget: float) -> AllocationProblem:
        """The same problem with another budget (for frontiers)."""
        return replace(self, budget=float(budget))

    def week_starts(self) -> list[date] | None:
        """Monday of each horizon week, or None without a start date."""
        if self.start is None:
            return None
        return [self.start + timedelta(weeks=i) for i in range(self.n_weeks)]


def _rebuild(cls: type, kwargs: dict[str, object]) -> object:
    """Unpickle an :class:`AllocationProblem` (see its ``__reduce__``)."""
    return cls(**kwargs)
