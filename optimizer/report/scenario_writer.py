"""Write a scenario run folder atomically: summary, CSVs, HTML and Excel reports, run record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from optimizer.atomic import atomic_folder
from optimizer.report.scenario import render_html, render_xlsx
from optimizer.scenario.output import run_outputs

if TYPE_CHECKING:
    from optimizer.scenario.runner import ScenarioResult

__all__ = ["write_run", "write_scenario"]


def _json(obj: Any) -> str:
    return json.dumps(obj, indent=1, ensure_ascii=False, sort_keys=False, default=str) + "\n"


def write_scenario(
    summary: dict[str, Any],
    tables: dict[str, pd.DataFrame],
    run: dict[str, Any],
    out: str | Path,
    *,
    force: bool = False,
    lang: str = "fr",
) -> Path:
    """Write every file of a scenario run into ``out``, atomically.

    Parameters
    ----------
    summary : dict
        The run's summary with its findings (``summary.json``).
    tables : dict of pandas.DataFrame
        The run's tables (``media_plan``, ``prices`` and ``pnl`` are also written as CSV).
    run : dict
        The run record (``run.json``): provenance, scenario text, language.
    out : str or Path
        Run folder. It must not exist unless ``force``.
    force : bool
        Replace an existing run folder.
    lang : {"fr", "en"}
        Language of the reports.

    Raises
    ------
    ConfigError
        ``out`` exists (without ``force``) or is a file.
    """
    with atomic_folder(out, overwrite=force) as staging:
        (staging / "summary.json").write_text(_json(summary), encoding="utf-8")
        for name in ("media_plan", "prices", "pnl"):
            tables[name].to_csv(staging / f"{name}.csv", index=False, lineterminator="\n")
        render_html(staging / "report.html", summary, tables, run, lang=lang)
        render_xlsx(staging / "report.xlsx", summary, tables, lang=lang, run=run)
        (staging / "run.json").write_text(_json(run), encoding="utf-8")
    return Path(out)


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
    summ, tables, run = run_outputs(result, lang)
    return write_scenario(summ, tables, run, out, force=force, lang=lang)
