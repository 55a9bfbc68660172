"""The media budget allocation problem: horizon, budget, rules, objective and risk.

Everything here is a frozen dataclass validated on construction. :func:`resolve` turns a
problem plus the channels and current run-rate of a :class:`~optimizer.mmm.curves.ResponseCurves`
into plain arrays (per-cell bounds, channel totals, caps) that both solvers share.

Conventions: spend is EUR excl. VAT; "total" bounds are over the whole horizon; "weekly" bounds
apply to every week; percentage rules are fractions of the recent run-rate (``-0.2`` = 20 % less).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType

import numpy as np

from optimizer.errors import ConfigError, did_you_mean

__all__ = [
    "AllocationProblem",
    "BudgetMode",
    "ChannelRule",
    "Objective",
    "Resolved",
    "Risk",
    "WeekBound",
    "resolve",
]


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


@dataclass(frozen=True)
class Risk:
    """How the posterior samples of a plan's value are summarized.

    Attributes
    ----------
    kind : {"mean", "quantile", "cvar"}
        Posterior mean, a low quantile (``level`` = 0.1 is P10) or the conditional value at risk
        (mean of the worst ``level`` share of samples).
    level : float
        Tail share in (0, 0.5] for ``quantile`` and ``cvar``.
    """

    kind: str = "mean"
    level: float = 0.1

    def __post_init__(self) -> None:
        if self.kind not in ("mean", "quantile", "cvar"):
            raise ConfigError(
                f"risk '{self.kind}' is unknown; use mean, quantile or cvar."
                + did_you_mean(self.kind, ("mean", "quantile", "cvar"))
            )
        if not 0.0 < self.level <= 0.5:
            raise ConfigError(f"risk level {self.level} must be in (0, 0.5], e.g. 0.1 for P10.")

    @classmethod
    def parse(cls, text: str) -> Risk:
        """Parse the CLI form: ``mean``, ``p10`` (quantile 0.10) or ``cvar10`` (CVaR 10 %)."""
        t = text.strip().lower()
        if t == "mean":
            return cls("mean")
        if t.startswith("p") and t[1:].isdigit():
            return cls("quantile", int(t[1:]) / 100.0)
        if t.startswith("cvar") and t[4:].isdigit():
            return cls("cvar", int(t[4:]) / 100.0)
        raise ConfigError(f"risk '{text}' is not understood; use mean, p10 or cvar10.")

    @property
    def label(self) -> str:
        """Short name: ``mean``, ``p10``, ``cvar10``."""
        if self.kind == "mean":
            return "mean"
        pct = round(self.level * 100)
        return f"p{pct}" if self.kind == "quantile" else f"cvar{pct}"


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
    """

    min_total: float | None = None
    max_total: float | None = None
    min_weekly: float | None = None
    max_weekly: float | None = None
    min_change: float | None = None
    max_change: float | None = None
    fixed: float | None = None
    min_roas: float | None = None

    def __post_init__(self) -> None:
        for name in ("min_total", "max_total", "min_weekly", "max_weekly", "fixed", "min_roas"):
            v = getattr(self, name)
            if v is not None and (not math.isfinite(v) or v < 0):
                raise ConfigError(f"{name} = {v} must be a finite amount >= 0.")
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

    def __post_init__(self) -> None:
        object.__setattr__(self, "budget_mode", BudgetMode(self.budget_mode))
        object.__setattr__(self, "objective", Objective(self.objective))
        object.__setattr__(self, "channels", MappingProxyType(dict(self.channels)))
        object.__setattr__(self, "monthly_caps", MappingProxyType(dict(self.monthly_caps)))
        object.__setattr__(self, "week_bounds", tuple(self.week_bounds))
        if not math.isfinite(self.budget) or self.budget < 0:
            raise ConfigError(f"budget {self.budget} EUR must be a finite amount >= 0.")
        if int(self.n_weeks) != self.n_weeks or not 1 <= self.n_weeks <= 520:
            raise ConfigError(f"n_weeks {self.n_weeks} must be a whole number from 1 to 520.")
        if int(self.tail_weeks) != self.tail_weeks or not 0 <= self.tail_weeks <= 104:
            raise ConfigError(f"tail_weeks {self.tail_weeks} must be a whole number from 0 to 104.")
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
        from dataclasses import replace

        return replace(self, budget=float(budget))

    def week_starts(self) -> list[date] | None:
        """Monday of each horizon week, or None without a start date."""
        if self.start is None:
            return None
        return [self.start + timedelta(weeks=i) for i in range(self.n_weeks)]


def _eur(x: float) -> str:
    return f"{x:,.0f} EUR"


