"""A scenario's sections converted once, at the file edge: frozen, paths resolved.

:class:`ScenarioSections` is built from the validated file (:mod:`optimizer.scenario.file`)
when a :class:`~optimizer.scenario.schema.ScenarioSpec` is first asked for it; the run reads
its paths and builds its media and price problems from it (:meth:`MediaPlanSection.
to_allocation_problem`, :meth:`PricePlanSection.to_pricing_problem`) instead of reading the
file's sections and resolving its paths step by step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.allocation.constraints_file import constraints_kwargs
from optimizer.allocation.problem import AllocationProblem, Risk
from optimizer.allocation.safe import SafeRule
from optimizer.data.catalog import Catalog
from optimizer.data.logistics import Logistics
from optimizer.data.sales import SalesHistory
from optimizer.pricing import Elasticities, PricingProblem
from optimizer.pricing import Objective as PricingObjective
from optimizer.pricing.rules import reference_prices
from optimizer.pricing.safe import SafeSettings
from optimizer.scenario.file import LogisticsSection, MediaSection, PricingSection, ScenarioFile

__all__ = [
    "LogisticsPlanSection",
    "MediaPlanSection",
    "PricePlanSection",
    "ScenarioPaths",
    "ScenarioSections",
]

#: Resolves a path as written in the file (``relative``, ``key`` for messages) to a full path.
Resolver = Callable[[str, str], Path]


@dataclass(frozen=True)
class ScenarioPaths:
    """The scenario's folders, resolved against the scenario file's folder.

    Attributes
    ----------
    dataset : Path
        ``[data].dataset``: the dataset folder (with its ``dataset.toml``).
    mmm_cache : Path
        ``[model].cache``: cache root of the media-mix model fits.
    elasticity_cache : Path
        ``[elasticity].cache``: cache root of the elasticity fits.
    """

    dataset: Path
    mmm_cache: Path
    elasticity_cache: Path


@dataclass(frozen=True, eq=False)
class MediaPlanSection:
    """``[media]``: the media budget, its rules, objective, risk and safety rule.

    Attributes
    ----------
    rules : MediaSection
        The validated section.
    seed : int
        The scenario's seed.
    source : str
        The scenario's name for messages.
    """

    rules: MediaSection
    seed: int
    source: str

    @property
    def enabled(self) -> bool:
        """Whether the media plan may change."""
        return self.rules.enabled

    @property
    def safe_rule(self) -> SafeRule | None:
        """The media safety rule (None when ``mode = "free"``)."""
        if self.rules.mode != "safe":
            return None
        return SafeRule(alpha=self.rules.alpha, seed=self.seed)

    def budget(self, run_rate: float) -> float:
        """Media budget over the horizon, EUR, given the recent run-rate over the horizon (EUR)."""
        if self.rules.budget is not None:
            return float(self.rules.budget)
        return run_rate * (1.0 + float(self.rules.budget_change or 0.0))

    def to_allocation_problem(
        self, channels: tuple[str, ...], weeks: pd.DatetimeIndex, budget: float
    ) -> AllocationProblem:
        """The media problem over ``weeks`` for the model's ``channels`` at ``budget`` EUR.

        Its margin rate (0.5) is a placeholder that the joint planner replaces with the rate
        the prices imply.

        Raises
        ------
        ConfigError
            A rule names a channel the model does not have.
        """
        return AllocationProblem(
            budget=budget,
            n_weeks=len(weeks),
            start=weeks[0].date(),
            objective=self.rules.objective,
            margin_rate=0.5,  # replaced by the rate the prices imply
            risk=Risk.parse(self.rules.risk),
            seed=self.seed,
            **constraints_kwargs(self.rules, channels, self.source),
        )


@dataclass(frozen=True, eq=False)
class LogisticsPlanSection:
    """``[logistics]``: the warehouse capacity and cost per unit over the horizon.

    Attributes
    ----------
    rules : LogisticsSection
        The validated section.
    """

    rules: LogisticsSection

    def capacity(self, logistics: Logistics, weeks: pd.DatetimeIndex) -> np.ndarray:
        """Capacity per horizon week (logistics units): the override, or the data's, scaled."""
        if self.rules.capacity is not None:
            return np.full(len(weeks), float(self.rules.capacity))
        return np.asarray(logistics.capacity_for(weeks) * self.rules.capacity_scale, float)

    def cost_per_unit(self, logistics: Logistics, weeks: pd.DatetimeIndex) -> np.ndarray:
        """Logistics cost per unit and horizon week, EUR: the override, or the data's."""
        if self.rules.cost_per_unit is not None:
            return np.full(len(weeks), float(self.rules.cost_per_unit))
        return np.asarray(logistics.cost_for(weeks), float)


