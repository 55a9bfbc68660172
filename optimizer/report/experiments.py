"""The experiment plan and a test read-out in plain words (French or English).

Renders :class:`~optimizer.experiment.plan.ExperimentPlan` and
:class:`~optimizer.experiment.readout.Readout`: per channel what the model knows (the interval
of its marginal ROAS), what a test would settle and what that is worth, then the recommended
test with its dates and weekly spend. Computes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from optimizer.atomic import atomic_folder
from optimizer.data.lift_tests import write_lift_tests
from optimizer.report.format import Fmt
from optimizer.report.labels import label, tr

__all__ = [
    "channel_lines",
    "design_text",
    "plan_markdown",
    "readout_text",
    "write_experiment_plan",
    "write_plan_files",
    "write_readout",
]


def channel_lines(plan: Any, lang: str = "fr") -> list[str]:
    """One sentence per channel: known interval, what its best test would settle, its worth."""
    f = Fmt(lang)  # type: ignore[arg-type]
    out = []
    for k in plan.knowledge:
        known = tr(
            lang,
            f"**{label(k.channel, lang)}** : chaque euro de plus rapporte entre {f.ratio(k.mroas_low)} et "
            f"{f.ratio(k.mroas_high)} € (médiane {f.ratio(k.mroas_median)}, identification "
            f"{f.pct(k.identification, 0)})",
            f"**{label(k.channel, lang)}**: one more euro brings {f.ratio(k.mroas_low)} to "
            f"{f.ratio(k.mroas_high)} EUR (median {f.ratio(k.mroas_median)}, identification "
            f"{f.pct(k.identification, 0)})",
        )
        b = k.best
        if not k.lever:
            more = tr(
                lang,
                "son coût suit les ventes : ce n'est pas un levier, il n'est pas testé.",
                "its cost follows sales: not a lever, not tested.",
            )
        elif b is None:
            more = tr(lang, "aucun test possible sur ce plan.", "no test fits this plan.")
        elif b.value <= 2.0 * b.value_se:
            d = b.design
            more = tr(
                lang,
                f"même son meilleur test ({d.action}, {d.weeks} semaines, mesuré à ± "
                f"{f.eur(b.se)} près) n'améliorerait pas le prochain plan de façon mesurable "
                f"(valeur {f.eur(b.value, sign=True)} ± {f.eur(b.value_se)}) : ce qu'on sait "
                "suffit pour décider.",
                f"even its best test ({d.action}, {d.weeks} weeks, measured to ± {f.eur(b.se)}) "
                f"would not improve the next plan measurably (value {f.eur(b.value, sign=True)} "
                f"± {f.eur(b.value_se)}): what is known is enough to decide.",
            )
        else:
            d = b.design
            more = tr(
                lang,
                f"le meilleur test ({d.action}, {d.weeks} semaines) mesurerait "
                f"{f.eur(b.lift_mean, sign=True)} (90 % : {f.eur_range(b.lift_p05, b.lift_p95)}) "
                f"à ± {f.eur(b.se)} près, détecté avec {f.pct(b.p_detect, 0)} de chances ; il "
                f"changerait le prochain plan dans {f.pct(b.p_change, 0)} des cas et vaut "
                f"{f.eur(b.value, sign=True)} pour un coût de {f.eur(b.cost)} "
                f"(net {f.eur(b.net, sign=True)}).",
                f"its best test ({d.action}, {d.weeks} weeks) would measure "
                f"{f.eur(b.lift_mean, sign=True)} (90 %: {f.eur_range(b.lift_p05, b.lift_p95)}) "
                f"to ± {f.eur(b.se)}, detected with probability {f.pct(b.p_detect, 0)}; it would "
                f"change the next plan in {f.pct(b.p_change, 0)} of the answers and is worth "
                f"{f.eur(b.value, sign=True)} for a cost of {f.eur(b.cost)} (net "
                f"{f.eur(b.net, sign=True)}).",
            )
        out.append(f"- {known} ; {more}" if lang == "fr" else f"- {known}; {more}")
    return out


def _recommendation(plan: Any, lang: str) -> list[str]:
    f = Fmt(lang)  # type: ignore[arg-type]
    rec = plan.recommended
    if rec is None:
        return [
            tr(
                lang,
                "**Aucun test ne vaut son coût pour le prochain plan** : planifiez sans test.",
                "**No test is worth its cost for the next plan**: plan without one.",
            )
        ]
    d = rec.design
    first, last = plan.test_dates()
    w = plan.summary()["recommended"]["weekly_spend"]
    if first.startswith("week"):
        when = tr(
            lang,
            f"des semaines {d.start_week + 1} à {d.start_week + d.weeks} du plan",
            f"in weeks {d.start_week + 1} to {d.start_week + d.weeks} of the plan",
        )
    else:
        when = tr(
            lang,
            f"de la semaine du {f.date(first)} à celle du {f.date(last)}",
            f"from the week of {f.date(first)} to that of {f.date(last)}",
        )
    return [
        tr(
            lang,
            f"**Test recommandé : {label(d.channel, lang)} {d.action}** pendant {d.weeks} semaines, {when} : "
            f"{f.eur(w['test'])} par semaine au lieu de "
            f"{f.eur(w['plan'])}. Valeur pour le prochain plan {f.eur(rec.value, sign=True)}, "
            f"coût attendu {f.eur(rec.cost)}, net {f.eur(rec.net, sign=True)}.",
            f"**Recommended test: {label(d.channel, lang)} {d.action}** for {d.weeks} weeks, {when}: "
            f"{f.eur(w['test'])} a week instead of "
            f"{f.eur(w['plan'])}. Worth {f.eur(rec.value, sign=True)} for the next plan, expected "
            f"cost {f.eur(rec.cost)}, net {f.eur(rec.net, sign=True)}.",
        ),
        tr(
            lang,
            "Une fois le test fini, `optimizer experiment readout` remplit la ligne "
            "`lift_test_row.csv` ; ajoutez-la à `lift_tests.csv` et réajustez le modèle.",
            "Once the test has run, `optimizer experiment readout` fills the "
            "`lift_test_row.csv` row; add it to `lift_tests.csv` and refit the model.",
        ),
    ]


def _notes(plan: Any, lang: str) -> list[str]:
    """The plan's notes in the reader's language."""
    if lang != "fr":
        return list(plan.notes)
    out = [
        "pas de test géographique proposé : l'historique marketing est national (pas de colonne "
        "région) ; avec des données régionales, un test mesurerait contre une région témoin"
    ]
    collapsed = [design_text(v.design, lang) for v in plan.values[:5] if v.collapsed > 0.2]
    if collapsed:
        out.append(
            "le posterior repondéré s'effondre (ESS sous "
            f"{plan.settings.ess_min:.0%} des échantillons) pour plus de 20 % des réponses de : "
            f"{', '.join(collapsed)} ; leur valeur est approximative : réajuster le modèle avec "
            "la ligne du test la tranchera"
        )
    if plan.recommended is None:
        out.append("aucun test ne vaut son coût pour le prochain plan : planifiez sans test")
    return out


def design_text(d: Any, lang: str) -> str:
    """A candidate test in words: ``Retail media +100%, semaines 5-12``."""
    weeks = f"{d.start_week + 1}-{d.start_week + d.weeks}"
    return f"{label(d.channel, lang)} {d.action}, " + tr(
        lang, f"semaines {weeks}", f"weeks {weeks}"
    )


def plan_markdown(plan: Any, lang: str = "fr", top: int = 10) -> str:
    """The experiment plan as a short Markdown page."""
    f = Fmt(lang)  # type: ignore[arg-type]
    lines = [tr(lang, "# Plan d'expériences", "# Experiment plan"), ""]
    lines += _recommendation(plan, lang) + [""]
    lines += [tr(lang, "## Ce que l'on sait, canal par canal", "## What is known, per channel"), ""]
    lines += channel_lines(plan, lang) + [""]
    head = tr(
        lang,
        "| test | valeur | coût | net | P(détecter) | ESS |",
        "| test | value | cost | net | P(detect) | ESS |",
    )
    lines += [tr(lang, "## Classement", "## Ranking"), "", head, "|---|---:|---:|---:|---:|---:|"]
    for v in plan.values[:top]:
        lines.append(
            f"| {design_text(v.design, lang)} | {f.eur(v.value, sign=True)} | {f.eur(v.cost)} | "
            f"{f.eur(v.net, sign=True)} | {f.pct(v.p_detect, 0)} | {v.ess:.0f} |"
        )
    lines += ["", tr(lang, "Notes :", "Notes:")] + [f"- {n}" for n in _notes(plan, lang)]
    return "\n".join(lines) + "\n"


def write_plan_files(folder: Path, plan: Any, lang: str = "fr") -> None:
    """Write the experiment plan's files into ``folder`` (an atomic temporary folder)."""
    plan.table().round(4).to_csv(folder / "candidates.csv", index=False)
    plan.host_plan.round(2).to_csv(folder / "plan.csv", index_label="week")
    if plan.test_plan is not None:
        plan.test_plan.round(2).to_csv(folder / "plan_with_test.csv", index_label="week")
        row = plan.lift_row()
        row.to_csv(folder / "lift_test_row.csv", index=False)
    (folder / "summary.json").write_text(
        json.dumps(plan.summary(), indent=1, default=str) + "\n", encoding="utf-8"
    )
    (folder / "experiments.md").write_text(plan_markdown(plan, lang), encoding="utf-8")


