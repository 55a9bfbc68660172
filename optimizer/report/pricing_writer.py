"""Write the output folders of the pricing commands: fitted elasticities, and chosen prices."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from optimizer.atomic import atomic_folder
from optimizer.report.plots_pricing import plot_elasticities

__all__ = ["elasticity_summary", "pricing_summary", "write_elasticities", "write_pricing"]


def elasticity_summary(est: Any, inputs: dict[str, str]) -> dict[str, Any]:
    """The ``summary.json`` of fitted elasticities: diagnostics, counts, means per category.

    Parameters
    ----------
    est : Elasticities
        The fitted estimates.
    inputs : dict
        Input files to record (``{"sales": path, "catalog": path}``), appended last.
    """
    f = est.frame
    return {
        **(est.diagnostics or {}),
        "n_skus": len(f),
        "elasticity_median": float(f["elasticity_mean"].median()),
        "n_weakly_identified": int(f["weakly_identified"].sum()),
        "by_category": f.groupby("category")["elasticity_mean"].mean().round(3).to_dict(),
        **inputs,
    }


def write_elasticities(
    est: Any, summary: dict[str, Any], out: Path, *, force: bool = False
) -> Path:
    """Write ``out`` atomically: the estimates (``Elasticities.save``), summary.json, a plot.

    ``out`` must not exist (or be empty) unless ``force``.
    """
    with atomic_folder(out.resolve(), overwrite=force) as tmp:
        est.save(tmp)
        (tmp / "summary.json").write_text(json.dumps(summary, indent=1) + "\n", "utf-8")
        plot_elasticities(est.frame, tmp / "elasticities.png")
    return out


def pricing_summary(result: Any, history_references: bool) -> dict[str, Any]:
    """The ``summary.json`` of chosen prices; says where the reference prices came from."""
    summary: dict[str, Any] = result.summary()
    summary["reference_prices"] = (
        "sales history, 30 days" if history_references else ("current price (no --sales given)")
    )
    return summary


def write_pricing(
    result: Any,
    summary: dict[str, Any],
    out: Path,
    *,
    safety: Any = None,
    force: bool = False,
) -> Path:
    """Write ``out`` atomically: prices.csv, summary.json and, for a safe plan, safety.csv.

    ``out`` must not exist (or be empty) unless ``force``.
    """
    table = result.prices.reset_index()
    with atomic_folder(out.resolve(), overwrite=force) as tmp:
        table.to_csv(tmp / "prices.csv", index=False, lineterminator="\n", float_format="%.6g")
        (tmp / "summary.json").write_text(
            json.dumps(summary, indent=1, default=float) + "\n", "utf-8"
        )
        if safety is not None:
            safety.candidates.to_csv(
                tmp / "safety.csv", index=False, lineterminator="\n", float_format="%.6g"
            )
    return out
