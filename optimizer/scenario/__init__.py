"""Scenarios: the joint media + price plan under shared capacity, and finance-ready outputs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from optimizer.scenario.compare import compare_runs, write_comparison
from optimizer.scenario.runner import ScenarioResult, run_scenario
from optimizer.scenario.schema import ScenarioFile, ScenarioSpec, load_scenario, parse_scenario

__all__ = [
    "ScenarioFile",
    "ScenarioResult",
    "ScenarioSpec",
    "compare_runs",
    "load_scenario",
    "parse_scenario",
    "run_and_write",
    "run_scenario",
    "write_comparison",
]


def run_and_write(
    scenario: str | Path | ScenarioSpec,
    out: str | Path,
    *,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Validate, run and write a scenario; return the run folder and its summary.

    The output folder is checked before any fitting so that a run that would be refused at the
    end is refused at once.
    """
    import json

    from optimizer.errors import ConfigError
    from optimizer.scenario.output import write_run

    spec = scenario if isinstance(scenario, ScenarioSpec) else load_scenario(scenario)
    out = Path(out)
    if out.exists() and not force:
        raise ConfigError(
            f"{out} already exists; choose another --out or pass --force to replace it."
        )
    result = run_scenario(spec, progress=progress)
    folder = write_run(result, out, force=force)
    return folder, json.loads((folder / "summary.json").read_text(encoding="utf-8"))
