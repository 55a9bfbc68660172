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

import time
from contextlib import nullcontext
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from optimizer._version import __version__
from optimizer.allocation.certify import EnvelopeBound, envelope_bound
from optimizer.allocation.evaluate import summarize
from optimizer.allocation.explain import binding_constraints
from optimizer.allocation.lp import SOLVERS, LPSolution, solve_lp
from optimizer.allocation.nonlinear import MAX_VARIABLES, NLSolution, solve_nonlinear
from optimizer.allocation.outcome import channel_table, gap_reasons, input_hash, week_index
from optimizer.allocation.polytope import LinearRows, linear_rows
from optimizer.allocation.problem import AllocationProblem, Objective
from optimizer.allocation.resolve import Resolved, resolve
from optimizer.allocation.result import AllocationResult, Status
from optimizer.allocation.search import feasible, plan_value, tightened_plan
from optimizer.curves import ResponseCurves
from optimizer.errors import ConfigError, InfeasibleError

try:  # installed with pymc; the arrays here are small, BLAS threads only contend
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None

__all__ = ["METHODS", "allocate"]

METHODS = ("auto", "lp", "nonlinear")


@dataclass(frozen=True)
class _Settings:
    """How :func:`allocate` searches and certifies (its keyword arguments, resolved)."""

    method: str
    solver: str
    pieces: int
    scenarios: int
    time_limit: float
    gap_tol: float


@dataclass(frozen=True, eq=False)
class _Found:
    """The plan kept among the candidates, and the solves that made them."""

    chosen: str
    plan: np.ndarray
    value: float
    lp: LPSolution
    lp_value: float
    nl: NLSolution | None


@dataclass(frozen=True)
class _Certificate:
    """The plan's upper bound, its gap and the status they give."""

    upper: float | None
    gap: float | None
    rel_gap: float | None
    status: Status


def _solve_model(
    curves: ResponseCurves,
    problem: AllocationProblem,
    rows: LinearRows,
    roas_rules: tuple[tuple[int | None, float], ...],
    settings: _Settings,
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
            scenarios=settings.scenarios,
            solver=settings.solver,
            time_limit=settings.time_limit,
            **kw,
        )

    pieces = settings.pieces
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
    better = plan_value(curves, problem, fine.plan) >= plan_value(curves, problem, first.plan)
    return replace(
        fine if better else first,
        bound=min(bounds) if bounds else None,
        seconds=first.seconds + fine.seconds,
    )


def _search(
    curves: ResponseCurves,
    problem: AllocationProblem,
    rows: LinearRows,
    res: Resolved,
    settings: _Settings,
    notes: list[str],
) -> _Found:
    """The best feasible plan among the LP plan, its SLSQP refinement and a tightened LP plan.

    Raises
    ------
    InfeasibleError
        No candidate meets every rule under exact evaluation.
    """
    c_len = len(curves.channels)
    t_len = res.lo.shape[0]  # the horizon plus any tail weeks (spend fixed at 0)
    tol = 1e-6 * max(res.budget, 1.0) + 1e-6
    lp = _solve_model(curves, problem, rows, res.roas_rules, settings)
    if lp.status != "optimal":
        notes.append(
            f"the LP/MILP stopped at its time limit ({settings.time_limit:g} s) with its best plan"
        )
    lp_plan = np.clip(lp.plan, rows.lo.reshape(t_len, c_len), rows.hi.reshape(t_len, c_len))
    lp_value = plan_value(curves, problem, lp_plan)
    candidates: list[tuple[str, np.ndarray, float]] = []
    if feasible(lp_plan, rows, res, curves, tol):
        candidates.append(("lp", lp_plan, lp_value))
    else:
        notes.append("the LP plan breaks a rule under exact evaluation; SLSQP repaired it")
    nl = None
    method = settings.method
    run_nl = method == "nonlinear" or (method == "auto" and t_len * c_len <= MAX_VARIABLES)
    if method == "auto" and not run_nl:
        notes.append(f"SLSQP skipped: {t_len * c_len} plan cells > {MAX_VARIABLES}")
    if run_nl or not candidates:
        nl = solve_nonlinear(curves, problem, rows.with_pattern(lp_plan), res.roas_rules, lp_plan)
        if feasible(nl.plan, rows, res, curves, tol):
            candidates.append(("nonlinear", nl.plan, nl.value))
    if not candidates and res.roas_rules:
        retry = tightened_plan(
            curves,
            rows,
            res,
            lp_plan,
            lambda rules: _solve_model(curves, problem, rows, rules, settings).plan,
        )
        if retry is not None:
            candidates.append(("lp", retry, plan_value(curves, problem, retry)))
            notes.append(
                "minimum ROAS / maximum CPA rules tightened in the LP to meet them exactly"
            )
    if not candidates:
        raise InfeasibleError(
            "No plan found that meets every rule under exact evaluation (the LP plan and the "
            "SLSQP refinement both break a minimum ROAS / maximum CPA rule); relax those rules."
        )
    chosen, plan, value = max(candidates, key=lambda c: c[2])
    return _Found(chosen, plan, value, lp, lp_value, nl)


