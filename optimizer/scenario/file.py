"""The scenario file's sections as pydantic models: the file edge, validated on reading.

:mod:`optimizer.scenario.schema` reads a file into these models;
:mod:`optimizer.scenario.sections` converts them into frozen, resolved sections that the run
uses. Nothing past the edge reads these models' fields directly.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date
from typing import Literal

from pydantic import Field, field_validator, model_validator

from optimizer.allocation.constraints_file import ConstraintsFile
from optimizer.allocation.problem import Risk
from optimizer.config import StrictModel
from optimizer.errors import ConfigError
from optimizer.mmm.priors import Priors
from optimizer.pricing.config import RulesFile
from optimizer.pricing.problem import PriceRules

__all__ = [
    "DataSection",
    "ElasticitySection",
    "HorizonSection",
    "LogisticsSection",
    "MediaSection",
    "ModelSection",
    "PricingSection",
    "ScenarioFile",
]


class DataSection(StrictModel):
    """``[data]``: the dataset folder (with ``dataset.toml``)."""

    dataset: str


class ModelSection(StrictModel):
    """``[model]``: media-mix model settings and cache."""

    cache: str = ".cache/mmm"
    draws: int = Field(1000, ge=50, le=20000)
    tune: int = Field(1000, ge=50, le=20000)
    chains: int = Field(4, ge=1, le=16)
    holdout_weeks: int = Field(8, ge=0, le=52)
    retries: int = Field(2, ge=0, le=5)
    use_lift_tests: bool = True
    allow_failed: bool = False
    roas_priors: dict[str, tuple[float, float]] = Field(default_factory=dict)

    @field_validator("roas_priors")
    @classmethod
    def _roas_ranges(cls, ranges: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
        # the run builds these priors before the media-mix fit; the same call refuses a range
        # with low > high or low <= 0 here, before the dataset is even read
        try:
            Priors.from_roas_ranges(ranges)
        except ConfigError as exc:
            raise ValueError(str(exc).removesuffix(".")) from None
        return ranges


class ElasticitySection(StrictModel):
    """``[elasticity]``: price-elasticity model settings and cache.

    ``mode = "fast"`` uses the Laplace approximation (seconds, slightly narrow intervals) for
    very large catalogs; ``"bayes"`` samples the full posterior with NUTS.
    """

    cache: str = ".cache/elasticity"
    mode: Literal["bayes", "fast"] = "bayes"
    draws: int = Field(1000, ge=50, le=20000)
    tune: int = Field(500, ge=50, le=20000)
    chains: int = Field(2, ge=1, le=16)


class HorizonSection(StrictModel):
    """``[horizon]``: planning weeks, starting the week after the history."""

    weeks: int = Field(13, ge=1, le=104)
    start: date | None = None


class MediaSection(ConstraintsFile):
    """``[media]``: budget, objective, risk and the allocation rules (see ``optimizer allocate``)."""

    enabled: bool = True
    budget: float | None = Field(None, gt=0)
    budget_change: float | None = Field(None, ge=-0.95, le=5.0)
    objective: Literal["revenue", "margin", "contribution"] = "contribution"
    risk: str = "mean"
    # safe (default): beat today's plan in at least 1 - alpha of the held-out samples, inside
    # bounds derived from the data; free: the posterior optimum under the rules alone
    mode: Literal["safe", "free"] = "safe"
    alpha: float = Field(0.1, gt=0, lt=0.5)
    # what the plan is judged against: the recent run-rate, last year's same weeks (scaled to
    # the budget), or a CSV file next to the scenario (one column per channel, EUR per week)
    today: str = "run_rate"

    @field_validator("risk")
    @classmethod
    def _risk(cls, risk: str) -> str:
        parsed = Risk.parse(risk)  # ConfigError (a ValueError): "use mean, p10 or cvar10"
        if parsed.label != risk:  # strict: "p05" is refused with the spelling to use
            raise ValueError(f"risk '{risk}' is written '{parsed.label}'; use mean, pNN or cvarNN")
        return risk

    @model_validator(mode="after")
    def _no_cost_rate(self) -> MediaSection:
        # the scenario derives the margin and the variable (logistics) cost per EUR of revenue
        # from the catalog, the optimized prices and the logistics costs; a value given here
        # would be silently ignored
        if "variable_cost_rate" in self.model_fields_set:
            raise ValueError(
                "variable_cost_rate is not used in a scenario: the margin and the logistics "
                "cost per EUR of revenue come from the catalog, the prices and logistics.csv; "
                "remove the key"
            )
        return self

    @model_validator(mode="after")
    def _one_budget(self) -> MediaSection:
        if self.budget is not None and self.budget_change is not None:
            raise ValueError("give either budget (EUR) or budget_change (fraction), not both")
        return self


class PricingSection(RulesFile):
    """``[pricing]``: price rules (see ``optimizer pricing optimize --rules``).

    In a scenario, demand a week's warehouse capacity cannot ship is rationed by default
    (``capacity_mode = "ration"``): it is not shipped and its margin is lost, instead of forcing
    every price of the horizon up to fit one peak week.
    """

    enabled: bool = True
    capacity_mode: Literal["hard", "ration"] = "ration"
    #: Share of the catalog whose price may change in one cycle. A real store reprices a
    #: minority of its catalog at a time (labels, feeds, customer trust, and each change is a
    #: bet on an estimated elasticity); 25 % by default. ``max_changes`` (a number of SKUs), when
    #: given alone, replaces it; given together, the smaller applies.
    max_changes_share: float = Field(0.25, gt=0.0, le=1.0)

    def to_rules(self, n_skus: int | None = None) -> PriceRules:
        """The :class:`PriceRules`, with the per-cycle cap on changes for ``n_skus`` SKUs."""
        rules = super().to_rules()
        cap = self.change_cap(n_skus)
        return rules if cap == rules.max_changes else replace(rules, max_changes=cap)

    def change_cap(self, n_skus: int | None) -> int | None:
        """How many SKUs may change price this cycle (None: no cap)."""
        share_given = "max_changes_share" in self.model_fields_set
        if n_skus is None or (self.max_changes is not None and not share_given):
            return self.max_changes
        by_share = math.floor(self.max_changes_share * n_skus + 1e-9)
        if self.max_changes_share >= 1.0:
            return self.max_changes
        return by_share if self.max_changes is None else min(by_share, self.max_changes)


class LogisticsSection(StrictModel):
    """``[logistics]``: capacity override or scale."""

    capacity: float | None = Field(None, gt=0)
    capacity_scale: float = Field(1.0, gt=0, le=10)
    cost_per_unit: float | None = Field(None, ge=0)


class ScenarioFile(StrictModel):
    """Top level of a scenario file."""

    schema_version: Literal[1]
    name: str = Field(min_length=1)
    description: str = ""
    seed: int = Field(7, ge=0)
    currency: Literal["EUR"] = "EUR"
    joint: bool = True
    allow_outside_paths: bool = False
    data: DataSection
    model: ModelSection = Field(default_factory=lambda: ModelSection())
    elasticity: ElasticitySection = Field(default_factory=lambda: ElasticitySection())
    horizon: HorizonSection = Field(default_factory=lambda: HorizonSection())
    media: MediaSection = Field(default_factory=lambda: MediaSection())
    pricing: PricingSection = Field(default_factory=lambda: PricingSection())
    logistics: LogisticsSection = Field(default_factory=lambda: LogisticsSection())

    @model_validator(mode="after")
    def _weeks_in_horizon(self) -> ScenarioFile:
        for wb in self.media.week_bounds:
            if wb.week >= self.horizon.weeks:
                raise ValueError(
                    f"[[media.week_bounds]] for '{wb.channel}': week {wb.week} is past the "
                    f"horizon of {self.horizon.weeks} weeks (weeks are numbered from 0)"
                )
        return self
