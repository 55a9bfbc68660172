"""Running NUTS: nutpie (compiled with numba) by default, PyMC's own NUTS as the fallback."""

from __future__ import annotations

import logging
import os
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import arviz as az
import pymc as pm

from optimizer.errors import ConfigError
from optimizer.interrupt import require_all_draws
from optimizer.mmm.attempts import FitAttempt, SamplerSettings, next_settings, sampler_trouble
from optimizer.mmm.diagnostics import Diagnostics, GateThresholds
from optimizer.nuts import compile_nutpie

__all__ = ["SAMPLERS", "RetriedFit", "SampleRun", "sample", "sample_with_retries"]

SAMPLERS = ("nutpie", "pymc")
_log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class SampleRun:
    """Result of :func:`sample`: draws, the sampler used and where the time went (s)."""

    idata: az.InferenceData
    sampler: str
    compile_seconds: float
    sampling_seconds: float
    compiled: Any = None  # nutpie's compiled model, reusable by a second run (None for PyMC)


@dataclass(frozen=True)
class _Nuts:
    """One run's NUTS settings, as :func:`sample` hands them to either sampler."""

    draws: int
    tune: int
    chains: int
    seed: int
    target_accept: float
    progress: bool

    def shared_kwargs(self) -> dict[str, Any]:
        """The keyword arguments that ``nutpie.sample`` and ``pymc.sample`` name alike."""
        return {
            "draws": self.draws,
            "tune": self.tune,
            "chains": self.chains,
            "cores": max(1, min(self.chains, os.cpu_count() or 1)),
            "target_accept": self.target_accept,
        }


def sample(
    model: pm.Model,
    *,
    draws: int,
    tune: int,
    chains: int,
    seed: int,
    target_accept: float,
    sampler: str = "nutpie",
    progress: bool = False,
    compiled: Any = None,
) -> SampleRun:
    """Sample the posterior of ``model``.

    Parameters
    ----------
    model : pymc.Model
        The model.
    draws, tune, chains : int
        Kept draws per chain, tuning steps per chain, number of chains.
    seed : int
        Random seed; the same seed gives the same draws.
    target_accept : float
        NUTS target acceptance rate (higher: smaller steps, fewer divergences).
    sampler : str
        ``nutpie`` (falls back to ``pymc`` when nutpie is missing or cannot compile the model)
        or ``pymc``.
    progress : bool
        Show a progress display.
    compiled : object, optional
        ``SampleRun.compiled`` of an earlier run of the same model (nutpie): skips compiling.

    Returns
    -------
    SampleRun
        Posterior with ``sample_stats``, the sampler actually used, compile and sampling time.

    Raises
    ------
    KeyboardInterrupt, optimizer.interrupt.Interrupted
        Sampling was interrupted (the samplers themselves would return the draws made so far).
    """
    _check_settings(sampler, draws, tune, chains, target_accept)
    t0 = time.perf_counter()
    nuts = _Nuts(draws, tune, chains, seed, target_accept, progress)
    run = _sample_nutpie(model, compiled, t0, nuts) if sampler == "nutpie" else None
    if run is None:
        run = _sample_pymc(model, t0, nuts)
    return run


def _check_settings(sampler: str, draws: int, tune: int, chains: int, target_accept: float) -> None:
    if sampler not in SAMPLERS:
        raise ConfigError(f"sampler '{sampler}' is unknown; use one of {', '.join(SAMPLERS)}.")
    if min(draws, chains) < 1 or tune < 0:
        raise ConfigError(
            f"draws and chains must be >= 1 and tune >= 0, got {draws}, {chains}, {tune}."
        )
    if not 0.5 <= target_accept < 1:
        raise ConfigError(f"target_accept must lie in [0.5, 1), got {target_accept}.")


