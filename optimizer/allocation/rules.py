"""Per-channel and per-week rules of an allocation problem (EUR excl. VAT), validated."""

from __future__ import annotations

import math
from dataclasses import dataclass

from optimizer.errors import ConfigError

__all__ = ["ChannelRule", "WeekBound"]


@dataclass(frozen=True)
class ChannelRule:
    """Rules for one channel (all optional, EUR excl. VAT).

    Attributes
    ----------
    min_total, max_total : float or None
        Spend over the whole horizon, EUR.
    min_weekly, max_weekly : float or None
        Spend in every week, EUR per week.
    min_change, max_change : float or None
        Horizon spend relative to the recent run-rate times the number of weeks, as a fraction
        (``-0.3`` = at least 70 % of it, ``0.5`` = at most 150 %).
    fixed : float or None
        Spend locked at this amount over the horizon, EUR, spread evenly over the weeks.
    min_roas : float or None
        Minimum posterior-mean incremental revenue per EUR spent on this channel over the horizon.
    max_week_change : float or None
        Overrides :attr:`AllocationProblem.max_week_change` for this channel (fraction of its
        run-rate, >= 0; ``math.inf``: no limit for this channel).
    no_restart : bool or None
        Overrides :attr:`AllocationProblem.no_restart` for this channel (``False``: this channel
        may be switched off and on again).
    """

    min_total: float | None = None
    max_total: float | None = None
    min_weekly: float | None = None
    max_weekly: float | None = None
    min_change: float | None = None
    max_change: float | None = None
    fixed: float | None = None
    min_roas: float | None = None
    max_week_change: float | None = None
    no_restart: bool | None = None

    def __post_init__(self) -> None:
        names = ("min_total", "max_total", "min_weekly", "max_weekly", "fixed", "min_roas")
        for name in names:
            v = getattr(self, name)
            if v is not None and (not math.isfinite(v) or v < 0):
                raise ConfigError(f"{name} = {v} must be a finite amount >= 0.")
        v = self.max_week_change  # math.inf: no week-to-week limit for this channel
        if v is not None and (math.isnan(v) or v < 0):
            raise ConfigError(f"max_week_change = {v} must be >= 0 (math.inf: no limit).")
        for name in ("min_change", "max_change"):
            v = getattr(self, name)
            if v is not None and (not math.isfinite(v) or v < -1.0):
                raise ConfigError(f"{name} = {v} must be >= -1 (a fraction, -0.2 = 20 % less).")


@dataclass(frozen=True)
class WeekBound:
    """Bounds on one channel in one week of the horizon (``week`` is 0-based), EUR."""

    channel: str
    week: int
    min: float = 0.0
    max: float = math.inf

    def __post_init__(self) -> None:
        if self.week < 0:
            raise ConfigError(f"week bound for '{self.channel}': week {self.week} must be >= 0.")
        if self.min < 0 or self.max < 0:
            raise ConfigError(f"week bound for '{self.channel}' week {self.week}: amounts >= 0.")
