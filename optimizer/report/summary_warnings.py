"""Warnings and the promise of the executive summary: what a reader must know before acting."""

from __future__ import annotations

import html
from typing import Any

from optimizer.report.format import Fmt
from optimizer.report.html import num
from optimizer.report.labels import label, tr

__all__ = ["promise_lines", "warning_lines"]


def _e(text: str) -> str:
    return html.escape(text)


def warning_lines(s: dict[str, Any], fmt: Fmt) -> list[tuple[str, str]]:
    """The warnings of the summary page, each a (CSS class, HTML text) pair.

    Long because each warning is an independent check with its French and English text; they
    are listed in the order the page shows them.
    """
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


def promise_lines(s: dict[str, Any], fmt: Fmt) -> list[str]:
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
