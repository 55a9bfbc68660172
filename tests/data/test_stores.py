"""The generated-store family used by benchmarks: every pattern, deterministic, truth consistent."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from optimizer.data.stores import PATTERNS, generate_store


@pytest.mark.parametrize("pattern", list(PATTERNS))
def test_each_pattern_generates_a_store_with_consistent_truth(pattern):
    s = generate_store(pattern, seed=2, noise=0.03)
    h = s.history
    assert h.n_weeks == 156 and list(h.spend.columns) == list(s.truth.channels)
    assert (h.spend.to_numpy() >= 0).all() and np.isfinite(h.revenue).all()
    for c, t in s.truth.channels.items():
        # the truth's contribution over the history is its ROAS x spend
        assert t.contribution == pytest.approx(t.roas * h.spend[c].sum())
        assert 1.0 < t.roas < 7.0 and 0 < t.alpha < 1 and t.half_saturation > 0
    assert s.lift_tests is not None and set(s.lift_tests.frame["channel"]) == {"sea", "social"}
    # media explain a plausible share of revenue (the demo store: about a quarter)
    share = sum(t.contribution for t in s.truth.channels.values()) / h.revenue.sum()
    assert 0.05 < share < 0.6


def test_same_seed_same_store_other_seed_other_store():
    a, b = generate_store("flighted", 4), generate_store("flighted", 4)
    assert np.array_equal(a.history.revenue, b.history.revenue)
    pd.testing.assert_frame_equal(a.history.spend, b.history.spend)
    c = generate_store("flighted", 5)
    assert not np.array_equal(a.history.revenue, c.history.revenue)
    assert a.true_roas() != c.true_roas()


def test_weak_pattern_has_correlated_channels_and_flat_retail_media():
    s = generate_store("weak", 1).history.spend
    assert np.corrcoef(s["sea"], s["social"])[0, 1] > 0.9
    assert s["retail_media"].std() / s["retail_media"].mean() < 0.06


def test_bad_pattern_and_noise_are_refused():
    with pytest.raises(ValueError, match="pattern 'seasonl' is unknown"):
        generate_store("seasonl", 1)
    with pytest.raises(ValueError, match="noise"):
        generate_store("mixed", 1, noise=-0.1)
