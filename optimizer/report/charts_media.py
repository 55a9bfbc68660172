"""Charts of the media response (curves per channel, the frontier), drawn from given numbers."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from optimizer.report.charts_axes import (
    BLUE,
    GREEN,
    LIGHT,
    ORANGE,
    RED,
    eur_axis,
    num_axis,
)
from optimizer.report.format import Fmt
from optimizer.report.labels import label, tr

__all__ = ["frontier_chart", "response_chart"]


def _mark_plans(
    ax: Any, today: tuple[float, float], plan: tuple[float, float], lang: str, size: int
) -> None:
    """Today's point (orange circle) and the recommended plan's (green diamond, a size smaller)."""
    ax.plot(*today, "o", color=ORANGE, ms=size, label=label("current", lang))
    ax.plot(*plan, "D", color=GREEN, ms=size - 1, label=label("recommended", lang))


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
            today = (ch["current_weekly_spend"], ch["current_response"])
            _mark_plans(ax, today, (ch["weekly_spend"], ch["response"]), lang, 7)
        ax.set_title(label(c, lang), fontsize=9)
        eur_axis(ax, fmt)
        eur_axis(ax, fmt, "x")
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
    """Store contribution and marginal return against the media budget.

    Long because it draws the two panels of one figure (the contribution band with today's and
    the recommended budgets marked, and the marginal return), each labelled in the report's
    language.
    """
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
    spend, contribution = k["media_spend"], k["contribution"]
    _mark_plans(
        ax,
        (spend["current"]["mean"], contribution["current"]["mean"]),
        (spend["plan"]["mean"], contribution["plan"]["mean"]),
        lang,
        8,
    )
    ax.axvline(k["media_spend"]["current"]["mean"], color=ORANGE, ls=":", lw=1)
    eur_axis(ax, fmt)
    eur_axis(ax, fmt, "x")
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
    eur_axis(ax2, fmt, "x")
    num_axis(ax2, fmt, 2)
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
