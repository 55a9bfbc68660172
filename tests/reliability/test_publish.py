"""Atomic folders, cache publication and interruption handling, in-process (no sampling)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import arviz as az
import numpy as np
import pytest

from optimizer import interrupt
from optimizer.atomic import atomic_folder, sweep_stale
from optimizer.interrupt import Interrupted, require_all_draws, stop_on_signals
from optimizer.scenario.cache import cached
from tests.conftest import REPO

main_thread_only = pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(),
    reason="signal handlers can only be installed in the main thread",
)


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _save(obj: str, folder: Path) -> None:
    (folder / "value.txt").write_text(obj)


def _load(folder: Path) -> str:
    return (folder / "value.txt").read_text()


def test_stopped_inside_the_block_leaves_no_folder(tmp_path: Path) -> None:
    out = tmp_path / "run"
    with pytest.raises(Interrupted), atomic_folder(out) as staging:
        (staging / "a.csv").write_text("1")
        raise Interrupted("stopped by SIGTERM")
    assert sorted(tmp_path.iterdir()) == []


def test_stopped_replacement_keeps_the_previous_folder(tmp_path: Path) -> None:
    out = tmp_path / "run"
    out.mkdir()
    (out / "a.csv").write_text("previous")
    with pytest.raises(Interrupted), atomic_folder(out, overwrite=True) as staging:
        (staging / "a.csv").write_text("new")
        raise Interrupted("stopped by SIGINT")
    assert _tree(out) == {"a.csv": b"previous"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_stopped_between_the_two_renames_restores_the_previous_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The previous folder has been moved aside, the new one is not yet in place."""
    out = tmp_path / "run"
    out.mkdir()
    (out / "a.csv").write_text("previous")
    real = os.replace

    def replace(src, dst) -> None:
        if Path(src).name.startswith(".run.") and Path(dst) == out:
            raise Interrupted("stopped by SIGTERM")
        real(src, dst)

    monkeypatch.setattr("optimizer.atomic.os.replace", replace)
    with pytest.raises(Interrupted), atomic_folder(out, overwrite=True) as staging:
        (staging / "a.csv").write_text("new")
    assert _tree(out) == {"a.csv": b"previous"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_sweep_removes_only_old_folders_with_temporary_names(tmp_path: Path) -> None:
    old_time = time.time() - 2 * 86400
    names = {".run.abcd1234": True, ".run.old.x_y_z_01": True, ".run.ab": False, "run": False}
    for name in names:
        (tmp_path / name).mkdir()
        os.utime(tmp_path / name, (old_time, old_time))
    (tmp_path / ".run.young123").mkdir()
    removed = sweep_stale(tmp_path, r"\.run\.(old\.)?[a-z0-9_]{8}")
    assert sorted(p.name for p in removed) == sorted(n for n, gone in names.items() if gone)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".run.ab", ".run.young123", "run"]
    assert sweep_stale(tmp_path / "missing", r".*") == []


def test_cache_entry_without_marker_is_refitted(tmp_path: Path) -> None:
    calls: list[int] = []

    def fit() -> str:
        calls.append(1)
        return "fresh"

    obj, folder, hit = cached(tmp_path, "mmm", {"a": 1}, fit, _save, _load)
    assert (obj, hit, len(calls)) == ("fresh", False, 1)
    (folder / "CACHE_COMPLETE").unlink()  # as if killed before the marker was written
    _save("half-written", folder)
    obj, folder2, hit = cached(tmp_path, "mmm", {"a": 1}, fit, _save, _load)
    assert (obj, folder2, hit, len(calls)) == ("fresh", folder, False, 2)
    assert (folder / "CACHE_COMPLETE").is_file()
    obj, _, hit = cached(tmp_path, "mmm", {"a": 1}, fit, _save, _load)
    assert (obj, hit, len(calls)) == ("fresh", True, 2)


def test_concurrent_fit_of_the_same_key_keeps_the_first_published(tmp_path: Path) -> None:
    """Another run publishes the same key while ours fits: theirs is kept, ours discarded."""

    def other_run_fit() -> str:
        return "theirs"

    def fit() -> str:
        # while we fit, another process finishes the same fit and publishes it
        cached(tmp_path, "mmm", {"a": 1}, other_run_fit, _save, _load)
        return "ours"

    obj, folder, hit = cached(tmp_path, "mmm", {"a": 1}, fit, _save, _load)
    assert (obj, hit) == ("theirs", False)
    assert (folder / "CACHE_COMPLETE").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder.name]  # no temp folder left


