"""PyMC-Marketing side of the MMM benchmark (optional ``bench`` extra).

The peer gets the same weeks, channels and controls as this project's MMM: geometric adstock
(12-week window, like ours), its logistic saturation (the saturation of its documented
examples; the multidimensional ``MMM`` has no default and requires one), yearly Fourier order 2
(ours: 2), a linear trend column among the controls (ours has a trend term), default priors and
scaling, nutpie. ROAS is computed from its posterior channel contributions in original units
(EUR, ``channel_contribution_original_scale``) summed over the weeks, divided by the spend.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import numpy as np
import pandas as pd

CONTROL_TREND = "trend_t"


def _frame(history: Any) -> tuple[pd.DataFrame, pd.Series, list[str], list[str]]:
    channels = list(history.channels)
    controls = [*history.controls.columns, CONTROL_TREND]
    X = pd.DataFrame({"date": history.weeks})
    for c in channels:
        X[c] = history.spend[c].to_numpy(float)
    for c in history.controls.columns:
        X[c] = history.controls[c].to_numpy(float)
    X[CONTROL_TREND] = np.arange(len(X), dtype=float)
    y = pd.Series(np.asarray(history.revenue, float), name="revenue")
    return X, y, channels, controls


def fit_peer(history: Any, *, chains: int, draws: int, tune: int, seed: int) -> dict[str, Any]:
    """Build and fit PyMC-Marketing's MMM; return timings, diagnostics and ROAS draws."""
    import arviz as az
    from pymc_marketing.mmm import GeometricAdstock, LogisticSaturation
    from pymc_marketing.mmm.multidimensional import MMM

    X, y, channels, controls = _frame(history)
    t0 = time.perf_counter()
    model = MMM(
        date_column="date",
        channel_columns=channels,
        target_column="revenue",
        adstock=GeometricAdstock(l_max=12),
        saturation=LogisticSaturation(),
        control_columns=controls,
        yearly_seasonality=2,
    )
    model.build_model(X, y)
    model.add_original_scale_contribution_variable(var=["channel_contribution"])
    t1 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        idata = model.fit(
            X,
            y,
            chains=chains,
            draws=draws,
            tune=tune,
            nuts_sampler="nutpie",
            random_seed=seed,
            progressbar=False,
        )
    t2 = time.perf_counter()
    post = idata.posterior
    free = [v.name for v in model.model.free_RVs]
    # report diagnostics on the constrained scale of the free parameters, like ours
    names = [
        n for n in post.data_vars if n in free or f"{n}_log__" in free or _is_transformed(n, free)
    ]
    sub = post[names]
    rhat = az.rhat(sub)
    ess_b = az.ess(sub, method="bulk")
    ess_t = az.ess(sub, method="tail")

    def worst(ds: Any, fn: Any) -> float:
        vals = np.concatenate([np.ravel(ds[v].to_numpy()) for v in names])
        vals = vals[np.isfinite(vals)]
        return float(fn(vals))

    contrib = post["channel_contribution_original_scale"].sum("date")  # chain, draw, channel
    spend = history.spend[channels].sum().to_numpy(float)
    roas = contrib.transpose("chain", "draw", "channel").to_numpy() / spend
    return {
        "model": model,
        "idata": idata,
        "build_seconds": t1 - t0,
        "sample_seconds": t2 - t1,
        "wall_seconds": t2 - t0,
        "diag_vars": names,
        "r_hat_max": worst(rhat, np.max),
        "ess_bulk_min": worst(ess_b, np.min),
        "ess_tail_min": worst(ess_t, np.min),
        "divergences": int(idata.sample_stats["diverging"].to_numpy().sum()),
        "roas_draws": roas,
        "channels": channels,
    }


def _is_transformed(name: str, free: list[str]) -> bool:
    return any(f.startswith(name + "_") and f.endswith("__") for f in free)


def peer_plan(
    fit: dict[str, Any],
    weekly_budget: float,
    start: pd.Timestamp,
    n_weeks: int,
    weekly_bounds: dict[str, tuple[float, float]] | None = None,
) -> dict[str, Any]:
    """PyMC-Marketing's own budget optimizer: weekly spend per channel for ``n_weeks`` weeks.

    ``budget`` of its optimizer is the total per period (it repeats the per-channel budget over
    the periods), so the run-rate weekly total is passed; bounds are per channel and period
    (``weekly_bounds``, EUR per week), by default [0, budget].
    """
    import xarray as xr
    from pymc_marketing.mmm.multidimensional import MultiDimensionalBudgetOptimizerWrapper

    model = fit["model"]
    end = start + pd.Timedelta(weeks=n_weeks - 1)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wrapper = MultiDimensionalBudgetOptimizerWrapper(
            model=model, start_date=str(start.date()), end_date=str(end.date())
        )
        bounds = None
        if weekly_bounds is not None:
            chans = list(weekly_bounds)
            bounds = xr.DataArray(
                [list(weekly_bounds[c]) for c in chans],
                dims=("channel", "bound"),
                coords={"channel": chans, "bound": ["lower", "upper"]},
            )
        alloc, res = wrapper.optimize_budget(budget=weekly_budget, budget_bounds=bounds)[:2]
    secs = time.perf_counter() - t0
    weekly = {
        str(c): float(v) for c, v in zip(alloc.coords["channel"].values, alloc.values, strict=True)
    }
    return {
        "weekly_spend": weekly,
        "num_periods": int(wrapper.num_periods),
        "seconds": secs,
        "success": bool(getattr(res, "success", True)),
        "message": str(getattr(res, "message", "")),
    }
