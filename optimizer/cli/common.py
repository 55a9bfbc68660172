"""Options and helpers every command shares: ``--out``/``--force``, ``--lang``, progress, risk.

One convention across commands: a command that writes a folder takes ``--out DIR`` and
``--force`` (:func:`out_option`, whose docstring gives the one behaviour); progress messages go
to stderr, results to stdout; option values are checked strictly (a value the help does not
describe is a usage error, exit 2).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from optimizer.allocation.problem import Risk
from optimizer.errors import ConfigError

__all__ = [
    "FORCE_HELP",
    "allow_failed_option",
    "check_one_source",
    "check_out",
    "choice_option",
    "compute_options",
    "date_option",
    "lang_option",
    "number_option",
    "out_option",
    "path_option",
    "progress",
    "risk_option",
    "seed_option",
    "weeks_option",
]

FORCE_HELP = "Replace OUT if it exists (the old folder stays until the new one is complete)."

F = TypeVar("F", bound=Callable[..., Any])

#: The one spelling of a date on the command line.
DAY = click.DateTime(["%Y-%m-%d"])


def path_option(*decls: str, help: str, required: bool = False) -> Callable[[F], F]:
    """An option naming a file or folder, passed as a :class:`~pathlib.Path` (None if not given).

    Parameters
    ----------
    *decls : str
        The option's names, as for :func:`click.option` (e.g. ``"--sales", "sales_path"``).
    help : str
        What the file or folder holds.
    required : bool
        Whether the option must be given.
    """
    return _optional(decls, required, type=click.Path(path_type=Path), help=help)


def date_option(*decls: str, help: str, required: bool = False) -> Callable[[F], F]:
    """An option taking a day, ``YYYY-MM-DD``, passed as a :class:`~datetime.datetime`."""
    return _optional(decls, required, type=DAY, help=help)


def _optional(decls: tuple[str, ...], required: bool, **attrs: Any) -> Callable[[F], F]:
    # a required option gets no default at all: click takes an explicit None as given
    if required:
        return click.option(*decls, required=True, **attrs)
    return click.option(*decls, default=None, **attrs)


def choice_option(name: str, choices: Sequence[str], help: str) -> Callable[[F], F]:
    """An option taking one of ``choices``; the first is the default, shown in the help."""
    return click.option(
        name, type=click.Choice(list(choices)), default=choices[0], show_default=True, help=help
    )


def number_option(
    name: str, kind: click.IntRange | click.FloatRange, default: float | None, help: str
) -> Callable[[F], F]:
    """An option taking a number in the range ``kind``; a ``default`` is shown in the help.

    Parameters
    ----------
    name : str
        The option, e.g. ``"--weeks"``.
    kind : click.IntRange or click.FloatRange
        Its type and the values it accepts.
    default : float or None
        Its value when not given (None: the command picks; nothing is shown in the help).
    help : str
        What the number is.
    """
    if default is None:
        return click.option(name, type=kind, default=None, help=help)
    return click.option(name, type=kind, default=default, show_default=True, help=help)


def seed_option(default: int = 0, help: str = "Random seed.") -> Callable[[F], F]:
    """``--seed N``: the random seed (its default shown in the help)."""
    return click.option("--seed", default=default, show_default=True, type=int, help=help)


def weeks_option(most: int) -> Callable[[F], F]:
    """``--weeks N`` (required): the horizon of a plan, 1 to ``most`` weeks."""
    return click.option(
        "--weeks", required=True, type=click.IntRange(1, most), help="Horizon in weeks."
    )


def allow_failed_option(func: F) -> F:
    """``--allow-failed-model``: use a model whose diagnostics gate failed."""
    return click.option(
        "--allow-failed-model", is_flag=True, help="Use a model that failed its gate."
    )(func)


def out_option(help: str = "Output folder.") -> Callable[[F], F]:
    """``--out DIR`` (required) and ``--force``: where a command writes its folder.

    One behaviour for every command that writes a folder:

    - before any fit or solve the command calls :func:`check_out`: an ``OUT`` that is a file
      is refused, an existing non-empty ``OUT`` is refused unless ``--force`` (exit 1, the
      message names the fix); an existing empty folder counts as missing;
    - the files are written into a temporary sibling folder and renamed to ``OUT`` at the end
      (:func:`optimizer.atomic.atomic_folder`), so an error or an interrupt never leaves a
      half-written ``OUT``; with ``--force`` the old folder stays until the new one is
      complete.

    Kept as their tests pin them: ``scenario run`` refuses any existing ``OUT`` without
    ``--force``, even an empty one (:func:`optimizer.jobs.scenario.run_and_write` checks it);
    ``demo`` has its own optional ``--out`` (a folder of earlier demo runs is reused, no
    ``--force`` needed).

    Parameters
    ----------
    help : str
        Help of ``--out``: what the folder receives.
    """
    out = path_option("--out", required=True, help=help)
    force = click.option("--force", is_flag=True, help=FORCE_HELP)

    def decorate(func: F) -> F:
        return out(force(func))

    return decorate


def lang_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--lang fr|en``: language of reports and console figures (French by default)."""
    return choice_option(
        "--lang",
        ["fr", "en"],
        help="Language of the reports and of the figures printed: fr (French store: "
        "1 206 277 €, 13,8 %) or en.",
    )(func)


