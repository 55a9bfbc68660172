"""A real ``optimizer scenario run`` in a subprocess, signalled at a chosen stage.

Stages that last long enough (the media-mix model fit, the optimization) are hit from outside
when the run prints the stage's progress line. Short or silent stages are hit from inside: a
wrapper (``python -c``) patches one function of the stage to signal its own process, so the
signal lands in the stage every time. No test hook lives in the package itself.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.scenario.conftest import make_scenario

#: Patched entry point: ``python -c WRAPPER <stage> <signal> <optimizer arguments...>``.
#: ``sampling``: signal 0.5 s into nutpie's sampling (nutpie catches KeyboardInterrupt and
#: returns the draws made so far, the case an interrupted fit must never be cached from).
#: ``writing``: signal from the Excel writer, once the other files are in the staging folder.
WRAPPER = """
import os, signal, sys, threading, time

stage, sig = sys.argv[1], getattr(signal, sys.argv[2])


def fire():
    os.kill(os.getpid(), sig)


if stage == "sampling":
    import nutpie

    real_sample = nutpie.sample

    def sample(*args, **kwargs):
        print("STAGE sampling", file=sys.stderr, flush=True)
        threading.Timer(0.5, fire).start()
        return real_sample(*args, **kwargs)

    nutpie.sample = sample
elif stage == "writing":
    import optimizer.report.scenario as report

    def render_xlsx(path, *args, **kwargs):
        files = ",".join(sorted(p.name for p in path.parent.iterdir()))
        print(f"STAGE writing {path.parent} {files}", file=sys.stderr, flush=True)
        fire()
        time.sleep(120)
        raise SystemExit("the signal did not stop the run")

    report.render_xlsx = render_xlsx
else:
    raise SystemExit(f"unknown stage {stage}")
from optimizer.cli import main

main(sys.argv[3:])
"""

#: Seconds any single run may take before the test gives up on it.
RUN_TIMEOUT = 300.0

_RUNNING: list[Run] = []


class Run:
    """A running ``optimizer`` process whose stderr is read line by line as it comes.

    It runs the package from ``src``, a snapshot taken when the test session starts.
    """

    src: Path = REPO

    def __init__(self, args: list[str], *, stage: str | None = None, sig: str = "") -> None:
        if stage is None:
            cmd = [sys.executable, "-m", "optimizer", *args]
        else:
            cmd = [sys.executable, "-c", WRAPPER, stage, sig, *args]
        self.started = time.perf_counter()
        self.label = f"{stage or 'run'} {sig} {' '.join(args[4:])}".strip()
        # own session: SIGINT goes to the whole process group, as Ctrl-C in a terminal does
        self.proc = subprocess.Popen(
            cmd,
            cwd=self.src,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self._err: list[str] = []
        self._out: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._readers = [
            threading.Thread(target=self._read, args=(self.proc.stderr, self._err, True)),
            threading.Thread(target=self._read, args=(self.proc.stdout, self._out, False)),
        ]
        for t in self._readers:
            t.start()
        _RUNNING.append(self)

    def _read(self, stream, sink: list[str], forward: bool) -> None:
        for line in stream:
            sink.append(line)
            if forward:
                self._lines.put(line)
        if forward:
            self._lines.put(None)

    def wait_for(self, fragment: str, timeout: float = RUN_TIMEOUT) -> str:
        """Block until a stderr line contains ``fragment``; return that line."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"no line with {fragment!r} within {timeout} s:\n{self.stderr}")
            if line is None:
                self.finish()
                pytest.fail(f"the run ended before {fragment!r}:\n{self.stderr}")
            if fragment in line:
                return line

    def send(self, sig: int) -> None:
        """SIGINT to the process group (a terminal's Ctrl-C), other signals to the process."""
        if sig == signal.SIGINT:
            os.killpg(self.proc.pid, sig)
        else:
            os.kill(self.proc.pid, sig)

    def finish(self, timeout: float = RUN_TIMEOUT) -> int:
        """Wait for the process to end; return its exit code (negative: killed by a signal)."""
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the run did not end within {timeout} s:\n{self.stderr}")
        self._close()
        self.seconds = time.perf_counter() - self.started
        print(f"{self.label}: exit {self.proc.returncode} after {self.seconds:.1f} s")
        return self.proc.returncode

    def _close(self) -> None:
        for t in self._readers:
            t.join()
        for stream in (self.proc.stdout, self.proc.stderr):
            assert stream is not None
            stream.close()
        if self in _RUNNING:
            _RUNNING.remove(self)

    def kill(self) -> None:
        """Kill a run a failed test left behind."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self._close()

    @property
    def stderr(self) -> str:
        """Everything written to stderr so far."""
        return "".join(self._err)

    @property
    def stdout(self) -> str:
        """Everything written to stdout so far."""
        return "".join(self._out)


@dataclass(frozen=True)
class Work:
    """A scenario next to a copy of the demo data, with its own (initially empty) caches."""

    folder: Path

    @property
    def scenario(self) -> Path:
        """The scenario file."""
        return self.folder / "scenario.toml"

    @property
    def out(self) -> Path:
        """The run folder the tests ask for."""
        return self.folder / "run"

    @property
    def caches(self) -> tuple[Path, Path]:
        """Model cache roots named in the scenario."""
        return self.folder / ".cache" / "mmm", self.folder / ".cache" / "elasticity"

    def args(self, *extra: str) -> list[str]:
        """Arguments of ``optimizer scenario run`` into :attr:`out`."""
        return ["scenario", "run", str(self.scenario), "--out", str(self.out), *extra]

    def entries(self) -> list[Path]:
        """Published cache entries (``mmm-<key>``, ``elasticity-<key>``)."""
        return sorted(
            p for root in self.caches if root.is_dir() for p in root.iterdir() if p.name[0] != "."
        )

    def temporaries(self) -> list[Path]:
        """Temporary folders: staging siblings of the run folder, unpublished cache entries."""
        found = [p for p in self.folder.iterdir() if p.name.startswith(f".{self.out.name}.")]
        for root in self.caches:
            if root.is_dir():
                found += [p for p in root.iterdir() if p.name.startswith(".")]
        return sorted(found)


@pytest.fixture(scope="session")
def package_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run a copy of the package taken at the start of the session.

    Cache keys hash the package's code, so an edit saved while these minutes-long tests run
    would turn the next step's cached fit into a refit and the test into a flaky one.
    """
    src = tmp_path_factory.mktemp("src")
    shutil.copytree(
        REPO / "optimizer", src / "optimizer", ignore=shutil.ignore_patterns("__pycache__")
    )
    Run.src = src
    return src


