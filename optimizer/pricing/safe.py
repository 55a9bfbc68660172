"""Safe price plan: the lift over today's prices judged draw by draw, on held-out draws.

The plain optimizer (:func:`~optimizer.pricing.optimize.optimize_prices`) maximizes the
posterior-mean objective. Two things make that optimum over-promise:

* **the optimizer's curse**: prices chosen because they look best on the posterior draws look
  better on those draws than they will do; the same draws cannot both choose and report;
* **weak identification**: a SKU whose price never moved in the history has an elasticity that
  is only its category prior; moving its price far is a bet on the prior.

:func:`safe_prices` therefore

1. bounds each SKU's price change by how well its elasticity is identified
   (:func:`~optimizer.pricing.identification.identification_bounds`, written into the rules
   as ``sku_max_change``);
2. splits the posterior draws in two halves with a fixed seed. Half **A** builds the
   candidates: the optimum on half A, that list shrunk toward today's prices
   (``today + lambda * (optimum - today)`` in log price, snapped back to the allowed ladder),
   and optima under tighter ``max_change`` caps; today's prices are always a candidate;
3. on half **B**, for every candidate and every draw ``s``, computes the paired lift
   ``lift_s = value_s(candidate) - value_s(today's prices)`` under the same draw (shared
   uncertainty cancels), and picks the candidate with the highest mean lift among those with
   ``P_B(lift < 0) <= alpha``. When no price change passes, today's prices are kept and the
   result says why;
4. reports the promise from half B: mean lift, P10, P90, ``P(lift > 0)``.

The value of a price list under one draw is the problem's objective (contribution margin
after logistics for ``objective="margin"``, revenue excl. VAT for ``"revenue"``) with sales
served from stock week by week and each week above capacity rationed in proportion, as the
store ships (:func:`~optimizer.pricing.evaluate.evaluate_prices`), whatever the capacity mode
the optimizer planned with. The scenario plugs in its own draws (media-mix samples paired with
elasticity draws) through the :class:`~optimizer.pricing.draws.DrawModel` protocol.

Selection on half B among a handful of nested candidates reuses half B a little (the maximum
of a few correlated means); half A's mean lift is reported next to half B's so that the size
of the optimizer's curse is visible.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pandas as pd

from optimizer.errors import DataError, InfeasibleError
from optimizer.pricing.candidates import Candidates, build_candidates
from optimizer.pricing.draws import DrawModel, ProblemDraws
from optimizer.pricing.identification import (
    feasible_bounds,
    identification_bounds,
    sellout_raises,
    widen_to_rules,
)
from optimizer.pricing.optimize import optimize_prices
from optimizer.pricing.problem import PricingProblem
from optimizer.pricing.result import PricingResult
from optimizer.pricing.safe_candidates import (
    SafeCandidate,
    build_safe_candidates,
    describe_candidate,
    planning_value,
)
from optimizer.pricing.safe_types import ALPHA, MIN_DRAWS, Promise, SafePriceResult, SafeSettings

__all__ = [
    "ALPHA",
    "MIN_DRAWS",
    "Promise",
    "SafePriceResult",
    "SafeSettings",
    "safe_prices",
]

_SAFETY_RULE = "safety"


def _split(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    perm = np.random.default_rng(seed).permutation(n)
    return np.sort(perm[: n // 2]), np.sort(perm[n // 2 :])


def safe_prices(
    problem: PricingProblem,
    settings: SafeSettings | None = None,
    *,
    draws: DrawModel | None = None,
) -> SafePriceResult:
    """Prices that beat today's with held-out probability at least ``1 - alpha``.

    Parameters
    ----------
    problem : PricingProblem
        The pricing problem (its elasticities should carry posterior draws).
    settings : SafeSettings, optional
        Risk level, split seed, candidates, identification bound; defaults when omitted.
    draws : DrawModel, optional
        Posterior draws to judge the lift on; default :class:`ProblemDraws` of ``problem``.
        The scenario passes its media-mix samples paired with elasticity draws.

    Returns
    -------
    SafePriceResult

    Raises
    ------
    InfeasibleError
        As :func:`~optimizer.pricing.optimize.optimize_prices` (the rules leave a SKU no
        price, hard capacity is short at every allowed price, ...).

    Notes
    -----
    Without posterior draws (or with fewer than :data:`MIN_DRAWS`) the rule cannot run: the
    result is the optimum within the identification bounds, ``promise`` is ``None`` and
    ``reason`` says so.
    """
    t0 = time.perf_counter()
    s = settings or SafeSettings()
    cap = problem.rules.max_change
    bounds = _bounds(problem, s)
    model = draws if draws is not None else ProblemDraws(problem)
    n = model.n_draws
    if n < MIN_DRAWS:
        return _without_split(problem, bounds, n, s, t0)

    half_a, half_b = _split(n, s.seed)
    p0 = problem.catalog.frame["price_incl_vat"].to_numpy(float)
    bounds, pa, opt, fallback = _plan_on_half_a(problem, model, half_a, bounds, s)
    c = build_candidates(pa)
    cands = build_safe_candidates(pa, c, opt, s, p0)
    if fallback:
        cands = cands[:1]

    lifts = _paired_lifts(model, cands, p0)
    la, lb = lifts[:, half_a], lifts[:, half_b]
    table = _lift_table(cands, c, la, lb, p0)
    table["passes"] = table["feasible"] & (table["p_loss_b"] <= s.alpha)
    pick, reason = (0, fallback) if fallback else _select(table, s.alpha)
    table["chosen"] = np.arange(len(table)) == pick
    chosen = cands[pick]
    res = describe_candidate(pa, c, opt, chosen)
    return _finish(
        res,
        chosen.name,
        table,
        Promise.of(lb[pick]),
        reason,
        bounds,
        s,
        t0,
        cap,
        half_a=half_a,
        half_b=half_b,
        lift_draws=lb,
        optimized=opt,
        opt_prices=opt.prices["new_price_incl_vat"].to_numpy(float),
    )


def _without_split(
    problem: PricingProblem, bounds: pd.DataFrame, n: int, s: SafeSettings, t0: float
) -> SafePriceResult:
    """Too few draws (``n``) to hold half out: the optimum within the identification bounds."""
    bounds, bounded = feasible_bounds(problem, bounds)
    res = optimize_prices(bounded)
    reason = (
        f"the estimates carry {n} posterior draws; the safety rule needs at least "
        f"{MIN_DRAWS} to hold half of them out: these are the optimized prices within the "
        "identification bounds, with no held-out promise"
    )
    cap = problem.rules.max_change
    return _finish(res, "optimized", pd.DataFrame(), None, reason, bounds, s, t0, cap)


def _paired_lifts(model: DrawModel, cands: list[SafeCandidate], p0: np.ndarray) -> np.ndarray:
    """Objective of each candidate minus today's under the same draw, ``(K, n_draws)``, EUR.

    A candidate with no prices gets NaN.
    """
    n = model.n_draws
    base = model.contribution(p0)
    return np.stack(
        [
            model.contribution(k.prices) - base if k.prices is not None else np.full(n, np.nan)
            for k in cands
        ]
    )


def _bounds(problem: PricingProblem, s: SafeSettings) -> pd.DataFrame:
    """Per-SKU change bounds from identification (or the rules' cap), widened to the rules."""
    cap = problem.rules.max_change
    skus = problem.catalog.frame.index
    missing = skus.difference(problem.elasticities.skus)
    if len(missing):
        raise DataError(
            f"elasticities: no estimate for SKU {missing[0]!r} ({len(missing)} missing); "
            "re-run the fit on a sales history that covers the catalog."
        )
    if s.bound_by_identification:
        bounds = identification_bounds(problem.elasticities, skus, cap, s.weak_max_change)
    else:
        bounds = pd.DataFrame(
            {
                "max_change_bound": cap,
                "max_raise_bound": cap,
                "width_share": np.nan,
                "bound_reason": "identification bound off: up to max_change",
            },
            index=pd.Index(skus, name="sku"),
        )
    return widen_to_rules(problem, bounds)


def _plan_on_half_a(
    problem: PricingProblem,
    model: DrawModel,
    half_a: np.ndarray,
    bounds: pd.DataFrame,
    s: SafeSettings,
) -> tuple[pd.DataFrame, PricingProblem, PricingResult, str]:
    """Bounds, planning problem and optimum on half A; a reason when half A is infeasible."""
    try:
        on_a = model.problem_on(half_a)
        bounds_a, pa = feasible_bounds(on_a, sellout_raises(on_a, bounds, s.alpha))
        return bounds_a, pa, optimize_prices(pa), ""
    except InfeasibleError as exc:
        # half A's demand can overfill a hard capacity that the whole posterior just fits;
        # no candidate can then be built without half B: keep today's prices (this raises,
        # as the plain optimizer does, when the whole posterior is infeasible too)
        bounds_a, pa = feasible_bounds(problem, bounds)
        opt = optimize_prices(pa)
        fallback = (
            f"no price list is feasible under half A of the posterior alone ({exc}); the "
            "candidates cannot be built apart from the held-out half: today's prices kept "
            "(capacity_mode = 'ration', or no safety rule, plans on the whole posterior)"
        )
        return bounds_a, pa, opt, fallback


def _lift_table(
    cands: list[SafeCandidate],
    c: Candidates,
    la: np.ndarray,
    lb: np.ndarray,
    p0: np.ndarray,
) -> pd.DataFrame:
    """One row per candidate: its moves, planning objective and paired lifts on both halves."""
    rows = []
    for i, k in enumerate(cands):
        prom = Promise.of(lb[i])
        moved = np.abs(k.prices / p0 - 1) if k.prices is not None else np.full(len(p0), np.nan)
        rows.append(
            {
                "candidate": k.name,
                "description": k.description,
                "lambda": k.lam,
                "max_change": k.max_change,
                "n_changes": int((moved > 1e-9).sum()),
                "mean_abs_change_pct": float(moved.mean() * 100),
                "feasible": k.feasible,
                "note": k.note,
                "planning_objective": planning_value(c, k.choice)
                if k.choice is not None and k.result is None
                else (k.result.objective_value if k.result is not None else np.nan),
                "lift_mean_a": float(la[i].mean()),
                "lift_mean_b": prom.mean,
                "lift_p10_b": prom.p10,
                "lift_p90_b": prom.p90,
                "p_gain_b": prom.p_gain,
                "p_loss_b": prom.p_loss,
            }
        )
    return pd.DataFrame(rows)


def _select(table: pd.DataFrame, alpha: float) -> tuple[int, str]:
    """Index of the chosen candidate and the reason, in words (row 0 is today's prices)."""
    ok = table.index[table["passes"]]
    today = 0
    movers = table.index[table.index != today]
    if not len(ok) or (len(ok) == 1 and ok[0] == today):
        if not len(movers):
            return today, "no price differs from today's within the rules; today's prices kept"
        m = table.loc[movers]
        risky = m[m["p_loss_b"] > alpha]
        parts = []
        if len(risky):
            best = risky.sort_values("p_loss_b", kind="stable").iloc[0]
            parts.append(
                f"{len(risky)} earn less than today's prices with held-out probability above "
                f"alpha = {alpha:g} (lowest: {float(best['p_loss_b']):.2f}, "
                f"{best['candidate']!s})"
            )
        blocked = m[~m["feasible"] & ~(m["p_loss_b"] > alpha)]
        if len(blocked):
            parts.append(
                f"{len(blocked)} break a hard rule or could not be built "
                f"({', '.join(map(str, blocked['candidate']))})"
            )
        return today, (
            f"no price change passes the safety rule: of {len(m)} candidate(s), "
            + "; ".join(parts)
            + "; today's prices kept"
        )
    order = table.loc[ok].sort_values(
        ["lift_mean_b", "mean_abs_change_pct"], ascending=[False, True], kind="stable"
    )
    pick = int(order.index[0])
    row = table.loc[pick]
    if pick == today:
        return today, (
            "no candidate that passes the safety rule beats today's prices on the held-out half "
            f"(best mean lift {table.loc[ok[ok != today], 'lift_mean_b'].max():+,.0f} EUR); "
            "today's prices kept"
        )
    head = (
        f"{row['description']}: highest held-out mean lift ({row['lift_mean_b']:+,.0f} EUR) "
        f"among the candidates with P(lift < 0) <= alpha = {alpha:g} "
        f"(its P(lift < 0) = {row['p_loss_b']:.2f})"
    )
    if row["candidate"] == "optimized":
        return pick, head
    opt = table.index[table["candidate"] == "optimized"]
    if len(opt):
        o = table.loc[opt[0]]
        if not o["passes"]:
            why = (
                f"P(lift < 0) = {o['p_loss_b']:.2f}" if o["feasible"] else o["note"] or "infeasible"
            )
            head += f"; the optimized prices fail the rule ({why})"
        else:
            head += (
                f"; the optimized prices pass but lift less on the held-out half "
                f"({o['lift_mean_b']:+,.0f} EUR)"
            )
    return pick, head


def _finish(
    res: PricingResult,
    chosen: str,
    table: pd.DataFrame,
    promise: Promise | None,
    reason: str,
    bounds: pd.DataFrame,
    s: SafeSettings,
    t0: float,
    max_change: float,
    *,
    half_a: np.ndarray | None = None,
    half_b: np.ndarray | None = None,
    lift_draws: np.ndarray | None = None,
    optimized: PricingResult | None = None,
    opt_prices: np.ndarray | None = None,
) -> SafePriceResult:
    frame = res.prices.copy()
    b = bounds.reindex(frame.index)
    frame["max_change_bound_pct"] = b["max_change_bound"].to_numpy(float) * 100
    frame["max_raise_bound_pct"] = b["max_raise_bound"].to_numpy(float) * 100
    frame["bound_reason"] = b["bound_reason"].to_numpy()
    if opt_prices is not None and chosen != "optimized":
        held = ~np.isclose(frame["new_price_incl_vat"].to_numpy(float), opt_prices)
        frame.loc[held, "binding_rule"] = _SAFETY_RULE
    out = SafePriceResult(
        result=res,
        chosen=chosen,
        candidates=table,
        promise=promise,
        reason=reason,
        bounds=bounds,
        alpha=s.alpha,
        max_change=max_change,
        half_a=np.zeros(0, int) if half_a is None else half_a,
        half_b=np.zeros(0, int) if half_b is None else half_b,
        lift_draws=np.zeros((0, 0)) if lift_draws is None else lift_draws,
        optimized=optimized,
    )
    info = {**res.info, "safety": {**out.summary(), "seed": s.seed}}
    final = replace(res, prices=frame, info=info, seconds=time.perf_counter() - t0)
    return replace(out, result=final)
