"""Candidate experiments: which channel, what change, for how long, from which week.

A test changes one channel's spend in some weeks of the plan being run (a pause, -50 %, +50 %,
+100 %) and is read out on those weeks only: the measured lift is the channel's incremental
revenue over the test weeks against the plan's, which is exactly what a ``lift_tests.csv`` row
with the test weeks as its period tells the media-mix model (its likelihood counts the effect
of a spend change inside the row's period, see :mod:`optimizer.mmm.graph`). The carry-over after
the last test week is part of the test's cost, not of its measurement.

Geo splits need regional data; the marketing history is national (no region column), so the
candidate grid holds national time-based tests only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.curves import ResponseCurves
from optimizer.errors import ConfigError

__all__ = [
    "ACTIONS",
    "DEFAULT_GRID",
    "CandidateGrid",
    "ExperimentDesign",
    "candidate_tests",
    "carryover_tail",
    "control_weeks",
    "measurement_se",
    "experiment_cost",
    "measured_lift",
]

#: Spend multiplier of each action on the tested channel during the test weeks.
ACTIONS: dict[str, float] = {"pause": 0.0, "-50%": 0.5, "+50%": 1.5, "+100%": 2.0}

#: Why no geo split is proposed (said in every output).
GEO_NOTE = (
    "geo split not proposed: the marketing history is national (no region column); with "
    "regional data a split test would measure against a control region"
)


@dataclass(frozen=True)
class ExperimentDesign:
    """One candidate test.

    Attributes
    ----------
    channel : str
        Channel whose spend changes.
    action : str
        A key of :data:`ACTIONS` (``"pause"``, ``"-50%"``, ``"+50%"``, ``"+100%"``).
    start_week : int
        First test week, counted from the plan's first week (0).
    weeks : int
        Test length, weeks.
    """

    channel: str
    action: str
    start_week: int
    weeks: int

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ConfigError(
                f"test action {self.action!r} is unknown; use one of {', '.join(ACTIONS)}."
            )
        if self.start_week < 0 or self.weeks < 1:
            raise ConfigError(
                f"test on {self.channel}: start week {self.start_week} must be >= 0 and length "
                f"{self.weeks} >= 1 week."
            )

    @property
    def factor(self) -> float:
        """Spend multiplier during the test weeks."""
        return ACTIONS[self.action]

    @property
    def label(self) -> str:
        """E.g. ``"social pause, weeks 1-4"`` (weeks counted from 1)."""
        return (
            f"{self.channel} {self.action}, weeks {self.start_week + 1}-"
            f"{self.start_week + self.weeks}"
        )

    def window(self) -> slice:
        """Plan rows of the test weeks."""
        return slice(self.start_week, self.start_week + self.weeks)

    def apply(self, plan: np.ndarray, channels: tuple[str, ...]) -> np.ndarray:
        """The plan with the test, (T, C) EUR per week (a copy)."""
        out = np.array(plan, float)
        out[self.window(), channels.index(self.channel)] *= self.factor
        return out

    def spend_change(self, plan: np.ndarray, channels: tuple[str, ...]) -> float:
        """Spend of the test minus the plan's, EUR (negative for a pause or a cut)."""
        c = channels.index(self.channel)
        return float((self.factor - 1.0) * np.asarray(plan, float)[self.window(), c].sum())


@dataclass(frozen=True)
class CandidateGrid:
    """The coarse grid of candidate tests (defaults keep a plan run under a minute).

    Attributes
    ----------
    actions : tuple of str
        Keys of :data:`ACTIONS`.
    durations : tuple of int
        Test lengths, weeks (2 to 8).
    starts : tuple of int
        First test week after the plan's start (0 = the first week); a start whose test would
        not end inside the horizon is skipped.
    """

    actions: tuple[str, ...] = tuple(ACTIONS)
    durations: tuple[int, ...] = (2, 4, 8)
    starts: tuple[int, ...] = (0, 4)

    def __post_init__(self) -> None:
        bad = [a for a in self.actions if a not in ACTIONS]
        if bad or not self.actions:
            raise ConfigError(f"test actions {bad or '()'} unknown; use {', '.join(ACTIONS)}.")
        if not self.durations or any(not 1 <= d <= 26 for d in self.durations):
            raise ConfigError(f"test durations {self.durations} must be 1 to 26 weeks, e.g. 2,4,8.")
        if not self.starts or any(s < 0 for s in self.starts):
            raise ConfigError(f"test start weeks {self.starts} must be >= 0.")


#: The default grid: 4 actions x 2, 4 or 8 weeks x start in week 1 or 5.
DEFAULT_GRID = CandidateGrid()


