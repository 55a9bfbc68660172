"""``report.xlsx`` of a scenario run: one sheet per report section, typed cells, totals as SUMs."""

from __future__ import annotations

from typing import Any

import pandas as pd

from optimizer.report.display import kpi_table, pnl_display, prices_display
from optimizer.report.display_media import frontier_display, media_display, run_frontier
from optimizer.report.display_model import assumptions_display, model_display
from optimizer.report.excel import SheetSpec, write_workbook
from optimizer.report.format import DEFAULT_LANG, Fmt, check_lang
from optimizer.report.labels import label, tr
from optimizer.report.learning import channel_knowledge, experiment_command, knowledge_table
from optimizer.report.summary_stress import stress_sentences
from optimizer.report.summary_text import bridge_table
from optimizer.report.tables import Table

__all__ = ["render_xlsx"]

RunTables = dict[str, pd.DataFrame]


def _sheet_names(lang: str) -> dict[str, str]:
    return {
        "summary": tr(lang, "Synthèse", "Summary"),
        "pnl": tr(lang, "Compte de résultat", "P&L"),
        "prices": tr(lang, "Prix", "Prices"),
        "media": tr(lang, "Média", "Media"),
        "weeks": tr(lang, "Média par semaine", "Media by week"),
        "capacity": tr(lang, "Capacité", "Capacity"),
        "model": tr(lang, "Modèle", "Model"),
        "decomposition": tr(lang, "Décomposition", "Decomposition"),
        "learning": tr(lang, "À tester", "To test"),
        "assumptions": tr(lang, "Hypothèses", "Assumptions"),
    }


def render_xlsx(
    path: Any,
    summary: dict[str, Any],
    tables: RunTables,
    *,
    lang: str = DEFAULT_LANG,
    run: dict[str, Any] | None = None,
) -> None:
    """Write ``report.xlsx``: one sheet per report section, typed cells, totals as formulas.

    ``run`` (``run.json``) names the model folder in the "to test" sheet's command.
    """
    lang = check_lang(lang)
    fmt = Fmt(lang)
    n = _sheet_names(lang)
    s = summary
    sheets = _summary_sheets(s, fmt, n)
    sheets += _plan_sheets(s, tables, lang, n)
    sheets += _media_weeks_sheets(tables, lang, n)
    sheets += _capacity_sheets(tables, lang, n)
    sheets += _model_sheets(s, tables, lang, n)
    sheets += _closing_sheets(s, lang, n, run)
    write_workbook(path, sheets)


def _head(s: dict[str, Any], fmt: Fmt) -> str:
    """The workbook's first line: the scenario's gain and its probability."""
    lang = fmt.lang
    g = s["kpis"]["contribution"]["delta"]
    return tr(
        lang,
        f"Scénario {s['scenario']} : contribution {fmt.eur(g['mean'], sign=True)} par "
        f"rapport au plan actuel, probabilité de gain "
        f"{fmt.probability(s['confidence']['p_gain_positive'])}. Euros HT sauf mention "
        "TTC.",
        f"Scenario {s['scenario']}: contribution {fmt.eur(g['mean'], sign=True)} against "
        f"the current plan, probability of a gain "
        f"{fmt.probability(s['confidence']['p_gain_positive'])}. EUR excl. VAT unless "
        "stated.",
    )


