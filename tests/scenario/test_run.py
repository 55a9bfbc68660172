from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from optimizer.errors import ConfigError
from optimizer.jobs.scenario import run_and_write
from optimizer.scenario import load_scenario, run_scenario
from optimizer.scenario.runs import RUN_FILES

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
        "change",
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


def test_plan_respects_capacity_and_stock(small_result):
    result = small_result
    d = result.demand
    stock = d.catalog.frame["stock"].to_numpy(float)
    for plan in (result.plans.current, result.plans.separate, result.plans.joint):
        sh = plan.shipments
        assert (sh.load <= d.capacity[None, :] * (1 + 1e-9)).all()
        assert (sh.shipped.sum(axis=1) <= stock[None, :] * (1 + 1e-9) + 1e-9).all()
        assert (sh.shipped <= sh.demand + 1e-9).all()
    # the joint plan is never worse than the separate one under the model
    assert result.plans.joint.contribution >= result.plans.separate.contribution - 1e-6


def test_price_changes_per_cycle_capped(small_run):
    """The default scenario policy: at most 25 % of the catalog changes price in one cycle."""
    s = json.loads((small_run / "summary.json").read_text())
    assert s["pricing"]["max_changes"] == 50 and s["pricing"]["max_changes_share"] == 0.25
    assert s["pricing"]["n_changes"] <= 50
    prices = pd.read_csv(small_run / "prices.csv")
    assert int((prices["change"].abs() > 1e-9).sum()) == s["pricing"]["n_changes"]


def test_frontier_points_are_feasible_store_contributions(small_result):
    f = small_result.frontier
    assert f is not None and len(f) >= 3
    assert (f["status"] != "infeasible").all()
    assert f["is_scenario_budget"].sum() == 1
    # the scenario's +/-30 % rule on SEA: budgets stay within what the rules allow
    assert f["multiplier"].min() >= 0.5 - 1e-9 and f["multiplier"].max() <= 1.5 + 1e-9
    d_c = f["contribution_mean"].diff().to_numpy()[1:]
    d_s = f["spend"].diff().to_numpy()[1:]
    assert np.allclose(f["marginal_return"].to_numpy()[1:], d_c / d_s, atol=1e-3)


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


def test_the_recommended_plan_is_safe_and_explained(small_run):
    """Issue 14: chosen on one half, accounted on the other, never worse than today by the rule."""
    s = json.loads((small_run / "summary.json").read_text())
    safety = s["safety"]
    assert safety["mode"] == "safe" and safety["alpha"] == 0.1
    cands = {c["candidate"]: c for c in safety["candidates"]}
    assert {"today", "separate", "joint"} <= set(cands)
    chosen = cands[safety["chosen"]]
    assert chosen["safe"] and chosen["p_loss"] <= 0.1
    # the best safe candidate by expected lift was kept
    best = max(c["lift_mean"] for c in cands.values() if c["safe"])
    assert chosen["lift_mean"] == best
    p = safety["promise"]
    assert p["n_samples"] == 100 and "held-out" in p["basis"]
    assert p["p10"] <= p["mean"] <= p["p90"] and 0.0 <= p["p_positive"] <= 1.0
    # the KPI delta is the same held-out lift
    assert s["kpis"]["contribution"]["delta"]["mean"] == pytest.approx(p["mean"], abs=0.01)
    for ch in s["media"]["channels"].values():
        assert "identification" in ch["bound_reason"] or "not a budget lever" in ch["bound_reason"]
    assert set(s["media"]["promise"]) == {"mean", "p10", "p90", "p_positive", "p_loss"}
    assert s["media"]["certificate"]["status"] in ("optimal", "feasible")


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
    change_pct = 100 * prices["change"]
    assert (-change_pct <= prices["max_change_bound_pct"] + 0.01).all()
    assert (change_pct <= prices["max_raise_bound_pct"] + 0.01).all()
    assert prices["bound_reason"].str.contains("identified|category prior").all()


def test_safe_false_gives_the_plain_optimum(scenario_dir, small_run):
    from tests.scenario.conftest import SMALL

    path = scenario_dir / "no_safety.toml"  # same folder: the fits are reused from the cache
    path.write_text(SMALL.format(extra_pricing="safe = false"))
    plain = run_scenario(load_scenario(path))
    assert plain.plans.pricing is not None and "safety" not in plain.plans.pricing.info
    assert "max_change_bound_pct" not in plain.plans.pricing.prices.columns
