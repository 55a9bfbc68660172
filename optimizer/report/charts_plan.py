"""Charts of a plan: the contribution bridge, price changes, media per week, warehouse load."""

from __future__ import annotations

import textwrap
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from optimizer.report.charts_axes import (
    BLUE,
    GREEN,
    LIGHT,
    ORANGE,
    RED,
    eur_axis,
    num_axis,
    pct_axis,
    week_ticks,
)
from optimizer.report.format import Fmt
from optimizer.report.labels import label, tr

__all__ = ["bridge_chart", "capacity_chart", "media_weeks_chart", "price_change_chart"]


def bridge_chart(summary: dict[str, Any], fmt: Fmt) -> Any:
    """Waterfall from the current plan's contribution to the recommended plan's."""
    lang = fmt.lang
    k = summary["kpis"]["contribution"]
    start = float(k["current"]["mean"])
    lines = summary["bridge"]["lines"]
    names = [label("current", lang)]
    names += [
        label("bridge_logistics" if ln["key"] == "logistics" else ln["key"], lang) for ln in lines
    ]
    names.append(label("recommended", lang))
    names = [textwrap.fill(n, 14) for n in names]
    fig, ax = plt.subplots(figsize=(9.6, 3.8))
    ax.bar(0, start, color=BLUE, width=0.6)
    level = start
    for i, ln in enumerate(lines, start=1):
        v = float(ln["mean"])
        bottom = level if v >= 0 else level + v
        ax.bar(i, abs(v), bottom=bottom, color=GREEN if v >= 0 else RED, width=0.6)
        lo, hi = float(ln["p10"]), float(ln["p90"])
        ax.errorbar(
            i, level + v, yerr=[[max(v - lo, 0)], [max(hi - v, 0)]], color="#333", capsize=3, lw=0.8
        )
        ax.text(
            i, max(level, level + v), fmt.eur(v, sign=True), ha="center", va="bottom", fontsize=8
        )
        level += v
    end = float(k["plan"]["mean"])
    ax.bar(len(lines) + 1, end, color=BLUE, width=0.6)
    for x, v in ((0, start), (len(lines) + 1, end)):
        ax.text(x, v, fmt.eur(v), ha="center", va="bottom", fontsize=8)
    lo = min(start, end, level) * 0.8
    hi_all = [start, end] + [
        start + sum(float(x["mean"]) for x in lines[:j]) for j in range(len(lines) + 1)
    ]
    ax.set_ylim(lo, max(hi_all) * 1.06)
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, fontsize=8)
    eur_axis(ax, fmt)
    ax.set_title(
        tr(
            lang,
            "Du plan actuel au plan recommandé : contribution après média (moyenne, "
            "barres P10-P90)",
            "From the current plan to the recommended plan: contribution after media (mean, "
            "P10-P90 bars)",
        ),
        fontsize=10,
    )
    ax.grid(axis="y", alpha=0.3)
    return fig


def price_change_chart(prices: pd.DataFrame, max_change: float, fmt: Fmt) -> Any:
    """Histogram of the price changes of the SKUs that change price."""
    lang = fmt.lang
    change = prices["change"].to_numpy(float)
    moved = change[np.abs(change) > 1e-9]
    fig, ax = plt.subplots(figsize=(8.6, 3.2))
    widest = max(max_change, float(np.abs(moved).max()) if len(moved) else 0.05)
    # bins of whole percentage points with the scenario's limit on an edge: a change inside
    # the limit is never drawn beyond it
    step = 0.01 if widest <= 0.3 else 0.02
    n_side = int(np.ceil(round(widest / step, 6)))
    bins = np.arange(-n_side, n_side + 1) * step
    ax.hist(moved[moved > 0], bins=list(bins), color=GREEN, label=tr(lang, "hausses", "rises"))
    ax.hist(moved[moved < 0], bins=list(bins), color=RED, label=tr(lang, "baisses", "cuts"))
    for x in (-max_change, max_change):
        ax.axvline(x, color="#555", ls="--", lw=0.8)
    pct_axis(ax, fmt, "x")
    ax.set_xlabel(tr(lang, "variation du prix TTC", "change in the price incl. VAT"))
    ax.set_ylabel(tr(lang, "nombre de produits", "number of SKUs"))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    n0 = int((np.abs(change) <= 1e-9).sum())
    ax.set_title(
        tr(
            lang,
            f"Variations de prix des produits qui changent ({n0} inchangés ; pointillés : "
            "limite du scénario)",
            f"Price changes of the SKUs that change ({n0} unchanged; dashed: the scenario's limit)",
        ),
        fontsize=10,
    )
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def media_weeks_chart(weeks_table: pd.DataFrame, fmt: Fmt) -> Any:
    """Spend per channel and week: today's run-rate vs recommended (small multiples)."""
    lang = fmt.lang
    chans = list(dict.fromkeys(weeks_table["channel"]))
    n = len(chans)
    cols = 3
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(8.6, 2.3 * rows), squeeze=False, sharex=True)
    for i, c in enumerate(chans):
        ax = axes[i // cols][i % cols]
        g = weeks_table[weeks_table["channel"] == c]
        x = np.arange(len(g))
        ax.bar(x, g["recommended"], color=LIGHT, label=label("recommended", lang))
        ax.plot(x, g["current"], color=ORANGE, lw=2, label=label("current", lang))
        ax.set_title(label(c, lang), fontsize=9)
        eur_axis(ax, fmt)
        ax.tick_params(labelsize=7)
        week_ticks(ax, list(g["week"]), fmt, every=max(1, len(g) // 5))
        ax.grid(axis="y", alpha=0.3)
    for j in range(n, rows * cols):
        axes[j // cols][j % cols].axis("off")
        if j >= cols:  # the panel above has no neighbour below: it shows its own weeks
            axes[j // cols - 1][j % cols].tick_params(labelbottom=True)
    axes[0][0].legend(fontsize=7)
    fig.suptitle(
        tr(
            lang,
            "Dépense par semaine et canal : plan actuel (ligne) et recommandé (barres), HT",
            "Spend per week and channel: current plan (line) and recommended (bars), excl. VAT",
        ),
        fontsize=10,
    )
    fig.tight_layout()
    return fig


def capacity_chart(capacity: pd.DataFrame, fmt: Fmt) -> Any:
    """Warehouse load per week: current and recommended plans against capacity."""
    lang = fmt.lang
    fig, ax = plt.subplots(figsize=(8.6, 3.2))
    x = np.arange(len(capacity))
    ax.bar(x - 0.2, capacity["current_load"], width=0.4, color=ORANGE, label=label("current", lang))
    ax.bar(x + 0.2, capacity["plan_load"], width=0.4, color=BLUE, label=label("recommended", lang))
    # one step per week, from the left edge of the first week's bars to the right of the last
    ax.stairs(
        capacity["capacity"].to_numpy(float),
        np.arange(len(capacity) + 1) - 0.5,
        color=RED,
        baseline=None,
        label=tr(lang, "capacité", "capacity"),
    )
    week_ticks(ax, list(capacity["week"]), fmt)
    num_axis(ax, fmt, 0)
    ax.set_ylabel(tr(lang, "unités logistiques expédiées", "logistics units shipped"), fontsize=8)
    ax.set_title(
        tr(
            lang,
            "Charge de l'entrepôt par semaine (moyenne, après rationnement)",
            "Warehouse load per week (mean, after rationing)",
        ),
        fontsize=10,
    )
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(axis="y", alpha=0.3)
    return fig
