"""Custom adstock families (optimizer.mmm.extension): contract, checks, and the model graph."""

from __future__ import annotations

import arviz as az
import numpy as np
import pymc as pm
import pytensor.tensor as pt
import pytest

from optimizer.errors import ConfigError
from optimizer.mmm import (
    MMM,
    AdstockFamily,
    ParamPrior,
    Priors,
    adstock_names,
    register_adstock,
    unregister_adstock,
)
from optimizer.mmm.design import build_design
from optimizer.mmm.extension import get_adstock
from optimizer.mmm.graph import ModelOptions, build_model
from optimizer.mmm.posterior import PosteriorSamples


def two_speed(lags, fast_share, retention):
    return fast_share * (lags == 0) + (1 - fast_share) * (1 - retention) * retention**lags


def gauss_np(lags, peak, width):
    return np.exp(-0.5 * ((lags - peak) / width) ** 2)


def gauss_pt(lags, peak, width):
    return pt.exp(-0.5 * ((lags - peak) / width) ** 2)


PRIORS = {
    "fast_share": ParamPrior("Beta", {"alpha": 2, "beta": 2}),
    "retention": ParamPrior("Beta", {"alpha": 5, "beta": 2}),
}


@pytest.fixture
def family():
    fam = register_adstock(AdstockFamily("test_two_speed", PRIORS, two_speed), replace=True)
    yield fam
    unregister_adstock("test_two_speed")


def test_weights_normalised_and_match_the_formula(family):
    fs, ret = np.array([0.5, 0.2]), np.array([0.5, 0.9])
    w = family.lag_weights({"fast_share": fs, "retention": ret}, 6)
    assert w.shape == (2, 6)
    np.testing.assert_allclose(w.sum(axis=-1), 1.0)
    lags = np.arange(6.0)
    raw = fs[:, None] * (lags == 0) + (1 - fs[:, None]) * (1 - ret[:, None]) * ret[:, None] ** lags
    np.testing.assert_allclose(w, raw / raw.sum(axis=-1, keepdims=True))
    # a batch of posterior samples (S, C) -> (S, C, L)
    batch = family.lag_weights(
        {"fast_share": np.full((4, 2), 0.3), "retention": np.full((4, 2), 0.6)}, 6
    )
    assert batch.shape == (4, 2, 6)
    # the pytensor version computes the same numbers
    w_pt = family.lag_weights_pt(
        {"fast_share": pt.as_tensor(fs), "retention": pt.as_tensor(ret)}, 6
    )
    np.testing.assert_allclose(w_pt.eval(), w, rtol=1e-10)


def test_registry_lists_and_removes(family):
    assert "test_two_speed" in adstock_names()
    assert adstock_names()[:3] == ("geometric", "delayed", "weibull")
    assert get_adstock("test_two_speed") is family
    assert ModelOptions(adstock="test_two_speed").adstock == "test_two_speed"
    unregister_adstock("test_two_speed")
    assert get_adstock("test_two_speed") is None
    with pytest.raises(ConfigError, match="register_adstock"):
        ModelOptions(adstock="test_two_speed")


