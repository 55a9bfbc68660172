"""Rendering of results: tables, charts, HTML and Excel. Renders, never computes.

One writer per result writes its output folder: :mod:`~optimizer.report.mmm_writer`
(``write_mmm``), :mod:`~optimizer.report.allocation_writer` (``write_allocation``),
:mod:`~optimizer.report.pricing_writer` (``write_elasticities``, ``write_pricing``),
:mod:`~optimizer.report.scenario_writer` (``write_run``, ``write_scenario``),
:mod:`~optimizer.report.portfolio_writer` (``write_portfolio``) and
:mod:`~optimizer.report.comparison` (``write_comparison``); every plot lives in ``report/``
(``plots_*`` for the PNG files, ``charts*`` for the figures of the HTML reports). The writers
are imported from their modules, not from this package, so that importing a formatter stays
light.
"""

from optimizer.report.excel import SheetSpec, write_workbook
from optimizer.report.html import HtmlReport, figure_to_data_uri

__all__ = ["HtmlReport", "SheetSpec", "figure_to_data_uri", "write_workbook"]
