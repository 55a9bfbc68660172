"""A portfolio run: the shops' fits, the group plan, the shops alone, the result.

:func:`run_portfolio` = :func:`~optimizer.portfolio.fit.fit_shops` then
:func:`plan_portfolio`; the latter takes any per-shop fits (a pooled model's included).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping

import numpy as np

from optimizer._version import __version__
from optimizer.allocation.safe import SafeRule, split_samples
from optimizer.data.portfolio import Portfolio
from optimizer.portfolio.evaluate import (
    GroupEvaluation,
    ModelUnits,
    Pool,
    ShopPlan,
    evaluate_group,
)
from optimizer.portfolio.fit import FitSettings, ShopFit, fit_shops
from optimizer.portfolio.plan import Block, BlockPlan, PlanSettings, plan_blocks
from optimizer.portfolio.result import PortfolioResult, assemble
from optimizer.scaleout import IN_PROCESS, ComputeSpec
from optimizer.scenario.joint.demand import StoreDemand

__all__ = ["plan_portfolio", "pools_of", "run_portfolio", "sample_halves", "today_plans"]

Progress = Callable[[str], None]


def pools_of(portfolio: Portfolio) -> tuple[Pool, ...]:
    """One capacity pool per warehouse that ships for some shop, in warehouse order."""
    weeks = portfolio.horizon
    out = []
    for name, w in portfolio.warehouses.items():
        shops = tuple(s.name for s in portfolio.shops_of(name))
        if shops:
            cost = w.logistics.cost_for(weeks)
            out.append(Pool(name, shops, portfolio.capacity(name), np.asarray(cost, float)))
    return tuple(out)


def today_plans(portfolio: Portfolio, demands: Mapping[str, StoreDemand]) -> dict[str, ShopPlan]:
    """Each shop's today: its recent mean weekly spend every week, its current prices."""
    n, ref = portfolio.rules.horizon_weeks, portfolio.rules.reference_weeks
    out = {}
    for shop in portfolio.shops:
        d = demands[shop.name]
        weekly = shop.current_spend(ref).reindex(list(d.curves.channels)).fillna(0.0)
        media = np.tile(weekly.to_numpy(float), (n, 1))
        out[shop.name] = ShopPlan(media, d.catalog.frame["price_incl_vat"].to_numpy(float))
    return out


def sample_halves(
    portfolio: Portfolio, fits: tuple[ShopFit, ...], safe: bool
) -> tuple[dict[str, StoreDemand], dict[str, StoreDemand]]:
    """Each shop's demand (its warehouse's capacity and cost) on the choosing and held-out halves.

    The split is seeded by the portfolio's seed and is the same for every shop (sample ``s`` of
    one shop goes with sample ``s`` of the others); without the safety rule both halves are all
    the samples.
    """
    demands = _at_warehouses({f.shop: f for f in fits}, pools_of(portfolio))
    n = min(d.n_samples for d in demands.values())
    choose_ids, held_ids = split_samples(n, portfolio.seed) if safe else (np.arange(n),) * 2
    return (
        {s: d.subset(choose_ids) for s, d in demands.items()},
        {s: d.subset(held_ids) for s, d in demands.items()},
    )


def _at_warehouses(fits: Mapping[str, ShopFit], pools: tuple[Pool, ...]) -> dict[str, StoreDemand]:
    """Each shop's demand with its warehouse's capacity and cost per logistics unit."""
    out = {}
    for pool in pools:
        for s in pool.shops:
            out[s] = dataclasses.replace(
                fits[s].demand, capacity=pool.capacity, cost_per_unit=pool.cost_per_unit
            )
    return out


def _alone_blocks(
    portfolio: Portfolio,
    pools: tuple[Pool, ...],
    choose: Mapping[str, StoreDemand],
    today: Mapping[str, ShopPlan],
) -> tuple[Block, ...]:
    """Each shop alone: its today's budget, its share of its warehouse's capacity.

    The share is the shop's share of the warehouse's expected logistics load under today's
    plan (choosing samples): what a shop planning alone would be allotted.
    """
    units = ModelUnits(choose)
    budgets = portfolio.today_budgets()
    out = []
    for pool in pools:
        load = {}
        for s in pool.shops:
            lu = choose[s].catalog.frame["logistics_units"].to_numpy(float)
            load[s] = float((units.units(s, today[s]) @ lu).mean(axis=0).sum())
        total = sum(load.values()) or 1.0
        for s in pool.shops:
            share = Pool(
                f"{pool.name} ({s})", (s,), pool.capacity * load[s] / total, pool.cost_per_unit
            )
            out.append(Block(s, (s,), (share,), budgets[s], {s: (budgets[s], budgets[s])}))
    return tuple(out)


