"""Prices per shop under a warehouse capacity the shops share.

Each shop's pricing is a multiple-choice problem (one price per SKU from its ladder) whose
expected logistics load, week by week, adds to the other shops' in the warehouse. With a price
``lam[t]`` on one logistics unit of warehouse ``w`` in week ``t`` the group's problem splits
into one problem per shop: maximize its margin minus ``lam @ load``, alone (its cap on the
number of price changes is its own row). The multipliers are found by the pricing package's
own Lagrangian (:func:`~optimizer.pricing.lagrangian.solve_lagrangian`: bisection when one
week can bind, projected subgradient with Polyak steps when several can) on the shops'
candidate tables side by side, which is exactly that split; its dual bound certifies the gap,
and the PuLP MILP takes over when the gap is above the tolerance, as in
:func:`~optimizer.pricing.optimize.optimize_prices`.

The capacity rows are soft, as in a scenario (``capacity_mode = "ration"``): a logistics unit
of demand above a week's capacity does not ship and costs ``pi[t]``, the value per logistics
unit of the group's current-price mix that week (:mod:`optimizer.pricing.rationing`, pooled
over the shops). So ``0 <= lam[t] <= pi[t]``: the summed load is brought within the capacity
wherever raising prices costs less than rationing; a week where it does not (a peak no allowed
price list fits, or where a rationed unit loses less than a price rise) is reported as
overflowing, and its shipments are rationed (:mod:`optimizer.portfolio.evaluate`). Prices are
not forced up over the whole horizon to fit one peak week.

The candidate tables (ladder x expected sales x economics per SKU, the costly part) are built
per shop as :func:`~optimizer.scaleout.run_tasks` tasks; the multiplier search then runs here on
the compact tables (one dual evaluation is a per-SKU argmax: a round trip to the cluster per
iteration would cost more than the evaluation).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from optimizer.errors import InfeasibleError
from optimizer.pricing import PricingProblem, PricingResult
from optimizer.pricing.candidates import Candidates, build_candidates
from optimizer.pricing.identification import (
    bounded_problem,
    identification_bounds,
    widen_to_rules,
)
from optimizer.pricing.lagrangian import gap_of, solve_lagrangian
from optimizer.pricing.milp import solve_milp
from optimizer.pricing.optimize import describe_choice
from optimizer.pricing.rationing import default_overflow_penalty

__all__ = [
    "NO_CAPACITY",
    "PoolPrices",
    "PriceTable",
    "build_table",
    "coordinate_prices",
    "new_prices",
    "shop_response",
]

#: Capacity given to a shop's own problem: its rows are the shared warehouse's, added here.
NO_CAPACITY = 1e15

#: Expected load above a week's capacity by more than this share counts as an overflow (the
#: certified gap's tolerance lets the primal choice exceed it by a hair).
OVER = 1e-3


@dataclass(frozen=True, eq=False)
class PriceTable:
    """A shop's pricing problem and its candidate table.

    Attributes
    ----------
    shop : str
    problem : PricingProblem
        The shop's problem (rules bounded by identification; no capacity of its own).
    table : Candidates
        Candidate prices with value (EUR) and sales per week.
    load : numpy.ndarray
        Logistics units per SKU, candidate and week, (n, K, T) (0 where not allowed).
    """

    shop: str
    problem: PricingProblem
    table: Candidates
    load: np.ndarray

    @property
    def changes(self) -> np.ndarray | None:
        """The row of the cap on price changes, (n, K), or None when it cannot bind."""
        return self.table.weights[..., -1] if self.table.changes_row else None


def build_table(
    shop: str, seed: int, *, problem: PricingProblem, weak_max_change: float = 0.03
) -> PriceTable:
    """Build a shop's candidate table (one task of the price step; ``seed`` is unused).

    Parameters
    ----------
    shop : str
    seed : int
        The task's seed (the table is deterministic).
    problem : PricingProblem
        The shop's problem; each SKU's change is bounded by how well its elasticity is
        identified (:func:`~optimizer.pricing.identification.identification_bounds`, as the
        safe price plan does), ``weak_max_change`` for a SKU known only by its category.
    weak_max_change : float
        Fraction.

    Returns
    -------
    PriceTable
    """
    del seed
    skus = problem.catalog.frame.index
    cap = problem.rules.max_change
    bounds = identification_bounds(problem.elasticities, skus, cap, weak_max_change)
    bounded = bounded_problem(problem, widen_to_rules(problem, bounds))
    table = build_candidates(bounded)
    lu = bounded.catalog.frame["logistics_units"].to_numpy(float)
    load = np.where(table.valid[..., None], table.sold * lu[:, None, None], 0.0)
    return PriceTable(shop, bounded, table, load)


def shop_response(table: PriceTable, lam: np.ndarray) -> np.ndarray:
    """A shop's best prices when each logistics unit of week ``t`` costs ``lam[t]`` EUR.

    Its own cap on price changes is kept (by its own Lagrangian); returns the chosen ladder
    index per SKU.
    """
    reduced = table.table.values - table.load @ np.asarray(lam, float)
    changes = table.changes
    if changes is None:
        return reduced.argmax(axis=1)
    k_max = float(table.table.rhs[-1])
    sol = solve_lagrangian(reduced, changes[..., None], np.array([k_max]))
    return sol.choice if sol.choice is not None else reduced.argmax(axis=1)


@dataclass(frozen=True)
class PoolPrices:
    """How a warehouse's capacity was shared: multipliers, load, gap.

    Attributes
    ----------
    pool : str
        Warehouse name.
    multipliers : numpy.ndarray
        EUR per logistics unit and week, (T,) (0 where the capacity does not bind).
    load : numpy.ndarray
        Expected logistics units of the chosen prices per week, summed over the shops, (T,).
    capacity : numpy.ndarray
        (T,) logistics units.
    penalty : numpy.ndarray
        Value lost per logistics unit rationed, EUR, (T,): the multipliers' ceiling.
    overflow_weeks : tuple of int
        Weeks (0-based) whose expected load at the chosen prices exceeds the capacity by more
        than :data:`OVER` (rationed).
    objective, bound, gap : float
        Summed margin of the choice minus the value of its overflow (EUR), its certified upper
        bound, relative gap.
    solver : str
    iterations : int
        Dual evaluations.
    """

    pool: str
    multipliers: np.ndarray
    load: np.ndarray
    capacity: np.ndarray
    penalty: np.ndarray
    overflow_weeks: tuple[int, ...]
    objective: float
    bound: float
    gap: float
    solver: str
    iterations: int

    @property
    def feasible(self) -> bool:
        """Whether the expected load fits the capacity in every week (no rationing planned)."""
        return not self.overflow_weeks


def _side_by_side(tables: Sequence[PriceTable]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values (N, K), load (N, K, T) and change rows (N, K, R) of the shops' tables stacked."""
    k = max(t.table.values.shape[1] for t in tables)

    def pad(a: np.ndarray, fill: float) -> np.ndarray:
        width = [(0, 0), (0, k - a.shape[1])] + [(0, 0)] * (a.ndim - 2)
        return np.pad(a, width, constant_values=fill)

    values = np.concatenate([pad(t.table.values, -np.inf) for t in tables])
    load = np.concatenate([pad(t.load, 0.0) for t in tables])
    rows = [i for i, t in enumerate(tables) if t.changes is not None]
    changes = np.zeros((len(values), k, len(rows)))
    start = np.cumsum([0, *(len(t.table.values) for t in tables)])
    for j, i in enumerate(rows):
        changes[start[i] : start[i + 1], :, j] = pad(tables[i].changes, 0.0)  # type: ignore[arg-type]
    return values, load, changes


