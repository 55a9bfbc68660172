"""What the plan's gain depends on: the stress tests of the executive summary in sentences."""

from __future__ import annotations

import html
from typing import Any

from optimizer.report.format import Fmt
from optimizer.report.html import num
from optimizer.report.labels import tr

__all__ = ["stress_sentences"]


def _e(text: str) -> str:
    return html.escape(text)


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
