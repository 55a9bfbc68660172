"""``optimizer data validate``, ``optimizer demo-data`` and ``optimizer demo``."""

from __future__ import annotations

import time
from pathlib import Path

import click

from optimizer.data.dataset import DATASET_FILE, load_dataset, load_file
from optimizer.data.summary import summarize
from optimizer.errors import DataError

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
def validate_cmd(paths: tuple[Path, ...]) -> None:
    """Validate dataset folders (with dataset.toml) or single CSV files and summarize them."""
    failures = []
    for p in paths:
        try:
            if p.is_dir():
                summary = summarize(load_dataset(p))
            elif not p.exists():
                raise DataError(f"{p}: no such file or folder. Check the path.")
            else:
                summary = summarize(load_file(p)[1])
        except DataError as exc:
            failures.append(str(exc))
            click.echo(f"FAILED {p}\n  {exc}", err=True)
            continue
        click.echo(f"OK {p}\n{summary}")
    if failures:
        raise click.ClickException(f"{len(failures)} of {len(paths)} input(s) failed validation.")


@click.command("demo-data")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    help="Folder to write the demo dataset into (created if missing).",
)
@click.option("--seed", default=7, show_default=True, type=int, help="Random seed.")
@click.option(
    "--weeks",
    default=156,
    show_default=True,
    type=click.IntRange(60, 520),
    help="Weeks of history.",
)
def demo_data_cmd(out: Path, seed: int, weeks: int) -> None:
    """Generate the demo store (data files + ground truth) into OUT."""
    from optimizer.data.demo import generate_demo_store, write_demo_store

    if out.exists() and any(out.iterdir()):
        raise click.ClickException(
            f"{out} exists and is not empty; choose another --out or empty it."
        )
    write_demo_store(generate_demo_store(seed=seed, n_weeks=weeks), out)
    click.echo(f"Demo store (seed {seed}, {weeks} weeks) written to {out}")


@click.command("demo")
@click.option(
    "--data",
    "data",
    type=click.Path(path_type=Path),
    default=None,
    help="Dataset folder to validate (default: the bundled scenarios/demo).",
)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder for the runs and the comparison (default: scenarios/runs).",
)
@click.option("--validate-only", is_flag=True, help="Only validate and summarize the data.")
@click.option("--rerun", is_flag=True, help="Recompute runs even when they are up to date.")
def demo_cmd(data: Path | None, out: Path | None, validate_only: bool, rerun: bool) -> None:
    """Run the main job on the bundled demo store.

    Validates the data, fits the models (cached in scenarios/.cache after the first run), runs
    every scenario shipped in scenarios/, compares them and prints the report paths. A run whose
    scenario text, input files and package version are unchanged is reused (``--rerun`` to
    recompute it).
    """
    folder = data or bundled_demo_folder()
    t0 = time.perf_counter()

    def say(msg: str) -> None:
        click.echo(f"[{time.perf_counter() - t0:6.1f} s] {msg}")

    say(f"validating the demo store in {folder}")
    ds = load_dataset(folder)
    click.echo(summarize(ds))
    if validate_only:
        return
    from optimizer.scenario import load_scenario, run_and_write, up_to_date
    from optimizer.scenario.compare import compare_runs, write_comparison

    scen_dir = folder.parent
    files = sorted(p for p in scen_dir.glob("*.toml") if not p.name.startswith("_"))
    if not files:
        raise DataError(f"{scen_dir}: no scenario files (*.toml) to run.")
    runs_dir = out or scen_dir / "runs"
    rows = []
    for f in files:
        say(f"scenario {f.name}")
        run_out = runs_dir / f.stem
        summ = None if rerun else up_to_date(load_scenario(f), run_out)
        if summ is not None:
            say(f"  up to date, reused {run_out}")
            run = run_out
        else:
            run, summ = run_and_write(f, run_out, force=True, progress=lambda m: say("  " + m))
        k = summ["kpis"]
        rows.append((summ["scenario"], k["contribution"], k["media_spend"], k["roas"], run))
    say("comparing the scenarios")
    comp = write_comparison(compare_runs([r[4] for r in rows]), runs_dir / "comparison", force=True)
    click.echo("")
    click.echo(
        f"{'scenario':<22}{'contribution (P10-P90)':>34}{'vs current':>14}{'media':>12}{'ROAS':>7}"
    )
    for name, c, m, r, _ in rows:
        rng = f"{c['plan']['mean']:,.0f} ({c['plan']['p10']:,.0f}-{c['plan']['p90']:,.0f})"
        click.echo(
            f"{name:<22}{rng:>34}{c['delta']['mean']:>+14,.0f}"
            f"{m['plan']['mean']:>12,.0f}{r['plan']['mean']:>7.2f}"
        )
    click.echo("")
    for name, *_rest, run in rows:
        click.echo(f"report  {name:<22} {run / 'report.html'}")
    click.echo(f"compare {'all scenarios':<22} {comp / 'comparison.html'}")
    say("done (EUR; contribution = net revenue - COGS - logistics - media)")


def register(cli: click.Group) -> None:
    """Attach these commands to the top-level group."""
    cli.add_command(data_group)
    cli.add_command(demo_data_cmd)
    cli.add_command(demo_cmd)
