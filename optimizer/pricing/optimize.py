"""Public entry point: :func:`optimize_prices`.

Builds the candidate table (ladder x expected sales x economics), checks feasibility, then
solves with the Lagrangian fast path, finishing with the PuLP MILP when its certified gap is
above the tolerance.
"""

from __future__ import annotations

import hashlib
import time

import numpy as np
import pandas as pd

from optimizer._version import __version__
from optimizer.errors import InfeasibleError
from optimizer.pricing.candidates import Candidates, build_candidates
from optimizer.pricing.evaluate import sell_through, unit_economics
from optimizer.pricing.lagrangian import dual_value, gap_of, solve_lagrangian
from optimizer.pricing.milp import solve_milp
from optimizer.pricing.problem import CapacityMode, Method, PricingProblem
from optimizer.pricing.rationing import ration_factors
from optimizer.pricing.result import PricingResult, PricingStatus
from optimizer.pricing.rules import Ladder

__all__ = ["describe_choice", "optimize_prices"]


def _input_hash(problem: PricingProblem) -> str:
    h = hashlib.sha256()
    h.update(pd.util.hash_pandas_object(problem.catalog.frame, index=True).to_numpy().tobytes())
    h.update(
        pd.util.hash_pandas_object(problem.elasticities.frame, index=True).to_numpy().tobytes()
    )
    h.update(problem.capacity.tobytes())
    h.update(problem.multiplier.tobytes())
    h.update(repr(problem.rules).encode())
    if problem.capacity_mode is CapacityMode.RATION:
        h.update(b"ration")
        if problem.overflow_penalty is not None:
            h.update(np.asarray(problem.overflow_penalty, float).tobytes())
    return h.hexdigest()[:16]


def _binding_rule(
    ladder: Ladder,
    choice: np.ndarray,
    free: np.ndarray,
    valid: np.ndarray,
    lost: np.ndarray,
    changes_row: bool,
) -> np.ndarray:
    n = len(choice)
    top = valid.sum(axis=1) - 1
    out = np.full(n, "none", dtype=object)
    at_low = choice == 0
    at_high = choice == top
    out[at_low & (free == 0)] = ladder.lower_rule[at_low & (free == 0)]
    out[at_high & (free == top)] = ladder.upper_rule[at_high & (free == top)]
    out[(lost > 1e-6) & (choice == free)] = "stock"
    moved = choice != free
    out[moved] = "capacity"
    if changes_row:
        kept_current = moved & (choice == ladder.current) & (free != ladder.current)
        out[kept_current] = "max_changes"
    return out


def _finish_with_milp(
    problem: PricingProblem,
    c: Candidates,
    choice: np.ndarray | None,
    primal: float,
    info: dict,
) -> tuple[np.ndarray | None, float, str | None, float]:
    """The exact MILP after the Lagrangian: its choice when better (always for ``"milp"``).

    Returns the choice and its objective (EUR), the MILP's solver name when its choice is taken
    (else ``None``) and the gap it proved (``inf`` when none); records the MILP in ``info``.
    """
    values, weights, b, names = c.values, c.weights, c.rhs, c.row_names
    tol = problem.gap_tolerance
    pen = c.penalty
    solver = None
    proven_gap = np.inf
    ms = solve_milp(
        values,
        weights,
        b,
        gap_rel=min(tol, 1e-6) if problem.method is Method.MILP else tol,
        time_limit=problem.time_limit,
        penalty=pen,
    )
    info["milp"] = {
        "status": ms.status,
        "proven": ms.proven,
        "gap_rel": ms.gap_rel,
        "build_seconds": ms.build_seconds,
        "solve_seconds": ms.solve_seconds,
    }
    if ms.status == "Infeasible" and choice is None:
        raise InfeasibleError(
            "capacity/max_changes: no price list meets all weekly capacities and the cap "
            f"on price changes together (rows {names}); raise capacity or max_changes."
        )
    if ms.choice is not None and (problem.method is Method.MILP or ms.objective > primal):
        choice, primal = ms.choice, ms.objective
        solver = ms.solver if problem.method is Method.MILP else f"lagrangian+{ms.solver}"
    if ms.proven:
        proven_gap = ms.gap_rel
    return choice, primal, solver, proven_gap