def _summary_sheets(s: dict[str, Any], fmt: Fmt, n: dict[str, str]) -> list[SheetSpec]:
    """Summary sheet: KPIs, the contribution bridge, the stress tests.

    Long because the three tables' columns and headers are spelled out in both languages.
    """
    lang = fmt.lang
    head = _head(s, fmt)
    bridge = bridge_table(s, fmt)
    bridge_raw = Table(
        pd.DataFrame(
            [
                {
                    "effect": e,
                    "mean": ln["mean"],
                    "p10": ln["p10"],
                    "p90": ln["p90"],
                    "p_positive": ln["p_positive"],
                }
                for e, ln in zip(bridge.frame["effect"], s["bridge"]["lines"], strict=True)
            ]
        ),
        kinds=bridge.kinds,
        headers=bridge.headers,
        totals=["mean"],
        total_label=bridge.total_label,
    )
    sens = pd.DataFrame(
        [
            {
                "assumption": tr(lang, *_STRESS_NAMES.get(x["key"], (x["key"], x["key"]))),
                "factor": x["factor"],
                "gain": x["gain"]["mean"],
                "p10": x["gain"]["p10"],
                "p90": x["gain"]["p90"],
                "p_positive": x["p_positive"],
                "break_even": x["break_even"],
            }
            for x in s.get("sensitivity", [])
        ]
    )
    matter, _ = stress_sentences(s, fmt)
    sheets: list[SheetSpec] = [
        kpi_table(s, lang).sheet(n["summary"], head),
        bridge_raw.sheet(
            n["summary"],
            tr(
                lang,
                "D'où vient l'écart de contribution",
                "Where the change in contribution comes from",
            ),
        ),
    ]
    if len(sens):
        sheets.append(
            Table(
                sens,
                kinds={
                    "factor": "ratio",
                    "gain": "eur_signed",
                    "p10": "eur_signed",
                    "p90": "eur_signed",
                    "p_positive": "prob",
                    "break_even": "ratio",
                },
                headers={
                    "assumption": tr(lang, "Hypothèse éprouvée", "Assumption stressed"),
                    "factor": tr(lang, "Facteur appliqué", "Factor applied"),
                    "gain": tr(lang, "Gain après le choc", "Gain after the stress"),
                    "p10": "P10",
                    "p90": "P90",
                    "p_positive": tr(lang, "Probabilité de gain", "Probability of a gain"),
                    "break_even": tr(
                        lang, "Facteur où le gain s'annule", "Factor where the gain vanishes"
                    ),
                },
            ).sheet(
                n["summary"],
                tr(
                    lang,
                    "Ce qui compte le plus (tests de résistance)",
                    "What matters most (stress tests)",
                ),
            )
        )
    del matter
    return sheets


def _plan_sheets(
    s: dict[str, Any], tables: RunTables, lang: str, n: dict[str, str]
) -> list[SheetSpec]:
    """P&L, prices, media per channel and the frontier."""
    sheets: list[SheetSpec] = []
    sheets.append(
        pnl_display(tables["pnl"], lang).sheet(
            n["pnl"],
            tr(
                lang,
                "Compte de résultat sur l'horizon, euros HT sauf mention TTC",
                "P&L over the horizon, EUR excl. VAT unless stated",
            ),
        )
    )
    sheets.append(
        prices_display(tables["prices"], lang, skus=s["pricing"].get("skus")).sheet(
            n["prices"],
            tr(
                lang,
                "Prix par produit ; unités et marges sur l'horizon",
                "Prices per SKU; units and margins over the horizon",
            ),
        )
    )
    sheets.append(
        media_display(s, lang).sheet(
            n["media"],
            tr(
                lang,
                "Média par canal sur l'horizon, euros HT",
                "Media per channel over the horizon, EUR excl. VAT",
            ),
        )
    )
    f = run_frontier(tables)
    if f is not None:
        sheets.append(
            frontier_display(f, lang).sheet(
                n["media"],
                tr(
                    lang,
                    "Frontière : contribution du magasin selon le budget média",
                    "Frontier: store contribution by media budget",
                ),
            )
        )
    return sheets


def _media_weeks_sheets(tables: RunTables, lang: str, n: dict[str, str]) -> list[SheetSpec]:
    """Spend per week and channel, recommended beside current (none without the table)."""
    mw = tables.get("media_weeks")
    if mw is None or not len(mw):
        return []
    wide = mw.pivot(index="week", columns="channel", values="recommended")
    wide = wide[list(dict.fromkeys(mw["channel"]))]
    cur = mw.pivot(index="week", columns="channel", values="current")
    frame = pd.DataFrame({"week": pd.to_datetime(wide.index)})
    headers = {"week": tr(lang, "Semaine du", "Week of")}
    for c in wide.columns:
        frame[f"{c}__rec"] = wide[c].to_numpy()
        headers[f"{c}__rec"] = f"{label(c, lang)}, " + tr(lang, "recommandé", "recommended")
    for c in wide.columns:
        frame[f"{c}__cur"] = cur[c].to_numpy()
        headers[f"{c}__cur"] = f"{label(c, lang)}, " + tr(lang, "actuel", "current")
    money = [c for c in frame.columns if c != "week"]
    table = Table(
        frame, kinds={"week": "date"} | {c: "eur" for c in money}, headers=headers, totals=money
    )
    return [
        table.sheet(
            n["weeks"],
            tr(
                lang,
                "Dépense par semaine et canal, euros HT",
                "Spend per week and channel, EUR excl. VAT",
            ),
        )
    ]


