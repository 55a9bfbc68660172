"""LP/MILP allocation with PuLP: piecewise-linear response on the adstocked spend.

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
samples). Other cases get their certificate from :func:`linearized_bound`.

This is the only module of the package that imports PuLP.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pulp

from optimizer.allocation.polytope import LinearRows
from optimizer.allocation.problem import AllocationProblem, BudgetMode
from optimizer.allocation.pwl import concave_hull, focus_level, local_pieces, pieces_of
from optimizer.errors import ConfigError, InfeasibleError
from optimizer.mmm.curves import ResponseCurves

__all__ = ["SOLVERS", "LPSolution", "linearized_bound", "solve_lp"]

SOLVERS = ("highs", "cbc")


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
        ``"highs"`` or ``"cbc"``.
    seconds : float
        Build and solve time.
    """

    plan: np.ndarray
    model_value: float
    bound: float | None
    mip: bool
    n_vars: int
    n_binaries: int
    solver: str
    seconds: float


def _make_solver(name: str, time_limit: float, gap: float) -> pulp.LpSolver:
    if name == "highs":
        return pulp.HiGHS(msg=False, timeLimit=time_limit, gapRel=gap, threads=1)
    if name == "cbc":
        return pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, gapRel=gap, threads=1)
    raise ConfigError(f"LP solver '{name}' is unknown; use one of {', '.join(SOLVERS)}.")


#: Relative slack of equality rows in the LP (the exact rows are checked on the final plan).
_EQ_TOL = 1e-10


def _objective_value(model: pulp.LpProblem) -> float:
    """The objective at the solution.

    ``LpAffineExpression.value()`` is None when a variable of the objective has no value, which
    CBC leaves for variables it never saw (e.g. every coefficient zero with zero week weights);
    such a variable is at 0 in the solution, so it counts 0 here.
    """
    obj = model.objective
    return float(obj.constant + sum((v.varValue or 0.0) * a for v, a in obj.items()))


