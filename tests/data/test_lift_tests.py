from __future__ import annotations

import pandas as pd
import pytest

from optimizer.data import load_lift_tests
from optimizer.errors import DataError

LIFT = """channel,start,end,spend_change,incremental_revenue,se
social,2024-01-08,2024-01-29,-20000,-30000,5000
sea,2024-02-05,2024-02-26,15000,21000,4000
"""
WEEKS = pd.date_range("2024-01-01", periods=20, freq="7D")


def test_loads(write):
    t = load_lift_tests(write("l.csv", LIFT), channels=["sea", "social"], weeks=WEEKS)
    assert len(t) == 2
    assert t.frame["se"].tolist() == [5000, 4000]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            LIFT.replace("social", "socail"),
            "l.csv, column 'channel', row 2: channel 'socail' is not in the marketing data (sea, "
            "social). Did you mean 'social'? Fix the name or drop the test.",
        ),
        (
            LIFT.replace("5000\n", "0\n"),
            "l.csv, column 'se', row 2: too small value (e.g. '0'); values must be > 0 EUR.",
        ),
        (
            LIFT.replace("-20000", "0"),
            "l.csv, column 'spend_change', row 2: a lift test needs a non-zero spend change.",
        ),
        (
            LIFT.replace("2024-01-08,2024-01-29", "2024-01-29,2024-01-08"),
            "l.csv, row 2: 'end' is before 'start'; swap them.",
        ),
        (
            LIFT.replace("2024-02-26", "2026-02-23"),
            "l.csv, row 3: test period outside the marketing history (2024-01-01 to 2024-05-13); "
            "drop it or extend the history.",
        ),
    ],
)
def test_bad_lift_tests(write, content, message):
    with pytest.raises(DataError) as exc:
        load_lift_tests(write("l.csv", content), channels=["sea", "social"], weeks=WEEKS)
    assert str(exc.value) == message
