"""Rendering of results: tables, charts, HTML and Excel. Renders, never computes."""

from optimizer.report.excel import SheetSpec, write_workbook
from optimizer.report.html import HtmlReport, figure_to_data_uri

__all__ = ["HtmlReport", "SheetSpec", "figure_to_data_uri", "write_workbook"]
