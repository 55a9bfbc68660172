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
