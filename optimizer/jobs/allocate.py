"""Plan a media budget from a model or curves file: the one library call of ``optimizer allocate``.

:func:`plan_media` loads the curves, builds the :class:`~optimizer.allocation.AllocationProblem`
of an :class:`AllocateRequest`, solves it (safe or free mode), computes the optional efficient
frontier and the ``summary.json`` dictionary; the caller hands the :class:`MediaPlanRun` to
:func:`optimizer.report.allocation_writer.write_allocation`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.allocation import AllocationProblem, AllocationResult, Risk, allocate
from optimizer.allocation.constraints_file import plan_rules
from optimizer.allocation.frontier import frontier
from optimizer.allocation.safe import SafeRule, safe_allocate
from optimizer.allocation.safe_result import SafeResult
from optimizer.allocation.today import read_plan_csv
from optimizer.curves import ResponseCurves
from optimizer.errors import InfeasibleError
from optimizer.mmm.folder import load_curves_and_last_week
from optimizer.report.allocation_writer import allocation_summary

__all__ = ["AllocateRequest", "MediaPlanRun", "plan_media"]


@dataclass(frozen=True)
class AllocateRequest:
    """What to plan: the options of ``optimizer allocate``.

    Attributes
    ----------
    budget : float
        Media budget over the horizon, EUR excl. VAT.
    weeks : int
        Horizon, in weeks.
    model, curves : Path or None
        Exactly one: a fitted model folder, or a :class:`ResponseCurves` JSON file.
    start : date or None
        Monday of the first week; None: the week after the model's history (undated with
        curves).
    constraints : Path or None
        Constraints TOML; None for the workable defaults.
    objective : str
        ``revenue``, ``margin`` or ``contribution``.
    margin_rate : float or None
        Gross margin per EUR of revenue (required unless ``objective`` is ``revenue``).
    risk : str
        Risk measure of the objective (``mean``, ``cvar10`` ...).
    frontier : tuple of float or None
        Budget multipliers of the efficient frontier (> 0); None for no frontier.
    method : str
        ``auto``, ``lp`` or ``nonlinear``.
    tail_weeks : int
        Weeks after the horizon whose carry-over response also counts.
    mode : str
        ``safe`` (beat today's plan with probability >= 1 - alpha) or ``free``.
    alpha : float
        Safe mode: largest accepted probability of doing worse than today.
    today : Path or None
        Safe mode: today's plan CSV (EUR per week per channel); None: the recent run-rate.
    allow_failed : bool
        Accept a model whose diagnostics gate failed.
    """

    budget: float
    weeks: int
    model: Path | None = None
    curves: Path | None = None
    start: date | None = None
    constraints: Path | None = None
    objective: str = "revenue"
    margin_rate: float | None = None
    risk: str = "mean"
    frontier: tuple[float, ...] | None = None
    method: str = "auto"
    tail_weeks: int = 0
    mode: str = "safe"
    alpha: float = 0.1
    today: Path | None = None
    allow_failed: bool = False


@dataclass(frozen=True)
class MediaPlanRun:
    """A planned media budget, ready for :func:`~optimizer.report.allocation_writer.write_allocation`.

    Attributes
    ----------
    result : AllocationResult
        The plan (EUR excl. VAT per week and channel) and its expected outcome.
    safe : SafeResult or None
        The safe planner's answer (safe mode), else None.
    frontier : pandas.DataFrame or None
        One row per budget multiplier, when a frontier was asked for.
    summary : dict
        The ``summary.json`` content.
    """

    result: AllocationResult
    safe: SafeResult | None
    frontier: pd.DataFrame | None
    summary: dict[str, Any]


def plan_media(request: AllocateRequest) -> MediaPlanRun:
    """Plan the media budget of ``request``: load, build, solve, frontier, summary.

    Parameters
    ----------
    request : AllocateRequest
        The budget (EUR excl. VAT), horizon (weeks), sources and rules.

    Returns
    -------
    MediaPlanRun
        The plan, the safe planner's answer (safe mode), the frontier table and the summary.

    Raises
    ------
    ConfigError
        Neither or both of ``model`` and ``curves``, a bad constraints or today's-plan file.
    ConvergenceError
        The model failed its diagnostics gate and ``allow_failed`` is False.
    InfeasibleError
        The rules cannot all hold (naming the constraints file and the budget when given).
    """
    curves, last_week = load_curves_and_last_week(
        request.model, request.curves, request.allow_failed
    )
    problem = build_problem(request, curves, last_week)
    today = None
    if request.mode == "safe" and request.today:
        today = read_plan_csv(request.today, curves.channels, request.weeks)
    result, safe = _solve(curves, problem, request, today)
    table = None
    if request.frontier:
        table = frontier(curves, problem, list(request.frontier), method=request.method)[0]
    summary = allocation_summary(
        result,
        budget=request.budget,
        weeks=request.weeks,
        mode=request.mode,
        risk=problem.risk.label,
        safe=safe,
        frontier=table,
    )
    return MediaPlanRun(result=result, safe=safe, frontier=table, summary=summary)


def build_problem(
    request: AllocateRequest, curves: ResponseCurves, last_week: date | None
) -> AllocationProblem:
    """The allocation problem of ``request`` (its constraints file, else the defaults).

    Parameters
    ----------
    request : AllocateRequest
        The budget (EUR excl. VAT), horizon (weeks), objective, risk and rules.
    curves : ResponseCurves
        The response curves (their channels name the rules').
    last_week : date or None
        The last week of the model's history: without ``request.start`` the plan starts the
        week after it.

    Returns
    -------
    AllocationProblem
    """
    extra = plan_rules(request.constraints, curves.channels)
    start = request.start
    if start is None and last_week is not None:
        start = last_week + timedelta(days=7)  # the week after the model's history
    margin_rate = request.margin_rate
    return AllocationProblem(
        budget=request.budget,
        n_weeks=request.weeks,
        start=start,
        objective=request.objective,
        margin_rate=margin_rate if margin_rate is not None else 1.0,
        risk=Risk.parse(request.risk),
        tail_weeks=request.tail_weeks,
        **extra,
    )


def _solve(
    curves: ResponseCurves,
    problem: AllocationProblem,
    request: AllocateRequest,
    today: Any,
) -> tuple[AllocationResult, SafeResult | None]:
    """The plan's result and, in safe mode, the safe planner's answer (else None)."""
    try:
        if request.mode == "safe":
            safe = safe_allocate(
                curves,
                problem,
                rule=SafeRule(alpha=request.alpha),
                today=today,
                method=request.method,
            )
            return safe.result, safe
        return allocate(curves, problem, method=request.method), None
    except InfeasibleError as exc:
        if request.constraints is None:
            raise
        # name the file whose rules conflict (with the budget they conflict with)
        raise InfeasibleError(
            f"{request.constraints.name} (budget {problem.budget:,.0f} EUR): {exc}"
        ) from None
