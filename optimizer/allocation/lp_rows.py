"""The LP/MILP allocation model's rows besides the response pieces (see :mod:`.lp`).

The objective for each risk measure (posterior mean, CVaR, quantile), the minimum ROAS rows,
the problem's linear rows (budget, caps, bounds, week-to-week changes) and the no-restart
rule's on/off variables.
"""

from __future__ import annotations

import numpy as np

from optimizer.allocation.lp_response import PlanGrid, ResponseTerms
from optimizer.allocation.polytope import LinearRows, OnOff
from optimizer.allocation.problem import AllocationProblem, BudgetMode
from optimizer.allocation.sparse_model import ModelBuilder
from optimizer.curves import ResponseCurves

__all__ = ["add_linear_rows", "add_objective", "add_onoff", "add_roas_rows", "infeasible_message"]

#: Relative slack of equality rows in the LP (the exact rows are checked on the final plan).
_EQ_TOL = 1e-10


def add_objective(
    b: ModelBuilder,
    problem: AllocationProblem,
    curves: ResponseCurves,
    rows: LinearRows,
    grid: PlanGrid,
    terms: ResponseTerms,
) -> int:
    """The risk-adjusted value as the model's objective; returns the binaries it adds.

    Posterior mean: the value of the one representative group. CVaR: ``eta - mean(u) / level``
    with ``u_k >= eta - v_k``. Quantile: ``eta`` under the value of at least ``K - k + 1``
    groups (one binary per group lets the others fall below).
    """
    a_coef, b_coef = problem.value_coefficients
    risk, x, n_groups = problem.risk, grid.x, terms.n_groups
    rev_cols, val_coef, val_const = terms.rev_cols, terms.val_coef, terms.val_const
    spend_cost = -b_coef
    if risk.kind == "mean":
        b.cost(x, spend_cost)
        for cols, coefs in zip(rev_cols[0], val_coef[0], strict=True):
            b.cost(cols, coefs)
        b.offset = float(val_const[0])
        return 0
    if risk.kind == "cvar":
        eta = b.cols(-np.inf, np.inf)
        u = b.cols(0.0, np.inf, n_groups)
        for k in range(n_groups):
            # u_k - eta + v_k >= 0 with v_k = sum(val d) + const - b * spend
            cols = np.concatenate([u[k : k + 1], eta, *rev_cols[k], x])
            vals = np.concatenate([[1.0, -1.0], *val_coef[k], np.full(x.size, spend_cost)])
            b.rows(np.zeros(cols.size), cols, vals, -val_const[k], np.inf, count=1)
        b.cost(eta, 1.0)
        b.cost(u, -1.0 / (risk.level * n_groups))
        return 0
    # quantile: at least K - k + 1 scenarios at or above eta
    c_len, t_len = len(curves.channels), grid.t_len
    kk = max(1, int(np.ceil(risk.level * n_groups - 1e-9)))
    big = a_coef * float(curves.beta.max()) * c_len * t_len + b_coef * float(rows.rhs[0]) + 1.0
    eta = b.cols(-np.inf, np.inf)
    z = b.cols(0.0, 1.0, n_groups, integer=True)
    for k in range(n_groups):
        # eta - v_k + big z_k <= big
        cols = np.concatenate([eta, z[k : k + 1], *rev_cols[k], x])
        vals = np.concatenate(
            [[1.0, big], *[-v for v in val_coef[k]], np.full(x.size, -spend_cost)]
        )
        b.rows(np.zeros(cols.size), cols, vals, -np.inf, big + val_const[k], count=1)
    b.rows(np.zeros(n_groups), z, 1.0, n_groups - kk + 1, np.inf, count=1)
    b.cost(eta, 1.0)
    return n_groups


def add_roas_rows(
    b: ModelBuilder,
    roas_rules: tuple[tuple[int | None, float], ...],
    grid: PlanGrid,
    terms: ResponseTerms,
) -> None:
    """Minimum ROAS rows: mean revenue ``>= rho`` times the spend, overall or per channel."""
    x, xg, n_groups = grid.x, grid.xg, terms.n_groups
    for ci, rho in roas_rules:
        if ci is None:
            # mean revenue - rho * spend >= 0
            cols = np.concatenate([*(c for k in range(n_groups) for c in terms.rev_cols[k]), x])
            vals = np.concatenate(
                [
                    *(v / n_groups for k in range(n_groups) for v in terms.rev_coef[k]),
                    np.full(x.size, -rho),
                ]
            )
            const = float(terms.rev_const.mean())
        else:
            cols = np.concatenate([*terms.chan_cols[ci], xg[:, ci]])
            vals = np.concatenate([*terms.chan_coef[ci], np.full(grid.t_len, -rho)])
            const = float(terms.chan_const[ci])
        b.rows(np.zeros(cols.size), cols, vals, -const, np.inf, count=1)


