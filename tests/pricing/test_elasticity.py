from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from optimizer.data import load_dataset
from optimizer.data.demo import GroundTruth
from optimizer.errors import DataError, NotFittedError
from optimizer.pricing import Elasticities, ElasticityModel
from optimizer.pricing.elasticity import MIN_PRICE_VARIATION
from tests.pricing.conftest import FIXED_PRICE, TRUE_ELASTICITY
from tests.pricing.helpers import make_catalog, make_elasticities


def test_tiny_real_fit_recovers_elasticities(tiny_fit):
    est = Elasticities.load(tiny_fit)
    f = est.frame
    assert (f["elasticity_high"] < 0).all()  # negative by construction
    assert est.elasticity_draws is not None and est.elasticity_draws.shape[1] == len(f)
    truth = pd.Series(TRUE_ELASTICITY)
    varied = f.index[f["price_variation"] >= MIN_PRICE_VARIATION]
    assert FIXED_PRICE not in varied
    inside = (truth[varied] >= f.loc[varied, "elasticity_low"]) & (
        truth[varied] <= f.loc[varied, "elasticity_high"]
    )
    assert inside.sum() >= len(varied) - 1
    assert (f.loc[varied, "elasticity_mean"] - truth[varied]).abs().max() < 0.8
    assert bool(f.loc[FIXED_PRICE, "weakly_identified"])
    # baseline units at the current price: ~40 per average week by construction
    assert f["baseline_units"].between(25, 60).all()
    summary = json.loads((tiny_fit / "summary.json").read_text())
    assert summary["method"] == "nuts" and summary["max_rhat"] < 1.05
    # 2 categories of 2 SKUs: tau is barely identified; allow a handful of divergences here
    # (the demo store, 8 categories, has none: see the slow test)
    assert summary["divergences"] <= 6 and summary["min_ess_bulk"] > 100
    assert summary["likelihood"] == "poisson" and 0.8 < summary["dispersion"] < 1.2
    assert (tiny_fit / "elasticities.png").stat().st_size > 1000


def test_unfitted_model_raises():
    with pytest.raises(NotFittedError, match="fit"):
        _ = ElasticityModel().estimates


def test_estimates_roundtrip_and_quantiles(tmp_path):
    cat = make_catalog(4, 0)
    est = make_elasticities(cat)
    rng = np.random.default_rng(0)
    draws = est.frame["elasticity_mean"].to_numpy() + rng.normal(0, 0.2, (50, 4))
    base = est.frame["baseline_units"].to_numpy() * rng.lognormal(0, 0.1, (50, 4))
    est = Elasticities(frame=est.frame, elasticity_draws=draws, baseline_draws=base)
    est.save(tmp_path)
    back = Elasticities.load(tmp_path)
    pd.testing.assert_frame_equal(back.frame, est.frame, check_dtype=False)
    prices = cat.frame["price_incl_vat"].to_numpy()[:, None] * np.array([[0.9, 1.0, 1.1]])
    lo = back.weekly_units(cat.frame.index, prices, 0.1)
    mid = back.weekly_units(cat.frame.index, prices)
    hi = back.weekly_units(cat.frame.index, prices, 0.9)
    assert (lo <= mid).all() and (mid <= hi).all()
    assert (np.diff(mid, axis=1) < 0).all()  # demand falls with price


def test_missing_sku_in_estimates_is_named():
    cat = make_catalog(4, 0)
    est = make_elasticities(cat)
    with pytest.raises(DataError, match="S999"):
        est.weekly_units(pd.Index(["S999"]), np.array([[10.0]]))


@pytest.mark.slow
def test_demo_store_elasticity_coverage(demo_dir):
    """Full demo fit (defaults): converged, and truth inside the 90 % interval for >= 85 % of
    SKUs with price variation."""
    ds = load_dataset(demo_dir)
    truth = GroundTruth.load(demo_dir)
    est = ElasticityModel(seed=0).fit(ds.sales, ds.catalog).estimates
    diag = est.diagnostics or {}
    assert diag["max_rhat"] <= 1.01 and diag["min_ess_bulk"] >= 400
    assert diag["divergences"] == 0
    f = est.frame
    tr = truth.skus.loc[f.index, "elasticity"]
    varied = f["price_variation"] >= MIN_PRICE_VARIATION
    inside = (tr >= f["elasticity_low"]) & (tr <= f["elasticity_high"])
    assert inside[varied].mean() >= 0.85
