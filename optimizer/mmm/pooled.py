"""Pooled media-mix model of a handful of shops: one PyMC model, one MMM per shop out of it.

Channel parameters are partially pooled across the shops that have the channel (see
:mod:`optimizer.mmm.pooled_graph`); baselines, seasonality, controls, noise and scales stay each
shop's own. After sampling, each shop's slice of the posterior becomes an ordinary fitted
:class:`~optimizer.mmm.model.MMM` (same variable names, the shop's own design and diagnostics
gate), so every result, :class:`~optimizer.curves.ResponseCurves` and planner works per shop
unchanged, and each shop's slice saves and loads as a standard model folder
(:mod:`optimizer.mmm.pooled_folder`).

Example
-------
>>> pooled = PooledMMM(seed=7).fit({"a": hist_a, "b": hist_b})  # doctest: +SKIP
>>> pooled.shop("b").roas(), pooled.response_curves()["b"]       # doctest: +SKIP
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any

import arviz as az
import pandas as pd
import xarray as xr

from optimizer.curves import ResponseCurves
from optimizer.data.lift_tests import LiftTests
from optimizer.data.marketing import MarketingHistory
from optimizer.errors import ConfigError, ConvergenceError, DataError, NotFittedError
from optimizer.mmm.attempts import FitAttempt
from optimizer.mmm.design import Design
from optimizer.mmm.diagnostics import Diagnostics, GateThresholds, HoldoutCheck, convergence
from optimizer.mmm.estimator import NutsEstimator
from optimizer.mmm.graph import ModelOptions
from optimizer.mmm.model import MMM
from optimizer.mmm.pooled_graph import KINDS, build_pooled_model, pair_values, pool_index
from optimizer.mmm.priors import Priors

__all__ = ["PooledMMM"]

SHOP_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


class PooledMMM(NutsEstimator):
    """Hierarchical media-mix model of several shops (geometric adstock, Hill saturation).

    Parameters
    ----------
    priors : Priors, optional
        Channel priors by name: each family's group value gets the single model's prior.
    max_lag, fourier_order, likelihood, holdout_weeks, draws, tune, chains, target_accept, \
