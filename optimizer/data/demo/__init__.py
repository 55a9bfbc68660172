"""Demo store generator: a French online store with known ground truth.

The store sells ~200 SKUs in 8 categories and buys media on five channels. Demand is generated
from an explicit causal model so that every estimate and every plan can be checked against the
truth:

* demand index ``D_t = B_t + sum_c M_{c,t}`` (EUR per week at reference prices, incl. VAT), where
  ``B_t`` is the baseline (trend, yearly season, Black Friday, Christmas, *soldes*) and
  ``M_{c,t} = beta_c * hill(adstock_c(spend_c))_t`` the media contribution of channel ``c``;
* units of SKU ``s`` in week ``t``:
  ``lambda = u_s * D_t / D_ref * (p_{s,t} / p_ref_s) ** e_s * uplift ** promo_{s,t}``, drawn
  Poisson (times a common weekly shock), zero in stock-out weeks;
* weekly revenue (the MMM target) is the sum of price paid x units over SKUs.

The true incremental revenue of channel ``c`` is ``M_{c,t} * PM_t`` where ``PM_t`` is the week's
price/promo revenue multiplier; the true ROAS is its sum over spend. :class:`GroundTruth`
evaluates any future media plan or price list under the truth.

Modules, in the order they build on each other: :mod:`~optimizer.data.demo.constants` (the
recipe), :mod:`~optimizer.data.demo.response` (adstock, saturation, baseline),
:mod:`~optimizer.data.demo.prices`, :mod:`~optimizer.data.demo.truth` (:class:`GroundTruth`),
:mod:`~optimizer.data.demo.media` (spend paths, lift tests), :mod:`~optimizer.data.demo.store`
(:func:`generate_demo_store`) and :mod:`~optimizer.data.demo.write`.
"""

from optimizer.data.demo.constants import (
    BASKET_SIZE,
    CONTROLS,
    DEFAULT_SEED,
    HORIZON_WEEKS,
    LOGISTICS_COST,
    MIN_COST_SHARE,
    MISPRICED_SHARE,
    N_WEEKS,
    PROMO_UPLIFT,
    SPEND_SCALE,
    START,
)
from optimizer.data.demo.media import lift_tests_for
from optimizer.data.demo.prices import optimal_price_excl_vat
from optimizer.data.demo.response import geometric_adstock_np, hill_np
from optimizer.data.demo.store import DemoStore, StoreShape, generate_demo_store
from optimizer.data.demo.truth import ChannelTruth, GroundTruth
from optimizer.data.demo.write import write_demo_store

__all__ = [
    "BASKET_SIZE",
    "CONTROLS",
    "DEFAULT_SEED",
    "HORIZON_WEEKS",
    "LOGISTICS_COST",
    "MIN_COST_SHARE",
    "MISPRICED_SHARE",
    "N_WEEKS",
    "PROMO_UPLIFT",
    "SPEND_SCALE",
    "START",
    "ChannelTruth",
    "DemoStore",
    "GroundTruth",
    "StoreShape",
    "generate_demo_store",
    "geometric_adstock_np",
    "hill_np",
    "lift_tests_for",
    "optimal_price_excl_vat",
    "write_demo_store",
]
