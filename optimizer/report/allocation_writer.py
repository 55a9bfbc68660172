"""Write the output folder of a media allocation: plan, summary, frontier and charts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.atomic import atomic_folder
from optimizer.report.plots_allocation import plot_frontier, plot_plan

__all__ = ["allocation_summary", "write_allocation"]


def allocation_summary(
    result: Any,
    *,
    budget: float,
    weeks: int,
    mode: str,
    risk: str,
    safe: Any = None,
    frontier: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """The ``summary.json`` of an allocation: result, request, safe-plan record, frontier.

    Parameters
    ----------
    result : AllocationResult
        The plan's result (``safe.result`` in safe mode).
    budget, weeks, mode, risk
        What was asked (``risk`` is recorded in safe mode: the risk summary chose among the
        safe candidates, each of which optimizes the mean).
    safe : SafeAllocation or None
        The safe planner's answer.
    frontier : pandas.DataFrame or None
        The efficient frontier.
    """
    summary: dict[str, Any] = result.to_dict()
    summary["budget"] = budget
    summary["weeks"] = weeks
    summary["mode"] = mode
    if safe is not None:
        summary["risk"] = risk
        summary["plan"] = json.loads(safe.plan.to_json(orient="split", date_format="iso"))
        summary["safe"] = safe.summary()
    if frontier is not None:
        summary["frontier"] = json.loads(frontier.to_json(orient="records"))
    return summary


def write_allocation(
    result: Any,
    summary: dict[str, Any],
    out: Path,
    *,
    safe: Any = None,
    frontier: pd.DataFrame | None = None,
    force: bool = False,
) -> Path:
    """Write ``out`` atomically: plan.csv, plan.png, summary.json, and frontier.csv/.png.

    Parameters
    ----------
    result : AllocationResult
        The plan's result (its current plan marks today's spend on the frontier chart).
    summary : dict
        What :func:`allocation_summary` returned.
    out : Path
        Folder to write; it must not exist (or be empty) unless ``force``.
    safe : SafeAllocation or None
        The safe planner's answer: its plan is the one written.
    frontier : pandas.DataFrame or None
        The efficient frontier, written when given.
    force : bool
        Replace an existing folder (the old one stays until the new one is complete).
    """
    plan = result.plan if safe is None else safe.plan
    with atomic_folder(out, overwrite=force) as tmp:
        plan.round(2).to_csv(tmp / "plan.csv", index_label="week")
        if frontier is not None:
            frontier.to_csv(tmp / "frontier.csv", index=False)
            plot_frontier(
                frontier,
                tmp / "frontier.png",
                current_spend=float(result.current_plan.to_numpy().sum()),
            )
        (tmp / "summary.json").write_text(
            json.dumps(summary, indent=2, default=str), encoding="utf-8"
        )
        plot_plan(plan, tmp / "plan.png")
    return Path(out)
