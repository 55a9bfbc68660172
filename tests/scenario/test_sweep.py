"""``optimizer scenario sweep``: the grid, the same bytes in-process and on 2 workers, a worker
killed mid-sweep, an interrupted sweep, clear errors."""

from __future__ import annotations

import dataclasses
import os
import signal
import time
from pathlib import Path

import psutil
import pytest
from click.testing import CliRunner

from optimizer.allocation import AllocationProblem, ChannelRule
from optimizer.cli import cli
from optimizer.errors import ConfigError
from optimizer.report.sweep import SWEEP_FILES, write_sweep
from optimizer.scaleout import ComputeSpec, run_tasks
from optimizer.scenario import load_scenario
from optimizer.scenario.grid import RuleSet, SweepGrid
from optimizer.scenario.runner import prepare_scenario
from optimizer.scenario.sweep import plan_point, rule_problem, run_sweep, sweep_context
from tests.reliability.conftest import Run

# the sweeps reuse the small scenario's fitted models (one fit per xdist worker)
pytestmark = pytest.mark.xdist_group("scenario")

GRID = SweepGrid.parse("0.8,1.2", "free,workable")


# --- the grid and the rule sets (no model) --------------------------------------------------
def test_grid_parses_and_refuses_bad_values_with_the_fix():
    grid = SweepGrid.parse(" 0.7, 1 ,1.3", "free,guard30,workable", "mean,p10")
    assert grid.multipliers == (0.7, 1.0, 1.3) and grid.risks == ("mean", "p10")
    assert [r.name for r in grid.rules] == ["free", "guard30", "workable"]
    points = grid.points("mean")
    assert len(points) == 18 and (points[0].rules.name, points[0].risk) == ("free", "mean")
    assert [p.multiplier for p in points[:3]] == [0.7, 1.0, 1.3]
    assert SweepGrid.parse("1", "free").points("p10")[0].risk == "p10"
    for args, match in (
        (("0.7,x", "free"), "give numbers separated by commas"),
        (("0,1", "free"), r"multiplier\(s\) 0 out of range"),
        (("1,1", "free"), "budget multiplier is given twice"),
        (("1", "workabel"), "Did you mean 'workable'"),
        (("1", "guard0"), "use free, workable or guardNN"),
        (("1", "free", "p05"), "written 'p5'"),
    ):
        with pytest.raises(ConfigError, match=match):
            SweepGrid.parse(*args)


def test_rule_sets_change_only_their_rules():
    base = AllocationProblem(
        budget=1000.0,
        n_weeks=4,
        channels={"a": ChannelRule(min_change=-0.5, max_change=0.1)},
        max_week_change=0.25,
        always_on_min_share=0.5,
        no_restart=True,
    )
    free = rule_problem(RuleSet("free"), base, ("a", "b"))
    assert (free.max_week_change, free.always_on_min_share, free.no_restart) == (None, None, False)
    guard = rule_problem(RuleSet.parse("guard30"), base, ("a", "b"))
    assert guard.channels["a"].min_change == -0.3 and guard.channels["a"].max_change == 0.1
    assert (guard.channels["b"].min_change, guard.channels["b"].max_change) == (-0.3, 0.3)
    loose = dataclasses.replace(base, max_week_change=None, no_restart=False)
    work = rule_problem(RuleSet("workable"), loose, ("a",))
    assert (work.max_week_change, work.no_restart, work.always_on_min_share) == (0.25, True, 0.5)


# --- real sweeps on the small scenario -------------------------------------------------------
def _files(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in SWEEP_FILES if name != "run.json"}


def test_two_workers_write_the_in_process_bytes(scenario_dir, small_run, tmp_path, time_limit):
    spec = load_scenario(scenario_dir / "scenario.toml")
    here = run_sweep(spec, GRID, prefit=False)
    there = run_sweep(spec, GRID, ComputeSpec(workers=2), prefit=False)
    a = write_sweep(here, tmp_path / "here", lang="en")
    b = write_sweep(there, tmp_path / "there", lang="en")
    assert sorted(p.name for p in b.iterdir()) == sorted(SWEEP_FILES)
    assert _files(a) == _files(b)  # byte for byte
    t = here.table
    assert list(t["rules"]) == ["free", "free", "workable", "workable"]
    assert t["budget"].tolist() == pytest.approx(
        [0.8 * here.budget, 1.2 * here.budget] * 2, abs=0.01
    )
    ok = t[t["status"] != "infeasible"]
    assert len(ok) >= 2 and (ok["spend"] <= ok["budget"] + 0.01).all()
    assert (ok["lift_p10"] <= ok["lift_mean"] + 1e-6).all()
    assert there.compute == "a local Dask cluster of 2 worker processes"
    assert len(there.seconds["tasks"]) == 4


