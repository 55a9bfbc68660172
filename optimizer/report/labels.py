"""Words a person reads, in French and English: KPIs, P&L lines, channels, rules, columns.

:func:`label` never returns an identifier: a key without a translation is written in words
(``retail_media`` -> ``Retail media``), so no snake_case reaches a report, a workbook or the
console.
"""

from __future__ import annotations

from optimizer.report.format import Lang

__all__ = ["LABELS", "humanize", "label", "tr"]

#: key -> (French, English)
LABELS: dict[str, tuple[str, str]] = {
    # KPIs (scenario/kpis.py)
    "revenue_incl_vat": ("Chiffre d'affaires TTC", "Revenue incl. VAT"),
    "revenue_excl_vat": ("Chiffre d'affaires HT", "Revenue excl. VAT"),
    "net_revenue_excl_vat": ("CA net des retours HT", "Net revenue after returns excl. VAT"),
    "orders": ("Commandes", "Orders"),
    "average_basket_incl_vat": ("Panier moyen TTC", "Average basket incl. VAT"),
    "gross_margin": ("Marge brute", "Gross margin"),
    "media_spend": ("Dépenses média", "Media spend"),
    "media_revenue": ("CA incrémental du média", "Incremental revenue from media"),
    "roas": ("ROAS (CA incrémental / dépense)", "ROAS (incremental revenue / spend)"),
    "cpa": ("Coût par commande incrémentale", "Cost per incremental order"),
    "contribution": ("Contribution après média", "Contribution after media"),
    "units": ("Unités expédiées", "Units shipped"),
    "peak_capacity_use": ("Charge entrepôt, semaine la plus haute", "Peak weekly capacity use"),
    "mean_capacity_use": ("Charge entrepôt moyenne", "Mean weekly capacity use"),
    "stock_use": ("Part du stock vendue", "Stock sold (share of units on hand)"),
    "lost_units_capacity": (
        "Demande perdue faute de capacité (unités)",
        "Demand lost to capacity (units)",
    ),
    "lost_units_stock": ("Demande perdue en rupture (unités)", "Demand lost to stock-outs (units)"),
    # P&L lines (scenario/joint/pnl.py)
    "gross_revenue_incl_vat": ("CA brut TTC", "Gross revenue incl. VAT"),
    "vat": ("TVA", "VAT"),
    "gross_revenue_excl_vat": ("CA brut HT", "Gross revenue excl. VAT"),
    "returns_excl_vat": ("Retours (remboursements HT)", "Returns (refunds excl. VAT)"),
    "cogs": ("Coût des marchandises vendues", "Cost of goods sold"),
    "logistics": ("Logistique (expédition et préparation)", "Logistics (shipping and picking)"),
    "media_total": ("Média, total", "Media, total"),
    # channels of the demo store
    "seo": ("SEO", "SEO"),
    "sea": ("SEA", "SEA"),
    "social": ("Réseaux sociaux", "Social ads"),
    "affiliation": ("Affiliation", "Affiliation"),
    "retail_media": ("Retail media", "Retail media"),
    # binding price rules (pricing/optimize.py, pricing/rules.py)
    "none": ("optimum libre (aucune règle atteinte)", "free optimum (no rule reached)"),
    "legal_floor": ("seuil de revente à perte", "legal floor (no resale below cost)"),
    "margin_floor": ("taux de marge plancher", "margin floor"),
    "min_price": ("prix minimum du catalogue", "catalog minimum price"),
    "max_price": ("prix maximum du catalogue", "catalog maximum price"),
    "min_advertised_price": ("prix minimum annoncé (fournisseur)", "minimum advertised price"),
    "max_change": ("variation maximale par cycle", "largest change per cycle"),
    "sku_max_change": (
        "borne de sécurité du produit (élasticité mal connue)",
        "the SKU's safety bound (elasticity poorly known)",
    ),
    "endings": ("terminaisons de prix", "price endings"),
    "stock": ("stock disponible", "stock on hand"),
    "capacity": ("capacité de l'entrepôt", "warehouse capacity"),
    "max_changes": ("quota de changements du cycle", "cap on changes this cycle"),
    # bridge (scenario/insights.py)
    "media": ("Effet média", "Media effect"),
    "price": ("Effet prix (marge unitaire)", "Price effect (unit margin)"),
    "volume_mix": ("Volume et mix", "Volume and mix"),
    "bridge_logistics": ("Logistique", "Logistics"),
    "total": ("Total", "Total"),
    # stress tests (scenario/insights.py)
    "elasticity": ("Élasticités prix", "Price elasticities"),
    "stress_media": ("Effet du média", "Media effect"),
    "baseline": ("Demande de base (hors média)", "Baseline demand (without media)"),
    "stress_capacity": ("Capacité de l'entrepôt", "Warehouse capacity"),
    "logistics_cost": ("Coût logistique par unité", "Logistics cost per unit"),
    # plans
    "current": ("Plan actuel", "Current plan"),
    "recommended": ("Plan recommandé", "Recommended plan"),
    "separate": ("Plan séparé", "Separate plan"),
    # allocation statuses
    "optimal": ("optimal", "optimal"),
    "feasible": ("réalisable", "feasible"),
    "infeasible": ("irréalisable", "infeasible"),
}


def humanize(key: str) -> str:
    """``retail_media`` -> ``Retail media`` (for keys without a translation)."""
    text = str(key).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def label(key: str, lang: Lang | str) -> str:
    """The words for ``key`` in ``lang`` (a humanized key when there is no translation)."""
    pair = LABELS.get(str(key))
    if pair is None:
        return humanize(key)
    return pair[0] if lang == "fr" else pair[1]


def tr(lang: Lang | str, fr: str, en: str) -> str:
    """Pick the sentence for the reader's language."""
    return fr if lang == "fr" else en
