"""The group plan: media over shop x channel x week, then prices under the shared capacity.

:func:`plan_blocks` plans sets of shops, each set together:

1. **media**: the shops' curves stacked (:mod:`optimizer.portfolio.media`), one allocation
   under the block's budget with each shop's budget range, safe by default;
2. **prices**: each shop's candidate table at its new media plan's demand, built as tasks, and
   the prices of the shops of each warehouse coordinated by a multiplier per warehouse-week
   (:mod:`optimizer.portfolio.prices`);
3. **choice**: as for one store (:mod:`optimizer.scenario.joint.plan`), the posterior samples are
   split in two halves with a fixed seed; the steps above use the first half, and every
   candidate (today's plan, the new media at today's prices, the new prices with today's
   media, both) is accounted on the held-out half, shipped from the shared warehouses. The
   plan kept is the candidate with the highest mean contribution lift over today's among those
   whose ``P(lift < 0) <= alpha`` there; today's plan (lift 0) always qualifies, so the group
   plan is never worse than today's under the model's doubt.

The group is one block (all shops, the group budget, the warehouses); planning each shop alone
is one block per shop (its own budget, its share of its warehouse's capacity), for comparison.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.allocation import AllocationProblem
from optimizer.allocation.safe import SafeRule
from optimizer.portfolio.evaluate import (
    GroupEvaluation,
    ModelUnits,
    Pool,
    ShopPlan,
    evaluate_group,
)
from optimizer.portfolio.fit import ShopFit
from optimizer.portfolio.media import MediaPlan, group_problem, plan_media, split_plan, stack_curves
from optimizer.portfolio.prices import (
    NO_CAPACITY,
    PoolPrices,
    PriceTable,
    build_table,
    coordinate_prices,
    new_prices,
)
from optimizer.pricing import PricingProblem, PricingResult
from optimizer.pricing.problem import Objective as PricingObjective
from optimizer.scaleout import IN_PROCESS, ComputeSpec, run_tasks
from optimizer.scenario.joint.demand import StoreDemand
from optimizer.scenario.joint.evaluation import allocation_problem_at
from optimizer.scenario.joint.safety import lift_summary
from optimizer.scenario.schema import PricingSection

__all__ = [
    "CANDIDATES",
    "Block",
    "BlockPlan",
    "PlanSettings",
    "plan_blocks",
    "price_problem",
    "value_rates",
]

Progress = Callable[[str], None]

#: The plans accounted on the held-out samples: (media, prices) of each, ``today`` or ``new``.
CANDIDATES = {
    "today": ("today", "today"),
    "media": ("new", "today"),
    "prices": ("today", "new"),
    "media and prices": ("new", "new"),
}


@dataclass(frozen=True)
class PlanSettings:
    """How the group is planned.

    Attributes
    ----------
    safe : bool or None
        Keep only plans that beat today's on the held-out samples (``None``: the portfolio's
        ``[rules].safe``).
    alpha : float
        Largest accepted probability that the plan does worse than today's.
    alone : bool
        Also plan each shop alone with its own budget and its share of its warehouse, and
        report what planning them together adds.
    pricing : PricingSection
        Price rules of every shop (the scenario defaults: +/-15 %, x,99 / x,90 endings, at
        most a quarter of the catalog changes).
    """

    safe: bool | None = None
    alpha: float = 0.1
    alone: bool = True
    pricing: PricingSection = dataclasses.field(default_factory=PricingSection)


@dataclass(frozen=True, eq=False)
class Block:
    """Shops planned together.

    Attributes
    ----------
    name : str
        ``group`` or the shop's name.
    shops : tuple of str
    pools : tuple of Pool
        Their warehouses (or capacity shares).
    budget : float
        Media budget over the horizon, EUR excl. VAT.
    bounds : dict of str to (float, float)
        Each shop's budget range, EUR.
    """

    name: str
    shops: tuple[str, ...]
    pools: tuple[Pool, ...]
    budget: float
    bounds: dict[str, tuple[float, float]]


@dataclass(frozen=True, eq=False)
class BlockPlan:
    """A block's plan and how it was chosen.

    Attributes
    ----------
    block : Block
    media : MediaPlan
    pricing : dict of str to PricingResult
        Per shop, at the new media plan.
    pools : tuple of PoolPrices
    plans : dict of str to dict of str to ShopPlan
        Per candidate (:data:`CANDIDATES`), each shop's plan.
    evaluations : dict of str to GroupEvaluation
        Each candidate on the held-out samples.
    chosen : str
        The candidate kept.
    selection : pandas.DataFrame
        Per candidate: lift mean, P10, P90, P(loss), safe.
    reason : str
    """

    block: Block
    media: MediaPlan
    pricing: dict[str, PricingResult]
    pools: tuple[PoolPrices, ...]
    plans: dict[str, dict[str, ShopPlan]]
    evaluations: dict[str, GroupEvaluation]
    chosen: str
    selection: pd.DataFrame
    reason: str


def value_rates(demands: Mapping[str, StoreDemand], n_weeks: int) -> dict[str, float]:
    """Contribution per EUR of each shop's media-driven revenue at today's prices, in (0, 1]."""
    base = AllocationProblem(budget=1.0, n_weeks=n_weeks, objective="contribution", margin_rate=0.5)
    out = {}
    for shop, d in demands.items():
        p0 = d.catalog.frame["price_incl_vat"].to_numpy(float)
        a = allocation_problem_at(base, d, p0, None)
        out[shop] = max(a.margin_rate - a.variable_cost_rate, 1e-6)
    return out


def _media(
    block: Block,
    demands: Mapping[str, StoreDemand],
    today: Mapping[str, ShopPlan],
    rule: SafeRule | None,
    weeks: pd.DatetimeIndex,
) -> tuple[MediaPlan, dict[str, np.ndarray]]:
    """The block's media plan on the choosing samples, cut per shop."""
    rates = value_rates({s: demands[s] for s in block.shops}, len(weeks))
    ref = max(rates.values())
    stacked = stack_curves(
        {s: demands[s].curves for s in block.shops}, {s: r / ref for s, r in rates.items()}
    )
    problem = group_problem(
        stacked,
        budget=block.budget,
        n_weeks=len(weeks),
        start=weeks[0],
        margin_rate=min(ref, 0.999),
        bounds=block.bounds,
        seed=0 if rule is None else rule.seed,
    )
    now = np.hstack([today[s].media for s in block.shops])
    media = plan_media(stacked, problem, now, rule)
    return media, split_plan(stacked, media.plan.to_numpy(float))


