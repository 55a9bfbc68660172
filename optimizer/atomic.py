"""Write a whole output folder atomically: all files or nothing.

Every command that writes a folder fills a temporary sibling and renames it into place, so an
error or an interruption leaves either no folder (or the previous one) or a complete one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from optimizer.errors import ConfigError

__all__ = ["atomic_folder"]


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
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        yield tmp
        os.chmod(tmp, 0o755)
        if out.exists():
            trash = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            os.replace(out, trash / "previous")
            os.replace(tmp, out)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
