"""The sections of a scenario report page after the executive summary.

P&L and KPIs, prices, media, warehouse capacity, model, provenance: each writes figures from
``summary.json`` and the run tables into an :class:`~optimizer.report.html.HtmlReport`.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from optimizer.report import charts
from optimizer.report.display import (
    frontier_display,
    kpi_table,
    media_display,
    model_display,
    pnl_display,
    prices_display,
)
from optimizer.report.format import Fmt
from optimizer.report.html import HtmlReport, num
from optimizer.report.labels import label, tr
from optimizer.report.learning import frontier_note
from optimizer.report.tables import Table

__all__ = [
    "capacity_section",
    "media_section",
    "model_section",
    "pnl_section",
    "price_section",
    "provenance_section",
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
    prices = tables["prices"]
    if len(prices):
        r.figure(
            charts.price_change_chart(prices, float(pr.get("max_change") or 0.15), fmt),
            tr(lang, "Distribution des variations de prix", "Price change distribution"),
        )
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
    f = tables.get("frontier")
    if f is not None and len(f) and "contribution_mean" in f:
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
    r.kpis(
        [
            (
                tr(lang, "Charge, semaine la plus haute", "Peak week load"),
                num(
                    fmt.pct(k["peak_capacity_use"]["plan"]["mean"], 0),
                    "kpis.peak_capacity_use.plan.mean",
                    k["peak_capacity_use"]["plan"]["mean"],
                ),
                tr(
                    lang,
                    f"plan actuel : {fmt.pct(k['peak_capacity_use']['current']['mean'], 0)}",
                    f"current plan: {fmt.pct(k['peak_capacity_use']['current']['mean'], 0)}",
                ),
            ),
            (
                tr(lang, "Demande perdue faute de capacité", "Demand lost to capacity"),
                num(
                    fmt.count(k["lost_units_capacity"]["plan"]["mean"]),
                    "kpis.lost_units_capacity.plan.mean",
                    k["lost_units_capacity"]["plan"]["mean"],
                ),
                tr(lang, "unités", "units"),
            ),
            (
                tr(lang, "Demande perdue en rupture", "Demand lost to stock-outs"),
                num(
                    fmt.count(k["lost_units_stock"]["plan"]["mean"]),
                    "kpis.lost_units_stock.plan.mean",
                    k["lost_units_stock"]["plan"]["mean"],
                ),
                tr(lang, "unités", "units"),
            ),
        ]
    )
    r.figure(
        charts.capacity_chart(tables["capacity"], fmt),
        tr(lang, "Capacité par semaine", "Capacity by week"),
    )


def _diagnostics_words(s: dict[str, Any], fmt: Fmt) -> list[str]:
    lang = fmt.lang
    m = s.get("model", {})
    d = m.get("diagnostics", {})
    out = []
    if d:
        ok = d.get("passed", False)
        out.append(
            tr(
                lang,
                "Contrôles de convergence du modèle média : "
                + ("réussis." if ok else "ÉCHEC — les chiffres média sont fragiles."),
                "Media model convergence checks: "
                + ("passed." if ok else "FAILED — the media figures are fragile."),
            )
        )
        if "r_hat_max" in d:
            out.append(
                tr(
                    lang,
                    f"Les chaînes de simulation concordent (R-hat maximal "
                    f"{fmt.number(d['r_hat_max'], 3)} ; au-dessus de 1,01 elles ne "
                    "convergeraient pas vers la même réponse).",
                    f"The sampling chains agree (largest R-hat "
                    f"{fmt.number(d['r_hat_max'], 3)}; above 1.01 they would not agree on "
                    "one answer).",
                )
            )
        if "ess_bulk_min" in d:
            out.append(
                tr(
                    lang,
                    f"Au moins {fmt.count(d['ess_bulk_min'])} tirages indépendants par "
                    "paramètre (taille d'échantillon effective ; 400 suffisent pour des "
                    "intervalles stables).",
                    f"At least {fmt.count(d['ess_bulk_min'])} independent draws per "
                    "parameter (effective sample size; 400 are enough for stable "
                    "intervals).",
                )
            )
        if "divergences" in d:
            n = int(d["divergences"])
            out.append(
                tr(
                    lang,
                    "Aucune divergence du simulateur."
                    if n == 0
                    else f"{fmt.count(n)} divergences du simulateur : certaines zones du "
                    "modèle sont mal explorées.",
                    "No sampler divergences."
                    if n == 0
                    else f"{fmt.count(n)} sampler divergences: parts of the model are poorly "
                    "explored.",
                )
            )
        if d.get("ppc_coverage_90") is not None:
            out.append(
                tr(
                    lang,
                    f"{fmt.pct(d['ppc_coverage_90'], 0)} des semaines réelles tombent "
                    "dans l'intervalle à 90 % du modèle (attendu : environ 90 %).",
                    f"{fmt.pct(d['ppc_coverage_90'], 0)} of actual weeks fall inside the "
                    "model's 90 % interval (expected: about 90 %).",
                )
            )
        for f in d.get("failures", []):
            out.append(str(f))
    el = m.get("elasticity", {})
    if el:
        weak = el.get("weakly_identified", 0)
        out.append(
            tr(
                lang,
                f"Élasticités prix de {fmt.count(el.get('n_skus', 0))} produits (médiane "
                f"{fmt.number(el.get('median'), 2)} : +1 % de prix, "
                f"{fmt.number(el.get('median'), 2)} % de ventes) ; {fmt.count(weak)} sont "
                "faiblement identifiées : leur prix a trop peu varié dans l'historique, "
                "leur estimation reprend surtout la moyenne de leur catégorie.",
                f"Price elasticities of {fmt.count(el.get('n_skus', 0))} SKUs (median "
                f"{fmt.number(el.get('median'), 2)}: +1 % price, "
                f"{fmt.number(el.get('median'), 2)} % sales); {fmt.count(weak)} are weakly "
                "identified: their price varied too little in the history, so their "
                "estimate mostly follows their category's average.",
            )
        )
    return out


def model_section(r: HtmlReport, s: dict[str, Any], tables: RunTables) -> None:
    """Model fit, decomposition, ROAS and marginal ROAS, diagnostics in words."""
    lang, fmt = r.lang, r.fmt
    m = s.get("model", {})
    r.heading(tr(lang, "Modèle", "Model"), "modele")
    fit = m.get("fit")
    tiles: list[tuple[str, ...]] = []
    if fit:
        tiles += [
            (
                tr(lang, "R² (semaines d'apprentissage)", "R² (training weeks)"),
                num(fmt.number(fit["r2"], 2), "model.fit.r2", fit["r2"]),
            ),
            (
                tr(lang, "Erreur moyenne (MAPE)", "Mean error (MAPE)"),
                num(fmt.pct(fit["mape"]), "model.fit.mape", fit["mape"]),
                tr(lang, "en apprentissage", "in training"),
            ),
        ]
    hold = m.get("holdout")
    if hold:
        tiles.append(
            (
                tr(lang, "Erreur sur semaines de test", "Error on hold-out weeks"),
                num(fmt.pct(hold["mape"]), "model.holdout.mape", hold["mape"]),
                tr(
                    lang,
                    f"{hold['weeks']} semaines jamais vues par le modèle",
                    f"{hold['weeks']} weeks the model never saw",
                ),
            )
        )
    if fit and "media_share" in fit:
        tiles.append(
            (
                tr(lang, "Part du CA due au média", "Share of revenue from media"),
                num(fmt.pct(fit["media_share"]), "model.fit.media_share", fit["media_share"]),
                tr(lang, "historique", "history"),
            )
        )
    if tiles:
        r.kpis(tiles)
    dec = tables.get("decomposition")
    chans = list(m.get("channels", {}))
    if dec is not None and len(dec):
        r.figure(charts.fit_chart(dec, fmt), tr(lang, "Ajustement", "Fit"))
        r.figure(
            charts.decomposition_chart(dec, [c for c in chans if c in dec], fmt),
            tr(lang, "Décomposition", "Decomposition"),
        )
    if chans:
        r.figure(charts.roas_chart(m["channels"], fmt), "ROAS")
        r.figure(charts.share_chart(m["channels"], fmt), tr(lang, "Parts", "Shares"))
        r.table(
            model_display(s, lang),
            caption=tr(
                lang,
                "Sur tout l'historique. ROAS : CA attribué au canal (TTC) par euro "
                "dépensé (HT). ROAS marginal : au niveau de dépense récent (13 "
                "dernières semaines), CA d'un euro de plus par semaine une fois "
                "l'effet report stabilisé.",
                "Over the whole history. ROAS: revenue attributed to the channel "
                "(incl. VAT) per euro spent (excl. VAT). Marginal ROAS: at the recent "
                "spend (last 13 weeks), revenue from one more euro a week once "
                "carry-over has settled.",
            ),
        )
    r.subheading(tr(lang, "Diagnostics", "Diagnostics"))
    r.bullets(_diagnostics_words(s, fmt))


def provenance_section(r: HtmlReport, run: dict[str, Any]) -> None:
    """Versions, fingerprints, cache use and the scenario file."""
    lang, fmt = r.lang, r.fmt
    r.heading(tr(lang, "Provenance", "Provenance"), "provenance")
    cache = run.get("cache", {})
    reused = {k: v.get("reused") for k, v in cache.items()}
    timings = run.get("timings_seconds", {})
    rows = [
        (tr(lang, "Version du logiciel", "Software version"), str(run.get("version", ""))),
        (tr(lang, "Empreinte du code", "Code fingerprint"), str(run.get("code_sha256", ""))[:16]),
        (
            tr(lang, "Empreinte du scénario", "Scenario fingerprint"),
            str(run.get("scenario_sha256", ""))[:16],
        ),
        (tr(lang, "Graine aléatoire", "Random seed"), str(run.get("seed", ""))),
        (tr(lang, "Fichier du scénario", "Scenario file"), str(run.get("scenario_file") or "")),
    ]
    files = {
        "marketing": tr(lang, "historique marketing", "marketing history"),
        "catalog": tr(lang, "catalogue", "catalog"),
        "sales": tr(lang, "historique des ventes", "sales history"),
        "logistics": tr(lang, "logistique", "logistics"),
        "lift_tests": tr(lang, "tests d'incrémentalité", "lift tests"),
        "dataset.toml": tr(lang, "description du jeu de données", "dataset description"),
    }
    for name, digest in run.get("inputs_sha256", {}).items():
        what = files.get(name, name.replace("_", " "))
        rows.append(
            (
                tr(lang, f"Empreinte des données : {what}", f"Data fingerprint: {what}"),
                str(digest)[:16],
            )
        )
    names = {
        "mmm": tr(lang, "Ajustement du modèle média", "Fit of the media model"),
        "elasticity": tr(lang, "Ajustement des élasticités", "Fit of the elasticities"),
    }
    for key, was in reused.items():
        rows.append(
            (
                names.get(key, tr(lang, "Ajustement : ", "Fit: ") + key.replace("_", " ")),
                tr(lang, "repris du cache", "reused from the cache")
                if was
                else tr(lang, "calculé pour ce run", "computed for this run"),
            )
        )
    if "total" in timings:
        rows.append((tr(lang, "Durée du run", "Run time"), f"{fmt.number(timings['total'], 1)} s"))
    r.table(
        Table(
            pd.DataFrame(rows, columns=["item", "value"]),
            headers={"item": tr(lang, "Élément", "Item"), "value": tr(lang, "Valeur", "Value")},
        )
    )
    text = run.get("scenario_text", "")
    if text:
        r.details(
            tr(lang, "Fichier du scénario (texte source)", "Scenario file (source text)"),
            f'<pre class="source">{html.escape(text)}</pre>',
        )
