"""Plain-text summaries of loaded data, for ``optimizer data validate`` and ``optimizer demo``.

The command line passes the reports' formatter (:class:`optimizer.report.format.Fmt`, which
this layer does not import) so that the figures read as in the reports (``27 390 400 €``,
``17,9 %``); column and channel names are printed as the files spell them, since the data
contract is about those names.
"""

from __future__ import annotations

from typing import Protocol

from optimizer.data.catalog import Catalog
from optimizer.data.dataset import Dataset
from optimizer.data.lift_tests import LiftTests
from optimizer.data.logistics import Logistics
from optimizer.data.marketing import MarketingHistory
from optimizer.data.sales import SalesHistory

__all__ = ["NumberFormat", "summarize"]


class NumberFormat(Protocol):
    """How figures are written (:class:`optimizer.report.format.Fmt` is one)."""

    def count(self, x: object, *, sign: bool = False) -> str:
        """Whole units."""
        ...

    def eur(self, x: object, decimals: int = 0, *, sign: bool = False) -> str:
        """Money."""
        ...

    def price(self, x: object, *, sign: bool = False) -> str:
        """A price to the cent."""
        ...

    def pct(self, x: object, decimals: int = 1, *, sign: bool = False) -> str:
        """A fraction as a percentage."""
        ...


class _Plain:
    """Neutral figures for library callers without a formatter: ``27 390 400 EUR``, ``17.9%``."""

    def count(self, x: object, *, sign: bool = False) -> str:
        return f"{float(x):{'+' if sign else ''},.0f}".replace(",", " ")  # type: ignore[arg-type]

    def eur(self, x: object, decimals: int = 0, *, sign: bool = False) -> str:
        return f"{float(x):{'+' if sign else ''},.{decimals}f}".replace(",", " ") + " EUR"  # type: ignore[arg-type]

    def price(self, x: object, *, sign: bool = False) -> str:
        return self.eur(x, 2, sign=sign)

    def pct(self, x: object, decimals: int = 1, *, sign: bool = False) -> str:
        return f"{float(x):{'+' if sign else ''}.{decimals}%}"  # type: ignore[arg-type]


def summarize(obj: object, fmt: NumberFormat | None = None) -> str:
    """Describe a loaded object (or a whole dataset) in a few lines.

    Parameters
    ----------
    obj : MarketingHistory, Catalog, SalesHistory, Logistics, LiftTests or Dataset
        What was loaded.
    fmt : NumberFormat, optional
        How figures are written (the command line passes the reports' formatter).

    Returns
    -------
    str
        Multi-line text.
    """
    f = fmt or _Plain()
    if isinstance(obj, Dataset):
        parts = [
            summarize(p, f)
            for p in (obj.marketing, obj.catalog, obj.sales, obj.logistics, obj.lift_tests)
            if p
        ]
        return "\n".join(parts)
    return _describe(obj, f)


def _describe(obj: object, fmt: NumberFormat) -> str:
    """One loaded object in a few lines (figures written by ``fmt``)."""
    _n, _eur = fmt.count, fmt.eur
    if isinstance(obj, MarketingHistory):
        lines = [
            f"marketing history ({obj.source}): {obj.n_weeks} weeks, "
            f"{obj.weeks[0].date()} to {obj.weeks[-1].date()}",
            f"  {obj.target}: total {_eur(obj.revenue.sum())}, weekly mean "
            f"{_eur(obj.revenue.mean())}",
            "  spend per channel (total, weekly mean, share):",
        ]
        total = float(obj.spend.to_numpy().sum())
        for c in obj.channels:
            s = float(obj.spend[c].sum())
            share = s / total if total else 0.0
            lines.append(
                f"    {c:<14} {_eur(s):>16} {_eur(s / obj.n_weeks):>12} {fmt.pct(share):>7}"
            )
        lines.append(f"    {'total':<14} {_eur(total):>16} {_eur(total / obj.n_weeks):>12}")
        if len(obj.controls.columns):
            lines.append(f"  controls: {', '.join(obj.controls.columns)}")
        if obj.orders is not None:
            lines.append(f"  orders: total {_n(obj.orders.sum())}")
        return "\n".join(lines)
    if isinstance(obj, Catalog):
        f = obj.frame
        margin = 1 - (f["unit_cost"] / f["price_excl_vat"]).mean()
        return (
            f"catalog ({obj.source}): {len(f)} SKUs in {f['category'].nunique()} categories, "
            f"prices {fmt.price(f['price_incl_vat'].min())} - "
            f"{fmt.price(f['price_incl_vat'].max())} incl. VAT, mean gross margin rate "
            f"{fmt.pct(margin)}, stock {_n(f['stock'].sum())} units"
        )
    if isinstance(obj, SalesHistory):
        f = obj.frame
        w = obj.weeks
        return (
            f"sales history ({obj.source}): {_n(len(f))} rows, {len(obj.skus)} SKUs, {len(w)} weeks "
            f"({w[0].date()} to {w[-1].date()}), {_n(f['units'].sum())} units, "
            f"{fmt.pct(f['promo'].mean())} promo rows, {_n((~f['in_stock']).sum())} out-of-stock rows"
        )
    if isinstance(obj, Logistics):
        if obj.weekly:
            cap = obj.capacity
            return (
                f"logistics ({obj.source}): weekly capacity for {len(cap)} weeks "  # type: ignore[arg-type]
                f"({cap.index[0].date()} to {cap.index[-1].date()}), "  # type: ignore[union-attr]
                f"{_n(cap.min())} - {_n(cap.max())} units/week"  # type: ignore[union-attr]
            )
        return (
            f"logistics ({obj.source}): {_n(obj.capacity)} units/week, "
            f"{fmt.price(obj.cost_per_unit)}/unit"
        )
    if isinstance(obj, LiftTests):
        channels = ", ".join(sorted(set(obj.frame["channel"])))
        return f"lift tests ({obj.source}): {len(obj)} tests on {channels}"
    raise TypeError(f"cannot summarize {type(obj).__name__}")
