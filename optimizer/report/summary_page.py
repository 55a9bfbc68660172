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

import pandas as pd

from optimizer.report.charts import bridge_chart
from optimizer.report.format import Fmt, rounded_parts
from optimizer.report.html import HtmlReport, num
from optimizer.report.labels import label, tr
from optimizer.report.tables import Table

__all__ = ["bridge_table", "executive_summary", "recommendation_sentence", "stress_sentences"]


def _e(text: str) -> str:
    return html.escape(text)


def _media_part(s: dict[str, Any], fmt: Fmt) -> str:
    lang = fmt.lang
    rec = s["recommendation"]
    a = s.get("assumptions", {})
    if not a.get("media_enabled", True):
        return tr(lang, "garder le plan média actuel", "keep the current media plan")
    budget = num(fmt.eur(rec["media_budget"]), "recommendation.media_budget", rec["media_budget"])
    moves = ", ".join(
        f"{_e(label(m['channel'], lang))} {_e(fmt.pct(m['change_rel'], 0, sign=True))}"
        for m in rec["media_moves"]
    )
    change = float(rec.get("media_budget_change", 0.0))
    if abs(change) < 0.005:
        head = tr(
            lang,
            f"répartir autrement le même budget média de {budget}",
            f"re-allocate the same media budget of {budget}",
        )
    else:
        word = tr(lang, "porter", "take") if change > 0 else tr(lang, "ramener", "bring")
        pct = _e(fmt.pct(change, sign=True))
        head = tr(
            lang,
            f"{word} le budget média à {budget}, soit {pct}",
            f"{word} the media budget to {budget}, {pct}",
        )
    return head + (f" ({moves})" if moves else "")


def _price_part(s: dict[str, Any], fmt: Fmt) -> str:
    lang = fmt.lang
    pr = s["pricing"]
    if not s.get("assumptions", {}).get("pricing_enabled", True) or pr["n_changes"] == 0:
        return tr(lang, "garder les prix actuels", "keep today's prices")
    n = num(fmt.count(pr["n_changes"]), "pricing.n_changes", pr["n_changes"])
    total = fmt.count(pr["n_skus"])
    up = num(fmt.count(pr["n_up"]), "pricing.n_up", pr["n_up"])
    down = num(fmt.count(pr["n_down"]), "pricing.n_down", pr["n_down"])
    return tr(
        lang,
        f"changer {n} prix sur {total} ({up} hausse{'s' if pr['n_up'] > 1 else ''}, "
        f"{down} baisse{'s' if pr['n_down'] > 1 else ''})",
        f"change {n} of {total} prices ({up} rise{'s' if pr['n_up'] != 1 else ''}, "
        f"{down} cut{'s' if pr['n_down'] != 1 else ''})",
    )


def recommendation_sentence(s: dict[str, Any], fmt: Fmt) -> str:
    """The recommendation in one sentence, as HTML (figures tagged with their summary path)."""
    lang = fmt.lang
    g = s["kpis"]["contribution"]["delta"]
    gain = num(fmt.eur(g["mean"], sign=True), "kpis.contribution.delta.mean", g["mean"])
    lo = num(fmt.eur(g["p10"], sign=True), "kpis.contribution.delta.p10", g["p10"])
    hi = num(fmt.eur(g["p90"], sign=True), "kpis.contribution.delta.p90", g["p90"])
    p = s["confidence"]["p_gain_positive"]
    prob = num(fmt.probability(p), "confidence.p_gain_positive", p)
    weeks = _e(fmt.weeks(s["horizon"]["weeks"]))
    media, price = _media_part(s, fmt), _price_part(s, fmt)
    if lang == "fr":
        return (
            f"<b>Recommandation :</b> {media} et {price}. Contribution après média : {gain} sur "
            f"{weeks} par rapport au plan actuel (8 chances sur 10 entre {lo} et {hi}) ; "
            f"probabilité que le plan rapporte plus que l'actuel : {prob}."
        )
    return (
        f"<b>Recommendation:</b> {media} and {price}. Contribution after media: {gain} over "
        f"{weeks} against the current plan (8 chances in 10 between {lo} and {hi}); "
        f"probability that the plan earns more than today's: {prob}."
    )


