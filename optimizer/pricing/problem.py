"""Pricing problem: frozen inputs of :func:`~optimizer.pricing.optimize.optimize_prices`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd

from optimizer.data.catalog import Catalog
from optimizer.errors import ConfigError
from optimizer.pricing.estimates import Elasticities

__all__ = ["CapacityMode", "CustomRule", "Method", "Objective", "PriceRules", "PricingProblem"]

#: Names of the built-in rules (a custom rule may not reuse them).
BUILTIN_RULES = (
    "legal_floor",
    "margin_floor",
    "min_price",
    "max_price",
    "min_advertised_price",
    "max_change",
    "sku_max_change",
    "endings",
    "max_changes",
    "stock",
    "capacity",
    "none",
)


class Objective(StrEnum):
    """What the optimizer maximizes over the horizon.

    Not :class:`optimizer.allocation.Objective`: that one values media spend (its margin is
    net of the spend and it adds ``contribution``); this one values units sold at a price.
    """

    MARGIN = "margin"  #: contribution margin excl. VAT (see PricingProblem)
    REVENUE = "revenue"  #: revenue excl. VAT (keep a margin floor in the rules)


class CapacityMode(StrEnum):
    """How the weekly logistics capacity constrains the prices."""

    HARD = "hard"  #: expected shipments of every week must fit the capacity
    RATION = "ration"  #: demand above capacity is rationed (not shipped) at a penalty per unit


class Method(StrEnum):
    """Which solver path to use."""

    AUTO = "auto"  #: Lagrangian; MILP only when its certified gap exceeds the tolerance
    LAGRANGIAN = "lagrangian"  #: Lagrangian only, whatever the gap (reported)
    MILP = "milp"  #: PuLP MILP only


@dataclass(frozen=True)
class CustomRule:
    """A per-SKU price rule written in code: which candidate prices each SKU may take.

    Attributes
    ----------
    name : str
        Name reported as the SKU's ``binding_rule`` and in error messages (e.g. ``"kvi_no_rise"``).
    allowed : callable
        ``allowed(catalog_frame, prices) -> mask``. ``catalog_frame`` is ``Catalog.frame``
        (index ``sku``, columns ``category``, ``price_incl_vat``, ``unit_cost``, ``vat_rate``,
        ``stock``, ...); ``prices`` is the candidate ladder incl. VAT (EUR), shape
        ``(n_skus, K)`` in catalog order, NaN-padded; ``mask`` is a boolean array of the same
        shape, true where the price is allowed (padding is ignored).

    Notes
    -----
    The rule removes candidates after the built-in rules have built the ladder: it can only
    remove prices, never add any, so it can never raise the optimum. The current price it
    removes must change (as for a built-in rule). A SKU left without any price raises
    ``InfeasibleError`` naming the rule. The name (with the function's qualified name) is what
    the result's input hash records.
    """

    name: str
    allowed: Callable[[pd.DataFrame, np.ndarray], np.ndarray]

    def __post_init__(self) -> None:
        if not self.name or not self.name.replace("_", "").isalnum():
            raise ConfigError(
                f"custom rule name {self.name!r}: use letters, digits and '_' (e.g. 'kvi_no_rise')."
            )
        if self.name in BUILTIN_RULES:
            raise ConfigError(
                f"custom rule name {self.name!r} is the name of a built-in rule; choose another."
            )
        if not callable(self.allowed):
            raise ConfigError(
                f"custom rule {self.name!r}: allowed must be a function "
                "(catalog_frame, prices) -> boolean mask."
            )

    def __repr__(self) -> str:
        fn = self.allowed
        where = f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', type(fn).__name__)}"
        return f"CustomRule({self.name!r}, {where})"


def _cap_ok(value: object) -> bool:
    parts = value if isinstance(value, tuple | list) else (value,)
    try:
        return len(parts) in (1, 2) and all(0 <= float(x) < 1 for x in parts)
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class PriceRules:
    """Business and legal price rules, applied per SKU.

    Attributes
    ----------
    max_change : float
        Largest relative change vs the current price, both ways (0.15 = +/-15 %).
    endings : tuple of float
        Allowed cents of the VAT-inclusive price (``(0.99, 0.90)`` = ``x,99`` or ``x,90``).
        Empty: any cent. The current price is always a candidate (no change) when it meets
        every other rule, whatever its ending.
    n_points : int
        Most candidate prices per SKU (the ladder is spread evenly in log price).
    margin_floor : float
        Least margin as a fraction of the price excl. VAT: ``(p_ht - cost) / p_ht >= floor``.
    min_advertised_price : dict of str to float
        Per SKU, the lowest price incl. VAT the supplier allows advertising (EUR).
    max_changes : int or None
        Most SKUs whose price may change this cycle.
    allow_stockout : bool
        True: sales are ``min(demand, stock)`` and demand beyond stock is lost (reported).
        False: a price whose expected demand over the horizon exceeds the stock is excluded.
    custom : tuple of CustomRule
        Extra per-SKU rules written in code, applied after the built-in ones (see
        :class:`CustomRule`).
    sku_max_change : dict of str to float or (float, float)
        Per SKU, a tighter cap than ``max_change`` on the relative change: one fraction (both
        ways) or ``(down, up)`` fractions; SKUs not listed, or caps above ``max_change``, use
        ``max_change``. The candidate ladder of a listed SKU is spread over its own band, so a
        SKU capped at +/-3 % still gets several candidate prices. Reported as
        ``sku_max_change`` where it binds. The safe price plan sets it from how well each
        elasticity is identified (see :func:`~optimizer.pricing.safe.identification_bounds`).

    Notes
    -----
    The legal floor (price excl. VAT >= unit cost; *revente à perte* is illegal in France) is
    always enforced and cannot be switched off.
    """

    max_change: float = 0.15
    endings: tuple[float, ...] = (0.99, 0.90)
    n_points: int = 11
    margin_floor: float = 0.0
    min_advertised_price: dict[str, float] = field(default_factory=dict)
    max_changes: int | None = None
    allow_stockout: bool = True
    custom: tuple[CustomRule, ...] = ()
    sku_max_change: dict[str, float | tuple[float, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "custom", tuple(self.custom))
        bad = {k: v for k, v in self.sku_max_change.items() if not _cap_ok(v)}
        if bad:
            sku, value = next(iter(bad.items()))
            raise ConfigError(
                f"sku_max_change for SKU {sku!r} is {value} ({len(bad)} bad value(s)); give a "
                "fraction in [0, 1), e.g. 0.03, or a (down, up) pair of them."
            )
        for rule in self.custom:
            if not isinstance(rule, CustomRule):
                raise ConfigError(
                    f"custom rules must be CustomRule(name, allowed), got {type(rule).__name__}."
                )
        names = [r.name for r in self.custom]
        if len(set(names)) != len(names):
            raise ConfigError(f"custom rule names must be unique, got {names}.")
        if not 0 <= self.max_change < 1:
            raise ConfigError(
                f"max_change is {self.max_change}; give a fraction in [0, 1), e.g. 0.15."
            )
        if any(not 0 <= e < 1 for e in self.endings):
            raise ConfigError(f"endings {self.endings}: give cents as fractions, e.g. 0.99.")
        if self.n_points < 2:
            raise ConfigError(f"n_points is {self.n_points}; use at least 2.")
        if not 0 <= self.margin_floor < 1:
            raise ConfigError(
                f"margin_floor is {self.margin_floor}; give a fraction of the price excl. VAT "
                "in [0, 1), e.g. 0.25."
            )
        if self.max_changes is not None and self.max_changes < 0:
            raise ConfigError(f"max_changes is {self.max_changes}; use 0 or more.")


@dataclass(frozen=True, eq=False)
class PricingProblem:
    """Choose one price per SKU over a horizon of weeks.

    Attributes
    ----------
    catalog : Catalog
        Current prices, VAT, unit costs, stock, logistics units, min/max prices.
    elasticities : Elasticities
        Demand estimates for every catalog SKU.
    capacity : numpy.ndarray
        Logistics units that can ship in each horizon week; its length is the horizon.
    demand_multiplier : numpy.ndarray or None
        Demand per horizon week relative to an average history week (e.g. from the media
        plan); ``None`` = 1 every week.
    rules : PriceRules
        Price rules.
    objective : Objective
        Margin (default) or revenue.
    logistics_cost : float
        EUR excl. VAT per logistics unit shipped, subtracted from the margin (0 = ignore).
    net_of_returns : bool
        Count revenue and product margin net of returns: a returned unit is refunded and
        restocked, its shipping cost is lost.
    units_quantile : float or None
        Plan on the posterior mean of expected units (``None``) or on this quantile.
    reference_prices : pandas.Series or None
        Lowest price incl. VAT of the last 30 days per SKU (EU Omnibus), see
        :func:`~optimizer.pricing.rules.reference_prices`; ``None`` = current price.
    method : Method
        Solver path.
    gap_tolerance : float
        Relative optimality gap accepted as optimal (0.001 = 0.1 %).
    time_limit : float
        Seconds allowed to the MILP solver.
    capacity_mode : {"hard", "ration"}
        ``"hard"``: every week's expected shipments must fit its capacity (``InfeasibleError``
        when even the highest allowed prices do not fit). ``"ration"``: a week's demand above
        its capacity is not shipped (lost or deferred sales) and costs ``overflow_penalty``
        per logistics unit; prices are no longer forced up for the whole horizon to fit one
        peak week.
    overflow_penalty : numpy.ndarray or None
        EUR lost per logistics unit of demand that cannot ship, one value per horizon week
        (``"ration"`` mode only). ``None``: the objective's value per logistics unit of the
        current-price mix in that week, see
        :func:`~optimizer.pricing.rationing.default_overflow_penalty`.
    """

    catalog: Catalog
    elasticities: Elasticities
    capacity: np.ndarray
    demand_multiplier: np.ndarray | None = None
    rules: PriceRules = field(default_factory=PriceRules)
    objective: Objective = Objective.MARGIN
    logistics_cost: float = 0.0
    net_of_returns: bool = False
    units_quantile: float | None = None
    reference_prices: pd.Series | None = None
    method: Method = Method.AUTO
    gap_tolerance: float = 1e-3
    time_limit: float = 120.0
    capacity_mode: str = "hard"
    overflow_penalty: np.ndarray | None = None

    def __post_init__(self) -> None:
        cap = np.atleast_1d(np.asarray(self.capacity, dtype=float))
        object.__setattr__(self, "capacity", cap)
        if cap.ndim != 1 or len(cap) == 0 or not np.isfinite(cap).all() or (cap <= 0).any():
            raise ConfigError(
                f"capacity must be one positive number per horizon week; got {cap!r}."
            )
        if self.demand_multiplier is not None:
            m = np.asarray(self.demand_multiplier, dtype=float)
            if m.shape != cap.shape or not np.isfinite(m).all() or (m < 0).any():
                raise ConfigError(
                    f"demand_multiplier has shape {m.shape} but capacity covers {len(cap)} "
                    "weeks; give one non-negative multiplier per horizon week."
                )
            object.__setattr__(self, "demand_multiplier", m)
        if self.logistics_cost < 0:
            raise ConfigError(f"logistics_cost is {self.logistics_cost}; use 0 or more EUR.")
        if self.units_quantile is not None and not 0 < self.units_quantile < 1:
            raise ConfigError(f"units_quantile is {self.units_quantile}; use a value in (0, 1).")
        if not 0 <= self.gap_tolerance < 1:
            raise ConfigError(f"gap_tolerance is {self.gap_tolerance}; use e.g. 0.001.")
        object.__setattr__(self, "objective", Objective(self.objective))
        object.__setattr__(self, "method", Method(self.method))
        try:
            mode = CapacityMode(self.capacity_mode)
        except ValueError:
            raise ConfigError(
                f"capacity_mode is {self.capacity_mode!r}; use 'hard' or 'ration'."
            ) from None
        object.__setattr__(self, "capacity_mode", mode)
        if self.overflow_penalty is not None:
            if mode is CapacityMode.HARD:
                raise ConfigError(
                    "overflow_penalty is only used with capacity_mode='ration'; set "
                    "capacity_mode='ration' or drop overflow_penalty."
                )
            pen = np.atleast_1d(np.asarray(self.overflow_penalty, dtype=float))
            if pen.shape != cap.shape or not np.isfinite(pen).all() or (pen < 0).any():
                raise ConfigError(
                    f"overflow_penalty has shape {pen.shape} and values {pen!r} but capacity "
                    f"covers {len(cap)} weeks; give one finite, non-negative EUR amount per "
                    "logistics unit and horizon week."
                )
            object.__setattr__(self, "overflow_penalty", pen)

    @property
    def n_weeks(self) -> int:
        """Horizon length in weeks."""
        return len(self.capacity)

    @property
    def multiplier(self) -> np.ndarray:
        """Demand multiplier per horizon week (ones when not given)."""
        if self.demand_multiplier is None:
            return np.ones(self.n_weeks)
        return self.demand_multiplier

    def with_(self, **changes: object) -> PricingProblem:
        """A copy with some fields replaced."""
        from dataclasses import replace

        return replace(self, **changes)  # type: ignore[arg-type]