def readout_text(r: Any, lang: str = "fr") -> str:
    """The read-out in one paragraph."""
    f = Fmt(lang)  # type: ignore[arg-type]
    return tr(
        lang,
        f"{label(r.channel, lang)}, {r.weeks} semaines du {f.date(r.start)} au {f.date(r.end)} : "
        "chiffre "
        f"d'affaires {f.eur(r.actual_revenue)} contre {f.eur(r.counterfactual)} sans le test, "
        f"soit {f.eur(r.lift, sign=True)} ± {f.eur(r.se)} (z = {r.z:.1f}) pour "
        f"{f.eur(r.spend_tested - r.spend_planned, sign=True)} de dépense. Le modèle attendait "
        f"{f.eur(r.model_lift, sign=True)} (90 % : {f.eur_range(r.model_p05, r.model_p95)}).",
        f"{label(r.channel, lang)}, {r.weeks} weeks {f.date(r.start)} to {f.date(r.end)}: revenue "
        f"{f.eur(r.actual_revenue)} against {f.eur(r.counterfactual)} without the test, i.e. "
        f"{f.eur(r.lift, sign=True)} ± {f.eur(r.se)} (z = {r.z:.1f}) for "
        f"{f.eur(r.spend_tested - r.spend_planned, sign=True)} of spend. The model expected "
        f"{f.eur(r.model_lift, sign=True)} (90 %: {f.eur_range(r.model_p05, r.model_p95)}).",
    )


def write_experiment_plan(plan: Any, out: Path, *, lang: str = "fr", force: bool = False) -> Path:
    """Write the plan's files (:func:`write_plan_files`) into ``out``, atomically.

    ``out`` must not exist (or be empty) unless ``force``.
    """
    with atomic_folder(out, overwrite=force) as tmp:
        write_plan_files(tmp, plan, lang)
    return out


def write_readout(result: Any, out: Path, *, lang: str = "fr", force: bool = False) -> Path:
    """Write a test's readout into ``out``, atomically: the lift-test row, JSON and text.

    ``out`` must not exist (or be empty) unless ``force``.
    """
    with atomic_folder(out, overwrite=force) as tmp:
        write_lift_tests(result.row(), tmp / "lift_test_row.csv")
        (tmp / "readout.json").write_text(
            json.dumps(result.to_dict(), indent=1) + "\n", encoding="utf-8"
        )
        (tmp / "readout.md").write_text(readout_text(result, lang) + "\n", encoding="utf-8")
    return out
