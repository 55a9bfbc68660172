"""A portfolio: several shops (dataset folders) sharing warehouses, planned as one group.

``portfolio.toml`` names the shops, the warehouse each ships from and the group's rules. Paths
are relative to the file and may not leave its folder unless ``allow_outside_paths = true``::

    schema_version = 1
    name = "Groupe Aurore"
    seed = 7

    [rules]
    horizon_weeks = 13          # planning weeks, starting the week after the histories
    # budget = 900000           # EUR excl. VAT over the horizon; default: today's run-rate
    reference_weeks = 13        # "today" = mean weekly spend of the shops' last 13 weeks
    max_change = 0.3            # default per shop: budget within +/-30 % of its today
    safe = true                 # every shop's plan beats its today under the model's doubt

    [warehouses.lyon]
    file = "warehouse_lyon.csv" # a logistics file (docs/data.md), covering the horizon

    [[shops]]
    name = "maison"
    path = "maison"             # a dataset folder with a dataset.toml
    warehouse = "lyon"

    [[shops]]
    name = "marketplace"
    path = "marketplace"
    warehouse = "lyon"
    min_share = 0.05            # of the group budget
    max_share = 0.25

The warehouse's capacity replaces each shop's own logistics file when the group is planned; the
shops' histories must end on the same week (the horizon is shared). Shops may have different
channels.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import Field

from optimizer.config import StrictModel, load_toml, validate
from optimizer.data import portfolio_model
from optimizer.data.dataset import DATASET_FILE, load_dataset
from optimizer.data.logistics import load_logistics
from optimizer.data.portfolio_model import (
    PORTFOLIO_FILE,
    GroupRules,
    Portfolio,
    Shop,
    ShopRules,
    Warehouse,
)
from optimizer.errors import ConfigError, DataError, did_you_mean

__all__ = [*portfolio_model.__all__, "load_portfolio"]  # the portfolio's types, and its loader


# --- file edge (pydantic) --------------------------------------------------------------------
class ShopEntry(StrictModel):
    """One ``[[shops]]`` entry."""

    # a shop's name also names its folders in fitted models and reports
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    path: str
    warehouse: str
    min_share: float | None = Field(None, ge=0, le=1)
    max_share: float | None = Field(None, gt=0, le=1)
    max_change: float | None = Field(None, ge=0, le=5)


class WarehouseEntry(StrictModel):
    """One ``[warehouses.NAME]`` section."""

    file: str


class RulesSection(StrictModel):
    """``[rules]``: the group's planning rules."""

    horizon_weeks: int = Field(13, ge=1, le=104)
    budget: float | None = Field(None, gt=0)
    reference_weeks: int = Field(13, ge=1, le=104)
    max_change: float | None = Field(None, ge=0, le=5)
    safe: bool = True


class PortfolioFile(StrictModel):
    """Content of ``portfolio.toml``."""

    schema_version: Literal[1] = 1
    name: str = ""
    seed: int = Field(0, ge=0)
    allow_outside_paths: bool = False
    rules: RulesSection = RulesSection()
    warehouses: dict[str, WarehouseEntry] = Field(min_length=1)
    shops: list[ShopEntry] = Field(min_length=1)


# --- loading ---------------------------------------------------------------------------------
def _resolve(root: Path, spec: PortfolioFile, relative: str, key: str) -> Path:
    try:
        p = Path(relative)
        full = (p if p.is_absolute() else root / p).resolve()
    except (OSError, RuntimeError, ValueError) as exc:  # NUL byte, symlink loop
        raise ConfigError(
            f"{PORTFOLIO_FILE}: {key} = {relative!r} is not a usable path "
            f"({getattr(exc, 'strerror', None) or exc}); fix the path."
        ) from None
    if not spec.allow_outside_paths and not full.is_relative_to(root.resolve()):
        raise ConfigError(
            f"{PORTFOLIO_FILE}: {key} = {relative!r} points outside the portfolio folder "
            f"({root}); use a path inside it or set allow_outside_paths = true."
        )
    return full


def _load_shop(root: Path, spec: PortfolioFile, i: int, entry: ShopEntry) -> Shop:
    key = f"[[shops]] #{i + 1} ('{entry.name}') path"
    folder = _resolve(root, spec, entry.path, key)
    if not (folder / DATASET_FILE).is_file():
        what = "has no dataset.toml" if folder.is_dir() else "is not a folder"
        raise DataError(
            f"{PORTFOLIO_FILE}: {key} = {entry.path!r} {what} ({folder}); name a dataset folder "
            "(see docs/data.md) or fix the path."
        )
    try:
        ds = load_dataset(folder)
    except (DataError, ConfigError) as exc:  # which shop's file is wrong
        raise type(exc)(f"shop '{entry.name}' ({entry.path}): {exc}") from None
    if ds.marketing is None:
        raise DataError(
            f"{entry.path}/{DATASET_FILE}: no [marketing] section; shop '{entry.name}' needs a "
            "marketing history to be planned in the portfolio. Add it."
        )
    if entry.warehouse not in spec.warehouses:
        raise ConfigError(
            f"{PORTFOLIO_FILE}: [[shops]] '{entry.name}' warehouse = '{entry.warehouse}' is not "
            f"declared (warehouses: {', '.join(spec.warehouses)}); add a [warehouses."
            f"{entry.warehouse}] section or fix the name."
            + did_you_mean(entry.warehouse, spec.warehouses)
        )
    lo, hi = entry.min_share, entry.max_share
    if lo is not None and hi is not None and lo > hi:
        raise ConfigError(
            f"{PORTFOLIO_FILE}: [[shops]] '{entry.name}' min_share = {lo} is above max_share = "
            f"{hi}; lower min_share or raise max_share."
        )
    max_change = entry.max_change if entry.max_change is not None else spec.rules.max_change
    rules = ShopRules(entry.min_share, entry.max_share, max_change)
    return Shop(entry.name, folder, ds, entry.warehouse, rules)


