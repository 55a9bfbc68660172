"""What the single-shop and the pooled media-mix models share: their settings and NUTS run.

:class:`~optimizer.mmm.model.MMM` and :class:`~optimizer.mmm.pooled.PooledMMM` take the same
constructor arguments (the single model adds its adstock and saturation families), build each
history's design the same way and sample with the same retry schedule
(:mod:`optimizer.mmm.attempts`); :class:`NutsEstimator` holds that once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, fields
from typing import Any, Self

import arviz as az
import pymc as pm

from optimizer.data.lift_tests import LiftTests
from optimizer.data.marketing import MarketingHistory
from optimizer.errors import ConfigError
from optimizer.mmm.attempts import DEFAULT_RETRIES, SamplerSettings
from optimizer.mmm.design import Design, build_design
from optimizer.mmm.diagnostics import Diagnostics, GateThresholds
from optimizer.mmm.priors import Priors
from optimizer.mmm.sampling import RetriedFit, SampleRun, sample_with_retries

__all__ = ["NutsEstimator"]


@dataclass(eq=False, repr=False)
class NutsEstimator:
    """Constructor arguments and NUTS run of the media-mix estimators.

    The parameters are those of :class:`~optimizer.mmm.model.MMM` (same meaning, same
    defaults); all but ``priors`` are keyword-only.
    """

    priors: Priors | None = None
    _: KW_ONLY
    max_lag: int = 12
    fourier_order: int = 2
    likelihood: str = "normal"
    holdout_weeks: int = 8
    draws: int = 1000
    tune: int = 1000
    chains: int = 4
    target_accept: float = 0.95
    seed: int = 0
    sampler: str = "nutpie"
    progress: bool = False
    thresholds: GateThresholds | None = None
    retries: int = DEFAULT_RETRIES

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Self:
        """An unfitted estimator from saved ``get_params()`` (priors and thresholds as dicts)."""
        params = dict(params)
        priors = Priors.from_dict(params.pop("priors"))
        thresholds = GateThresholds(**params.pop("thresholds"))
        return cls(priors, thresholds=thresholds, **params)

    def shared_settings(self) -> dict[str, Any]:
        """The keyword arguments every estimator takes (all of this class's but ``priors``)."""
        return {f.name: getattr(self, f.name) for f in fields(NutsEstimator) if f.name != "priors"}

    def _check_retries(self) -> None:
        if not 0 <= int(self.retries) <= 5:
            raise ConfigError(f"retries must be between 0 and 5, got {self.retries}.")

    def _design(self, history: MarketingHistory, lift_tests: LiftTests | None) -> Design:
        """The scaled design of ``history`` with these settings."""
        return build_design(
            history,
            max_lag=int(self.max_lag),
            fourier_order=int(self.fourier_order),
            holdout_weeks=int(self.holdout_weeks),
            lift_tests=lift_tests,
        )

    def _sample(self, model: pm.Model, judge: Callable[[], Diagnostics]) -> RetriedFit:
        """Sample ``model`` with these settings, retrying as the gate says.

        Each run's posterior and sample statistics become ``idata_`` (and its sampler
        ``sampler_``) before ``judge`` derives the fitted state from them and returns the gate's
        verdict; the last run is the one kept.
        """

        def evaluate(run: SampleRun) -> Diagnostics:
            keep = [g for g in ("posterior", "sample_stats") if g in run.idata.groups()]
            self.idata_ = az.InferenceData(**{g: run.idata[g] for g in keep})  # type: ignore[arg-type]
            self.sampler_ = run.sampler
            return judge()

        return sample_with_retries(
            model,
            SamplerSettings(int(self.draws), int(self.tune), float(self.target_accept)),
            evaluate,
            chains=int(self.chains),
            seed=int(self.seed),
            sampler=self.sampler,
            progress=self.progress,
            retries=int(self.retries),
            thresholds=self.thresholds or GateThresholds(),
        )
