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
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from optimizer.allocation.calibration import PromiseCalibration
from optimizer.allocation.problem import AllocationProblem
from optimizer.allocation.result import AllocationResult
from optimizer.allocation.safe_candidates import Judge, choose
from optimizer.allocation.safe_problems import (
    bounded,
    data_bounds,
    feasible_for,
    paired_lift,
    pinned,
    reference_plan,
    split_samples,
    without_workable,
)
from optimizer.allocation.safe_result import (
    DEFAULT_RULE,
    ChannelBound,
    Promise,
    SafeResult,
    SafeRule,
    calibrated_promise,
)
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


@dataclass(eq=False)
class _Candidates:
    """The candidate plans found so far, filled by :func:`_search`.

    ``rows``: the candidate table's rows; ``results``: per candidate, the solve that found it
    (None for today's plan) and its plan; ``problems``: the problem each candidate solves;
    ``notes``: why a step gave no candidate.
    """

    judge: Judge
    rows: list[dict[str, object]] = field(default_factory=list)
    results: dict[str, tuple[AllocationResult | None, np.ndarray]] = field(default_factory=dict)
    problems: dict[str, AllocationProblem] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, step: float, res: AllocationResult | None, plan: np.ndarray) -> None:
        """Judge a plan and keep it as a candidate."""
        self.rows.append(self.judge.row(name, step, res, plan))
        self.results[name] = (res, plan)


def _search(
    curves: ResponseCurves,
    judge: Judge,
    bounds: tuple[ChannelBound, ...],
    rule: SafeRule,
    solver_options: dict[str, object],
) -> _Candidates:
    """Today's plan (when it meets the budget and caps) and the best plan of each trust step.

    Each step is solved on the choosing half, inside the data bounds scaled by the step; when
    the bounds conflict with the rules, the rules alone.

    Raises
    ------
    InfeasibleError
        The problem's own rules admit no plan.
    """
    mean_problem, c_a = judge.problem, judge.choosing
    found = _Candidates(judge)
    # today's plan is the manager's own: judged against the budget and the caps, not against
    # the smoothness rules (a supplied Black Friday plan may ramp faster than they allow)
    if feasible_for(without_workable(mean_problem), curves, judge.today):
        found.add("today", 0.0, None, judge.today)
    steps = rule.steps if bounds else (1.0,)
    for step in steps:
        name = f"step {step:g}" if bounds else "rules only"
        found.problems[name] = bounded(mean_problem, bounds, step)
        try:
            res = allocate(c_a, found.problems[name], **solver_options)  # type: ignore[arg-type]
        except InfeasibleError as exc:
            found.notes.append(f"{name}: {exc}")
            continue
        found.add(name, step, res, res.plan.to_numpy(float))
    results = found.results
    only_today = len(results) == 0 or (len(results) == 1 and "today" in results)
    if only_today and bounds:  # the data bounds conflict with the rules: use the rules alone
        found.problems["rules only"] = mean_problem
        try:
            res = allocate(c_a, mean_problem, **solver_options)  # type: ignore[arg-type]
            found.add("rules only", 1.0, res, res.plan.to_numpy(float))
            found.notes.append("the data bounds conflict with the rules; the rules alone are used")
        except InfeasibleError:
            pass
    if not results:
        # the problem's own rules admit no plan: let allocate raise its explained error
        allocate(curves, mean_problem, **solver_options)  # type: ignore[arg-type]
        raise InfeasibleError("No plan meets the rules.")  # pragma: no cover
    return found


def safe_allocate(
    curves: ResponseCurves,
    problem: AllocationProblem,
    *,
    rule: SafeRule = DEFAULT_RULE,
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
        choose_idx, report = split_samples(curves.n_samples, rule.seed)
        basis = "held-out half of the posterior samples"
    else:  # a point estimate (or nearly): nothing to hold out, no doubt to guard against
        choose_idx = report = np.arange(curves.n_samples)
        basis = "the same samples (too few to hold any out)"
    c_a, c_b = curves.subset(choose_idx), curves.subset(report)
    mean_problem = dataclasses.replace(problem, risk=dataclasses.replace(problem.risk, kind="mean"))
    reference = reference_plan(curves, mean_problem, today_plan)
    bounds = data_bounds(curves, reference, rule) if rule.data_bounds else ()
    judge = Judge(c_a, c_b, mean_problem, today_plan, problem.risk, rule.alpha)
    found = _search(curves, judge, bounds, rule, dict(solver_options))
    table = pd.DataFrame(found.rows)
    chosen, reason = choose(table, rule.alpha, problem.risk)
    if found.notes:
        table.loc[:, "note"] = "; ".join(found.notes)
    res, plan = found.results[chosen]
    problems = found.problems
    if chosen == "today":
        problems[chosen] = pinned(mean_problem, plan, curves.channels)
    kept = (
        res if res is not None else allocate(c_a, problems[chosen], **solver_options)  # type: ignore[arg-type]
    )
    index = kept.plan.index
    cols = list(curves.channels)
    lift_b = judge.lift(c_b, plan)
    lift_a = judge.lift(c_a, plan)
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
