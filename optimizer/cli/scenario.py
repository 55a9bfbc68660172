"""``optimizer scenario validate|run|compare``: the manager's main job."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from optimizer.cli.common import (
    check_out,
    compute_options,
    lang_option,
    out_option,
    progress,
)
from optimizer.errors import ConfigError, OptimizerError
from optimizer.report.format import Fmt
from optimizer.report.labels import tr
from optimizer.scaleout import ComputeSpec
from optimizer.scenario.compare import compare_runs
from optimizer.scenario.grid import SweepGrid

__all__ = ["register", "scenario_group"]


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
    # lazy: the checks against the data stay out of the CLI's start (--help)
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


def contribution_line(summary: dict, lang: str) -> str:
    """One line: the plan's contribution, its interval, the change and P(gain > 0)."""
    fmt = Fmt(lang)  # type: ignore[arg-type]
    k = summary["kpis"]["contribution"]
    p = summary.get("confidence", {}).get("p_gain_positive")
    sure = (
        ""
        if p is None
        else tr(
            lang,
            f", probabilité de gain {fmt.probability(p)}",
            f", probability of a gain {fmt.probability(p)}",
        )
    )
    return tr(
        lang,
        f"{summary['scenario']} : contribution {fmt.eur(k['plan']['mean'])} "
        f"(P10 {fmt.eur(k['plan']['p10'])}, P90 {fmt.eur(k['plan']['p90'])}) ; "
        f"{fmt.eur(k['delta']['mean'], sign=True)} par rapport au plan actuel{sure}.",
        f"{summary['scenario']}: contribution {fmt.eur(k['plan']['mean'])} "
        f"(P10 {fmt.eur(k['plan']['p10'])}, P90 {fmt.eur(k['plan']['p90'])}); "
        f"{fmt.eur(k['delta']['mean'], sign=True)} vs the current plan{sure}.",
    )


@scenario_group.command("run")
@click.argument("file", type=click.Path(path_type=Path))
@out_option("Run folder to write.")
@lang_option
def run_cmd(file: Path, out: Path, force: bool, lang: str) -> None:
    """Run a scenario and write summary.json, CSVs, report.html, report.xlsx, run.json."""
    from optimizer.jobs.scenario import run_and_write  # lazy: PyMC loads with the runner

    t0 = time.perf_counter()
    folder, summary = run_and_write(file, out, force=force, progress=progress(t0), lang=lang)
    click.echo(contribution_line(summary, lang))
    click.echo(f"Report: {folder / 'report.html'}  ({time.perf_counter() - t0:.1f} s)")


@scenario_group.command("compare")
@click.argument("runs", nargs=-1, required=True, type=click.Path(path_type=Path))
@out_option("Comparison folder to write.")
@lang_option
def compare_cmd(runs: tuple[Path, ...], out: Path, force: bool, lang: str) -> None:
    """Compare run folders side by side (comparison.html, .xlsx, .csv).

    Scenarios with different horizons are compared per week; each scenario's change is against
    its own current plan.
    """
    from optimizer.report.comparison import write_comparison  # lazy: matplotlib

    check_out(out, force)
    table = compare_runs(list(runs))
    folder = write_comparison(table, out, force=force, lang=lang)
    click.echo(f"Comparison of {len(runs)} runs: {folder / 'comparison.html'}")


def _grid_part(kind: str) -> Any:
    """A click callback checking one grid option on its own (a bad value is a usage error)."""

    def check(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        texts: dict[str, str | None] = {"multipliers": "1", "rules": "free", "risks": None}
        texts[kind] = value
        try:
            SweepGrid.parse(texts["multipliers"] or "", texts["rules"] or "", texts["risks"])
        except ConfigError as exc:
            raise click.BadParameter(str(exc)) from None
        return value

    return check


@scenario_group.command("sweep")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--budget-multipliers",
    default="0.7,0.85,1,1.15,1.3",
    show_default=True,
    callback=_grid_part("multipliers"),
    help="Budgets to plan, as multiples of the scenario's budget, separated by commas.",
)
@click.option(
    "--rules",
    default="free,guard30,workable",
    show_default=True,
    callback=_grid_part("rules"),
    help="Rule sets, separated by commas: free (optimum under the budget and the scenario's "
    "channel rules), guardNN (each channel within +/-NN % of its run-rate) or workable (the "
    "scenario's safe planner with the workable rules).",
)
@click.option(
    "--risks",
    default=None,
    callback=_grid_part("risks"),
    help="Risk settings to sweep too (mean, pNN, cvarNN; default: the scenario's).",
)
@out_option("Folder to write.")
@compute_options
@lang_option
def sweep_cmd(
    file: Path,
    budget_multipliers: str,
    rules: str,
    risks: str | None,
    out: Path,
    force: bool,
    workers: int | None,
    scheduler: str | None,
    lang: str,
) -> None:
    """Plan a scenario's media over budgets x rule sets; write sweep.csv, .json, .png, run.json.

    The models are fitted once (or reused from the scenario's cache); each grid point is one
    task, run in this process, on a local cluster (--workers) or an existing Dask cluster
    (--scheduler, or DASK_SCHEDULER_ADDRESS). Prices stay at today's values at every point.
    """
    # lazy: the sweep fits with PyMC: loaded when the command runs, so that --help stays fast
    from optimizer.report.sweep import write_sweep
    from optimizer.scenario import load_scenario
    from optimizer.scenario.sweep import run_sweep

    t0 = time.perf_counter()
    check_out(out, force)
    compute = ComputeSpec.from_options(workers, scheduler)
    grid = SweepGrid.parse(budget_multipliers, rules, risks)
    result = run_sweep(load_scenario(file), grid, compute, progress=progress(t0))
    folder = write_sweep(result, out, force=force, lang=lang)
    ok = result.table["status"] != "infeasible"
    click.echo(
        f"{int(ok.sum())} of {len(ok)} grid points planned on {result.compute}: "
        f"{folder / 'sweep.csv'}  ({time.perf_counter() - t0:.1f} s)"
    )


def register(cli: click.Group) -> None:
    """Attach the scenario group."""
    cli.add_command(scenario_group)
