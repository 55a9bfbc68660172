"""What a careful analyst tries when NUTS struggles: the fit's own retry schedule.

A first run with divergences, disagreeing chains or too few effective draws is not the end of a
fit. Before reporting failure, :meth:`optimizer.mmm.MMM.fit` runs the same compiled model again
with the settings an analyst would pick for what went wrong:

* divergent transitions: a higher target acceptance (0.99, then 0.995: smaller steps through the
  narrow ridges of saturation curves) and twice the tuning (a better-adapted mass matrix);
* R-hat above its limit: twice the tuning and twice the draws (chains that have not met yet);
* ESS below its limit: twice the draws.

Each retry starts from the previous attempt's settings; tuning and draws never exceed
:data:`MAX_GROWTH` times what was asked, and at most ``retries`` extra runs are made (default 2),
so a fit samples at most about 1 + 2 + 4 = 7 times the steps of its first attempt (longer when
a higher target acceptance shortens the steps) and compiles once. A deliberately short run
(chains x draws below the ESS limit, as in quick tests) is not retried: no setting could make it
pass. Model-fit failures (posterior-predictive coverage,
hold-out error) are not sampler problems and are never retried. Every attempt is recorded
(:class:`FitAttempt`) in the model's summary.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from optimizer.mmm.diagnostics import Diagnostics, GateThresholds

__all__ = [
    "DEFAULT_RETRIES",
    "MAX_GROWTH",
    "FitAttempt",
    "SamplerSettings",
    "next_settings",
    "sampler_trouble",
]

DEFAULT_RETRIES = 2
MAX_GROWTH = 4  # tuning and draws of a retry are at most this multiple of what was asked
_TARGET_STEPS = (0.99, 0.995)


@dataclass(frozen=True)
class SamplerSettings:
    """NUTS settings of one attempt."""

    draws: int
    tune: int
    target_accept: float
    reason: str = "as requested"


@dataclass(frozen=True)
class FitAttempt:
    """One NUTS run of a fit and what the gate said of it.

    Attributes
    ----------
    number : int
        1 for the first run.
    draws, tune, chains : int
        Settings of the run.
    target_accept : float
        NUTS target acceptance.
    reason : str
        Why these settings (``as requested`` or what the previous attempt lacked).
    compile_seconds, sampling_seconds : float
        Time spent compiling (0 when the compiled model was reused) and sampling, s.
    r_hat_max, ess_bulk_min, ess_tail_min : float
        Worst convergence figures over the free parameters.
    divergences : int
        Divergent transitions after tuning.
    passed : bool
        The whole gate passed on this attempt.
    failures : tuple of str
        The gate's failure lines.
    """

    number: int
    draws: int
    tune: int
    chains: int
    target_accept: float
    reason: str
    compile_seconds: float
    sampling_seconds: float
    r_hat_max: float
    ess_bulk_min: float
    ess_tail_min: float
    divergences: int
    passed: bool
    failures: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        out = asdict(self)
        out["failures"] = list(self.failures)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FitAttempt:
        """Inverse of :meth:`to_dict`."""
        return cls(**{**data, "failures": tuple(data.get("failures", ()))})


def sampler_trouble(diag: Diagnostics, thresholds: GateThresholds) -> tuple[str, ...]:
    """Which sampler checks failed: ``divergences``, ``r_hat``, ``ess`` (empty when none)."""
    out = []
    if diag.divergences > thresholds.divergences_max:
        out.append("divergences")
    if not diag.r_hat_max <= thresholds.r_hat_max:
        out.append("r_hat")
    if not min(diag.ess_bulk_min, diag.ess_tail_min) >= thresholds.ess_min:
        out.append("ess")
    return tuple(out)


def next_settings(
    asked: SamplerSettings,
    last: SamplerSettings,
    trouble: tuple[str, ...],
    chains: int,
    thresholds: GateThresholds,
) -> SamplerSettings | None:
    """Settings of the next attempt, or None when no retry can help.

    Parameters
    ----------
    asked : SamplerSettings
        What the user asked for (caps the growth).
    last : SamplerSettings
        The attempt that just failed.
    trouble : tuple of str
        :func:`sampler_trouble` of that attempt.
    chains : int
        Number of chains (unchanged by retries).
    thresholds : GateThresholds
        The gate's limits.
    """
    if not trouble or chains * asked.draws < thresholds.ess_min:
        return None
    target = last.target_accept
    tune, draws = last.tune, last.draws
    if "divergences" in trouble:
        target = next((t for t in _TARGET_STEPS if t > last.target_accept), last.target_accept)
        tune *= 2
    if "r_hat" in trouble:
        tune *= 2 if "divergences" not in trouble else 1
        draws *= 2
    if "ess" in trouble and "r_hat" not in trouble:
        draws *= 2
    tune = min(max(tune, 1), MAX_GROWTH * max(asked.tune, 250))
    draws = min(draws, MAX_GROWTH * asked.draws)
    if (target, tune, draws) == (last.target_accept, last.tune, last.draws):
        return None  # every knob is at its cap
    what = {"divergences": "divergent transitions", "r_hat": "R-hat", "ess": "low ESS"}
    return SamplerSettings(
        draws=draws,
        tune=tune,
        target_accept=target,
        reason="retry after " + ", ".join(what[t] for t in trouble),
    )
