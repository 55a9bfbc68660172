"""Issue 9, part 1: every broken input in ``cases.toml`` fails cleanly through the CLI.

Each case must exit with code 1, print a message naming the file, the location (column, row or
key) and the fix, print no traceback, and write nothing at its ``--out`` path. No case fits a
model: data and scenario files are checked by ``validate`` commands or fail before any fit, and
allocation uses closed-form response curves.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from optimizer.cli import cli
from optimizer.curves import ResponseCurves

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parents[1] / "docs" / "examples"
CASES = tomllib.loads((HERE / "cases.toml").read_text(encoding="utf-8"))["case"]
CHANNELS = ("seo", "sea", "social", "affiliation", "retail_media")


def _curves(path: Path) -> Path:
    """Hill curves with a 3-week adstock, same parameters for every channel (no fit)."""
    c = len(CHANNELS)
    curves = ResponseCurves(
        CHANNELS,
        np.tile(np.array([0.6, 0.3, 0.1]), (1, c, 1)),
        ("hill",) * c,
        np.tile(np.array([8000.0, 1.0]), (1, c, 1)),  # half-saturation EUR/week, slope
        np.full((1, c), 30000.0),  # max weekly effect, EUR
        np.full((4, c), 5000.0),  # recent spend, EUR/week
        np.full(c, 5000.0),  # current run-rate, EUR/week
    )
    path.write_text(json.dumps(curves.to_dict()), encoding="utf-8")
    return path


def _args(case: dict, subs: dict[str, str]) -> list[str]:
    args = []
    for a in case["args"]:
        for k, v in subs.items():
            a = a.replace(k, v)
        args.append(a)
    return args


def _subs(tmp_path: Path) -> dict[str, str]:
    return {
        "{out}": str(tmp_path / "out"),
        "{tmp}": str(tmp_path),
        "{examples}": str(EXAMPLES),
        "{curves}": str(_curves(tmp_path / "curves.json")),
    }


def test_corpus_is_broad() -> None:
    """At least 40 cases, every file type represented, unique ids."""
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))
    assert len(CASES) >= 40
    types = {c["type"] for c in CASES}
    assert types >= {
        "marketing",
        "catalog",
        "sales",
        "logistics",
        "lift_tests",
        "dataset",
        "scenario",
        "constraints",
        "pricing_rules",
    }
    assert (sum(p.stat().st_size for p in HERE.rglob("*") if p.is_file())) < 2_000_000


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_input_fails_cleanly(
    case: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(HERE)
    out = tmp_path / "out"
    args = _args(case, _subs(tmp_path))
    # the input files of the case (under this folder) must be named in the message
    named = [Path(a).name for a in args if not Path(a).is_absolute() and (HERE / a).is_file()]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    text = result.output
    assert result.exit_code == 1, text
    assert "Traceback" not in text
    for frag in [*named, *case["expect"]]:
        assert frag in text, f"{frag!r} not in:\n{text}"
    for frag in case.get("absent", []):
        assert frag not in text, f"{frag!r} in:\n{text}"
    assert not out.exists(), f"{out} was written"


SUBPROCESS = [c for c in CASES if c.get("subprocess")]


@pytest.mark.parametrize("case", SUBPROCESS, ids=[c["id"] for c in SUBPROCESS])
def test_bad_input_through_python_m(case: dict, tmp_path: Path) -> None:
    """The real entry point (``python -m optimizer``): exit 1, message on stderr, no traceback."""
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "optimizer", *_args(case, _subs(tmp_path))],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    for frag in case["expect"]:
        assert frag in proc.stderr, f"{frag!r} not in:\n{proc.stderr}"
    assert not out.exists()


def test_data_cases_break_one_thing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The scenario the dataset cases each break once validates: each fails for its own reason."""
    monkeypatch.chdir(HERE)
    result = CliRunner().invoke(cli, ["scenario", "validate", "scenarios/next_ok.toml"])
    assert result.exit_code == 0, result.output
