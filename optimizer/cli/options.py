"""Option blocks that several commands share, each handed to the command as one frozen value.

An option group adds its click options to a command and passes their values to it as a single
argument (:func:`option_group`): ``optimizer mmm fit`` receives the marketing inputs, the
sampler settings and the model checks as three values instead of sixteen parameters.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from optimizer.cli.common import path_option, seed_option
from optimizer.data.dataset import DATASET_FILE, load_dataset
from optimizer.data.lift_tests import load_lift_tests
from optimizer.data.marketing import load_marketing
from optimizer.errors import DataError

__all__ = [
    "FitChecks",
    "MarketingInputs",
    "Sampling",
    "fit_check_options",
    "marketing_options",
    "option_group",
    "sampler_options",
]

F = TypeVar("F", bound=Callable[..., Any])


def option_group(
    name: str, options: Sequence[Callable[[Any], Any]], build: Callable[..., Any]
) -> Callable[[F], F]:
    """Add ``options`` to a command and pass their values as one argument, ``name=build(**v)``.

    The options are listed in ``--help`` in the order given.
    """

    def probe() -> None:  # the options' parameters, to know their names
        return None

    for opt in reversed(options):
        opt(probe)
    names = [p.name for p in getattr(probe, "__click_params__", [])]

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            values = {n: kwargs.pop(n) for n in names}
            kwargs[name] = build(**values)
            return func(*args, **kwargs)

        out: Any = wrapper
        for opt in reversed(options):
            out = opt(out)
        return out

    return decorate


@dataclass(frozen=True)
class Sampling:
    """NUTS settings: draws and tuning steps per chain, chains, seed."""

    draws: int
    tune: int
    chains: int
    seed: int


def sampler_options(
    *,
    draws: tuple[int, click.IntRange],
    tune: tuple[int, click.IntRange],
    chains: tuple[int, click.IntRange],
    chains_note: str,
    suffix: str = "",
) -> Callable[[F], F]:
    """``--draws``, ``--tune``, ``--chains``, ``--seed``, passed as ``sampling=Sampling(...)``.

    Parameters
    ----------
    draws, tune, chains : (int, click.IntRange)
        Default and accepted range of each option.
    chains_note : str
        What the help of ``--chains`` says in parentheses.
    suffix : str
        Appended to the help of ``--draws`` and ``--tune`` (e.g. ``" (nuts)"``).
    """
    ranges = {"--draws": draws, "--tune": tune, "--chains": chains}
    helps = {
        "--draws": f"Posterior draws kept per chain{suffix}.",
        "--tune": f"Tuning (warm-up) steps per chain, discarded{suffix}.",
        "--chains": f"Independent sampling chains ({chains_note}).",
    }
    options = [
        click.option(name, default=d, show_default=True, type=t, help=helps[name])
        for name, (d, t) in ranges.items()
    ]
    options.append(seed_option())
    return option_group("sampling", options, Sampling)


def _split(value: str | None) -> list[str] | None:
    if value is None:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    return items or None


@dataclass(frozen=True)
class MarketingInputs:
    """The marketing history to fit: a CSV or a dataset folder, with column choices.

    ``date``, ``target``, ``channels`` and ``controls`` override the dataset's ``[marketing]``
    section (or the CSV defaults ``date`` and ``revenue``); ``lift_tests`` replaces the
    dataset's lift tests.
    """

    data: Path
    date: str | None = None
    target: str | None = None
    channels: list[str] | None = None
    controls: list[str] | None = None
    lift_tests: Path | None = None

    def load(self) -> tuple[Any, Any]:
        """The marketing history and the lift tests (None when there are none).

        Raises
        ------
        DataError
            A missing file or folder, or a dataset folder without a ``[marketing]`` section.
        """
        if not self.data.exists():
            raise DataError(f"{self.data}: no such file or folder. Check the --data path.")
        history, lift = self._from_folder() if self.data.is_dir() else (self._from_csv(), None)
        if self.lift_tests is not None:
            lift = load_lift_tests(self.lift_tests, channels=history.channels, weeks=history.weeks)
        return history, lift

    def _from_csv(self) -> Any:
        return load_marketing(
            self.data,
            date=self.date or "date",
            target=self.target or "revenue",
            channels=self.channels,
            controls=self.controls,
        )

    def _from_folder(self) -> tuple[Any, Any]:
        data = self.data
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
            date=self.date or m.date,
            target=self.target or m.target,
            channels=self.channels or m.channels,
            controls=m.controls if self.controls is None else self.controls,
            orders=m.orders,
        )
        lift = None
        if self.lift_tests is None and getattr(ds, "lift_tests", None) is not None:
            lift = ds.lift_tests
        return history, lift


def _marketing(
    data: Path,
    date: str | None,
    target: str | None,
    channels: str | None,
    controls: str | None,
    lift_tests: Path | None,
) -> MarketingInputs:
    return MarketingInputs(data, date, target, _split(channels), _split(controls), lift_tests)


def marketing_options(func: F) -> F:
    """``--data``, ``--date``, ``--target``, ``--channels``, ``--controls``, ``--lift-tests``.

    The command receives them as ``inputs=MarketingInputs(...)``.
    """
    options = [
        path_option(
            "--data",
            "data",
            required=True,
            help="Marketing CSV or dataset folder (with dataset.toml).",
        ),
        click.option("--date", default=None, help="Week column (default: date)."),
        click.option("--target", default=None, help="Target column, EUR (default: revenue)."),
        click.option("--channels", default=None, help="Spend columns, comma-separated."),
        click.option("--controls", default=None, help="Control columns, comma-separated."),
        path_option(
            "--lift-tests",
            "lift_tests",
            help="Lift-test CSV (channel,start,end,spend_change,incremental_revenue,se).",
        ),
    ]
    return option_group("inputs", options, _marketing)(func)


@dataclass(frozen=True)
class FitChecks:
    """How a media-mix fit is checked: hold-out weeks, sampler, gate thresholds, retries."""

    holdout_weeks: int
    sampler: str
    ess_min: float
    r_hat_max: float
    retries: int
    progress: bool


def fit_check_options(func: F) -> F:
    """``--holdout-weeks``, ``--sampler``, the gate, ``--retries``, ``--progress``.

    The command receives them as ``checks=FitChecks(...)``.
    """
    shown: list[tuple[str, Any, Any, str]] = [
        (
            "--holdout-weeks",
            8,
            click.IntRange(0),
            "Last weeks kept out of the fit to measure the forecast error (MAPE).",
        ),
        (
            "--sampler",
            "nutpie",
            click.Choice(["nutpie", "pymc"]),
            "NUTS implementation: nutpie (compiled, fast) or pymc.",
        ),
        ("--ess-min", 400.0, click.FloatRange(0), "Gate: minimum bulk and tail ESS."),
        ("--r-hat-max", 1.01, click.FloatRange(1.0), "Gate: maximum R-hat."),
        (
            "--retries",
            2,
            click.IntRange(0, 5),
            "Extra NUTS runs with more careful settings (higher target acceptance, longer "
            "tuning, more draws) when the gate finds divergences, R-hat or ESS out of bounds.",
        ),
    ]
    options = [
        click.option(name, default=d, show_default=True, type=t, help=h) for name, d, t, h in shown
    ]
    options.append(
        click.option("--progress/--no-progress", default=False, help="Show the sampler's progress.")
    )
    return option_group("checks", options, FitChecks)(func)
