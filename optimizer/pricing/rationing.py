"""Rationing of weekly demand above the logistics capacity (``capacity_mode="ration"``).

When a week's expected shipments exceed its capacity, the excess does not ship (lost or
deferred sales). The optimizer charges a penalty ``pi_t`` (EUR per logistics unit) for each
logistics unit of demand above capacity in week ``t``::

    max  sum_s v_s(x_s) - sum_t pi_t * o_t   s.t.  load_t(x) - o_t <= cap_t,  o_t >= 0

**Why the default penalty.** Under *proportional* rationing every SKU of an overloaded week
ships the same share ``cap_t / L_t`` of its units. The value shipped is then
``V_t * cap_t / L_t`` where ``V_t = sum_s units[s, t] * value_per_unit[s]`` and
``L_t = sum_s units[s, t] * logistics_units[s]``, so the value lost is
``V_t * (1 - cap_t / L_t) = (V_t / L_t) * (L_t - cap_t)``: exactly linear in the overflow
``o_t = L_t - cap_t`` with slope ``pi_t = V_t / L_t``, the value per logistics unit of the
week's mix. :func:`default_overflow_penalty` takes that ratio at the **current** prices. It is
the exact marginal loss as long as the mix stays the current one; when new prices change the
mix (e.g. more heavy low-margin items) the true ratio moves with it and ``pi_t`` is an
approximation — the result reports the per-SKU shipments under proportional rationing of the
new mix alongside the planning objective so the difference is visible.
"""

from __future__ import annotations

import numpy as np

from optimizer.pricing.evaluate import sell_through, unit_economics
from optimizer.pricing.problem import Objective, PricingProblem

__all__ = ["default_overflow_penalty", "mix_penalty", "overflow_penalty", "ration_factors"]


def default_overflow_penalty(problem: PricingProblem) -> np.ndarray:
    """Value per logistics unit of the current-price mix, per horizon week.

    Parameters
    ----------
    problem : PricingProblem
        Catalog, demand estimates, demand multiplier, objective and unit economics.

    Returns
    -------
    numpy.ndarray
        :func:`mix_penalty` at the current prices, EUR per logistics unit, ``(n_weeks,)``.
    """
    return mix_penalty(problem, problem.catalog.frame["price_incl_vat"].to_numpy(float))


def mix_penalty(problem: PricingProblem, prices: np.ndarray) -> np.ndarray:
    """Value per logistics unit of the mix sold at given prices, per horizon week.

    Parameters
    ----------
    problem : PricingProblem
        Catalog, demand estimates, demand multiplier, objective and unit economics.
    prices : numpy.ndarray
        Price incl. VAT per catalog SKU (EUR), catalog order.

    Returns
    -------
    numpy.ndarray
        ``pi_t = sum_s units[s, t] * value[s] / sum_s units[s, t] * logistics_units[s]``, EUR
        per logistics unit, shape ``(n_weeks,)``; ``units`` are the expected sales at
        ``prices`` (served from stock), ``value`` the objective per unit (margin net of
        returns and of the logistics cost when set, or revenue for the revenue objective).
        Clipped at 0; 0 in a week with no expected shipments.
    """
    f = problem.catalog.frame
    p0 = np.asarray(prices, float)
    weekly = problem.elasticities.weekly_units(f.index, p0[:, None], problem.units_quantile)
    sold = sell_through(weekly * problem.multiplier[None, :], f["stock"].to_numpy(float))
    rev_u, mar_u = unit_economics(
        problem.catalog,
        p0,
        logistics_cost=problem.logistics_cost,
        net_of_returns=problem.net_of_returns,
    )
    per_unit = mar_u if problem.objective is Objective.MARGIN else rev_u
    value = per_unit @ sold  # (T,)
    load = f["logistics_units"].to_numpy(float) @ sold
    pen = np.divide(value, load, out=np.zeros_like(value), where=load > 0)
    return np.clip(pen, 0.0, None)


def overflow_penalty(problem: PricingProblem) -> np.ndarray:
    """The problem's penalty per week: the one given, else :func:`default_overflow_penalty`."""
    if problem.overflow_penalty is not None:
        return np.asarray(problem.overflow_penalty, float)
    return default_overflow_penalty(problem)


def ration_factors(load: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Share of each week's demand that ships under proportional rationing.

    Parameters
    ----------
    load : numpy.ndarray
        Logistics units demanded per week (after stock), shape ``(T,)``.
    capacity : numpy.ndarray
        Logistics units that can ship per week, shape ``(T,)``.

    Returns
    -------
    numpy.ndarray
        ``min(1, capacity / load)`` per week (1 where nothing is demanded).
    """
    load = np.asarray(load, float)
    return np.minimum(1.0, np.divide(capacity, load, out=np.ones_like(load), where=load > 0))