def candidate_tests(
    curves: ResponseCurves, plan: np.ndarray, grid: CandidateGrid = DEFAULT_GRID
) -> list[ExperimentDesign]:
    """Every test of the grid that fits the horizon, on channels that are budget levers.

    Channels whose cost follows sales are not tested (their spend is not set by the planner);
    a channel with no planned spend in the test weeks cannot be paused or scaled.

    Parameters
    ----------
    curves : ResponseCurves
    plan : numpy.ndarray
        The plan the test would run inside, (T, C) EUR per week.
    grid : CandidateGrid

    Returns
    -------
    list of ExperimentDesign
    """
    plan = np.asarray(plan, float)
    out: list[ExperimentDesign] = []
    for c, name in enumerate(curves.channels):
        if name in curves.follows_sales:
            continue
        for start in grid.starts:
            for weeks in grid.durations:
                if start + weeks > plan.shape[0] or plan[start : start + weeks, c].sum() <= 0:
                    continue
                out.extend(ExperimentDesign(name, a, start, weeks) for a in grid.actions)
    return out


def measured_lift(curves: ResponseCurves, plan: np.ndarray, design: ExperimentDesign) -> np.ndarray:
    """The lift the test would measure under each posterior sample, (S,), EUR.

    Incremental revenue of the tested channel over the test weeks, test minus plan (negative
    for a pause): what the read-out estimates and the lift-test row records.
    """
    c = curves.channels.index(design.channel)
    with_test = curves.weekly(design.apply(plan, curves.channels))[:, design.window(), c]
    without = curves.weekly(plan)[:, design.window(), c]
    return (with_test - without).sum(axis=1)


def experiment_cost(
    curves: ResponseCurves, plan: np.ndarray, design: ExperimentDesign, revenue_value: float = 1.0
) -> np.ndarray:
    """What the test costs under each posterior sample, (S,), EUR.

    ``revenue_value * (revenue lost over the horizon, carry-over included) + extra spend``: a
    pause costs the revenue it loses less the spend it saves; a +50 % test costs its extra
    spend less the revenue it brings. ``revenue_value`` is the value of one EUR of revenue
    (1 for the revenue objective, the margin rate for margin).
    """
    test_plan = design.apply(plan, curves.channels)
    gained = curves.total(test_plan) - curves.total(plan)
    return -revenue_value * gained + design.spend_change(plan, curves.channels)


def carryover_tail(curves: ResponseCurves, channel: str, share: float = 0.05) -> int:
    """Weeks after a test during which its carry-over still acts (more than ``share`` of it).

    From the posterior-mean lag weights of ``channel``: the number of lags after the first whose
    remaining weight exceeds ``share``. A read-out does not use those weeks as control weeks.
    """
    w = curves.weights[:, curves.channels.index(channel)].mean(axis=0)
    remaining = 1.0 - np.cumsum(w)  # weight still to act after lag l
    return int(np.sum(remaining[:-1] > share))


def control_weeks(design: ExperimentDesign, n_weeks: int, tail: int) -> int:
    """Weeks of an ``n_weeks`` plan a read-out can compare the test weeks with.

    The weeks before the test, and those after it once its carry-over has faded (``tail``
    weeks after the last test week are left out).
    """
    after = n_weeks - (design.start_week + design.weeks) - tail
    return design.start_week + max(after, 0)


def measurement_se(weeks: int, noise_sd: float, level_sd: float = 0.0, control: int = 0) -> float:
    """Standard error of a lift measured against the model's counterfactual, EUR.

    Parameters
    ----------
    weeks : int
        Test weeks summed.
    noise_sd : float
        Weekly revenue noise the model implies (its residual sd), EUR per week; independent
        from week to week.
    level_sd : float
        Uncertainty of the counterfactual's weekly level (baseline forecast), EUR per week;
        shared by the test weeks, so it adds ``weeks * level_sd`` when there are no control
        weeks.
    control : int
        Control weeks (:func:`control_weeks`): with 2 or more, the read-out measures the level
        on them (the mean residual), which replaces the level's doubt by the noise of that
        mean, ``weeks * noise_sd / sqrt(control)``.

    Returns
    -------
    float
        ``sqrt(weeks * noise_sd**2 + (weeks * level)**2)`` with ``level = noise_sd /
        sqrt(control)`` (2 or more control weeks) or ``level_sd``.
    """
    if noise_sd < 0 or level_sd < 0:
        raise ConfigError(f"noise sd {noise_sd} and level sd {level_sd} must be >= 0 EUR/week.")
    level = noise_sd / np.sqrt(control) if control >= 2 else level_sd
    return float(np.sqrt(weeks * noise_sd**2 + (weeks * level) ** 2))
