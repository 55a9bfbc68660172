"""``optimizer mmm fit`` and ``optimizer mmm summary``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from optimizer.cli.common import FORCE_HELP, check_out, lang_option
from optimizer.errors import ConfigError, ConvergenceError, DataError
from optimizer.report.console import roas_table
from optimizer.report.format import Fmt, check_lang
from optimizer.report.labels import tr

__all__ = ["register"]


def _split(value: str | None) -> list[str] | None:
    if value is None:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    return items or None


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


def _load_inputs(
    data: Path,
    date: str | None,
    target: str | None,
    channels: list[str] | None,
    controls: list[str] | None,
    lift_path: Path | None,
) -> tuple[Any, Any]:
    from optimizer.data.dataset import DATASET_FILE, load_dataset
    from optimizer.data.lift_tests import load_lift_tests
    from optimizer.data.marketing import load_marketing

    if not data.exists():
        raise DataError(f"{data}: no such file or folder. Check the --data path.")
    lift = None
    if data.is_dir():
        if not (data / DATASET_FILE).is_file():
            raise DataError(
                f"{data}: no {DATASET_FILE} in this folder; pass the marketing CSV file."
            )
        ds = load_dataset(data)
        if ds.marketing is None or ds.spec is None or ds.spec.marketing is None:
            raise DataError(f"{data}/{DATASET_FILE} has no [marketing] section; add one.")
        m = ds.spec.marketing
        history = load_marketing(
            data / m.file,
            date=date or m.date,
            target=target or m.target,
            channels=channels or m.channels,
            controls=m.controls if controls is None else controls,
            orders=m.orders,
        )
        if lift_path is None and getattr(ds, "lift_tests", None) is not None:
            lift = ds.lift_tests
    else:
        history = load_marketing(
            data,
            date=date or "date",
            target=target or "revenue",
            channels=channels,
            controls=controls,
        )
    if lift_path is not None:
        lift = load_lift_tests(lift_path, channels=history.channels, weeks=history.weeks)
    return history, lift


@click.group("mmm")
def mmm_group() -> None:
    """Fit the Bayesian media-mix model and inspect its results."""


@mmm_group.command("fit")
@click.option(
    "--data",
    "data",
    required=True,
    type=click.Path(path_type=Path),
    help="Marketing CSV or dataset folder (with dataset.toml).",
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    help="Output folder (model, summary.json, CSVs, plots).",
)
@click.option("--date", default=None, help="Week column (default: date).")
@click.option("--target", default=None, help="Target column, EUR (default: revenue).")
@click.option("--channels", default=None, help="Spend columns, comma-separated.")
@click.option("--controls", default=None, help="Control columns, comma-separated.")
@click.option(
    "--lift-tests",
    "lift_tests",
    default=None,
    type=click.Path(path_type=Path),
    help="Lift-test CSV (channel,start,end,spend_change,incremental_revenue,se).",
)
@click.option(
    "--roas-prior",
    "roas_priors",
    multiple=True,
    help="Stated ROAS range, CHANNEL=LOW:HIGH (repeatable), e.g. sea=2:4.",
)
@click.option(
    "--draws",
    default=1000,
    show_default=True,
    type=click.IntRange(1),
    help="Posterior draws kept per chain.",
)
@click.option(
    "--tune",
    default=1000,
    show_default=True,
    type=click.IntRange(0),
    help="Tuning (warm-up) steps per chain, discarded.",
)
@click.option(
    "--chains",
    default=4,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Independent sampling chains (4 lets R-hat check that they agree).",
)
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed.")
@click.option(
    "--holdout-weeks",
    default=8,
    show_default=True,
    type=click.IntRange(0),
    help="Last weeks kept out of the fit to measure the forecast error (MAPE).",
)
@click.option(
    "--sampler",
    default="nutpie",
    show_default=True,
    type=click.Choice(["nutpie", "pymc"]),
    help="NUTS implementation: nutpie (compiled, fast) or pymc.",
)
@click.option(
    "--ess-min",
    default=400.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Gate: minimum bulk and tail ESS.",
)
@click.option(
    "--r-hat-max",
    default=1.01,
    show_default=True,
    type=click.FloatRange(1.0),
    help="Gate: maximum R-hat.",
)
@click.option(
    "--retries",
    default=2,
    show_default=True,
    type=click.IntRange(0, 5),
    help="Extra NUTS runs with more careful settings (higher target acceptance, longer tuning, "
    "more draws) when the gate finds divergences, R-hat or ESS out of bounds.",
)
@click.option("--progress/--no-progress", default=False, help="Show the sampler's progress.")
@click.option("--force", is_flag=True, help=FORCE_HELP)
@click.option("--overwrite", "force_old", is_flag=True, hidden=True)
@lang_option
def fit_cmd(
    data: Path,
    out: Path,
    date: str | None,
    target: str | None,
    channels: str | None,
    controls: str | None,
    lift_tests: Path | None,
    roas_priors: tuple[str, ...],
    draws: int,
    tune: int,
    chains: int,
    seed: int,
    holdout_weeks: int,
    sampler: str,
    ess_min: float,
    r_hat_max: float,
    retries: int,
    progress: bool,
    force: bool,
    force_old: bool,
    lang: str,
) -> None:
    """Fit the media-mix model on DATA and write the results into OUT.

    Exit code 1 (after writing OUT) when the model fails its diagnostics gate.
    """
    from optimizer.mmm.diagnostics import GateThresholds  # lazy: ArviZ
    from optimizer.mmm.model import MMM  # lazy: PyMC
    from optimizer.mmm.priors import Priors
    from optimizer.report.mmm_writer import write_mmm

    check_out(out, force or force_old)  # --overwrite: the old name of --force
    history, lift = _load_inputs(data, date, target, _split(channels), _split(controls), lift_tests)
    priors = Priors.from_roas_ranges(_parse_roas_priors(roas_priors))
    click.echo(
        err=True,
        message=f"Fitting {len(history.channels)} channels on {history.n_weeks} weeks "
        f"({chains} chains x {draws} draws, {tune} tuning, seed {seed})"
        + (f" with {len(lift)} lift test(s)" if lift is not None else "")
        + " ...",
    )
    mmm = MMM(
        priors,
        draws=draws,
        tune=tune,
        chains=chains,
        seed=seed,
        holdout_weeks=holdout_weeks,
        sampler=sampler,
        progress=progress,
        thresholds=GateThresholds(r_hat_max=r_hat_max, ess_min=ess_min),
        retries=retries,
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
