"""Slow cases: the other fit stops with a full rerun, and SIGKILL (no clean-up possible)."""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.reliability.conftest import (
    Run,
    Work,
    assert_cache_complete,
    assert_complete_run,
    assert_interrupted,
    assert_no_model_published,
)
from tests.reliability.stages import assert_nothing_left, stop_fit, stop_writing


@pytest.mark.slow
@pytest.mark.parametrize(
    ("sig", "where"),
    [(signal.SIGINT, "compile"), (signal.SIGTERM, "sampling")],
    ids=["SIGINT-compile", "SIGTERM-sampling"],
)
def test_stopped_fit_then_rerun(work: Work, sig: int, where: str) -> None:
    run = stop_fit(work, sig, where)
    assert_interrupted(run, sig)
    assert_nothing_left(work)
    assert_no_model_published(work)
    run = Run(work.args())
    assert run.finish() == 0, run.stderr
    assert_complete_run(work.out)
    assert_cache_complete(work, expect=2)
    assert work.temporaries() == []


@pytest.mark.slow
def test_killed_runs_are_tolerated_and_swept(work: Work) -> None:
    """SIGKILL cannot be cleaned up after: the next run must still succeed."""
    # killed during the fit: no entry published
    run = stop_fit(work, signal.SIGKILL, "compile")
    assert run.finish() == -signal.SIGKILL
    assert not work.out.exists()
    assert_no_model_published(work)

    # killed while writing: the staging folder stays behind, the run folder does not exist
    run, staging, _ = stop_writing(work, signal.SIGKILL)
    assert run.finish() == -signal.SIGKILL
    assert not work.out.exists()
    assert staging.is_dir() and work.temporaries() == [staging]
    assert_cache_complete(work, expect=2)

    # leftovers of older killed runs, two days old: swept by the next run
    two_days_ago = time.time() - 2 * 86400
    old = [
        work.folder / ".run.old.abcd_123",
        work.folder / ".run.zyxw9876",
        work.caches[0] / ".mmm-k1ll3d00",
        work.caches[1] / ".elasticity-k1ll3d00",
    ]
    for folder in old:
        folder.mkdir()
        (folder / "half-written.nc").write_bytes(b"\0" * 10)
        os.utime(folder, (two_days_ago, two_days_ago))
    keep = work.folder / ".run-notes"  # not a name the package makes: never touched
    keep.mkdir()
    os.utime(keep, (two_days_ago, two_days_ago))

    run = Run(work.args())
    assert run.finish() == 0, run.stderr
    assert_complete_run(work.out)
    assert not any(p.exists() for p in old)
    assert keep.is_dir()
    # the recent leftover may belong to a run in progress elsewhere: left alone until stale
    assert work.temporaries() == [staging]
