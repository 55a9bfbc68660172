"""Media budget allocation: certified-optimal plans over channels and weeks.

``allocate(curves, problem)`` takes posterior :class:`~optimizer.curves.ResponseCurves`
and an :class:`AllocationProblem` and returns an :class:`AllocationResult`; ``frontier`` repeats
it over a list of budgets.
"""

from optimizer.allocation.evaluate import Outcome
from optimizer.allocation.problem import (
    AllocationProblem,
    BudgetMode,
    ChannelGroup,
    ChannelRule,
    Objective,
    Risk,
    WeekBound,
)
from optimizer.allocation.result import AllocationResult, Status
from optimizer.allocation.solve import allocate

__all__ = [
    "AllocationProblem",
    "AllocationResult",
    "BudgetMode",
    "ChannelGroup",
    "ChannelRule",
    "Objective",
    "Outcome",
    "Risk",
    "Status",
    "WeekBound",
    "allocate",
]
