"""Exact path: the pricing problem as a PuLP MILP (the only module of ``pricing`` importing PuLP).

One binary per (SKU, candidate price), one "choose exactly one" row per SKU, one row per
coupling constraint (weekly capacity, cap on price changes). A soft row (``capacity_mode=
"ration"``) gets a continuous overflow ``o_j >= 0`` on its left-hand side and ``-pi_j * o_j``
in the objective.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pulp

from optimizer.solving import check_solver, pulp_solver

__all__ = ["MilpSolution", "solve_milp"]


@dataclass(frozen=True, eq=False)
class MilpSolution:
    """Outcome of :func:`solve_milp`.

    Attributes
    ----------
    choice : numpy.ndarray or None
        Chosen option per SKU, ``None`` when the solver found no feasible solution.
    objective : float
        Objective of ``choice`` recomputed from the data (EUR).
    status : str
        PuLP status name (``"Optimal"``, ``"Infeasible"``, ``"Not Solved"``, ...).
    proven : bool
        Whether the solver proved optimality within ``gap_rel``.
    gap_rel : float
        Relative gap the solver was asked to prove.
    solver : str
        Solver name.
    build_seconds, solve_seconds : float
        Wall time to build the model and to solve it.
    """

    choice: np.ndarray | None
    objective: float
    status: str
    proven: bool
    gap_rel: float
    solver: str
    build_seconds: float
    solve_seconds: float


def _model(
    values: np.ndarray,
    weights: np.ndarray,
    rhs: np.ndarray,
    penalty: np.ndarray | None,
    rows: np.ndarray,
    cols: np.ndarray,
) -> tuple[pulp.LpProblem, list[pulp.LpVariable]]:
    """The MILP and its binaries, one per valid option ``(rows[i], cols[i])`` (SKU order)."""
    n = values.shape[0]
    prob = pulp.LpProblem("pricing", pulp.LpMaximize)
    xs = [pulp.LpVariable(f"x_{s}_{j}", cat=pulp.LpBinary) for s, j in zip(rows, cols, strict=True)]
    v = values[rows, cols]
    # scale the objective so that CBC's absolute tolerances stay meaningful
    scale = float(np.abs(v).max()) or 1.0
    soft = np.zeros(len(rhs), bool) if penalty is None else np.isfinite(penalty)
    over = {int(j): pulp.LpVariable(f"o_{j}", lowBound=0) for j in np.flatnonzero(soft)}
    terms = list(zip(xs, (v / scale).tolist(), strict=True))
    terms += [(o, -float(penalty[j]) / scale) for j, o in over.items()]  # type: ignore[index]
    prob += pulp.LpAffineExpression(terms)
    bounds = np.searchsorted(rows, np.arange(n + 1))
    for s in range(n):
        a, b = bounds[s], bounds[s + 1]
        prob += pulp.LpAffineExpression([(x, 1.0) for x in xs[a:b]]) == 1, f"one_{s}"
    for j in range(len(rhs)):
        w = weights[rows, cols, j]
        nz = np.flatnonzero(w)
        lhs = [(xs[i], float(w[i])) for i in nz]
        if j in over:
            lhs.append((over[j], -1.0))
        prob += (pulp.LpAffineExpression(lhs) <= float(rhs[j]), f"row_{j}")
    return prob, xs


def _read_choice(
    xs: list[pulp.LpVariable], rows: np.ndarray, cols: np.ndarray, n: int, status: str
) -> np.ndarray | None:
    """Chosen option per SKU from the solved binaries; ``None`` unless exactly one per SKU."""
    sol = np.array([x.varValue or 0.0 for x in xs])
    choice: np.ndarray | None = None
    if status == "Optimal" or (sol > 0.5).sum() == n:
        picked = sol > 0.5
        if np.bincount(rows[picked], minlength=n).tolist() == [1] * n:
            choice = np.zeros(n, dtype=int)
            choice[rows[picked]] = cols[picked]
    return choice


def solve_milp(
    values: np.ndarray,
    weights: np.ndarray,
    rhs: np.ndarray,
    *,
    gap_rel: float = 1e-6,
    time_limit: float = 120.0,
    solver: str = "cbc",
    penalty: np.ndarray | None = None,
) -> MilpSolution:
    """Solve the one-price-per-SKU MILP.

    Parameters
    ----------
    values : numpy.ndarray
        Objective per option (EUR), shape ``(n, K)``; ``-inf`` for missing options.
    weights : numpy.ndarray
        Coupling-row coefficients, shape ``(n, K, m)``.
    rhs : numpy.ndarray
        Right-hand sides, shape ``(m,)``.
    gap_rel : float
        Relative MIP gap to prove.
    time_limit : float
        Seconds.
    solver : {"cbc", "highs"}
        Backend reached through PuLP (:func:`optimizer.solving.pulp_solver`: one thread, silent).
    penalty : numpy.ndarray or None
        Objective lost per unit of a soft row above its ``rhs`` (``inf`` = hard row), shape
        ``(m,)``; ``None``: every row is hard. ``objective`` is then the penalized objective.

    Returns
    -------
    MilpSolution

    Raises
    ------
    ConfigError
        Unknown ``solver``.
    """
    check_solver(solver)
    t0 = time.perf_counter()
    n, k = values.shape
    rows, cols = np.nonzero(np.isfinite(values))
    soft = np.zeros(len(rhs), bool) if penalty is None else np.isfinite(penalty)
    prob, xs = _model(values, weights, rhs, penalty, rows, cols)
    t1 = time.perf_counter()
    status = prob.solve(pulp_solver(solver, gap_rel=gap_rel, time_limit=time_limit))
    t2 = time.perf_counter()
    name = pulp.LpStatus[status]
    choice = _read_choice(xs, rows, cols, n, name)
    obj = -np.inf
    if choice is not None:
        obj = float(values[np.arange(n), choice].sum())
        if soft.any():
            load = weights[np.arange(n), choice].sum(axis=0)
            obj -= float(penalty[soft] @ np.maximum(load[soft] - rhs[soft], 0.0))  # type: ignore[index]
    # CBC reports "Optimal" also when stopped at the time limit with a solution; only a
    # solve that ended before the limit proves the gap.
    proven = name == "Optimal" and (t2 - t1) < 0.98 * time_limit
    return MilpSolution(
        choice=choice,
        objective=obj,
        status=name,
        proven=proven,
        gap_rel=gap_rel,
        solver=f"pulp-{solver}",
        build_seconds=t1 - t0,
        solve_seconds=t2 - t1,
    )
