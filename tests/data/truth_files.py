"""Comparing two ``truth.json`` files: same keys and texts, floats to within 1e-9."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any


def _same(a: Any, b: Any, where: str) -> None:
    if isinstance(a, float) or isinstance(b, float):
        assert isinstance(a, int | float) and isinstance(b, int | float), where
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), f"{where}: {a} != {b}"
    elif isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), where
        for k in a:
            _same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def assert_same_truth(left: Path, right: Path) -> None:
    """Assert two truth files hold the same truth.

    The generator writes floats to 12 significant digits; a week sum that differs in its last
    bit from one CPU to another can still round the other way at the 12th digit, so floats
    are compared to 1e-9 (everything else exactly).
    """
    _same(
        json.loads(left.read_text(encoding="utf-8")),
        json.loads(right.read_text(encoding="utf-8")),
        left.name,
    )
