"""Whether an existing run folder of a scenario is still up to date: the files of a run folder.

:func:`optimizer.jobs.scenario.run_and_write` runs a scenario and writes its folder.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from optimizer._version import __version__
from optimizer.data.dataset import load_dataset
from optimizer.scenario.cache import code_digest
from optimizer.scenario.schema import ScenarioSpec

__all__ = ["RUN_FILES", "up_to_date"]

#: The files of a run folder (:func:`optimizer.report.scenario_writer.write_run` writes them).
RUN_FILES = (
    "summary.json",
    "media_plan.csv",
    "prices.csv",
    "pnl.csv",
    "report.html",
    "report.xlsx",
    "run.json",
)


def up_to_date(spec: ScenarioSpec, out: str | Path, lang: str = "fr") -> dict[str, Any] | None:
    """The summary of an existing run of ``spec`` if nothing it depends on changed, else None.

    A run is up to date when its ``run.json`` records the same package version and code, the
    same scenario text, the same SHA-256 of every input file and the same report language
    (``lang``): the fits and the optimization are deterministic given those, so recomputing
    would write the same numbers.
    """
    out = Path(out)
    if not all((out / name).is_file() for name in RUN_FILES):
        return None
    try:
        run = json.loads((out / "run.json").read_text(encoding="utf-8"))
        ds = load_dataset(spec.sections.paths.dataset)
    except (OSError, ValueError):
        return None
    if run.get("version") != __version__ or run.get("scenario_sha256") != spec.digest:
        return None
    if run.get("code_sha256") != code_digest() or run.get("lang", "fr") != lang:
        return None
    if ds.input_digests() != run.get("inputs_sha256", {}):
        return None
    return dict(json.loads((out / "summary.json").read_text(encoding="utf-8")))