def price_problem(
    fit: ShopFit, demand: StoreDemand, media: np.ndarray, pricing: PricingSection
) -> PricingProblem:
    """A shop's pricing problem at a media plan's demand, with no capacity of its own."""
    return PricingProblem(
        catalog=demand.catalog,
        elasticities=demand.elasticities,
        capacity=np.full(len(demand.weeks), NO_CAPACITY),
        demand_multiplier=demand.mean_multiplier(media),
        rules=pricing.to_rules(n_skus=len(demand.catalog)),
        objective=PricingObjective(pricing.objective),
        logistics_cost=float(np.mean(demand.cost_per_unit)),
        net_of_returns=True,
        reference_prices=fit.reference_prices,
        gap_tolerance=pricing.gap_tolerance,
    )


def _tables(
    problems: Mapping[tuple[str, str], PricingProblem],
    settings: PlanSettings,
    compute: ComputeSpec,
    say: Progress,
) -> dict[tuple[str, str], PriceTable]:
    """Every (block, shop) candidate table, built as one batch of tasks."""
    keys = list(problems)
    tables = run_tasks(
        _table_task,
        [(k[1], problems[k]) for k in keys],
        compute=compute,
        shared={"weak_max_change": settings.pricing.weak_max_change},
        name="price table",
        progress=say,
    )
    return dict(zip(keys, tables, strict=True))


def _coordinate(
    block: Block, tables: Mapping[str, PriceTable], tol: float
) -> tuple[dict[str, PricingResult], tuple[PoolPrices, ...]]:
    """Each shop's prices, coordinated per warehouse of the block."""
    results: dict[str, PricingResult] = {}
    pools = []
    for pool in block.pools:
        share, res = coordinate_prices(
            [tables[s] for s in pool.shops], pool.capacity, pool.name, tol=tol
        )
        pools.append(share)
        results.update(res)
    return results, tuple(pools)


