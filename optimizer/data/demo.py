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
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from optimizer._version import __version__
from optimizer.curves import ResponseCurves
from optimizer.data.calendar import french_retail_calendar
from optimizer.data.catalog import Catalog, default_return_rate, write_catalog
from optimizer.data.dataset import DATASET_FILE, load_dataset
from optimizer.data.io import atomic_write_text
from optimizer.data.lift_tests import LiftTests, write_lift_tests
from optimizer.data.logistics import Logistics, write_logistics
from optimizer.data.marketing import MarketingHistory, write_marketing
from optimizer.data.sales import SalesHistory, write_sales

__all__ = [
    "DEFAULT_SEED",
    "DemoStore",
    "GroundTruth",
    "StoreShape",
    "generate_demo_store",
    "geometric_adstock_np",
    "hill_np",
    "lift_tests_for",
    "write_demo_store",
]

DEFAULT_SEED = 7
START = "2023-11-27"  # a Monday; 156 weeks end on 2026-11-16, the horizon starts 2026-11-23
N_WEEKS = 156
HORIZON_WEEKS = 52
CONTROLS = ("promo_share", "black_friday", "christmas", "soldes")

# channel truth: geometric adstock (alpha, max lag), Hill saturation (half-saturation K in EUR
# of adstocked weekly spend, slope), target ROAS over the history (incl. VAT revenue / spend).
_CHANNEL_TRUTH: dict[str, dict[str, float]] = {
    "seo": {"alpha": 0.80, "max_lag": 12, "K": 2500.0, "slope": 1.0, "roas": 6.0},
    "sea": {"alpha": 0.20, "max_lag": 6, "K": 4500.0, "slope": 1.0, "roas": 4.0},
    "social": {"alpha": 0.50, "max_lag": 8, "K": 3000.0, "slope": 2.0, "roas": 2.6},
    "affiliation": {"alpha": 0.10, "max_lag": 4, "K": 3500.0, "slope": 1.0, "roas": 4.5},
    "retail_media": {"alpha": 0.30, "max_lag": 6, "K": 2250.0, "slope": 1.5, "roas": 3.5},
}
# media spend is about 8 % of revenue, a typical marketing-to-sales ratio for online retail
SPEND_SCALE = 0.5

# category: (n_skus, price range incl. VAT, cost share of price excl. VAT (legacy draw, kept so
# that the random stream and every other series stay as they were), mean elasticity, VAT rate,
# logistics units per item). Elasticities are those of categories whose prices a retailer can
# set near their optimum: the margin-maximizing price of a constant-elasticity demand is
# e / (1 + e) times the unit's variable cost, so |e| close to 1 would mean absurd markups.
_CATEGORIES: dict[
    str, tuple[int, tuple[float, float], tuple[float, float], float, float, float]
] = {
    "Mode femme": (34, (19.0, 89.0), (0.30, 0.45), -2.2, 0.20, 1.0),
    "Mode homme": (28, (19.0, 79.0), (0.30, 0.45), -2.0, 0.20, 1.0),
    "Chaussures": (24, (39.0, 139.0), (0.35, 0.50), -1.8, 0.20, 1.5),
    "Maison": (26, (15.0, 199.0), (0.35, 0.55), -1.8, 0.20, 2.0),
    "Beauté": (24, (8.0, 59.0), (0.25, 0.40), -1.7, 0.20, 0.5),
    "Électronique": (20, (29.0, 399.0), (0.60, 0.75), -2.6, 0.20, 1.0),
    "Sport": (22, (19.0, 149.0), (0.35, 0.50), -1.7, 0.20, 1.5),
    "Épicerie fine": (22, (5.0, 39.0), (0.40, 0.55), -1.6, 0.055, 0.5),
}
_PREFIX = {
    "Mode femme": "MDF",
    "Mode homme": "MDH",
    "Chaussures": "CHA",
    "Maison": "MAI",
    "Beauté": "BEA",
    "Électronique": "ELE",
    "Sport": "SPO",
    "Épicerie fine": "EPI",
}
PROMO_UPLIFT = 1.15  # extra demand from the promo flag (visibility), on top of the price effect
BASKET_SIZE = 1.7  # items per order
LOGISTICS_COST = 3.2  # EUR excl. VAT per logistics unit shipped (picking + carrier, net of the
# shipping fees customers pay)
#: Share of the catalog priced clearly off its optimum (12-25 % too high or too low); the rest
#: sits within a few percent of it, as in a store whose prices are reviewed regularly.
MISPRICED_SHARE = 0.15
MIN_COST_SHARE = 0.2  # unit cost at least 20 % of the price excl. VAT


