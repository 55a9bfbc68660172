"""The joint media + price plan under shared stock and capacity.

Three plans are built for every scenario:

* **current**: recent run-rate media every week, current prices;
* **separate**: media optimized first (valuing incremental revenue at the store's margin at
  current prices, blind to capacity), then prices optimized for that media plan under stock and
  capacity — what two teams working apart would do;
* **joint**: block-coordinate ascent from the separate plan. Given prices, the media step values
  each week's incremental revenue at the margin those prices earn, discounted by the week's
  capacity shadow price from the pricing step (a euro of demand in a week the warehouse is full
  is worth less, or nothing); given media, the price step re-optimizes prices under stock and
  capacity. A step is kept only if the posterior-mean contribution of the plan (evaluated with
  stock-outs and capacity rationing) improves, so the joint plan is never worse than the
  separate one under the model.

**Safe plans** (the default, ``JointSettings.safe``; see :mod:`optimizer.allocation.safe`): the
posterior samples are split in two halves. The plans above are searched on the first half, the
media step with :func:`~optimizer.allocation.safe.safe_allocate` (paired lift, data-derived
bounds that the joint ascent then keeps); every candidate (current, separate, joint, joint
media at today's prices, today's media at the joint prices) is then accounted on the second,
held-out half, and the recommended plan is the one with the highest mean contribution lift over
today's plan among those whose ``P(lift < 0) <= alpha`` there. Today's plan is always a candidate
when it meets the budget. All reported outcomes are the held-out half's: not the in-sample
optimum of the samples that chose the plan.

Every price step is the **safe** price plan by default (:func:`~optimizer.pricing.safe.
safe_prices`, ``JointSettings.price_safety``): each SKU's change is bounded by how well its
elasticity is identified, and the new prices must beat today's prices, at the step's media
plan, on held-out posterior samples (paired contribution lift, ``P(lift < 0) <= alpha``); else
today's prices are kept. ``price_safety=None`` gives the plain optimum.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from optimizer.allocation import AllocationProblem, AllocationResult, Risk, allocate
from optimizer.allocation.calibration import default_calibration
from optimizer.allocation.safe import (
    Promise,
    SafeRule,
    safe_allocate,
    split_samples,
)
from optimizer.errors import InfeasibleError
from optimizer.pricing import PriceRules, PricingProblem, PricingResult, optimize_prices
from optimizer.pricing.safe import SafeSettings, safe_prices
from optimizer.scenario.demand import Shipments, StoreDemand
from optimizer.scenario.pnl import PnL, catalog_pnl

__all__ = [
    "JointSettings",
    "PlanEvaluation",
    "Plans",
    "evaluate_plan",
    "media_problem_at",
    "plan_joint",
]


@dataclass(frozen=True, eq=False)
class PlanEvaluation:
    """A plan and its outcome under the model.

    Attributes
    ----------
    name : str
        ``current``, ``separate`` or ``joint``.
    media : numpy.ndarray
        Spend per week and channel, shape (T, C), EUR.
    prices : numpy.ndarray
        Price incl. VAT per SKU, shape (K,), EUR.
    shipments : Shipments
        Units per sample, week and SKU.
    pnl : PnL
        P&L per posterior sample.
    media_revenue : numpy.ndarray
        Incremental revenue of the media plan per sample (EUR, at history prices), shape (S,).
    """

    name: str
    media: np.ndarray
    prices: np.ndarray
    shipments: Shipments
    pnl: PnL
    media_revenue: np.ndarray

    @property
    def contribution(self) -> float:
        """Posterior-mean contribution after media, EUR."""
        return float(self.pnl.lines["contribution"].mean())


@dataclass(frozen=True)
class JointSettings:
    """How the plans are searched.

    Attributes
    ----------
    optimize_media, optimize_prices : bool
        Whether media / prices may change (else they stay at the current plan).
    joint : bool
        Whether to run the joint ascent after the separate plan.
    max_rounds : int
        Joint ascent rounds (each = one media step and one price step).
    tolerance : float
        Relative improvement under which the ascent stops.
    safe : SafeRule or None
        The safety rule of the media step and of the whole plan (default); None plans on every
        sample with the rules alone.
    price_safety : SafeSettings or None
        Price steps use the safe price plan with these settings; ``None``: the plain optimum.
    """

    optimize_media: bool = True
    optimize_prices: bool = True
    joint: bool = True
    max_rounds: int = 4
    tolerance: float = 1e-4
    safe: SafeRule | None = field(default_factory=SafeRule)
    price_safety: SafeSettings | None = SafeSettings()


@dataclass(frozen=True, eq=False)
class Plans:
    """The plans of a scenario and how they were found.

    ``joint`` is the recommended plan: the joint ascent's result, or, in safe mode, the
    candidate the safety check kept (``safety["chosen"]``). With the safety rule on, every
    evaluation here is on the held-out half of the samples.
    """

    current: PlanEvaluation
    separate: PlanEvaluation
    joint: PlanEvaluation
    allocation: AllocationResult | None
    pricing: PricingResult | None
    rounds: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    safety: dict[str, Any] = field(default_factory=dict)
    demand: StoreDemand | None = None  # the samples the evaluations above are on


def evaluate_plan(
    demand: StoreDemand, name: str, media: np.ndarray, prices: np.ndarray
) -> PlanEvaluation:
    """Ship and account a plan under the model (every posterior sample)."""
    sh = demand.ship(media, prices)
    pnl = catalog_pnl(
        sh.shipped,
        prices,
        demand.catalog.frame,
        demand.cost_per_unit,
        media,
        demand.curves.channels,
    )
    rev = demand.curves.weekly(media).sum(axis=(1, 2))
    return PlanEvaluation(name, np.asarray(media, float), np.asarray(prices, float), sh, pnl, rev)


def _rates(demand: StoreDemand, prices: np.ndarray) -> tuple[float, float, float, float]:
    """Value of one EUR of media revenue at these prices: (margin, logistics, load, units).

    Returns, per EUR of the media-mix model's revenue (one EUR raises the demand multiplier by
    ``1 / D_ref``): contribution margin before logistics (net of returns, excl. VAT), logistics
    cost, logistics units and units, all for an average week.
    """
    f = demand.catalog.frame
    u = demand.weekly_units(prices).mean(axis=0)  # (K,)
    p = np.asarray(prices, float)
    excl = p / (1.0 + f["vat_rate"].to_numpy(float))
    rr = f["return_rate"].to_numpy(float)
    cost = f["unit_cost"].to_numpy(float)
    lu = f["logistics_units"].to_numpy(float)
    margin = float(u @ ((excl - cost) * (1.0 - rr))) / demand.d_ref
    load = float(u @ lu) / demand.d_ref
    logistics = load * float(np.mean(demand.cost_per_unit))
    return margin, logistics, load, float(u.sum()) / demand.d_ref


def _allocation_problem(
    base: AllocationProblem, demand: StoreDemand, prices: np.ndarray, weights: np.ndarray | None
) -> AllocationProblem:
    from dataclasses import replace

    margin, logistics, _, _ = _rates(demand, prices)
    margin = float(np.clip(margin, 1e-6, 1.0))
    logistics = float(np.clip(logistics, 0.0, margin * 0.999))
    kwargs: dict[str, Any] = {"margin_rate": margin, "variable_cost_rate": logistics}
    if weights is not None:
        kwargs["week_weights"] = tuple(float(w) for w in weights)
    return replace(base, **kwargs)


def _pricing_problem(
    base: PricingProblem, demand: StoreDemand, media: np.ndarray
) -> PricingProblem:
    return base.with_(demand_multiplier=demand.mean_multiplier(media))


# --- price step: plain optimum or safe plan judged on the scenario's own samples -------------
@dataclass(frozen=True, eq=False)
class _ScenarioDraws:
    """The scenario's posterior for the safe price plan (``optimizer.pricing.safe.DrawModel``).

    Sample ``s`` pairs media-mix sample ``s`` with elasticity draw ``s mod n`` (as
    :class:`~optimizer.scenario.demand.StoreDemand` does); the value of a price list is the
    plan's contribution after media at the fixed media plan, shipped within stock and capacity.
    """

    demand: StoreDemand
    media: np.ndarray
    base: PricingProblem

    @property
    def n_draws(self) -> int:
        e = self.demand.elasticities
        return 0 if e.elasticity_draws is None else self.demand.n_samples

    def problem_on(self, draws: np.ndarray) -> PricingProblem:
        est = self.demand.elasticities
        assert est.elasticity_draws is not None
        paired = est.subset_draws(np.asarray(draws) % est.elasticity_draws.shape[0])
        mult = self.demand.multiplier(self.media)[np.asarray(draws)].mean(axis=0)
        return self.base.with_(elasticities=paired, demand_multiplier=mult)

    def contribution(self, prices: np.ndarray) -> np.ndarray:
        plan = evaluate_plan(self.demand, "price step", self.media, prices)
        return plan.pnl.lines["contribution"]


def _price_step(
    pricing: PricingProblem,
    demand: StoreDemand,
    media: np.ndarray,
    safety: SafeSettings | None,
) -> PricingResult:
    """Prices for a media plan: the plain optimum, or the safe plan (``info["safety"]``)."""
    problem = _pricing_problem(pricing, demand, media)
    if safety is None:
        return optimize_prices(problem)
    draws = _ScenarioDraws(demand, np.asarray(media, float), problem)
    return safe_prices(problem, safety, draws=draws).result


def _capacity_weights(
    demand: StoreDemand, prices: np.ndarray, pricing: PricingResult | None
) -> np.ndarray:
    """Per-week value of media revenue relative to an unconstrained week, in [0, 1].

    A week whose capacity binds carries a shadow price ``lam_t`` (EUR per logistics unit) from
    the price step; one EUR of media revenue there earns ``margin - logistics - lam_t * load``.
    """
    margin, logistics, load, _ = _rates(demand, prices)
    n_t = len(demand.weeks)
    lam = np.zeros(n_t)
    if pricing is not None:
        for name, value in pricing.multipliers.items():
            if name.startswith("capacity_week_"):
                t = int(name.rsplit("_", 1)[1]) - 1
                if 0 <= t < n_t:
                    lam[t] = max(float(value), 0.0)
    net = margin - logistics
    if net <= 0:
        return np.zeros(n_t)
    return np.clip((net - lam * load) / net, 0.0, 1.0)


def plan_joint(
    demand: StoreDemand,
    allocation: AllocationProblem,
    pricing: PricingProblem,
    settings: JointSettings = JointSettings(),
    *,
    progress: Any = None,
    today: np.ndarray | None = None,
) -> Plans:
    """Build the current, separate and joint plans.

    Parameters
    ----------
    demand : StoreDemand
        Posterior store demand over the horizon.
    allocation : AllocationProblem
        Budget, rules, objective and risk of the media plan; its margin and cost rates are
        replaced by those the prices imply.
    pricing : PricingProblem
        Catalog, elasticities, capacity, rules; its demand multiplier is replaced by the media
        plan's.
    settings : JointSettings
        What may change and how long to search.
    progress : callable, optional
        Called with a short message at each step.
    today : numpy.ndarray, optional
        Today's media plan, (T, C) EUR per week (default: the recent run-rate every week).

    Returns
    -------
    Plans
    """
    t0 = time.perf_counter()
    say = progress or (lambda _msg: None)
    full = demand
    p0 = demand.catalog.frame["price_incl_vat"].to_numpy(float)
    media0 = demand.current_media() if today is None else np.asarray(today, float)
    held_out = demand
    if settings.safe is not None:
        choose, report = split_samples(demand.n_samples, settings.safe.seed)
        demand, held_out = full.subset(choose), full.subset(report)
    current = evaluate_plan(demand, "current", media0, p0)

    # --- separate: media first (blind to capacity), then prices --------------------------------
    alloc_res: AllocationResult | None = None
    media_sep = media0
    media_safety: dict[str, Any] = {}
    if settings.optimize_media:
        say("allocating the media budget (separate plan)")
        first = _allocation_problem(allocation, demand, p0, None)
        if settings.safe is not None:
            safe = safe_allocate(demand.curves, first, rule=settings.safe, today=media0)
            alloc_res, media_sep = safe.result, safe.plan.to_numpy(float)
            media_safety = safe.summary()
            # the joint ascent re-plans the media inside the bounds the safe step chose
            allocation = dataclasses.replace(
                allocation,
                channels=safe.problem.channels,
                week_bounds=safe.problem.week_bounds,
                budget=safe.problem.budget,
                budget_mode=safe.problem.budget_mode,
                # today's plan kept as it is (pinned) is not held to the smoothness rules
                max_week_change=safe.problem.max_week_change,
                always_on_min_share=safe.problem.always_on_min_share,
                no_restart=safe.problem.no_restart,
            )
        else:
            alloc_res = allocate(demand.curves, first)
            media_sep = alloc_res.plan.to_numpy(float)
    price_res: PricingResult | None = None
    prices_sep = p0
    if settings.optimize_prices:
        say("optimizing prices for that media plan (separate plan)")
        price_res = _price_step(pricing, demand, media_sep, settings.price_safety)
        prices_sep = _new_prices(price_res, demand)
    separate = evaluate_plan(demand, "separate", media_sep, prices_sep)

    # --- joint: coordinate ascent from the separate plan ----------------------------------------
    best, best_alloc, best_price = separate, alloc_res, price_res
    rounds: list[dict[str, Any]] = []
    if settings.joint and settings.optimize_media:
        for r in range(settings.max_rounds):
            weights = _capacity_weights(demand, best.prices, best_price)
            say(f"joint plan, round {r + 1}: media step")
            a = allocate(
                demand.curves, _allocation_problem(allocation, demand, best.prices, weights)
            )
            target = a.plan.to_numpy(float)
            # the capacity weights linearize rationing: moving all the spend out of a full week
            # can overshoot, so try shorter steps along the segment (plans stay feasible: the
            # feasible set is convex)
            round_best: PlanEvaluation | None = None
            round_price = best_price
            for step in (1.0, 0.5, 0.25):
                media = best.media + step * (target - best.media)
                prices, pr = best.prices, best_price
                if settings.optimize_prices:
                    try:
                        pr = _price_step(pricing, demand, media, settings.price_safety)
                    except InfeasibleError:  # hard capacity the new media plan overfills
                        continue
                    prices = _new_prices(pr, demand)
                cand = evaluate_plan(demand, "joint", media, prices)
                if round_best is None or cand.contribution > round_best.contribution:
                    round_best, round_price, round_step = cand, pr, step
            if round_best is None:
                rounds.append({"round": r + 1, "kept": False, "note": "no feasible price step"})
                break
            gain = round_best.contribution - best.contribution
            kept = bool(gain > settings.tolerance * abs(best.contribution))
            rounds.append(
                {
                    "round": r + 1,
                    "step": round_step,
                    "contribution": round(round_best.contribution, 2),
                    "gain": round(gain, 2),
                    "kept": kept,
                    "capacity_weights": [round(float(w), 4) for w in weights],
                }
            )
            if not kept:
                break
            best, best_alloc, best_price = round_best, a, round_price
    if settings.safe is None:
        joint = PlanEvaluation(
            "joint", best.media, best.prices, best.shipments, best.pnl, best.media_revenue
        )
        return Plans(
            current=current,
            separate=separate,
            joint=joint,
            allocation=best_alloc,
            pricing=best_price,
            rounds=rounds,
            seconds=time.perf_counter() - t0,
            demand=full,
        )
    say("safety check of the plans on the held-out samples")
    safety, chosen = _safety_check(held_out, allocation, settings.safe, media0, p0, separate, best)
    safety["media"] = media_safety
    return Plans(
        current=evaluate_plan(held_out, "current", media0, p0),
        separate=evaluate_plan(held_out, "separate", separate.media, separate.prices),
        joint=dataclasses.replace(chosen, name="joint"),
        allocation=best_alloc,
        pricing=best_price,
        rounds=rounds,
        seconds=time.perf_counter() - t0,
        safety=safety,
        demand=held_out,
    )


def _calibrated(
    held_out: StoreDemand,
    rule: SafeRule,
    chosen: PlanEvaluation,
    p0: np.ndarray,
    base: np.ndarray,
    lift: np.ndarray,
) -> Promise | None:
    """The promise with its media part calibrated (the ratios were measured on media plans).

    The lift splits into the media re-allocation at today's prices (multiplied by every
    measured true/promised ratio) and the rest (prices and their interaction with media), kept
    as the model says: no price calibration has been measured.
    """
    cal = default_calibration() if rule.calibrate else None
    if cal is None:
        return None
    at_p0 = evaluate_plan(held_out, "media part", chosen.media, p0)
    media = at_p0.pnl.lines["contribution"] - base
    ratios = np.asarray(cal.ratios)
    draws = ((lift - media)[:, None] + media[:, None] * ratios[None, :]).ravel()
    return Promise.of(
        draws,
        "the media part of the lift times the true/promised ratios measured on "
        f"{len(ratios)} generated stores, the price part as the model says",
    )


def _safety_check(
    held_out: StoreDemand,
    allocation: AllocationProblem,
    rule: SafeRule,
    media0: np.ndarray,
    p0: np.ndarray,
    separate: PlanEvaluation,
    joint: PlanEvaluation,
) -> tuple[dict[str, Any], PlanEvaluation]:
    """Account every candidate on the held-out samples; keep the best safe one."""
    alpha = rule.alpha
    cands = {
        "today": (media0, p0),
        "separate": (separate.media, separate.prices),
        "joint": (joint.media, joint.prices),
        "joint media, today's prices": (joint.media, p0),
        "today's media, joint prices": (media0, joint.prices),
    }
    budget = float(allocation.budget)
    spend0 = float(media0.sum())
    exact = allocation.budget_mode == "exact"
    today_ok = abs(spend0 - budget) <= 1e-6 * max(budget, 1.0) + 1e-2 if exact else spend0 <= budget
    evals = {k: evaluate_plan(held_out, k, m, p) for k, (m, p) in cands.items()}
    base = evals["today"].pnl.lines["contribution"]
    rows = []
    for name, ev in evals.items():
        lift = ev.pnl.lines["contribution"] - base
        media_ok = name.startswith("today") and not today_ok
        rows.append(
            {
                "candidate": name,
                "lift_mean": float(lift.mean()),
                "lift_p10": float(np.quantile(lift, 0.1)),
                "lift_p90": float(np.quantile(lift, 0.9)),
                "p_loss": float(np.mean(lift < 0)),
                "p_gain": float(np.mean(lift > 0)),
                "meets_budget": not media_ok,
                "safe": bool(np.mean(lift < 0) <= alpha) and not media_ok,
            }
        )
    table = pd.DataFrame(rows)
    safe = table[table["safe"]]
    pool = safe if len(safe) else table[table["meets_budget"]]
    pick = (
        pool.iloc[int(np.argmax(pool["lift_mean"].to_numpy()))]
        if len(safe)
        else (pool.iloc[int(np.argmin(pool["p_loss"].to_numpy()))])
    )
    name = str(pick["candidate"])
    if not len(safe):
        reason = (
            f"no plan beats today's in at least {1 - alpha:.0%} of the held-out samples and "
            f"today's plan does not meet the budget; '{name}' has the lowest risk of loss "
            f"({pick['p_loss']:.0%})"
        )
    elif name == "today":
        reason = (
            f"today's plan is kept: no candidate beat it in at least {1 - alpha:.0%} of the "
            "held-out samples"
        )
    else:
        reason = (
            f"'{name}': the highest expected contribution lift among the plans that beat "
            f"today's in at least {1 - alpha:.0%} of the held-out samples"
        )
    lift = evals[name].pnl.lines["contribution"] - base
    cal = _calibrated(held_out, rule, evals[name], p0, base, lift)
    return (
        {
            "chosen": name,
            "alpha": alpha,
            "reason": reason,
            "promise": Promise.of(lift).to_dict(),
            "promise_calibrated": None if cal is None else cal.to_dict(),
            "candidates": table.to_dict(orient="records"),
        },
        evals[name],
    )


def allocation_problem_at(
    base: AllocationProblem,
    demand: StoreDemand,
    prices: np.ndarray,
    pricing: PricingResult | None,
) -> AllocationProblem:
    """The media problem valued at a price list, with its capacity weights (for frontiers)."""
    return _allocation_problem(base, demand, prices, _capacity_weights(demand, prices, pricing))


def media_problem_at(
    base: AllocationProblem, demand: StoreDemand, prices: np.ndarray
) -> AllocationProblem:
    """The media problem valued at a price list, blind to capacity (the separate plan's step)."""
    return _allocation_problem(base, demand, prices, None)


def _new_prices(result: PricingResult, demand: StoreDemand) -> np.ndarray:
    p = result.prices.set_index("sku") if "sku" in result.prices.columns else result.prices
    return p.loc[demand.catalog.skus, "new_price_incl_vat"].to_numpy(float)


def default_problems(
    demand: StoreDemand,
    *,
    budget: float,
    rules: PriceRules,
    allocation_kwargs: dict[str, Any] | None = None,
    pricing_kwargs: dict[str, Any] | None = None,
    risk: Risk | None = None,
) -> tuple[AllocationProblem, PricingProblem]:
    """Problems with the store's defaults, for notebooks and tests."""
    a = AllocationProblem(
        budget=budget,
        n_weeks=len(demand.weeks),
        start=pd.Timestamp(demand.weeks[0]).date(),
        objective="contribution",
        margin_rate=0.5,
        variable_cost_rate=0.0,
        risk=risk or Risk(),
        **(allocation_kwargs or {}),
    )
    p = PricingProblem(
        catalog=demand.catalog,
        elasticities=demand.elasticities,
        capacity=demand.capacity,
        rules=rules,
        logistics_cost=float(np.mean(demand.cost_per_unit)),
        net_of_returns=True,
        **(pricing_kwargs or {}),
    )
    return a, p
