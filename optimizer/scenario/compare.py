"""Compare scenario runs side by side (reads run folders).

:func:`optimizer.report.comparison.write_comparison` writes the comparison (HTML + XLSX + CSV).

Scenarios may plan different horizons (a 6-week peak beside 13-week quarters): every row says
its horizon, amounts that add up over weeks are also given **per week**, and each scenario is
compared with **its own current plan** (the same weeks at today's run-rate and prices), never
with another scenario.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.errors import ConfigError

__all__ = ["ADDITIVE", "compare_runs", "load_run_summary"]

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
#: KPIs that add up over the weeks of a horizon (compared per week across horizons).
ADDITIVE = frozenset(
    {
        "contribution",
        "revenue_incl_vat",
        "gross_margin",
        "media_spend",
        "media_revenue",
        "orders",
        "units",
        "lost_units_capacity",
    }
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


def _r(x: float | None) -> float | None:
    return None if x is None else round(float(x), 4) + 0.0


def compare_runs(folders: list[str | Path]) -> pd.DataFrame:
    """KPIs of several runs side by side.

    Returns
    -------
    pandas.DataFrame
        One row per (scenario, KPI): ``scenario``, ``kpi``, ``label``, the horizon (``weeks``,
        ``start``, ``end``), plan mean, P10, P90, current-plan mean, delta (plan - the
        scenario's own current plan) mean and P10/P90, the plan mean and the delta mean per
        week (``plan_per_week``, ``delta_per_week``; empty for ratios) and, on the
        contribution row, ``p_gain_positive``.
    """
    if len(folders) < 2:
        raise ConfigError("compare needs at least two run folders.")
    summaries = [load_run_summary(f) for f in folders]
    names = [s["scenario"] for s in summaries]
    if len(set(names)) != len(names):
        names = [f"{n} ({Path(f).name})" for n, f in zip(names, folders, strict=True)]
    rows = []
    for name, s in zip(names, summaries, strict=True):
        h = s.get("horizon", {})
        weeks = int(h.get("weeks") or 0)
        for key in _KEYS:
            k = s["kpis"].get(key)
            if k is None:
                continue
            per_week = key in ADDITIVE and weeks > 0
            rows.append(
                {
                    "scenario": name,
                    "kpi": key,
                    "label": k["label"],
                    "weeks": weeks,
                    "start": h.get("start"),
                    "end": h.get("end"),
                    "plan_mean": k["plan"]["mean"],
                    "plan_p10": k["plan"]["p10"],
                    "plan_p90": k["plan"]["p90"],
                    "current_mean": k["current"]["mean"],
                    "delta_mean": k["delta"]["mean"],
                    "delta_p10": k["delta"]["p10"],
                    "delta_p90": k["delta"]["p90"],
                    "plan_per_week": _r(k["plan"]["mean"] / weeks) if per_week else None,
                    "delta_per_week": _r(k["delta"]["mean"] / weeks) if per_week else None,
                    "p_gain_positive": s.get("confidence", {}).get("p_gain_positive")
                    if key == "contribution"
                    else None,
                }
            )
    return pd.DataFrame(rows)
