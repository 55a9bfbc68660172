from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from openpyxl import load_workbook

from optimizer.report import HtmlReport, SheetSpec, write_workbook
from optimizer.report.excel import EUR_FORMAT
from optimizer.report.format import XL_DATE, XL_EUR

from .browser import ARTIFACTS, open_in_browser


def _report() -> HtmlReport:
    r = HtmlReport("Test report", "subtitle")
    r.heading("KPIs")
    r.kpis([("Revenue", "1 000 EUR")])
    r.table(pd.DataFrame({"a": [1.5, 2.25], "b": ["x<y", "z"]}))
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3])
    r.figure(fig, "a line")
    return r


def test_html_is_self_contained_and_escaped(tmp_path):
    p = tmp_path / "r.html"
    _report().write(p)
    text = p.read_text()
    assert "x&lt;y" in text
    assert "data:image/png;base64," in text
    assert "http://" not in text and "https://" not in text


def test_html_renders_in_browser(tmp_path):
    p = tmp_path / "r.html"
    _report().write(p)
    out = open_in_browser(p, ARTIFACTS / "report_unit.png")
    assert out["state"] == "complete"
    assert out["images"] and all(i["complete"] and i["width"] > 0 for i in out["images"])
    assert [m for m in out["console"] if m["level"] == "SEVERE"] == []


def test_workbook_numbers_stay_numbers(tmp_path):
    p = tmp_path / "x.xlsx"
    t = pd.DataFrame({"line": ["Revenue", "Media"], "EUR": [1234.5, -200.0], "share": [0.5, 0.1]})
    write_workbook(p, [SheetSpec("P&L", t, cents=["EUR"], pct=["share"], note="EUR excl. VAT")])
    ws = load_workbook(p)["P&L"]
    assert ws["A1"].value == "EUR excl. VAT"
    assert ws["B4"].value == 1234.5 and ws["B4"].number_format == EUR_FORMAT
    assert ws["C5"].value == 0.1 and ws["C5"].number_format == "0.0%"


def test_workbook_for_finance(tmp_path):
    """Typed cells, SUM formulas, autofilter, frozen header, print set-up, stacked tables."""
    p = tmp_path / "x.xlsx"
    weeks = pd.to_datetime(["2026-11-23", "2026-11-30"])
    t = pd.DataFrame({"week": weeks, "spend": [1000.4, 2000.6], "units": [10, 20]})
    extra = pd.DataFrame({"item": ["a"], "share": [0.25]})
    write_workbook(
        p,
        [
            SheetSpec(
                "Plan",
                t,
                eur=["spend"],
                counts=["units"],
                totals=["spend", "units"],
                headers={"week": "Semaine du", "spend": "Dépense", "units": "Unités"},
                note="Plan",
            ),
            SheetSpec("Plan", extra, pct=["share"], note="Second table"),
        ],
    )
    ws = load_workbook(p)["Plan"]
    assert [c.value for c in ws[3]] == ["Semaine du", "Dépense", "Unités"]
    assert ws["A4"].is_date and ws["A4"].number_format == XL_DATE
    assert ws["B4"].number_format == XL_EUR and ws["C4"].number_format == "#,##0"
    assert ws["B6"].value == "=SUM(B4:B5)" and ws["C6"].value == "=SUM(C4:C5)"
    assert ws.auto_filter.ref == "A3:C5"
    assert ws.freeze_panes == "A4"
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    # the second table goes under the first, typed too
    rows = list(ws.iter_rows(min_row=8, values_only=True))
    assert rows[0][0] == "Second table" and rows[2][1] == 0.25
