"""Scenarios: the joint media + price plan under shared capacity, and finance-ready outputs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from optimizer.scenario.compare import compare_runs, write_comparison
from optimizer.scenario.schema import ScenarioFile, ScenarioSpec, load_scenario, parse_scenario

if TYPE_CHECKING:
    from optimizer.scenario.runner import ScenarioResult, run_scenario

__all__ = [
    "ScenarioFile",
    "ScenarioResult",
    "ScenarioSpec",
    "compare_runs",
    "load_scenario",
    "parse_scenario",
    "run_and_write",
    "run_scenario",
    "up_to_date",
    "write_comparison",
]


def up_to_date(spec: ScenarioSpec, out: str | Path, lang: str = "fr") -> dict[str, Any] | None:
    """The summary of an existing run of ``spec`` if nothing it depends on changed, else None.

    A run is up to date when its ``run.json`` records the same package version and code, the
    same scenario text, the same SHA-256 of every input file and the same report language
    (``lang``): the fits and the optimization are deterministic given those, so recomputing
    would write the same numbers.
    """
    import json

    from optimizer._version import __version__
    from optimizer.data.dataset import load_dataset
    from optimizer.scenario.cache import code_digest, file_digest
    from optimizer.scenario.output import RUN_FILES

    out = Path(out)
    if not all((out / name).is_file() for name in RUN_FILES):
        return None
    try:
        run = json.loads((out / "run.json").read_text(encoding="utf-8"))
        folder = spec.resolve(spec.file.data.dataset, "[data].dataset")
        ds = load_dataset(folder)
    except (OSError, ValueError):
        return None
    if run.get("version") != __version__ or run.get("scenario_sha256") != spec.digest:
        return None
    if run.get("code_sha256") != code_digest() or run.get("lang", "fr") != lang:
        return None
    recorded = run.get("inputs_sha256", {})
    assert ds.spec is not None
    names = {"dataset.toml": "dataset.toml"}
    for key in ("marketing", "catalog", "sales", "logistics", "lift_tests"):
        section = getattr(ds.spec, key)
        if section is not None:
            names[key] = section.file
    current = {k: file_digest(folder / v) for k, v in names.items()}
    if current != recorded:
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
    import json

    from optimizer.errors import ConfigError
    from optimizer.report.format import check_lang
    from optimizer.scenario.output import write_run  # lazy: PyMC, via the model folders
    from optimizer.scenario.runner import run_scenario  # lazy: PyMC

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
        from optimizer.scenario.prefit import prefit as prefit_models  # lazy: PyMC

        ahead = [kind for kind, _hit, _s in prefit_models([spec], progress=progress)]
    result = run_scenario(spec, progress=progress, fitted_ahead=ahead)
    folder = write_run(result, out, force=force, lang=lang)
    return folder, json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def __getattr__(name: str) -> Any:
    # lazy: the runner needs PyMC: load it on first use so that validating files stays fast
    if name in ("ScenarioResult", "run_scenario"):
        from optimizer.scenario import runner  # lazy: PyMC

        return getattr(runner, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
