"""End to end: ``optimizer demo`` cold and warm, on a private copy of ``scenarios/``.

Run: ``.venv/bin/python bench/e2e_demo.py [--repeats-warm 1] [--timeout 1500]``; writes
``bench/results/e2e_demo.json``.

Cold = what ``make demo`` does on a fresh clone: the scenario files and the demo dataset are
copied to a temporary folder without ``.cache`` (so no fitted model is cached), with a fresh
PyTensor compile directory (``PYTENSOR_FLAGS=base_compiledir=<tmp>``) and a fresh numba cache
(``NUMBA_CACHE_DIR``). Warm = the same command again on the same copy (fits cached, compiled
code cached). The shared ``scenarios/.cache`` of the worktree is never touched. Wall time of
the whole ``.venv/bin/optimizer demo --data <copy>/demo --out <tmp>/runs`` process.
"""

from __future__ import annotations

import argparse
import os
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
        "stdout_tail": (out or "")[-3000:],
        "stderr_tail": (err or "")[-3000:],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats-warm", type=int, default=1 if QUICK else 3)
    ap.add_argument("--timeout", type=float, default=1500.0)
    args = ap.parse_args()
    exe = ROOT / ".venv" / "bin" / "optimizer"
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as tmp_s:
        tmp = Path(tmp_s)
        scen = tmp / "scenarios"
        shutil.copytree(
            ROOT / "scenarios", scen, ignore=shutil.ignore_patterns(".cache", "runs", "__pycache__")
        )
        env = dict(os.environ)
        env["PYTENSOR_FLAGS"] = f"base_compiledir={tmp / 'pytensor'}"
        env["NUMBA_CACHE_DIR"] = str(tmp / "numba")
        cmd = [str(exe), "demo", "--data", str(scen / "demo"), "--out", str(tmp / "runs")]
        print("cold:", " ".join(cmd), flush=True)
        cold = run(cmd, env, args.timeout)
        warm = []
        if cold["ok"]:
            for _ in range(args.repeats_warm):
                print("warm:", flush=True)
                warm.append(run(cmd, env, args.timeout))
    payload = {
        "meta": meta(command_line(), demo_command="optimizer demo --data <copy> --out <tmp>"),
        "available": cold["ok"],
        "cold": cold,
        "warm": warm,
        "warm_median_s": median([w["seconds"] for w in warm]) if warm else None,
    }
    write_result("e2e_demo", payload)


if __name__ == "__main__":
    main()
