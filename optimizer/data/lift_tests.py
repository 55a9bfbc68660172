"""Lift tests (experiments) used to calibrate the media-mix model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.data.checks import check_columns, check_in, parse_dates, parse_number
from optimizer.data.io import format_rows, read_table, write_csv
from optimizer.errors import DataError

__all__ = ["LiftTests", "load_lift_tests", "write_lift_tests"]


@dataclass(frozen=True, eq=False)
class LiftTests:
    """Experiments that measured a channel's incremental revenue.

    Attributes
    ----------
    frame : pandas.DataFrame
        Columns ``channel``; ``start`` and ``end`` (first and last week start of the test,
        inclusive);
        ``spend_change`` (EUR over the whole period vs what would have been spent, negative for a
        pause); ``incremental_revenue`` (EUR measured over the period, same sign convention);
        ``se`` (standard error of ``incremental_revenue``, EUR, > 0).
    source : str
        File read.
    """

    frame: pd.DataFrame
    source: str = ""

    def __len__(self) -> int:
        return len(self.frame)

    def equals(self, other: LiftTests) -> bool:
        """Whether two lift-test tables are identical (within float round-off)."""
        a, b = self.frame, other.frame
        num = ["spend_change", "incremental_revenue", "se"]
        return bool(
            a.shape == b.shape
            and (
                a[["channel", "start", "end"]].to_numpy()
                == b[["channel", "start", "end"]].to_numpy()
            ).all()
            and np.allclose(a[num].to_numpy(float), b[num].to_numpy(float))
        )


def load_lift_tests(
    path: str | Path,
    *,
    channels: Sequence[str] | None = None,
    weeks: pd.DatetimeIndex | None = None,
) -> LiftTests:
    """Load lift tests and check them against the model's channels and weeks.

    Parameters
    ----------
    path : str or Path
        CSV with ``channel, start, end, spend_change, incremental_revenue, se``.
    channels : sequence of str, optional
        Channels of the marketing history; a test on another channel is an error.
    weeks : pandas.DatetimeIndex, optional
        Weeks of the marketing history; tests must lie inside it.

    Returns
    -------
    LiftTests
    """
    frame = read_table(path)
    src = frame.attrs["source"]
    check_columns(frame, ("channel", "start", "end", "spend_change", "incremental_revenue", "se"))
    ch = frame["channel"].astype(str).to_numpy()
    if channels is not None:
        check_in(
            frame,
            "channel",
            ch,
            channels,
            what="channel",
            where=f"the marketing data ({', '.join(channels)})",
            fix="Fix the name or drop the test.",
        )
    start = parse_dates(frame, "start")
    end = parse_dates(frame, "end")
    inverted = np.asarray(end < start)
    if inverted.any():
        raise DataError(
            f"{src}, {format_rows(list(frame.index[inverted]))}: 'end' is before 'start'; swap "
            "them."
        )
    spend = parse_number(frame, "spend_change", unit="EUR")
    zero = spend == 0
    if zero.any():
        raise DataError(
            f"{src}, column 'spend_change', {format_rows(list(frame.index[zero]))}: a lift test needs a non-zero "
            "spend change."
        )
    lift = parse_number(frame, "incremental_revenue", unit="EUR")
    se = parse_number(frame, "se", minimum=0, strict_minimum=True, unit="EUR")
    if weeks is not None and len(weeks):
        outside = np.asarray((start < weeks[0]) | (end > weeks[-1]))
        if outside.any():
            raise DataError(
                f"{src}, {format_rows(list(frame.index[outside]))}: test period outside the "
                f"marketing history ({weeks[0].date()} to {weeks[-1].date()}); drop it or extend the "
                "history."
            )
    out = pd.DataFrame(
        {
            "channel": ch,
            "start": start,
            "end": end,
            "spend_change": spend,
            "incremental_revenue": lift,
            "se": se,
        }
    )
    return LiftTests(frame=out, source=src)


def write_lift_tests(tests: LiftTests, path: str | Path) -> None:
    """Write lift tests as CSV."""
    out = tests.frame.copy()
    out["start"] = out["start"].dt.strftime("%Y-%m-%d")
    out["end"] = out["end"].dt.strftime("%Y-%m-%d")
    write_csv(out, path)
