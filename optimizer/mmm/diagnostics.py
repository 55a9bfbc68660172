"""Diagnostics gate: a fitted model is usable only when the sampler converged and it predicts.

Checks (defaults): max R-hat <= 1.01, min bulk and tail ESS >= 400, 0 divergences, in-sample
posterior-predictive coverage of the 90 % interval >= 80 %, and on the held-out last weeks a
MAPE <= 15 % with >= 60 % of weeks inside the 90 % predictive interval. Each failure says what to
try.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import arviz as az
import numpy as np

from optimizer.errors import ConfigError

__all__ = ["Diagnostics", "GateThresholds", "HoldoutCheck", "convergence", "run_gate"]

PPC_SEED = 20240101  # fixed so that a saved and re-loaded model reports the same coverage


@dataclass(frozen=True)
class GateThresholds:
    """Limits of the diagnostics gate."""

    r_hat_max: float = 1.01
    ess_min: float = 400.0
    divergences_max: int = 0
    ppc_coverage_min: float = 0.80
    holdout_mape_max: float = 0.15
    holdout_coverage_min: float = 0.60

    def __post_init__(self) -> None:
        if self.r_hat_max < 1.0:
            raise ConfigError(f"r_hat_max must be >= 1, got {self.r_hat_max}.")
        if self.ess_min < 0 or self.divergences_max < 0:
            raise ConfigError("ess_min and divergences_max must be >= 0.")
        for name in ("ppc_coverage_min", "holdout_coverage_min"):
            v = getattr(self, name)
            if not 0 <= v <= 1:
                raise ConfigError(f"{name} must lie in [0, 1], got {v}.")


@dataclass(frozen=True)
class HoldoutCheck:
    """Out-of-sample check on the last weeks (``weeks`` = 0: none held out)."""

    weeks: int
    mape: float | None
    coverage_90: float | None


@dataclass(frozen=True)
class Diagnostics:
    """Result of the gate.

    Attributes
    ----------
    r_hat_max, ess_bulk_min, ess_tail_min : float
        Worst values over the model's free parameters.
    divergences : int
        Divergent transitions after tuning.
    ppc_coverage_90 : float
        Share of training weeks inside the 90 % posterior-predictive interval.
    holdout : HoldoutCheck
        Out-of-sample check.
    passed : bool
        All checks passed.
    failures : list of str
        One line per failed check, with what to try.
    """

    r_hat_max: float
    ess_bulk_min: float
    ess_tail_min: float
    divergences: int
    ppc_coverage_90: float
    holdout: HoldoutCheck
    passed: bool
    failures: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dictionary (``holdout`` nested)."""
        return asdict(self)


def _interval_coverage(draws: np.ndarray, y: np.ndarray) -> float:
    lo, hi = np.quantile(draws, [0.05, 0.95], axis=0)
    return float(np.mean((y >= lo) & (y <= hi)))


def convergence(idata: az.InferenceData, var_names: list[str]) -> tuple[float, float, float]:
    """Worst R-hat, bulk ESS and tail ESS over the posterior's ``var_names`` (all elements)."""
    post = idata["posterior"][var_names]

    def worst(ds: object, fn: object) -> float:
        vals = np.concatenate([np.ravel(ds[v].to_numpy()) for v in var_names])  # type: ignore[index]
        vals = vals[np.isfinite(vals)]
        return float(fn(vals)) if len(vals) else float("nan")  # type: ignore[operator]

    return (
        worst(az.rhat(post), np.max),
        worst(az.ess(post, method="bulk"), np.min),
        worst(az.ess(post, method="tail"), np.min),
    )


