"""Excel workbooks for finance: typed cells, totals as formulas, filters, frozen headers, print.

Numbers stay numbers (amounts with a € format, fractions with a % format, counts as whole
numbers), dates are dates, and Excel shows them with the reader's own separators, so a French
Excel reads ``1 206 277 €`` and ``13,8 %``. A total that is a sum is a ``SUM`` formula. Every
table has an autofilter and a frozen header row; every sheet prints landscape, one page wide,
with its header row repeated on each page.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from optimizer.report.format import (
    XL_COUNT,
    XL_DATE,
    XL_EUR,
    XL_EUR_CENTS,
    XL_PCT,
    XL_RATIO,
)

__all__ = ["EUR_FORMAT", "PCT_FORMAT", "SheetSpec", "write_workbook"]

EUR_FORMAT = XL_EUR_CENTS
PCT_FORMAT = XL_PCT
_HEADER_FILL = PatternFill("solid", fgColor="1F3B57")
_TOTAL_FILL = PatternFill("solid", fgColor="E4EAF1")


@dataclass(frozen=True)
class SheetSpec:
    """One table on a worksheet, and how to format its columns.

    Attributes
    ----------
    name : str
        Sheet name (at most 31 characters). Several specs with the same name go on one sheet,
        one under the other.
    table : pandas.DataFrame
        Content; the index is written only if ``index`` is True.
    eur : sequence of str
        Columns of whole-euro amounts (``1 206 277 €``).
    pct : sequence of str
        Columns holding fractions, formatted as percentages (0.138 -> ``13,8 %``).
    index : bool
        Whether to write the index as the first column(s).
    note : str
        A line written above the table (title, units, provenance).
    cents : sequence of str
        Columns of amounts to the cent (prices).
    counts : sequence of str
        Columns of whole numbers (units, orders, SKUs).
    ratios : sequence of str
        Columns of ratios shown with two decimals (ROAS).
    totals : sequence of str
        Columns summed in a total row under the table, as ``SUM`` formulas.
    total_label : str
        Text in the first column of the total row.
    headers : mapping of str to str
        Column name -> header text (columns not listed keep their name).
    row_formats : sequence of str or None
        Per row, the kind (``eur``, ``cents``, ``pct``, ``count``, ``ratio``) of the values in
        ``row_cols`` (a KPI table mixes amounts, counts and percentages).
    row_cols : sequence of str
        Columns formatted per row.
    """

    name: str
    table: pd.DataFrame
    eur: Sequence[str] = field(default_factory=tuple)
    pct: Sequence[str] = field(default_factory=tuple)
    index: bool = False
    note: str = ""
    cents: Sequence[str] = field(default_factory=tuple)
    counts: Sequence[str] = field(default_factory=tuple)
    ratios: Sequence[str] = field(default_factory=tuple)
    totals: Sequence[str] = field(default_factory=tuple)
    total_label: str = "Total"
    headers: Mapping[str, str] = field(default_factory=dict)
    row_formats: Sequence[str | None] | None = None
    row_cols: Sequence[str] = field(default_factory=tuple)


_KIND_FORMAT = {
    "eur": XL_EUR,
    "cents": XL_EUR_CENTS,
    "pct": XL_PCT,
    "count": XL_COUNT,
    "ratio": XL_RATIO,
}


def _cell_value(v: object) -> object:
    if v is None:
        return None
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return None if pd.isna(v) else v.to_pydatetime()
    if hasattr(v, "item"):  # numpy scalars
        v = v.item()
        if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
            return None
    if isinstance(v, (datetime, date)):
        return v
    return v


def _format_for(spec: SheetSpec, col: str, series: pd.Series) -> str | None:
    if col in spec.eur:
        return XL_EUR
    if col in spec.cents:
        return XL_EUR_CENTS
    if col in spec.pct:
        return XL_PCT
    if col in spec.counts:
        return XL_COUNT
    if col in spec.ratios:
        return XL_RATIO
    if pd.api.types.is_datetime64_any_dtype(series):
        return XL_DATE
    if series.map(lambda v: isinstance(v, (date, datetime))).any():
        return XL_DATE
    if pd.api.types.is_float_dtype(series):
        return "#,##0.00"
    if pd.api.types.is_integer_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return XL_COUNT
    return None


def _width(spec: SheetSpec, col: str, header: str, series: pd.Series) -> float:
    sample = series.head(200)
    if col in spec.eur or col in spec.counts:
        lens = [len(f"{v:,.0f}") + 2 for v in sample if isinstance(v, int | float) and v == v]
    elif col in spec.cents:
        lens = [len(f"{v:,.2f}") + 2 for v in sample if isinstance(v, int | float) and v == v]
    elif pd.api.types.is_datetime64_any_dtype(series):
        lens = [10]
    else:
        lens = [len(str(v)) for v in sample]
    longest_word = max((len(w) for w in header.split()), default=4)
    return min(max(10, longest_word + 2, *(n + 2 for n in lens)) if lens else 12, 60)


def _write_block(ws: Worksheet, spec: SheetSpec, row0: int, first: bool) -> int:
    """Write one table from row ``row0``; return the next free row."""
    table = spec.table.reset_index() if spec.index else spec.table
    if spec.note:
        ws.cell(row=row0, column=1, value=spec.note).font = Font(
            bold=True, size=12 if first else 11, color="1F3B57"
        )
        row0 += 2 if first else 1
    head = row0
    cols = [str(c) for c in table.columns]
    for j, col in enumerate(cols, start=1):
        c = ws.cell(row=head, column=j, value=spec.headers.get(col, col))
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = _HEADER_FILL
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[head].height = 32
    for i, row in enumerate(table.itertuples(index=False), start=head + 1):
        for j, v in enumerate(row, start=1):
            ws.cell(row=i, column=j, value=_cell_value(v))
    last = head + len(table)
    for j, col in enumerate(cols, start=1):
        fmt = _format_for(spec, col, table[col])
        if fmt:
            for i in range(head + 1, last + 2 if spec.totals else last + 1):
                ws.cell(row=i, column=j).number_format = fmt
        width = _width(spec, col, spec.headers.get(col, col), table[col])
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, width)
    if spec.row_formats is not None:
        for j, col in enumerate(cols, start=1):
            if col not in spec.row_cols:
                continue
            for i, kind in enumerate(spec.row_formats, start=head + 1):
                if kind in _KIND_FORMAT:
                    ws.cell(row=i, column=j).number_format = _KIND_FORMAT[kind]
    if spec.totals and len(table):
        t = last + 1
        ws.cell(row=t, column=1, value=spec.total_label).font = Font(bold=True)
        for j, col in enumerate(cols, start=1):
            cell = ws.cell(row=t, column=j)
            cell.fill = _TOTAL_FILL
            if col in spec.totals:
                letter = get_column_letter(j)
                cell.value = f"=SUM({letter}{head + 1}:{letter}{last})"
                cell.font = Font(bold=True)
        last = t
    if first and len(table):
        ws.auto_filter.ref = f"A{head}:{get_column_letter(len(cols))}{head + len(table)}"
        ws.freeze_panes = ws.cell(row=head + 1, column=1)
        ws.print_title_rows = f"{head}:{head}"
    return last + 2


def _print_setup(ws: Worksheet) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.oddFooter.center.text = "&A - &P / &N"


def write_workbook(path: str | Path, sheets: Sequence[SheetSpec]) -> None:
    """Write sheets to an ``.xlsx`` file.

    Parameters
    ----------
    path : str or Path
        Destination; written in place (callers write into a staging folder).
    sheets : sequence of SheetSpec
        Tables in order; specs sharing a name are stacked on one sheet (the first one gets the
        autofilter and the frozen header).
    """
    wb = Workbook()
    wb.remove(wb.active)
    next_row: dict[str, int] = {}
    for spec in sheets:
        name = spec.name[:31]
        first = name not in next_row
        ws = wb.create_sheet(name) if first else wb[name]
        if first:
            _print_setup(ws)
        next_row[name] = _write_block(ws, spec, next_row.get(name, 1), first)
    wb.save(path)
