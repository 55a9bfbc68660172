"""Results of a fitted model, in EUR: ROAS table, weekly decomposition, response curves.

Definitions (posterior mean and central 90 % interval over samples):

* contribution of a channel: sum over all history weeks (hold-out included) of its modelled
  incremental revenue, EUR;
* ROAS: contribution / spend over the same weeks, EUR per EUR;
* marginal ROAS: steady-state extra weekly revenue per extra weekly euro at the current spend
  (mean of the last 13 weeks), EUR per EUR;
* share: contribution / sum of all channels' contributions.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
import pandas as pd

from optimizer._version import __version__
from optimizer.curves import ResponseCurves
from optimizer.data.marketing import MarketingHistory
from optimizer.mmm.design import Design
from optimizer.mmm.diagnostics import PPC_SEED, Diagnostics
from optimizer.mmm.posterior import PosteriorSamples, thin_index

__all__ = [
    "CURRENT_WEEKS",
    "FittedModel",
    "baseline_forecast",
    "channel_table",
    "curve_grid",
    "decomposition",
    "response_curves",
    "summary_dict",
]

CURRENT_WEEKS = 13  # "current spend" = mean weekly spend of the last quarter


class FittedModel(Protocol):
    """What the result tables read from a fitted :class:`~optimizer.mmm.model.MMM`.

    A protocol rather than the class itself, so that ``model.py`` imports this module and not
    the other way round.
    """

    draws: int
    tune: int
    chains: int
    seed: int
    design_: Design
    history_: MarketingHistory
    samples_: PosteriorSamples
    diagnostics_: Diagnostics
    sampler_: str
    fit_seconds_: float
    data_hash_: str


def _stats(x: np.ndarray) -> tuple[float, float, float]:
    lo, hi = np.quantile(x, [0.05, 0.95])
    return float(np.mean(x)), float(lo), float(hi)


def _curves(samples: PosteriorSamples, model: FittedModel) -> ResponseCurves:
    d = model.design_
    params = samples.params.copy()
    if samples.saturation == "hill":
        params[..., 0] = params[..., 0] * d.spend_scale  # half-saturation, EUR per week
    else:
        params[..., 0] = params[..., 0] / d.spend_scale  # lam, 1 / EUR
    pad = d.max_lag - 1
    history = d.spend[-pad:] if pad else d.spend[:0]
    return ResponseCurves(
        channels=d.channels,
        weights=samples.weights,
        saturation=tuple([samples.saturation] * len(d.channels)),
        params=params,
        beta=samples.beta * d.y_scale,
        history=np.asarray(history, float),
        current=d.spend[-CURRENT_WEEKS:].mean(axis=0),
        observed_max=_observed_max(d.windows, samples.weights.mean(axis=0)) * d.spend_scale,
        follows_sales=model.history_.cost_follows_sales,
    )


def _observed_max(windows: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Largest adstocked weekly spend per channel over the history, (C,), in spend units.

    ``windows`` (T, L, C) holds each week's lagged spend, ``weights`` (C, L) the posterior-mean
    lag weights.
    """
    return np.einsum("tlc,cl->tc", windows, weights).max(axis=0)


def response_curves(model: FittedModel, n_samples: int = 300) -> ResponseCurves:
    """:class:`ResponseCurves` in EUR from ``n_samples`` evenly thinned posterior samples."""
    s = model.samples_
    return _curves(s.subset(thin_index(s.n_samples, n_samples)), model)


def _contributions_eur(model: FittedModel) -> np.ndarray:
    d = model.design_
    _, contrib = model.samples_.fitted(d)
    return contrib * d.y_scale  # (S, T, C)


def channel_table(model: FittedModel) -> pd.DataFrame:
    """ROAS table: one row per channel.

    Returns
    -------
    pandas.DataFrame
        Index ``channel``; columns ``spend`` (EUR over the history) and, for ``contribution``
        (EUR), ``roas``, ``mroas`` (EUR/EUR) and ``share`` (0-1): ``<name>_mean``, ``_low``,
        ``_high`` (90 % interval).
    """
    d = model.design_
    contrib = _contributions_eur(model).sum(axis=1)  # (S, C)
    spend = d.spend.sum(axis=0)
    roas = contrib / spend
    total = contrib.sum(axis=1, keepdims=True)
    share = contrib / np.where(total == 0, 1.0, total)
    curves = _curves(model.samples_, model)
    mroas = curves.marginal_roas(curves.current)
    rows = []
    for c, name in enumerate(d.channels):
        row: dict[str, Any] = {"channel": name, "spend": float(spend[c])}
        for key, arr in (
            ("contribution", contrib),
            ("roas", roas),
            ("mroas", mroas),
            ("share", share),
        ):
            m, lo, hi = _stats(arr[:, c])
            row |= {f"{key}_mean": m, f"{key}_low": lo, f"{key}_high": hi}
        row["current_weekly_spend"] = float(curves.current[c])
        rows.append(row)
    return pd.DataFrame(rows).set_index("channel")