def bridge_table(s: dict[str, Any], fmt: Fmt) -> Table:
    """Bridge lines and total (means shown in whole euros add up to the total shown)."""
    lang = fmt.lang
    b = s["bridge"]
    means = rounded_parts([ln["mean"] for ln in b["lines"]], b["total"]["mean"])
    rows = [
        {
            "effect": label("bridge_logistics" if ln["key"] == "logistics" else ln["key"], lang),
            "mean": m,
            "p10": ln["p10"],
            "p90": ln["p90"],
            "p_positive": ln["p_positive"],
        }
        for ln, m in zip(b["lines"], means, strict=True)
    ]
    return Table(
        pd.DataFrame(rows),
        kinds={
            "mean": "eur_signed",
            "p10": "eur_signed",
            "p90": "eur_signed",
            "p_positive": "prob",
        },
        headers={
            "effect": tr(lang, "Effet", "Effect"),
            "mean": tr(lang, "Moyenne", "Mean"),
            "p10": "P10",
            "p90": "P90",
            "p_positive": tr(lang, "Probabilité > 0", "Probability > 0"),
        },
        totals=["mean"],
        total_label=tr(lang, "Écart total de contribution", "Total change in contribution"),
    )


_STRESS_WHAT = {
    "elasticity": (
        "la sensibilité des clients au prix (élasticités estimées)",
        "customers' price sensitivity (estimated elasticities)",
    ),
    "media": (
        "l'efficacité du média (courbes de réponse du modèle)",
        "media effectiveness (the model's response curves)",
    ),
    "baseline": ("la demande de base (hors média)", "baseline demand (without media)"),
    "capacity": ("la capacité de l'entrepôt", "warehouse capacity"),
    "logistics_cost": ("le coût logistique par unité", "logistics cost per unit"),
}


def _stress_move(key: str, factor: float, fmt: Fmt) -> str:
    lang = fmt.lang
    if key == "elasticity":
        return tr(
            lang, f"{fmt.pct(factor - 1, 0)} plus forte", f"{fmt.pct(factor - 1, 0)} stronger"
        )
    if key == "media":
        return tr(
            lang,
            "moitié moindre" if factor == 0.5 else f"à {fmt.pct(factor, 0)}",
            "halved" if factor == 0.5 else f"at {fmt.pct(factor, 0)}",
        )
    if key in ("baseline", "capacity"):
        return tr(lang, f"{fmt.pct(1 - factor, 0)} plus faible", f"{fmt.pct(1 - factor, 0)} lower")
    return tr(lang, f"{fmt.pct(factor - 1, 0)} plus cher", f"{fmt.pct(factor - 1, 0)} higher")


def _break_even(r: dict[str, Any], fmt: Fmt) -> str:
    lang = fmt.lang
    key, be, lim = r["key"], r["break_even"], r["limit"]
    what = tr(lang, *_STRESS_WHAT.get(key, (key, key)))
    path = f"sensitivity.{key}.break_even"
    if be is not None and be == 1.0:
        return tr(
            lang,
            "le plan ne rapporte pas plus que l'actuel selon le modèle",
            "the plan does not earn more than today's under the model",
        )
    if key in ("elasticity", "logistics_cost"):
        if be is None:
            return tr(
                lang,
                f"reste gagnant même si {what} était {fmt.ratio(lim, 1)} fois celle estimée",
                f"still pays if {what} were {fmt.ratio(lim, 1)} times the estimate",
            )
        x = num(fmt.ratio(be, 2), path, be)
        return tr(
            lang,
            f"cesse de rapporter si {what} atteint {x} fois l'estimation",
            f"stops paying if {what} reaches {x} times the estimate",
        )
    if be is None:
        if key == "media":
            return tr(
                lang,
                "reste gagnant même si le média n'avait aucun effet",
                "still pays even if media had no effect at all",
            )
        return tr(
            lang,
            f"reste gagnant même si {what} baissait de {fmt.pct(1 - lim, 0)}",
            f"still pays even if {what} fell by {fmt.pct(1 - lim, 0)}",
        )
    x = num(fmt.pct(1 - be, 0))  # shown as a fall, 1 - factor: not tagged
    if key == "media":
        return tr(
            lang,
            f"cesse de rapporter si {what} est inférieure de {x} à l'estimation",
            f"stops paying if {what} is {x} below the estimate",
        )
    return tr(
        lang, f"cesse de rapporter si {what} baisse de {x}", f"stops paying if {what} falls by {x}"
    )


