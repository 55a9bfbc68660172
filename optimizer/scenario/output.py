"""Write a scenario run folder atomically: all files or nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from optimizer.atomic import atomic_folder
from optimizer.scenario.kpis import (
    media_plan_table,
    orders_per_unit,
    pnl_table,
    prices_table,
    summary,
)
from optimizer.scenario.runner import ScenarioResult

__all__ = ["RUN_FILES", "build_tables", "write_run"]

RUN_FILES = (
    "summary.json",
    "media_plan.csv",
    "prices.csv",
    "pnl.csv",
    "report.html",
    "report.xlsx",
    "run.json",
)


def _assumptions(result: ScenarioResult) -> pd.DataFrame:
    f = result.spec.file
    d = result.demand
    rows = [
        ("Horizon", f"{d.weeks[0].date()} to {d.weeks[-1].date()} ({len(d.weeks)} weeks)"),
        ("Media budget over the horizon (EUR excl. VAT)", f"{result.budget:,.2f}"),
        ("Budget mode", f.media.budget_mode),
        ("Media objective", f.media.objective),
        ("Risk", f.media.risk),
        (
            "Price rules",
            f"max change ±{f.pricing.max_change:.0%}, margin floor "
            f"{f.pricing.margin_floor:.0%}, endings {f.pricing.endings}, max changes "
            f"{f.pricing.max_changes}",
        ),
        (
            "Price safety rule",
            (
                f"on: new prices kept only if they lose contribution vs today's prices with "
                f"held-out probability <= {f.pricing.alpha:g}; SKUs with a weakly identified "
                f"elasticity move at most ±{f.pricing.weak_max_change:.0%} (more where the "
                "identification allows, see prices.csv)"
            )
            if f.pricing.safe
            else "off: plain optimum of the posterior-mean contribution",
        ),
        ("Legal floor", "price excl. VAT >= unit cost (no revente à perte), always enforced"),
        ("Reference price shown on reductions", "lowest price of the previous 30 days (Omnibus)"),
        ("Capacity (logistics units per week)", ", ".join(f"{c:,.0f}" for c in d.capacity)),
        ("Logistics cost (EUR per unit)", f"{float(np.mean(d.cost_per_unit)):.2f}"),
        ("Returns", "refunded and restocked; outbound shipping of returned units is a cost"),
        ("Demand beyond capacity", "not shipped (weekly rationing), counted as lost"),
        ("Demand beyond stock", "not shipped, counted as lost"),
        ("Revenue target of the media-mix model", "gross revenue incl. VAT"),
        ("Posterior samples", str(d.n_samples)),
        ("Seed", str(f.seed)),
    ]
    return pd.DataFrame(rows, columns=["assumption", "value"])


def build_tables(result: ScenarioResult, summ: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """All tables of a run, computed once and shared by the CSV, HTML and Excel outputs."""
    from optimizer.report.scenario import kpi_table

    d = result.demand
    plans = result.plans
    channels = pd.DataFrame([{"channel": c, **v} for c, v in summ["media"]["channels"].items()])
    capacity = pd.DataFrame(
        {
            "week": d.weeks.strftime("%Y-%m-%d"),
            "capacity": d.capacity,
            "current_load": np.round(plans.current.shipments.load.mean(axis=0), 2),
            "plan_load": np.round(plans.joint.shipments.load.mean(axis=0), 2),
        }
    )
    return {
        "kpis": kpi_table(summ),
        "pnl": pnl_table(result),
        "media_plan": media_plan_table(result),
        "prices": prices_table(result),
        "channels": channels,
        "capacity": capacity,
        "frontier": result.frontier if result.frontier is not None else pd.DataFrame(),
        "response_curves": result.response_grid,
        "assumptions": _assumptions(result),
    }


def _json(obj: Any) -> str:
    return json.dumps(obj, indent=1, ensure_ascii=False, sort_keys=False, default=str) + "\n"


def write_run(result: ScenarioResult, out: str | Path, *, force: bool = False) -> Path:
    """Write every output of a run into ``out``, atomically.

    Parameters
    ----------
    result : ScenarioResult
        The run.
    out : str or Path
        Run folder. It must not exist unless ``force``.
    force : bool
        Replace an existing run folder.

    Returns
    -------
    Path
        The folder.

    Raises
    ------
    ConfigError
        ``out`` exists (without ``force``) or is a file.
    """
    from optimizer.report.scenario import render_html, render_xlsx

    with atomic_folder(out, overwrite=force) as staging:
        summ = summary(result, orders_per_unit(result))
        tables = build_tables(result, summ)
        run = {
            "package": "optimizer",
            **result.provenance,
            "scenario_file": str(result.spec.path) if result.spec.path else None,
            "scenario_text": result.spec.text,
            "rounds": result.plans.rounds,
        }
        (staging / "summary.json").write_text(_json(summ), encoding="utf-8")
        for name in ("media_plan", "prices", "pnl"):
            tables[name].to_csv(staging / f"{name}.csv", index=False, lineterminator="\n")
        render_html(staging / "report.html", summ, tables, run)
        render_xlsx(staging / "report.xlsx", summ, tables)
        (staging / "run.json").write_text(_json(run), encoding="utf-8")
    return Path(out)