@pytest.mark.parametrize("where", ["fit", "save"])
def test_interrupted_fit_or_save_publishes_nothing(tmp_path: Path, where: str) -> None:
    def fit() -> str:
        if where == "fit":
            raise Interrupted("stopped by SIGINT")
        return "x"

    def save(obj: str, folder: Path) -> None:
        _save(obj, folder)
        raise Interrupted("stopped by SIGTERM")

    with pytest.raises(Interrupted):
        cached(tmp_path, "mmm", {"a": 1}, fit, save, _load)
    assert list(tmp_path.iterdir()) == []


@main_thread_only
def test_swallowed_signal_still_blocks_publication(tmp_path: Path) -> None:
    """A library that catches the interruption and returns must not get its result cached."""

    def fit() -> str:
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
        except Interrupted:
            pass  # what nutpie and PyMC do with KeyboardInterrupt: return what they have
        return "truncated"

    with stop_on_signals(), pytest.raises(Interrupted):
        cached(tmp_path, "mmm", {"a": 1}, fit, _save, _load)
    assert list(tmp_path.iterdir()) == []
    # same for an output folder
    with stop_on_signals(), pytest.raises(Interrupted), atomic_folder(tmp_path / "run") as out:
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
        except Interrupted:
            pass
        (out / "a.csv").write_text("1")
    assert list(tmp_path.iterdir()) == []


@main_thread_only
def test_handlers_exist_only_inside_the_block() -> None:
    before = {s: signal.getsignal(s) for s in interrupt.SIGNALS}
    with stop_on_signals():
        assert all(signal.getsignal(s) is not before[s] for s in interrupt.SIGNALS)
        with pytest.raises(Interrupted):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
        assert interrupt.received() == signal.SIGTERM
        os.kill(os.getpid(), signal.SIGINT)  # a second signal: recorded, clean-up not cut short
        time.sleep(0.05)
    assert {s: signal.getsignal(s) for s in interrupt.SIGNALS} == before
    assert interrupt.received() is None
    interrupt.check()  # no longer raises


FORCE = """
import os, signal, sys, time
from optimizer.interrupt import Interrupted, stop_on_signals

with stop_on_signals():
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)
    except Interrupted:
        pass  # a library that swallows the interruption and goes on
    print("swallowed", flush=True)
    os.kill(os.getpid(), signal.SIGTERM)  # ignored: clean-up must not be cut short
    time.sleep(0.2)
    print("second ignored", flush=True)
    os.kill(os.getpid(), signal.SIGTERM)  # the third ends the process
    time.sleep(5)
    print("not reached", flush=True)
"""


def test_third_signal_ends_the_process_at_once() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", FORCE], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == -signal.SIGTERM, proc.stdout + proc.stderr
    assert proc.stdout.split() == ["swallowed", "second", "ignored"]


@main_thread_only
def test_ignored_signal_stays_ignored() -> None:
    previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        with stop_on_signals():
            assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
            assert signal.getsignal(signal.SIGINT) is not signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_truncated_posterior_is_refused() -> None:
    require_all_draws({"chain": 2, "draw": 150}, draws=150, chains=2, what="model")
    with pytest.raises(KeyboardInterrupt, match=r"2 of 2 chains, 65 of 150 draws"):
        require_all_draws({"chain": 2, "draw": 65}, draws=150, chains=2, what="model")
    with pytest.raises(KeyboardInterrupt, match="0 of 2 chains"):
        require_all_draws({}, draws=150, chains=2, what="model")


def test_sampler_returning_a_partial_trace_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    """Library use (no signal handler): nutpie swallowed Ctrl-C and returned 65 of 150 draws."""
    import nutpie
    import pymc as pm

    from optimizer.mmm.sampling import sample

    partial = az.from_dict(
        posterior={"mu": np.zeros((2, 65))}, sample_stats={"diverging": np.zeros((2, 65))}
    )
    monkeypatch.setattr(nutpie, "compile_pymc_model", lambda model, **kw: object())
    monkeypatch.setattr(nutpie, "sample", lambda compiled, **kw: partial)
    with pm.Model() as model:
        pm.Normal("mu")
    with pytest.raises(KeyboardInterrupt, match="65 of 150 draws"):
        sample(model, draws=150, tune=100, chains=2, seed=1, target_accept=0.9)
