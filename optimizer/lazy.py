"""Names of a package that import their module on first use (PEP 562), so that the package stays light."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_getattr"]


def lazy_getattr(
    package: str, where: Mapping[str, str], cache: dict[str, Any] | None = None
) -> Callable[[str], Any]:
    """A module-level ``__getattr__`` for ``package`` that imports ``name`` from ``where[name]``.

    Parameters
    ----------
    package : str
        The package's ``__name__`` (named in the error for an unknown attribute).
    where : mapping of str to str
        Each lazily loaded name and the module that defines it.
    cache : dict, optional
        The package's ``globals()``: a loaded name is stored there, so later look-ups no longer
        reach ``__getattr__``.

    Returns
    -------
    callable
        ``__getattr__(name)``; raises :class:`AttributeError` for a name not in ``where``.
    """

    def __getattr__(name: str) -> Any:
        if name in where:
            value = getattr(importlib.import_module(where[name]), name)
            if cache is not None:
                cache[name] = value
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