@dataclass(frozen=True, eq=False)
class Resolved:
    """A problem as arrays for the solvers (T weeks, C channels), EUR excl. VAT.

    Attributes
    ----------
    lo, hi : numpy.ndarray
        Per-cell bounds, shape (T, C) (``hi`` may be ``inf``).
    tot_lo, tot_hi : numpy.ndarray
        Per-channel horizon totals, shape (C,).
    budget : float
    exact : bool
        Whether the budget must be spent exactly.
    week_cap : numpy.ndarray
        Cap on spend over channels per week, shape (T,) (``inf`` when none).
    month_groups : tuple of (str, tuple of int, float)
        Month label, week indices and cap.
    roas_rules : tuple of (int or None, float)
        Minimum ROAS rules: channel index (None for the overall rule) and minimum.
    n_plan : int
        Weeks of the horizon; the arrays may hold ``tail_weeks`` more rows, fixed at 0 EUR.
    """

    lo: np.ndarray
    hi: np.ndarray
    tot_lo: np.ndarray
    tot_hi: np.ndarray
    budget: float
    exact: bool
    week_cap: np.ndarray
    month_groups: tuple[tuple[str, tuple[int, ...], float], ...]
    roas_rules: tuple[tuple[int | None, float], ...]
    n_plan: int = 0

    def finite_hi(self) -> np.ndarray:
        """Per-cell upper bounds made finite with the budget and the totals, shape (T, C)."""
        cap = np.minimum(self.tot_hi[None, :], self.budget)
        cap = np.minimum(cap, self.week_cap[:, None])
        return np.minimum(self.hi, cap)


