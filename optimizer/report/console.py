"""What the commands print on stdout, through the one formatting module.

``optimizer mmm fit|summary``, ``allocate`` and ``pricing fit|optimize`` print their results
with :class:`~optimizer.report.format.Fmt` and :func:`~optimizer.report.labels.label`, like the
HTML report and the workbook: ``188 236 €`` and ``13,8 %`` in French (the default),
``€188,236`` and ``13.8%`` in English, channels in words (``Retail media``), never an
identifier. Progress lines are not here: they go to stderr (:func:`optimizer.cli.common.progress`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from optimizer.report.display_media import bound_why
from optimizer.report.format import Fmt, check_lang
from optimizer.report.labels import label, tr

__all__ = [
    "align",
    "allocation_lines",
    "elasticity_line",
    "pricing_lines",
    "roas_table",
    "safe_allocation_lines",
]


def align(rows: Sequence[Sequence[str]]) -> list[str]:
    """Columns padded to their widest cell: the first left-aligned, the others right-aligned."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            [r[0].ljust(widths[0])] + [v.rjust(w) for v, w in zip(r[1:], widths[1:], strict=True)]
        )
        for r in rows
    ]


def roas_table(summary: dict[str, Any], lang: str = "fr") -> str:
    """``optimizer mmm fit|summary``: ROAS and marginal ROAS per channel, diagnostics in words."""
    fmt = Fmt(check_lang(lang))
    rows: list[Sequence[str]] = [
        (
            tr(lang, "canal", "channel"),
            tr(lang, "dépense HT", "spend excl. VAT"),
            "ROAS",
            tr(lang, "intervalle à 90 %", "90 % interval"),
            tr(lang, "ROAS marginal", "marginal ROAS"),
            tr(lang, "CA attribué TTC", "attributed revenue"),
        )
    ]
    for ch, r in summary["channels"].items():
        ro, mr, co = r["roas"], r["mroas"], r["contribution"]
        rows.append(
            (
                label(ch, lang),
                fmt.eur(r["spend"]),
                fmt.ratio(ro["mean"]),
                f"{fmt.ratio(ro['low'])} - {fmt.ratio(ro['high'])}",
                fmt.ratio(mr["mean"]),
                fmt.eur(co["mean"]),
            )
        )
    lines = align(rows)
    lines.append(
        tr(
            lang,
            "ROAS marginal : CA supplémentaire d'un euro de plus par semaine au niveau de dépense "
            "récent (13 dernières semaines), effet report stabilisé ; la même définition que le "
            "rapport de scénario.",
            "marginal ROAS: extra weekly revenue per extra weekly EUR at the recent spend (last "
            "13 weeks), carry-over settled; the same definition as the scenario report.",
        )
    )
    d, h = summary["diagnostics"], summary["holdout"]
    verdict = tr(lang, "réussis", "passed") if d["passed"] else tr(lang, "ÉCHEC", "FAILED")
    lines.append(
        tr(
            lang,
            f"contrôles de convergence : {verdict} (R-hat max {fmt.number(d['r_hat_max'], 3)}, "
            f"ESS min {fmt.count(d['ess_bulk_min'])}, {fmt.count(d['divergences'])} divergence(s))",
            f"convergence checks: {verdict} (max R-hat {fmt.number(d['r_hat_max'], 3)}, "
            f"min ESS {fmt.count(d['ess_bulk_min'])}, {fmt.count(d['divergences'])} divergences)",
        )
    )
    if h["weeks"]:
        lines.append(
            tr(
                lang,
                f"semaines de test : {h['weeks']}, erreur moyenne (MAPE) {fmt.pct(h['mape'])}, "
                f"{fmt.pct(h['coverage_90'], 0)} dans l'intervalle à 90 %",
                f"hold-out: {h['weeks']} weeks, MAPE {fmt.pct(h['mape'])}, "
                f"{fmt.pct(h['coverage_90'], 0)} inside the 90 % interval",
            )
        )
    lines += [f"  - {f}" for f in d["failures"]]
    return "\n".join(lines)


def _gap(res: Any, fmt: Fmt, decimals: int = 2) -> str:
    return fmt.na if res.rel_gap is None else fmt.pct(res.rel_gap, decimals)


def _spend_rows(plan: Any, today: Any, fmt: Fmt) -> list[str]:
    lang = fmt.lang
    rows: list[Sequence[str]] = [
        (
            tr(lang, "  canal", "  channel"),
            tr(lang, "plan", "plan"),
            tr(lang, "aujourd'hui", "today"),
        )
    ]
    rows += [(f"  {label(c, lang)}", fmt.eur(v), fmt.eur(today[c])) for c, v in plan.items()]
    return align(rows)


