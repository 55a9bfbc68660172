"""The portfolio inside the library: frozen shops, warehouses and group rules.

Built by :func:`optimizer.data.portfolio.load_portfolio` from ``portfolio.toml`` (the file edge);
everything downstream (fits, the group plan, reports) reads these dataclasses only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.data.dataset import DATASET_FILE, Dataset
from optimizer.data.logistics import Logistics
from optimizer.data.marketing import MarketingHistory
from optimizer.errors import ConfigError, did_you_mean

__all__ = [
    "PORTFOLIO_FILE",
    "GroupRules",
    "Portfolio",
    "Shop",
    "ShopRules",
    "Warehouse",
]

PORTFOLIO_FILE = "portfolio.toml"


@dataclass(frozen=True)
class ShopRules:
    """A shop's budget rules in the group plan (``None``: no such limit).

    Attributes
    ----------
    min_share, max_share : float or None
        Bounds of the shop's media budget as a share of the group budget.
    max_change : float or None
        Largest relative change of the shop's budget vs its today (``0.3``: within +/-30 %);
        the group's ``[rules].max_change`` when the shop gives none.
    """

    min_share: float | None = None
    max_share: float | None = None
    max_change: float | None = None


@dataclass(frozen=True)
class GroupRules:
    """The group's rules.

    Attributes
    ----------
    horizon_weeks : int
        Planning weeks, starting the week after the histories.
    budget : float or None
        Group media budget over the horizon as given (EUR excl. VAT); ``None``: today's.
    reference_weeks : int
        Recent weeks whose mean spend is each shop's "today" (EUR per week).
    safe : bool
        Whether every shop's plan must beat its today under the model's doubt.
    """

    horizon_weeks: int = 13
    budget: float | None = None
    reference_weeks: int = 13
    safe: bool = True


@dataclass(frozen=True, eq=False)
class Shop:
    """One shop of the portfolio: its dataset, warehouse and budget rules."""

    name: str
    folder: Path
    dataset: Dataset
    warehouse: str
    rules: ShopRules

    @property
    def marketing(self) -> MarketingHistory:
        """The shop's marketing history (always present in a portfolio)."""
        assert self.dataset.marketing is not None  # checked when loading
        return self.dataset.marketing

    @property
    def channels(self) -> tuple[str, ...]:
        """The shop's media channels."""
        return tuple(self.marketing.channels)

    def current_spend(self, weeks: int) -> pd.Series:
        """Mean weekly spend per channel over the last ``weeks`` of history (EUR per week)."""
        return self.marketing.spend.iloc[-weeks:].mean()


@dataclass(frozen=True, eq=False)
class Warehouse:
    """A warehouse shared by shops: capacity and cost per logistics unit, per week."""

    name: str
    file: Path
    logistics: Logistics


@dataclass(frozen=True, eq=False)
class Portfolio:
    """A loaded, checked ``portfolio.toml``.

    Attributes
    ----------
    name : str
        Display name.
    path : Path
        The ``portfolio.toml`` file.
    seed : int
        Seed of every random step of the group's runs.
    shops : tuple of Shop
        In file order.
    warehouses : dict of str to Warehouse
        By name.
    rules : GroupRules
        Group rules.
    """

    name: str
    path: Path
    seed: int
    shops: tuple[Shop, ...]
    warehouses: dict[str, Warehouse]
    rules: GroupRules

    @property
    def shop_names(self) -> tuple[str, ...]:
        """Names of the shops, in file order."""
        return tuple(s.name for s in self.shops)

    def shop(self, name: str) -> Shop:
        """The shop called ``name`` (ConfigError with a hint when there is none)."""
        for s in self.shops:
            if s.name == name:
                return s
        raise ConfigError(
            f"{self.path.name}: no shop '{name}' (shops: {', '.join(self.shop_names)})."
            + did_you_mean(name, self.shop_names)
        )

    @property
    def horizon(self) -> pd.DatetimeIndex:
        """The planning weeks (week starts), right after the shops' common last week."""
        last = self.shops[0].marketing.weeks[-1]
        return pd.date_range(
            last + pd.Timedelta(days=7), periods=self.rules.horizon_weeks, freq="7D", name="week"
        )

    def today_budgets(self) -> dict[str, float]:
        """Each shop's today: its recent mean weekly spend times the horizon (EUR excl. VAT)."""
        n, ref = self.rules.horizon_weeks, self.rules.reference_weeks
        return {s.name: float(s.current_spend(ref).sum()) * n for s in self.shops}

    @property
    def budget(self) -> float:
        """Group media budget over the horizon (EUR excl. VAT): the file's, or today's total."""
        if self.rules.budget is not None:
            return float(self.rules.budget)
        return float(sum(self.today_budgets().values()))

    def budget_bounds(self) -> dict[str, tuple[float, float]]:
        """Each shop's budget range over the horizon from its rules (EUR excl. VAT)."""
        total, today = self.budget, self.today_budgets()
        out = {}
        for s in self.shops:
            r = s.rules
            lo = total * (r.min_share or 0.0)
            hi = total * (r.max_share if r.max_share is not None else 1.0)
            if r.max_change is not None:
                lo = max(lo, today[s.name] * (1.0 - r.max_change))
                hi = min(hi, today[s.name] * (1.0 + r.max_change))
            out[s.name] = (lo, hi)
        return out

    def shops_of(self, warehouse: str) -> tuple[Shop, ...]:
        """The shops shipping from ``warehouse``."""
        return tuple(s for s in self.shops if s.warehouse == warehouse)

    def capacity(self, warehouse: str) -> np.ndarray:
        """Capacity of ``warehouse`` per horizon week (logistics units per week)."""
        return self.warehouses[warehouse].logistics.capacity_for(self.horizon)

    def input_digests(self) -> dict[str, str]:
        """SHA-256 of every input file: ``portfolio.toml``, ``SHOP/FILE`` and warehouse files."""
        files = {PORTFOLIO_FILE: self.path}
        for s in self.shops:
            spec = s.dataset.spec
            assert spec is not None
            sections = (spec.marketing, spec.catalog, spec.sales, spec.logistics, spec.lift_tests)
            names = [DATASET_FILE, *(sec.file for sec in sections if sec is not None)]
            files.update({f"{s.name}/{n}": s.folder / n for n in names})
        files.update({f"warehouses/{w.name}": w.file for w in self.warehouses.values()})
        return {k: hashlib.sha256(p.read_bytes()).hexdigest() for k, p in files.items()}
