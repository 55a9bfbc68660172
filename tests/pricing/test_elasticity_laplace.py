"""Fast checks of the elasticity model without MCMC: numpy fit, dispersion, Laplace mode."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from optimizer.data import load_catalog, load_dataset, load_sales
from optimizer.data.catalog import Catalog
from optimizer.data.demo import GroundTruth
from optimizer.data.sales import SalesHistory
from optimizer.pricing import ElasticityModel
from optimizer.pricing.elasticity_design import MIN_PRICE_VARIATION, design
from optimizer.pricing.elasticity_laplace import fit_poisson, pearson_dispersion
from tests.pricing.conftest import FIXED_PRICE, TRUE_ELASTICITY


def _synthetic(seed: int, *, overdispersion: float | None = None, n_sku: int = 30, weeks: int = 80):
    """Store with known elasticities, promo effect log(1.2) and a weekly season."""
    rng = np.random.default_rng(seed)
    skus = [f"S{i:02d}" for i in range(n_sku)]
    e_true = -np.exp(rng.normal(np.log(1.8), 0.3, n_sku))
    price = np.round(np.exp(rng.uniform(np.log(10), np.log(80), n_sku)), 2)
    catalog = pd.DataFrame(
        {
            "category": np.where(np.arange(n_sku) % 2 == 0, "A", "B"),
            "price_incl_vat": price,
            "vat_rate": 0.2,
            "unit_cost": np.round(price / 1.2 * 0.4, 2),
            "stock": 100.0,
            "logistics_units": 1.0,
        },
        index=pd.Index(skus, name="sku"),
    )
    catalog["price_excl_vat"] = catalog["price_incl_vat"] / 1.2
    season = 0.3 * np.sin(np.arange(weeks) / 52 * 2 * np.pi)
    rows = []
    for j, s in enumerate(skus):
        rel = np.exp(rng.uniform(-0.2, 0.1, weeks))
        promo = rng.random(weeks) < 0.1
        lam = 20 * rel ** e_true[j] * np.where(promo, 1.2, 1.0) * np.exp(season)
        if overdispersion is None:
            units = rng.poisson(lam)
        else:  # negative binomial, variance lam + lam^2 / k
            units = rng.poisson(rng.gamma(overdispersion, lam / overdispersion))
        for t in range(weeks):
            rows.append((pd.Timestamp("2024-01-01") + pd.Timedelta(weeks=t), s, price[j] * rel[t]))
            rows[-1] += (float(units[t]), bool(promo[t]), True)
    sales = pd.DataFrame(rows, columns=["week", "sku", "price_paid", "units", "promo", "in_stock"])
    return SalesHistory(sales, "synthetic"), Catalog(catalog, "synthetic"), e_true


def test_poisson_fit_converges_and_recovers_promo_and_dispersion():
    sales, catalog, e_true = _synthetic(0)
    d = design(sales, catalog, None)
    fit = fit_poisson(d, np.ones(len(d["skus"])), 1.0, MIN_PRICE_VARIATION)
    assert fit["converged"]
    assert abs(fit["b"] - np.log(1.2)) < 0.05
    assert np.corrcoef(-np.exp(fit["u"]), e_true)[0, 1] > 0.8
    phi_all, phi = pearson_dispersion(d, fit["mu"])
    assert 0.9 < phi_all < 1.1  # Poisson data
    assert (phi >= 1.0).all()


def test_overdispersed_data_are_detected_and_widen_the_intervals():
    sales, catalog, _ = _synthetic(1, overdispersion=3.0)
    quasi = ElasticityModel(method="laplace").fit(sales, catalog).estimates
    assert quasi.diagnostics["dispersion"] > 2.0
    assert quasi.diagnostics["likelihood"].startswith("quasi-poisson")
    naive = ElasticityModel(method="laplace", dispersion=1.0).fit(sales, catalog).estimates
    w_quasi = (quasi.frame["elasticity_high"] - quasi.frame["elasticity_low"]).mean()
    w_naive = (naive.frame["elasticity_high"] - naive.frame["elasticity_low"]).mean()
    assert w_quasi > 1.3 * w_naive


def test_laplace_mode_on_tiny_store(tiny_store):
    catalog = load_catalog(tiny_store / "catalog.csv")
    sales = load_sales(tiny_store / "sales.csv", catalog=catalog)
    model = ElasticityModel(method="advi", keep_draws=100)  # legacy name of the fast mode
    est = model.fit(sales, catalog).estimates
    f = est.frame
    assert est.method == "laplace" and "approximate" in est.diagnostics["note"]
    assert model.idata_ is None
    # stock-out weeks are dropped: 5 SKUs x 40 weeks minus the 3 weeks A2 was out of stock
    assert est.diagnostics["n_rows"] == 5 * 40 - 3
    assert (f["elasticity_high"] < 0).all()
    assert est.elasticity_draws is not None and est.elasticity_draws.shape == (100, 5)
    truth = pd.Series(TRUE_ELASTICITY)
    varied = f.index[f["price_variation"] >= MIN_PRICE_VARIATION]
    assert FIXED_PRICE not in varied and bool(f.loc[FIXED_PRICE, "weakly_identified"])
    assert (f.loc[varied, "elasticity_mean"] - truth[varied]).abs().max() < 0.8
    assert f["baseline_units"].between(25, 60).all()


def test_laplace_demo_store_coverage(demo_dir):
    """The fast mode on the demo store: seconds, and near-nominal coverage (it is approximate)."""
    ds = load_dataset(demo_dir)
    truth = GroundTruth.load(demo_dir)
    est = ElasticityModel(method="laplace").fit(ds.sales, ds.catalog).estimates
    f = est.frame
    tr = truth.skus.loc[f.index, "elasticity"]
    varied = f["price_variation"] >= MIN_PRICE_VARIATION
    inside = (tr >= f["elasticity_low"]) & (tr <= f["elasticity_high"])
    assert est.diagnostics["converged"] and est.diagnostics["likelihood"] == "poisson"
    assert inside[varied].mean() >= 0.80
    assert (tr - f["elasticity_mean"]).abs().mean() < 0.2
    assert inside[f["weakly_identified"]].mean() >= 0.85


@pytest.mark.parametrize("method", ["mcmc", "ADVI"])
def test_unknown_method_is_named(tiny_store, method):
    from optimizer.errors import DataError

    catalog = load_catalog(tiny_store / "catalog.csv")
    sales = load_sales(tiny_store / "sales.csv", catalog=catalog)
    with pytest.raises(DataError, match=f"{method!r}.*laplace"):
        ElasticityModel(method=method).fit(sales, catalog)
