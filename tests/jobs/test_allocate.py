"""``plan_media``: the one library call of ``optimizer allocate``, against what the CLI writes."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from optimizer.cli import cli
from optimizer.errors import ConfigError, InfeasibleError
from optimizer.jobs.allocate import AllocateRequest, MediaPlanRun, plan_media
from optimizer.report.allocation_writer import write_allocation
from tests.jobs.conftest import read_summary


def _cli(*args):
    return CliRunner().invoke(cli, ["allocate", *(str(a) for a in args)])


def _write(run: MediaPlanRun, out):
    return write_allocation(run.result, run.summary, out, safe=run.safe, frontier=run.frontier)


def test_free_plan_with_frontier_matches_the_cli(curves_file, tmp_path):
    request = AllocateRequest(
        budget=60_000.0,
        weeks=4,
        curves=curves_file,
        start=date(2026, 11, 23),
        mode="free",
        frontier=(0.5, 1.0, 1.5),
    )
    run = plan_media(request)
    assert run.safe is None and run.frontier is not None and len(run.frontier) == 3
    assert run.summary["mode"] == "free"
    r = _cli(
        "--curves", curves_file, "--budget", 60_000, "--weeks", 4, "--start", "2026-11-23",
        "--mode", "free", "--frontier", "0.5,1,1.5",
        "--out", tmp_path / "cli",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    _write(run, tmp_path / "lib")
    for name in ("plan.csv", "frontier.csv"):
        assert (tmp_path / "lib" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()
    assert read_summary(tmp_path / "lib") == read_summary(tmp_path / "cli")


def test_safe_margin_plan_matches_the_cli(curves_file, tmp_path):
    request = AllocateRequest(
        budget=45_000.0, weeks=3, curves=curves_file, objective="margin", margin_rate=0.5,
        risk="cvar10",
    )  # fmt: skip
    run = plan_media(request)
    assert run.safe is not None and run.safe.result is run.result and run.frontier is None
    assert run.summary["objective"] == "margin" and run.summary["risk"] == "cvar10"
    r = _cli(
        "--curves", curves_file, "--budget", 45_000, "--weeks", 3, "--objective", "margin",
        "--margin-rate", 0.5, "--risk", "cvar10", "--out", tmp_path / "cli",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    _write(run, tmp_path / "lib")
    assert (tmp_path / "lib" / "plan.csv").read_bytes() == (
        tmp_path / "cli" / "plan.csv"
    ).read_bytes()
    assert read_summary(tmp_path / "lib") == read_summary(tmp_path / "cli")


def test_exactly_one_source(curves_file, tmp_path):
    with pytest.raises(ConfigError, match="exactly one"):
        plan_media(AllocateRequest(budget=1000, weeks=2))
    with pytest.raises(ConfigError, match="exactly one"):
        plan_media(AllocateRequest(budget=1000, weeks=2, model=tmp_path, curves=curves_file))


def test_infeasible_rules_name_their_file(curves_file, tmp_path):
    rules = tmp_path / "tight.toml"
    rules.write_text("schema_version = 1\nweekly_cap = 10\n")
    request = AllocateRequest(
        budget=100_000, weeks=2, curves=curves_file, constraints=rules, mode="free"
    )
    with pytest.raises(InfeasibleError, match=r"^tight\.toml \(budget 100,000 EUR\): "):
        plan_media(request)
