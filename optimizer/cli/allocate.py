"""``optimizer allocate``: the best media plan for a budget, with its certificate and frontier."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from optimizer.cli.common import (
    allow_failed_option,
    check_one_source,
    check_out,
    choice_option,
    date_option,
    lang_option,
    number_option,
    out_option,
    path_option,
    risk_option,
    weeks_option,
)
from optimizer.report.console import allocation_lines, safe_allocation_lines
from optimizer.report.labels import tr

__all__ = ["register"]


def _parse_multipliers(text: str | None) -> list[float] | None:
    if not text:
        return None
    try:
        vals = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise click.BadParameter(
            f"'{text}' must be numbers separated by commas, e.g. 0.5,1,1.5."
        ) from None
    if not vals or min(vals) <= 0:
        raise click.BadParameter(f"'{text}' must hold multipliers > 0, e.g. 0.5,1,1.5.")
    return vals


@click.command("allocate")
@path_option("--model", help="Fitted model folder (from 'optimizer mmm fit').")
@path_option("--curves", "curves_file", help="ResponseCurves JSON instead of a model folder.")
@click.option(
    "--budget",
    required=True,
    type=click.FloatRange(min=0),
    help="Media budget over the horizon, EUR excl. VAT.",
)
@weeks_option(520)
@date_option(
    "--start",
    help="Monday of the first week (YYYY-MM-DD). Default with --model: the week after the "
    "model's history (plans are dated); with --curves the weeks are numbered from 0.",
)
@path_option("--constraints", help="Constraints TOML (bounds, caps, ROAS/CPA rules).")
@choice_option(
    "--objective",
    ["revenue", "margin", "contribution"],
    help="What the plan maximizes: incremental revenue, margin (revenue x margin rate - "
    "spend) or contribution (also net of variable costs).",
)
@number_option(
    "--margin-rate",
    click.FloatRange(0, 1, min_open=True),
    None,
    help="Gross margin per EUR of revenue (margin/contribution objectives).",
)
@risk_option
@click.option(
    "--frontier",
    "frontier_text",
    default=None,
    help="Budget multipliers for the efficient frontier, e.g. 0.5,0.75,1,1.25,1.5.",
)
@choice_option(
    "--method",
    ["auto", "lp", "nonlinear"],
    help="Solver: lp (piecewise-linear MILP with an optimality certificate), nonlinear "
    "(SLSQP) or auto (both, the better plan kept).",
)
@number_option(
    "--tail-weeks",
    click.IntRange(0, 104),
    0,
    help="Also count the carry-over response in this many weeks after the horizon.",
)
@choice_option(
    "--mode",
    ["safe", "free"],
    help="safe: the best plan that beats today's in at least 1 - alpha of the model's samples, "
    "inside bounds derived from the data (promise on held-out samples); free: the posterior "
    "optimum under your rules only (can lose money when the model is wrong).",
)
@number_option(
    "--alpha",
    click.FloatRange(0, 0.5, min_open=True, max_open=True),
    0.1,
    help="Safe mode: largest accepted model-side probability of doing worse than today.",
)
@path_option(
    "--today",
    "today_file",
    help="Today's plan to beat (CSV: week + one column per channel, EUR per week); default: "
    "the recent run-rate every week.",
)
@allow_failed_option
@out_option("Output folder.")
@lang_option
def allocate_cmd(
    model: Path | None,
    curves_file: Path | None,
    budget: float,
    weeks: int,
    start: Any,
    constraints: Path | None,
    objective: str,
    margin_rate: float | None,
    risk: str,
    frontier_text: str | None,
    method: str,
    tail_weeks: int,
    mode: str,
    alpha: float,
    today_file: Path | None,
    allow_failed_model: bool,
    out: Path,
    force: bool,
    lang: str,
) -> None:
    """Optimize the media plan for BUDGET over WEEKS and write plan.csv, summary.json, charts."""
    # lazy: the planner, the writer and its plot module stay out of the CLI's start (--help)
    from optimizer.jobs.allocate import AllocateRequest, plan_media
    from optimizer.report.allocation_writer import write_allocation

    multipliers = _parse_multipliers(frontier_text)
    if objective != "revenue" and margin_rate is None:
        raise click.UsageError(f"--objective {objective} needs --margin-rate (e.g. 0.4).")
    check_out(out, force)
    check_one_source(model, curves_file)
    run = plan_media(
        AllocateRequest(
            budget=budget,
            weeks=weeks,
            model=model,
            curves=curves_file,
            start=start.date() if start is not None else None,
            constraints=constraints,
            objective=objective,
            margin_rate=margin_rate,
            risk=risk,
            frontier=tuple(multipliers) if multipliers else None,
            method=method,
            tail_weeks=tail_weeks,
            mode=mode,
            alpha=alpha,
            today=today_file,
            allow_failed=allow_failed_model,
        )
    )
    # --out was checked before solving: the writer replaces what is there
    write_allocation(run.result, run.summary, out, safe=run.safe, frontier=run.frontier, force=True)
    if run.safe is not None:
        _echo_safe(run.safe, out, lang)
    else:
        _echo_summary(run.result, out, lang)


def _echo_safe(safe: Any, out: Path, lang: str) -> None:
    for line in safe_allocation_lines(safe, lang):
        click.echo(line)
    if lang == "en":  # the planner's notes are in English
        for note in sorted(set(safe.candidates["note"])):
            if note:
                click.echo(f"  note: {note}")
    _echo_written(safe.result, out, lang)


def _echo_summary(result: Any, out: Path, lang: str) -> None:
    for line in allocation_lines(result, lang):
        click.echo(line)
    _echo_written(result, out, lang)


def _echo_written(result: Any, out: Path, lang: str) -> None:
    if lang == "en":
        for b in result.binding:
            click.echo(f"  binding: {b}")
    elif result.binding:  # the solver names its binding rules in English: counted here
        click.echo(
            f"  {len(result.binding)} contrainte(s) atteinte(s) : détail (en anglais) dans "
            f"{out / 'summary.json'}"
        )
    click.echo(tr(lang, f"Écrit dans {out}", f"Written to {out}"))


def register(cli: click.Group) -> None:
    """Attach the command to the top-level group."""
    cli.add_command(allocate_cmd)
