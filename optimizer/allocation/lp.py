"""LP/MILP allocation: piecewise-linear response on the adstocked spend, built as arrays.

Adstock is linear in the plan, so each week's adstocked spend ``a[t, c]`` is a linear expression
of the plan (plus the carry-over of the history), and the response is a one-dimensional curve of
``a``. Each curve is replaced by its chord interpolant on adaptively chosen breakpoints, written
in *incremental* form ``a = sum_k d_k``, ``0 <= d_k <= len_k``, ``r = sum_k slope_k d_k``:

* concave curves (Hill slope <= 1, logistic): slopes decrease, a maximizer fills the pieces in
  order by itself, so the model is a pure LP;
* S-shaped curves (Hill slope > 1): the slopes first increase; one binary per piece of the
  convex part forces the fill order (a MILP) and the concave tail stays continuous.

The chord interpolant lies below a concave piece by at most ``e`` (measured on a fine sub-grid
per piece) and above a convex piece, so ``chords + max e`` over-estimates the curve and the
(MILP) bound of the model plus ``a * sum(max e)`` bounds the best value of the exact curves when
the model is exact in everything else (posterior-mean risk and adstock weights equal across
samples). Other cases get their certificate from :mod:`optimizer.allocation.certify`.

The no-restart rule adds one binary per week of each channel it constrains (on/off) with
``level * z <= x <= hi * z`` and the weeks on forming one block.

Models go to HiGHS or CBC through :mod:`optimizer.allocation.backend` without a modelling layer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from optimizer.allocation.backend import SOLVERS, ModelBuilder, run_model
from optimizer.allocation.lp_response import (
    DENSE,
    PieceSettings,
    PlanGrid,
    ResponseTerms,
    ScenarioCurves,
    add_response,
    scenario_curves,
)
from optimizer.allocation.lp_rows import (
    add_linear_rows,
    add_objective,
    add_onoff,
    add_roas_rows,
    infeasible_message,
)
from optimizer.allocation.polytope import LinearRows
from optimizer.allocation.problem import AllocationProblem
from optimizer.curves import ResponseCurves
from optimizer.errors import InfeasibleError

__all__ = ["DENSE", "PIECE_TOL", "SOLVERS", "LPSolution", "add_linear_rows", "solve_lp"]

#: Chord error at which no more breakpoints are placed, relative to the weekly revenue of all
#: channels at their run-rate (summed over the horizon it stays near 1e-4 of the revenue).
PIECE_TOL = 3e-4

#: With ``relax_toes``, a plan stands for the model with binaries when the hull exceeds the
#: pieces at it by at most this share of the model's value: the MILP's optimum is at most the
#: LP's, and the plan is worth at least the LP's optimum minus that excess in the pieces, so
#: it is within this share of the MILP's plan (a quarter of the default gap tolerance).
_BRIDGE_TOL = 2.5e-4


@dataclass(frozen=True, eq=False)
class LPSolution:
    """What the PWL model returns.

    Attributes
    ----------
    plan : numpy.ndarray
        (T, C) EUR per week.
    model_value : float
        Optimal value of the PWL model (its own estimate of the risk-adjusted value), EUR.
    bound : float or None
        A valid upper bound on the exact problem's optimum (None when the model is not an
        over-estimator of the exact problem), EUR.
    mip : bool
        Whether binaries were needed.
    n_vars, n_binaries : int
        Model size.
    solver : str
        ``"highs"`` or ``"cbc"`` (the one that ran).
    seconds : float
        Build and solve time.
    status : str
        ``optimal`` or ``stopped`` (time limit, best plan found).
    exact : bool
        With ``relax_toes``: the plan's cells lie where the hull equals the pieces, up to
        ``_BRIDGE_TOL`` of the value (the plan then stands for the model with binaries). Always
        True otherwise.
    shape_mip : bool
        Whether binaries were needed for the curves (S-shaped, quantile risk), not only for the
        no-restart rule.
    """

    plan: np.ndarray
    model_value: float
    bound: float | None
    mip: bool
    n_vars: int
    n_binaries: int
    solver: str
    seconds: float
    status: str = "optimal"
    shape_mip: bool = False
    exact: bool = True


def solve_lp(
    curves: ResponseCurves,
    problem: AllocationProblem,
    rows: LinearRows,
    roas_rules: tuple[tuple[int | None, float], ...] = (),
    *,
    pieces: int = 24,
    scenarios: int = 30,
    solver: str = "cbc",
    time_limit: float = 60.0,
    mip_gap: float = 1e-4,
    dense: np.ndarray | None = None,
    piece_tol: float = PIECE_TOL,
    relax_toes: bool = False,
) -> LPSolution:
    """Solve the piecewise-linear model of the problem.

    Parameters
    ----------
    curves : ResponseCurves
    problem : AllocationProblem
    rows : LinearRows
        The problem's linear constraints, bounds and no-restart rule.
    roas_rules : tuple of (int or None, float)
        Minimum ROAS per channel index (None: overall), from :func:`resolve`.
    pieces : int
        Largest number of linear pieces per curve.
    scenarios : int
        Posterior samples modelled one by one for ``quantile`` and ``cvar`` risk (chosen with
        ``problem.seed``); the posterior mean uses the sample-mean curve instead.
    solver : {"cbc", "highs"}
        MILP solver (LPs run in HiGHS).
    time_limit : float
        Seconds.
    mip_gap : float
        Relative optimality gap at which the MILP stops.
    dense : numpy.ndarray or None
        A previous plan (T, C): add ``DENSE`` breakpoints over the range of its adstocked spend
        in each channel (and span: horizon, tail). The model stays an over-estimator (its bound
        stays valid) and becomes tight where the plan is.
    piece_tol : float
        Chord error at which no more pieces are placed, relative to the weekly run-rate revenue
        of all channels (0: always ``pieces``).
    relax_toes : bool
        Model S-shaped pieces by their concave hull and the no-restart on/off variables as
        continuous (no binaries; a relaxation, so the bound stays valid). ``LPSolution.exact``
        then says whether the plan sits where the hull equals the pieces and meets the
        no-restart rule as it is, i.e. whether it also solves the model with binaries.

    Returns
    -------
    LPSolution

    Raises
    ------
    InfeasibleError
        The solver proves the model infeasible (typically minimum ROAS / maximum CPA rules).
    """
    t0 = time.perf_counter()
    c_len = len(curves.channels)
    t_len = rows.lo.size // c_len  # horizon plus any tail weeks
    a_coef = problem.value_coefficients[0]
    scen = scenario_curves(curves, problem, t_len, scenarios)
    homogeneous = bool(np.allclose(curves.weights, curves.weights[:1], atol=1e-9))
    ww = problem.weights_for(t_len)
    week_w = np.ones(t_len) if ww is None else ww
    # a weight of 1e-12 is worth nothing but puts coefficients below the solver's zero
    # tolerance into the scenario rows (CVaR, quantile), which then read as infeasible
    week_w = np.where(week_w < 1e-9, 0.0, week_w)
    # chord error tolerance: a share of the weekly revenue at the run-rate (all channels)
    level_rev = float(curves.steady_state(curves.current).mean(axis=0).sum())
    tol_abs = piece_tol * max(level_rev, 1e-9) / max(c_len, 1)

    b = ModelBuilder()
    x = b.cols(rows.lo, rows.hi)
    grid = PlanGrid(
        x, rows.lo.reshape(t_len, c_len), rows.hi.reshape(t_len, c_len), week_w, problem.n_weeks
    )
    settings = PieceSettings(pieces, tol_abs, dense, relax_toes)
    terms = add_response(b, curves, scen, grid, a_coef, settings)
    n_bin = terms.n_bin + add_objective(b, problem, curves, rows, grid, terms)
    add_linear_rows(b, rows, x)
    add_roas_rows(b, roas_rules, grid, terms)
    shape_bins = n_bin
    if rows.onoff is not None:
        # relax_toes: the on/off variables continuous too (a relaxation); checked below
        onoff_vars = add_onoff(b, rows.onoff, grid.xg, grid.hi, relax=relax_toes)
        n_bin += 0 if relax_toes else onoff_vars

    model = b.build()
    out = run_model(model, solver, time_limit, mip_gap)
    if out.status == "infeasible":
        raise InfeasibleError(infeasible_message(problem, rows))
    if out.x is None or out.objective is None:
        raise InfeasibleError(f"The LP solver stopped with status '{out.status}' and no plan.")
    plan = np.maximum(out.x[x].reshape(t_len, c_len), 0.0)
    exact = True
    if relax_toes and terms.bridged:
        gap = _hull_excess(plan, scen, grid, terms)
        exact = a_coef * gap <= _BRIDGE_TOL * max(abs(out.objective), 1.0)
    if relax_toes and rows.onoff is not None:
        # the relaxed on/off plan meets the rule as it is: it solves the model with binaries
        exact = exact and rows.onoff.violation(plan) <= 1e-6 * max(float(rows.hi.max()), 1.0)
    bound: float | None = None
    if problem.risk.kind == "mean" and homogeneous and out.bound is not None:
        bound = out.bound + 1e-6 * max(1.0, abs(out.bound)) + a_coef * terms.shift_total
    return LPSolution(
        plan=plan,
        model_value=out.objective,
        bound=bound,
        mip=n_bin > 0,
        n_vars=model.n_cols,
        n_binaries=n_bin,
        solver=solver if model.n_integer else "highs",
        seconds=time.perf_counter() - t0,
        status=out.status,
        shape_mip=shape_bins > 0,
        exact=exact,
    )


def _hull_excess(
    plan: np.ndarray, scen: ScenarioCurves, grid: PlanGrid, terms: ResponseTerms
) -> float:
    """How much the hulls exceed the S-shaped pieces they replaced at ``plan`` (week-weighted)."""
    gap = 0.0
    for k, c, first, end_, bp0, sl0, st0, bph, slh in terms.bridged:
        a = scen.carry[k, first:end_, c] + np.convolve(plan[:, c], scen.weights[k, c])[first:end_]
        v0 = st0 + np.concatenate([[0.0], np.cumsum(sl0 * np.diff(bp0))])
        vh = st0 + np.concatenate([[0.0], np.cumsum(slh * np.diff(bph))])
        over = np.interp(a, bph, vh) - np.interp(a, bp0, v0)
        gap += float((np.maximum(over, 0.0) * grid.week_w[first:end_]).sum())
    return gap
