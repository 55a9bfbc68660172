"""Tables as a person reads them: columns with words for headers and a kind per column.

A :class:`Table` is rendered by the HTML writer (each value formatted by
:class:`~optimizer.report.format.Fmt`) and by the Excel writer (typed cells with the matching
number format), so both show the same columns under the same headers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from optimizer.report.excel import SheetSpec
from optimizer.report.format import Fmt

__all__ = ["Kind", "Table"]

Kind = Literal[
    "text",
    "eur",
    "eur_signed",
    "cents",
    "pct",
    "pct_signed",
    "count",
    "count_signed",
    "int",
    "ratio",
    "date",
    "prob",
    "row",
    "row_signed",
    "code",
]

_XL = {
    "eur": "eur",
    "eur_signed": "eur",
    "cents": "cents",
    "pct": "pct",
    "pct_signed": "pct",
    "prob": "pct",
    "count": "count",
    "count_signed": "count",
    "int": "count",
    "ratio": "ratio",
}


@dataclass(frozen=True)
class Table:
    """A table with a kind per column.

    Attributes
    ----------
    frame : pandas.DataFrame
        Values (numbers stay numbers; fractions for percentages).
    kinds : mapping of str to Kind
        Column -> kind; unlisted columns are text.
    headers : mapping of str to str
        Column -> header words; unlisted columns keep their name.
    totals : sequence of str
        Columns summed in a total row (a SUM formula in Excel, the sum in HTML).
    total_label : str
        First cell of the total row.
    row_kinds : sequence of Kind or None
        For columns whose kind is ``"row"``: the kind of each row (a KPI table mixes amounts,
        counts and percentages).
    """

    frame: pd.DataFrame
    kinds: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    totals: Sequence[str] = field(default_factory=tuple)
    total_label: str = "Total"
    row_kinds: Sequence[str] | None = None

    def header(self, col: str) -> str:
        """Header text of a column."""
        return self.headers.get(col, col)

    def cell(self, fmt: Fmt, col: str, v: object, row: int | None = None) -> str:
        """One value as text (``row``: its row number, for ``"row"`` columns)."""
        kind: str = self.kinds.get(col, "text")
        if kind in ("row", "row_signed"):
            base = self.row_kinds[row] if self.row_kinds is not None and row is not None else "text"
            if kind == "row_signed":
                if base == "pct" and isinstance(v, int | float):
                    return fmt.points(v)
                if base == "ratio" and isinstance(v, int | float):
                    return fmt.number(v, 2, sign=True)
                if base == "cents" and isinstance(v, int | float):
                    return fmt.price(v, sign=True)
                base = {"eur": "eur_signed", "count": "count_signed"}.get(base, base)
            kind = base
        if v is None or (isinstance(v, float) and v != v):
            return ""
        if kind == "eur":
            return fmt.eur(v)
        if kind == "eur_signed":
            return fmt.eur(v, sign=True)
        if kind == "cents":
            return fmt.price(v)
        if kind == "pct":
            return fmt.pct(v)
        if kind == "pct_signed":
            return fmt.pct(v, sign=True)
        if kind == "count":
            return fmt.count(v)
        if kind == "count_signed":
            return fmt.count(v, sign=True)
        if kind == "int":  # a count that is never a change (weeks in a horizon)
            return fmt.count(v)
        if kind == "ratio":
            return fmt.ratio(v)
        if kind == "date":
            return fmt.date(v)
        if kind == "prob":
            return fmt.probability(v)
        return str(v)

    def numeric(self, col: str) -> bool:
        """Whether a column is right-aligned (a number)."""
        kind = self.kinds.get(col, "text")
        if kind in ("row", "row_signed") and "text" in (self.row_kinds or ()):
            return False  # a column mixing words and numbers reads left-aligned
        return kind not in ("text", "code")

    def css(self, col: str) -> str:
        """CSS class of a column's cells."""
        kind = self.kinds.get(col, "text")
        return "n" if self.numeric(col) else ("c" if kind == "code" else "")

    def sheet(self, name: str, note: str = "") -> SheetSpec:
        """The Excel form of this table."""
        k = self.kinds

        def cols(*kinds: str) -> list[str]:
            return [c for c in self.frame.columns if k.get(c) in kinds]

        frame = self.frame.copy()
        row_formats = None
        if self.row_kinds is not None:
            row_formats = [_XL.get(k) for k in self.row_kinds]
        for c in cols("date"):
            frame[c] = pd.to_datetime(frame[c])
        return SheetSpec(  # "row_signed" columns take their row's format too
            name,
            frame,
            eur=cols("eur", "eur_signed"),
            cents=cols("cents"),
            pct=cols("pct", "pct_signed", "prob"),
            counts=cols("count", "count_signed"),
            ratios=cols("ratio"),
            totals=list(self.totals),
            total_label=self.total_label,
            headers={c: self.header(c) for c in self.frame.columns},
            note=note,
            row_formats=row_formats,
            row_cols=cols("row", "row_signed"),
        )
