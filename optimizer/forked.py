"""Run independent jobs side by side in forked processes, one result back per job.

The product's long jobs (a model fit, a scenario run) are mostly single-threaded: numba compiles
one function at a time, the planners run one solver at a time. On a machine with two cores a
batch of such jobs leaves a core idle when it runs in turn. :func:`run_forked` runs them in up to
``workers`` forked children at once; each child calls its job, sends the result back through a
pipe and exits.

Processes are forked (Linux): the children start with the parent's modules imported and its
objects in memory, so a job is a plain closure. Where fork is not available the function returns
``None`` and the caller runs the jobs in turn. A stop signal (Ctrl-C, SIGTERM) reaching the
parent stops the children too (each has :data:`STOP_GRACE` seconds to clean up, for instance to
remove an unfinished cache entry); one reaching a child stops its job the same way. A child
dies with its parent, even when the parent is killed.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any, cast

from optimizer.errors import OptimizerError
from optimizer.interrupt import Interrupted, forward, received

__all__ = ["STOP_GRACE", "can_fork", "run_forked"]

#: Seconds a stopped child gets to clean up (remove its unfinished output) before it is killed.
STOP_GRACE = 30.0

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def can_fork() -> bool:
    """Whether this process may fork children for :func:`run_forked`.

    The platform must fork (Linux, macOS) and this process must not be daemonic (a Dask
    worker, a pool's worker): a daemonic process may not have children.
    """
    if multiprocessing.current_process().daemon:
        return False
    return "fork" in multiprocessing.get_all_start_methods()


def _die_with_parent(parent: int) -> None:
    """Ask Linux to send this process SIGTERM when its parent dies (even by SIGKILL)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: an orphan finishes its job, then exits
        return
    if os.getppid() != parent:  # the parent died before the request was made
        os.kill(os.getpid(), signal.SIGTERM)


def _child(job: Callable[[], Any], conn: Connection, parent: int) -> None:
    """Child process: run ``job`` and report its outcome through ``conn``."""
    t0 = time.perf_counter()
    try:
        _die_with_parent(parent)
        report: tuple[str, Any, float] = ("ok", job(), time.perf_counter() - t0)
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


def _stop(procs: list[Any]) -> None:
    """Stop the children still running and wait until they have cleaned up."""
    for p in procs:
        if p.is_alive():
            p.terminate()  # SIGTERM: Interrupted in the child, which cleans up
    deadline = time.monotonic() + STOP_GRACE
    for p in procs:
        p.join(max(0.0, deadline - time.monotonic()))
        if p.is_alive():
            p.kill()
            p.join()


def run_forked(
    jobs: Sequence[Callable[[], Any]],
    labels: Sequence[str],
    *,
    workers: int,
    on_done: Callable[[int, Any, float], None] | None = None,
) -> list[Any] | None:
    """Run ``jobs`` in up to ``workers`` forked processes; their results in the jobs' order.

    Parameters
    ----------
    jobs : sequence of callable
        Jobs without arguments; each result must pickle (it comes back through a pipe).
    labels : sequence of str
        One short name per job, for the message of a job whose process crashed.
    workers : int
        Processes at most at any time (>= 1).
    on_done : callable, optional
        Called in the parent as each job ends, with its index, result and seconds.

    Returns
    -------
    list or None
        The results; ``None`` when this platform cannot fork (run the jobs in turn instead).

    Raises
    ------
    OptimizerError
        The first error a job raised (the same exception), or a job's process that crashed or
        died (the message names its label).
    Interrupted
        A stop signal reached this process or a child; the other children are stopped first.
    """
    if len(labels) != len(jobs):
        raise ValueError(f"{len(labels)} labels for {len(jobs)} jobs")
    if not can_fork():
        return None
    ctx = multiprocessing.get_context("fork")
    pending = list(range(len(jobs)))
    running: dict[Connection, tuple[Any, int]] = {}
    procs: list[Any] = []
    results: list[Any] = [None] * len(jobs)
    try:
        while pending or running:
            while pending and len(running) < max(1, workers):
                i = pending.pop(0)
                recv, send = ctx.Pipe(duplex=False)
                # not a daemon: a job may start processes of its own (PyMC's sampler does)
                proc = ctx.Process(target=_child, args=(jobs[i], send, os.getpid()))
                proc.start()
                send.close()
                procs.append(proc)
                running[recv] = (proc, i)
            for ready in wait(list(running)):
                conn = cast(Connection, ready)
                proc, i = running.pop(conn)
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
                    raise OptimizerError(f"the {labels[i]} failed in its process: {value}")
                results[i] = value
                if on_done is not None:
                    on_done(i, value, float(seconds))
    except BaseException:
        _stop(procs)
        raise
    return results
