"""Run a list of tasks, in-process or through a Dask client, results in item order."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from optimizer.errors import ConfigError, OptimizerError
from optimizer.scaleout.cluster import client_for
from optimizer.scaleout.spec import IN_PROCESS, ComputeSpec

__all__ = ["run_tasks", "task_seed", "task_seeds"]


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
    with client_for(compute, retries) as client:
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
    # lazy: Dask is heavy (tornado, the scheduler): imported only when a cluster is used
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    run = f"{re.sub(r'[^A-Za-z0-9_]+', '_', name)}-{uuid.uuid4().hex[:8]}"
    # a shared value is the result of a task holding it, not scattered data: a worker lost
    # with it makes the scheduler recompute it instead of failing every task that needs it
    held = {
        k: client.submit(_identity, v, key=f"{run}-shared-{k}", pure=False)
        for k, v in shared.items()
    }
    # each task prefers a worker in turn: left alone, the scheduler queues every task on the
    # worker that holds the shared values (it counts the unknown task cost as 0.5 s, less than
    # a transfer), and the other workers sit idle (3 shop fits ran one after the other on 2)
    prefer = sorted(client.scheduler_info().get("workers", {}))
    futures = [
        client.submit(
            _call,
            fn,
            item,
            seed,
            held,
            key=f"{run}-{i}",
            pure=False,
            retries=retries,
            workers=[prefer[i % len(prefer)]] if prefer else None,
            allow_other_workers=True,
        )
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
