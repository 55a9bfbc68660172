"""Dask clients: of a local cluster started for the call, or of an existing scheduler.

The local cluster (``--workers N``) runs in a process of its own, in a session of its own: a
terminal's Ctrl-C reaches this process only (not the workers, which would each print a
traceback while they start), this process stops the cluster, and the cluster's log lines never
reach the user. The cluster process serves until its standard input closes — when this process
closes it, or dies, even by SIGKILL — so no worker outlives the command. Its workers are
single-threaded processes started with ``spawn``; they import what this process can import
(``sys.path`` entries outside the Python installation are passed on through ``PYTHONPATH``).
"""

from __future__ import annotations

import logging
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from optimizer.errors import OptimizerError
from optimizer.scaleout.spec import ComputeSpec, unreachable

__all__ = ["START_TIMEOUT", "STOP_GRACE", "client_for", "open_cluster", "serve"]

#: Seconds a local cluster gets to start its workers.
START_TIMEOUT = 120.0

#: Seconds a local cluster gets to close its workers before they are killed.
STOP_GRACE = 20.0

_SERVE = "import sys; from optimizer.scaleout.cluster import serve; serve(*map(int, sys.argv[1:]))"


def serve(n_workers: int, retries: int) -> None:
    """Run a local cluster until standard input closes (the cluster process's entry point).

    Prints the scheduler's address on one line once every worker is up.

    Parameters
    ----------
    n_workers : int
        Single-threaded worker processes.
    retries : int
        Worker deaths a task may cause before it counts as failed.
    """
    # lazy: Dask is heavy (tornado, the scheduler): imported only where a cluster runs
    import dask
    from distributed import LocalCluster

    with dask.config.set({"distributed.scheduler.allowed-failures": retries}):
        cluster = LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: never a clash on 8787
            silence_logs=logging.ERROR,
            host="127.0.0.1",
        )
    try:
        print(cluster.scheduler_address, flush=True)
        sys.stdin.read()  # until the parent closes it, or dies
    finally:
        cluster.close()


def _pythonpath() -> str:
    """Where this process finds its modules beyond the installation (a test's root, say)."""
    base = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix})
    extra = [p for p in sys.path if p and os.path.isdir(p) and not p.startswith(base)]
    old = os.environ.get("PYTHONPATH", "")
    return os.pathsep.join(dict.fromkeys([*extra, *filter(None, old.split(os.pathsep))]))


def _address(proc: subprocess.Popen[bytes], log: IO[bytes]) -> str:
    """The first line the cluster process prints, or an error with its log's last lines."""
    assert proc.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if ready:
            line = proc.stdout.readline().decode().strip()
            if line:
                return line
            break  # end of output: the process died
    log.seek(0)
    tail = log.read().decode(errors="replace").strip().splitlines()[-5:]
    why = " / ".join(tail) or f"exit code {proc.poll()}"
    raise OptimizerError(
        f"the local Dask cluster did not start within {START_TIMEOUT:g} s ({why}); run "
        "in-process (leave out --workers) or use fewer workers."
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Close the cluster process's input; kill its session if it does not end in time."""
    try:
        if proc.stdin is not None:
            proc.stdin.close()
        proc.wait(STOP_GRACE)
    except (subprocess.TimeoutExpired, OSError):
        pass
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)  # the process and its workers: one session, one group
        except ProcessLookupError:
            break
        try:
            proc.wait(5.0)
        except subprocess.TimeoutExpired:
            continue
    if proc.stdout is not None:
        proc.stdout.close()


@contextmanager
def _local_cluster(workers: int, retries: int) -> Iterator[str]:
    """Start a cluster process of ``workers`` workers; yield its address; stop it."""
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [sys.executable, "-c", _SERVE, str(workers), str(retries)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            start_new_session=True,
            env={**os.environ, "PYTHONPATH": _pythonpath()},
        )
        try:
            yield _address(proc, log)
        finally:
            _stop(proc)


@contextmanager
def open_cluster(compute: ComputeSpec, *, retries: int = 2) -> Iterator[ComputeSpec]:
    """Keep one local cluster up for several :func:`~optimizer.scaleout.run_tasks` calls.

    Starting a local cluster takes seconds; a caller that runs tasks in rounds (per-shop
    subproblems for each value of a shared multiplier) starts it once here.

    Parameters
    ----------
    compute : ComputeSpec
        With ``workers``: the cluster to start. In-process and scheduler specs are yielded
        unchanged (nothing to start).
    retries : int
        Worker deaths a task may cause before it counts as failed.

    Yields
    ------
    ComputeSpec
        A spec naming the running cluster's scheduler (pass it as ``compute=``); the cluster
        and its workers stop when the block ends.
    """
    if compute.workers is None:
        yield compute
        return
    with _local_cluster(compute.workers, retries) as address:
        source = f"--workers {compute.workers} (local cluster)"
        yield ComputeSpec(scheduler=address, source=source, connect_timeout=START_TIMEOUT)


@contextmanager
def _quiet_logs() -> Iterator[None]:
    """Keep the client's log lines (reconnections, shutdown chatter) off the user's terminal."""
    logger = logging.getLogger("distributed")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


@contextmanager
def client_for(compute: ComputeSpec, retries: int) -> Iterator[Any]:
    """A :class:`distributed.Client` of the cluster ``compute`` names, closed on exit.

    Raises
    ------
    ConfigError
        The scheduler does not answer within ``compute.connect_timeout`` s.
    OptimizerError
        The local cluster did not start.
    """
    # lazy: Dask is heavy (tornado, the scheduler): imported only when a cluster is used
    from distributed import Client

    with _quiet_logs():
        if compute.scheduler is not None:
            address, timeout = compute.scheduler, compute.connect_timeout
            try:
                client = Client(address, timeout=timeout, set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise unreachable(compute, exc) from None
            with client:
                yield client
            return
        assert compute.workers is not None
        with (
            _local_cluster(compute.workers, retries) as address,
            Client(address, timeout=START_TIMEOUT, set_as_default=False) as client,
        ):
            yield client
