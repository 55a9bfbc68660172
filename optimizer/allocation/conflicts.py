"""Conflicts between allocation rules, found up front with exact figures (see :mod:`.resolve`).

The week-to-week limit is propagated along each channel's weeks into implied per-week bounds
(:func:`_propagate`); the implied minimums and maximums are then checked against each other,
the channel totals, the budget and the weekly and monthly caps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.allocation.problem import AllocationProblem, BudgetMode

__all__ = ["Implied", "eur", "implied_bounds"]


def eur(x: float) -> str:
    """EUR amount for messages, thousands separated."""
    return f"{x:,.0f} EUR"


@dataclass(frozen=True, eq=False)
class Implied:
    """Bounds implied by the rules together, for the conflict checks and the solvers.

    Attributes
    ----------
    chain_lo, chain_hi : numpy.ndarray
        Per-cell bounds implied by the cell bounds and the week-to-week limits, (T, C).
    need : numpy.ndarray
        Least horizon spend per channel, (C,), EUR.
    cap_each : numpy.ndarray
        Most horizon spend per channel, (C,), EUR.
    hint : str
        Which workable-plan rules the minimums count (for messages), or empty.
    """

    chain_lo: np.ndarray
    chain_hi: np.ndarray
    need: np.ndarray
    cap_each: np.ndarray
    hint: str


def implied_bounds(
    problem: AllocationProblem,
    channels: tuple[str, ...],
    current: np.ndarray,
    cells: tuple[np.ndarray, np.ndarray],
    totals: tuple[np.ndarray, np.ndarray],
    workable: tuple[np.ndarray, np.ndarray],
    caps: tuple[np.ndarray, list[tuple[str, tuple[int, ...], float]]],
    problems: list[str],
) -> Implied:
    """Propagate the week-to-week limits and append every conflict, in words, to ``problems``.

    Parameters
    ----------
    problem : AllocationProblem
    channels : tuple of str
    current : numpy.ndarray
        Run-rate per channel, (C,) EUR per week.
    cells : (lo, hi)
        Per-cell bounds, (T, C) each.
    totals : (tot_lo, tot_hi)
        Per-channel horizon bounds, (C,) each.
    workable : (floor, week_change)
        Always-on minimums and week-to-week limits per channel, (C,) each.
    caps : (week_cap, months)
        Cap per week (T,) and monthly caps (label, weeks, cap).
    problems : list of str
        Conflicts found so far; those found here are appended.
    """
    lo, hi = cells
    tot_lo, tot_hi = totals
    floor, week_change = workable
    chain_lo, chain_hi = lo.copy(), hi.copy()
    for c, name in enumerate(channels):
        problems.extend(
            _channel_conflicts(
                name,
                (lo[:, c], hi[:, c]),
                (chain_lo[:, c], chain_hi[:, c]),
                (float(tot_lo[c]), float(tot_hi[c])),
                float(current[c]),
                (float(floor[c]), float(week_change[c])),
            )
        )
    hint = _hint(bool((floor > 0).any()), bool(np.isfinite(week_change).any()))
    need = np.maximum(tot_lo, chain_lo.sum(axis=0))
    cap_each = np.minimum(tot_hi, chain_hi.sum(axis=0))
    implied = Implied(chain_lo, chain_hi, need, cap_each, hint)
    problems.extend(_budget_conflicts(problem, implied, caps, bool(np.isfinite(week_change).any())))
    return implied


def _channel_conflicts(
    name: str,
    cell: tuple[np.ndarray, np.ndarray],
    chain: tuple[np.ndarray, np.ndarray],
    total: tuple[float, float],
    start: float,
    workable: tuple[float, float],
) -> list[str]:
    """One channel's conflicts; tightens its ``chain`` bounds (views) by the week-to-week limit."""
    (lo, hi), (tot_lo, tot_hi), (floor, week_change) = cell, total, workable
    if (lo > hi + 1e-9).any():
        w = int(np.argmax(lo > hi + 1e-9))
        return [
            f"channel '{name}' week {w}: minimum {eur(lo[w])} > maximum {eur(hi[w])}; "
            "lower the minimum or raise the maximum"
        ]
    if np.isfinite(week_change):
        msg = _propagate(chain[0], chain[1], start, week_change)
        if msg:
            return [f"channel '{name}' {msg}"]
    out = []
    cell_lo, cell_hi = chain[0].sum(), chain[1].sum()
    if cell_lo > tot_hi + 1e-6:
        out.append(
            f"channel '{name}': weekly minimums sum to {eur(cell_lo)} > its maximum "
            f"{eur(tot_hi)} over the horizon; lower a minimum or raise the maximum"
            + _hint(floor > 0, np.isfinite(week_change))
        )
    if tot_lo > min(tot_hi, cell_hi) + 1e-6:
        out.append(
            f"channel '{name}': minimum {eur(tot_lo)} > maximum "
            f"{eur(min(tot_hi, cell_hi))} over the horizon; lower the minimum or raise "
            "the maximum" + _hint(False, np.isfinite(week_change))
        )
    return out


