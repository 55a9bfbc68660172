"""Pricing: price elasticities (PyMC), price rules, certified optimal prices under capacity.

Data flow: ``SalesHistory`` + ``Catalog`` -> :class:`ElasticityModel` -> :class:`Elasticities`
-> :class:`PricingProblem` (+ rules, capacity, demand multiplier) -> :func:`optimize_prices`
-> :class:`PricingResult`; :func:`safe_prices` (:class:`SafeSettings`) -> :class:`SafePriceResult`
keeps new prices only where they beat today's on held-out posterior draws.
"""

from typing import TYPE_CHECKING, Any

from optimizer.pricing.estimates import Elasticities
from optimizer.pricing.evaluate import Evaluation, evaluate_prices, sell_through
from optimizer.pricing.optimize import optimize_prices
from optimizer.pricing.problem import (
    CapacityMode,
    CustomRule,
    Method,
    Objective,
    PriceRules,
    PricingProblem,
)
from optimizer.pricing.result import PricingResult, PricingStatus
from optimizer.pricing.rules import Ladder, build_ladder, reference_prices
from optimizer.pricing.safe import SafePriceResult, SafeSettings, safe_prices

if TYPE_CHECKING:
    from optimizer.pricing.elasticity import ElasticityModel

__all__ = [
    "CapacityMode",
    "CustomRule",
    "Elasticities",
    "ElasticityModel",
    "Evaluation",
    "Ladder",
    "Method",
    "Objective",
    "PriceRules",
    "PricingProblem",
    "PricingResult",
    "PricingStatus",
    "SafePriceResult",
    "SafeSettings",
    "build_ladder",
    "evaluate_prices",
    "optimize_prices",
    "reference_prices",
    "safe_prices",
    "sell_through",
]

# heavy (PyMC) modules load on first use, so that numpy-only parts stay light
_LAZY = {
    "ElasticityModel": "optimizer.pricing.elasticity",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