def _penalty(tables: Sequence[PriceTable]) -> np.ndarray:
    """Value per logistics unit of the shops' current-price mix, pooled, per week, (T,)."""
    value = load = 0.0
    for t in tables:
        n = len(t.table.values)
        cur = np.where(t.table.ladder.current >= 0, t.table.ladder.current, 0)
        lu = t.problem.catalog.frame["logistics_units"].to_numpy(float)
        week_load = (t.table.sold[np.arange(n), cur] * lu[:, None]).sum(axis=0)
        value = value + default_overflow_penalty(t.problem) * week_load
        load = load + week_load
    return np.divide(value, load, out=np.zeros_like(load), where=load > 0)


def coordinate_prices(
    tables: Sequence[PriceTable], capacity: np.ndarray, pool: str, tol: float = 1e-3
) -> tuple[PoolPrices, dict[str, PricingResult]]:
    """Prices of the shops of one warehouse, their summed expected load within its capacity.

    Parameters
    ----------
    tables : sequence of PriceTable
        The shops shipping from the warehouse.
    capacity : numpy.ndarray
        Logistics units per week, (T,).
    pool : str
        Warehouse name (messages).
    tol : float
        Relative gap accepted.

    Returns
    -------
    PoolPrices
        Multipliers, load and gap.
    dict of str to PricingResult
        Each shop's prices (``multipliers`` holds the warehouse's, ``capacity_week_<t>``).

    Raises
    ------
    InfeasibleError
        The shops' caps on price changes leave no price list.
    """
    t0 = time.perf_counter()
    capacity = np.asarray(capacity, float)
    values, load, changes = _side_by_side(tables)
    pen = _penalty(tables)
    heaviest = np.where(np.isfinite(values)[..., None], load, 0.0).max(axis=1).sum(axis=0)
    weeks = [int(t) for t in np.flatnonzero((heaviest > capacity * (1 + 1e-12)) & (pen > 0))]
    k_rows = [float(t.table.rhs[-1]) for t in tables if t.changes is not None]
    weights = np.concatenate([load[:, :, weeks], changes], axis=2)
    b = np.concatenate([capacity[weeks], k_rows])
    soft = np.concatenate([pen[weeks], np.full(len(k_rows), np.inf)])
    lag = solve_lagrangian(values, weights, b, tol=tol, penalty=soft)
    choice, primal, bound, solver = lag.choice, lag.primal, lag.bound, "lagrangian"
    if choice is None or lag.gap > tol:
        ms = solve_milp(values, weights, b, gap_rel=tol, time_limit=120.0, penalty=soft)
        if ms.choice is not None and (choice is None or ms.objective > primal):
            choice, primal, solver = ms.choice, ms.objective, f"lagrangian+{ms.solver}"
            if ms.proven:
                bound = min(bound, primal * (1 + tol)) if primal > 0 else bound
    if choice is None:
        raise InfeasibleError(
            f"warehouse '{pool}': the shops' caps on price changes (max_changes) leave no price "
            "list; allow more price changes."
        )
    lam = np.zeros(len(capacity))
    lam[weeks] = lag.multipliers[: len(weeks)]
    planned = load[np.arange(len(choice)), choice].sum(axis=0)
    result = PoolPrices(
        pool=pool,
        multipliers=lam,
        load=planned,
        capacity=capacity,
        penalty=pen,
        overflow_weeks=tuple(int(t) for t in np.flatnonzero(planned > capacity * (1 + OVER))),
        objective=float(primal),
        bound=float(bound),
        gap=float(gap_of(bound, primal)),
        solver=solver,
        iterations=int(lag.iterations),
    )
    return result, _describe(tables, choice, result, t0)


def _describe(
    tables: Sequence[PriceTable], choice: np.ndarray, pool: PoolPrices, t0: float
) -> dict[str, PricingResult]:
    """Each shop's :class:`PricingResult` from its part of the group's choice."""
    out = {}
    start = 0
    mult = {f"capacity_week_{t + 1}": float(v) for t, v in enumerate(pool.multipliers) if v > 0}
    for t in tables:
        n = len(t.table.values)
        mine = choice[start : start + n]
        start += n
        value = float(t.table.values[np.arange(n), mine].sum())
        out[t.shop] = describe_choice(
            t.problem,
            t.table,
            mine,
            objective_value=value,
            bound=value,
            gap=pool.gap,
            solver=f"{pool.solver} (warehouse '{pool.pool}' shared)",
            multipliers=mult,
            info={"warehouse": pool.pool},
            t0=t0,
        )
    return out


def new_prices(results: Mapping[str, PricingResult], shop: str) -> np.ndarray:
    """A shop's new prices incl. VAT, in catalog order (EUR)."""
    return results[shop].prices["new_price_incl_vat"].to_numpy(float)
