"""``optimizer allocate``: the best media plan for a budget, with its certificate and frontier."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click

from optimizer.atomic import atomic_folder
from optimizer.cli.common import FORCE_HELP, check_out, lang_option, risk_option
from optimizer.errors import ConfigError, ConvergenceError, InfeasibleError

__all__ = ["register"]


def _read_curves_json(path: Path) -> Any:
    from optimizer.curves import ResponseCurves

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return ResponseCurves.from_dict(data)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found. Check the --curves path.") from None
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(
            f"{path.name}: not a ResponseCurves JSON ({type(exc).__name__}: {exc}). Write it with "
            "ResponseCurves.to_dict()."
        ) from None


def load_curves(model: Path | None, curves: Path | None, allow_failed: bool) -> Any:
    """Response curves from a fitted model folder (``--model``) or a JSON file (``--curves``).

    A model whose diagnostics gate failed is refused unless ``allow_failed``.
    """
    return load_curves_and_last_week(model, curves, allow_failed)[0]


def load_curves_and_last_week(
    model: Path | None, curves: Path | None, allow_failed: bool
) -> tuple[Any, date | None]:
    """Response curves and the last week of the model's history (None when unknown)."""
    if (model is None) == (curves is None):
        raise click.UsageError("give exactly one of --model DIR or --curves FILE.json.")
    if curves is not None:
        return _read_curves_json(curves), None
    assert model is not None
    if not model.is_dir():
        raise ConfigError(f"{model}: model folder not found. Fit one with 'optimizer mmm fit'.")
    if (model / "curves.json").is_file():  # exported curves with their diagnostics
        _check_gate(model, allow_failed)
        return _read_curves_json(model / "curves.json"), None
    from optimizer.mmm import load_model  # lazy: PyMC

    # `optimizer mmm fit --out DIR` keeps the fitted model in DIR/model
    folder = model / "model" if (model / "model").is_dir() else model
    fitted = load_model(folder)
    # the model's own gate refuses a failed fit (ConvergenceError) unless allowed
    last = fitted.history_.weeks[-1].date()
    return fitted.response_curves(allow_failed=allow_failed), last


