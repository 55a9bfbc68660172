"""Candidates of the safe price plan: today's prices, shrunk optima, the optimum, tighter caps.

All built on half A of the posterior (:mod:`optimizer.pricing.safe`); each is a ladder choice
of the half-A problem, valued under that planning model.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from optimizer.errors import InfeasibleError
from optimizer.pricing.candidates import Candidates
from optimizer.pricing.lagrangian import gap_of
from optimizer.pricing.lagrangian_primal import penalized_value
from optimizer.pricing.optimize import describe_choice, optimize_prices
from optimizer.pricing.problem import PricingProblem
from optimizer.pricing.result import PricingResult, PricingStatus
from optimizer.pricing.safe_types import SafeSettings

__all__ = [
    "SafeCandidate",
    "build_safe_candidates",
    "describe_candidate",
    "planning_value",
]


def _choice_of(c: Candidates, prices: np.ndarray) -> np.ndarray:
    """Ladder index of each SKU's price (nearest allowed candidate)."""
    d = np.where(c.valid, np.abs(np.nan_to_num(c.ladder.prices) - prices[:, None]), np.inf)
    return d.argmin(axis=1)


def _snap_to_ladder(c: Candidates, target: np.ndarray) -> np.ndarray:
    """Nearest allowed ladder price to each target in log price; ties toward today's price."""
    lp = np.log(np.where(c.valid, c.ladder.prices, 1.0))
    dist = np.abs(lp - np.log(target)[:, None]) + 1e-9 * np.abs(lp - np.log(c.p0)[:, None])
    return np.where(c.valid, dist, np.inf).argmin(axis=1)


def _meets_hard_rows(c: Candidates, choice: np.ndarray) -> bool:
    """Whether a choice meets the hard coupling rows (hard capacity, max_changes)."""
    if c.weights.shape[-1] == 0:
        return True
    load = c.weights[np.arange(len(choice)), choice].sum(axis=0)
    hard = np.ones(len(c.rhs), bool) if c.penalty is None else ~np.isfinite(c.penalty)
    return bool((load[hard] <= c.rhs[hard] * (1 + 1e-9) + 1e-9).all())


def planning_value(c: Candidates, choice: np.ndarray) -> float:
    """Objective of a choice under the planning model (penalized in ``"ration"`` mode), EUR."""
    ar = np.arange(len(choice))
    if c.penalty is None:
        return float(c.values[ar, choice].sum())
    return penalized_value(c.values, c.weights, c.rhs, c.penalty, choice)


@dataclass
class SafeCandidate:
    """One candidate price list; ``prices`` is ``None`` when its optimization was infeasible."""

    name: str
    description: str
    lam: float
    max_change: float
    prices: np.ndarray | None  # None: no price list (its optimization was infeasible)
    feasible: bool
    note: str
    result: PricingResult | None = None  # own result (tighter-cap optima)
    choice: np.ndarray | None = None  # ladder choice of the half-A problem


def build_safe_candidates(
    pa: PricingProblem, c: Candidates, opt: PricingResult, s: SafeSettings, p0: np.ndarray
) -> list[SafeCandidate]:
    """Today's prices, the shrunk optima, the optimum and the tighter-cap optima (half A)."""
    cap = pa.rules.max_change
    opt_prices = opt.prices["new_price_incl_vat"].to_numpy(float)
    opt_choice = _choice_of(c, opt_prices)
    cands: list[SafeCandidate] = []
    for lam in (0.0, *sorted(s.shrink)):
        target = p0 * (opt_prices / p0) ** lam
        choice = _snap_to_ladder(c, target)
        name = "today" if lam == 0 else f"shrink_{round(lam * 100)}"
        prices = c.ladder.prices[np.arange(len(p0)), choice]
        if lam == 0:
            forced = not np.allclose(prices, p0)
            desc = "today's prices" + (" (with the moves the rules force)" if forced else "")
        else:
            desc = f"{lam * 100:.0f} % of the way from today's to the optimized prices (log price)"
        ok = _meets_hard_rows(c, choice)
        note = "" if ok else "breaks a hard coupling row (capacity or max_changes)"
        cands.append(SafeCandidate(name, desc, lam, cap, prices, ok, note, choice=choice))
    cands.append(
        SafeCandidate(
            "optimized",
            "optimized prices (half A)",
            1.0,
            cap,
            opt_prices,
            True,
            "",
            opt,
            opt_choice,
        )
    )
    for share in sorted(set(s.cap_shares)):
        tight = cap * share
        name = f"cap_{tight * 100:.3g}pct"
        desc = f"optimized with changes capped at ±{tight * 100:.3g} %"
        try:
            r = optimize_prices(pa.with_(rules=replace(pa.rules, max_change=tight)))
        except InfeasibleError as exc:
            cands.append(
                SafeCandidate(name, desc, np.nan, tight, None, False, f"infeasible: {exc}"[:300])
            )
            continue
        pr = r.prices["new_price_incl_vat"].to_numpy(float)
        cands.append(SafeCandidate(name, desc, np.nan, tight, pr, True, "", r, _choice_of(c, pr)))
    # the same price list twice (e.g. every shrink snaps back to today) is one candidate
    seen: list[SafeCandidate] = []
    for k in cands:
        same = next(
            (
                u
                for u in seen
                if k.prices is not None
                and u.prices is not None
                and np.allclose(u.prices, k.prices, rtol=0, atol=1e-9)
            ),
            None,
        )
        if same is None:
            seen.append(k)
        elif k.name == "optimized" and same.name != "today":
            # keep the optimum's name (the reason refers to it), never hide today's prices
            seen[seen.index(same)] = replace(k, feasible=k.feasible or same.feasible)
    return seen


def describe_candidate(
    pa: PricingProblem, c: Candidates, opt: PricingResult, k: SafeCandidate
) -> PricingResult:
    """The :class:`PricingResult` of a candidate, under the half-A planning model."""
    if k.name == "optimized":
        return opt
    tol = pa.gap_tolerance
    if k.result is not None:
        r = k.result
        gap = gap_of(opt.bound, r.objective_value)
        return replace(
            r,
            bound=opt.bound,
            gap=gap,
            status=PricingStatus.OPTIMAL if gap <= tol else PricingStatus.FEASIBLE,
            multipliers=opt.multipliers,
        )
    assert k.choice is not None
    value = planning_value(c, k.choice)
    return describe_choice(
        pa,
        c,
        k.choice,
        objective_value=value,
        bound=opt.bound,
        gap=gap_of(opt.bound, value),
        solver=opt.solver,
        multipliers=opt.multipliers,
        info=dict(opt.info),
        t0=time.perf_counter(),
    )