def compute_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--workers N`` / ``--scheduler ADDR``: where independent tasks run (default in-process).

    The command receives ``workers`` and ``scheduler``; turn them into a
    :class:`~optimizer.scaleout.ComputeSpec` with ``ComputeSpec.from_options(workers,
    scheduler)``, which also reads ``DASK_SCHEDULER_ADDRESS``.
    """
    func = click.option(
        "--scheduler",
        metavar="ADDR",
        default=None,
        help="Run the tasks on an existing Dask cluster: its scheduler's address, "
        "tcp://HOST:PORT (default: $DASK_SCHEDULER_ADDRESS when set).",
    )(func)
    return number_option(
        "--workers",
        click.IntRange(min=1),
        None,
        help="Run the tasks on a local Dask cluster of N worker processes started for the "
        "command (default: in this process).",
    )(func)


def check_out(out: Path, force: bool) -> None:
    """Refuse an existing, non-empty ``out`` unless ``force`` (exit 1 with the fix).

    Raises
    ------
    ConfigError
        ``out`` is a file, or a non-empty folder and ``force`` is False.
    """
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{out} is a file; choose a folder for --out.")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise ConfigError(
            f"{out} already exists; choose another --out or pass --force to replace it."
        )


def progress(t0: float | None = None) -> Callable[[str], None]:
    """A progress printer to stderr, each line prefixed with the seconds since ``t0``."""
    start = time.perf_counter() if t0 is None else t0

    def say(msg: str) -> None:
        click.echo(f"[{time.perf_counter() - start:6.1f} s] {msg}", err=True)

    return say


def _risk(ctx: click.Context, param: click.Parameter, value: str) -> str:
    try:
        risk = Risk.parse(value)
    except ConfigError:
        risk = None
    if risk is None or risk.label != value:
        hint = f" (did you mean '{risk.label}'?)" if risk is not None else ""
        raise click.BadParameter(
            f"'{value}' is not a risk level{hint}; use mean, pNN (the NN-th percentile, e.g. "
            "p10) or cvarNN (mean of the worst NN %, e.g. cvar10), NN from 1 to 50."
        )
    return value


def risk_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--risk``: mean, pNN or cvarNN, written exactly so (``p05`` is refused: use ``p5``)."""
    return click.option(
        "--risk",
        default="mean",
        show_default=True,
        callback=_risk,
        help="What the plan maximizes over the model's uncertainty: mean, pNN (the NN-th "
        "percentile, e.g. p10: a cautious plan) or cvarNN (mean of the worst NN %, e.g. cvar10).",
    )(func)


def check_one_source(model: Path | None, curves: Path | None) -> None:
    """Refuse a command given neither or both of ``--model`` and ``--curves`` (usage error)."""
    if (model is None) == (curves is None):
        raise click.UsageError("give exactly one of --model DIR or --curves FILE.json.")
