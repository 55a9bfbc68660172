"""Run independent tasks in-process or on a Dask cluster, with the same results either way.

A sweep point, a shop's model fit or a shop's pricing subproblem is a *task*: a function of one
item and one seed. :func:`run_tasks` runs a list of them where :class:`ComputeSpec` says:

* in-process (the default): one after the other in this process; Dask is not even imported;
* ``workers=N``: on a :class:`distributed.LocalCluster` of ``N`` single-threaded worker
  processes started for the call and closed after it;
* ``scheduler="tcp://HOST:PORT"`` (or the ``DASK_SCHEDULER_ADDRESS`` environment variable, see
  :meth:`ComputeSpec.from_options`): on an existing cluster — a ``dask scheduler`` with
  ``dask worker`` processes, or what dask-kubernetes and dask-jobqueue start; the code path is
  the same.

Every task gets its own seed, derived from its position (or given by the caller), never from
the worker it lands on, so the results do not depend on where they were computed. A task whose
worker dies (killed, out of memory) is run again elsewhere, up to ``retries`` times; a task that
raises an :class:`~optimizer.errors.OptimizerError` raises the same error, with its message, in
the caller (and is not retried: it would fail again). Ctrl-C or SIGTERM cancels what is still
running and closes the cluster; since results only come back as a whole, an interrupted caller
has nothing to publish.
"""

from __future__ import annotations

import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from optimizer.errors import ConfigError, OptimizerError

__all__ = [
    "CONNECT_TIMEOUT",
    "ENV_SCHEDULER",
    "IN_PROCESS",
    "ComputeSpec",
    "run_tasks",
    "task_seed",
    "task_seeds",
]

#: Environment variable naming an existing scheduler (Dask's own name for it).
ENV_SCHEDULER = "DASK_SCHEDULER_ADDRESS"

#: Seconds to wait for a scheduler before giving up with a :class:`ConfigError`: a scheduler on
#: the same network answers in milliseconds; Dask's own default (30 s) looks like a hang.
CONNECT_TIMEOUT = 5.0

#: Seconds a :class:`distributed.LocalCluster` gets to start its workers.
START_TIMEOUT = 60.0

_ADDRESS = re.compile(r"(tcp|tls|ws|wss)://(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})")
_FIX = "give it as tcp://HOST:PORT (the address `dask scheduler` prints, port 8786 by default)"

Where = Literal["in-process", "local", "scheduler"]


@dataclass(frozen=True)
class ComputeSpec:
    """Where tasks run: in-process, on a local cluster started for the call, or on a scheduler.

    Attributes
    ----------
    workers : int or None
        Start a :class:`distributed.LocalCluster` with this many single-threaded worker
        processes for the duration of each :func:`run_tasks` call.
    scheduler : str or None
        Address of an existing scheduler, ``tcp://HOST:PORT``.
    source : str
        Where the address came from, named in error messages (``--scheduler`` or
        ``DASK_SCHEDULER_ADDRESS``).
    connect_timeout : float
        Seconds to wait for the scheduler before a :class:`ConfigError`.

    Raises
    ------
    ConfigError
        Both ``workers`` and ``scheduler``, fewer than 1 worker, a malformed address.
    """

    workers: int | None = None
    scheduler: str | None = None
    source: str = "--scheduler"
    connect_timeout: float = CONNECT_TIMEOUT

    def __post_init__(self) -> None:
        if self.workers is not None and self.scheduler is not None:
            raise ConfigError(
                f"--workers {self.workers} and {self.source} {self.scheduler} both say where to "
                "run; give one of them (--workers starts a local cluster, --scheduler uses an "
                "existing one)."
            )
        if self.workers is not None and (
            isinstance(self.workers, bool) or not isinstance(self.workers, int) or self.workers < 1
        ):
            raise ConfigError(
                f"--workers {self.workers!r}: give a whole number of worker processes >= 1 "
                "(e.g. the number of cores), or leave it out to run in-process."
            )
        if self.scheduler is not None:
            match = _ADDRESS.fullmatch(self.scheduler.strip())
            if match is None or not 0 < int(match.group(3)) < 65536:
                raise ConfigError(
                    f"{self.source} {self.scheduler!r} is not a scheduler address; {_FIX}."
                )
            object.__setattr__(self, "scheduler", self.scheduler.strip())
        if not self.connect_timeout > 0:
            raise ConfigError(f"connect_timeout {self.connect_timeout} must be > 0 seconds.")

    @classmethod
    def from_options(
        cls,
        workers: int | None = None,
        scheduler: str | None = None,
        *,
        environ: Mapping[str, str] | None = None,
    ) -> ComputeSpec:
        """The spec the command-line options ``--workers`` / ``--scheduler`` ask for.

        Without either option, a non-empty ``DASK_SCHEDULER_ADDRESS`` in the environment names
        the scheduler; an explicit option wins over the environment.

        Parameters
        ----------
        workers : int, optional
            ``--workers``.
        scheduler : str, optional
            ``--scheduler``.
        environ : mapping, optional
            The environment (default :data:`os.environ`).

        Returns
        -------
        ComputeSpec
        """
        env = os.environ if environ is None else environ
        if workers is None and scheduler is None and env.get(ENV_SCHEDULER, "").strip():
            return cls(scheduler=env[ENV_SCHEDULER], source=ENV_SCHEDULER)
        return cls(workers=workers, scheduler=scheduler)

    @property
    def where(self) -> Where:
        """``in-process``, ``local`` (a cluster started for the call) or ``scheduler``."""
        if self.scheduler is not None:
            return "scheduler"
        return "in-process" if self.workers is None else "local"

    def describe(self) -> str:
        """Where the tasks run, in words (for progress messages)."""
        if self.where == "scheduler":
            return f"the Dask scheduler at {self.scheduler} ({self.source})"
        if self.where == "local":
            plural = "es" if self.workers != 1 else ""
            return f"a local Dask cluster of {self.workers} worker process{plural}"
        return "this process"


