"""The safe rule on flat weekly plans, fast enough to re-plan thousands of times.

The value of a test is how much its answer would improve the next plan. Computing it re-plans
once per simulated answer (hundreds per candidate test), so the week-by-week solver of
:func:`optimizer.allocation.safe.safe_allocate` (seconds per plan) is replaced here by the same
rule on plans that spend a constant amount per channel and week:

* the same data bounds (the rule of :func:`optimizer.allocation.safe.data_bounds`, with
  quantiles of the reweighted posterior: a test that pins a channel's marginal ROAS widens its
  bound), the same trust-region steps and the same split of the samples into a choosing and a
  held-out half (each half's importance weights renormalized);
* each step's plan is the exact optimum of the posterior-mean steady-state response (carry-over
  settled) on a grid of ``units`` budget shares, by dynamic programming over channels;
* the plan kept has the best held-out mean lift over today's among those with held-out
  ``P(lift < 0) <= alpha``; today's plan is always a candidate.

Values are steady-state weekly responses times the horizon's weeks: the ramp from the history's
carry-over is left out, the same way for every plan compared.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from optimizer.allocation.safe import SafeRule, data_bounds, split_samples
from optimizer.curves import ResponseCurves
from optimizer.errors import ConfigError

__all__ = ["DEFAULT_RULE", "FlatPlan", "FlatPlanner", "weighted_quantiles"]

#: The safe rule of every re-plan (the promise calibration plays no part in choosing a plan).
DEFAULT_RULE = SafeRule(calibrate=False)


@dataclass(frozen=True)
class FlatPlan:
    """A constant weekly plan chosen by the flat safe rule.

    Attributes
    ----------
    weekly : numpy.ndarray
        Spend per channel and week, (C,) EUR.
    chosen : str
        ``"today"`` or ``"step 0.5"`` (the trust-region step).
    key : tuple of int
        Grid units per channel (``()`` for today's plan): plans with equal keys are equal.
    """

    weekly: np.ndarray
    chosen: str
    key: tuple[int, ...]


class FlatPlanner:
    """Pre-computed grid responses of every posterior sample, and the flat safe rule on them.

    Parameters
    ----------
    curves : ResponseCurves
        Posterior samples (S, at least 4).
    today : numpy.ndarray
        Today's weekly spend per channel, (C,) EUR.
    budget : float
        Media budget over the horizon, EUR (spent exactly).
    n_weeks : int
        Horizon, weeks.
    rule : SafeRule
        Safety level, data bounds and steps, as for the week-by-week safe plan.
    units : int
        Budget grid: levers' weekly budget in ``units`` equal shares.
    """

    def __init__(
        self,
        curves: ResponseCurves,
        today: np.ndarray,
        budget: float,
        n_weeks: int,
        rule: SafeRule = DEFAULT_RULE,
        units: int = 60,
    ) -> None:
        if units < 10:
            raise ConfigError(f"units {units} must be >= 10 (budget grid).")
        self.curves = curves
        self.rule = rule
        self.n_weeks = int(n_weeks)
        self.units = int(units)
        today = np.asarray(today, float)
        self.lever = np.array([c not in curves.follows_sales for c in curves.channels])
        fixed = float(today[~self.lever].sum()) * n_weeks
        moving = float(today[self.lever].sum())
        weekly_budget = (budget - fixed) / n_weeks
        if weekly_budget <= 0 or moving <= 0:
            raise ConfigError(
                f"budget {budget:,.0f} EUR leaves nothing to plan after the channels whose cost "
                "follows sales; raise the budget."
            )
        k = np.arange(units + 1)
        diff = k[:, None] - k[None, :]  # total units minus one channel's units
        self._prev = np.clip(diff, 0, units)
        self._over = diff < 0
        self.today = today
        self.reference = today.copy()
        self.reference[self.lever] *= weekly_budget / moving
        self.step = weekly_budget / units
        grid = np.arange(units + 1) * self.step
        spend = np.tile(self.reference, (units + 1, 1))
        spend[:, self.lever] = grid[:, None]
        # response[s, c, k]: steady-state weekly response of channel c at grid spend k
        self.response = np.moveaxis(curves.steady_state(spend), 1, 2) * n_weeks
        self.fixed_value = (curves.steady_state(self.reference) * n_weeks)[:, ~self.lever].sum(1)
        self.today_value = (curves.steady_state(today) * n_weeks).sum(axis=1)
        # what data_bounds needs per sample, computed once: marginal ROAS at today's spend
        ref_plan = np.tile(self.reference, (n_weeks, 1))
        self.prior_bounds = data_bounds(curves, ref_plan, rule)
        self.mroas = curves.marginal_roas(self.reference)[:, self.lever]
        self.reach = np.array([b.reach for b in self.prior_bounds])[self.lever]
        self.lever_idx = np.flatnonzero(self.lever)
        self.choose, self.report = split_samples(curves.n_samples, rule.seed)

    # -------------------------------------------------------------------------------------
    def value(self, plan: FlatPlan) -> np.ndarray:
        """Horizon value of a plan under every sample, (S,), EUR (steady state)."""
        if not plan.key:
            return self.today_value
        idx = np.flatnonzero(self.lever)
        lever = self.response[:, idx, list(plan.key)].sum(axis=1)
        return lever + self.fixed_value

    def _bounds(self, weights: np.ndarray) -> np.ndarray:
        """Weekly (reference, lo, hi, cap) per lever channel under sample ``weights``.

        The rule of :func:`optimizer.allocation.safe.data_bounds` (identification ``1 -
        width / 2`` of the 90 % interval of the marginal ROAS at today's spend, relative to its
        median), on the reweighted posterior; the per-sample marginal ROAS is computed once.
        """
        q05, q50, q95 = weighted_quantiles(self.mroas, weights, (0.05, 0.5, 0.95))
        ident = np.clip(1.0 - (q95 - q05) / np.maximum(np.abs(q50), 1e-9) / 2.0, 0.0, 1.0)
        r = self.rule
        move = r.min_move + (r.max_move - r.min_move) * ident
        ref = self.reference[self.lever]
        cap = np.maximum(self.reach * (1.0 + r.reach_extension * ident), ref)
        return np.stack([ref, ref * (1.0 - move), ref * (1.0 + move), cap], axis=1)

    def _optimum(self, mean: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[int, ...] | None:
        """Grid units per lever maximizing ``sum mean[c, k_c]`` with ``sum k = units``."""
        u = self.units
        k = np.arange(u + 1)
        best = np.where((k >= lo[0]) & (k <= hi[0]), mean[0], -np.inf)
        choices = []
        for c in range(1, len(mean)):
            gain = np.where((k >= lo[c]) & (k <= hi[c]), mean[c], -np.inf)
            table = best[self._prev] + gain[None, :]
            table[self._over] = -np.inf
            pick = np.argmax(table, axis=1)
            choices.append(pick)
            best = table[k, pick]
        if not np.isfinite(best[u]):
            return None
        out = [0] * len(mean)
        left = u
        for c in range(len(mean) - 1, 0, -1):
            out[c] = int(choices[c - 1][left])
            left -= out[c]
        out[0] = left
        return tuple(out)

    def plan(self, weights: np.ndarray | None = None) -> FlatPlan:
        """The flat safe plan under the posterior with sample ``weights`` (None: equal).

        Parameters
        ----------
        weights : numpy.ndarray, optional
            Importance weight of each sample, (S,) >= 0 (e.g. the likelihood of a test's
            answer); the choosing and the held-out half are the fixed halves of the samples,
            each with its own weights renormalized.
        """
        n = self.curves.n_samples
        w = np.full(n, 1.0 / n) if weights is None else np.asarray(weights, float)
        w = w / w.sum()
        w_a, w_b = w[self.choose], w[self.report]
        w_a = w_a / w_a.sum() if w_a.sum() > 0 else np.full(len(w_a), 1.0 / len(w_a))
        w_b = w_b / w_b.sum() if w_b.sum() > 0 else np.full(len(w_b), 1.0 / len(w_b))
        today = FlatPlan(self.today, "today", ())
        best, best_lift = today, 0.0
        bounds = self._bounds(w)
        mean = np.einsum("s,sck->ck", w_a, self.response[self.choose][:, self.lever_idx])
        today_b = self.today_value[self.report]
        seen: set[tuple[int, ...]] = set()
        for step in self.rule.steps:
            ref, lo, hi, cap = bounds.T
            lo = np.maximum(ref - (ref - lo) * step, 0.0)
            hi = np.minimum(ref + (hi - ref) * step, cap)
            lo_k = np.ceil(lo / self.step - 1e-9)
            hi_k = np.floor(np.where(np.isfinite(hi), hi, math.inf) / self.step + 1e-9)
            key = self._optimum(mean, lo_k, np.minimum(hi_k, self.units))
            if key is None or key in seen:
                continue
            seen.add(key)
            weekly = self.reference.copy()
            weekly[self.lever] = np.array(key) * self.step
            cand = FlatPlan(weekly, f"step {step:g}", key)
            lift = self.value(cand)[self.report] - today_b
            mean_lift = float(w_b @ lift)
            if float(w_b @ (lift < 0)) <= self.rule.alpha and mean_lift > best_lift:
                best, best_lift = cand, mean_lift
        return best


def weighted_quantiles(
    x: np.ndarray, weights: np.ndarray, qs: tuple[float, ...]
) -> list[np.ndarray]:
    """Quantiles of each column of ``x`` (S, C) under sample ``weights`` (S,).

    Equal weights give numpy's default (linear) quantiles.
    """
    keep = weights > 0
    x, w = x[keep], weights[keep] / weights[keep].sum()
    order = np.argsort(x, axis=0)
    xs = np.take_along_axis(x, order, axis=0)
    ws = w[order]
    mid = np.cumsum(ws, axis=0) - ws / 2.0  # each sample at the middle of its weight
    span = np.maximum(mid[-1] - mid[0], 1e-300)
    cum = (mid - mid[0]) / span  # 0 at the smallest, 1 at the largest (numpy's linear rule)
    return [np.array([np.interp(q, cum[:, c], xs[:, c]) for c in range(x.shape[1])]) for q in qs]
