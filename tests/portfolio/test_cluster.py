"""A small portfolio on a LocalCluster of 2 worker processes writes the in-process bytes."""

from __future__ import annotations

import faulthandler
from pathlib import Path

import pytest

from optimizer.portfolio.fit import fit_shops
from optimizer.portfolio.output import RUN_FILES
from optimizer.portfolio.plan import PlanSettings
from optimizer.portfolio.run import plan_portfolio
from optimizer.portfolio.synthetic import synthetic_fit
from optimizer.report.portfolio_writer import write_portfolio
from optimizer.scaleout import IN_PROCESS, ComputeSpec

#: Longest the test may take before its stacks are dumped and it stops (a hung cluster).
LIMIT_S = 600


def _run(portfolio, compute: ComputeSpec, out: Path) -> Path:
    fits = fit_shops(portfolio, compute=compute, fit=synthetic_fit)
    result = plan_portfolio(portfolio, fits, PlanSettings(alone=False), compute=compute)
    return write_portfolio(result, out, lang="en")


@pytest.mark.xdist_group("dask")
def test_local_cluster_writes_the_in_process_files(small_portfolio, tmp_path):
    faulthandler.dump_traceback_later(LIMIT_S, exit=True)
    try:
        here = _run(small_portfolio, IN_PROCESS, tmp_path / "here")
        there = _run(small_portfolio, ComputeSpec(workers=2), tmp_path / "cluster")
    finally:
        faulthandler.cancel_dump_traceback_later()
    assert sorted(p.name for p in here.iterdir()) == sorted(RUN_FILES)
    for name in RUN_FILES:
        if name == "run.json":  # where and how long it ran
            continue
        assert (here / name).read_bytes() == (there / name).read_bytes(), name
    assert "cluster of 2 worker" in (there / "run.json").read_text(encoding="utf-8")
