"""Load benchmark: a 1M-row sales history and a 100k-SKU catalog, loaded and validated.

Run: ``.venv/bin/python bench/load_scale.py [--rows 1000000] [--skus 100000] [--repeats 3]``.

The files are generated once into a temporary folder (seeded), then each load runs in a fresh
child process so that its peak resident memory (``ru_maxrss``) is its own; the child also
reports the RSS right after importing the package, so the table separates the cost of the data
from the cost of Python + pandas. The sales history is validated against the catalog (every SKU
must be known), as ``load_dataset`` does. Writes ``bench/results/load_scale.json``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import QUICK, ROOT, command_line, median, meta, write_result

from optimizer.data.synthetic import write_scale_catalog, write_scale_sales

WEEKS = 100
CHILD = r"""
import json, resource, sys, time
import optimizer.data as d
from optimizer.data.catalog import load_catalog
from optimizer.data.sales import load_sales
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
what, catalog_path, sales_path = sys.argv[1:4]
t0 = time.perf_counter()
if what == "catalog":
    cat = load_catalog(catalog_path)
    n = len(cat.skus)
else:
    cat = load_catalog(catalog_path)
    t0 = time.perf_counter()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n = len(load_sales(sales_path, catalog=cat).frame)
sec = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rows": n, "seconds": sec, "base_mib": base, "peak_mib": peak}))
"""


def child(what: str, catalog: Path, sales: Path) -> dict[str, float]:
    """Load in a fresh interpreter and return its timing and memory figures."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD, what, str(catalog), str(sales)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000 if QUICK else 1_000_000)
    ap.add_argument("--skus", type=int, default=10_000 if QUICK else 100_000)
    ap.add_argument("--repeats", type=int, default=1 if QUICK else 3)
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        cat_path, sales_path = Path(tmp) / "catalog.csv", Path(tmp) / "sales.csv"
        ids = write_scale_catalog(cat_path, args.skus, seed=0)
        n_rows = write_scale_sales(sales_path, ids, args.rows, weeks=WEEKS, seed=1)
        sizes = {
            "catalog_mib": cat_path.stat().st_size / 2**20,
            "sales_mib": sales_path.stat().st_size / 2**20,
        }
        for what, n in (("catalog", args.skus), ("sales", n_rows)):
            runs = [child(what, cat_path, sales_path) for _ in range(args.repeats)]
            assert all(r["rows"] == n for r in runs), runs
            row = {
                "file": what,
                "rows": n,
                "file_mib": sizes[f"{what}_mib"],
                "seconds_median": median([r["seconds"] for r in runs]),
                "peak_rss_mib_median": median([r["peak_mib"] for r in runs]),
                "base_rss_mib_median": median([r["base_mib"] for r in runs]),
                "runs": runs,
            }
            row["data_rss_mib_median"] = row["peak_rss_mib_median"] - row["base_rss_mib_median"]
            rows.append(row)
            print(
                f"{what:8s} {n:>9,d} rows {row['file_mib']:6.1f} MiB: "
                f"{row['seconds_median']:6.2f} s, peak RSS {row['peak_rss_mib_median']:7.1f} MiB "
                f"(+{row['data_rss_mib_median']:.1f} MiB over the loaded package)",
                flush=True,
            )
    write_result(
        "load_scale",
        {
            "meta": meta(
                command_line(), repeats=args.repeats, sales_skus=n_rows // WEEKS, sales_weeks=WEEKS
            ),
            "rows": rows,
        },
    )


if __name__ == "__main__":
    main()
