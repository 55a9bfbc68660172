"""Excel workbooks for finance: numbers stay numbers, money gets a EUR format."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

__all__ = ["EUR_FORMAT", "PCT_FORMAT", "SheetSpec", "write_workbook"]

EUR_FORMAT = '#,##0.00 "€";[Red]-#,##0.00 "€"'
EUR0_FORMAT = '#,##0 "€";[Red]-#,##0 "€"'
PCT_FORMAT = "0.0%"
NUM_FORMAT = "#,##0.00"
_HEADER_FILL = PatternFill("solid", fgColor="1F3B57")


@dataclass(frozen=True)
class SheetSpec:
    """One worksheet: a table and how to format its columns.

    Attributes
    ----------
    name : str
        Sheet name (at most 31 characters).
    table : pandas.DataFrame
        Content; the index is written only if ``index`` is True.
    eur : sequence of str
        Columns formatted as EUR amounts.
    pct : sequence of str
        Columns holding fractions, formatted as percentages.
    index : bool
        Whether to write the index as the first column(s).
    note : str
        A line written above the table (e.g. units, provenance).
    """

    name: str
    table: pd.DataFrame
    eur: Sequence[str] = field(default_factory=tuple)
    pct: Sequence[str] = field(default_factory=tuple)
    index: bool = False
    note: str = ""


def _cell_value(v: object) -> object:
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return v


def write_workbook(path: str | Path, sheets: Sequence[SheetSpec]) -> None:
    """Write sheets to an ``.xlsx`` file.

    Parameters
    ----------
    path : str or Path
        Destination; written in place (callers write into a staging folder).
    sheets : sequence of SheetSpec
        Sheets in order.
    """
    wb = Workbook()
    wb.remove(wb.active)
    for spec in sheets:
        ws = wb.create_sheet(spec.name[:31])
        table = spec.table.reset_index() if spec.index else spec.table
        row0 = 1
        if spec.note:
            ws.cell(row=1, column=1, value=spec.note).font = Font(italic=True)
            row0 = 3
        for j, col in enumerate(table.columns, start=1):
            c = ws.cell(row=row0, column=j, value=str(col))
            c.font = Font(bold=True, color="FFFFFF")
            c.fill = _HEADER_FILL
            c.alignment = Alignment(horizontal="center", wrap_text=True)
        for i, row in enumerate(table.itertuples(index=False), start=row0 + 1):
            for j, v in enumerate(row, start=1):
                ws.cell(row=i, column=j, value=_cell_value(v))
        for j, col in enumerate(table.columns, start=1):
            fmt = None
            if col in spec.eur:
                fmt = EUR_FORMAT
            elif col in spec.pct:
                fmt = PCT_FORMAT
            elif pd.api.types.is_float_dtype(table[col]):
                fmt = NUM_FORMAT
            if pd.api.types.is_datetime64_any_dtype(table[col]):
                fmt = "yyyy-mm-dd"
            if fmt:
                for i in range(row0 + 1, row0 + 1 + len(table)):
                    ws.cell(row=i, column=j).number_format = fmt
            width = max(
                [len(str(col))]
                + [
                    len(f"{v:,.2f}" if isinstance(v, float) else str(v))
                    for v in table[col].head(200)
                ]
            )
            ws.column_dimensions[get_column_letter(j)].width = min(max(10, width + 4), 60)
        ws.freeze_panes = ws.cell(row=row0 + 1, column=1)
    wb.save(path)