def add_linear_rows(b: ModelBuilder, rows: LinearRows, x: np.ndarray) -> None:
    """Add the problem's linear rows on plan variables ``x`` (flat indices) to a model."""
    rhs = rows.rhs
    # the solver reads the model with limited precision: against bounds that pin the plan (a
    # fixed channel, equal weekly bounds) an exact equality can become infeasible by round-off
    tol = np.where(rows.equality, _EQ_TOL * np.maximum(1.0, np.abs(rhs)), 0.0)
    lo = np.where(rows.equality, rhs - tol, -np.inf)
    b.matrix_rows(rows.matrix, x, lo, rhs + tol)


def add_onoff(
    b: ModelBuilder, oo: OnOff, xg: np.ndarray, hi: np.ndarray, relax: bool = False
) -> int:
    """Binaries of the no-restart rule (continuous in [0, 1] when ``relax``); their number."""
    t_len, k_len = oo.n_plan, len(oo.channels)
    z = b.cols(0.0, 1.0, t_len * k_len, integer=not relax).reshape(t_len, k_len)
    xs = xg[:t_len, oo.channels]
    top = hi[:t_len, oo.channels]
    n = t_len * k_len
    r = np.arange(n)
    # x - hi z <= 0 and x - level z >= 0
    b.rows(np.r_[r, r], np.r_[xs.ravel(), z.ravel()], np.r_[np.ones(n), -top.ravel()], -np.inf, 0)
    b.rows(
        np.r_[r, r],
        np.r_[xs.ravel(), z.ravel()],
        np.r_[np.ones(n), -oo.level.ravel()],
        0,
        np.inf,
    )
    for k in range(k_len):
        if t_len < 2 and oo.was_on[k]:
            continue
        if oo.was_on[k]:
            # on in the last history week: the weeks on are the first ones (z non-increasing)
            rr = np.arange(t_len - 1)
            b.rows(
                np.r_[rr, rr],
                np.r_[z[1:, k], z[:-1, k]],
                np.r_[np.ones(t_len - 1), -np.ones(t_len - 1)],
                -np.inf,
                0,
            )
        else:
            # off before the horizon: at most one switch-on, v[t] >= z[t] - z[t-1]
            v = b.cols(0.0, 1.0, t_len)
            rr = np.arange(t_len)
            b.rows(
                np.r_[rr, rr, rr[1:]],
                np.r_[v, z[:, k], z[:-1, k]],
                np.r_[np.ones(t_len), -np.ones(t_len), np.ones(t_len - 1)],
                0,
                np.inf,
            )
            b.rows(np.zeros(t_len), v, 1.0, -np.inf, 1.0)
    return n


def infeasible_message(problem: AllocationProblem, rows: LinearRows) -> str:
    """Why no plan meets the rules, naming them and the fix."""
    rules = []
    if problem.min_roas:
        rules.append(f"overall minimum ROAS {problem.min_roas:g}")
    if problem.max_cpa:
        rules.append(f"maximum CPA {problem.max_cpa:,.2f} EUR")
    rules += [
        f"minimum ROAS {r.min_roas:g} on '{c}'" for c, r in problem.channels.items() if r.min_roas
    ]
    mode = BudgetMode(problem.budget_mode).value
    if not rules:
        extra = []
        if any(n.startswith("week change") for n in rows.names):
            extra.append("week-to-week change limits")
        if rows.onoff is not None:
            extra.append("the no-restart rule")
        what = " and ".join(["the caps and bounds", *extra])
        return (
            f"No plan meets {what} with a budget of {problem.budget:,.0f} EUR ({mode}); relax "
            "max_week_change, a cap or a bound, or set no_restart = false for a channel."
        )
    what = ", ".join(rules)
    return (
        f"No plan meets {what} with a budget of {problem.budget:,.0f} EUR ({mode}); the response "
        "curves cannot earn that much at this spend. Lower the ROAS/CPA requirement, lower the "
        "budget or use budget mode up_to."
    )
