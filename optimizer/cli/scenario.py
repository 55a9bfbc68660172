"""``optimizer scenario validate|run|compare``: the manager's main job."""

from __future__ import annotations

import time
from pathlib import Path

import click

from optimizer.cli.common import FORCE_HELP, lang_option, progress

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


def contribution_line(summary: dict, lang: str) -> str:
    """One line: the plan's contribution, its interval, the change and P(gain > 0)."""
    from optimizer.report.format import Fmt
    from optimizer.report.labels import tr

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
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Run folder to write.")
@click.option("--force", is_flag=True, help=FORCE_HELP)
@lang_option
def run_cmd(file: Path, out: Path, force: bool, lang: str) -> None:
    """Run a scenario and write summary.json, CSVs, report.html, report.xlsx, run.json."""
    from optimizer.scenario import run_and_write

    t0 = time.perf_counter()
    folder, summary = run_and_write(file, out, force=force, progress=progress(t0), lang=lang)
    click.echo(contribution_line(summary, lang))
    click.echo(f"Report: {folder / 'report.html'}  ({time.perf_counter() - t0:.1f} s)")


@scenario_group.command("compare")
@click.argument("runs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out", required=True, type=click.Path(path_type=Path), help="Comparison folder to write."
)
@click.option("--force", is_flag=True, help=FORCE_HELP)
@lang_option
def compare_cmd(runs: tuple[Path, ...], out: Path, force: bool, lang: str) -> None:
    """Compare run folders side by side (comparison.html, .xlsx, .csv).

    Scenarios with different horizons are compared per week; each scenario's change is against
    its own current plan.
    """
    from optimizer.cli.common import check_out
    from optimizer.scenario.compare import compare_runs, write_comparison

    check_out(out, force)
    table = compare_runs(list(runs))
    folder = write_comparison(table, out, force=force, lang=lang)
    click.echo(f"Comparison of {len(runs)} runs: {folder / 'comparison.html'}")


def register(cli: click.Group) -> None:
    """Attach the scenario group."""
    cli.add_command(scenario_group)
