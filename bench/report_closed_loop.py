"""The closed-loop section of ``docs/benchmarks.md`` (imported by ``bench/report.py``)."""

from __future__ import annotations

from typing import Any

POLICIES = ("today", "free", "pm30", "safe", "safe_exp", "oracle")
NAMES = {
    "today": "today's plan",
    "free": "free mean plan",
    "pm30": "+/-30 % plan",
    "safe": "safe plan",
    "safe_exp": "safe + experiments",
    "oracle": "oracle (true curves)",
}
Q4_TARGET = 0.9


def _pct(x: Any) -> str:
    return "–" if x is None else f"{100 * x:.0f} %"


def _eur(x: Any) -> str:
    return "–" if x is None else f"{x:,.0f}"


def _store_table(lines: list[str], r: dict[str, Any]) -> None:
    s = r["summary"]
    lines += [
        f"**{r['store']}** ({r['pattern']}, noise {r['noise']:.0%})",
        "",
        "| policy | Q1 | Q2 | Q3 | Q4 | year: share of oracle lift | year: lift over today, "
        "EUR | quarters below today | ROAS error Q1 -> Q4 | marginal-ROAS error Q1 -> Q4 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for p in POLICIES:
        v = s[p]
        errs = [e for e in v["errors"] if e]
        roas = f"{_pct(errs[0]['roas'])} -> {_pct(errs[-1]['roas'])}" if errs else "–"
        mroas = f"{_pct(errs[0]['mroas'])} -> {_pct(errs[-1]['mroas'])}" if errs else "–"
        shares = " | ".join(_pct(x) for x in v["share_by_quarter"])
        lines.append(
            f"| {NAMES[p]} | {shares} | {_pct(v['share_total'])} | {_eur(v['lift_total'])} | "
            f"{v['below_today_quarters']} | {roas} | {mroas} |"
        )
    tests = [q for q in r["policies"]["safe_exp"] if q.get("test")]
    lines += [""]
    for q in tests:
        t, ro = q["test"], q.get("readout") or {}
        lines.append(
            f"* Q{q['quarter']} test: {t['test']} (value {_eur(t['value'])}, cost "
            f"{_eur(t['cost'])}, P(detect) {_pct(t['p_detect'])}, ESS {t['ess']:.0f}); read-out "
            f"{_eur(ro.get('lift'))} ± {_eur(ro.get('se'))} vs true {_eur(ro.get('true_lift'))} EUR."
        )
    if not tests:
        lines.append("* No test was worth its cost in any quarter.")
    lines += [""]


def refits(d: dict[str, Any]) -> int:
    """Refits over every store, policy and quarter."""
    return sum(bool(q.get("refit")) for r in d["stores"] for p in r["policies"].values() for q in p)


def closed_loop_section(lines: list[str], d: dict[str, Any] | None) -> list[str]:
    """Append the section; return the targets missed."""
    lines += ["## 9. A year with the product: closed loop (fit -> plan -> test -> refit)", ""]
    if d is None:
        lines += ["Not run.", ""]
        return []
    m = d["meta"]
    how = {
        "reweight": "posterior samples reweighted by the likelihood of every week observed since "
        "the first fit (no MCMC refit)",
        "auto": "posterior samples reweighted by the likelihood of every week observed since the "
        "last fit, and a refit (same short chains, read-out rows included) when the effective "
        "sample size falls under 10 %",
        "refit": "an MCMC refit of every policy each quarter (read-out rows included)",
    }.get(m.get("update", ""), "?")
    lines += [
        f"{len(d['stores'])} generated stores ({refits(d)} refits in all), 156 observed weeks "
        "then four 13-week quarters "
        f"lived under each policy (generator's baseline, prices and weekly noise). First fit: "
        f"{m.get('chains')} chains x {m.get('draws')} draws ({m.get('tune')} tuning, short "
        f"chains); updates: {how}. Budget of today's run-rate every quarter. *share* = (policy's "
        "true contribution - today's) / (oracle's - today's); contribution = true media revenue "
        "- spend, test costs included. Errors: mean absolute relative error of the "
        "posterior-mean ROAS and marginal ROAS of the levers at today's run-rate. "
        f"{d['seconds'] / 60:.1f} min in all.",
        "",
    ]
    missed = []
    for r in d["stores"]:
        _store_table(lines, r)
        s = r["summary"]
        q4 = s["safe_exp"]["share_by_quarter"][-1]
        if q4 < Q4_TARGET:
            missed.append(
                f"closed loop {r['store']}: safe + experiments reaches {_pct(q4)} of the oracle's "
                f"lift in Q4 (target {_pct(Q4_TARGET)}, {_pct(Q4_TARGET - q4)} short)"
            )
        if s["safe_exp"]["below_today_quarters"]:
            missed.append(
                f"closed loop {r['store']}: safe + experiments below today's plan in "
                f"{s['safe_exp']['below_today_quarters']} quarter(s)"
            )
        best = max(
            (p for p in POLICIES if p not in ("oracle", "today")), key=lambda p: s[p]["total"]
        )
        if best != "safe_exp":
            missed.append(
                f"closed loop {r['store']}: {NAMES[best]} earns more than safe + experiments over "
                f"the year ({_eur(s[best]['total'] - s['safe_exp']['total'])} EUR more)"
            )
    return missed
