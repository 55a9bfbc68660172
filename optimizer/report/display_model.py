"""Model and assumption tables of a scenario report: diagnostics, fit quality, inputs used.

Shared by the HTML page and the Excel workbook; values come from ``summary.json``, nothing is
computed here.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from optimizer.report.format import Fmt
from optimizer.report.labels import label, tr
from optimizer.report.tables import Table

__all__ = ["assumptions_display", "model_display"]


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
    rows = (
        _media_rows(summary, a, fmt)
        + _price_rows(a, fmt)
        + _supply_rows(a, fmt)
        + _model_rows(summary, a, fmt)
    )
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


def _risk_text(risk: str, lang: str) -> str:
    """The media plan's risk setting in words (mean, a quantile or a CVaR)."""
    return {
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


def _media_rows(summary: dict[str, Any], a: dict[str, Any], fmt: Fmt) -> list[tuple[Any, ...]]:
    """Horizon, budget, media objective, risk, safety rule, today's plan."""
    lang = fmt.lang
    h = summary["horizon"]
    objective = {
        "contribution": tr(
            lang,
            "contribution (marge - logistique - média)",
            "contribution (margin - logistics - media)",
        ),
        "margin": tr(lang, "marge brute", "gross margin"),
        "revenue": tr(lang, "chiffre d'affaires", "revenue"),
    }
    risk_text = _risk_text(a.get("risk", "mean"), lang)
    return [
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
    ]


def _price_rows(a: dict[str, Any], fmt: Fmt) -> list[tuple[Any, ...]]:
    """Price rules: safety, largest change, margin floor, endings, changes per cycle, law."""
    lang = fmt.lang
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
    return [
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
    ]


def _supply_rows(a: dict[str, Any], fmt: Fmt) -> list[tuple[Any, ...]]:
    """Warehouse capacity and logistics cost, demand beyond capacity or stock, returns."""
    lang = fmt.lang
    return [
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
    ]


def _model_rows(summary: dict[str, Any], a: dict[str, Any], fmt: Fmt) -> list[tuple[Any, ...]]:
    """The model's target, the joint plan, the draws behind the figures, the seed."""
    lang = fmt.lang
    yes_no = {True: tr(lang, "oui", "yes"), False: tr(lang, "non", "no")}
    return [
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
