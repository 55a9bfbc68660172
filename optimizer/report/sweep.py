"""Write a scenario sweep folder: the table (CSV, JSON), a chart and how it was computed.

``sweep.csv`` and ``sweep.json`` hold the same rows (one per grid point, figures in EUR excl.
VAT, CSV with a dot as decimal separator for any tool to read); ``sweep.png`` draws the
contribution lift over today's plan against the budget, one line per rule set (and risk);
``run.json`` says where the points ran and how long they took. The first three are identical
however the sweep was computed (in-process or on any cluster); ``run.json`` is not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import FuncFormatter

from optimizer.atomic import atomic_folder
from optimizer.report.charts import COLORS
from optimizer.report.format import Fmt, check_lang
from optimizer.report.labels import tr

if TYPE_CHECKING:
    from optimizer.scenario.sweep import SweepResult

__all__ = ["SWEEP_FILES", "sweep_chart", "write_sweep"]

#: Files of a sweep folder.
SWEEP_FILES = ("sweep.csv", "sweep.json", "sweep.png", "run.json")


def sweep_chart(table: pd.DataFrame, today_spend: float, fmt: Fmt) -> Any:
    """Contribution lift over today's plan (mean, P10-P90) and P(loss) against the budget.

    Parameters
    ----------
    table : pandas.DataFrame
        The sweep's rows (``rules``, ``risk``, ``budget``, ``lift_*``, ``p_loss``); infeasible
        points (no lift) are left out.
    today_spend : float
        Today's plan's spend over the horizon, EUR (a dotted line).
    fmt : Fmt
        Number formats and language.

    Returns
    -------
    matplotlib.figure.Figure
    """
    lang = fmt.lang
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(8.6, 3.4), gridspec_kw={"width_ratios": [3, 2]})
    ok = table.dropna(subset=["lift_mean"]) if "lift_mean" in table else table.iloc[:0]
    several_risks = table["risk"].nunique() > 1
    for n, ((rules, risk), g) in enumerate(ok.groupby(["rules", "risk"], sort=False)):
        g = g.sort_values("budget")
        color = COLORS[n % len(COLORS)]
        name = f"{rules} · {risk}" if several_risks else str(rules)
        ax.fill_between(g["budget"], g["lift_p10"], g["lift_p90"], color=color, alpha=0.15)
        ax.plot(g["budget"], g["lift_mean"], "o-", color=color, ms=4, label=name)
        ax2.plot(g["budget"], g["p_loss"], "o-", color=color, ms=4)
    for a in (ax, ax2):
        a.axvline(today_spend, color="#333", ls=":", lw=1)
        a.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt.eur_compact(v)))
        a.tick_params(labelsize=7)
        a.grid(alpha=0.3)
        a.set_xlabel(
            tr(
                lang, "budget média sur l'horizon (HT)", "media budget over the horizon (excl. VAT)"
            ),
            fontsize=8,
        )
    ax.axhline(0, color="#333", lw=0.8)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt.eur_compact(v)))
    ax.set_title(
        tr(
            lang,
            "Gain de contribution vs plan actuel (moyenne, P10-P90)",
            "Contribution lift vs today's plan (mean, P10-P90)",
        ),
        fontsize=9,
    )
    if len(ok):
        ax.legend(fontsize=7)
    ax2.set_ylim(-0.02, 1.02)
    ax2.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt.pct(v, 0)))
    ax2.set_title(tr(lang, "Probabilité de perte", "Probability of a loss"), fontsize=9)
    fig.tight_layout()
    return fig


def _json(obj: Any) -> str:
    return json.dumps(obj, indent=1, ensure_ascii=False, default=str) + "\n"


def write_sweep(
    result: SweepResult, out: str | Path, *, force: bool = False, lang: str = "fr"
) -> Path:
    """Write a sweep's files into ``out``, atomically (all of them or nothing).

    Parameters
    ----------
    result : SweepResult
        The sweep.
    out : str or Path
        Folder to write; it must not exist unless ``force``.
    force : bool
        Replace an existing folder (the old one stays until the new one is complete).
    lang : {"fr", "en"}
        Language of the chart.

    Returns
    -------
    Path
        The folder.

    Raises
    ------
    ConfigError
        ``out`` exists (without ``force``) or is a file.
    """
    fmt = Fmt(check_lang(lang))
    with atomic_folder(out, overwrite=force) as staging:
        result.table.to_csv(staging / "sweep.csv", index=False, lineterminator="\n")
        (staging / "sweep.json").write_text(_json(result.document()), encoding="utf-8")
        fig = sweep_chart(result.table, result.today["spend"], fmt)
        try:
            # no software version or date in the file: the same sweep gives the same bytes
            fig.savefig(staging / "sweep.png", dpi=110, metadata={"Software": None})
        finally:
            plt.close(fig)
        run = {
            "package": "optimizer",
            "version": result.provenance["version"],
            "scenario_file": str(result.spec.path) if result.spec.path else None,
            "compute": result.compute,
            "seconds": result.seconds,
            "lang": lang,
        }
        (staging / "run.json").write_text(_json(run), encoding="utf-8")
    return Path(out)