def optimize_prices(problem: PricingProblem) -> PricingResult:
    """Choose one price per SKU maximizing margin (or revenue) under rules, stock, capacity.

    Parameters
    ----------
    problem : PricingProblem
        Catalog, demand estimates, weekly capacity, demand multiplier, rules, objective.

    Returns
    -------
    PricingResult
        New prices per SKU with expected units, revenue, margin, binding rule and reference
        price; totals; certified gap; solver; seconds.

    Raises
    ------
    InfeasibleError
        Rules leave a SKU without a price, stock cannot cover demand at any allowed price (with
        ``allow_stockout=False``), capacity is short even at the highest prices (``"hard"``
        capacity mode only), or more SKUs must change price than ``max_changes`` allows. The
        message names SKUs, weeks and rules.

    Notes
    -----
    Expected demand of SKU ``s`` at price ``p`` in horizon week ``t`` is
    ``baseline_units_s * (p / current_s) ** elasticity_s * multiplier_t``; sales are served
    from stock week by week (``min(demand, stock)``), demand beyond stock is lost. Margin per
    unit sold is ``p / (1 + vat) - unit_cost - logistics_cost * logistics_units`` (times
    ``1 - return_rate`` on the product part when ``net_of_returns``).

    With ``capacity_mode="ration"`` a week's load above capacity is not shipped and the
    objective is charged ``overflow_penalty`` per logistics unit (see
    :mod:`optimizer.pricing.rationing`); ``objective_value``, ``bound`` and ``gap`` refer to
    that penalized objective, while the per-SKU table ships each overloaded week in proportion
    (``rationed_units``) so that the shipped ``load`` never exceeds capacity.
    """
    t0 = time.perf_counter()
    c = build_candidates(problem)
    values, weights, b, names = c.values, c.weights, c.rhs, c.row_names
    tol = problem.gap_tolerance
    solver = "lagrangian"
    info: dict = {"version": __version__, "input_hash": _input_hash(problem)}
    pen = c.penalty
    lag = solve_lagrangian(values, weights, b, tol=tol, penalty=pen)
    choice, primal, bound = lag.choice, lag.primal, lag.bound
    info["lagrangian"] = {"iterations": lag.iterations, "gap": lag.gap}
    proven_gap = np.inf
    need_milp = (
        problem.method is Method.MILP
        or (problem.method is Method.AUTO and lag.gap > tol)
        or choice is None
    )
    if need_milp:
        choice, primal, milp_solver, proven_gap = _finish_with_milp(
            problem, c, choice, primal, info
        )
        solver = milp_solver or solver
    if choice is None:
        raise InfeasibleError(
            f"no feasible price list found within {problem.time_limit:.0f} s (rows {names}); "
            "raise time_limit, capacity or max_changes."
        )
    gap = min(gap_of(bound, primal), proven_gap)
    if proven_gap < np.inf:
        bound = min(bound, primal * (1 + proven_gap) if primal > 0 else bound)
    mult = dict(zip(names, (float(x) for x in lag.multipliers), strict=False))
    return describe_choice(
        problem,
        c,
        choice,
        objective_value=float(primal),
        bound=float(bound),
        gap=float(gap),
        solver=solver,
        multipliers=mult,
        info=info,
        t0=t0,
    )


