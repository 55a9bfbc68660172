"""Public entry point: ``allocate(curves, problem)`` -> :class:`AllocationResult`.

Pipeline: resolve the rules (conflicts raise :class:`InfeasibleError` with figures), solve the
piecewise-linear model globally (an LP with S-shaped toes by their concave hull when its plan
avoids them, else the MILP), refine with SLSQP on the exact curves, keep the
better *feasible* plan under exact evaluation on every posterior sample, and certify it with the
smallest valid upper bound:

* the PWL model's bound plus its over-estimation shift, when the model is exact apart from the
  piecewise approximation (posterior mean, adstock weights equal across samples);
* the bound of the concave envelope of every sample's curve on the spend the rules leave
  reachable (equal to the curves where they are concave), maximized by cutting planes for the
  mean and linearized at the plan for CVaR, valid whatever the samples
  (:mod:`optimizer.allocation.certify`); it is computed only when the first one is missing or
  does not certify the plan.

The no-restart rule is modelled with binaries in the MILP; SLSQP keeps the on/off pattern of
the plan it starts from, and every candidate plan is checked
against all rules, the no-restart rule included, before it can be reported.
"""

from __future__ import annotations

import hashlib
import json
import time
from contextlib import nullcontext
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from optimizer._version import __version__
from optimizer.allocation.certify import EnvelopeBound, envelope_bound
from optimizer.allocation.evaluate import risk_value, summarize
from optimizer.allocation.explain import binding_constraints
from optimizer.allocation.lp import LPSolution, solve_lp
from optimizer.allocation.nonlinear import MAX_VARIABLES, solve_nonlinear
from optimizer.allocation.polytope import LinearRows, linear_rows
from optimizer.allocation.problem import AllocationProblem, Objective
from optimizer.allocation.resolve import Resolved, resolve
from optimizer.allocation.result import AllocationResult, Status
from optimizer.curves import ResponseCurves
from optimizer.errors import ConfigError, InfeasibleError
from optimizer.solving import check_solver

try:  # installed with pymc; the arrays here are small, BLAS threads only contend
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None

__all__ = ["METHODS", "allocate"]

METHODS = ("auto", "lp", "nonlinear")


def _hash(curves: ResponseCurves, problem: AllocationProblem) -> str:
    h = hashlib.sha256()
    for arr in (curves.weights, curves.params, curves.beta, curves.history, curves.current):
        h.update(np.ascontiguousarray(arr, dtype=float).tobytes())
    h.update(json.dumps([curves.channels, curves.saturation]).encode())
    h.update(repr(problem).encode())
    return h.hexdigest()


def _feasible(
    plan: np.ndarray,
    rows: LinearRows,
    res: Resolved,
    curves: ResponseCurves,
    tol: float,
) -> bool:
    if rows.violation(plan) > tol:
        return False
    if res.roas_rules:
        weekly = curves.weekly(plan).mean(axis=0)
        for ci, rho in res.roas_rules:
            spend = plan.sum() if ci is None else plan[:, ci].sum()
            rev = weekly.sum() if ci is None else weekly[:, ci].sum()
            if rev - rho * spend < -tol:
                return False
    return True


def _value(curves: ResponseCurves, problem: AllocationProblem, plan: np.ndarray) -> float:
    a, b = problem.value_coefficients
    ww = problem.weights_for(plan.shape[0])
    return risk_value(a * curves.total(plan, ww) - b * plan.sum(), problem.risk)