def decomposition(model: FittedModel) -> pd.DataFrame:
    """Weekly decomposition (posterior means, EUR per week).

    Columns: ``actual``, ``fitted``, ``fitted_low``/``fitted_high`` (90 % predictive interval),
    ``baseline``, one column per channel, ``holdout`` (bool).
    """
    d = model.design_
    s = model.samples_
    base, contrib = s.fitted(d)
    mu = base + contrib.sum(axis=2)
    pred = s.predictive(mu, PPC_SEED)
    lo, hi = np.quantile(pred, [0.05, 0.95], axis=0)
    out = pd.DataFrame(
        {
            "actual": np.asarray(model.history_.revenue, float),
            "fitted": mu.mean(axis=0) * d.y_scale,
            "fitted_low": lo * d.y_scale,
            "fitted_high": hi * d.y_scale,
            "baseline": base.mean(axis=0) * d.y_scale,
        },
        index=pd.DatetimeIndex(d.weeks, name="week"),
    )
    for c, name in enumerate(d.channels):
        out[name] = contrib[:, :, c].mean(axis=0) * d.y_scale
    out["holdout"] = np.arange(d.n_weeks) >= d.n_train
    return out


def curve_grid(model: FittedModel, n_points: int = 41) -> pd.DataFrame:
    """Steady-state weekly response on a spend grid per channel (for the CSV and the plot).

    The grid runs from 0 to twice the largest weekly spend seen. Columns: ``channel``,
    ``spend`` (EUR/week), ``response_mean``, ``response_p5``, ``response_p95`` (EUR/week),
    ``mroas_mean`` (EUR/EUR).
    """
    d = model.design_
    curves = _curves(model.samples_, model)
    rows = []
    for c, name in enumerate(d.channels):
        grid = np.linspace(0.0, 2.0 * float(d.spend[:, c].max()), n_points)
        spend = np.zeros((n_points, len(d.channels)))
        spend[:, c] = grid
        resp = curves.steady_state(spend)[:, :, c]  # (S, G)
        mroas = np.stack([curves.marginal_roas(row)[:, c] for row in spend[1:]], axis=1)
        mroas = np.concatenate([np.full((mroas.shape[0], 1), np.nan), mroas], axis=1)
        p5, p95 = np.quantile(resp, [0.05, 0.95], axis=0)
        for g in range(n_points):
            rows.append(
                {
                    "channel": name,
                    "spend": grid[g],
                    "response_mean": float(resp[:, g].mean()),
                    "response_p5": float(p5[g]),
                    "response_p95": float(p95[g]),
                    "mroas_mean": float(np.nanmean(mroas[:, g])) if g else float("nan"),
                }
            )
    return pd.DataFrame(rows)


def baseline_forecast(
    model: FittedModel, weeks: pd.DatetimeIndex, controls: pd.DataFrame | None, n_samples: int
) -> np.ndarray:
    """Baseline revenue for any weeks from thinned samples, (S, T'), EUR per week."""
    d = model.design_
    s = model.samples_.subset(thin_index(model.samples_.n_samples, n_samples))
    x = d.future_baseline_x(pd.DatetimeIndex(weeks), controls)
    return s.baseline(x) * d.y_scale


def summary_dict(model: FittedModel) -> dict[str, Any]:
    """The ``summary.json`` structure of the issue, plus provenance keys."""
    table = channel_table(model)
    channels = {}
    for name, r in table.iterrows():
        channels[str(name)] = {
            key: {"mean": r[f"{key}_mean"], "low": r[f"{key}_low"], "high": r[f"{key}_high"]}
            for key in ("roas", "mroas", "contribution")
        } | {"spend": r["spend"], "share": r["share_mean"]}
    diag = model.diagnostics_
    return {
        "channels": channels,
        "diagnostics": {
            "r_hat_max": diag.r_hat_max,
            "ess_bulk_min": diag.ess_bulk_min,
            "ess_tail_min": diag.ess_tail_min,
            "divergences": diag.divergences,
            "ppc_coverage_90": diag.ppc_coverage_90,
            "passed": diag.passed,
            "failures": list(diag.failures),
        },
        "holdout": {
            "weeks": diag.holdout.weeks,
            "mape": diag.holdout.mape,
            "coverage_90": diag.holdout.coverage_90,
        },
        "fit_seconds": model.fit_seconds_,
        "attempts": [a.to_dict() for a in getattr(model, "attempts_", ())],
        "sampler": model.sampler_,
        "seed": int(model.seed),
        "draws": int(model.draws),
        "tune": int(model.tune),
        "chains": int(model.chains),
        "data_hash": model.data_hash_,
        "version": __version__,
    }