def _table_task(
    item: tuple[str, PricingProblem], seed: int, *, weak_max_change: float
) -> PriceTable:
    """One price-table task (module level: workers import it by name)."""
    shop, problem = item
    return build_table(shop, seed, problem=problem, weak_max_change=weak_max_change)


def _select(
    evals: Mapping[str, GroupEvaluation], alpha: float, safe: bool
) -> tuple[str, pd.DataFrame, str]:
    """The candidate kept: the best mean lift among the safe ones (or the full plan)."""
    base = evals["today"].contribution()
    rows = []
    for name, ev in evals.items():
        lift = ev.contribution() - base
        rows.append(
            {
                "candidate": name,
                **lift_summary(lift),
                "safe": bool(np.mean(lift < 0) <= alpha),
            }
        )
    table = pd.DataFrame(rows)
    if not safe:
        return "media and prices", table, "the plan optimized under the rules (safety rule off)"
    ok = table[table["safe"]]
    pick = str(ok.iloc[int(np.argmax(ok["lift_mean"].to_numpy()))]["candidate"])
    if pick == "today":
        reason = (
            f"today's plan is kept: no change beat it in at least {1 - alpha:.0%} of the "
            "held-out samples"
        )
    else:
        reason = (
            f"'{pick}': the highest expected contribution lift among the plans that beat "
            f"today's in at least {1 - alpha:.0%} of the held-out samples"
        )
    return pick, table, reason


def _candidates(
    block: Block, today: Mapping[str, ShopPlan], new: Mapping[str, ShopPlan]
) -> dict[str, dict[str, ShopPlan]]:
    """Each candidate's plan per shop (:data:`CANDIDATES`)."""
    pick = {"today": today, "new": new}
    return {
        name: {s: ShopPlan(pick[m][s].media, pick[p][s].prices) for s in block.shops}
        for name, (m, p) in CANDIDATES.items()
    }


def plan_blocks(
    blocks: tuple[Block, ...],
    fits: Mapping[str, ShopFit],
    halves: tuple[Mapping[str, StoreDemand], Mapping[str, StoreDemand]],
    today: Mapping[str, ShopPlan],
    settings: PlanSettings,
    *,
    rule: SafeRule | None,
    weeks: pd.DatetimeIndex,
    compute: ComputeSpec = IN_PROCESS,
    progress: Progress | None = None,
) -> dict[str, BlockPlan]:
    """Plan blocks of shops: media, prices under the shared capacity, safe choice.

    Parameters
    ----------
    blocks : tuple of Block
        Planned independently (the group; or each shop alone). The price tables of all of
        them are one batch of tasks.
    fits : mapping of str to ShopFit
    halves : (mapping, mapping)
        Each shop's demand on the choosing and on the held-out samples (the same samples for
        every shop).
    today : mapping of str to ShopPlan
        Today's media and prices per shop.
    settings : PlanSettings
    rule : SafeRule or None
        The media step's safety rule (None: the rules alone, and the full plan is kept).
    weeks : pandas.DatetimeIndex
        Horizon.
    compute : ComputeSpec
        Where the price tables are built.
    progress : callable, optional

    Returns
    -------
    dict of str to BlockPlan
        By block name.
    """
    say = progress or (lambda _m: None)
    choose, held = halves
    media = {}
    for b in blocks:
        say(f"{b.name}: media plan over {len(b.shops)} shop(s)")
        media[b.name] = _media(b, choose, today, rule, weeks)
    say("prices under the shared capacity")
    problems = {
        (b.name, s): price_problem(fits[s], choose[s], media[b.name][1][s], settings.pricing)
        for b in blocks
        for s in b.shops
    }
    tables = _tables(problems, settings, compute, say)
    out = {}
    for b in blocks:
        mine = {s: tables[(b.name, s)] for s in b.shops}
        pricing, pools = _coordinate(b, mine, settings.pricing.gap_tolerance)
        new = {s: ShopPlan(media[b.name][1][s], new_prices(pricing, s)) for s in b.shops}
        plans = _candidates(b, today, new)
        units = ModelUnits({s: held[s] for s in b.shops})
        evals = {k: evaluate_group(units, v, b.pools, k) for k, v in plans.items()}
        chosen, table, reason = _select(evals, settings.alpha, rule is not None)
        out[b.name] = BlockPlan(
            b, media[b.name][0], pricing, pools, plans, evals, chosen, table, reason
        )
    return out
