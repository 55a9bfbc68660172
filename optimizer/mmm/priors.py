"""Priors of the media-mix model: channel defaults and ROAS ranges a manager can state.

A manager rarely knows a Hill half-saturation point but often knows that "SEA returns between 2
and 4 euros per euro". The model is therefore parameterised by each channel's ROAS over the
fitted history; the channel's maximum weekly effect is *derived* from it (see
:mod:`optimizer.mmm.model`), so a stated range becomes a log-normal prior on ROAS whose central
90 % interval is exactly that range.

Carry-over defaults follow what the channels are: organic search (SEO) builds slowly and keeps
acting for months, paid search (SEA) and affiliation act in the week of the click, social and
retail media sit in between. These are Beta priors on the weekly retention ``alpha`` of the
geometric adstock; they are defaults, overridable per channel.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from optimizer.errors import ConfigError, did_you_mean

__all__ = [
    "DEFAULT_ROAS",
    "ChannelPrior",
    "LogNormalPrior",
    "Priors",
    "default_channel_prior",
    "roas_prior",
]


@dataclass(frozen=True)
class LogNormalPrior:
    """Log-normal prior given by the mean and sd of the log (``mu``, ``sigma``)."""

    mu: float
    sigma: float

    @property
    def median(self) -> float:
        """Median of the prior."""
        return math.exp(self.mu)

    def interval(self, mass: float = 0.9) -> tuple[float, float]:
        """Central interval holding ``mass`` of the prior (90 % by default)."""
        from statistics import NormalDist

        z = NormalDist().inv_cdf(0.5 + mass / 2)
        return math.exp(self.mu - z * self.sigma), math.exp(self.mu + z * self.sigma)


#: Default ROAS prior when the manager states none: median 2, 90 % in [0.39, 10.4] EUR/EUR.
#: Wider and higher than Google Meridian's generic LogNormal(0.2, 0.9) because the target here
#: is gross e-commerce revenue incl. VAT, on which returns of 2-8 EUR per EUR are common; it
#: only rules out returns above ~15 EUR per EUR that a mature channel rarely shows.
DEFAULT_ROAS = LogNormalPrior(0.693, 1.0)


def roas_prior(low: float, high: float, channel: str = "", mass: float = 0.9) -> LogNormalPrior:
    """Translate "ROAS between ``low`` and ``high``" into a log-normal prior.

    Parameters
    ----------
    low, high : float
        Bounds of the stated range, EUR of revenue per EUR of spend, ``0 < low <= high``.
    channel : str
        Channel name, for error messages.
    mass : float
        Prior probability inside ``[low, high]`` (0.9: the range is a 90 % interval).

    Returns
    -------
    LogNormalPrior
        Prior whose central ``mass`` interval is ``[low, high]`` (a degenerate range is widened
        to +/- 5 % so that the prior stays proper).

    Raises
    ------
    ConfigError
        ``low > high``, a non-positive bound or a mass outside ``(0, 1)``.
    """
    where = f" for channel '{channel}'" if channel else ""
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ConfigError(f"ROAS prior{where}: bounds must be finite numbers, got {low}, {high}.")
    if low > high:
        raise ConfigError(
            f"ROAS prior{where}: low {low:g} is above high {high:g}; swap them "
            "(e.g. 'between 2 and 4' is low=2, high=4)."
        )
    if low <= 0:
        raise ConfigError(
            f"ROAS prior{where}: low must be > 0 EUR per EUR, got {low:g}; a channel that may "
            "not pay back at all can use a small value such as 0.1."
        )
    if not 0 < mass < 1:
        raise ConfigError(f"ROAS prior{where}: mass must lie in (0, 1), got {mass:g}.")
    from statistics import NormalDist

    z = NormalDist().inv_cdf(0.5 + mass / 2)
    lo, hi = math.log(low), math.log(high)
    if hi - lo < 0.1:
        mid = (lo + hi) / 2
        lo, hi = mid - 0.05, mid + 0.05
    return LogNormalPrior((lo + hi) / 2, (hi - lo) / (2 * z))


@dataclass(frozen=True)
class ChannelPrior:
    """Priors of one channel.

    Attributes
    ----------
    roas : LogNormalPrior
        Prior on the channel's ROAS over the fitted history (EUR revenue per EUR spend).
    carryover : tuple of float
        Beta(a, b) prior on the weekly retention ``alpha`` (geometric and delayed adstock).
    """

    roas: LogNormalPrior = DEFAULT_ROAS
    carryover: tuple[float, float] = (2.0, 2.0)

    def __post_init__(self) -> None:
        a, b = self.carryover
        if not (a > 0 and b > 0):
            raise ConfigError(f"carry-over Beta prior needs a, b > 0, got ({a:g}, {b:g}).")
        if not self.roas.sigma > 0:
            raise ConfigError(f"ROAS prior sigma must be > 0, got {self.roas.sigma:g}.")

    @property
    def carryover_mean(self) -> float:
        """Prior mean of the weekly retention."""
        a, b = self.carryover
        return a / (a + b)


# Beta(a, b) on weekly retention by channel family: mean ~0.71 for SEO (months of effect),
# ~0.2 for paid search and affiliation (same-week clicks), ~0.4-0.5 for social / retail media.
_CARRYOVER_DEFAULTS: dict[str, tuple[float, float]] = {
    "seo": (5.0, 2.0),
    "sea": (1.5, 5.0),
    "affiliation": (1.5, 6.0),
    "social": (2.0, 2.0),
    "retail_media": (2.0, 3.0),
}
_ALIASES = {
    "organic": "seo",
    "search": "sea",
    "paid_search": "sea",
    "adwords": "sea",
    "google_ads": "sea",
    "affiliate": "affiliation",
    "affiliates": "affiliation",
    "meta": "social",
    "facebook": "social",
    "tiktok": "social",
    "retail": "retail_media",
}


def default_channel_prior(channel: str) -> ChannelPrior:
    """Default priors for a channel, recognised by name (``seo``, ``sea``, ``affiliation``...).

    Unknown channels get a flat-ish Beta(2, 2) carry-over prior and the default ROAS prior.
    """
    key = channel.lower().strip()
    key = _ALIASES.get(key, key)
    return ChannelPrior(DEFAULT_ROAS, _CARRYOVER_DEFAULTS.get(key, (2.0, 2.0)))


@dataclass(frozen=True)
class Priors:
    """Per-channel priors; channels not listed get :func:`default_channel_prior`.

    Attributes
    ----------
    channels : mapping of str to ChannelPrior
        Overrides by channel name.
    """

    channels: Mapping[str, ChannelPrior] = field(default_factory=dict)

    @classmethod
    def from_roas_ranges(
        cls, ranges: Mapping[str, tuple[float, float]], base: Priors | None = None
    ) -> Priors:
        """Priors with stated ROAS ranges, e.g. ``{"sea": (2, 4)}`` for "SEA ROAS 2 to 4".

        Raises
        ------
        ConfigError
            A range with ``low > high`` or a non-positive bound (the message names the channel).
        """
        base = base or cls()
        out = dict(base.channels)
        for ch, bounds in ranges.items():
            if len(bounds) != 2:
                raise ConfigError(f"ROAS range for '{ch}' must be (low, high), got {bounds!r}.")
            prior = out.get(ch, default_channel_prior(ch))
            out[ch] = replace(prior, roas=roas_prior(float(bounds[0]), float(bounds[1]), ch))
        return cls(out)

    def for_channel(self, channel: str) -> ChannelPrior:
        """Prior of one channel (override or default)."""
        return self.channels.get(channel) or default_channel_prior(channel)

    def check(self, channels: tuple[str, ...]) -> None:
        """Raise :class:`ConfigError` when an override names a channel absent from the data."""
        for ch in self.channels:
            if ch not in channels:
                raise ConfigError(
                    f"prior given for channel '{ch}', which is not in the data "
                    f"({', '.join(channels)}).{did_you_mean(ch, channels)}"
                )

    def to_dict(self) -> dict[str, dict[str, list[float]]]:
        """JSON-ready overrides."""
        return {
            ch: {"roas": [p.roas.mu, p.roas.sigma], "carryover": list(p.carryover)}
            for ch, p in self.channels.items()
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Mapping[str, list[float]]]) -> Priors:
        """Inverse of :meth:`to_dict`."""
        return cls(
            {
                ch: ChannelPrior(
                    LogNormalPrior(*map(float, d["roas"])),
                    (float(d["carryover"][0]), float(d["carryover"][1])),
                )
                for ch, d in data.items()
            }
        )
