"""Read out a test: measured incremental revenue against the model's counterfactual.

The model was fitted on the weeks before the test. For the weeks after its history up to the
test's last week it predicts, sample by sample, what revenue would have been had the tested
channel kept its planned spend (every other channel at its recorded spend): its baseline
forecast (trend, season, the recorded controls) plus the media response with carry-over. The
measured lift is the recorded revenue of the test weeks minus that counterfactual's posterior
mean; its standard error adds the counterfactual's posterior variance to the weekly noise of
the model (``weeks * sigma**2``).

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

from optimizer.data.lift_tests import LiftTests
from optimizer.data.marketing import MarketingHistory
from optimizer.errors import ConfigError, DataError, did_you_mean
from optimizer.mmm.curves import ResponseCurves

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
        Weeks from the one after the model's history to the test's last.

    Returns
    -------
    Readout
    """
    c = curves.channels.index(channel)
    plan_cf = np.array(spend, float)
    plan_cf[test_rows, c] = planned
    media_cf = curves.weekly(plan_cf).sum(axis=2)  # (S, T)
    cf = (baseline + media_cf)[:, test_rows].sum(axis=1)
    n = len(range(*test_rows.indices(len(weeks))))
    actual = float(np.asarray(revenue, float)[test_rows].sum())
    lift = actual - float(cf.mean())
    se = float(np.sqrt(np.var(cf) + n * noise_sd**2))
    own = curves.weekly(np.asarray(spend, float))[:, test_rows, c].sum(axis=1)
    model = own - curves.weekly(plan_cf)[:, test_rows, c].sum(axis=1)
    q05, q95 = np.quantile(model, [0.05, 0.95])
    return Readout(
        channel=channel,
        start=weeks[test_rows][0],
        end=weeks[test_rows][-1],
        weeks=n,
        lift=lift,
        se=se,
        actual_revenue=actual,
        counterfactual=float(cf.mean()),
        spend_tested=float(np.asarray(spend, float)[test_rows, c].sum()),
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
    keep = (history.weeks >= first) & (history.weeks <= end)
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
