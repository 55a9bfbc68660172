"""Issue 9, part 5: big files load and validate in bounded memory.

Each load runs in a fresh interpreter so that its peak resident memory (``ru_maxrss``) is its
own. The 1M-row / 100k-SKU case is ``slow``; the default suite runs a 100k-row one and checks
that errors deep in a big file still name the right lines. Measured figures for the full size
are in ``docs/benchmarks.md`` (``bench/load_scale.py``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from optimizer.data.catalog import load_catalog
from optimizer.data.sales import load_sales
from optimizer.data.synthetic import write_scale_catalog, write_scale_sales
from optimizer.errors import DataError

# Linux keeps ru_maxrss across fork + exec: a child of a pytest worker that has run MCMC tests
# reports the worker's peak. VmHWM (peak resident set of the process's own memory map) starts
# afresh at exec; ru_maxrss remains the fallback where /proc is missing.
CHILD = """
import json, resource, sys
from optimizer.data.catalog import load_catalog
from optimizer.data.sales import load_sales
cat = load_catalog(sys.argv[1])
sales = load_sales(sys.argv[2], catalog=cat)
try:
    with open("/proc/self/status") as fh:
        peak = next(int(ln.split()[1]) for ln in fh if ln.startswith("VmHWM:")) / 1024
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"skus": len(cat.skus), "rows": len(sales.frame),
                  "units": float(sales.frame["units"].sum()), "peak_mib": peak}))
"""


def _load_in_child(catalog: Path, sales: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(catalog), str(sales)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _files(folder: Path, skus: int, rows: int) -> tuple[Path, Path, int]:
    cat, sales = folder / "catalog.csv", folder / "sales.csv"
    ids = write_scale_catalog(cat, skus)
    n = write_scale_sales(sales, ids, rows)
    return cat, sales, n


def _units_in_file(path: Path) -> float:
    with path.open(encoding="utf-8") as fh:
        next(fh)
        return float(sum(int(line.split(",")[3]) for line in fh))


@pytest.mark.parametrize(
    ("skus", "rows", "max_mib"),
    [
        pytest.param(10_000, 100_000, 600, id="100k-rows"),
        pytest.param(100_000, 1_000_000, 1024, id="1M-rows", marks=pytest.mark.slow),
    ],
)
def test_big_files_load_in_bounded_memory(tmp_path, skus, rows, max_mib):
    cat, sales, n = _files(tmp_path, skus, rows)
    got = _load_in_child(cat, sales)
    assert got["skus"] == skus and got["rows"] == n == rows
    assert got["units"] == _units_in_file(sales)  # every row parsed, none dropped
    # the interpreter with pandas and the package is about 200 MiB; a 1M-row (33 MiB) file
    # peaked at 399 MiB in bench/load_scale.py, the 100k-row one under 300 MiB
    assert got["peak_mib"] < max_mib, got


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> tuple[Path, Path, int]:
    return _files(tmp_path_factory.mktemp("big"), 10_000, 100_000)


def test_unknown_sku_deep_in_a_big_file_is_named_with_its_line(big, tmp_path):
    cat, sales, n = big
    text = sales.read_text(encoding="utf-8").splitlines(keepends=True)
    # the last row of the file is line n + 1 (the header is line 1)
    text[-1] = text[-1].replace(text[-1].split(",")[1], "SKU-XXXXXX")
    bad = tmp_path / "sales.csv"
    bad.write_text("".join(text), encoding="utf-8")
    with pytest.raises(DataError, match=rf"sales.csv, column 'sku', row {n + 1}: SKU 'SKU-XXXXXX'"):
        load_sales(bad, catalog=load_catalog(cat))


def test_duplicate_row_deep_in_a_big_file_is_named_with_both_lines(big, tmp_path):
    cat, sales, n = big
    lines = sales.read_text(encoding="utf-8").splitlines(keepends=True)
    bad = tmp_path / "sales.csv"
    bad.write_text("".join([*lines, lines[500]]), encoding="utf-8")
    with pytest.raises(DataError, match=rf"rows 501, {n + 2}: duplicate rows for week 2023-01-02"):
        load_sales(bad, catalog=load_catalog(cat))
