"""Hypothesis strategies for fuzzing the file loaders (issue 9, part 2).

Every strategy starts from a *valid* file and then, for the ``near_valid_*`` ones, applies random
mutations of the kind real exports suffer: a dropped, renamed or duplicated column, ``;`` instead
of ``,``, decimal commas, a BOM, Windows-1252 bytes, blank or ``n/a`` cells, negative, zero or
huge numbers, text in numeric cells, duplicated or missing weeks, dates in another format, stray
delimiters and quotes, a truncated last line, an empty file, random bytes...

* CSV files (marketing, catalog, sales, logistics, lift tests) are built as a :class:`Table`
  (header + rows of canonical strings + the values a loader must return), then rendered to bytes
  with a :class:`CsvFormat` (delimiter, decimal comma, thousands separators, encoding, BOM, line
  endings, date style, quoting, padding, row order). Every format a valid table can be rendered
  in is one the data contract accepts (docs/data.md), so valid tables must load whatever the
  format, with the same values.
* TOML files (``dataset.toml``, scenarios, allocation constraints, pricing rules) are built as
  dicts and written with the small :func:`toml_dumps` below (no writer library is installed);
  near-valid ones get dict-level mutations (dropped keys, typos, wrong types, out-of-range or
  non-finite values, unknown channels, paths leaving the folder) and text-level ones (syntax
  errors, encodings).
"""

from __future__ import annotations

import copy
import csv
import io
import math
import os
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from optimizer.allocation import ChannelRule
from optimizer.data import DEFAULT_CHANNELS
from optimizer.data.catalog import CATALOG_COLUMNS

# --------------------------------------------------------------------------------------------
# settings: a fixed number of examples per test (FUZZ_SCALE=10 for a longer local run)

_SCALE = float(os.environ.get("FUZZ_SCALE", "1"))


