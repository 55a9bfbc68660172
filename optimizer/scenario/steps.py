"""The joint planner's steps: the price step, the separate plan and the joint ascent.

See :mod:`optimizer.scenario.plan` for how they make the scenario's plans.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optimizer.allocation import AllocationProblem, AllocationResult, allocate
from optimizer.allocation.safe import SafeRule, safe_allocate
from optimizer.errors import InfeasibleError
from optimizer.pricing import PricingProblem, PricingResult, optimize_prices
from optimizer.pricing.safe import SafeSettings, safe_prices
from optimizer.scenario.demand import StoreDemand
from optimizer.scenario.evaluation import (
    PlanEvaluation,
    capacity_weights,
    evaluate_plan,
    media_problem_at,
    new_prices,
    pricing_problem_at,
    problem_at_prices,
)

__all__ = ["JointSettings", "PlanStep", "joint_ascent", "price_step", "separate_plan"]

Say = Callable[[str], None]


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
class PlanStep:
    """A plan and the solver results that made it.

    Attributes
    ----------
    plan : PlanEvaluation
        The plan under the model.
    allocation : AllocationResult or None
        The media step's result (None: the media plan was not optimized).
    pricing : PricingResult or None
        The price step's result (None: prices were not optimized).
    """

    plan: PlanEvaluation
    allocation: AllocationResult | None
    pricing: PricingResult | None


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


def price_step(
    pricing: PricingProblem,
    demand: StoreDemand,
    media: np.ndarray,
    safety: SafeSettings | None,
) -> PricingResult:
    """Prices for a media plan: the plain optimum, or the safe plan (``info["safety"]``)."""
    problem = pricing_problem_at(pricing, demand, media)
    if safety is None:
        return optimize_prices(problem)
    draws = _ScenarioDraws(demand, np.asarray(media, float), problem)
    return safe_prices(problem, safety, draws=draws).result


# --- separate plan: media first (blind to capacity), then prices ------------------------------
def _separate_media(
    demand: StoreDemand,
    allocation: AllocationProblem,
    settings: JointSettings,
    media0: np.ndarray,
    p0: np.ndarray,
) -> tuple[AllocationResult, np.ndarray, AllocationProblem, dict[str, Any]]:
    """The separate plan's media step at today's prices.

    Returns the allocation, its plan (T, C) EUR, the media problem the joint ascent re-plans
    within (in safe mode: inside the bounds the safe step chose) and the safe step's summary.
    """
    first = media_problem_at(allocation, demand, p0)
    if settings.safe is None:
        alloc_res = allocate(demand.curves, first)
        return alloc_res, alloc_res.plan.to_numpy(float), allocation, {}
    safe = safe_allocate(demand.curves, first, rule=settings.safe, today=media0)
    # the joint ascent re-plans the media inside the bounds the safe step chose
    within = dataclasses.replace(
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
    return safe.result, safe.plan.to_numpy(float), within, safe.summary()


def separate_plan(
    demand: StoreDemand,
    allocation: AllocationProblem,
    pricing: PricingProblem,
    settings: JointSettings,
    media0: np.ndarray,
    p0: np.ndarray,
    say: Say,
) -> tuple[PlanStep, AllocationProblem, dict[str, Any]]:
    """What two teams working apart would do: media first (blind to capacity), then prices.

    Returns the plan, the media problem the joint ascent re-plans within and the media safe
    step's summary (empty outside safe mode).
    """
    alloc_res: AllocationResult | None = None
    media_sep = media0
    media_safety: dict[str, Any] = {}
    if settings.optimize_media:
        say("allocating the media budget (separate plan)")
        alloc_res, media_sep, allocation, media_safety = _separate_media(
            demand, allocation, settings, media0, p0
        )
    price_res: PricingResult | None = None
    prices_sep = p0
    if settings.optimize_prices:
        say("optimizing prices for that media plan (separate plan)")
        price_res = price_step(pricing, demand, media_sep, settings.price_safety)
        prices_sep = new_prices(price_res, demand)
    separate = evaluate_plan(demand, "separate", media_sep, prices_sep)
    return PlanStep(separate, alloc_res, price_res), allocation, media_safety


# --- joint: coordinate ascent from the separate plan -------------------------------------------
def _line_search(
    demand: StoreDemand,
    pricing: PricingProblem,
    settings: JointSettings,
    best: PlanStep,
    target: np.ndarray,
) -> tuple[PlanEvaluation, PricingResult | None, float] | None:
    """The best plan along the segment from the current media plan towards ``target``.

    The capacity weights linearize rationing: moving all the spend out of a full week can
    overshoot, so shorter steps along the segment are tried too (plans stay feasible: the
    feasible set is convex). None when no step has a feasible price step.
    """
    round_best: PlanEvaluation | None = None
    round_price = best.pricing
    round_step = 1.0
    for step in (1.0, 0.5, 0.25):
        media = best.plan.media + step * (target - best.plan.media)
        prices, pr = best.plan.prices, best.pricing
        if settings.optimize_prices:
            try:
                pr = price_step(pricing, demand, media, settings.price_safety)
            except InfeasibleError:  # hard capacity the new media plan overfills
                continue
            prices = new_prices(pr, demand)
        cand = evaluate_plan(demand, "joint", media, prices)
        if round_best is None or cand.contribution > round_best.contribution:
            round_best, round_price, round_step = cand, pr, step
    return None if round_best is None else (round_best, round_price, round_step)


def joint_ascent(
    demand: StoreDemand,
    allocation: AllocationProblem,
    pricing: PricingProblem,
    settings: JointSettings,
    start: PlanStep,
    say: Say,
) -> tuple[PlanStep, list[dict[str, Any]]]:
    """Block-coordinate ascent from the separate plan: media step, then price step, per round.

    A round is kept only if it raises the posterior-mean contribution by more than the
    tolerance; the ascent stops at the first round that does not. Returns the best plan and a
    record per round.
    """
    best = start
    rounds: list[dict[str, Any]] = []
    if not (settings.joint and settings.optimize_media):
        return best, rounds
    for r in range(settings.max_rounds):
        weights = capacity_weights(demand, best.plan.prices, best.pricing)
        say(f"joint plan, round {r + 1}: media step")
        a = allocate(
            demand.curves, problem_at_prices(allocation, demand, best.plan.prices, weights)
        )
        found = _line_search(demand, pricing, settings, best, a.plan.to_numpy(float))
        if found is None:
            rounds.append({"round": r + 1, "kept": False, "note": "no feasible price step"})
            break
        round_best, round_price, round_step = found
        gain = round_best.contribution - best.plan.contribution
        kept = bool(gain > settings.tolerance * abs(best.plan.contribution))
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
        best = PlanStep(round_best, a, round_price)
    return best, rounds
