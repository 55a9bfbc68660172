"""A scenario run's outputs: summary, tables and run record (report/ writes them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from optimizer.scenario.findings import add_findings, decomposition_table, media_weeks_table
from optimizer.scenario.kpis import (
    media_plan_table,
    orders_per_unit,
    pnl_table,
    prices_table,
    summary,
)

if TYPE_CHECKING:
    from optimizer.scenario.runner import ScenarioResult

__all__ = ["build_tables", "run_outputs"]


def build_tables(result: ScenarioResult, summ: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """All tables of a run, computed once and shared by the CSV, HTML and Excel outputs."""
    d = result.demand
    plans = result.plans
    capacity = pd.DataFrame(
        {
            "week": d.weeks.strftime("%Y-%m-%d"),
            "capacity": d.capacity,
            "current_load": np.round(plans.current.shipments.load.mean(axis=0), 2),
            "plan_load": np.round(plans.joint.shipments.load.mean(axis=0), 2),
        }
    )
    return {
        "pnl": pnl_table(result),
        "media_plan": media_plan_table(result),
        "media_weeks": media_weeks_table(result),
        "prices": prices_table(result),
        "capacity": capacity,
        "frontier": result.frontier if result.frontier is not None else pd.DataFrame(),
        "response_curves": result.response_grid,
        "decomposition": decomposition_table(result),
    }


def run_outputs(
    result: ScenarioResult, lang: str = "fr"
) -> tuple[dict[str, Any], dict[str, pd.DataFrame], dict[str, Any]]:
    """What a run folder holds: the summary with its findings, the tables and the run record.

    :func:`optimizer.report.scenario_writer.write_run` writes them; ``lang`` is recorded in
    the run record (``run.json``).
    """
    opu = orders_per_unit(result)
    summ = add_findings(summary(result, opu), result, opu)
    tables = build_tables(result, summ)
    run = {
        "package": "optimizer",
        **result.provenance,
        "scenario_file": str(result.spec.path) if result.spec.path else None,
        "scenario_text": result.spec.text,
        "rounds": result.plans.rounds,
        "lang": lang,
    }
    return summ, tables, run