def stress_sentences(s: dict[str, Any], fmt: Fmt, n: int = 3) -> tuple[list[str], list[str]]:
    """The ``n`` most influential assumptions, and what would change the answer (HTML)."""
    lang = fmt.lang
    matter, change = [], []
    for r in s.get("sensitivity", [])[:n]:
        key = r["key"]
        what = tr(lang, *_STRESS_WHAT.get(key, (key, key)))
        g = r["gain"]["mean"]
        gain = num(fmt.eur(g, sign=True), f"sensitivity.{key}.gain.mean", g)
        prob = num(
            fmt.probability(r["p_positive"]), f"sensitivity.{key}.p_positive", r["p_positive"]
        )
        move = _e(_stress_move(key, r["factor"], fmt))
        matter.append(
            tr(
                lang,
                f"<b>{_e(what[:1].upper() + what[1:])}</b> : {move}, le gain devient {gain} "
                f"(probabilité de gain {prob}).",
                f"<b>{_e(what[:1].upper() + what[1:])}</b>: {move}, the gain becomes {gain} "
                f"(probability of a gain {prob}).",
            )
        )
        change.append(tr(lang, "Le plan ", "The plan ") + _break_even(r, fmt) + ".")
    return matter, change


def _warnings(s: dict[str, Any], fmt: Fmt) -> list[tuple[str, str]]:
    lang = fmt.lang
    out: list[tuple[str, str]] = []
    k = s["kpis"]
    units = k["units"]
    if units["current"]["mean"] > 0:
        rel = units["delta"]["mean"] / units["current"]["mean"]
        if rel < -0.01:
            orders = k.get("orders")
            extra = ""
            if orders is not None:
                d = orders["delta"]["mean"]
                extra = tr(
                    lang,
                    f" et {num(fmt.count(-d), 'kpis.orders.delta.mean', d)} commandes",
                    f" and {num(fmt.count(-d), 'kpis.orders.delta.mean', d)} orders",
                )
            u = num(
                fmt.count(-units["delta"]["mean"]), "kpis.units.delta.mean", units["delta"]["mean"]
            )
            out.append(
                (
                    "warn",
                    tr(
                        lang,
                        f"Le plan vend moins : {u} unités ({_e(fmt.pct(rel, sign=True))}){extra} de "
                        "moins qu'aujourd'hui. Le gain vient de marges plus hautes sur moins de "
                        "volume ; vérifiez que c'est acceptable (part de marché, clients, stock).",
                        f"The plan sells less: {u} fewer units ({_e(fmt.pct(rel, sign=True))}){extra} "
                        "than today. The gain comes from higher margins on less volume; check that "
                        "this is acceptable (market share, customers, stock).",
                    ),
                )
            )
    b = {ln["key"]: ln for ln in s["bridge"]["lines"]}
    total = s["bridge"]["total"]["mean"]
    price_gain = b["price"]["mean"] + b["volume_mix"]["mean"]
    if (
        total > 0
        and price_gain > 0.5 * total
        and s["pricing"].get("n_up", 0) > s["pricing"].get("n_down", 0)
    ):
        share = price_gain / total
        out.append(
            (
                "info",
                tr(
                    lang,
                    f"L'essentiel du gain ({_e(fmt.pct(share, 0))}) vient des prix, surtout de "
                    "hausses : il repose sur les élasticités estimées (voir ci-dessous ce qui "
                    "changerait la réponse).",
                    f"Most of the gain ({_e(fmt.pct(share, 0))}) comes from prices, mostly rises: "
                    "it rests on the estimated elasticities (see below what would change the "
                    "answer).",
                ),
            )
        )
    p = s["confidence"]["p_gain_positive"]
    if p < 0.8:
        out.append(
            (
                "warn",
                tr(
                    lang,
                    f"Gain incertain : le plan ne rapporte plus que l'actuel que dans "
                    f"{_e(fmt.probability(p))} des scénarios plausibles du modèle.",
                    f"Uncertain gain: the plan earns more than today's in only "
                    f"{_e(fmt.probability(p))} of the model's plausible outcomes.",
                ),
            )
        )
    diag = s.get("model", {}).get("diagnostics", {})
    if diag and not diag.get("passed", True):
        out.append(
            (
                "warn",
                tr(
                    lang,
                    "Le modèle média n'a pas passé ses contrôles de convergence : "
                    "les chiffres média sont à prendre avec prudence (section Modèle).",
                    "The media model failed its convergence checks: treat the media figures "
                    "with caution (Model section).",
                ),
            )
        )
    return out


