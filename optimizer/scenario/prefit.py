"""Fit the models a batch of scenarios needs before running them, the distinct fits side by side.

A scenario run fits its media-mix model, then its price elasticities, one after the other. On a
new machine nearly all of that time is spent compiling each model's log density (numba, one
thread), so the two fits of a first run leave a core idle. :func:`prefit` runs the distinct fits
a batch of scenarios needs in separate processes at the same time; each writes its result into
the scenario's model cache, and the runs that follow load them from there. The fits are the
ones the runs would make (same code, data and seed, so the same bytes: the cache does not care
which process wrote it).

Processes are forked (Linux): the children start with the modules already imported. Where fork
is not available the function does nothing and the runs fit as usual. A stop signal (Ctrl-C,
SIGTERM) reaching the parent stops the children too, which remove their unfinished cache
entries before the parent exits; one reaching a child stops the run the same way.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, cast

from optimizer.errors import OptimizerError
from optimizer.interrupt import Interrupted, forward, received
from optimizer.scenario.fits import fit_model
from optimizer.scenario.schema import ScenarioSpec, load_scenario

__all__ = ["prefit"]

#: Seconds a stopped child gets to remove its unfinished cache entry before it is killed.
STOP_GRACE = 30.0

_NAMES = {"mmm": "media-mix model", "elasticity": "price elasticities"}
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent(parent: int) -> None:
    """Ask Linux to send this process SIGTERM when its parent dies (even by SIGKILL)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: an orphan finishes its fit, then exits
        return
    if os.getppid() != parent:  # the parent died before the request was made
        os.kill(os.getpid(), signal.SIGTERM)


def _child(spec: ScenarioSpec, kind: str, conn: Connection, parent: int) -> None:
    """Child process: fit one model of one scenario into its cache; report through ``conn``."""
    t0 = time.perf_counter()
    try:
        _die_with_parent(parent)
        hit = fit_model(spec, kind)
        report: tuple[str, Any, float] = ("ok", hit, time.perf_counter() - t0)
    except Interrupted:
        report = ("stopped", received() or signal.SIGTERM, 0.0)
    except OptimizerError as exc:
        report = ("error", exc, 0.0)
    except BaseException as exc:  # anything else: its text, for the parent to raise
        report = ("crash", f"{type(exc).__name__}: {exc}", 0.0)
    try:
        conn.send(report)
    except OSError:  # the parent is gone
        pass
    finally:
        conn.close()


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


def _stop(procs: list[Any]) -> None:
    """Stop the children still running and wait until they have cleaned up."""
    for p in procs:
        if p.is_alive():
            p.terminate()  # SIGTERM: Interrupted in the child, its temporary entry removed
    deadline = time.monotonic() + STOP_GRACE
    for p in procs:
        p.join(max(0.0, deadline - time.monotonic()))
        if p.is_alive():
            p.kill()
            p.join()


def prefit(
    scenarios: Sequence[str | Path | ScenarioSpec],
    *,
    workers: int = 2,
    progress: Callable[[str], None] | None = None,
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

    Returns
    -------
    list of (str, bool, float)
        Per distinct fit made: its kind (``mmm`` / ``elasticity``), whether it was found in the
        cache meanwhile and its seconds. Empty when nothing ran (at most one fit to make, one
        worker, no fork).

    Raises
    ------
    OptimizerError
        What a fit raises (bad data, a sampler that does not converge).
    Interrupted
        A stop signal reached this process or a child.
    """
    say = progress or (lambda _m: None)
    jobs = _jobs(scenarios)
    if len(jobs) < 2 or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return []
    say(
        "fitting the "
        + " and the ".join(dict.fromkeys(_NAMES[k] for _, k in jobs))
        + " side by side (cached for later runs)"
    )
    ctx = multiprocessing.get_context("fork")
    pending = list(jobs)
    running: dict[Connection, tuple[Any, str]] = {}
    procs: list[Any] = []
    done: list[tuple[str, bool, float]] = []
    try:
        while pending or running:
            while pending and len(running) < workers:
                spec, kind = pending.pop(0)
                recv, send = ctx.Pipe(duplex=False)
                # not a daemon: a fit that falls back to PyMC starts processes of its own
                proc = ctx.Process(target=_child, args=(spec, kind, send, os.getpid()))
                proc.start()
                send.close()
                procs.append(proc)
                running[recv] = (proc, kind)
            for ready in wait(list(running)):
                conn = cast(Connection, ready)
                proc, kind = running.pop(conn)
                try:
                    status, value, seconds = conn.recv()
                except EOFError:  # died without a word (killed, out of memory)
                    status, value, seconds = "crash", f"exit code {proc.exitcode}", 0.0
                proc.join()
                if status == "stopped":
                    forward(int(value))
                if status == "error":
                    raise cast(OptimizerError, value)
                if status == "crash":
                    raise OptimizerError(f"the {_NAMES[kind]} fit failed in its process: {value}")
                done.append((kind, bool(value), float(seconds)))
                say(f"  {_NAMES[kind]}: fitted in {seconds:.0f} s")
    except BaseException:
        _stop(procs)
        raise
    return done
