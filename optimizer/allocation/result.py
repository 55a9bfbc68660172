"""The allocation result: plan, expected outcomes, certificate, explanation (frozen)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from optimizer.allocation.evaluate import Outcome
from optimizer.solving import SolveStatus as Status

__all__ = ["AllocationResult", "Status"]


@dataclass(frozen=True, eq=False)
class AllocationResult:
    """An optimized media plan and what it is expected to bring.

    Attributes
    ----------
    status : Status
    objective : str
        ``revenue``, ``margin`` or ``contribution``.
    risk : str
        ``mean``, ``p10``, ``cvar10``...
    value : float
        Risk summary of the objective for the plan, EUR over the horizon (the maximized number).
    upper_bound : float or None
        Certified upper bound on the best achievable ``value``, EUR (None when not certifiable).
    gap : float or None
        ``upper_bound - value``, EUR.
    rel_gap : float or None
        ``gap / |upper_bound|``.
    plan : pandas.DataFrame
        Spend, weeks (rows; dates when the start is known) x channels, EUR per week.
    current_plan : pandas.DataFrame
        The recent run-rate repeated over the horizon, same layout.
    revenue, current_revenue, revenue_lift : Outcome
        Incremental media revenue over the horizon (mean, P10, P90), EUR, for the plan, the
        current plan, and their sample-wise difference.
    objective_outcome, current_objective_outcome : Outcome
        The objective (revenue, margin or contribution) for both plans, EUR.
    channels : pandas.DataFrame
        Per channel: ``spend``, ``current_spend`` (EUR over the horizon), ``revenue`` (posterior
        mean EUR), ``roas``, ``marginal_roas`` (EUR of revenue per extra EUR spent in the plan's
        weeks, spend-weighted, posterior mean) and ``steady_marginal_roas`` (at the plan's mean
        weekly spend once carry-over has settled).
    binding : tuple of str
        Constraints at their limit, in words.
    solver : str
        E.g. ``"highs-milp+slsqp"``; ``chosen`` says which plan was reported.
    chosen : str
        ``"lp"`` or ``"nonlinear"``.
    lp_model_value, lp_plan_value : float or None
        The PWL model's own value and the exact value of its plan (approximation error), EUR.
    nonlinear_value : float or None
        Exact value of the SLSQP plan, EUR.
    seconds : float
    version : str
        Package version.
    seed : int
    input_hash : str
        SHA-256 of the curves and the problem.
    notes : tuple of str
        Caveats (e.g. which bound certifies the gap).
    """

    status: Status
    objective: str
    risk: str
    value: float
    upper_bound: float | None
    gap: float | None
    rel_gap: float | None
    plan: pd.DataFrame
    current_plan: pd.DataFrame
    revenue: Outcome
    current_revenue: Outcome
    revenue_lift: Outcome
    objective_outcome: Outcome
    current_objective_outcome: Outcome
    channels: pd.DataFrame
    binding: tuple[str, ...]
    solver: str
    chosen: str
    lp_model_value: float | None
    lp_plan_value: float | None
    nonlinear_value: float | None
    seconds: float
    version: str
    seed: int
    input_hash: str
    notes: tuple[str, ...] = ()

    @property
    def total_spend(self) -> float:
        """Spend of the plan over the horizon, EUR."""
        return float(self.plan.to_numpy().sum())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (the plan itself goes to CSV)."""
        return {
            "status": self.status.value,
            "objective": self.objective,
            "risk": self.risk,
            "value": self.value,
            "upper_bound": self.upper_bound,
            "gap": self.gap,
            "rel_gap": self.rel_gap,
            "total_spend": self.total_spend,
            "current_spend": float(self.current_plan.to_numpy().sum()),
            "expected_revenue": {
                "optimal": self.revenue.to_dict(),
                "current": self.current_revenue.to_dict(),
                "difference": self.revenue_lift.to_dict(),
            },
            "expected_objective": {
                "optimal": self.objective_outcome.to_dict(),
                "current": self.current_objective_outcome.to_dict(),
            },
            "channels": {
                str(c): {k: float(v) for k, v in row.items()} for c, row in self.channels.iterrows()
            },
            "binding_constraints": list(self.binding),
            "solver": self.solver,
            "chosen": self.chosen,
            "lp_model_value": self.lp_model_value,
            "lp_plan_value": self.lp_plan_value,
            "nonlinear_value": self.nonlinear_value,
            "seconds": self.seconds,
            "version": self.version,
            "seed": self.seed,
            "input_hash": self.input_hash,
            "notes": list(self.notes),
        }
