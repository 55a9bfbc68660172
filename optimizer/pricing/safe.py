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
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from optimizer.errors import ConfigError, DataError, InfeasibleError
from optimizer.pricing.candidates import Candidates, build_candidates
from optimizer.pricing.draws import DrawModel, ProblemDraws
from optimizer.pricing.identification import (
    WEAK_MAX_CHANGE,
    feasible_bounds,
    identification_bounds,
    sellout_raises,
    widen_to_rules,
)
from optimizer.pricing.lagrangian import gap_of
from optimizer.pricing.lagrangian_primal import penalized_value
from optimizer.pricing.optimize import describe_choice, optimize_prices
from optimizer.pricing.problem import PricingProblem
from optimizer.pricing.result import PricingResult, PricingStatus

__all__ = [
    "ALPHA",
    "MIN_DRAWS",
    "Promise",
    "SafePriceResult",
    "SafeSettings",
    "safe_prices",
]

#: Largest accepted held-out probability that the new prices earn less than today's.
ALPHA = 0.1
#: Fewest posterior draws the split needs (10 per half); below, the rule is not applied.
MIN_DRAWS = 20
_SAFETY_RULE = "safety"


@dataclass(frozen=True)
class SafeSettings:
    """How the safe price plan is chosen.

    Attributes
    ----------
    alpha : float
        Largest accepted held-out probability of a negative lift (0.1 = 10 %).
    seed : int
        Seed of the split of the posterior draws into halves A and B.
    shrink : tuple of float
        Fractions ``lambda`` of the way from today's prices to the half-A optimum (in log
        price) tried as candidates; 0 (today) and 1 (the optimum) are always tried.
    cap_shares : tuple of float
        Tighter ``max_change`` caps tried as candidates, as shares of the rules' cap.
    weak_max_change : float
        Largest change of a SKU whose elasticity is only its category prior (fraction).
    bound_by_identification : bool
        Bound each SKU's change by how well its elasticity is identified.
    """

    alpha: float = ALPHA
    seed: int = 0
    shrink: tuple[float, ...] = (0.25, 0.5, 0.75)
    cap_shares: tuple[float, ...] = (1 / 3, 2 / 3)
    weak_max_change: float = WEAK_MAX_CHANGE
    bound_by_identification: bool = True

    def __post_init__(self) -> None:
        if not 0 < self.alpha < 1:
            raise ConfigError(
                f"alpha is {self.alpha}; give the largest accepted probability of earning less "
                "than today's prices, in (0, 1), e.g. 0.1."
            )
        object.__setattr__(self, "shrink", tuple(float(x) for x in self.shrink))
        object.__setattr__(self, "cap_shares", tuple(float(x) for x in self.cap_shares))
        if any(not 0 < x < 1 for x in (*self.shrink, *self.cap_shares)):
            raise ConfigError(
                f"shrink {self.shrink} and cap_shares {self.cap_shares}: give fractions in "
                "(0, 1) (0 and 1 are always candidates)."
            )
        if not 0 <= self.weak_max_change < 1:
            raise ConfigError(
                f"weak_max_change is {self.weak_max_change}; give a fraction in [0, 1), e.g. 0.03."
            )


@dataclass(frozen=True)
class Promise:
    """What the chosen prices promise over today's, from the held-out half B.

    Attributes
    ----------
    mean, p10, p90 : float
        Mean, 10th and 90th percentile of the paired lift over today's prices (EUR over the
        horizon, the problem's objective).
    p_gain, p_loss : float
        Share of half-B draws with a positive / negative lift.
    n_draws : int
        Draws in half B.
    """

    mean: float
    p10: float
    p90: float
    p_gain: float
    p_loss: float
    n_draws: int

    @classmethod
    def of(cls, lift: np.ndarray) -> Promise:
        """Summarize paired lift draws (EUR); NaN figures for a candidate with no prices."""
        if np.isnan(lift).any():
            nan = float("nan")
            return cls(nan, nan, nan, nan, nan, len(lift))
        q = np.quantile(lift, [0.1, 0.9])
        return cls(
            mean=float(lift.mean()),
            p10=float(q[0]),
            p90=float(q[1]),
            p_gain=float((lift > 0).mean()),
            p_loss=float((lift < 0).mean()),
            n_draws=len(lift),
        )

    def to_dict(self) -> dict[str, float | int]:
        """JSON-ready, rounded to the cent and to 4 decimals."""
        return {
            "mean": round(self.mean, 2),
            "p10": round(self.p10, 2),
            "p90": round(self.p90, 2),
            "p_gain": round(self.p_gain, 4),
            "p_loss": round(self.p_loss, 4),
            "n_draws": self.n_draws,
        }


