"""Jobs side by side in forked processes: results in order, errors and crashes surface."""

from __future__ import annotations

import os
from functools import partial

import pytest

from optimizer.errors import DataError, OptimizerError
from optimizer.forked import can_fork, run_forked

pytestmark = pytest.mark.skipif(not can_fork(), reason="this platform does not fork")


def _square(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def _bad(x: int) -> int:
    raise DataError(f"row {x}: bad value")


def _crash(x: int) -> int:
    os._exit(3)  # dies without a word


def test_results_come_back_in_order_from_other_processes() -> None:
    seen: list[int] = []
    out = run_forked(
        [partial(_square, i) for i in range(5)],
        [f"job {i}" for i in range(5)],
        workers=2,
        on_done=lambda i, _r, _s: seen.append(i),
    )
    assert out is not None
    assert [r[0] for r in out] == [0, 1, 4, 9, 16]
    assert all(pid != os.getpid() for _, pid in out)
    assert sorted(seen) == [0, 1, 2, 3, 4]


def test_an_optimizer_error_is_raised_as_is() -> None:
    with pytest.raises(DataError, match="row 1: bad value"):
        run_forked([partial(_square, 0), partial(_bad, 1)], ["a", "b"], workers=2)


def test_a_crashed_process_is_named_by_its_label() -> None:
    with pytest.raises(OptimizerError, match="the frontier budget x2 failed in its process"):
        run_forked([partial(_crash, 0)], ["frontier budget x2"], workers=1)


def test_labels_must_match_jobs() -> None:
    with pytest.raises(ValueError):
        run_forked([partial(_square, 0)], [], workers=1)
