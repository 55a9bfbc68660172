"""Scenarios: the joint media + price plan under shared capacity, and finance-ready outputs.

:func:`optimizer.jobs.scenario.run_and_write` runs a scenario file and writes its run folder;
:func:`optimizer.report.comparison.write_comparison` writes a comparison of runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from optimizer.scenario.compare import compare_runs
from optimizer.scenario.runs import up_to_date
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
    "run_scenario",
    "up_to_date",
]


def __getattr__(name: str) -> Any:
    if name in ("ScenarioResult", "run_scenario"):
        # lazy: the runner loads PyMC; validating a file stays fast without it
        from optimizer.scenario import runner

        return getattr(runner, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
