"""Rules as arrays: per-cell bounds, totals, caps, week-to-week limits and the on/off rule.

:func:`resolve` turns an :class:`~optimizer.allocation.problem.AllocationProblem` plus the
model's channels, run-rate and recent history into a :class:`Resolved` that every solver shares,
and detects the common conflicts with exact figures.

The week-to-week limit ``|x[t] - x[t-1]| <= d`` (with ``x[-1]`` the run-rate) is propagated
along each channel's weeks into *implied* per-week bounds ``chain_lo``/``chain_hi``: a week's
spend must be reachable from the run-rate and must leave the later weeks' bounds reachable. The
implied bounds are exact per channel (the pointwise minimum of two plans meeting the limit meets
it too, so the smallest total is the sum of the implied minimums), which makes the up-front
conflict checks exact for one channel at a time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from optimizer.allocation.conflicts import Implied, eur, implied_bounds
from optimizer.allocation.groups import ResolvedGroup, group_conflicts, resolve_groups
from optimizer.allocation.problem import (
    NO_RESTART_ON_SHARE,
    RECENT_WEEKS,
    AllocationProblem,
    BudgetMode,
)
from optimizer.errors import ConfigError, InfeasibleError, did_you_mean

__all__ = ["Resolved", "reference_levels", "resolve"]


@dataclass(frozen=True, eq=False)
class Resolved:
    """A problem as arrays for the solvers (T weeks, C channels), EUR excl. VAT.

    Attributes
    ----------
    lo, hi : numpy.ndarray
        Per-cell bounds from the rules, always-on minimums included, shape (T, C) (``hi`` may be
        ``inf``).
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
    chain_lo, chain_hi : numpy.ndarray
        Per-cell bounds implied by ``lo``/``hi`` and the week-to-week limits, (T, C), inside
        ``lo``/``hi``; equal to them without limits.
    week_change : numpy.ndarray
        Largest change from one week to the next per channel, EUR per week, (C,) (``inf``: none).
    start_level : numpy.ndarray
        The run-rate the first week's change is measured from, EUR per week, (C,).
    floor : numpy.ndarray
        Always-on minimum applied per channel, EUR per week, (C,) (0: none).
    no_restart : numpy.ndarray
        Channels that may not be switched off and on again, bool (C,).
    was_on : numpy.ndarray
        Channels that spent in the last history week, bool (C,).
    on_level : numpy.ndarray
        Under ``no_restart``: spend from which a week counts as on, EUR per week, (C,).
    groups : tuple of ResolvedGroup
        Channel groups: name, channel indices, least and most horizon spend (EUR; 0 and
        ``inf`` when not given).
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
    n_plan: int
    chain_lo: np.ndarray
    chain_hi: np.ndarray
    week_change: np.ndarray
    start_level: np.ndarray
    floor: np.ndarray
    no_restart: np.ndarray
    was_on: np.ndarray
    on_level: np.ndarray
    groups: tuple[ResolvedGroup, ...] = ()

    def finite_hi(self) -> np.ndarray:
        """Per-cell upper bounds made finite with the budget and the totals, shape (T, C)."""
        cap = np.minimum(self.tot_hi[None, :], self.budget)
        cap = np.minimum(cap, self.week_cap[:, None])
        return np.minimum(self.chain_hi, cap)

    def restart_channels(self) -> np.ndarray:
        """Indices of the channels whose on/off pattern the no-restart rule constrains.

        A channel under the rule whose implied minimum is positive in every horizon week is on
        throughout, and one whose implied maximum is 0 throughout is off: neither can restart.
        """
        t = self.n_plan
        always_on = (self.chain_lo[:t] > 0).all(axis=0)
        never_on = (self.chain_hi[:t] <= 0).all(axis=0)
        return np.nonzero(self.no_restart & ~always_on & ~never_on)[0]


def reference_levels(current: np.ndarray, budget: float, n_weeks: int) -> np.ndarray:
    """Run-rate per channel, with the mean run-rate of the spending channels where it is 0.

    Parameters
    ----------
    current : numpy.ndarray
        Weekly run-rate per channel, EUR per week, (C,).
    budget : float
        EUR over the horizon (the reference when no channel spends: budget / (weeks x C)).
    n_weeks : int

    Returns
    -------
    numpy.ndarray
        (C,) EUR per week, > 0 unless the budget is 0.
    """
    current = np.asarray(current, float)
    spending = current[current > 0]
    mean = float(spending.mean()) if spending.size else budget / max(n_weeks * current.size, 1)
    return np.where(current > 0, current, mean)


