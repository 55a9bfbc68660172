"""SIGTERM (``kill``, a scheduler's stop) at every stage of a scenario run, then a rerun.

Python's default SIGTERM ends the process without any clean-up; the command line turns it into
an exception so that temporary folders are removed. Stopped while the model is compiled, rerun
and stopped during the optimization, rerun to the end, then a ``--force`` rerun stopped while
writing: the previous run stays, byte for byte. After every stop: exit 143, no traceback, no
temporary folder, every cache entry complete and loadable.
"""

from __future__ import annotations

import signal

from tests.reliability.conftest import (
    Work,
    assert_cache_complete,
    assert_interrupted,
    assert_no_model_published,
)
from tests.reliability.stages import (
    assert_nothing_left,
    rerun_to_the_end,
    stop_fit,
    stop_optimize_of_cold_run,
    stop_writing,
)


def test_sigterm_at_fit_and_optimize_then_rerun_and_stopped_force(work: Work) -> None:
    sig = signal.SIGTERM
    # 1. while the model is built and compiled (most of a fit's time)
    run = stop_fit(work, sig, "compile")
    assert_interrupted(run, sig)
    assert_nothing_left(work)
    assert_no_model_published(work)
    # 2. during the optimization of a rerun
    stop_optimize_of_cold_run(work, sig)
    # 3. the rerun completes with the cached fits
    rerun_to_the_end(work)
    # 4. a --force rerun stopped while writing: the previous run stays, byte for byte
    before = {p.name: p.read_bytes() for p in work.out.iterdir()}
    run, staging, files = stop_writing(work, sig, "--force")
    assert staging.parent == work.folder and {"summary.json", "report.html"} <= set(files)
    assert_interrupted(run, sig)
    assert {p.name: p.read_bytes() for p in work.out.iterdir()} == before
    assert not staging.exists() and work.temporaries() == []
    assert_cache_complete(work, expect=2)
