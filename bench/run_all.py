"""Run every benchmark one after the other (never in parallel: 2 shared cores), then the report.

Run: ``.venv/bin/python bench/run_all.py`` (what ``make bench`` does; ``BENCH_QUICK=1`` for a
short smoke run). A failing step is recorded in ``bench/results/bench_run.json`` and the others
still run; the exit code is 1 if any step failed.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import QUICK, ROOT, meta, write_result

PY = sys.executable
STEPS = [
    ("mmm_compare", [PY, "bench/mmm_compare.py"]),
    ("allocation_speed", [PY, "bench/allocation_speed.py"]),
    ("pricing_scale", [PY, "bench/pricing_scale.py"]),
    ("e2e_demo", [PY, "bench/e2e_demo.py"]),
    ("load_scale", [PY, "bench/load_scale.py"]),
    ("gate_pass_rate", [PY, "bench/gate_pass_rate.py"]),
    ("safe_plans", [PY, "bench/safe_plans.py", "--refit", "--calibrate"]),
    ("closed_loop", [PY, "bench/closed_loop.py"]),
    ("portfolio_pooling", [PY, "bench/portfolio_pooling.py"]),
    ("portfolio_plan", [PY, "bench/portfolio_plan.py"]),
    ("scaleout", [PY, "bench/scaleout.py"]),
]


def main() -> int:
    t0 = time.perf_counter()
    steps = []
    for name, cmd in STEPS:
        print(f"== {name}: {' '.join(cmd[1:])}", flush=True)
        s0 = time.perf_counter()
        rc = subprocess.run(cmd, cwd=ROOT).returncode
        steps.append({"name": name, "returncode": rc, "seconds": time.perf_counter() - s0})
        print(f"== {name}: rc {rc}, {steps[-1]['seconds']:.0f} s", flush=True)
    total = time.perf_counter() - t0
    write_result("bench_run", {"meta": meta("make bench"), "total_seconds": total, "steps": steps})
    rc = subprocess.run([PY, "bench/report.py"], cwd=ROOT).returncode
    print(f"== total {total / 60:.1f} min{' (quick)' if QUICK else ''}", flush=True)
    return 1 if rc or any(s["returncode"] for s in steps) else 0


if __name__ == "__main__":
    raise SystemExit(main())
