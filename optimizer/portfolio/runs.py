"""Check a portfolio file, and find whether an existing run folder of it is still up to date.

:func:`optimizer.jobs.portfolio.run_and_write` runs and writes a portfolio.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from optimizer.data.portfolio import Portfolio, load_portfolio
from optimizer.portfolio.fit import FitSettings, check_shops
from optimizer.portfolio.output import settings_record, up_to_date
from optimizer.portfolio.plan import PlanSettings

__all__ = ["current_run", "recorded_settings", "validate"]


def validate(path: str | Path) -> Portfolio:
    """Load a portfolio and check that every shop can be planned (no model is fitted).

    Raises
    ------
    OptimizerError
        What :func:`~optimizer.data.portfolio.load_portfolio` refuses, or a shop without a
        catalog, sales history or logistics file.
    """
    portfolio = load_portfolio(path)
    check_shops(portfolio)
    return portfolio


def recorded_settings(
    fit_settings: FitSettings | None, settings: PlanSettings | None
) -> dict[str, Any]:
    """The settings as ``run.json`` records them (``None``: the defaults)."""
    return settings_record(fit=fit_settings or FitSettings(), plan=settings or PlanSettings())


def current_run(
    portfolio: Portfolio,
    out: str | Path,
    lang: str = "fr",
    fit_settings: FitSettings | None = None,
    settings: PlanSettings | None = None,
) -> dict[str, Any] | None:
    """The summary of the run in ``out`` when it is up to date for these settings, else None."""
    return up_to_date(portfolio, out, lang, recorded_settings(fit_settings, settings))
