"""A small but real scenario run shared by the scenario tests (short MCMC, fast elasticities)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import DEMO

SMALL = """\
schema_version = 1
name = "Small test"
description = "Short chains for tests."
seed = 3

[data]
dataset = "demo"

[model]
cache = ".cache/mmm"
draws = 150
tune = 200
chains = 2
holdout_weeks = 0
allow_failed = true

[elasticity]
cache = ".cache/elasticity"
mode = "fast"

[horizon]
weeks = 6

[media]
budget_change = 0.0
objective = "contribution"
[media.channels.sea]
min_change = -0.3
max_change = 0.3

[pricing]
max_change = 0.10
margin_floor = 0.15
{extra_pricing}
"""


def make_scenario(folder: Path, extra_pricing: str = "", body: str | None = None) -> Path:
    """Write a scenario file next to a copy of the demo dataset."""
    if not (folder / "demo").exists():
        shutil.copytree(DEMO, folder / "demo")
    path = folder / "scenario.toml"
    path.write_text(body if body is not None else SMALL.format(extra_pricing=extra_pricing))
    return path


@pytest.fixture(scope="session")
def scenario_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("scenario")
    make_scenario(folder)
    return folder


@pytest.fixture(scope="session")
def small_run(scenario_dir) -> Path:
    from optimizer.jobs.scenario import run_and_write

    out, _ = run_and_write(scenario_dir / "scenario.toml", scenario_dir / "run1")
    return out


@pytest.fixture(scope="session")
def small_result(scenario_dir, small_run):
    """The small scenario's result in memory (fits reused from the cache ``small_run`` filled)."""
    from optimizer.scenario import load_scenario, run_scenario

    return run_scenario(load_scenario(scenario_dir / "scenario.toml"))


@pytest.fixture(scope="session")
def small_run_en(scenario_dir, small_result) -> Path:
    """The same run written in English."""
    from optimizer.report.scenario_writer import write_run

    return write_run(small_result, scenario_dir / "run_en", lang="en")
