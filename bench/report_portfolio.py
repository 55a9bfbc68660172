"""The portfolio section of ``docs/benchmarks.md`` (imported by ``bench/report.py``)."""

from __future__ import annotations

from typing import Any

PLANS = {
    "today": "today's plan",
    "group": "group plan",
    "alone": "each shop alone",
    "group media": "group plan's media, today's prices",
    "alone media": "shops-alone media, today's prices",
}


def _eur(x: Any) -> str:
    return "–" if x is None else f"{x:,.0f}"


def portfolio_section(lines: list[str], r: dict[str, Any] | None) -> list[str]:
    """Append the section; return the missed targets."""
    if r is None:
        return []
    plans = r["plans"]
    shops = list(plans["today"]["budgets"])
    lines += [
        "## 11. Portfolio: group plan vs shops alone",
        "",
        f"`{r['meta']['command']}` on `{r['meta'].get('portfolio')}` (three shops, one "
        "warehouse, 13 weeks, default fits). Every plan is shipped from the shared warehouse "
        "(rationed where the summed load exceeds its capacity) and accounted per shop: *model* = "
        "the held-out half of the posterior samples (mean [P10, P90]), *truth* = each shop's "
        "ground truth. Lifts are the group's contribution after media over today's plan, EUR. "
        "*Alone*: each shop with its own budget and its share of the warehouse, planned by the "
        "same code. Budgets in EUR over the horizon (" + " / ".join(shops) + ").",
        "",
        "| plan | budgets | prices changed | model lift mean [P10, P90] | true lift |",
        "|---|---|---|---|---|",
    ]
    for key, name in PLANS.items():
        p = plans.get(key)
        if p is None:
            continue
        m = p["model"]["lift"]
        lines.append(
            f"| {name} | {' / '.join(_eur(p['budgets'][s]) for s in shops)} | "
            f"{sum(p['price_changes'].values())} | {_eur(m['mean'])} [{_eur(m['p10'])}, "
            f"{_eur(m['p90'])}] | {_eur(p['truth']['lift'])} |"
        )
    g, gm = r["group_vs_alone"], r["group_vs_alone_media"]
    lines += [
        "",
        "| shop | group: model lift | group: true lift | alone: model lift | alone: true lift |",
        "|---|---|---|---|---|",
    ]
    for s in shops:
        gs, al = plans["group"], plans["alone"]
        lines.append(
            f"| {s} | {_eur(gs['model']['shops'][s]['lift'])} | "
            f"{_eur(gs['truth']['shops'][s]['lift'])} | {_eur(al['model']['shops'][s]['lift'])} "
            f"| {_eur(al['truth']['shops'][s]['lift'])} |"
        )
    over = ", ".join(
        f"{c['warehouse']}: {len(c['overflow_weeks'])} week(s) over capacity, gap {c['gap']:.2%}"
        for c in r["capacity"]
    )
    lines += [
        "",
        f"* Group vs alone: model {_eur(g['model']['mean'])} [{_eur(g['model']['p10'])}, "
        f"{_eur(g['model']['p90'])}], P(> 0) {g['model']['p_positive']:.0%}; truth "
        f"{_eur(g['truth'])}.",
        f"* Media only (budget moved between shops, prices unchanged): model "
        f"{_eur(gm['model']['mean'])} [{_eur(gm['model']['p10'])}, {_eur(gm['model']['p90'])}];"
        f" truth {_eur(gm['truth'])}.",
        f"* Plan kept: {r['chosen']}; shared capacity ({over}); fits "
        f"{r['seconds']['fits']:.0f} s (cached), planning {r['seconds']['plan']:.0f} s.",
        "",
    ]
    missed = []
    if g["truth"] < 0:
        missed.append(
            f"portfolio: the group plan's true lift is {_eur(-g['truth'])} EUR below planning "
            "each shop alone"
        )
    if plans["group"]["truth"]["lift"] < 0:
        missed.append("portfolio: the group plan loses money against today's under the truth")
    return missed
