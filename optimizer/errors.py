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


def _normalized(name: str) -> str:
    """Case-folded letters and digits only (``'VAT rate'`` and ``'vat_rate'`` agree)."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def _edits(a: str, b: str) -> int:
    """Typing edits from ``a`` to ``b``: insert, delete or replace a letter, swap two neighbours.

    (The optimal-string-alignment distance.)
    """
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return a ``" Did you mean 'x'?"`` hint for a misspelt name, or an empty string.

    A valid name is close when it differs from ``word`` by case, spaces, ``_``, ``-`` or ``.``
    and at most one typing edit per four letters (at least one): ``'vat_rte'`` and
    ``'VAT rate'`` hint ``'vat_rate'``, while ``'return_rate'`` does not (sharing a word is not
    being close).

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
    target = _normalized(word)
    best: tuple[int, float, str] | None = None
    for choice in dict.fromkeys(str(c) for c in choices):
        name = _normalized(choice)
        if not name:
            continue
        allowed = max(1, len(name) // 4) if len(name) > 1 else 0
        d = _edits(target, name)
        if d > allowed:
            continue
        # equal distances: the name most alike as written wins, then the first one
        key = (d, -difflib.SequenceMatcher(None, word, choice).ratio(), choice)
        if best is None or key[:2] < best[:2]:
            best = key
    return f" Did you mean '{best[2]}'?" if best is not None else ""
