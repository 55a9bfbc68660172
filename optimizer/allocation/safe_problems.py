"""The problems a safe plan is searched in: data bounds, trust-region steps, pinned plans.

Also the paired lift every candidate is judged by and the split of the posterior samples into
a choosing and a held-out half (see :mod:`optimizer.allocation.safe`).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from optimizer.allocation.polytope import linear_rows
from optimizer.allocation.problem import AllocationProblem, ChannelRule, WeekBound
from optimizer.allocation.resolve import resolve
from optimizer.allocation.safe_result import DEFAULT_RULE, ChannelBound, SafeRule
from optimizer.curves import ResponseCurves
from optimizer.errors import ConfigError, InfeasibleError

__all__ = [
    "bounded",
    "data_bounds",
    "feasible_for",
    "paired_lift",
    "pinned",
    "reference_plan",
    "split_samples",
    "without_workable",
]


def split_samples(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two disjoint halves of ``range(n)`` (seeded permutation), sorted: (choose, report)."""
    if n < 4:
        raise ConfigError(f"a safe plan needs at least 4 posterior samples, got {n}.")
    perm = np.random.default_rng(seed).permutation(n)
    return np.sort(perm[: n // 2]), np.sort(perm[n // 2 :])


def paired_lift(
    curves: ResponseCurves, problem: AllocationProblem, plan: np.ndarray, today: np.ndarray
) -> np.ndarray:
    """Value of ``plan`` minus value of ``today`` on each posterior sample, (S,), EUR.

    The value is the problem's objective (``a * revenue - b * spend``, week weights included),
    with the carry-over of the history in both plans.
    """
    a, b = problem.value_coefficients
    ww = problem.weights_for(plan.shape[0])
    gain = curves.total(plan, ww) - curves.total(today, ww)
    return a * gain - b * (float(np.sum(plan)) - float(np.sum(today)))


def reference_plan(
    curves: ResponseCurves, problem: AllocationProblem, today: np.ndarray
) -> np.ndarray:
    """Today's plan scaled to the budget: levers share what the sales-driven channels leave."""
    ref = np.array(today, float)
    lever = np.array([c not in curves.follows_sales for c in curves.channels])
    fixed = float(ref[:, ~lever].sum())
    moving = float(ref[:, lever].sum())
    target = problem.budget - fixed
    if moving > 0 and target > 0:
        exact = problem.budget_mode == "exact"
        scale = target / moving if exact or target < moving else 1.0
        ref[:, lever] *= scale
    return ref


def _eur(x: float) -> str:
    """EUR amount for reasons (no limit when infinite), thousands separated by spaces."""
    return "no limit" if not math.isfinite(x) else f"{x:,.0f} EUR".replace(",", " ")


def data_bounds(
    curves: ResponseCurves,
    reference: np.ndarray,
    rule: SafeRule = DEFAULT_RULE,
) -> tuple[ChannelBound, ...]:
    """Per-channel bounds derived from the model and the history, each explained.

    Parameters
    ----------
    curves : ResponseCurves
        Posterior response (its marginal ROAS spread and how far the data reach).
    reference : numpy.ndarray
        Today's plan scaled to the budget, (T, C) EUR per week.
    rule : SafeRule
        ``max_move``, ``min_move`` and ``reach_extension``.

    Returns
    -------
    tuple of ChannelBound
    """
    weekly = reference.mean(axis=0)
    mr = curves.marginal_roas(weekly)  # (S, C)
    q05, q50, q95 = np.quantile(mr, [0.05, 0.5, 0.95], axis=0)
    reach = curves.reach()
    out = []
    for c, name in enumerate(curves.channels):
        total = float(reference[:, c].sum())
        width = (q95[c] - q05[c]) / max(abs(q50[c]), 1e-9)
        ident = float(np.clip(1.0 - width / 2.0, 0.0, 1.0))
        mr_txt = f"marginal ROAS {q05[c]:.1f}-{q95[c]:.1f}"
        if name in curves.follows_sales:
            out.append(
                ChannelBound(
                    name,
                    False,
                    total,
                    total,
                    total,
                    math.inf,
                    ident,
                    float(q05[c]),
                    float(q50[c]),
                    float(q95[c]),
                    float(reach[c]),
                    f"{name}: kept at today's spend ({_eur(total)}): its cost follows sales "
                    "(a commission), so it is not a budget lever",
                )  # fmt: skip
            )
            continue
        move = rule.min_move + (rule.max_move - rule.min_move) * ident
        cap = max(float(reach[c]) * (1.0 + rule.reach_extension * ident), float(weekly[c]))
        if total <= 0:
            reason = (
                f"{name}: not used today, kept at 0 EUR (the model has no recent spend to "
                "measure it at)"
            )
            lo = hi = 0.0
        else:
            lo, hi = total * (1.0 - move), total * (1.0 + move)
            reason = (
                f"{name}: within ±{move:.0%} of today's spend over the horizon "
                f"({_eur(lo)} to {_eur(hi)}): {mr_txt} (identification {ident:.0%}); at most "
                f"{_eur(cap)} a week (the history reached {_eur(float(reach[c]))} a week "
                "after carry-over)"
            )
        out.append(
            ChannelBound(
                name,
                True,
                total,
                lo,
                hi,
                cap,
                ident,
                float(q05[c]),
                float(q50[c]),
                float(q95[c]),
                float(reach[c]),
                reason,
            )  # fmt: skip
        )
    return tuple(out)


def bounded(
    problem: AllocationProblem, bounds: tuple[ChannelBound, ...], step: float
) -> AllocationProblem:
    """The problem with each channel's data bound (scaled by ``step``) added to its rules."""
    rules = dict(problem.channels)
    for b in bounds:
        user = rules.get(b.channel, ChannelRule())
        if user.fixed is not None:
            continue
        if not b.lever:
            rules[b.channel] = dataclasses.replace(user, fixed=b.reference_total)
            continue
        half = (b.max_total - b.reference_total) * step
        lo = max(b.reference_total - half, 0.0)
        hi = b.reference_total + half
        rules[b.channel] = dataclasses.replace(
            user,
            min_total=max(user.min_total or 0.0, lo),
            max_total=min(user.max_total if user.max_total is not None else math.inf, hi),
            max_weekly=min(
                user.max_weekly if user.max_weekly is not None else math.inf, b.max_weekly
            ),
        )
    return dataclasses.replace(problem, channels=rules)


def pinned(problem: AllocationProblem, plan: np.ndarray, channels: tuple[str, ...]):
    """The problem with every cell of its horizon pinned to ``plan`` (to account a given plan)."""
    bounds = tuple(
        WeekBound(channel=ch, week=t, min=float(plan[t, c]), max=float(plan[t, c]))
        for t in range(problem.n_weeks)
        for c, ch in enumerate(channels)
    )
    return dataclasses.replace(
        problem,
        budget=float(plan.sum()),
        budget_mode="exact",
        channels={},
        week_bounds=bounds,
        min_roas=None,
        max_cpa=None,
        weekly_cap=None,
        monthly_caps={},
        max_week_change=None,
        always_on_min_share=None,
        no_restart=False,
    )


def without_workable(problem: AllocationProblem) -> AllocationProblem:
    """The problem without the workable-plan rules (week-to-week change, always-on, restarts)."""
    return dataclasses.replace(
        problem,
        max_week_change=None,
        always_on_min_share=None,
        no_restart=False,
        channels={
            ch: dataclasses.replace(r, max_week_change=None, no_restart=None)
            for ch, r in problem.channels.items()
        },
    )


def feasible_for(problem: AllocationProblem, curves: ResponseCurves, plan: np.ndarray) -> bool:
    """Whether a plan meets the problem's linear rules (budget, bounds, caps)."""
    try:
        res = resolve(problem, curves.channels, curves.current, curves.history)
    except InfeasibleError:
        return False
    full = np.zeros(res.lo.shape)
    full[: problem.n_weeks] = plan
    tol = 1e-6 * max(res.budget, 1.0) + 1e-3
    return linear_rows(res).violation(full) <= tol
