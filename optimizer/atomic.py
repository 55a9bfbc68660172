"""Write a whole output folder atomically: all files or nothing.

Every command that writes a folder fills a temporary sibling and renames it into place, so an
error or an interruption leaves either no folder (or the previous one) or a complete one.
Temporary siblings left by a killed process (SIGKILL, power loss) are ignored, and swept once
they are a day old.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from optimizer.errors import ConfigError
from optimizer.interrupt import check as check_interrupted

__all__ = ["STALE_SECONDS", "atomic_folder", "sweep_stale"]

#: Age (s) after which a temporary folder left by a killed process is removed. Far above the
#: seconds a folder stays temporary, so a run in progress elsewhere is never touched.
STALE_SECONDS = 24 * 3600.0

# tempfile.mkdtemp appends 8 characters from this alphabet to the prefix
_RANDOM = "[a-z0-9_]{8}"


def sweep_stale(parent: Path, pattern: str, *, max_age: float = STALE_SECONDS) -> list[Path]:
    """Remove temporary folders in ``parent`` whose names match ``pattern`` and that are old.

    Parameters
    ----------
    parent : Path
        Folder to look in (a missing one is fine).
    pattern : str
        Regular expression the whole folder name must match.
    max_age : float
        Minimum age since the last change, s.

    Returns
    -------
    list of Path
        The folders removed.
    """
    removed: list[Path] = []
    if not parent.is_dir():
        return removed
    regex = re.compile(pattern)
    now = time.time()
    for path in parent.iterdir():
        try:
            old = now - path.lstat().st_mtime > max_age
        except OSError:  # removed meanwhile by another run
            continue
        if old and regex.fullmatch(path.name) and path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


@contextmanager
def atomic_folder(out: str | Path, *, overwrite: bool = False) -> Iterator[Path]:
    """Yield an empty temporary folder that replaces ``out`` when the block succeeds.

    Parameters
    ----------
    out : str or Path
        Destination folder.
    overwrite : bool
        Replace an existing non-empty ``out`` (else :class:`ConfigError`).

    Raises
    ------
    ConfigError
        ``out`` is a file, or a non-empty folder and ``overwrite`` is false.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{out} exists and is a file; choose a folder for the output.")
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise ConfigError(
            f"{out} already exists; choose another --out or pass --force to replace it."
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale(out.parent, rf"\.{re.escape(out.name)}\.(old\.)?{_RANDOM}")
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    trash: Path | None = None
    try:
        yield tmp
        check_interrupted()  # a swallowed interruption must not publish a folder
        os.chmod(tmp, 0o755)
        if out.exists():
            trash = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            os.replace(out, trash / "previous")
        os.replace(tmp, out)
    except BaseException:
        if trash is not None and (trash / "previous").exists() and not out.exists():
            os.replace(trash / "previous", out)  # interrupted between the two renames
        shutil.rmtree(tmp, ignore_errors=True)
        if trash is not None:
            shutil.rmtree(trash, ignore_errors=True)
        raise
    if trash is not None:
        shutil.rmtree(trash, ignore_errors=True)