def plan_portfolio(
    portfolio: Portfolio,
    fits: tuple[ShopFit, ...],
    settings: PlanSettings | None = None,
    *,
    compute: ComputeSpec = IN_PROCESS,
    progress: Progress | None = None,
) -> PortfolioResult:
    """Plan the group (and, with ``settings.alone``, each shop alone) from the shops' fits.

    Parameters
    ----------
    portfolio : Portfolio
    fits : tuple of ShopFit
        One per shop (any order), with the same number of posterior samples.
    settings : PlanSettings, optional
        Default: :class:`PlanSettings` defaults.
    compute : ComputeSpec
        Where the price tables are built.
    progress : callable, optional

    Returns
    -------
    PortfolioResult

    Raises
    ------
    OptimizerError
        Rules that cannot all hold (named), a warehouse that cannot ship at any price.
    """
    say = progress or (lambda _m: None)
    settings = settings or PlanSettings()
    t0 = time.perf_counter()
    by_shop = {f.shop: f for f in fits}
    pools = pools_of(portfolio)
    safe = portfolio.rules.safe if settings.safe is None else settings.safe
    rule = SafeRule(alpha=settings.alpha, seed=portfolio.seed) if safe else None
    choose, held = sample_halves(portfolio, fits, safe)
    today = today_plans(portfolio, held)
    blocks = [
        Block("group", portfolio.shop_names, pools, portfolio.budget, portfolio.budget_bounds())
    ]
    if settings.alone:
        blocks.extend(_alone_blocks(portfolio, pools, choose, today))
    planned = plan_blocks(
        tuple(blocks),
        by_shop,
        (choose, held),
        today,
        settings,
        rule=rule,
        weeks=portfolio.horizon,
        compute=compute,
        progress=say,
    )
    group = planned["group"]
    alone = _alone(planned, portfolio, held, pools) if settings.alone else None
    return assemble(
        portfolio,
        group,
        alone,
        by_shop,
        held,
        safe=safe,
        provenance={
            "version": __version__,
            "compute": compute.describe(),
            "plan_seconds": round(time.perf_counter() - t0, 3),
        },
    )


def _alone(
    planned: Mapping[str, BlockPlan],
    portfolio: Portfolio,
    held: Mapping[str, StoreDemand],
    pools: tuple[Pool, ...],
) -> GroupEvaluation:
    """The shops' own plans side by side, shipped from the shared warehouses (held-out)."""
    plans = {s: planned[s].plans[planned[s].chosen][s] for s in portfolio.shop_names}
    return evaluate_group(ModelUnits(held), plans, pools, "alone")


def run_portfolio(
    portfolio: Portfolio,
    *,
    fit_settings: FitSettings | None = None,
    settings: PlanSettings | None = None,
    compute: ComputeSpec = IN_PROCESS,
    progress: Progress | None = None,
) -> PortfolioResult:
    """Fit every shop (cached) and plan the group: the library call of ``portfolio run``.

    Parameters
    ----------
    portfolio : Portfolio
        From :func:`~optimizer.data.portfolio.load_portfolio`.
    fit_settings : FitSettings, optional
        Sampler settings of the shops' models (default: the scenario defaults).
    settings : PlanSettings, optional
    compute : ComputeSpec
        Where the fits and the price tables run.
    progress : callable, optional

    Returns
    -------
    PortfolioResult
    """
    say = progress or (lambda _m: None)
    say(f"fitting {len(portfolio.shops)} shops on {compute.describe()} (cached)")
    fits = fit_shops(portfolio, fit_settings or FitSettings(), compute=compute, progress=say)
    return plan_portfolio(portfolio, fits, settings, compute=compute, progress=say)