def fuzz_settings(max_examples: int) -> settings:
    """Settings with a fixed example count (times ``FUZZ_SCALE``), no deadline.

    ``too_slow`` is suppressed because every example writes files; ``data_too_large`` because
    near-valid tables are deliberately built from many draws.
    """
    return settings(
        max_examples=max(1, int(max_examples * _SCALE)),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --------------------------------------------------------------------------------------------
# tables and how they are written


@dataclass
class Table:
    """A CSV file before rendering: canonical cell strings plus what the loader must return.

    Attributes
    ----------
    kind : str
        ``marketing``, ``catalog``, ``sales``, ``logistics`` or ``lift_tests``.
    header : list of str
        Column names, in file order.
    rows : list of list of str
        Cells in canonical form (ISO dates, ``.`` decimals, no decoration).
    numeric : tuple of str
        Columns holding numbers (decimal comma and thousands separators apply to them).
    dates : tuple of str
        Columns holding dates (written ISO or French).
    kwargs : dict
        Keyword arguments of the loader (marketing column mapping, lift-test checks).
    expected : dict
        For valid tables: per column, the parsed value of every row (file order).
    """

    kind: str
    header: list[str]
    rows: list[list[str]]
    numeric: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    expected: dict[str, list[Any]] = field(default_factory=dict)

    def column(self, name: str) -> list[str]:
        """Cells of one column."""
        i = self.header.index(name)
        return [r[i] for r in self.rows]


@dataclass(frozen=True)
class CsvFormat:
    """How a table is written; every combination is accepted by the data contract."""

    delimiter: str = ","
    decimal: str = "."
    thousands: str = ""
    euro: bool = False
    encoding: str = "utf-8"
    newline: str = "\n"
    date_style: str = "iso"  # "iso", "fr" or "mixed"
    quote_all: bool = False
    pad: bool = False
    blank_lines: bool = False
    seed: int = 0  # mixed dates and blank lines


_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _decorate(cell: str, fmt: CsvFormat, money: bool) -> str:
    if not _PLAIN_NUMBER.match(cell):
        return cell.replace(".", fmt.decimal)  # percents such as "5.5%"
    sign = "-" if cell.startswith("-") else ""
    whole, _, frac = cell.lstrip("-").partition(".")
    if fmt.thousands:
        groups = []
        while len(whole) > 3:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        whole = fmt.thousands.join([whole, *groups])
    out = sign + whole + (fmt.decimal + frac if frac else "")
    return out + " €" if fmt.euro and money else out


def _fr_date(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{d}/{m}/{y}"


_MONEY_COLUMNS = {
    "revenue",
    "price_incl_vat",
    "unit_cost",
    "min_price",
    "max_price",
    "price_paid",
    "cost_per_unit",
    "spend_change",
    "incremental_revenue",
    "se",
}


def render_text(table: Table, fmt: CsvFormat) -> str:
    """The table as CSV text in the given format."""
    rnd = random.Random(fmt.seed)
    rows = [list(r) for r in table.rows]
    num = {table.header.index(c) for c in table.numeric if c in table.header}
    dat = {table.header.index(c) for c in table.dates if c in table.header}
    money_idx = {i for i, c in enumerate(table.header) if c in _MONEY_COLUMNS}
    out_rows = []
    for r in rows:
        cells = []
        for j, cell in enumerate(r):
            if j in num and cell:
                cell = _decorate(cell, fmt, j in money_idx)
            french = fmt.date_style == "fr" or (fmt.date_style == "mixed" and rnd.random() < 0.5)
            if j in dat and french and re.match(r"^\d{4}-\d{2}-\d{2}$", cell):
                cell = _fr_date(cell)
            cells.append(f" {cell}  " if fmt.pad else cell)
        out_rows.append(cells)
    header = [f"  {h} " if fmt.pad else h for h in table.header]
    buf = io.StringIO()
    writer = csv.writer(
        buf,
        delimiter=fmt.delimiter,
        lineterminator=fmt.newline,
        quoting=csv.QUOTE_ALL if fmt.quote_all else csv.QUOTE_MINIMAL,
    )
    writer.writerow(header)
    for cells in out_rows:
        writer.writerow(cells)
        if fmt.blank_lines and rnd.random() < 0.3:
            buf.write(rnd.choice(["", fmt.delimiter * (len(header) - 1), "  "]) + fmt.newline)
    return buf.getvalue()


def render(table: Table, fmt: CsvFormat = CsvFormat()) -> bytes:
    """The table as CSV bytes (falls back to UTF-8 when cp1252 cannot hold the text)."""
    text = render_text(table, fmt)
    if fmt.encoding == "cp1252":
        try:
            return text.encode("cp1252")
        except UnicodeEncodeError:
            return text.encode("utf-8")
    return text.encode(fmt.encoding)


@st.composite
def csv_formats(draw: st.DrawFn) -> CsvFormat:
    """Any format the data contract accepts (docs/data.md, "Formats accepted everywhere")."""
    delimiter = draw(st.sampled_from([",", ";"]))
    decimal = draw(st.sampled_from([".", ","])) if delimiter == ";" else "."
    return CsvFormat(
        delimiter=delimiter,
        decimal=decimal,
        thousands=draw(st.sampled_from(["", "", " ", "\u00a0", "\u202f"])),
        euro=draw(st.booleans()),
        encoding=draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"])),
        newline=draw(st.sampled_from(["\n", "\r\n"])),
        date_style=draw(st.sampled_from(["iso", "fr", "mixed"])),
        quote_all=draw(st.booleans()),
        pad=draw(st.booleans()),
        blank_lines=draw(st.booleans()),
        seed=draw(st.integers(0, 2**16)),
    )


# --------------------------------------------------------------------------------------------
# cell values


def _cents(c: int) -> tuple[str, float]:
    sign = "-" if c < 0 else ""
    a = abs(c)
    return f"{sign}{a // 100}.{a % 100:02d}", c / 100


def money(min_cents: int = 0, max_cents: int = 10**13) -> st.SearchStrategy[tuple[str, float]]:
    """An amount in EUR with cents, as (canonical text, value); edge values likely."""
    edges = [c for c in (min_cents, min_cents + 1, 0, 1, 99, 100, max_cents) if min_cents <= c]
    edges = [c for c in edges if c <= max_cents]
    return st.one_of(
        st.sampled_from(edges),
        st.integers(min_cents, min(max_cents, 10**6)),
        st.integers(min_cents, max_cents),
    ).map(_cents)


def counts(max_value: int = 10**9) -> st.SearchStrategy[tuple[str, float]]:
    """A whole number, written ``12`` or ``12.0``."""
    return st.tuples(st.integers(0, max_value), st.booleans()).map(
        lambda t: (f"{t[0]}.0" if t[1] else str(t[0]), float(t[0]))
    )


def signed(max_abs: float = 1e6) -> st.SearchStrategy[tuple[str, float]]:
    """A signed decimal with up to 4 digits after the point (controls)."""
    return st.integers(-int(max_abs * 1e4), int(max_abs * 1e4)).map(
        lambda i: (
            f"{'-' if i < 0 else ''}{abs(i) // 10**4}.{abs(i) % 10**4:04d}",
            i / 1e4,
        )
    )


def week_starts(min_year: int = 1995, max_year: int = 2090) -> st.SearchStrategy[date]:
    """A first week start (any weekday: the grid is set by the data)."""
    return st.dates(date(min_year, 1, 1), date(max_year, 12, 31))


#: Values that break a numeric, date or flag cell (or are borderline accepted).
SPECIAL_CELLS = (
    "",
    " ",
    "NaN",
    "nan",
    "NA",
    "n/a",
    "N/A",
    "null",
    "None",
    "-",
    "inf",
    "-inf",
    "Infinity",
    "1e30",
    "-1e30",
    "1e308",
    "1e309",
    "1e-320",
    "1e12",
    "1000000000001",
    "999999999999.99",
    "0",
    "-0",
    "-1",
    "-0.01",
    "0.001",
    "abc",
    "12abc",
    "1,5",
    "1.5.5",
    "1 234,50 €",
    "12%",
    "%",
    "€",
    "0x1F",
    "1_000",
    "١٢٣",
    "½",
    "True",
    "oui",
    "x",
    "2",
    "2024-01-29",
    "29/01/2024",
    "2024/01/29",
    "01/29/2024",
    "29-01-2024",
    "20240129",
    "2024-01-29T00:00:00",
    "2024-02-30",
    "31/02/2024",
    "1677-09-21",
    "2262-04-12",
    "9999-12-31",
    "0001-01-01",
    "29 janv. 2024",
    "9" * 400,
    '"',
    "'",
    "\t",
    "\u00a0",
    "😀",
    "=1+1",
    "A1",
    "UNKNOWN-SKU",
    "tv",
)

special_cells = st.one_of(
    st.sampled_from(SPECIAL_CELLS),
    st.text(max_size=12),
    st.floats().map(repr),
    st.integers(-(10**20), 10**20).map(str),
)


# --------------------------------------------------------------------------------------------
# valid tables

_EXTRA_CHANNELS = ("tv", "radio", "display_ads", "influence", "email")
_CONTROLS = ("promo_share", "black_friday", "price_index", "temperature", "christmas")
_DATE_NAMES = ("date", "week_start", "semaine")
_TARGET_NAMES = ("revenue", "ca_ttc", "net_sales")
CATEGORIES = (
    "Mode femme",
    "Maison",
    "Beauté",
    "Épicerie fine",
    "Électronique",
    "Chaussures",
    "Livres",
    "Sport, plein air",
    'Jouets "premium"',
    "Café; thé",
    "Enfant",
)
_VAT_TEXTS = {
    0.2: ("0.2", "20", "20%", "0.20"),
    0.1: ("0.1", "10", "10%"),
    0.055: ("0.055", "5.5", "5.5%"),
    0.021: ("0.021", "2.1", "2.1%"),
}
_TRUE = ("1", "true", "yes", "oui", "vrai", "y", "o", "x", "TRUE", "Oui")
_FALSE = ("0", "false", "no", "non", "faux", "n", "", "FALSE", "Non")


def _grid(start: date, n: int) -> list[str]:
    return [(start + timedelta(weeks=i)).isoformat() for i in range(n)]


@st.composite
def marketing_tables(draw: st.DrawFn, min_weeks: int = 1, max_weeks: int = 30) -> Table:
    """A valid weekly marketing history and the loader arguments that read it."""
    n = draw(st.integers(min_weeks, max_weeks))
    weeks = _grid(draw(week_starts()), n)
    date_col = draw(st.sampled_from(_DATE_NAMES))
    target = draw(st.sampled_from(_TARGET_NAMES))
    channels = draw(
        st.lists(
            st.sampled_from(DEFAULT_CHANNELS + _EXTRA_CHANNELS), min_size=1, max_size=6, unique=True
        )
    )
    explicit = any(c not in DEFAULT_CHANNELS for c in channels) or draw(st.booleans())
    order = channels if explicit else [c for c in DEFAULT_CHANNELS if c in channels]
    controls = draw(st.lists(st.sampled_from(_CONTROLS), max_size=3, unique=True))
    with_orders = draw(st.booleans())
    columns = [date_col, target, *channels, *controls] + (["orders"] if with_orders else [])
    header = draw(st.permutations(columns))
    values: dict[str, list[tuple[str, float]]] = {date_col: [(w, 0.0) for w in weeks]}
    values[target] = draw(st.lists(money(), min_size=n, max_size=n))
    for c in channels:
        values[c] = draw(st.lists(money(max_cents=10**11), min_size=n, max_size=n))
    for c in controls:
        values[c] = draw(st.lists(signed(), min_size=n, max_size=n))
    if with_orders:
        values["orders"] = draw(st.lists(counts(), min_size=n, max_size=n))
    rows = [[values[c][i][0] for c in header] for i in range(n)]
    kwargs: dict[str, Any] = {"date": date_col, "target": target, "controls": controls}
    if explicit:
        kwargs["channels"] = channels
    expected: dict[str, list[Any]] = {c: [v for _, v in values[c]] for c in values}
    expected[date_col] = weeks
    expected["_channels"] = order
    return Table(
        "marketing",
        list(header),
        rows,
        numeric=tuple(c for c in header if c != date_col),
        dates=(date_col,),
        kwargs=kwargs,
        expected=expected,
    )


_SKU = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_\-]{0,7}é?", fullmatch=True)


@st.composite
def catalog_tables(draw: st.DrawFn, min_skus: int = 1, max_skus: int = 15) -> Table:
    """A valid product catalog (costs never above the price excl. VAT)."""
    skus = draw(st.lists(_SKU, min_size=min_skus, max_size=max_skus, unique=True))
    optional = draw(
        st.lists(st.sampled_from(["min_price", "max_price", "return_rate"]), unique=True)
    )
    base = list(CATALOG_COLUMNS)
    header = list(draw(st.permutations(base + optional)))
    rows, exp = [], {c: [] for c in base + optional}
    for sku in skus:
        p_txt, price = draw(money(min_cents=1, max_cents=10**8))
        vat = draw(st.sampled_from(list(_VAT_TEXTS)))
        vat_txt = draw(st.sampled_from(_VAT_TEXTS[vat]))
        share = draw(st.sampled_from([0.0, 1.0, 0.5]) | st.floats(0.0, 1.0))
        cost_c = math.floor(price / (1 + vat) * share * 100 * (1 - 1e-12))
        c_txt, cost = _cents(cost_c)
        s_txt, stock = draw(counts(10**7))
        lu = draw(st.sampled_from(["1", "0.5", "2", "0.01", "3.25", "1.0"]))
        cell = {
            "sku": sku,
            "category": draw(st.sampled_from(CATEGORIES)),
            "price_incl_vat": p_txt,
            "vat_rate": vat_txt,
            "unit_cost": c_txt,
            "stock": s_txt,
            "logistics_units": lu,
        }
        value: dict[str, Any] = {
            "sku": sku,
            "category": cell["category"],
            "price_incl_vat": price,
            "vat_rate": vat,
            "unit_cost": cost,
            "stock": stock,
            "logistics_units": float(lu),
        }
        if "min_price" in optional:
            lo_c = math.floor(price * 100 * draw(st.floats(0.0, 1.0)))
            cell["min_price"], value["min_price"] = (
                _cents(lo_c) if lo_c > 0 and draw(st.booleans()) else ("", math.nan)
            )
        if "max_price" in optional:
            hi_c = math.ceil(price * 100 * draw(st.floats(1.0, 3.0)))
            cell["max_price"], value["max_price"] = (
                _cents(hi_c) if draw(st.booleans()) else ("", math.nan)
            )
        if "return_rate" in optional:
            rr = draw(st.integers(0, 95))
            style = draw(st.sampled_from(["blank", "fraction", "percent"]))
            cell["return_rate"], value["return_rate"] = {
                "blank": ("", math.nan),
                "fraction": (f"{rr / 100}", rr / 100),
                "percent": (f"{rr}%", rr / 100),
            }[style]
        rows.append([cell[c] for c in header])
        for c in exp:
            exp[c].append(value[c])
    numeric = tuple(c for c in header if c not in ("sku", "category"))
    return Table("catalog", header, rows, numeric=numeric, expected=exp)


@st.composite
def sales_tables(
    draw: st.DrawFn, skus: list[str] | None = None, max_weeks: int = 8, max_skus: int = 5
) -> Table:
    """A valid long sales history: every week of the grid has a row, (week, sku) unique."""
    if skus is None:
        skus = draw(st.lists(_SKU, min_size=1, max_size=max_skus, unique=True))
    n = draw(st.integers(1, max_weeks))
    weeks = _grid(draw(week_starts()), n)
    with_stock = draw(st.booleans())
    header = list(
        draw(
            st.permutations(
                ["week", "sku", "price_paid", "units", "promo"]
                + (["in_stock"] if with_stock else [])
            )
        )
    )
    rows, exp = [], {c: [] for c in ("week", "sku", "price_paid", "units", "promo", "in_stock")}
    for w in weeks:
        sold = draw(st.lists(st.sampled_from(skus), min_size=1, max_size=len(skus), unique=True))
        for s in sold:
            u_txt, units = draw(counts(10**6) | money(max_cents=10**6))
            p_txt, price = draw(money(min_cents=1 if units > 0 else 0, max_cents=10**7))
            promo = draw(st.booleans())
            stock = draw(st.booleans()) if with_stock else True
            cell = {
                "week": w,
                "sku": s,
                "price_paid": p_txt,
                "units": u_txt,
                "promo": draw(st.sampled_from(_TRUE if promo else _FALSE)),
                "in_stock": draw(st.sampled_from(_TRUE if stock else _FALSE)),
            }
            rows.append([cell[c] for c in header])
            for c, v in (
                ("week", w),
                ("sku", s),
                ("price_paid", price),
                ("units", units),
                ("promo", promo),
                ("in_stock", stock),
            ):
                exp[c].append(v)
    return Table(
        "sales", header, rows, numeric=("price_paid", "units"), dates=("week",), expected=exp
    )


@st.composite
def logistics_tables(draw: st.DrawFn, weekly: bool | None = None, max_weeks: int = 20) -> Table:
    """A valid capacity file: one row without ``week``, or a contiguous weekly grid."""
    weekly = draw(st.booleans()) if weekly is None else weekly
    n = draw(st.integers(1, max_weeks)) if weekly else 1
    cap = draw(st.lists(money(min_cents=1, max_cents=10**10), min_size=n, max_size=n))
    cost = draw(st.lists(money(max_cents=10**6), min_size=n, max_size=n))
    cols = ["capacity", "cost_per_unit"] + (["week"] if weekly else [])
    header = list(draw(st.permutations(cols)))
    weeks = _grid(draw(week_starts()), n) if weekly else []
    cells = {"capacity": cap, "cost_per_unit": cost, "week": [(w, 0.0) for w in weeks]}
    rows = [[cells[c][i][0] for c in header] for i in range(n)]
    exp: dict[str, list[Any]] = {
        "capacity": [v for _, v in cap],
        "cost_per_unit": [v for _, v in cost],
    }
    if weekly:
        exp["week"] = weeks
    return Table(
        "logistics",
        header,
        rows,
        numeric=("capacity", "cost_per_unit"),
        dates=("week",),
        expected=exp,
    )


@st.composite
def lift_test_tables(
    draw: st.DrawFn, channels: list[str] | None = None, weeks: list[str] | None = None
) -> Table:
    """Valid lift tests; with ``channels``/``weeks``, inside the given marketing history."""
    n = draw(st.integers(1, 6))
    pool = channels or list(DEFAULT_CHANNELS + _EXTRA_CHANNELS)
    header = list(
        draw(
            st.permutations(
                ["channel", "start", "end", "spend_change", "incremental_revenue", "se"]
            )
        )
    )
    rows, exp = [], {c: [] for c in header}
    for _ in range(n):
        if weeks:
            i = draw(st.integers(0, len(weeks) - 1))
            j = draw(st.integers(i, len(weeks) - 1))
            start, end = weeks[i], weeks[j]
        else:
            d0 = draw(week_starts())
            start, end = (
                d0.isoformat(),
                (d0 + timedelta(days=draw(st.integers(0, 400)))).isoformat(),
            )
        spend = draw(money(min_cents=1, max_cents=10**10)) if draw(st.booleans()) else None
        if spend is None:
            t, v = draw(money(min_cents=1, max_cents=10**10))
            spend = (f"-{t}", -v)
        lift = draw(money(max_cents=10**10))
        if draw(st.booleans()):
            lift = (f"-{lift[0]}", -lift[1])
        se = draw(money(min_cents=1, max_cents=10**9))
        cell = {
            "channel": draw(st.sampled_from(pool)),
            "start": start,
            "end": end,
            "spend_change": spend,
            "incremental_revenue": lift,
            "se": se,
        }
        rows.append([c if isinstance(c := cell[h], str) else c[0] for h in header])
        for h in header:
            exp[h].append(cell[h] if isinstance(cell[h], str) else cell[h][1])
    kwargs: dict[str, Any] = {}
    if channels is not None:
        kwargs["channels"] = channels
    return Table(
        "lift_tests",
        header,
        rows,
        numeric=("spend_change", "incremental_revenue", "se"),
        dates=("start", "end"),
        kwargs=kwargs,
        expected=exp,
    )


VALID_TABLES: dict[str, Callable[[], st.SearchStrategy[Table]]] = {
    "marketing": marketing_tables,
    "catalog": catalog_tables,
    "sales": sales_tables,
    "logistics": logistics_tables,
    "lift_tests": lift_test_tables,
}


# --------------------------------------------------------------------------------------------
# near-valid tables: mutations of a valid one


def _typo(name: str, rnd: random.Random) -> str:
    ops = [
        lambda s: s.upper(),
        lambda s: s + "_x",
        lambda s: s[:-1] if len(s) > 1 else s + s,
        lambda s: s.replace("_", " "),
        lambda s: s[:1] + " " + s[1:],
        lambda s: "",
        lambda s: s.capitalize() + "é",
    ]
    return rnd.choice(ops)(name)


@st.composite
def mutate_table(draw: st.DrawFn, table: Table) -> Table:
    """Apply one random structural or cell mutation to a table (copy)."""
    t = replace(table, header=list(table.header), rows=[list(r) for r in table.rows])
    rnd = draw(st.randoms(use_true_random=False))
    ncol = len(t.header)
    kind = draw(
        st.sampled_from(
            [
                "drop_column",
                "rename_column",
                "duplicate_column",
                "extra_column",
                "special_cell",
                "special_cell",
                "special_cell",
                "blank_cell",
                "negate_cell",
                "huge_cell",
                "duplicate_row",
                "drop_row",
                "shift_date",
                "date_format",
                "only_header",
                "swap_cells",
                "short_row",
                "long_row",
                "unknown_key",
                "swap_columns_in_header",
            ]
        )
    )
    if ncol == 0:
        return t
    row = rnd.randrange(len(t.rows)) if t.rows else 0
    col = rnd.randrange(ncol)
    cells = t.rows[row] if t.rows else []  # earlier mutations may have cut this row short
    has = col < len(cells)
    if kind == "drop_column":
        t.header.pop(col)
        for r in t.rows:
            if col < len(r):
                r.pop(col)
    elif kind == "rename_column":
        t.header[col] = rnd.choice(t.header) if rnd.random() < 0.2 else _typo(t.header[col], rnd)
    elif kind == "duplicate_column":
        t.header.append(t.header[col])
        for r in t.rows:
            r.append(r[col] if col < len(r) else "")
    elif kind == "extra_column":
        t.header.insert(
            col, draw(st.sampled_from(["notes", "extra", "Unnamed: 0", "tv", "orders"]))
        )
        for r in t.rows:
            r.insert(min(col, len(r)), draw(special_cells))
    elif kind == "special_cell" and has:
        cells[col] = draw(special_cells)
    elif kind == "blank_cell" and has:
        cells[col] = ""
    elif kind == "negate_cell" and has:
        cells[col] = "-" + cells[col]
    elif kind == "huge_cell" and has:
        cells[col] = draw(st.sampled_from(["1e30", "-1e30", "1e300", "1" + "0" * 30, "1e12"]))
    elif kind == "duplicate_row" and t.rows:
        t.rows.insert(row, list(cells))
    elif kind == "drop_row" and t.rows:
        t.rows.pop(row)
    elif kind in ("shift_date", "date_format"):
        dcols = [
            t.header.index(c) for c in t.dates if c in t.header and t.header.index(c) < len(cells)
        ]
        if dcols:
            j = rnd.choice(dcols)
            try:
                d = date.fromisoformat(cells[j])
            except ValueError:
                d = date(2024, 1, 29)
            if kind == "shift_date":
                days = draw(st.sampled_from([1, -1, 3, 14, -7, 365, -3650]))
                cells[j] = (d + timedelta(days=days)).isoformat()
            else:
                cells[j] = draw(
                    st.sampled_from(
                        [
                            d.strftime("%Y/%m/%d"),
                            d.strftime("%m/%d/%Y"),
                            d.strftime("%d-%m-%Y"),
                            d.strftime("%Y%m%d"),
                            d.strftime("%d/%m/%y"),
                            d.isoformat() + "T00:00:00",
                            d.strftime("%d %b %Y"),
                            str(d.toordinal()),
                        ]
                    )
                )
    elif kind == "only_header":
        t.rows = []
    elif kind == "swap_cells" and len(cells) > 1:
        a, b = rnd.sample(range(len(cells)), 2)
        cells[a], cells[b] = cells[b], cells[a]
    elif kind == "short_row" and cells:
        del cells[rnd.randrange(len(cells)) :]
    elif kind == "long_row" and t.rows:
        cells.append(draw(special_cells))
    elif kind == "unknown_key":
        for key in ("sku", "channel"):
            if key in t.header and t.header.index(key) < len(cells):
                cells[t.header.index(key)] = draw(
                    st.sampled_from(["UNKNOWN", "tv", "", " ", "sea "])
                )
    elif kind == "swap_columns_in_header" and ncol > 1:
        a, b = rnd.sample(range(ncol), 2)
        t.header[a], t.header[b] = t.header[b], t.header[a]
    return t


@st.composite
def mutate_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    """Apply one byte- or text-level mutation to a rendered file."""
    rnd = draw(st.randoms(use_true_random=False))
    kind = draw(
        st.sampled_from(
            [
                "truncate",
                "truncate_last_line",
                "stray_delimiter",
                "stray_quote",
                "delete_char",
                "mixed_delimiters",
                "bom",
                "double_bom",
                "cp1252_byte",
                "undecodable_byte",
                "nul",
                "utf16",
                "empty",
                "whitespace",
                "random_bytes",
                "append_random_bytes",
                "cr_only",
                "tabs",
                "pipes",
                "huge_field",
            ]
        )
    )
    pos = rnd.randrange(len(data) + 1)
    if kind == "truncate":
        return data[:pos]
    if kind == "truncate_last_line":
        body = data.rstrip(b"\r\n")
        cut = body.rfind(b"\n") + 1
        return body[: cut + rnd.randrange(len(body) - cut + 1)]
    if kind == "stray_delimiter":
        return data[:pos] + rnd.choice([b",", b";"]) + data[pos:]
    if kind == "stray_quote":
        return data[:pos] + rnd.choice([b'"', b"'", b'""']) + data[pos:]
    if kind == "delete_char":
        return data[:pos] + data[pos + 1 :]
    if kind == "mixed_delimiters":
        head, _, rest = data.partition(b"\n")
        swap = head.replace(b",", b";") if b"," in head else head.replace(b";", b",")
        return swap + b"\n" + rest
    if kind == "bom":
        return b"\xef\xbb\xbf" + data
    if kind == "double_bom":
        return b"\xef\xbb\xbf\xef\xbb\xbf" + data
    if kind == "cp1252_byte":
        return data[:pos] + bytes([rnd.choice([0x80, 0x92, 0xE9, 0xA0, 0x96])]) + data[pos:]
    if kind == "undecodable_byte":
        return data[:pos] + bytes([rnd.choice([0x81, 0x8D, 0x8F, 0x90, 0x9D])]) + data[pos:]
    if kind == "nul":
        return data[:pos] + b"\x00" + data[pos:]
    if kind == "utf16":
        return data.decode("utf-8", "replace").encode(rnd.choice(["utf-16", "utf-16-le"]))
    if kind == "empty":
        return b""
    if kind == "whitespace":
        return rnd.choice([b" ", b"\n", b"\r\n\r\n", b"\t \n", b",,,\n", b";\n;\n"])
    if kind == "random_bytes":
        return draw(st.binary(max_size=200))
    if kind == "append_random_bytes":
        return data + draw(st.binary(max_size=50))
    if kind == "cr_only":
        return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r")
    if kind == "tabs":
        return data.replace(b",", b"\t").replace(b";", b"\t")
    if kind == "pipes":
        return data.replace(b",", b"|").replace(b";", b"|")
    # huge_field: beyond the csv module's field size limit
    return data[:pos] + b"9" * 140_000 + data[pos:]


def shuffled(table: Table, seed: int) -> Table:
    """The same table with its rows (and expected values) in another order."""
    order = list(range(len(table.rows)))
    random.Random(seed).shuffle(order)
    expected = {
        k: ([v[i] for i in order] if not k.startswith("_") else v)
        for k, v in table.expected.items()
    }
    return replace(table, rows=[list(table.rows[i]) for i in order], expected=expected)


@st.composite
def near_valid_files(draw: st.DrawFn, kind: str) -> tuple[bytes, Table]:
    """A valid table of ``kind`` with 0-3 table mutations, rendered, maybe byte-mutated."""
    table = draw(VALID_TABLES[kind]())
    for _ in range(draw(st.integers(0, 3))):
        table = draw(mutate_table(table))
    data = render(table, draw(csv_formats()))
    if draw(st.integers(0, 3)) == 0:
        data = draw(mutate_bytes(data))
    return data, table


@st.composite
def valid_files(draw: st.DrawFn, kind: str) -> tuple[bytes, Table, CsvFormat]:
    """A valid table of ``kind`` rendered in any accepted format."""
    table = draw(VALID_TABLES[kind]())
    fmt = draw(csv_formats())
    if draw(st.booleans()):
        table = shuffled(table, draw(st.integers(0, 2**16)))
    return render(table, fmt), table, fmt


# --------------------------------------------------------------------------------------------
# TOML


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _toml_key(key: Any) -> str:
    key = str(key)
    return key if _BARE_KEY.match(key) else _toml_str(key)


def _toml_str(s: str) -> str:
    out = []
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return _toml_str(v)
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def toml_dumps(data: dict[str, Any], _prefix: tuple[str, ...] = ()) -> str:
    """Write nested dicts as TOML (tables for dicts, inline values for everything else)."""
    lines = []
    scalars = [(k, v) for k, v in data.items() if not isinstance(v, dict)]
    tables = [(k, v) for k, v in data.items() if isinstance(v, dict)]
    if _prefix and (scalars or not tables):
        lines.append("[" + ".".join(_toml_key(p) for p in _prefix) + "]")
    for k, v in scalars:
        lines.append(f"{_toml_key(k)} = {_toml_value(v)}")
    if lines:
        lines.append("")
    for k, v in tables:
        lines.append(toml_dumps(v, (*_prefix, str(k))))
    return "\n".join(lines)


#: Values of the wrong type or out of range for any key.
BAD_VALUES: tuple[Any, ...] = (
    "x",
    "",
    " ",
    -1,
    0,
    -0.5,
    1.5,
    1e30,
    -1e30,
    math.inf,
    -math.inf,
    math.nan,
    True,
    False,
    [],
    [1, 2],
    ["a"],
    {},
    {"a": 1},
    date(2024, 1, 29),
    10**30,
    -(10**30),
    "2024-13-01",
    "../outside",
    "/etc",
    "a\x00b",
    "a" * 300,
    "📁",
)

bad_values = st.one_of(
    st.sampled_from(BAD_VALUES),
    st.text(max_size=10),
    st.floats(),
    st.integers(-(10**20), 10**20),
)


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _paths(v, (*prefix, i))
    return out


def _parent(obj: Any, path: tuple[Any, ...]) -> Any:
    for p in path[:-1]:
        obj = obj[p]
    return obj


@st.composite
def mutate_dict(
    draw: st.DrawFn, data: dict[str, Any], names: tuple[str, ...] = ()
) -> dict[str, Any]:
    """One mutation of a TOML-shaped dict: drop, rename, retype or add a key somewhere."""
    out = copy.deepcopy(data)
    paths = _paths(out)
    kind = draw(
        st.sampled_from(
            ["drop", "typo", "bad_value", "bad_value", "add_key", "add_name", "not_a_table"]
        )
    )
    if not paths:
        kind = "add_key"
    path = draw(st.sampled_from(paths)) if paths else ()
    rnd = draw(st.randoms(use_true_random=False))
    if kind == "drop":
        parent = _parent(out, path)
        parent.pop(path[-1]) if isinstance(parent, dict | list) else None
    elif kind == "typo" and isinstance(_parent(out, path), dict):
        parent = _parent(out, path)
        parent[_typo(str(path[-1]), rnd) or "x"] = parent.pop(path[-1])
    elif kind in ("bad_value", "typo"):
        _parent(out, path)[path[-1]] = draw(bad_values)
    elif kind == "add_key":
        target = _parent(out, path) if path else out
        if isinstance(target, dict):
            target[draw(st.sampled_from(["budjet", "unknown", "max_chnage", "channel", "x y"]))] = (
                draw(bad_values)
            )
    elif kind == "add_name":
        # an unknown or misspelt channel / SKU name where names are keys
        for p in paths:
            parent = _parent(out, p)
            if isinstance(parent, dict) and p[-1] in names:
                parent[draw(st.sampled_from(["tv", "SEA", "sae", "seo ", "", "UNKNOWN"]))] = parent[
                    p[-1]
                ]
                break
    else:  # a table replaced by a scalar or a list
        tables = [p for p in paths if isinstance(_parent(out, p)[p[-1]], dict)]
        if tables:
            p = draw(st.sampled_from(tables))
            _parent(out, p)[p[-1]] = draw(st.sampled_from([1, "x", [1], [{"a": 1}], True]))
    return out


@st.composite
def mutate_toml_text(draw: st.DrawFn, text: str) -> bytes:
    """One text- or byte-level mutation of a TOML file (syntax errors, encodings)."""
    rnd = draw(st.randoms(use_true_random=False))
    data = text.encode("utf-8")
    pos = rnd.randrange(len(text) + 1)
    kind = draw(
        st.sampled_from(
            [
                "delete_char",
                "insert_char",
                "duplicate_line",
                "truncate",
                "colon",
                "bom",
                "cp1252",
                "utf16",
                "empty",
                "random_bytes",
                "nul",
                "unclosed_string",
                "unclosed_table",
            ]
        )
    )
    if kind == "delete_char":
        return (text[:pos] + text[pos + 1 :]).encode()
    if kind == "insert_char":
        return (
            text[:pos]
            + draw(st.sampled_from(list("=[]{}\"',.#\\\n \t")) | st.characters())
            + text[pos:]
        ).encode("utf-8", "surrogatepass")
    lines = text.splitlines()
    if kind == "duplicate_line" and lines:
        i = rnd.randrange(len(lines))
        lines.insert(i, lines[i])
        return "\n".join(lines).encode()
    if kind == "truncate":
        return data[: rnd.randrange(len(data) + 1)]
    if kind == "colon":
        return text.replace(" = ", ": ", 1).encode()
    if kind == "bom":
        return b"\xef\xbb\xbf" + data
    if kind == "cp1252":
        return (text + '\nname2 = "Épicerie"\n').encode("cp1252", "replace")
    if kind == "utf16":
        return text.encode("utf-16")
    if kind == "empty":
        return b""
    if kind == "random_bytes":
        return draw(st.binary(max_size=100))
    if kind == "nul":
        return data[:pos] + b"\x00" + data[pos:]
    if kind == "unclosed_string":
        return text.replace('"', "", 1).encode()
    return (text + "\n[media\n").encode()


# --------------------------------------------------------------------------------------------
# valid TOML content

CHANNEL_NAMES = DEFAULT_CHANNELS + _EXTRA_CHANNELS

_finite = {"allow_nan": False, "allow_infinity": False}


#: every field of :class:`optimizer.allocation.ChannelRule`
CHANNEL_RULE_KEYS = tuple(f.name for f in fields(ChannelRule))


@st.composite
def channel_rules(draw: st.DrawFn) -> dict[str, Any]:
    """A valid ``[channels.<name>]`` table.

    No minimum is above its maximum and ``fixed`` lies within the totals (the loader refuses
    both), but the rules may still be infeasible with a budget, a horizon or a run-rate.
    """
    keys = draw(
        st.lists(
            st.sampled_from(CHANNEL_RULE_KEYS),
            unique=True,
            max_size=4,
        )
    )
    out: dict[str, Any] = {}
    for k in keys:
        if k == "max_week_change":
            out[k] = draw(st.floats(0.0, 3.0, **_finite))
        elif k == "no_restart":
            out[k] = draw(st.booleans())
        elif k.endswith("_change"):
            out[k] = draw(st.floats(-1.0, 3.0, **_finite))
        elif k == "min_roas":
            out[k] = draw(st.floats(0.01, 10.0, **_finite))
        else:
            out[k] = draw(st.floats(0.0, 1e7, **_finite) | st.integers(0, 10**7))
    for low, high in (
        ("min_total", "max_total"),
        ("min_weekly", "max_weekly"),
        ("min_change", "max_change"),
    ):
        if low in out and high in out and out[low] > out[high]:
            out[low], out[high] = out[high], out[low]
    if "fixed" in out:
        if "min_total" in out:
            out["min_total"] = min(out["min_total"], out["fixed"])
        if "max_total" in out:
            out["max_total"] = max(out["max_total"], out["fixed"])
    return out


@st.composite
def constraints_dicts(
    draw: st.DrawFn, channels: tuple[str, ...], n_weeks: int = 13, *, scenario: bool = False
) -> dict[str, Any]:
    """A valid allocation constraints file (``optimizer allocate --constraints``) as a dict.

    ``scenario``: the rules of a scenario's ``[media]`` section, where ``variable_cost_rate``
    is refused (the scenario derives it from prices and logistics costs).
    """
    out: dict[str, Any] = {}
    if draw(st.booleans()):
        out["schema_version"] = 1
    if draw(st.booleans()):
        out["budget_mode"] = draw(st.sampled_from(["exact", "up_to"]))
    for key, strat in (
        ("weekly_cap", st.floats(1.0, 1e7, **_finite)),
        ("min_roas", st.floats(0.01, 5.0, **_finite)),
        ("max_cpa", st.floats(1.0, 500.0, **_finite)),
        ("orders_per_revenue", st.floats(1e-4, 0.1, **_finite)),
        ("variable_cost_rate", st.floats(0.0, 0.99, **_finite)),
        ("max_week_change", st.floats(0.01, 3.0, **_finite) | st.just(False)),
        ("always_on_min_share", st.floats(0.01, 1.0, **_finite) | st.just(False)),
        ("no_restart", st.booleans()),
    ):
        if scenario and key == "variable_cost_rate":
            continue
        if draw(st.booleans()):
            out[key] = draw(strat)
    if "max_cpa" in out:
        out["orders_per_revenue"] = out.get("orders_per_revenue", 0.01)
    if draw(st.booleans()):
        months = draw(
            st.lists(st.dates(date(2020, 1, 1), date(2035, 12, 1)), max_size=3, unique=True)
        )
        out["monthly_caps"] = {
            f"{d.year:04d}-{d.month:02d}": draw(st.floats(0.0, 1e7, **_finite)) for d in months
        }
    names = draw(st.lists(st.sampled_from(channels), unique=True, max_size=len(channels)))
    if names:
        out["channels"] = {c: draw(channel_rules()) for c in names}
    bounds = []
    for _ in range(draw(st.integers(0, 3))):
        b: dict[str, Any] = {
            "channel": draw(st.sampled_from(channels)),
            "week": draw(st.integers(0, n_weeks - 1)),
        }
        if draw(st.booleans()):
            b["min"] = draw(st.floats(0.0, 1e5, **_finite))
        if draw(st.booleans()):
            b["max"] = b.get("min", 0.0) + draw(st.floats(0.0, 1e5, **_finite))
        bounds.append(b)
    if bounds:
        out["week_bounds"] = bounds
    return out


@st.composite
def rules_dicts(draw: st.DrawFn, skus: tuple[str, ...] = ("A1", "B2", "C3")) -> dict[str, Any]:
    """A valid pricing rules file (``optimizer pricing optimize --rules``) as a dict."""
    out: dict[str, Any] = {}
    gen: dict[str, st.SearchStrategy[Any]] = {
        "schema_version": st.just(1),
        "objective": st.sampled_from(["margin", "revenue"]),
        "max_change": st.floats(0.0, 0.99, **_finite),
        "endings": st.lists(
            st.sampled_from([0.99, 0.9, 0.5, 0.0, 0.49, 0.95]), unique=True, max_size=3
        ),
        "n_points": st.integers(2, 101),
        "margin_floor": st.floats(0.0, 0.99, **_finite),
        "max_changes": st.integers(0, 1000),
        "allow_stockout": st.booleans(),
        "units_quantile": st.floats(0.01, 0.99, **_finite),
        "net_of_returns": st.booleans(),
        "gap_tolerance": st.floats(0.0, 0.5, **_finite),
        "logistics_cost": st.floats(0.0, 100.0, **_finite),
        "capacity_mode": st.sampled_from(["hard", "ration"]),
    }
    for k in draw(st.lists(st.sampled_from(sorted(gen)), unique=True)):
        out[k] = draw(gen[k])
    if draw(st.booleans()):
        out["min_advertised_price"] = {
            s: draw(st.floats(0.01, 1000.0, **_finite))
            for s in draw(st.lists(st.sampled_from(skus), unique=True))
        }
    return out


@st.composite
def scenario_dicts(draw: st.DrawFn, dataset: str, channels: tuple[str, ...]) -> dict[str, Any]:
    """A valid scenario file as a dict (docs/scenarios.md), pointing at ``dataset``."""
    out: dict[str, Any] = {
        "schema_version": 1,
        "name": draw(st.text(min_size=1, max_size=20).filter(lambda s: s.strip())),
    }
    if draw(st.booleans()):
        out["description"] = draw(st.text(max_size=40))
    if draw(st.booleans()):
        out["seed"] = draw(st.integers(0, 2**63))
    for k in ("joint", "allow_outside_paths"):
        if draw(st.booleans()):
            out[k] = draw(st.booleans())
    if draw(st.booleans()):
        out["currency"] = "EUR"
    out["data"] = {"dataset": dataset}
    if draw(st.booleans()):
        model: dict[str, Any] = {}
        for k, lo, hi in (
            ("draws", 50, 20000),
            ("tune", 50, 20000),
            ("chains", 1, 16),
            ("holdout_weeks", 0, 52),
        ):
            if draw(st.booleans()):
                model[k] = draw(st.integers(lo, hi))
        for k in ("use_lift_tests", "allow_failed"):
            if draw(st.booleans()):
                model[k] = draw(st.booleans())
        if draw(st.booleans()):
            model["cache"] = draw(st.sampled_from([".cache/mmm", "cache", "models/m1"]))
        if draw(st.booleans()):
            # low <= high: the loader refuses a reversed range
            model["roas_priors"] = {
                c: sorted(
                    [draw(st.floats(0.1, 10.0, **_finite)), draw(st.floats(0.1, 5.0, **_finite))]
                )
                for c in draw(st.lists(st.sampled_from(channels), unique=True))
            }
        out["model"] = model
    if draw(st.booleans()):
        el: dict[str, Any] = {}
        if draw(st.booleans()):
            el["mode"] = draw(st.sampled_from(["bayes", "fast"]))
        for k, lo, hi in (("draws", 50, 20000), ("tune", 50, 20000), ("chains", 1, 16)):
            if draw(st.booleans()):
                el[k] = draw(st.integers(lo, hi))
        out["elasticity"] = el
    if draw(st.booleans()):
        hz: dict[str, Any] = {}
        if draw(st.booleans()):
            hz["weeks"] = draw(st.integers(1, 104))
        if draw(st.booleans()):
            hz["start"] = draw(st.dates(date(2000, 1, 1), date(2100, 1, 1)))
        out["horizon"] = hz
    weeks = out.get("horizon", {}).get("weeks", 13)
    if draw(st.booleans()):
        media = draw(constraints_dicts(channels, weeks, scenario=True))
        media.pop("schema_version", None)
        budget = draw(st.sampled_from(["none", "budget", "change"]))
        if budget == "budget":
            media["budget"] = draw(st.floats(1.0, 1e8, **_finite))
        elif budget == "change":
            media["budget_change"] = draw(st.floats(-0.95, 5.0, **_finite))
        if draw(st.booleans()):
            media["objective"] = draw(st.sampled_from(["revenue", "margin", "contribution"]))
        if draw(st.booleans()):
            media["risk"] = draw(st.sampled_from(["mean", "p10", "p25", "cvar10", "cvar5"]))
        if draw(st.booleans()):
            media["enabled"] = draw(st.booleans())
        out["media"] = media
    if draw(st.booleans()):
        pricing = draw(rules_dicts())
        pricing.pop("schema_version", None)
        if draw(st.booleans()):
            pricing["enabled"] = draw(st.booleans())
        out["pricing"] = pricing
    if draw(st.booleans()):
        lg: dict[str, Any] = {}
        if draw(st.booleans()):
            lg["capacity"] = draw(st.floats(0.1, 1e6, **_finite))
        if draw(st.booleans()):
            lg["capacity_scale"] = draw(st.floats(0.01, 10.0, **_finite))
        if draw(st.booleans()):
            lg["cost_per_unit"] = draw(st.floats(0.0, 100.0, **_finite))
        out["logistics"] = lg
    return out


# --------------------------------------------------------------------------------------------
# dataset folders


@dataclass
class DatasetFolder:
    """Files of a dataset folder: ``dataset.toml`` content and CSV bytes by relative path."""

    spec: dict[str, Any]
    files: dict[str, bytes]
    tables: dict[str, Table] = field(default_factory=dict)
    spec_bytes: bytes | None = None  # replaces the rendered spec (text-level mutations)

    def names(self) -> set[str]:
        """File names an error message may name."""
        named = [
            s["file"]
            for s in self.spec.values()
            if isinstance(s, dict) and isinstance(s.get("file"), str)
        ]
        return {"dataset.toml"} | {p.rsplit("/", 1)[-1] for p in [*self.files, *named] if p}


_FILE_NAMES = {
    "marketing": ("marketing.csv", "data/historique media.csv", "été.csv"),
    "catalog": ("catalog.csv", "data/catalogue.csv", "produits (v2).csv"),
    "sales": ("sales.csv", "data/ventes.csv"),
    "logistics": ("logistics.csv", "capacité.csv"),
    "lift_tests": ("lift_tests.csv", "tests/lift.csv"),
}


@st.composite
def valid_datasets(draw: st.DrawFn) -> DatasetFolder:
    """A consistent dataset folder: sales SKUs in the catalog, lift tests inside the history."""
    sections = draw(st.lists(st.sampled_from(list(_FILE_NAMES)), unique=True))
    spec: dict[str, Any] = {}
    if draw(st.booleans()):
        spec["schema_version"] = 1
    if draw(st.booleans()):
        spec["name"] = draw(st.text(max_size=20))
    files: dict[str, bytes] = {}
    tables: dict[str, Table] = {}
    for kind in ("marketing", "catalog", "sales", "logistics", "lift_tests"):
        if kind not in sections:
            continue
        name = draw(st.sampled_from(_FILE_NAMES[kind]))
        if kind == "marketing":
            t = draw(marketing_tables(max_weeks=12))
            sec: dict[str, Any] = {
                "file": name,
                "date": t.kwargs["date"],
                "target": t.kwargs["target"],
            }
            if t.kwargs["controls"] or draw(st.booleans()):
                sec["controls"] = t.kwargs["controls"]
            if "channels" in t.kwargs:
                sec["channels"] = t.kwargs["channels"]
            if draw(st.booleans()):
                sec["target_includes_vat"] = draw(st.booleans())
        elif kind == "sales" and "catalog" in tables:
            t = draw(sales_tables(skus=tables["catalog"].expected["sku"], max_weeks=5))
            sec = {"file": name}
        elif kind == "lift_tests" and "marketing" in tables:
            m = tables["marketing"]
            t = draw(
                lift_test_tables(
                    channels=m.expected["_channels"], weeks=m.expected[m.kwargs["date"]]
                )
            )
            sec = {"file": name}
        elif kind == "catalog":
            t = draw(catalog_tables(max_skus=6))
            sec = {"file": name}
        else:
            t = draw(VALID_TABLES[kind]())
            sec = {"file": name}
        spec[kind] = sec
        files[name] = render(t, draw(csv_formats()))
        tables[kind] = t
    return DatasetFolder(spec, files, tables)


_BAD_FILE_PATHS = (
    "../outside.csv",
    "/etc/hostname",
    "",
    ".",
    "a\x00b.csv",
    "a" * 300 + ".csv",
    "missing.csv",
    "data",
)


@st.composite
def near_valid_datasets(draw: st.DrawFn) -> DatasetFolder:
    """A valid dataset folder with one broken file, spec key or cross-file reference."""
    ds = draw(valid_datasets())
    kind = draw(
        st.sampled_from(
            [
                "csv",
                "csv",
                "spec_dict",
                "spec_text",
                "bad_path",
                "unknown_ref",
                "delete_file",
                "channels",
            ]
        )
    )
    if kind == "csv" and ds.tables:
        section = draw(st.sampled_from(sorted(ds.tables)))
        t = ds.tables[section]
        for _ in range(draw(st.integers(1, 2))):
            t = draw(mutate_table(t))
        data = render(t, draw(csv_formats()))
        if draw(st.booleans()):
            data = draw(mutate_bytes(data))
        ds.files[ds.spec[section]["file"]] = data
    elif kind == "spec_dict":
        ds.spec = draw(mutate_dict(ds.spec, names=CHANNEL_NAMES))
    elif kind == "spec_text":
        ds.spec_bytes = draw(mutate_toml_text(toml_dumps(ds.spec)))
    elif kind == "bad_path" and ds.tables:
        section = draw(st.sampled_from(sorted(ds.tables)))
        ds.spec[section]["file"] = draw(st.sampled_from(_BAD_FILE_PATHS))
    elif kind == "unknown_ref" and ds.tables:
        section = draw(st.sampled_from(sorted(ds.tables)))
        t = ds.tables[section]
        key = {"sales": "sku", "lift_tests": "channel"}.get(section)
        if key and t.rows:
            t = replace(t, rows=[list(r) for r in t.rows])
            i = draw(st.integers(0, len(t.rows) - 1))
            t.rows[i][t.header.index(key)] = draw(st.sampled_from(["UNKNOWN", "sae", "tv", "Z9"]))
            if section == "lift_tests" and draw(st.booleans()):
                t.rows[i][t.header.index("start")] = "1990-01-01"
            ds.files[ds.spec[section]["file"]] = render(t)
    elif kind == "delete_file" and ds.files:
        ds.files.pop(draw(st.sampled_from(sorted(ds.files))))
    elif kind == "channels" and "marketing" in ds.spec:
        sec = ds.spec["marketing"]
        sec["channels"] = draw(
            st.sampled_from(
                [
                    [],
                    ["seo", "seo"],
                    ["tv"],
                    ["sea", "revenue"],
                    [*sec.get("channels", ["seo"]), *sec.get("controls", [])[:1]],
                ]
            )
        )
        if draw(st.booleans()):
            sec["controls"] = draw(st.sampled_from([["seo"], ["missing_control"], [sec["date"]]]))
    return ds
