"""What the data cannot settle, in a scenario report: weakly identified channels, what to test.

Two pieces a first-time reader asked for:

* the frontier's note: at the scenario's budget the model's best plan (the channel rules alone)
  can earn more than the recommended plan, which stays inside the bounds the data support;
  the note says so, with both figures, so the chart does not read as a contradiction;
* the "what to test" section: the channels whose marginal ROAS the history pins down poorly,
  named in words with their interval, and the command that prices a test of each for the next
  plan (``optimizer experiment plan``). The planner is not run here: it takes minutes.

Figures come from ``summary.json`` (per-channel safe-plan bounds, or the model's intervals),
the frontier table and ``run.json`` (the model's folder); nothing is estimated here.
"""

from __future__ import annotations

import shlex
from typing import Any

import pandas as pd

from optimizer.report.format import Fmt
from optimizer.report.html import HtmlReport, num
from optimizer.report.labels import label, tr
from optimizer.report.tables import Table

__all__ = [
    "WEAK_IDENTIFICATION",
    "channel_knowledge",
    "experiment_command",
    "frontier_note",
    "knowledge_table",
    "learning_section",
]

#: A channel is weakly identified below this identification, 1 - (P95 - P5) / (2 |median|) of
#: its marginal ROAS (the safe plan's measure): its 90 % interval is wider than its median, so
#: the history cannot tell a channel worth half as much from one worth twice as much.
WEAK_IDENTIFICATION = 0.5


def channel_knowledge(s: dict[str, Any]) -> list[dict[str, Any]]:
    """Per channel: marginal ROAS interval, identification, lever, weak (most uncertain first).

    The safe plan's per-channel bound carries the interval at today's spend and its
    identification; without it (free mode, older runs) the model section's interval at the
    recent spend is used, with the mean in place of the median.
    """
    rows = []
    model = s.get("model", {}).get("channels", {})
    for c, v in s.get("media", {}).get("channels", {}).items():
        b = v.get("bound")
        if isinstance(b, dict) and "identification" in b:
            low, high, ident = b["mroas_low"], b["mroas_high"], b["identification"]
            lever = bool(b.get("lever", True))
        elif c in model:
            m = model[c]["marginal_roas"]
            low, high, mid = m["low"], m["high"], m["mean"]
            ident = min(max(1.0 - (high - low) / (2.0 * max(abs(mid), 1e-9)), 0.0), 1.0)
            lever = True
        else:
            continue
        rows.append(
            {
                "channel": c,
                "low": float(low),
                "high": float(high),
                "identification": float(ident),
                "lever": lever,
                "weak": lever and float(ident) < WEAK_IDENTIFICATION,
            }
        )
    return sorted(rows, key=lambda r: (not r["lever"], r["identification"]))


def experiment_command(s: dict[str, Any], run: dict[str, Any], lang: str) -> str:
    """The ``optimizer experiment plan`` command for this run's model, budget and horizon."""
    folder = (run.get("cache") or {}).get("mmm", {}).get("folder")
    model = shlex.quote(str(folder)) if folder else tr(lang, "DOSSIER_DU_MODELE", "MODEL_FOLDER")
    budget = s.get("assumptions", {}).get("budget", s.get("budget"))
    parts = ["optimizer experiment plan", f"--model {model}", f"--weeks {s['horizon']['weeks']}"]
    if budget:
        parts.append(f"--budget {round(float(budget))}")
    parts += ["--out tests", f"--lang {lang}"]
    return " ".join(parts)


def knowledge_table(s: dict[str, Any], lang: str) -> Table:
    """The channels, what the data say of each, and whether a test would settle more."""
    rows = []
    for k in channel_knowledge(s):
        if not k["lever"]:
            verdict = tr(
                lang, "pas un levier (coût lié aux ventes)", "not a lever (cost follows sales)"
            )
        elif k["weak"]:
            verdict = tr(lang, "non : à tester", "no: worth testing")
        else:
            verdict = tr(lang, "oui", "yes")
        rows.append(
            {
                "channel": label(k["channel"], lang),
                "low": k["low"],
                "high": k["high"],
                "identification": k["identification"],
                "settled": verdict,
            }
        )
    return Table(
        pd.DataFrame(rows, columns=["channel", "low", "high", "identification", "settled"]),
        kinds={"low": "ratio", "high": "ratio", "identification": "pct"},
        headers={
            "channel": tr(lang, "Canal", "Channel"),
            "low": tr(lang, "ROAS marginal, bas (P5)", "Marginal ROAS, low (P5)"),
            "high": tr(lang, "ROAS marginal, haut (P95)", "Marginal ROAS, high (P95)"),
            "identification": tr(lang, "Identification", "Identification"),
            "settled": tr(lang, "Tranché par l'historique ?", "Settled by the history?"),
        },
    )


