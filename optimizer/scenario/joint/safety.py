"""The safety check of a scenario's plans: every candidate accounted on held-out samples.

The plans are searched on one half of the posterior samples; here every candidate (today,
separate, joint, and the joint plan's media or prices alone) is accounted on the other half,
and the recommended plan is the one with the highest mean contribution lift over today's plan
among those that lose to it in at most ``alpha`` of those samples (see
:mod:`optimizer.scenario.joint.plan`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from optimizer.allocation import AllocationProblem
from optimizer.allocation.calibration import default_calibration
from optimizer.allocation.safe import Promise, SafeRule
from optimizer.scenario.joint.demand import StoreDemand
from optimizer.scenario.joint.evaluation import PlanEvaluation, evaluate_plan

__all__ = ["lift_summary", "safety_check"]


def lift_summary(lift: np.ndarray) -> dict[str, float]:
    """A candidate's contribution lift over today's plan: mean, P10, P90 and P(loss).

    Parameters
    ----------
    lift : numpy.ndarray
        The lift on each held-out sample, EUR.

    Returns
    -------
    dict
        ``lift_mean``, ``lift_p10``, ``lift_p90`` (EUR) and ``p_loss`` (share of samples).
    """
    return {
        "lift_mean": float(lift.mean()),
        "lift_p10": float(np.quantile(lift, 0.1)),
        "lift_p90": float(np.quantile(lift, 0.9)),
        "p_loss": float(np.mean(lift < 0)),
    }


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


def safety_check(
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
                **lift_summary(lift),
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
