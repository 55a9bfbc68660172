"""Scenarios: the joint media + price plan under shared capacity, and finance-ready outputs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from optimizer.scenario.compare import compare_runs, write_comparison
from optimizer.scenario.runs import run_and_write, up_to_date
from optimizer.scenario.schema import ScenarioFile, ScenarioSpec, load_scenario, parse_scenario

if TYPE_CHECKING:
    from optimizer.scenario.runner import ScenarioResult, run_scenario

__all__ = [
    "ScenarioFile",
    "ScenarioResult",
    "ScenarioSpec",
    "compare_runs",
    "load_scenario",
    "parse_scenario",
    "run_and_write",
    "run_scenario",
    "up_to_date",
    "write_comparison",
]


def __getattr__(name: str) -> Any:
    # lazy: the runner loads PyMC; validating a file stays fast without it
    if name in ("ScenarioResult", "run_scenario"):
        from optimizer.scenario import runner  # lazy: PyMC

        return getattr(runner, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
