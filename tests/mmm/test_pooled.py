"""The pooled (hierarchical) model of several shops: graph checks without sampling, one real fit."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from optimizer.data.marketing import MarketingHistory
from optimizer.errors import ConfigError, DataError
from optimizer.mmm import GateThresholds, ResponseCurves
from optimizer.mmm.design import build_design
from optimizer.mmm.graph import ModelOptions, build_model
from optimizer.mmm.pooled import PooledMMM
from optimizer.mmm.pooled_folder import load_pooled, save_pooled
from optimizer.mmm.pooled_graph import build_pooled_model, pair_values, pool_index, stack_designs
from optimizer.mmm.priors import Priors

from .conftest import make_synthetic

OPTS = ModelOptions(max_lag=4, fourier_order=1)
FAST = "FAST_COMPILE"  # graph checks: Python implementations, no C compilation


def _shops() -> dict[str, tuple[MarketingHistory, object]]:
    """Three small shops: two with SEA and social (one with a lift test), one SEA only, shorter."""
    a, b = make_synthetic(seed=3), make_synthetic(seed=4)
    short = b.history
    short = MarketingHistory(
        weeks=short.weeks[-60:],
        revenue=np.asarray(short.revenue)[-60:] * 0.3,
        spend=short.spend[["sea"]].iloc[-60:] * 0.3,
        controls=short.controls.iloc[-60:],
        source="small.csv",
    )
    return {"big": (a.history, a.lift), "mid": (b.history, None), "small": (short, None)}


@pytest.fixture(scope="module")
def shops():
    return _shops()


@pytest.fixture(scope="module")
def designs(shops):
    return {
        n: build_design(h, max_lag=4, fourier_order=1, holdout_weeks=4, lift_tests=lift)
        for n, (h, lift) in shops.items()
    }


def test_pool_index_links_channel_families(shops):
    index = pool_index({n: h.channels for n, (h, _) in shops.items()})
    assert index.families == ("sea", "social")
    assert index.labels == ["big/sea", "big/social", "mid/sea", "mid/social", "small/sea"]
    assert index.shared.all()  # both families are held by two shops or more
    assert list(index.of_shop(2)) == [4]
    one = pool_index({"a": ("sea", "seo"), "b": ("sea",)})
    assert list(one.shared) == [True, False, True]


def test_stacked_designs_match_each_shop(designs):
    index = pool_index({n: d.channels for n, d in designs.items()})
    st = stack_designs(designs, index)
    for k, d in enumerate(designs.values()):
        n, pairs = d.n_train, index.of_shop(k)
        assert np.array_equal(st.windows[:n, :, pairs], d.windows[:n])
        assert not st.windows[n:, :, pairs].any()  # padding after the shop's weeks
        assert np.allclose(st.spend_total[pairs], d.spend[:n].sum(axis=0) / d.y_scale)
        assert np.array_equal(st.y[:n, k], d.y[:n]) and st.incidence[pairs, k].all()
    t, k = st.valid()
    assert len(t) == sum(d.n_train for d in designs.values())
    # the big shop's social lift test points at the big shop's social pair
    assert list(st.lift.channel) == [1]


def _values_fn(model, kinds):
    """Compiled function of the pair-level values at a point of the value variables."""
    outs = model.replace_rvs_by_values([model[k] for k in kinds])
    return model.compile_fn(outs, inputs=model.value_vars, point_fn=True, on_unused_input="ignore")


def _point(model, rng):
    """A random point of the model's value variables (unconstrained)."""
    point = model.initial_point()
    return {k: v + rng.normal(0, 0.3, np.shape(v)) for k, v in point.items()}


def test_graph_pools_shops_and_numpy_agrees(designs):
    index = pool_index({n: d.channels for n, d in designs.items()})
    model = build_pooled_model(designs, index, Priors(), OPTS)
    names = {v.name for v in model.free_RVs}
    kinds = ("roas", "alpha", "half", "slope")
    assert names == {f"{p}_{k}" for k in kinds for p in ("mu", "tau", "z")} | {
        "level_gap",
        "coef",
        "sigma",
    }
    assert model["coef"].eval().shape == (3, 4)  # shop x (trend, sin, cos, event)
    point = _point(model, np.random.default_rng(0))
    fn = _values_fn(model, kinds)
    graph = dict(zip(kinds, fn(point), strict=True))
    draws = (
        {"mu_" + k: point[f"mu_{k}"] for k in kinds}
        | {f"z_{k}": point[f"z_{k}"] for k in kinds}
        | {f"tau_{k}": np.exp(point[f"tau_{k}_log__"]) for k in kinds}
    )
    numpy = pair_values(draws, index)
    for k in kinds:
        assert np.allclose(graph[k], numpy[k])
    # pooling links shops: with no deviation, every shop's SEA has the family's SEA value
    flat = dict(point) | {f"z_{k}": np.zeros_like(point[f"z_{k}"]) for k in kinds}
    roas = fn(flat)[0]
    sea = [i for i, label in enumerate(index.labels) if label.endswith("/sea")]
    assert np.allclose(roas[sea], np.exp(point["mu_roas"][0]))