def run_gate(
    idata: az.InferenceData,
    var_names: list[str],
    y: np.ndarray,
    predictive: np.ndarray,
    n_train: int,
    thresholds: GateThresholds,
) -> Diagnostics:
    """Evaluate the gate.

    Parameters
    ----------
    idata : arviz.InferenceData
        Fit with ``posterior`` and ``sample_stats``.
    var_names : list of str
        Free parameters to check.
    y : numpy.ndarray
        Observed target over all weeks (any unit), (T,).
    predictive : numpy.ndarray
        Posterior-predictive draws in the same unit, (S, T).
    n_train : int
        Number of training weeks; the rest is the hold-out.
    thresholds : GateThresholds
        Limits.
    """
    r_hat_max, ess_bulk_min, ess_tail_min = convergence(idata, var_names)
    div = int(idata["sample_stats"]["diverging"].to_numpy().sum())
    ppc = _interval_coverage(predictive[:, :n_train], y[:n_train])
    holdout = _holdout_check(predictive, y, n_train)
    failures = _failures(thresholds, r_hat_max, ess_bulk_min, ess_tail_min, div, ppc, holdout)
    return Diagnostics(
        r_hat_max=r_hat_max,
        ess_bulk_min=ess_bulk_min,
        ess_tail_min=ess_tail_min,
        divergences=div,
        ppc_coverage_90=ppc,
        holdout=holdout,
        passed=not failures,
        failures=failures,
    )


def _holdout_check(predictive: np.ndarray, y: np.ndarray, n_train: int) -> HoldoutCheck:
    """MAPE and 90 % interval coverage of the posterior mean over the hold-out weeks."""
    n_hold = len(y) - n_train
    if n_hold > 0:
        pred = predictive[:, n_train:]
        mape = float(np.mean(np.abs(pred.mean(axis=0) - y[n_train:]) / np.abs(y[n_train:])))
        holdout = HoldoutCheck(n_hold, mape, _interval_coverage(pred, y[n_train:]))
    else:
        holdout = HoldoutCheck(0, None, None)
    return holdout


def _failures(
    t: GateThresholds,
    r_hat_max: float,
    ess_bulk_min: float,
    ess_tail_min: float,
    div: int,
    ppc: float,
    holdout: HoldoutCheck,
) -> list[str]:
    """One sentence per limit the fit breaks: the value, the limit, the fix."""
    failures = []
    if not r_hat_max <= t.r_hat_max:
        failures.append(
            f"max R-hat {r_hat_max:.3f} > {t.r_hat_max}: chains disagree; run longer (more --tune "
            "and --draws), or use stronger priors / fewer channels."
        )
    if not min(ess_bulk_min, ess_tail_min) >= t.ess_min:
        failures.append(
            f"min ESS {min(ess_bulk_min, ess_tail_min):.0f} (bulk {ess_bulk_min:.0f}, tail "
            f"{ess_tail_min:.0f}) < {t.ess_min:.0f}: too few effective draws; raise --draws or "
            "--chains."
        )
    if div > t.divergences_max:
        failures.append(
            f"{div} divergent transitions (limit {t.divergences_max}): the posterior has a hard "
            "geometry; raise target_accept or --tune, add ROAS priors or lift tests, or drop "
            "a channel that mirrors another."
        )
    if not ppc >= t.ppc_coverage_min:
        failures.append(
            f"posterior-predictive 90 % interval covers {ppc:.0%} of training weeks "
            f"(< {t.ppc_coverage_min:.0%}): the model misses structure; add controls (promotions, "
            "holidays) or use the student_t likelihood."
        )
    if holdout.mape is not None and not holdout.mape <= t.holdout_mape_max:
        failures.append(
            f"hold-out MAPE {holdout.mape:.1%} > {t.holdout_mape_max:.0%} on the last {holdout.weeks} "
            "weeks: the model does not forecast; check for a structural break, add controls, or "
            "reduce --holdout-weeks if the hold-out contains unusual weeks."
        )
    if holdout.coverage_90 is not None and not holdout.coverage_90 >= t.holdout_coverage_min:
        failures.append(
            f"hold-out 90 % interval covers {holdout.coverage_90:.0%} of the last {holdout.weeks} weeks "
            f"(< {t.holdout_coverage_min:.0%}): intervals are over-confident; add controls or "
            "use the student_t likelihood."
        )
    return failures
