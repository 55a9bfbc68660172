"""PNG plots of a fitted media-mix model (matplotlib): they render results, never compute them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["plot_all", "plot_decomposition", "plot_fit", "plot_response_curves", "plot_roas"]


def _pyplot() -> Any:
    import matplotlib.pyplot as plt  # lazy: matplotlib is heavy

    return plt


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    _pyplot().close(fig)
    return path


def plot_fit(decomp: pd.DataFrame, path: Path) -> Path:
    """Actual vs fitted revenue with the 90 % predictive band; hold-out weeks shaded."""
    fig, ax = _pyplot().subplots(figsize=(10, 4))
    ax.fill_between(
        decomp.index,
        decomp["fitted_low"],
        decomp["fitted_high"],
        alpha=0.25,
        label="90 % predictive interval",
    )
    ax.plot(decomp.index, decomp["fitted"], label="fitted")
    ax.plot(decomp.index, decomp["actual"], "k.", ms=3, label="actual")
    hold = decomp.index[decomp["holdout"].to_numpy()]
    if len(hold):
        ax.axvspan(hold[0], hold[-1], color="grey", alpha=0.15, label="hold-out")
    ax.set_ylabel("EUR per week")
    ax.set_title("Revenue: fit vs actual")
    ax.legend(loc="upper left", fontsize=8)
    return _save(fig, path)


def plot_decomposition(decomp: pd.DataFrame, channels: list[str], path: Path) -> Path:
    """Stacked weekly decomposition: baseline then each channel (posterior means)."""
    fig, ax = _pyplot().subplots(figsize=(10, 4))
    ax.stackplot(
        decomp.index,
        decomp["baseline"].clip(lower=0),
        *[decomp[c] for c in channels],
        labels=["baseline", *channels],
        alpha=0.8,
    )
    ax.plot(decomp.index, decomp["actual"], "k-", lw=0.8, label="actual")
    ax.set_ylabel("EUR per week")
    ax.set_title("Weekly decomposition")
    ax.legend(loc="upper left", fontsize=8, ncol=3)
    return _save(fig, path)


def plot_response_curves(grid: pd.DataFrame, current: pd.Series, path: Path) -> Path:
    """Steady-state weekly response vs weekly spend per channel, 90 % band, current spend."""
    chans = list(dict.fromkeys(grid["channel"]))
    n = len(chans)
    cols = min(3, n)
    rows = (n + cols - 1) // cols
    fig, axes = _pyplot().subplots(rows, cols, figsize=(4 * cols, 3 * rows), squeeze=False)
    for ax, ch in zip(axes.ravel(), chans, strict=False):
        g = grid[grid["channel"] == ch]
        ax.fill_between(g["spend"], g["response_p5"], g["response_p95"], alpha=0.3)
        ax.plot(g["spend"], g["response_mean"])
        ax.axvline(float(current[ch]), color="k", ls="--", lw=0.8)
        ax.set_title(ch)
        ax.set_xlabel("spend, EUR/week")
        ax.set_ylabel("revenue, EUR/week")
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    return _save(fig, path)


def plot_roas(table: pd.DataFrame, path: Path) -> Path:
    """ROAS per channel with 90 % intervals."""
    fig, ax = _pyplot().subplots(figsize=(6, 0.6 * len(table) + 1.5))
    y = range(len(table))
    m = table["roas_mean"].to_numpy()
    err = [m - table["roas_low"].to_numpy(), table["roas_high"].to_numpy() - m]
    ax.errorbar(m, list(y), xerr=err, fmt="o", capsize=4)
    ax.set_yticks(list(y), list(table.index))
    ax.axvline(1.0, color="grey", ls=":", lw=0.8)
    ax.set_xlabel("ROAS, EUR revenue per EUR spend (mean, 90 % interval)")
    ax.set_title("Return on ad spend")
    return _save(fig, path)


def plot_all(
    decomp: pd.DataFrame, table: pd.DataFrame, grid: pd.DataFrame, folder: Path
) -> list[Path]:
    """Write the four plots into ``folder``; returns their paths."""
    chans = list(table.index)
    return [
        plot_fit(decomp, folder / "fit.png"),
        plot_decomposition(decomp, chans, folder / "decomposition.png"),
        plot_response_curves(grid, table["current_weekly_spend"], folder / "response_curves.png"),
        plot_roas(table, folder / "roas.png"),
    ]
