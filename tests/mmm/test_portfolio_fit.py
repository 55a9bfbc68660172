"""Every shop of a portfolio fitted in one call: pooled or independent, saved and loaded."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from optimizer.data.portfolio import load_portfolio
from optimizer.errors import ConfigError, ConvergenceError, DataError
from optimizer.mmm.portfolio import (
    FitSettings,
    fit_portfolio_models,
    load_portfolio_fit,
    save_portfolio_fit,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def portfolio():
    return load_portfolio(REPO / "scenarios" / "portfolio")


def test_unknown_method_is_refused_before_any_fit(portfolio):
    with pytest.raises(ConfigError, match="method 'pool' is unknown; use one of pooled, indep"):
        fit_portfolio_models(portfolio, "pool")


def test_not_a_saved_fit(tmp_path):
    with pytest.raises(DataError, match="no portfolio_fit.json"):
        load_portfolio_fit(tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("method", ["pooled", "independent"])
def test_demo_portfolio_short_fit_round_trip(portfolio, method, tmp_path):
    settings = FitSettings(seed=7, draws=60, tune=100, chains=2, retries=0)
    fit = fit_portfolio_models(portfolio, method, settings)
    assert fit.method == method and set(fit.models) == set(portfolio.shop_names)
    assert (fit.pooled is not None) == (method == "pooled")
    # 120 draws cannot pass the default gate: the message names the shops
    assert not fit.passed
    with pytest.raises(ConvergenceError, match="shop '"):
        fit.response_curves()
    curves = fit.response_curves(20, allow_failed=True)
    for shop in portfolio.shops:
        assert curves[shop.name].channels == shop.channels
    # affiliation is a commission on sales in the demo shops that have it
    assert curves["maison"].follows_sales == ("affiliation",)
    save_portfolio_fit(fit, tmp_path / "fit")
    again = load_portfolio_fit(tmp_path / "fit")
    assert again.method == method and again.settings == settings
    pd.testing.assert_frame_equal(again.roas(), fit.roas())
