"""Generate a demo store: catalog, sales, logistics, media history and their ground truth."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from optimizer.data.calendar import french_retail_calendar
from optimizer.data.catalog import Catalog, default_return_rate
from optimizer.data.demo.constants import (
    BASKET_SIZE,
    CATEGORIES,
    CHANNEL_TRUTH,
    CONTROLS,
    DEFAULT_SEED,
    HORIZON_WEEKS,
    LOGISTICS_COST,
    N_WEEKS,
    PROMO_UPLIFT,
    SKU_PREFIX,
    START,
)
from optimizer.data.demo.media import lift_tests_for, spend_paths
from optimizer.data.demo.prices import price_ending, priced_catalog
from optimizer.data.demo.response import baseline_demand, geometric_adstock_np, hill_np
from optimizer.data.demo.truth import ChannelTruth, GroundTruth
from optimizer.data.lift_tests import LiftTests
from optimizer.data.logistics import Logistics
from optimizer.data.marketing import MarketingHistory
from optimizer.data.sales import SalesHistory

__all__ = ["DemoStore", "StoreShape", "generate_demo_store"]


@dataclass(frozen=True, eq=False)
class DemoStore:
    """A generated store: data files' content and the truth behind them."""

    marketing: MarketingHistory
    catalog: Catalog
    sales: SalesHistory
    logistics: Logistics
    lift_tests: LiftTests | None
    truth: GroundTruth


@dataclass(frozen=True, eq=False)
class StoreShape:
    """What makes a generated store other than the demo store (the default is the demo store).

    Attributes
    ----------
    start : str
        First history week (a Monday, ``YYYY-MM-DD``); the baseline's trend starts there.
    level : float
        Baseline demand at the start, EUR per week at reference prices.
    channels : dict of str to dict
        True response per channel: ``alpha``, ``max_lag`` (weeks), ``K`` (half-saturation, EUR
        of adstocked weekly spend), ``slope``, ``roas`` (target over the history).
    spend : pandas.DataFrame or None
        Weekly spend per channel (EUR, one row per history week, the channels of ``channels``);
        ``None``: the demo store's spend paths.
    sku_share : float
        Share of the demo catalog's SKU count per category (at least one SKU each).
    lift_tests : bool
        Whether the store ran the demo's two experiments (on its channels among social, SEA).
    """

    start: str = START
    level: float = 95_000.0
    channels: dict[str, dict[str, float]] = field(default_factory=lambda: dict(CHANNEL_TRUTH))
    spend: pd.DataFrame | None = None
    sku_share: float = 1.0
    lift_tests: bool = True


@dataclass(frozen=True, eq=False)
class _PricePaths:
    """Weekly prices per SKU over the history (weeks x SKUs, EUR incl. VAT)."""

    ref: np.ndarray  # today's price per SKU
    regular: np.ndarray  # regular price (quarterly reviews, anchored at today's)
    paid: np.ndarray  # price paid (promotions, floored at cost)
    promo: np.ndarray  # bool: a promotion lowers the price
    cost_incl: np.ndarray  # unit cost incl. VAT per SKU


@dataclass(frozen=True, eq=False)
class _Demand:
    """The causal model's media effects, demand and realised sales over the history."""

    pm: np.ndarray  # price/promo revenue multiplier per week
    betas: dict[str, float]  # EUR per week of demand at full saturation, per channel
    media: pd.DataFrame  # true media demand per week and channel
    d_ref: float
    base_units: np.ndarray  # units per week at reference price when D = d_ref, per SKU
    avail: np.ndarray  # bool, weeks x SKUs: in stock
    units: np.ndarray  # weeks x SKUs
    revenue: np.ndarray
    orders: np.ndarray


