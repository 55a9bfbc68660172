"""Issue 9, part 4: the same scenario and seed give byte-identical outputs in another process.

``test_run.py`` already compares a fresh fit with a cached one inside the test process. Here a
second, separate ``python -m optimizer scenario run`` fits the models again from an empty cache,
in a different folder, and every CSV and JSON it writes must match the first run byte for byte
(``run.json`` apart from what legitimately differs: timings and the folders it ran in).

Bit-identical floating point is promised for one machine and one PyTensor compile cache: the
fitted posterior goes through compiled C/numba code, and a different compiler or CPU may round
differently (see ``docs/scenarios.md``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.scenario.conftest import make_scenario

pytestmark = pytest.mark.xdist_group("scenario")

SAME = ("summary.json", "media_plan.csv", "prices.csv", "pnl.csv")
VARIES = ("timings_seconds", "cache", "scenario_file")


def _run_in_new_process(folder: Path, scenario_text: str) -> Path:
    make_scenario(folder, body=scenario_text)
    out = folder / "run"
    proc = subprocess.run(
        [sys.executable, "-m", "optimizer", "scenario", "run", "scenario.toml", "--out", "run"],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out


def test_fresh_fit_in_another_process_gives_the_same_bytes(scenario_dir, small_run, tmp_path):
    text = (scenario_dir / "scenario.toml").read_text(encoding="utf-8")
    other = _run_in_new_process(tmp_path, text)
    first = json.loads((small_run / "run.json").read_text())
    second = json.loads((other / "run.json").read_text())
    # both runs fitted their models (nothing shared through a cache)
    assert first["cache"]["mmm"]["reused"] is False
    assert second["cache"]["mmm"]["reused"] is False
    assert first["cache"]["mmm"]["folder"] != second["cache"]["mmm"]["folder"]
    for name in SAME:
        assert (small_run / name).read_bytes() == (other / name).read_bytes(), name
    for key in VARIES:
        first.pop(key), second.pop(key)
    assert first == second
