"""Write a scenario run folder atomically: all files or nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from optimizer.atomic import atomic_folder
from optimizer.scenario.findings import add_findings, decomposition_table, media_weeks_table
from optimizer.scenario.kpis import (
    media_plan_table,
    orders_per_unit,
    pnl_table,
    prices_table,
    summary,
)
from optimizer.scenario.runner import ScenarioResult

__all__ = ["build_tables", "write_run"]


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


def _json(obj: Any) -> str:
    return json.dumps(obj, indent=1, ensure_ascii=False, sort_keys=False, default=str) + "\n"


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
    from optimizer.report.scenario import render_html, render_xlsx

    with atomic_folder(out, overwrite=force) as staging:
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
        (staging / "summary.json").write_text(_json(summ), encoding="utf-8")
        for name in ("media_plan", "prices", "pnl"):
            tables[name].to_csv(staging / f"{name}.csv", index=False, lineterminator="\n")
        render_html(staging / "report.html", summ, tables, run, lang=lang)
        render_xlsx(staging / "report.xlsx", summ, tables, lang=lang, run=run)
        (staging / "run.json").write_text(_json(run), encoding="utf-8")
    return Path(out)
