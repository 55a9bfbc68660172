"""Pricing: price elasticities (PyMC), price rules, certified optimal prices under capacity.

Data flow: ``SalesHistory`` + ``Catalog`` -> :class:`ElasticityModel` -> :class:`Elasticities`
-> :class:`PricingProblem` (+ rules, capacity, demand multiplier) -> :func:`optimize_prices`
-> :class:`PricingResult`.
"""

from optimizer.pricing.elasticity import ElasticityModel
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
    "build_ladder",
    "evaluate_prices",
    "optimize_prices",
    "reference_prices",
    "sell_through",
]