def test_separate_pytensor_twin_is_accepted_and_checked():
    priors = {
        "peak": ParamPrior("Gamma", {"mu": 2.0, "sigma": 1.0}),
        "width": ParamPrior("Gamma", {"mu": 1.5, "sigma": 0.5}),
    }
    fam = AdstockFamily("test_gauss", priors, gauss_np, weights_pt=gauss_pt)
    try:
        register_adstock(fam)
        w = fam.lag_weights({"peak": np.array([2.0]), "width": np.array([1.0])}, 8)
        assert w[0].argmax() == 2
    finally:
        unregister_adstock("test_gauss")
    # a twin that computes another formula is refused with the size of the disagreement
    wrong = AdstockFamily(
        "test_gauss_bad",
        priors,
        gauss_np,
        weights_pt=lambda lags, peak, width: gauss_pt(lags, peak, 2 * width),
    )
    with pytest.raises(ConfigError, match="disagree"):
        register_adstock(wrong)
    assert get_adstock("test_gauss_bad") is None
    # numpy ufuncs (np.exp) dispatch to pytensor, so the numpy function alone is enough ...
    try:
        register_adstock(AdstockFamily("test_gauss_np", priors, gauss_np))
    finally:
        unregister_adstock("test_gauss_np")

    # ... but np.where does not: refused with a hint to give a pytensor twin
    def cut(lags, peak, width):
        return np.where(lags <= peak, 1.0, 0.5) * width

    with pytest.raises(ConfigError, match="weights_pt"):
        register_adstock(AdstockFamily("test_cut", priors, cut))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": "geometric"}, "built in"),
        ({"name": "Two Speed"}, "lower-case"),
        ({"params": {}}, "at least one parameter"),
        ({"params": {"alpha": PRIORS["retention"]}}, "reserved"),
        ({"params": {"roas": PRIORS["retention"]}}, "reserved"),
        ({"weights": lambda lags, fast_share, retention: retention - 0.9}, ">= 0"),
        ({"weights": lambda lags, fast_share, retention: 0.0 * lags * retention}, "not all zero"),
        ({"weights": lambda lags, share: lags}, "failed on prior draws"),
    ],
)
def test_bad_families_are_refused_with_the_reason(kwargs, match):
    args = {"name": "test_bad", "params": PRIORS, "weights": two_speed} | kwargs
    with pytest.raises(ConfigError, match=match):
        register_adstock(AdstockFamily(**args))
    assert get_adstock(args["name"]) is None or args["name"] == "geometric"


def test_duplicate_name_needs_replace(family):
    other = AdstockFamily("test_two_speed", PRIORS, two_speed)
    with pytest.raises(ConfigError, match="already registered"):
        register_adstock(other)
    assert register_adstock(other, replace=True) is get_adstock("test_two_speed")
    assert register_adstock(other) is other  # re-registering the same object is a no-op


def test_param_prior_validation():
    with pytest.raises(ConfigError, match="Did you mean 'Gamma'"):
        ParamPrior("Gama", {"mu": 1, "sigma": 1})
    with pytest.raises(ConfigError, match="arguments as PyMC names them"):
        ParamPrior("Beta", {"a": 1, "b": 2})
    with pytest.raises(ConfigError, match="not finite"):
        ParamPrior("Normal", {"mu": float("nan"), "sigma": 1})
    draws = ParamPrior("Beta", {"alpha": 2, "beta": 8}).draw(4000, seed=1)
    assert draws.shape == (4000,) and abs(draws.mean() - 0.2) < 0.01


def test_graph_and_numpy_results_agree(family, synthetic):
    """The ROAS identity only holds when the graph's and numpy's adstock weights are equal."""
    design = build_design(synthetic.history, max_lag=12, fourier_order=2, holdout_weeks=6)
    model = build_model(design, Priors(), ModelOptions(adstock="test_two_speed"))
    free = {rv.name for rv in model.free_RVs}
    assert {"fast_share", "retention"} <= free and "alpha" not in free
    assert set(MMM(adstock="test_two_speed").free_variables()) == free
    assert np.isfinite(model.compile_logp()(model.initial_point(random_seed=0)))

    n_draws = 7
    roas, fs, ret, half, slope, beta = pm.draw(
        [model[v] for v in ("roas", "fast_share", "retention", "half", "slope", "beta")],
        draws=n_draws,
        random_seed=3,
    )
    c, p = len(design.channels), design.baseline_x.shape[1]
    post = {
        "roas": roas[None],
        "fast_share": fs[None],
        "retention": ret[None],
        "half": half[None],
        "slope": slope[None],
        "beta": beta[None],
        "intercept": np.ones((1, n_draws)),
        "coef": np.zeros((1, n_draws, p)),
        "sigma": np.full((1, n_draws), 0.1),
    }
    idata = az.from_dict(posterior=post)
    samples = PosteriorSamples.from_idata(idata, ModelOptions(adstock="test_two_speed"))
    assert samples.weights.shape == (n_draws, c, 12)
    n = design.n_train
    contrib = samples.contributions(design.spend[:n] / design.spend_scale)  # (S, n, C)
    roas_np = contrib.sum(axis=1) * design.y_scale / design.spend[:n].sum(axis=0)
    np.testing.assert_allclose(roas_np, roas, rtol=1e-8)
