"""The demo store's fixed recipe: dates, channel truth, categories, unit economics."""

from __future__ import annotations

__all__ = [
    "BASKET_SIZE",
    "CATEGORIES",
    "CHANNEL_TRUTH",
    "CONTROLS",
    "DEFAULT_SEED",
    "HORIZON_WEEKS",
    "LOGISTICS_COST",
    "MIN_COST_SHARE",
    "MISPRICED_SHARE",
    "N_WEEKS",
    "SKU_PREFIX",
    "PROMO_UPLIFT",
    "SPEND_SCALE",
    "START",
]

DEFAULT_SEED = 7
START = "2023-11-27"  # a Monday; 156 weeks end on 2026-11-16, the horizon starts 2026-11-23
N_WEEKS = 156
HORIZON_WEEKS = 52
CONTROLS = ("promo_share", "black_friday", "christmas", "soldes")

# channel truth: geometric adstock (alpha, max lag), Hill saturation (half-saturation K in EUR
# of adstocked weekly spend, slope), target ROAS over the history (incl. VAT revenue / spend).
CHANNEL_TRUTH: dict[str, dict[str, float]] = {
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
CATEGORIES: dict[str, tuple[int, tuple[float, float], tuple[float, float], float, float, float]] = {
    "Mode femme": (34, (19.0, 89.0), (0.30, 0.45), -2.2, 0.20, 1.0),
    "Mode homme": (28, (19.0, 79.0), (0.30, 0.45), -2.0, 0.20, 1.0),
    "Chaussures": (24, (39.0, 139.0), (0.35, 0.50), -1.8, 0.20, 1.5),
    "Maison": (26, (15.0, 199.0), (0.35, 0.55), -1.8, 0.20, 2.0),
    "Beauté": (24, (8.0, 59.0), (0.25, 0.40), -1.7, 0.20, 0.5),
    "Électronique": (20, (29.0, 399.0), (0.60, 0.75), -2.6, 0.20, 1.0),
    "Sport": (22, (19.0, 149.0), (0.35, 0.50), -1.7, 0.20, 1.5),
    "Épicerie fine": (22, (5.0, 39.0), (0.40, 0.55), -1.6, 0.055, 0.5),
}
SKU_PREFIX = {
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