def generate_demo_store(
    seed: int = DEFAULT_SEED, n_weeks: int = N_WEEKS, shape: StoreShape | None = None
) -> DemoStore:
    """Generate the demo store (or another store of the same causal model).

    Parameters
    ----------
    seed : int
        Random seed; the same seed gives the same store, byte for byte once written.
    n_weeks : int
        Weeks of history (at least 60).
    shape : StoreShape or None
        Start, size, channels and their truth, spend, catalog size; ``None``: the demo store.

    Returns
    -------
    DemoStore
    """
    if n_weeks < 60:
        raise ValueError("the demo store needs at least 60 weeks of history")
    shape = shape or StoreShape()
    rng = np.random.default_rng(seed)
    start = pd.Timestamp(shape.start)
    weeks = pd.date_range(start, periods=n_weeks, freq="7D", name="week")
    flags = french_retail_calendar(weeks)
    base = baseline_demand(weeks, shape.level, start)
    spend = spend_paths(rng, weeks, flags, base * 1.5)  # drawn in any case: same later stream
    if shape.spend is not None:
        spend = shape.spend.set_axis(weeks).round(2)
    if unknown := [c for c in spend.columns if c not in shape.channels]:
        raise ValueError(f"no true response given for channel {unknown[0]!r} of the spend")
    # the steps draw from ``rng`` in this order: changing it changes every later series
    skus, cat_elast = _draw_skus(rng, shape, seed)
    prices = _draw_price_paths(rng, skus, flags)
    demand = _draw_demand(rng, shape, skus, spend, prices, base)
    catalog = _catalog_now(rng, skus, prices, demand)
    truth = GroundTruth(
        seed=seed,
        weeks=weeks,
        channels=_channel_truth(shape, spend, demand),
        baseline_level=shape.level,
        d_ref=demand.d_ref,
        price_multiplier=demand.pm,
        history_spend=spend,
        skus=pd.DataFrame(
            {
                "category": skus["category"],
                "elasticity": skus["elasticity"].to_numpy(),
                "base_units": demand.base_units,
                "ref_price": prices.ref,
                "optimal_price": skus["optimal_price"].to_numpy(),
                "mispriced": skus["mispriced"].to_numpy(bool),
            },
            index=pd.Index(skus.index.to_numpy(), name="sku"),
        ),
        category_elasticity=cat_elast,
        start=start,
    )
    # the experiments' measurement noise has its own stream: it does not move when the catalog
    # or the sales draws change
    lift = (
        lift_tests_for(np.random.default_rng([seed, 23]), truth, spend, demand.pm)
        if shape.lift_tests
        else None
    )
    marketing = _marketing_history(weeks, flags, spend, prices, demand)
    sales = SalesHistory(_sales_frame(weeks, skus, prices, demand), "sales.csv")
    return DemoStore(marketing, catalog, sales, _logistics(weeks, skus, demand), lift, truth)


def _draw_skus(
    rng: np.random.Generator, shape: StoreShape, seed: int
) -> tuple[pd.DataFrame, dict[str, float]]:
    """The catalog's SKUs (price level, cost, elasticity, popularity) and category elasticities."""
    rows = []
    cat_elast = {}
    for cat, (n_sku, (lo, hi), (clo, chi), e_mean, vat, lu) in CATEGORIES.items():
        cat_elast[cat] = e_mean
        prefix = SKU_PREFIX[cat]
        n_sku = max(1, round(n_sku * shape.sku_share))
        prices = price_ending(np.exp(rng.uniform(np.log(lo), np.log(hi), n_sku)))
        for j in range(n_sku):
            p = float(prices[j])
            rows.append(
                {
                    "sku": f"{prefix}-{j + 1:03d}",
                    "category": cat,
                    "ref_price": p,
                    "vat_rate": vat,
                    "unit_cost": round(p / (1 + vat) * rng.uniform(clo, chi), 2),
                    "elasticity": float(np.clip(e_mean + rng.normal(0, 0.3), -4.0, -1.3)),
                    "logistics_units": lu,
                    "popularity": rng.lognormal(0, 0.6),
                }
            )
    return priced_catalog(pd.DataFrame(rows).set_index("sku"), seed), cat_elast


