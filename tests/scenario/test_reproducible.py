"""Issue 9, part 4: the same scenario and seed give byte-identical outputs in another process.

``test_run.py`` already compares a fresh fit with a cached one inside the test process. Here a
second, separate ``python -m optimizer scenario run`` fits the models again from an empty cache,
in a different folder, and every CSV and JSON it writes must match the first run byte for byte
(``run.json`` apart from what legitimately differs: timings and the folders it ran in).

Issue 13: the first run on a new machine (empty PyTensor/numba compile caches) gives the same
bytes as every later one. The compiled model used to differ: numba's fastmath let LLVM round the
whole-graph compile (cold) and the cached functions (warm) differently, and NUTS amplified the
last-bit difference into different draws (see ``optimizer/nuts.py``). Bit-identical output is
promised on one machine (CPU, compiler, package versions); another CPU may round differently.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.scenario.conftest import make_scenario

pytestmark = pytest.mark.xdist_group("scenario")

SAME = ("summary.json", "media_plan.csv", "prices.csv", "pnl.csv")
VARIES = ("timings_seconds", "cache", "scenario_file")


def _fresh_home_env(home: Path) -> dict[str, str]:
    """Environment of a new user: every cache the stack keeps (PyTensor C and numba code,
    numba's own cache, matplotlib, arviz) under ``home``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTENSOR", "NUMBA_CACHE"))}
    env.update(
        HOME=str(home),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_CONFIG_HOME=str(home / ".config"),
        MPLCONFIGDIR=str(home / ".config" / "matplotlib"),
        PYTENSOR_FLAGS=f"base_compiledir={home / '.pytensor'}",
        NUMBA_CACHE_DIR=str(home / ".cache" / "numba"),
    )
    return env


def _run_in_new_process(
    folder: Path, scenario_text: str, env: dict[str, str] | None = None, name: str = "run"
) -> Path:
    make_scenario(folder, body=scenario_text)
    out = folder / name
    proc = subprocess.run(
        [sys.executable, "-m", "optimizer", "scenario", "run", "scenario.toml", "--out", name],
        cwd=folder,
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    # a new user's first run prints progress, not third-party warnings (ArviZ, PyTensor BLAS)
    assert "Warning" not in proc.stderr, proc.stderr
    return out


def _assert_same_run(a: Path, b: Path) -> None:
    first = json.loads((a / "run.json").read_text())
    second = json.loads((b / "run.json").read_text())
    # both runs fitted their models (nothing shared through a model cache)
    assert first["cache"]["mmm"]["reused"] is False
    assert second["cache"]["mmm"]["reused"] is False
    assert first["cache"]["mmm"]["folder"] != second["cache"]["mmm"]["folder"]
    for name in SAME:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    for key in VARIES:
        first.pop(key), second.pop(key)
    assert first == second


def test_fresh_fit_in_another_process_gives_the_same_bytes(scenario_dir, small_run, tmp_path):
    text = (scenario_dir / "scenario.toml").read_text(encoding="utf-8")
    other = _run_in_new_process(tmp_path, text)
    _assert_same_run(small_run, other)


def test_cold_and_warm_compile_caches_give_the_same_bytes(scenario_dir, small_run, tmp_path):
    """A new machine's first run (empty compile caches) equals its second (warm caches)."""
    text = (scenario_dir / "scenario.toml").read_text(encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    env = _fresh_home_env(home)
    numba_cache = home / ".pytensor" / "numba"
    assert not numba_cache.exists()
    cold = _run_in_new_process(tmp_path / "cold", text, env)
    compiled = sorted(p.name for p in numba_cache.iterdir())
    assert compiled, "the first run should have filled the numba cache"
    warm = _run_in_new_process(tmp_path / "warm", text, env)
    # the second run loaded compiled code from the cache instead of compiling it all again
    assert sorted(p.name for p in numba_cache.iterdir()) == compiled
    _assert_same_run(cold, warm)
    # and both equal the run made inside the test process, whatever its caches held
    _assert_same_run(small_run, cold)