@dataclass(frozen=True, eq=False)
class SafePriceResult:
    """The safe price plan and how it was chosen.

    Attributes
    ----------
    result : PricingResult
        The chosen prices, described under the half-A planning model (the model that built
        them), with three more columns per SKU: ``max_change_bound_pct`` (the
        identification bound, both ways, percent), ``max_raise_bound_pct`` (the largest rise,
        above the bound where the SKU sells out its stock anyway) and ``bound_reason`` (why,
        in words). ``binding_rule`` is ``"safety"``
        where the safety rule kept a SKU closer to today's price than the optimum.
        ``info["safety"]`` holds :meth:`summary`.
    chosen : str
        Name of the chosen candidate (``"today"``, ``"shrink_50"``, ``"optimized"``,
        ``"cap_5pct"``, ...; ``"optimized"`` alone when the rule could not run).
    candidates : pandas.DataFrame
        One row per candidate: ``candidate``, ``description``, ``lambda``, ``max_change``,
        ``n_changes``, ``mean_abs_change_pct``, ``feasible``, ``note``,
        ``planning_objective`` (EUR, half-A model), ``lift_mean_a``, ``lift_mean_b``,
        ``lift_p10_b``, ``lift_p90_b``, ``p_gain_b``, ``p_loss_b`` (EUR and shares),
        ``passes``, ``chosen``.
    promise : Promise or None
        Half-B lift of the chosen prices over today's (``None`` when the rule could not run).
    reason : str
        Why these prices, in words.
    bounds : pandas.DataFrame
        Per SKU: ``max_change_bound`` and ``max_raise_bound`` (fractions: largest cut and
        rise), ``width_share`` (posterior 90 % interval width over the category's, NaN when
        unknown), ``bound_reason``.
    alpha : float
        The risk level used.
    max_change : float
        The rules' cap (fraction) the bounds are measured against.
    half_a, half_b : numpy.ndarray
        Draw indices of each half.
    lift_draws : numpy.ndarray
        Paired lift per candidate (rows of ``candidates``) and half-B draw, EUR.
    optimized : PricingResult or None
        The half-A optimum (within the identification bounds).
    """

    result: PricingResult
    chosen: str
    candidates: pd.DataFrame
    promise: Promise | None
    reason: str
    bounds: pd.DataFrame
    alpha: float
    max_change: float
    half_a: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    half_b: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    lift_draws: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    optimized: PricingResult | None = None

    def summary(self) -> dict[str, Any]:
        """JSON-ready summary (``summary.json["safety"]``)."""
        b = self.bounds
        capped = b["max_change_bound"] < self.max_change - 1e-12
        cols = [c for c in self.candidates.columns if c != "description"]
        table = self.candidates[cols].copy()
        for c in table.columns:
            if table[c].dtype.kind == "f":
                table[c] = table[c].round(4)
        return {
            "chosen": self.chosen,
            "reason": self.reason,
            "alpha": self.alpha,
            "promise": None if self.promise is None else self.promise.to_dict(),
            "n_draws_a": len(self.half_a),
            "n_draws_b": len(self.half_b),
            "candidates": table.to_dict(orient="records"),
            "identification": {
                "n_bounded": int(capped.sum()),
                "n_prior_only": int(b["bound_reason"].str.startswith("no own price").sum()),
                "n_rise_for_sellout": int(b["bound_reason"].str.contains("sells out").sum()),
                "n_widened": int(b["bound_reason"].str.contains("widened").sum()),
                "smallest_bound": round(float(b["max_change_bound"].min()), 4),
            },
        }


def _choice_of(c: Candidates, prices: np.ndarray) -> np.ndarray:
    """Ladder index of each SKU's price (nearest allowed candidate)."""
    d = np.where(c.valid, np.abs(np.nan_to_num(c.ladder.prices) - prices[:, None]), np.inf)
    return d.argmin(axis=1)


def _snap(c: Candidates, target: np.ndarray) -> np.ndarray:
    """Nearest allowed ladder price to each target in log price; ties toward today's price."""
    lp = np.log(np.where(c.valid, c.ladder.prices, 1.0))
    dist = np.abs(lp - np.log(target)[:, None]) + 1e-9 * np.abs(lp - np.log(c.p0)[:, None])
    return np.where(c.valid, dist, np.inf).argmin(axis=1)


