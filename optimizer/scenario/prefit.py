"""Fit the models a batch of scenarios needs before running them, the distinct fits side by side.

A scenario run fits its media-mix model, then its price elasticities, one after the other. On a
new machine nearly all of that time is spent compiling each model's log density (numba, one
thread), so the two fits of a first run leave a core idle. :func:`prefit` runs the distinct fits
a batch of scenarios needs in separate processes at the same time; each writes its result into
the scenario's model cache, and the runs that follow load them from there. The fits are the
ones the runs would make (same code, data and seed, so the same bytes: the cache does not care
which process wrote it).

The processes are forked by :func:`optimizer.forked.run_forked`. Where fork is not available
the function does nothing and the runs fit as usual. A stop signal (Ctrl-C, SIGTERM) reaching
the parent stops the children too, which remove their unfinished cache entries before the
parent exits; one reaching a child stops the run the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from optimizer.forked import can_fork, run_forked
from optimizer.scenario.fits import fit_model
from optimizer.scenario.schema import ScenarioSpec, load_scenario

__all__ = ["prefit"]

_NAMES = {"mmm": "media-mix model", "elasticity": "price elasticities"}


def _jobs(scenarios: Sequence[str | Path | ScenarioSpec]) -> list[tuple[ScenarioSpec, str]]:
    """(scenario, kind) of the distinct fits not in the cache: one per data, settings, seed."""
    seen: dict[tuple[str, ...], tuple[ScenarioSpec, str]] = {}
    for item in scenarios:
        spec = item if isinstance(item, ScenarioSpec) else load_scenario(item)
        f = spec.file
        folder = str(spec.sections.paths.dataset)
        for kind, section in (("mmm", f.model), ("elasticity", f.elasticity)):
            key = (kind, folder, section.model_dump_json(), str(f.seed))
            if key not in seen and not fit_model(spec, kind, probe=True):
                seen[key] = (spec, kind)
    return list(seen.values())


def prefit(
    scenarios: Sequence[str | Path | ScenarioSpec],
    *,
    workers: int = 2,
    progress: Callable[[str], None] | None = None,
    every_fit: bool = False,
) -> list[tuple[str, bool, float]]:
    """Fit the models of ``scenarios`` in up to ``workers`` processes side by side.

    Parameters
    ----------
    scenarios : sequence of str, Path or ScenarioSpec
        Scenarios (files or validated) about to be run.
    workers : int
        Processes at most (the fits are single-threaded while they compile).
    progress : callable, optional
        Receives one short message per step.
    every_fit : bool
        Also make the fits that would not run side by side (a single fit to make, one worker,
        no fork), in this process: for runs that go side by side next, which would otherwise
        each fit the same missing model at the same time.

    Returns
    -------
    list of (str, bool, float)
        Per distinct fit made: its kind (``mmm`` / ``elasticity``), whether it was found in the
        cache meanwhile and its seconds. Empty when nothing ran (at most one fit to make, one
        worker, no fork, unless ``every_fit``).

    Raises
    ------
    OptimizerError
        What a fit raises (bad data, a sampler that does not converge).
    Interrupted
        A stop signal reached this process or a child.
    """
    say = progress or (lambda _m: None)
    jobs = _jobs(scenarios)
    if len(jobs) < 2 or workers < 2 or not can_fork():
        return _in_turn(jobs, say) if every_fit else []
    say(
        "fitting the "
        + " and the ".join(dict.fromkeys(_NAMES[k] for _, k in jobs))
        + " side by side (cached for later runs)"
    )
    done: list[tuple[str, bool, float]] = []

    def report(i: int, hit: object, seconds: float) -> None:
        kind = jobs[i][1]
        done.append((kind, bool(hit), seconds))
        say(f"  {_NAMES[kind]}: fitted in {seconds:.0f} s")

    run_forked(
        [partial(fit_model, spec, kind) for spec, kind in jobs],
        [f"{_NAMES[kind]} fit" for _, kind in jobs],
        workers=workers,
        on_done=report,
    )
    return done


def _in_turn(
    jobs: list[tuple[ScenarioSpec, str]], say: Callable[[str], None]
) -> list[tuple[str, bool, float]]:
    """Make ``jobs``' fits in this process, one after the other."""
    done = []
    for spec, kind in jobs:
        say(f"fitting the {_NAMES[kind]} (cached for later runs)")
        t0 = time.perf_counter()
        hit = fit_model(spec, kind)
        done.append((kind, hit, time.perf_counter() - t0))
        say(f"  {_NAMES[kind]}: fitted in {done[-1][2]:.0f} s")
    return done
