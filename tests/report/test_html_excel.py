from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from openpyxl import load_workbook

from optimizer.report import HtmlReport, SheetSpec, write_workbook
from optimizer.report.excel import EUR_FORMAT

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
    write_workbook(p, [SheetSpec("P&L", t, eur=["EUR"], pct=["share"], note="EUR excl. VAT")])
    ws = load_workbook(p)["P&L"]
    assert ws["A1"].value == "EUR excl. VAT"
    assert ws["B4"].value == 1234.5 and ws["B4"].number_format == EUR_FORMAT
    assert ws["C5"].value == 0.1 and ws["C5"].number_format == "0.0%"
