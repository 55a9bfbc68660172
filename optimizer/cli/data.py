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
    help="Dataset folder (default: the bundled scenarios/demo).",
)
def demo_cmd(data: Path | None) -> None:
    """Run the main job on the bundled demo store."""
    folder = data or bundled_demo_folder()
    t0 = time.perf_counter()
    click.echo(f"Validating the demo store in {folder} ...")
    ds = load_dataset(folder)
    click.echo(summarize(ds))
    click.echo(f"Done in {time.perf_counter() - t0:.1f} s.")


def register(cli: click.Group) -> None:
    """Attach these commands to the top-level group."""
    cli.add_command(data_group)
    cli.add_command(demo_data_cmd)
    cli.add_command(demo_cmd)
