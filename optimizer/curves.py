"""Response curves: posterior samples of incremental revenue for any spend plan (numpy only).

This is the hand-off between the media-mix model and the allocation solvers: it holds, per
posterior sample and channel, the adstock lag weights, the saturation parameters and the
maximum weekly effect, plus the spend of the last historical weeks so that carry-over into the
planning horizon is counted. Evaluating it needs no PyMC.

Conventions
-----------
* spend is EUR excl. VAT per week; response is incremental revenue in the model's target unit
  (EUR incl. VAT per week for the demo store);
* for each channel: ``response_t = beta * sat(adstock(spend)_t)`` where ``adstock`` is a
  normalised convolution with ``weights`` (lag 0 first, summing to 1) over history then plan;
* saturation ``"hill"``: ``x**s / (x**s + K**s)`` with parameters ``(K [EUR/week], s)``;
  ``"logistic"``: ``(1 - exp(-lam x)) / (1 + exp(-lam x))`` with parameters ``(lam [1/EUR], -)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.errors import ConfigError

__all__ = ["SATURATIONS", "ResponseCurves", "synthetic_curves"]

SATURATIONS = ("hill", "logistic")


def _sat(kind: str, x: np.ndarray, p0: np.ndarray, p1: np.ndarray) -> np.ndarray:
    if kind == "hill":
        xs = np.power(np.maximum(x, 0.0), p1)
        return xs / (xs + np.power(p0, p1))
    z = np.exp(-p0 * np.maximum(x, 0.0))
    return (1.0 - z) / (1.0 + z)


def _sat_grad(kind: str, x: np.ndarray, p0: np.ndarray, p1: np.ndarray) -> np.ndarray:
    """Derivative of the saturation with respect to ``x``."""
    x = np.maximum(x, 0.0)
    if kind == "hill":
        with np.errstate(divide="ignore", invalid="ignore"):
            ks = np.power(p0, p1)
            xs = np.power(x, p1)
            g = p1 * ks * np.power(x, p1 - 1.0) / (xs + ks) ** 2
        # slope < 1 has an infinite derivative at 0: cap it to keep solvers finite
        return np.where(np.isfinite(g), g, 1e6 / np.maximum(p0, 1e-9))
    z = np.exp(-p0 * x)
    return 2.0 * p0 * z / (1.0 + z) ** 2


@dataclass(frozen=True, eq=False)
class ResponseCurves:
    """Posterior response of each channel to spend, with carry-over.

    Attributes
    ----------
    channels : tuple of str
        Channel names (length C).
    weights : numpy.ndarray
        Adstock lag weights, shape (S, C, L), lag 0 first, each (s, c) row summing to 1.
    saturation : tuple of str
        Saturation kind per channel, ``"hill"`` or ``"logistic"``.
    params : numpy.ndarray
        Saturation parameters, shape (S, C, 2) (see module docstring).
    beta : numpy.ndarray
        Maximum weekly effect, shape (S, C), EUR of revenue per week.
    history : numpy.ndarray
        Spend of the last ``L - 1`` (or more) historical weeks, shape (H, C), EUR per week, oldest
        first; it carries over into the first weeks of any plan.
    current : numpy.ndarray
        Current weekly run-rate spend per channel, shape (C,), EUR per week (the "current plan").
    observed_max : numpy.ndarray or None
        Largest adstocked weekly spend per channel over the fitted history, shape (C,), EUR per
        week (posterior-mean carry-over): how far along each curve the data reach. Beyond it the
        curve is the model's extrapolation. None when unknown (the recent ``history`` is used).
    follows_sales : tuple of str
        Channels whose cost follows sales (commissions): planners keep their spend at the
        run-rate instead of treating it as budget to move.
    """

    channels: tuple[str, ...]
    weights: np.ndarray
    saturation: tuple[str, ...]
    params: np.ndarray
    beta: np.ndarray
    history: np.ndarray
    current: np.ndarray
    observed_max: np.ndarray | None = None
    follows_sales: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        s, c, lags = self.weights.shape
        if len(self.channels) != c or len(self.saturation) != c:
            raise ConfigError("ResponseCurves: channels, saturation and weights disagree on C.")
        if self.params.shape != (s, c, 2) or self.beta.shape != (s, c):
            raise ConfigError("ResponseCurves: params must be (S, C, 2) and beta (S, C).")
        if self.history.ndim != 2 or self.history.shape[1] != c:
            raise ConfigError("ResponseCurves: history must be (H, C).")
        if self.current.shape != (c,):
            raise ConfigError("ResponseCurves: current must be (C,).")
        if self.observed_max is not None and np.shape(self.observed_max) != (c,):
            raise ConfigError("ResponseCurves: observed_max must be (C,).")
        unknown = [c for c in self.follows_sales if c not in self.channels]
        if unknown:
            raise ConfigError(
                f"ResponseCurves: follows_sales names unknown channel {unknown[0]!r}."
            )
        object.__setattr__(self, "follows_sales", tuple(self.follows_sales))
        bad = [k for k in self.saturation if k not in SATURATIONS]
        if bad:
            raise ConfigError(
                f"ResponseCurves: unknown saturation '{bad[0]}'; use hill or logistic."
            )

    # ---------------------------------------------------------------------------------------
    @property
    def n_samples(self) -> int:
        """Number of posterior samples S."""
        return int(self.beta.shape[0])

    @property
    def max_lag(self) -> int:
        """Adstock window L (weeks, lag 0 included)."""
        return int(self.weights.shape[2])

    def _full(self, plan: np.ndarray) -> tuple[np.ndarray, int]:
        plan = np.asarray(plan, dtype=float)
        if plan.ndim != 2 or plan.shape[1] != len(self.channels):
            raise ConfigError(
                f"spend plan must be weeks x {len(self.channels)} channels, got shape {plan.shape}."
            )
        if (plan < 0).any():
            raise ConfigError("spend plan has negative values; spend must be >= 0 EUR.")
        pad = self.max_lag - 1
        hist = self.history[-pad:] if pad else self.history[:0]
        if len(hist) < pad:
            hist = np.vstack([np.zeros((pad - len(hist), plan.shape[1])), hist])
        return np.vstack([hist, plan]), pad

    def adstock(self, plan: np.ndarray) -> np.ndarray:
        """Adstocked spend over the plan weeks, shape (S, T, C), EUR per week."""
        full, pad = self._full(plan)
        t = plan.shape[0]
        lags = self.max_lag
        # windows[t, c, l] = spend at week (pad + t - l)
        idx = pad + np.arange(t)[:, None] - np.arange(lags)[None, :]
        windows = full[idx]  # (T, L, C)
        return np.einsum("tlc,scl->stc", windows, self.weights)

    def weekly(self, plan: np.ndarray) -> np.ndarray:
        """Incremental revenue per sample, week and channel, shape (S, T, C), EUR.

        Parameters
        ----------
        plan : numpy.ndarray
            Spend, shape (T, C), EUR per week for the weeks following the history.
        """
        x = self.adstock(plan)
        out = np.empty_like(x)
        for c, kind in enumerate(self.saturation):
            out[:, :, c] = self.beta[:, None, c] * _sat(
                kind, x[:, :, c], self.params[:, None, c, 0], self.params[:, None, c, 1]
            )
        return out

    def total(self, plan: np.ndarray, week_weights: np.ndarray | None = None) -> np.ndarray:
        """Total incremental revenue of a plan per posterior sample, shape (S,), EUR.

        ``week_weights`` (T,) values each week's revenue (e.g. the share of it the warehouse can
        ship); ``None`` counts every week fully.
        """
        weekly = self.weekly(plan)
        if week_weights is None:
            return weekly.sum(axis=(1, 2))
        return np.einsum("stc,t->s", weekly, np.asarray(week_weights, float))

    def gradient(self, plan: np.ndarray, week_weights: np.ndarray | None = None) -> np.ndarray:
        """Derivative of :meth:`total` with respect to each plan cell, shape (S, T, C), EUR/EUR.

        Spend in week ``t`` raises adstock in weeks ``t..t+L-1`` of the plan (effects beyond the
        plan's last week are not counted, as in :meth:`total`); ``week_weights`` as in
        :meth:`total`.
        """
        x = self.adstock(plan)
        t_len = plan.shape[0]
        dsat = np.empty_like(x)
        for c, kind in enumerate(self.saturation):
            dsat[:, :, c] = self.beta[:, None, c] * _sat_grad(
                kind, x[:, :, c], self.params[:, None, c, 0], self.params[:, None, c, 1]
            )
        if week_weights is not None:
            dsat = dsat * np.asarray(week_weights, float)[None, :, None]
        grad = np.zeros_like(x)
        for lag in range(self.max_lag):
            if lag >= t_len:
                break
            # d total / d plan[t] += dsat[t + lag] * w[lag]
            grad[:, : t_len - lag, :] += dsat[:, lag:, :] * self.weights[:, None, :, lag]
        return grad

    def steady_state(self, spend: np.ndarray) -> np.ndarray:
        """Weekly response at a constant spend level after carry-over has settled.

        Parameters
        ----------
        spend : numpy.ndarray
            Weekly spend per channel, shape (C,) or (G, C), EUR.

        Returns
        -------
        numpy.ndarray
            Shape (S, C) or (S, G, C): weekly incremental revenue, EUR.
        """
        x = np.atleast_2d(np.asarray(spend, float))  # (G, C); weights sum to 1
        out = np.empty((self.n_samples, x.shape[0], x.shape[1]))
        for c, kind in enumerate(self.saturation):
            out[:, :, c] = self.beta[:, None, c] * _sat(
                kind, x[None, :, c], self.params[:, None, c, 0], self.params[:, None, c, 1]
            )
        return out[:, 0, :] if np.ndim(spend) == 1 else out

    def marginal_roas(self, spend: np.ndarray) -> np.ndarray:
        """Steady-state marginal ROAS at a weekly spend level, shape (S, C), EUR per EUR."""
        x = np.asarray(spend, float)
        out = np.empty((self.n_samples, len(self.channels)))
        for c, kind in enumerate(self.saturation):
            out[:, c] = self.beta[:, c] * _sat_grad(
                kind, np.full(self.n_samples, x[c]), self.params[:, c, 0], self.params[:, c, 1]
            )
        return out

    def reach(self) -> np.ndarray:
        """How far the data reach along each curve, shape (C,), EUR per week (adstocked).

        :attr:`observed_max` when known, else the largest recent weekly spend.
        """
        if self.observed_max is not None:
            return np.asarray(self.observed_max, float)
        return np.maximum(self.history.max(axis=0, initial=0.0), self.current)

    def subset(self, samples: np.ndarray | slice) -> ResponseCurves:
        """The same curves restricted to some posterior samples."""
        return ResponseCurves(
            self.channels,
            self.weights[samples],
            self.saturation,
            self.params[samples],
            self.beta[samples],
            self.history,
            self.current,
            self.observed_max,
            self.follows_sales,
        )

    def mean_curves(self) -> ResponseCurves:
        """A one-sample object whose parameters are the posterior means (for quick previews).

        The response of posterior-mean parameters is not the posterior-mean response; solvers
        that optimize the mean outcome evaluate all samples instead.
        """
        return ResponseCurves(
            self.channels,
            self.weights.mean(axis=0, keepdims=True),
            self.saturation,
            self.params.mean(axis=0, keepdims=True),
            self.beta.mean(axis=0, keepdims=True),
            self.history,
            self.current,
            self.observed_max,
            self.follows_sales,
        )

    def to_dict(self) -> dict[str, object]:
        """JSON-ready representation (lists of floats)."""
        return {
            "channels": list(self.channels),
            "saturation": list(self.saturation),
            "weights": self.weights.tolist(),
            "params": self.params.tolist(),
            "beta": self.beta.tolist(),
            "history": self.history.tolist(),
            "current": self.current.tolist(),
            "observed_max": None if self.observed_max is None else self.observed_max.tolist(),
            "follows_sales": list(self.follows_sales),
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> ResponseCurves:
        """Inverse of :meth:`to_dict`."""
        return cls(
            tuple(data["channels"]),  # type: ignore[arg-type]
            np.asarray(data["weights"], float),
            tuple(data["saturation"]),  # type: ignore[arg-type]
            np.asarray(data["params"], float),
            np.asarray(data["beta"], float),
            np.asarray(data["history"], float).reshape(-1, len(data["channels"])),  # type: ignore[arg-type]
            np.asarray(data["current"], float),
            None if data.get("observed_max") is None else np.asarray(data["observed_max"], float),
            tuple(data.get("follows_sales", ())),  # type: ignore[arg-type]
        )


def synthetic_curves(
    n_channels: int = 3,
    n_samples: int = 20,
    lags: int = 3,
    slope: float | None = None,
    seed: int = 0,
    hetero_weights: bool = False,
) -> ResponseCurves:
    """Random Hill curves with geometric adstock, a stand-in posterior for solver studies.

    Parameters
    ----------
    n_channels : int
        Channels, named ``ch0``, ``ch1``, ...
    n_samples : int
        Posterior samples (half-saturation and maximum effect jittered by 10 % per sample).
    lags : int
        Adstock length, weeks.
    slope : float, optional
        Hill slope of every channel (> 1: S-shaped); None draws concave slopes in [0.6, 1].
    seed : int
        Random seed.
    hetero_weights : bool
        Whether the adstock decay also varies across samples.

    Returns
    -------
    ResponseCurves
        Half-saturation 2,000-10,000 EUR/week, maximum effect 20,000-60,000 EUR/week, current
        spend 2,000-8,000 EUR/week per channel.
    """
    rng = np.random.default_rng(seed)
    names = tuple(f"ch{i}" for i in range(n_channels))
    alpha = rng.uniform(0.0, 0.6, n_channels)
    w = alpha[:, None] ** np.arange(lags)[None, :]
    w = w / w.sum(axis=1, keepdims=True)
    weights = np.repeat(w[None], n_samples, axis=0)
    if hetero_weights:
        a_s = np.clip(alpha[None, :] + 0.1 * rng.standard_normal((n_samples, n_channels)), 0, 0.9)
        weights = a_s[:, :, None] ** np.arange(lags)[None, None, :]
        weights = weights / weights.sum(axis=2, keepdims=True)
    k = rng.uniform(2_000, 10_000, n_channels)
    s = rng.uniform(0.6, 1.0, n_channels) if slope is None else np.full(n_channels, slope)
    b = rng.uniform(20_000, 60_000, n_channels)
    params = np.zeros((n_samples, n_channels, 2))
    params[:, :, 0] = k[None] * np.exp(0.1 * rng.standard_normal((n_samples, n_channels)))
    params[:, :, 1] = s[None]
    beta = b[None] * np.exp(0.1 * rng.standard_normal((n_samples, n_channels)))
    current = rng.uniform(2_000, 8_000, n_channels)
    hist = np.tile(current, (lags + 2, 1))
    return ResponseCurves(names, weights, ("hill",) * n_channels, params, beta, hist, current)
