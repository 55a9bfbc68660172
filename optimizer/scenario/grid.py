"""The grid of a scenario sweep: budget multipliers x rule sets x risk settings.

Read from the command line's comma-separated forms (``0.7,1,1.3``, ``free,guard30,workable``,
``mean,p10``) and checked here, before any model is fitted; what each rule set means is
described in :mod:`optimizer.scenario.sweep`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from optimizer.allocation.problem import Risk
from optimizer.errors import ConfigError, did_you_mean

__all__ = ["DEFAULT_GRID", "MAX_POINTS", "RuleSet", "SweepGrid", "SweepPoint"]

#: Grid points at most (a sweep is a what-if table, not a search).
MAX_POINTS = 2000

_GUARD = re.compile(r"guard(\d{1,3})")


@dataclass(frozen=True)
class RuleSet:
    """What a sweep point's media plan may do (described in :mod:`optimizer.scenario.sweep`).

    Attributes
    ----------
    kind : {"free", "workable", "guard"}
    guard : float or None
        For ``guard``: the largest change of each channel's horizon spend, fraction of its
        run-rate (0.3 for ``guard30``).
    """

    kind: Literal["free", "workable", "guard"]
    guard: float | None = None

    @property
    def name(self) -> str:
        """``free``, ``workable`` or ``guardNN``."""
        return f"guard{round(100 * self.guard)}" if self.guard is not None else self.kind

    @classmethod
    def parse(cls, text: str) -> RuleSet:
        """Read ``free``, ``workable`` or ``guardNN`` (NN from 1 to 100, percent)."""
        t = text.strip().lower()
        if t in ("free", "workable"):
            return cls(t)  # type: ignore[arg-type]
        m = _GUARD.fullmatch(t)
        if m and 1 <= int(m.group(1)) <= 100:
            return cls("guard", int(m.group(1)) / 100.0)
        raise ConfigError(
            f"rule set '{text}' is unknown; use free, workable or guardNN (each channel within "
            "+/-NN % of its run-rate, e.g. guard30)." + did_you_mean(t, ("free", "workable"))
        )


@dataclass(frozen=True)
class SweepPoint:
    """One grid point: a rule set, a budget multiplier and a risk setting."""

    rules: RuleSet
    multiplier: float
    risk: str


@dataclass(frozen=True)
class SweepGrid:
    """Budgets x rule sets x risk settings.

    Attributes
    ----------
    multipliers : tuple of float
        Budgets as multiples of the scenario's budget (``1.0``: the scenario's own), in (0, 10].
    rules : tuple of RuleSet
    risks : tuple of str
        ``mean``, ``pNN``, ``cvarNN``; empty: the scenario's ``[media] risk``.
    """

    multipliers: tuple[float, ...] = (0.7, 0.85, 1.0, 1.15, 1.3)
    rules: tuple[RuleSet, ...] = (RuleSet("free"), RuleSet("guard", 0.3), RuleSet("workable"))
    risks: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.multipliers or not self.rules:
            raise ConfigError("a sweep needs at least one budget multiplier and one rule set.")
        bad = [m for m in self.multipliers if not (math.isfinite(m) and 0.0 < m <= 10.0)]
        if bad:
            raise ConfigError(
                f"budget multiplier(s) {', '.join(f'{m:g}' for m in bad)} out of range; give "
                "multiples of the scenario's budget in (0, 10], e.g. 0.7,1,1.3."
            )
        for r in self.risks:
            if Risk.parse(r).label != r:
                raise ConfigError(f"risk '{r}' is written '{Risk.parse(r).label}'; use that.")
        for name, values in (("budget multiplier", self.multipliers), ("rule set", self.rules)):
            if len(set(values)) != len(values):
                raise ConfigError(f"a {name} is given twice; give each once.")
        if len(set(self.risks)) != len(self.risks):
            raise ConfigError("a risk setting is given twice; give each once.")
        n = len(self.multipliers) * len(self.rules) * max(1, len(self.risks))
        if n > MAX_POINTS:
            raise ConfigError(f"{n} grid points is more than {MAX_POINTS}; use a coarser grid.")

    @classmethod
    def parse(cls, multipliers: str, rules: str, risks: str | None = None) -> SweepGrid:
        """Read the comma-separated command-line forms (``0.7,1,1.3``, ``free,guard30``)."""
        try:
            mults = tuple(float(m) for m in _split(multipliers))
        except ValueError:
            raise ConfigError(
                f"budget multipliers '{multipliers}': give numbers separated by commas, e.g. "
                "0.7,0.85,1,1.15,1.3."
            ) from None
        parsed = tuple(RuleSet.parse(r) for r in _split(rules))
        return cls(mults, parsed, tuple(_split(risks)) if risks else ())

    def points(self, default_risk: str) -> list[SweepPoint]:
        """Every point: rule sets, then risks, then budgets in the order given."""
        risks = self.risks or (default_risk,)
        return [SweepPoint(r, m, k) for r in self.rules for k in risks for m in self.multipliers]


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


#: Five budgets from 70 % to 130 % of the scenario's, each under free, guard30 and workable rules.
DEFAULT_GRID = SweepGrid()