def _check_shops(spec: PortfolioFile, shops: list[Shop]) -> None:
    seen: dict[str, int] = {}
    folders: dict[Path, str] = {}
    for i, s in enumerate(shops):
        if s.name in seen:
            raise ConfigError(
                f"{PORTFOLIO_FILE}: two shops are named '{s.name}' ([[shops]] #{seen[s.name] + 1} "
                f"and #{i + 1}); give each shop its own name."
            )
        seen[s.name] = i
        if s.folder in folders:
            raise ConfigError(
                f"{PORTFOLIO_FILE}: shops '{folders[s.folder]}' and '{s.name}' name the same "
                f"dataset folder ({s.folder}); a shop is listed once."
            )
        folders[s.folder] = s.name
        if len(s.marketing.weeks) < spec.rules.reference_weeks:
            raise DataError(
                f"{PORTFOLIO_FILE}: [rules].reference_weeks = {spec.rules.reference_weeks} but "
                f"shop '{s.name}' has {len(s.marketing.weeks)} weeks of history; lower "
                "reference_weeks."
            )
    ends = {s.name: s.marketing.weeks[-1] for s in shops}
    if len(set(ends.values())) > 1:
        listed = ", ".join(f"'{k}' {v.date()}" for k, v in ends.items())
        raise DataError(
            f"{PORTFOLIO_FILE}: the shops' marketing histories end on different weeks ({listed});"
            " the group plan starts the week after a common last week: export every history up "
            "to the same week."
        )


def _load_warehouses(
    root: Path, spec: PortfolioFile, horizon: pd.DatetimeIndex
) -> dict[str, Warehouse]:
    out = {}
    for name, entry in spec.warehouses.items():
        key = f"[warehouses.{name}].file"
        path = _resolve(root, spec, entry.file, key)
        if not path.is_file():
            raise DataError(
                f"{PORTFOLIO_FILE}: {key} = {entry.file!r}: file not found ({path}); fix the name "
                "or add the logistics file (columns capacity, cost_per_unit, optionally week)."
            )
        logistics = load_logistics(path)
        cap = logistics.capacity
        if isinstance(cap, pd.Series) and len(horizon.difference(pd.DatetimeIndex(cap.index))):
            raise DataError(
                f"{entry.file}: capacity given for {cap.index[0].date()} to "
                f"{cap.index[-1].date()} but the portfolio's horizon is {horizon[0].date()} to "
                f"{horizon[-1].date()} ({len(horizon)} weeks, [rules].horizon_weeks); add weekly "
                "rows up to the horizon's end, give a single capacity row, or shorten the "
                f"horizon (the file is named by {key} in {PORTFOLIO_FILE})."
            )
        out[name] = Warehouse(name, path, logistics)
    return out


def _check_budget(p: Portfolio) -> None:
    bounds = p.budget_bounds()
    for name, (lo, hi) in bounds.items():
        if lo > hi + 1e-6:
            raise ConfigError(
                f"{PORTFOLIO_FILE}: shop '{name}' must get at least {lo:,.0f} EUR but at most "
                f"{hi:,.0f} EUR over the horizon (min_share, max_share and max_change against "
                f"its today of {p.today_budgets()[name]:,.0f} EUR); loosen one of these rules."
            )
    low = sum(lo for lo, _ in bounds.values())
    high = sum(hi for _, hi in bounds.values())
    if low > p.budget + 1e-6 or high < p.budget - 1e-6:
        side, value = ("minimums", low) if low > p.budget + 1e-6 else ("maximums", high)
        raise ConfigError(
            f"{PORTFOLIO_FILE}: the shops' budget {side} sum to {value:,.0f} EUR but the group "
            f"budget is {p.budget:,.0f} EUR over {p.rules.horizon_weeks} weeks; change "
            "[rules].budget or the shops' min_share, max_share, max_change."
        )


def load_portfolio(path: str | Path) -> Portfolio:
    """Load and check ``portfolio.toml`` and every shop and warehouse it names.

    Parameters
    ----------
    path : str or Path
        The ``portfolio.toml`` file or the folder holding it.

    Returns
    -------
    Portfolio

    Raises
    ------
    ConfigError
        Unknown or invalid keys (with a did-you-mean hint), two shops with one name or folder,
        an undeclared warehouse, a path outside the folder, budget rules that cannot all hold.
    DataError
        A shop folder without dataset.toml or marketing history, a bad data file (named with
        its shop), histories ending on different weeks, a warehouse file missing or not
        covering the horizon.
    """
    path = Path(path)
    if path.is_dir():
        path = path / PORTFOLIO_FILE
    spec = validate(PortfolioFile, load_toml(path), PORTFOLIO_FILE)
    root = path.parent
    shops = [_load_shop(root, spec, i, e) for i, e in enumerate(spec.shops)]
    _check_shops(spec, shops)
    r = spec.rules
    rules = GroupRules(r.horizon_weeks, r.budget, r.reference_weeks, r.safe)
    last = shops[0].marketing.weeks[-1]
    horizon = pd.date_range(last + pd.Timedelta(days=7), periods=r.horizon_weeks, freq="7D")
    warehouses = _load_warehouses(root, spec, horizon)
    portfolio = Portfolio(spec.name, path, spec.seed, tuple(shops), warehouses, rules)
    _check_budget(portfolio)
    return portfolio