def optimal_price_excl_vat(
    unit_cost: np.ndarray, elasticity: np.ndarray, logistics: np.ndarray, return_rate: np.ndarray
) -> np.ndarray:
    """Margin-maximizing price excl. VAT of a constant-elasticity demand.

    With units ``u(x) ~ x ** e`` and a contribution per unit ``(x - c) * (1 - r) - L`` (price
    ``x`` excl. VAT, unit cost ``c``, return rate ``r``, logistics cost ``L`` per item), the
    optimum is ``x* = e / (1 + e) * (c + L / (1 - r))`` (``e < -1``).
    """
    e = np.asarray(elasticity, float)
    return e / (1.0 + e) * (np.asarray(unit_cost) + np.asarray(logistics) / (1 - return_rate))


def _priced_catalog(skus: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Optimal prices, unit costs and today's prices: most near the optimum, a minority off.

    ``skus["ref_price"]`` holds a price level drawn in the category's range; the SKU's optimal
    price is that level (raised where the cost would be under :data:`MIN_COST_SHARE`), its unit
    cost the one that makes it optimal, and today's price the optimum within +/-2.5 % for most
    SKUs, 12 % to 25 % above or below it for :data:`MISPRICED_SHARE` of them.
    """
    rng = np.random.default_rng([seed, 17])  # own stream: the rest of the store is unchanged
    vat = skus["vat_rate"].to_numpy(float)
    e = skus["elasticity"].to_numpy(float)
    lu = skus["logistics_units"].to_numpy(float)
    rr = np.array([default_return_rate(c) for c in skus["category"]])
    per_item = lu * LOGISTICS_COST / (1 - rr)  # logistics per kept item, EUR excl. VAT
    k = (1 + e) / e  # cost share of the optimal price, before logistics
    x_opt = skus["ref_price"].to_numpy(float) / (1 + vat)
    x_opt = np.maximum(x_opt, per_item / (k - MIN_COST_SHARE))
    cost = np.round(k * x_opt - per_item, 2)
    p_opt = x_opt * (1 + vat)
    off = rng.random(len(skus)) < MISPRICED_SHARE
    gap = np.where(
        off,
        np.where(rng.random(len(skus)) < 0.5, -1.0, 1.0) * rng.uniform(0.12, 0.25, len(skus)),
        rng.normal(0.0, 0.0125, len(skus)).clip(-0.025, 0.025),
    )
    out = skus.copy()
    out["unit_cost"] = cost
    out["optimal_price"] = np.round(p_opt, 2)
    out["ref_price"] = _price_ending(p_opt * (1 + gap))
    out["mispriced"] = off
    return out


def geometric_adstock_np(x: np.ndarray, alpha: float, max_lag: int) -> np.ndarray:
    """Normalised geometric adstock along axis 0 (weights ``alpha**l`` summing to 1).

    Parameters
    ----------
    x : numpy.ndarray
        Spend, weeks first (EUR per week).
    alpha : float
        Weekly retention in [0, 1).
    max_lag : int
        Number of weeks an euro keeps acting (lag 0 included).

    Returns
    -------
    numpy.ndarray
        Adstocked spend (EUR per week, same shape as ``x``), zero spend assumed before week 0.
    """
    w = alpha ** np.arange(max_lag)
    w = w / w.sum()
    out = np.zeros_like(x, dtype=float)
    for lag in range(max_lag):
        out[lag:] += w[lag] * x[: len(x) - lag]
    return out


def hill_np(x: np.ndarray, half: float, slope: float) -> np.ndarray:
    """Hill saturation ``x**s / (x**s + K**s)`` in [0, 1)."""
    xs = np.power(np.maximum(x, 0.0), slope)
    return xs / (xs + half**slope)


def _baseline(weeks: pd.DatetimeIndex, level: float, start: pd.Timestamp) -> np.ndarray:
    """Baseline demand (EUR per week at reference prices): trend, season, events."""
    years = (weeks - start).days.to_numpy() / 365.25
    doy = weeks.dayofyear.to_numpy() / 365.25
    season = (
        1.0
        + 0.10 * np.cos(2 * np.pi * (doy - 0.95))  # winter high
        + 0.05 * np.sin(4 * np.pi * doy)
    )
    flags = french_retail_calendar(weeks)
    events = 1.0 + 0.55 * flags["black_friday"] + 0.30 * flags["christmas"] + 0.12 * flags["soldes"]
    return level * (1.0 + 0.07 * years) * season * events.to_numpy()


@dataclass(frozen=True)
class ChannelTruth:
    """True response of one channel (geometric adstock then Hill saturation)."""

    alpha: float
    max_lag: int
    half_saturation: float  # EUR of adstocked weekly spend
    slope: float
    beta: float  # EUR per week of demand at full saturation
    roas: float  # true ROAS over the history (incremental revenue incl. VAT / spend)
    contribution: float  # EUR over the history
    spend: float  # EUR over the history


@dataclass(frozen=True, eq=False)
class GroundTruth:
    """The generator's true parameters, able to evaluate plans under the truth.

    Attributes
    ----------
    seed : int
        Seed the store was generated with.
    weeks : pandas.DatetimeIndex
        History weeks.
    channels : dict of str to ChannelTruth
        True media response per channel.
    baseline_level : float
        Baseline demand level at the start (EUR per week).
    d_ref : float
        Reference demand used to scale SKU base units (EUR per week).
    price_multiplier : numpy.ndarray
        Per history week, revenue per unit of demand index (the price/promo effect).
    history_spend : pandas.DataFrame
        Realised spend per week and channel (EUR), for carry-over into the horizon.
    skus : pandas.DataFrame
        Per SKU: ``category``, ``elasticity``, ``base_units`` (per week at ``ref_price`` when
        ``D = d_ref``), ``ref_price`` (EUR incl. VAT, today's price), ``optimal_price`` (the
        margin-maximizing price under the truth, EUR incl. VAT, before price endings) and
        ``mispriced`` (whether today's price is clearly off it).
    category_elasticity : dict of str to float
        Mean elasticity per category.
    promo_uplift : float
        Demand multiplier of the promo flag.
    """

    seed: int
    weeks: pd.DatetimeIndex
    channels: dict[str, ChannelTruth]
    baseline_level: float
    d_ref: float
    price_multiplier: np.ndarray
    history_spend: pd.DataFrame
    skus: pd.DataFrame
    category_elasticity: dict[str, float]
    promo_uplift: float = PROMO_UPLIFT
    start: pd.Timestamp = field(default_factory=lambda: pd.Timestamp(START))

    # --- media --------------------------------------------------------------------------------
    def baseline(self, weeks: pd.DatetimeIndex) -> np.ndarray:
        """Baseline demand for any weeks (EUR per week at reference prices)."""
        return _baseline(pd.DatetimeIndex(weeks), self.baseline_level, self.start)

    def media_contribution(self, plan: pd.DataFrame) -> pd.DataFrame:
        """True media demand per channel for a plan that follows the history.

        Parameters
        ----------
        plan : pandas.DataFrame
            Spend per future week (rows, consecutive, starting the week after the history) and
            channel (columns), EUR. Missing channels spend 0.

        Returns
        -------
        pandas.DataFrame
            Demand contribution ``M_{c,t}`` (EUR per week at reference prices), same shape.
        """
        out = {}
        hist = len(self.history_spend)
        for c, t in self.channels.items():
            future = plan[c].to_numpy(float) if c in plan.columns else np.zeros(len(plan))
            x = np.concatenate([self.history_spend[c].to_numpy(float), future])
            ad = geometric_adstock_np(x, t.alpha, t.max_lag)
            out[c] = t.beta * hill_np(ad, t.half_saturation, t.slope)[hist:]
        return pd.DataFrame(out, index=plan.index)

    def media_revenue(self, plan: pd.DataFrame, price_multiplier: float = 1.0) -> float:
        """Total true incremental revenue of a plan over its weeks (EUR, incl. VAT).

        ``price_multiplier`` converts demand at reference prices into revenue (1 at reference
        prices).
        """
        return float(self.media_contribution(plan).to_numpy().sum() * price_multiplier)

    def response_curves(
        self, recent_weeks: int = 13, *, n_samples: int = 1, noise: float = 0.0, seed: int = 0
    ) -> ResponseCurves:
        """The true response as :class:`~optimizer.curves.ResponseCurves`.

        Media effect is demand at reference prices (EUR per week): with a price multiplier of 1
        it is incremental revenue. ``current`` is the mean spend of the last ``recent_weeks``.

        Parameters
        ----------
        recent_weeks : int
            Weeks averaged into the current run-rate.
        n_samples : int
            Samples of the returned curves (all equal to the truth when ``noise`` is 0).
        noise : float
            Log-normal scale of a multiplicative perturbation of each channel's
            half-saturation and maximum effect, per sample: a stand-in for a posterior of known
            spread around the truth (sensitivity studies, allocation benchmarks).
        seed : int
            Seed of the perturbation.
        """
        names = tuple(self.channels)
        lags = max(t.max_lag for t in self.channels.values())
        weights = np.zeros((n_samples, len(names), lags))
        params = np.zeros((n_samples, len(names), 2))
        beta = np.zeros((n_samples, len(names)))
        rng = np.random.default_rng(seed)
        for c, name in enumerate(names):
            t = self.channels[name]
            w = t.alpha ** np.arange(t.max_lag)
            weights[:, c, : t.max_lag] = w / w.sum()
            mult = (
                np.exp(noise * rng.standard_normal((n_samples, 2)))
                if noise
                else np.ones((n_samples, 2))
            )
            params[:, c] = (t.half_saturation, t.slope)
            params[:, c, 0] *= mult[:, 0]
            beta[:, c] = t.beta * mult[:, 1]
        hist = self.history_spend[list(names)].to_numpy(float)
        current = hist[-recent_weeks:].mean(axis=0)
        reach = np.array(
            [
                geometric_adstock_np(hist[:, c], t.alpha, t.max_lag).max()
                for c, t in enumerate(self.channels.values())
            ]
        )
        return ResponseCurves(
            names, weights, ("hill",) * len(names), params, beta, hist, current, reach
        )

    def run_rate_plan(self, n_weeks: int, recent_weeks: int = 13) -> pd.DataFrame:
        """The current plan: each channel's mean spend of the last ``recent_weeks``, per week."""
        mean = self.history_spend.iloc[-recent_weeks:].mean()
        idx = pd.date_range(self.weeks[-1] + pd.Timedelta(days=7), periods=n_weeks, freq="7D")
        return pd.DataFrame({c: np.full(n_weeks, mean[c]) for c in self.channels}, index=idx)

    # --- demand -------------------------------------------------------------------------------
    def expected_units(
        self, prices: pd.Series, demand: np.ndarray, promo: bool = False
    ) -> pd.DataFrame:
        """True expected units per week and SKU at given prices.

        Parameters
        ----------
        prices : pandas.Series
            Price incl. VAT per SKU (EUR).
        demand : numpy.ndarray
            Demand index per week (EUR at reference prices), e.g. ``baseline + media``.
        promo : bool
            Whether the promo flag is on.

        Returns
        -------
        pandas.DataFrame
            Expected units, weeks x SKUs.
        """
        s = self.skus.loc[prices.index]
        per_sku = (
            s["base_units"].to_numpy()
            * (prices.to_numpy() / s["ref_price"].to_numpy()) ** s["elasticity"].to_numpy()
            * (self.promo_uplift if promo else 1.0)
        )
        return pd.DataFrame(
            np.outer(np.asarray(demand) / self.d_ref, per_sku), columns=prices.index
        )

    # --- persistence --------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict (``truth.json``)."""
        return {
            "generator": "optimizer.data.demo",
            "version": __version__,
            "seed": self.seed,
            "start": str(self.weeks[0].date()),
            "n_weeks": len(self.weeks),
            "baseline_level": self.baseline_level,
            "d_ref": self.d_ref,
            "promo_uplift": self.promo_uplift,
            "channels": {
                c: {
                    "adstock": "geometric",
                    "alpha": t.alpha,
                    "max_lag": t.max_lag,
                    "saturation": "hill",
                    "half_saturation": t.half_saturation,
                    "slope": t.slope,
                    "beta": t.beta,
                    "roas": t.roas,
                    "contribution": t.contribution,
                    "spend": t.spend,
                }
                for c, t in self.channels.items()
            },
            "price_multiplier": [round(float(v), 10) for v in self.price_multiplier],
            "category_elasticity": self.category_elasticity,
            "skus": {
                str(k): {
                    "category": str(r.category),
                    "elasticity": float(r.elasticity),
                    "base_units": float(r.base_units),
                    "ref_price": float(r.ref_price),
                    **(
                        {
                            "optimal_price": float(r.optimal_price),
                            "mispriced": bool(r.mispriced),
                        }
                        if "optimal_price" in self.skus.columns
                        else {}
                    ),
                }
                for k, r in self.skus.iterrows()
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], history_spend: pd.DataFrame) -> GroundTruth:
        """Rebuild from ``truth.json`` and the marketing history's spend."""
        weeks = pd.date_range(data["start"], periods=data["n_weeks"], freq="7D", name="week")
        skus = pd.DataFrame.from_dict(data["skus"], orient="index")
        skus.index.name = "sku"
        return cls(
            seed=int(data["seed"]),
            weeks=weeks,
            channels={
                c: ChannelTruth(
                    alpha=v["alpha"],
                    max_lag=int(v["max_lag"]),
                    half_saturation=v["half_saturation"],
                    slope=v["slope"],
                    beta=v["beta"],
                    roas=v["roas"],
                    contribution=v["contribution"],
                    spend=v["spend"],
                )
                for c, v in data["channels"].items()
            },
            baseline_level=float(data["baseline_level"]),
            d_ref=float(data["d_ref"]),
            price_multiplier=np.asarray(data["price_multiplier"], float),
            history_spend=history_spend,
            skus=skus,
            category_elasticity=dict(data["category_elasticity"]),
            promo_uplift=float(data["promo_uplift"]),
            start=pd.Timestamp(data["start"]),
        )

    @classmethod
    def load(cls, folder: str | Path) -> GroundTruth:
        """Load ``truth.json`` from a demo dataset folder."""
        folder = Path(folder)
        data = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
        ds = load_dataset(folder)
        assert ds.marketing is not None
        return cls.from_json(data, ds.marketing.spend)


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
    channels: dict[str, dict[str, float]] = field(default_factory=lambda: dict(_CHANNEL_TRUTH))
    spend: pd.DataFrame | None = None
    sku_share: float = 1.0
    lift_tests: bool = True


def _price_ending(p: np.ndarray) -> np.ndarray:
    """Round prices incl. VAT to a ``,99`` or ``,90`` ending (``,90`` above 100 EUR)."""
    p = np.asarray(p, float)
    return np.where(p >= 100, np.floor(p) + 0.90, np.maximum(np.floor(p) + 0.99, 0.99))


def _spend_paths(
    rng: np.random.Generator, weeks: pd.DatetimeIndex, flags: pd.DataFrame, base_demand: np.ndarray
) -> pd.DataFrame:
    n = len(weeks)
    doy = weeks.dayofyear.to_numpy() / 365.25
    q4 = 0.5 + 0.5 * np.cos(2 * np.pi * (doy - 0.9))
    # SEO: agency/content budget, stepped every quarter
    seo = np.repeat(rng.uniform(2500, 7500, size=n // 13 + 1), 13)[:n]
    seo = seo * rng.normal(1.0, 0.05, n)
    # SEA: seasonal, pushed at Black Friday and Christmas
    sea = (
        9000
        * (0.7 + 0.6 * q4)
        * (1 + 0.8 * flags["black_friday"].to_numpy() + 0.4 * flags["christmas"].to_numpy())
    )
    sea = sea * rng.lognormal(0, 0.15, n)
    # Social: flights of 4-6 weeks on, 2-5 weeks off
    social = np.zeros(n)
    i = int(rng.integers(0, 4))
    while i < n:
        on = int(rng.integers(4, 7))
        social[i : i + on] = rng.uniform(5000, 13000)
        i += on + int(rng.integers(2, 6))
    social = social * rng.lognormal(0, 0.1, n)
    # Affiliation: commission on last week's demand, with a commission rate that is renegotiated
    rate = np.repeat(rng.uniform(0.025, 0.055, size=n // 26 + 1), 26)[:n]
    affiliation = rate * np.concatenate([[base_demand[0]], base_demand[:-1]])
    affiliation = affiliation * rng.lognormal(0, 0.12, n)
    # Retail media: launched mid-history, campaign-driven
    retail = np.zeros(n)
    launch = n // 2
    camp = rng.uniform(2000, 9000, size=(n - launch) // 4 + 1)
    retail[launch:] = np.repeat(camp, 4)[: n - launch] * rng.lognormal(0, 0.1, n - launch)
    spend = pd.DataFrame(
        {
            "seo": seo,
            "sea": sea,
            "social": social,
            "affiliation": affiliation,
            "retail_media": retail,
        },
        index=weeks,
    )
    return (spend * SPEND_SCALE).round(2)


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
    level = shape.level
    base = _baseline(weeks, level, start)
    spend = _spend_paths(rng, weeks, flags, base * 1.5)  # drawn in any case: same later stream
    if shape.spend is not None:
        spend = shape.spend.set_axis(weeks).round(2)
    media_channels = list(spend.columns)
    if unknown := [c for c in media_channels if c not in shape.channels]:
        raise ValueError(f"no true response given for channel {unknown[0]!r} of the spend")

    # --- catalog and price paths -----------------------------------------------------------
    rows = []
    cat_elast = {}
    for cat, (n_sku, (lo, hi), (clo, chi), e_mean, vat, lu) in _CATEGORIES.items():
        cat_elast[cat] = e_mean
        prefix = _PREFIX[cat]
        n_sku = max(1, round(n_sku * shape.sku_share))
        prices = _price_ending(np.exp(rng.uniform(np.log(lo), np.log(hi), n_sku)))
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
    skus = _priced_catalog(pd.DataFrame(rows).set_index("sku"), seed)
    n_sku = len(skus)
    ref = skus["ref_price"].to_numpy()
    # price paths: regular price reviews each quarter, promotions in soldes / Black Friday
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
    paid = _price_ending(regular * (1 - depth))
    # floor at cost incl. VAT (no resale below cost)
    cost_incl = (skus["unit_cost"] * (1 + skus["vat_rate"])).to_numpy()
    paid = np.maximum(paid, _price_ending(cost_incl * 1.02))
    promo = promo & (paid < regular - 0.01)

    # --- media truth ----------------------------------------------------------------------
    adstocked = {}
    hill = {}
    for c in media_channels:
        ct = shape.channels[c]
        adstocked[c] = geometric_adstock_np(spend[c].to_numpy(), ct["alpha"], int(ct["max_lag"]))
        hill[c] = hill_np(adstocked[c], ct["K"], ct["slope"])
    elast = skus["elasticity"].to_numpy()
    pop = skus["popularity"].to_numpy()
    share = pop / pop.sum()
    # price/promo revenue multiplier per week at the realised prices
    rel = paid / ref
    avail = np.ones((n_weeks, n_sku), dtype=bool)
    for s in np.flatnonzero(rng.random(n_sku) < 0.2):  # stock-out spells
        t0 = int(rng.integers(0, n_weeks - 4))
        avail[t0 : t0 + int(rng.integers(1, 4)), s] = False
    unit_factor = rel**elast * np.where(promo, PROMO_UPLIFT, 1.0) * avail
    pm = (share * rel * unit_factor).sum(axis=1)
    betas = {}
    for c in media_channels:
        total_spend = spend[c].sum()
        # beta so that the true ROAS over the history is the target
        betas[c] = shape.channels[c]["roas"] * total_spend / float((hill[c] * pm).sum())
    media = pd.DataFrame({c: betas[c] * hill[c] for c in media_channels}, index=weeks)
    demand = base + media.sum(axis=1).to_numpy()
    d_ref = float(demand.mean())
    base_units = share * d_ref / ref  # units per week at reference price when D = d_ref
    shock = rng.lognormal(0, 0.025, n_weeks)
    lam = (demand / d_ref * shock)[:, None] * base_units[None, :] * unit_factor
    units = rng.poisson(lam)
    revenue = (units * paid).sum(axis=1)
    orders = np.round(units.sum(axis=1) / BASKET_SIZE * rng.lognormal(0, 0.02, n_weeks))

    channels = {}
    for c in media_channels:
        ct = shape.channels[c]
        contrib = float((media[c].to_numpy() * pm).sum())
        channels[c] = ChannelTruth(
            alpha=ct["alpha"],
            max_lag=int(ct["max_lag"]),
            half_saturation=ct["K"],
            slope=ct["slope"],
            beta=float(betas[c]),
            roas=contrib / float(spend[c].sum()),
            contribution=contrib,
            spend=float(spend[c].sum()),
        )

    controls = pd.DataFrame(
        {
            "promo_share": promo.mean(axis=1).round(4),
            **{k: flags[k].to_numpy() for k in CONTROLS[1:]},
        },
        index=weeks,
    )
    marketing = MarketingHistory(
        weeks=weeks,
        revenue=revenue.round(2),
        spend=spend,
        controls=controls,
        orders=orders,
        target="revenue",
        source="marketing.csv",
    )

    # --- sales history (long) ---------------------------------------------------------------
    sku_ids = skus.index.to_numpy()
    sales = (
        pd.DataFrame(
            {
                "week": np.repeat(weeks.to_numpy(), n_sku),
                "sku": np.tile(sku_ids, n_weeks),
                "price_paid": paid.ravel().round(2),
                "units": units.ravel().astype(float),
                "promo": promo.ravel(),
                "in_stock": avail.ravel(),
            }
        )
        .sort_values(["week", "sku"], kind="stable")
        .reset_index(drop=True)
    )

    # --- catalog now: current regular price, stock vs a 13-week forecast --------------------
    current = _price_ending(regular[-1])
    current = np.maximum(current, _price_ending(cost_incl * 1.05))
    weekly_units = base_units * (current / ref) ** elast
    # most SKUs stocked for the quarter with a margin; a few short (they sell out) and some
    # overstocked (the same number of draws as before, so every later series is unchanged)
    stock = np.round(
        weekly_units * 13 * rng.choice([0.5, 1.5, 2.0, 3.0], n_sku, p=[0.08, 0.32, 0.4, 0.2])
    )
    catalog_frame = pd.DataFrame(
        {
            "category": skus["category"].to_numpy(),
            "price_incl_vat": current,
            "vat_rate": skus["vat_rate"].to_numpy(),
            "unit_cost": skus["unit_cost"].to_numpy(),
            "stock": stock,
            "logistics_units": skus["logistics_units"].to_numpy(),
            "min_price": np.where(rng.random(n_sku) < 0.1, _price_ending(current * 0.9), np.nan),
            "max_price": np.where(rng.random(n_sku) < 0.1, _price_ending(current * 1.1), np.nan),
            "return_rate": [default_return_rate(c) for c in skus["category"]],
        },
        index=pd.Index(sku_ids, name="sku"),
    )
    catalog_frame["price_excl_vat"] = catalog_frame["price_incl_vat"] / (
        1 + catalog_frame["vat_rate"]
    )
    catalog = Catalog(frame=catalog_frame, source="catalog.csv")

    # --- logistics: the 52 weeks after the history; binds at Black Friday and Christmas ------
    horizon = pd.date_range(
        weeks[-1] + pd.Timedelta(days=7), periods=HORIZON_WEEKS, freq="7D", name="week"
    )
    item_lu = skus["logistics_units"].to_numpy()
    hist_lu = (units * item_lu).sum(axis=1)
    cap_level = float(np.round(np.median(hist_lu[-52:]) * 1.17, -1))  # binds at BF and Christmas
    capacity = pd.Series(np.full(HORIZON_WEEKS, cap_level), index=horizon, name="capacity")
    logistics = Logistics(
        capacity=capacity,
        cost_per_unit=pd.Series(
            np.full(HORIZON_WEEKS, LOGISTICS_COST), index=horizon, name="cost_per_unit"
        ),
        source="logistics.csv",
    )

    truth = GroundTruth(
        seed=seed,
        weeks=weeks,
        channels=channels,
        baseline_level=level,
        d_ref=d_ref,
        price_multiplier=pm,
        history_spend=spend,
        skus=pd.DataFrame(
            {
                "category": skus["category"],
                "elasticity": elast,
                "base_units": base_units,
                "ref_price": ref,
                "optimal_price": skus["optimal_price"].to_numpy(),
                "mispriced": skus["mispriced"].to_numpy(bool),
            },
            index=pd.Index(sku_ids, name="sku"),
        ),
        category_elasticity=cat_elast,
        start=start,
    )
    # the experiments' measurement noise has its own stream: it does not move when the catalog
    # or the sales draws change
    lift = (
        lift_tests_for(np.random.default_rng([seed, 23]), truth, spend, pm)
        if shape.lift_tests
        else None
    )
    return DemoStore(marketing, catalog, SalesHistory(sales, "sales.csv"), logistics, lift, truth)


def lift_tests_for(
    rng: np.random.Generator, truth: GroundTruth, spend: pd.DataFrame, pm: np.ndarray
) -> LiftTests:
    """Two experiments: a 4-week social pause and a 4-week SEA +50 % test, measured with noise."""
    rows = []
    n = len(spend)
    for channel, t0, factor in (("social", n - 40, 0.0), ("sea", n - 20, 1.5)):
        if channel not in truth.channels:  # a store without the channel skips its test
            continue
        t = truth.channels[channel]
        x = spend[channel].to_numpy().copy()
        # a pause needs spend to pause: start at the next flight
        if factor == 0.0:
            t0 = int(np.flatnonzero(x[t0:] > 0)[0]) + t0
        x_test = x.copy()
        x_test[t0 : t0 + 4] *= factor
        base = t.beta * hill_np(
            geometric_adstock_np(x, t.alpha, t.max_lag), t.half_saturation, t.slope
        )
        test = t.beta * hill_np(
            geometric_adstock_np(x_test, t.alpha, t.max_lag), t.half_saturation, t.slope
        )
        end = min(t0 + 4 + t.max_lag - 1, n - 1)
        true_lift = float(((test - base) * pm)[t0 : end + 1].sum())
        se = abs(true_lift) * 0.15 + 500.0
        rows.append(
            {
                "channel": channel,
                "start": spend.index[t0],
                "end": spend.index[end],
                "spend_change": round(float((x_test - x)[t0 : end + 1].sum()), 2),
                "incremental_revenue": round(true_lift + rng.normal(0, se), 2),
                "se": round(se, 2),
            }
        )
    return LiftTests(pd.DataFrame(rows), "lift_tests.csv")


_DATASET_TOML = """\
# {origin}; see truth.json for the ground truth.
schema_version = 1
name = "{name}"

[marketing]
file = "marketing.csv"
date = "date"
target = "revenue"          # gross revenue incl. VAT, EUR per week
target_includes_vat = true
orders = "orders"
channels = {channels}
controls = ["promo_share", "black_friday", "christmas", "soldes"]
{follows}
[catalog]
file = "catalog.csv"

[sales]
file = "sales.csv"

[logistics]
file = "logistics.csv"
{lift}"""


def write_demo_store(
    store: DemoStore,
    out: str | Path,
    *,
    name: str = "Demo store (FR)",
    origin: str = "Demo store generated by `optimizer demo-data`",
) -> Path:
    """Write the demo store as a dataset folder (CSV files, ``dataset.toml``, ``truth.json``).

    Parameters
    ----------
    store : DemoStore
        The generated store.
    out : str or Path
        Folder to create or fill.
    name : str
        The dataset's ``name`` in ``dataset.toml``.
    origin : str
        First words of the comment heading ``dataset.toml`` (the seed follows).

    Returns
    -------
    Path
        The folder.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write_marketing(store.marketing, out / "marketing.csv")
    write_catalog(store.catalog, out / "catalog.csv")
    write_sales(store.sales, out / "sales.csv")
    write_logistics(store.logistics, out / "logistics.csv")
    if store.lift_tests is not None:
        write_lift_tests(store.lift_tests, out / "lift_tests.csv")
    atomic_write_text(out / "truth.json", json.dumps(store.truth.to_json(), indent=1) + "\n")
    channels = list(store.marketing.spend.columns)
    text = _DATASET_TOML.format(
        origin=f"{origin} (seed {store.truth.seed})",
        name=name,
        channels=json.dumps(channels),
        # the generator pays affiliation as a commission on last week's sales
        follows='cost_follows_sales = ["affiliation"]   # a commission on sales: not a budget lever\n'
        if "affiliation" in channels
        else "",
        lift='\n[lift_tests]\nfile = "lift_tests.csv"\n' if store.lift_tests is not None else "",
    )
    atomic_write_text(out / DATASET_FILE, text)
    return out
