"""The constraints TOML file (pydantic at the edge) turned into problem arguments.

Example::

    schema_version = 1
    budget_mode = "exact"          # or "up_to"
    weekly_cap = 60000             # EUR per week, all channels
    min_roas = 1.5                 # overall, posterior mean
    max_cpa = 35.0                 # EUR per incremental order, needs orders_per_revenue
    orders_per_revenue = 0.0125    # 1 / average basket (EUR)
    max_week_change = 0.25         # week-to-week change, fraction of each channel's run-rate
    always_on_min_share = 0.5      # channels on in every recent week keep >= 50 % of it
    no_restart = true              # no channel switched off and on again in the horizon

    [monthly_caps]
    "2026-12" = 220000

    [channels.sea]
    max_change = 0.3               # at most +30 % vs the recent run-rate
    [channels.social]
    min_weekly = 2000              # replaces the always-on minimum
    no_restart = false             # flighted: may pause and restart
    [channels.seo]
    fixed = 50000

    [[week_bounds]]
    channel = "retail_media"
    week = 4                       # 0-based week of the horizon
    max = 0
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool, field_validator, model_validator

from optimizer.allocation.problem import ChannelRule, WeekBound
from optimizer.config import StrictModel, load_toml, validate
from optimizer.errors import ConfigError, did_you_mean

__all__ = [
    "ConstraintsFile",
    "constraints_kwargs",
    "default_constraints",
    "load_constraints",
    "plan_rules",
]


def _amount(x: float) -> str:
    """EUR amount for messages: thousands separated, cents only when there are some."""
    return f"{x:,.2f}".removesuffix(".00") + " EUR"


class ChannelRuleModel(StrictModel):
    """``[channels.<name>]``."""

    min_total: float | None = Field(None, ge=0)
    max_total: float | None = Field(None, ge=0)
    min_weekly: float | None = Field(None, ge=0)
    max_weekly: float | None = Field(None, ge=0)
    min_change: float | None = Field(None, ge=-1)
    max_change: float | None = Field(None, ge=-1)
    fixed: float | None = Field(None, ge=0)
    min_roas: float | None = Field(None, gt=0)
    max_week_change: float | None = Field(None, ge=0)
    no_restart: StrictBool | None = None

    @model_validator(mode="after")
    def _min_below_max(self) -> ChannelRuleModel:
        # a minimum above its maximum can never be met: refuse it here, with the keys, rather
        # than in the solver after the model fits
        conflicts = []
        for low, high, show in (
            ("min_total", "max_total", _amount),
            ("min_weekly", "max_weekly", _amount),
            ("min_change", "max_change", lambda v: f"{v:g}"),
        ):
            lo, hi = getattr(self, low), getattr(self, high)
            if lo is not None and hi is not None and lo > hi:
                conflicts.append(
                    f"{low} ({show(lo)}) is above {high} ({show(hi)}); lower {low} or raise {high}"
                )
        if self.fixed is not None:
            if self.min_total is not None and self.fixed < self.min_total:
                conflicts.append(
                    f"fixed ({_amount(self.fixed)}) is below min_total "
                    f"({_amount(self.min_total)}); change fixed or drop min_total"
                )
            if self.max_total is not None and self.fixed > self.max_total:
                conflicts.append(
                    f"fixed ({_amount(self.fixed)}) is above max_total "
                    f"({_amount(self.max_total)}); change fixed or drop max_total"
                )
        if conflicts:
            raise ValueError("; ".join(conflicts))
        return self


class WeekBoundModel(StrictModel):
    """``[[week_bounds]]``."""

    channel: str
    week: int = Field(ge=0)
    min: float = Field(0.0, ge=0)
    max: float = Field(float("inf"), ge=0)

    @model_validator(mode="after")
    def _min_below_max(self) -> WeekBoundModel:
        if self.min > self.max:
            raise ValueError(
                f"min ({_amount(self.min)}) is above max ({_amount(self.max)}) for "
                f"'{self.channel}' in week {self.week}; lower min or raise max"
            )
        return self


#: Workable-plan rules applied by ``optimizer allocate`` and scenarios unless the constraints file
#: or ``[media]`` says otherwise: week-to-week change at most 25 % of the channel's run-rate,
#: channels that spent in every recent week keep at least half of it, no channel switched off
#: and on again within the horizon. The library's :class:`AllocationProblem` leaves them off.
WORKABLE_DEFAULTS: dict[str, Any] = {
    "max_week_change": 0.25,
    "always_on_min_share": 0.5,
    "no_restart": True,
}


class ConstraintsFile(StrictModel):
    """Top level of the constraints file."""

    schema_version: Literal[1] = 1
    budget_mode: Literal["exact", "up_to"] = "exact"
    weekly_cap: float | None = Field(None, gt=0)
    monthly_caps: dict[str, Annotated[float, Field(ge=0)]] = Field(default_factory=dict)
    min_roas: float | None = Field(None, gt=0)
    max_cpa: float | None = Field(None, gt=0)
    orders_per_revenue: float | None = Field(None, gt=0)
    variable_cost_rate: float = Field(0.0, ge=0, lt=1)
    # workable plans are the default (a media buyer can execute them); ``false`` switches a
    # rule off
    max_week_change: Annotated[float, Field(gt=0)] | Literal[False] = WORKABLE_DEFAULTS[
        "max_week_change"
    ]
    always_on_min_share: Annotated[float, Field(gt=0, le=1)] | Literal[False] = WORKABLE_DEFAULTS[
        "always_on_min_share"
    ]
    no_restart: StrictBool = WORKABLE_DEFAULTS["no_restart"]
    channels: dict[str, ChannelRuleModel] = Field(default_factory=dict)
    week_bounds: list[WeekBoundModel] = Field(default_factory=list)

    @field_validator("max_week_change", "always_on_min_share", mode="before")
    @classmethod
    def _rule_or_false(cls, value: Any) -> Any:
        if value is True:
            raise ValueError("give a fraction (e.g. 0.25), or false to switch the rule off")
        if value is not False and isinstance(value, int | float) and value <= 0:
            raise ValueError(
                f"{value} would forbid any spend change; give a positive fraction (e.g. 0.25), "
                "or false to switch the rule off"
            )
        return value

    @model_validator(mode="after")
    def _cpa_needs_basket(self) -> ConstraintsFile:
        if self.max_cpa is not None and self.orders_per_revenue is None:
            raise ValueError(
                "max_cpa needs orders_per_revenue (orders per EUR of revenue, 1 / average "
                "basket); add it or drop max_cpa"
            )
        return self

    @field_validator("monthly_caps")
    @classmethod
    def _months(cls, caps: dict[str, float]) -> dict[str, float]:
        for month in caps:
            if len(month) != 7 or month[4] != "-" or not (month[:4] + month[5:]).isdigit():
                raise ValueError(f"monthly cap key '{month}' must be YYYY-MM, e.g. '2026-12'")
        return caps


def default_constraints(channels: tuple[str, ...]) -> dict[str, Any]:
    """Problem keyword arguments when no constraints file is given (the workable defaults)."""
    return constraints_kwargs(ConstraintsFile(), channels, "defaults")


def plan_rules(constraints: str | Path | None, channels: tuple[str, ...]) -> dict[str, Any]:
    """A plan's rules: those of the constraints file, else the defaults for ``channels``.

    Parameters
    ----------
    constraints : str, Path or None
        The constraints TOML; None (or an empty path) for the workable defaults.
    channels : tuple of str
        The model's channels.

    Returns
    -------
    dict
        :class:`AllocationProblem` keyword arguments (amounts in EUR excl. VAT).
    """
    return load_constraints(constraints, channels) if constraints else default_constraints(channels)


def load_constraints(path: str | Path, channels: tuple[str, ...]) -> dict[str, Any]:
    """Read and validate a constraints file into :class:`AllocationProblem` keyword arguments.

    Parameters
    ----------
    path : str or Path
        The TOML file.
    channels : tuple of str
        The model's channels; any other name is an error naming it.

    Returns
    -------
    dict
        Keyword arguments (``channels``, ``week_bounds``, caps, rules, ``budget_mode``...).

    Raises
    ------
    ConfigError
        Syntax errors, unknown keys (with a did-you-mean hint), bad values, unknown channels.
    """
    path = Path(path)
    data = load_toml(path)
    # optimizer.config hints keys of nested models but not inside dict-of-model tables, so the
    # per-channel tables are checked here for a did-you-mean
    fields = list(ChannelRuleModel.model_fields)
    chans = data.get("channels", {})
    for name, table in chans.items() if isinstance(chans, dict) else ():
        for key in table if isinstance(table, dict) else ():
            if key not in fields:
                raise ConfigError(
                    f"{path.name}: Unknown key '{key}' in [channels.{name}]."
                    + did_you_mean(key, fields)
                )
    spec = validate(ConstraintsFile, data, path.name)
    return constraints_kwargs(spec, channels, path.name)


def constraints_kwargs(
    spec: ConstraintsFile, channels: tuple[str, ...], source: str
) -> dict[str, Any]:
    """Turn a validated constraints model into :class:`AllocationProblem` keyword arguments.

    Parameters
    ----------
    spec : ConstraintsFile
        Validated content (a scenario's ``[media]`` section subclasses it).
    channels : tuple of str
        The model's channels; any other name is an error naming it.
    source : str
        File name for messages.

    Returns
    -------
    dict
    """
    names = [*spec.channels, *(wb.channel for wb in spec.week_bounds)]
    for name in names:
        if name not in channels:
            raise ConfigError(
                f"{source}: unknown channel '{name}'; the model has {', '.join(channels)}."
                + did_you_mean(name, channels)
            )
    rules = {c: ChannelRule(**r.model_dump()) for c, r in spec.channels.items()}
    # a channel planned week by week ([[week_bounds]]) is exempt from the workable rules it did
    # not ask for: a pause written by hand is not refused by a default smoothness rule
    for name in {wb.channel for wb in spec.week_bounds}:
        rule = rules.get(name, ChannelRule())
        if "max_week_change" not in spec.model_fields_set and rule.max_week_change is None:
            rule = dataclasses.replace(rule, max_week_change=math.inf)
        if "no_restart" not in spec.model_fields_set and rule.no_restart is None:
            rule = dataclasses.replace(rule, no_restart=False)
        rules[name] = rule
    return {
        "budget_mode": spec.budget_mode,
        "weekly_cap": spec.weekly_cap,
        "monthly_caps": dict(spec.monthly_caps),
        "min_roas": spec.min_roas,
        "max_cpa": spec.max_cpa,
        "orders_per_revenue": spec.orders_per_revenue,
        "variable_cost_rate": spec.variable_cost_rate,
        "max_week_change": spec.max_week_change or None,
        "always_on_min_share": spec.always_on_min_share or None,
        "no_restart": spec.no_restart,
        "channels": rules,
        "week_bounds": tuple(WeekBound(**w.model_dump()) for w in spec.week_bounds),
    }
