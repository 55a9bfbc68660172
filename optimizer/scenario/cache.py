"""Cached model fits keyed by a hash of their inputs, written atomically.

A fit is stored in ``<cache root>/<kind>-<key>`` where ``key`` hashes the input data and the
settings; a changed file or setting gives a new key, hence a refit. A folder is published by
``os.replace`` of a finished temporary folder, so an interrupted fit never leaves a folder that
looks complete; a folder without its ``CACHE_COMPLETE`` marker counts as absent and is refitted.
Temporary folders left by a killed process are ignored, and swept once they are a day old.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from optimizer.atomic import sweep_stale
from optimizer.interrupt import check as check_interrupted

__all__ = ["cache_key", "cached", "code_digest", "file_digest"]

T = TypeVar("T")
_DONE = "CACHE_COMPLETE"


def file_digest(path: str | Path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def code_digest(*parts: str) -> str:
    """SHA-256 of the package's Python sources (changes with any code change, not only releases).

    Parameters
    ----------
    *parts : str
        Sub-packages to hash (e.g. ``"mmm"``, ``"data"``); none: the whole package.
    """
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    folders = [root / p for p in parts] if parts else [root]
    for path in sorted(f for folder in folders for f in folder.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode("utf-8"))
        h.update(path.read_bytes())
    return h.hexdigest()


def cache_key(payload: dict[str, Any]) -> str:
    """Stable 16-hex-digit key of a JSON-able payload."""
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def cached(
    root: Path,
    kind: str,
    payload: dict[str, Any],
    fit: Callable[[], T],
    save: Callable[[T, Path], None],
    load: Callable[[Path], T],
) -> tuple[T, Path, bool]:
    """Load a cached fit or fit, save and publish it.

    Parameters
    ----------
    root : Path
        Cache folder (created if missing).
    kind : str
        Prefix of the entry (``mmm``, ``elasticity``).
    payload : dict
        Everything the fit depends on (data digests, settings, package version).
    fit : callable
        Produces the fitted object.
    save : callable
        Writes the object into an (empty, existing) folder.
    load : callable
        Reads it back from a folder.

    Returns
    -------
    tuple
        The object, its folder and whether it came from the cache.
    """
    root.mkdir(parents=True, exist_ok=True)
    sweep_stale(root, rf"\.{re.escape(kind)}-[a-z0-9_]{{8}}")
    folder = root / f"{kind}-{cache_key(payload)}"
    if (folder / _DONE).is_file():
        return load(folder), folder, True
    fitted = fit()
    check_interrupted()  # a fit cut short by a swallowed interruption is never published
    tmp = Path(tempfile.mkdtemp(prefix=f".{kind}-", dir=root))
    try:
        save(fitted, tmp)
        (tmp / "cache_payload.json").write_text(
            json.dumps(payload, sort_keys=True, indent=1, default=str), encoding="utf-8"
        )
        (tmp / _DONE).write_text("ok\n", encoding="utf-8")
        check_interrupted()
        _publish(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    # read back what was stored, so that a fresh fit and a cached one give the same numbers
    # bit for bit (stored posteriors may round differently from the in-memory ones)
    return load(folder), folder, False


def is_cached(root: Path, kind: str, payload: dict[str, Any]) -> bool:
    """Whether :func:`cached` would load ``payload``'s entry instead of fitting."""
    return (root / f"{kind}-{cache_key(payload)}" / _DONE).is_file()


def _publish(tmp: Path, folder: Path) -> None:
    """Move a finished entry into place; if another run published the same key first, keep theirs.

    Two runs of the same inputs may fit at once (two terminals, a CI matrix). The entry is
    deterministic given its key, so whichever finishes first wins and the other discards its
    copy; an incomplete folder (left by a killed run) is replaced.
    """
    if (folder / _DONE).is_file():
        shutil.rmtree(tmp, ignore_errors=True)
        return
    if folder.exists():  # a stale, incomplete entry
        shutil.rmtree(folder, ignore_errors=True)
    try:
        os.replace(tmp, folder)
    except OSError:
        # another run published between our check and the rename (a non-empty target folder
        # cannot be replaced): theirs is complete, ours is redundant
        if not (folder / _DONE).is_file():
            raise
        shutil.rmtree(tmp, ignore_errors=True)
