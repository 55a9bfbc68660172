"""Safe price plan: paired held-out lift, today's prices as the fallback, identification bounds.

Posteriors are built by hand (no sampling): elasticity and baseline-unit draws per SKU.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.data.catalog import Catalog
from optimizer.errors import ConfigError, InfeasibleError
from optimizer.pricing import Elasticities, PriceRules, PricingProblem, optimize_prices
from optimizer.pricing.draws import ProblemDraws
from optimizer.pricing.identification import (
    FULL_WIDTH_SHARE,
    WEAK_MAX_CHANGE,
    identification_bounds,
)
from optimizer.pricing.safe import SafeSettings, safe_prices
from tests.pricing.helpers import make_catalog
from tests.pricing.test_cli import _optimize
from tests.pricing.test_rules import check_ladder_rules


def _estimates(
    catalog: Catalog,
    e_draws: np.ndarray,
    b_draws: np.ndarray,
    *,
    price_variation: np.ndarray | float = 0.1,
    category_width: np.ndarray | float | None = None,
) -> Elasticities:
    """Estimates whose summary columns are computed from the given draws."""
    idx = catalog.frame.index
    lo, hi = np.quantile(e_draws, [0.05, 0.95], axis=0)
    frame = pd.DataFrame(
        {
            "category": catalog.frame["category"].to_numpy(),
            "current_price": catalog.frame["price_incl_vat"].to_numpy(float),
            "elasticity_mean": e_draws.mean(axis=0),
            "elasticity_low": lo,
            "elasticity_high": hi,
            "baseline_units": b_draws.mean(axis=0),
            "price_variation": np.broadcast_to(price_variation, len(idx)).astype(float),
            "weakly_identified": False,
        },
        index=pd.Index(idx, name="sku"),
    )
    if category_width is not None:
        frame["category_interval_width"] = np.broadcast_to(category_width, len(idx))
    return Elasticities(frame=frame, elasticity_draws=e_draws, baseline_draws=b_draws)


def _plain_catalog(n: int, price: float = 39.99, stock: float = 1e6) -> Catalog:
    """``n`` identical SKUs: cost half the price excl. VAT, ample stock."""
    frame = pd.DataFrame(
        {
            "category": "Mode",
            "price_incl_vat": price,
            "vat_rate": 0.2,
            "unit_cost": round(price / 1.2 * 0.5, 2),
            "stock": stock,
            "logistics_units": 1.0,
            "min_price": np.nan,
            "max_price": np.nan,
            "return_rate": 0.0,
        },
        index=pd.Index([f"K{i}" for i in range(n)], name="sku"),
    )
    frame["price_excl_vat"] = frame["price_incl_vat"] / 1.2
    return Catalog(frame=frame, source="test")


def _problem(catalog: Catalog, est: Elasticities, weeks: int = 4, **kw) -> PricingProblem:
    rules = kw.pop("rules", PriceRules(max_change=0.15, endings=()))
    return PricingProblem(catalog, est, np.full(weeks, 1e9), rules=rules, **kw)


def _random_posterior(
    seed: int, n: int, n_draws: int, noise: float
) -> tuple[Catalog, Elasticities]:
    rng = np.random.default_rng(seed)
    cat = make_catalog(n, seed)
    e_mean = -rng.uniform(0.6, 3.5, n)
    e_sd = rng.uniform(0.0, noise, n)
    e = np.minimum(e_mean + e_sd * rng.standard_normal((n_draws, n)), -0.05)
    level = rng.lognormal(2.5, 0.6, n)
    b = level * rng.lognormal(0.0, 0.3 * noise, (n_draws, n))
    pv = np.where(rng.random(n) < 0.3, 0.0, 0.1)  # some SKUs never moved price
    cw = e_sd * 3.29 / rng.uniform(0.2, 1.1, n) + 1e-6
    return cat, _estimates(cat, e, b, price_variation=pv, category_width=cw)


# --- (a) the chosen plan's held-out P(lift < 0) is at most alpha --------------------------------
@settings(max_examples=25)
@given(
    seed=st.integers(0, 10_000),
    alpha=st.sampled_from([0.05, 0.1, 0.3]),
    noise=st.floats(0.0, 1.5),
    cap_share=st.floats(0.4, 2.0),
    margin_floor=st.sampled_from([0.0, 0.2]),
    mode=st.sampled_from(["hard", "ration"]),
)
def test_chosen_plan_loses_with_held_out_probability_at_most_alpha(
    seed, alpha, noise, cap_share, margin_floor, mode
):
    cat, est = _random_posterior(seed, 8, 60, noise)
    rng = np.random.default_rng(seed)
    mult = rng.uniform(0.7, 1.4, 3)
    load = float((est.frame["baseline_units"] * cat.frame["logistics_units"]).sum())
    rules = PriceRules(max_change=0.2, n_points=7, margin_floor=margin_floor)
    prob = PricingProblem(
        cat,
        est,
        load * mult * cap_share,
        demand_multiplier=mult,
        rules=rules,
        capacity_mode=mode,
    )
    try:
        sp = safe_prices(prob, SafeSettings(alpha=alpha, seed=seed))
    except InfeasibleError:
        with pytest.raises(InfeasibleError):  # infeasible only when the plain problem is
            optimize_prices(prob)
        return
    new = sp.result.prices["new_price_incl_vat"].to_numpy(float)
    p0 = cat.frame["price_incl_vat"].to_numpy(float)
    # recomputed independently of the candidate table: paired lift on half B
    draws = ProblemDraws(prob)
    lift_b = (draws.contribution(new) - draws.contribution(p0))[sp.half_b]
    chosen = sp.candidates.loc[sp.candidates["chosen"]].iloc[0]
    assert chosen["candidate"] == sp.chosen
    if sp.chosen != "today":
        assert (lift_b < 0).mean() <= alpha + 1e-12
        assert sp.promise is not None and sp.promise.p_loss <= alpha + 1e-12
    else:
        # today's prices: either nothing else passed, or nothing that passed lifts more
        others = sp.candidates[sp.candidates["candidate"] != "today"]
        assert (~others["passes"] | (others["lift_mean_b"] <= chosen["lift_mean_b"])).all()
    assert sp.promise is not None
    assert sp.promise.mean == pytest.approx(lift_b.mean(), rel=1e-9, abs=1e-6)
    # halves split the draws; every price meets the rules and the identification bound
    assert sorted([*sp.half_a, *sp.half_b]) == list(range(60))
    check_ladder_rules(cat, rules, new[:, None])
    down = sp.bounds["max_change_bound"].to_numpy(float)
    up = sp.bounds["max_raise_bound"].to_numpy(float)
    assert (up >= down).all()
    assert (new / p0 - 1 <= up + 1e-9).all() and (1 - new / p0 <= down + 1e-9).all()
    assert {"max_change_bound_pct", "max_raise_bound_pct", "bound_reason"} <= set(
        sp.result.prices.columns
    )


# --- (b) today's prices when every change is risky ----------------------------------------------
def test_today_kept_when_every_change_is_risky():
    cat = _plain_catalog(3)
    rng = np.random.default_rng(1)
    n_draws = 200
    # every draw is one of two worlds for all SKUs: nearly inelastic (raising pays) or very
    # elastic (cutting pays); any price move loses in about half of the draws
    inelastic = rng.random(n_draws) < 0.5
    e = np.where(inelastic[:, None], -0.4, -5.0) * np.ones((n_draws, 3))
    b = np.full((n_draws, 3), 50.0)
    est = _estimates(cat, e, b)
    prob = _problem(cat, est)
    plain = optimize_prices(prob)
    assert plain.n_changes > 0  # the posterior-mean optimum moves prices
    sp = safe_prices(prob, SafeSettings(alpha=0.1))
    assert sp.chosen == "today"
    movers = sp.candidates[sp.candidates["candidate"] != "today"]
    assert len(movers) and (movers["n_changes"] > 0).all()
    assert (movers["p_loss_b"] > 0.1).all()
    assert "no price change passes" in sp.reason and "today's prices kept" in sp.reason
    p = sp.result.prices
    assert np.allclose(p["new_price_incl_vat"], p["current_price_incl_vat"])
    assert sp.promise is not None and sp.promise.mean == 0 and sp.promise.p_loss == 0
    assert sp.result.info["safety"]["chosen"] == "today"


# --- (c) the lift is paired: same draws for the new and today's prices --------------------------
def test_lift_is_paired_draw_by_draw():
    cat = _plain_catalog(4)
    rng = np.random.default_rng(2)
    n_draws = 200
    # a large uncertainty shared by every price list (the store's demand level) and a known
    # elasticity: raising prices gains in every draw, although the level varies by +/-50 %
    level = rng.lognormal(0.0, 0.5, n_draws)[:, None]
    b = 40.0 * level * np.ones((1, 4))
    e = np.full((n_draws, 4), -0.5)
    est = _estimates(cat, e, b)
    prob = _problem(cat, est)
    sp = safe_prices(prob, SafeSettings(alpha=0.05, seed=3))
    assert sp.chosen == "optimized"
    draws = ProblemDraws(prob)
    new = sp.result.prices["new_price_incl_vat"].to_numpy(float)
    p0 = cat.frame["price_incl_vat"].to_numpy(float)
    paired = draws.contribution(new)[sp.half_b] - draws.contribution(p0)[sp.half_b]
    row = int(np.flatnonzero(sp.candidates["chosen"])[0])
    np.testing.assert_allclose(sp.lift_draws[row], paired, rtol=1e-12)
    assert (paired > 0).all() and sp.promise is not None and sp.promise.p_loss == 0
    # unpaired (today's prices under other draws) the same plan would look like a coin flip
    shuffled = draws.contribution(p0)[np.random.default_rng(0).permutation(sp.half_b)]
    assert (draws.contribution(new)[sp.half_b] - shuffled < 0).mean() > 0.2


# --- (d) identification bounds ------------------------------------------------------------------
def test_point_mass_is_free_and_prior_only_is_bounded():
    cat = _plain_catalog(2)
    n_draws = 100
    rng = np.random.default_rng(4)
    e = np.empty((n_draws, 2))
    e[:, 0] = -0.5  # point mass: the data pin the elasticity down
    e[:, 1] = -0.5 + 0.35 * rng.standard_normal(n_draws).clip(-1.3, 1.3)  # category prior
    b = np.full((n_draws, 2), 30.0)
    cat_w = float(np.diff(np.quantile(e[:, 1], [0.05, 0.95]))[0])
    est = _estimates(cat, e, b, price_variation=np.array([0.1, 0.0]), category_width=cat_w)
    bounds = identification_bounds(est, cat.frame.index, 0.15)
    assert bounds.loc["K0", "max_change_bound"] == pytest.approx(0.15)
    assert bounds.loc["K0", "bound_reason"].startswith("well identified")
    assert bounds.loc["K1", "max_change_bound"] == pytest.approx(WEAK_MAX_CHANGE)
    assert bounds.loc["K1", "bound_reason"].startswith("no own price variation")
    # inelastic: the plain optimum raises both prices to the +15 % cap
    prob = _problem(cat, est)
    plain = optimize_prices(prob).prices["change_pct"]
    assert (plain > 14).all()
    sp = safe_prices(prob)
    ch = sp.result.prices["change_pct"]
    assert ch["K0"] > 14  # not restricted
    assert 0 < ch["K1"] <= WEAK_MAX_CHANGE * 100 + 1e-9  # moves, but little
    assert sp.result.prices.loc["K1", "binding_rule"] in ("sku_max_change", "safety")
    assert sp.result.prices.loc["K1", "max_change_bound_pct"] == pytest.approx(3.0)
    assert "category prior" in sp.result.prices.loc["K1", "bound_reason"]


def test_bound_is_linear_between_the_shares():
    cat = _plain_catalog(3)
    e = -1.0 + np.array([[-0.5, -0.5, -0.5], [0.5, 0.5, 0.5]]) * np.array([0.2, 0.65, 1.0])
    e = np.repeat(e, 10, axis=0)
    est = _estimates(cat, e, np.full(e.shape, 10.0), category_width=1.0)
    # widths 0.2, 0.65, 1.0 of the category's 1.0
    b = identification_bounds(est, cat.frame.index, 0.15)["max_change_bound"].to_numpy()
    mid = WEAK_MAX_CHANGE + (0.15 - WEAK_MAX_CHANGE) * (0.8 - 0.65) / (0.8 - FULL_WIDTH_SHARE)
    np.testing.assert_allclose(b, [0.15, mid, WEAK_MAX_CHANGE])


def test_old_fit_without_category_width_uses_the_flag():
    cat = _plain_catalog(2)
    e = np.repeat([[-1.0, -1.0], [-2.0, -2.0]], 10, axis=0)
    est = _estimates(cat, e, np.full(e.shape, 10.0))
    frame = est.frame.assign(weakly_identified=[True, False])
    b = identification_bounds(Elasticities(frame=frame), cat.frame.index, 0.1)
    assert list(b["max_change_bound"]) == [0.03, 0.1]
    assert b["bound_reason"].str.contains("records no category interval").all()


def test_bounds_widen_when_hard_capacity_needs_it():
    cat = _plain_catalog(2)
    n_draws = 40
    e = np.full((n_draws, 2), -2.0)
    b = np.full((n_draws, 2), 100.0)
    est = _estimates(cat, e, b, price_variation=0.0)  # both prior-only: +-3 %
    # capacity forces ~10 % fewer units: prices must rise ~5 %, beyond the 3 % bound
    prob = PricingProblem(
        cat, est, np.full(2, 180.0), rules=PriceRules(max_change=0.15, endings=())
    )
    sp = safe_prices(prob)
    assert (sp.result.load <= 180.0 * (1 + 1e-9)).all()
    assert (sp.bounds["max_change_bound"] > WEAK_MAX_CHANGE).all()
    assert sp.bounds["bound_reason"].str.contains("widened").all()
    assert (sp.bounds["max_change_bound"] < 0.15).all()  # the smallest widening that fits


def test_without_draws_the_rule_says_it_cannot_run():
    cat = _plain_catalog(2)
    est = Elasticities.from_values(
        pd.Series([-0.5, -3.0], index=cat.frame.index),
        pd.Series([20.0, 20.0], index=cat.frame.index),
        cat.frame["price_incl_vat"],
    )
    sp = safe_prices(_problem(cat, est))
    assert sp.promise is None and sp.chosen == "optimized"
    assert "posterior draws" in sp.reason
    json.dumps(sp.result.summary(), default=float)


def test_same_seed_same_plan_and_settings_are_checked():
    cat, est = _random_posterior(5, 10, 60, 0.8)
    prob = _problem(cat, est, rules=PriceRules(max_change=0.2))
    a, b = safe_prices(prob, SafeSettings(seed=9)), safe_prices(prob, SafeSettings(seed=9))
    pd.testing.assert_frame_equal(a.result.prices, b.result.prices)
    pd.testing.assert_frame_equal(a.candidates, b.candidates)
    json.dumps(a.result.summary(), default=float)
    for bad in ({"alpha": 0.0}, {"alpha": 1.0}, {"shrink": (1.0,)}, {"weak_max_change": 1.0}):
        with pytest.raises(ConfigError):
            SafeSettings(**bad)
    with pytest.raises(ConfigError, match="sku_max_change"):
        PriceRules(sku_max_change={"K0": 1.5})


# --- CLI ----------------------------------------------------------------------------------------
def test_cli_safe_by_default_and_no_safe(tiny_store, tiny_fit, tmp_path):
    out = tmp_path / "safe"
    res = _optimize(
        tiny_store, tiny_fit, out, "--capacity", "500", "--alpha", "0.2", "--lang", "en"
    )
    assert res.exit_code == 0, res.output
    assert "Safe plan" in res.output and "held-out draws" in res.output
    prices = pd.read_csv(out / "prices.csv")
    assert {"max_change_bound_pct", "bound_reason"} <= set(prices.columns)
    # B3 never changed price in the history: its elasticity is only the category prior
    b3 = prices.set_index("sku").loc["B3"]
    assert b3["max_change_bound_pct"] == pytest.approx(3.0)
    assert "category prior" in b3["bound_reason"]
    assert abs(b3["change_pct"]) <= 3.0 + 1e-6
    summary = json.loads((out / "summary.json").read_text())
    safety = summary["safety"]
    assert safety["alpha"] == 0.2 and safety["chosen"] in {
        c["candidate"] for c in safety["candidates"]
    }
    table = pd.read_csv(out / "safety.csv")
    assert table["chosen"].sum() == 1 and (table["candidate"] == "today").any()
    plain = tmp_path / "plain"
    res = _optimize(tiny_store, tiny_fit, plain, "--capacity", "500", "--no-safe")
    assert res.exit_code == 0, res.output
    assert not (plain / "safety.csv").exists()
    assert "max_change_bound_pct" not in pd.read_csv(plain / "prices.csv").columns
    rules = tmp_path / "rules.toml"
    rules.write_text("safe = false\n")
    res = _optimize(
        tiny_store, tiny_fit, tmp_path / "o3", "--capacity", "500", "--rules", str(rules)
    )
    assert res.exit_code == 0 and not (tmp_path / "o3" / "safety.csv").exists()
    rules.write_text("alpha = 1.5\n")
    res = _optimize(
        tiny_store, tiny_fit, tmp_path / "o4", "--capacity", "500", "--rules", str(rules)
    )
    assert res.exit_code == 1 and "alpha" in res.output


def test_today_kept_when_half_a_alone_is_infeasible():
    from optimizer.pricing.safe import _split

    cat = _plain_catalog(2)
    n_draws = 40
    half_a, _ = _split(n_draws, 0)
    b = np.full((n_draws, 2), 100.0)
    b[half_a] = 130.0  # half A sees more demand than the whole posterior
    est = _estimates(cat, np.full((n_draws, 2), -2.0), b)
    # at +15 % the whole posterior ships 115 * 1.15**-2 * 2 = 174 units a week, half A 197
    prob = PricingProblem(cat, est, np.full(2, 185.0), rules=PriceRules(endings=()))
    optimize_prices(prob)  # feasible on the whole posterior
    sp = safe_prices(prob)
    assert sp.chosen == "today" and "half A of the posterior alone" in sp.reason
    assert len(sp.candidates) == 1


def test_a_prior_only_sku_that_sells_out_anyway_may_rise():
    cat = _plain_catalog(2)
    frame = cat.frame.copy()
    frame["stock"] = [100.0, 1e6]  # K0 sells out at any allowed price, K1 never
    cat = Catalog(frame=frame, source="test")
    n_draws = 60
    rng = np.random.default_rng(6)
    e = -1.5 + 0.4 * rng.standard_normal((n_draws, 2))
    b = np.full((n_draws, 2), 50.0)  # 200 units over 4 weeks at today's price
    est = _estimates(cat, e, b, price_variation=0.0)  # both prior-only
    sp = safe_prices(_problem(cat, est))
    assert sp.bounds.loc["K0", "max_raise_bound"] > 0.1
    assert "sells out its stock" in sp.bounds.loc["K0", "bound_reason"]
    assert sp.bounds.loc["K1", "max_raise_bound"] == pytest.approx(WEAK_MAX_CHANGE)
    ch = sp.result.prices["change_pct"]
    assert ch["K0"] > WEAK_MAX_CHANGE * 100 and abs(ch["K1"]) <= WEAK_MAX_CHANGE * 100 + 1e-9


@settings(max_examples=10)
@given(seed=st.integers(0, 1000), cap_share=st.floats(0.3, 1.5))
def test_draw_value_is_the_store_accounting(seed, cap_share):
    """Each draw's value = ``evaluate_prices`` (stock week by week, rationed capacity)."""
    from optimizer.pricing import evaluate_prices

    cat, est = _random_posterior(seed, 6, 30, 0.8)
    mult = np.random.default_rng(seed).uniform(0.5, 2.0, 4)
    load = float((est.frame["baseline_units"] * cat.frame["logistics_units"]).sum())
    prob = PricingProblem(
        cat,
        est,
        load * cap_share * np.ones(4),
        demand_multiplier=mult,
        logistics_cost=0.7,
        capacity_mode="ration",
    )
    p0 = cat.frame["price_incl_vat"]
    prices = p0 * np.random.default_rng(seed + 1).uniform(0.9, 1.1, len(p0))
    value = ProblemDraws(prob).contribution(prices.to_numpy(float))
    rel = (prices / est.frame["current_price"]).to_numpy(float)
    assert est.elasticity_draws is not None and est.baseline_draws is not None
    for s in (0, 7, 29):
        weekly = (est.baseline_draws[s] * rel ** est.elasticity_draws[s])[:, None] * mult
        ev = evaluate_prices(cat, prices, weekly, logistics_cost=0.7, capacity=prob.capacity)
        assert value[s] == pytest.approx(ev.margin, rel=1e-9, abs=1e-6)
