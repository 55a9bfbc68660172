"""Reading CSV files as French spreadsheet tools export them.

Accepts ``,`` or ``;`` delimiters, UTF-8 with or without BOM (Excel's "CSV UTF-8"), Windows-1252
(Excel's plain "CSV"), and the decimal comma that goes with ``;``. Anything else gets a
:class:`~optimizer.errors.DataError` that says how to re-export the file.
"""

from __future__ import annotations

import codecs
import csv
import os
import tempfile
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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


def _encoding(path: Path, name: str) -> str:
    """The text encoding of a CSV file: ``utf-8-sig`` (BOM optional) or ``cp1252``.

    The file is checked block by block, never held whole in memory.
    """
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        raise DataError(
            f"{name}: the file is UTF-16 encoded (or binary); save it as 'CSV UTF-8' "
            "(comma or semicolon delimited) and try again."
        )
    bom = head.startswith(b"\xef\xbb\xbf")
    for encoding in ("utf-8", "cp1252"):  # cp1252: Excel's plain "CSV" on a French Windows PC
        decoder = codecs.getincrementaldecoder(encoding)()
        offset = 3 if bom and encoding == "utf-8" else 0
        try:
            with open(path, "rb") as fh:
                fh.seek(offset)
                for block in iter(lambda: fh.read(1 << 20), b""):
                    decoder.decode(block)
                    offset += len(block)
                tail = decoder.getstate()[0]  # bytes of an unfinished character at the end
                offset -= len(tail)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            if encoding == "utf-8" and not bom:
                continue
            where = (
                f"cannot decode byte {exc.object[exc.start : exc.start + 1]!r} at offset "
                f"{offset + exc.start}"
            )
            kind = (
                "starts with a UTF-8 BOM but is not UTF-8"
                if bom
                else "is neither UTF-8 nor Windows-1252"
            )
            raise DataError(f"{name}: {where}; the file {kind}. Save it as 'CSV UTF-8'.") from None
        return "utf-8-sig" if encoding == "utf-8" else encoding
    raise AssertionError("unreachable")  # pragma: no cover


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
    try:
        exists, is_dir = path.exists(), path.is_dir()
    except OSError as exc:  # e.g. a name longer than the file system allows
        raise DataError(
            f"{label}: cannot open '{path}' ({exc.strerror}). Check the path."
        ) from None
    if not exists:
        raise DataError(f"{label}: file not found at '{path}'. Check the path.")
    if is_dir:
        raise DataError(f"{label}: '{path}' is a folder, not a CSV file.")
    encoding = _encoding(path, label)
    with open(path, encoding=encoding, newline="") as fh:
        header = next((line for line in fh if line.strip()), None)
        if header is None:
            raise DataError(f"{label}: the file is empty; expected a header row and data rows.")
        delim = _sniff_delimiter(header.rstrip("\r\n"), label)
        fh.seek(0)
        reader = csv.reader(fh, delimiter=delim)
        try:
            # reader.line_num is the physical line where a record ends (quoted newlines included)
            columns = _header(reader, label)
            line_numbers, cells, bad = _body(reader, len(columns))
        except csv.Error as exc:
            raise DataError(f"{label}: malformed CSV near line {reader.line_num}: {exc}.") from None
    if not line_numbers:
        raise DataError(f"{label}: the file has a header but no data rows.")
    if bad:
        first = bad[0][1]
        raise DataError(
            f"{label}: {format_rows([ln for ln, _ in bad])} have {first} fields but the header "
            f"has {len(columns)}; check for a stray delimiter ('{delim}') or a missing value."
        )
    data = {}
    for c in columns:  # convert column by column, releasing each list as it goes
        data[c] = pd.Series(np.array(cells.pop(0), dtype=object), dtype=object)
    frame = pd.DataFrame(data, columns=columns, copy=False)
    frame.index = pd.Index(np.asarray(line_numbers, dtype=np.int64), name="line")
    frame.attrs["decimal"] = "," if delim == ";" else "."
    frame.attrs["source"] = label
    return frame


def _header(reader: Any, label: str) -> list[str]:
    """The first non-blank record as column names, checked for blanks and duplicates."""
    for row in reader:
        if any(c.strip() for c in row):
            columns = [c.strip() for c in row]
            break
    else:
        raise DataError(f"{label}: the file is empty; expected a header row and data rows.")
    if any(c == "" for c in columns):
        pos = columns.index("") + 1
        raise DataError(f"{label}: header column {pos} has no name; name every column.")
    dupes = sorted({c for c in columns if columns.count(c) > 1})
    if dupes:
        raise DataError(
            f"{label}: column(s) {', '.join(map(repr, dupes))} appear twice in the header."
        )
    return columns


def _body(reader: Any, width: int) -> tuple[array, list[list[str]], list[tuple[int, int]]]:
    """Data records column by column, stripped, blank records skipped.

    Cells are interned per column (files repeat dates, SKUs, flags and prices on many rows), so
    a 1M-row file costs about one pointer per cell rather than one string object per cell.
    Records whose field count differs from ``width`` are returned as ``(line, fields)``.
    """
    line_numbers = array("q")
    cells: list[list[str]] = [[] for _ in range(width)]
    seen: list[dict[str, str]] = [{} for _ in range(width)]
    bad: list[tuple[int, int]] = []
    for row in reader:
        if len(row) != width:
            if any(c.strip() for c in row):
                bad.append((reader.line_num, len(row)))
            continue
        stripped = [c.strip() for c in row]
        if not any(stripped):
            continue
        line_numbers.append(reader.line_num)
        for j, c in enumerate(stripped):
            cells[j].append(seen[j].setdefault(c, c))
    return line_numbers, cells, bad


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
