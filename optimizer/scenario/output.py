"""A scenario run's outputs: summary, tables and run record, written atomically by report/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
from optimizer.scenario.runner import ScenarioResult
from optimizer.scenario.runs import RUN_FILES

__all__ = ["RUN_FILES", "build_tables", "write_run"]


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


def write_run(
    result: ScenarioResult, out: str | Path, *, force: bool = False, lang: str = "fr"
) -> Path:
    """Write every output of a run into ``out``, atomically.

    Parameters
    ----------
    result : ScenarioResult
        The run.
    out : str or Path
        Run folder. It must not exist unless ``force``.
    force : bool
        Replace an existing run folder.
    lang : {"fr", "en"}
        Language of the reports (numbers, labels, sentences).

    Returns
    -------
    Path
        The folder.

    Raises
    ------
    ConfigError
        ``out`` exists (without ``force``) or is a file.
    """
    # lazy: the report writer loads matplotlib, heavy for the up-to-date check
    from optimizer.report.scenario_writer import write_scenario

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
    return write_scenario(summ, tables, run, out, force=force, lang=lang)
