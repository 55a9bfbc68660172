"""Posterior draws a price list is judged on, draw by draw (used by the safe price plan).

:class:`DrawModel` is what :func:`~optimizer.pricing.safe.safe_prices` needs: a number of
draws, the planning problem on a subset of them, and the value of a price list under each draw
(the same state of the world whatever the prices, so that lifts are paired).
:class:`ProblemDraws` is the pricing problem's own posterior; the scenario supplies another
(media-mix samples paired with elasticity draws).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from optimizer.errors import DataError
from optimizer.pricing.evaluate import unit_economics
from optimizer.pricing.problem import Objective, PricingProblem

__all__ = ["DrawModel", "ProblemDraws"]


class DrawModel(Protocol):
    """Posterior draws a price list is judged on (the pricing problem's own, or a scenario's).

    ``n_draws`` draws indexed ``0 .. n_draws - 1``; ``problem_on(draws)`` is the planning
    problem on those draws only (half A builds the candidates with it); ``contribution(prices)``
    is the value of a price list (EUR) under every draw, shape ``(n_draws,)``, with draw ``s``
    the same state of the world whatever the prices (the lift is paired).
    """

    @property
    def n_draws(self) -> int:
        """Number of posterior draws."""
        ...

    def problem_on(self, draws: np.ndarray) -> PricingProblem:
        """The planning problem on these draws only."""
        ...

    def contribution(self, prices: np.ndarray) -> np.ndarray:
        """Value of a price list per draw, EUR, shape ``(n_draws,)``."""
        ...


@dataclass(frozen=True, eq=False)
class ProblemDraws:
    """The pricing problem's own posterior: elasticity and baseline-unit draws.

    Under draw ``s`` SKU ``k`` demands ``baseline_draws[s, k] * (p_k / current_k) **
    elasticity_draws[s, k] * multiplier_t`` units in horizon week ``t``; sales are served from
    stock week by week and a week whose logistics load exceeds capacity ships every SKU in the
    same proportion (what does not ship stays in stock). The value is the problem's objective
    (margin after logistics, or revenue) of what ships.
    """

    problem: PricingProblem

    @property
    def n_draws(self) -> int:
        """Number of posterior draws (0 without draws)."""
        d = self.problem.elasticities.elasticity_draws
        has = d is not None and self.problem.elasticities.baseline_draws is not None
        return int(d.shape[0]) if has and d is not None else 0

    def problem_on(self, draws: np.ndarray) -> PricingProblem:
        """The problem with only these elasticity draws."""
        return self.problem.with_(elasticities=self.problem.elasticities.subset_draws(draws))

    def contribution(self, prices: np.ndarray) -> np.ndarray:
        """Objective per draw at ``prices`` (EUR incl. VAT per catalog SKU), shape (n_draws,)."""
        pb = self.problem
        est, f = pb.elasticities, pb.catalog.frame
        assert est.elasticity_draws is not None and est.baseline_draws is not None
        pos = est.skus.get_indexer(f.index)
        if (pos < 0).any():
            raise DataError(
                f"elasticities: no estimate for {int((pos < 0).sum())} catalog SKU(s); re-run "
                "the fit on a sales history that covers the catalog."
            )
        p = np.asarray(prices, float)
        rel = p / est.frame["current_price"].to_numpy(float)[pos]
        rev_u, mar_u = unit_economics(
            pb.catalog, p, logistics_cost=pb.logistics_cost, net_of_returns=pb.net_of_returns
        )
        per_unit = mar_u if pb.objective is Objective.MARGIN else rev_u
        stock = f["stock"].to_numpy(float)
        lu = f["logistics_units"].to_numpy(float)
        mult, cap = pb.multiplier, pb.capacity
        n_d = est.elasticity_draws.shape[0]
        out = np.empty(n_d)
        # draws x SKUs per chunk: the week loop keeps no week axis in memory
        step = max(1, 2_000_000 // max(1, len(p)))
        for a in range(0, n_d, step):
            sl = slice(a, a + step)
            units = (
                est.baseline_draws[sl][:, pos] * rel[None, :] ** est.elasticity_draws[sl][:, pos]
            )
            left = np.tile(stock, (units.shape[0], 1))
            ship = np.empty_like(units)
            for t in range(len(cap)):  # in place: draws x SKUs arrays, one week at a time
                np.multiply(units, mult[t], out=ship)
                np.minimum(ship, left, out=ship)
                load = ship @ lu
                ship *= np.minimum(1.0, cap[t] / np.maximum(load, 1e-12))[:, None]
                left -= ship
            # what shipped is what left the stock
            out[sl] = (stock[None, :] - left) @ per_unit
        return out
