"""PNG chart of fitted price elasticities (matplotlib, Agg backend; renders, computes nothing)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["plot_elasticities"]


def plot_elasticities(frame: pd.DataFrame, path: Path) -> None:
    """Elasticity per SKU (mean and 90 % interval), sorted, weakly identified SKUs in orange.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``Elasticities.frame``: ``elasticity_mean``, ``elasticity_low``, ``elasticity_high``,
        ``weakly_identified``.
    path : Path
        PNG file to write.
    """
    import matplotlib  # lazy: matplotlib is heavy

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # lazy: matplotlib

    f = frame.sort_values("elasticity_mean")
    y = np.arange(len(f))
    fig, ax = plt.subplots(figsize=(7, max(3.0, 0.06 * len(f) + 1.5)))
    weak = f["weakly_identified"].to_numpy(bool)
    for mask, color, label in (
        (~weak, "tab:blue", "informed by data"),
        (weak, "tab:orange", "weakly identified (mostly prior)"),
    ):
        ax.hlines(
            y[mask],
            f["elasticity_low"][mask],
            f["elasticity_high"][mask],
            color=color,
            lw=1,
            label=label,
        )
        ax.plot(f["elasticity_mean"][mask], y[mask], "o", ms=2, color=color)
    ax.set_yticks([])
    ax.set_xlabel("price elasticity (mean and 90 % interval)")
    ax.set_ylabel(f"{len(f)} SKUs, sorted")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
