"""``plan_prices`` and ``fit_elasticities``: the library calls of ``optimizer pricing``."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from optimizer.cli import cli
from optimizer.errors import ConfigError
from optimizer.jobs.pricing import (
    FitRequest,
    PriceRequest,
    capacity_per_week,
    fit_elasticities,
    plan_prices,
)
from optimizer.report.pricing_writer import write_elasticities, write_pricing
from tests.jobs.conftest import read_summary


def _cli(*args):
    return CliRunner().invoke(cli, ["pricing", *(str(a) for a in args)])


@pytest.fixture(scope="module")
def laplace_fit(tiny_store, tmp_path_factory):
    """The tiny store's elasticities (laplace), written by the CLI."""
    out = tmp_path_factory.mktemp("el") / "el"
    r = _cli(
        "fit", "--sales", tiny_store / "sales.csv", "--catalog", tiny_store / "catalog.csv",
        "--method", "laplace", "--out", out,
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    return out


def test_fit_matches_the_cli(tiny_store, laplace_fit, tmp_path):
    request = FitRequest(
        sales=tiny_store / "sales.csv", catalog=tiny_store / "catalog.csv", method="laplace"
    )
    run = fit_elasticities(request)
    assert run.summary["n_skus"] == 5 and run.summary["method"] == "laplace"
    write_elasticities(run.estimates, run.summary, tmp_path / "lib")
    assert read_summary(tmp_path / "lib") == read_summary(laplace_fit)
    name = "elasticities.csv"
    assert (tmp_path / "lib" / name).read_bytes() == (laplace_fit / name).read_bytes()


@pytest.mark.parametrize("safe", [True, False])
def test_plan_matches_the_cli(tiny_store, laplace_fit, tmp_path, safe):
    rules = tmp_path / "rules.toml"
    rules.write_text("schema_version = 1\nmax_change = 0.2\nmargin_floor = 0.3\nmax_changes = 3\n")
    request = PriceRequest(
        catalog=tiny_store / "catalog.csv",
        elasticities=laplace_fit,
        capacity="190",
        weeks=4,
        rules=rules,
        sales=tiny_store / "sales.csv",
        safe=safe,
    )
    run = plan_prices(request)
    assert (run.safety is not None) == safe
    assert run.summary["n_changes"] <= 3
    r = _cli(
        "optimize", "--catalog", tiny_store / "catalog.csv", "--elasticities", laplace_fit,
        "--capacity", "190", "--weeks", 4, "--rules", rules, "--sales", tiny_store / "sales.csv",
        "--safe" if safe else "--no-safe", "--out", tmp_path / "cli",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    write_pricing(run.result, run.summary, tmp_path / "lib", safety=run.safety)
    names = ["prices.csv"] + (["safety.csv"] if safe else [])
    for name in names:
        assert (tmp_path / "lib" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()
    assert read_summary(tmp_path / "lib") == read_summary(tmp_path / "cli")


def test_capacity_per_week(tmp_path):
    cap, cost = capacity_per_week("12,5", 3)
    assert cap.tolist() == [12.5] * 3 and cost == 0.0
    with pytest.raises(ConfigError, match="positive number"):
        capacity_per_week("-5", 3)
    log = tmp_path / "logistics.csv"
    log.write_text("week,capacity,cost_per_unit\n2025-10-06,400,1.0\n2025-10-13,300,2.0\n")
    cap, cost = capacity_per_week(str(log), 2)
    assert np.allclose(cap, [400, 300]) and cost == pytest.approx(1.5)
    with pytest.raises(ConfigError, match="covers 2 weeks but --weeks is 3"):
        capacity_per_week(str(log), 3)
