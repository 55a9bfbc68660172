"""Run a scenario into its folder, or find that an existing run folder is still up to date."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from optimizer._version import __version__
from optimizer.data.dataset import load_dataset
from optimizer.errors import ConfigError
from optimizer.report.format import check_lang
from optimizer.scenario.cache import code_digest
from optimizer.scenario.schema import ScenarioSpec, load_scenario

__all__ = ["RUN_FILES", "run_and_write", "up_to_date"]

#: The files of a run folder (:func:`optimizer.scenario.output.write_run` writes them all).
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
    # lazy: the runner, the prefit and the run writer load PyMC; validating a file does not
    from optimizer.scenario.output import write_run
    from optimizer.scenario.prefit import prefit as prefit_models
    from optimizer.scenario.runner import run_scenario

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
