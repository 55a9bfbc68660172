"""Tables of a scenario report as a person reads them: words for headers, a kind per column.

Shared by the HTML page and the Excel workbook, so both show the same columns under the same
headers. Values come from ``summary.json`` and the run tables; nothing is computed here.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from optimizer.report.format import DEFAULT_LANG, check_lang
from optimizer.report.labels import label, tr
from optimizer.report.reasons import sku_bound_reason
from optimizer.report.tables import Table

__all__ = [
    "KPI_KINDS",
    "kpi_table",
    "pnl_display",
    "prices_display",
]


#: KPIs shown in the KPI table, in order, with their kind.
KPI_KINDS = {
    "contribution": "eur",
    "revenue_incl_vat": "eur",
    "revenue_excl_vat": "eur",
    "net_revenue_excl_vat": "eur",
    "gross_margin": "eur",
    "media_spend": "eur",
    "media_revenue": "eur",
    "roas": "ratio",
    "cpa": "cents",
    "orders": "count",
    "average_basket_incl_vat": "cents",
    "units": "count",
    "peak_capacity_use": "pct",
    "mean_capacity_use": "pct",
    "stock_use": "pct",
    "lost_units_capacity": "count",
    "lost_units_stock": "count",
}


def _line_label(line: str, lang: str) -> str:
    if line.startswith("media_") and line != "media_total":
        shop, _, channel = line.removeprefix("media_").rpartition("/")  # a portfolio's shop/channel
        where = f"{shop} / " if shop else ""
        return tr(lang, "Média, ", "Media, ") + where + label(channel, lang)
    return label(line, lang)


def kpi_table(summary: dict[str, Any], lang: str = DEFAULT_LANG) -> Table:
    """KPIs: recommended plan (mean, P10, P90), current plan, change (mean, P10, P90)."""
    lang = check_lang(lang)
    rows, kinds = [], []
    for name, kind in KPI_KINDS.items():
        k = summary["kpis"].get(name)
        if k is None:
            continue
        rows.append(
            {
                "kpi": label(name, lang),
                "plan": k["plan"]["mean"],
                "plan_p10": k["plan"]["p10"],
                "plan_p90": k["plan"]["p90"],
                "current": k["current"]["mean"],
                "delta": k["delta"]["mean"],
                "delta_p10": k["delta"]["p10"],
                "delta_p90": k["delta"]["p90"],
            }
        )
        kinds.append(kind)
    cols = ["plan", "plan_p10", "plan_p90", "current", "delta", "delta_p10", "delta_p90"]
    return Table(
        pd.DataFrame(rows),
        kinds={c: ("row_signed" if c.startswith("delta") else "row") for c in cols},
        row_kinds=kinds,
        headers=_plan_headers(lang) | {"kpi": tr(lang, "Indicateur", "Indicator")},
    )


def _plan_headers(lang: str) -> dict[str, str]:
    return {
        "plan": tr(lang, "Plan recommandé", "Recommended plan"),
        "plan_p10": "P10",
        "plan_p90": "P90",
        "current": tr(lang, "Plan actuel", "Current plan"),
        "delta": tr(lang, "Écart", "Change"),
        "delta_p10": tr(lang, "Écart P10", "Change P10"),
        "delta_p90": tr(lang, "Écart P90", "Change P90"),
    }


def pnl_display(pnl: pd.DataFrame, lang: str) -> Table:
    """The P&L with its lines in words."""
    t = pd.DataFrame(
        {
            "line": [_line_label(x, lang) for x in pnl["line"]],
            "plan": pnl["plan_mean"],
            "plan_p10": pnl["plan_p10"],
            "plan_p90": pnl["plan_p90"],
            "current": pnl["current_mean"],
            "delta": pnl["delta_mean"],
            "delta_p10": pnl["delta_p10"],
            "delta_p90": pnl["delta_p90"],
        }
    )
    kinds: dict[str, Any] = {c: "eur" for c in t.columns if c != "line"}
    kinds |= {"delta": "eur_signed", "delta_p10": "eur_signed", "delta_p90": "eur_signed"}
    return Table(
        t,
        kinds=kinds,
        headers=_plan_headers(lang)
        | {"line": tr(lang, "Ligne (HT sauf mention TTC)", "Line (excl. VAT unless stated)")},
    )


def prices_display(
    prices: pd.DataFrame,
    lang: str,
    *,
    only_changed: bool = False,
    skus: dict[str, Any] | None = None,
) -> Table:
    """Per SKU prices and economics, in words.

    ``skus`` is ``summary["pricing"]["skus"]`` when the run has per-SKU safety bounds (a
    mapping SKU -> ``{"bound": ..., "bound_reason": ...}``): their reasons are shown too.
    """
    p = prices.copy()
    if isinstance(skus, dict) and skus:
        reasons = {k: (v or {}).get("bound_reason") for k, v in skus.items() if isinstance(v, dict)}
        if any(reasons.values()):
            p["bound_reason"] = [str(reasons.get(str(k)) or "") for k in p["sku"]]
    if only_changed:
        p = p[p["change"].abs() > 1e-9]
        impact = (p["margin"] - p["current_margin"]).abs()
        p = p.loc[impact.sort_values(ascending=False, kind="stable").index]
    cols = {
        "sku": tr(lang, "Produit", "SKU"),
        "category": tr(lang, "Catégorie", "Category"),
        "current_price_incl_vat": tr(lang, "Prix actuel TTC", "Current price incl. VAT"),
        "new_price_incl_vat": tr(lang, "Nouveau prix TTC", "New price incl. VAT"),
        "change": tr(lang, "Variation", "Change"),
        "current_expected_units": tr(lang, "Unités, prix actuel", "Units, current price"),
        "expected_units": tr(lang, "Unités, nouveau prix", "Units, new price"),
        "current_margin": tr(lang, "Marge, prix actuel", "Margin, current price"),
        "margin": tr(lang, "Marge, nouveau prix", "Margin, new price"),
        "binding_rule": tr(lang, "Ce qui limite le prix", "What limits the price"),
        "reference_price": tr(lang, "Prix de référence (Omnibus)", "Reference price (Omnibus)"),
        "bound_reason": tr(lang, "Borne de sécurité : pourquoi", "Safety bound: why"),
    }
    keep = [c for c in cols if c in p.columns]
    t = p[keep].copy()
    if "binding_rule" in t:
        t["binding_rule"] = [label(str(v), lang) for v in t["binding_rule"]]
    if "bound_reason" in t:
        bound = p.get("max_change_bound_pct", pd.Series(None, index=p.index))
        rise = p.get("max_raise_bound_pct", pd.Series(None, index=p.index))
        t["bound_reason"] = [
            sku_bound_reason(
                r if isinstance(r, str) else "", lang, _num_or_none(b), _num_or_none(u)
            )
            for r, b, u in zip(t["bound_reason"], bound, rise, strict=True)
        ]
    kinds: dict[str, Any] = {
        "sku": "code",
        "current_price_incl_vat": "cents",
        "new_price_incl_vat": "cents",
        "change": "pct_signed",
        "current_expected_units": "count",
        "expected_units": "count",
        "current_margin": "eur",
        "margin": "eur",
        "reference_price": "cents",
    }
    totals = (
        []
        if only_changed
        else ["current_expected_units", "expected_units", "current_margin", "margin"]
    )
    return Table(
        t,
        kinds=kinds,
        headers=cols,
        totals=totals,
        total_label=tr(lang, "Total catalogue", "Whole catalog"),
    )


def _num_or_none(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if v == v else None
