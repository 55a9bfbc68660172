"""End to end: ``optimizer demo`` cold and warm, on a private copy of ``scenarios/``.

Run: ``.venv/bin/python bench/e2e_demo.py [--repeats-warm 1] [--timeout 1500] [--compare-jobs]``;
writes
``bench/results/e2e_demo.json``.

Cold = what ``make demo`` does on a fresh clone: the scenario files and the demo dataset are
copied to a temporary folder without ``.cache`` (so no fitted model is cached), with a fresh
HOME and every cache of the stack in it (PyTensor's compile directory, numba's cache,
matplotlib's, as ``scripts/with-empty-caches`` does). Warm = the same command again on the same
copy (fits cached, compiled code cached). ``--compare-jobs`` adds a cold run with ``--jobs 1``
(the two fits one after the other) for the effect of fitting them side by side. The shared
``scenarios/.cache`` of the worktree is never touched. Wall time of the whole
``python -m optimizer demo --data <copy>/demo --out <tmp>/runs`` process.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import QUICK, ROOT, command_line, median, meta, write_result


def run(cmd: list[str], env: dict[str, str], timeout: float) -> dict:
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as exc:
        rc, out, err = None, str(exc.stdout or ""), f"timed out after {timeout} s"
    secs = time.perf_counter() - t0
    print(f"rc={rc} {secs:.1f} s", flush=True)
    return {
        "seconds": secs,
        "returncode": rc,
        "ok": rc == 0,
        "phases": phases(err or ""),
        "stdout_tail": (out or "")[-3000:],
        "stderr_tail": (err or "")[-3000:],
    }


#: Progress lines that end a phase of the demo, and the phase's name in the results.
PHASES = {
    "fits": ": fitted in",  # the later of the two fits' lines
    "scenarios": "] comparing the scenarios",
    "portfolio": "] done",
}


def phases(stderr: str) -> dict[str, float]:
    """Seconds from the demo's start at which each phase ended (from its progress lines).

    ``fits``: the demo store's two models fitted (absent when cached); ``scenarios``: its four
    scenarios run (the computation issue 13 times); ``portfolio``: the three-shop portfolio
    planned too, i.e. the whole command.
    """
    out: dict[str, float] = {}
    for line in stderr.splitlines():
        m = re.match(r"\[\s*([0-9.]+) s\]", line)
        if not m:
            continue
        for name, mark in PHASES.items():
            if mark in line and (name not in out or name == "fits"):
                out[name] = float(m.group(1))
    return out


def fresh_env(tmp: Path) -> dict[str, str]:
    """A new machine's caches: every cache the stack keeps under HOME in an empty folder."""
    home = tmp / "home"
    env = dict(os.environ)
    env.update(
        HOME=str(home),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        PYTENSOR_FLAGS=f"base_compiledir={home / '.pytensor'}",
        NUMBA_CACHE_DIR=str(home / ".cache" / "numba"),
        MPLCONFIGDIR=str(home / ".config" / "matplotlib"),
        PYTHONPATH=str(ROOT),
    )
    return env


def cold_then_warm(jobs: int, repeats_warm: int, timeout: float) -> dict:
    """One cold run of the demo (fresh caches, no fitted model) with ``--jobs``, then warm ones."""
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as tmp_s:
        tmp = Path(tmp_s)
        scen = tmp / "scenarios"
        shutil.copytree(
            ROOT / "scenarios", scen, ignore=shutil.ignore_patterns(".cache", "runs", "__pycache__")
        )
        env = fresh_env(tmp)
        cmd = [sys.executable, "-m", "optimizer", "demo", "--data", str(scen / "demo")]
        cmd += ["--out", str(tmp / "runs"), "--jobs", str(jobs)]
        print(f"cold (--jobs {jobs}):", " ".join(cmd), flush=True)
        cold = run(cmd, env, timeout)
        warm = []
        if cold["ok"]:
            for _ in range(repeats_warm):
                print("warm:", flush=True)
                warm.append(run(cmd, env, timeout))
    return {
        "jobs": jobs,
        "cold": cold,
        "warm": warm,
        "warm_median_s": median([w["seconds"] for w in warm]) if warm else None,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats-warm", type=int, default=1 if QUICK else 3)
    ap.add_argument("--timeout", type=float, default=1500.0)
    ap.add_argument(
        "--compare-jobs",
        action="store_true",
        help="also a cold run with --jobs 1 (fits one after the other), in the same session",
    )
    args = ap.parse_args()
    load = os.getloadavg()[0]
    main_run = cold_then_warm(2, args.repeats_warm, args.timeout)
    payload = {
        "meta": meta(command_line(), demo_command="optimizer demo --data <copy> --out <tmp>"),
        "available": main_run["cold"]["ok"],
        "load_1min_start": load,
        **{k: v for k, v in main_run.items() if k != "jobs"},
    }
    if args.compare_jobs:
        seq = cold_then_warm(1, 0, args.timeout)
        payload["cold_jobs1"] = seq["cold"]
    write_result("e2e_demo", payload)


if __name__ == "__main__":
    main()
