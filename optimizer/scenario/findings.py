"""What the report explains beyond the KPIs, added to ``summary.json``.

Everything a reader sees in the report is a number in ``summary.json`` (or a run table): the
report only words and draws it. This module adds, to the summary that
:func:`optimizer.scenario.kpis.summary` builds:

* ``bridge`` and ``confidence``: where the change in contribution comes from, with intervals,
  and the probability that the recommended plan earns more than the current one
  (:mod:`optimizer.scenario.insights`);
* ``sensitivity``: the stress tests, most influential first, with break-even factors;
* ``recommendation``: the facts the one-sentence recommendation is made of;
* ``pricing``: counts of prices up / down / unchanged, the distribution of changes, volume and
  orders won or lost because of prices, binding rules, Omnibus reference prices, the per-cycle
  policy;
* ``media``: per channel, weekly spend today and recommended, the steady-state response and
  marginal ROAS at both (posterior mean and P10-P90);
* ``model``: fit quality (R², MAPE in sample and on the hold-out weeks), ROAS and marginal ROAS
  per channel with 90 % intervals, spend and contribution shares.

**One definition of marginal ROAS** everywhere (``optimizer mmm summary``, the report, the
Excel workbook): the extra weekly revenue of one more euro per week at a given weekly spend,
once carry-over has settled (steady state), EUR per EUR. The horizon-bound number the allocation
uses (extra revenue *within the horizon* per extra euro spent in it, so late-horizon carry-over
is lost) is called **marginal return within the horizon** (``marginal_return_horizon``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from optimizer.scenario.insights import bridge, p_positive, sensitivity

if TYPE_CHECKING:
    from optimizer.scenario.runner import ScenarioResult

__all__ = ["add_findings", "decomposition_table", "media_weeks_table"]


def _r(x: float, nd: int = 2) -> float:
    return round(float(x), nd) + 0.0  # + 0.0: never write -0.0


def _q(v: np.ndarray, nd: int = 4) -> dict[str, float]:
    q = np.quantile(v, [0.1, 0.5, 0.9])
    return {"mean": _r(v.mean(), nd), "p10": _r(q[0], nd), "p50": _r(q[1], nd), "p90": _r(q[2], nd)}


def _media(result: ScenarioResult, summ: dict[str, Any]) -> None:
    d = result.demand
    c = d.curves
    plans = result.plans
    n_t = len(d.weeks)
    now_w = plans.current.media.mean(axis=0)  # (C,) EUR per week
    new_w = plans.joint.media.mean(axis=0)
    resp_now = c.steady_state(now_w)  # (S, C)
    resp_new = c.steady_state(new_w)
    m_now = c.marginal_roas(now_w)
    m_new = c.marginal_roas(new_w)
    channels = summ["media"]["channels"]
    for j, name in enumerate(c.channels):
        ch = channels.setdefault(name, {})
        cur = float(plans.current.media[:, j].sum())
        ch.update(
            {
                "change": _r((ch.get("spend", 0.0) / cur - 1.0) if cur > 0 else 0.0, 4),
                "weekly_spend": _r(new_w[j]),
                "current_weekly_spend": _r(now_w[j]),
                "response": _r(resp_new[:, j].mean()),
                "current_response": _r(resp_now[:, j].mean()),
                "marginal_roas": _q(m_new[:, j]),
                "current_marginal_roas": _q(m_now[:, j]),
            }
        )
    summ["media"]["weeks"] = n_t
    fr = result.frontier
    if fr is not None and len(fr) > 1 and "marginal_return" in fr:
        f = fr.sort_values("spend").reset_index(drop=True)
        at = f.index[f["is_scenario_budget"].astype(bool)]
        if len(at):
            i = int(at[0])
            # the segment just above the budget (the next euros), else the one just below
            j = i + 1 if i + 1 < len(f) else i
            mr = float(f["marginal_return"].to_numpy(float)[j])
            if np.isfinite(mr):
                summ["media"]["marginal_return_at_budget"] = _r(mr, 4)
    summ["media"]["budget_change"] = _r(
        plans.joint.media.sum() / max(plans.current.media.sum(), 1e-9) - 1.0, 4
    )


def _pricing(result: ScenarioResult, summ: dict[str, Any], opu: float | None) -> None:
    d = result.demand
    f = d.catalog.frame
    plans = result.plans
    p0 = plans.current.prices
    p1 = plans.joint.prices
    change = p1 / p0 - 1.0
    moved = ~np.isclose(p1, p0)
    up = moved & (change > 0)
    down = moved & (change < 0)
    pr = summ["pricing"]
    spec = result.spec.file.pricing
    chg = change[moved]
    pr.update(
        {
            "n_up": int(up.sum()),
            "n_down": int(down.sum()),
            "n_unchanged": int((~moved).sum()),
            "share_changed": _r(moved.mean(), 4),
            "change_median": _r(float(np.median(chg)) if len(chg) else 0.0, 4),
            "change_min": _r(float(chg.min()) if len(chg) else 0.0, 4),
            "change_max": _r(float(chg.max()) if len(chg) else 0.0, 4),
            "max_change": spec.max_change,
            "max_changes": spec.change_cap(len(f)) if hasattr(spec, "change_cap") else None,
            "max_changes_share": getattr(spec, "max_changes_share", None),
            "margin_floor": spec.margin_floor,
        }
    )
    pres = plans.pricing
    if pres is not None:
        t = pres.prices
        rules = t.loc[f.index, "binding_rule"] if len(t) else pd.Series(dtype=object)
        pr["binding_rules"] = {str(k): int(v) for k, v in rules.value_counts().sort_index().items()}
        ref = t.loc[f.index, "reference_price"].to_numpy(float)
        pr["n_reference_prices"] = int(np.isfinite(ref).sum())
    # units and orders won or lost because of prices, and at the limits of the price range
    cur_units = plans.current.shipments.shipped.sum(axis=(1, 2))
    new_units = plans.joint.shipments.shipped.sum(axis=(1, 2))
    pr["units_change"] = _q(new_units - cur_units, 2)
    if opu:
        pr["orders_change"] = _q((new_units - cur_units) * opu, 2)
    pr["at_max_change"] = int(
        np.sum(moved & np.isclose(np.abs(change), spec.max_change, atol=0.006))
    )


def _model(result: ScenarioResult, summ: dict[str, Any]) -> None:
    m = summ["model"]
    dec = result.mmm.get("decomposition")
    if isinstance(dec, pd.DataFrame) and len(dec):
        train = dec[~dec["holdout"].astype(bool)] if "holdout" in dec else dec
        y = train["actual"].to_numpy(float)
        yhat = train["fitted"].to_numpy(float)
        ss_res = float(((y - yhat) ** 2).sum())
        ss_tot = float(((y - y.mean()) ** 2).sum())
        m["fit"] = {
            "weeks": len(dec),
            "train_weeks": len(train),
            "r2": _r(1.0 - ss_res / ss_tot if ss_tot > 0 else 0.0, 4),
            "mape": _r(float(np.mean(np.abs(y - yhat) / np.maximum(np.abs(y), 1e-9))), 4),
            "start": str(dec.index[0].date()),
            "end": str(dec.index[-1].date()),
        }
        channels = [c for c in dec.columns if c in result.demand.curves.channels]
        media_total = float(dec[channels].to_numpy().sum())
        total = float(dec["fitted"].sum())
        m["fit"]["media_share"] = _r(media_total / total if total else 0.0, 4)
    diag = result.mmm.get("diagnostics", {})
    hold = diag.get("holdout") or {}
    if hold.get("weeks"):
        m["holdout"] = {
            "weeks": int(hold["weeks"]),
            "mape": _r(hold.get("mape") or 0.0, 4),
            "coverage_90": _r(hold.get("coverage_90") or 0.0, 4),
        }
    rows = result.mmm.get("channels", [])
    spend_total = sum(float(r["spend"]) for r in rows) or 1.0
    m["channels"] = {
        str(r["channel"]): {
            "spend": _r(r["spend"]),
            "spend_share": _r(float(r["spend"]) / spend_total, 4),
            "contribution": {k: _r(r[f"contribution_{k}"]) for k in ("mean", "low", "high")},
            "contribution_share": _r(r["share_mean"], 4),
            "roas": {k: _r(r[f"roas_{k}"], 4) for k in ("mean", "low", "high")},
            "marginal_roas": {k: _r(r[f"mroas_{k}"], 4) for k in ("mean", "low", "high")},
        }
        for r in rows
    }
    el = m.setdefault("elasticity", {})
    el["n_skus"] = int(result.elasticity.get("n_skus", 0))
    frame = result.demand.elasticities.frame
    el["median"] = _r(float(frame["elasticity_mean"].median()), 3)


def _recommendation(summ: dict[str, Any]) -> dict[str, Any]:
    ch = summ["media"]["channels"]
    moves = sorted(
        (
            {
                "channel": name,
                "change": _r(v["spend"] - v["current_spend"]),
                "change_rel": v.get("change", 0.0),
            }
            for name, v in ch.items()
        ),
        key=lambda r: -abs(r["change"]),
    )
    pr = summ["pricing"]
    return {
        "media_budget": summ["kpis"]["media_spend"]["plan"]["mean"],
        "media_budget_change": summ["media"].get("budget_change", 0.0),
        "media_moves": [
            m
            for m in moves
            if abs(m["change"]) >= 0.005 * max(summ["kpis"]["media_spend"]["plan"]["mean"], 1.0)
        ][:3],
        "n_price_changes": pr["n_changes"],
        "n_up": pr.get("n_up", 0),
        "n_down": pr.get("n_down", 0),
        "gain": summ["kpis"]["contribution"]["delta"],
        "p_gain_positive": summ["confidence"]["p_gain_positive"],
    }


def _assumptions(result: ScenarioResult) -> dict[str, Any]:
    f = result.spec.file
    d = result.demand
    n = len(d.catalog)
    pr = f.pricing
    return {
        "budget": _r(result.budget),
        "budget_mode": str(f.media.budget_mode),
        "budget_change": f.media.budget_change,
        "media_objective": f.media.objective,
        "risk": f.media.risk,
        "media_mode": f.media.mode,
        "alpha": f.media.alpha,
        "today": f.media.today,
        "price_safe": bool(getattr(pr, "safe", False)),
        "price_alpha": getattr(pr, "alpha", None),
        "weak_max_change": getattr(pr, "weak_max_change", None),
        "media_enabled": f.media.enabled,
        "pricing_enabled": pr.enabled,
        "pricing_objective": pr.objective,
        "max_change": pr.max_change,
        "margin_floor": pr.margin_floor,
        "endings": list(pr.endings),
        "max_changes": pr.change_cap(n) if hasattr(pr, "change_cap") else pr.max_changes,
        "max_changes_share": getattr(pr, "max_changes_share", None),
        "capacity_mode": pr.capacity_mode,
        "capacity_min": _r(float(np.min(d.capacity))),
        "capacity_max": _r(float(np.max(d.capacity))),
        "logistics_cost_per_unit": _r(float(np.mean(d.cost_per_unit))),
        "n_skus": n,
        "n_samples": int(d.n_samples),
        "seed": int(f.seed),
        "joint": bool(f.joint),
    }


def add_findings(summ: dict[str, Any], result: ScenarioResult, opu: float | None) -> dict[str, Any]:
    """Add the bridge, confidence, stress tests and section figures to a summary (in place).

    Parameters
    ----------
    summ : dict
        What :func:`optimizer.scenario.kpis.summary` returned.
    result : ScenarioResult
        The run.
    opu : float or None
        Orders per unit sold (None without an orders column).

    Returns
    -------
    dict
        The same dict.
    """
    d = result.demand
    plans = result.plans
    gain = plans.joint.pnl.lines["contribution"] - plans.current.pnl.lines["contribution"]
    summ["bridge"] = bridge(d, plans)
    summ["confidence"] = {
        "p_gain_positive": p_positive(gain),
        "n_samples": int(d.n_samples),
    }
    summ["sensitivity"] = sensitivity(d, plans)
    _media(result, summ)
    _pricing(result, summ, opu)
    _model(result, summ)
    summ["recommendation"] = _recommendation(summ)
    summ["assumptions"] = _assumptions(result)
    return summ


def media_weeks_table(result: ScenarioResult) -> pd.DataFrame:
    """Per week and channel: spend today (run-rate) and recommended, EUR excl. VAT."""
    d = result.demand
    rows = []
    for t, week in enumerate(d.weeks):
        for j, c in enumerate(d.curves.channels):
            rows.append(
                {
                    "week": week,
                    "channel": c,
                    "current": _r(result.plans.current.media[t, j]),
                    "recommended": _r(result.plans.joint.media[t, j]),
                }
            )
    return pd.DataFrame(rows)


def decomposition_table(result: ScenarioResult) -> pd.DataFrame:
    """The model's weekly decomposition over the history (EUR per week), or an empty frame."""
    dec = result.mmm.get("decomposition")
    if not isinstance(dec, pd.DataFrame):
        return pd.DataFrame()
    out = dec.reset_index()
    num = out.select_dtypes("number").columns
    out[num] = out[num].round(2)
    return out