@pytest.fixture
def work(tmp_path: Path, package_snapshot: Path) -> Iterator[Work]:
    """A fresh scenario folder (fits really happen: the caches start empty)."""
    make_scenario(tmp_path)
    yield Work(tmp_path)
    while _RUNNING:  # a failed test must not leave a run behind
        _RUNNING[0].kill()


def assert_interrupted(run: Run, sig: int) -> None:
    """Exit 128 + signal, one clear line, no traceback."""
    code = run.finish()
    name = signal.Signals(sig).name
    assert code == 128 + sig, f"exit {code}:\n{run.stderr}"
    assert "Traceback" not in run.stderr, run.stderr
    assert f"Interrupted ({name}); no partial output was kept." in run.stderr, run.stderr


def assert_cache_complete(work: Work, expect: int | None = None) -> None:
    """Every published cache entry is marked complete, loads, and holds every draw."""
    from optimizer.mmm import load_model
    from optimizer.pricing import Elasticities

    entries = work.entries()
    if expect is not None:
        assert len(entries) == expect, entries
    for entry in entries:
        assert (entry / "CACHE_COMPLETE").is_file(), entry
        if entry.name.startswith("mmm-"):
            model = load_model(entry / "model")
            sizes = model.idata_.posterior.sizes
            assert (sizes["chain"], sizes["draw"]) == (2, 150), dict(sizes)
        else:
            assert len(Elasticities.load(entry)) > 0


def assert_no_model_published(work: Work) -> None:
    """Stopped during the media-mix fit: no media-mix entry; an elasticity fit that ran beside it
    (``optimizer.scenario.prefit``) may have finished first, and is then complete."""
    assert not [p for p in work.entries() if p.name.startswith("mmm-")], work.entries()
    assert_cache_complete(work)


def assert_complete_run(folder: Path) -> None:
    """Every file of a run folder, readable, and nothing else."""
    from optimizer.scenario.runs import RUN_FILES

    assert sorted(p.name for p in folder.iterdir()) == sorted(RUN_FILES)
    for name in ("summary.json", "run.json"):
        json.loads((folder / name).read_text(encoding="utf-8"))
    assert (folder / "report.xlsx").stat().st_size > 0
