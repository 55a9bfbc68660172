"""Channel groups: bounds on the summed horizon spend of several channels.

When several shops share one media budget, each shop's channels form a group whose horizon
spend has its own range (the shop's budget rules). :class:`ChannelGroup` is the rule;
:func:`resolve_groups` turns groups into channel indices for the solvers (rows ``group <g>
minimum`` / ``group <g> maximum`` of :mod:`optimizer.allocation.polytope`) and
:func:`group_conflicts` explains, with figures, the rules that cannot all hold.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from optimizer.errors import ConfigError

__all__ = ["ChannelGroup", "ResolvedGroup", "group_conflicts", "resolve_groups"]

#: A resolved group: name, channel indices, least and most horizon spend (EUR; 0 and ``inf``
#: when not given).
ResolvedGroup = tuple[str, tuple[int, ...], float, float]


def _eur(x: float) -> str:
    return f"{x:,.0f} EUR"


@dataclass(frozen=True)
class ChannelGroup:
    """Bounds on the summed horizon spend of several channels (e.g. one shop of a group), EUR.

    Attributes
    ----------
    name : str
        Named in error messages and binding constraints (``"maison"``).
    channels : tuple of str
        The channels whose spend is summed (at least one, each once).
    min_total, max_total : float or None
        Least and most spend of the group over the horizon, EUR excl. VAT (None: no limit).
    """

    name: str
    channels: tuple[str, ...]
    min_total: float | None = None
    max_total: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "channels", tuple(self.channels))
        if not self.channels or len(set(self.channels)) != len(self.channels):
            raise ConfigError(
                f"channel group '{self.name}' must name at least one channel, each once; got "
                f"{list(self.channels)}."
            )
        for key in ("min_total", "max_total"):
            v = getattr(self, key)
            if v is not None and (not math.isfinite(v) or v < 0):
                raise ConfigError(f"channel group '{self.name}': {key} = {v} must be >= 0 EUR.")
        lo, hi = self.min_total, self.max_total
        if lo is not None and hi is not None and lo > hi + 1e-6:
            raise ConfigError(
                f"channel group '{self.name}': min_total {lo:,.0f} EUR is above max_total "
                f"{hi:,.0f} EUR; lower the minimum or raise the maximum."
            )


def resolve_groups(
    groups: Sequence[ChannelGroup], index: Mapping[str, int]
) -> tuple[ResolvedGroup, ...]:
    """The groups with channel indices (``index``: channel name to column of the plan)."""
    return tuple(
        (
            g.name,
            tuple(index[c] for c in g.channels),
            float(g.min_total or 0.0),
            math.inf if g.max_total is None else float(g.max_total),
        )
        for g in groups
    )


def group_conflicts(
    groups: tuple[ResolvedGroup, ...],
    need: np.ndarray,
    cap_each: np.ndarray,
    budget: float,
    exact: bool,
    hint: str = "",
) -> list[str]:
    """Channel-group bounds against their channels' own bounds and the budget, in words.

    Parameters
    ----------
    groups : tuple of ResolvedGroup
    need, cap_each : numpy.ndarray
        Least and most horizon spend of each channel under its own rules, EUR, (C,).
    budget : float
        EUR over the horizon.
    exact : bool
        Whether the budget must be spent exactly.
    hint : str
        Appended to messages about channel minimums (the workable rules behind them).

    Returns
    -------
    list of str
        One message per conflict (empty when the groups can hold).
    """
    out = []
    for name, members, lo, hi in groups:
        least, most = float(need[list(members)].sum()), float(cap_each[list(members)].sum())
        if least > hi + 1e-6:
            out.append(
                f"group '{name}': its channels' minimums sum to {_eur(least)} > the group's "
                f"maximum {_eur(hi)}; raise the group's maximum or lower a minimum" + hint
            )
        if lo > min(most, budget) + 1e-6:
            out.append(
                f"group '{name}': minimum {_eur(lo)} > the most its channels can spend "
                f"({_eur(min(most, budget))}); lower the group's minimum, raise a channel "
                "maximum or the budget"
            )
    covered = [c for _, m, _, _ in groups for c in m]
    if len(covered) != len(set(covered)):
        return out  # overlapping groups: the group-by-group checks above only
    low = sum(lo for *_, lo, _ in groups)
    if low > budget + 1e-6:
        out.append(
            f"group minimums sum to {_eur(low)} > budget {_eur(budget)}; raise the budget or "
            "lower a group's minimum"
        )
    high = sum(min(hi, float(cap_each[list(m)].sum())) for _, m, _, hi in groups)
    if len(covered) == len(need) and exact and high < budget - 1e-6:
        out.append(
            f"group maximums allow at most {_eur(high)} < budget {_eur(budget)} to spend "
            "exactly; raise a group's maximum, lower the budget or use budget mode up_to"
        )
    return out
