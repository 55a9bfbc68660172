"""Demo portfolio: three shops of one group sharing a warehouse, with known ground truth.

Each shop is a store of the demo store's causal model (:mod:`optimizer.data.demo`: baseline,
calendar, catalog, prices, promotions, Poisson sales, revenue = sum of sales) with its own
size, channels, spend and history length:

``maison``
    The group's big brand: 156 weeks, baseline ~95,000 EUR per week, the five demo channels on
    the demo store's spend paths (retail media launched mid-history), two lift tests.
``atelier``
    A mid-size brand: 156 weeks, ~40,000 EUR per week, SEO, SEA, social and affiliation (no
    retail media), two lift tests.
``marketplace``
    The group's marketplace presence, opened 65 weeks ago: ~12,000 EUR per week, SEA and
    retail media (sponsored products, bought in flights from the first week), no lift test.

All histories end on the same week; the warehouse ``lyon`` ships for all three (capacity 1.17
times the median weekly logistics load of the three shops' last 52 weeks, as for the demo
store: it binds at Black Friday and Christmas).

How the truth is drawn (nothing is tuned to favour pooled or independent models):

1. group values per channel family from :func:`optimizer.data.stores.draw_truth_params`
   (``alpha`` ~ U(0.1, 0.75), ``max_lag`` from ``alpha``, ``K_rel`` ~ U(0.6, 1.6), ``slope`` ~
   U(0.9, 2.2), ``roas`` ~ U(1.5, 6)), one draw per portfolio seed;
2. each shop's channel deviates from its family: ``logit(alpha) + N(0, 0.3)``, ``K_rel``,
   ``roas`` times ``LogNormal(0, 0.2)``, ``slope`` times ``LogNormal(0, 0.1)``, ``max_lag``
   shared; the half-saturation in EUR is ``K_rel`` times the shop's mean adstocked spend while
   active (so it scales with the shop's size);
3. the store generator sets each channel's maximum effect so that the true ROAS over the
   shop's history equals the drawn one.

Every shop folder holds its ``truth.json`` (:meth:`optimizer.data.demo.GroundTruth.load`);
``group_truth.json`` holds the group values and each shop's drawn values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from optimizer._version import __version__
from optimizer.data.calendar import french_retail_calendar
from optimizer.data.demo import (
    DEFAULT_SEED,
    START,
    DemoStore,
    GroundTruth,
    StoreShape,
    generate_demo_store,
    geometric_adstock_np,
    write_demo_store,
)
from optimizer.data.demo.media import spend_paths
from optimizer.data.demo.response import baseline_demand
from optimizer.data.io import atomic_write_text
from optimizer.data.logistics import Logistics, write_logistics
from optimizer.data.marketing import DEFAULT_CHANNELS
from optimizer.data.portfolio import PORTFOLIO_FILE, Portfolio
from optimizer.data.stores import draw_truth_params, flight_spend

__all__ = [
    "DEMO_SHOPS",
    "DemoPortfolio",
    "ShopRecipe",
    "generate_demo_portfolio",
    "portfolio_truth",
    "write_demo_portfolio",
]

N_WEEKS = 156
WAREHOUSE = "lyon"
WAREHOUSE_FILE = "warehouse_lyon.csv"
CAPACITY_HEADROOM = 1.17  # as the demo store: the capacity binds at Black Friday and Christmas
# spread of a shop's channel around its family's group value (see the module docstring)
SPREAD = {"alpha_logit": 0.3, "K_rel": 0.2, "roas": 0.2, "slope": 0.1}


@dataclass(frozen=True)
class ShopRecipe:
    """How one shop of the demo portfolio is generated.

    Attributes
    ----------
    name, title : str
        Shop name in ``portfolio.toml`` (folder name) and display name.
    n_weeks : int
        Weeks of history (ending on the portfolio's common last week; at least 60).
    level : float
        Baseline demand at the shop's first week, EUR per week at reference prices.
    channels : tuple of str
        Media channels.
    sku_share : float
        Share of the demo catalog's SKU count per category.
    lift_tests : bool
        Whether the shop ran the demo's lift tests (on its channels among social and SEA).
    flighted : tuple of str
        Channels bought in on/off flights from the first week instead of the demo's paths.
    """

    name: str
    title: str
    n_weeks: int
    level: float
    channels: tuple[str, ...]
    sku_share: float
    lift_tests: bool
    flighted: tuple[str, ...] = ()


DEMO_SHOPS: tuple[ShopRecipe, ...] = (
    ShopRecipe("maison", "Maison Aurore", N_WEEKS, 95_000.0, tuple(DEFAULT_CHANNELS), 0.25, True),
    ShopRecipe(
        "atelier",
        "Atelier Lin",
        N_WEEKS,
        40_000.0,
        ("seo", "sea", "social", "affiliation"),
        0.2,
        True,
    ),
    ShopRecipe(
        "marketplace",
        "Aurore sur marketplace",
        65,
        12_000.0,
        ("sea", "retail_media"),
        0.12,
        False,
        flighted=("retail_media",),
    ),
)


@dataclass(frozen=True, eq=False)
class DemoPortfolio:
    """A generated portfolio: the shops' stores, the shared warehouse and the truth behind them.

    Attributes
    ----------
    seed : int
        Portfolio seed.
    recipes : tuple of ShopRecipe
        The shops, in order.
    group : dict of str to dict
        Group value per channel family (``alpha``, ``max_lag``, ``K_rel``, ``slope``, ``roas``).
    drawn : dict of str to dict
        Per shop and channel, the drawn values (same keys, ``K`` in EUR added).
    stores : dict of str to DemoStore
        Per shop: data and :class:`~optimizer.data.demo.GroundTruth`.
    warehouse : Logistics
        The shared warehouse's capacity over the 52 weeks after the histories.
    """

    seed: int
    recipes: tuple[ShopRecipe, ...]
    group: dict[str, dict[str, float]]
    drawn: dict[str, dict[str, dict[str, float]]]
    stores: dict[str, DemoStore]
    warehouse: Logistics

    def truths(self) -> dict[str, GroundTruth]:
        """Ground truth per shop."""
        return {name: store.truth for name, store in self.stores.items()}


def _shop_spend(
    rng: np.random.Generator, recipe: ShopRecipe, weeks: pd.DatetimeIndex
) -> pd.DataFrame:
    """Weekly spend per channel (EUR): the demo store's paths scaled to the shop's size."""
    base = baseline_demand(weeks, recipe.level, weeks[0])
    paths = spend_paths(rng, weeks, french_retail_calendar(weeks), base * 1.5)
    spend = paths * (recipe.level / StoreShape().level)
    spend["affiliation"] = paths["affiliation"]  # already a commission on this shop's sales
    for c in recipe.flighted:
        level = float(spend[c][spend[c] > 0].mean())
        spend[c] = flight_spend(rng, len(weeks), level)
    return spend[list(recipe.channels)].round(2)


def _shop_truth(
    rng: np.random.Generator, group: dict[str, dict[str, float]], spend: pd.DataFrame
) -> dict[str, dict[str, float]]:
    """A shop's true response per channel, drawn around the group values."""
    out = {}
    for c in spend.columns:
        g = group[c]
        z = rng.standard_normal(4)
        logit = np.log(g["alpha"] / (1 - g["alpha"])) + SPREAD["alpha_logit"] * z[0]
        alpha = round(float(np.clip(1 / (1 + np.exp(-logit)), 0.02, 0.9)), 3)
        k_rel = round(float(g["K_rel"] * np.exp(SPREAD["K_rel"] * z[1])), 3)
        ad = geometric_adstock_np(spend[c].to_numpy(), alpha, int(g["max_lag"]))
        out[c] = {
            "alpha": alpha,
            "max_lag": int(g["max_lag"]),
            "K_rel": k_rel,
            "K": round(k_rel * float(ad[ad > 0].mean()), 2),
            "slope": round(float(g["slope"] * np.exp(SPREAD["slope"] * z[2])), 3),
            "roas": round(float(g["roas"] * np.exp(SPREAD["roas"] * z[3])), 3),
        }
    return out


def _warehouse(stores: dict[str, DemoStore]) -> Logistics:
    """Shared capacity over the horizon from the shops' summed logistics load."""
    loads = []
    for store in stores.values():
        s = store.sales.frame
        units = s["units"] * s["sku"].map(store.catalog.frame["logistics_units"]).to_numpy()
        loads.append(units.groupby(s["week"]).sum())
    load = pd.concat(loads, axis=1).fillna(0.0).sum(axis=1).sort_index()
    cap = float(np.round(np.median(load.to_numpy()[-52:]) * CAPACITY_HEADROOM, -1))
    first = next(iter(stores.values())).logistics
    assert isinstance(first.capacity, pd.Series)  # the generator writes weekly capacity
    horizon = pd.DatetimeIndex(first.capacity.index)
    return Logistics(
        capacity=pd.Series(np.full(len(horizon), cap), index=horizon, name="capacity"),
        cost_per_unit=first.cost_per_unit,
        source=WAREHOUSE_FILE,
    )


def generate_demo_portfolio(
    seed: int = DEFAULT_SEED, recipes: tuple[ShopRecipe, ...] = DEMO_SHOPS
) -> DemoPortfolio:
    """Generate the demo portfolio (or another one of the same design).

    Parameters
    ----------
    seed : int
        Portfolio seed: group values, shop deviations, spend and every shop's store.
    recipes : tuple of ShopRecipe
        The shops (default: :data:`DEMO_SHOPS`).

    Returns
    -------
    DemoPortfolio
    """
    families = [c for c in DEFAULT_CHANNELS if any(c in r.channels for r in recipes)]
    group = draw_truth_params(np.random.default_rng([seed, 1801]), tuple(families))
    end = pd.Timestamp(START) + pd.Timedelta(weeks=N_WEEKS - 1)
    stores, drawn = {}, {}
    for i, r in enumerate(recipes):
        first = end - pd.Timedelta(weeks=r.n_weeks - 1)
        weeks = pd.date_range(first, periods=r.n_weeks, freq="7D", name="week")
        spend = _shop_spend(np.random.default_rng([seed, 1802, i]), r, weeks)
        drawn[r.name] = _shop_truth(np.random.default_rng([seed, 1803, i]), group, spend)
        shape = StoreShape(
            start=str(first.date()),
            level=r.level,
            channels=drawn[r.name],
            spend=spend,
            sku_share=r.sku_share,
            lift_tests=r.lift_tests,
        )
        stores[r.name] = generate_demo_store(seed * 100 + i + 1, r.n_weeks, shape)
    return DemoPortfolio(seed, recipes, group, drawn, stores, _warehouse(stores))


_PORTFOLIO_TOML = """\
# Demo portfolio generated by optimizer.data.demo_portfolio (seed {seed}): three shops sharing
# one warehouse. Each shop's truth.json and group_truth.json hold the ground truth.
schema_version = 1
name = "Groupe Aurore (demo)"
seed = {seed}

[rules]
horizon_weeks = 13
reference_weeks = 13        # today = each shop's mean weekly spend of its last 13 weeks
max_change = 0.3            # each shop's budget within +/-30 % of its today
safe = true

[warehouses.{warehouse}]
file = "{warehouse_file}"
{shops}"""


def write_demo_portfolio(out: str | Path, portfolio: DemoPortfolio | None = None) -> Path:
    """Write a portfolio folder: shops' dataset folders, warehouse file, ``portfolio.toml``.

    Parameters
    ----------
    out : str or Path
        Folder to create or fill.
    portfolio : DemoPortfolio or None
        The generated portfolio; ``None``: the demo portfolio (seed 7).

    Returns
    -------
    Path
        The folder.
    """
    p = portfolio or generate_demo_portfolio()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    shops = []
    for r in p.recipes:
        origin = f"Shop '{r.name}' of the demo portfolio, from optimizer.data.demo_portfolio"
        write_demo_store(p.stores[r.name], out / r.name, name=r.title, origin=origin)
        # the marketplace is capped to show a per-shop rule; the others follow the group's
        extra = "max_share = 0.15\n" if r.name == "marketplace" else ""
        shops.append(
            f'\n[[shops]]\nname = "{r.name}"\npath = "{r.name}"\nwarehouse = "{WAREHOUSE}"\n'
            + extra
        )
    write_logistics(p.warehouse, out / WAREHOUSE_FILE)
    atomic_write_text(out / "group_truth.json", json.dumps(_group_json(p), indent=1) + "\n")
    text = _PORTFOLIO_TOML.format(
        seed=p.seed, warehouse=WAREHOUSE, warehouse_file=WAREHOUSE_FILE, shops="".join(shops)
    )
    atomic_write_text(out / PORTFOLIO_FILE, text)
    return out


def _group_json(p: DemoPortfolio) -> dict[str, Any]:
    return {
        "generator": "optimizer.data.demo_portfolio",
        "version": __version__,
        "seed": p.seed,
        "spread": SPREAD,
        "group": p.group,
        "shops": {
            r.name: {
                "title": r.title,
                "n_weeks": r.n_weeks,
                "level": r.level,
                "channels": p.drawn[r.name],
                "true_roas": {c: t.roas for c, t in p.stores[r.name].truth.channels.items()},
            }
            for r in p.recipes
        },
    }


def portfolio_truth(portfolio: Portfolio) -> dict[str, GroundTruth]:
    """Ground truth per shop of a loaded portfolio whose shops hold a ``truth.json``.

    Parameters
    ----------
    portfolio : Portfolio
        A portfolio written by :func:`write_demo_portfolio` (or any of generated shops).

    Returns
    -------
    dict of str to GroundTruth
        By shop name.
    """
    out = {}
    for s in portfolio.shops:
        data = json.loads((s.folder / "truth.json").read_text(encoding="utf-8"))
        out[s.name] = GroundTruth.from_json(data, s.marketing.spend)
    return out
