"""Forward simulation: a generated store lives its future weeks under any plan."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.data.forward import forward_store
from optimizer.data.stores import generate_store
from optimizer.errors import ConfigError


def test_living_the_generators_own_spend_gives_its_revenue():
    full = generate_store("flighted", 2, noise=0.0, n_weeks=100)
    store = forward_store("flighted", 2, noise=0.0, n_history=90, n_future=10)
    assert store.n_observed == 90
    after, lived = store.live(full.history.spend.iloc[90:].to_numpy(), np.random.default_rng(0))
    assert after.n_observed == 100 and store.n_observed == 90  # the store itself is unchanged
    assert np.allclose(lived.revenue, full.history.revenue[90:], rtol=1e-6, atol=0.02)
    assert np.allclose(after.history.revenue, full.history.revenue, rtol=1e-6, atol=0.02)
    assert lived.contribution == pytest.approx(lived.media_revenue.sum() - lived.spend.sum())


def test_more_spend_more_media_and_noise_is_multiplicative():
    store = forward_store("mixed", 1, noise=0.05, n_history=80, n_future=13)
    plan = np.tile(store.history.spend.iloc[-13:].mean().to_numpy(), (13, 1))
    base = store.true_media(plan)
    assert (store.true_media(plan * 1.5) > base).all()
    _, lived = store.live(plan, np.random.default_rng(1))
    expected = store.baseline[80:93] * store.price_multiplier[80:93] + base
    ratio = np.log(lived.revenue / expected)
    assert abs(ratio.mean()) < 0.05 and 0.01 < ratio.std() < 0.1


def test_living_past_the_generated_weeks_is_refused():
    store = forward_store("weak", 1, n_history=80, n_future=4)
    with pytest.raises(ConfigError, match="only 4 are generated"):
        store.live(np.ones((5, 5)), np.random.default_rng(0))


def test_the_demo_store_lives_forward(demo_dir):
    from optimizer.data import load_dataset
    from optimizer.data.demo import GroundTruth
    from optimizer.data.forward import forward_from_truth

    ds = load_dataset(demo_dir)
    store = forward_from_truth(ds.marketing, GroundTruth.load(demo_dir), n_future=8)
    plan = np.tile(ds.marketing.spend.iloc[-13:].mean().to_numpy(), (8, 1))
    after, lived = store.live(plan, np.random.default_rng(0))
    assert after.n_observed == ds.marketing.n_weeks + 8
    assert list(after.history.controls.columns) == list(ds.marketing.controls.columns)
    # revenue of the lived weeks is of the order of the history's
    assert 0.5 < lived.revenue.mean() / ds.marketing.revenue[-13:].mean() < 2.0
