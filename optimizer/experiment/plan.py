"""Which test is worth its cost for the next budget decision: the experiment plan.

:func:`plan_experiments` takes the posterior response curves, the planning problem (budget,
weeks, rules) and the noise the model implies, and returns every candidate test ranked by its
net value (value of information for the next plan minus expected cost), the recommended test
with its dates and weekly spend, the ``lift_tests.csv`` row to fill once it has run, and per
channel what is known and what a test would settle. :func:`plan_for_model` does the same from a
fitted :class:`~optimizer.mmm.model.MMM` (noise and level uncertainty read from it).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from optimizer._version import __version__
from optimizer.allocation.problem import AllocationProblem
from optimizer.allocation.safe import SafeRule, data_bounds, safe_allocate
from optimizer.curves import ResponseCurves
from optimizer.errors import ConfigError
from optimizer.experiment.design import DEFAULT_GRID, GEO_NOTE, CandidateGrid
from optimizer.experiment.evi import (
    DEFAULT_SETTINGS,
    CandidateValue,
    EviSettings,
    ranked_table,
    value_tests,
)
from optimizer.experiment.replan import DEFAULT_RULE, FlatPlan

__all__ = [
    "ChannelKnowledge",
    "ExperimentPlan",
    "model_noise",
    "plan_experiments",
    "plan_for_model",
]


@dataclass(frozen=True)
class ChannelKnowledge:
    """What the model knows about one channel and what a test would settle.

    Attributes
    ----------
    channel : str
    mroas_low, mroas_median, mroas_high : float
        Marginal ROAS at today's spend: 5 %, 50 % and 95 % posterior quantiles, EUR per EUR.
    identification : float
        In [0, 1] (the safe plan's measure: 1 - half the interval's relative width).
    lever : bool
        False for a channel whose cost follows sales (not tested).
    best : CandidateValue or None
        The channel's best test by net value (None when not tested).
    """

    channel: str
    mroas_low: float
    mroas_median: float
    mroas_high: float
    identification: float
    lever: bool
    best: CandidateValue | None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dictionary."""
        d = {k: v for k, v in dataclasses.asdict(self).items() if k != "best"}
        d["best"] = None if self.best is None else self.best.row()
        return d


