"""Priors, scaled design and bad input (no sampling)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from optimizer.data.lift_tests import LiftTests
from optimizer.data.marketing import MarketingHistory
from optimizer.errors import ConfigError, DataError, NotFittedError
from optimizer.mmm import MMM, Priors, ResponseCurves, roas_prior
from optimizer.mmm.design import build_design
from optimizer.mmm.graph import ModelOptions, build_model
from optimizer.mmm.priors import DEFAULT_ROAS, default_channel_prior


@given(low=st.floats(0.05, 20), width=st.floats(0.2, 10))
def test_roas_range_becomes_a_90_percent_interval(low, width):
    high = low * (1 + width)
    p = roas_prior(low, high)
    lo, hi = p.interval(0.9)
    assert math.isclose(lo, low, rel_tol=1e-9) and math.isclose(hi, high, rel_tol=1e-9)


def test_roas_prior_errors_name_channel_and_fix():
    with pytest.raises(ConfigError, match=r"'sea'.*low 4 is above high 2; swap"):
        Priors.from_roas_ranges({"sea": (4, 2)})
    with pytest.raises(ConfigError, match="low must be > 0"):
        roas_prior(0, 2)


def test_channel_defaults_reflect_channels():
    seo, sea, aff = (default_channel_prior(c) for c in ("seo", "sea", "affiliation"))
    assert seo.carryover_mean > 0.6 > 0.3 > sea.carryover_mean
    assert aff.carryover_mean < 0.3
    assert default_channel_prior("Google_Ads").carryover == sea.carryover
    assert default_channel_prior("tv").roas == DEFAULT_ROAS


def test_priors_round_trip_and_unknown_channel():
    p = Priors.from_roas_ranges({"sea": (2, 4)})
    assert Priors.from_dict(p.to_dict()) == p
    with pytest.raises(ConfigError, match=r"channel 'sea', which is not in the data \(seo, sae\)"):
        p.check(("seo", "sae"))


def _history(spend: dict[str, np.ndarray], n: int) -> MarketingHistory:
    weeks = pd.date_range("2024-01-01", periods=n, freq="7D", name="week")
    rng = np.random.default_rng(0)
    return MarketingHistory(
        weeks=weeks,
        revenue=100_000 + rng.normal(0, 1000, n),
        spend=pd.DataFrame(spend, index=weeks),
        controls=pd.DataFrame(index=weeks),
        source="m.csv",
    )


def test_bad_spend_columns_are_data_errors():
    n = 60
    rng = np.random.default_rng(1)
    ok = rng.uniform(100, 200, n)
    with pytest.raises(DataError, match="'tv' has zero spend in all 52 training weeks"):
        build_design(
            _history({"sea": ok, "tv": np.zeros(n)}, n), max_lag=8, fourier_order=2, holdout_weeks=8
        )
    with pytest.raises(DataError, match="'tv' spends the same 500.00 EUR every training week"):
        build_design(
            _history({"sea": ok, "tv": np.full(n, 500.0)}, n),
            max_lag=8,
            fourier_order=2,
            holdout_weeks=0,
        )


def test_too_few_weeks_is_a_data_error():
    h = _history({"sea": np.random.default_rng(2).uniform(1, 2, 10)}, 10)
    with pytest.raises(DataError, match="10 weeks of history but the adstock window is 12 weeks"):
        build_design(h, max_lag=12, fourier_order=2, holdout_weeks=0)
    h = _history({"sea": np.random.default_rng(2).uniform(1, 2, 30)}, 30)
    with pytest.raises(DataError, match="lower --holdout-weeks"):
        build_design(h, max_lag=12, fourier_order=2, holdout_weeks=8)


def test_lift_test_on_unknown_channel_is_a_data_error(synthetic):
    frame = synthetic.lift.frame.assign(channel="socail")
    with pytest.raises(DataError, match="'socail' is not in the model.*Did you mean 'social'"):
        MMM().fit(synthetic.history, lift_tests=LiftTests(frame, "lift.csv"))


def test_bad_options_are_config_errors(synthetic):
    with pytest.raises(ConfigError, match="adstock 'geo' is unknown"):
        MMM(adstock="geo").fit(synthetic.history)
    with pytest.raises(ConfigError, match="prior given for channel 'seo'"):
        MMM(Priors.from_roas_ranges({"seo": (1, 2)})).fit(synthetic.history)


def test_unfitted_model_raises():
    with pytest.raises(NotFittedError):
        MMM().roas()
    with pytest.raises(NotFittedError):
        MMM().response_curves()


def test_design_scales_and_centres(synthetic):
    d = build_design(
        synthetic.history, max_lag=12, fourier_order=2, holdout_weeks=6, lift_tests=synthetic.lift
    )
    assert math.isclose(d.y[: d.n_train].mean(), 1.0)
    np.testing.assert_allclose(d.baseline_x[: d.n_train].mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(
        d.future_baseline_x(d.weeks, synthetic.history.controls), d.baseline_x, atol=1e-12
    )
    assert d.windows.shape == (80, 12, 2)
    # the period's spend change is spread over the period in proportion to actual spend
    assert d.lift is not None
    change = (d.lift.modified[0, :, 0] - d.lift.actual[0, :, 0]).sum() * d.spend_scale[1]
    assert math.isclose(change, synthetic.lift.frame["spend_change"].iloc[0], rel_tol=1e-9)


@pytest.mark.parametrize("adstock", ["geometric", "delayed", "weibull"])
@pytest.mark.parametrize("saturation", ["hill", "logistic"])
def test_every_model_variant_builds_with_finite_logp(synthetic, adstock, saturation):
    d = build_design(
        synthetic.history, max_lag=8, fourier_order=1, holdout_weeks=0, lift_tests=synthetic.lift
    )
    model = build_model(
        d, Priors(), ModelOptions(adstock=adstock, saturation=saturation, max_lag=8)
    )
    logp = model.compile_logp(mode="FAST_COMPILE")(model.initial_point())
    assert np.isfinite(logp)


@pytest.mark.parametrize("likelihood", ["student_t", "ar1"])
def test_other_likelihoods_build_and_predict(synthetic, likelihood):
    from optimizer.mmm.posterior import PosteriorSamples

    d = build_design(synthetic.history, max_lag=8, fourier_order=1, holdout_weeks=0)
    opts = ModelOptions(likelihood=likelihood, max_lag=8)
    model = build_model(d, Priors(), opts)
    logp = model.compile_logp(mode="FAST_COMPILE")(model.initial_point())
    assert np.isfinite(logp)
    if likelihood == "ar1":
        # AR(1) errors from the stationary law: the predictive keeps the marginal variance
        rho, sigma = 0.6, 0.05
        s = PosteriorSamples(
            np.ones((4000, 1, 1)), "hill", np.ones((4000, 1, 2)), np.ones((4000, 1)),
            np.zeros(4000), np.zeros((4000, 1)), np.full(4000, sigma), np.ones((4000, 1)),
            None, np.full(4000, rho),
        )  # fmt: skip
        e = s.predictive(np.zeros((4000, 30)), seed=1)
        assert np.std(e[:, -1]) == pytest.approx(sigma / np.sqrt(1 - rho**2), rel=0.05)
        assert np.corrcoef(e[:, -1], e[:, -2])[0, 1] == pytest.approx(rho, abs=0.05)


def test_response_curves_class_is_exported():
    assert ResponseCurves.__module__ == "optimizer.curves"
