"""Render a scenario run (``report.html`` and ``report.xlsx``) from its computed tables.

Nothing here computes a number that is not already in ``summary.json`` or the CSV tables; the
charts only draw them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from optimizer.report.excel import SheetSpec, write_workbook
from optimizer.report.html import HtmlReport

__all__ = ["RunTables", "kpi_table", "render_html", "render_xlsx"]

RunTables = dict[str, pd.DataFrame]
_COLORS = ["#1F3B57", "#3C7DC4", "#F0A020", "#2E9D55", "#B8463B", "#7A5BA6", "#6B8E23"]


def _eur(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"{x:,.0f} €".replace(",", "\u202f")


def kpi_table(summary: dict[str, Any]) -> pd.DataFrame:
    """KPIs as a table: plan mean and P10/P90, current mean, delta mean and P10/P90."""
    rows = []
    for name, k in summary["kpis"].items():
        rows.append(
            {
                "kpi": name,
                "label": k["label"],
                "plan_mean": k["plan"]["mean"],
                "plan_p10": k["plan"]["p10"],
                "plan_p50": k["plan"]["p50"],
                "plan_p90": k["plan"]["p90"],
                "current_mean": k["current"]["mean"],
                "delta_mean": k["delta"]["mean"],
                "delta_p10": k["delta"]["p10"],
                "delta_p90": k["delta"]["p90"],
                "separate_mean": k["separate"]["mean"],
            }
        )
    return pd.DataFrame(rows)


def _fig_response(grid: pd.DataFrame) -> Any:
    fig, ax = plt.subplots(figsize=(8, 4.2))
    for i, (c, g) in enumerate(grid.groupby("channel", sort=False)):
        col = _COLORS[i % len(_COLORS)]
        ax.plot(g["spend"], g["response_mean"], color=col, label=str(c))
        ax.fill_between(g["spend"], g["response_p5"], g["response_p95"], color=col, alpha=0.15)
    ax.set_xlabel("weekly spend (EUR)")
    ax.set_ylabel("weekly incremental revenue (EUR)")
    ax.set_title("Response curves (mean and 90 % interval, steady state)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def _fig_plan(media: pd.DataFrame) -> Any:
    fig, ax = plt.subplots(figsize=(8, 4))
    chans = [c for c in media.columns if c not in ("week", "total")]
    bottom = np.zeros(len(media))
    for i, c in enumerate(chans):
        ax.bar(media["week"], media[c], bottom=bottom, color=_COLORS[i % len(_COLORS)], label=c)
        bottom += media[c].to_numpy(float)
    ax.set_ylabel("EUR excl. VAT")
    ax.set_title("Media plan by week")
    ax.tick_params(axis="x", rotation=60, labelsize=7)
    ax.legend(fontsize=8)
    return fig


def _fig_frontier(frontier: pd.DataFrame) -> Any:
    fig, ax = plt.subplots(figsize=(7, 4))
    ok = frontier[frontier["status"] != "infeasible"]
    ax.plot(ok["budget"], ok["value"], "o-", color=_COLORS[0])
    for _, r in ok.iterrows():
        ax.annotate(f"x{r['multiplier']:g}", (r["budget"], r["value"]), fontsize=7)
    ax.set_xlabel("media budget over the horizon (EUR)")
    ax.set_ylabel("objective (EUR)")
    ax.set_title("Efficient frontier: value of the best plan per budget")
    ax.grid(alpha=0.3)
    return fig


def _fig_waterfall(pnl: pd.DataFrame) -> Any:
    steps = [
        ("net_revenue_excl_vat", "Net revenue", 1),
        ("cogs", "COGS", -1),
        ("logistics", "Logistics", -1),
        ("media_total", "Media", -1),
    ]
    v = pnl.set_index("line")["plan_mean"]
    fig, ax = plt.subplots(figsize=(7, 4))
    level = 0.0
    for i, (key, _label, sign) in enumerate(steps):
        amount = float(v[key]) * sign
        bottom = level if amount >= 0 else level + amount
        ax.bar(i, abs(amount), bottom=bottom, color=_COLORS[1] if amount >= 0 else _COLORS[4])
        ax.text(i, bottom + abs(amount) / 2, _eur(amount), ha="center", fontsize=7, color="w")
        ax.set_xticks(list(range(len(steps) + 1)))
        level += amount
    ax.bar(len(steps), float(v["contribution"]), color=_COLORS[3])
    ax.text(
        len(steps),
        float(v["contribution"]) / 2,
        _eur(float(v["contribution"])),
        ha="center",
        fontsize=7,
        color="w",
    )
    ax.set_xticklabels([s[1] for s in steps] + ["Contribution"], fontsize=8)
    ax.set_title("P&L waterfall of the plan (posterior mean, EUR excl. VAT)")
    return fig


def _fig_capacity(capacity: pd.DataFrame) -> Any:
    fig, ax = plt.subplots(figsize=(8, 4))
    x = np.arange(len(capacity))
    ax.bar(x - 0.2, capacity["current_load"], width=0.4, color=_COLORS[2], label="current plan")
    ax.bar(x + 0.2, capacity["plan_load"], width=0.4, color=_COLORS[0], label="recommended plan")
    ax.step(x, capacity["capacity"], where="mid", color=_COLORS[4], label="capacity")
    ax.set_xticks(x)
    ax.set_xticklabels(capacity["week"], rotation=60, fontsize=7)
    ax.set_ylabel("logistics units shipped")
    ax.set_title("Warehouse capacity by week (posterior mean load after rationing)")
    ax.legend(fontsize=8)
    return fig


def render_html(
    path: Path, summary: dict[str, Any], tables: RunTables, run: dict[str, Any]
) -> None:
    """Write the self-contained ``report.html`` of a run."""
    r = HtmlReport(
        f"Scenario: {summary['scenario']}",
        f"{summary['description']} — horizon {summary['horizon']['start']} to "
        f"{summary['horizon']['end']} ({summary['horizon']['weeks']} weeks), amounts in EUR.",
    )
    k = summary["kpis"]
    r.heading("Key figures (recommended plan vs current plan)")
    r.kpis(
        [
            ("Contribution after media", _eur(k["contribution"]["plan"]["mean"])),
            ("vs current plan", _eur(k["contribution"]["delta"]["mean"])),
            ("Revenue incl. VAT", _eur(k["revenue_incl_vat"]["plan"]["mean"])),
            ("Media spend", _eur(k["media_spend"]["plan"]["mean"])),
            ("ROAS", f"{k['roas']['plan']['mean']:.2f}"),
            ("Peak capacity use", f"{k['peak_capacity_use']['plan']['mean']:.0%}"),
        ]
    )
    jv = summary["joint_vs_separate"]
    r.paragraph(
        "Joint media + price plan vs the separate plan (media first, then prices): "
        f"{_eur(jv['joint_contribution']['mean'])} vs {_eur(jv['separate_contribution']['mean'])} "
        f"contribution ({_eur(jv['difference']['mean'])}; 80 % interval "
        f"{_eur(jv['difference']['p10'])} to {_eur(jv['difference']['p90'])}).",
        "ok",
    )
    r.table(tables["kpis"], caption="KPIs: mean and 80 % interval (P10-P90) over the posterior.")
    r.heading("P&L (EUR excl. VAT unless stated)")
    r.figure(_fig_waterfall(tables["pnl"]), "P&L waterfall")
    r.table(tables["pnl"].drop(columns=["line"]))
    r.heading("Media plan")
    r.figure(_fig_plan(tables["media_plan"]), "Media plan by week")
    r.table(tables["channels"])
    if tables.get("frontier") is not None and len(tables["frontier"]):
        r.heading("Efficient frontier")
        r.figure(_fig_frontier(tables["frontier"]), "Efficient frontier")
        cols = [
            c
            for c in (
                "multiplier",
                "budget",
                "status",
                "value",
                "roas",
                "incremental_roas",
                "marginal_roas",
            )
            if c in tables["frontier"].columns
        ]
        r.table(tables["frontier"][cols])
    r.heading("Capacity by week")
    r.figure(_fig_capacity(tables["capacity"]), "Capacity by week")
    r.heading("Response curves")
    r.figure(_fig_response(tables["response_curves"]), "Response curves")
    r.heading("Prices")
    p = tables["prices"]
    changed = p[p["new_price_incl_vat"] != p["current_price_incl_vat"]]
    r.paragraph(f"{len(changed)} of {len(p)} prices change. Largest changes by margin impact:")
    r.table(changed.reindex(changed["margin"].abs().sort_values(ascending=False).index).head(25))
    r.heading("Model diagnostics")
    diag = summary["model"]["diagnostics"]
    ok = diag.get("passed", False)
    r.paragraph(
        "Media-mix model gate: "
        + ("passed." if ok else "FAILED: " + "; ".join(str(x) for x in diag.get("failures", []))),
        "ok" if ok else "warn",
    )
    r.preformatted(json.dumps(summary["model"], indent=1))
    r.heading("Assumptions")
    r.table(tables["assumptions"])
    r.heading("Provenance")
    r.preformatted(json.dumps({k: v for k, v in run.items() if k != "scenario_text"}, indent=1))
    r.preformatted(run.get("scenario_text", ""))
    r.write(path)


def render_xlsx(path: Path, summary: dict[str, Any], tables: RunTables) -> None:
    """Write ``report.xlsx``: Summary, P&L, Media plan, Prices, Assumptions sheets."""
    kpi = tables["kpis"]

    pnl = tables["pnl"]
    media = tables["media_plan"]
    prices = tables["prices"]
    sheets = [
        SheetSpec(
            "Summary",
            kpi,
            eur=[],
            note=f"Scenario {summary['scenario']}: KPIs, mean and "
            "P10/P50/P90 over the posterior; amounts in EUR, ratios as numbers.",
        ),
        SheetSpec(
            "P&L",
            pnl,
            eur=[c for c in pnl.columns if c not in ("line", "label")],
            note="EUR excl. VAT (gross revenue incl. VAT on its line).",
        ),
        SheetSpec(
            "Media plan",
            media,
            eur=[c for c in media.columns if c != "week"],
            note="EUR excl. VAT per week and channel.",
        ),
        SheetSpec(
            "Prices",
            prices,
            eur=[
                "current_price_incl_vat",
                "new_price_incl_vat",
                "new_price_excl_vat",
                "unit_cost",
                "revenue_excl_vat",
                "margin",
                "reference_price",
            ],
        ),
        SheetSpec("Assumptions", tables["assumptions"]),
    ]
    write_workbook(path, sheets)