def _certify(
    curves: ResponseCurves,
    problem: AllocationProblem,
    rows: LinearRows,
    res: Resolved,
    found: _Found,
    gap_tol: float,
    notes: list[str],
) -> _Certificate:
    """The smallest valid upper bound: the LP's, else the concave envelope's; gap and status."""
    lp, value = found.lp, found.value
    bounds = []
    if lp.bound is not None:
        bounds.append(lp.bound)
        notes.append("bound: piecewise-linear model (MILP/LP) plus its over-estimation shift")
    certified = lp.bound is not None and lp.bound - value <= gap_tol * max(abs(lp.bound), 1.0)
    env: EnvelopeBound | None = None
    if not certified and problem.risk.kind != "quantile":
        target = value + 0.5 * gap_tol * max(abs(value), 1.0)
        # certificate LPs run in HiGHS whatever the solver (pure LPs, no process to start)
        env = envelope_bound(
            curves, problem, rows, res.roas_rules, found.plan, "highs", target=target
        )
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
        notes.extend(gap_reasons(curves, problem, lp, found.lp_value, env, gap, upper))
    return _Certificate(upper, gap, rel_gap, status)


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
    if solver not in SOLVERS:
        raise ConfigError(f"LP solver '{solver}' is unknown; use one of {', '.join(SOLVERS)}.")
    if pieces is None:
        cells = (problem.n_weeks + problem.tail_weeks) * len(curves.channels)
        pieces = 40 if cells <= MAX_VARIABLES else 24
        if problem.risk.kind != "mean":
            pieces = 16  # one curve per scenario: size multiplies with the scenarios
    limit = threadpool_limits(limits=1, user_api="blas") if threadpool_limits else nullcontext()
    with limit:
        settings = _Settings(method, solver, pieces, scenarios, time_limit, gap_tol)
        return _allocate(curves, problem, settings)


def _allocate(
    curves: ResponseCurves, problem: AllocationProblem, settings: _Settings
) -> AllocationResult:
    """Resolve the rules -> search the plans -> certify the best -> the result."""
    t0 = time.perf_counter()
    res = resolve(problem, curves.channels, curves.current, curves.history)
    rows = linear_rows(res)
    notes: list[str] = []
    found = _search(curves, problem, rows, res, settings, notes)
    cert = _certify(curves, problem, rows, res, found, settings.gap_tol, notes)
    return _result(curves, problem, res, rows, found, cert, notes, t0)


def _result(
    curves: ResponseCurves,
    problem: AllocationProblem,
    res: Resolved,
    rows: LinearRows,
    found: _Found,
    cert: _Certificate,
    notes: list[str],
    t0: float,
) -> AllocationResult:
    """The result: plans, outcomes on every sample, channel table, binding rules, provenance."""
    plan, lp, nl = found.plan, found.lp, found.nl
    n_plan, t_len = problem.n_weeks, res.lo.shape[0]
    a, b = problem.value_coefficients
    current = np.zeros((t_len, len(curves.channels)))
    current[:n_plan] = curves.current
    rev_opt = curves.total(plan)
    rev_cur = curves.total(current)
    weekly = curves.weekly(plan).mean(axis=0)
    index = week_index(problem, n_plan)
    solver_name = f"{lp.solver}-{'milp' if lp.mip else 'lp'}" + ("+slsqp" if nl else "")
    return AllocationResult(
        status=cert.status,
        objective=Objective(problem.objective).value,
        risk=problem.risk.label,
        value=found.value,
        upper_bound=cert.upper,
        gap=cert.gap,
        rel_gap=cert.rel_gap,
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
        channels=channel_table(curves, plan, current, n_plan),
        binding=binding_constraints(plan, problem, res, rows, curves.channels, weekly),
        solver=solver_name,
        chosen=found.chosen,
        lp_model_value=lp.model_value,
        lp_plan_value=found.lp_value,
        nonlinear_value=None if nl is None else nl.value,
        seconds=time.perf_counter() - t0,
        version=__version__,
        seed=problem.seed,
        input_hash=input_hash(curves, problem),
        notes=tuple(notes),
    )
