"""Custom price rules written in code (PriceRules(custom=...)): ladder, optimizer, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from optimizer.errors import ConfigError, InfeasibleError
from optimizer.pricing import (
    CustomRule,
    PriceRules,
    PricingProblem,
    build_ladder,
    optimize_prices,
)
from tests.pricing.helpers import make_catalog, make_elasticities


def no_rise_for(skus):
    """Known-value items may not go up in price (price image)."""

    def allowed(frame, prices):
        kvi = frame.index.isin(list(skus))[:, None]
        return ~kvi | (prices <= frame["price_incl_vat"].to_numpy()[:, None] + 1e-9)

    return CustomRule("kvi_no_rise", allowed)


def ending_99(frame, prices):
    return np.isclose(np.round(prices % 1, 2), 0.99)


def test_rule_removes_candidates_and_keeps_the_others():
    cat = make_catalog(12, seed=3)
    base = build_ladder(cat, PriceRules())
    kvi = list(cat.frame.index[:4])
    lad = build_ladder(cat, PriceRules(custom=(no_rise_for(kvi),)))
    p0 = cat.frame["price_incl_vat"].to_numpy()
    for i, sku in enumerate(cat.frame.index):
        before = set(np.round(base.prices[i][base.valid[i]], 2))
        after = set(np.round(lad.prices[i][lad.valid[i]], 2))
        assert after <= before
        if sku in kvi:
            assert after == {p for p in before if p <= p0[i] + 1e-9}
            assert lad.upper_rule[i] == "kvi_no_rise" and lad.upper[i] == pytest.approx(p0[i])
        else:
            assert after == before and lad.upper_rule[i] == base.upper_rule[i]
    # the current price survives (not a rise), so no SKU is forced to change
    assert (lad.current >= 0).all()
    # ascending and NaN-padded at the end, as the solvers expect
    for row, ok in zip(lad.prices, lad.valid, strict=True):
        assert ok[: ok.sum()].all() and (np.diff(row[ok]) > 0).all()


def test_optimizer_respects_the_rule_and_reports_it():
    cat = make_catalog(10, seed=5, stock_scale=200.0)
    est = make_elasticities(cat, seed=5)
    # inelastic demand pushes prices up: the rule must bind on the KVIs
    est = est.__class__.from_values(
        est.frame["elasticity_mean"] * 0 - 0.4,
        est.frame["baseline_units"],
        cat.frame["price_incl_vat"],
    )
    kvi = list(cat.frame.index[:3])
    cap = np.full(4, 1e6)
    free = optimize_prices(PricingProblem(cat, est, cap, rules=PriceRules()))
    ruled = optimize_prices(
        PricingProblem(cat, est, cap, rules=PriceRules(custom=(no_rise_for(kvi),)))
    )
    p0 = cat.frame["price_incl_vat"]
    new = ruled.prices["new_price_incl_vat"]
    assert (new[kvi] <= p0[kvi] + 1e-9).all()
    # without the rule they would rise: the rule is what stopped them
    assert (free.prices.loc[kvi, "new_price_incl_vat"] > p0[kvi]).all()
    assert set(ruled.prices.loc[kvi, "binding_rule"]) == {"kvi_no_rise"}
    # removing candidates can only lower the optimum
    assert ruled.objective_value <= free.objective_value + 1e-6
    assert ruled.info["input_hash"] != free.info["input_hash"]


@given(seed=st.integers(0, 10_000), n=st.integers(1, 15))
def test_every_candidate_meets_every_custom_rule(seed, n):
    cat = make_catalog(n, seed=seed)
    try:
        lad = build_ladder(cat, PriceRules(endings=(), custom=(CustomRule("x99", ending_99),)))
    except InfeasibleError as exc:
        assert "'x99'" in str(exc)
        return
    p = lad.prices[lad.valid]
    assert np.isclose(np.round(p % 1, 2), 0.99).all()


def test_rule_that_empties_a_sku_is_infeasible_with_its_name():
    cat = make_catalog(5, seed=1)
    sku = cat.frame.index[2]

    def ban(frame, prices):
        return ~frame.index.isin([sku])[:, None] | np.zeros(prices.shape, bool)

    with pytest.raises(InfeasibleError, match=rf"custom price rule 'ban_sku'.*{sku}"):
        build_ladder(cat, PriceRules(custom=(CustomRule("ban_sku", ban),)))


def test_removing_the_current_price_forces_a_change():
    cat = make_catalog(6, seed=2)
    p0 = cat.frame["price_incl_vat"].to_numpy()[:, None]
    lad = build_ladder(
        cat, PriceRules(custom=(CustomRule("must_move", lambda f, p: ~np.isclose(p, p0)),))
    )
    assert (lad.current == -1).all()


@pytest.mark.parametrize(
    ("make", "err", "match"),
    [
        (lambda: CustomRule("max_change", ending_99), ConfigError, "built-in rule"),
        (lambda: CustomRule("bad name", ending_99), ConfigError, "letters, digits"),
        (lambda: CustomRule("x", 3), ConfigError, "must be a function"),
        (lambda: PriceRules(custom=(ending_99,)), ConfigError, "CustomRule"),
        (
            lambda: PriceRules(custom=(CustomRule("a", ending_99), CustomRule("a", ending_99))),
            ConfigError,
            "unique",
        ),
    ],
)
def test_bad_rules_are_refused(make, err, match):
    with pytest.raises(err, match=match):
        make()


def test_a_rule_returning_the_wrong_shape_or_failing_is_named():
    cat = make_catalog(4, seed=0)
    with pytest.raises(ConfigError, match=r"'flat'.*shape"):
        build_ladder(cat, PriceRules(custom=(CustomRule("flat", lambda f, p: p[:, 0] > 0),)))
    with pytest.raises(ConfigError, match=r"'boom' failed: KeyError"):
        build_ladder(
            cat, PriceRules(custom=(CustomRule("boom", lambda f, p: f["no_such_column"]),))
        )


def test_repr_is_stable_for_the_input_hash():
    assert repr(CustomRule("x99", ending_99)) == (f"CustomRule('x99', {__name__}.ending_99)")