def _hard_ok(c: Candidates, choice: np.ndarray) -> bool:
    """Whether a choice meets the hard coupling rows (hard capacity, max_changes)."""
    if c.weights.shape[-1] == 0:
        return True
    load = c.weights[np.arange(len(choice)), choice].sum(axis=0)
    hard = np.ones(len(c.rhs), bool) if c.penalty is None else ~np.isfinite(c.penalty)
    return bool((load[hard] <= c.rhs[hard] * (1 + 1e-9) + 1e-9).all())


def _planning_value(c: Candidates, choice: np.ndarray) -> float:
    ar = np.arange(len(choice))
    if c.penalty is None:
        return float(c.values[ar, choice].sum())
    return penalized_value(c.values, c.weights, c.rhs, c.penalty, choice)


@dataclass
class _Candidate:
    name: str
    description: str
    lam: float
    max_change: float
    prices: np.ndarray | None  # None: no price list (its optimization was infeasible)
    feasible: bool
    note: str
    result: PricingResult | None = None  # own result (tighter-cap optima)
    choice: np.ndarray | None = None  # ladder choice of the half-A problem


def _candidates(
    pa: PricingProblem, c: Candidates, opt: PricingResult, s: SafeSettings, p0: np.ndarray
) -> list[_Candidate]:
    """Today's prices, the shrunk optima, the optimum and the tighter-cap optima (half A)."""
    cap = pa.rules.max_change
    opt_prices = opt.prices["new_price_incl_vat"].to_numpy(float)
    opt_choice = _choice_of(c, opt_prices)
    cands: list[_Candidate] = []
    for lam in (0.0, *sorted(s.shrink)):
        target = p0 * (opt_prices / p0) ** lam
        choice = _snap(c, target)
        name = "today" if lam == 0 else f"shrink_{round(lam * 100)}"
        prices = c.ladder.prices[np.arange(len(p0)), choice]
        if lam == 0:
            forced = not np.allclose(prices, p0)
            desc = "today's prices" + (" (with the moves the rules force)" if forced else "")
        else:
            desc = f"{lam * 100:.0f} % of the way from today's to the optimized prices (log price)"
        ok = _hard_ok(c, choice)
        note = "" if ok else "breaks a hard coupling row (capacity or max_changes)"
        cands.append(_Candidate(name, desc, lam, cap, prices, ok, note, choice=choice))
    cands.append(
        _Candidate(
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
                _Candidate(name, desc, np.nan, tight, None, False, f"infeasible: {exc}"[:300])
            )
            continue
        pr = r.prices["new_price_incl_vat"].to_numpy(float)
        cands.append(_Candidate(name, desc, np.nan, tight, pr, True, "", r, _choice_of(c, pr)))
    # the same price list twice (e.g. every shrink snaps back to today) is one candidate
    seen: list[_Candidate] = []
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
    bounds = widen_to_rules(problem, bounds)
    model = draws if draws is not None else ProblemDraws(problem)
    n = model.n_draws
    if n < MIN_DRAWS:
        bounds, bounded = feasible_bounds(problem, bounds)
        res = optimize_prices(bounded)
        reason = (
            f"the estimates carry {n} posterior draws; the safety rule needs at least "
            f"{MIN_DRAWS} to hold half of them out: these are the optimized prices within the "
            "identification bounds, with no held-out promise"
        )
        return _finish(res, "optimized", pd.DataFrame(), None, reason, bounds, s, t0, cap)

    half_a, half_b = _split(n, s.seed)
    p0 = problem.catalog.frame["price_incl_vat"].to_numpy(float)
    fallback = ""
    try:
        on_a = model.problem_on(half_a)
        bounds_a, pa = feasible_bounds(on_a, sellout_raises(on_a, bounds, s.alpha))
        opt = optimize_prices(pa)
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
    bounds = bounds_a
    c = build_candidates(pa)
    cands = _candidates(pa, c, opt, s, p0)
    if fallback:
        cands = cands[:1]

    base = model.contribution(p0)
    lifts = np.stack(
        [
            model.contribution(k.prices) - base if k.prices is not None else np.full(n, np.nan)
            for k in cands
        ]
    )  # (K, n), paired: row k minus today's prices under the same draw
    la, lb = lifts[:, half_a], lifts[:, half_b]
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
                "planning_objective": _planning_value(c, k.choice)
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
    table = pd.DataFrame(rows)
    table["passes"] = table["feasible"] & (table["p_loss_b"] <= s.alpha)
    pick, reason = (0, fallback) if fallback else _select(table, s.alpha)
    table["chosen"] = np.arange(len(table)) == pick
    chosen = cands[pick]
    res = _describe(pa, c, opt, chosen)
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


def _describe(
    pa: PricingProblem, c: Candidates, opt: PricingResult, k: _Candidate
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
    value = _planning_value(c, k.choice)
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