def _sample_nutpie(model: pm.Model, compiled: Any, t0: float, nuts: _Nuts) -> SampleRun | None:
    """Sample with nutpie; ``None`` when nutpie is missing or cannot compile the model."""
    try:
        import nutpie  # lazy: nutpie and numba load in seconds

        if compiled is None:
            # the trace keeps the free parameters only: the model's deterministics (each
            # channel's beta, the intercept) are derived in numpy (PosteriorSamples), which
            # cuts the compile time of a new machine by ~40 % (measured on the demo model)
            compiled = compile_nutpie(model, [v.name for v in model.free_RVs])
    except Exception as exc:
        _log.warning("nutpie unavailable (%s); falling back to PyMC NUTS", exc)
        return None
    t1 = time.perf_counter()
    idata = nutpie.sample(
        compiled,
        **nuts.shared_kwargs(),
        seed=nuts.seed,
        progress_bar=nuts.progress,
        save_warmup=False,
        # a low-rank mass matrix learns the correlated directions (collinear controls,
        # channels whose spend moves with the season): ~3x fewer gradient evaluations
        low_rank_modified_mass_matrix=True,
    )
    require_all_draws(idata.posterior.sizes, draws=nuts.draws, chains=nuts.chains, what="model")
    return SampleRun(idata, "nutpie", t1 - t0, time.perf_counter() - t1, compiled)


def _sample_pymc(model: pm.Model, t0: float, nuts: _Nuts) -> SampleRun:
    """PyMC's own NUTS (its compile time counts as sampling time)."""
    with model, warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning)
        warnings.filterwarnings("ignore", category=RuntimeWarning)
        idata = pm.sample(
            **nuts.shared_kwargs(),
            random_seed=nuts.seed,
            progressbar=nuts.progress,
            compute_convergence_checks=False,
            return_inferencedata=True,
        )
    require_all_draws(idata.posterior.sizes, draws=nuts.draws, chains=nuts.chains, what="model")
    # PyMC compiles inside pm.sample: its compile time is counted as sampling time
    return SampleRun(idata, "pymc", 0.0, time.perf_counter() - t0)


@dataclass(frozen=True, eq=False)
class RetriedFit:
    """Result of :func:`sample_with_retries`: every attempt and where the time went (s)."""

    attempts: tuple[FitAttempt, ...]
    sampler: str
    compile_seconds: float
    sampling_seconds: float


def sample_with_retries(
    model: pm.Model,
    asked: SamplerSettings,
    evaluate: Callable[[SampleRun], Diagnostics],
    *,
    chains: int,
    seed: int,
    sampler: str,
    progress: bool,
    retries: int,
    thresholds: GateThresholds,
) -> RetriedFit:
    """Sample, judge the run with ``evaluate``, and retry as :mod:`optimizer.mmm.attempts` says.

    ``evaluate`` receives each run (the last one is the posterior kept: it should store it) and
    returns the gate's verdict on it. The compiled model is reused by every retry.
    """
    settings: SamplerSettings | None = asked
    attempts: list[FitAttempt] = []
    compiled: Any = None
    used, compile_s, sampling_s = sampler, 0.0, 0.0
    while settings is not None:
        run = sample(
            model,
            draws=settings.draws,
            tune=settings.tune,
            chains=chains,
            seed=seed,
            target_accept=settings.target_accept,
            sampler=sampler,
            progress=progress,
            compiled=compiled,
        )
        compiled, used = run.compiled, run.sampler
        compile_s += run.compile_seconds
        sampling_s += run.sampling_seconds
        diag = evaluate(run)
        attempts.append(
            FitAttempt(
                number=len(attempts) + 1,
                draws=settings.draws,
                tune=settings.tune,
                chains=chains,
                target_accept=settings.target_accept,
                reason=settings.reason,
                compile_seconds=round(run.compile_seconds, 3),
                sampling_seconds=round(run.sampling_seconds, 3),
                r_hat_max=diag.r_hat_max,
                ess_bulk_min=diag.ess_bulk_min,
                ess_tail_min=diag.ess_tail_min,
                divergences=diag.divergences,
                passed=diag.passed,
                failures=tuple(diag.failures),
            )
        )
        settings = (
            None
            if len(attempts) > retries
            else next_settings(
                asked, settings, sampler_trouble(diag, thresholds), chains, thresholds
            )
        )
    return RetriedFit(tuple(attempts), used, compile_s, sampling_s)