def _draw_price_paths(
    rng: np.random.Generator, skus: pd.DataFrame, flags: pd.DataFrame
) -> _PricePaths:
    """Regular price reviews each quarter, promotions in soldes and at Black Friday."""
    n_weeks, n_sku = len(flags), len(skus)
    ref = skus["ref_price"].to_numpy()
    fixed = rng.random(n_sku) < 0.15  # never changes price: its elasticity must be pooled
    regular = np.tile(ref, (n_weeks, 1))
    for q in range(0, n_weeks, 13):
        change = (rng.random(n_sku) < 0.5) & ~fixed
        factor = np.where(change, 1 + rng.uniform(-0.10, 0.10, n_sku), 1.0)
        regular[q:] = regular[q:] * factor
    # past price reviews lead to today's price (ref): the walk is anchored at its end
    regular = regular * (ref / regular[-1])[None, :]
    regular = np.clip(regular, ref * 0.8, ref * 1.2)
    fashion = skus["category"].isin(["Mode femme", "Mode homme", "Chaussures", "Sport"]).to_numpy()
    promo = np.zeros((n_weeks, n_sku), dtype=bool)
    depth = np.zeros((n_weeks, n_sku))
    for t in range(n_weeks):
        if flags["soldes"].iloc[t]:
            on = (rng.random(n_sku) < np.where(fashion, 0.6, 0.25)) & ~fixed
            d = rng.uniform(0.2, 0.4, n_sku)
        elif flags["black_friday"].iloc[t]:
            on = (rng.random(n_sku) < 0.45) & ~fixed
            d = rng.uniform(0.15, 0.3, n_sku)
        else:
            on = (rng.random(n_sku) < 0.03) & ~fixed
            d = rng.uniform(0.1, 0.2, n_sku)
        promo[t] = on
        depth[t] = np.where(on, d, 0.0)
    paid = price_ending(regular * (1 - depth))
    # floor at cost incl. VAT (no resale below cost)
    cost_incl = (skus["unit_cost"] * (1 + skus["vat_rate"])).to_numpy()
    paid = np.maximum(paid, price_ending(cost_incl * 1.02))
    promo = promo & (paid < regular - 0.01)
    return _PricePaths(ref, regular, paid, promo, cost_incl)


def _draw_demand(
    rng: np.random.Generator,
    shape: StoreShape,
    skus: pd.DataFrame,
    spend: pd.DataFrame,
    prices: _PricePaths,
    base: np.ndarray,
) -> _Demand:
    """Media truth (betas that hit each channel's target ROAS), demand, stock-outs, sales."""
    weeks = spend.index
    n_weeks, n_sku = len(weeks), len(skus)
    hill = {}
    for c in spend.columns:
        ct = shape.channels[c]
        adstocked = geometric_adstock_np(spend[c].to_numpy(), ct["alpha"], int(ct["max_lag"]))
        hill[c] = hill_np(adstocked, ct["K"], ct["slope"])
    elast = skus["elasticity"].to_numpy()
    pop = skus["popularity"].to_numpy()
    share = pop / pop.sum()
    # price/promo revenue multiplier per week at the realised prices
    rel = prices.paid / prices.ref
    avail = np.ones((n_weeks, n_sku), dtype=bool)
    for s in np.flatnonzero(rng.random(n_sku) < 0.2):  # stock-out spells
        t0 = int(rng.integers(0, n_weeks - 4))
        avail[t0 : t0 + int(rng.integers(1, 4)), s] = False
    unit_factor = rel**elast * np.where(prices.promo, PROMO_UPLIFT, 1.0) * avail
    pm = (share * rel * unit_factor).sum(axis=1)
    betas = {}
    for c in spend.columns:
        total_spend = spend[c].sum()
        # beta so that the true ROAS over the history is the target
        betas[c] = shape.channels[c]["roas"] * total_spend / float((hill[c] * pm).sum())
    media = pd.DataFrame({c: betas[c] * hill[c] for c in spend.columns}, index=weeks)
    demand = base + media.sum(axis=1).to_numpy()
    d_ref = float(demand.mean())
    base_units = share * d_ref / prices.ref  # units per week at reference price when D = d_ref
    shock = rng.lognormal(0, 0.025, n_weeks)
    lam = (demand / d_ref * shock)[:, None] * base_units[None, :] * unit_factor
    units = rng.poisson(lam)
    revenue = (units * prices.paid).sum(axis=1)
    orders = np.round(units.sum(axis=1) / BASKET_SIZE * rng.lognormal(0, 0.02, n_weeks))
    return _Demand(pm, betas, media, d_ref, base_units, avail, units, revenue, orders)


def _channel_truth(
    shape: StoreShape, spend: pd.DataFrame, demand: _Demand
) -> dict[str, ChannelTruth]:
    channels = {}
    for c in spend.columns:
        ct = shape.channels[c]
        contrib = float((demand.media[c].to_numpy() * demand.pm).sum())
        channels[c] = ChannelTruth(
            alpha=ct["alpha"],
            max_lag=int(ct["max_lag"]),
            half_saturation=ct["K"],
            slope=ct["slope"],
            beta=float(demand.betas[c]),
            roas=contrib / float(spend[c].sum()),
            contribution=contrib,
            spend=float(spend[c].sum()),
        )
    return channels


