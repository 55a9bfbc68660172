"""Run a scenario file and write its run folder: the one library call of ``scenario run``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from optimizer.errors import ConfigError
from optimizer.report.format import check_lang
from optimizer.report.scenario_writer import write_run
from optimizer.scenario.prefit import prefit as prefit_models
from optimizer.scenario.runner import run_scenario
from optimizer.scenario.schema import ScenarioSpec, load_scenario

__all__ = ["run_and_write"]


def run_and_write(
    scenario: str | Path | ScenarioSpec,
    out: str | Path,
    *,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
    lang: str = "fr",
    prefit: bool = True,
) -> tuple[Path, dict[str, Any]]:
    """Validate, run and write a scenario; return the run folder and its summary.

    The output folder is checked before any fitting so that a run that would be refused at the
    end is refused at once. ``lang`` (``fr`` or ``en``) is the language of the reports.
    ``prefit``: fit the media-mix model and the elasticities side by side in two processes
    first (:mod:`optimizer.scenario.prefit`; ``False`` when the caller already did).
    """
    try:
        check_lang(lang)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    spec = scenario if isinstance(scenario, ScenarioSpec) else load_scenario(scenario)
    out = Path(out)
    if out.exists() and not force:
        raise ConfigError(
            f"{out} already exists; choose another --out or pass --force to replace it."
        )
    ahead: list[str] = []
    if prefit:
        ahead = [kind for kind, _hit, _s in prefit_models([spec], progress=progress)]
    result = run_scenario(spec, progress=progress, fitted_ahead=ahead)
    folder = write_run(result, out, force=force, lang=lang)
    return folder, json.loads((folder / "summary.json").read_text(encoding="utf-8"))
