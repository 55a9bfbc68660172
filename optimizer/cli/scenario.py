"""``optimizer scenario validate|run|compare``: the manager's main job."""

from __future__ import annotations

import time
from pathlib import Path

import click

__all__ = ["register", "scenario_group"]


def _progress(t0: float):
    def say(msg: str) -> None:
        click.echo(f"[{time.perf_counter() - t0:6.1f} s] {msg}", err=True)

    return say


@click.group("scenario")
def scenario_group() -> None:
    """Validate, run and compare scenario files."""


@scenario_group.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate_cmd(files: tuple[Path, ...]) -> None:
    """Validate scenario files: schema, paths, dataset, and the rules against the data.

    No model is fitted. Rules relative to the recent run-rate (min_change, max_change,
    budget_change) are checked against each other here, against the other rules when the
    scenario runs.
    """
    from optimizer.errors import OptimizerError
    from optimizer.scenario.checks import validate_scenario

    failed = 0
    for f in files:
        try:
            spec = validate_scenario(f)
        except OptimizerError as exc:
            failed += 1
            click.echo(f"FAILED {f}\n  {exc}", err=True)
            continue
        click.echo(f"OK {f}: {spec.name} ({spec.file.horizon.weeks} weeks)")
    if failed:
        raise click.ClickException(f"{failed} of {len(files)} scenario file(s) are invalid.")


@scenario_group.command("run")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Run folder to write.")
@click.option("--force", is_flag=True, help="Replace an existing run folder.")
def run_cmd(file: Path, out: Path, force: bool) -> None:
    """Run a scenario and write summary.json, CSVs, report.html, report.xlsx, run.json."""
    from optimizer.scenario import run_and_write

    t0 = time.perf_counter()
    folder, summary = run_and_write(file, out, force=force, progress=_progress(t0))
    k = summary["kpis"]["contribution"]
    click.echo(
        f"{summary['scenario']}: contribution {k['plan']['mean']:,.0f} EUR "
        f"(P10 {k['plan']['p10']:,.0f}, P90 {k['plan']['p90']:,.0f}); "
        f"{k['delta']['mean']:+,.0f} EUR vs the current plan."
    )
    click.echo(f"Report: {folder / 'report.html'}  ({time.perf_counter() - t0:.1f} s)")


@scenario_group.command("compare")
@click.argument("runs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", required=True, type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace an existing comparison folder.")
def compare_cmd(runs: tuple[Path, ...], out: Path, force: bool) -> None:
    """Compare run folders side by side (comparison.html, .xlsx, .csv)."""
    from optimizer.scenario.compare import compare_runs, write_comparison

    table = compare_runs(list(runs))
    folder = write_comparison(table, out, force=force)
    click.echo(f"Comparison of {len(runs)} runs: {folder / 'comparison.html'}")


def register(cli: click.Group) -> None:
    """Attach the scenario group."""
    cli.add_command(scenario_group)