def _budget_conflicts(
    problem: AllocationProblem,
    implied: Implied,
    caps: tuple[np.ndarray, list[tuple[str, tuple[int, ...], float]]],
    limits: bool,
) -> list[str]:
    """Conflicts of the channels' implied minimums and maximums with the budget and the caps."""
    chain_lo, chain_hi, need, cap_each, hint = (
        implied.chain_lo,
        implied.chain_hi,
        implied.need,
        implied.cap_each,
        implied.hint,
    )
    week_cap, months = caps
    t_len = chain_lo.shape[0]
    exact = BudgetMode(problem.budget_mode) is BudgetMode.EXACT
    out = []
    if need.sum() > problem.budget + 1e-6:
        out.append(
            f"channel minimums sum to {eur(need.sum())} > budget {eur(problem.budget)}; "
            "raise the budget or lower a minimum" + hint
        )
    if exact and cap_each.sum() < problem.budget - 1e-6:
        out.append(
            f"channel maximums sum to {eur(cap_each.sum())} < budget {eur(problem.budget)} "
            "to spend exactly; lower the budget, raise a maximum or use budget mode up_to"
            + _hint(False, limits)
        )
    for t in range(t_len):
        if chain_lo[t].sum() > week_cap[t] + 1e-6:
            out.append(
                f"week {t}: channel minimums sum to {eur(chain_lo[t].sum())} > weekly cap "
                f"{eur(week_cap[t])}; raise the cap or lower a minimum" + hint
            )
            break
    if exact and np.isfinite(week_cap).all():
        room = np.minimum(week_cap, chain_hi.sum(axis=1)).sum()
        if room < problem.budget - 1e-6:
            out.append(
                f"weekly caps allow at most {eur(room)} over {t_len} weeks < budget "
                f"{eur(problem.budget)} to spend exactly; raise the cap, lower the budget or use "
                "budget mode up_to"
            )
    for month, weeks, cap in months:
        m_lo = chain_lo[list(weeks)].sum()
        if m_lo > cap + 1e-6:
            out.append(
                f"month {month}: channel minimums sum to {eur(m_lo)} > monthly cap {eur(cap)}; "
                "raise the cap or lower a minimum" + hint
            )
    return out


def _hint(floors: bool, limits: bool) -> str:
    """Which workable-plan rules a minimum counts, and how to relax them (or nothing)."""
    parts = [
        p
        for p, on in (("always-on minimums", floors), ("week-to-week change limits", limits))
        if on
    ]
    if not parts:
        return ""
    keys = [k for k, on in (("always_on_min_share", floors), ("max_week_change", limits)) if on]
    return (
        f" (counting the {' and '.join(parts)}: the workable-plan rules {', '.join(keys)}, on by "
        "default in allocate and scenarios; set them higher or to false to relax them)"
    )


def _propagate(lo: np.ndarray, hi: np.ndarray, start: float, step: float) -> str:
    """Tighten one channel's weekly bounds in place by the week-to-week limit ``step``.

    Forward, each week must be reachable from the run-rate ``start``; backward, each week must
    reach the next week's bounds. Returns a message (after the channel name) when a week cannot
    be reached, else an empty string.
    """
    a, b = start - step, start + step
    for t in range(len(lo)):
        lo_t, hi_t = max(lo[t], a), min(hi[t], b)
        if lo_t > hi_t + 1e-6 * max(1.0, abs(hi_t)):
            return (
                f"week {t}: its bounds {eur(lo[t])} to {eur(hi[t])} cannot be reached from the "
                f"run-rate {eur(start)} with the week-to-week change limit of {eur(step)} per "
                "week; raise max_week_change or relax that week's bounds"
            )
        lo[t], hi[t] = lo_t, max(hi_t, lo_t)
        a, b = lo[t] - step, hi[t] + step
    for t in range(len(lo) - 2, -1, -1):
        lo[t] = max(lo[t], lo[t + 1] - step)
        hi[t] = min(hi[t], hi[t + 1] + step)
    np.maximum(lo, 0.0, out=lo)
    return ""
