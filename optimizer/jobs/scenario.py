"""Run a scenario file and write its run folder: the one library call of ``scenario run``."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from optimizer.errors import ConfigError
from optimizer.forked import run_forked
from optimizer.report.format import check_lang
from optimizer.report.scenario_writer import write_run
from optimizer.scenario.prefit import prefit as prefit_models
from optimizer.scenario.runner import run_scenario
from optimizer.scenario.schema import ScenarioSpec, load_scenario

__all__ = ["run_and_write", "run_many"]


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


def run_many(
    scenarios: Sequence[Path],
    outs: Sequence[Path],
    *,
    workers: int = 2,
    progress: Callable[[str], None] | None = None,
    lang: str = "fr",
) -> list[tuple[Path, dict[str, Any]]]:
    """Run and write several scenario files, up to ``workers`` of them side by side.

    Each run is :func:`run_and_write` (``force=True``, ``prefit=False``: fit the models first
    with :func:`optimizer.scenario.prefit.prefit`, or each run fits its own in turn). A run's
    bytes do not depend on where it ran: the fits are read from the model cache and the plans
    are deterministic. With one worker, one scenario or no fork, the runs go one after the
    other in this process.

    Parameters
    ----------
    scenarios : sequence of Path
        Scenario files.
    outs : sequence of Path
        One run folder per scenario (replaced).
    workers : int
        Processes at most.
    progress : callable, optional
        Receives the runs' progress messages, each prefixed with its scenario's file stem when
        runs go side by side.
    lang : {"fr", "en"}
        Language of the reports.

    Returns
    -------
    list of (Path, dict)
        Per scenario, in order: its run folder and its summary.
    """
    say = progress or (lambda _m: None)

    def tagged(name: str) -> Callable[[str], None]:
        return lambda m: say(f"  {name}: {m}")

    jobs = [
        partial(run_and_write, f, o, force=True, progress=tagged(f.stem), lang=lang, prefit=False)
        for f, o in zip(scenarios, outs, strict=True)
    ]
    if workers >= 2 and len(jobs) >= 2:
        say(f"running {len(jobs)} scenarios side by side in {min(workers, len(jobs))} processes")
        done = run_forked(
            jobs,
            [f"scenario {f.name}" for f in scenarios],
            workers=workers,
            on_done=lambda i, _r, sec: say(f"  {scenarios[i].stem}: done in {sec:.0f} s"),
        )
        if done is not None:
            return list(done)
    out: list[tuple[Path, dict[str, Any]]] = []
    for f, o in zip(scenarios, outs, strict=True):
        say(f"scenario {f.name}")
        out.append(
            run_and_write(
                f, o, force=True, progress=lambda m: say("  " + m), lang=lang, prefit=False
            )
        )
    return out
