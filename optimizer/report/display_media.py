"""Media tables of a scenario report: the plan per channel, why a bound binds, the frontier.

Shared by the HTML page and the Excel workbook; values come from ``summary.json`` and the run
tables, nothing is computed here.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from optimizer.report.format import Fmt
from optimizer.report.labels import label, tr
from optimizer.report.tables import Table

__all__ = ["bound_why", "frontier_display", "media_display", "run_frontier"]


def media_display(summary: dict[str, Any], lang: str) -> Table:
    """Per channel: spend today and recommended, change, marginal ROAS at both, bound."""
    rows = []
    has_bound = False
    for c, v in summary["media"]["channels"].items():
        row = {
            "channel": label(c, lang),
            "current_spend": v["current_spend"],
            "spend": v["spend"],
            "change": v.get("change"),
            "current_mroas": v.get("current_marginal_roas", {}).get("mean"),
            "mroas": v.get("marginal_roas", {}).get("mean")
            if isinstance(v.get("marginal_roas"), dict)
            else v.get("marginal_roas"),
        }
        if "bound" in v or "bound_reason" in v:
            has_bound = True
            row["bound_min"], row["bound_max"] = _bound_range(v.get("bound"))
            row["bound_reason"] = bound_why(v.get("bound"), lang) or str(
                v.get("bound_reason") or ""
            )
        rows.append(row)
    t = pd.DataFrame(rows)
    headers = {
        "channel": tr(lang, "Canal", "Channel"),
        "current_spend": tr(lang, "Plan actuel (horizon)", "Current plan (horizon)"),
        "spend": tr(lang, "Plan recommandé (horizon)", "Recommended plan (horizon)"),
        "change": tr(lang, "Variation", "Change"),
        "current_mroas": tr(lang, "ROAS marginal, plan actuel", "Marginal ROAS, current plan"),
        "mroas": tr(lang, "ROAS marginal, plan recommandé", "Marginal ROAS, recommended"),
    }
    if has_bound:
        headers |= {
            "bound_min": tr(lang, "Borne basse (horizon)", "Lower bound (horizon)"),
            "bound_max": tr(lang, "Borne haute (horizon)", "Upper bound (horizon)"),
            "bound_reason": tr(lang, "Pourquoi cette borne", "Why this bound"),
        }
    return Table(
        t,
        kinds={
            "current_spend": "eur",
            "spend": "eur",
            "change": "pct_signed",
            "current_mroas": "ratio",
            "mroas": "ratio",
            "bound_min": "eur",
            "bound_max": "eur",
        },
        headers=headers,
        totals=["current_spend", "spend"],
        total_label=tr(lang, "Total", "Total"),
    )


def bound_why(b: Any, lang: str) -> str:
    """A channel's safe-plan bound explained in the reader's language (from its figures)."""
    if not isinstance(b, dict) or "identification" not in b:
        return ""
    fmt = Fmt(lang)  # type: ignore[arg-type]
    if not b.get("lever", True):
        return tr(
            lang,
            "gardé au niveau actuel : son coût suit les ventes (commission), ce n'est pas un "
            "levier budgétaire",
            "kept at today's spend: its cost follows sales (a commission), it is not a budget "
            "lever",
        )
    ref = float(b.get("reference") or 0.0)
    if ref <= 0:
        return tr(lang, "pas utilisé aujourd'hui : gardé à 0 €", "not used today: kept at 0 EUR")
    move = (float(b["max"]) - ref) / ref
    mroas = f"{fmt.number(b['mroas_low'], 1)} - {fmt.number(b['mroas_high'], 1)}"
    return tr(
        lang,
        f"au plus ±{fmt.pct(move, 0)} de la dépense actuelle : ROAS marginal {mroas} "
        f"(identification {fmt.pct(b['identification'], 0)}) ; au plus "
        f"{fmt.eur(b['max_weekly'])} par semaine (l'historique a atteint "
        f"{fmt.eur(b['reach'])} par semaine, rémanence comprise)",
        f"at most ±{fmt.pct(move, 0)} of today's spend: marginal ROAS {mroas} "
        f"(identification {fmt.pct(b['identification'], 0)}); at most "
        f"{fmt.eur(b['max_weekly'])} a week (the history reached {fmt.eur(b['reach'])} a week, "
        "carry-over included)",
    )


def _bound_range(b: Any) -> tuple[float | None, float | None]:
    """A channel's bound over the horizon as (lowest, highest) EUR (numbers stay numbers)."""
    if isinstance(b, dict):
        lo, hi = b.get("min", b.get("low")), b.get("max", b.get("high"))
    elif isinstance(b, list | tuple) and len(b) == 2:
        lo, hi = b
    elif isinstance(b, int | float):
        lo = hi = b
    else:
        lo = hi = None
    return (None if lo is None else float(lo), None if hi is None else float(hi))


def run_frontier(tables: dict[str, pd.DataFrame]) -> pd.DataFrame | None:
    """The run's frontier table, or None when it has none with store contributions."""
    f = tables.get("frontier")
    if f is not None and len(f) and "contribution_mean" in f:
        return f
    return None


def frontier_display(frontier: pd.DataFrame, lang: str) -> Table:
    """Frontier points: budget, store contribution and its interval, marginal return."""
    f = frontier.sort_values("spend")
    t = pd.DataFrame(
        {
            "multiplier": f["multiplier"],
            "spend": f["spend"],
            "contribution": f["contribution_mean"],
            "p10": f["contribution_p10"],
            "p90": f["contribution_p90"],
            "media_revenue": f["media_revenue"],
            "marginal_return": f["marginal_return"],
        }
    )
    return Table(
        t,
        kinds={
            "multiplier": "pct",
            "spend": "eur",
            "contribution": "eur",
            "p10": "eur",
            "p90": "eur",
            "media_revenue": "eur",
            "marginal_return": "ratio",
        },
        headers={
            "multiplier": tr(lang, "Budget, en % du scénario", "Budget, % of the scenario's"),
            "spend": tr(lang, "Budget média (HT)", "Media budget (excl. VAT)"),
            "contribution": tr(lang, "Contribution du magasin", "Store contribution"),
            "p10": "P10",
            "p90": "P90",
            "media_revenue": tr(
                lang, "CA incrémental du média (TTC)", "Incremental media revenue (incl. VAT)"
            ),
            "marginal_return": tr(
                lang, "Rendement marginal (€ par € en plus)", "Marginal return (EUR per extra EUR)"
            ),
        },
    )
