"""Command-line interface: parse, call the library once, write, print.

``OptimizerError`` becomes exit code 1 with its message and no traceback; usage errors exit 2.
SIGINT and SIGTERM stop a command cleanly (unfinished output and cache folders are removed,
nothing half-written is published) with exit code 130 and 143 (128 + the signal number).
Sub-command groups live in one module each (``optimizer/cli/<group>.py``); shared options are in
``common.py`` (``--out``/``--force``, ``--lang``, ``--risk``) and ``options.py`` (option groups).
Commands import the planners and models inside their function (PyMC, SciPy, PuLP and matplotlib
are heavy), so that ``optimizer --help`` and the validation commands stay fast.
"""

from __future__ import annotations

import signal
import sys
import warnings
from typing import Any

import click

from optimizer._version import __version__
from optimizer.cli import allocate, data, experiment, mmm, portfolio, pricing, scenario
from optimizer.errors import OptimizerError
from optimizer.interrupt import Interrupted, received, stop_on_signals

__all__ = ["cli", "main"]

#: Third-party warnings that are not a manager's business, silenced for CLI commands only (the
#: test suite keeps every warning an error unless it is ignored there by name): ArviZ announcing
#: its 1.0 refactor on import, and PyTensor finding no BLAS to link its C backend to. The
#: latter is no speed signal here: models run in numba (nutpie) with numba's own BLAS calls;
#: only PyMC's initial-point functions use the C backend (< 0.5 s of a fit, measured).
QUIET_WARNINGS = (
    (FutureWarning, r"\s*ArviZ is undergoing a major refactor"),
    (UserWarning, r"PyTensor could not link to a BLAS installation"),
)


class _Group(click.Group):
    """Click group that turns :class:`OptimizerError` into a clean exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OptimizerError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="optimizer")
def cli() -> None:
    """Media budget allocation and pricing optimizer for e-commerce teams.

    Conventions shared by every command: a command that writes a folder takes --out DIR and
    refuses an existing, non-empty DIR unless --force is given; progress goes to stderr and
    results to stdout; bad input exits 1 with the fix, usage errors exit 2.
    """


def _register() -> None:
    for module in (data, mmm, allocate, experiment, pricing, scenario, portfolio):
        module.register(cli)


_register()


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point.

    Exits 0 on success, 1 on an :class:`OptimizerError`, 2 on a usage error, 130 on SIGINT
    (Ctrl-C) and 143 on SIGTERM; an interrupted command leaves no partial output.
    """
    for category, message in QUIET_WARNINGS:
        warnings.filterwarnings("ignore", message=message, category=category)
    with stop_on_signals():
        try:
            cli.main(args=argv, prog_name="optimizer", standalone_mode=True)
        except (Interrupted, KeyboardInterrupt):
            signum = received() or signal.SIGINT
            click.echo(
                f"Interrupted ({signal.Signals(signum).name}); no partial output was kept.",
                err=True,
            )
            sys.exit(128 + signum)
