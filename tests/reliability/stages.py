"""Steps shared by the interruption tests: start a run, stop it at a stage, check the state."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from tests.reliability.conftest import (
    Run,
    Work,
    assert_cache_complete,
    assert_complete_run,
    assert_interrupted,
)

FIT_LINE = "fitting the media-mix model"
OPTIMIZE_LINE = "allocating the media budget"


def stop_fit(work: Work, sig: int, where: str) -> Run:
    """Start a run on an empty cache and stop it during the media-mix model fit."""
    if where == "sampling":  # inside nutpie's sampling loop, which catches KeyboardInterrupt
        run = Run(work.args(), stage="sampling", sig=signal.Signals(sig).name)
        run.wait_for("STAGE sampling")
    else:  # building and compiling the model (most of a fit's time)
        run = Run(work.args())
        run.wait_for(FIT_LINE)
        time.sleep(1.0)
        run.send(sig)
    return run


def stop_writing(work: Work, sig: int, *extra: str) -> tuple[Run, Path, list[str]]:
    """Run with warm caches and stop it while the output files are written."""
    run = Run(work.args(*extra), stage="writing", sig=signal.Signals(sig).name)
    _, _, staging, files = run.wait_for("STAGE writing").split()
    return run, Path(staging), files.split(",")


def assert_nothing_left(work: Work) -> None:
    """No run folder, no temporary folder."""
    assert not work.out.exists(), sorted(work.out.iterdir())
    assert work.temporaries() == []


def stop_optimize_of_cold_run(work: Work, sig: int) -> None:
    """Rerun on the empty cache, stopped during the optimization: its fits are published."""
    run = Run(work.args())
    run.wait_for(OPTIMIZE_LINE)
    run.send(sig)
    assert_interrupted(run, sig)
    assert_nothing_left(work)
    assert_cache_complete(work, expect=2)


def rerun_to_the_end(work: Work) -> None:
    """A rerun completes with the cached fits and leaves no temporary folder."""
    run = Run(work.args())
    assert run.finish() == 0, run.stderr
    assert "media-mix model reused" in run.stderr and "elasticities reused" in run.stderr
    assert_complete_run(work.out)
    assert work.temporaries() == []