@dataclass(frozen=True, eq=False)
class PricePlanSection:
    """``[pricing]``: the price rules, objective and safety settings.

    Attributes
    ----------
    rules : PricingSection
        The validated section.
    seed : int
        The scenario's seed.
    """

    rules: PricingSection
    seed: int

    @property
    def enabled(self) -> bool:
        """Whether prices may change."""
        return self.rules.enabled

    @property
    def safety(self) -> SafeSettings | None:
        """The safe price plan's settings (None: the plain optimum)."""
        return self.rules.safe_settings(self.seed)

    def to_pricing_problem(
        self,
        catalog: Catalog,
        sales: SalesHistory,
        elasticities: Elasticities,
        capacity: np.ndarray,
        cost_per_unit: np.ndarray,
    ) -> PricingProblem:
        """The price problem for the catalog under the week's capacity and logistics cost.

        Parameters
        ----------
        catalog : Catalog
            The SKUs and their current prices.
        sales : SalesHistory
            The sales history (reference prices).
        elasticities : Elasticities
            The fitted price elasticities.
        capacity : numpy.ndarray
            Logistics units per horizon week, shape (T,).
        cost_per_unit : numpy.ndarray
            Logistics cost per unit and horizon week, EUR, shape (T,).
        """
        r = self.rules
        return PricingProblem(
            catalog=catalog,
            elasticities=elasticities,
            capacity=capacity,
            rules=r.to_rules(n_skus=len(catalog)),
            objective=PricingObjective(r.objective),
            logistics_cost=float(np.mean(cost_per_unit)),
            net_of_returns=True,
            units_quantile=r.units_quantile,
            reference_prices=reference_prices(sales, catalog),
            gap_tolerance=r.gap_tolerance,
            capacity_mode=r.capacity_mode,
        )


@dataclass(frozen=True, eq=False)
class ScenarioSections:
    """The scenario file converted: resolved paths and the sections a run plans with.

    Attributes
    ----------
    paths : ScenarioPaths
        The dataset and cache folders.
    media : MediaPlanSection
        ``[media]``.
    pricing : PricePlanSection
        ``[pricing]``.
    logistics : LogisticsPlanSection
        ``[logistics]``.
    """

    paths: ScenarioPaths
    media: MediaPlanSection
    pricing: PricePlanSection
    logistics: LogisticsPlanSection

    @classmethod
    def build(cls, file: ScenarioFile, resolve: Resolver, source: str) -> ScenarioSections:
        """Convert a validated file; ``resolve`` turns its paths into folders (or refuses them).

        Raises
        ------
        ConfigError
            A path is unusable or leaves the scenario folder (dataset first, then the caches).
        """
        paths = ScenarioPaths(
            dataset=resolve(file.data.dataset, "[data].dataset"),
            mmm_cache=resolve(file.model.cache, "[model].cache"),
            elasticity_cache=resolve(file.elasticity.cache, "[elasticity].cache"),
        )
        return cls(
            paths=paths,
            media=MediaPlanSection(file.media, file.seed, source),
            pricing=PricePlanSection(file.pricing, file.seed),
            logistics=LogisticsPlanSection(file.logistics),
        )
