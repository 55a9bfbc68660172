"""Product catalog: prices incl. VAT, VAT rate, unit cost, stock, logistics units, return rates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from optimizer.data.checks import check_columns, check_in, parse_number
from optimizer.data.io import format_rows, read_table, write_csv
from optimizer.errors import DataError

__all__ = [
    "CATALOG_COLUMNS",
    "DEFAULT_RETURN_RATES",
    "FALLBACK_RETURN_RATE",
    "FRENCH_VAT_RATES",
    "Catalog",
    "load_catalog",
    "write_catalog",
]

#: VAT rates in force in metropolitan France (standard, intermediate, reduced, super-reduced).
FRENCH_VAT_RATES: tuple[float, ...] = (0.20, 0.10, 0.055, 0.021)

#: Typical return rates by category for French online retail (14-day withdrawal right).
DEFAULT_RETURN_RATES: dict[str, float] = {
    "mode": 0.30,
    "chaussures": 0.25,
    "sport": 0.12,
    "enfant": 0.10,
    "electronique": 0.08,
    "maison": 0.06,
    "beaute": 0.03,
    "livres": 0.03,
    "epicerie": 0.01,
}
#: Return rate used for a category not in :data:`DEFAULT_RETURN_RATES`.
FALLBACK_RETURN_RATE = 0.08

CATALOG_COLUMNS = (
    "sku",
    "category",
    "price_incl_vat",
    "vat_rate",
    "unit_cost",
    "stock",
    "logistics_units",
)
_OPTIONAL = ("min_price", "max_price", "return_rate")


def default_return_rate(category: str) -> float:
    """Return rate for a category: the first known keyword it contains, else the fallback."""
    import unicodedata

    key = unicodedata.normalize("NFKD", category).encode("ascii", "ignore").decode().lower()
    for word, rate in DEFAULT_RETURN_RATES.items():
        if word in key:
            return rate
    return FALLBACK_RETURN_RATE


@dataclass(frozen=True, eq=False)
class Catalog:
    """Validated product catalog, one row per SKU (index ``sku``).

    Attributes
    ----------
    frame : pandas.DataFrame
        Columns ``category``, ``price_incl_vat`` (EUR), ``vat_rate`` (fraction, e.g. 0.2),
        ``unit_cost`` (EUR excl. VAT), ``stock`` (units on hand), ``logistics_units`` (parcels or
        volume units per item), ``min_price``/``max_price`` (EUR incl. VAT, NaN when free),
        ``return_rate`` (fraction of units returned), ``price_excl_vat`` (derived).
    source : str
        File the catalog was read from.
    """

    frame: pd.DataFrame
    source: str = ""

    @property
    def skus(self) -> pd.Index:
        """SKU identifiers."""
        return self.frame.index

    @property
    def categories(self) -> list[str]:
        """Distinct categories, sorted."""
        return sorted(self.frame["category"].unique())

    def __len__(self) -> int:
        return len(self.frame)

    def to_frame(self) -> pd.DataFrame:
        """Return the catalog as a file-shaped table (``price_excl_vat`` dropped)."""
        return self.frame.drop(columns="price_excl_vat").reset_index()

    def check_sold(self, sales: pd.DataFrame, sku: np.ndarray) -> None:
        """Every SKU of a sales file (its string frame, its parsed ``sku`` column) is in here.

        Raises
        ------
        DataError
            The first unknown SKU, with its rows and a did-you-mean hint.
        """
        check_in(
            sales,
            "sku",
            sku,
            set(self.skus),
            what="SKU",
            where=f"the catalog ({self.source})",
            fix="Add it to the catalog or drop its rows.",
        )

    def equals(self, other: Catalog) -> bool:
        """Whether two catalogs hold the same rows (within float round-off)."""
        a, b = self.frame, other.frame
        if not (a.index.equals(b.index) and list(a.columns) == list(b.columns)):
            return False
        num = [c for c in a.columns if c != "category"]
        return bool(
            (a["category"] == b["category"]).all()
            and np.allclose(
                a[num].to_numpy(float), b[num].to_numpy(float), equal_nan=True, rtol=1e-12
            )
        )


def _vat(frame: pd.DataFrame) -> np.ndarray:
    vat = parse_number(frame, "vat_rate", minimum=0, percent=True)
    vat = np.where(vat >= 1.0, vat / 100.0, vat)  # "20" or "5.5" written as percents
    known = np.zeros(len(vat), dtype=bool)
    for r in FRENCH_VAT_RATES:
        known |= np.isclose(vat, r, atol=1e-9)
    if not known.all():
        lines = frame.index[~known]
        raise DataError(
            f"{frame.attrs['source']}, column 'vat_rate', {format_rows(list(lines))}: unknown VAT "
            f"rate {frame.loc[lines[0], 'vat_rate']!r}; French rates are 20 %, 10 %, 5.5 % and "
            "2.1 % (write 0.2 or 20)."
        )
    return vat


def load_catalog(path: str | Path) -> Catalog:
    """Load and validate a product catalog CSV.

    Parameters
    ----------
    path : str or Path
        CSV file with columns ``sku, category, price_incl_vat, vat_rate, unit_cost, stock,
        logistics_units`` and optionally ``min_price, max_price, return_rate``.

    Returns
    -------
    Catalog
        Validated catalog indexed by SKU; missing return rates filled by category default.

    Raises
    ------
    DataError
        Missing/extra columns, duplicate SKUs, NaN, non-positive prices, negative stock, unknown
        VAT rate, unit cost above the price excl. VAT, inconsistent min/max prices.
    """
    frame = read_table(path)
    src = frame.attrs["source"]
    check_columns(frame, CATALOG_COLUMNS, _OPTIONAL)
    sku, cat = _identifiers(frame, src)
    price = parse_number(frame, "price_incl_vat", minimum=0, strict_minimum=True, unit="EUR")
    vat = _vat(frame)
    cost = parse_number(frame, "unit_cost", minimum=0, unit="EUR")
    stock = parse_number(frame, "stock", minimum=0, integer=True)
    lu = parse_number(frame, "logistics_units", minimum=0, strict_minimum=True)
    pmin = _optional_number(
        frame, "min_price", minimum=0, strict_minimum=True, allow_missing=True, unit="EUR"
    )
    pmax = _optional_number(
        frame, "max_price", minimum=0, strict_minimum=True, allow_missing=True, unit="EUR"
    )
    rr = _optional_number(
        frame, "return_rate", minimum=0, maximum=0.95, allow_missing=True, percent=True
    )
    rr = np.where(np.isnan(rr), [default_return_rate(c) for c in cat], rr)
    excl = price / (1.0 + vat)
    _check_prices(frame, src, sku, price, cost, excl, pmin, pmax)
    out = pd.DataFrame(
        {
            "category": cat.to_numpy(),
            "price_incl_vat": price,
            "vat_rate": vat,
            "unit_cost": cost,
            "stock": stock,
            "logistics_units": lu,
            "min_price": pmin,
            "max_price": pmax,
            "return_rate": rr,
            "price_excl_vat": excl,
        },
        index=pd.Index(sku.to_numpy(), name="sku"),
    )
    return Catalog(frame=out, source=src)


def _identifiers(frame: pd.DataFrame, src: str) -> tuple[pd.Series, pd.Series]:
    """SKU and category columns: every SKU named once, every SKU in a category."""
    sku = frame["sku"].astype(str)
    empty = (sku == "").to_numpy()
    if empty.any():
        raise DataError(
            f"{src}, column 'sku', {format_rows(list(frame.index[empty]))}: empty SKU; give every product an "
            "identifier."
        )
    dup = sku.duplicated(keep=False).to_numpy()
    if dup.any():
        raise DataError(
            f"{src}, column 'sku', {format_rows(list(frame.index[dup]))}: duplicate SKU "
            f"{sku[dup].iloc[0]!r}; keep one row per SKU."
        )
    cat = frame["category"].astype(str)
    if (cat == "").any():
        lines = frame.index[(cat == "").to_numpy()]
        raise DataError(
            f"{src}, column 'category', {format_rows(list(lines))}: empty category; give every SKU a "
            "category."
        )
    return sku, cat


def _optional_number(frame: pd.DataFrame, col: str, **checks: Any) -> np.ndarray:
    """An optional numeric column (:func:`parse_number` with ``checks``); NaN when absent."""
    if col in frame.columns:
        return parse_number(frame, col, **checks)
    return np.full(len(frame), np.nan)


def _check_prices(
    frame: pd.DataFrame,
    src: str,
    sku: pd.Series,
    price: np.ndarray,
    cost: np.ndarray,
    excl: np.ndarray,
    pmin: np.ndarray,
    pmax: np.ndarray,
) -> None:
    """No sale below cost; ``min_price <= price_incl_vat <= max_price`` where given."""
    below = cost > excl + 1e-9
    if below.any():
        lines = frame.index[below]
        i = int(np.flatnonzero(below)[0])
        raise DataError(
            f"{src}, column 'unit_cost', {format_rows(list(lines))}: unit cost {cost[i]:.2f} EUR "
            f"is above the price excl. VAT {excl[i]:.2f} EUR (SKU {sku.iloc[i]!r}); selling below "
            "cost is illegal in France (revente à perte). Fix the cost or the price."
        )
    both = ~np.isnan(pmin) & ~np.isnan(pmax)
    inverted = both & (pmin > pmax)
    if inverted.any():
        lines = frame.index[inverted]
        raise DataError(
            f"{src}, columns 'min_price'/'max_price', {format_rows(list(lines))}: min_price is above max_price; "
            "swap or fix them."
        )
    outside = (~np.isnan(pmin) & (price < pmin - 1e-9)) | (~np.isnan(pmax) & (price > pmax + 1e-9))
    if outside.any():
        lines = frame.index[outside]
        raise DataError(
            f"{src}, column 'price_incl_vat', {format_rows(list(lines))}: current price outside [min_price, "
            "max_price]; widen the bounds or fix the price."
        )


def write_catalog(catalog: Catalog, path: str | Path) -> None:
    """Write a catalog as CSV that :func:`load_catalog` reads back identically."""
    write_csv(catalog.to_frame(), path)
