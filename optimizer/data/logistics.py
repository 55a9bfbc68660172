"""Logistics: weekly shipping capacity and cost per parcel."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.data.checks import check_columns, check_weekly, parse_dates, parse_number
from optimizer.data.io import read_table, write_csv
from optimizer.errors import DataError

__all__ = ["Logistics", "load_logistics", "write_logistics"]


@dataclass(frozen=True, eq=False)
class Logistics:
    """Warehouse and carrier capacity.

    Attributes
    ----------
    capacity : float or pandas.Series
        Logistics units (parcels or volume units) that can ship per week: one number for every
        week, or a series indexed by week start dates.
    cost_per_unit : float or pandas.Series
        EUR excl. VAT per logistics unit shipped (same shape as ``capacity``).
    source : str
        File it was read from.
    """

    capacity: float | pd.Series
    cost_per_unit: float | pd.Series
    source: str = ""

    @property
    def weekly(self) -> bool:
        """Whether capacity is given week by week."""
        return isinstance(self.capacity, pd.Series)

    def capacity_for(self, weeks: pd.DatetimeIndex) -> np.ndarray:
        """Capacity per week for the given weeks (logistics units).

        Raises
        ------
        DataError
            When the file gives weekly capacity and a requested week is not in it.
        """
        return self._for(self.capacity, weeks)

    def cost_for(self, weeks: pd.DatetimeIndex) -> np.ndarray:
        """Cost per logistics unit for the given weeks (EUR excl. VAT)."""
        return self._for(self.cost_per_unit, weeks)

    def _for(self, value: float | pd.Series, weeks: pd.DatetimeIndex) -> np.ndarray:
        if not isinstance(value, pd.Series):
            return np.full(len(weeks), float(value))
        missing = weeks.difference(pd.DatetimeIndex(value.index))
        if len(missing):
            raise DataError(
                f"{self.source}: no capacity given for week {missing[0].date()} (the file covers "
                f"{value.index[0].date()} to {value.index[-1].date()}); add rows for the planning "
                "horizon or give a single capacity row."
            )
        return value.reindex(weeks).to_numpy(dtype=float)

    def to_frame(self) -> pd.DataFrame:
        """Return the file-shaped table."""
        if isinstance(self.capacity, pd.Series):
            return pd.DataFrame(
                {
                    "week": pd.DatetimeIndex(self.capacity.index).strftime("%Y-%m-%d"),
                    "capacity": self.capacity.to_numpy(),
                    "cost_per_unit": np.asarray(self.cost_per_unit),
                }
            )
        return pd.DataFrame({"capacity": [self.capacity], "cost_per_unit": [self.cost_per_unit]})

    def equals(self, other: Logistics) -> bool:
        """Whether two capacity tables are the same."""
        a, b = self.to_frame(), other.to_frame()
        return bool(
            a.shape == b.shape
            and list(a.columns) == list(b.columns)
            and all(
                np.allclose(a[c], b[c]) if c != "week" else (a[c] == b[c]).all() for c in a.columns
            )
        )


def load_logistics(path: str | Path) -> Logistics:
    """Load a logistics CSV.

    Parameters
    ----------
    path : str or Path
        CSV with columns ``capacity`` (logistics units per week, > 0) and ``cost_per_unit``
        (EUR excl. VAT per unit shipped), and optionally ``week``: one row per week on a
        contiguous weekly grid. Without ``week`` the file must have exactly one row.

    Returns
    -------
    Logistics

    Raises
    ------
    DataError
        Missing columns, zero or negative capacity, negative cost, several rows without a
        ``week`` column, duplicate or missing weeks.
    """
    frame = read_table(path)
    src = frame.attrs["source"]
    check_columns(frame, ("capacity", "cost_per_unit"), ("week",))
    cap = parse_number(frame, "capacity", minimum=0, strict_minimum=True, unit="units/week")
    cost = parse_number(frame, "cost_per_unit", minimum=0, unit="EUR")
    if "week" not in frame.columns:
        if len(frame) != 1:
            raise DataError(
                f"{src}: {len(frame)} rows but no 'week' column; give one row (same capacity "
                "every week) or add a 'week' column."
            )
        return Logistics(capacity=float(cap[0]), cost_per_unit=float(cost[0]), source=src)
    weeks = parse_dates(frame, "week")
    check_weekly(frame, "week", weeks, fill_hint="give a capacity for every week")
    order = np.argsort(weeks.to_numpy(), kind="stable")
    idx = pd.DatetimeIndex(weeks[order], name="week")
    return Logistics(
        capacity=pd.Series(cap[order], index=idx, name="capacity"),
        cost_per_unit=pd.Series(cost[order], index=idx, name="cost_per_unit"),
        source=src,
    )


def write_logistics(logistics: Logistics, path: str | Path) -> None:
    """Write capacity as CSV that :func:`load_logistics` reads back identically."""
    write_csv(logistics.to_frame(), path)
