"""Sales history: week x SKU with the price paid (incl. VAT), units sold and a promo flag."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.data.catalog import Catalog
from optimizer.data.checks import check_columns, check_weekly, parse_bool, parse_dates, parse_number
from optimizer.data.io import format_rows, read_table, write_csv
from optimizer.errors import DataError

__all__ = ["SalesHistory", "load_sales", "write_sales"]


@dataclass(frozen=True, eq=False)
class SalesHistory:
    """Validated sales history in long format.

    Attributes
    ----------
    frame : pandas.DataFrame
        Columns ``week`` (datetime), ``sku`` (str), ``price_paid`` (EUR incl. VAT, average
        price paid that week), ``units`` (units sold), ``promo`` (bool), ``in_stock`` (bool;
        False marks weeks the SKU could not be sold, which are censored, not zero demand).
        Sorted by week then SKU.
    source : str
        File the history was read from.
    """

    frame: pd.DataFrame
    source: str = ""

    @property
    def weeks(self) -> pd.DatetimeIndex:
        """Distinct weeks, sorted."""
        return pd.DatetimeIndex(sorted(self.frame["week"].unique()), name="week")

    @property
    def skus(self) -> list[str]:
        """Distinct SKUs, sorted."""
        return sorted(self.frame["sku"].unique())

    def to_frame(self) -> pd.DataFrame:
        """Return the history as a file-shaped table."""
        out = self.frame.copy()
        out["week"] = out["week"].dt.strftime("%Y-%m-%d")
        out["promo"] = out["promo"].astype(int)
        out["in_stock"] = out["in_stock"].astype(int)
        return out

    def equals(self, other: SalesHistory) -> bool:
        """Whether two histories hold the same rows (within float round-off)."""
        a, b = self.frame, other.frame
        return bool(
            len(a) == len(b)
            and (a["week"].to_numpy() == b["week"].to_numpy()).all()
            and (a["sku"].to_numpy() == b["sku"].to_numpy()).all()
            and np.allclose(a["price_paid"], b["price_paid"], rtol=1e-12)
            and np.allclose(a["units"], b["units"])
            and (a["promo"].to_numpy() == b["promo"].to_numpy()).all()
            and (a["in_stock"].to_numpy() == b["in_stock"].to_numpy()).all()
        )


def load_sales(path: str | Path, *, catalog: Catalog | None = None) -> SalesHistory:
    """Load and validate a sales history CSV.

    Parameters
    ----------
    path : str or Path
        CSV file with columns ``week, sku, price_paid, units, promo`` and optionally
        ``in_stock`` (1 when the SKU could be bought that week; default 1).
    catalog : Catalog, optional
        When given, every SKU must be in it.

    Returns
    -------
    SalesHistory

    Raises
    ------
    DataError
        Missing/extra columns, unparseable or off-grid weeks, missing weeks, duplicate
        (week, sku) rows, NaN, negative units or prices, unknown SKUs.
    """
    frame = read_table(path)
    src = frame.attrs["source"]
    check_columns(frame, ("week", "sku", "price_paid", "units", "promo"), ("in_stock",))
    weeks = parse_dates(frame, "week")
    check_weekly(
        frame,
        "week",
        weeks,
        unique=False,
        fill_hint="add rows for those weeks (units 0 if nothing sold, in_stock 0 if unavailable)",
    )
    sku = _skus(frame, src, weeks)
    units = parse_number(frame, "units", minimum=0)
    price = parse_number(frame, "price_paid", minimum=0, unit="EUR")
    promo = parse_bool(frame, "promo")
    in_stock = (
        parse_bool(frame, "in_stock") if "in_stock" in frame.columns else np.ones(len(frame), bool)
    )
    free = (price <= 0) & (units > 0)
    if free.any():
        raise DataError(
            f"{src}, column 'price_paid', {format_rows(list(frame.index[free]))}: units sold at a price of 0; give "
            "the price paid (incl. VAT)."
        )
    if catalog is not None:
        catalog.check_sold(frame, sku)
    out = pd.DataFrame(
        {
            "week": weeks,
            "sku": sku,
            "price_paid": price,
            "units": units,
            "promo": promo,
            "in_stock": in_stock,
        }
    )
    out = out.sort_values(["week", "sku"], kind="stable").reset_index(drop=True)
    return SalesHistory(frame=out, source=src)


def _skus(frame: pd.DataFrame, src: str, weeks: pd.DatetimeIndex) -> np.ndarray:
    """The SKU column: never empty, one row per week and SKU."""
    sku = frame["sku"].to_numpy(dtype=object)  # read_table's cells are already str
    if (sku == "").any():
        raise DataError(
            f"{src}, column 'sku', {format_rows(list(frame.index[sku == '']))}: empty SKU; fill it in or drop the "
            "row."
        )
    # one integer per (week, SKU) pair: hashing 1M integers is cheap, 1M tuples is not
    week_code, _ = pd.factorize(weeks)
    sku_code, sku_uniques = pd.factorize(sku)
    pair = week_code.astype(np.int64) * len(sku_uniques) + sku_code
    dup = pd.Series(pair).duplicated(keep=False).to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise DataError(
            f"{src}, {format_rows(list(frame.index[dup]))}: duplicate rows for week "
            f"{weeks[i].date()} and SKU {sku[i]!r}; keep one row per week and SKU (sum the units)."
        )
    return sku


def write_sales(sales: SalesHistory, path: str | Path) -> None:
    """Write a sales history as CSV that :func:`load_sales` reads back identically."""
    write_csv(sales.to_frame(), path)
