"""Column-wise parsing and checks shared by every loader.

Each function takes the string frame produced by :func:`optimizer.data.io.read_table` (index =
file line numbers) and raises :class:`~optimizer.errors.DataError` naming the file, column, rows
and the fix.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

import numpy as np
import pandas as pd

from optimizer.data.io import format_rows
from optimizer.errors import DataError, did_you_mean

__all__ = [
    "ABSURD_VALUE",
    "check_columns",
    "check_in",
    "check_weekly",
    "parse_bool",
    "parse_dates",
    "parse_number",
]

_SPACES = str.maketrans("", "", " \u00a0\u202f€")
_TRUE = {"1", "true", "yes", "oui", "vrai", "y", "o", "x"}
_FALSE = {"0", "false", "no", "non", "faux", "n", ""}


def check_columns(
    frame: pd.DataFrame,
    required: Sequence[str],
    optional: Sequence[str] = (),
    *,
    extra_hint: str = "remove it or rename it",
) -> None:
    """Check that ``required`` columns are present and that no unknown column is.

    Parameters
    ----------
    frame : pandas.DataFrame
        Table read by :func:`~optimizer.data.io.read_table`.
    required, optional : sequence of str
        Column names.
    extra_hint : str
        What to tell the user to do with an unexpected column.
    """
    src = frame.attrs.get("source", "file")
    present = list(frame.columns)
    missing = [c for c in required if c not in present]
    if missing:
        hints = []
        for c in missing:
            close = did_you_mean(c, [p for p in present if p not in required])
            hints.append(f"'{c}'" + (f" ({close.strip()})" if close else ""))
        raise DataError(
            f"{src}: missing required column(s) {', '.join(hints)}; the file has "
            f"{', '.join(present)}. Add the column(s) or map them to your names."
        )
    known = set(required) | set(optional)
    extra = [c for c in present if c not in known]
    if extra:
        c = extra[0]
        raise DataError(
            f"{src}: unexpected column '{c}'.{did_you_mean(c, sorted(known - set(present)))} "
            f"Expected columns: {', '.join(list(required) + list(optional))}; {extra_hint}."
        )


def _distinct(frame: pd.DataFrame, col: str) -> tuple[np.ndarray, pd.Series]:
    """Codes and distinct cells of a column, so that each distinct cell is parsed once.

    Files repeat the same dates, SKUs, flags and prices on many rows: parsing the distinct
    values and expanding them with the codes is faster and keeps the memory of a 1M-row file
    close to that of its codes.
    """
    codes, uniques = pd.factorize(frame[col].to_numpy(dtype=object), use_na_sentinel=False)
    return codes, pd.Series(uniques, dtype=object).astype(str)


def _bad(frame: pd.DataFrame, col: str, mask: np.ndarray, what: str, fix: str) -> DataError:
    src = frame.attrs.get("source", "file")
    lines = frame.index[mask]
    sample = frame.loc[lines[0], col] if len(lines) and col in frame.columns else None
    shown = f" (e.g. {sample!r})" if sample not in (None, "") else ""
    return DataError(f"{src}, column '{col}', {format_rows(list(lines))}: {what}{shown}; {fix}.")


#: Dates outside these years are typing errors (and outside what the calendar code handles).
MIN_YEAR, MAX_YEAR = 1900, 2199

#: Any number beyond this (in absolute value) is a typing or unit error, whatever the column:
#: no French e-commerce store spends, sells, stocks or ships 10^12 of anything in a week.
ABSURD_VALUE = 1e12


def parse_number(
    frame: pd.DataFrame,
    col: str,
    *,
    minimum: float | None = None,
    strict_minimum: bool = False,
    maximum: float | None = None,
    integer: bool = False,
    allow_missing: bool = False,
    unit: str = "",
    percent: bool = False,
) -> np.ndarray:
    """Parse a numeric column, accepting decimal commas and spaces as thousands separators.

    Parameters
    ----------
    frame : pandas.DataFrame
        String table from :func:`~optimizer.data.io.read_table`.
    col : str
        Column to parse.
    minimum, maximum : float, optional
        Inclusive bounds (``minimum`` exclusive when ``strict_minimum``).
    integer : bool
        Require whole numbers.
    allow_missing : bool
        Return NaN for empty cells instead of raising.
    unit : str
        Unit named in error messages (e.g. ``"EUR"``).
    percent : bool
        Accept ``"20%"`` and convert it to ``0.2``.

    Returns
    -------
    numpy.ndarray
        float64 values (NaN where missing and allowed).
    """
    values = _parsed(frame, col, percent=percent, allow_missing=allow_missing)
    _check_bounds(
        frame,
        col,
        values,
        minimum=minimum,
        strict_minimum=strict_minimum,
        maximum=maximum,
        integer=integer,
        unit=unit,
    )
    return values


def _parsed(frame: pd.DataFrame, col: str, *, percent: bool, allow_missing: bool) -> np.ndarray:
    """The column as floats (NaN where empty); raises on text and, unless allowed, on gaps."""
    codes, raw = _distinct(frame, col)
    raw = raw.str.translate(_SPACES)
    is_pct = raw.str.endswith("%") if percent else pd.Series(False, index=raw.index)
    raw = raw.str.rstrip("%") if percent else raw
    if frame.attrs.get("decimal") == ",":
        raw = raw.str.replace(",", ".", regex=False)
    lowered = raw.str.lower()
    empty_u = lowered.isin(["", "nan", "na", "n/a", "null", "none", "-"]).to_numpy()
    values_u = pd.to_numeric(raw.where(~empty_u), errors="coerce").to_numpy(dtype=float)
    values_u = np.where(is_pct.to_numpy(), values_u / 100.0, values_u)
    values, empty = values_u[codes], empty_u[codes]
    unparsable = np.isnan(values) & ~empty
    if unparsable.any():
        raise _bad(frame, col, unparsable, "not a number", "write plain numbers such as 1234.5")
    if empty.any() and not allow_missing:
        raise _bad(
            frame, col, empty, "missing value (empty or NaN)", "fill in every cell of this column"
        )
    return values


def _check_bounds(
    frame: pd.DataFrame,
    col: str,
    values: np.ndarray,
    *,
    minimum: float | None,
    strict_minimum: bool,
    maximum: float | None,
    integer: bool,
    unit: str,
) -> None:
    """Finite, not absurd, within ``[minimum, maximum]``, whole when ``integer``."""
    finite = ~np.isnan(values)
    if np.isinf(values).any():
        raise _bad(frame, col, np.isinf(values), "infinite value", "write a finite number")
    u = f" {unit}" if unit else ""
    absurd = finite & (np.abs(values) > ABSURD_VALUE)
    if absurd.any():
        raise _bad(
            frame,
            col,
            absurd,
            "absurd value",
            f"values must be within +/-{ABSURD_VALUE:g}{u}; check for a unit or typing error",
        )
    if minimum is not None:
        low = finite & ((values <= minimum) if strict_minimum else (values < minimum))
        if low.any():
            op = ">" if strict_minimum else ">="
            kind = "negative" if minimum == 0 and not strict_minimum else "too small"
            raise _bad(frame, col, low, f"{kind} value", f"values must be {op} {minimum:g}{u}")
    if maximum is not None:
        high = finite & (values > maximum)
        if high.any():
            raise _bad(frame, col, high, "value too large", f"values must be <= {maximum:g}{u}")
    if integer:
        frac = finite & (np.abs(values - np.round(values)) > 1e-9)
        if frac.any():
            raise _bad(frame, col, frac, "not a whole number", "write whole numbers (counts)")


def parse_bool(frame: pd.DataFrame, col: str) -> np.ndarray:
    """Parse a 0/1 flag column (also ``true/false``, ``oui/non``; empty means false).

    Returns
    -------
    numpy.ndarray
        bool values.
    """
    codes, raw = _distinct(frame, col)
    raw = raw.str.strip().str.lower()
    ok = raw.isin(_TRUE | _FALSE).to_numpy()[codes]
    if not ok.all():
        raise _bad(frame, col, ~ok, "not a 0/1 flag", "write 1 (yes) or 0 (no)")
    return raw.isin(_TRUE).to_numpy()[codes]


def parse_dates(frame: pd.DataFrame, col: str) -> pd.DatetimeIndex:
    """Parse ISO (``2024-01-29``) or French (``29/01/2024``) dates.

    Returns
    -------
    pandas.DatetimeIndex
        Normalised dates (no time part).
    """
    codes, raw = _distinct(frame, col)
    raw = raw.str.strip()
    iso = pd.to_datetime(raw, format="%Y-%m-%d", errors="coerce")
    fr = pd.to_datetime(raw, format="%d/%m/%Y", errors="coerce")
    dates = pd.DatetimeIndex(iso.fillna(fr))
    bad = np.asarray(dates.isna())[codes]
    if bad.any():
        raise _bad(frame, col, bad, "unparseable date", "write dates as YYYY-MM-DD (or DD/MM/YYYY)")
    # "-2025-04-07" parses as the year -2025; such dates are typos, and the calendar code
    # (Python dates) cannot even print them
    years = np.asarray(dates.year)[codes]
    odd = (years < MIN_YEAR) | (years > MAX_YEAR)
    if odd.any():
        raise _bad(
            frame,
            col,
            odd,
            "date out of range",
            f"write dates between {MIN_YEAR} and {MAX_YEAR} as YYYY-MM-DD (or DD/MM/YYYY)",
        )
    return dates.normalize().take(codes)


def check_weekly(
    frame: pd.DataFrame,
    col: str,
    dates: pd.DatetimeIndex,
    *,
    unique: bool = True,
    fill_hint: str = "add a row for each week (zero spend if nothing was spent)",
) -> None:
    """Check that dates lie on one weekly grid, without duplicates (if ``unique``) or gaps.

    Parameters
    ----------
    frame : pandas.DataFrame
        String table (for line numbers and the file name).
    col : str
        Date column name.
    dates : pandas.DatetimeIndex
        Parsed dates, in file order.
    unique : bool
        Whether each week may appear only once (marketing, logistics) or many times (sales).
    fill_hint : str
        How to fix missing weeks.
    """
    src = frame.attrs.get("source", "file")
    if unique:
        dup = pd.Index(dates).duplicated(keep=False)
        if dup.any():
            first = dates[dup][0].date()
            raise _bad(
                frame,
                col,
                dup,
                f"duplicate week {first}",
                "keep one row per week (sum or remove the duplicates)",
            )
    weekday = dates.dayofweek
    main = pd.Series(weekday).mode().iloc[0]
    off = np.asarray(weekday != main)
    if off.any():
        days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        raise _bad(
            frame,
            col,
            off,
            f"date not on the weekly grid (most weeks start on {days[main]})",
            "give every week by the same weekday (e.g. the Monday of the week)",
        )
    uniq = pd.DatetimeIndex(sorted(set(dates)))
    if len(uniq) > 1:
        full = pd.date_range(uniq[0], uniq[-1], freq="7D")
        missing = full.difference(uniq)
        if len(missing):
            listed = ", ".join(str(d.date()) for d in missing[:5])
            more = f" (and {len(missing) - 5} more)" if len(missing) > 5 else ""
            raise DataError(
                f"{src}, column '{col}': {len(missing)} missing week(s) between {uniq[0].date()} "
                f"and {uniq[-1].date()}: {listed}{more}; {fill_hint}."
            )


def check_in(
    frame: pd.DataFrame,
    col: str,
    values: np.ndarray,
    known: Collection[str],
    *,
    what: str,
    where: str,
    fix: str,
) -> None:
    """Every one of ``values`` (column ``col`` of ``frame``, parsed) is in ``known``.

    Parameters
    ----------
    frame : pandas.DataFrame
        The string frame of :func:`~optimizer.data.io.read_table` (it names the file and rows).
    col : str
        The column checked.
    values : numpy.ndarray
        Its values.
    known : collection of str
        The values allowed (also the did-you-mean candidates).
    what, where, fix : str
        How the message names a value (``"SKU"``), what it is missing from (``"the catalog
        (catalog.csv)"``) and the fix.

    Raises
    ------
    DataError
        The first unknown value, with its rows and a did-you-mean hint.
    """
    # hash lookup: np.isin on object arrays compares every pair (minutes at 1M rows)
    unknown = ~pd.Index(values).isin(pd.Index(list(known)))
    if unknown.any():
        v = values[unknown][0]
        raise DataError(
            f"{frame.attrs['source']}, column '{col}', {format_rows(list(frame.index[unknown]))}: "
            f"{what} {v!r} is not in {where}.{did_you_mean(v, known)} {fix}"
        )


def ensure_known(values: Iterable[str], known: Iterable[str], what: str, src: str) -> None:
    """Raise if any of ``values`` is not in ``known``, with a did-you-mean hint."""
    known_list = list(known)
    for v in values:
        if v not in known_list:
            raise DataError(f"{src}: unknown {what} '{v}'.{did_you_mean(v, known_list)}")