def _capacity_sheets(tables: RunTables, lang: str, n: dict[str, str]) -> list[SheetSpec]:
    """Warehouse load per week against capacity."""
    cap = tables["capacity"]
    table = Table(
        cap.assign(week=pd.to_datetime(cap["week"])),
        kinds={"week": "date", "capacity": "count", "current_load": "count", "plan_load": "count"},
        headers={
            "week": tr(lang, "Semaine du", "Week of"),
            "capacity": tr(lang, "Capacité", "Capacity"),
            "current_load": tr(lang, "Charge, plan actuel", "Load, current plan"),
            "plan_load": tr(lang, "Charge, plan recommandé", "Load, recommended plan"),
        },
        totals=["current_load", "plan_load"],
    )
    return [
        table.sheet(
            n["capacity"],
            tr(
                lang,
                "Unités logistiques expédiées par semaine (moyenne)",
                "Logistics units shipped per week (mean)",
            ),
        )
    ]


def _model_sheets(
    s: dict[str, Any], tables: RunTables, lang: str, n: dict[str, str]
) -> list[SheetSpec]:
    """The media model's ROAS table and the weekly decomposition, when the run has them."""
    sheets: list[SheetSpec] = []
    if s.get("model", {}).get("channels"):
        sheets.append(
            model_display(s, lang).sheet(
                n["model"],
                tr(
                    lang,
                    "Modèle média : ROAS et ROAS marginal par canal (historique)",
                    "Media model: ROAS and marginal ROAS per channel (history)",
                ),
            )
        )
    dec = tables.get("decomposition")
    if dec is not None and len(dec):
        cols = ["week", "actual", "fitted", "baseline"] + [
            c for c in s["model"].get("channels", {}) if c in dec.columns
        ]
        d = dec[cols].assign(week=pd.to_datetime(dec["week"]))
        heads = {
            "week": tr(lang, "Semaine du", "Week of"),
            "actual": tr(lang, "CA réel TTC", "Actual revenue"),
            "fitted": tr(lang, "CA du modèle", "Model revenue"),
            "baseline": tr(lang, "Base (sans média)", "Baseline (no media)"),
        }
        heads |= {c: label(c, lang) for c in cols[4:]}
        sheets.append(
            Table(
                d,
                kinds={"week": "date"} | {c: "eur" for c in cols[1:]},
                headers=heads,
                totals=cols[1:],
            ).sheet(
                n["decomposition"],
                tr(
                    lang,
                    "Décomposition hebdomadaire du CA (TTC)",
                    "Weekly revenue decomposition (incl. VAT)",
                ),
            )
        )
    return sheets


def _closing_sheets(
    s: dict[str, Any], lang: str, n: dict[str, str], run: dict[str, Any] | None
) -> list[SheetSpec]:
    """What to test next (when the data leave channels unsettled) and the assumptions."""
    sheets: list[SheetSpec] = []
    if channel_knowledge(s):
        sheets.append(
            knowledge_table(s, lang).sheet(
                n["learning"],
                tr(
                    lang,
                    "Ce que les données ne tranchent pas ; quel test vaut son coût : ",
                    "What the data cannot settle; which test is worth its cost: ",
                )
                + experiment_command(s, run or {}, lang),
            )
        )
    sheets.append(
        assumptions_display(s, lang).sheet(
            n["assumptions"], tr(lang, "Hypothèses du scénario", "Scenario assumptions")
        )
    )
    return sheets


_STRESS_NAMES = {
    "elasticity": ("Sensibilité au prix (élasticités)", "Price sensitivity (elasticities)"),
    "media": ("Efficacité du média", "Media effectiveness"),
    "baseline": ("Demande de base (hors média)", "Baseline demand (without media)"),
    "capacity": ("Capacité de l'entrepôt", "Warehouse capacity"),
    "logistics_cost": ("Coût logistique par unité", "Logistics cost per unit"),
}
