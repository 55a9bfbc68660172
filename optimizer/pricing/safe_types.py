"""Settings and result types of the safe price plan (:mod:`optimizer.pricing.safe`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from optimizer.errors import ConfigError
from optimizer.pricing.identification import WEAK_MAX_CHANGE
from optimizer.pricing.result import PricingResult

__all__ = ["ALPHA", "MIN_DRAWS", "Promise", "SafePriceResult", "SafeSettings"]

#: Largest accepted held-out probability that the new prices earn less than today's.
ALPHA = 0.1
#: Fewest posterior draws the split needs (10 per half); below, the rule is not applied.
MIN_DRAWS = 20


@dataclass(frozen=True)
class SafeSettings:
    """How the safe price plan is chosen.

    Attributes
    ----------
    alpha : float
        Largest accepted held-out probability of a negative lift (0.1 = 10 %).
    seed : int
        Seed of the split of the posterior draws into halves A and B.
    shrink : tuple of float
        Fractions ``lambda`` of the way from today's prices to the half-A optimum (in log
        price) tried as candidates; 0 (today) and 1 (the optimum) are always tried.
    cap_shares : tuple of float
        Tighter ``max_change`` caps tried as candidates, as shares of the rules' cap.
    weak_max_change : float
        Largest change of a SKU whose elasticity is only its category prior (fraction).
    bound_by_identification : bool
        Bound each SKU's change by how well its elasticity is identified.
    """

    alpha: float = ALPHA
    seed: int = 0
    shrink: tuple[float, ...] = (0.25, 0.5, 0.75)
    cap_shares: tuple[float, ...] = (1 / 3, 2 / 3)
    weak_max_change: float = WEAK_MAX_CHANGE
    bound_by_identification: bool = True

    def __post_init__(self) -> None:
        if not 0 < self.alpha < 1:
            raise ConfigError(
                f"alpha is {self.alpha}; give the largest accepted probability of earning less "
                "than today's prices, in (0, 1), e.g. 0.1."
            )
        object.__setattr__(self, "shrink", tuple(float(x) for x in self.shrink))
        object.__setattr__(self, "cap_shares", tuple(float(x) for x in self.cap_shares))
        if any(not 0 < x < 1 for x in (*self.shrink, *self.cap_shares)):
            raise ConfigError(
                f"shrink {self.shrink} and cap_shares {self.cap_shares}: give fractions in "
                "(0, 1) (0 and 1 are always candidates)."
            )
        if not 0 <= self.weak_max_change < 1:
            raise ConfigError(
                f"weak_max_change is {self.weak_max_change}; give a fraction in [0, 1), e.g. 0.03."
            )


@dataclass(frozen=True)
class Promise:
    """What the chosen prices promise over today's, from the held-out half B.

    Attributes
    ----------
    mean, p10, p90 : float
        Mean, 10th and 90th percentile of the paired lift over today's prices (EUR over the
        horizon, the problem's objective).
    p_gain, p_loss : float
        Share of half-B draws with a positive / negative lift.
    n_draws : int
        Draws in half B.
    """

    mean: float
    p10: float
    p90: float
    p_gain: float
    p_loss: float
    n_draws: int

    @classmethod
    def of(cls, lift: np.ndarray) -> Promise:
        """Summarize paired lift draws (EUR); NaN figures for a candidate with no prices."""
        if np.isnan(lift).any():
            nan = float("nan")
            return cls(nan, nan, nan, nan, nan, len(lift))
        q = np.quantile(lift, [0.1, 0.9])
        return cls(
            mean=float(lift.mean()),
            p10=float(q[0]),
            p90=float(q[1]),
            p_gain=float((lift > 0).mean()),
            p_loss=float((lift < 0).mean()),
            n_draws=len(lift),
        )

    def to_dict(self) -> dict[str, float | int]:
        """JSON-ready, rounded to the cent and to 4 decimals."""
        return {
            "mean": round(self.mean, 2),
            "p10": round(self.p10, 2),
            "p90": round(self.p90, 2),
            "p_gain": round(self.p_gain, 4),
            "p_loss": round(self.p_loss, 4),
            "n_draws": self.n_draws,
        }


@dataclass(frozen=True, eq=False)
class SafePriceResult:
    """The safe price plan and how it was chosen.

    Attributes
    ----------
    result : PricingResult
        The chosen prices, described under the half-A planning model (the model that built
        them), with three more columns per SKU: ``max_change_bound_pct`` (the
        identification bound, both ways, percent), ``max_raise_bound_pct`` (the largest rise,
        above the bound where the SKU sells out its stock anyway) and ``bound_reason`` (why,
        in words). ``binding_rule`` is ``"safety"``
        where the safety rule kept a SKU closer to today's price than the optimum.
        ``info["safety"]`` holds :meth:`summary`.
    chosen : str
        Name of the chosen candidate (``"today"``, ``"shrink_50"``, ``"optimized"``,
        ``"cap_5pct"``, ...; ``"optimized"`` alone when the rule could not run).
    candidates : pandas.DataFrame
        One row per candidate: ``candidate``, ``description``, ``lambda``, ``max_change``,
        ``n_changes``, ``mean_abs_change_pct``, ``feasible``, ``note``,
        ``planning_objective`` (EUR, half-A model), ``lift_mean_a``, ``lift_mean_b``,
        ``lift_p10_b``, ``lift_p90_b``, ``p_gain_b``, ``p_loss_b`` (EUR and shares),
        ``passes``, ``chosen``.
    promise : Promise or None
        Half-B lift of the chosen prices over today's (``None`` when the rule could not run).
    reason : str
        Why these prices, in words.
    bounds : pandas.DataFrame
        Per SKU: ``max_change_bound`` and ``max_raise_bound`` (fractions: largest cut and
        rise), ``width_share`` (posterior 90 % interval width over the category's, NaN when
        unknown), ``bound_reason``.
    alpha : float
        The risk level used.
    max_change : float
        The rules' cap (fraction) the bounds are measured against.
    half_a, half_b : numpy.ndarray
        Draw indices of each half.
    lift_draws : numpy.ndarray
        Paired lift per candidate (rows of ``candidates``) and half-B draw, EUR.
    optimized : PricingResult or None
        The half-A optimum (within the identification bounds).
    """

    result: PricingResult
    chosen: str
    candidates: pd.DataFrame
    promise: Promise | None
    reason: str
    bounds: pd.DataFrame
    alpha: float
    max_change: float
    half_a: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    half_b: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    lift_draws: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    optimized: PricingResult | None = None

    def summary(self) -> dict[str, Any]:
        """JSON-ready summary (``summary.json["safety"]``)."""
        b = self.bounds
        capped = b["max_change_bound"] < self.max_change - 1e-12
        cols = [c for c in self.candidates.columns if c != "description"]
        table = self.candidates[cols].copy()
        for c in table.columns:
            if table[c].dtype.kind == "f":
                table[c] = table[c].round(4)
        return {
            "chosen": self.chosen,
            "reason": self.reason,
            "alpha": self.alpha,
            "promise": None if self.promise is None else self.promise.to_dict(),
            "n_draws_a": len(self.half_a),
            "n_draws_b": len(self.half_b),
            "candidates": table.to_dict(orient="records"),
            "identification": {
                "n_bounded": int(capped.sum()),
                "n_prior_only": int(b["bound_reason"].str.startswith("no own price").sum()),
                "n_rise_for_sellout": int(b["bound_reason"].str.contains("sells out").sum()),
                "n_widened": int(b["bound_reason"].str.contains("widened").sum()),
                "smallest_bound": round(float(b["max_change_bound"].min()), 4),
            },
        }
