"""Plain-text summaries of loaded data, for ``optimizer data validate``."""

from __future__ import annotations

from optimizer.data.catalog import Catalog
from optimizer.data.dataset import Dataset
from optimizer.data.lift_tests import LiftTests
from optimizer.data.logistics import Logistics
from optimizer.data.marketing import MarketingHistory
from optimizer.data.sales import SalesHistory

__all__ = ["summarize"]


def _n(x: float) -> str:
    """Thousands separated by a thin space, French style."""
    return f"{x:,.0f}".replace(",", " ")


def _eur(x: float) -> str:
    return f"{_n(x)} EUR"


def summarize(obj: object) -> str:
    """Describe a loaded object (or a whole dataset) in a few lines.

    Parameters
    ----------
    obj : MarketingHistory, Catalog, SalesHistory, Logistics, LiftTests or Dataset
        What was loaded.

    Returns
    -------
    str
        Multi-line text.
    """
    if isinstance(obj, Dataset):
        parts = [
            summarize(p)
            for p in (obj.marketing, obj.catalog, obj.sales, obj.logistics, obj.lift_tests)
            if p
        ]
        return "\n".join(parts)
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
            lines.append(f"    {c:<14} {_eur(s):>16} {_eur(s / obj.n_weeks):>12} {share:6.1%}")
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
            f"prices {f['price_incl_vat'].min():.2f}-{f['price_incl_vat'].max():.2f} EUR incl. VAT, "
            f"mean gross margin rate {margin:.1%}, stock {_n(f['stock'].sum())} units"
        )
    if isinstance(obj, SalesHistory):
        f = obj.frame
        w = obj.weeks
        return (
            f"sales history ({obj.source}): {_n(len(f))} rows, {len(obj.skus)} SKUs, {len(w)} weeks "
            f"({w[0].date()} to {w[-1].date()}), {_n(f['units'].sum())} units, "
            f"{f['promo'].mean():.1%} promo rows, {(~f['in_stock']).sum()} out-of-stock rows"
        )
    if isinstance(obj, Logistics):
        if obj.weekly:
            cap = obj.capacity
            return (
                f"logistics ({obj.source}): weekly capacity for {len(cap)} weeks "  # type: ignore[arg-type]
                f"({cap.index[0].date()} to {cap.index[-1].date()}), "  # type: ignore[union-attr]
                f"{_n(cap.min())}-{_n(cap.max())} units/week"  # type: ignore[union-attr]
            )
        return (
            f"logistics ({obj.source}): {_n(obj.capacity)} units/week, "  # type: ignore[arg-type]
            f"{obj.cost_per_unit:.2f} EUR/unit"
        )
    if isinstance(obj, LiftTests):
        channels = ", ".join(sorted(set(obj.frame["channel"])))
        return f"lift tests ({obj.source}): {len(obj)} tests on {channels}"
    raise TypeError(f"cannot summarize {type(obj).__name__}")
