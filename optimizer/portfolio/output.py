"""A portfolio run as files: ``summary.json``, CSV tables, ``report.html``, ``run.json``.

This module computes their contents; :func:`optimizer.report.portfolio_writer.write_portfolio`
writes them.

Everything but ``run.json`` (where and how long it ran) depends only on the inputs, the
settings and the seeds: a run in this process and one on a Dask cluster write the same bytes.
The folder is written atomically (:func:`optimizer.atomic.atomic_folder`): an interrupted run
leaves no partial folder, and a run whose ``run.json`` records the same package, code, inputs,
settings and language is up to date (:func:`up_to_date`).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

from optimizer._version import __version__
from optimizer.data.portfolio import Portfolio
from optimizer.portfolio.result import PortfolioResult, ShopResult, kpis
from optimizer.scenario.cache import code_digest
from optimizer.scenario.kpis import pnl_frame

__all__ = [
    "RUN_FILES",
    "build_summary",
    "build_tables",
    "run_outputs",
    "settings_record",
    "up_to_date",
]

#: Files every complete run folder holds.
RUN_FILES = (
    "summary.json",
    "run.json",
    "report.html",
    "media_plan.csv",
    "prices.csv",
    "pnl.csv",
    "bridge.csv",
    "capacity.csv",
    "selection.csv",
)


def _r(x: float, digits: int = 2) -> float:
    return round(float(x), digits) + 0.0  # + 0.0: never -0.0


def _shop_summary(s: ShopResult) -> dict[str, Any]:
    today, plan = float(s.today.media.sum()), float(s.plan.media.sum())
    change = s.plan.prices / s.today.prices - 1.0
    roas = {
        str(row.get("channel")): _r(row.get("roas_mean", np.nan), 4)
        for row in s.model.get("mmm", {}).get("channels", [])
        if isinstance(row, dict) and "roas_mean" in row
    }
    return {
        "shop": s.shop,
        "warehouse": s.warehouse,
        "budget": {
            "current": _r(today),
            "plan": _r(plan),
            "min": _r(s.budget_bounds[0]),
            "max": _r(s.budget_bounds[1]),
        },
        "kpis": kpis(s.pnl_today, s.pnl_plan),
        "bridge": s.bridge,
        "prices": {
            "skus": len(change),
            "raised": int((change > 1e-9).sum()),
            "cut": int((change < -1e-9).sum()),
        },
        "media": {
            c: {"current": _r(s.today.media[:, j].sum()), "plan": _r(s.plan.media[:, j].sum())}
            for j, c in enumerate(s.channels)
        },
        "model": {"roas": roas, "seed": s.model.get("seed")},
    }


def _alone_summary(r: PortfolioResult) -> dict[str, Any] | None:
    if r.alone is None:
        return None
    today = r.evaluations["today"].contribution()
    group = r.evaluations[r.chosen].contribution()
    alone = r.alone.contribution()
    q = np.quantile(group - alone, [0.1, 0.5, 0.9])
    return {
        "contribution": {"mean": _r(alone.mean())},
        "delta_vs_current": {"mean": _r((alone - today).mean())},
        "group_vs_alone": {
            "mean": _r((group - alone).mean()),
            "p10": _r(q[0]),
            "p50": _r(q[1]),
            "p90": _r(q[2]),
            "p_positive": _r(np.mean(group - alone > 0), 4),
        },
        "budgets": {s: _r(p.media.sum()) for s, p in r.alone.plans.items()},
    }


def build_summary(r: PortfolioResult) -> dict[str, Any]:
    """``summary.json``: the group's and each shop's figures (EUR to the cent)."""
    k = kpis(r.pnl_today, r.pnl_plan)
    ms = r.media_safety
    return {
        "portfolio": r.name,
        "horizon": {
            "start": r.weeks[0].strftime("%Y-%m-%d"),
            "end": r.weeks[-1].strftime("%Y-%m-%d"),
            "weeks": len(r.weeks),
        },
        "budget": {
            "group": _r(r.budget),
            "current": _r(sum(s.today.media.sum() for s in r.shops)),
            "plan": _r(sum(s.plan.media.sum() for s in r.shops)),
        },
        "safe": r.safe,
        "chosen": r.chosen,
        "reason": r.reason,
        "kpis": k,
        "confidence": {"p_gain_positive": k["contribution"]["delta"]["p_positive"]},
        "bridge": r.bridge,
        "shops": [_shop_summary(s) for s in r.shops],
        "capacity": [
            {
                "warehouse": p.pool,
                "multipliers": [_r(x, 4) for x in p.multipliers],
                "gap": _r(p.gap, 6),
                "feasible": p.feasible,
                "overflow_weeks": [r.weeks[t].strftime("%Y-%m-%d") for t in p.overflow_weeks],
                "solver": p.solver,
            }
            for p in r.pools
        ],
        "selection": [
            {k: (_r(v, 4) if isinstance(v, float) else v) for k, v in row.items()}
            for row in r.selection.to_dict(orient="records")
        ],
        "media": {
            "mode": ms.get("mode"),
            "chosen": ms.get("chosen"),
            "reason": ms.get("reason"),
            "promise": ms.get("promise"),
        },
        "alone": _alone_summary(r),
        "seeds": r.seeds,
    }


def _media_table(r: PortfolioResult) -> pd.DataFrame:
    rows = []
    for s in r.shops:
        for t, week in enumerate(r.weeks.strftime("%Y-%m-%d")):
            for j, c in enumerate(s.channels):
                rows.append((week, s.shop, c, s.today.media[t, j], s.plan.media[t, j]))
    table = pd.DataFrame(rows, columns=["week", "shop", "channel", "current", "plan"])
    return table.round({"current": 2, "plan": 2})


def _prices_table(r: PortfolioResult) -> pd.DataFrame:
    parts = []
    for s in r.shops:
        ev_now, ev_new = r.evaluations["today"], r.evaluations[r.chosen]
        p = s.pricing.prices
        parts.append(
            pd.DataFrame(
                {
                    "shop": s.shop,
                    "sku": p.index.astype(str),
                    "category": p["category"].to_numpy(),
                    "current_price_incl_vat": s.today.prices,
                    "new_price_incl_vat": s.plan.prices,
                    "change": np.round(s.plan.prices / s.today.prices - 1.0, 4),
                    "expected_units": np.round(ev_new.shipped[s.shop].mean(axis=0).sum(axis=0), 2),
                    "current_expected_units": np.round(
                        ev_now.shipped[s.shop].mean(axis=0).sum(axis=0), 2
                    ),
                    "binding_rule": p["binding_rule"].to_numpy(),
                    "reference_price": p["reference_price"].to_numpy(float),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _capacity_table(r: PortfolioResult) -> pd.DataFrame:
    rows = []
    now, new = r.evaluations["today"], r.evaluations[r.chosen]
    for p in r.pools:
        for t, week in enumerate(r.weeks.strftime("%Y-%m-%d")):
            load = new.load[p.pool][:, t]
            want = new.demand_load[p.pool][:, t]
            rows.append(
                {
                    "warehouse": p.pool,
                    "week": week,
                    "capacity": _r(p.capacity[t]),
                    "current_load": _r(now.load[p.pool][:, t].mean()),
                    "plan_load": _r(load.mean()),
                    "plan_load_p10": _r(np.quantile(load, 0.1)),
                    "plan_load_p90": _r(np.quantile(load, 0.9)),
                    "plan_demand_load": _r(want.mean()),
                    "plan_use": _r(load.mean() / p.capacity[t], 4),
                    "p_full": _r(np.mean(want > p.capacity[t] * (1 - 1e-9)), 4),
                    "expected_load": _r(p.load[t]),
                    "multiplier": _r(p.multipliers[t], 4),
                }
            )
    return pd.DataFrame(rows)


def build_tables(r: PortfolioResult) -> dict[str, pd.DataFrame]:
    """The CSV tables: media plan, prices, P&L, bridge, capacity use, candidates."""
    pnl = [pnl_frame(s.pnl_plan, s.pnl_today).assign(shop=s.shop) for s in r.shops]
    pnl.append(pnl_frame(r.pnl_plan, r.pnl_today).assign(shop="total"))
    bridge = []
    for name, b in [(s.shop, s.bridge) for s in r.shops] + [("total", r.bridge)]:
        for ln in b["lines"]:
            bridge.append({"shop": name, **ln})
    sel = r.selection.copy()
    num = sel.select_dtypes("number").columns
    sel[num] = sel[num].round(4)
    return {
        "media_plan": _media_table(r),
        "prices": _prices_table(r),
        "pnl": pd.concat(pnl, ignore_index=True)[["shop", *pnl[0].columns[:-1]]],
        "bridge": pd.DataFrame(bridge),
        "capacity": _capacity_table(r),
        "selection": sel,
    }


def _run_record(
    r: PortfolioResult, lang: str, settings: dict[str, Any], cache: dict[str, Any]
) -> dict[str, Any]:
    return {
        "version": r.provenance.get("version"),
        "code_sha256": code_digest(),
        "inputs_sha256": r.inputs_sha256,
        "seeds": r.seeds,
        "settings": settings,
        "lang": lang,
        "compute": r.provenance.get("compute"),
        "timings_seconds": {k: v for k, v in r.provenance.items() if k.endswith("seconds")},
        "cache": cache,
    }


def run_outputs(
    r: PortfolioResult, lang: str = "fr", settings: dict[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, pd.DataFrame], dict[str, Any]]:
    """What a run folder holds: the summary, the CSV tables and the run record.

    ``settings`` (the run's settings) and ``lang`` are recorded in ``run.json``: what
    :func:`up_to_date` compares. :func:`optimizer.report.portfolio_writer.write_portfolio`
    writes them.
    """
    summ = build_summary(r)
    tables = build_tables(r)
    cache = {s.shop: s.model.get("cache") for s in r.shops}
    run = _run_record(r, lang, settings or {}, cache)
    return summ, tables, run


def _json(obj: Any) -> str:
    return json.dumps(obj, indent=1, ensure_ascii=False, default=str) + "\n"


def up_to_date(
    portfolio: Portfolio, out: str | Path, lang: str, settings: dict[str, Any]
) -> dict[str, Any] | None:
    """The summary of an existing run if nothing it depends on changed, else None.

    Up to date: every file present, and ``run.json`` records the same package version, code,
    input files (SHA-256), settings and report language.
    """
    out = Path(out)
    if not all((out / name).is_file() for name in RUN_FILES):
        return None
    try:
        run = json.loads((out / "run.json").read_text(encoding="utf-8"))
        summ = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    same = (
        run.get("version") == __version__
        and run.get("code_sha256") == code_digest()
        and run.get("inputs_sha256") == portfolio.input_digests()
        and run.get("settings") == json.loads(_json(settings))
        and run.get("lang") == lang
    )
    return dict(summ) if same else None


def _plain(obj: Any) -> Any:
    """A settings value as JSON: dataclasses and pydantic models as dicts."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    return obj


def settings_record(**parts: Any) -> dict[str, Any]:
    """Settings (dataclasses, pydantic models, plain values) as JSON, as ``run.json`` has them."""
    return {k: _plain(v) for k, v in parts.items()}