def test_pooled_likelihood_is_the_single_models(designs):
    """At any parameter values, the pooled data likelihood is the sum of the single models'."""
    index = pool_index({n: d.channels for n, d in designs.items()})
    pooled = build_pooled_model(designs, index, Priors(), OPTS)
    point = _point(pooled, np.random.default_rng(1))
    observed = [pooled["y"], pooled["lift"]]
    total = pooled.compile_logp(vars=observed, mode=FAST)(point)
    kinds = ("roas", "alpha", "half", "slope")
    fn = _values_fn(pooled, kinds)
    values = dict(zip(kinds, fn(point), strict=True))
    single_sum = 0.0
    for k, d in enumerate(designs.values()):
        idx = index.of_shop(k)
        single = build_model(d, Priors(), OPTS)
        p = d.baseline_x.shape[1]
        own = {
            "coef": point["coef"][k, :p],
            "roas_log__": np.log(values["roas"][idx]),
            "alpha_logodds__": np.log(values["alpha"][idx] / (1 - values["alpha"][idx])),
            "half_log__": np.log(values["half"][idx]),
            "slope_log__": np.log(values["slope"][idx]),
            "level_gap": point["level_gap"][k],
            "sigma_log__": point["sigma_log__"][k],
        }
        obs = [single["y"]] + ([single["lift"]] if d.lift is not None else [])
        single_sum += single.compile_logp(vars=obs, mode=FAST)(own)
    assert total == pytest.approx(single_sum, rel=1e-9)


def test_bad_input_is_named(shops):
    with pytest.raises(ConfigError, match="no shop given"):
        PooledMMM().fit({})
    h, _ = shops["big"]
    with pytest.raises(ConfigError, match="lift tests given for unknown shop 'bgi'"):
        PooledMMM().fit({"big": h}, {"bgi": None})
    with pytest.raises(ConfigError, match="names a folder"):
        PooledMMM().fit({"a/b": h})
    flat = dataclasses.replace(h, spend=h.spend.assign(sea=100.0))
    with pytest.raises(DataError, match="^shop 'flat': .*'sea' spends the same"):
        PooledMMM(max_lag=4).fit({"flat": flat})


SMALL = GateThresholds(ess_min=100, r_hat_max=1.05)


@pytest.mark.slow
def test_real_pooled_fit_gives_one_model_per_shop(shops, tmp_path):
    histories = {n: h for n, (h, _) in shops.items()}
    lifts = {n: lift for n, (_, lift) in shops.items()}
    kw = dict(max_lag=4, fourier_order=1, holdout_weeks=4, draws=250, tune=300, chains=2)
    model = PooledMMM(seed=1, thresholds=SMALL, **kw).fit(histories, lifts)
    assert set(model.shops_) == {"big", "mid", "small"}
    assert model.shop("small").history_.channels == ("sea",)
    curves = model.response_curves(50, allow_failed=True)
    assert isinstance(curves["small"], ResponseCurves) and curves["small"].channels == ("sea",)
    assert curves["big"].channels == ("sea", "social")
    table = model.roas()
    assert list(table.index.get_level_values("shop").unique()) == ["big", "mid", "small"]
    # a shop's model is a plain MMM: its ROAS is the pooled posterior's pair value
    post = model.idata_["posterior"]
    values = pair_values({v: post[v].to_numpy() for v in post.data_vars}, model.index_)
    assert np.allclose(model.shop("small").samples_.roas[:, 0], values["roas"][..., 4].reshape(-1))
    save_pooled(model, tmp_path / "pooled")
    again = load_pooled(tmp_path / "pooled")
    pd.testing.assert_frame_equal(again.roas(), table)
    assert again.diagnostics_.failures == model.diagnostics_.failures
    same = PooledMMM(seed=1, thresholds=SMALL, **kw).fit(histories, lifts)
    pd.testing.assert_frame_equal(same.roas(), table)  # seeded: deterministic
