"""Shared test configuration: hypothesis profiles keyed on CI, paths to the bundled demo."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "dev", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "scenarios" / "demo"


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    """The bundled demo dataset folder."""
    return DEMO


#: Longest a test using ``time_limit`` may run before its process is stopped with every
#: thread's stack dumped (a hung Dask cluster must not hang CI; there is no pytest-timeout).
TIME_LIMIT_S = 240


@pytest.fixture
def time_limit():
    """Stop the test process, stacks dumped, if the test runs past :data:`TIME_LIMIT_S`."""
    import faulthandler

    faulthandler.dump_traceback_later(TIME_LIMIT_S, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()
