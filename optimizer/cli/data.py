"""``optimizer data validate``, ``optimizer demo-data`` and ``optimizer demo``."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import click

from optimizer.atomic import atomic_folder
from optimizer.cli.common import (
    check_out,
    lang_option,
    number_option,
    out_option,
    path_option,
    progress,
    seed_option,
)
from optimizer.cli.portfolio import portfolio_line, run_demo_portfolio, shop_lines
from optimizer.data.dataset import DATASET_FILE, load_dataset, load_file
from optimizer.data.summary import summarize
from optimizer.errors import DataError
from optimizer.report.format import Fmt, check_lang
from optimizer.report.labels import tr
from optimizer.scenario import load_scenario, up_to_date
from optimizer.scenario.compare import compare_runs

__all__ = ["register"]


def bundled_demo_folder() -> Path:
    """The demo dataset shipped in ``scenarios/demo`` (from the working directory or the repo)."""
    here = Path.cwd() / "scenarios" / "demo"
    if (here / DATASET_FILE).is_file():
        return here
    repo = Path(__file__).resolve().parents[2] / "scenarios" / "demo"
    return repo


@click.group("data")
def data_group() -> None:
    """Check input files against the data contract."""


@data_group.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@lang_option
def validate_cmd(paths: tuple[Path, ...], lang: str) -> None:
    """Validate dataset folders (with dataset.toml) or single CSV files and summarize them."""
    fmt = Fmt(check_lang(lang))
    failures = []
    for p in paths:
        try:
            if p.is_dir():
                summary = summarize(load_dataset(p), fmt)
            elif not p.exists():
                raise DataError(f"{p}: no such file or folder. Check the path.")
            else:
                summary = summarize(load_file(p)[1], fmt)
        except DataError as exc:
            failures.append(str(exc))
            click.echo(f"FAILED {p}\n  {exc}", err=True)
            continue
        click.echo(f"OK {p}\n{summary}")
    if failures:
        raise click.ClickException(f"{len(failures)} of {len(paths)} input(s) failed validation.")


@click.command("demo-data")
@out_option("Folder to write the demo dataset into (created if missing).")
@seed_option(7)
@number_option(
    "--weeks",
    click.IntRange(60, 520),
    156,
    help="Weeks of history (one store; a portfolio's shops have their own).",
)
@click.option(
    "--portfolio",
    is_flag=True,
    help="Write the demo portfolio instead: three shops sharing a warehouse (portfolio.toml).",
)
def demo_data_cmd(out: Path, seed: int, weeks: int, force: bool, portfolio: bool) -> None:
    """Generate the demo store (data files + ground truth) into OUT."""
    # lazy: the demo generators (~0.1 s to import) stay out of the CLI's start (--help)
    from optimizer.data.demo import generate_demo_store, write_demo_store
    from optimizer.data.demo_portfolio import generate_demo_portfolio, write_demo_portfolio

    check_out(out, force)
    if portfolio:
        if weeks != 156:
            raise click.UsageError("--weeks applies to one store; drop it with --portfolio.")
        group = generate_demo_portfolio(seed)
        with atomic_folder(out, overwrite=force) as staging:
            write_demo_portfolio(staging, group)
        click.echo(f"Demo portfolio (seed {seed}, {len(group.stores)} shops) written to {out}")
        return
    store = generate_demo_store(seed=seed, n_weeks=weeks)
    with atomic_folder(out, overwrite=force) as staging:
        write_demo_store(store, staging)
    click.echo(f"Demo store (seed {seed}, {weeks} weeks) written to {out}")


@click.command("demo")
@path_option(
    "--data", "data", help="Dataset folder to validate (default: the bundled scenarios/demo)."
)
@path_option(
    "--out", "out", help="Folder for the runs and the comparison (default: scenarios/runs)."
)
@click.option(
    "--force",
    is_flag=True,
    help="Write into an existing, non-empty OUT that holds no earlier demo runs (its scenario "
    "folders and comparison are replaced; a folder of earlier demo runs needs no --force).",
)
@click.option("--validate-only", is_flag=True, help="Only validate and summarize the data.")
@click.option("--rerun", is_flag=True, help="Recompute runs even when they are up to date.")
@number_option(
    "--jobs",
    click.IntRange(1, 8),
    2,
    help="Processes fitting the models, then running the scenarios, side by side (1: one after "
    "the other).",
)
@lang_option
def demo_cmd(
    data: Path | None,
    out: Path | None,
    force: bool,
    validate_only: bool,
    rerun: bool,
    jobs: int,
    lang: str,
) -> None:
    """Run the main job on the bundled demo store, then the demo portfolio.

    Validates the data, fits the models (cached in scenarios/.cache after the first run), runs
    every scenario shipped in scenarios/, compares them, plans the three-shop demo portfolio
    (scenarios/portfolio, its fits cached in scenarios/portfolio/.cache) and prints the report
    paths. A run whose
    scenario text, input files and package version are unchanged is reused (``--rerun`` to
    recompute it). The runs folder is the demo's own: its runs are replaced when out of date.
    Progress goes to stderr; the summary table and the report paths to stdout.
    """
    folder = data or bundled_demo_folder()
    t0 = time.perf_counter()
    say = progress(t0)
    say(f"validating the demo store in {folder}")
    ds = load_dataset(folder)
    click.echo(summarize(ds, Fmt(check_lang(lang))))
    if validate_only:
        return
    if out is not None and not (out / "comparison" / "comparison.csv").is_file():
        check_out(out, force)  # not a folder of earlier demo runs: the usual --out rule
    from optimizer.report.comparison import write_comparison  # lazy: matplotlib

    scen_dir = folder.parent
    files = sorted(p for p in scen_dir.glob("*.toml") if not p.name.startswith("_"))
    if not files:
        raise DataError(f"{scen_dir}: no scenario files (*.toml) to run.")
    runs_dir = out or scen_dir / "runs"
    rows = _run_demo_scenarios(files, runs_dir, rerun=rerun, jobs=jobs, lang=lang, say=say)
    say("comparing the scenarios")
    comp = write_comparison(
        compare_runs([r[5] for r in rows]), runs_dir / "comparison", force=True, lang=lang
    )
    click.echo("")
    click.echo(demo_table(rows, lang))
    click.echo("")
    for name, *_rest, run in rows:
        click.echo(f"report  {name:<26} {run / 'report.html'}")
    click.echo(f"compare {'':<26} {comp / 'comparison.html'}")
    group = run_demo_portfolio(
        scen_dir / "portfolio", runs_dir, lang=lang, rerun=rerun, jobs=jobs, say=say
    )
    if group is not None:
        folder, summ = group
        click.echo("")
        click.echo(portfolio_line(summ, lang))
        for line in shop_lines(summ, lang):
            click.echo(line)
        click.echo(f"report  {summ['portfolio']:<26} {folder / 'report.html'}")
    say("done")


def _run_demo_scenarios(
    files: list[Path],
    runs_dir: Path,
    *,
    rerun: bool,
    jobs: int,
    lang: str,
    say: Callable[[str], None],
) -> list[tuple[Any, ...]]:
    """Run (or reuse when up to date) every demo scenario; one summary row per scenario."""
    # lazy: the runner and the prefit load PyMC, which only the demo's runs need
    from optimizer.jobs.scenario import run_many
    from optimizer.scenario.prefit import prefit

    fresh = {
        f: None if rerun else up_to_date(load_scenario(f), runs_dir / f.stem, lang=lang)
        for f in files
    }
    todo = [f for f, summ in fresh.items() if summ is None]
    # the models every run to make needs, fitted side by side before the first run
    # every fit, even a single one: runs side by side would each make the same missing fit
    prefit(todo, workers=jobs, progress=say, every_fit=jobs >= 2 and len(todo) >= 2)
    made = dict(
        zip(
            todo,
            run_many(
                todo, [runs_dir / f.stem for f in todo], workers=jobs, progress=say, lang=lang
            ),
            strict=True,
        )
    )
    rows: list[tuple[Any, ...]] = []
    for f in files:
        if f in made:
            run, summ = made[f]
        else:
            run, summ = runs_dir / f.stem, cast(dict[str, Any], fresh[f])
            say(f"scenario {f.name}: up to date, reused {run}")
        k = summ["kpis"]
        rows.append((summ["scenario"], k["contribution"], k["media_spend"], k["roas"], summ, run))
    return rows


def demo_table(rows: list, lang: str) -> str:
    """The demo's summary table: per scenario, horizon, contribution, change, P(gain), media."""
    fmt = Fmt(lang)  # type: ignore[arg-type]
    head = (
        tr(lang, "scénario", "scenario"),
        tr(lang, "semaines", "weeks"),
        tr(lang, "contribution (P10 - P90)", "contribution (P10 - P90)"),
        tr(lang, "vs plan actuel", "vs current plan"),
        tr(lang, "prob. de gain", "prob. of gain"),
        tr(lang, "média", "media"),
        "ROAS",
    )
    lines = [head]
    for name, c, m, r, summ, _run in rows:
        weeks = summ.get("horizon", {}).get("weeks", "")
        p = summ.get("confidence", {}).get("p_gain_positive")
        lines.append(
            (
                name,
                str(weeks),
                f"{fmt.eur(c['plan']['mean'])} ({fmt.eur(c['plan']['p10'])} - "
                f"{fmt.eur(c['plan']['p90'])})",
                fmt.eur(c["delta"]["mean"], sign=True),
                fmt.probability(p) if p is not None else fmt.na,
                fmt.eur(m["plan"]["mean"]),
                fmt.ratio(r["plan"]["mean"]),
            )
        )
    widths = [max(len(x[i]) for x in lines) for i in range(len(head))]
    out = []
    for row in lines:
        cells = [row[0].ljust(widths[0])] + [
            v.rjust(w) for v, w in zip(row[1:], widths[1:], strict=True)
        ]
        out.append("  ".join(cells))
    out.append(
        tr(
            lang,
            "Montants HT ; contribution = CA net - coût des marchandises - logistique - média ; "
            "chaque écart contre le plan actuel du même scénario.",
            "EUR excl. VAT; contribution = net revenue - COGS - logistics - media; each change "
            "against the same scenario's current plan.",
        )
    )
    return "\n".join(out)


def register(cli: click.Group) -> None:
    """Attach these commands to the top-level group."""
    cli.add_command(data_group)
    cli.add_command(demo_data_cmd)
    cli.add_command(demo_cmd)
