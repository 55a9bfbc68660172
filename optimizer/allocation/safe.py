"""Safe media plans: never worse than today's plan under the model's own doubt.

The plan with the best *estimated* value is the plan that best exploits the estimate's errors
(the optimizer's curse, Smith & Winkler 2006): on generated stores a free re-allocation promised
+313 k and lost 78 k under the truth. :func:`safe_allocate` guards against it in four ways.

1. **Paired lift.** A plan is judged by its lift over today's plan *draw by draw*:
   ``lift_s = value_s(plan) - value_s(today)`` on the same posterior sample ``s``, so the
   uncertainty both plans share (the level of every curve) cancels and what remains is the
   uncertainty about the *change*.
2. **Stay where the data speak** (:func:`data_bounds`). Each channel may move away from today's
   spend (scaled to the budget) by at most ``min_move + (max_move - min_move) * identification``
   of it over the horizon, where ``identification`` in [0, 1] falls with the relative width of
   the 90 % interval of the channel's marginal ROAS at today's spend (``1 - width / 2``: an
   interval as wide as its median allows half the move), and its weekly spend may exceed the
   largest adstocked weekly spend of the history by at most ``reach_extension *
   identification``. Channels whose cost follows sales (commissions) are not levers: they keep
   today's spend. Every bound says why, in words.
3. **Selection on one half, promise on the other.** The posterior samples are split in two
   halves with a fixed seed. Candidate plans (the best plan under the bounds scaled by each
   trust-region step, plus today's plan) are optimized on half A; each is then evaluated on half
   B, which did not choose it, and the plan with the highest mean lift on B whose
   ``P_B(lift < 0) <= alpha`` is kept. Today's plan is always a candidate (lift 0): when nothing
   beats it safely, it is kept and the output says why. The promise (mean, P10, P50, P90 and
   P(lift > 0)) is half B's: not the in-sample optimum of the samples that chose the plan.
4. **Workable plans.** Week-to-week changes, always-on minimums and no off-and-on switching
   are switched on by default through the allocation problem's own rules (when the solver
   supports them).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.allocation.calibration import PromiseCalibration, default_calibration
from optimizer.allocation.evaluate import risk_value
from optimizer.allocation.polytope import linear_rows
from optimizer.allocation.problem import AllocationProblem, ChannelRule, WeekBound
from optimizer.allocation.resolve import resolve
from optimizer.allocation.result import AllocationResult
from optimizer.allocation.solve import allocate
from optimizer.curves import ResponseCurves
from optimizer.errors import ConfigError, InfeasibleError

__all__ = [
    "ChannelBound",
    "calibrated_promise",
    "Promise",
    "SafeResult",
    "SafeRule",
    "data_bounds",
    "paired_lift",
    "safe_allocate",
    "split_samples",
    "without_workable",
]


@dataclass(frozen=True)
class SafeRule:
    """Settings of the safe plan.

    Attributes
    ----------
    alpha : float
        Largest model-side probability that the plan does worse than today's (default 0.1).
    max_move, min_move : float
        Largest change of a channel's horizon spend, as a share of today's (scaled to the
        budget), for a perfectly identified and for an unidentified channel.
    reach_extension : float
        How far beyond the history's largest adstocked weekly spend a perfectly identified
        channel may go, as a share of it.
    steps : tuple of float
        Trust-region steps: candidate plans use the bounds scaled by each step.
    seed : int
        Seed of the split of the posterior samples into halves.
    data_bounds : bool
        Whether to apply :func:`data_bounds` (False: the problem's own rules only).
    calibrate : bool
        Whether to add the calibrated promise (the shipped model-vs-truth ratios, see
        :mod:`optimizer.allocation.calibration`) beside the model's own.
    """

    alpha: float = 0.1
    max_move: float = 0.5
    min_move: float = 0.05
    reach_extension: float = 0.25
    steps: tuple[float, ...] = (0.25, 0.5, 0.75, 1.0)
    seed: int = 0
    data_bounds: bool = True
    calibrate: bool = True

    def __post_init__(self) -> None:
        if not 0.0 < self.alpha < 0.5:
            raise ConfigError(f"alpha {self.alpha} must lie in (0, 0.5), e.g. 0.1.")
        if not 0.0 <= self.min_move <= self.max_move <= 5.0:
            raise ConfigError(
                f"min_move {self.min_move} and max_move {self.max_move} must satisfy "
                "0 <= min_move <= max_move <= 5."
            )
        if not 0.0 <= self.reach_extension <= 5.0:
            raise ConfigError(f"reach_extension {self.reach_extension} must lie in [0, 5].")
        if not self.steps or any(not 0.0 < s <= 1.0 for s in self.steps):
            raise ConfigError(f"steps {self.steps} must be values in (0, 1].")
        object.__setattr__(self, "steps", tuple(sorted(set(self.steps))))


@dataclass(frozen=True)
class ChannelBound:
    """How far one channel may move, and why.

    Attributes
    ----------
    channel : str
    lever : bool
        False for a channel whose cost follows sales (kept at today's spend).
    reference_total : float
        Today's spend over the horizon scaled to the budget, EUR.
    min_total, max_total : float
        Bounds on the channel's horizon spend, EUR.
    max_weekly : float
        Bound on its weekly spend, EUR per week (``inf`` when none).
    identification : float
        In [0, 1]: 1 when the data pin the channel's marginal ROAS, 0 when they do not.
    mroas_low, mroas_median, mroas_high : float
        Marginal ROAS at today's spend: 5 %, 50 % and 95 % posterior quantiles, EUR per EUR.
    reach : float
        Largest adstocked weekly spend of the history, EUR per week.
    reason : str
        The bound in words.
    """

    channel: str
    lever: bool
    reference_total: float
    min_total: float
    max_total: float
    max_weekly: float
    identification: float
    mroas_low: float
    mroas_median: float
    mroas_high: float
    reach: float
    reason: str

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dictionary."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Promise:
    """What a plan is expected to bring over today's plan, EUR over the horizon.

    Attributes
    ----------
    mean, p10, p50, p90 : float
        Posterior mean and quantiles of the paired lift, EUR.
    p_positive : float
        Share of samples in which the plan beats today's plan.
    n_samples : int
        Samples the promise is computed on.
    basis : str
        Which samples (the held-out half: not those that chose the plan).
    """

    mean: float
    p10: float
    p50: float
    p90: float
    p_positive: float
    n_samples: int
    basis: str = "held-out half of the posterior samples"

    @classmethod
    def of(cls, lift: np.ndarray, basis: str = "held-out half of the posterior samples") -> Promise:
        """Summarize paired lift samples."""
        x = np.asarray(lift, float)
        q10, q50, q90 = np.quantile(x, [0.1, 0.5, 0.9])
        return cls(
            mean=float(x.mean()),
            p10=float(q10),
            p50=float(q50),
            p90=float(q90),
            p_positive=float(np.mean(x > 0)),
            n_samples=len(x),
            basis=basis,
        )

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dictionary."""
        return dataclasses.asdict(self)


@dataclass(frozen=True, eq=False)
class SafeResult:
    """The safe plan, the candidates it was chosen from, its promise and its bounds.

    Attributes
    ----------
    result : AllocationResult
        The chosen plan as the solver returned it (outcomes computed on the choosing half,
        certificate of the bounded problem it solved).
    problem : AllocationProblem
        The problem the chosen plan solves (the rules plus the chosen step's data bounds;
        every cell pinned when today's plan is kept): later steps that re-plan the media (the
        scenario's joint ascent) stay inside it.
    plan : pandas.DataFrame
        The chosen plan, weeks x channels, EUR per week.
    today : pandas.DataFrame
        Today's plan it is judged against, same layout.
    chosen : str
        ``"today"`` or the candidate's name (``"step 0.5"``).
    candidates : pandas.DataFrame
        Per candidate: ``step``, ``lift_choose`` (mean paired lift on the choosing half),
        ``lift_mean``, ``lift_p10``, ``score`` (risk summary), ``p_loss`` (held-out half),
        ``safe``, ``status``, ``rel_gap``, ``note``.
    promise : Promise
        The chosen plan's paired lift on the held-out half.
    promise_in_sample : Promise
        The same on the choosing half (what the optimizer's curse inflates; for comparison).
    promise_calibrated : Promise or None
        The held-out promise times the measured model-vs-truth ratios (None without a
        calibration).
    held_out_lift : numpy.ndarray
        The chosen plan's paired lift on each held-out sample, EUR.
    bounds : tuple of ChannelBound
    alpha : float
    reason : str
        Why this plan, in words.
    """

    result: AllocationResult
    problem: AllocationProblem
    plan: pd.DataFrame
    today: pd.DataFrame
    chosen: str
    candidates: pd.DataFrame
    promise: Promise
    promise_in_sample: Promise
    promise_calibrated: Promise | None
    held_out_lift: np.ndarray
    bounds: tuple[ChannelBound, ...]
    alpha: float
    reason: str

    def summary(self) -> dict[str, object]:
        """JSON-ready summary (plan excluded)."""
        return {
            "chosen": self.chosen,
            "alpha": self.alpha,
            "reason": self.reason,
            "promise": self.promise.to_dict(),
            "promise_in_sample": self.promise_in_sample.to_dict(),
            "promise_calibrated": None
            if self.promise_calibrated is None
            else self.promise_calibrated.to_dict(),
            "bounds": {b.channel: b.to_dict() for b in self.bounds},
            "candidates": self.candidates.to_dict(orient="records"),
        }


def calibrated_promise(
    lift: np.ndarray, calibration: PromiseCalibration | None, rule: SafeRule
) -> Promise | None:
    """The promise of ``lift`` samples times the measured ratios (None when not calibrating)."""
    cal = (
        calibration
        if calibration is not None
        else (default_calibration() if rule.calibrate else None)
    )
    if cal is None:
        return None
    return Promise.of(cal.draws(lift), cal.describe())


def split_samples(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two disjoint halves of ``range(n)`` (seeded permutation), sorted: (choose, report)."""
    if n < 4:
        raise ConfigError(f"a safe plan needs at least 4 posterior samples, got {n}.")
    perm = np.random.default_rng(seed).permutation(n)
    return np.sort(perm[: n // 2]), np.sort(perm[n // 2 :])


def paired_lift(
    curves: ResponseCurves, problem: AllocationProblem, plan: np.ndarray, today: np.ndarray
) -> np.ndarray:
    """Value of ``plan`` minus value of ``today`` on each posterior sample, (S,), EUR.

    The value is the problem's objective (``a * revenue - b * spend``, week weights included),
    with the carry-over of the history in both plans.
    """
    a, b = problem.value_coefficients
    ww = problem.weights_for(plan.shape[0])
    gain = curves.total(plan, ww) - curves.total(today, ww)
    return a * gain - b * (float(np.sum(plan)) - float(np.sum(today)))


def _reference(curves: ResponseCurves, problem: AllocationProblem, today: np.ndarray) -> np.ndarray:
    """Today's plan scaled to the budget: levers share what the sales-driven channels leave."""
    ref = np.array(today, float)
    lever = np.array([c not in curves.follows_sales for c in curves.channels])
    fixed = float(ref[:, ~lever].sum())
    moving = float(ref[:, lever].sum())
    target = problem.budget - fixed
    if moving > 0 and target > 0:
        exact = problem.budget_mode == "exact"
        scale = target / moving if exact or target < moving else 1.0
        ref[:, lever] *= scale
    return ref


def _eur(x: float) -> str:
    return "no limit" if not math.isfinite(x) else f"{x:,.0f} EUR".replace(",", " ")


def data_bounds(
    curves: ResponseCurves,
    reference: np.ndarray,
    rule: SafeRule = SafeRule(),
) -> tuple[ChannelBound, ...]:
    """Per-channel bounds derived from the model and the history, each explained.

    Parameters
    ----------
    curves : ResponseCurves
        Posterior response (its marginal ROAS spread and how far the data reach).
    reference : numpy.ndarray
        Today's plan scaled to the budget, (T, C) EUR per week.
    rule : SafeRule
        ``max_move``, ``min_move`` and ``reach_extension``.

    Returns
    -------
    tuple of ChannelBound
    """
    weekly = reference.mean(axis=0)
    mr = curves.marginal_roas(weekly)  # (S, C)
    q05, q50, q95 = np.quantile(mr, [0.05, 0.5, 0.95], axis=0)
    reach = curves.reach()
    out = []
    for c, name in enumerate(curves.channels):
        total = float(reference[:, c].sum())
        width = (q95[c] - q05[c]) / max(abs(q50[c]), 1e-9)
        ident = float(np.clip(1.0 - width / 2.0, 0.0, 1.0))
        mr_txt = f"marginal ROAS {q05[c]:.1f}-{q95[c]:.1f}"
        if name in curves.follows_sales:
            out.append(
                ChannelBound(
                    name,
                    False,
                    total,
                    total,
                    total,
                    math.inf,
                    ident,
                    float(q05[c]),
                    float(q50[c]),
                    float(q95[c]),
                    float(reach[c]),
                    f"{name}: kept at today's spend ({_eur(total)}): its cost follows sales "
                    "(a commission), so it is not a budget lever",
                )  # fmt: skip
            )
            continue
        move = rule.min_move + (rule.max_move - rule.min_move) * ident
        cap = max(float(reach[c]) * (1.0 + rule.reach_extension * ident), float(weekly[c]))
        if total <= 0:
            reason = (
                f"{name}: not used today, kept at 0 EUR (the model has no recent spend to "
                "measure it at)"
            )
            lo = hi = 0.0
        else:
            lo, hi = total * (1.0 - move), total * (1.0 + move)
            reason = (
                f"{name}: within ±{move:.0%} of today's spend over the horizon "
                f"({_eur(lo)} to {_eur(hi)}): {mr_txt} (identification {ident:.0%}); at most "
                f"{_eur(cap)} a week (the history reached {_eur(float(reach[c]))} a week "
                "after carry-over)"
            )
        out.append(
            ChannelBound(
                name,
                True,
                total,
                lo,
                hi,
                cap,
                ident,
                float(q05[c]),
                float(q50[c]),
                float(q95[c]),
                float(reach[c]),
                reason,
            )  # fmt: skip
        )
    return tuple(out)


def _bounded(
    problem: AllocationProblem, bounds: tuple[ChannelBound, ...], step: float
) -> AllocationProblem:
    """The problem with each channel's data bound (scaled by ``step``) added to its rules."""
    rules = dict(problem.channels)
    for b in bounds:
        user = rules.get(b.channel, ChannelRule())
        if user.fixed is not None:
            continue
        if not b.lever:
            rules[b.channel] = dataclasses.replace(user, fixed=b.reference_total)
            continue
        half = (b.max_total - b.reference_total) * step
        lo = max(b.reference_total - half, 0.0)
        hi = b.reference_total + half
        rules[b.channel] = dataclasses.replace(
            user,
            min_total=max(user.min_total or 0.0, lo),
            max_total=min(user.max_total if user.max_total is not None else math.inf, hi),
            max_weekly=min(
                user.max_weekly if user.max_weekly is not None else math.inf, b.max_weekly
            ),
        )
    return dataclasses.replace(problem, channels=rules)


def _pinned(problem: AllocationProblem, plan: np.ndarray, channels: tuple[str, ...]):
    """The problem with every cell of its horizon pinned to ``plan`` (to account a given plan)."""
    bounds = tuple(
        WeekBound(channel=ch, week=t, min=float(plan[t, c]), max=float(plan[t, c]))
        for t in range(problem.n_weeks)
        for c, ch in enumerate(channels)
    )
    return dataclasses.replace(
        problem,
        budget=float(plan.sum()),
        budget_mode="exact",
        channels={},
        week_bounds=bounds,
        min_roas=None,
        max_cpa=None,
        weekly_cap=None,
        monthly_caps={},
        max_week_change=None,
        always_on_min_share=None,
        no_restart=False,
    )


def without_workable(problem: AllocationProblem) -> AllocationProblem:
    """The problem without the workable-plan rules (week-to-week change, always-on, restarts)."""
    return dataclasses.replace(
        problem,
        max_week_change=None,
        always_on_min_share=None,
        no_restart=False,
        channels={
            ch: dataclasses.replace(r, max_week_change=None, no_restart=None)
            for ch, r in problem.channels.items()
        },
    )


def _feasible_for(problem: AllocationProblem, curves: ResponseCurves, plan: np.ndarray) -> bool:
    """Whether a plan meets the problem's linear rules (budget, bounds, caps)."""
    try:
        res = resolve(problem, curves.channels, curves.current, curves.history)
    except InfeasibleError:
        return False
    full = np.zeros(res.lo.shape)
    full[: problem.n_weeks] = plan
    tol = 1e-6 * max(res.budget, 1.0) + 1e-3
    return linear_rows(res).violation(full) <= tol


def safe_allocate(
    curves: ResponseCurves,
    problem: AllocationProblem,
    *,
    rule: SafeRule = SafeRule(),
    today: np.ndarray | None = None,
    calibration: PromiseCalibration | None = None,
    **solver_options: object,
) -> SafeResult:
    """The best plan that beats today's with probability at least ``1 - alpha``.

    Parameters
    ----------
    curves : ResponseCurves
        Posterior response (at least 4 samples; 200 or more for a stable promise).
    problem : AllocationProblem
        Budget, rules, objective. Candidates maximize the posterior-mean value on the choosing
        half; among the safe ones, the plan kept has the best ``risk`` summary (mean, P10 or
        CVaR) of its paired lift on the held-out half. Today's plan (lift 0) being a candidate,
        the kept plan's risk summary is never below 0: no risk setting recommends a plan
        expected to do worse than today.
    rule : SafeRule
        Safety level, data bounds, trust-region steps, split seed.
    today : numpy.ndarray, optional
        Today's plan, (n_weeks, C) EUR per week (a manager's draft, last year's same weeks);
        default: the recent run-rate every week.
    calibration : PromiseCalibration, optional
        Model-vs-truth ratios for the calibrated promise (default: the shipped ones when
        ``rule.calibrate``).
    **solver_options
        Passed to :func:`~optimizer.allocation.allocate` (method, solver, pieces, ...).

    Returns
    -------
    SafeResult

    Raises
    ------
    InfeasibleError
        The problem's own rules admit no plan.
    """
    t_len, c_len = problem.n_weeks, len(curves.channels)
    today_plan = np.tile(curves.current, (t_len, 1)) if today is None else np.asarray(today, float)
    if today_plan.shape != (t_len, c_len) or (today_plan < 0).any():
        raise ConfigError(
            f"today's plan must be {t_len} weeks x {c_len} channels of spend >= 0, got shape "
            f"{today_plan.shape}."
        )
    if curves.n_samples >= 4:
        choose, report = split_samples(curves.n_samples, rule.seed)
        basis = "held-out half of the posterior samples"
    else:  # a point estimate (or nearly): nothing to hold out, no doubt to guard against
        choose = report = np.arange(curves.n_samples)
        basis = "the same samples (too few to hold any out)"
    c_a, c_b = curves.subset(choose), curves.subset(report)
    mean_problem = dataclasses.replace(problem, risk=dataclasses.replace(problem.risk, kind="mean"))
    reference = _reference(curves, mean_problem, today_plan)
    bounds = data_bounds(curves, reference, rule) if rule.data_bounds else ()
    tail = np.zeros((problem.tail_weeks, c_len))

    def full(plan: np.ndarray) -> np.ndarray:
        return np.vstack([plan, tail])

    rows: list[dict[str, object]] = []
    results: dict[str, tuple[AllocationResult | None, np.ndarray]] = {}
    problems: dict[str, AllocationProblem] = {}

    def consider(name: str, step: float, res: AllocationResult | None, plan: np.ndarray) -> None:
        lift_a = paired_lift(c_a, mean_problem, full(plan), full(today_plan))
        lift_b = paired_lift(c_b, mean_problem, full(plan), full(today_plan))
        rows.append(
            {
                "candidate": name,
                "step": step,
                "lift_choose": float(lift_a.mean()),
                "lift_mean": float(lift_b.mean()),
                "lift_p10": float(np.quantile(lift_b, 0.1)),
                "score": risk_value(lift_b, problem.risk),
                "p_loss": float(np.mean(lift_b < 0)),
                "safe": bool(np.mean(lift_b < 0) <= rule.alpha),
                "status": None if res is None else res.status.value,
                "rel_gap": None if res is None else res.rel_gap,
                "note": "",
            }
        )
        results[name] = (res, plan)

    # today's plan is the manager's own: judged against the budget and the caps, not against
    # the smoothness rules (a supplied Black Friday plan may ramp faster than they allow)
    if _feasible_for(without_workable(mean_problem), curves, today_plan):
        consider("today", 0.0, None, today_plan)
    notes: list[str] = []
    steps = rule.steps if bounds else (1.0,)
    for step in steps:
        name = f"step {step:g}" if bounds else "rules only"
        problems[name] = _bounded(mean_problem, bounds, step)
        try:
            res = allocate(c_a, problems[name], **solver_options)  # type: ignore[arg-type]
        except InfeasibleError as exc:
            notes.append(f"{name}: {exc}")
            continue
        consider(name, step, res, res.plan.to_numpy(float))
    only_today = len(results) == 0 or (len(results) == 1 and "today" in results)
    if only_today and bounds:  # the data bounds conflict with the rules: use the rules alone
        problems["rules only"] = mean_problem
        try:
            res = allocate(c_a, mean_problem, **solver_options)  # type: ignore[arg-type]
            consider("rules only", 1.0, res, res.plan.to_numpy(float))
            notes.append("the data bounds conflict with the rules; the rules alone are used")
        except InfeasibleError:
            pass
    if not results:
        # the problem's own rules admit no plan: let allocate raise its explained error
        allocate(curves, mean_problem, **solver_options)  # type: ignore[arg-type]
        raise InfeasibleError("No plan meets the rules.")  # pragma: no cover
    table = pd.DataFrame(rows)
    safe = table[table["safe"]]
    if len(safe):
        best = safe.iloc[int(np.argmax(safe["score"].to_numpy()))]
        chosen = str(best["candidate"])
        if chosen == "today":
            reason = (
                f"today's plan is kept: no re-allocation beat it in at least "
                f"{1 - rule.alpha:.0%} of the model's samples (P(loss) of the candidates: "
                + ", ".join(
                    f"{r.candidate} {r.p_loss:.0%}"
                    for r in table.itertuples()
                    if r.candidate != "today"
                )
                + ")"
            )
        else:
            what = (
                "expected lift"
                if problem.risk.kind == "mean"
                else f"{problem.risk.label} of the lift"
            )
            where = (
                "the problem's own rules"
                if chosen == "rules only"
                else f"{chosen} of the trust region"
            )
            reason = (
                f"{where}: the highest {what} among plans that beat today's in at least "
                f"{1 - rule.alpha:.0%} of the held-out samples"
            )
    else:
        best = table.iloc[int(np.argmin(table["p_loss"].to_numpy()))]
        chosen = str(best["candidate"])
        reason = (
            f"no plan meets the safety level (P(loss) <= {rule.alpha:.0%}) and today's plan "
            f"breaks the rules (budget or bounds); {chosen} has the lowest risk of loss "
            f"({best['p_loss']:.0%})"
        )
    if notes:
        table.loc[:, "note"] = "; ".join(notes)
    found, plan = results[chosen]
    if chosen == "today":
        problems[chosen] = _pinned(mean_problem, plan, curves.channels)
    kept = (
        found if found is not None else allocate(c_a, problems[chosen], **solver_options)  # type: ignore[arg-type]
    )
    index = kept.plan.index
    cols = list(curves.channels)
    lift_b = paired_lift(c_b, mean_problem, full(plan), full(today_plan))
    lift_a = paired_lift(c_a, mean_problem, full(plan), full(today_plan))
    return SafeResult(
        result=kept,
        problem=problems[chosen],
        plan=pd.DataFrame(plan, index=index, columns=cols),
        today=pd.DataFrame(today_plan, index=index, columns=cols),
        chosen=chosen,
        candidates=table,
        promise=Promise.of(lift_b, basis),
        promise_in_sample=Promise.of(lift_a, "the half of the samples that chose the plan"),
        promise_calibrated=calibrated_promise(lift_b, calibration, rule),
        held_out_lift=lift_b,
        bounds=bounds,
        alpha=rule.alpha,
        reason=reason,
    )