seed, sampler, progress, thresholds, retries
        As for :class:`~optimizer.mmm.model.MMM` (same defaults); the gate applies to every
        shop and to the group parameters.

    Attributes
    ----------
    index_ : PoolIndex
        Shops and channel families.
    idata_ : arviz.InferenceData
        The pooled posterior (group values, deviations, every shop's own parameters).
    shops_ : dict of str to MMM
        Each shop's fitted model (its slice of the pooled posterior).
    diagnostics_ : Diagnostics
        The combined gate: every shop's and the group parameters' (failures name the shop).
    attempts_ : tuple of FitAttempt
        Every NUTS run, the last one kept.
    fit_seconds_, compile_seconds_, sampling_seconds_ : float
        Wall time of the fit, and of compiling and sampling in it, s.
    """

    def get_params(self) -> dict[str, Any]:
        """Constructor arguments (JSON-ready)."""
        params = self._estimator().get_params()
        return {k: v for k, v in params.items() if k not in ("adstock", "saturation")}

    def _estimator(self, channels: tuple[str, ...] | None = None) -> MMM:
        """An unfitted single-shop MMM with these settings (priors of ``channels`` only)."""
        priors = self.priors or Priors()
        if channels is not None:
            priors = Priors({c: p for c, p in priors.channels.items() if c in channels})
        return MMM(priors, **self.shared_settings())

    # --- fitting ------------------------------------------------------------------------------
    def fit(
        self,
        histories: Mapping[str, MarketingHistory],
        lift_tests: Mapping[str, LiftTests | None] | None = None,
    ) -> PooledMMM:
        """Fit the shops' histories jointly.

        Parameters
        ----------
        histories : mapping of str to MarketingHistory
            Each shop's weekly history (revenue and spend in EUR per week, controls).
        lift_tests : mapping of str to LiftTests, optional
            Each shop's experiments (shops absent or ``None``: none).

        Returns
        -------
        PooledMMM
            ``self``, fitted.

        Raises
        ------
        DataError
            A shop's history too short, a channel with zero or constant spend (named with the
            shop), a lift test on an unknown channel.
        ConfigError
            No shop, a lift test for an unknown shop, invalid options or priors.
        """
        t0 = time.perf_counter()
        if not histories:
            raise ConfigError("PooledMMM.fit: no shop given; pass {shop name: history}.")
        tests = dict(lift_tests or {})
        if unknown := [s for s in tests if s not in histories]:
            raise ConfigError(f"lift tests given for unknown shop '{unknown[0]}'; fix the name.")
        opts = ModelOptions(
            max_lag=int(self.max_lag),
            fourier_order=int(self.fourier_order),
            likelihood=self.likelihood,
        )
        priors = self.priors or Priors()
        priors.check(tuple(dict.fromkeys(c for h in histories.values() for c in h.channels)))
        self._check_retries()
        designs = self._designs(histories, tests)
        self.index_ = pool_index({n: h.channels for n, h in histories.items()})
        self.histories_ = dict(histories)
        self.lift_tests_ = {n: tests.get(n) for n in histories}
        self.designs_ = designs
        model = build_pooled_model(designs, self.index_, priors, opts)

        def judge() -> Diagnostics:
            self.shops_ = self._views()
            self.diagnostics_ = self._combined()
            return self.diagnostics_

        done = self._sample(model, judge)
        self._set_timing(done.attempts, done.compile_seconds, done.sampling_seconds, t0)
        return self

    def _designs(
        self,
        histories: Mapping[str, MarketingHistory],
        tests: Mapping[str, LiftTests | None],
    ) -> dict[str, Design]:
        """Each shop's design; a shop's data error names the shop."""
        designs: dict[str, Design] = {}
        for name, h in histories.items():
            if not SHOP_NAME.fullmatch(name):
                raise ConfigError(
                    f"shop name {name!r}: use letters, digits, '_', '-' or '.' (it names a folder)."
                )
            if not 0 <= int(self.holdout_weeks) < h.n_weeks:
                raise ConfigError(
                    f"shop '{name}': holdout_weeks must be between 0 and {h.n_weeks - 1}, got "
                    f"{self.holdout_weeks}."
                )
            try:
                designs[name] = self._design(h, tests.get(name))
            except DataError as exc:
                raise DataError(f"shop '{name}': {exc}") from None
        return designs

    def _set_timing(
        self, attempts: tuple[FitAttempt, ...], compile_s: float, sampling_s: float, t0: float
    ) -> None:
        self.attempts_ = attempts
        self.compile_seconds_, self.sampling_seconds_ = compile_s, sampling_s
        self.fit_seconds_ = time.perf_counter() - t0
        for view in self.shops_.values():  # a shop's model reports the joint fit it came from
            view.attempts_ = attempts
            view.compile_seconds_, view.sampling_seconds_ = compile_s, sampling_s
            view.fit_seconds_ = self.fit_seconds_

    def _views(self) -> dict[str, MMM]:
        """Each shop's slice of the pooled posterior as a fitted single-shop MMM."""
        post = self.idata_["posterior"]
        draws = {str(v): post[v].to_numpy() for v in post.data_vars}
        values = pair_values(draws, self.index_)
        views = {}
        for k, (name, d) in enumerate(self.designs_.items()):
            idx = self.index_.of_shop(k)
            data: dict[str, Any] = {
                kind: (("chain", "draw", "channel"), values[kind][..., idx]) for kind in KINDS
            }
            p = len(d.baseline_names)
            data["coef"] = (("chain", "draw", "regressor"), draws["coef"][..., k, :p])
            for var in ("level_gap", "sigma", "rho"):
                if var in draws:
                    data[var] = (("chain", "draw"), draws[var][..., k])
            coords = {
                "chain": post["chain"].to_numpy(),
                "draw": post["draw"].to_numpy(),
                "channel": list(d.channels),
                "regressor": list(d.baseline_names),
            }
            view = self._estimator(d.channels)
            view.idata_ = az.InferenceData(
                posterior=xr.Dataset(data, coords=coords), sample_stats=self.idata_["sample_stats"]
            )
            view.sampler_ = self.sampler_
            view._set_fitted(d, self.histories_[name], self.lift_tests_[name])
            views[name] = view
        return views

    def group_variables(self) -> list[str]:
        """Names of the sampled group parameters (``mu_*``, ``tau_*``) checked by the gate."""
        post = self.idata_["posterior"]
        return [v for k in KINDS for v in (f"mu_{k}", f"tau_{k}") if v in post.data_vars]

    def _combined(self) -> Diagnostics:
        """The gate of every shop and of the group parameters, in one verdict."""
        t = self.thresholds or GateThresholds()
        shops = {n: v.diagnostics_ for n, v in self.shops_.items()}
        said: dict[str, list[str]] = {}
        for name, d in shops.items():
            for line in d.failures:
                said.setdefault(line, []).append(f"'{name}'")
        failures = [f"shop {', '.join(who)}: {line}" for line, who in said.items()]
        r_hat, ess_b, ess_t = convergence(self.idata_, self.group_variables())
        if not r_hat <= t.r_hat_max:
            failures.append(
                f"group parameters: max R-hat {r_hat:.3f} > {t.r_hat_max}: run longer (more "
                "--tune and --draws) or fit the shops independently."
            )
        if not min(ess_b, ess_t) >= t.ess_min:
            failures.append(
                f"group parameters: min ESS {min(ess_b, ess_t):.0f} < {t.ess_min:.0f}: raise "
                "--draws or --chains."
            )
        holds = [d.holdout for d in shops.values() if d.holdout.mape is not None]
        return Diagnostics(
            r_hat_max=max([r_hat, *(d.r_hat_max for d in shops.values())]),
            ess_bulk_min=min([ess_b, *(d.ess_bulk_min for d in shops.values())]),
            ess_tail_min=min([ess_t, *(d.ess_tail_min for d in shops.values())]),
            divergences=max(d.divergences for d in shops.values()),
            ppc_coverage_90=min(d.ppc_coverage_90 for d in shops.values()),
            holdout=HoldoutCheck(
                int(self.holdout_weeks),
                max(h.mape for h in holds if h.mape is not None) if holds else None,
                min(h.coverage_90 for h in holds if h.coverage_90 is not None) if holds else None,
            ),
            passed=not failures,
            failures=failures,
        )

    # --- results ------------------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "shops_"):
            raise NotFittedError("this PooledMMM is not fitted yet; call fit() or load_pooled().")

    def shop(self, name: str) -> MMM:
        """The fitted model of one shop."""
        self._check_fitted()
        if name not in self.shops_:
            raise ConfigError(f"no shop '{name}' in this model ({', '.join(self.shops_)}).")
        return self.shops_[name]

    def require_passed(self, allow_failed: bool = False) -> None:
        """Raise :class:`ConvergenceError` when the combined gate failed (unless allowed)."""
        self._check_fitted()
        if not self.diagnostics_.passed and not allow_failed:
            raise ConvergenceError(
                "the pooled media-mix model failed its diagnostics gate and may not be used for "
                "optimization:\n  - " + "\n  - ".join(self.diagnostics_.failures) + "\nFix the "
                "fit, fit the shops independently, or override explicitly (allow_failed=True)."
            )

    def response_curves(
        self, n_samples: int = 300, allow_failed: bool = False
    ) -> dict[str, ResponseCurves]:
        """Each shop's posterior response curves in EUR (see :meth:`MMM.response_curves`)."""
        self.require_passed(allow_failed)
        return {n: v.response_curves(n_samples, allow_failed=True) for n, v in self.shops_.items()}

    def roas(self) -> pd.DataFrame:
        """Every shop's ROAS table (:meth:`MMM.roas`), indexed by ``(shop, channel)``."""
        self._check_fitted()
        return pd.concat({n: v.roas() for n, v in self.shops_.items()}, names=["shop"])
