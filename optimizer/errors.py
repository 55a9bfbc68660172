"""The one exception tree of the package.

Every error a user can trigger with bad input is an :class:`OptimizerError`. Messages follow
the pattern *value, limit, fix*: they name the file, column, row or key at fault and say what to
change. The CLI maps :class:`OptimizerError` to exit code 1 and prints the message alone.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "ConfigError",
    "ConvergenceError",
    "DataError",
    "InfeasibleError",
    "NotFittedError",
    "OptimizerError",
    "did_you_mean",
]


class OptimizerError(Exception):
    """Base class of every error raised on purpose by this package."""


class DataError(OptimizerError, ValueError):
    """Input data violate the data contract (bad columns, NaN, negative spend, ...)."""


class ConfigError(OptimizerError, ValueError):
    """A scenario, option or constraint value is invalid."""


class InfeasibleError(OptimizerError, RuntimeError):
    """An optimization problem has no feasible solution; the message names the conflict."""


class ConvergenceError(OptimizerError, RuntimeError):
    """A model did not converge (or failed its diagnostics gate) and may not be used."""


class NotFittedError(OptimizerError, AttributeError):
    """An estimator was used before ``fit()``."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return a ``" Did you mean 'x'?"`` hint for a misspelt name, or an empty string.

    Parameters
    ----------
    word : str
        The unknown name as the user wrote it.
    choices : iterable of str
        The valid names.

    Returns
    -------
    str
        The hint, starting with a space, or ``""`` when nothing is close.
    """
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""
