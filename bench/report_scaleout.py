"""The "Scale-out on Dask" section of ``docs/benchmarks.md`` (imported by ``bench/report.py``)."""

from __future__ import annotations

from typing import Any

SETTINGS = ("in-process", "1 worker", "2 workers")


def _s(x: Any, nd: int = 1) -> str:
    return "–" if x is None else f"{x:,.{nd}f}"


def _loads(runs: list[dict[str, Any]]) -> str:
    return ", ".join(f"{r['load_before']:.1f}" for r in runs)


def _overhead(lines: list[str], o: dict[str, Any]) -> None:
    lines += [
        "No-op tasks through `run_tasks` (1 task, then 200): the first is the cost of starting "
        "and closing the cluster, the difference / 199 the scheduler's overhead per task.",
        "",
        "| setting | start + close (1 no-op), s | overhead per task, ms | load avg before |",
        "|---|---|---|---|",
    ]
    for name in SETTINGS:
        v = o.get(name)
        if v:
            lines.append(
                f"| {name} | {_s(v['start_median'], 2)} | {_s(1000 * v['per_task_median'], 2)} "
                f"| {_loads([r['one'] for r in v['runs']])} |"
            )
    lines.append("")


def _sweep(lines: list[str], w: dict[str, Any]) -> None:
    n_runs = len(w[SETTINGS[0]]["runs"])
    lines += [
        f"`{w['scenario']}`, {w['points']} points (8 budgets x 5 rule sets: free, guard20, "
        "guard30, guard50, workable), fits read from the scenario cache; median of "
        f"{n_runs} run(s). Overhead per point = (points wall - sum of the points' own seconds / "
        "workers) / points: everything beyond perfect sharing (cluster start, sending the "
        "shared model, scheduling, idle workers at the end). Tables identical in every "
        f"setting: **{'yes' if w['identical_tables'] else 'NO'}**.",
        "",
        "| setting | wall, s | prepare (data, cached fits), s | points wall, s | sum of point "
        "times, s | median point, s | overhead per point, s | load avg before each run |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in SETTINGS:
        v = w.get(name)
        if not v:
            continue
        runs = v["runs"]
        med = sorted(runs, key=lambda r: r["wall"])[len(runs) // 2]
        lines.append(
            f"| {name} | {_s(v['wall_median'])} | {_s(med['prepare'])} | "
            f"{_s(v['points_wall_median'])} | {_s(med['task_sum'])} | "
            f"{_s(med['task_median'], 2)} | {_s(med['overhead_per_task'], 2)} | {_loads(runs)} |"
        )
    lines.append("")


def _shops(lines: list[str], h: dict[str, Any]) -> None:
    lines += [
        f"{h['shops']} stores from `generate_store` (every pattern, seeds 1-), one task per shop: "
        f"fit the media-mix model with a reduced sampler ({h['chains']} chains x {h['draws']} "
        f"draws, {h['tune']} tuning steps, no retry) and plan its media (safe plan, workable "
        "rules, 13 weeks at the run-rate budget); one run per setting. Results (diagnostics, "
        "chosen plan, promise) identical in every setting: "
        f"**{'yes' if h['identical_results'] else 'NO'}**.",
        "",
        "| setting | wall, s | sum of task times, s | median task, s | median compile, s | "
        "load avg before |",
        "|---|---|---|---|---|---|",
    ]
    for name in SETTINGS:
        v = h.get(name)
        if v:
            lines.append(
                f"| {name} | {_s(v['wall'])} | {_s(v['task_sum'])} | {_s(v['task_median'])} "
                f"| {_s(v['compile_median'])} | {v['load_before']:.1f} |"
            )
    lines.append("")


def scaleout_section(lines: list[str], d: dict[str, Any] | None) -> list[str]:
    """Append the section; return missed targets (none: this part has no target)."""
    lines += ["## 12. Scale-out on Dask", ""]
    if not d:
        lines += ["Not run yet: `.venv/bin/python bench/scaleout.py`.", ""]
        return []
    m = d["meta"]
    lines += [
        f"`{m['command']}` ({m['date']}; {m['machine']['cpus']} cores shared with other work: "
        f"1-minute load average {m.get('load_at_start')} at the start, {d.get('load_at_end')} at "
        "the end, and before each run in the tables: timings on a loaded machine are upper "
        "bounds). Local clusters: single-threaded worker processes (spawn) in a process of "
        "their own, started and closed inside each timed call.",
        "",
    ]
    if d.get("meta_sweep"):
        ms = d["meta_sweep"]
        lines += [
            f"The sweep part: `{ms['command']}` ({ms['date']}, commit {ms.get('commit')}).",
            "",
        ]
    if d.get("conditions"):
        lines += [f"Run conditions: {d['conditions']}", ""]
    if "overhead" in d:
        lines += ["### Scheduler overhead", ""]
        _overhead(lines, d["overhead"])
    if "sweep" in d:
        lines += ["### A sweep of 40 scenario points", ""]
        _sweep(lines, d["sweep"])
    if "shops" in d:
        lines += ["### Generated shops: fit + plan per shop", ""]
        _shops(lines, d["shops"])
    p = d.get("projection")
    if p:
        lines += [
            f"### Projection (computed, not measured): {p['shops']} shops on {p['workers']} "
            "workers",
            "",
            f"wall = {p['formula']} = {_s(p['start_seconds'])} + ceil({p['shops']} / "
            f"{p['workers']}) x ({_s(p['task_seconds'])} + {_s(p['overhead_per_task'], 3)}) = "
            f"**{_s(p['wall_seconds'])} s**, against {_s(p['in_process_seconds'])} s for "
            f"{p['shops']} shops one after the other in one process. Task time: the median "
            "shop task in-process above; overhead per task and start: the no-op figures on 2 "
            "workers. It assumes one core per worker, workers started in parallel on their own "
            "machines (dask-kubernetes, dask-jobqueue) and no contention on the scheduler at "
            "2 tasks per worker.",
            "",
        ]
    return []
