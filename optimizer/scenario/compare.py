"""Compare scenario runs side by side (reads run folders, writes HTML + XLSX)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.atomic import atomic_folder
from optimizer.errors import ConfigError

__all__ = ["compare_runs", "load_run_summary", "write_comparison"]

_KEYS = (
    "contribution",
    "revenue_incl_vat",
    "gross_margin",
    "media_spend",
    "media_revenue",
    "roas",
    "cpa",
    "orders",
    "units",
    "peak_capacity_use",
    "stock_use",
    "lost_units_capacity",
)


def load_run_summary(folder: str | Path) -> dict[str, Any]:
    """Read a run folder's ``summary.json``.

    Raises
    ------
    ConfigError
        Not a run folder (no summary.json) or an unreadable summary.
    """
    folder = Path(folder)
    path = folder / "summary.json"
    if not path.is_file():
        raise ConfigError(
            f"{folder}: not a scenario run folder (no summary.json); pass folders written by "
            "'optimizer scenario run'."
        )
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: unreadable summary ({exc}); re-run the scenario.") from None
    if "kpis" not in data or "scenario" not in data:
        raise ConfigError(f"{path}: not a scenario summary (no 'kpis'); re-run the scenario.")
    return data


def compare_runs(folders: list[str | Path]) -> pd.DataFrame:
    """KPIs of several runs side by side.

    Returns
    -------
    pandas.DataFrame
        One row per (scenario, KPI): plan mean, P10, P90, current-plan mean, delta mean and its
        P10/P90; the first run's scenario is the reference for ``vs_first``.
    """
    if len(folders) < 2:
        raise ConfigError("compare needs at least two run folders.")
    summaries = [load_run_summary(f) for f in folders]
    names = [s["scenario"] for s in summaries]
    if len(set(names)) != len(names):
        names = [f"{n} ({Path(f).name})" for n, f in zip(names, folders, strict=True)]
    rows = []
    first = summaries[0]["kpis"]
    for name, s in zip(names, summaries, strict=True):
        for key in _KEYS:
            k = s["kpis"].get(key)
            if k is None:
                continue
            ref = first.get(key, {}).get("plan", {}).get("mean")
            rows.append(
                {
                    "scenario": name,
                    "kpi": key,
                    "label": k["label"],
                    "plan_mean": k["plan"]["mean"],
                    "plan_p10": k["plan"]["p10"],
                    "plan_p90": k["plan"]["p90"],
                    "current_mean": k["current"]["mean"],
                    "delta_mean": k["delta"]["mean"],
                    "delta_p10": k["delta"]["p10"],
                    "delta_p90": k["delta"]["p90"],
                    "vs_first": None if ref is None else round(k["plan"]["mean"] - ref, 4),
                }
            )
    return pd.DataFrame(rows)


def write_comparison(table: pd.DataFrame, out: str | Path, *, force: bool = False) -> Path:
    """Write ``comparison.html``, ``comparison.xlsx`` and ``comparison.csv`` atomically."""
    import matplotlib.pyplot as plt

    from optimizer.report.excel import SheetSpec, write_workbook
    from optimizer.report.html import HtmlReport

    out = Path(out)
    with atomic_folder(out, overwrite=force) as staging:
        table.to_csv(staging / "comparison.csv", index=False, lineterminator="\n")
        wide = table.pivot(index="label", columns="scenario", values="plan_mean")
        wide = wide.reindex(
            [table.loc[table["kpi"] == k, "label"].iloc[0] for k in dict.fromkeys(table["kpi"])]
        )
        r = HtmlReport("Scenario comparison", "Recommended plan of each scenario; EUR.")
        r.heading("Side by side (posterior means)")
        r.table(wide, index=True)
        c = table[table["kpi"] == "contribution"]
        fig, ax = plt.subplots(figsize=(7, 3.8))
        x = range(len(c))
        ax.bar(x, c["plan_mean"], color="#1F3B57")
        ax.errorbar(
            x,
            c["plan_mean"],
            yerr=[c["plan_mean"] - c["plan_p10"], c["plan_p90"] - c["plan_mean"]],
            fmt="none",
            color="#F0A020",
            capsize=4,
        )
        ax.set_xticks(list(x))
        ax.set_xticklabels(c["scenario"], rotation=20, fontsize=8)
        ax.set_ylabel("contribution after media (EUR)")
        ax.set_title("Contribution per scenario (mean, P10-P90)")
        r.figure(fig, "Contribution per scenario")
        r.heading("All KPIs with intervals and deltas vs each scenario's current plan")
        r.table(table.drop(columns=["kpi"]))
        r.write(staging / "comparison.html")
        write_workbook(
            staging / "comparison.xlsx",
            [
                SheetSpec("Side by side", wide, index=True),
                SheetSpec("KPIs", table),
            ],
        )
    return out
