"""Charts of the media-mix model: fit, weekly decomposition, ROAS, spend vs effect shares."""

from __future__ import annotations

from typing import Any

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from optimizer.report.charts_axes import (
    BLUE,
    COLORS,
    LIGHT,
    ORANGE,
    eur_axis,
    month_axis,
    num_axis,
    pct_axis,
)
from optimizer.report.format import Fmt
from optimizer.report.labels import label, tr

__all__ = ["decomposition_chart", "fit_chart", "roas_chart", "share_chart"]


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
    eur_axis(ax, fmt)
    month_axis(ax, fmt)
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
    eur_axis(ax, fmt)
    month_axis(ax, fmt)
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
    num_axis(ax, fmt, 1, "x")
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
    pct_axis(ax, fmt)
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
