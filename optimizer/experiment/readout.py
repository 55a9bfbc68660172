"""Read out a test: measured incremental revenue against the model's counterfactual.

The model was fitted on the weeks before the test. For the weeks after its history up to the
test's last week it predicts, sample by sample, what revenue would have been had the tested
channel kept its planned spend (every other channel at its recorded spend): its baseline
forecast (trend, season, the recorded controls) plus the media response with carry-over.

A baseline forecast misses the level of revenue by more than the test moves it; the weeks after
the model's history that the test did not touch (before it, and after it once its carry-over has
faded) measure that miss, sample by sample: the mean of recorded revenue minus the model's
prediction at the recorded spend. With at least :data:`MIN_CONTROL` such weeks the
counterfactual is shifted by it. The measured lift is the recorded revenue of the test weeks
minus the counterfactual's posterior mean; its standard error adds the counterfactual's
posterior variance, the weekly noise of the model (``weeks * sigma**2``) and the noise of the
measured level (``weeks**2 * sigma**2 / control weeks``).

The lift-test row is written against the spend the history records (the test's): the model
applies a row's ``spend_change`` to the recorded spend, so the row says "spending as planned
instead of as tested would have brought ``incremental_revenue``": ``spend_change`` = planned
minus tested spend, ``incremental_revenue`` = minus the measured lift (both positive for a
pause). Its period is the test weeks. Its ``se`` is the read-out's times ``sqrt(2)``
(:data:`DOUBLE_COUNT`): a refit sees the test weeks twice, in the history and in the row, and
two equal looks at the same evidence with twice the variance each carry what one look carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from optimizer.curves import ResponseCurves
from optimizer.data.lift_tests import LiftTests
from optimizer.data.marketing import MarketingHistory
from optimizer.errors import ConfigError, DataError, did_you_mean
from optimizer.experiment.design import carryover_tail

__all__ = [
    "DOUBLE_COUNT",
    "MIN_WEEKS",
    "Readout",
    "check_test_weeks",
    "readout",
    "readout_for_model",
]

#: Factor on the row's standard error: the refit also sees the test weeks in the history.
DOUBLE_COUNT = float(np.sqrt(2.0))

#: Fewest control weeks (untouched by the test) to measure the model's level on.
MIN_CONTROL = 2

#: Fewest test weeks a read-out accepts (one week cannot separate the change from the noise).
MIN_WEEKS = 2


@dataclass(frozen=True)
class Readout:
    """The measured lift of a test.

    Attributes
    ----------
    channel : str
    start, end : pandas.Timestamp
        First and last test week.
    weeks : int
    lift : float
        Recorded revenue minus the counterfactual's posterior mean over the test weeks, EUR
        (negative for a pause).
    se : float
        Its standard error, EUR.
    actual_revenue, counterfactual : float
        Recorded and counterfactual revenue over the test weeks, EUR.
    control_weeks : int
        Weeks the model's level was measured on (0: none, the level's doubt is in ``se``).
    spend_tested, spend_planned : float
        The channel's spend over the test weeks, recorded and planned, EUR.
    model_lift, model_p05, model_p95 : float
        The lift the model expected (mean, 5 %, 95 %), EUR, for comparison.
    """

    channel: str
    start: pd.Timestamp
    end: pd.Timestamp
    weeks: int
    lift: float
    se: float
    actual_revenue: float
    counterfactual: float
    control_weeks: int
    spend_tested: float
    spend_planned: float
    model_lift: float
    model_p05: float
    model_p95: float

    @property
    def z(self) -> float:
        """Lift over its standard error."""
        return self.lift / self.se

    def row(self, source: str = "lift_tests.csv") -> LiftTests:
        """The lift-test row for calibration, against the recorded spend (see module doc).

        Its ``se`` is :attr:`se` times :data:`DOUBLE_COUNT` (the refit sees the weeks too).
        """
        frame = pd.DataFrame(
            [
                {
                    "channel": self.channel,
                    "start": self.start,
                    "end": self.end,
                    "spend_change": round(self.spend_planned - self.spend_tested, 2),
                    "incremental_revenue": round(-self.lift, 2),
                    "se": round(self.se * DOUBLE_COUNT, 2),
                }
            ]
        )
        return LiftTests(frame, source)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dictionary."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["start"], out["end"] = str(self.start.date()), str(self.end.date())
        out["z"] = self.z
        return out


def check_test_weeks(
    history: MarketingHistory,
    fitted_weeks: pd.DatetimeIndex,
    channel: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    other_tests: LiftTests | None = None,
) -> tuple[int, int]:
    """Rows of the test's first and last week in ``history``, after checking the inputs.

    Raises
    ------
    ConfigError
        Unknown channel, end before start.
    DataError
        Fewer than :data:`MIN_WEEKS` test weeks, test weeks the model was fitted on, weeks
        missing from the data, or a period that overlaps another test of ``other_tests``.
    """
    src = history.source or "marketing data"
    if channel not in history.channels:
        raise ConfigError(
            f"channel {channel!r} is not in {src} ({', '.join(history.channels)})."
            f"{did_you_mean(channel, history.channels)}"
        )
    if end < start:
        raise ConfigError(f"test end {end.date()} is before its start {start.date()}; swap them.")
    n = int((end - start).days // 7) + 1
    if n < MIN_WEEKS:
        raise DataError(
            f"test {start.date()} to {end.date()}: {n} week; a read-out needs at least "
            f"{MIN_WEEKS} test weeks. Run the test longer (the plan proposes 2 to 8 weeks)."
        )
    if len(fitted_weeks) and start <= fitted_weeks[-1]:
        raise DataError(
            f"test {start.date()} to {end.date()} starts on or before the model's last week "
            f"({fitted_weeks[-1].date()}): the model has already seen it. Use the model fitted "
            "before the test."
        )
    first = fitted_weeks[-1] + pd.Timedelta(days=7) if len(fitted_weeks) else start
    need = pd.date_range(first, end, freq="7D")
    missing = need.difference(history.weeks)
    if len(missing):
        raise DataError(
            f"{src}: week {missing[0].date()} is missing ({len(missing)} week(s) from "
            f"{first.date()} to {end.date()} needed: the weeks after the model's history and "
            "the test weeks). Add the rows with revenue and spend."
        )
    if other_tests is not None and len(other_tests):
        f = other_tests.frame
        hit = np.flatnonzero((f["start"] <= end).to_numpy() & (f["end"] >= start).to_numpy())
        if len(hit):
            r = f.iloc[hit[0]]
            raise DataError(
                f"{other_tests.source or 'lift_tests.csv'}, row {hit[0] + 1}: test on "
                f"{r['channel']} ({pd.Timestamp(r['start']).date()} to "
                f"{pd.Timestamp(r['end']).date()}) overlaps this test's weeks; two tests at once "
                "cannot be told apart. Read out a period without the other test."
            )
    a_hit, b_hit = np.flatnonzero(history.weeks == start), np.flatnonzero(history.weeks == end)
    if not len(a_hit) or not len(b_hit):
        raise DataError(f"{src}: test weeks {start.date()} to {end.date()} are not week starts.")
    return int(a_hit[0]), int(b_hit[0])


def _control_rows(n_weeks: int, test: np.ndarray, tail: int) -> np.ndarray:
    """Rows before the test, and after it once its carry-over has faded (``tail`` weeks)."""
    rows = np.arange(n_weeks)
    return rows[(rows < test[0]) | (rows > test[-1] + tail)]


def readout(
    curves: ResponseCurves,
    baseline: np.ndarray,
    noise_sd: float,
    revenue: np.ndarray,
    spend: np.ndarray,
    channel: str,
    test_rows: slice,
    planned: float,
    weeks: pd.DatetimeIndex,
) -> Readout:
    """Measured lift of a test against the model's counterfactual (closed form, no sampling).

    Parameters
    ----------
    curves : ResponseCurves
        Posterior curves whose history ends the week before ``weeks`` (S samples).
    baseline : numpy.ndarray
        Baseline forecast of the same samples for ``weeks``, (S, T) EUR per week.
    noise_sd : float
        Weekly revenue noise, EUR per week.
    revenue : numpy.ndarray
        Recorded revenue of ``weeks``, (T,) EUR.
    spend : numpy.ndarray
        Recorded spend of ``weeks``, (T, C) EUR per week.
    channel : str
    test_rows : slice
        Rows of ``weeks`` that are test weeks.
    planned : float
        The channel's planned weekly spend during the test, EUR per week.
    weeks : pandas.DatetimeIndex
        Weeks from the one after the model's history to the last recorded one (the test's and
        the control weeks).

    Returns
    -------
    Readout
    """
    c = curves.channels.index(channel)
    spend = np.asarray(spend, float)
    revenue = np.asarray(revenue, float)
    plan_cf = spend.copy()
    plan_cf[test_rows, c] = planned
    media_cf = curves.weekly(plan_cf)  # (S, T, C)
    media_actual = curves.weekly(spend)
    rows = np.arange(len(weeks))[test_rows]
    n = len(rows)
    cf_weekly = baseline + media_cf.sum(axis=2)  # (S, T)
    ctrl = _control_rows(len(weeks), rows, carryover_tail(curves, channel))
    if len(ctrl) >= MIN_CONTROL:
        # the level the model misses, measured on weeks the test did not touch, per sample
        resid = revenue[ctrl][None, :] - baseline[:, ctrl] - media_actual[:, ctrl].sum(axis=2)
        level = resid.mean(axis=1)
        level_var = noise_sd**2 / len(ctrl)
    else:
        level, level_var = np.zeros(len(baseline)), 0.0
    cf = cf_weekly[:, rows].sum(axis=1) + n * level
    actual = float(revenue[rows].sum())
    lift = actual - float(cf.mean())
    se = float(np.sqrt(np.var(cf) + n * noise_sd**2 + n**2 * level_var))
    own = media_actual[:, rows, c].sum(axis=1)
    model = own - media_cf[:, rows, c].sum(axis=1)
    q05, q95 = np.quantile(model, [0.05, 0.95])
    return Readout(
        channel=channel,
        start=weeks[rows[0]],
        end=weeks[rows[-1]],
        weeks=n,
        lift=lift,
        se=se,
        actual_revenue=actual,
        counterfactual=float(cf.mean()),
        control_weeks=len(ctrl) if len(ctrl) >= MIN_CONTROL else 0,
        spend_tested=float(spend[rows, c].sum()),
        spend_planned=float(planned * n),
        model_lift=float(model.mean()),
        model_p05=float(q05),
        model_p95=float(q95),
    )


def readout_for_model(
    model: Any,
    history: MarketingHistory,
    channel: str,
    start: str | pd.Timestamp,
    end: str | pd.Timestamp,
    planned: float,
    *,
    other_tests: LiftTests | None = None,
    n_samples: int = 300,
    allow_failed: bool = False,
) -> Readout:
    """Read out a test from a model fitted before it and the data recorded since.

    Parameters
    ----------
    model : MMM
        Fitted on the weeks before the test.
    history : MarketingHistory
        Recorded data covering at least the weeks after the model's history to the test's end.
    channel : str
    start, end : str or pandas.Timestamp
        First and last test week (week starts).
    planned : float
        The channel's planned weekly spend during the test, EUR per week.
    other_tests : LiftTests, optional
        Tests already run (a test overlapping this one is an error); default the model's.
    """
    if not planned >= 0:
        raise ConfigError(f"planned weekly spend {planned} must be >= 0 EUR.")
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    fitted = model.history_.weeks
    others = other_tests if other_tests is not None else model.lift_tests_
    check_test_weeks(history, fitted, channel, start, end, others)
    if tuple(history.channels) != tuple(model.history_.channels):
        raise DataError(
            f"{history.source or 'marketing data'}: channels {', '.join(history.channels)} differ "
            f"from the model's ({', '.join(model.history_.channels)}); use the same columns."
        )
    first = fitted[-1] + pd.Timedelta(days=7)
    # the test weeks and every control week, up to the first gap after the test
    after = history.weeks[history.weeks >= first]
    gap = after != pd.date_range(first, periods=len(after), freq="7D")
    run = int(np.argmax(gap)) if gap.any() else len(after)
    keep = np.asarray(history.weeks >= first) & np.asarray(history.weeks <= after[run - 1])
    weeks = history.weeks[keep]
    curves = model.response_curves(n_samples, allow_failed=allow_failed)
    base = model.baseline_forecast(weeks, history.controls.iloc[np.flatnonzero(keep)], n_samples)
    noise = float(np.mean(model.samples_.sigma) * model.design_.y_scale)
    a = int(np.flatnonzero(weeks == start)[0])
    b = int(np.flatnonzero(weeks == end)[0])
    return readout(
        curves,
        base,
        noise,
        history.revenue[keep],
        history.spend.loc[keep].to_numpy(float),
        channel,
        slice(a, b + 1),
        planned,
        weeks,
    )
