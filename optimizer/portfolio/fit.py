"""Each shop's models: media-mix model and price elasticities, fitted (or reused) as tasks.

Every shop is fitted on the scenario runner's own path (:func:`~optimizer.scenario.runner.
run_scenario` with its planning steps switched off): the same cache, keyed by the data and
the settings, so that a second run of an unchanged portfolio reuses every fit, and the same
gates (the media-mix diagnostics, the data checks). One shop is one task of
:func:`~optimizer.scaleout.run_tasks`: in this process by default, on a local Dask cluster
(``--workers``) or an existing one (``--scheduler``); each task's seed is derived from the
portfolio's seed and the shop's place, so the fits are the same wherever they ran.

:func:`fit_shops` is the one step a pooled (hierarchical) media-mix model replaces: anything
that returns a :class:`ShopFit` per shop (posterior response curves, baseline forecast and
elasticities for the horizon) plugs into :func:`~optimizer.portfolio.plan.plan_portfolio`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.data.dataset import DATASET_FILE, load_dataset
from optimizer.data.portfolio import Portfolio
from optimizer.errors import DataError
from optimizer.pricing.rules import reference_prices
from optimizer.scaleout import IN_PROCESS, ComputeSpec, run_tasks, task_seeds
from optimizer.scenario.joint.demand import StoreDemand
from optimizer.scenario.schema import parse_scenario

__all__ = [
    "FitSettings",
    "ShopFit",
    "ShopTask",
    "check_shops",
    "fit_shop",
    "fit_shops",
    "fits_cached",
    "shop_tasks",
]

Progress = Callable[[str], None]

#: Cache folder of the fits, relative to the portfolio folder.
CACHE = ".cache"


@dataclass(frozen=True)
class FitSettings:
    """Sampler settings of the shops' fits (the scenario defaults unless given).

    Attributes
    ----------
    draws, tune, chains : int
        Media-mix model NUTS settings.
    holdout_weeks : int
        Weeks held out to check the media-mix model's forecast.
    elasticity_mode : {"bayes", "fast"}
        Elasticities sampled with NUTS or by the Laplace approximation.
    elasticity_draws, elasticity_tune, elasticity_chains : int
        Elasticity model NUTS settings.
    allow_failed : bool
        Plan with a media-mix model whose diagnostics gate failed (tests with tiny fits).
    """

    draws: int = 1000
    tune: int = 1000
    chains: int = 4
    holdout_weeks: int = 8
    elasticity_mode: str = "bayes"
    elasticity_draws: int = 1000
    elasticity_tune: int = 500
    elasticity_chains: int = 2
    allow_failed: bool = False


@dataclass(frozen=True)
class ShopTask:
    """What a worker needs to fit one shop (picklable, no loaded data).

    Attributes
    ----------
    shop : str
        Shop name.
    folder : Path
        Its dataset folder.
    root : Path
        The portfolio folder (the cache lives in ``root / .cache``).
    weeks : int
        Horizon weeks.
    """

    shop: str
    folder: Path
    root: Path
    weeks: int


@dataclass(frozen=True, eq=False)
class ShopFit:
    """A shop's fitted models over the portfolio's horizon.

    Attributes
    ----------
    shop : str
        Shop name.
    demand : StoreDemand
        Posterior demand over the horizon (response curves, baseline forecast, elasticities),
        every sample; its capacity is the shop's own logistics file's (the group plan replaces
        it by the shared warehouse's).
    reference_prices : pandas.Series
        Lowest price of the last 30 days per SKU, EUR incl. VAT (price-cut display rule).
    seed : int
        The task's seed (the fits' seed).
    summary : dict
        Media-mix ROAS table and diagnostics, elasticity counts, cache use (JSON-ready).
    """

    shop: str
    demand: StoreDemand
    reference_prices: pd.Series
    seed: int
    summary: dict[str, Any]


def check_shops(portfolio: Portfolio) -> None:
    """Refuse a shop that lacks what planning needs, before any fit (a typo costs no minutes).

    Raises
    ------
    DataError
        A shop's dataset has no catalog, sales or logistics section.
    """
    for s in portfolio.shops:
        ds = s.dataset
        parts = (("catalog", ds.catalog), ("sales", ds.sales), ("logistics", ds.logistics))
        missing = [name for name, part in parts if part is None]
        if missing:
            raise DataError(
                f"shop '{s.name}' ({s.folder / DATASET_FILE}): no {', '.join(missing)} "
                "section(s); a shop's prices and media are planned from its catalog, sales "
                "history and logistics file: add them to its dataset.toml."
            )


def shop_tasks(portfolio: Portfolio) -> list[ShopTask]:
    """One fitting task per shop, in file order."""
    root = portfolio.path.parent.resolve()
    weeks = portfolio.rules.horizon_weeks
    return [ShopTask(s.name, s.folder, root, weeks) for s in portfolio.shops]


def _scenario(task: ShopTask, seed: int, settings: FitSettings) -> dict[str, Any]:
    """The scenario that fits a shop's models and plans nothing."""
    return {
        "schema_version": 1,
        "name": f"portfolio shop {task.shop}",
        "seed": seed,
        "allow_outside_paths": True,  # the portfolio file already checked its paths
        "joint": False,
        "data": {"dataset": str(task.folder)},
        "model": {
            "cache": f"{CACHE}/mmm",
            "draws": settings.draws,
            "tune": settings.tune,
            "chains": settings.chains,
            "holdout_weeks": settings.holdout_weeks,
            "allow_failed": settings.allow_failed,
        },
        "elasticity": {
            "cache": f"{CACHE}/elasticity",
            "mode": settings.elasticity_mode,
            "draws": settings.elasticity_draws,
            "tune": settings.elasticity_tune,
            "chains": settings.elasticity_chains,
        },
        "horizon": {"weeks": task.weeks},
        "media": {"enabled": False, "mode": "free"},  # every sample, no plan
        "pricing": {"enabled": False},
    }


