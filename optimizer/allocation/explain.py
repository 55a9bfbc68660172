"""Which constraints bind at a plan, in words a media manager reads."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from optimizer.allocation.conflicts import eur as _eur
from optimizer.allocation.polytope import LinearRows
from optimizer.allocation.problem import AllocationProblem
from optimizer.allocation.resolve import Resolved

__all__ = ["binding_constraints"]


def binding_constraints(
    plan: np.ndarray,
    problem: AllocationProblem,
    res: Resolved,
    rows: LinearRows,
    channels: tuple[str, ...],
    mean_weekly_revenue: np.ndarray,
    rel_tol: float = 1e-4,
) -> tuple[str, ...]:
    """List the constraints at their limit.

    Parameters
    ----------
    plan : numpy.ndarray
        (T, C) EUR per week.
    problem, res, rows
        The problem, resolved and as rows.
    channels : tuple of str
    mean_weekly_revenue : numpy.ndarray
        Posterior-mean incremental revenue of the plan, (T, C) EUR (for ROAS rules).
    rel_tol : float
        Slack below ``rel_tol * budget`` (EUR) counts as binding.

    Returns
    -------
    tuple of str
    """
    tol = rel_tol * max(res.budget, 1.0)
    starts = problem.week_starts()

    def week_name(t: int) -> str:
        return f"week {t}" + (f" ({starts[t]})" if starts else "")

    out = _row_limits(plan, res, rows, channels, tol, week_name)
    t_len = res.n_plan or plan.shape[0]
    plan = plan[:t_len]
    cell_tol = tol / t_len
    out += _cell_limits(plan, res, channels, cell_tol)
    if rows.onoff is not None:
        on = rows.onoff.pattern(plan, cell_tol)
        for k, c in enumerate(rows.onoff.channels.tolist()):
            off = np.nonzero(~on[:, k])[0]
            if len(off) and on[:, k].any():
                last_on = int(np.nonzero(on[:, k])[0].max())
                if last_on < t_len - 1:
                    out.append(
                        f"{channels[c]}: switched off from {week_name(last_on + 1)} and not "
                        "restarted (no_restart)"
                    )
    for ci, rho in res.roas_rules:
        spend = plan.sum() if ci is None else plan[:, ci].sum()
        rev = mean_weekly_revenue.sum() if ci is None else mean_weekly_revenue[:, ci].sum()
        if spend > 0 and rev / spend <= rho * (1 + 1e-3):
            who = "overall" if ci is None else f"on '{channels[ci]}'"
            out.append(f"minimum ROAS {rho:.3g} {who} reached (ROAS {rev / spend:.3g})")
    return tuple(out)


def _row_limits(
    plan: np.ndarray,
    res: Resolved,
    rows: LinearRows,
    channels: tuple[str, ...],
    tol: float,
    week_name: Callable[[int], str],
) -> list[str]:
    """The linear rows at their limit: budget, channel and group totals, caps, week changes."""
    out: list[str] = []
    slack = rows.slack(plan)
    week_change: dict[int, list[int]] = {}
    for i, name in enumerate(rows.names):
        if rows.equality[i]:
            if name == "budget":
                out.append(f"budget: spends exactly {_eur(res.budget)}")
            continue
        if slack[i] > tol:
            continue
        if name == "budget":
            out.append(f"budget: spends the whole {_eur(res.budget)} (up to)")
        elif name.startswith("channel "):
            _, ci_text, kind = name.split()
            c = int(ci_text)
            amount = res.tot_lo[c] if kind == "minimum" else res.tot_hi[c]
            out.append(f"channel '{channels[c]}' at its {kind} of {_eur(amount)} over the horizon")
        elif name.startswith("group "):
            _, gi_text, kind = name.split()
            g_name, _, g_lo, g_hi = res.groups[int(gi_text)]
            amount = g_lo if kind == "minimum" else g_hi
            out.append(f"group '{g_name}' at its {kind} of {_eur(amount)} over the horizon")
        elif name.startswith("weekly cap "):
            t = int(name.split()[-1])
            out.append(f"weekly cap of {_eur(res.week_cap[t])} reached in {week_name(t)}")
        elif name.startswith("monthly cap "):
            month = name.split()[-1]
            cap = next(c for m, _, c in res.month_groups if m == month)
            out.append(f"monthly cap of {_eur(cap)} reached in {month}")
        elif name.startswith("week change "):
            _, _, ci_text, t_text, _ = name.split()
            week_change.setdefault(int(ci_text), []).append(int(t_text))
    for c, weeks in sorted(week_change.items()):
        out.append(
            f"{channels[c]}: week-to-week change limit ({_eur(res.week_change[c])}) binds in "
            f"{_weeks_text(sorted(set(weeks)), week_name)}"
        )
    return out


def _weeks_text(weeks: list[int], week_name: Callable[[int], str]) -> str:
    """``week 3 (date)`` for one week, ``weeks 1, 2 and 5`` for several."""
    if len(weeks) == 1:
        return week_name(weeks[0])
    nums = [str(t) for t in weeks]
    return "weeks " + ", ".join(nums[:-1]) + " and " + nums[-1]


def _cell_limits(
    plan: np.ndarray, res: Resolved, channels: tuple[str, ...], cell_tol: float
) -> list[str]:
    """Per channel: fixed, weeks at zero, at the always-on or weekly minimum, at the maximum."""
    out: list[str] = []
    t_len = plan.shape[0]
    for c, ch in enumerate(channels):
        if res.tot_lo[c] == res.tot_hi[c]:
            out.append(f"channel '{ch}' fixed at {_eur(res.tot_lo[c])}")
            continue
        lo, hi, x = res.lo[:t_len, c], res.hi[:t_len, c], plan[:, c]
        zero = int(((lo == 0) & (x <= cell_tol)).sum())
        at_min = (lo > 0) & (x <= lo + cell_tol)
        floor = res.floor[c]
        on_floor = at_min & (floor > 0) & np.isclose(lo, floor, rtol=1e-9, atol=1e-9)
        at_hi = int((np.isfinite(hi) & (x >= hi - cell_tol)).sum())
        if zero:
            out.append(f"channel '{ch}' at zero spend in {zero} of {t_len} weeks")
        if on_floor.any():
            out.append(
                f"{ch}: always-on minimum ({_eur(floor)} per week) binds in "
                f"{int(on_floor.sum())} of {t_len} weeks"
            )
        if (at_min & ~on_floor).any():
            out.append(
                f"channel '{ch}' at its weekly minimum in {int((at_min & ~on_floor).sum())} of "
                f"{t_len} weeks"
            )
        if at_hi:
            out.append(f"channel '{ch}' at its weekly maximum in {at_hi} of {t_len} weeks")
    return out
