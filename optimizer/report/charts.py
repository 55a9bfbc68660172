"""Charts of a scenario report (matplotlib figures; the HTML writer embeds them).

Each function draws numbers it is given — from ``summary.json`` or a run table — and computes
nothing new. Axis labels and tick values go through :class:`~optimizer.report.format.Fmt`, so a
French report reads ``150 k€`` and ``23/11``.

One name for every chart: the plan's (:mod:`~optimizer.report.charts_plan`), the media
response's (:mod:`~optimizer.report.charts_media`) and the model's
(:mod:`~optimizer.report.charts_model`), drawn with one palette
(:mod:`~optimizer.report.charts_axes`).
"""

from __future__ import annotations

from optimizer.report.charts_axes import COLORS
from optimizer.report.charts_media import frontier_chart, response_chart
from optimizer.report.charts_model import decomposition_chart, fit_chart, roas_chart, share_chart
from optimizer.report.charts_plan import (
    bridge_chart,
    capacity_chart,
    media_weeks_chart,
    price_change_chart,
)

__all__ = [
    "COLORS",
    "bridge_chart",
    "capacity_chart",
    "decomposition_chart",
    "fit_chart",
    "frontier_chart",
    "media_weeks_chart",
    "price_change_chart",
    "response_chart",
    "roas_chart",
    "share_chart",
]