def fits_cached(portfolio: Portfolio, settings: FitSettings) -> bool:
    """Whether every shop's fits are in the cache (nothing would be fitted; nothing is loaded)."""
    # lazy: PyMC loads with the runner
    from optimizer.scenario.runner import fit_model

    tasks = shop_tasks(portfolio)
    for task, seed in zip(tasks, task_seeds(portfolio.seed, len(tasks)), strict=True):
        spec = parse_scenario(_scenario(task, seed, settings), root=task.root)
        if not all(fit_model(spec, kind, probe=True) for kind in ("mmm", "elasticity")):
            return False
    return True


def fit_shop(
    task: ShopTask, seed: int, *, settings: FitSettings, progress: Progress | None = None
) -> ShopFit:
    """Fit (or reuse from the cache) one shop's models: one task of :func:`fit_shops`.

    Parameters
    ----------
    task : ShopTask
        The shop.
    seed : int
        Seed of its fits.
    settings : FitSettings
        Sampler settings.
    progress : callable, optional
        Receives the runner's progress messages (in-process runs only).

    Returns
    -------
    ShopFit
    """
    # lazy: PyMC (the fits) loads with the runner: only when a shop is fitted
    from optimizer.scenario.runner import run_scenario

    spec = parse_scenario(
        _scenario(task, seed, settings), root=task.root, source=f"shop '{task.shop}'"
    )
    say = progress or (lambda _m: None)
    result = run_scenario(spec, progress=lambda m: say(f"{task.shop}: {m}"))
    ds_sales, ds_catalog = _sales_catalog(task.folder)
    mmm = result.mmm
    summary = {
        "mmm": {
            "channels": mmm["channels"],
            "diagnostics": mmm["diagnostics"],
            "fit_seconds": mmm["fit_seconds"],
        },
        "elasticity": result.elasticity,
        "cache": result.provenance["cache"],
        "seed": seed,
    }
    return ShopFit(
        shop=task.shop,
        demand=result.demand,
        reference_prices=reference_prices(ds_sales, ds_catalog),
        seed=seed,
        summary=summary,
    )


def _sales_catalog(folder: Path) -> tuple[Any, Any]:
    """A shop's sales history and catalog (for the price-cut reference prices)."""
    ds = load_dataset(folder)
    return ds.sales, ds.catalog


def fit_shops(
    portfolio: Portfolio,
    settings: FitSettings = FitSettings(),
    *,
    compute: ComputeSpec = IN_PROCESS,
    progress: Progress | None = None,
    fit: Callable[..., ShopFit] = fit_shop,
) -> tuple[ShopFit, ...]:
    """Fit every shop's models, one task per shop, and return them in file order.

    Parameters
    ----------
    portfolio : Portfolio
        The loaded portfolio.
    settings : FitSettings
        Sampler settings (the scenario defaults).
    compute : ComputeSpec
        Where the tasks run (default: this process, one shop after the other).
    progress : callable, optional
        Receives progress messages.
    fit : callable
        The task, ``fit(task, seed, *, settings[, progress])`` (module level, so that workers
        import it by name): :func:`fit_shop`, or a stand-in such as
        :func:`optimizer.portfolio.synthetic.synthetic_fit`.

    Returns
    -------
    tuple of ShopFit

    Raises
    ------
    OptimizerError
        A shop's data or fit failed (the message names the shop).
    """
    check_shops(portfolio)
    tasks = shop_tasks(portfolio)
    seeds = task_seeds(portfolio.seed, len(tasks))
    shared: dict[str, Any] = {"settings": settings}
    if compute.where == "in-process" and progress is not None and fit is fit_shop:
        shared["progress"] = progress  # a worker's messages would not reach this terminal
    fits = run_tasks(
        fit, tasks, compute=compute, shared=shared, seeds=seeds, name="shop fit", progress=progress
    )
    return tuple(fits)