def _check_gate(model: Path, allow_failed: bool) -> None:
    """Refuse a model whose ``diagnostics.json`` says the gate failed (``passed: false``)."""
    diag = model / "diagnostics.json"
    if not diag.is_file():
        return
    try:
        passed = bool(json.loads(diag.read_text(encoding="utf-8")).get("passed", True))
    except (json.JSONDecodeError, AttributeError):
        raise ConfigError(f"{diag}: unreadable diagnostics; refit the model.") from None
    if not passed and not allow_failed:
        raise ConvergenceError(
            f"{model}: the model failed its diagnostics gate (see diagnostics.json); refit it, or "
            "pass --allow-failed-model to plan with it anyway."
        )


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
@click.option(
    "--model",
    type=click.Path(path_type=Path),
    default=None,
    help="Fitted model folder (from 'optimizer mmm fit').",
)
@click.option(
    "--curves",
    "curves_file",
    type=click.Path(path_type=Path),
    default=None,
    help="ResponseCurves JSON instead of a model folder.",
)
@click.option(
    "--budget",
    required=True,
    type=click.FloatRange(min=0),
    help="Media budget over the horizon, EUR excl. VAT.",
)
@click.option("--weeks", required=True, type=click.IntRange(1, 520), help="Horizon in weeks.")
@click.option(
    "--start",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Monday of the first week (YYYY-MM-DD). Default with --model: the week after the "
    "model's history (plans are dated); with --curves the weeks are numbered from 0.",
)
@click.option(
    "--constraints",
    type=click.Path(path_type=Path),
    default=None,
    help="Constraints TOML (bounds, caps, ROAS/CPA rules).",
)
@click.option(
    "--objective",
    type=click.Choice(["revenue", "margin", "contribution"]),
    default="revenue",
    show_default=True,
    help="What the plan maximizes: incremental revenue, margin (revenue x margin rate - "
    "spend) or contribution (also net of variable costs).",
)
@click.option(
    "--margin-rate",
    type=click.FloatRange(0, 1, min_open=True),
    default=None,
    help="Gross margin per EUR of revenue (margin/contribution objectives).",
)
@risk_option
@click.option(
    "--frontier",
    "frontier_text",
    default=None,
    help="Budget multipliers for the efficient frontier, e.g. 0.5,0.75,1,1.25,1.5.",
)
@click.option(
    "--method",
    type=click.Choice(["auto", "lp", "nonlinear"]),
    default="auto",
    show_default=True,
    help="Solver: lp (piecewise-linear MILP with an optimality certificate), nonlinear "
    "(SLSQP) or auto (both, the better plan kept).",
)
@click.option(
    "--tail-weeks",
    type=click.IntRange(0, 104),
    default=0,
    show_default=True,
    help="Also count the carry-over response in this many weeks after the horizon.",
)
@click.option(
    "--mode",
    type=click.Choice(["safe", "free"]),
    default="safe",
    show_default=True,
    help="safe: the best plan that beats today's in at least 1 - alpha of the model's samples, "
    "inside bounds derived from the data (promise on held-out samples); free: the posterior "
    "optimum under your rules only (can lose money when the model is wrong).",
)
@click.option(
    "--alpha",
    type=click.FloatRange(0, 0.5, min_open=True, max_open=True),
    default=0.1,
    show_default=True,
    help="Safe mode: largest accepted model-side probability of doing worse than today.",
)
@click.option(
    "--today",
    "today_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Today's plan to beat (CSV: week + one column per channel, EUR per week); default: "
    "the recent run-rate every week.",
)
@click.option("--allow-failed-model", is_flag=True, help="Use a model that failed its gate.")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Output folder.")
@click.option("--force", is_flag=True, help=FORCE_HELP)
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
    from optimizer.allocation import AllocationProblem, Risk, allocate
    from optimizer.allocation.constraints_file import default_constraints, load_constraints
    from optimizer.allocation.frontier import frontier
    from optimizer.allocation.plots import plot_frontier, plot_plan

    multipliers = _parse_multipliers(frontier_text)
    if objective != "revenue" and margin_rate is None:
        raise click.UsageError(f"--objective {objective} needs --margin-rate (e.g. 0.4).")
    check_out(out, force)
    curves, last_week = load_curves_and_last_week(model, curves_file, allow_failed_model)
    extra = (
        load_constraints(constraints, curves.channels)
        if constraints
        else default_constraints(curves.channels)
    )
    start_date: date | None = start.date() if start is not None else None
    if start_date is None and last_week is not None:
        start_date = last_week + timedelta(days=7)  # the week after the model's history
    problem = AllocationProblem(
        budget=budget,
        n_weeks=weeks,
        start=start_date,
        objective=objective,
        margin_rate=margin_rate if margin_rate is not None else 1.0,
        risk=Risk.parse(risk),
        tail_weeks=tail_weeks,
        **extra,
    )
    safe = None
    try:
        if mode == "safe":
            from optimizer.allocation.safe import SafeRule, safe_allocate
            from optimizer.allocation.today import read_plan_csv

            today = read_plan_csv(today_file, curves.channels, weeks) if today_file else None
            safe = safe_allocate(
                curves, problem, rule=SafeRule(alpha=alpha), today=today, method=method
            )
            result = safe.result
        else:
            result = allocate(curves, problem, method=method)
    except InfeasibleError as exc:
        if constraints is None:
            raise
        # name the file whose rules conflict (with the budget they conflict with)
        raise InfeasibleError(f"{constraints.name} (budget {budget:,.0f} EUR): {exc}") from None
    table = None
    if multipliers:
        table, _ = frontier(curves, problem, multipliers, method=method)

    plan = result.plan if safe is None else safe.plan
    with atomic_folder(out, overwrite=True) as tmp:
        plan.round(2).to_csv(tmp / "plan.csv", index_label="week")
        summary = result.to_dict()
        summary["budget"] = budget
        summary["weeks"] = weeks
        summary["mode"] = mode
        if safe is not None:
            # the risk summary chose among the safe candidates (each one optimizes the mean)
            summary["risk"] = problem.risk.label
            summary["plan"] = json.loads(safe.plan.to_json(orient="split", date_format="iso"))
            summary["safe"] = safe.summary()
        if table is not None:
            table.to_csv(tmp / "frontier.csv", index=False)
            plot_frontier(
                table,
                tmp / "frontier.png",
                current_spend=float(result.current_plan.to_numpy().sum()),
            )
            summary["frontier"] = json.loads(table.to_json(orient="records"))
        (tmp / "summary.json").write_text(
            json.dumps(summary, indent=2, default=str), encoding="utf-8"
        )
        plot_plan(plan, tmp / "plan.png")
    if safe is not None:
        _echo_safe(safe, out, lang)
    else:
        _echo_summary(result, out, lang)


def _echo_safe(safe: Any, out: Path, lang: str) -> None:
    from optimizer.report.console import safe_allocation_lines

    for line in safe_allocation_lines(safe, lang):
        click.echo(line)
    if lang == "en":  # the planner's notes are in English
        for note in sorted(set(safe.candidates["note"])):
            if note:
                click.echo(f"  note: {note}")
    _echo_written(safe.result, out, lang)


def _echo_summary(result: Any, out: Path, lang: str) -> None:
    from optimizer.report.console import allocation_lines

    for line in allocation_lines(result, lang):
        click.echo(line)
    _echo_written(result, out, lang)


def _echo_written(result: Any, out: Path, lang: str) -> None:
    from optimizer.report.labels import tr

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
