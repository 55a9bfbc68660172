"""The recommendation sentence and the contribution bridge table of the executive summary."""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from optimizer.report.format import Fmt, rounded_parts
from optimizer.report.html import summary_num
from optimizer.report.labels import label, tr
from optimizer.report.tables import Table

__all__ = ["bridge_table", "recommendation_sentence"]


def _e(text: str) -> str:
    return html.escape(text)


def _media_part(s: dict[str, Any], fmt: Fmt) -> str:
    lang = fmt.lang
    rec = s["recommendation"]
    a = s.get("assumptions", {})
    if not a.get("media_enabled", True):
        return tr(lang, "garder le plan média actuel", "keep the current media plan")
    budget = summary_num(s, "recommendation.media_budget", fmt.eur)
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
    n = summary_num(s, "pricing.n_changes", fmt.count)
    total = fmt.count(pr["n_skus"])
    up = summary_num(s, "pricing.n_up", fmt.count)
    down = summary_num(s, "pricing.n_down", fmt.count)
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
    gain, lo, hi = (
        summary_num(s, f"kpis.contribution.delta.{q}", lambda v: fmt.eur(v, sign=True))
        for q in ("mean", "p10", "p90")
    )
    prob = summary_num(s, "confidence.p_gain_positive", fmt.probability)
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
