"""Model and provenance sections of a scenario report page: diagnostics in words, what ran."""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from optimizer.report import charts
from optimizer.report.display_model import model_display
from optimizer.report.format import Fmt
from optimizer.report.html import HtmlReport, num
from optimizer.report.labels import tr
from optimizer.report.sections import RunTables
from optimizer.report.tables import Table

__all__ = ["model_section", "provenance_section"]


def _diagnostics_words(s: dict[str, Any], fmt: Fmt) -> list[str]:
    """The model's checks in sentences, each in the report's language.

    Long because every check (the gate, R-hat, ESS, divergences, the predictive coverage, the
    price model) is its own French and English sentence, in the order a reader checks them.
    """
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