def _promise(s: dict[str, Any], fmt: Fmt) -> list[str]:
    """Safe-plan figures, when the run has them (media / pricing promise and certificate).

    Returns HTML (every figure escaped once).
    """
    lang = fmt.lang
    out = []
    for part, name in (
        ("media", tr(lang, "média", "media")),
        ("pricing", tr(lang, "prix", "prices")),
    ):
        pr = s.get(part, {}).get("promise")
        if not isinstance(pr, dict):
            continue
        bits = []
        if "mean" in pr:
            bits.append(tr(lang, "gain moyen ", "mean gain ") + _e(fmt.eur(pr["mean"], sign=True)))
        if "p10" in pr and "p90" in pr:
            bits.append("P10-P90 " + _e(fmt.eur_range(pr["p10"], pr["p90"], sign=True)))
        p = pr.get("p_lift_positive", pr.get("p_positive"))
        if p is not None:
            bits.append(
                tr(lang, "probabilité de gain ", "probability of a gain ") + _e(fmt.probability(p))
            )
        cert = s.get(part, {}).get("certificate")
        if isinstance(cert, dict) and cert.get("status"):
            status = _e(label(str(cert["status"]), lang))
            if cert.get("gap") is not None:
                status += tr(lang, ", écart d'optimalité ", ", optimality gap ") + _e(
                    fmt.pct(cert["gap"], 2)
                )
            bits.append(tr(lang, "certificat ", "certificate ") + status)
        if bits:
            out.append(tr(lang, f"Engagement {name} : ", f"Promise, {name}: ") + ", ".join(bits))
    return out


def executive_summary(r: HtmlReport, s: dict[str, Any]) -> None:
    """Write the executive summary section (one printed page)."""
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
                num(fmt.eur(c["plan"]["mean"]), "kpis.contribution.plan.mean", c["plan"]["mean"]),
                tr(lang, "après média, HT", "after media, excl. VAT"),
            ),
            (
                tr(lang, "Contribution, plan actuel", "Contribution, current plan"),
                num(
                    fmt.eur(c["current"]["mean"]),
                    "kpis.contribution.current.mean",
                    c["current"]["mean"],
                ),
                tr(lang, "même horizon, même modèle", "same horizon, same model"),
            ),
            (
                tr(lang, "Écart", "Change"),
                num(
                    fmt.eur(c["delta"]["mean"], sign=True),
                    "kpis.contribution.delta.mean",
                    c["delta"]["mean"],
                ),
                "P10-P90 " + fmt.eur_range(c["delta"]["p10"], c["delta"]["p90"], sign=True),
            ),
            (
                tr(lang, "Probabilité de gain", "Probability of a gain"),
                num(
                    fmt.probability(s["confidence"]["p_gain_positive"]),
                    "confidence.p_gain_positive",
                    s["confidence"]["p_gain_positive"],
                ),
                tr(
                    lang,
                    f"sur {s['confidence']['n_samples']} tirages du modèle",
                    f"over {s['confidence']['n_samples']} model draws",
                ),
            ),
        ]
    )
    for css, text in _warnings(s, fmt):
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
    promise = _promise(s, fmt)
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
