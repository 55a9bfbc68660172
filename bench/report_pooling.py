"""The portfolio section of ``docs/benchmarks.md`` (imported by ``bench/report.py``)."""

from __future__ import annotations

from typing import Any

from optimizer.data.demo_portfolio import DEMO_SHOPS
from optimizer.mmm.portfolio import DEFAULT_METHOD, METHODS


def _pct(x: Any) -> str:
    return "–" if x is None else f"{100 * x:.0f} %"


def _fit_table(lines: list[str], s: dict[str, Any]) -> None:
    lines += [
        "| method | fit wall s (mean) | gate passed | max divergences | max R-hat |",
        "|---|---|---|---|---|",
    ]
    for m in METHODS:
        if m in s:
            r = s[m]
            lines.append(
                f"| {m} | {r['fit_seconds_mean']:.0f} | {r['passed']} of {r['runs']} | "
                f"{r['divergences_max']} | {r['r_hat_max']:.3f} |"
            )
    lines += [""]


def pooling_section(lines: list[str], d: dict[str, Any] | None) -> list[str]:
    """Append the section; return the missed targets (the shipped default is not the winner)."""
    lines += ["## 10. Portfolio: pooled vs independent", ""]
    if d is None:
        lines += ["Not run.", ""]
        return []
    s, v = d["summary"], d["verdict"]
    load_avg = d["meta"]["machine"]["load_avg"][0]
    seeds = ", ".join(str(p["seed"]) for p in d["portfolios"])
    lines += [
        f"Command: `{d['meta']['command']}`. Demo portfolios of seeds {seeds} "
        "(`optimizer.data.demo_portfolio`; seed 7 is `scenarios/portfolio`): a big brand "
        "(`maison`, 156 weeks, 5 channels, 2 lift tests), a mid-size brand (`atelier`, 156 "
        "weeks, 4 channels, 2 lift tests), a marketplace presence (`marketplace`, 65 weeks, SEA "
        "and retail media, no lift test); true channel parameters drawn around group values. "
        f"Each fitted pooled (one hierarchical model) and independent (one model per shop) with "
        f"the product defaults ({d['chains']} chains x {d['meta']['draws']} draws, "
        f"{d['meta']['tune']} tuning, up to 2 retries); wall times under a load average of "
        f"{load_avg:.1f} on this machine. ROAS error = |posterior mean - true| / true over the "
        "history; coverage = share of true ROAS inside the central 90 % interval; figures over "
        "every (portfolio, channel) of the shop.",
        "",
        "| shop | pooled: median ROAS error | pooled: 90 % coverage | independent: median ROAS "
        "error | independent: 90 % coverage | channels x portfolios |",
        "|---|---|---|---|---|---|",
    ]
    for r in DEMO_SHOPS:
        p, i = (s.get(m, {}).get("shops", {}).get(r.name) for m in METHODS)
        if p is None or i is None:
            continue
        lines.append(
            f"| {r.name} | {_pct(p['median_rel_error'])} | {_pct(p['coverage'])} | "
            f"{_pct(i['median_rel_error'])} | {_pct(i['coverage'])} | {p['n']} |"
        )
    lines += [""]
    _fit_table(lines, s)
    lines += [
        "Per portfolio (median ROAS error over the shop's channels / coverage):",
        "",
        "| seed | shop | pooled | independent |",
        "|---|---|---|---|",
    ]
    for port in d["portfolios"]:
        runs = port["runs"]
        for r in DEMO_SHOPS:
            cells = [
                f"{_pct(runs[m]['shops'][r.name]['median_rel_error'])} / "
                f"{_pct(runs[m]['shops'][r.name]['coverage'])}"
                if m in runs
                else "–"
                for m in METHODS
            ]
            lines.append(f"| {port['seed']} | {r.name} | {' | '.join(cells)} |")
    lines += [
        "",
        f"Decision rule (in the script): **{v.get('default')}** is the measured default "
        f"(small shop wins: {v.get('small_shop_wins')}; big shops hurt: "
        f"{', '.join(v.get('big_shops_hurt') or []) or 'none'}); the code's default is "
        f"`{DEFAULT_METHOD}`.",
        "",
    ]
    if v.get("default") and v["default"] != DEFAULT_METHOD:
        return [f"portfolio: the shipped default `{DEFAULT_METHOD}` is not the measured winner"]
    return []