def resolve(
    problem: AllocationProblem,
    channels: tuple[str, ...],
    current: np.ndarray,
    history: np.ndarray | None = None,
) -> Resolved:
    """Turn rules into arrays and detect the common conflicts with exact figures.

    Parameters
    ----------
    problem : AllocationProblem
    channels : tuple of str
        The model's channels (C).
    current : numpy.ndarray
        Recent weekly run-rate per channel, shape (C,), EUR per week.
    history : numpy.ndarray or None
        Spend of the last historical weeks, (H, C), EUR per week, oldest first (the model's
        ``ResponseCurves.history``): its last :data:`RECENT_WEEKS` weeks decide which channels
        are always on, its last week which channels are on now. ``None``: channels with a
        positive run-rate count as always on and on now.

    Returns
    -------
    Resolved

    Raises
    ------
    ConfigError
        A rule names an unknown channel.
    InfeasibleError
        Rules conflict (minimums above the budget or a maximum, caps below minimums, a week the
        week-to-week limit cannot reach, ...).
    """
    c_len = len(channels)
    current = np.asarray(current, float)
    idx = {c: i for i, c in enumerate(channels)}
    _check_names(problem, channels, idx)
    problems: list[str] = []
    lo, hi, tot_lo, tot_hi, roas = _user_bounds(problem, idx, current, c_len, problems)
    work = _workable(problem, channels, current, history, (lo, hi), tot_hi)
    caps = _caps(problem)
    implied = implied_bounds(
        problem,
        channels,
        current,
        (lo, hi),
        (tot_lo, tot_hi),
        (work.floor, work.week_change),
        caps,
        problems,
    )
    groups = resolve_groups(problem.channel_groups, idx)
    exact = BudgetMode(problem.budget_mode) is BudgetMode.EXACT
    problems.extend(
        group_conflicts(groups, implied.need, implied.cap_each, problem.budget, exact, implied.hint)
    )
    if problems:
        raise InfeasibleError("Infeasible allocation: " + "; ".join(problems) + ".")
    return _finish(problem, current, (lo, hi, tot_lo, tot_hi), roas, work, caps, implied, groups)


def _finish(
    problem: AllocationProblem,
    current: np.ndarray,
    bounds: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    roas: list[tuple[int | None, float]],
    work: _Workable,
    caps: tuple[np.ndarray, list[tuple[str, tuple[int, ...], float]]],
    implied: Implied,
    groups: tuple[ResolvedGroup, ...],
) -> Resolved:
    """The :class:`Resolved` of conflict-free rules: round-off cleared, tail weeks added."""
    lo, hi, tot_lo, tot_hi = bounds
    t_len, c_len = problem.n_weeks, lo.shape[1]
    week_cap, months = caps
    chain_lo, chain_hi = implied.chain_lo, implied.chain_hi
    # bounds that cross by round-off only (within the tolerances above), e.g. a fixed channel's
    # fixed / n_weeks against an equal week bound, would make the solvers refuse the box
    hi = np.maximum(hi, lo)
    chain_hi = np.maximum(chain_hi, chain_lo)
    tot_hi = np.maximum(tot_hi, tot_lo)
    if problem.tail_weeks:
        # weeks after the horizon: no spend, their response still counts
        pad = np.zeros((problem.tail_weeks, c_len))
        lo, hi = np.vstack([lo, pad]), np.vstack([hi, pad])
        chain_lo, chain_hi = np.vstack([chain_lo, pad]), np.vstack([chain_hi, pad])
        week_cap = np.concatenate([week_cap, np.full(problem.tail_weeks, np.inf)])
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
        chain_lo=chain_lo,
        chain_hi=chain_hi,
        week_change=work.week_change,
        start_level=current.copy(),
        floor=work.floor,
        no_restart=work.no_restart,
        was_on=np.asarray(work.was_on, bool),
        on_level=work.on_level,
        groups=groups,
    )


def _check_names(
    problem: AllocationProblem, channels: tuple[str, ...], idx: dict[str, int]
) -> None:
    """Refuse a rule on a channel the model does not have (with a did-you-mean hint)."""
    grouped = [c for g in problem.channel_groups for c in g.channels]
    for name in [*problem.channels, *(wb.channel for wb in problem.week_bounds), *grouped]:
        if name not in idx:
            raise ConfigError(
                f"unknown channel '{name}' in the constraints; the model has "
                f"{', '.join(channels)}.{did_you_mean(name, channels)}"
            )


