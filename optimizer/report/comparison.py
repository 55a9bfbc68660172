"""``comparison.html`` and ``comparison.xlsx``: scenarios side by side, horizons shown.

Amounts that add up over weeks are compared per week when the horizons differ, and each
scenario's change is against its own current plan. Renders the table
:func:`optimizer.scenario.compare.compare_runs` built; computes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from optimizer.atomic import atomic_folder
from optimizer.report.display import KPI_KINDS
from optimizer.report.excel import write_workbook
from optimizer.report.format import Fmt, check_lang
from optimizer.report.html import HtmlReport
from optimizer.report.labels import label, tr
from optimizer.report.tables import Table

__all__ = ["render_comparison", "write_comparison"]


def _scenarios(table: pd.DataFrame, lang: str) -> Table:
    c = table[table["kpi"] == "contribution"]
    m = table[table["kpi"] == "media_spend"].set_index("scenario")
    fmt = Fmt(lang)  # type: ignore[arg-type]
    rows = []
    for _, r in c.iterrows():
        rows.append(
            {
                "scenario": r["scenario"],
                "horizon": f"{fmt.date(r['start'])} - {fmt.date(r['end'])}",
                "weeks": r["weeks"],
                "media": m.loc[r["scenario"], "plan_mean"] if r["scenario"] in m.index else None,
                "contribution": r["plan_mean"],
                "gain": r["delta_mean"],
                "gain_p10": r["delta_p10"],
                "gain_p90": r["delta_p90"],
                "gain_per_week": r["delta_per_week"],
                "p_gain": r.get("p_gain_positive"),
            }
        )
    return Table(
        pd.DataFrame(rows),
        kinds={
            "weeks": "count",
            "media": "eur",
            "contribution": "eur",
            "gain": "eur_signed",
            "gain_p10": "eur_signed",
            "gain_p90": "eur_signed",
            "gain_per_week": "eur_signed",
            "p_gain": "prob",
        },
        headers={
            "scenario": tr(lang, "Scénario", "Scenario"),
            "horizon": tr(lang, "Horizon", "Horizon"),
            "weeks": tr(lang, "Semaines", "Weeks"),
            "media": tr(lang, "Budget média", "Media budget"),
            "contribution": tr(lang, "Contribution, plan recommandé", "Contribution, plan"),
            "gain": tr(lang, "Gain vs son plan actuel", "Gain vs its current plan"),
            "gain_p10": "P10",
            "gain_p90": "P90",
            "gain_per_week": tr(lang, "Gain par semaine", "Gain per week"),
            "p_gain": tr(lang, "Probabilité de gain", "Probability of a gain"),
        },
    )


def _side_by_side(table: pd.DataFrame, lang: str, value: str, per_week: bool) -> Table:
    """KPIs (rows) x scenarios (columns); per week for amounts when ``per_week``."""
    scen = list(dict.fromkeys(table["scenario"]))
    keys = list(dict.fromkeys(table["kpi"]))
    rows, kinds = [], []
    weeks = table.drop_duplicates("scenario").set_index("scenario")["weeks"]
    rows.append(
        {"kpi": tr(lang, "Semaines de l'horizon", "Weeks in the horizon")}
        | {s: weeks[s] for s in scen}
    )
    kinds.append("int")
    for k in keys:
        t = table[table["kpi"] == k].set_index("scenario")
        col = value
        if per_week and t["plan_per_week"].notna().all():
            col = "plan_per_week" if value == "plan_mean" else "delta_per_week"
        name = label(k, lang)
        if col.endswith("per_week"):
            name += tr(lang, ", par semaine", ", per week")
        rows.append({"kpi": name} | {s: t[col].get(s) for s in scen})
        kinds.append(KPI_KINDS.get(k, "ratio"))
    return Table(
        pd.DataFrame(rows),
        # changes are signed; a change of a percentage is in points
        kinds={s: ("row_signed" if value == "delta_mean" else "row") for s in scen},
        row_kinds=kinds,
        headers={"kpi": tr(lang, "Indicateur", "Indicator")},
    )


def _chart(table: pd.DataFrame, fmt: Fmt) -> Any:
    lang = fmt.lang
    c = table[table["kpi"] == "contribution"].reset_index(drop=True)
    w = c["weeks"].to_numpy(float)
    mean = c["delta_mean"].to_numpy(float) / w
    lo = c["delta_p10"].to_numpy(float) / w
    hi = c["delta_p90"].to_numpy(float) / w
    fig, ax = plt.subplots(figsize=(8.6, 3.4))
    x = np.arange(len(c))
    ax.bar(x, mean, color="#1F3B57")
    ax.errorbar(x, mean, yerr=[mean - lo, hi - mean], fmt="none", color="#F0A020", capsize=4)
    ax.axhline(0, color="#333", lw=0.8)
    ax.set_xticks(list(x))
    ax.set_xticklabels(
        [f"{s}\n({fmt.weeks(int(n))})" for s, n in zip(c["scenario"], c["weeks"], strict=True)],
        fontsize=8,
    )
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _p: fmt.eur_compact(v)))
    ax.set_title(
        tr(
            lang,
            "Gain de contribution par semaine, chacun contre son plan actuel (moyenne, P10-P90)",
            "Contribution gain per week, each against its own current plan (mean, P10-P90)",
        ),
        fontsize=10,
    )
    ax.grid(axis="y", alpha=0.3)
    return fig


def render_comparison(table: pd.DataFrame, folder: Path, *, lang: str = "fr") -> None:
    """Write ``comparison.html`` and ``comparison.xlsx`` into ``folder``."""
    lang = check_lang(lang)
    fmt = Fmt(lang)
    weeks = sorted({int(w) for w in table["weeks"]})
    mixed = len(weeks) > 1
    r = HtmlReport(
        tr(lang, "Comparaison des scénarios", "Scenario comparison"),
        tr(
            lang,
            "Plan recommandé de chaque scénario ; chaque écart est mesuré contre le plan actuel "
            "du même scénario (mêmes semaines, budget et prix d'aujourd'hui). Euros HT sauf "
            "mention TTC.",
            "Each scenario's recommended plan; each change is against the same scenario's "
            "current plan (same weeks, today's budget and prices). EUR excl. VAT unless stated.",
        ),
        lang=lang,
    )
    if mixed:
        r.paragraph(
            tr(
                lang,
                f"Les horizons diffèrent ({' et '.join(fmt.weeks(w) for w in weeks)}) : les "
                "montants sont comparés par semaine ; les totaux sur l'horizon sont dans le "
                "classeur Excel.",
                f"The horizons differ ({' and '.join(fmt.weeks(w) for w in weeks)}): amounts "
                "are compared per week; totals over each horizon are in the Excel workbook.",
            ),
            "info",
        )
    r.heading(tr(lang, "Scénarios", "Scenarios"), "scenarios")
    r.table(_scenarios(table, lang))
    r.figure(_chart(table, fmt), tr(lang, "Gain par semaine", "Gain per week"))
    r.heading(tr(lang, "Côte à côte : plan recommandé", "Side by side: recommended plan"), "plans")
    r.table(_side_by_side(table, lang, "plan_mean", per_week=mixed))
    r.heading(
        tr(lang, "Écart avec le plan actuel de chaque scénario", "Change vs each current plan"),
        "ecarts",
    )
    r.table(_side_by_side(table, lang, "delta_mean", per_week=mixed))
    r.write(folder / "comparison.html")
    sheets = [
        _scenarios(table, lang).sheet(tr(lang, "Scénarios", "Scenarios"), r.subtitle),
        _side_by_side(table, lang, "plan_mean", per_week=True).sheet(
            tr(lang, "Par semaine", "Per week"),
            tr(lang, "Plan recommandé, montants par semaine", "Recommended plan, per week"),
        ),
        _side_by_side(table, lang, "plan_mean", per_week=False).sheet(
            tr(lang, "Sur l'horizon", "Over the horizon"),
            tr(
                lang,
                "Plan recommandé, sur l'horizon de chaque scénario",
                "Recommended plan, over each scenario's horizon",
            ),
        ),
        _side_by_side(table, lang, "delta_mean", per_week=False).sheet(
            tr(lang, "Écarts", "Changes"),
            tr(
                lang,
                "Écart avec le plan actuel de chaque scénario, sur l'horizon",
                "Change vs each scenario's current plan, over the horizon",
            ),
        ),
    ]
    write_workbook(folder / "comparison.xlsx", sheets)


def write_comparison(
    table: pd.DataFrame, out: str | Path, *, force: bool = False, lang: str = "fr"
) -> Path:
    """Write ``comparison.html``, ``comparison.xlsx`` and ``comparison.csv`` atomically.

    Parameters
    ----------
    table : pandas.DataFrame
        What :func:`optimizer.scenario.compare.compare_runs` returned.
    out : str or Path
        Folder to write; it must not exist unless ``force``.
    force : bool
        Replace an existing folder.
    lang : {"fr", "en"}
        Language of the HTML and Excel files.
    """
    out = Path(out)
    with atomic_folder(out, overwrite=force) as staging:
        table.to_csv(staging / "comparison.csv", index=False, lineterminator="\n")
        render_comparison(table, staging, lang=lang)
    return out
