"""The elasticity model's deterministics computed in numpy equal the PyMC graph's (no sampling)."""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytest

from optimizer.data.catalog import load_catalog
from optimizer.data.sales import load_sales
from optimizer.pricing import elasticity_graph as eg
from optimizer.pricing.elasticity_design import design


def _prior_and_graph(d, weight, centred):
    """Prior draws of the free variables and the graph's deterministics evaluated on them."""
    model = eg.build_graph(d, weight, centred)
    free = [v.name for v in model.free_RVs]
    with model:
        prior = pm.sample_prior_predictive(draws=40, var_names=free, random_seed=3).prior
        graph = pm.compute_deterministics(
            prior, var_names=list(eg.DERIVED_DIMS), model=model, progressbar=False
        )
    return model, prior, graph


@pytest.mark.filterwarnings("ignore:The effect of Potentials:UserWarning")
@pytest.mark.parametrize(
    "sku_centred, cat_centred",
    [([1, 1, 0, 1, 0], [1, 0]), ([1, 1, 1, 1, 1], [1, 1]), ([0, 0, 0, 0, 0], [0, 0])],
)
def test_numpy_deterministics_match_graph(tiny_store, monkeypatch, sku_centred, cat_centred):
    catalog = load_catalog(tiny_store / "catalog.csv")
    d = design(load_sales(tiny_store / "sales.csv", catalog=catalog), catalog, None)
    rng = np.random.default_rng(0)
    d["promo"] = (rng.random(len(d["y"])) < 0.2).astype(float)  # exercise the promo term
    weight = rng.uniform(0.5, 1.0, len(d["skus"]))
    centred = (np.array(sku_centred, bool), np.array(cat_centred, bool))
    model, prior, graph = _prior_and_graph(d, weight, centred)
    assert set(eg.DERIVED_DIMS) == {v.name for v in model.deterministics}
    # small blocks: the exposure sums run over several blocks of draws
    monkeypatch.setattr(eg, "EXPOSURE_BLOCK", 3 * len(d["y"]))
    free = {k: prior[k].to_numpy() for k in prior.data_vars}
    mine = eg.derived_draws(d, weight, centred, free)
    for name in eg.DERIVED_DIMS:
        np.testing.assert_allclose(mine[name], graph[name].to_numpy(), rtol=1e-9, atol=0)
    post = prior.copy()
    eg.add_derived(post, d, weight, centred, list(free))
    assert post["elasticity"].dims == ("chain", "draw", "sku")
    assert list(post["log_mag_category"]["category"].values) == d["categories"]