def fragile_point(point, seed, *, context, marker: str):
    """A sweep point that kills its worker process the first time it runs (a lost worker)."""
    if not os.path.exists(marker):
        Path(marker).write_text(str(os.getpid()))
        os._exit(1)
    return plan_point(point, seed, context=context)


def test_a_worker_killed_mid_sweep_changes_nothing(scenario_dir, small_run, tmp_path, time_limit):
    setup = prepare_scenario(load_scenario(scenario_dir / "scenario.toml"))
    context = sweep_context(setup)
    points = GRID.points("mean")
    here = run_tasks(plan_point, points, shared={"context": context})
    marker = tmp_path / "killed"
    shared = {"context": context, "marker": str(marker)}
    there = run_tasks(fragile_point, points, shared=shared, compute=ComputeSpec(workers=2))
    assert marker.is_file() and int(marker.read_text()) != os.getpid()  # a worker did die
    assert [row for row, _s in there] == [row for row, _s in here]


def test_cli_sweep_writes_the_folder(scenario_dir, small_run, tmp_path):
    out = tmp_path / "sweep"
    args = ["scenario", "sweep", str(scenario_dir / "scenario.toml"), "--out", str(out)]
    res = CliRunner().invoke(cli, [*args, "--budget-multipliers", "1", "--rules", "guard30"])
    assert res.exit_code == 0, res.output
    assert "1 of 1 grid points planned on this process" in res.output
    assert sorted(p.name for p in out.iterdir()) == sorted(SWEEP_FILES)
    res = CliRunner().invoke(cli, [*args, "--rules", "guard30"])
    assert res.exit_code == 1 and "pass --force" in res.output
    res = CliRunner().invoke(cli, [*args, "--force", "--budget-multipliers", "0.7,-1"])
    assert res.exit_code == 2 and "out of range" in res.output


def test_cli_bad_scheduler_fails_fast_before_any_fit(scenario_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "tcp://127.0.0.1:9")
    args = ["scenario", "sweep", str(scenario_dir / "scenario.toml"), "--out", str(tmp_path / "o")]
    t0 = time.perf_counter()
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 1 and time.perf_counter() - t0 < 30
    assert "DASK_SCHEDULER_ADDRESS tcp://127.0.0.1:9: no Dask scheduler answered" in res.output
    assert "Traceback" not in res.output and not (tmp_path / "o").exists()
    res = CliRunner().invoke(cli, [*args, "--scheduler", "localhost"])
    assert res.exit_code == 1 and "--scheduler 'localhost' is not a scheduler address" in res.output
    res = CliRunner().invoke(cli, [*args, "--workers", "2", "--scheduler", "tcp://h:8786"])
    assert res.exit_code == 1 and "give one of them" in res.output


def test_ctrl_c_stops_a_sweep_leaving_no_folder_and_no_worker(
    scenario_dir, small_run, tmp_path, time_limit
):
    # Ctrl-C reaches the whole process group; SIGTERM (kill) takes the same path once it
    # reaches the command (tests/reliability)
    sig = signal.SIGINT
    out = tmp_path / "sweep"
    mults = "0.6,0.7,0.8,0.9,1,1.1,1.2,1.3"
    args = ["scenario", "sweep", str(scenario_dir / "scenario.toml"), "--out", str(out)]
    run = Run([*args, "--workers", "2", "--budget-multipliers", mults])
    run.wait_for("sweep points on a local Dask cluster")
    time.sleep(3)  # the workers are starting or planning
    started = psutil.Process(run.proc.pid).children(recursive=True)
    assert started, "no cluster process was started"
    run.send(sig)  # SIGINT: the whole process group, as Ctrl-C does
    assert run.finish(timeout=120) == 128 + sig, run.stderr
    assert f"Interrupted ({signal.Signals(sig).name}); no partial output was kept." in run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    assert not out.exists() and not list(tmp_path.glob(".sweep.*"))
    # the cluster went with the command: none of the processes it started is left
    _, alive = psutil.wait_procs(started, timeout=30)
    assert not alive, [p.cmdline() for p in alive]
