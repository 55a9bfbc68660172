"""The joint media + price planner under shared stock and capacity, and its P&L.

``demand`` (posterior store demand: media curves times price effects, shipped within stock and
capacity), ``pnl`` (the P&L of a plan per posterior sample), ``evaluation`` (a plan under the
model, the media problem at a price list), ``steps`` (price step, separate plan, joint ascent),
``safety`` (the held-out safety check) and ``plan`` (:func:`plan_joint`, the three plans).
Used by a scenario run and by a portfolio of shops.
"""

from __future__ import annotations

from optimizer.scenario.joint.demand import Shipments, StoreDemand
from optimizer.scenario.joint.evaluation import PlanEvaluation, evaluate_plan
from optimizer.scenario.joint.plan import JointSettings, Plans, plan_joint
from optimizer.scenario.joint.pnl import PnL, catalog_pnl

__all__ = [
    "JointSettings",
    "PlanEvaluation",
    "Plans",
    "PnL",
    "Shipments",
    "StoreDemand",
    "catalog_pnl",
    "evaluate_plan",
    "plan_joint",
]
