"""Marketing history: one row per week with revenue, orders, spend per channel and controls."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.data.checks import check_columns, check_weekly, parse_dates, parse_number
from optimizer.data.io import read_table, write_csv
from optimizer.errors import DataError

__all__ = ["DEFAULT_CHANNELS", "MarketingHistory", "load_marketing", "write_marketing"]

#: Channels recognised without configuration, in display order.
DEFAULT_CHANNELS: tuple[str, ...] = ("seo", "sea", "social", "affiliation", "retail_media")


@dataclass(frozen=True, eq=False)
class MarketingHistory:
    """Weekly marketing history.

    Attributes
    ----------
    weeks : pandas.DatetimeIndex
        First day of each week, sorted, contiguous weekly grid.
    revenue : numpy.ndarray
        Target per week (EUR; gross revenue incl. VAT unless the dataset says otherwise).
    spend : pandas.DataFrame
        Media spend per week (rows, indexed by ``weeks``) and channel (columns), EUR excl. VAT.
    controls : pandas.DataFrame
        Control variables per week (promotions, holidays, price index...), unitless.
    orders : numpy.ndarray or None
        Orders per week when the file has them.
    target : str
        Name of the target column in the source file.
    source : str
        File the history was read from (for messages and provenance).
    cost_follows_sales : tuple of str
        Channels whose cost follows sales (an affiliation commission, a marketplace's cut on
        retail media): their spend is a consequence of demand, not a budget a planner moves.
    """

    weeks: pd.DatetimeIndex
    revenue: np.ndarray
    spend: pd.DataFrame
    controls: pd.DataFrame
    orders: np.ndarray | None = None
    target: str = "revenue"
    source: str = ""
    cost_follows_sales: tuple[str, ...] = ()

    @property
    def channels(self) -> tuple[str, ...]:
        """Channel names, in column order."""
        return tuple(self.spend.columns)

    @property
    def n_weeks(self) -> int:
        """Number of weeks."""
        return len(self.weeks)

    def to_frame(self, date: str = "date") -> pd.DataFrame:
        """Return the history as one table (date, target, orders, channels, controls)."""
        out = pd.DataFrame({date: self.weeks.strftime("%Y-%m-%d"), self.target: self.revenue})
        if self.orders is not None:
            out["orders"] = self.orders
        for c in self.channels:
            out[c] = self.spend[c].to_numpy()
        for c in self.controls.columns:
            out[c] = self.controls[c].to_numpy()
        return out

    def equals(self, other: MarketingHistory) -> bool:
        """Whether two histories hold the same numbers (within float round-off)."""
        return (
            self.weeks.equals(other.weeks)
            and self.channels == other.channels
            and tuple(self.controls.columns) == tuple(other.controls.columns)
            and np.allclose(self.revenue, other.revenue, rtol=1e-12, atol=1e-9)
            and np.allclose(self.spend.to_numpy(), other.spend.to_numpy(), rtol=1e-12, atol=1e-9)
            and np.allclose(
                self.controls.to_numpy(), other.controls.to_numpy(), rtol=1e-12, atol=1e-9
            )
            and (self.orders is None) == (other.orders is None)
            and (self.orders is None or np.allclose(self.orders, other.orders))  # type: ignore[arg-type]
        )


def load_marketing(
    path: str | Path,
    *,
    date: str = "date",
    target: str = "revenue",
    channels: Sequence[str] | None = None,
    controls: Sequence[str] | None = None,
    orders: str | None = "orders",
) -> MarketingHistory:
    """Load and validate a weekly marketing history CSV.

    Parameters
    ----------
    path : str or Path
        CSV file (``,`` or ``;`` delimited, UTF-8 with or without BOM).
    date, target : str
        Names of the week column and of the target column (EUR).
    channels : sequence of str, optional
        Spend columns (EUR excl. VAT). Default: those of :data:`DEFAULT_CHANNELS` present.
    controls : sequence of str, optional
        Control columns. Default: none.
    orders : str or None
        Orders column, used when present (default ``"orders"``).

    Returns
    -------
    MarketingHistory
        Validated history, sorted by week.

    Raises
    ------
    DataError
        Missing or unexpected columns, unparseable dates, duplicate or missing weeks, NaN,
        negative spend or revenue.
    """
    frame = read_table(path)
    src = frame.attrs["source"]
    controls = list(controls or [])
    if channels is None:
        channels = [c for c in DEFAULT_CHANNELS if c in frame.columns]
        if not channels:
            raise DataError(
                f"{src}: no channel spend column found; expected some of "
                f"{', '.join(DEFAULT_CHANNELS)}, or name your columns with --channels a,b."
            )
    channels = list(channels)
    clash = set(channels) & set(controls)
    if clash:
        raise DataError(
            f"{src}: column '{sorted(clash)[0]}' is given both as a channel and a control."
        )
    if len(channels) != len(set(channels)):
        raise DataError(f"{src}: a channel is listed twice in {channels}.")
    optional = [orders] if orders and orders in frame.columns else []
    check_columns(
        frame,
        [date, target, *channels, *controls],
        optional,
        extra_hint="declare it as a channel (--channels) or a control (--controls), or remove it",
    )
    weeks = parse_dates(frame, date)
    check_weekly(frame, date, weeks)
    revenue = parse_number(frame, target, minimum=0, unit="EUR")
    spend = {c: parse_number(frame, c, minimum=0, unit="EUR") for c in channels}
    ctrl = {c: parse_number(frame, c) for c in controls}
    ords = parse_number(frame, orders, minimum=0) if orders and optional else None
    order = np.argsort(weeks.to_numpy(), kind="stable")
    idx = pd.DatetimeIndex(weeks[order], name="week")
    return MarketingHistory(
        weeks=idx,
        revenue=revenue[order],
        spend=pd.DataFrame({c: v[order] for c, v in spend.items()}, index=idx, columns=channels),
        controls=pd.DataFrame({c: v[order] for c, v in ctrl.items()}, index=idx, columns=controls),
        orders=None if ords is None else ords[order],
        target=target,
        source=src,
    )


def write_marketing(history: MarketingHistory, path: str | Path, *, date: str = "date") -> None:
    """Write a history as CSV that :func:`load_marketing` reads back identically."""
    write_csv(history.to_frame(date), path)