def _marketing_history(
    weeks: pd.DatetimeIndex,
    flags: pd.DataFrame,
    spend: pd.DataFrame,
    prices: _PricePaths,
    demand: _Demand,
) -> MarketingHistory:
    controls = pd.DataFrame(
        {
            "promo_share": prices.promo.mean(axis=1).round(4),
            **{k: flags[k].to_numpy() for k in CONTROLS[1:]},
        },
        index=weeks,
    )
    return MarketingHistory(
        weeks=weeks,
        revenue=demand.revenue.round(2),
        spend=spend,
        controls=controls,
        orders=demand.orders,
        target="revenue",
        source="marketing.csv",
    )


def _sales_frame(
    weeks: pd.DatetimeIndex, skus: pd.DataFrame, prices: _PricePaths, demand: _Demand
) -> pd.DataFrame:
    """The sales history, long: one row per week and SKU."""
    n_sku = len(skus)
    return (
        pd.DataFrame(
            {
                "week": np.repeat(weeks.to_numpy(), n_sku),
                "sku": np.tile(skus.index.to_numpy(), len(weeks)),
                "price_paid": prices.paid.ravel().round(2),
                "units": demand.units.ravel().astype(float),
                "promo": prices.promo.ravel(),
                "in_stock": demand.avail.ravel(),
            }
        )
        .sort_values(["week", "sku"], kind="stable")
        .reset_index(drop=True)
    )


def _catalog_now(
    rng: np.random.Generator, skus: pd.DataFrame, prices: _PricePaths, demand: _Demand
) -> Catalog:
    """Today's catalog: current regular price, stock against a 13-week forecast, price bounds."""
    n_sku = len(skus)
    current = price_ending(prices.regular[-1])
    current = np.maximum(current, price_ending(prices.cost_incl * 1.05))
    weekly_units = demand.base_units * (current / prices.ref) ** skus["elasticity"].to_numpy()
    # most SKUs stocked for the quarter with a margin; a few short (they sell out) and some
    # overstocked (the same number of draws as before, so every later series is unchanged)
    stock = np.round(
        weekly_units * 13 * rng.choice([0.5, 1.5, 2.0, 3.0], n_sku, p=[0.08, 0.32, 0.4, 0.2])
    )
    frame = pd.DataFrame(
        {
            "category": skus["category"].to_numpy(),
            "price_incl_vat": current,
            "vat_rate": skus["vat_rate"].to_numpy(),
            "unit_cost": skus["unit_cost"].to_numpy(),
            "stock": stock,
            "logistics_units": skus["logistics_units"].to_numpy(),
            "min_price": np.where(rng.random(n_sku) < 0.1, price_ending(current * 0.9), np.nan),
            "max_price": np.where(rng.random(n_sku) < 0.1, price_ending(current * 1.1), np.nan),
            "return_rate": [default_return_rate(c) for c in skus["category"]],
        },
        index=pd.Index(skus.index.to_numpy(), name="sku"),
    )
    frame["price_excl_vat"] = frame["price_incl_vat"] / (1 + frame["vat_rate"])
    return Catalog(frame=frame, source="catalog.csv")


def _logistics(weeks: pd.DatetimeIndex, skus: pd.DataFrame, demand: _Demand) -> Logistics:
    """The 52 weeks after the history; capacity binds at Black Friday and Christmas."""
    horizon = pd.date_range(
        weeks[-1] + pd.Timedelta(days=7), periods=HORIZON_WEEKS, freq="7D", name="week"
    )
    hist_lu = (demand.units * skus["logistics_units"].to_numpy()).sum(axis=1)
    cap_level = float(np.round(np.median(hist_lu[-52:]) * 1.17, -1))  # binds at BF and Christmas
    return Logistics(
        capacity=pd.Series(np.full(HORIZON_WEEKS, cap_level), index=horizon, name="capacity"),
        cost_per_unit=pd.Series(
            np.full(HORIZON_WEEKS, LOGISTICS_COST), index=horizon, name="cost_per_unit"
        ),
        source="logistics.csv",
    )