def safe_allocation_lines(safe: Any, lang: str = "fr") -> list[str]:
    """``optimizer allocate`` (safe mode): the promise, spend per channel, bounds and why."""
    fmt = Fmt(check_lang(lang))
    p, res = safe.promise, safe.result
    sure = fmt.probability(p.p_positive)
    lines = [
        tr(
            lang,
            "PLAN SÛR : gain attendu sur le plan actuel "
            f"{fmt.eur(p.mean, sign=True)} (P10 {fmt.eur(p.p10, sign=True)}, P90 "
            f"{fmt.eur(p.p90, sign=True)}), probabilité de gain {sure} sur {p.n_samples} "
            f"tirages mis de côté ; solution {label(res.status.value, lang)}, écart "
            f"d'optimalité {_gap(res, fmt)}.",
            f"SAFE PLAN ({safe.chosen}): expected lift over today's plan "
            f"{fmt.eur(p.mean, sign=True)} (P10 {fmt.eur(p.p10, sign=True)}, P90 "
            f"{fmt.eur(p.p90, sign=True)}), probability of a gain {sure} on {p.n_samples} "
            f"held-out samples; solver {res.status.value}, gap {_gap(res, fmt)}.",
        )
    ]
    cal = safe.promise_calibrated
    if cal is not None:
        lines.append(
            tr(
                lang,
                f"Corrigé de l'écart mesuré entre promesse et réalité : "
                f"{fmt.eur(cal.mean, sign=True)} (P10 {fmt.eur(cal.p10, sign=True)}, P90 "
                f"{fmt.eur(cal.p90, sign=True)}).",
                f"Calibrated: {fmt.eur(cal.mean, sign=True)} (P10 {fmt.eur(cal.p10, sign=True)}, "
                f"P90 {fmt.eur(cal.p90, sign=True)}): {cal.basis}.",
            )
        )
    lines += _spend_rows(safe.plan.sum(), safe.today.sum(), fmt)
    for b in safe.bounds:
        why = bound_why(
            {
                "reference": b.reference_total,
                "max": b.max_total,
                "max_weekly": b.max_weekly,
                "identification": b.identification,
                "mroas_low": b.mroas_low,
                "mroas_high": b.mroas_high,
                "reach": b.reach,
                "lever": b.lever,
            },
            lang,
        )
        name = label(b.channel, lang)
        lines.append(tr(lang, f"  borne, {name} : {why}", f"  bound, {name}: {why}"))
    if lang == "en":  # the planner writes its reason in English
        lines.append(f"Why this plan: {safe.reason}.")
    return lines


def allocation_lines(result: Any, lang: str = "fr") -> list[str]:
    """``optimizer allocate --mode free``: revenue and lift, spend and marginal ROAS per channel."""
    fmt = Fmt(check_lang(lang))
    rev, lift = result.revenue, result.revenue_lift
    lines = [
        tr(
            lang,
            f"{label(result.status.value, lang).upper()} ({result.solver}, "
            f"{fmt.number(result.seconds, 2)} s), écart d'optimalité {_gap(result, fmt, 3)}",
            f"{result.status.value.upper()} ({result.solver}, {fmt.number(result.seconds, 2)} s), "
            f"gap {_gap(result, fmt, 3)}",
        ),
        tr(
            lang,
            f"CA incrémental attendu {fmt.eur(rev.mean)} (P10 {fmt.eur(rev.p10)}, P90 "
            f"{fmt.eur(rev.p90)}) contre {fmt.eur(result.current_revenue.mean)} pour le plan "
            f"actuel : {fmt.eur(lift.mean, sign=True)} (P10 {fmt.eur(lift.p10, sign=True)}, "
            f"P90 {fmt.eur(lift.p90, sign=True)})",
            f"expected incremental revenue {fmt.eur(rev.mean)} (P10 {fmt.eur(rev.p10)}, P90 "
            f"{fmt.eur(rev.p90)}) vs current plan {fmt.eur(result.current_revenue.mean)}: "
            f"{fmt.eur(lift.mean, sign=True)} (P10 {fmt.eur(lift.p10, sign=True)}, P90 "
            f"{fmt.eur(lift.p90, sign=True)})",
        ),
    ]
    rows: list[Sequence[str]] = [
        (
            tr(lang, "  canal", "  channel"),
            tr(lang, "plan", "plan"),
            tr(lang, "aujourd'hui", "today"),
            tr(lang, "ROAS marginal", "marginal ROAS"),
            tr(lang, "retour dans l'horizon", "return within the horizon"),
        )
    ]
    for c, row in result.channels.iterrows():
        rows.append(
            (
                f"  {label(str(c), lang)}",
                fmt.eur(row["spend"]),
                fmt.eur(row["current_spend"]),
                fmt.ratio(row["steady_marginal_roas"]),
                fmt.ratio(row["marginal_roas"]),
            )
        )
    lines += align(rows)
    lines.append(
        tr(
            lang,
            "  ROAS marginal : CA supplémentaire d'un euro de plus par semaine au niveau de "
            "dépense du plan, effet report stabilisé (comme « optimizer mmm summary » et le "
            "rapport de scénario) ; retour dans l'horizon : CA supplémentaire dans l'horizon "
            "par euro de plus dépensé dans l'horizon.",
            "  marginal ROAS: extra weekly revenue per extra weekly EUR at the plan's weekly "
            "spend, carry-over settled (as in 'optimizer mmm summary' and the scenario report); "
            "return within the horizon: extra revenue inside the horizon per extra EUR spent in it.",
        )
    )
    return lines


