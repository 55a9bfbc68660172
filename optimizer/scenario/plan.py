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

from optimizer.allocation import AllocationProblem, AllocationResult
from optimizer.allocation.safe import split_samples
from optimizer.pricing import PricingProblem, PricingResult
from optimizer.scenario.demand import StoreDemand
from optimizer.scenario.evaluation import (
    PlanEvaluation,
    allocation_problem_at,
    default_problems,
    evaluate_plan,
    media_problem_at,
)
from optimizer.scenario.safety import safety_check
from optimizer.scenario.steps import JointSettings, joint_ascent, separate_plan

__all__ = [
    "JointSettings",
    "PlanEvaluation",
    "Plans",
    "allocation_problem_at",
    "default_problems",
    "evaluate_plan",
    "media_problem_at",
    "plan_joint",
]


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


#: The default search: safe media and price steps, joint ascent of up to four rounds.
_DEFAULT_SETTINGS = JointSettings()


def plan_joint(
    demand: StoreDemand,
    allocation: AllocationProblem,
    pricing: PricingProblem,
    settings: JointSettings = _DEFAULT_SETTINGS,
    *,
    progress: Any = None,
    today: np.ndarray | None = None,
) -> Plans:
    """Build the current, separate and joint plans.

    Split the samples (safe mode) -> separate plan -> joint ascent -> safety check.

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
    start, allocation, media_safety = separate_plan(
        demand, allocation, pricing, settings, media0, p0, say
    )
    separate = start.plan
    best, rounds = joint_ascent(demand, allocation, pricing, settings, start, say)
    if settings.safe is None:
        b = best.plan
        joint = PlanEvaluation("joint", b.media, b.prices, b.shipments, b.pnl, b.media_revenue)
        return Plans(
            current=current,
            separate=separate,
            joint=joint,
            allocation=best.allocation,
            pricing=best.pricing,
            rounds=rounds,
            seconds=time.perf_counter() - t0,
            demand=full,
        )
    say("safety check of the plans on the held-out samples")
    safety, chosen = safety_check(
        held_out, allocation, settings.safe, media0, p0, separate, best.plan
    )
    safety["media"] = media_safety
    return Plans(
        current=evaluate_plan(held_out, "current", media0, p0),
        separate=evaluate_plan(held_out, "separate", separate.media, separate.prices),
        joint=dataclasses.replace(chosen, name="joint"),
        allocation=best.allocation,
        pricing=best.pricing,
        rounds=rounds,
        seconds=time.perf_counter() - t0,
        safety=safety,
        demand=held_out,
    )
