"""Render a portfolio run (``report.html``) from its ``summary.json`` and tables.

Nothing here computes a figure: every number comes from the summary or a table of the run. The
page reuses the scenario report's pieces (page layout, number formats, bridge table and
waterfall, P&L table, capacity chart), per shop and for the group: the recommendation, the
bridge from today's plan, the P&L with its P10-P90 interval, each shop's media budget and
prices, and the shared warehouses' load per week. In French by default, English on request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.report.charts import bridge_chart, capacity_chart
from optimizer.report.display import pnl_display
from optimizer.report.format import DEFAULT_LANG, Fmt, check_lang
from optimizer.report.html import HtmlReport, num, summary_num
from optimizer.report.labels import label, tr
from optimizer.report.summary_text import bridge_table
from optimizer.report.tables import Table

__all__ = ["CANDIDATE_WORDS", "render_portfolio"]

#: The candidate plans in words (French, English).
CANDIDATE_WORDS = {
    "today": ("le plan actuel", "today's plan"),
    "media": ("le nouveau plan média aux prix actuels", "the new media plan at today's prices"),
    "prices": ("les nouveaux prix avec le média actuel", "the new prices with today's media"),
    "media and prices": ("le nouveau plan média et les nouveaux prix", "the new media and prices"),
    "alone": ("chaque boutique planifiée seule", "each shop planned alone"),
}


def _words(key: str, lang: str) -> str:
    fr, en = CANDIDATE_WORDS.get(key, (key, key))
    return tr(lang, fr, en)


def _summary_part(r: HtmlReport, s: dict[str, Any]) -> None:
    """The recommendation, its lift with its interval, and the KPI tiles."""
    lang, fmt = r.lang, r.fmt
    c = s["kpis"]["contribution"]
    d = c["delta"]
    r.heading(tr(lang, "Synthèse", "Summary"), "summary")
    r.markup(
        '<p class="lead">'
        + tr(
            lang,
            f"Recommandation pour le groupe : {_words(s['chosen'], lang)}. Contribution après "
            f"média {num(fmt.eur(d['mean'], sign=True), 'kpis.contribution.delta.mean', d['mean'])}"
            f" par rapport au plan actuel (P10 {fmt.eur(d['p10'], sign=True)}, P90 "
            f"{fmt.eur(d['p90'], sign=True)}), probabilité de gain "
            f"{fmt.probability(d['p_positive'])}.",
            f"Recommendation for the group: {_words(s['chosen'], lang)}. Contribution after "
            f"media {num(fmt.eur(d['mean'], sign=True), 'kpis.contribution.delta.mean', d['mean'])}"
            f" vs the current plan (P10 {fmt.eur(d['p10'], sign=True)}, P90 "
            f"{fmt.eur(d['p90'], sign=True)}), probability of a gain "
            f"{fmt.probability(d['p_positive'])}.",
        )
        + "</p>"
    )
    b = s["budget"]
    r.kpis(
        [
            (
                label("contribution", lang),
                summary_num(s, "kpis.contribution.plan.mean", fmt.eur),
                f"P10 {fmt.eur(c['plan']['p10'])} - P90 {fmt.eur(c['plan']['p90'])}",
            ),
            (
                tr(lang, "Budget média du groupe", "Group media budget"),
                fmt.eur(b["plan"]),
                tr(lang, f"aujourd'hui {fmt.eur(b['current'])}", f"today {fmt.eur(b['current'])}"),
            ),
            (tr(lang, "Boutiques", "Shops"), fmt.count(len(s["shops"]))),
        ]
    )
    if s["safe"]:
        r.paragraph(
            tr(
                lang,
                "Règle de prudence : le plan retenu bat le plan actuel dans au moins 90 % des "
                "tirages du modèle mis de côté (ceux qui n'ont pas servi à le choisir) ; le plan "
                "actuel reste un candidat.",
                "Safety rule: the plan kept beats today's in at least 90 % of the model's "
                "held-out draws (those that did not choose it); today's plan stays a candidate.",
            ),
            "note",
        )


def _shops_table(s: dict[str, Any], lang: str) -> Table:
    rows = []
    for sh in s["shops"]:
        c, b = sh["kpis"]["contribution"], sh["budget"]
        rows.append(
            {
                "shop": sh["shop"],
                "budget_current": b["current"],
                "budget_plan": b["plan"],
                "budget_range": "",
                "current": c["current"]["mean"],
                "plan": c["plan"]["mean"],
                "delta": c["delta"]["mean"],
                "delta_p10": c["delta"]["p10"],
                "delta_p90": c["delta"]["p90"],
                "p_gain": c["delta"]["p_positive"],
            }
        )
    t = pd.DataFrame(rows)
    fmt = Fmt(check_lang(lang))
    t["budget_range"] = [
        fmt.eur_range(sh["budget"]["min"], sh["budget"]["max"]) for sh in s["shops"]
    ]
    kinds = {k: "eur" for k in ("budget_current", "budget_plan", "current", "plan")}
    kinds |= {"delta": "eur_signed", "delta_p10": "eur_signed", "delta_p90": "eur_signed"}
    return Table(
        t,
        kinds=kinds | {"p_gain": "prob"},
        headers={
            "shop": tr(lang, "Boutique", "Shop"),
            "budget_current": tr(lang, "Budget actuel", "Budget today"),
            "budget_plan": tr(lang, "Budget proposé", "Budget proposed"),
            "budget_range": tr(lang, "Fourchette permise", "Allowed range"),
            "current": tr(lang, "Contribution actuelle", "Contribution today"),
            "plan": tr(lang, "Contribution du plan", "Plan contribution"),
            "delta": tr(lang, "Écart", "Change"),
            "delta_p10": tr(lang, "Écart P10", "Change P10"),
            "delta_p90": tr(lang, "Écart P90", "Change P90"),
            "p_gain": tr(lang, "Probabilité de gain", "Probability of a gain"),
        },
        totals=["budget_current", "budget_plan", "current", "plan", "delta"],
        total_label=tr(lang, "Groupe", "Group"),
    )


def _media_table(shop: dict[str, Any], lang: str) -> Table:
    rows = [
        {
            "channel": label(c, lang),
            "current": v["current"],
            "plan": v["plan"],
            "delta": v["plan"] - v["current"],
        }
        for c, v in shop["media"].items()
    ]
    return Table(
        pd.DataFrame(rows),
        kinds={"current": "eur", "plan": "eur", "delta": "eur_signed"},
        headers={
            "channel": tr(lang, "Canal", "Channel"),
            "current": tr(lang, "Actuel (horizon)", "Today (horizon)"),
            "plan": tr(lang, "Proposé (horizon)", "Proposed (horizon)"),
            "delta": tr(lang, "Écart", "Change"),
        },
        totals=["current", "plan", "delta"],
    )


def _bridge_part(r: HtmlReport, kpis: dict[str, Any], bridge: dict[str, Any]) -> None:
    fmt = r.fmt
    r.table(bridge_table({"bridge": bridge}, fmt))
    c = kpis["contribution"]
    r.figure(
        bridge_chart({"kpis": {"contribution": c}, "bridge": bridge}, fmt),
        tr(r.lang, "Pont de contribution", "Contribution bridge"),
    )


def _shop_section(r: HtmlReport, shop: dict[str, Any], tables: dict[str, pd.DataFrame]) -> None:
    lang, fmt = r.lang, r.fmt
    name = shop["shop"]
    r.heading(tr(lang, f"Boutique {name}", f"Shop {name}"), f"shop-{name}")
    p = shop["prices"]
    r.paragraph(
        tr(
            lang,
            f"Entrepôt {shop['warehouse']} ; {fmt.count(p['raised'])} prix relevés et "
            f"{fmt.count(p['cut'])} baissés sur {fmt.count(p['skus'])} références.",
            f"Warehouse {shop['warehouse']}; {fmt.count(p['raised'])} prices raised and "
            f"{fmt.count(p['cut'])} cut out of {fmt.count(p['skus'])} SKUs.",
        )
    )
    _bridge_part(r, shop["kpis"], shop["bridge"])
    pnl = tables["pnl"]
    r.table(pnl_display(pnl[pnl["shop"] == name], lang))
    r.table(_media_table(shop, lang))


def _capacity_section(r: HtmlReport, s: dict[str, Any], tables: dict[str, pd.DataFrame]) -> None:
    lang, fmt = r.lang, r.fmt
    r.heading(tr(lang, "Capacité partagée des entrepôts", "Shared warehouse capacity"), "capacity")
    cap = tables["capacity"]
    for w in s["capacity"]:
        t = cap[cap["warehouse"] == w["warehouse"]].reset_index(drop=True)
        r.subheading(tr(lang, f"Entrepôt {w['warehouse']}", f"Warehouse {w['warehouse']}"))
        r.figure(capacity_chart(t, fmt), tr(lang, "Charge par semaine", "Load per week"))
        binding = [i for i, m in enumerate(w["multipliers"]) if m > 0]
        gap = fmt.pct(w["gap"], 2)
        r.paragraph(
            tr(
                lang,
                f"Prix des boutiques coordonnés par un coût par unité logistique et par semaine "
                f"({len(binding)} semaine(s) où la capacité contraint) ; écart d'optimalité "
                f"certifié {gap}",
                f"The shops' prices are coordinated by a cost per logistics unit and week "
                f"({len(binding)} week(s) where the capacity binds); certified optimality gap "
                f"{gap}",
            )
            + (
                tr(
                    lang,
                    ". Demande prévue au-delà de la capacité (expéditions rationnées) les "
                    f"semaines du {', '.join(fmt.date(d) for d in w['overflow_weeks'])}.",
                    ". Expected demand above capacity (shipments rationed) in the weeks of "
                    f"{', '.join(fmt.date(d) for d in w['overflow_weeks'])}.",
                )
                if w["overflow_weeks"]
                else "."
            ),
            "note",
        )
        r.table(
            Table(
                t[
                    [
                        "week",
                        "capacity",
                        "current_load",
                        "plan_load",
                        "plan_use",
                        "p_full",
                        "multiplier",
                    ]
                ],
                kinds={
                    "week": "date",
                    "capacity": "count",
                    "current_load": "count",
                    "plan_load": "count",
                    "plan_use": "pct",
                    "p_full": "prob",
                    "multiplier": "cents",
                },
                headers={
                    "week": tr(lang, "Semaine", "Week"),
                    "capacity": tr(lang, "Capacité", "Capacity"),
                    "current_load": tr(lang, "Charge actuelle", "Load today"),
                    "plan_load": tr(lang, "Charge du plan", "Plan load"),
                    "plan_use": tr(lang, "Taux d'occupation", "Use"),
                    "p_full": tr(lang, "Probabilité de saturation", "Probability full"),
                    "multiplier": tr(
                        lang, "Coût de la capacité (EUR/unité)", "Capacity price (EUR/unit)"
                    ),
                },
            )
        )


def _choice_section(r: HtmlReport, s: dict[str, Any]) -> None:
    lang = r.lang
    r.heading(tr(lang, "Plans comparés", "Plans compared"), "candidates")
    rows = [
        {
            "plan": _words(x["candidate"], lang).capitalize(),
            "lift": x["lift_mean"],
            "p10": x["lift_p10"],
            "p90": x["lift_p90"],
            "p_loss": x["p_loss"],
            "safe": tr(lang, "oui", "yes") if x["safe"] else tr(lang, "non", "no"),
        }
        for x in s["selection"]
    ]
    r.table(
        Table(
            pd.DataFrame(rows),
            kinds={
                "lift": "eur_signed",
                "p10": "eur_signed",
                "p90": "eur_signed",
                "p_loss": "prob",
            },
            headers={
                "plan": tr(lang, "Plan", "Plan"),
                "lift": tr(lang, "Gain moyen", "Mean gain"),
                "p10": "P10",
                "p90": "P90",
                "p_loss": tr(lang, "Probabilité de perte", "Probability of a loss"),
                "safe": tr(lang, "Sûr", "Safe"),
            },
        ),
        caption=tr(
            lang,
            "Gain de contribution du groupe par rapport au plan actuel, sur les tirages mis de côté.",
            "The group's contribution gain over today's plan, on the held-out draws.",
        ),
    )
    a = s.get("alone")
    if a:
        fmt = r.fmt
        g = a["group_vs_alone"]
        r.paragraph(
            tr(
                lang,
                f"Planifier le groupe ensemble plutôt que chaque boutique seule (son budget, sa "
                f"part de l'entrepôt) : {fmt.eur(g['mean'], sign=True)} (P10 "
                f"{fmt.eur(g['p10'], sign=True)}, P90 {fmt.eur(g['p90'], sign=True)}).",
                f"Planning the group together rather than each shop alone (its own budget, its "
                f"share of the warehouse): {fmt.eur(g['mean'], sign=True)} (P10 "
                f"{fmt.eur(g['p10'], sign=True)}, P90 {fmt.eur(g['p90'], sign=True)}).",
            ),
            "info",
        )


def _provenance(r: HtmlReport, s: dict[str, Any], run: dict[str, Any]) -> None:
    lang = r.lang
    r.heading(tr(lang, "Provenance", "Provenance"), "provenance")
    rows = [(tr(lang, "Version du logiciel", "Software version"), str(run.get("version", "")))]
    rows += [(tr(lang, f"Graine : {k}", f"Seed: {k}"), str(v)) for k, v in s["seeds"].items()]
    rows += [
        (tr(lang, f"Empreinte : {k}", f"Fingerprint: {k}"), str(v)[:16])
        for k, v in run.get("inputs_sha256", {}).items()
    ]
    r.table(
        Table(
            pd.DataFrame(rows, columns=["item", "value"]),
            headers={"item": tr(lang, "Élément", "Item"), "value": tr(lang, "Valeur", "Value")},
        )
    )


def render_portfolio(
    path: str | Path,
    summary: dict[str, Any],
    tables: dict[str, pd.DataFrame],
    run: dict[str, Any],
    *,
    lang: str = DEFAULT_LANG,
) -> None:
    """Write the self-contained ``report.html`` of a portfolio run.

    Parameters
    ----------
    path : str or Path
    summary : dict
        ``summary.json``.
    tables : dict of str to pandas.DataFrame
        The run's tables (``pnl``, ``capacity``...).
    run : dict
        ``run.json`` (version and input fingerprints are shown; never where or how long it
        ran, so that the page is the same wherever it was computed).
    lang : {"fr", "en"}
    """
    lang = check_lang(lang)
    fmt = Fmt(lang)
    h = summary["horizon"]
    r = HtmlReport(
        tr(lang, f"Portefeuille : {summary['portfolio']}", f"Portfolio: {summary['portfolio']}"),
        tr(
            lang,
            f"Horizon du {fmt.date(h['start'])} au {fmt.date(h['end'])} ({fmt.weeks(h['weeks'])}) "
            "; montants en euros HT sauf mention TTC ; moyenne et intervalle P10-P90.",
            f"Horizon {fmt.date(h['start'])} to {fmt.date(h['end'])} ({fmt.weeks(h['weeks'])}); "
            "amounts in EUR excl. VAT unless stated; mean and P10-P90 interval.",
        ),
        lang=lang,
    )
    _summary_part(r, summary)
    r.table(_shops_table(summary, lang))
    r.heading(tr(lang, "Groupe : pont et compte de résultat", "Group: bridge and P&L"), "group")
    _bridge_part(r, summary["kpis"], summary["bridge"])
    pnl = tables["pnl"]
    r.table(pnl_display(pnl[pnl["shop"] == "total"], lang))
    for shop in summary["shops"]:
        _shop_section(r, shop, tables)
    _capacity_section(r, summary, tables)
    _choice_section(r, summary)
    _provenance(r, summary, run)
    r.write(path)
