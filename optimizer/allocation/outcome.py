"""What an allocation result reports besides the plan: channel table, gap reasons, hashes."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd

from optimizer.allocation.certify import EnvelopeBound
from optimizer.allocation.lp import LPSolution
from optimizer.allocation.problem import AllocationProblem
from optimizer.curves import ResponseCurves

__all__ = ["channel_table", "gap_reasons", "input_hash", "week_index"]


def input_hash(curves: ResponseCurves, problem: AllocationProblem) -> str:
    """SHA-256 of the curves and the problem (recorded in the result)."""
    h = hashlib.sha256()
    for arr in (curves.weights, curves.params, curves.beta, curves.history, curves.current):
        h.update(np.ascontiguousarray(arr, dtype=float).tobytes())
    h.update(json.dumps([curves.channels, curves.saturation]).encode())
    h.update(repr(problem).encode())
    return h.hexdigest()


def channel_table(
    curves: ResponseCurves, plan: np.ndarray, current: np.ndarray, n_plan: int
) -> pd.DataFrame:
    """Per channel: spend, today's spend, revenue, ROAS and marginal ROAS of a plan.

    Parameters
    ----------
    curves : ResponseCurves
    plan, current : numpy.ndarray
        The plan and today's plan, (T, C) EUR per week (tail weeks included).
    n_plan : int
        Planned weeks (the steady-state marginal ROAS is at their mean spend).
    """
    t_len = plan.shape[0]
    weekly = curves.weekly(plan).mean(axis=0)
    grad = curves.gradient(plan).mean(axis=0)  # (T, C)
    spend_c = plan.sum(axis=0)
    wts = np.where(spend_c[None, :] > 0, plan / np.where(spend_c > 0, spend_c, 1.0), 1.0 / t_len)
    mroas = (grad * wts).sum(axis=0)
    steady = curves.marginal_roas(plan[:n_plan].mean(axis=0)).mean(axis=0)
    rev_c = weekly.sum(axis=0)
    return pd.DataFrame(
        {
            "spend": spend_c,
            "current_spend": current.sum(axis=0),
            "revenue": rev_c,
            "roas": np.where(spend_c > 0, rev_c / np.where(spend_c > 0, spend_c, 1.0), np.nan),
            "marginal_roas": mroas,
            "steady_marginal_roas": steady,
        },
        index=pd.Index(curves.channels, name="channel"),
    )


def gap_reasons(
    curves: ResponseCurves,
    problem: AllocationProblem,
    lp: LPSolution,
    lp_value: float,
    env: EnvelopeBound | None,
    gap: float,
    upper: float | None,
) -> list[str]:
    """Why a gap is left, in words (for the notes)."""
    out = []
    lp_bound = lp.bound
    if lp_bound is not None and upper is not None and lp_bound <= upper * (1 + 1e-12):
        over = lp.model_value - lp_value
        out.append(
            f"why the gap: the bound is the piecewise-linear model's, which over-estimates its "
            f"own plan by {over:,.0f} EUR; more pieces (allocate(..., pieces=...)) tighten it "
            "at the cost of time"
        )
    if problem.risk.kind == "mean" and lp_bound is None:
        out.append(
            "why the gap: the posterior samples disagree on adstock weights, so no single "
            "piecewise-linear curve bounds the posterior mean; the bound is the concave envelope "
            "of each sample's own curve"
        )
    if env is not None and env.excess_at_plan > 1e-9 * max(abs(gap), 1.0):
        share = min(env.excess_at_plan / gap, 1.0) if gap > 0 else 1.0
        out.append(
            f"why the gap: {env.excess_at_plan:,.0f} EUR of it ({share:.0%}) is the envelope's "
            "over-estimate of S-shaped posterior samples at this plan's own spend, a looseness "
            "of the bound and not a shortfall of the plan"
        )
    return out


def week_index(problem: AllocationProblem, t_len: int) -> pd.Index:
    """The plan's week index: the week starts when the problem has a start, else 0..T-1."""
    starts = problem.week_starts()
    if starts is None:
        return pd.RangeIndex(t_len, name="week")
    return pd.DatetimeIndex(pd.to_datetime(starts), name="week")