def _user_bounds(
    problem: AllocationProblem,
    idx: dict[str, int],
    current: np.ndarray,
    c_len: int,
    problems: list[str],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[tuple[int | None, float]]]:
    """The rules as written: cell bounds (T, C), horizon totals (C,) and minimum ROAS rules.

    A fixed amount outside its own bounds is appended to ``problems``.
    """
    t_len = problem.n_weeks
    lo = np.zeros((t_len, c_len))
    hi = np.full((t_len, c_len), np.inf)
    tot_lo = np.zeros(c_len)
    tot_hi = np.full(c_len, np.inf)
    roas: list[tuple[int | None, float]] = []
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
                    f"channel '{name}' is fixed at {eur(rule.fixed)} but its bounds are "
                    f"{eur(tot_lo[c])} to {eur(tot_hi[c])}; change the fixed amount or the bounds"
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
    return lo, hi, tot_lo, tot_hi, roas


@dataclass(frozen=True, eq=False)
class _Workable:
    """The workable-plan rules per channel (C,) each: see :class:`Resolved`."""

    floor: np.ndarray
    week_change: np.ndarray
    no_restart: np.ndarray
    was_on: np.ndarray
    on_level: np.ndarray


def _workable(
    problem: AllocationProblem,
    channels: tuple[str, ...],
    current: np.ndarray,
    history: np.ndarray | None,
    cells: tuple[np.ndarray, np.ndarray],
    tot_hi: np.ndarray,
) -> _Workable:
    """Workable-plan defaults (explicit rules win); raises the cell minimums (``cells[0]``)."""
    t_len, c_len = problem.n_weeks, len(channels)
    lo, hi = cells
    rules = [problem.channels.get(name) for name in channels]
    fixed = np.array([r is not None and r.fixed is not None for r in rules], bool)
    recent = None if history is None else np.asarray(history, float)[-RECENT_WEEKS:]
    if recent is None or recent.shape[0] == 0:
        always_on = np.asarray(current > 0)
        was_on = always_on.copy()
    else:
        always_on = np.asarray((recent > 0).all(axis=0))
        was_on = np.asarray(recent[-1] > 0)
    ref = reference_levels(current, problem.budget, t_len)
    floor = np.zeros(c_len)
    share = problem.always_on_min_share
    if share is not None:
        for c, own_rule in enumerate(rules):
            explicit = own_rule is not None and own_rule.min_weekly is not None
            if not always_on[c] or explicit or fixed[c]:
                continue
            level = share * float(current[c])
            if np.isfinite(tot_hi[c]):
                level = min(level, tot_hi[c] / t_len)  # an explicit horizon maximum wins
            floor[c] = level
            # a weekly maximum or a week bound below the minimum wins in its weeks
            lo[:, c] = np.maximum(lo[:, c], np.minimum(level, hi[:, c]))
    week_change = np.full(c_len, np.inf)
    for c, own_rule in enumerate(rules):
        own = None if own_rule is None else own_rule.max_week_change
        frac = own if own is not None else problem.max_week_change
        if frac is not None and math.isfinite(frac) and not fixed[c]:  # inf: no limit
            week_change[c] = frac * ref[c]
    no_restart = (
        np.array(
            [
                (r.no_restart if r is not None and r.no_restart is not None else problem.no_restart)
                for r in rules
            ],
            bool,
        )
        & ~fixed
    )
    on_share = share if share is not None else NO_RESTART_ON_SHARE
    on_level = np.minimum(on_share * ref, week_change)

    return _Workable(floor, week_change, no_restart, was_on, on_level)


def _caps(
    problem: AllocationProblem,
) -> tuple[np.ndarray, list[tuple[str, tuple[int, ...], float]]]:
    """Cap per week (T,) (``inf``: none) and the monthly caps (label, week indices, cap)."""
    t_len = problem.n_weeks
    week_cap = np.full(t_len, np.inf if problem.weekly_cap is None else problem.weekly_cap)
    months: list[tuple[str, tuple[int, ...], float]] = []
    starts = problem.week_starts()
    if problem.monthly_caps and starts is not None:
        for month, cap in sorted(problem.monthly_caps.items()):
            weeks = tuple(i for i, d in enumerate(starts) if f"{d.year:04d}-{d.month:02d}" == month)
            if weeks:
                months.append((month, weeks, float(cap)))
    return week_cap, months
