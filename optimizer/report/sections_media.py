"""Media and warehouse sections of a scenario report page: the plan per channel, the capacity."""

from __future__ import annotations

from typing import Any

import pandas as pd

from optimizer.report import charts
from optimizer.report.display_media import frontier_display, media_display, run_frontier
from optimizer.report.html import HtmlReport, summary_num
from optimizer.report.labels import tr
from optimizer.report.learning import frontier_note
from optimizer.report.sections import RunTables

__all__ = ["capacity_section", "media_section"]


def media_section(r: HtmlReport, s: dict[str, Any], tables: RunTables) -> None:
    """Media: per channel and week, response curves with both plans, the frontier."""
    lang, fmt = r.lang, r.fmt
    r.heading(tr(lang, "Média", "Media"), "media")
    r.table(
        media_display(s, lang),
        caption=tr(
            lang,
            "Dépense HT sur l'horizon. ROAS marginal : CA supplémentaire (TTC) d'un "
            "euro de plus par semaine, une fois l'effet report stabilisé — la même "
            "définition que « optimizer mmm summary » et la section Modèle. Ici sur les "
            "tirages du scénario ; la section Modèle, sur tous les tirages de l'ajustement, "
            "peut en différer de quelques dixièmes au même niveau de dépense.",
            "Spend excl. VAT over the horizon. Marginal ROAS: extra revenue (incl. "
            "VAT) from one more euro a week once carry-over has settled — the same "
            "definition as 'optimizer mmm summary' and the Model section. Here on the "
            "scenario's draws; the Model section, on all the fit's draws, may differ by a "
            "few tenths at the same spend.",
        ),
    )
    if "media_weeks" in tables and len(tables["media_weeks"]):
        r.figure(
            charts.media_weeks_chart(tables["media_weeks"], fmt),
            tr(lang, "Dépense par semaine et canal", "Spend per week and channel"),
        )
    if len(tables.get("response_curves", pd.DataFrame())):
        r.figure(
            charts.response_chart(tables["response_curves"], s["media"]["channels"], fmt),
            tr(lang, "Courbes de réponse", "Response curves"),
            tr(
                lang,
                "Rond : dépense hebdomadaire actuelle ; losange : recommandée.",
                "Circle: current weekly spend; diamond: recommended.",
            ),
        )
    f = run_frontier(tables)
    if f is not None:
        r.subheading(
            tr(
                lang,
                "Frontière : que rapporterait un autre budget ?",
                "Frontier: what would another budget bring?",
            )
        )
        r.figure(charts.frontier_chart(f, s, fmt), tr(lang, "Frontière", "Frontier"))
        note = frontier_note(s, f, fmt)
        if note:
            r.markup(f'<p class="info">{note}</p>')
        r.table(frontier_display(f, lang))
        r.paragraph(
            tr(
                lang,
                "Chaque point est le meilleur plan média à ce budget, évalué comme le plan "
                "recommandé : contribution de tout le magasin après média, aux prix "
                "recommandés, avec stock et capacité. Les budgets vont de ce que les "
                "règles par canal permettent au plus bas à ce qu'elles permettent au plus "
                "haut (par exemple ± 30 % par canal : 70 % à 130 % du budget).",
                "Each point is the best media plan at that budget, valued like the "
                "recommended plan: the whole store's contribution after media, at the "
                "recommended prices, with stock and capacity. Budgets run from the lowest "
                "to the highest the per-channel rules allow (e.g. ± 30 % per channel: 70 % "
                "to 130 % of the budget).",
            ),
            "note",
        )


def capacity_section(r: HtmlReport, s: dict[str, Any], tables: RunTables) -> None:
    """Warehouse load per week against capacity, and demand lost."""
    lang, fmt = r.lang, r.fmt
    k = s["kpis"]
    r.heading(tr(lang, "Capacité de l'entrepôt", "Warehouse capacity"), "capacite")
    peak = (
        tr(lang, "Charge, semaine la plus haute", "Peak week load"),
        summary_num(s, "kpis.peak_capacity_use.plan.mean", lambda v: fmt.pct(v, 0)),
        tr(
            lang,
            f"plan actuel : {fmt.pct(k['peak_capacity_use']['current']['mean'], 0)}",
            f"current plan: {fmt.pct(k['peak_capacity_use']['current']['mean'], 0)}",
        ),
    )
    lost = {
        "lost_units_capacity": tr(
            lang, "Demande perdue faute de capacité", "Demand lost to capacity"
        ),
        "lost_units_stock": tr(lang, "Demande perdue en rupture", "Demand lost to stock-outs"),
    }
    units = tr(lang, "unités", "units")
    r.kpis(
        [peak]
        + [
            (title, summary_num(s, f"kpis.{key}.plan.mean", fmt.count), units)
            for key, title in lost.items()
        ]
    )
    r.figure(
        charts.capacity_chart(tables["capacity"], fmt),
        tr(lang, "Capacité par semaine", "Capacity by week"),
    )
