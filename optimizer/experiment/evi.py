"""Expected value of a test's information for the next plan (preposterior analysis).

For a candidate test and a posterior sample ``s`` taken as the truth:

1. the test measures ``y = lift_s + e`` with ``e ~ Normal(0, se)``, ``lift_s`` the channel's
   incremental revenue over the test weeks under ``s`` and ``se`` the noise the model implies
   for that design (:func:`~optimizer.experiment.design.measurement_se`);
2. the posterior is updated by importance reweighting of the samples, ``w_j ∝ N(y; lift_j,
   se)``; the effective sample size ``1 / sum w_j**2`` says how much of the posterior is left:
   below ``ess_min`` the update has collapsed and a refit with the test's row is needed to
   trust the figure (the candidate is flagged). The weights are used as they are (no
   resampling: resampling noise alone would move the plan and blur the comparison);
3. the next plan is chosen again by the safe rule (:class:`~optimizer.experiment.replan.
   FlatPlanner`) under the updated posterior;
4. its value, minus that of the plan chosen without the test, is counted under ``s``.

The value of information is the mean over samples and measurement noise; the test's cost
(revenue lost in a pause net of the spend it saves, extra spend less the revenue it brings) is
its posterior mean. A channel the posterior already pins (all samples agree) has a value of
information of exactly zero: every answer leaves the weights, hence the plan, unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.allocation.safe import SafeRule
from optimizer.curves import ResponseCurves
from optimizer.errors import ConfigError
from optimizer.experiment.design import (
    DEFAULT_GRID,
    CandidateGrid,
    ExperimentDesign,
    candidate_tests,
    carryover_tail,
    control_weeks,
    experiment_cost,
    measured_lift,
    measurement_se,
)
from optimizer.experiment.replan import DEFAULT_RULE, FlatPlan, FlatPlanner

__all__ = ["DEFAULT_SETTINGS", "CandidateValue", "EviSettings", "ranked_table", "value_tests"]


@dataclass(frozen=True)
class EviSettings:
    """How the value of information is computed (defaults: about a minute for 100 candidates).

    Attributes
    ----------
    n_draws : int
        Posterior samples used (a thinned subset of the model's): the prior and every update.
    n_outcomes : int
        Samples taken in turn as the truth, each with one simulated measurement (common to all
        candidates, so that their ranking is not noise).
    units : int
        Budget grid of the re-planning (weekly lever budget in ``units`` shares).
    ess_min : float
        Share of ``n_draws`` under which an update has collapsed (flagged: refit needed).
    detect_z : float
        ``|y| / se`` above which a test detects its effect (1.96: two-sided 5 %).
    seed : int
    """

    n_draws: int = 200
    n_outcomes: int = 100
    units: int = 60
    ess_min: float = 0.1
    detect_z: float = 1.96
    seed: int = 0

    def __post_init__(self) -> None:
        if self.n_draws < 8 or not self.n_outcomes >= 1:
            raise ConfigError(
                f"n_draws {self.n_draws} must be >= 8 and n_outcomes {self.n_outcomes} >= 1."
            )
        if not 0 < self.ess_min < 1:
            raise ConfigError(f"ess_min {self.ess_min} must lie in (0, 1), e.g. 0.1.")


#: Default settings.
DEFAULT_SETTINGS = EviSettings()


@dataclass(frozen=True)
class CandidateValue:
    """The value of one candidate test.

    Attributes
    ----------
    design : ExperimentDesign
    value : float
        Expected improvement of the next plan, EUR over its horizon.
    value_se : float
        Monte Carlo standard error of ``value`` (finite samples and simulated answers), EUR.
    cost : float
        Expected cost of running the test, EUR.
    net : float
        ``value - cost``, EUR.
    p_detect : float
        Probability that the measured lift is significant (``|y| > detect_z * se``).
    se : float
        Standard error of the measurement, EUR.
    lift_mean, lift_p05, lift_p95 : float
        What the test would measure under the current posterior (mean, 5 %, 95 %), EUR.
    spend_change : float
        Test spend minus plan spend, EUR.
    ess : float
        Mean effective sample size after the update (out of ``n_draws``).
    collapsed : float
        Share of simulated answers whose update collapsed (ESS below ``ess_min``).
    p_change : float
        Share of simulated answers that change the next plan.
    """

    design: ExperimentDesign
    value: float
    value_se: float
    cost: float
    net: float
    p_detect: float
    se: float
    lift_mean: float
    lift_p05: float
    lift_p95: float
    spend_change: float
    ess: float
    collapsed: float
    p_change: float

    def row(self) -> dict[str, object]:
        """Flat dictionary for the ranked table."""
        d = self.design
        return {
            "test": d.label,
            "channel": d.channel,
            "action": d.action,
            "start_week": d.start_week + 1,
            "weeks": d.weeks,
            "value": self.value,
            "value_se": self.value_se,
            "cost": self.cost,
            "net": self.net,
            "p_detect": self.p_detect,
            "se": self.se,
            "lift_mean": self.lift_mean,
            "lift_p05": self.lift_p05,
            "lift_p95": self.lift_p95,
            "spend_change": self.spend_change,
            "ess": self.ess,
            "collapsed": self.collapsed,
            "p_change": self.p_change,
        }


def _update(lifts: np.ndarray, y: float, se: float) -> tuple[np.ndarray, float]:
    """Importance weights of the samples after measuring ``y``, and the effective sample size."""
    logw = -0.5 * ((y - lifts) / se) ** 2
    w = np.exp(logw - logw.max())
    w /= w.sum()
    return w, float(1.0 / np.sum(w**2))


@dataclass(frozen=True)
class _Simulation:
    """The re-planner, the plan without a test and the simulated answers' samples and noise."""

    planner: FlatPlanner
    base: FlatPlan
    base_value: np.ndarray
    outcomes: np.ndarray
    z: np.ndarray
    settings: EviSettings

    def value(
        self,
        post: ResponseCurves,
        host_plan: np.ndarray,
        d: ExperimentDesign,
        se: float,
        revenue_value: float,
    ) -> CandidateValue:
        """Value, cost and detection of one candidate test."""
        lifts = measured_lift(post, host_plan, d)
        k = len(self.outcomes)
        gains, ess, changed = np.zeros(k), np.zeros(k), 0
        y = lifts[self.outcomes] + se * self.z
        for i, (o, yi) in enumerate(zip(self.outcomes, y, strict=True)):
            w, ess[i] = _update(lifts, float(yi), se)
            new = self.planner.plan(w)
            changed += new.key != self.base.key
            gains[i] = self.planner.value(new)[o] - self.base_value[o]
        # a test is not credited with the profit the model expects from it (the doubt the safe
        # rule guards against); its expected cost counts when positive
        cost = max(float(experiment_cost(post, host_plan, d, revenue_value).mean()), 0.0)
        value = float(gains.mean())
        q05, q95 = np.quantile(lifts, [0.05, 0.95])
        return CandidateValue(
            design=d,
            value=value,
            value_se=float(gains.std(ddof=1) / np.sqrt(k)) if k > 1 else 0.0,
            cost=cost,
            net=value - cost,
            p_detect=float(np.mean(np.abs(y) > self.settings.detect_z * se)),
            se=se,
            lift_mean=float(lifts.mean()),
            lift_p05=float(q05),
            lift_p95=float(q95),
            spend_change=d.spend_change(host_plan, post.channels),
            ess=float(ess.mean()),
            collapsed=float(np.mean(ess < self.settings.ess_min * post.n_samples)),
            p_change=changed / k,
        )


def value_tests(
    curves: ResponseCurves,
    host_plan: np.ndarray,
    budget: float,
    n_weeks: int,
    *,
    noise_sd: float,
    level_sd: float = 0.0,
    revenue_value: float = 1.0,
    grid: CandidateGrid = DEFAULT_GRID,
    rule: SafeRule = DEFAULT_RULE,
    settings: EviSettings = DEFAULT_SETTINGS,
    designs: list[ExperimentDesign] | None = None,
) -> tuple[list[CandidateValue], FlatPlan]:
    """Value every candidate test for the next plan.

    Parameters
    ----------
    curves : ResponseCurves
        Posterior (thinned to ``settings.n_draws`` samples here).
    host_plan : numpy.ndarray
        The plan the test runs inside, (T, C) EUR per week (its cost is counted there).
    budget : float
        Media budget of the next plan, EUR over ``n_weeks``.
    n_weeks : int
        Horizon of the next plan, weeks.
    noise_sd, level_sd : float
        Weekly revenue noise and counterfactual level uncertainty, EUR per week (see
        :func:`~optimizer.experiment.design.measurement_se`).
    revenue_value : float
        Value of one EUR of revenue in the plan's objective (1 for revenue).
    grid : CandidateGrid
    rule : SafeRule
    settings : EviSettings
    designs : list of ExperimentDesign, optional
        Candidates to value (default: the grid's).

    Returns
    -------
    tuple
        The valued tests, best net value first, and the next plan without a test.
    """
    n = min(settings.n_draws, curves.n_samples)
    idx = np.unique(np.linspace(0, curves.n_samples - 1, n).round().astype(int))
    post = curves.subset(idx)
    n = post.n_samples
    today = np.asarray(curves.current, float)
    planner = FlatPlanner(post, today, budget, n_weeks, rule, settings.units)
    base = planner.plan()
    base_value = planner.value(base)
    rng = np.random.default_rng(settings.seed)
    outcomes = rng.permutation(n)[: min(settings.n_outcomes, n)]
    z = rng.standard_normal(len(outcomes))
    todo = designs if designs is not None else candidate_tests(post, host_plan, grid)
    out = []
    tails = {c: carryover_tail(post, c) for c in post.channels}
    for d in todo:
        control = control_weeks(d, host_plan.shape[0], tails[d.channel])
        se = measurement_se(d.weeks, noise_sd, level_sd, control)
        if se <= 0:
            raise ConfigError("the measurement noise is zero; give noise_sd > 0 EUR per week.")
        sim = _Simulation(planner, base, base_value, outcomes, z, settings)
        out.append(sim.value(post, host_plan, d, se, revenue_value))
    out.sort(key=lambda t: t.net, reverse=True)
    return out, base


def ranked_table(values: list[CandidateValue]) -> pd.DataFrame:
    """The ranked candidates as a table (one row per test, best net value first)."""
    return pd.DataFrame([v.row() for v in values])
