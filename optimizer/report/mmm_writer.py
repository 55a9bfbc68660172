"""Write the output folder of a fitted media-mix model: model, summary, tables and plots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from optimizer.atomic import atomic_folder
from optimizer.mmm.folder import MODEL_DIR, SUMMARY_FILE
from optimizer.report.plots_mmm import plot_all

if TYPE_CHECKING:
    from optimizer.mmm.model import MMM

__all__ = ["write_mmm"]


def write_mmm(mmm: MMM, summary: dict[str, Any], out: Path, *, force: bool = False) -> Path:
    """Write ``out`` atomically: ``model/``, ``summary.json``, three CSVs and four PNG plots.

    Parameters
    ----------
    mmm : MMM
        The fitted model (a model that failed its gate is written too, for inspection).
    summary : dict
        ``mmm.summary()``, written as ``summary.json``.
    out : Path
        Folder to write; it must not exist (or be empty) unless ``force``.
    force : bool
        Replace an existing folder (the old one stays until the new one is complete).

    Returns
    -------
    Path
        ``out``.
    """
    # lazy: PyMC and ArviZ are heavy
    from optimizer.mmm.persistence import fill_model_folder
    from optimizer.mmm.results import curve_grid

    with atomic_folder(out, overwrite=force) as tmp:
        (tmp / MODEL_DIR).mkdir()
        fill_model_folder(mmm, tmp / MODEL_DIR)
        (tmp / SUMMARY_FILE).write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
        table = mmm.roas()
        decomp = mmm.decomposition()
        grid = curve_grid(mmm)
        table.to_csv(tmp / "roas.csv")
        decomp.to_csv(tmp / "decomposition.csv")
        grid.to_csv(tmp / "response_curves.csv", index=False)
        plot_all(decomp, table, grid, tmp)
    return Path(out)
