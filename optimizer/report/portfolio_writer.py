"""Write a portfolio run folder atomically: summary, run record, CSV tables, HTML report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from optimizer.atomic import atomic_folder
from optimizer.portfolio.output import run_outputs
from optimizer.portfolio.result import PortfolioResult
from optimizer.report.portfolio import render_portfolio

__all__ = ["write_portfolio"]


def _json(obj: Any) -> str:
    return json.dumps(obj, indent=1, ensure_ascii=False, default=str) + "\n"


def write_portfolio(
    r: PortfolioResult,
    out: str | Path,
    *,
    force: bool = False,
    lang: str = "fr",
    settings: dict[str, Any] | None = None,
) -> Path:
    """Write the run folder atomically; return it.

    Parameters
    ----------
    r : PortfolioResult
    out : str or Path
        Folder to write (replaced only when complete).
    force : bool
        Replace an existing, non-empty folder.
    lang : {"fr", "en"}
        Language of the report.
    settings : dict, optional
        The run's settings, recorded in ``run.json`` (what
        :func:`optimizer.portfolio.output.up_to_date` compares).

    Raises
    ------
    ConfigError
        ``out`` exists and is not empty without ``force``, or is a file.
    """
    summ, tables, run = run_outputs(r, lang, settings)
    with atomic_folder(out, overwrite=force) as tmp:
        (tmp / "summary.json").write_text(_json(summ), encoding="utf-8")
        (tmp / "run.json").write_text(_json(run), encoding="utf-8")
        for name, t in tables.items():
            t.to_csv(tmp / f"{name}.csv", index=False, lineterminator="\n")
        render_portfolio(tmp / "report.html", summ, tables, run, lang=lang)
    return Path(out)
