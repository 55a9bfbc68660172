"""KPIs and tables of a scenario result: what ``summary.json`` and the CSV files hold.

Every KPI is given for the recommended (joint) plan and the current plan with mean, P10, P50
and P90 over posterior samples, and the delta (plan - current, computed sample by sample so
its interval is the interval of the difference). Amounts are EUR rounded to the cent, ratios
to 4 decimals, so two runs of the same scenario and seed write identical files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from optimizer.data.dataset import load_dataset
from optimizer.scenario.evaluation import PlanEvaluation
from optimizer.scenario.pnl import LABELS, PnL

if TYPE_CHECKING:
    from optimizer.scenario.runner import ScenarioResult

__all__ = [
    "KPI_LABELS",
    "kpi_samples",
    "media_plan_table",
    "pnl_frame",
    "pnl_table",
    "prices_table",
    "summary",
]

KPI_LABELS = {
    "revenue_incl_vat": "Revenue incl. VAT (EUR)",
    "revenue_excl_vat": "Revenue excl. VAT (EUR)",
    "net_revenue_excl_vat": "Net revenue after returns excl. VAT (EUR)",
    "orders": "Orders",
    "average_basket_incl_vat": "Average basket incl. VAT (EUR)",
    "gross_margin": "Gross margin (EUR)",
    "media_spend": "Media spend (EUR)",
    "media_revenue": "Incremental revenue from media (EUR)",
    "roas": "ROAS (incremental revenue / media spend)",
    "cpa": "CPA (media spend / incremental order, EUR)",
    "contribution": "Contribution after media (EUR)",
    "units": "Units shipped",
    "peak_capacity_use": "Peak weekly capacity use",
    "mean_capacity_use": "Mean weekly capacity use",
    "stock_use": "Stock sold (share of units on hand)",
    "lost_units_capacity": "Demand lost to capacity (units)",
    "lost_units_stock": "Demand lost to stock-outs (units)",
}
_RATIOS = {"roas", "peak_capacity_use", "mean_capacity_use", "stock_use"}


def _r(x: float, ratio: bool) -> float:
    return round(float(x), 4 if ratio else 2)


def kpi_samples(
    plan: PlanEvaluation, capacity: np.ndarray, stock: float, orders_per_unit: float | None
) -> dict[str, np.ndarray]:
    """Each KPI of a plan per posterior sample, shape (S,)."""
    lines = plan.pnl.lines
    units = plan.pnl.units
    media = lines["media_total"]
    out: dict[str, np.ndarray] = {
        "revenue_incl_vat": lines["gross_revenue_incl_vat"],
        "revenue_excl_vat": lines["gross_revenue_excl_vat"],
        "net_revenue_excl_vat": lines["net_revenue_excl_vat"],
        "gross_margin": lines["gross_margin"],
        "media_spend": media,
        "media_revenue": plan.media_revenue,
        "roas": plan.media_revenue / np.maximum(media, 1e-9),
        "contribution": lines["contribution"],
        "units": units,
        "peak_capacity_use": (plan.shipments.load / capacity[None, :]).max(axis=1),
        "mean_capacity_use": (plan.shipments.load / capacity[None, :]).mean(axis=1),
        "stock_use": units / max(stock, 1e-9),
        "lost_units_capacity": plan.shipments.lost_capacity,
        "lost_units_stock": plan.shipments.lost_stock,
    }
    if orders_per_unit:
        orders = units * orders_per_unit
        revenue_per_order = lines["gross_revenue_incl_vat"] / np.maximum(orders, 1e-9)
        out["orders"] = orders
        out["average_basket_incl_vat"] = revenue_per_order
        incremental_orders = plan.media_revenue / np.maximum(revenue_per_order, 1e-9)
        out["cpa"] = media / np.maximum(incremental_orders, 1e-9)
    return out


def _stats(v: np.ndarray, ratio: bool) -> dict[str, float]:
    q = np.quantile(v, [0.1, 0.5, 0.9])
    return {
        "mean": _r(v.mean(), ratio),
        "p10": _r(q[0], ratio),
        "p50": _r(q[1], ratio),
        "p90": _r(q[2], ratio),
    }


def orders_per_unit(result: ScenarioResult) -> float | None:
    """Orders per unit sold over the weeks both histories cover (None without orders)."""
    ds = load_dataset(result.spec.sections.paths.dataset)
    m, s = ds.marketing, ds.sales
    if m is None or m.orders is None or s is None:
        return None
    units = s.frame.groupby("week")["units"].sum()
    common = m.weeks.intersection(pd.DatetimeIndex(units.index))
    if not len(common):
        return None
    orders = pd.Series(m.orders, index=m.weeks).loc[common].sum()
    return float(orders / max(units.loc[common].sum(), 1e-9))


def summary(result: ScenarioResult, opu: float | None) -> dict[str, Any]:
    """The ``summary.json`` content (JSON-ready, rounded, deterministic)."""
    d = result.demand
    stock = float(d.catalog.frame["stock"].sum())
    plans = result.plans
    k_plan = kpi_samples(plans.joint, d.capacity, stock, opu)
    k_cur = kpi_samples(plans.current, d.capacity, stock, opu)
    k_sep = kpi_samples(plans.separate, d.capacity, stock, opu)
    kpis = {}
    for name in KPI_LABELS:
        if name not in k_plan:
            continue
        ratio = name in _RATIOS
        kpis[name] = {
            "label": KPI_LABELS[name],
            "plan": _stats(k_plan[name], ratio),
            "current": _stats(k_cur[name], ratio),
            "delta": _stats(k_plan[name] - k_cur[name], ratio),
            "separate": _stats(k_sep[name], ratio),
        }
    channels = {}
    alloc = plans.allocation
    # marginal return within the horizon of the reported plan (not of the last allocation
    # target): spend-weighted derivative of the horizon's incremental revenue, posterior mean,
    # EUR per EUR. Not the marginal ROAS (steady state, see scenario/findings.py).
    plan = plans.joint.media
    grad = d.curves.gradient(plan).mean(axis=0)  # (T, C)
    spend_c = plan.sum(axis=0)
    share = np.where(spend_c > 0, plan / np.where(spend_c > 0, spend_c, 1.0), 1.0 / len(plan))
    mroas = (grad * share).sum(axis=0)
    bounds = plans.safety.get("media", {}).get("bounds", {})
    for j, c in enumerate(d.curves.channels):
        channels[c] = {
            "spend": _r(plan[:, j].sum(), False),
            "current_spend": _r(plans.current.media[:, j].sum(), False),
            "separate_spend": _r(plans.separate.media[:, j].sum(), False),
            "marginal_return_horizon": _r(float(mroas[j]), True),
        }
        if c in bounds:
            b = bounds[c]
            channels[c]["bound"] = _rounded(
                {
                    "min": b["min_total"],
                    "max": b["max_total"],
                    "max_weekly": b["max_weekly"],
                    "reference": b["reference_total"],
                    "identification": b["identification"],
                    "mroas_low": b["mroas_low"],
                    "mroas_high": b["mroas_high"],
                    "reach": b["reach"],
                    "lever": b["lever"],
                }
            )
            channels[c]["bound_reason"] = b["reason"]
    pr = plans.pricing
    sep_c = plans.separate.pnl.lines["contribution"]
    joint_c = plans.joint.pnl.lines["contribution"]
    return {
        "scenario": result.spec.name,
        "description": result.spec.file.description,
        "currency": "EUR",
        "horizon": {
            "start": str(d.weeks[0].date()),
            "end": str(d.weeks[-1].date()),
            "weeks": len(d.weeks),
        },
        "budget": _r(result.budget, False),
        "kpis": kpis,
        "media": {
            "channels": channels,
            **_part_promise(plans, "joint media, today's prices"),
            **(
                {}
                if alloc is None
                else {
                    "certificate": {
                        "status": alloc.status.value,
                        "gap": None if alloc.rel_gap is None else _r(alloc.rel_gap, True),
                    }
                }
            ),
        },
        "safety": _safety(plans, result.spec.file.media.mode),
        "pricing": {
            **_part_promise(plans, "today's media, joint prices"),
            "n_skus": len(d.catalog),
            "n_changes": int((~np.isclose(plans.joint.prices, plans.current.prices)).sum()),
            "status": None if pr is None else pr.status.value,
            "gap": None if pr is None else _r(pr.gap, True),
            "solver": None if pr is None else pr.solver,
            # safe price plan: chosen candidate, reason, held-out promise, candidate table
            "safety": None if pr is None else pr.info.get("safety"),
        },
        "allocation": {
            "status": None if alloc is None else alloc.status.value,
            "gap": None if alloc is None or alloc.rel_gap is None else _r(alloc.rel_gap, True),
            "solver": None if alloc is None else alloc.solver,
            "binding": [] if alloc is None else list(alloc.binding),
            # which bound certifies the plan and, when the gap is above the tolerance, why
            "notes": [] if alloc is None else list(alloc.notes),
        },
        "joint_vs_separate": {
            "joint_contribution": _stats(joint_c, False),
            "separate_contribution": _stats(sep_c, False),
            "difference": _stats(joint_c - sep_c, False),
            "rounds": [
                {k: v for k, v in r.items() if k != "capacity_weights"} for r in plans.rounds
            ],
        },
        "model": {
            "diagnostics": result.mmm["diagnostics"],
            "elasticity": {
                k: v for k, v in result.elasticity.items() if k in ("method", "weakly_identified")
            },
        },
        "seed": result.spec.file.seed,
    }


def _rounded(x: Any) -> Any:
    """Floats rounded for a deterministic, readable JSON (ratios to 4 decimals, EUR to cents)."""
    if isinstance(x, dict):
        return {k: _rounded(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_rounded(v) for v in x]
    if isinstance(x, float | np.floating):
        v = float(x)
        if not np.isfinite(v):
            return None
        return round(v, 4) if abs(v) < 10 else round(v, 2)
    if isinstance(x, np.bool_ | np.integer):
        return x.item()
    return x


def _safety(plans: Any, mode: str) -> dict[str, Any]:
    """The safety check: chosen candidate, why, its promise, every candidate (held-out half)."""
    s = plans.safety
    if not s:
        return {"mode": mode}
    media = s.get("media", {})
    return _rounded(
        {
            "mode": mode,
            "chosen": s["chosen"],
            "alpha": s["alpha"],
            "reason": s["reason"],
            "promise": s["promise"],
            "promise_calibrated": s.get("promise_calibrated"),
            "candidates": s["candidates"],
            "media_step": {k: media[k] for k in ("chosen", "reason", "promise") if k in media},
        }
    )


def _part_promise(plans: Any, candidate: str) -> dict[str, Any]:
    """The lift of one part of the plan alone (media or prices), from the safety check."""
    for row in plans.safety.get("candidates", []):
        if row["candidate"] == candidate:
            keep = {"mean": "lift_mean", "p10": "lift_p10", "p90": "lift_p90"}
            out = {k: row[v] for k, v in keep.items()} | {
                "p_positive": row["p_gain"],
                "p_loss": row["p_loss"],
            }
            return {"promise": _rounded(out)}
    return {}


def media_plan_table(result: ScenarioResult) -> pd.DataFrame:
    """Joint media plan: one row per week, one column per channel, EUR excl. VAT."""
    d = result.demand
    t = pd.DataFrame(
        np.round(result.plans.joint.media, 2),
        index=pd.Index(d.weeks.strftime("%Y-%m-%d"), name="week"),
        columns=list(d.curves.channels),
    )
    t["total"] = t.sum(axis=1).round(2)
    return t.reset_index()


def prices_table(result: ScenarioResult) -> pd.DataFrame:
    """Per SKU: current and new prices, change, expected units, revenue, margin, binding rule.

    ``change`` is a fraction (0.0445 = +4.45 %); units are over the horizon (posterior mean);
    ``margin`` and ``current_margin`` are the gross margin after returns of the recommended and
    the current plan, EUR excl. VAT. With the safe price plan also ``max_change_bound_pct``
    (the SKU's identification bound, percent), ``max_raise_bound_pct`` (its largest rise) and
    ``bound_reason`` (why, in words).
    """
    d = result.demand
    f = d.catalog.frame
    plan = result.plans.joint
    units = plan.shipments.shipped.mean(axis=0).sum(axis=0)
    cur_units = result.plans.current.shipments.shipped.mean(axis=0).sum(axis=0)
    new = plan.prices
    excl = new / (1.0 + f["vat_rate"].to_numpy(float))
    cur_excl = f["price_incl_vat"].to_numpy(float) / (1.0 + f["vat_rate"].to_numpy(float))
    rr = f["return_rate"].to_numpy(float)
    cost = f["unit_cost"].to_numpy(float)
    t = pd.DataFrame(
        {
            "sku": f.index,
            "category": f["category"].to_numpy(),
            "current_price_incl_vat": f["price_incl_vat"].to_numpy(float),
            "new_price_incl_vat": new,
            "new_price_excl_vat": np.round(excl, 2),
            "unit_cost": cost,
            "change": np.round(new / f["price_incl_vat"].to_numpy(float) - 1.0, 4),
            "expected_units": np.round(units, 2),
            "current_expected_units": np.round(cur_units, 2),
            "revenue_excl_vat": np.round(units * excl, 2),
            "margin": np.round(units * (1 - rr) * (excl - cost), 2),
            "current_margin": np.round(cur_units * (1 - rr) * (cur_excl - cost), 2),
            "stock": f["stock"].to_numpy(float),
        }
    )
    pr = result.plans.pricing
    if pr is not None:
        extra = pr.prices.set_index("sku") if "sku" in pr.prices.columns else pr.prices
        for col in (
            "binding_rule",
            "reference_price",
            "max_change_bound_pct",
            "max_raise_bound_pct",
            "bound_reason",
        ):
            if col in extra.columns:
                t[col] = extra.loc[f.index, col].to_numpy()
    return t


def pnl_table(result: ScenarioResult) -> pd.DataFrame:
    """Finance P&L: one row per line, plan and current plan with intervals, EUR excl. VAT."""
    return pnl_frame(result.plans.joint.pnl, result.plans.current.pnl)


def pnl_frame(plan: PnL, cur: PnL) -> pd.DataFrame:
    """One row per P&L line: plan and current plan with intervals, EUR excl. VAT.

    The plan's mean, P10, P50 and P90, the current plan's mean and the change (mean, P10, P90,
    computed sample by sample), to the cent.
    """
    rows = []
    for name in plan.order:
        v, c = plan.lines[name], cur.lines[name]
        q = np.quantile(v, [0.1, 0.5, 0.9])
        dq = np.quantile(v - c, [0.1, 0.9])
        rows.append(
            {
                "line": name,
                "label": LABELS.get(name, f"Media, {name.removeprefix('media_')}"),
                "plan_mean": _r(v.mean(), False),
                "plan_p10": _r(q[0], False),
                "plan_p50": _r(q[1], False),
                "plan_p90": _r(q[2], False),
                "current_mean": _r(c.mean(), False),
                "delta_mean": _r((v - c).mean(), False),
                "delta_p10": _r(dq[0], False),
                "delta_p90": _r(dq[1], False),
            }
        )
    return pd.DataFrame(rows)
