"""Pricing result: frozen per-SKU table and totals, with a status (``SolveStatus``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from optimizer.solving import SolveStatus as PricingStatus

__all__ = ["PRICE_COLUMNS", "PricingResult", "PricingStatus"]

#: Columns of :attr:`PricingResult.prices` (index ``sku``).
PRICE_COLUMNS = (
    "category",
    "current_price_incl_vat",
    "new_price_incl_vat",
    "new_price_excl_vat",
    "unit_cost",
    "change_pct",
    "expected_demand",
    "expected_units",
    "lost_units",
    "rationed_units",
    "stock",
    "revenue_excl_vat",
    "margin",
    "current_expected_units",
    "current_margin",
    "binding_rule",
    "reference_price",
)


@dataclass(frozen=True, eq=False)
class PricingResult:
    """New prices and their expected economics over the horizon.

    Attributes
    ----------
    status : PricingStatus
        Optimal (gap within tolerance) or feasible.
    prices : pandas.DataFrame
        Per SKU (index ``sku``), columns :data:`PRICE_COLUMNS`: prices in EUR (incl./excl.
        VAT), ``change_pct`` (percent), units over the horizon (``expected_demand``,
        ``expected_units`` shipped = ``min(demand, stock)`` scaled down in proportion in
        weeks over capacity (``"ration"`` mode), ``lost_units`` = demand above stock,
        ``rationed_units`` = units in stock that could not ship for lack of capacity (0 in
        ``"hard"`` mode); ``expected_demand = expected_units + lost_units +
        rationed_units``), EUR excl. VAT
        (``revenue_excl_vat``, ``margin``), the same at the current price, ``binding_rule``
        (the rule or constraint that stops the price moving further, ``"none"`` when the
        price is the SKU's unconstrained optimum), ``reference_price`` (EUR incl. VAT, the
        lowest price of the previous 30 days, only for reductions, else NaN).
    objective : str
        ``"margin"`` or ``"revenue"``.
    objective_value : float
        Objective of the new prices (EUR excl. VAT over the horizon). In ``"ration"`` mode:
        the objective of the demand served from stock minus ``overflow_penalty`` times the
        overflow (the planning model the gap refers to); the ``margin`` column sums the
        margin of the units actually shipped under proportional rationing of the new mix.
    bound : float
        Certified upper bound on the best achievable objective (EUR).
    gap : float
        ``(bound - objective_value) / |bound|``.
    capacity : numpy.ndarray
        Capacity per horizon week (logistics units).
    load : numpy.ndarray
        Logistics units shipped per week at the new prices, never above ``capacity``.
    current_load : numpy.ndarray
        Logistics units demanded (served from stock) per week at the current prices (may
        exceed capacity).
    multipliers : dict of str to float
        Shadow prices of the coupling constraints (EUR per logistics unit, per price change);
        in ``"ration"`` mode each ``capacity_week_<t>`` lies in ``[0, overflow_penalty[t-1]]``.
    solver : str
        Path that produced the prices (``"lagrangian"``, ``"lagrangian+pulp-cbc"``, ...).
    seconds : float
        Wall time of the optimization.
    info : dict
        Package version, input hash, method details; JSON-ready.
    demand_load : numpy.ndarray or None
        Logistics units the new prices would ship per week without rationing (served from
        stock); equals ``load`` in ``"hard"`` mode (``None``: same as ``load``).
    overflow_penalty : numpy.ndarray or None
        EUR per logistics unit of overflow per week (``"ration"`` mode), else ``None``.
    capacity_mode : str
        ``"hard"`` or ``"ration"``.
    """

    status: PricingStatus
    prices: pd.DataFrame
    objective: str
    objective_value: float
    bound: float
    gap: float
    capacity: np.ndarray
    load: np.ndarray
    current_load: np.ndarray
    multipliers: dict[str, float]
    solver: str
    seconds: float
    info: dict[str, Any] = field(default_factory=dict)
    demand_load: np.ndarray | None = None
    overflow_penalty: np.ndarray | None = None
    capacity_mode: str = "hard"

    @property
    def overflow(self) -> np.ndarray:
        """Logistics units demanded but not shipped per week (rationed), ``>= 0``."""
        if self.demand_load is None:
            return np.zeros_like(self.load)
        return np.clip(self.demand_load - self.load, 0.0, None)

    @property
    def rationed_units(self) -> float:
        """Units in stock that could not ship for lack of capacity, over the horizon."""
        if "rationed_units" not in self.prices:
            return 0.0
        return float(self.prices["rationed_units"].sum())

    @property
    def n_changes(self) -> int:
        """SKUs whose price changes."""
        p = self.prices
        return int((~np.isclose(p["new_price_incl_vat"], p["current_price_incl_vat"])).sum())

    def totals(self) -> dict[str, float]:
        """Totals over the horizon (EUR excl. VAT, units, logistics units)."""
        p = self.prices
        return {
            "margin": float(p["margin"].sum()),
            "revenue_excl_vat": float(p["revenue_excl_vat"].sum()),
            "units": float(p["expected_units"].sum()),
            "lost_units": float(p["lost_units"].sum()),
            "current_margin": float(p["current_margin"].sum()),
            "current_units": float(p["current_expected_units"].sum()),
            "stock_units": float(p["stock"].sum()),
            "skus_selling_out": int((p["lost_units"] > 1e-6).sum()),
            "capacity_units": float(self.capacity.sum()),
            "logistics_load": float(self.load.sum()),
            "peak_capacity_use": float((self.load / self.capacity).max()),
            "current_peak_capacity_use": float((self.current_load / self.capacity).max()),
            "rationed_units": self.rationed_units,
            "overflow_logistics_units": float(self.overflow.sum()),
            "overflow_penalty_eur": float(
                self.overflow @ self.overflow_penalty if self.overflow_penalty is not None else 0.0
            ),
        }

    def summary(self) -> dict[str, Any]:
        """JSON-ready summary (``summary.json`` of ``optimizer pricing optimize``)."""
        return {
            "status": self.status.value,
            "objective": self.objective,
            "objective_value": self.objective_value,
            "bound": self.bound,
            "gap": self.gap,
            "solver": self.solver,
            "seconds": self.seconds,
            "n_skus": len(self.prices),
            "n_changes": self.n_changes,
            "totals": self.totals(),
            "multipliers": self.multipliers,
            "binding_rules": self.prices["binding_rule"].value_counts().to_dict(),
            "capacity_mode": self.capacity_mode,
            "weekly": {
                "capacity": [float(x) for x in self.capacity],
                "shipped_load": [float(x) for x in self.load],
                "overflow": [float(x) for x in self.overflow],
                "current_load": [float(x) for x in self.current_load],
            },
            **self.info,
        }