def _adstock_terms(weights: np.ndarray, t: int) -> list[tuple[int, float]]:
    """(plan week, weight) pairs feeding week ``t``'s adstock."""
    return [(t - lag, float(weights[lag])) for lag in range(min(len(weights), t + 1))]


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
    around: np.ndarray | None = None,
) -> LPSolution:
    """Solve the piecewise-linear model of the problem.

    Parameters
    ----------
    curves : ResponseCurves
    problem : AllocationProblem
    rows : LinearRows
        The problem's linear constraints and bounds.
    roas_rules : tuple of (int or None, float)
        Minimum ROAS per channel index (None: overall), from :func:`resolve`.
    pieces : int
        Linear pieces per curve.
    scenarios : int
        Posterior samples modelled one by one for ``quantile`` and ``cvar`` risk (chosen with
        ``problem.seed``); the posterior mean uses the sample-mean curve instead.
    solver : {"highs", "cbc"}
    time_limit : float
        Seconds.
    mip_gap : float
        Relative optimality gap at which the MILP stops.
    around : numpy.ndarray or None
        A previous plan (T, C): add breakpoints close to its adstocked spend in every week (a
        refinement pass; its model is then no over-estimator and ``bound`` is None).

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
    a_coef, b_coef = problem.value_coefficients
    risk = problem.risk
    if risk.kind == "mean":
        # one representative curve per channel: sample-mean weights, sample-mean response
        scen_w = curves.weights.mean(axis=0, keepdims=True)  # (1, C, L)
        groups = [np.arange(curves.n_samples)]
        one = curves.subset(slice(0, 1))
        carry = ResponseCurves(
            one.channels, scen_w, one.saturation, one.params, one.beta, one.history, one.current
        ).adstock(np.zeros((t_len, c_len)))  # (1, T, C)
    else:
        rng = np.random.default_rng(problem.seed)
        k = min(scenarios, curves.n_samples)
        pick = np.sort(rng.choice(curves.n_samples, size=k, replace=False))
        scen_w = curves.weights[pick]
        groups = [np.asarray([i]) for i in pick]
        carry = curves.subset(pick).adstock(np.zeros((t_len, c_len)))
    homogeneous = bool(np.allclose(curves.weights, curves.weights[:1], atol=1e-9))
    centers = None
    if around is not None:
        lag = np.arange(scen_w.shape[2])
        idx = np.arange(t_len)[:, None] - lag[None, :]  # (T, L) plan week feeding week t
        padded = np.vstack([np.zeros((scen_w.shape[2], c_len)), np.asarray(around, float)])
        windows = padded[idx + scen_w.shape[2]]  # (T, L, C), zeros before the plan
        centers = carry + np.einsum("tlc,kcl->ktc", windows, scen_w)

    hi = rows.hi.reshape(t_len, c_len)
    model = pulp.LpProblem("allocation", pulp.LpMaximize)
    x = [
        [
            model.add_variable(
                f"x_{t}_{c}", lowBound=float(rows.lo[t * c_len + c]), upBound=float(hi[t, c])
            )
            for c in range(c_len)
        ]
        for t in range(t_len)
    ]
    n_bin = 0
    n_var = t_len * c_len
    shift_total = 0.0
    ww = problem.weights_for(t_len)
    week_w = np.ones(t_len) if ww is None else ww
    # a weight of 1e-12 is worth nothing but puts coefficients below the solver's zero
    # tolerance into the scenario rows (CVaR, quantile), which then read as infeasible
    week_w = np.where(week_w < 1e-9, 0.0, week_w)
    scen_rev: list[pulp.LpAffineExpression] = []
    scen_val: list[pulp.LpAffineExpression] = []
    chan_rev = [pulp.LpAffineExpression() for _ in range(c_len)]
    for k, members in enumerate(groups):
        rev_k = pulp.LpAffineExpression()
        val_k = pulp.LpAffineExpression()
        for c, kind in enumerate(curves.saturation):
            w = scen_w[k, c]
            # the largest adstock any week can reach under the bounds
            top_plan = np.array(
                [sum(wt * hi[s, c] for s, wt in _adstock_terms(w, t)) for t in range(t_len)]
            )
            top = float((carry[k, :, c] + top_plan).max())
            level = max(float(curves.history[:, c].max(initial=0.0)), float(curves.current[c]))
            focus = focus_level(kind, curves.params[members, c], level)
            b, slopes, start, shift = pieces_of(
                kind, curves.params[members, c], curves.beta[members, c], top, focus, pieces
            )
            if len(groups) > 1 and np.any(np.diff(slopes) > 0):
                # scenario models (quantile, CVaR): S-curves by their concave envelope, so that
                # no binaries multiply with the scenarios; SLSQP then works on the exact curves
                b, slopes = concave_hull(b, slopes, start)
            shift_total += shift * float(week_w.sum()) / len(groups)
            per_week = local_pieces(
                kind,
                curves.params[members, c],
                curves.beta[members, c],
                b,
                slopes,
                None if centers is None else centers[k, :, c],
                t_len,
            )
            for t in range(t_len):
                lengths, slopes = per_week[t]
                start_t = start if centers is None else 0.0
                rising = np.nonzero(slopes[1:] > slopes[:-1] * (1 + 1e-9) + 1e-15)[0]
                m = int(rising.max()) + 1 if len(rising) else -1  # last piece of the convex part
                d = [
                    model.add_variable(f"d_{k}_{c}_{t}_{j}", 0, float(lengths[j]))
                    for j in range(len(lengths))
                ]
                n_var += len(d)
                expr = pulp.LpAffineExpression([(x[s][c], wt) for s, wt in _adstock_terms(w, t)])
                model += (
                    pulp.LpAffineExpression([(dj, 1.0) for dj in d])
                    == expr + float(carry[k, t, c]),
                    f"adstock_{k}_{c}_{t}",
                )
                r = pulp.LpAffineExpression(
                    [(d[j], float(slopes[j])) for j in range(len(d))], constant=start_t
                )
                rev_k += r
                val_k += r * float(week_w[t]) if ww is not None else r
                if len(groups) == 1:
                    chan_rev[c] += r
                else:
                    chan_rev[c] += r * (1.0 / len(groups))
                if m >= 0:
                    y = [
                        model.add_variable(f"y_{k}_{c}_{t}_{j}", cat="Binary") for j in range(m + 1)
                    ]
                    n_bin += len(y)
                    for j in range(m):
                        model += d[j] >= float(lengths[j]) * y[j]
                        model += d[j + 1] <= float(lengths[j + 1]) * y[j]
                    model += d[m] >= float(lengths[m]) * y[m]
                    tail = d[m + 1 :]
                    if tail:
                        model += pulp.lpSum(tail) <= float(lengths[m + 1 :].sum()) * y[m]
        scen_rev.append(rev_k)
        scen_val.append(val_k)

    flat = [x[t][c] for t in range(t_len) for c in range(c_len)]
    spend = pulp.LpAffineExpression([(v, 1.0) for v in flat])
    for i in range(len(rows.names)):
        coef = rows.matrix[i]
        nz = np.nonzero(coef)[0]
        expr = pulp.LpAffineExpression([(flat[j], float(coef[j])) for j in nz])
        if rows.equality[i]:
            # the solver reads the model with 12 significant digits: against bounds that pin
            # the plan (a fixed channel, equal weekly bounds) an exact equality can become
            # infeasible by round-off alone
            tol = _EQ_TOL * max(1.0, abs(float(rows.rhs[i])))
            model += expr >= float(rows.rhs[i]) - tol, f"row_{i}_min"
            model += expr <= float(rows.rhs[i]) + tol, f"row_{i}"
        else:
            model += expr <= float(rows.rhs[i]), f"row_{i}"
    mean_rev = pulp.lpSum(scen_rev) * (1.0 / len(groups))
    for ci, rho in roas_rules:
        if ci is None:
            model += mean_rev >= rho * spend, "min_roas_overall"
        else:
            ch_spend = pulp.lpSum(x[t][ci] for t in range(t_len))
            model += chan_rev[ci] >= rho * ch_spend, f"min_roas_{ci}"

    values = [a_coef * r - b_coef * spend for r in scen_val]
    if risk.kind == "mean":
        model += values[0]
    elif risk.kind == "cvar":
        eta = model.add_variable("eta")
        u = [model.add_variable(f"u_{k}", lowBound=0) for k in range(len(values))]
        for k, v in enumerate(values):
            model += u[k] >= eta - v
        model += eta - pulp.lpSum(u) * (1.0 / (risk.level * len(values)))
        n_var += 1 + len(u)
    else:  # quantile: at least K - k + 1 scenarios at or above eta
        kk = max(1, int(np.ceil(risk.level * len(values) - 1e-9)))
        big = a_coef * float(curves.beta.max()) * c_len * t_len + b_coef * float(rows.rhs[0]) + 1.0
        eta = model.add_variable("eta")
        z = [model.add_variable(f"z_{k}", cat="Binary") for k in range(len(values))]
        for k, v in enumerate(values):
            model += eta <= v + big * (1 - z[k])
        model += pulp.lpSum(z) >= len(values) - kk + 1
        model += eta
        n_bin += len(z)
        n_var += 1
    n_var += n_bin

    model.solve(_make_solver(solver, time_limit, mip_gap))
    status = pulp.LpStatus[model.status]
    if status == "Infeasible":
        raise InfeasibleError(_infeasible_message(problem))
    if status not in ("Optimal",) and model.objective.value() is None:
        raise InfeasibleError(f"The LP solver stopped with status '{status}' and no plan.")
    plan = np.array([[max(v.value() or 0.0, 0.0) for v in row] for row in x])
    value = _objective_value(model)
    bound: float | None = None
    if risk.kind == "mean" and homogeneous and status == "Optimal" and around is None:
        # a MILP stops within mip_gap of its dual bound: widen by that tolerance
        model_bound = value + (mip_gap * abs(value) + 1e-6 if n_bin else 1e-6)
        bound = model_bound + a_coef * shift_total
    return LPSolution(
        plan=plan,
        model_value=value,
        bound=bound,
        mip=n_bin > 0,
        n_vars=n_var,
        n_binaries=n_bin,
        solver=solver,
        seconds=time.perf_counter() - t0,
    )


def _infeasible_message(problem: AllocationProblem) -> str:
    rules = []
    if problem.min_roas:
        rules.append(f"overall minimum ROAS {problem.min_roas:g}")
    if problem.max_cpa:
        rules.append(f"maximum CPA {problem.max_cpa:,.2f} EUR")
    rules += [
        f"minimum ROAS {r.min_roas:g} on '{c}'" for c, r in problem.channels.items() if r.min_roas
    ]
    what = ", ".join(rules) if rules else "the caps and bounds"
    mode = BudgetMode(problem.budget_mode).value
    return (
        f"No plan meets {what} with a budget of {problem.budget:,.0f} EUR ({mode}); the response "
        "curves cannot earn that much at this spend. Lower the ROAS/CPA requirement, lower the "
        "budget or use budget mode up_to."
    )


def linearized_bound(
    rows: LinearRows,
    gradient: np.ndarray,
    x0: np.ndarray,
    value0: float,
    roas_cuts: list[tuple[np.ndarray, float]],
    solver: str = "cbc",
) -> float | None:
    """Upper bound ``value0 + max_y g @ (y - x0)`` over the polytope (Frank-Wolfe certificate).

    Valid when the exact value is concave (or over-estimated by a concave function whose value
    at ``x0`` is ``value0`` and supergradient is ``gradient``): ``F(y) <= F(x0) + g @ (y - x0)``.

    Parameters
    ----------
    rows : LinearRows
    gradient : numpy.ndarray
        Supergradient at ``x0``, (T*C,) EUR per EUR.
    x0 : numpy.ndarray
        The plan, (T*C,).
    value0 : float
        Over-estimator value at ``x0``, EUR.
    roas_cuts : list of (numpy.ndarray, float)
        Outer linearizations ``coef @ y >= rhs`` of the minimum-ROAS rules.
    solver : str

    Returns
    -------
    float or None
        The bound, or None when the LP fails.
    """
    n = len(x0)
    model = pulp.LpProblem("certificate", pulp.LpMaximize)
    y = [model.add_variable(f"y{j}", float(rows.lo[j]), float(rows.hi[j])) for j in range(n)]
    for i in range(len(rows.names)):
        nz = np.nonzero(rows.matrix[i])[0]
        expr = pulp.LpAffineExpression([(y[j], float(rows.matrix[i, j])) for j in nz])
        model += (expr == float(rows.rhs[i])) if rows.equality[i] else (expr <= float(rows.rhs[i]))
    for coef, rhs in roas_cuts:
        nz = np.nonzero(coef)[0]
        model += pulp.LpAffineExpression([(y[j], float(coef[j])) for j in nz]) >= float(rhs)
    model += pulp.LpAffineExpression([(y[j], float(gradient[j])) for j in range(n)])
    model.solve(_make_solver(solver, 60.0, 1e-9))
    if pulp.LpStatus[model.status] != "Optimal":
        return None
    return float(value0 + _objective_value(model) - gradient @ x0)
