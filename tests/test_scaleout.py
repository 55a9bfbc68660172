"""Tasks in-process and on a LocalCluster: same results, lost workers retried, clear errors."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from optimizer.errors import ConfigError, InfeasibleError
from optimizer.scaleout import (
    ENV_SCHEDULER,
    IN_PROCESS,
    ComputeSpec,
    check_reachable,
    open_cluster,
    run_tasks,
    task_seed,
    task_seeds,
)

REPO = Path(__file__).resolve().parents[1]


# --- tasks (module level: workers import them by name) --------------------------------------
def draws(item: int, seed: int, *, scale: float = 1.0) -> list[float]:
    """A seeded computation: the same seed gives the same numbers anywhere."""
    rng = np.random.default_rng(seed)
    return (scale * item * rng.standard_normal(3)).tolist()


def fragile(item: int, seed: int, *, marker: str, scale: float) -> list[float]:
    """Kills its own worker process the first time item 1 runs (a lost worker)."""
    if item == 1 and not os.path.exists(marker):
        Path(marker).write_text(str(os.getpid()))
        os._exit(1)
    return draws(item, seed, scale=scale)


def refuse(item: int, seed: int) -> int:
    if item == 2:
        raise InfeasibleError(f"item {item}: channel minimums exceed the budget; raise it")
    return item


# --- the spec and the seeds (no Dask) -------------------------------------------------------
def test_spec_where_and_validation():
    assert IN_PROCESS.where == "in-process" and IN_PROCESS.describe() == "this process"
    assert ComputeSpec(workers=2).where == "local"
    assert ComputeSpec(scheduler=" tcp://10.0.0.5:8786 ").scheduler == "tcp://10.0.0.5:8786"
    with pytest.raises(ConfigError, match="give one of them"):
        ComputeSpec(workers=2, scheduler="tcp://h:8786")
    with pytest.raises(ConfigError, match=r"--workers 0: give a whole number"):
        ComputeSpec(workers=0)
    for bad in ("localhost:8786", "tcp://host", "tcp://host:99999", "http://h:1"):
        with pytest.raises(ConfigError, match=r"not a scheduler address; give it as tcp://"):
            ComputeSpec(scheduler=bad)


def test_from_options_reads_the_environment_unless_an_option_is_given():
    env = {ENV_SCHEDULER: "tcp://sched:8786"}
    spec = ComputeSpec.from_options(environ=env)
    assert spec.scheduler == "tcp://sched:8786" and spec.source == ENV_SCHEDULER
    assert ComputeSpec.from_options(workers=3, environ=env) == ComputeSpec(workers=3)
    assert ComputeSpec.from_options(environ={ENV_SCHEDULER: " "}) == IN_PROCESS
    with pytest.raises(ConfigError, match=f"{ENV_SCHEDULER} 'sched'"):
        ComputeSpec.from_options(environ={ENV_SCHEDULER: "sched"})


def test_task_seeds_depend_on_the_index_only():
    assert task_seeds(7, 5) == task_seeds(7, 9)[:5]
    assert len(set(task_seeds(7, 50))) == 50
    assert task_seed(7, 3) != task_seed(8, 3)


def test_in_process_runs_in_order_with_derived_or_given_seeds():
    got = run_tasks(draws, [1, 2, 3], base_seed=4, shared={"scale": 2.0})
    assert got == [draws(i, task_seed(4, i - 1), scale=2.0) for i in (1, 2, 3)]
    assert run_tasks(draws, [1], seeds=[11]) == [draws(1, 11)]
    with pytest.raises(ConfigError, match="2 seeds for 1 tasks"):
        run_tasks(draws, [1], seeds=[1, 2])
    with pytest.raises(InfeasibleError, match="item 2"):
        run_tasks(refuse, [1, 2, 3])


def test_in_process_does_not_import_dask():
    code = (
        "import sys; from optimizer.scaleout import run_tasks; "
        "assert run_tasks(divmod, [7], seeds=[2]) == [(3, 1)]; "
        "assert not {'dask', 'distributed'} & set(sys.modules), 'dask imported'"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, timeout=60)


def test_unreachable_scheduler_fails_fast_with_the_fix():
    spec = ComputeSpec(scheduler="tcp://127.0.0.1:9", source=ENV_SCHEDULER, connect_timeout=1.0)
    t0 = time.perf_counter()
    with pytest.raises(ConfigError) as err:
        run_tasks(draws, [1, 2], compute=spec)
    assert time.perf_counter() - t0 < 10
    msg = str(err.value)
    assert msg.startswith(f"{ENV_SCHEDULER} tcp://127.0.0.1:9: no Dask scheduler answered")
    assert "dask scheduler" in msg and f"unset {ENV_SCHEDULER}" in msg and "--workers" in msg
    # the plain TCP check a command makes before its long steps says the same, at once
    with pytest.raises(ConfigError, match="no Dask scheduler answered"):
        check_reachable(spec)
    check_reachable(IN_PROCESS)


# --- on a LocalCluster (worker processes; one xdist group keeps them off each other) -----------
@pytest.mark.xdist_group("dask")
def test_local_cluster_gives_the_in_process_results(time_limit):
    items = list(range(6))
    here = run_tasks(draws, items, base_seed=3, shared={"scale": 0.5})
    there = run_tasks(draws, items, base_seed=3, shared={"scale": 0.5}, compute=ComputeSpec(2))
    assert repr(there) == repr(here)  # bit for bit


@pytest.mark.xdist_group("dask")
def test_an_existing_scheduler_by_option_or_environment(monkeypatch, time_limit):
    from distributed import LocalCluster

    here = run_tasks(draws, [1, 2, 3], base_seed=5)
    with LocalCluster(
        n_workers=1, threads_per_worker=1, dashboard_address=":0", silence_logs=50
    ) as cluster:
        assert (
            run_tasks(
                draws,
                [1, 2, 3],
                base_seed=5,
                compute=ComputeSpec(scheduler=cluster.scheduler_address),
            )
            == here
        )
        monkeypatch.setenv(ENV_SCHEDULER, cluster.scheduler_address)
        spec = ComputeSpec.from_options()
        assert spec.where == "scheduler" and ENV_SCHEDULER in spec.describe()
        assert run_tasks(draws, [1, 2, 3], base_seed=5, compute=spec) == here


@pytest.mark.xdist_group("dask")
def test_a_lost_worker_is_retried(tmp_path, time_limit):
    marker = tmp_path / "killed"
    shared = {"marker": str(marker), "scale": 1.0}
    got = run_tasks(fragile, list(range(5)), shared=shared, compute=ComputeSpec(workers=2))
    assert marker.is_file() and int(marker.read_text()) != os.getpid()  # a worker did die
    assert repr(got) == repr(run_tasks(draws, list(range(5))))


@pytest.mark.xdist_group("dask")
def test_an_optimizer_error_on_a_worker_is_raised_with_its_message(time_limit):
    with pytest.raises(InfeasibleError, match=r"^item 2: channel minimums exceed the budget"):
        run_tasks(refuse, [1, 2, 3], compute=ComputeSpec(workers=1))


@pytest.mark.xdist_group("dask")
def test_one_cluster_serves_several_calls_and_stops_after(time_limit):
    import psutil

    before = set(psutil.Process().children(recursive=True))
    with open_cluster(ComputeSpec(workers=1)) as spec:
        assert spec.where == "scheduler" and "--workers 1 (local cluster)" in spec.describe()
        started = set(psutil.Process().children(recursive=True)) - before
        assert run_tasks(draws, [1, 2], compute=spec) == run_tasks(draws, [1, 2])
        assert run_tasks(draws, [3], compute=spec) == run_tasks(draws, [3])
    _, alive = psutil.wait_procs(list(started), timeout=30)
    assert started and not alive
    with open_cluster(IN_PROCESS) as spec:
        assert spec is IN_PROCESS
