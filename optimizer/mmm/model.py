"""The media-mix model estimator (scikit-learn style).

Example
-------
>>> from optimizer.data import load_dataset
>>> from optimizer.mmm import MMM, Priors
>>> ds = load_dataset("scenarios/demo")                      # doctest: +SKIP
>>> mmm = MMM(priors=Priors.from_roas_ranges({"sea": (2, 4)}))  # doctest: +SKIP
>>> mmm.fit(ds.marketing, lift_tests=ds.lift_tests)            # doctest: +SKIP
>>> mmm.diagnostics_.passed, mmm.roas()                        # doctest: +SKIP
>>> curves = mmm.response_curves()                             # what allocation consumes
"""

from __future__ import annotations

import time
from dataclasses import KW_ONLY, dataclass
from typing import Any

import numpy as np
import pandas as pd

from optimizer.curves import ResponseCurves
from optimizer.data.lift_tests import LiftTests
from optimizer.data.marketing import MarketingHistory
from optimizer.errors import ConfigError, ConvergenceError, NotFittedError
from optimizer.mmm.attempts import FitAttempt
from optimizer.mmm.design import Design, data_hash
from optimizer.mmm.diagnostics import PPC_SEED, Diagnostics, GateThresholds, run_gate
from optimizer.mmm.estimator import NutsEstimator
from optimizer.mmm.extension import get_adstock
from optimizer.mmm.graph import ModelOptions, build_model
from optimizer.mmm.posterior import PosteriorSamples
from optimizer.mmm.priors import Priors
from optimizer.mmm.results import (
    baseline_forecast,
    channel_table,
    decomposition,
    response_curves,
    summary_dict,
)

__all__ = ["MMM"]