def _at_current_prices(problem: PricingProblem, p0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Units served from stock per SKU and week at today's prices, and today's unit margin.

    ``p0`` is in EUR incl. VAT; the margin per unit in EUR excl. VAT.
    """
    cat = problem.catalog
    stock = cat.frame["stock"].to_numpy(float)
    cur_dem = problem.elasticities.weekly_units(
        cat.frame.index, p0[:, None], problem.units_quantile
    )
    cur_sold = sell_through(cur_dem * problem.multiplier[None, :], stock)
    _, cur_mar_u = unit_economics(
        cat, p0, logistics_cost=problem.logistics_cost, net_of_returns=problem.net_of_returns
    )
    return cur_sold, cur_mar_u


def _price_frame(
    problem: PricingProblem,
    c: Candidates,
    choice: np.ndarray,
    shipped: np.ndarray,
    cur_sold: np.ndarray,
    cur_mar_u: np.ndarray,
) -> pd.DataFrame:
    """Per-SKU table (:data:`~optimizer.pricing.result.PRICE_COLUMNS`) of one ladder choice.

    ``shipped`` are the units shipped per SKU and week, ``cur_sold`` and ``cur_mar_u`` the
    units and margin per unit at today's prices (:func:`_at_current_prices`).
    """
    f, idx, ladder, p0 = problem.catalog.frame, problem.catalog.frame.index, c.ladder, c.p0
    ar = np.arange(len(idx))
    _, free = dual_value(c.values, c.weights[..., :0], c.rhs[:0], np.zeros(0))
    new = ladder.prices[ar, choice]
    dem = c.demand[ar, choice].sum(axis=-1)
    served = c.sold[ar, choice].sum(axis=-1)
    units = shipped.sum(axis=-1)
    rev_new, mar_new = c.rev_u[ar, choice] * units, c.mar_u[ar, choice] * units
    ref = (
        problem.reference_prices.reindex(idx).to_numpy(float)
        if problem.reference_prices is not None
        else p0
    )
    ref = np.fmin(ref, p0)
    reduced = new < p0 - 1e-9
    binding = _binding_rule(ladder, choice, free, c.valid, dem - served, c.changes_row)
    return pd.DataFrame(
        {
            "category": f["category"].to_numpy(),
            "current_price_incl_vat": p0,
            "new_price_incl_vat": new,
            "new_price_excl_vat": new / (1 + f["vat_rate"].to_numpy(float)),
            "unit_cost": f["unit_cost"].to_numpy(float),
            "change_pct": (new / p0 - 1) * 100,
            "expected_demand": dem,
            "expected_units": units,
            "lost_units": dem - served,
            "rationed_units": served - units,
            "stock": f["stock"].to_numpy(float),
            "revenue_excl_vat": rev_new,
            "margin": mar_new,
            "current_expected_units": cur_sold.sum(axis=1),
            "current_margin": cur_sold.sum(axis=1) * cur_mar_u,
            "binding_rule": binding,
            "reference_price": np.where(reduced, ref, np.nan),
        },
        index=idx,
    )


def _add_run_info(info: dict, problem: PricingProblem, c: Candidates) -> None:
    """Complete ``info`` with the candidate count, coupling rows and the run's settings."""
    info.update(
        {
            "n_candidates": int(c.valid.sum()),
            "coupling_rows": c.row_names,
            "units_quantile": problem.units_quantile,
            "method": problem.method.value,
            "capacity_mode": str(problem.capacity_mode),
        }
    )
    if c.week_penalty is not None:
        info["overflow_penalty"] = [float(x) for x in c.week_penalty]


def describe_choice(
    problem: PricingProblem,
    c: Candidates,
    choice: np.ndarray,
    *,
    objective_value: float,
    bound: float,
    gap: float,
    solver: str,
    multipliers: dict[str, float],
    info: dict,
    t0: float,
) -> PricingResult:
    """The :class:`PricingResult` of one ladder choice per SKU (shared with the safe plan).

    Parameters
    ----------
    problem : PricingProblem
        The problem ``c`` was built from.
    c : Candidates
        Its candidate table (:func:`~optimizer.pricing.candidates.build_candidates`).
    choice : numpy.ndarray
        Index of the chosen ladder price per SKU, shape ``(n_skus,)``.
    objective_value, bound, gap : float
        Objective of ``choice`` (EUR), certified upper bound on the optimum (EUR) and
        relative gap between them.
    solver : str
        Path that produced ``choice``.
    multipliers : dict of str to float
        Shadow prices of the coupling rows.
    info : dict
        JSON-ready details; completed here.
    t0 : float
        ``time.perf_counter()`` at the start of the optimization (for ``seconds``).

    Returns
    -------
    PricingResult
    """
    ar = np.arange(len(choice))
    cap = problem.capacity
    lu = problem.catalog.frame["logistics_units"].to_numpy(float)
    sold_c = c.sold[ar, choice]  # (n, T) served from stock
    demand_load = lu @ sold_c
    ration = problem.capacity_mode is CapacityMode.RATION
    shipped = sold_c * ration_factors(demand_load, cap)[None, :] if ration else sold_c
    cur_sold, cur_mar_u = _at_current_prices(problem, c.p0)
    frame = _price_frame(problem, c, choice, shipped, cur_sold, cur_mar_u)
    new_load = (shipped * lu[:, None]).sum(axis=0)
    if ration:  # exactly min(demand load, capacity), without rounding above capacity
        new_load = np.minimum(new_load, cap)
    cur_load = (cur_sold * lu[:, None]).sum(axis=0)
    _add_run_info(info, problem, c)
    tol = problem.gap_tolerance
    return PricingResult(
        status=PricingStatus.OPTIMAL if gap <= tol else PricingStatus.FEASIBLE,
        prices=frame,
        objective=problem.objective.value,
        objective_value=float(objective_value),
        bound=float(bound),
        gap=float(gap),
        capacity=cap.copy(),
        load=new_load,
        current_load=cur_load,
        demand_load=demand_load if ration else new_load,
        overflow_penalty=c.week_penalty,
        capacity_mode=str(problem.capacity_mode),
        multipliers=multipliers,
        solver=solver,
        seconds=time.perf_counter() - t0,
        info=info,
    )
