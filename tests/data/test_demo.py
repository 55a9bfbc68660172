from __future__ import annotations

import filecmp

import numpy as np
import pandas as pd
import pytest

from optimizer.data import load_dataset
from optimizer.data.demo import (
    GroundTruth,
    generate_demo_store,
    geometric_adstock_np,
    hill_np,
    write_demo_store,
)
from tests.data.truth_files import assert_same_truth


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    return write_demo_store(generate_demo_store(seed=7), out)


def test_bundled_demo_is_the_generator_output(fresh, demo_dir):
    """scenarios/demo must be exactly what `optimizer demo-data --seed 7` writes."""
    names = [
        "marketing.csv",
        "catalog.csv",
        "sales.csv",
        "logistics.csv",
        "lift_tests.csv",
        "dataset.toml",
    ]
    match, mismatch, errors = filecmp.cmpfiles(demo_dir, fresh, names, shallow=False)
    assert mismatch == [] and errors == []
    assert_same_truth(demo_dir / "truth.json", fresh / "truth.json")


def test_seed_changes_data(tmp_path):
    a = generate_demo_store(seed=1, n_weeks=80)
    b = generate_demo_store(seed=2, n_weeks=80)
    assert not np.allclose(a.marketing.revenue, b.marketing.revenue)


def test_truth_is_consistent(fresh):
    truth = GroundTruth.load(fresh)
    ds = load_dataset(fresh)
    spend = ds.marketing.spend
    for c, t in truth.channels.items():
        assert t.spend == pytest.approx(spend[c].sum())
        ad = geometric_adstock_np(spend[c].to_numpy(), t.alpha, t.max_lag)
        contrib = t.beta * hill_np(ad, t.half_saturation, t.slope) * truth.price_multiplier
        assert contrib.sum() / t.spend == pytest.approx(t.roas, rel=1e-9)
    # the channels look like their descriptions
    assert truth.channels["seo"].alpha > truth.channels["sea"].alpha
    assert (spend["retail_media"].iloc[:60] == 0).all() and spend["retail_media"].iloc[-20:].gt(
        0
    ).all()
    assert (spend["social"] == 0).sum() > 20  # flights
    # media is a material but minority share of revenue
    share = sum(t.contribution for t in truth.channels.values()) / ds.marketing.revenue.sum()
    assert 0.15 < share < 0.5


def test_revenue_equals_sales(fresh):
    ds = load_dataset(fresh)
    s = ds.sales.frame
    weekly = (s["price_paid"] * s["units"]).groupby(s["week"]).sum()
    assert np.allclose(weekly.to_numpy(), ds.marketing.revenue, atol=0.01 * len(ds.sales.skus))


def test_capacity_binds_in_peak_weeks_only(fresh):
    truth = GroundTruth.load(fresh)
    ds = load_dataset(fresh)
    plan = truth.run_rate_plan(52)
    demand = truth.baseline(plan.index) + truth.media_contribution(plan).sum(axis=1).to_numpy()
    cat = ds.catalog.frame
    units = truth.expected_units(cat["price_incl_vat"], demand)
    load = (units * cat["logistics_units"]).sum(axis=1).to_numpy()
    over = plan.index[load > ds.logistics.capacity_for(plan.index)]
    assert 1 <= len(over) <= 8
    assert all(w.month in (11, 12) for w in over)


def test_price_variation_and_true_elasticities(fresh):
    ds = load_dataset(fresh)
    truth = GroundTruth.load(fresh)
    s = ds.sales.frame
    n_prices = s.groupby("sku")["price_paid"].nunique()
    assert (n_prices == 1).sum() > 10  # some SKUs never change price
    assert (n_prices > 3).sum() > 100
    assert (truth.skus["elasticity"] < 0).all()
    assert not ds.sales.frame["in_stock"].all()


def test_media_contribution_carries_over(fresh):
    truth = GroundTruth.load(fresh)
    zero = pd.DataFrame(0.0, index=pd.RangeIndex(13), columns=list(truth.channels))
    m = truth.media_contribution(zero)
    assert m["seo"].iloc[0] > 0 and m["seo"].iloc[0] > m["seo"].iloc[-1]


def test_most_demo_prices_sit_near_their_optimum(demo_dir):
    """A credible demo: most of today's prices within a few percent of the margin-maximizing
    price under the ground truth, a minority clearly off (so the optimizer has something real to
    find, and raising most of the catalog is not the answer)."""
    truth = GroundTruth.load(demo_dir)
    cat = load_dataset(demo_dir).catalog.frame
    gap = (cat["price_incl_vat"].reindex(truth.skus.index) / truth.skus["optimal_price"] - 1).abs()
    off = truth.skus["mispriced"].to_numpy(bool)
    assert 0.08 <= off.mean() <= 0.25
    assert (gap[~off] <= 0.05).mean() >= 0.9
    assert (gap[off] >= 0.08).all()