#: Run in this process, one task after the other.
IN_PROCESS = ComputeSpec()


def task_seed(base_seed: int, index: int) -> int:
    """The seed of task ``index`` of a run seeded with ``base_seed``, in [0, 2**32).

    Derived with :class:`numpy.random.SeedSequence` (``spawn_key=(index,)``): independent
    streams per task, the same whatever the number of tasks or where each one runs.
    """
    seq = np.random.SeedSequence(int(base_seed), spawn_key=(int(index),))
    return int(seq.generate_state(1, np.uint32)[0])


def task_seeds(base_seed: int, n: int) -> list[int]:
    """Seeds of tasks ``0 .. n - 1`` (:func:`task_seed`)."""
    return [task_seed(base_seed, i) for i in range(n)]


@dataclass(frozen=True)
class _Outcome:
    """What a task sends back: its value, or the :class:`OptimizerError` it raised."""

    value: Any = None
    error: OptimizerError | None = None


def _call(fn: Callable[..., Any], item: Any, seed: int, shared: Mapping[str, Any]) -> _Outcome:
    """Run one task; an OptimizerError comes back as a value (Dask would retry an exception)."""
    try:
        return _Outcome(value=fn(item, seed, **shared))
    except OptimizerError as exc:
        return _Outcome(error=exc)


def _identity(value: Any) -> Any:
    """Hold a shared value on a worker (recomputed from the task if its worker is lost)."""
    return value


def run_tasks(
    fn: Callable[..., Any],
    items: Sequence[Any],
    *,
    compute: ComputeSpec = IN_PROCESS,
    shared: Mapping[str, Any] | None = None,
    seeds: Sequence[int] | None = None,
    base_seed: int = 0,
    retries: int = 2,
    name: str = "task",
    progress: Callable[[str], None] | None = None,
) -> list[Any]:
    """Run ``fn(item, seed, **shared)`` for every item; return the results in item order.

    Parameters
    ----------
    fn : callable
        A module-level function (workers import it by name): ``fn(item, seed, **shared)``.
    items : sequence
        One task per item (picklable).
    compute : ComputeSpec
        Where to run (default: in this process).
    shared : mapping of str to object, optional
        Keyword arguments every task receives (a model, a base problem): sent to the cluster
        once, not once per task.
    seeds : sequence of int, optional
        One seed per item; default ``task_seeds(base_seed, len(items))``.
    base_seed : int
        Base of the derived seeds.
    retries : int
        How many times a task whose worker died is run again.
    name : str
        What the tasks are, for progress and error messages (``"sweep point"``).
    progress : callable, optional
        Receives a short message now and then.

    Returns
    -------
    list
        ``fn``'s results, ``results[i]`` for ``items[i]``.

    Raises
    ------
    OptimizerError
        The first error a task raised (the same type and message); a task that lost its
        worker more than ``retries`` times.
    ConfigError
        The scheduler cannot be reached within ``compute.connect_timeout`` seconds.
    """
    items = list(items)
    seeds = task_seeds(base_seed, len(items)) if seeds is None else [int(s) for s in seeds]
    if len(seeds) != len(items):
        raise ConfigError(f"{len(seeds)} seeds for {len(items)} {name}s; give one per item.")
    if retries < 0:
        raise ConfigError(f"retries {retries} must be >= 0.")
    say = progress or (lambda _m: None)
    kw = dict(shared or {})
    if compute.where == "in-process" or not items:
        results = []
        for i, (item, seed) in enumerate(zip(items, seeds, strict=True)):
            results.append(fn(item, seed, **kw))
            _report(say, name, i + 1, len(items))
        return results
    say(f"running {len(items)} {name}s on {compute.describe()}")
    with _client(compute, retries) as client:
        return _run_on(client, fn, items, seeds, kw, retries=retries, name=name, say=say)


