"""``optimizer allocate``: the best media plan for a budget, with its certificate and frontier."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click

from optimizer.allocation import AllocationProblem, Risk, allocate
from optimizer.allocation.constraints_file import default_constraints, load_constraints
from optimizer.allocation.safe import SafeRule, safe_allocate
from optimizer.allocation.today import read_plan_csv
from optimizer.cli.common import (
    allow_failed_option,
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
from optimizer.errors import InfeasibleError
from optimizer.report.console import allocation_lines, safe_allocation_lines
from optimizer.report.labels import tr

__all__ = ["register"]


def load_curves(model: Path | None, curves: Path | None, allow_failed: bool) -> Any:
    """Response curves from a fitted model folder (``--model``) or a JSON file (``--curves``).

    A model whose diagnostics gate failed is refused unless ``allow_failed``.
    """
    return load_curves_and_last_week(model, curves, allow_failed)[0]


def load_curves_and_last_week(
    model: Path | None, curves: Path | None, allow_failed: bool
) -> tuple[Any, date | None]:
    """Response curves and the last week of the model's history (None when unknown)."""
    # lazy: kept out of the CLI's start (--help); only commands that read a model need it
    from optimizer.mmm.folder import load_gated_curves, read_curves_json

    check_one_source(model, curves)
    if curves is not None:
        return read_curves_json(curves), None
    assert model is not None
    return load_gated_curves(model, allow_failed)


def check_one_source(model: Path | None, curves: Path | None) -> None:
    """Refuse a command given neither or both of ``--model`` and ``--curves`` (usage error)."""
    if (model is None) == (curves is None):
        raise click.UsageError("give exactly one of --model DIR or --curves FILE.json.")


def plan_rules(constraints: Path | None, channels: Any) -> dict[str, Any]:
    """The plan's rules: those of the constraints file, else the defaults for ``channels``."""
    return load_constraints(constraints, channels) if constraints else default_constraints(channels)


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
    # lazy: the writer and its plot module stay out of the CLI's start (--help)
    from optimizer.allocation.frontier import frontier
    from optimizer.report.allocation_writer import allocation_summary, write_allocation

    multipliers = _parse_multipliers(frontier_text)
    if objective != "revenue" and margin_rate is None:
        raise click.UsageError(f"--objective {objective} needs --margin-rate (e.g. 0.4).")
    check_out(out, force)
    curves, last_week = load_curves_and_last_week(model, curves_file, allow_failed_model)
    problem = _problem(
        curves,
        last_week,
        constraints,
        budget=budget,
        weeks=weeks,
        start=start,
        objective=objective,
        margin_rate=margin_rate,
        risk=risk,
        tail_weeks=tail_weeks,
    )
    today = None
    if mode == "safe" and today_file:
        today = read_plan_csv(today_file, curves.channels, weeks)
    result, safe = _solve(curves, problem, constraints, mode, alpha, today, method)
    table = frontier(curves, problem, multipliers, method=method)[0] if multipliers else None
    summary = allocation_summary(
        result,
        budget=budget,
        weeks=weeks,
        mode=mode,
        risk=problem.risk.label,
        safe=safe,
        frontier=table,
    )
    # --out was checked before solving: the writer replaces what is there
    write_allocation(result, summary, out, safe=safe, frontier=table, force=True)
    if safe is not None:
        _echo_safe(safe, out, lang)
    else:
        _echo_summary(result, out, lang)


def _problem(curves: Any, last_week: date | None, constraints: Path | None, **opts: Any) -> Any:
    """The allocation problem of the command's options (constraints file or defaults)."""
    extra = plan_rules(constraints, curves.channels)
    start = opts["start"]
    start_date: date | None = start.date() if start is not None else None
    if start_date is None and last_week is not None:
        start_date = last_week + timedelta(days=7)  # the week after the model's history
    margin_rate = opts["margin_rate"]
    return AllocationProblem(
        budget=opts["budget"],
        n_weeks=opts["weeks"],
        start=start_date,
        objective=opts["objective"],
        margin_rate=margin_rate if margin_rate is not None else 1.0,
        risk=Risk.parse(opts["risk"]),
        tail_weeks=opts["tail_weeks"],
        **extra,
    )


def _solve(
    curves: Any,
    problem: Any,
    constraints: Path | None,
    mode: str,
    alpha: float,
    today: Any,
    method: str,
) -> tuple[Any, Any]:
    """The plan's result and, in safe mode, the safe planner's answer (else None)."""
    try:
        if mode == "safe":
            safe = safe_allocate(
                curves, problem, rule=SafeRule(alpha=alpha), today=today, method=method
            )
            return safe.result, safe
        return allocate(curves, problem, method=method), None
    except InfeasibleError as exc:
        if constraints is None:
            raise
        # name the file whose rules conflict (with the budget they conflict with)
        raise InfeasibleError(
            f"{constraints.name} (budget {problem.budget:,.0f} EUR): {exc}"
        ) from None


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
