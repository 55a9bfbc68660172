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
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from optimizer.config import load_toml, validate
from optimizer.data.dataset import DatasetSpec
from optimizer.errors import ConfigError, did_you_mean
from optimizer.scenario.file import (
    DataSection,
    ElasticitySection,
    HorizonSection,
    LogisticsSection,
    MediaSection,
    ModelSection,
    PricingSection,
    ScenarioFile,
)
from optimizer.scenario.sections import ScenarioSections

__all__ = [
    "DataSection",
    "ElasticitySection",
    "HorizonSection",
    "LogisticsSection",
    "MediaSection",
    "ModelSection",
    "PricingSection",
    "ScenarioFile",
    "ScenarioSpec",
    "check_channels",
    "check_paths",
    "load_scenario",
    "parse_scenario",
]


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

    @cached_property
    def sections(self) -> ScenarioSections:
        """The file converted once: resolved paths and the sections a run plans with.

        Raises
        ------
        ConfigError
            A path is unusable or leaves the scenario folder.
        """
        return ScenarioSections.build(self.file, self.resolve, self.source)

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
    return spec.sections.paths.dataset


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # e.g. a name longer than the file system allows
        return False


def _dataset_channels(folder: Path) -> tuple[str, ...] | None:
    """Channels a dataset declares in its dataset.toml (None when it relies on defaults)."""
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