def _report(say: Callable[[str], None], name: str, done: int, total: int) -> None:
    """About ten progress lines per run, whatever its size."""
    if total > 1 and (done == total or done % max(1, total // 10) == 0):
        say(f"  {done} of {total} {name}s done")


def _run_on(
    client: Any,
    fn: Callable[..., Any],
    items: list[Any],
    seeds: list[int],
    shared: dict[str, Any],
    *,
    retries: int,
    name: str,
    say: Callable[[str], None],
) -> list[Any]:
    """Submit every task to ``client``, collect the outcomes in order; cancel on any exit."""
    # Dask is heavy (tornado, the scheduler): imported only when a cluster is used
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    run = f"{re.sub(r'[^A-Za-z0-9_]+', '_', name)}-{uuid.uuid4().hex[:8]}"
    # a shared value is the result of a task holding it, not scattered data: a worker lost
    # with it makes the scheduler recompute it instead of failing every task that needs it
    held = {
        k: client.submit(_identity, v, key=f"{run}-shared-{k}", pure=False)
        for k, v in shared.items()
    }
    futures = [
        client.submit(_call, fn, item, seed, held, key=f"{run}-{i}", pure=False, retries=retries)
        for i, (item, seed) in enumerate(zip(items, seeds, strict=True))
    ]
    index = {f.key: i for i, f in enumerate(futures)}
    outcomes: list[_Outcome | None] = [None] * len(items)
    try:
        for done, future in enumerate(as_completed(futures, loop=client.loop), start=1):
            i = index[future.key]
            try:
                outcomes[i] = future.result()
            except KilledWorker:
                raise OptimizerError(
                    f"{name} {i} was lost with its worker {retries + 1} times (a worker process "
                    "died: out of memory or killed); give each worker more memory (fewer "
                    "--workers, or larger workers on the cluster) or run in-process."
                ) from None
            error = outcomes[i].error  # type: ignore[union-attr]
            if error is not None:
                raise error
            _report(say, name, done, len(items))
    finally:
        # on success nothing is left; on an error or Ctrl-C the rest is cancelled at once
        client.cancel([*futures, *held.values()], force=True)
    return [o.value for o in outcomes if o is not None]


@contextmanager
def _quiet_logs() -> Iterator[None]:
    """Keep Dask's log lines (worker restarts, shutdown chatter) off the user's terminal."""
    logger = logging.getLogger("distributed")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


@contextmanager
def _client(compute: ComputeSpec, retries: int) -> Iterator[Any]:
    """A client of the cluster ``compute`` names; a local cluster lives as long as the block."""
    # Dask is heavy (tornado, the scheduler): imported only when a cluster is used
    import dask
    from distributed import Client, LocalCluster

    with _quiet_logs():
        if compute.where == "scheduler":
            client = _connect(Client, compute)
            try:
                yield client
            finally:
                client.close()
            return
        # worker deaths a task may cause before it counts as failed (the scheduler's setting)
        with dask.config.set({"distributed.scheduler.allowed-failures": retries}):
            t0 = time.perf_counter()
            cluster = LocalCluster(
                n_workers=compute.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # any free port: never a clash on 8787
                silence_logs=logging.CRITICAL,
                host="127.0.0.1",
                timeout=START_TIMEOUT,
            )
        try:
            with Client(cluster, set_as_default=False, timeout=START_TIMEOUT) as client:
                client.wait_for_workers(1, timeout=START_TIMEOUT - (time.perf_counter() - t0))
                yield client
        finally:
            cluster.close()


def _connect(client_cls: Any, compute: ComputeSpec) -> Any:
    """Connect to an existing scheduler, or raise a ConfigError with the fix (no traceback)."""
    try:
        return client_cls(compute.scheduler, timeout=compute.connect_timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        unset = f" or unset {ENV_SCHEDULER}" if compute.source == ENV_SCHEDULER else ""
        raise ConfigError(
            f"{compute.source} {compute.scheduler}: no Dask scheduler answered within "
            f"{compute.connect_timeout:g} s ({exc}). Start one there (`dask scheduler`, then "
            f"`dask worker {compute.scheduler}` on each machine), fix the address{unset}, or "
            "use --workers N for a local cluster."
        ) from None
