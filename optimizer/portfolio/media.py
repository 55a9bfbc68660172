"""One media allocation over shop x channel x week under the group budget.

The shops' response curves are stacked into one :class:`~optimizer.curves.ResponseCurves`
whose channels are ``shop/channel``; each shop's budget range (its rules: change vs its today,
share of the group budget) is a :class:`~optimizer.allocation.ChannelGroup` on its channels,
and the plan is the safe planner's (:func:`~optimizer.allocation.safe.safe_allocate`) with the
workable defaults that scenarios use, so the group's media plan is never worse than today's
under the model's doubt.

One euro of incremental revenue is not worth the same in every shop (margins and logistics
differ): each shop's curves are scaled by its contribution rate relative to a reference rate,
and the problem values revenue at that reference rate, so that the allocation's objective is
the sum of the shops' contributions after media. Sample ``s`` of the stacked curves is sample
``s`` of every shop (independent fits: independent draws side by side; a pooled model's joint
draws stay joint).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.allocation import AllocationProblem, ChannelGroup, allocate
from optimizer.allocation.constraints_file import default_constraints
from optimizer.allocation.safe import SafeRule, safe_allocate
from optimizer.curves import ResponseCurves
from optimizer.errors import ConfigError

__all__ = ["SEP", "MediaPlan", "StackedCurves", "plan_media", "split_plan", "stack_curves"]

#: Separator of shop and channel in the stacked channel names (``maison/sea``).
SEP = "/"


@dataclass(frozen=True, eq=False)
class StackedCurves:
    """The shops' curves side by side.

    Attributes
    ----------
    curves : ResponseCurves
        Channels ``shop/channel``; each shop's maximum effects scaled by ``scale[shop]``.
    columns : dict of str to slice
        Each shop's columns in a stacked plan.
    scale : dict of str to float
        Factor applied to each shop's maximum effects (its contribution rate over the
        reference rate).
    """

    curves: ResponseCurves
    columns: dict[str, slice]
    scale: dict[str, float]

    @property
    def shops(self) -> tuple[str, ...]:
        """Shops, in column order."""
        return tuple(self.columns)


def _pad_lags(w: np.ndarray, lags: int) -> np.ndarray:
    """Adstock weights (S, C, L) padded with zero weights to ``lags``."""
    return np.pad(w, ((0, 0), (0, 0), (0, lags - w.shape[2])))


def _pad_history(h: np.ndarray, rows: int) -> np.ndarray:
    """History (H, C) extended to ``rows`` by repeating its oldest week (weight 0 there).

    Repeating (not zeros) keeps the always-on reading of the recent weeks.
    """
    return np.pad(h, ((rows - h.shape[0], 0), (0, 0)), mode="edge") if len(h) else h


def stack_curves(
    curves: Mapping[str, ResponseCurves], scale: Mapping[str, float] | None = None
) -> StackedCurves:
    """Stack the shops' response curves into one set with channels ``shop/channel``.

    Parameters
    ----------
    curves : mapping of str to ResponseCurves
        Per shop, in order; the same number of samples each.
    scale : mapping of str to float, optional
        Factor on each shop's maximum effects (default 1).

    Returns
    -------
    StackedCurves

    Raises
    ------
    ConfigError
        The shops' curves have different numbers of samples, or a shop name holds the
        separator.
    """
    shops = list(curves)
    sizes = {s: c.n_samples for s, c in curves.items()}
    if len(set(sizes.values())) != 1:
        raise ConfigError(f"the shops' response curves must have as many samples each: {sizes}.")
    bad = [s for s in shops if SEP in s]
    if bad:
        raise ConfigError(f"shop name '{bad[0]}' contains '{SEP}'; rename the shop.")
    factor = {s: float((scale or {}).get(s, 1.0)) for s in shops}
    lags = max(c.max_lag for c in curves.values())
    rows = max(c.history.shape[0] for c in curves.values())
    parts = [curves[s] for s in shops]
    columns, start = {}, 0
    for s, c in zip(shops, parts, strict=True):
        columns[s] = slice(start, start + len(c.channels))
        start += len(c.channels)
    stacked = ResponseCurves(
        channels=tuple(
            f"{s}{SEP}{ch}" for s, c in zip(shops, parts, strict=True) for ch in c.channels
        ),
        weights=np.concatenate([_pad_lags(c.weights, lags) for c in parts], axis=1),
        saturation=tuple(k for c in parts for k in c.saturation),
        params=np.concatenate([c.params for c in parts], axis=1),
        beta=np.concatenate(
            [c.beta * factor[s] for s, c in zip(shops, parts, strict=True)], axis=1
        ),
        history=np.concatenate([_pad_history(c.history, rows) for c in parts], axis=1),
        current=np.concatenate([c.current for c in parts]),
        observed_max=np.concatenate([c.reach() for c in parts]),
        follows_sales=tuple(
            f"{s}{SEP}{ch}" for s, c in zip(shops, parts, strict=True) for ch in c.follows_sales
        ),
    )
    return StackedCurves(stacked, columns, factor)


def split_plan(stacked: StackedCurves, plan: np.ndarray) -> dict[str, np.ndarray]:
    """A stacked plan (T, sum C) cut into each shop's (T, C_shop), EUR per week."""
    plan = np.asarray(plan, float)
    return {s: plan[:, cols].copy() for s, cols in stacked.columns.items()}


