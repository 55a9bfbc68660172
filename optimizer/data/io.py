"""Reading CSV files as French spreadsheet tools export them.

Accepts ``,`` or ``;`` delimiters, UTF-8 with or without BOM (Excel's "CSV UTF-8"), Windows-1252
(Excel's plain "CSV"), and the decimal comma that goes with ``;``. Anything else gets a
:class:`~optimizer.errors.DataError` that says how to re-export the file.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.errors import DataError

__all__ = ["atomic_write_text", "format_rows", "read_table", "write_csv"]

_MAX_LISTED_ROWS = 5


def format_rows(line_numbers: Sequence[int] | np.ndarray) -> str:
    """Format file line numbers as ``"row 4"`` or ``"rows 4, 9, 12 (and 3 more)"``.

    Parameters
    ----------
    line_numbers : sequence of int
        1-based line numbers in the file (the header is line 1).

    Returns
    -------
    str
        A short human-readable list.
    """
    nums = [int(n) for n in line_numbers]
    shown = ", ".join(str(n) for n in nums[:_MAX_LISTED_ROWS])
    more = f" (and {len(nums) - _MAX_LISTED_ROWS} more)" if len(nums) > _MAX_LISTED_ROWS else ""
    return f"row{'s' if len(nums) > 1 else ''} {shown}{more}"


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:4096]:
        raise DataError(
            f"{name}: the file is UTF-16 encoded (or binary); save it as 'CSV UTF-8' "
            "(comma or semicolon delimited) and try again."
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # Excel's plain "CSV" export on a French Windows machine.
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{name}: cannot decode byte {raw[exc.start : exc.start + 1]!r} at offset "
            f"{exc.start}; the file is neither UTF-8 nor Windows-1252. Save it as 'CSV UTF-8'."
        ) from None


def _sniff_delimiter(header: str, name: str) -> str:
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        return ","  # a single-column file; column checks will say what is missing
    if best in ("\t", "|"):
        label = "tab" if best == "\t" else "'|'"
        raise DataError(
            f"{name}: the header is {label}-delimited ({header[:60]!r}); use ',' or ';' as "
            "the delimiter (Excel: 'CSV UTF-8' or 'CSV (séparateur: point-virgule)')."
        )
    return best


def read_table(path: str | Path, *, name: str | None = None) -> pd.DataFrame:
    """Read a CSV file into a frame of strings, ready for column-wise validation.

    Parameters
    ----------
    path : str or Path
        The CSV file.
    name : str, optional
        How to name the file in error messages (default: the file name).

    Returns
    -------
    pandas.DataFrame
        Every cell as a stripped string (``""`` for an empty cell); the attribute
        ``attrs["decimal"]`` holds the decimal separator (``","`` for ``;`` files whose numbers
        use a comma), ``attrs["source"]`` the file name.

    Raises
    ------
    DataError
        Missing, empty, undecodable or wrongly delimited files, and rows whose number of fields
        does not match the header.
    """
    path = Path(path)
    label = name or path.name
    if not path.exists():
        raise DataError(f"{label}: file not found at '{path}'. Check the path.")
    if path.is_dir():
        raise DataError(f"{label}: '{path}' is a folder, not a CSV file.")
    text = _decode(path.read_bytes(), label)
    if not text.strip():
        raise DataError(f"{label}: the file is empty; expected a header row and data rows.")
    header = text.lstrip().splitlines()[0]
    delim = _sniff_delimiter(header, label)
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    try:
        # reader.line_num is the physical line where a record ends (quoted newlines included)
        lines = [(reader.line_num, r) for r in reader if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise DataError(f"{label}: malformed CSV near line {reader.line_num}: {exc}.") from None
    if not lines:
        raise DataError(f"{label}: the file is empty; expected a header row and data rows.")
    _, head = lines[0]
    columns = [c.strip() for c in head]
    if any(c == "" for c in columns):
        pos = columns.index("") + 1
        raise DataError(f"{label}: header column {pos} has no name; name every column.")
    dupes = sorted({c for c in columns if columns.count(c) > 1})
    if dupes:
        raise DataError(
            f"{label}: column(s) {', '.join(map(repr, dupes))} appear twice in the header."
        )
    body = lines[1:]
    if not body:
        raise DataError(f"{label}: the file has a header but no data rows.")
    bad = [ln for ln, r in body if len(r) != len(columns)]
    if bad:
        first = next(r for ln, r in body if ln == bad[0])
        raise DataError(
            f"{label}: {format_rows(bad)} have {len(first)} fields but the header has "
            f"{len(columns)}; check for a stray delimiter ('{delim}') or a missing value."
        )
    frame = pd.DataFrame([[c.strip() for c in r] for _, r in body], columns=columns, dtype=object)
    frame.index = pd.Index([ln for ln, _ in body], name="line")
    frame.attrs["decimal"] = "," if delim == ";" else "."
    frame.attrs["source"] = label
    return frame


def write_csv(frame: pd.DataFrame, path: str | Path, *, index: bool = False) -> None:
    """Write a frame as UTF-8 CSV with ``,`` delimiter, atomically (write then rename).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table to write.
    path : str or Path
        Destination file.
    index : bool, default False
        Whether to write the index.
    """
    atomic_write_text(path, frame.to_csv(index=index, lineterminator="\n"))


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and ``os.replace``.

    Parameters
    ----------
    path : str or Path
        Destination file; its folder must exist.
    text : str
        Content, written as UTF-8.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
