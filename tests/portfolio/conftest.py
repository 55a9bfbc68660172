"""A small portfolio (the bundled demo shops over a short horizon) and stand-in fits."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.data.portfolio import Portfolio, load_portfolio
from optimizer.portfolio.fit import ShopFit, fit_shops
from optimizer.portfolio.plan import PlanSettings
from optimizer.portfolio.result import PortfolioResult
from optimizer.portfolio.run import plan_portfolio
from optimizer.portfolio.synthetic import synthetic_fit

BUNDLED = Path(__file__).resolve().parents[2] / "scenarios" / "portfolio"


def small_portfolio_file(folder: Path, weeks: int = 4, extra_rules: str = "") -> Path:
    """``portfolio.toml`` in ``folder`` naming the bundled demo shops, over ``weeks`` weeks."""
    shops = "".join(
        f'\n[[shops]]\nname = "{s}"\npath = "{BUNDLED / s}"\nwarehouse = "lyon"\n'
        + ("max_share = 0.15\n" if s == "marketplace" else "")
        for s in ("maison", "atelier", "marketplace")
    )
    text = (
        'schema_version = 1\nname = "Petit groupe"\nseed = 11\nallow_outside_paths = true\n\n'
        f"[rules]\nhorizon_weeks = {weeks}\nmax_change = 0.3\n{extra_rules}\n"
        f'[warehouses.lyon]\nfile = "{BUNDLED / "warehouse_lyon.csv"}"\n{shops}'
    )
    path = folder / "portfolio.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def small_portfolio(tmp_path_factory: pytest.TempPathFactory) -> Portfolio:
    """Three demo shops, one warehouse, 4 weeks."""
    return load_portfolio(small_portfolio_file(tmp_path_factory.mktemp("portfolio")))


@pytest.fixture(scope="session")
def small_fits(small_portfolio: Portfolio) -> tuple[ShopFit, ...]:
    """Stand-in fits (no sampling) of the small portfolio's shops."""
    return fit_shops(small_portfolio, fit=synthetic_fit)


@pytest.fixture(scope="session")
def small_result(small_portfolio: Portfolio, small_fits: tuple[ShopFit, ...]) -> PortfolioResult:
    """The small portfolio planned from its stand-in fits, shops alone included."""
    return plan_portfolio(small_portfolio, small_fits, PlanSettings(alone=True))
