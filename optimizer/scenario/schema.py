"""Scenario files: TOML validated by pydantic at the edge, turned into a frozen spec.

A scenario names the data, the model settings (with a cache folder reused while the data and
settings are unchanged), the horizon, the media budget and its rules, the pricing rules, the
logistics capacity, the objective and the risk level. Paths are relative to the scenario file
and may not leave its folder unless ``allow_outside_paths = true``.

Example::

    schema_version = 1
    name = "Budget +20 %"
    seed = 7

    [data]
    dataset = "demo"                 # folder with a dataset.toml

    [model]
    cache = ".cache/mmm"             # fitted model folder (refit when data or settings change)

    [horizon]
    weeks = 13

    [media]
    budget_change = 0.20             # +20 % vs the recent run-rate (or: budget = 450000)
    objective = "contribution"
    risk = "mean"
    [media.channels.sea]
    max_change = 0.5

    [pricing]
    max_change = 0.15
    margin_floor = 0.2

    [logistics]
    capacity_scale = 1.0
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from optimizer.allocation.constraints_file import ConstraintsFile
from optimizer.config import StrictModel, load_toml, validate
from optimizer.errors import ConfigError, did_you_mean
from optimizer.pricing.config import RulesFile
from optimizer.pricing.problem import PriceRules

__all__ = [
    "ScenarioFile",
    "ScenarioSpec",
    "check_channels",
    "check_paths",
    "load_scenario",
    "parse_scenario",
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
        from optimizer.mmm.priors import Priors  # numpy only, no PyMC

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
        from optimizer.allocation.problem import Risk

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


@dataclass(frozen=True, eq=False)
class ScenarioSpec:
    """A validated scenario with its paths resolved.

    Attributes
    ----------
    file : ScenarioFile
        The validated content.
    path : Path or None
        The scenario file (None when built in code).
    root : Path
        Folder that relative paths are resolved against.
    text : str
        The scenario's TOML text (recorded in ``run.json``).
    """

    file: ScenarioFile
    path: Path | None
    root: Path
    text: str

    @property
    def name(self) -> str:
        """Scenario name."""
        return self.file.name

    def resolve(self, relative: str, key: str) -> Path:
        """Resolve a path from the file, refusing to leave the scenario folder.

        Parameters
        ----------
        relative : str
            Path as written in the file.
        key : str
            Key path for messages (e.g. ``[data].dataset``).
        """
        p = Path(relative)
        try:
            full = (p if p.is_absolute() else self.root / p).resolve()
        except (OSError, RuntimeError, ValueError) as exc:  # NUL byte, symlink loop
            raise ConfigError(
                f"{self.source}: {key} = {relative!r} is not a usable path "
                f"({getattr(exc, 'strerror', None) or exc}); fix the path."
            ) from None
        if not self.file.allow_outside_paths and not full.is_relative_to(self.root.resolve()):
            raise ConfigError(
                f"{self.source}: {key} = {relative!r} points outside the scenario folder "
                f"({self.root}); use a path inside it or set allow_outside_paths = true."
            )
        return full

    @property
    def source(self) -> str:
        """File name for messages."""
        return self.path.name if self.path else f"scenario '{self.name}'"

    @property
    def digest(self) -> str:
        """SHA-256 of the scenario text."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def parse_scenario(
    data: dict[str, Any], *, root: str | Path, text: str = "", source: str = "scenario"
) -> ScenarioSpec:
    """Validate a scenario given as a dict (e.g. built in a notebook).

    Parameters
    ----------
    data : dict
        Content, same structure as the TOML file.
    root : str or Path
        Folder relative paths are resolved against.
    text : str
        Text to record as the scenario source (default: a canonical dump of ``data``).
    source : str
        Name for error messages.
    """
    spec = validate(ScenarioFile, data, source)
    if not text:
        import json

        text = json.dumps(data, sort_keys=True, default=str, indent=1)
    out = ScenarioSpec(spec, None, Path(root), text)
    out.resolve(spec.data.dataset, "[data].dataset")
    return out


def load_scenario(path: str | Path) -> ScenarioSpec:
    """Read and validate a scenario TOML file.

    The data files are not read here: :func:`optimizer.scenario.checks.validate_scenario`
    (``optimizer scenario validate``) also checks the scenario against them.

    Raises
    ------
    ConfigError
        Syntax errors, unknown keys (with a did-you-mean hint), bad values (naming the key
        path), rules that contradict themselves (a minimum above its maximum, a reversed ROAS
        range), paths outside the scenario folder (caches included), rules or priors on
        channels the dataset does not declare.
    """
    path = Path(path)
    data = load_toml(path)
    spec = validate(ScenarioFile, data, path.name)
    out = ScenarioSpec(spec, path, path.parent, path.read_text(encoding="utf-8-sig"))
    ds = check_paths(out)
    if not _is_file(ds / "dataset.toml"):
        raise ConfigError(
            f"{path.name}: [data].dataset = {spec.data.dataset!r}: no dataset.toml in {ds}; "
            "point it to a dataset folder (see docs/data.md)."
        )
    check_channels(out, _dataset_channels(ds))
    return out


def check_paths(spec: ScenarioSpec) -> Path:
    """Check every path of the scenario, the cache folders included.

    A run resolves each cache only when it reaches its fit (the elasticity cache after the
    media-mix fit), so a cache outside the scenario folder is refused here first.

    Returns
    -------
    Path
        The dataset folder.
    """
    folder = spec.resolve(spec.file.data.dataset, "[data].dataset")
    spec.resolve(spec.file.model.cache, "[model].cache")
    spec.resolve(spec.file.elasticity.cache, "[elasticity].cache")
    return folder


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # e.g. a name longer than the file system allows
        return False


def _dataset_channels(folder: Path) -> tuple[str, ...] | None:
    """Channels a dataset declares in its dataset.toml (None when it relies on defaults)."""
    from optimizer.data.dataset import DatasetSpec

    spec = validate(DatasetSpec, load_toml(folder / "dataset.toml"), "dataset.toml")
    if spec.marketing is None or spec.marketing.channels is None:
        return None
    return tuple(spec.marketing.channels)


def check_channels(spec: ScenarioSpec, channels: tuple[str, ...] | None) -> None:
    """Refuse rules and priors on channels the data do not have (before any model is fitted)."""
    if channels is None:
        return
    f = spec.file
    named = [
        *((name, f"[media.channels.{name}]") for name in f.media.channels),
        *(
            (wb.channel, f"[media.week_bounds.{i}].channel")
            for i, wb in enumerate(f.media.week_bounds)
        ),
        *((name, "[model.roas_priors]") for name in f.model.roas_priors),
    ]
    for name, key in named:
        if name not in channels:
            raise ConfigError(
                f"{spec.source}: {key}: unknown channel '{name}'; the data "
                f"have {', '.join(channels)}.{did_you_mean(name, channels)}"
            )