@dataclass(frozen=True, eq=False)
class ExperimentPlan:
    """Ranked candidate tests and the recommended one.

    Attributes
    ----------
    values : tuple of CandidateValue
        Every candidate, best net value first.
    recommended : CandidateValue or None
        The best test by net value among those with a positive net value and a value above
        twice its Monte Carlo standard error; None when no test is worth its cost.
    host_plan : pandas.DataFrame
        The safe plan the test runs inside, weeks x channels, EUR per week.
    test_plan : pandas.DataFrame or None
        The same with the recommended test applied.
    next_plan : FlatPlan
        The next plan the safe rule would choose without a test (flat weekly spend).
    knowledge : tuple of ChannelKnowledge
    noise_sd, level_sd : float
        Weekly revenue noise and counterfactual level uncertainty used, EUR per week.
    settings : EviSettings
    grid : CandidateGrid
    notes : tuple of str
    version : str
    """

    values: tuple[CandidateValue, ...]
    recommended: CandidateValue | None
    host_plan: pd.DataFrame
    test_plan: pd.DataFrame | None
    next_plan: FlatPlan
    knowledge: tuple[ChannelKnowledge, ...]
    noise_sd: float
    level_sd: float
    settings: EviSettings
    grid: CandidateGrid
    notes: tuple[str, ...] = ()
    version: str = field(default=__version__)

    def table(self) -> pd.DataFrame:
        """Ranked table: value, cost, net value, probability to detect, ESS, per candidate."""
        return ranked_table(list(self.values))

    def test_dates(self) -> tuple[str, str] | None:
        """First and last week start of the recommended test (ISO dates, or ``"week 3"``)."""
        if self.recommended is None:
            return None
        d = self.recommended.design
        idx = self.host_plan.index
        if not isinstance(idx, pd.DatetimeIndex):  # a plan without dates: week numbers
            return f"week {d.start_week + 1}", f"week {d.start_week + d.weeks}"
        return str(idx[d.start_week].date()), str(idx[d.start_week + d.weeks - 1].date())

    def lift_row(self) -> pd.DataFrame | None:
        """The ``lift_tests.csv`` row to fill in once the test has run (None without a test).

        ``spend_change`` is written against the spend the history will record (the test's):
        what the plan would have spent minus what the test spends (positive for a pause), as
        the model reads a row (it applies the change to the recorded spend).
        ``incremental_revenue`` and ``se`` are left empty: ``optimizer experiment readout``
        fills them.
        """
        if self.recommended is None:
            return None
        dates = self.test_dates()
        assert dates is not None
        return pd.DataFrame(
            [
                {
                    "channel": self.recommended.design.channel,
                    "start": dates[0],
                    "end": dates[1],
                    "spend_change": round(-self.recommended.spend_change, 2),
                    "incremental_revenue": "",
                    "se": "",
                }
            ]
        )

    def summary(self) -> dict[str, Any]:
        """JSON-ready summary (plans excluded)."""
        rec = self.recommended
        return {
            "version": self.version,
            "recommended": None
            if rec is None
            else rec.row() | {"dates": self.test_dates(), "weekly_spend": self._weekly(rec)},
            "next_plan_without_test": {
                "chosen": self.next_plan.chosen,
                "weekly": dict(
                    zip(
                        self.host_plan.columns, self.next_plan.weekly.round(2).tolist(), strict=True
                    )
                ),
            },
            "knowledge": [k.to_dict() for k in self.knowledge],
            "noise_sd_per_week": self.noise_sd,
            "level_sd_per_week": self.level_sd,
            "settings": dataclasses.asdict(self.settings),
            "grid": dataclasses.asdict(self.grid),
            "candidates": len(self.values),
            "notes": list(self.notes),
        }

    def _weekly(self, rec: CandidateValue) -> dict[str, float]:
        """Weekly spend of the tested channel: plan and test."""
        c = rec.design.channel
        weeks = self.host_plan.iloc[rec.design.window()][c]
        return {"plan": float(weeks.mean()), "test": float(weeks.mean() * rec.design.factor)}


def _index(problem: AllocationProblem) -> pd.Index:
    starts = problem.week_starts()
    if starts is None:
        return pd.RangeIndex(problem.n_weeks, name="week")
    return pd.DatetimeIndex(pd.to_datetime(starts), name="week")


def _knowledge(
    post: ResponseCurves, ref: np.ndarray, rule: SafeRule, values: list[CandidateValue]
) -> tuple[ChannelKnowledge, ...]:
    """Per channel: the interval of its marginal ROAS at today's spend and its best test."""
    out = []
    for b in data_bounds(post, ref, rule):
        mine = [v for v in values if v.design.channel == b.channel]
        out.append(
            ChannelKnowledge(
                b.channel,
                b.mroas_low,
                b.mroas_median,
                b.mroas_high,
                b.identification,
                b.lever,
                max(mine, key=lambda v: v.net) if mine else None,
            )
        )
    return tuple(out)


def _notes(
    values: list[CandidateValue], settings: EviSettings, n: int, rec: CandidateValue | None
) -> tuple[str, ...]:
    """What the reader should know: no geo split, collapsed updates, no test worth it."""
    notes = [GEO_NOTE]
    collapsed = [v.design.label for v in values[:5] if v.collapsed > 0.2]
    if collapsed:
        notes.append(
            f"the reweighted posterior collapses (ESS below {settings.ess_min:.0%} of {n} "
            f"samples) for over 20 % of the answers of: {', '.join(collapsed)}; their value is "
            "rough: refit with the test's row to settle it"
        )
    if rec is None:
        notes.append("no test is worth its cost for the next plan: keep planning without one")
    return tuple(notes)


