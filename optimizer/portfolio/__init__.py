"""Several shops, one plan: fits as tasks, a group media plan, prices under shared capacity.

``run_portfolio(load_portfolio(path))`` fits every shop (:mod:`~optimizer.portfolio.fit`,
cached, in-process or on Dask), plans the group (:mod:`~optimizer.portfolio.plan`) and returns
a :class:`PortfolioResult`; :func:`optimizer.report.portfolio_writer.write_portfolio` writes its
folder and report, :func:`optimizer.jobs.portfolio.run_and_write` does both. See
``docs/portfolio.md``.
"""

from optimizer.portfolio.fit import FitSettings, ShopFit, fit_shops
from optimizer.portfolio.plan import PlanSettings
from optimizer.portfolio.result import PortfolioResult, ShopResult
from optimizer.portfolio.run import plan_portfolio, run_portfolio
from optimizer.portfolio.runs import validate

__all__ = [
    "FitSettings",
    "PlanSettings",
    "PortfolioResult",
    "ShopFit",
    "ShopResult",
    "fit_shops",
    "plan_portfolio",
    "run_portfolio",
    "validate",
]
