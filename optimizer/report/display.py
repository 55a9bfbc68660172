"""Tables of a scenario report as a person reads them: words for headers, a kind per column.

Shared by the HTML page and the Excel workbook, so both show the same columns under the same
headers. Values come from ``summary.json`` and the run tables; nothing is computed here.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from optimizer.report.format import DEFAULT_LANG, Fmt, check_lang
from optimizer.report.labels import label, tr
from optimizer.report.reasons import sku_bound_reason
from optimizer.report.tables import Table

__all__ = [
    "assumptions_display",
    "bound_why",
    "frontier_display",
    "kpi_table",
    "media_display",
    "model_display",
    "pnl_display",
    "prices_display",
]


#: KPIs shown in the KPI table, in order, with their kind.
_KPI_KINDS = {
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
    for name, kind in _KPI_KINDS.items():
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


def model_display(summary: dict[str, Any], lang: str) -> Table:
    """Per channel: spend and contribution shares, ROAS and marginal ROAS with intervals."""
    rows = []
    for c, v in summary["model"].get("channels", {}).items():
        rows.append(
            {
                "channel": label(c, lang),
                "spend": v["spend"],
                "spend_share": v["spend_share"],
                "contribution": v["contribution"]["mean"],
                "contribution_share": v["contribution_share"],
                "roas": v["roas"]["mean"],
                "roas_low": v["roas"]["low"],
                "roas_high": v["roas"]["high"],
                "mroas": v["marginal_roas"]["mean"],
                "mroas_low": v["marginal_roas"]["low"],
                "mroas_high": v["marginal_roas"]["high"],
            }
        )
    return Table(
        pd.DataFrame(rows),
        kinds={
            "spend": "eur",
            "spend_share": "pct",
            "contribution": "eur",
            "contribution_share": "pct",
            "roas": "ratio",
            "roas_low": "ratio",
            "roas_high": "ratio",
            "mroas": "ratio",
            "mroas_low": "ratio",
            "mroas_high": "ratio",
        },
        headers={
            "channel": tr(lang, "Canal", "Channel"),
            "spend": tr(lang, "Dépense (historique)", "Spend (history)"),
            "spend_share": tr(lang, "Part de la dépense", "Share of spend"),
            "contribution": tr(lang, "CA attribué (TTC)", "Attributed revenue (incl. VAT)"),
            "contribution_share": tr(
                lang, "Part du CA attribué au média", "Share of the revenue attributed to media"
            ),
            "roas": "ROAS",
            "roas_low": tr(lang, "ROAS, bas (P5)", "ROAS, low (P5)"),
            "roas_high": tr(lang, "ROAS, haut (P95)", "ROAS, high (P95)"),
            "mroas": tr(lang, "ROAS marginal", "Marginal ROAS"),
            "mroas_low": tr(lang, "ROAS marginal, bas (P5)", "Marginal ROAS, low (P5)"),
            "mroas_high": tr(lang, "ROAS marginal, haut (P95)", "Marginal ROAS, high (P95)"),
        },
        totals=["spend", "contribution"],
    )


def assumptions_display(summary: dict[str, Any], lang: str) -> Table:
    """The scenario's assumptions in words (numbers formatted for the reader)."""
    fmt = Fmt(lang)  # type: ignore[arg-type]
    a = summary.get("assumptions", {})
    h = summary["horizon"]
    yes_no = {True: tr(lang, "oui", "yes"), False: tr(lang, "non", "no")}
    objective = {
        "contribution": tr(
            lang,
            "contribution (marge - logistique - média)",
            "contribution (margin - logistics - media)",
        ),
        "margin": tr(lang, "marge brute", "gross margin"),
        "revenue": tr(lang, "chiffre d'affaires", "revenue"),
    }
    risk = a.get("risk", "mean")
    risk_text = {
        "mean": tr(lang, "résultat moyen", "mean outcome"),
    }.get(risk) or (
        tr(
            lang,
            f"résultat prudent (quantile {risk[1:]} %)",
            f"cautious outcome (quantile {risk[1:]} %)",
        )
        if risk.startswith("p")
        else tr(
            lang,
            f"moyenne des {risk[4:]} % pires cas (CVaR)",
            f"mean of the worst {risk[4:]} % of outcomes (CVaR)",
        )
    )
    cap = a.get("max_changes")
    share = a.get("max_changes_share")
    policy = (
        tr(lang, "aucune limite", "no limit")
        if cap is None
        else tr(
            lang,
            f"au plus {fmt.count(cap)} produits sur {fmt.count(a.get('n_skus', 0))}",
            f"at most {fmt.count(cap)} of {fmt.count(a.get('n_skus', 0))} SKUs",
        )
    )
    if share is not None and cap is not None:
        policy += f" ({fmt.pct(share, 0)})"
    rows: list[tuple[Any, ...]] = [
        (
            tr(lang, "Horizon", "Horizon"),
            f"{fmt.date(h['start'])} - {fmt.date(h['end'])} ({fmt.weeks(h['weeks'])})",
        ),
        (
            tr(
                lang, "Budget média sur l'horizon (HT)", "Media budget over the horizon (excl. VAT)"
            ),
            a.get("budget", summary.get("budget")),
            "eur",
        ),
        (
            tr(lang, "Budget média", "Media budget"),
            tr(lang, "dépensé en totalité", "spent in full")
            if a.get("budget_mode") == "exact"
            else tr(
                lang,
                "plafond (peut rester en partie non dépensé)",
                "a ceiling (may be partly unspent)",
            ),
        ),
        (
            tr(lang, "Objectif média", "Media objective"),
            objective.get(a.get("media_objective", ""), str(a.get("media_objective"))),
        ),
        (tr(lang, "Risque", "Risk"), risk_text),
        (
            tr(lang, "Règle de sécurité", "Safety rule"),
            tr(
                lang,
                f"le plan recommandé bat le plan actuel dans au moins "
                f"{fmt.pct(1 - float(a.get('alpha') or 0.1), 0)} des tirages mis de côté, "
                "dans des bornes tirées des données",
                f"the recommended plan beats today's in at least "
                f"{fmt.pct(1 - float(a.get('alpha') or 0.1), 0)} of the held-out samples, "
                "inside bounds derived from the data",
            )
            if a.get("media_mode", "safe") == "safe"
            else tr(lang, "désactivée (optimum libre)", "off (free optimum)"),
        ),
        (
            tr(lang, "Plan actuel de référence", "Today's plan judged against"),
            {
                "run_rate": tr(
                    lang, "rythme récent (13 dernières semaines)", "recent run-rate (last 13 weeks)"
                ),
                "last_year": tr(
                    lang,
                    "mêmes semaines l'an dernier, à budget égal",
                    "last year's same weeks, scaled to the budget",
                ),
            }.get(str(a.get("today", "run_rate")), str(a.get("today"))),
        ),
        (
            tr(lang, "Prix : règle de sécurité", "Prices: safety rule"),
            tr(
                lang,
                "les SKU dont l'élasticité est mal identifiée bougent au plus de ±"
                f"{fmt.pct(float(a.get('weak_max_change') or 0), 0)}",
                "SKUs whose elasticity is weakly identified move at most ±"
                f"{fmt.pct(float(a.get('weak_max_change') or 0), 0)}",
            )
            if a.get("price_safe")
            else tr(lang, "désactivée", "off"),
        ),
        (
            tr(lang, "Variation de prix maximale (±)", "Largest price change (±)"),
            a.get("max_change"),
            "pct",
        ),
        (tr(lang, "Taux de marge plancher", "Margin floor"), a.get("margin_floor"), "pct"),
        (
            tr(lang, "Terminaisons de prix", "Price endings"),
            ", ".join("x" + fmt.number(e, 2).lstrip("0") + " €" for e in a.get("endings", []))
            or tr(lang, "toutes", "any"),
        ),
        (tr(lang, "Changements de prix par cycle", "Price changes per cycle"), policy),
        (
            tr(lang, "Seuil légal", "Legal floor"),
            tr(
                lang,
                "prix HT ≥ coût unitaire (pas de revente à perte), toujours appliqué",
                "price excl. VAT ≥ unit cost (no resale below cost), always enforced",
            ),
        ),
        (
            tr(lang, "Prix de référence des baisses", "Reference price of reductions"),
            tr(
                lang,
                "prix le plus bas des 30 jours précédents (directive Omnibus)",
                "lowest price of the previous 30 days (Omnibus directive)",
            ),
        ),
        (
            tr(
                lang,
                "Capacité de l'entrepôt (unités logistiques par semaine)",
                "Warehouse capacity (logistics units per week)",
            ),
            *(
                (a.get("capacity_min"), "count")
                if a.get("capacity_min") == a.get("capacity_max")
                else (f"{fmt.count(a.get('capacity_min'))} - {fmt.count(a.get('capacity_max'))}",)
            ),
        ),
        (
            tr(lang, "Coût logistique par unité (HT)", "Logistics cost per unit (excl. VAT)"),
            a.get("logistics_cost_per_unit"),
            "cents",
        ),
        (
            tr(lang, "Demande au-delà de la capacité", "Demand beyond capacity"),
            tr(
                lang,
                "non expédiée (rationnement hebdomadaire), comptée comme perdue",
                "not shipped (weekly rationing), counted as lost",
            )
            if a.get("capacity_mode", "ration") == "ration"
            else tr(
                lang,
                "interdite : les prix montent jusqu'à ce qu'elle tienne",
                "not allowed: prices rise until it fits",
            ),
        ),
        (
            tr(lang, "Demande au-delà du stock", "Demand beyond stock"),
            tr(lang, "non expédiée, comptée comme perdue", "not shipped, counted as lost"),
        ),
        (
            tr(lang, "Retours", "Returns"),
            tr(
                lang,
                "remboursés et remis en stock ; l'expédition aller reste un coût",
                "refunded and restocked; the outbound shipping stays a cost",
            ),
        ),
        (
            tr(lang, "Cible du modèle média", "Media model target"),
            tr(lang, "CA brut TTC", "gross revenue incl. VAT"),
        ),
        (
            tr(lang, "Plan conjoint média + prix", "Joint media + price plan"),
            yes_no[bool(a.get("joint", True))],
        ),
        (
            tr(lang, "Tirages du modèle derrière les chiffres", "Model draws behind the figures"),
            a.get("n_samples"),
            "count",
        ),
        (tr(lang, "Graine aléatoire", "Random seed"), str(a.get("seed", summary.get("seed")))),
    ]
    # numbers stay numbers (typed cells in Excel), each with its own kind
    full = [(r[0], r[1], r[2] if len(r) > 2 else "text") for r in rows]
    return Table(
        pd.DataFrame([r[:2] for r in full], columns=["assumption", "value"]),
        kinds={"value": "row"},
        row_kinds=[r[2] for r in full],
        headers={
            "assumption": tr(lang, "Hypothèse", "Assumption"),
            "value": tr(lang, "Valeur", "Value"),
        },
    )
