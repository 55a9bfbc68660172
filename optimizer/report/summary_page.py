"""The one-page executive summary at the top of every scenario report.

It says, from ``summary.json`` only: the recommendation in one sentence, the bridge from today's
plan to the recommended one (media, price, volume and mix, logistics, with intervals, adding up
to the total change), how sure the gain is (P(gain > 0)), the three assumptions that move the
answer most, and what would change the answer. Each figure is tagged with its path in
``summary.json`` so that a test can check the page against the file.
"""

from __future__ import annotations

import html
from typing import Any

from optimizer.report.charts import bridge_chart
from optimizer.report.format import Fmt
from optimizer.report.html import HtmlReport, num, summary_num
from optimizer.report.labels import tr
from optimizer.report.summary_stress import stress_sentences
from optimizer.report.summary_text import bridge_table, recommendation_sentence
from optimizer.report.summary_warnings import promise_lines, warning_lines

__all__ = ["executive_summary"]


def _e(text: str) -> str:
    return html.escape(text)


def executive_summary(r: HtmlReport, s: dict[str, Any]) -> None:
    """Write the executive summary section (one printed page).

    Long because it writes the page's blocks in reading order (the recommendation, the tiles,
    the warnings, the bridge, what matters most), each in two languages; the sentences
    themselves come from :mod:`~optimizer.report.summary_text`,
    :mod:`~optimizer.report.summary_stress` and :mod:`~optimizer.report.summary_warnings`.
    """
    fmt = r.fmt
    lang = fmt.lang
    k = s["kpis"]
    r.markup('<section class="summary">')
    r.heading(tr(lang, "Synthèse", "Executive summary"), "synthese")
    r.markup(f'<p class="lead">{recommendation_sentence(s, fmt)}</p>')
    c = k["contribution"]
    r.kpis(
        [
            (
                tr(lang, "Contribution, plan recommandé", "Contribution, recommended plan"),
                summary_num(s, "kpis.contribution.plan.mean", fmt.eur),
                tr(lang, "après média, HT", "after media, excl. VAT"),
            ),
            (
                tr(lang, "Contribution, plan actuel", "Contribution, current plan"),
                summary_num(s, "kpis.contribution.current.mean", fmt.eur),
                tr(lang, "même horizon, même modèle", "same horizon, same model"),
            ),
            (
                tr(lang, "Écart", "Change"),
                summary_num(s, "kpis.contribution.delta.mean", lambda v: fmt.eur(v, sign=True)),
                "P10-P90 " + fmt.eur_range(c["delta"]["p10"], c["delta"]["p90"], sign=True),
            ),
            (
                tr(lang, "Probabilité de gain", "Probability of a gain"),
                summary_num(s, "confidence.p_gain_positive", fmt.probability),
                tr(
                    lang,
                    f"sur {s['confidence']['n_samples']} tirages du modèle",
                    f"over {s['confidence']['n_samples']} model draws",
                ),
            ),
        ]
    )
    for css, text in warning_lines(s, fmt):
        r.markup(f'<p class="{css}">{text}</p>')
    r.subheading(tr(lang, "D'où vient l'écart", "Where the change comes from"))
    r.markup('<div class="cols"><div>')
    r.figure(bridge_chart(s, fmt), tr(lang, "Pont de contribution", "Contribution bridge"))
    r.markup("</div></div>")
    r.table(bridge_table(s, fmt))
    r.paragraph(
        tr(
            lang,
            "Effet média : marge des ventes apportées (ou perdues) par le nouveau plan média, aux "
            "prix actuels, moins la variation de dépense. Effet prix : marge unitaire aux "
            "nouveaux prix moins aux prix actuels, sur les unités vendues. Volume et mix : "
            "unités gagnées ou perdues à cause des nouveaux prix (et changement de mix, "
            "ruptures, capacité), aux marges actuelles. Logistique : variation du coût "
            "d'expédition. Les quatre effets s'additionnent exactement, tirage par tirage.",
            "Media effect: margin of the sales the new media plan adds (or loses) at today's "
            "prices, minus the change in spend. Price effect: unit margin at the new prices "
            "minus today's, on the units sold. Volume and mix: units won or lost because of the "
            "new prices (and mix, stock-outs, capacity), at today's margins. Logistics: change "
            "in shipping cost. The four effects add up exactly, draw by draw.",
        ),
        "note",
    )
    matter, change = stress_sentences(s, fmt)
    promise = promise_lines(s, fmt)
    r.markup('<div class="cols"><div>')
    r.subheading(
        tr(
            lang,
            "Les trois hypothèses qui comptent le plus",
            "The three assumptions that matter most",
        )
    )
    r.bullets(matter, escaped=True)
    r.markup("</div><div>")
    r.subheading(tr(lang, "Ce qui changerait la réponse", "What would change the answer"))
    r.bullets(change + _frontier_hint(s, fmt) + promise, escaped=True)  # promise: HTML
    r.markup("</div></div></section>")
    r.page_break()


def _frontier_hint(s: dict[str, Any], fmt: Fmt) -> list[str]:
    lang = fmt.lang
    mr = s.get("media", {}).get("marginal_return_at_budget")
    if mr is None:
        return []
    v = num(fmt.ratio(mr, 2), "media.marginal_return_at_budget", mr)
    if mr < 0:
        return [
            tr(
                lang,
                f"Les derniers euros du budget média coûtent plus qu'ils ne rapportent "
                f"({v}\u00a0€ de contribution par euro en plus) : un budget plus bas rapporterait "
                "davantage (section Média, frontière).",
                f"The last euros of the media budget cost more than they bring ({v}\u00a0EUR of "
                "contribution per extra euro): a lower budget would earn more (Media "
                "section, frontier).",
            )
        ]
    return [
        tr(
            lang,
            f"Chaque euro média en plus rapporte encore {v}\u00a0€ de contribution : un budget "
            "plus haut rapporterait davantage si les règles le permettent (frontière).",
            f"Each extra media euro still brings {v}\u00a0EUR of contribution: a higher budget "
            "would earn more if the rules allowed it (frontier).",
        )
    ]
