from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from optimizer.errors import ConfigError
from optimizer.scenario import load_scenario, run_and_write, run_scenario
from optimizer.scenario.output import RUN_FILES
from tests.report.browser import ARTIFACTS, open_in_browser

pytestmark = pytest.mark.xdist_group("scenario")


def test_run_writes_every_file(small_run):
    assert sorted(p.name for p in small_run.iterdir()) == sorted(RUN_FILES)
    s = json.loads((small_run / "summary.json").read_text())
    for name, k in s["kpis"].items():
        for part in ("plan", "current", "separate"):
            assert k[part]["p10"] <= k[part]["p50"] + 1e-6 <= k[part]["p90"] + 2e-6, name
    assert set(s["media"]["channels"]) == {"seo", "sea", "social", "affiliation", "retail_media"}
    assert s["horizon"]["weeks"] == 6
    media = pd.read_csv(small_run / "media_plan.csv")
    assert len(media) == 6
    assert media["total"].sum() == pytest.approx(s["budget"], rel=1e-6)
    prices = pd.read_csv(small_run / "prices.csv")
    assert len(prices) == 200
    for col in (
        "sku",
        "current_price_incl_vat",
        "new_price_incl_vat",
        "new_price_excl_vat",
        "unit_cost",
        "change_pct",
        "expected_units",
        "margin",
    ):
        assert col in prices.columns
    # legal floor: price excl. VAT never below unit cost
    assert (prices["new_price_excl_vat"] >= prices["unit_cost"] - 0.01).all()
    pnl = pd.read_csv(small_run / "pnl.csv")
    lines = list(pnl["line"])
    assert lines[0] == "gross_revenue_incl_vat" and lines[-1] == "contribution"
    run = json.loads((small_run / "run.json").read_text())
    assert run["seed"] == 3 and "marketing" in run["inputs_sha256"]
    assert "Small test" in run["scenario_text"]


def test_xlsx_numbers_equal_summary(small_run):
    s = json.loads((small_run / "summary.json").read_text())
    wb = load_workbook(small_run / "report.xlsx")
    assert wb.sheetnames == ["Summary", "P&L", "Media plan", "Prices", "Assumptions"]
    ws = wb["Summary"]
    header = [c.value for c in ws[3]]
    rows = {
        r[0]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=4, values_only=True)
    }
    for name, k in s["kpis"].items():
        assert rows[name]["plan_mean"] == k["plan"]["mean"]
        assert rows[name]["plan_p10"] == k["plan"]["p10"]
        assert rows[name]["plan_p90"] == k["plan"]["p90"]
        assert rows[name]["delta_mean"] == k["delta"]["mean"]
        assert isinstance(rows[name]["plan_mean"], float | int)
    pnl = pd.read_csv(small_run / "pnl.csv")
    ws = wb["P&L"]
    header = [c.value for c in ws[3]]
    got = pd.DataFrame(list(ws.iter_rows(min_row=4, values_only=True)), columns=header)
    assert np.allclose(got["plan_mean"].astype(float), pnl["plan_mean"])
    assert ws.cell(row=4, column=header.index("plan_mean") + 1).number_format.startswith("#,##0.00")


def test_report_renders_in_browser(small_run):
    out = open_in_browser(small_run / "report.html", ARTIFACTS / "scenario_report.png")
    assert out["state"] == "complete"
    assert len(out["images"]) >= 5
    assert all(i["complete"] and i["width"] > 0 for i in out["images"])
    assert [m for m in out["console"] if m["level"] == "SEVERE"] == []


def test_plan_respects_capacity_and_stock(scenario_dir, small_run):
    result = run_scenario(load_scenario(scenario_dir / "scenario.toml"))
    d = result.demand
    stock = d.catalog.frame["stock"].to_numpy(float)
    for plan in (result.plans.current, result.plans.separate, result.plans.joint):
        sh = plan.shipments
        assert (sh.load <= d.capacity[None, :] * (1 + 1e-9)).all()
        assert (sh.shipped.sum(axis=1) <= stock[None, :] * (1 + 1e-9) + 1e-9).all()
        assert (sh.shipped <= sh.demand + 1e-9).all()
    # the joint plan is never worse than the separate one under the model
    assert result.plans.joint.contribution >= result.plans.separate.contribution - 1e-6


def test_same_seed_same_bytes_cached_or_fresh(scenario_dir, small_run):
    """run1 fitted the models; run2 reuses the cache: outputs must be byte-identical."""
    out2, _ = run_and_write(scenario_dir / "scenario.toml", scenario_dir / "run2")
    for name in ("summary.json", "media_plan.csv", "prices.csv", "pnl.csv"):
        assert (small_run / name).read_bytes() == (out2 / name).read_bytes(), name
    run1 = json.loads((small_run / "run.json").read_text())
    run2 = json.loads((out2 / "run.json").read_text())
    assert run1["cache"]["mmm"]["reused"] is False and run2["cache"]["mmm"]["reused"] is True


def test_refuses_to_overwrite(scenario_dir, small_run):
    before = (small_run / "summary.json").read_bytes()
    with pytest.raises(ConfigError, match="already exists; choose another --out or pass --force"):
        run_and_write(scenario_dir / "scenario.toml", small_run)
    assert (small_run / "summary.json").read_bytes() == before


def test_safe_price_plan_is_reported(small_run):
    s = json.loads((small_run / "summary.json").read_text())
    safety = s["pricing"]["safety"]
    assert safety["alpha"] == 0.1 and safety["seed"] == 3
    rows = {c["candidate"]: c for c in safety["candidates"]}
    assert "today" in rows and rows[safety["chosen"]]["chosen"]
    assert safety["chosen"] == "today" or rows[safety["chosen"]]["p_loss_b"] <= 0.1
    assert safety["promise"]["n_draws"] == safety["n_draws_b"] > 0
    assert safety["reason"]
    prices = pd.read_csv(small_run / "prices.csv")
    assert {"max_change_bound_pct", "bound_reason"} <= set(prices.columns)
    assert (-prices["change_pct"] <= prices["max_change_bound_pct"] + 0.01).all()
    assert (prices["change_pct"] <= prices["max_raise_bound_pct"] + 0.01).all()
    assert prices["bound_reason"].str.contains("identified|category prior").all()


def test_safe_false_gives_the_plain_optimum(scenario_dir, small_run):
    from tests.scenario.conftest import SMALL

    path = scenario_dir / "no_safety.toml"  # same folder: the fits are reused from the cache
    path.write_text(SMALL.format(extra_pricing="safe = false"))
    plain = run_scenario(load_scenario(path))
    assert plain.plans.pricing is not None and "safety" not in plain.plans.pricing.info
    assert "max_change_bound_pct" not in plain.plans.pricing.prices.columns