def plan_experiments(
    curves: ResponseCurves,
    problem: AllocationProblem,
    *,
    noise_sd: float,
    level_sd: float = 0.0,
    today: np.ndarray | None = None,
    rule: SafeRule = DEFAULT_RULE,
    grid: CandidateGrid = DEFAULT_GRID,
    settings: EviSettings = DEFAULT_SETTINGS,
) -> ExperimentPlan:
    """Rank candidate tests by the value of their information for the next plan, net of cost.

    Parameters
    ----------
    curves : ResponseCurves
        Posterior response curves (revenue in EUR per week).
    problem : AllocationProblem
        Budget (EUR), weeks and rules of the plan the test runs in; the next plan is taken to
        have the same budget and length.
    noise_sd : float
        Weekly revenue noise the model implies, EUR per week.
    level_sd : float
        Uncertainty of the counterfactual's weekly level, EUR per week.
    today : numpy.ndarray, optional
        Today's plan, (T, C) EUR per week (default: the run-rate).
    rule : SafeRule
        Safe rule of the plans (the host plan and every re-plan).
    grid : CandidateGrid
    settings : EviSettings

    Returns
    -------
    ExperimentPlan
    """
    if noise_sd <= 0:
        raise ConfigError(f"noise sd {noise_sd} EUR/week must be > 0 (the model's residual sd).")
    idx = np.unique(np.linspace(0, curves.n_samples - 1, settings.n_draws).round().astype(int))
    post = curves.subset(idx)
    safe = safe_allocate(post, problem, rule=rule, today=today)
    host = safe.plan.to_numpy(float)
    a, _ = problem.value_coefficients
    values, base = value_tests(
        post,
        host,
        problem.budget,
        problem.n_weeks,
        noise_sd=noise_sd,
        level_sd=level_sd,
        revenue_value=a,
        grid=grid,
        rule=rule,
        settings=settings,
    )
    # a test is recommended when it is worth its cost and its value is not Monte Carlo noise
    worth = [v for v in values if v.net > 0 and v.value > 2.0 * v.value_se]
    rec = worth[0] if worth else None
    index = _index(problem)
    host_df = pd.DataFrame(host, index=index, columns=list(curves.channels))
    test_df = (
        None
        if rec is None
        else pd.DataFrame(
            rec.design.apply(host, curves.channels), index=index, columns=host_df.columns
        )
    )
    ref = np.tile(np.asarray(curves.current, float), (problem.n_weeks, 1))
    knowledge = _knowledge(post, ref, rule, values)
    notes = _notes(values, settings, post.n_samples, rec)
    return ExperimentPlan(
        tuple(values), rec, host_df, test_df, base, knowledge, float(noise_sd),
        float(level_sd), settings, grid, notes,
    )  # fmt: skip


def model_noise(model: Any, weeks: pd.DatetimeIndex, n_samples: int = 200) -> tuple[float, float]:
    """Weekly revenue noise and baseline-level uncertainty of a fitted model, EUR per week.

    Parameters
    ----------
    model : MMM
        Fitted model.
    weeks : pandas.DatetimeIndex
        Weeks of the plan (their baseline forecast's spread across samples is the level
        uncertainty; controls are taken as 0).

    Returns
    -------
    tuple of float
        ``(noise_sd, level_sd)``: posterior mean residual sd times the revenue scale, and the
        posterior sd of the mean weekly baseline over ``weeks``.
    """
    noise = float(np.mean(model.samples_.sigma) * model.design_.y_scale)
    base = model.baseline_forecast(weeks, None, n_samples)
    return noise, float(np.std(base.mean(axis=1)))


def plan_for_model(
    model: Any,
    problem: AllocationProblem,
    *,
    allow_failed: bool = False,
    **options: Any,
) -> ExperimentPlan:
    """:func:`plan_experiments` from a fitted model (curves, noise and level uncertainty).

    ``options`` are passed on (``today``, ``rule``, ``grid``, ``settings``); the plan's start
    defaults to the week after the model's history.
    """
    settings = options.get("settings", EviSettings())
    curves = model.response_curves(settings.n_draws, allow_failed=allow_failed)
    curves = dataclasses.replace(curves, follows_sales=tuple(model.history_.cost_follows_sales))
    if problem.start is None:
        last: date = model.history_.weeks[-1].date()
        problem = dataclasses.replace(problem, start=last + timedelta(days=7))
    weeks = pd.DatetimeIndex(pd.to_datetime(list(problem.week_starts() or [])))
    noise, level = model_noise(model, weeks, settings.n_draws)
    return plan_experiments(curves, problem, noise_sd=noise, level_sd=level, **options)
