"""The P&L and price sections of a scenario report page (after the executive summary).

The sections that follow are in :mod:`~optimizer.report.sections_media` (media, warehouse
capacity) and :mod:`~optimizer.report.sections_model` (model, provenance); each writes figures
from ``summary.json`` and the run tables into an :class:`~optimizer.report.html.HtmlReport`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from optimizer.report import charts
from optimizer.report.display import kpi_table, pnl_display, prices_display
from optimizer.report.html import HtmlReport, num
from optimizer.report.labels import label, tr
from optimizer.report.tables import Table

__all__ = [
    "RunTables",
    "pnl_section",
    "price_section",
]

RunTables = dict[str, pd.DataFrame]


def pnl_section(r: HtmlReport, s: dict[str, Any], tables: RunTables) -> None:
    """P&L and KPI tables, and what deciding media and prices together adds."""
    lang = r.lang
    r.heading(tr(lang, "Compte de résultat et indicateurs", "P&L and KPIs"), "pnl")
    r.table(
        pnl_display(tables["pnl"], lang),
        caption=tr(
            lang,
            "Sur l'horizon, en euros ; moyenne et intervalle à 80 % (P10-P90) "
            "sur les tirages du modèle.",
            "Over the horizon, EUR; mean and 80 % interval (P10-P90) over the model's draws.",
        ),
    )
    r.table(kpi_table(s, lang))
    jv = s["joint_vs_separate"]["difference"]["mean"]
    base = abs(s["kpis"]["contribution"]["plan"]["mean"]) or 1.0
    fmt = r.fmt
    if abs(jv) < 0.005 * base:
        r.paragraph(
            tr(
                lang,
                "Plan conjoint et plan séparé (média d'abord, puis prix) sont équivalents "
                f"({fmt.eur(jv, sign=True)}) : les deux décisions n'interagissent pas ici.",
                "The joint plan and the separate plan (media first, then prices) are "
                f"equivalent ({fmt.eur(jv, sign=True)}): the two decisions do not interact "
                "here.",
            ),
            "note",
        )
    else:
        r.paragraph(
            tr(
                lang,
                f"Décider média et prix ensemble rapporte {fmt.eur(jv, sign=True)} de "
                "plus que de les décider séparément (média d'abord, puis prix).",
                f"Deciding media and prices together earns {fmt.eur(jv, sign=True)} more "
                "than deciding them apart (media first, then prices).",
            ),
            "ok" if jv > 0 else "warn",
        )


def price_section(r: HtmlReport, s: dict[str, Any], tables: RunTables) -> None:
    """Prices: counts up/down, distribution, binding rules, Omnibus, the biggest changes."""
    lang, fmt = r.lang, r.fmt
    pr = s["pricing"]
    r.heading(tr(lang, "Prix", "Prices"), "prix")
    _price_tiles(r, pr)
    _price_rules_text(r, s, pr)
    prices = tables["prices"]
    if len(prices):
        r.figure(
            charts.price_change_chart(prices, float(pr.get("max_change") or 0.15), fmt),
            tr(lang, "Distribution des variations de prix", "Price change distribution"),
        )
    _binding_rules(r, pr)
    n_ref = pr.get("n_reference_prices", 0)
    r.paragraph(
        tr(
            lang,
            f"{fmt.count(n_ref)} baisse(s) de prix affichent un prix de référence : le "
            "prix le plus bas des 30 derniers jours (directive Omnibus), pas le prix "
            "barré habituel.",
            f"{fmt.count(n_ref)} price cut(s) show a reference price: the lowest price "
            "of the last 30 days (Omnibus directive), not the usual crossed-out price.",
        ),
        "note",
    )
    changed = prices[prices["change"].abs() > 1e-9]
    if len(changed):
        top = prices_display(prices, lang, only_changed=True, skus=pr.get("skus"))
        r.table(
            Table(top.frame.head(25), kinds=top.kinds, headers=top.headers),
            caption=tr(
                lang,
                f"Les 25 changements qui pèsent le plus sur la marge (sur "
                f"{fmt.count(len(changed))} ; liste complète dans le classeur "
                "Excel).",
                f"The 25 changes that weigh most on margin (of "
                f"{fmt.count(len(changed))}; full list in the Excel workbook).",
            ),
        )


def _price_tiles(r: HtmlReport, pr: dict[str, Any]) -> None:
    """Tiles: prices up, down, unchanged, the median change, units and orders won or lost."""
    lang, fmt = r.lang, r.fmt
    uc = pr.get("units_change", {}).get("mean")
    oc = pr.get("orders_change", {}).get("mean")
    tiles: list[tuple[str, ...]] = [
        (
            tr(lang, "Prix en hausse", "Prices up"),
            num(fmt.count(pr.get("n_up", 0)), "pricing.n_up", pr.get("n_up", 0)),
        ),
        (
            tr(lang, "Prix en baisse", "Prices down"),
            num(fmt.count(pr.get("n_down", 0)), "pricing.n_down", pr.get("n_down", 0)),
        ),
        (
            tr(lang, "Prix inchangés", "Unchanged"),
            num(
                fmt.count(pr.get("n_unchanged", 0)), "pricing.n_unchanged", pr.get("n_unchanged", 0)
            ),
        ),
        (
            tr(lang, "Variation médiane (prix modifiés)", "Median change (changed prices)"),
            num(
                fmt.pct(pr.get("change_median", 0), sign=True),
                "pricing.change_median",
                pr.get("change_median", 0),
            ),
        ),
    ]
    if uc is not None:
        tiles.append(
            (
                tr(lang, "Unités vendues, écart", "Units sold, change"),
                num(fmt.count(uc, sign=True), "pricing.units_change.mean", uc),
                tr(lang, "prix et média", "prices and media"),
            )
        )
    if oc is not None:
        tiles.append(
            (
                tr(lang, "Commandes, écart", "Orders, change"),
                num(fmt.count(oc, sign=True), "pricing.orders_change.mean", oc),
            )
        )
    r.kpis(tiles)


def _price_rules_text(r: HtmlReport, s: dict[str, Any], pr: dict[str, Any]) -> None:
    """Units won or lost by prices vs media, and the cycle's limit on price changes."""
    lang, fmt = r.lang, r.fmt
    b = s.get("bridge", {}).get("units", {})
    if b:
        r.paragraph(
            tr(
                lang,
                f"Unités gagnées ou perdues à cause des prix : {fmt.count(b['price'], sign=True)} ; "
                f"à cause du média : {fmt.count(b['media'], sign=True)} (moyennes sur "
                "l'horizon).",
                f"Units won or lost because of prices: {fmt.count(b['price'], sign=True)}; "
                f"because of media: {fmt.count(b['media'], sign=True)} (means over the "
                "horizon).",
            )
        )
    cap = pr.get("max_changes")
    if cap is not None:
        r.paragraph(
            tr(
                lang,
                f"Règle du cycle : au plus {fmt.count(cap)} produits sur "
                f"{fmt.count(pr['n_skus'])} changent de prix "
                + (
                    f"({fmt.pct(pr['max_changes_share'], 0)} du catalogue) "
                    if pr.get("max_changes_share")
                    else ""
                )
                + f"; {fmt.count(pr['n_changes'])} changent. Chaque prix varie d'au plus "
                f"± {fmt.pct(pr.get('max_change'), 0)}.",
                f"Cycle rule: at most {fmt.count(cap)} of {fmt.count(pr['n_skus'])} SKUs "
                "change price "
                + (
                    f"({fmt.pct(pr['max_changes_share'], 0)} of the catalog) "
                    if pr.get("max_changes_share")
                    else ""
                )
                + f"; {fmt.count(pr['n_changes'])} change. Each price moves by at most "
                f"± {fmt.pct(pr.get('max_change'), 0)}.",
            ),
            "info",
        )


def _binding_rules(r: HtmlReport, pr: dict[str, Any]) -> None:
    """How many SKUs each rule or constraint stops (none when no rule binds)."""
    lang = r.lang
    rules = pr.get("binding_rules", {})
    if rules:
        t = pd.DataFrame(
            [
                {"rule": label(k, lang), "n": v}
                for k, v in sorted(
                    rules.items(),
                    key=lambda kv: -kv[1],
                )
            ]
        )
        r.table(
            Table(
                t,
                kinds={"n": "count"},
                headers={
                    "rule": tr(lang, "Ce qui limite le prix", "What limits the price"),
                    "n": tr(lang, "Produits", "SKUs"),
                },
                totals=["n"],
            ),
            caption=tr(
                lang,
                "Pour chaque produit, la règle ou la contrainte qui empêche son prix "
                "d'aller plus loin.",
                "For each SKU, the rule or constraint that stops its price going further.",
            ),
        )
