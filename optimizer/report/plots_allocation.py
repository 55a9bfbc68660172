"""PNG charts of a media frontier and a plan (matplotlib, Agg backend; renders, computes nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["plot_frontier", "plot_plan"]


def _pyplot() -> Any:
    import matplotlib  # lazy: matplotlib is heavy

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # lazy: matplotlib

    return plt


def plot_frontier(
    table: pd.DataFrame, path: str | Path, current_spend: float | None = None
) -> Path:
    """Expected revenue (mean with P10-P90 band) against spend, with incremental ROAS.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`optimizer.allocation.frontier.frontier`.
    path : str or Path
        PNG file to write.
    current_spend : float or None
        Spend of the current plan over the horizon (EUR), drawn as a vertical line.
    """
    plt = _pyplot()
    ok = table[table["status"] != "infeasible"]
    fig, (ax, ax2) = plt.subplots(
        2, 1, figsize=(7, 6), sharex=True, gridspec_kw={"height_ratios": [2, 1]}
    )
    k = 1e3
    ax.fill_between(
        ok["spend"] / k, ok["revenue_p10"] / k, ok["revenue_p90"] / k, alpha=0.25, label="P10-P90"
    )
    ax.plot(ok["spend"] / k, ok["revenue_mean"] / k, "o-", label="expected revenue")
    if current_spend is not None:
        for a in (ax, ax2):
            a.axvline(current_spend / k, color="grey", ls="--", lw=1)
    ax.set_ylabel("incremental revenue (k EUR)")
    ax.set_title("Efficient frontier: optimal plan per budget")
    ax.legend(loc="lower right")
    ax2.plot(ok["spend"] / k, ok["marginal_roas"], "s-", label="marginal ROAS at optimum")
    if "incremental_roas" in ok:
        ax2.plot(ok["spend"] / k, ok["incremental_roas"], "^--", label="incremental ROAS")
    ax2.axhline(1.0, color="red", lw=1)
    ax2.set_xlabel("media spend over the horizon (k EUR)")
    ax2.set_ylabel("EUR per EUR")
    ax2.legend(loc="upper right")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_plan(plan: pd.DataFrame, path: str | Path) -> Path:
    """Stacked weekly spend per channel (EUR), PNG."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 4))
    bottom = None
    x = range(len(plan))
    for c in plan.columns:
        ax.bar(x, plan[c] / 1e3, bottom=bottom, label=str(c))
        bottom = plan[c] / 1e3 if bottom is None else bottom + plan[c] / 1e3
    labels = [str(i.date()) if hasattr(i, "date") else str(i) for i in plan.index]
    ax.set_xticks(list(x), labels, rotation=60, fontsize=7)
    ax.set_ylabel("spend (k EUR per week)")
    ax.set_title("Optimized media plan")
    ax.legend(fontsize=7, ncol=3)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
