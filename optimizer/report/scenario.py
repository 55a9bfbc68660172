"""Render a scenario run (``report.html`` and ``report.xlsx``) from its computed figures.

Nothing here computes a number that is not already in ``summary.json`` or the run tables; the
writers put them into words, tables and charts, in French (default) or English.

Page: executive summary (:mod:`optimizer.report.summary_page`), then P&L, prices, media,
capacity, model (:mod:`optimizer.report.sections`), what the data cannot settle
(:mod:`optimizer.report.learning`), assumptions and provenance. Workbook: one sheet per section
(:mod:`optimizer.report.workbook`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from optimizer.report.display import kpi_table
from optimizer.report.display_model import assumptions_display
from optimizer.report.format import DEFAULT_LANG, Fmt, check_lang
from optimizer.report.html import HtmlReport
from optimizer.report.labels import tr
from optimizer.report.learning import learning_section
from optimizer.report.sections import pnl_section, price_section
from optimizer.report.sections_media import capacity_section, media_section
from optimizer.report.sections_model import model_section, provenance_section
from optimizer.report.summary_page import executive_summary
from optimizer.report.workbook import render_xlsx

__all__ = ["RunTables", "kpi_table", "render_html", "render_xlsx"]

RunTables = dict[str, pd.DataFrame]


def render_html(
    path: Any,
    summary: dict[str, Any],
    tables: RunTables,
    run: dict[str, Any],
    *,
    lang: str = DEFAULT_LANG,
) -> None:
    """Write the self-contained ``report.html`` of a run."""
    lang = check_lang(lang)
    fmt = Fmt(lang)
    h = summary["horizon"]
    r = HtmlReport(
        tr(lang, f"Scénario : {summary['scenario']}", f"Scenario: {summary['scenario']}"),
        f"{summary['description']} — "
        + tr(
            lang,
            f"horizon du {fmt.date(h['start'])} au {fmt.date(h['end'])} "
            f"({fmt.weeks(h['weeks'])}) ; montants en euros HT sauf mention TTC.",
            f"horizon {fmt.date(h['start'])} to {fmt.date(h['end'])} ({fmt.weeks(h['weeks'])}); "
            "amounts in EUR excl. VAT unless stated.",
        ),
        lang=lang,
    )
    executive_summary(r, summary)
    pnl_section(r, summary, tables)
    price_section(r, summary, tables)
    media_section(r, summary, tables)
    capacity_section(r, summary, tables)
    model_section(r, summary, tables)
    learning_section(r, summary, run)
    r.heading(tr(lang, "Hypothèses", "Assumptions"), "hypotheses")
    r.table(assumptions_display(summary, lang))
    provenance_section(r, run)
    r.write(path)
