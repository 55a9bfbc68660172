"""``optimizer experiment plan|readout``: which test to run next, and what a test measured."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from optimizer.allocation import AllocationProblem
from optimizer.allocation.constraints_file import plan_rules
from optimizer.allocation.safe import SafeRule
from optimizer.cli.common import (
    allow_failed_option,
    check_one_source,
    check_out,
    date_option,
    lang_option,
    number_option,
    out_option,
    path_option,
    seed_option,
)
from optimizer.cli.options import MarketingInputs
from optimizer.data.lift_tests import load_lift_tests
from optimizer.report.labels import tr

__all__ = ["register"]


def _ints(text: str, name: str) -> tuple[int, ...]:
    try:
        vals = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise click.BadParameter(f"'{text}' must be whole numbers separated by commas.") from None
    if not vals:
        raise click.BadParameter(f"{name} needs at least one value, e.g. 2,4,8.")
    return vals


@click.group("experiment")
def experiment_group() -> None:
    """Plan the test worth its cost for the next budget decision; read out a test."""


@experiment_group.command("plan")
@path_option("--model", help="Fitted model folder.")
@path_option(
    "--curves",
    "curves_file",
    help="ResponseCurves JSON instead of a model folder (then give --noise-sd).",
)
@number_option(
    "--noise-sd",
    click.FloatRange(min=0, min_open=True),
    None,
    help="With --curves: weekly revenue noise, EUR per week (the model's residual sd).",
)
@number_option(
    "--budget",
    click.FloatRange(min=0, min_open=True),
    None,
    help="Media budget of the plan, EUR excl. VAT (default: today's run-rate x weeks).",
)
@number_option(
    "--weeks",
    click.IntRange(4, 52),
    13,
    help="Weeks of the plan the test runs in (the next plan is as long).",
)
@date_option("--start", help="First Monday.")
@path_option("--constraints", help="Rules TOML.")
@number_option(
    "--alpha",
    click.FloatRange(0, 0.5, min_open=True, max_open=True),
    0.1,
    help="Safe rule: largest accepted model-side probability of doing worse than today.",
)
@click.option(
    "--durations", default="2,4,8", show_default=True, help="Test lengths, weeks (2 to 8)."
)
@click.option(
    "--starts", default="1,5", show_default=True, help="First test week in the plan (1 = first)."
)
@number_option(
    "--draws",
    click.IntRange(20, 2000),
    200,
    help="Posterior samples used (thinned): more is slower and steadier.",
)
@number_option(
    "--outcomes", click.IntRange(10, 2000), 100, help="Simulated test answers per candidate."
)
@seed_option()
@lang_option
@allow_failed_option
@out_option("Output folder.")
def plan_cmd(
    model: Path | None,
    curves_file: Path | None,
    noise_sd: float | None,
    budget: float | None,
    weeks: int,
    start: Any,
    constraints: Path | None,
    alpha: float,
    durations: str,
    starts: str,
    draws: int,
    outcomes: int,
    seed: int,
    lang: str,
    allow_failed_model: bool,
    out: Path,
    force: bool,
) -> None:
    """Rank candidate tests by the value of their answer for the next plan, net of cost."""
    # lazy: the experiment planner (~0.1 s to import) stays out of the CLI's start (--help)
    from optimizer.experiment import CandidateGrid, EviSettings, plan_experiments, plan_for_model
    from optimizer.report.experiments import plan_markdown, write_experiment_plan

    check_one_source(model, curves_file)
    if curves_file is not None and noise_sd is None:
        raise click.UsageError("--curves needs --noise-sd (weekly revenue noise, EUR).")
    grid = CandidateGrid(
        durations=_ints(durations, "--durations"),
        starts=tuple(s - 1 for s in _ints(starts, "--starts")),
    )
    options: dict[str, Any] = {
        "rule": SafeRule(alpha=alpha, calibrate=False),
        "grid": grid,
        "settings": EviSettings(n_draws=draws, n_outcomes=outcomes, seed=seed),
    }
    check_out(out, force)
    fitted = None
    if model is not None:
        # lazy: kept out of the CLI's start (--help); only commands that read a model need it
        from optimizer.mmm.folder import load_fitted_model

        fitted = load_fitted_model(model)
        curves = fitted.response_curves(draws, allow_failed=allow_failed_model)
    else:
        # lazy: kept out of the CLI's start (--help); only commands that read curves need it
        from optimizer.mmm.folder import read_curves_json

        assert curves_file is not None
        curves = read_curves_json(curves_file)
    extra = plan_rules(constraints, curves.channels)
    problem = AllocationProblem(
        budget=budget if budget is not None else float(curves.current.sum() * weeks),
        n_weeks=weeks,
        start=None if start is None else start.date(),
        **extra,
    )
    if fitted is not None and problem.start is None:
        last = fitted.history_.weeks[-1].date()
        problem = dataclasses.replace(problem, start=last + timedelta(days=7))
    result = (
        plan_for_model(fitted, problem, allow_failed=allow_failed_model, **options)
        if fitted is not None
        else plan_experiments(curves, problem, noise_sd=float(noise_sd or 0), **options)
    )
    # --out was checked before planning: the writer replaces what is there
    write_experiment_plan(result, out, lang=lang, force=True)
    click.echo(plan_markdown(result, lang, top=5))
    click.echo(tr(lang, f"Écrit dans {out}", f"Written to {out}"))


@experiment_group.command("readout")
@path_option("--model", required=True, help="Model fitted before the test.")
@path_option(
    "--data",
    required=True,
    help="Marketing CSV or dataset folder covering the weeks since the model's history.",
)
@click.option("--channel", required=True, help="Tested channel.")
@date_option("--start", required=True, help="First test week.")
@date_option("--end", required=True, help="Last test week.")
@click.option(
    "--planned",
    required=True,
    type=click.FloatRange(min=0),
    help="The channel's planned weekly spend during the test (without it), EUR per week.",
)
@path_option(
    "--lift-tests", help="Tests already run (an overlapping one is refused); default: the model's."
)
@lang_option
@allow_failed_option
@out_option("Output folder.")
def readout_cmd(
    model: Path,
    data: Path,
    channel: str,
    start: Any,
    end: Any,
    planned: float,
    lift_tests: Path | None,
    lang: str,
    allow_failed_model: bool,
    out: Path,
    force: bool,
) -> None:
    """Measured incremental revenue of a test, as a lift-test row ready for calibration."""
    # lazy: the experiment planner (~0.1 s to import) stays out of the CLI's start (--help)
    from optimizer.experiment import readout_for_model
    from optimizer.mmm.folder import load_fitted_model
    from optimizer.report.experiments import readout_text, write_readout

    check_out(out, force)
    fitted = load_fitted_model(model)
    m = fitted.history_
    history, _ = MarketingInputs(
        data, channels=list(m.channels), controls=list(m.controls.columns)
    ).load()
    others = (
        load_lift_tests(lift_tests, channels=history.channels) if lift_tests is not None else None
    )
    result = readout_for_model(
        fitted,
        history,
        channel,
        start,
        end,
        planned,
        other_tests=others,
        allow_failed=allow_failed_model,
    )
    # --out was checked before the readout: the writer replaces what is there
    write_readout(result, out, lang=lang, force=True)
    click.echo(readout_text(result, lang))
    click.echo(
        tr(
            lang,
            f"Ligne de test d'incrémentalité (à ajouter à lift_tests.csv, puis réajuster) écrite "
            f"dans {out}",
            f"Lift-test row (add it to lift_tests.csv and refit) written to {out}",
        )
    )


def register(cli: click.Group) -> None:
    """Attach the command group to the top-level group."""
    cli.add_command(experiment_group)
