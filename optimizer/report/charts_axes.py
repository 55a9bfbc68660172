"""Palette and axis formatters shared by the report's charts (figures in the report's language)."""

from __future__ import annotations

from typing import Any

import matplotlib.dates as mdates
import numpy as np
from matplotlib.ticker import FuncFormatter

from optimizer.report.format import Fmt

__all__ = [
    "BLUE",
    "COLORS",
    "GREEN",
    "LIGHT",
    "OLIVE",
    "ORANGE",
    "PURPLE",
    "RED",
    "eur_axis",
    "month_axis",
    "num_axis",
    "pct_axis",
    "week_ticks",
]

BLUE, LIGHT, ORANGE, GREEN, RED, PURPLE, OLIVE = (
    "#1F3B57",
    "#3C7DC4",
    "#F0A020",
    "#2E9D55",
    "#B8463B",
    "#7A5BA6",
    "#6B8E23",
)
COLORS = [BLUE, LIGHT, ORANGE, GREEN, RED, PURPLE, OLIVE, "#8c564b", "#17becf"]


def eur_axis(ax: Any, fmt: Fmt, axis: str = "y") -> None:
    """Tick labels in compact euros (``150 k€``)."""
    f = FuncFormatter(lambda v, _p: fmt.eur_compact(v))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(f)


def num_axis(ax: Any, fmt: Fmt, decimals: int = 1, axis: str = "y") -> None:
    """Tick labels as numbers with ``decimals`` decimals."""
    f = FuncFormatter(lambda v, _p: fmt.number(v, decimals))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(f)


def pct_axis(ax: Any, fmt: Fmt, axis: str = "y") -> None:
    """Tick labels in whole percent."""
    f = FuncFormatter(lambda v, _p: fmt.pct(v, 0))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(f)


def month_axis(ax: Any, fmt: Fmt) -> None:
    """A time axis marked every quarter, months written for the reader (``01/2025``)."""
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt.month(mdates.num2date(v))))


def week_ticks(ax: Any, weeks: list[Any], fmt: Fmt, every: int = 1) -> None:
    """One tick per week (at most 14, at least every ``every``), labelled with the week."""
    x = np.arange(len(weeks))
    step = max(every, int(np.ceil(len(weeks) / 14)))
    ax.set_xticks(x[::step])
    ax.set_xticklabels([fmt.week(w) for w in weeks][::step], fontsize=7, rotation=0)
