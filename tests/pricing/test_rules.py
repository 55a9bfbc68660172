from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from optimizer.data.sales import SalesHistory
from optimizer.errors import ConfigError, InfeasibleError
from optimizer.pricing import PriceRules, build_ladder, reference_prices
from tests.pricing.helpers import make_catalog

TOL = 1e-9


def check_ladder_rules(catalog, rules, prices):
    f = catalog.frame
    p0 = f["price_incl_vat"].to_numpy()[:, None]
    vat = f["vat_rate"].to_numpy()[:, None]
    cost = f["unit_cost"].to_numpy()[:, None]
    ok = ~np.isnan(prices)
    p = np.where(ok, prices, p0)
    ht = p / (1 + vat)
    assert (ht >= cost - TOL).all(), "legal floor (revente a perte)"
    assert ((ht - cost) / ht >= rules.margin_floor - 1e-9).all(), "margin floor"
    assert (np.abs(p / p0 - 1) <= rules.max_change + 1e-9).all(), "max change"
    lo = f["min_price"].fillna(0).to_numpy()[:, None]
    hi = f["max_price"].fillna(np.inf).to_numpy()[:, None]
    assert ((p >= lo - TOL) & (p <= hi + TOL)).all(), "min/max price"
    for sku, floor in rules.min_advertised_price.items():
        i = f.index.get_loc(sku)
        assert (p[i] >= floor - TOL).all(), "minimum advertised price"
    if rules.endings:
        cents = np.round(p - np.floor(p + 1e-9), 2)
        ending = np.isclose(cents[..., None], np.asarray(rules.endings), atol=1e-6).any(-1)
        assert (ending | np.isclose(p, p0)).all(), "price endings"


@given(
    seed=st.integers(0, 10_000),
    max_change=st.floats(0.02, 0.4),
    margin_floor=st.sampled_from([0.0, 0.1, 0.3]),
    n_points=st.integers(2, 15),
)
def test_every_ladder_price_respects_every_rule(seed, max_change, margin_floor, n_points):
    cat = make_catalog(12, seed)
    rules = PriceRules(
        max_change=max_change,
        margin_floor=margin_floor,
        n_points=n_points,
        min_advertised_price={"S001": float(cat.frame["price_incl_vat"].iloc[1])},
    )
    try:
        ladder = build_ladder(cat, rules)
    except InfeasibleError as exc:
        assert "SKU" in str(exc)
        return
    assert ladder.prices.shape[1] <= n_points
    assert ladder.valid.any(axis=1).all()
    check_ladder_rules(cat, rules, ladder.prices)
    # the current price is a candidate whenever it meets the rules
    cur = ladder.current >= 0
    p0 = cat.frame["price_incl_vat"].to_numpy()
    assert np.allclose(ladder.prices[cur, ladder.current[cur]], p0[cur])


def test_margin_floor_above_max_price_names_sku_and_rule():
    cat = make_catalog(5, 1)
    f = cat.frame.copy()
    f.loc["S002", "max_price"] = f.loc["S002", "price_incl_vat"]
    cost_incl = f.loc["S002", "unit_cost"] * (1 + f.loc["S002", "vat_rate"])
    floor = 1 - cost_incl / f.loc["S002", "price_incl_vat"] + 0.05  # needs a higher price
    cat = type(cat)(frame=f, source="x")
    with pytest.raises(InfeasibleError, match=r"S002.*margin_floor.*max_price"):
        build_ladder(cat, PriceRules(margin_floor=floor))


def test_ladder_uses_endings_on_price_incl_vat():
    cat = make_catalog(20, 3)
    ladder = build_ladder(cat, PriceRules(endings=(0.99,)))
    p = ladder.prices[~np.isnan(ladder.prices)]
    p0 = cat.frame["price_incl_vat"].to_numpy()
    assert np.isclose(np.round(p % 1, 2), 0.99).all() or np.isin(p, p0).all()


def test_rules_validation_messages():
    with pytest.raises(ConfigError, match="max_change"):
        PriceRules(max_change=1.5)
    with pytest.raises(ConfigError, match="margin_floor"):
        PriceRules(margin_floor=-0.1)


def test_reference_price_is_lowest_of_last_30_days():
    cat = make_catalog(2, 0)
    a, b = cat.frame.index
    pa, pb = cat.frame["price_incl_vat"]
    weeks = pd.date_range("2025-01-06", periods=8, freq="7D")
    rows = []
    for i, w in enumerate(weeks):
        rows.append((w, a, pa * (0.7 if i == 2 else 0.8 if i == 6 else 1.0), 5, i == 6, True))
        # a deep discount while out of stock is not a price applied to customers
        rows.append((w, b, pb * (0.5 if i == 7 else 1.0), 0, False, i != 7))
    sales = SalesHistory(
        pd.DataFrame(rows, columns=["week", "sku", "price_paid", "units", "promo", "in_stock"])
    )
    ref = reference_prices(sales, cat)
    assert ref[a] == pytest.approx(pa * 0.8)  # week 2 (0.7) is older than 30 days
    assert ref[b] == pytest.approx(pb)
