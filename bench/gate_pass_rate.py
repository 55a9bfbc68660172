"""Gate pass rate of default MMM fits on generated stores that are not in the repository.

Each store of ``optimizer.data.stores`` (4 spend patterns x 3 seeds, noise 2-6 %, 156 weeks,
the demo's five channels and controls, no lift tests: ordinary data) is fitted with the
product's defaults (4 chains x 1000 draws, 1000 tuning, target acceptance 0.95, up to 2 retries)
one after the other in one process (the first fit compiles; later fits reuse PyTensor's numba
cache, as on a user's machine). Reported per store: attempts, gate at the first
attempt and at the end, fit time, and against the truth: ROAS error and 90 % interval coverage.

Run: ``.venv/bin/python bench/gate_pass_rate.py`` (``BENCH_QUICK=1``: 4 stores, 2 x 300 draws).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import QUICK, command_line, median, meta, write_result

from optimizer.data.stores import PATTERNS, generate_store
from optimizer.mmm import MMM

SEEDS = (1, 2, 3)
NOISE = {1: 0.02, 2: 0.04, 3: 0.06}


def fit_one(pattern: str, seed: int) -> dict:
    store = generate_store(pattern, seed, noise=NOISE[seed])
    settings = {"draws": 300, "tune": 300, "chains": 2} if QUICK else {}
    t0 = time.perf_counter()
    mmm = MMM(seed=1, **settings).fit(store.history)
    seconds = time.perf_counter() - t0
    table = mmm.roas()
    truth = store.true_roas()
    err = [abs(table.loc[c, "roas_mean"] - r) / r for c, r in truth.items()]
    covered = [table.loc[c, "roas_low"] <= r <= table.loc[c, "roas_high"] for c, r in truth.items()]
    return {
        "store": store.name,
        "pattern": pattern,
        "seed": seed,
        "noise": store.noise,
        "attempts": [a.to_dict() for a in mmm.attempts_],
        "passed_first": mmm.attempts_[0].passed,
        "passed": mmm.diagnostics_.passed,
        "failures": list(mmm.diagnostics_.failures),
        "fit_seconds": seconds,
        "compile_seconds": mmm.compile_seconds_,
        "sampling_seconds": mmm.sampling_seconds_,
        "roas_error_mean": float(np.mean(err)),
        "roas_coverage_90": float(np.mean(covered)),
    }


def main() -> None:
    patterns = list(PATTERNS)
    seeds = SEEDS[:1] if QUICK else SEEDS
    rows = []
    for seed in seeds:
        for pattern in patterns:
            r = fit_one(pattern, seed)
            rows.append(r)
            print(
                f"{r['store']:<20} attempts {len(r['attempts'])}  first {r['passed_first']!s:<5} "
                f"final {r['passed']!s:<5} {r['fit_seconds']:6.1f} s  ROAS err "
                f"{r['roas_error_mean']:.0%} cover {r['roas_coverage_90']:.0%}",
                flush=True,
            )
    first = sum(r["passed_first"] for r in rows)
    final = sum(r["passed"] for r in rows)
    summary = {
        "stores": len(rows),
        "passed_first_attempt": first,
        "passed": final,
        "median_fit_seconds": median([r["fit_seconds"] for r in rows]),
        "max_fit_seconds": max(r["fit_seconds"] for r in rows),
        "median_fit_seconds_first_attempt_only": median(
            [r["fit_seconds"] for r in rows if len(r["attempts"]) == 1] or [float("nan")]
        ),
        "retried": sum(len(r["attempts"]) > 1 for r in rows),
    }
    print(summary)
    write_result("gate_pass_rate", {"meta": meta(command_line()), "summary": summary, "rows": rows})


if __name__ == "__main__":
    main()
