from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.allocation.helpers import synthetic_curves
from tests.pricing.conftest import tiny_store  # noqa: F401  (the pricing tests' store)


@pytest.fixture(scope="module")
def curves_file(tmp_path_factory) -> Path:
    """The allocation CLI tests' curves: 3 channels, 12 samples."""
    path = tmp_path_factory.mktemp("curves") / "curves.json"
    cv = synthetic_curves(n_channels=3, n_samples=12, lags=2, seed=11)
    path.write_text(json.dumps(cv.to_dict()))
    return path


def untimed(obj: Any) -> Any:
    """A summary without its timings (keys ending in ``seconds``, at any depth)."""
    if isinstance(obj, dict):
        return {k: untimed(v) for k, v in obj.items() if not k.endswith("seconds")}
    if isinstance(obj, list):
        return [untimed(v) for v in obj]
    return obj


def read_summary(folder: Path) -> Any:
    return untimed(json.loads((folder / "summary.json").read_text(encoding="utf-8")))