def _solve_model(
    curves: ResponseCurves,
    problem: AllocationProblem,
    rows: LinearRows,
    roas_rules: tuple[tuple[int | None, float], ...],
    pieces: int,
    scenarios: int,
    solver: str,
    time_limit: float,
) -> LPSolution:
    """Solve the global model: LP first, the MILP only when the LP cannot stand for it.

    For the posterior mean, S-shaped pieces are first replaced by their concave hull (a pure LP,
    still an over-estimator); when the plan sits where the hull equals the pieces it solves the
    model with binaries too and the MILP is skipped (its bound is the LP's), and a second LP
    with pieces dense around that plan refines the plan and tightens the bound. Otherwise, and
    for quantile/CVaR risk, the model with binaries is solved.
    """

    def run(rows_: LinearRows, **kw: Any) -> LPSolution:
        return solve_lp(
            curves,
            problem,
            rows_,
            roas_rules,
            scenarios=scenarios,
            solver=solver,
            time_limit=time_limit,
            **kw,
        )

    if problem.risk.kind != "mean":
        return run(rows, pieces=pieces)
    first = run(rows, pieces=pieces, relax_toes=True)
    if not first.exact:
        full = run(rows, pieces=pieces)
        # the relaxed LP's optimum bounds the problem too
        bounds = [v for v in (first.bound, full.bound) if v is not None]
        return replace(
            full, bound=min(bounds) if bounds else None, seconds=full.seconds + first.seconds
        )
    # second pass: coarse pieces everywhere, dense over the first plan's adstock (tight there,
    # an over-estimator everywhere: its bound is valid too); the no-restart pattern of the first
    # plan fixed (the second plan then meets the rule, its bound is not kept)
    fixed = rows.onoff is not None
    fine = run(
        rows.with_pattern(first.plan) if fixed else rows,
        pieces=max(pieces // 3, 8),
        relax_toes=True,
        dense=first.plan,
    )
    if not fine.exact:
        return first
    bounds = [v for v in (first.bound, None if fixed else fine.bound) if v is not None]
    better = _value(curves, problem, fine.plan) >= _value(curves, problem, first.plan)
    return replace(
        fine if better else first,
        bound=min(bounds) if bounds else None,
        seconds=first.seconds + fine.seconds,
    )


def _tightened_lp(
    curves: ResponseCurves,
    problem: AllocationProblem,
    rows: LinearRows,
    res: Resolved,
    plan: np.ndarray,
    pieces: int,
    scenarios: int,
    solver: str,
    time_limit: float,
) -> np.ndarray | None:
    """Re-solve the LP with the ROAS rules raised by the exact shortfall of ``plan``.

    The piecewise-linear curves over-estimate revenue slightly, so when a ROAS rule binds the LP
    plan can sit just outside it, and SLSQP may fail to repair it. Returns a plan meeting every
    rule under exact evaluation, or None.
    """
    tol = 1e-6 * max(res.budget, 1.0) + 1e-6
    rules = list(res.roas_rules)
    for _ in range(4):
        weekly = curves.weekly(plan).mean(axis=0)
        tighter = []
        for (ci, rho), (_, rho0) in zip(rules, res.roas_rules, strict=True):
            spend = plan.sum() if ci is None else plan[:, ci].sum()
            rev = weekly.sum() if ci is None else weekly[:, ci].sum()
            short = rho0 * spend / rev if rev > 0 else 1.0
            tighter.append((ci, rho * max(short, 1.0) * (1.0 + 1e-3)))
        rules = tighter
        try:
            lp = _solve_model(
                curves, problem, rows, tuple(rules), pieces, scenarios, solver, time_limit
            )
        except InfeasibleError:
            return None
        plan = np.clip(lp.plan, res.chain_lo, res.finite_hi())
        if _feasible(plan, rows, res, curves, tol):
            return plan
    return None


def allocate(
    curves: ResponseCurves,
    problem: AllocationProblem,
    method: str = "auto",
    *,
    solver: str = "cbc",
    pieces: int | None = None,
    scenarios: int = 30,
    time_limit: float = 60.0,
    gap_tol: float = 1e-3,
) -> AllocationResult:
    """Find the best media plan for a problem under posterior response curves.

    Parameters
    ----------
    curves : ResponseCurves
        Posterior response (S samples, C channels), with history for carry-over.
    problem : AllocationProblem
    method : {"auto", "lp", "nonlinear"}
        ``lp``: piecewise-linear model only; ``nonlinear``: SLSQP from the LP plan too (always);
        ``auto``: both, SLSQP skipped above ``MAX_VARIABLES`` plan cells.
    solver : {"cbc", "highs"}
        MILP solver: the CBC program bundled with PuLP (default) or HiGHS; pure LPs always run
        in HiGHS in the process.
    pieces : int or None
        Linear pieces per response curve in the LP; default 40 up to ``MAX_VARIABLES`` plan
        cells, 24 above (bigger models, and no SLSQP polish to make up for the coarser grid),
        16 for quantile/CVaR risk (one curve per scenario).
    scenarios : int
        Posterior samples modelled one by one in the LP for quantile/CVaR risk.
    time_limit : float
        Seconds for each LP/MILP solve.
    gap_tol : float
        Relative certified gap under which the status is ``OPTIMAL``.

    Returns
    -------
    AllocationResult

    Raises
    ------
    InfeasibleError
        Conflicting rules (named, with amounts) or no plan meeting the ROAS/CPA rules.
    ConfigError
        Unknown channel in the rules, unknown method or solver.
    """
    if method not in METHODS:
        raise ConfigError(f"method '{method}' is unknown; use one of {', '.join(METHODS)}.")
    check_solver(solver)
    if pieces is None:
        cells = (problem.n_weeks + problem.tail_weeks) * len(curves.channels)
        pieces = 40 if cells <= MAX_VARIABLES else 24
        if problem.risk.kind != "mean":
            pieces = 16  # one curve per scenario: size multiplies with the scenarios
    limit = threadpool_limits(limits=1, user_api="blas") if threadpool_limits else nullcontext()
    with limit:
        return _allocate(curves, problem, method, solver, pieces, scenarios, time_limit, gap_tol)


def _allocate(
    curves: ResponseCurves,
    problem: AllocationProblem,
    method: str,
    solver: str,
    pieces: int,
    scenarios: int,
    time_limit: float,
    gap_tol: float,
) -> AllocationResult:
    t0 = time.perf_counter()
    res = resolve(problem, curves.channels, curves.current, curves.history)
    rows = linear_rows(res)
    n_plan, c_len = problem.n_weeks, len(curves.channels)
    t_len = res.lo.shape[0]  # the horizon plus any tail weeks (spend fixed at 0)
    tol = 1e-6 * max(res.budget, 1.0) + 1e-6
    notes: list[str] = []
    box_lo = rows.lo.reshape(t_len, c_len)
    box_hi = rows.hi.reshape(t_len, c_len)

    lp = _solve_model(curves, problem, rows, res.roas_rules, pieces, scenarios, solver, time_limit)
    if lp.status != "optimal":
        notes.append(f"the LP/MILP stopped at its time limit ({time_limit:g} s) with its best plan")
    lp_plan = np.clip(lp.plan, box_lo, box_hi)
    lp_value = _value(curves, problem, lp_plan)
    candidates: list[tuple[str, np.ndarray, float]] = []
    if _feasible(lp_plan, rows, res, curves, tol):
        candidates.append(("lp", lp_plan, lp_value))
    else:
        notes.append("the LP plan breaks a rule under exact evaluation; SLSQP repaired it")
    nl = None
    run_nl = method == "nonlinear" or (method == "auto" and t_len * c_len <= MAX_VARIABLES)
    if method == "auto" and not run_nl:
        notes.append(f"SLSQP skipped: {t_len * c_len} plan cells > {MAX_VARIABLES}")
    if run_nl or not candidates:
        nl = solve_nonlinear(curves, problem, rows.with_pattern(lp_plan), res.roas_rules, lp_plan)
        if _feasible(nl.plan, rows, res, curves, tol):
            candidates.append(("nonlinear", nl.plan, nl.value))
    if not candidates and res.roas_rules:
        retry = _tightened_lp(
            curves, problem, rows, res, lp_plan, pieces, scenarios, solver, time_limit
        )
        if retry is not None:
            candidates.append(("lp", retry, _value(curves, problem, retry)))
            notes.append(
                "minimum ROAS / maximum CPA rules tightened in the LP to meet them exactly"
            )
    if not candidates:
        raise InfeasibleError(
            "No plan found that meets every rule under exact evaluation (the LP plan and the "
            "SLSQP refinement both break a minimum ROAS / maximum CPA rule); relax those rules."
        )
    chosen, plan, value = max(candidates, key=lambda c: c[2])

    bounds = []
    if lp.bound is not None:
        bounds.append(lp.bound)
        notes.append("bound: piecewise-linear model (MILP/LP) plus its over-estimation shift")
    certified = lp.bound is not None and lp.bound - value <= gap_tol * max(abs(lp.bound), 1.0)
    env = None
    if not certified and problem.risk.kind != "quantile":
        target = value + 0.5 * gap_tol * max(abs(value), 1.0)
        # certificate LPs run in HiGHS whatever the solver (pure LPs, no process to start)
        env = envelope_bound(curves, problem, rows, res.roas_rules, plan, "highs", target=target)
        if env.bound is not None:
            bounds.append(env.bound)
            notes.append(
                "bound: concave envelope of every posterior sample's curve on the spend the "
                f"rules leave reachable ({env.rounds} cutting-plane LP"
                + ("s)" if env.rounds != 1 else ")")
            )
    if problem.risk.kind == "quantile":
        notes.append("a low quantile is not concave in the plan: the gap cannot be certified")
    upper = max(min(bounds), value) if bounds else None
    gap = None if upper is None else upper - value
    rel_gap = None if gap is None else gap / max(abs(upper or 0.0), 1.0)
    status = Status.OPTIMAL if rel_gap is not None and rel_gap <= gap_tol else Status.FEASIBLE
    if status is Status.FEASIBLE and gap is not None:
        notes.extend(_gap_reasons(curves, problem, lp, lp_value, env, gap, upper))

    a, b = problem.value_coefficients
    current = np.zeros((t_len, c_len))
    current[:n_plan] = curves.current
    rev_opt = curves.total(plan)
    rev_cur = curves.total(current)
    weekly = curves.weekly(plan).mean(axis=0)
    grad = curves.gradient(plan).mean(axis=0)  # (T, C)
    spend_c = plan.sum(axis=0)
    wts = np.where(spend_c[None, :] > 0, plan / np.where(spend_c > 0, spend_c, 1.0), 1.0 / t_len)
    mroas = (grad * wts).sum(axis=0)
    steady = curves.marginal_roas(plan[:n_plan].mean(axis=0)).mean(axis=0)
    rev_c = weekly.sum(axis=0)
    index = _week_index(problem, n_plan)
    channels = pd.DataFrame(
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
    solver_name = f"{lp.solver}-{'milp' if lp.mip else 'lp'}" + ("+slsqp" if nl else "")
    return AllocationResult(
        status=status,
        objective=Objective(problem.objective).value,
        risk=problem.risk.label,
        value=value,
        upper_bound=upper,
        gap=gap,
        rel_gap=rel_gap,
        plan=pd.DataFrame(plan[:n_plan], index=index, columns=list(curves.channels)),
        current_plan=pd.DataFrame(current[:n_plan], index=index, columns=list(curves.channels)),
        revenue=summarize(rev_opt),
        current_revenue=summarize(rev_cur),
        revenue_lift=summarize(rev_opt - rev_cur),
        objective_outcome=summarize(
            a * curves.total(plan, problem.weights_for(t_len)) - b * plan.sum()
        ),
        current_objective_outcome=summarize(
            a * curves.total(current, problem.weights_for(t_len)) - b * current.sum()
        ),
        channels=channels,
        binding=binding_constraints(plan, problem, res, rows, curves.channels, weekly),
        solver=solver_name,
        chosen=chosen,
        lp_model_value=lp.model_value,
        lp_plan_value=lp_value,
        nonlinear_value=None if nl is None else nl.value,
        seconds=time.perf_counter() - t0,
        version=__version__,
        seed=problem.seed,
        input_hash=_hash(curves, problem),
        notes=tuple(notes),
    )


def _gap_reasons(
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


def _week_index(problem: AllocationProblem, t_len: int) -> pd.Index:
    starts = problem.week_starts()
    if starts is None:
        return pd.RangeIndex(t_len, name="week")
    return pd.DatetimeIndex(pd.to_datetime(starts), name="week")