def _weak_sentence(k: dict[str, Any], fmt: Fmt) -> str:
    lang = fmt.lang
    name = label(k["channel"], lang)
    lo, hi = fmt.ratio(k["low"], 1), fmt.ratio(k["high"], 1)
    ident = fmt.pct(k["identification"], 0)
    return tr(
        lang,
        f"{name} : un euro de plus par semaine rapporterait entre {lo} et {hi} € de CA "
        f"(identification {ident}). L'historique ne dit pas s'il faut y mettre plus ou moins ; "
        "le plan ne le bouge donc que prudemment.",
        f"{name}: one more euro a week would bring {lo} to {hi} EUR of revenue "
        f"(identification {ident}). The history does not say whether it deserves more or less; "
        "so the plan moves it only cautiously.",
    )


def learning_section(r: HtmlReport, s: dict[str, Any], run: dict[str, Any]) -> None:
    """The "what to test" section: weakly identified channels and the planner's command."""
    lang, fmt = r.lang, r.fmt
    know = channel_knowledge(s)
    if not know:
        return
    r.heading(
        tr(lang, "Ce que les données ne tranchent pas", "What the data cannot settle"), "tests"
    )
    weak = [k for k in know if k["weak"]]
    if weak:
        names = ", ".join(label(k["channel"], lang) for k in weak)
        r.paragraph(
            tr(
                lang,
                f"Canaux mal identifiés par l'historique : {names}. Leur intervalle à 90 % est "
                "plus large que leur valeur médiane : les données ne distinguent pas un canal "
                "qui rapporte moitié moins d'un canal qui rapporte deux fois plus. Un test "
                "(pause, -50 %, +50 % ou +100 % du canal pendant 2 à 8 semaines) le dirait.",
                f"Channels the history identifies poorly: {names}. Their 90 % interval is wider "
                "than their median: the data cannot tell a channel worth half as much from one "
                "worth twice as much. A test (pause, -50 %, +50 % or +100 % of the channel for "
                "2 to 8 weeks) would.",
            ),
            "warn",
        )
        r.bullets([_weak_sentence(k, fmt) for k in weak])
    else:
        r.paragraph(
            tr(
                lang,
                "L'historique identifie assez bien chaque canal levier (identification d'au "
                f"moins {fmt.pct(WEAK_IDENTIFICATION, 0)}) : aucun test ne s'impose, mais un test "
                "peut encore resserrer un intervalle large.",
                "The history identifies every lever channel reasonably well (identification at "
                f"least {fmt.pct(WEAK_IDENTIFICATION, 0)}): no test is pressing, though one can "
                "still narrow a wide interval.",
            ),
            "ok",
        )
    r.table(
        knowledge_table(s, lang),
        caption=tr(
            lang,
            "ROAS marginal au niveau de dépense actuel, intervalle à 90 % ; identification : "
            "1 - largeur de l'intervalle / (2 × médiane), la mesure qui borne le plan sûr.",
            "Marginal ROAS at today's spend, 90 % interval; identification: 1 - interval width "
            "/ (2 × median), the measure that bounds the safe plan.",
        ),
    )
    r.paragraph(
        tr(
            lang,
            "Quel test vaut son coût pour le prochain plan (durée, semaines, dépense, gain "
            "attendu de l'information) : la commande ci-dessous le calcule en quelques minutes "
            "(elle n'est pas lancée par le scénario).",
            "Which test is worth its cost for the next plan (length, weeks, spend, expected "
            "value of the information): the command below works it out in a few minutes (the "
            "scenario does not run it).",
        ),
    )
    r.preformatted(experiment_command(s, run, lang))


def frontier_note(s: dict[str, Any], frontier: pd.DataFrame, fmt: Fmt) -> str | None:
    """HTML: why the recommended plan sits below the frontier at the scenario's budget, if so."""
    lang = fmt.lang
    at = frontier[frontier.get("is_scenario_budget", pd.Series(False, index=frontier.index))]
    if not len(at):
        return None
    best = float(at["contribution_mean"].iloc[0])
    plan = float(s["kpis"]["contribution"]["plan"]["mean"])
    gap = best - plan
    if gap <= max(0.001 * abs(plan), 1.0):
        return None
    safe = s.get("assumptions", {}).get("media_mode", "safe") == "safe"
    b, p, g = (num(fmt.eur(x)) for x in (best, plan, gap))
    why = (
        tr(
            lang,
            "il reste dans les bornes que les données justifient (plan sûr, section Média) : "
            "il ne parie pas sur ce que le modèle ne sait pas",
            "it stays inside the bounds the data support (safe plan, Media section): it does "
            "not bet on what the model does not know",
        )
        if safe
        else tr(
            lang,
            "il est choisi avec les prix, le stock et la capacité, pas le média seul",
            "it is chosen with the prices, stock and capacity, not the media alone",
        )
    )
    return tr(
        lang,
        f"Au budget du scénario, la courbe (le meilleur plan selon le modèle, sous les seules "
        f"règles par canal) atteint {b} ; le plan recommandé rapporte {p}, soit {g} de moins, "
        f"car {why}.",
        f"At the scenario's budget the curve (the model's best plan under the channel rules "
        f"alone) reaches {b}; the recommended plan earns {p}, {g} less, because {why}.",
    )
