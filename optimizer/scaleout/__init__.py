"""Run independent tasks in-process or on a Dask cluster, with the same results either way.

A sweep point, a shop's model fit or a shop's pricing subproblem is a *task*: a function of one
item and one seed. :func:`run_tasks` runs a list of them where :class:`ComputeSpec` says:

* in-process (the default): one after the other in this process; Dask is not even imported;
* ``workers=N``: on a :class:`distributed.LocalCluster` of ``N`` single-threaded worker
  processes started for the call and closed after it (in a process and session of its own,
  :mod:`optimizer.scaleout.cluster`);
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
has nothing to publish. :func:`open_cluster` keeps one local cluster up across several calls.
"""

from __future__ import annotations

from optimizer.scaleout.cluster import open_cluster
from optimizer.scaleout.spec import (
    CONNECT_TIMEOUT,
    ENV_SCHEDULER,
    IN_PROCESS,
    ComputeSpec,
    check_reachable,
)
from optimizer.scaleout.tasks import run_tasks, task_seed, task_seeds

__all__ = [
    "CONNECT_TIMEOUT",
    "ENV_SCHEDULER",
    "IN_PROCESS",
    "ComputeSpec",
    "check_reachable",
    "open_cluster",
    "run_tasks",
    "task_seed",
    "task_seeds",
]
