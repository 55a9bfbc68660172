"""Pricing rules file (TOML), validated with pydantic at the file edge.

Example ``rules.toml``::

    schema_version = 1
    objective = "margin"          # or "revenue"
    max_change = 0.15             # +/-15 % vs the current price
    endings = [0.99, 0.90]        # cents of the price incl. VAT
    n_points = 11                 # candidate prices per SKU
    margin_floor = 0.25           # of the price excl. VAT
    max_changes = 50              # SKUs whose price may change this cycle
    allow_stockout = true         # false: demand over the horizon must fit the stock
    units_quantile = 0.5          # omit to plan on the posterior mean
    net_of_returns = false
    gap_tolerance = 0.001
    capacity_mode = "hard"        # "ration": demand above a week's capacity is not shipped
    safe = true                   # judge the lift over today's prices on held-out draws
    alpha = 0.1                   # largest held-out P(earning less than today's prices)
    weak_max_change = 0.03        # largest change of a SKU whose elasticity is only its prior

    [min_advertised_price]        # EUR incl. VAT per SKU
    "MDF-004" = 49.99
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field

from optimizer.config import StrictModel, load_toml, validate
from optimizer.pricing.problem import Objective, PriceRules
from optimizer.pricing.safe_types import SafeSettings

__all__ = ["RulesFile", "load_rules"]


class RulesFile(StrictModel):
    """Content of a pricing rules file."""

    schema_version: Literal[1] = 1
    objective: Literal["margin", "revenue"] = "margin"
    max_change: float = Field(0.15, ge=0.0, lt=1.0)
    endings: list[Annotated[float, Field(ge=0.0, lt=1.0)]] = [0.99, 0.90]
    n_points: int = Field(11, ge=2, le=101)
    margin_floor: float = Field(0.0, ge=0.0, lt=1.0)
    max_changes: int | None = Field(None, ge=0)
    allow_stockout: bool = True
    units_quantile: float | None = Field(None, gt=0.0, lt=1.0)
    net_of_returns: bool = False
    gap_tolerance: float = Field(1e-3, ge=0.0, lt=1.0)
    logistics_cost: float | None = Field(None, ge=0.0)
    min_advertised_price: dict[str, Annotated[float, Field(gt=0.0)]] = {}
    capacity_mode: Literal["hard", "ration"] = "hard"
    safe: bool = True
    alpha: float = Field(0.1, gt=0.0, lt=1.0)
    weak_max_change: float = Field(0.03, ge=0.0, lt=1.0)

    def safe_settings(self, seed: int = 0) -> SafeSettings | None:
        """The safe-plan settings (``None`` when ``safe = false``: the plain optimum)."""
        if not self.safe:
            return None
        return SafeSettings(alpha=self.alpha, seed=seed, weak_max_change=self.weak_max_change)

    def to_rules(self) -> PriceRules:
        """The :class:`PriceRules` this file describes."""
        return PriceRules(
            max_change=self.max_change,
            endings=tuple(self.endings),
            n_points=self.n_points,
            margin_floor=self.margin_floor,
            min_advertised_price=dict(self.min_advertised_price),
            max_changes=self.max_changes,
            allow_stockout=self.allow_stockout,
        )

    @property
    def objective_enum(self) -> Objective:
        """The objective as an enum."""
        return Objective(self.objective)


def load_rules(path: str | Path) -> RulesFile:
    """Read and validate a rules TOML file.

    Raises
    ------
    ConfigError
        Syntax errors, unknown keys (with a did-you-mean hint), out-of-range values.
    """
    path = Path(path)
    return validate(RulesFile, load_toml(path), path.name)
