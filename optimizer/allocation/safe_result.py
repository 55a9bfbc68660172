"""What a safe plan is made of: its rule, its channel bounds, its promise and its result.

See :mod:`optimizer.allocation.safe` for how :func:`~optimizer.allocation.safe.safe_allocate`
uses them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.allocation.calibration import PromiseCalibration, default_calibration
from optimizer.allocation.problem import AllocationProblem
from optimizer.allocation.result import AllocationResult
from optimizer.errors import ConfigError

__all__ = [
    "DEFAULT_RULE",
    "ChannelBound",
    "Promise",
    "SafeResult",
    "SafeRule",
    "calibrated_promise",
]


@dataclass(frozen=True)
class SafeRule:
    """Settings of the safe plan.

    Attributes
    ----------
    alpha : float
        Largest model-side probability that the plan does worse than today's (default 0.1).
    max_move, min_move : float
        Largest change of a channel's horizon spend, as a share of today's (scaled to the
        budget), for a perfectly identified and for an unidentified channel.
    reach_extension : float
        How far beyond the history's largest adstocked weekly spend a perfectly identified
        channel may go, as a share of it.
    steps : tuple of float
        Trust-region steps: candidate plans use the bounds scaled by each step.
    seed : int
        Seed of the split of the posterior samples into halves.
    data_bounds : bool
        Whether to apply :func:`data_bounds` (False: the problem's own rules only).
    calibrate : bool
        Whether to add the calibrated promise (the shipped model-vs-truth ratios, see
        :mod:`optimizer.allocation.calibration`) beside the model's own.
    """

    alpha: float = 0.1
    max_move: float = 0.5
    min_move: float = 0.05
    reach_extension: float = 0.25
    steps: tuple[float, ...] = (0.25, 0.5, 0.75, 1.0)
    seed: int = 0
    data_bounds: bool = True
    calibrate: bool = True

    def __post_init__(self) -> None:
        if not 0.0 < self.alpha < 0.5:
            raise ConfigError(f"alpha {self.alpha} must lie in (0, 0.5), e.g. 0.1.")
        if not 0.0 <= self.min_move <= self.max_move <= 5.0:
            raise ConfigError(
                f"min_move {self.min_move} and max_move {self.max_move} must satisfy "
                "0 <= min_move <= max_move <= 5."
            )
        if not 0.0 <= self.reach_extension <= 5.0:
            raise ConfigError(f"reach_extension {self.reach_extension} must lie in [0, 5].")
        if not self.steps or any(not 0.0 < s <= 1.0 for s in self.steps):
            raise ConfigError(f"steps {self.steps} must be values in (0, 1].")
        object.__setattr__(self, "steps", tuple(sorted(set(self.steps))))


#: The default safety rule (the defaults of :class:`SafeRule`).
DEFAULT_RULE = SafeRule()


@dataclass(frozen=True)
class ChannelBound:
    """How far one channel may move, and why.

    Attributes
    ----------
    channel : str
    lever : bool
        False for a channel whose cost follows sales (kept at today's spend).
    reference_total : float
        Today's spend over the horizon scaled to the budget, EUR.
    min_total, max_total : float
        Bounds on the channel's horizon spend, EUR.
    max_weekly : float
        Bound on its weekly spend, EUR per week (``inf`` when none).
    identification : float
        In [0, 1]: 1 when the data pin the channel's marginal ROAS, 0 when they do not.
    mroas_low, mroas_median, mroas_high : float
        Marginal ROAS at today's spend: 5 %, 50 % and 95 % posterior quantiles, EUR per EUR.
    reach : float
        Largest adstocked weekly spend of the history, EUR per week.
    reason : str
        The bound in words.
    """

    channel: str
    lever: bool
    reference_total: float
    min_total: float
    max_total: float
    max_weekly: float
    identification: float
    mroas_low: float
    mroas_median: float
    mroas_high: float
    reach: float
    reason: str

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dictionary."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Promise:
    """What a plan is expected to bring over today's plan, EUR over the horizon.

    Attributes
    ----------
    mean, p10, p50, p90 : float
        Posterior mean and quantiles of the paired lift, EUR.
    p_positive : float
        Share of samples in which the plan beats today's plan.
    n_samples : int
        Samples the promise is computed on.
    basis : str
        Which samples (the held-out half: not those that chose the plan).
    """

    mean: float
    p10: float
    p50: float
    p90: float
    p_positive: float
    n_samples: int
    basis: str = "held-out half of the posterior samples"

    @classmethod
    def of(cls, lift: np.ndarray, basis: str = "held-out half of the posterior samples") -> Promise:
        """Summarize paired lift samples."""
        x = np.asarray(lift, float)
        q10, q50, q90 = np.quantile(x, [0.1, 0.5, 0.9])
        return cls(
            mean=float(x.mean()),
            p10=float(q10),
            p50=float(q50),
            p90=float(q90),
            p_positive=float(np.mean(x > 0)),
            n_samples=len(x),
            basis=basis,
        )

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dictionary."""
        return dataclasses.asdict(self)


@dataclass(frozen=True, eq=False)
class SafeResult:
    """The safe plan, the candidates it was chosen from, its promise and its bounds.

    Attributes
    ----------
    result : AllocationResult
        The chosen plan as the solver returned it (outcomes computed on the choosing half,
        certificate of the bounded problem it solved).
    problem : AllocationProblem
        The problem the chosen plan solves (the rules plus the chosen step's data bounds;
        every cell pinned when today's plan is kept): later steps that re-plan the media (the
        scenario's joint ascent) stay inside it.
    plan : pandas.DataFrame
        The chosen plan, weeks x channels, EUR per week.
    today : pandas.DataFrame
        Today's plan it is judged against, same layout.
    chosen : str
        ``"today"`` or the candidate's name (``"step 0.5"``).
    candidates : pandas.DataFrame
        Per candidate: ``step``, ``lift_choose`` (mean paired lift on the choosing half),
        ``lift_mean``, ``lift_p10``, ``score`` (risk summary), ``p_loss`` (held-out half),
        ``safe``, ``status``, ``rel_gap``, ``note``.
    promise : Promise
        The chosen plan's paired lift on the held-out half.
    promise_in_sample : Promise
        The same on the choosing half (what the optimizer's curse inflates; for comparison).
    promise_calibrated : Promise or None
        The held-out promise times the measured model-vs-truth ratios (None without a
        calibration).
    held_out_lift : numpy.ndarray
        The chosen plan's paired lift on each held-out sample, EUR.
    bounds : tuple of ChannelBound
    alpha : float
    reason : str
        Why this plan, in words.
    """

    result: AllocationResult
    problem: AllocationProblem
    plan: pd.DataFrame
    today: pd.DataFrame
    chosen: str
    candidates: pd.DataFrame
    promise: Promise
    promise_in_sample: Promise
    promise_calibrated: Promise | None
    held_out_lift: np.ndarray
    bounds: tuple[ChannelBound, ...]
    alpha: float
    reason: str

    def summary(self) -> dict[str, object]:
        """JSON-ready summary (plan excluded)."""
        return {
            "chosen": self.chosen,
            "alpha": self.alpha,
            "reason": self.reason,
            "promise": self.promise.to_dict(),
            "promise_in_sample": self.promise_in_sample.to_dict(),
            "promise_calibrated": None
            if self.promise_calibrated is None
            else self.promise_calibrated.to_dict(),
            "bounds": {b.channel: b.to_dict() for b in self.bounds},
            "candidates": self.candidates.to_dict(orient="records"),
        }


def calibrated_promise(
    lift: np.ndarray, calibration: PromiseCalibration | None, rule: SafeRule
) -> Promise | None:
    """The promise of ``lift`` samples times the measured ratios (None when not calibrating)."""
    cal = (
        calibration
        if calibration is not None
        else (default_calibration() if rule.calibrate else None)
    )
    if cal is None:
        return None
    return Promise.of(cal.draws(lift), cal.describe())