@dataclass(frozen=True, eq=False)
class MediaPlan:
    """The group's media plan and how it was chosen.

    Attributes
    ----------
    plan : pandas.DataFrame
        Weeks x ``shop/channel``, EUR per week.
    problem : AllocationProblem
        The problem solved (group budget, shop groups, workable rules).
    safety : dict
        The safe planner's summary (chosen candidate, promise, bounds) or, without the safety
        rule, the solver's status and gap.
    """

    plan: pd.DataFrame
    problem: AllocationProblem
    safety: dict[str, object]


def group_problem(
    stacked: StackedCurves,
    *,
    budget: float,
    n_weeks: int,
    start: pd.Timestamp,
    margin_rate: float,
    bounds: Mapping[str, tuple[float, float]],
    seed: int,
) -> AllocationProblem:
    """The group's allocation problem: workable defaults, one channel group per shop.

    Parameters
    ----------
    stacked : StackedCurves
    budget : float
        Group media budget over the horizon, EUR excl. VAT (spent exactly).
    n_weeks : int
    start : pandas.Timestamp
        First horizon week.
    margin_rate : float
        The reference contribution rate the stacked curves are scaled to, in (0, 1).
    bounds : mapping of str to (float, float)
        Each shop's budget range over the horizon, EUR.
    seed : int
    """
    groups = tuple(
        ChannelGroup(
            name=shop,
            channels=stacked.curves.channels[stacked.columns[shop]],
            min_total=float(bounds[shop][0]),
            max_total=float(bounds[shop][1]),
        )
        for shop in stacked.shops
    )
    return AllocationProblem(
        budget=float(budget),
        n_weeks=n_weeks,
        start=pd.Timestamp(start).date(),
        objective="contribution",
        margin_rate=float(margin_rate),
        seed=seed,
        channel_groups=groups,
        **default_constraints(stacked.curves.channels),
    )


def plan_media(
    stacked: StackedCurves,
    problem: AllocationProblem,
    today: np.ndarray,
    rule: SafeRule | None,
) -> MediaPlan:
    """The group's media plan: safe (``rule``) or the posterior optimum under the rules.

    Parameters
    ----------
    stacked : StackedCurves
        The curves to plan on (the choosing half of the samples in a safe run).
    problem : AllocationProblem
        From :func:`group_problem`.
    today : numpy.ndarray
        Today's plan, (T, sum C), EUR per week.
    rule : SafeRule or None
        The safety rule; None plans on the rules alone.

    Returns
    -------
    MediaPlan
    """
    if rule is None:
        res = allocate(stacked.curves, problem)
        info: dict[str, object] = {"mode": "free", "status": res.status.value, "gap": res.rel_gap}
        return MediaPlan(res.plan, problem, info)
    safe = safe_allocate(stacked.curves, problem, rule=rule, today=today)
    info = {"mode": "safe", **safe.summary()}
    kept = dataclasses.replace(problem, channels=safe.problem.channels)
    return MediaPlan(safe.plan, kept, info)