@dataclass(eq=False, repr=False)
class MMM(NutsEstimator):
    """Bayesian media-mix model: baseline + adstocked, saturated channel effects.

    Parameters
    ----------
    priors : Priors, optional
        Per-channel ROAS and carry-over priors (defaults by channel name).
    adstock : str
        ``geometric`` (default), ``delayed``, ``weibull``, or the name of a custom family
        registered with :func:`~optimizer.mmm.extension.register_adstock`.
    saturation : str
        ``hill`` (default) or ``logistic``.
    max_lag : int
        Adstock window in weeks (lag 0 included), default 12.
    fourier_order : int
        Yearly seasonality sine/cosine pairs, default 2.
    likelihood : str
        ``normal`` (default), ``student_t`` or ``ar1`` (autocorrelated weekly errors).
    holdout_weeks : int
        Last weeks kept out of the fit for the out-of-sample check (default 8; 0 for none).
    draws, tune, chains : int
        NUTS draws kept per chain, tuning steps per chain, chains (defaults 1000, 1000, 4).
    target_accept : float
        NUTS target acceptance (default 0.95: media-mix posteriors have narrow ridges).
    seed : int
        Random seed; a fit is deterministic for a given seed.
    sampler : str
        ``nutpie`` (default) or ``pymc``.
    progress : bool
        Show the sampler's progress display.
    thresholds : GateThresholds, optional
        Limits of the diagnostics gate.
    retries : int
        Extra NUTS runs (same compiled model, more careful settings) when the gate finds
        divergences, R-hat or ESS out of bounds (default 2; 0 to report the first run as it is).
        See :mod:`optimizer.mmm.attempts`.

    Attributes
    ----------
    design_ : Design
        Scaled inputs.
    idata_ : arviz.InferenceData
        Posterior and sampler statistics.
    samples_ : PosteriorSamples
        Flattened posterior (scaled units).
    diagnostics_ : Diagnostics
        Gate result.
    fit_seconds_ : float
        Wall time of :meth:`fit` (build, compile, sample, diagnose, retries), s.
    attempts_ : tuple of FitAttempt
        Every NUTS run of the fit, the last one being the posterior kept.
    compile_seconds_, sampling_seconds_ : float
        Parts of it spent compiling the model (nutpie) and sampling, s.
    sampler_ : str
        Sampler actually used.
    data_hash_ : str
        SHA-256 of the fitted numbers.
    history_ : MarketingHistory
        The history fitted.
    lift_tests_ : LiftTests or None
        The lift tests used.
    """

    _: KW_ONLY
    adstock: str = "geometric"
    saturation: str = "hill"

    # --- configuration ------------------------------------------------------------------------
    @property
    def options(self) -> ModelOptions:
        """Structural options (validated)."""
        return ModelOptions(
            adstock=self.adstock,
            saturation=self.saturation,
            max_lag=int(self.max_lag),
            fourier_order=int(self.fourier_order),
            likelihood=self.likelihood,
        )

    def get_params(self) -> dict[str, Any]:
        """Constructor arguments (JSON-ready; priors as a dict)."""
        return {
            "priors": (self.priors or Priors()).to_dict(),
            "adstock": self.adstock,
            "saturation": self.saturation,
            "max_lag": int(self.max_lag),
            "fourier_order": int(self.fourier_order),
            "likelihood": self.likelihood,
            "holdout_weeks": int(self.holdout_weeks),
            "draws": int(self.draws),
            "tune": int(self.tune),
            "chains": int(self.chains),
            "target_accept": float(self.target_accept),
            "seed": int(self.seed),
            "sampler": self.sampler,
            "thresholds": vars(self.thresholds or GateThresholds()),
            "retries": int(self.retries),
        }

    # --- fitting ------------------------------------------------------------------------------
    def fit(self, history: MarketingHistory, lift_tests: LiftTests | None = None) -> MMM:
        """Fit the model to a weekly history (and lift tests).

        Parameters
        ----------
        history : MarketingHistory
            Target (EUR per week), spend per channel (EUR per week), controls.
        lift_tests : LiftTests, optional
            Experiments; each adds ``measured ~ Normal(model lift, se)`` to the likelihood.

        Returns
        -------
        MMM
            ``self``, fitted.

        Raises
        ------
        DataError
            Too few weeks, zero or constant spend, a lift test on a channel not in the data.
        ConfigError
            Invalid options or priors.
        """
        t0 = time.perf_counter()
        opts = self.options
        if not 0 <= int(self.holdout_weeks) < history.n_weeks:
            raise ConfigError(
                f"holdout_weeks must be between 0 and {history.n_weeks - 1}, got {self.holdout_weeks}."
            )
        priors = self.priors or Priors()
        priors.check(history.channels)
        design = self._design(history, lift_tests)
        self._check_retries()
        model = build_model(design, priors, opts)

        def judge() -> Diagnostics:
            self._set_fitted(design, history, lift_tests)
            return self.diagnostics_

        done = self._sample(model, judge)
        self.attempts_ = done.attempts
        self.compile_seconds_ = done.compile_seconds
        self.sampling_seconds_ = done.sampling_seconds
        self.fit_seconds_ = time.perf_counter() - t0
        return self

    def _set_fitted(
        self, design: Design, history: MarketingHistory, lift_tests: LiftTests | None
    ) -> None:
        """Derive the fitted state from ``idata_`` (used by :meth:`fit` and by loading)."""
        self.design_ = design
        self.history_ = history
        self.lift_tests_ = lift_tests
        self.data_hash_ = data_hash(history, lift_tests)
        self.samples_ = PosteriorSamples.from_idata(self.idata_, self.options, design)
        base, contrib = self.samples_.fitted(design)
        pred = self.samples_.predictive(base + contrib.sum(axis=2), PPC_SEED) * design.y_scale
        self.diagnostics_ = run_gate(
            self.idata_,
            self.free_variables(),
            np.asarray(history.revenue, float),
            pred,
            design.n_train,
            self.thresholds or GateThresholds(),
        )

    def free_variables(self) -> list[str]:
        """Names of the sampled parameters checked by the gate."""
        names = ["level_gap", "coef", "roas", "sigma"]
        custom = get_adstock(self.adstock)
        if custom is not None:
            names += list(custom.params)
        else:
            names += {"weibull": ["ad_shape", "ad_scale"], "delayed": ["alpha", "theta"]}.get(
                self.adstock, ["alpha"]
            )
        names += ["half", "slope"] if self.saturation == "hill" else ["lam"]
        if self.likelihood == "ar1":
            names.append("rho")
        return names

    def _check_fitted(self) -> None:
        if not hasattr(self, "samples_"):
            raise NotFittedError(
                "this MMM is not fitted yet; call fit(history) or load a saved model."
            )

    def require_passed(self, allow_failed: bool = False) -> None:
        """Raise :class:`ConvergenceError` when the gate failed (unless ``allow_failed``)."""
        self._check_fitted()
        if not self.diagnostics_.passed and not allow_failed:
            tried: tuple[FitAttempt, ...] = getattr(self, "attempts_", ())
            after = (
                f" (after {len(tried)} NUTS runs, the last with target_accept "
                f"{tried[-1].target_accept}, {tried[-1].tune} tuning steps, {tried[-1].draws} draws)"
                if len(tried) > 1
                else ""
            )
            raise ConvergenceError(
                f"the media-mix model failed its diagnostics gate{after} and may not be used for "
                "optimization:\n  - "
                + "\n  - ".join(self.diagnostics_.failures)
                + "\nFix the fit, or override explicitly (allow_failed=True)."
            )

    # --- results (see optimizer.mmm.results) -------------------------------------------------
    def roas(self) -> pd.DataFrame:
        """Per channel: spend, contribution, ROAS, marginal ROAS, share (mean, 5 %, 95 %)."""
        self._check_fitted()
        return channel_table(self)

    def decomposition(self) -> pd.DataFrame:
        """Weekly actual, fitted, baseline and channel contributions (posterior means, EUR)."""
        self._check_fitted()
        return decomposition(self)

    def response_curves(self, n_samples: int = 300, allow_failed: bool = False) -> ResponseCurves:
        """Posterior response curves in EUR for allocation (thinned to ``n_samples``).

        Raises
        ------
        ConvergenceError
            The gate failed and ``allow_failed`` is false.
        """
        self.require_passed(allow_failed)
        return response_curves(self, n_samples)

    def baseline_forecast(
        self, weeks: pd.DatetimeIndex, controls: pd.DataFrame | None = None, n_samples: int = 300
    ) -> np.ndarray:
        """Baseline revenue for future weeks, (S, T'), EUR per week.

        Samples are the same (same order) as :meth:`response_curves` with the same
        ``n_samples``, so ``baseline + curves.weekly(plan).sum(-1)`` is a joint posterior draw.
        """
        self._check_fitted()
        return baseline_forecast(self, weeks, controls, n_samples)

    def summary(self) -> dict[str, Any]:
        """The ``summary.json`` content (channels, diagnostics, holdout, fit time, seed)."""
        self._check_fitted()
        return summary_dict(self)
