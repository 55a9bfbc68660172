"""Charts of a scenario report (matplotlib figures; the HTML writer embeds them).

Each function draws numbers it is given — from ``summary.json`` or a run table — and computes
nothing new. Axis labels and tick values go through :class:`~optimizer.report.format.Fmt`, so a
French report reads ``150 k€`` and ``23/11``.
"""

from __future__ import annotations

import textwrap
from typing import Any

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator

from optimizer.report.format import Fmt
from optimizer.report.labels import label, tr

__all__ = [
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


def _eur_axis(ax: Any, fmt: Fmt, axis: str = "y") -> None:
    f = FuncFormatter(lambda v, _p: fmt.eur_compact(v))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(f)


def _num_axis(ax: Any, fmt: Fmt, decimals: int = 1, axis: str = "y") -> None:
    f = FuncFormatter(lambda v, _p: fmt.number(v, decimals))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(f)


def _pct_axis(ax: Any, fmt: Fmt, axis: str = "y") -> None:
    f = FuncFormatter(lambda v, _p: fmt.pct(v, 0))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(f)


def _month_axis(ax: Any, fmt: Fmt) -> None:
    """A time axis marked every quarter, months written for the reader (``01/2025``)."""
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt.month(mdates.num2date(v))))


def _week_ticks(ax: Any, weeks: list[Any], fmt: Fmt, every: int = 1) -> None:
    x = np.arange(len(weeks))
    step = max(every, int(np.ceil(len(weeks) / 14)))
    ax.set_xticks(x[::step])
    ax.set_xticklabels([fmt.week(w) for w in weeks][::step], fontsize=7, rotation=0)


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
    _eur_axis(ax, fmt)
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
    _pct_axis(ax, fmt, "x")
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
        _eur_axis(ax, fmt)
        ax.tick_params(labelsize=7)
        _week_ticks(ax, list(g["week"]), fmt, every=max(1, len(g) // 5))
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


def response_chart(grid: pd.DataFrame, channels: dict[str, Any], fmt: Fmt) -> Any:
    """Response curve per channel with today's and the recommended weekly spend marked."""
    lang = fmt.lang
    chans = list(dict.fromkeys(grid["channel"]))
    cols = 3
    rows = int(np.ceil(len(chans) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(8.6, 2.5 * rows), squeeze=False)
    for i, c in enumerate(chans):
        ax = axes[i // cols][i % cols]
        g = grid[grid["channel"] == c]
        ax.plot(g["spend"], g["response_mean"], color=BLUE)
        ax.fill_between(g["spend"], g["response_p5"], g["response_p95"], color=BLUE, alpha=0.12)
        ch = channels.get(c, {})
        if "current_weekly_spend" in ch:
            ax.plot(
                ch["current_weekly_spend"],
                ch["current_response"],
                "o",
                color=ORANGE,
                ms=7,
                label=label("current", lang),
            )
            ax.plot(
                ch["weekly_spend"],
                ch["response"],
                "D",
                color=GREEN,
                ms=6,
                label=label("recommended", lang),
            )
        ax.set_title(label(c, lang), fontsize=9)
        _eur_axis(ax, fmt)
        _eur_axis(ax, fmt, "x")
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    for j in range(len(chans), rows * cols):
        axes[j // cols][j % cols].axis("off")
    axes[0][0].legend(fontsize=7)
    fig.suptitle(
        tr(
            lang,
            "Courbes de réponse : CA incrémental hebdomadaire (TTC) selon la dépense "
            "hebdomadaire (HT), moyenne et intervalle à 90 %",
            "Response curves: weekly incremental revenue (incl. VAT) against weekly spend "
            "(excl. VAT), mean and 90 % interval",
        ),
        fontsize=9.5,
    )
    fig.tight_layout()
    return fig


def frontier_chart(frontier: pd.DataFrame, summary: dict[str, Any], fmt: Fmt) -> Any:
    """Store contribution and marginal return against the media budget."""
    lang = fmt.lang
    f = frontier.sort_values("spend")
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(8.6, 3.4), gridspec_kw={"width_ratios": [3, 2]})
    ax.fill_between(
        f["spend"],
        f["contribution_p10"],
        f["contribution_p90"],
        color=LIGHT,
        alpha=0.2,
        label="P10-P90",
    )
    ax.plot(
        f["spend"],
        f["contribution_mean"],
        "o-",
        color=LIGHT,
        label=tr(
            lang,
            "meilleur plan selon le modèle (règles par canal seules)",
            "the model's best plan (channel rules alone)",
        ),
    )
    k = summary["kpis"]
    ax.plot(
        k["media_spend"]["current"]["mean"],
        k["contribution"]["current"]["mean"],
        "o",
        color=ORANGE,
        ms=8,
        label=label("current", lang),
    )
    ax.plot(
        k["media_spend"]["plan"]["mean"],
        k["contribution"]["plan"]["mean"],
        "D",
        color=GREEN,
        ms=7,
        label=label("recommended", lang),
    )
    ax.axvline(k["media_spend"]["current"]["mean"], color=ORANGE, ls=":", lw=1)
    _eur_axis(ax, fmt)
    _eur_axis(ax, fmt, "x")
    ax.set_xlabel(
        tr(lang, "budget média sur l'horizon (HT)", "media budget over the horizon (excl. VAT)"),
        fontsize=8,
    )
    ax.set_ylabel(tr(lang, "contribution après média", "contribution after media"), fontsize=8)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    ax.set_title(
        tr(lang, "Contribution du magasin selon le budget", "Store contribution by budget"),
        fontsize=9,
    )
    m = f.dropna(subset=["marginal_return"])
    if len(m):
        mid = (f["spend"].to_numpy()[1:] + f["spend"].to_numpy()[:-1]) / 2
        vals = f["marginal_return"].to_numpy()[1:]
        ax2.bar(
            mid,
            vals,
            width=(f["spend"].max() - f["spend"].min()) / max(len(f), 2) * 0.8,
            color=[GREEN if v >= 0 else RED for v in vals],
        )
        ax2.axhline(0, color="#333", lw=0.8)
        ax2.axvline(k["media_spend"]["current"]["mean"], color=ORANGE, ls=":", lw=1)
    _eur_axis(ax2, fmt, "x")
    _num_axis(ax2, fmt, 2)
    ax2.tick_params(labelsize=7)
    ax2.grid(alpha=0.3)
    ax2.set_title(
        tr(
            lang,
            "Rendement marginal : € de contribution par € en plus",
            "Marginal return: EUR of contribution per extra EUR",
        ),
        fontsize=9,
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
    _week_ticks(ax, list(capacity["week"]), fmt)
    _num_axis(ax, fmt, 0)
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


def fit_chart(dec: pd.DataFrame, fmt: Fmt) -> Any:
    """Actual vs fitted weekly revenue with the baseline; hold-out weeks shaded."""
    lang = fmt.lang
    fig, ax = plt.subplots(figsize=(8.6, 3.4))
    w = pd.to_datetime(dec["week"])
    ax.fill_between(
        w,
        dec["fitted_low"],
        dec["fitted_high"],
        color=LIGHT,
        alpha=0.2,
        label=tr(lang, "intervalle à 90 %", "90 % interval"),
    )
    ax.plot(w, dec["actual"], color="#222", lw=1, label=tr(lang, "réel", "actual"))
    ax.plot(w, dec["fitted"], color=LIGHT, lw=1.3, label=tr(lang, "modèle", "fitted"))
    ax.plot(
        w,
        dec["baseline"],
        color=ORANGE,
        lw=1.2,
        label=tr(lang, "base (sans média)", "baseline (no media)"),
    )
    if "holdout" in dec and dec["holdout"].any():
        hw = mdates.date2num(w[dec["holdout"].astype(bool)].to_numpy())
        ax.axvspan(
            float(hw.min()),
            float(hw.max()),
            color="#999",
            alpha=0.15,
            label=tr(lang, "semaines de test", "hold-out weeks"),
        )
    _eur_axis(ax, fmt)
    _month_axis(ax, fmt)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7, ncol=3)
    ax.grid(alpha=0.3)
    ax.set_title(
        tr(
            lang,
            "CA hebdomadaire TTC : réel et modèle",
            "Weekly revenue incl. VAT: actual and model",
        ),
        fontsize=10,
    )
    return fig


def decomposition_chart(dec: pd.DataFrame, channels: list[str], fmt: Fmt) -> Any:
    """Baseline and each channel's contribution over time (stacked)."""
    lang = fmt.lang
    fig, ax = plt.subplots(figsize=(8.6, 3.4))
    w = pd.to_datetime(dec["week"])
    parts = [dec["baseline"].to_numpy(float)] + [dec[c].to_numpy(float) for c in channels]
    names = [tr(lang, "base", "baseline")] + [label(c, lang) for c in channels]
    ax.stackplot(w, *parts, labels=names, colors=["#c9d3dd"] + COLORS[: len(channels)], alpha=0.9)
    ax.plot(w, dec["actual"], color="#222", lw=0.8, label=tr(lang, "réel", "actual"))
    _eur_axis(ax, fmt)
    _month_axis(ax, fmt)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7, ncol=4, loc="upper left")
    ax.grid(alpha=0.3)
    ax.set_title(
        tr(
            lang,
            "Décomposition du CA : base et contribution de chaque canal",
            "Revenue decomposition: baseline and each channel's contribution",
        ),
        fontsize=10,
    )
    return fig


def roas_chart(channels: dict[str, Any], fmt: Fmt) -> Any:
    """ROAS and marginal ROAS per channel with 90 % intervals."""
    lang = fmt.lang
    names = list(channels)
    y = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(8.6, 0.5 * len(names) + 1.4))
    for off, key, color, text in (
        (0.15, "roas", BLUE, "ROAS"),
        (-0.15, "marginal_roas", ORANGE, tr(lang, "ROAS marginal", "marginal ROAS")),
    ):
        m = np.array([channels[c][key]["mean"] for c in names])
        lo = np.array([channels[c][key]["low"] for c in names])
        hi = np.array([channels[c][key]["high"] for c in names])
        ax.errorbar(m, y + off, xerr=[m - lo, hi - m], fmt="o", color=color, capsize=3, label=text)
    ax.axvline(1.0, color="#777", ls=":", lw=1)
    ax.set_yticks(y)
    ax.set_yticklabels([label(c, lang) for c in names], fontsize=8)
    _num_axis(ax, fmt, 1, "x")
    ax.set_xlabel(
        tr(
            lang,
            "€ de CA (TTC) par € dépensé (HT)",
            "EUR of revenue (incl. VAT) per EUR spent (excl. VAT)",
        ),
        fontsize=8,
    )
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    ax.set_title(
        tr(
            lang,
            "ROAS et ROAS marginal par canal (moyenne et intervalle à 90 %)",
            "ROAS and marginal ROAS per channel (mean and 90 % interval)",
        ),
        fontsize=10,
    )
    fig.tight_layout()
    return fig


def share_chart(channels: dict[str, Any], fmt: Fmt) -> Any:
    """Share of spend vs share of media contribution per channel."""
    lang = fmt.lang
    names = list(channels)
    x = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(8.6, 2.8))
    ax.bar(
        x - 0.2,
        [channels[c]["spend_share"] for c in names],
        width=0.4,
        color=ORANGE,
        label=tr(lang, "part de la dépense", "share of spend"),
    )
    ax.bar(
        x + 0.2,
        [channels[c]["contribution_share"] for c in names],
        width=0.4,
        color=BLUE,
        label=tr(lang, "part du CA attribué au média", "share of the revenue attributed to media"),
    )
    ax.set_xticks(x)
    ax.set_xticklabels([label(c, lang) for c in names], fontsize=8)
    _pct_axis(ax, fmt)
    ax.legend(fontsize=7)
    ax.grid(axis="y", alpha=0.3)
    ax.set_title(
        tr(
            lang,
            "Part de la dépense et part du CA attribué au média, par canal (historique)",
            "Share of spend and share of the revenue attributed to media, per channel (history)",
        ),
        fontsize=10,
    )
    return fig
