"""Full demo-store recovery with default settings (slow: about a minute or two on 2 cores)."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.data import load_dataset
from optimizer.data.demo import GroundTruth
from optimizer.mmm import MMM


@pytest.mark.slow
def test_demo_store_recovery(demo_dir):
    ds = load_dataset(demo_dir)
    truth = GroundTruth.load(demo_dir)
    mmm = MMM(seed=0).fit(ds.marketing, lift_tests=ds.lift_tests)
    assert mmm.diagnostics_.passed, mmm.diagnostics_.failures
    table = mmm.roas()
    inside, errors = 0, []
    for ch in table.index:
        true = truth.channels[ch].roas
        r = table.loc[ch]
        inside += r["roas_low"] <= true <= r["roas_high"]
        errors.append(abs(r["roas_mean"] - true) / true)
    assert inside >= 4
    # measured 23.3 % on the regenerated demo store (issue 17's realistic catalog; seed 0, its
    # lift tests); 16.8 % on the earlier store. SEA is bought against the seasonal demand and
    # stays confounded: this guards against a regression, it is not a recovery claim
    assert np.mean(errors) <= 0.25
    curves = mmm.response_curves()
    assert curves.channels == tuple(table.index)


@pytest.mark.slow
def test_same_seed_same_draws(synthetic):
    a = MMM(draws=100, tune=100, chains=2, holdout_weeks=0, seed=5).fit(synthetic.history)
    b = MMM(draws=100, tune=100, chains=2, holdout_weeks=0, seed=5).fit(synthetic.history)
    np.testing.assert_array_equal(a.samples_.roas, b.samples_.roas)


@pytest.mark.slow
def test_pymc_fallback_sampler(synthetic):
    m = MMM(draws=100, tune=100, chains=2, holdout_weeks=0, seed=1, sampler="pymc")
    m.fit(synthetic.history)
    assert m.sampler_ == "pymc"
    assert m.samples_.roas.shape == (200, 2)
