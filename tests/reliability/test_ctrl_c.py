"""Ctrl-C (SIGINT to the process group) at every stage of a scenario run, then a rerun.

One user's afternoon on a fresh cache: stopped inside the model's sampling loop (nutpie
catches KeyboardInterrupt and returns the draws made so far: they must never be cached),
rerun and stopped during the optimization (that run's fits are published), stopped while the
output files are written, rerun to the end. After every stop: exit 130, no traceback, no run
folder, no temporary folder, every cache entry complete, loadable and holding all its draws.
A step after a stop is the rerun of that stop: it must get past the stopped stage.
"""

from __future__ import annotations

import signal

from tests.reliability.conftest import Work, assert_interrupted, assert_no_model_published
from tests.reliability.stages import (
    assert_nothing_left,
    rerun_to_the_end,
    stop_fit,
    stop_optimize_of_cold_run,
    stop_writing,
)


def test_sigint_at_fit_optimize_and_writing_then_rerun(work: Work) -> None:
    sig = signal.SIGINT
    # 1. inside nutpie's sampling loop: the truncated trace it returns is never cached
    run = stop_fit(work, sig, "sampling")
    assert_interrupted(run, sig)
    assert_nothing_left(work)
    assert_no_model_published(work)
    # 2. during the optimization of a rerun
    stop_optimize_of_cold_run(work, sig)
    # 3. while writing: the staging folder had files, now gone
    run, staging, files = stop_writing(work, sig)
    assert staging.parent == work.folder and {"summary.json", "report.html"} <= set(files)
    assert_interrupted(run, sig)
    assert not staging.exists()
    assert_nothing_left(work)
    # 4. the rerun completes with the cached fits
    rerun_to_the_end(work)
