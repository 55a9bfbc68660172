"""Fixtures for allocation tests: the demo ground truth and curves built from it."""

from __future__ import annotations

import pytest

from optimizer.curves import ResponseCurves
from optimizer.data.demo import GroundTruth
from tests.allocation.helpers import REPO, truth_curves


@pytest.fixture(scope="session")
def truth() -> GroundTruth:
    return GroundTruth.load(REPO / "scenarios" / "demo")


@pytest.fixture(scope="session")
def demo_curves(truth: GroundTruth) -> ResponseCurves:
    return truth_curves(truth)