def elasticity_line(summary: dict[str, Any], method: str, lang: str = "fr") -> str:
    """``optimizer pricing fit``: SKUs fitted, median elasticity, weakly identified."""
    fmt = Fmt(check_lang(lang))
    return tr(
        lang,
        f"{fmt.count(summary['n_skus'])} produits ajustés ({method}) en "
        f"{fmt.number(summary.get('seconds', 0), 1)} s ; élasticité médiane "
        f"{fmt.ratio(summary['elasticity_median'])} ; {fmt.count(summary['n_weakly_identified'])} "
        "faiblement identifiées (leur prix a trop peu varié dans l'historique).",
        f"Fitted {fmt.count(summary['n_skus'])} SKUs ({method}) in "
        f"{fmt.number(summary.get('seconds', 0), 1)} s; median elasticity "
        f"{fmt.ratio(summary['elasticity_median'])}, {fmt.count(summary['n_weakly_identified'])} "
        "weakly identified (their price varied too little in the history).",
    )


def pricing_lines(summary: dict[str, Any], res: Any, safety: Any, lang: str = "fr") -> list[str]:
    """``optimizer pricing optimize``: changes, margin vs today, capacity, the safe plan's promise."""
    fmt = Fmt(check_lang(lang))
    t = summary["totals"]
    rationed = (
        tr(
            lang,
            f", {fmt.count(t['rationed_units'])} unités rationnées (non expédiées faute de "
            "capacité)",
            f", {fmt.count(t['rationed_units'])} units rationed (not shipped for lack of capacity)",
        )
        if res.capacity_mode == "ration"
        else ""
    )
    lines = [
        tr(
            lang,
            f"{label(summary['status'], lang)} ({res.solver}, écart {fmt.pct(res.gap, 2)}, "
            f"{fmt.number(res.seconds, 2)} s) : {fmt.count(res.n_changes)} changements de prix, "
            f"marge {fmt.eur(t['margin'])} contre {fmt.eur(t['current_margin'])} aux prix "
            f"actuels, charge maximale de l'entrepôt {fmt.pct(t['peak_capacity_use'], 0)}"
            f"{rationed}.",
            f"{summary['status']} ({res.solver}, gap {fmt.pct(res.gap, 2)}, "
            f"{fmt.number(res.seconds, 2)} s): {fmt.count(res.n_changes)} price changes, margin "
            f"{fmt.eur(t['margin'])} vs {fmt.eur(t['current_margin'])} at current prices, peak "
            f"capacity use {fmt.pct(t['peak_capacity_use'], 0)}{rationed}.",
        )
    ]
    if safety is not None:
        if lang == "en":  # the planner names its candidates and reason in English
            lines.append(f"Safe plan ({safety.chosen}): {safety.reason}.")
        p = safety.promise
        if p is not None:
            lines.append(
                tr(
                    lang,
                    f"Engagement contre les prix actuels sur {p.n_draws} tirages mis de côté : "
                    f"{fmt.eur(p.mean, sign=True)} (P10 {fmt.eur(p.p10, sign=True)}, P90 "
                    f"{fmt.eur(p.p90, sign=True)}), probabilité de gain "
                    f"{fmt.probability(p.p_gain)}.",
                    f"Promise vs today's prices on {p.n_draws} held-out draws: "
                    f"{fmt.eur(p.mean, sign=True)} (P10 {fmt.eur(p.p10, sign=True)}, P90 "
                    f"{fmt.eur(p.p90, sign=True)}), probability of a gain "
                    f"{fmt.probability(p.p_gain)}.",
                )
            )
    return lines
