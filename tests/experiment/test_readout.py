"""Read-out: recovers a known simulated lift within its standard error; bad inputs are refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from optimizer.curves import synthetic_curves
from optimizer.data.lift_tests import LiftTests
from optimizer.data.marketing import MarketingHistory
from optimizer.errors import ConfigError, DataError
from optimizer.experiment import readout
from optimizer.experiment.readout import check_test_weeks

T = 10  # weeks after the model's history: 2 before the test, 4 test weeks, 4 after
TEST = slice(2, 6)
BASE = 60_000.0
NOISE = 1_500.0


def _simulate(seed: int):
    """Model posterior, truth (its posterior mean) and the recorded weeks of a social pause."""
    model = synthetic_curves(n_channels=3, n_samples=200, lags=3, seed=7)
    truth = model.mean_curves()
    rng = np.random.default_rng(seed)
    spend = np.tile(model.current, (T, 1))
    planned = float(spend[0, 1])
    spend[TEST, 1] = 0.0  # ch1 paused during the test weeks
    revenue = BASE + truth.weekly(spend)[0].sum(axis=1) + rng.normal(0, NOISE, T)
    cf = spend.copy()
    cf[TEST, 1] = planned
    true_lift = float((truth.weekly(spend) - truth.weekly(cf))[0, TEST, 1].sum())
    # the model's baseline forecast: right on average, with a little doubt about the level
    baseline = BASE + 300.0 * rng.standard_normal((model.n_samples, 1)) * np.ones((1, T))
    weeks = pd.date_range("2026-01-05", periods=T, freq="7D")
    return model, baseline, revenue, spend, planned, weeks, true_lift


def test_readout_recovers_a_known_lift_within_its_se():
    model, baseline, revenue, spend, planned, weeks, true_lift = _simulate(seed=0)
    r = readout(model, baseline, NOISE, revenue, spend, "ch1", TEST, planned, weeks)
    assert r.lift < 0 and true_lift < 0
    assert abs(r.lift - true_lift) <= 2 * r.se
    assert r.se > 2 * NOISE  # 4 weeks of noise plus the counterfactual's doubt
    assert r.weeks == 4 and r.start == weeks[2] and r.end == weeks[5]
    assert r.spend_planned == pytest.approx(4 * planned) and r.spend_tested == 0.0
    row = r.row().frame.iloc[0]
    # written against the recorded spend: planned minus tested, revenue sign flipped
    assert row["spend_change"] == pytest.approx(4 * planned, abs=0.01)
    assert row["incremental_revenue"] == pytest.approx(-r.lift, abs=0.01)
    # the refit also sees the test weeks: the row's se counts them once in all
    assert row["se"] == pytest.approx(r.se * np.sqrt(2), abs=0.01)


def test_readout_standard_error_is_honest():
    """Over many noise draws the measured lift falls within 2 se of the truth ~95 % of the time."""
    hits = []
    for seed in range(200):
        model, baseline, revenue, spend, planned, weeks, true_lift = _simulate(seed)
        r = readout(model, baseline, NOISE, revenue, spend, "ch1", TEST, planned, weeks)
        hits.append(abs(r.lift - true_lift) <= 2 * r.se)
    assert 0.85 <= np.mean(hits) <= 1.0


def _history(n_weeks: int = 30, drop: int | None = None) -> MarketingHistory:
    weeks = pd.date_range("2026-01-05", periods=n_weeks, freq="7D")
    spend = pd.DataFrame({"sea": np.full(n_weeks, 5000.0), "social": 3000.0}, index=weeks)
    h = MarketingHistory(
        weeks=weeks,
        revenue=np.full(n_weeks, 50_000.0),
        spend=spend,
        controls=pd.DataFrame(index=weeks),
        source="marketing.csv",
    )
    if drop is None:
        return h
    keep = np.arange(n_weeks) != drop
    return MarketingHistory(
        weeks=weeks[keep],
        revenue=h.revenue[keep],
        spend=spend.iloc[keep],
        controls=h.controls.iloc[keep],
        source="marketing.csv",
    )


FITTED = pd.date_range("2026-01-05", periods=20, freq="7D")  # the model saw weeks 0-19


def test_check_accepts_a_clean_test():
    a, b = check_test_weeks(
        _history(), FITTED, "sea", pd.Timestamp(FITTED[-1]) + pd.Timedelta(days=14),
        pd.Timestamp(FITTED[-1]) + pd.Timedelta(days=35),
    )  # fmt: skip
    assert (a, b) == (21, 24)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"weeks_after": (2, 2)}, DataError, "at least 2 test weeks"),
        ({"weeks_after": (-3, 2)}, DataError, "already seen it"),
        ({"channel": "seaa"}, ConfigError, "Did you mean 'sea'"),
        ({"weeks_after": (4, 2)}, ConfigError, "before its start"),
        ({"drop": 21}, DataError, "week 2026-06-01 is missing"),
        ({"other": True}, DataError, "row 1: test on social"),
    ],
)
def test_check_refuses_bad_tests(kwargs, error, match):
    first, last = kwargs.get("weeks_after", (2, 5))
    start = FITTED[-1] + pd.Timedelta(weeks=first)
    end = FITTED[-1] + pd.Timedelta(weeks=last)
    other = None
    if kwargs.get("other"):
        other = LiftTests(
            pd.DataFrame(
                {
                    "channel": ["social"],
                    "start": [start + pd.Timedelta(weeks=1)],
                    "end": [end + pd.Timedelta(weeks=2)],
                    "spend_change": [-9000.0],
                    "incremental_revenue": [-20000.0],
                    "se": [3000.0],
                }
            ),
            "lift_tests.csv",
        )
    with pytest.raises(error, match=match):
        check_test_weeks(
            _history(drop=kwargs.get("drop")), FITTED, kwargs.get("channel", "sea"), start, end,
            other,
        )  # fmt: skip


def test_control_weeks_remove_a_missed_level():
    """A baseline forecast 4 % too low biases a read-out without control weeks, not with them."""
    model, baseline, revenue, spend, planned, weeks, true_lift = _simulate(seed=3)
    low = baseline - 0.04 * BASE
    full = readout(model, low, NOISE, revenue, spend, "ch1", TEST, planned, weeks)
    assert full.control_weeks >= 2
    assert abs(full.lift - true_lift) <= 2 * full.se
    # only the test weeks recorded: no week to measure the level on
    rows = slice(0, 6)
    blind = readout(
        model, low[:, rows], NOISE, revenue[rows], spend[rows], "ch1", TEST, planned, weeks[rows]
    )
    assert blind.control_weeks == 2  # the two weeks before the test still count
    none = readout(
        model, low[:, 2:6], NOISE, revenue[2:6], spend[2:6], "ch1", slice(0, 4), planned,
        weeks[2:6],
    )  # fmt: skip
    assert none.control_weeks == 0
    assert none.lift - true_lift > 0.04 * BASE * 4 * 0.8  # the missed level lands in the lift
