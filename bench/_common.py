"""Shared helpers for the benchmark scripts (machine/versions, JSON, truth curves).

Not part of the product: the benchmarks import this module by path (``bench/`` is not a
package). Test curves come from the library (``GroundTruth.response_curves``,
``optimizer.curves.synthetic_curves``), so that the benchmarks never import ``tests``.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
# a quick smoke run never overwrites the full results that docs/benchmarks.md is built from
RESULTS = ROOT / "bench" / "results" / ("quick" if QUICK else "")

PACKAGES = (
    "optimizer",
    "pymc",
    "pytensor",
    "nutpie",
    "numba",
    "arviz",
    "numpy",
    "pandas",
    "scipy",
    "pulp",
    "highspy",
    "pymc-marketing",
)


def versions() -> dict[str, str | None]:
    """Installed versions of the packages the benchmarks exercise (None if absent)."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    for p in PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = None
    return out


def cpu_model() -> str:
    """CPU model name from /proc/cpuinfo (Linux), else platform.processor()."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict[str, Any]:
    """Machine description recorded with every result file."""
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu_model(),
        "memory_gib": mem,
        "platform": platform.platform(),
        "load_avg": list(os.getloadavg()),
    }


def git_commit() -> str | None:
    """Current commit of the repository (None outside git)."""
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def meta(command: str, **extra: Any) -> dict[str, Any]:
    """Header of a result file: date, command, machine, versions, commit, quick flag."""
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command,
        "quick": QUICK,
        "machine": machine(),
        "versions": versions(),
        "commit": git_commit(),
        **extra,
    }


def write_result(name: str, payload: dict[str, Any]) -> Path:
    """Write ``bench/results/<name>.json`` (NaN/inf become null)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(_clean(payload), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)}", flush=True)
    return path


def _clean(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_clean(v) for v in x]
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not np.isfinite(x):
        return None
    return x


def median(xs: list[float]) -> float:
    """Median of a non-empty list."""
    return float(statistics.median(xs))


def command_line() -> str:
    """The command that started this script, relative to the repository."""
    script = Path(sys.argv[0]).resolve()
    try:
        script_s = str(script.relative_to(ROOT))
    except ValueError:
        script_s = str(script)
    return " ".join([".venv/bin/python", script_s, *sys.argv[1:]])


def truth_curves(truth: Any, recent_weeks: int = 13) -> Any:
    """ResponseCurves (one sample) of the generator's true adstock + Hill response."""
    return truth.response_curves(recent_weeks)