def resolve(problem: AllocationProblem, channels: tuple[str, ...], current: np.ndarray) -> Resolved:
    """Turn rules into arrays and detect the common conflicts with exact figures.

    Parameters
    ----------
    problem : AllocationProblem
    channels : tuple of str
        The model's channels (C).
    current : numpy.ndarray
        Recent weekly run-rate per channel, shape (C,), EUR per week.

    Returns
    -------
    Resolved

    Raises
    ------
    ConfigError
        A rule names an unknown channel.
    InfeasibleError
        Rules conflict (minimums above the budget or a maximum, caps below minimums, ...).
    """
    from optimizer.errors import InfeasibleError

    t_len, c_len = problem.n_weeks, len(channels)
    idx = {c: i for i, c in enumerate(channels)}
    for name in [*problem.channels, *(wb.channel for wb in problem.week_bounds)]:
        if name not in idx:
            raise ConfigError(
                f"unknown channel '{name}' in the constraints; the model has "
                f"{', '.join(channels)}.{did_you_mean(name, channels)}"
            )
    lo = np.zeros((t_len, c_len))
    hi = np.full((t_len, c_len), np.inf)
    tot_lo = np.zeros(c_len)
    tot_hi = np.full(c_len, np.inf)
    roas: list[tuple[int | None, float]] = []
    problems: list[str] = []
    for name, rule in problem.channels.items():
        c = idx[name]
        base = float(current[c]) * t_len
        if rule.min_weekly is not None:
            lo[:, c] = rule.min_weekly
        if rule.max_weekly is not None:
            hi[:, c] = rule.max_weekly
        lows = [v for v in (rule.min_total,) if v is not None]
        highs = [v for v in (rule.max_total,) if v is not None]
        if rule.min_change is not None:
            lows.append(base * (1.0 + rule.min_change))
        if rule.max_change is not None:
            highs.append(base * (1.0 + rule.max_change))
        if lows:
            tot_lo[c] = max(lows)
        if highs:
            tot_hi[c] = min(highs)
        if rule.fixed is not None:
            if not tot_lo[c] - 1e-6 <= rule.fixed <= tot_hi[c] + 1e-6:
                problems.append(
                    f"channel '{name}' is fixed at {_eur(rule.fixed)} but its bounds are "
                    f"{_eur(tot_lo[c])} to {_eur(tot_hi[c])}; change the fixed amount or the bounds"
                )
            tot_lo[c] = tot_hi[c] = rule.fixed
            lo[:, c] = hi[:, c] = rule.fixed / t_len
        if rule.min_roas is not None:
            roas.append((c, rule.min_roas))
    for wb in problem.week_bounds:
        c = idx[wb.channel]
        lo[wb.week, c] = max(lo[wb.week, c], wb.min)
        hi[wb.week, c] = min(hi[wb.week, c], wb.max)
    if problem.min_roas is not None:
        roas.append((None, problem.min_roas))
    if problem.max_cpa is not None and problem.orders_per_revenue:
        # CPA = spend / (revenue * orders_per_revenue) <= max_cpa  <=>  ROAS >= 1 / (opr * cpa)
        roas.append((None, 1.0 / (problem.orders_per_revenue * problem.max_cpa)))

    week_cap = np.full(t_len, np.inf if problem.weekly_cap is None else problem.weekly_cap)
    months: list[tuple[str, tuple[int, ...], float]] = []
    starts = problem.week_starts()
    if problem.monthly_caps and starts is not None:
        for month, cap in sorted(problem.monthly_caps.items()):
            weeks = tuple(i for i, d in enumerate(starts) if f"{d.year:04d}-{d.month:02d}" == month)
            if weeks:
                months.append((month, weeks, float(cap)))

    # --- conflicts with exact figures ---------------------------------------------------------
    for c, name in enumerate(channels):
        if (lo[:, c] > hi[:, c] + 1e-9).any():
            w = int(np.argmax(lo[:, c] > hi[:, c] + 1e-9))
            problems.append(
                f"channel '{name}' week {w}: minimum {_eur(lo[w, c])} > maximum {_eur(hi[w, c])}; "
                "lower the minimum or raise the maximum"
            )
        cell_lo, cell_hi = lo[:, c].sum(), hi[:, c].sum()
        if cell_lo > tot_hi[c] + 1e-6:
            problems.append(
                f"channel '{name}': weekly minimums sum to {_eur(cell_lo)} > its maximum "
                f"{_eur(tot_hi[c])} over the horizon; lower a minimum or raise the maximum"
            )
        if tot_lo[c] > min(tot_hi[c], cell_hi) + 1e-6:
            problems.append(
                f"channel '{name}': minimum {_eur(tot_lo[c])} > maximum "
                f"{_eur(min(tot_hi[c], cell_hi))} over the horizon; lower the minimum or raise "
                "the maximum"
            )
    need = np.maximum(tot_lo, lo.sum(axis=0))
    if need.sum() > problem.budget + 1e-6:
        problems.append(
            f"channel minimums sum to {_eur(need.sum())} > budget {_eur(problem.budget)}; "
            "raise the budget or lower a minimum"
        )
    cap_each = np.minimum(tot_hi, hi.sum(axis=0))
    if (
        BudgetMode(problem.budget_mode) is BudgetMode.EXACT
        and cap_each.sum() < problem.budget - 1e-6
    ):
        problems.append(
            f"channel maximums sum to {_eur(cap_each.sum())} < budget {_eur(problem.budget)} "
            "to spend exactly; lower the budget, raise a maximum or use budget mode up_to"
        )
    for t in range(t_len):
        if lo[t].sum() > week_cap[t] + 1e-6:
            problems.append(
                f"week {t}: channel minimums sum to {_eur(lo[t].sum())} > weekly cap "
                f"{_eur(week_cap[t])}; raise the cap or lower a minimum"
            )
            break
    if BudgetMode(problem.budget_mode) is BudgetMode.EXACT and np.isfinite(week_cap).all():
        room = np.minimum(week_cap, hi.sum(axis=1)).sum()
        if room < problem.budget - 1e-6:
            problems.append(
                f"weekly caps allow at most {_eur(room)} over {t_len} weeks < budget "
                f"{_eur(problem.budget)} to spend exactly; raise the cap, lower the budget or use "
                "budget mode up_to"
            )
    for month, weeks, cap in months:
        m_lo = lo[list(weeks)].sum()
        if m_lo > cap + 1e-6:
            problems.append(
                f"month {month}: channel minimums sum to {_eur(m_lo)} > monthly cap {_eur(cap)}; "
                "raise the cap or lower a minimum"
            )
    if problems:
        raise InfeasibleError("Infeasible allocation: " + "; ".join(problems) + ".")
    # bounds that cross by round-off only (within the tolerances above), e.g. a fixed channel's
    # fixed / n_weeks against an equal week bound, would make the solvers refuse the box
    hi = np.maximum(hi, lo)
    tot_hi = np.maximum(tot_hi, tot_lo)
    if problem.tail_weeks:
        # weeks after the horizon: no spend, their response still counts
        pad = problem.tail_weeks
        lo = np.vstack([lo, np.zeros((pad, c_len))])
        hi = np.vstack([hi, np.zeros((pad, c_len))])
        week_cap = np.concatenate([week_cap, np.full(pad, np.inf)])
    return Resolved(
        lo=lo,
        hi=hi,
        tot_lo=tot_lo,
        tot_hi=tot_hi,
        budget=float(problem.budget),
        exact=BudgetMode(problem.budget_mode) is BudgetMode.EXACT,
        week_cap=week_cap,
        month_groups=tuple(months),
        roas_rules=tuple(roas),
        n_plan=t_len,
    )
