"""``optimizer mmm fit`` and ``optimizer mmm summary``."""

from __future__ import annotations

from pathlib import Path

import click

from optimizer.cli.common import check_out, lang_option, out_option
from optimizer.cli.options import (
    FitChecks,
    MarketingInputs,
    Sampling,
    fit_check_options,
    marketing_options,
    sampler_options,
)
from optimizer.errors import ConfigError, ConvergenceError
from optimizer.mmm.priors import Priors
from optimizer.report.console import roas_table
from optimizer.report.format import Fmt, check_lang
from optimizer.report.labels import tr

__all__ = ["register"]


def _parse_roas_priors(values: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    out = {}
    for v in values:
        try:
            name, rng = v.split("=", 1)
            low, high = (float(x) for x in rng.replace(":", "-", 1).split("-", 1))
        except ValueError:
            raise ConfigError(
                f"--roas-prior {v!r} is not CHANNEL=LOW:HIGH (e.g. sea=2:4 for 'SEA ROAS between 2 "
                "and 4')."
            ) from None
        out[name.strip()] = (low, high)
    return out


@click.group("mmm")
def mmm_group() -> None:
    """Fit the Bayesian media-mix model and inspect its results."""


@mmm_group.command("fit")
@marketing_options
@out_option("Output folder (model, summary.json, CSVs, plots).")
@click.option(
    "--roas-prior",
    "roas_priors",
    multiple=True,
    help="Stated ROAS range, CHANNEL=LOW:HIGH (repeatable), e.g. sea=2:4.",
)
@sampler_options(
    draws=(1000, click.IntRange(1)),
    tune=(1000, click.IntRange(0)),
    chains=(4, click.IntRange(1, 64)),
    chains_note="4 lets R-hat check that they agree",
)
@fit_check_options
@click.option("--overwrite", "force_old", is_flag=True, hidden=True)
@lang_option
def fit_cmd(
    inputs: MarketingInputs,
    out: Path,
    force: bool,
    roas_priors: tuple[str, ...],
    sampling: Sampling,
    checks: FitChecks,
    force_old: bool,
    lang: str,
) -> None:
    """Fit the media-mix model on DATA and write the results into OUT.

    Exit code 1 (after writing OUT) when the model fails its diagnostics gate.
    """
    from optimizer.mmm.diagnostics import GateThresholds  # lazy: ArviZ
    from optimizer.mmm.model import MMM  # lazy: PyMC
    from optimizer.report.mmm_writer import write_mmm  # lazy: kept out of the CLI's start (--help)

    check_out(out, force or force_old)  # --overwrite: the old name of --force
    history, lift = inputs.load()
    priors = Priors.from_roas_ranges(_parse_roas_priors(roas_priors))
    click.echo(
        err=True,
        message=f"Fitting {len(history.channels)} channels on {history.n_weeks} weeks "
        f"({sampling.chains} chains x {sampling.draws} draws, {sampling.tune} tuning, "
        f"seed {sampling.seed})"
        + (f" with {len(lift)} lift test(s)" if lift is not None else "")
        + " ...",
    )
    mmm = MMM(
        priors,
        draws=sampling.draws,
        tune=sampling.tune,
        chains=sampling.chains,
        seed=sampling.seed,
        holdout_weeks=checks.holdout_weeks,
        sampler=checks.sampler,
        progress=checks.progress,
        thresholds=GateThresholds(r_hat_max=checks.r_hat_max, ess_min=checks.ess_min),
        retries=checks.retries,
    ).fit(history, lift_tests=lift)
    summary = mmm.summary()

    # --out was checked before fitting: the writer replaces what is there
    write_mmm(mmm, summary, out, force=True)
    click.echo(roas_table(summary, lang))
    for a in mmm.attempts_[1:]:
        click.echo(
            f"  NUTS run {a.number} ({a.reason}): target_accept {a.target_accept}, "
            f"{a.tune} tuning, {a.draws} draws -> {'gate passed' if a.passed else 'gate failed'}"
        )
    click.echo(
        tr(
            lang,
            f"Ajusté en {Fmt(check_lang(lang)).number(mmm.fit_seconds_, 1)} s ({mmm.sampler_}) ; résultats "
            f"écrits dans {out}",
            f"Fit in {Fmt(check_lang(lang)).number(mmm.fit_seconds_, 1)} s ({mmm.sampler_}); results written "
            f"to {out}",
        )
    )
    if not mmm.diagnostics_.passed:
        raise ConvergenceError(
            f"the model failed its diagnostics gate (results kept in {out} for inspection); "
            "allocation will refuse it unless overridden."
        )


@mmm_group.command("summary")
@click.argument("folder", type=click.Path(path_type=Path))
@lang_option
def summary_cmd(folder: Path, lang: str) -> None:
    """Print the ROAS table of a fitted model folder (written by `optimizer mmm fit`)."""
    # lazy: kept out of the CLI's start (--help); only commands that read a model need it
    from optimizer.mmm.folder import load_model_summary

    summary = load_model_summary(folder)
    click.echo(roas_table(summary, lang))
    seconds = Fmt(check_lang(lang)).number(summary["fit_seconds"], 1)
    click.echo(
        tr(
            lang,
            f"Ajustement : {seconds} s ({summary['sampler']}, graine {summary['seed']})",
            f"Fit seconds: {seconds} ({summary['sampler']}, seed {summary['seed']})",
        )
    )


def register(cli: click.Group) -> None:
    """Attach the ``mmm`` group to the main CLI."""
    cli.add_command(mmm_group)
