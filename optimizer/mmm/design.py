"""Design of the media-mix model: scaled arrays built once from a marketing history.

Everything the sampler sees is scaled so that priors can be weakly informative and the same for
any store: the target is divided by its mean over the training weeks, each channel's spend by
its mean over the weeks it was active, controls by their largest absolute value. Results are
converted back to EUR with :attr:`Design.y_scale` and :attr:`Design.spend_scale`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.data.lift_tests import LiftTests
from optimizer.data.marketing import MarketingHistory
from optimizer.errors import DataError, did_you_mean
from optimizer.mmm.transforms import lag_tensor

__all__ = ["Design", "LiftDesign", "build_design", "data_hash", "fourier_features"]

MIN_TRAIN_WEEKS = 26


def fourier_features(weeks: pd.DatetimeIndex, order: int) -> np.ndarray:
    """Yearly Fourier terms ``sin/cos(2 pi k doy / 365.25)``, ``k = 1..order``, shape (T, 2 order)."""
    doy = weeks.dayofyear.to_numpy(float) / 365.25
    cols = []
    for k in range(1, order + 1):
        cols += [np.sin(2 * np.pi * k * doy), np.cos(2 * np.pi * k * doy)]
    return np.column_stack(cols) if cols else np.zeros((len(weeks), 0))


def data_hash(history: MarketingHistory, lift_tests: LiftTests | None = None) -> str:
    """SHA-256 of the numbers the model is fitted on (weeks, target, spend, controls, tests)."""
    h = hashlib.sha256()
    h.update(history.weeks.strftime("%Y-%m-%d").str.cat(sep=",").encode())
    h.update(
        ",".join(history.channels).encode() + b"|" + ",".join(history.controls.columns).encode()
    )
    for arr in (history.revenue, history.spend.to_numpy(float), history.controls.to_numpy(float)):
        h.update(np.ascontiguousarray(np.round(np.asarray(arr, float), 6)).tobytes())
    if lift_tests is not None and len(lift_tests):
        h.update(lift_tests.frame.to_csv(index=False).encode())
    return h.hexdigest()


@dataclass(frozen=True, eq=False)
class LiftDesign:
    """Lift tests as padded arrays for the likelihood.

    Attributes
    ----------
    channel : numpy.ndarray
        Channel index per test, shape (N,).
    actual, modified : numpy.ndarray
        Lag windows of scaled spend over each test's weeks, actual and as tested, (N, W, L).
    mask : numpy.ndarray
        1 for real weeks of each test window, 0 for padding, (N, W).
    measured, se : numpy.ndarray
        Measured incremental revenue and its standard error, scaled by ``y_scale``, (N,).
    """

    channel: np.ndarray
    actual: np.ndarray
    modified: np.ndarray
    mask: np.ndarray
    measured: np.ndarray
    se: np.ndarray


@dataclass(frozen=True, eq=False)
class Design:
    """Scaled model inputs.

    Attributes
    ----------
    channels, controls : tuple of str
        Names.
    weeks : pandas.DatetimeIndex
        All history weeks (T).
    n_train : int
        Weeks used for fitting (the first ``n_train``); the rest is the hold-out.
    y : numpy.ndarray
        Target over all weeks divided by ``y_scale``, (T,).
    y_scale : float
        Mean target over the training weeks, EUR per week.
    spend : numpy.ndarray
        Spend, EUR per week, (T, C).
    spend_scale : numpy.ndarray
        Mean spend over active weeks per channel, EUR per week, (C,).
    windows : numpy.ndarray
        Lag tensor of scaled spend, (T, L, C).
    baseline_x : numpy.ndarray
        Baseline regressors: trend then Fourier then scaled controls, centred on their training
        mean so that the intercept is the mean baseline (less correlated with the slopes), (T, P).
    baseline_names : tuple of str
        Names of the baseline regressors.
    control_scale : numpy.ndarray
        Divisors of the controls, (K,).
    baseline_center : numpy.ndarray
        Training means subtracted from the regressors, (P,).
    trend_span : float
        Weeks over which the trend regressor grows by 1.
    fourier_order : int
        Yearly sine/cosine pairs.
    lift : LiftDesign or None
        Lift tests, if any.
    """

    channels: tuple[str, ...]
    controls: tuple[str, ...]
    weeks: pd.DatetimeIndex
    n_train: int
    y: np.ndarray
    y_scale: float
    spend: np.ndarray
    spend_scale: np.ndarray
    windows: np.ndarray
    baseline_x: np.ndarray
    baseline_names: tuple[str, ...]
    control_scale: np.ndarray
    baseline_center: np.ndarray
    trend_span: float
    fourier_order: int
    lift: LiftDesign | None

    @property
    def max_lag(self) -> int:
        """Adstock window L, weeks."""
        return int(self.windows.shape[1])

    @property
    def n_weeks(self) -> int:
        """All weeks T."""
        return len(self.weeks)

    def future_baseline_x(
        self, weeks: pd.DatetimeIndex, controls: pd.DataFrame | None
    ) -> np.ndarray:
        """Baseline regressors for other weeks (e.g. the planning horizon), (T', P).

        Controls missing from ``controls`` are taken as 0 (no promotion, no event).
        """
        t = ((weeks - self.weeks[0]).days.to_numpy(float) / 7.0) / self.trend_span
        cols = [t[:, None], fourier_features(weeks, self.fourier_order)]
        if self.controls:
            z = np.zeros((len(weeks), len(self.controls)))
            if controls is not None:
                for k, name in enumerate(self.controls):
                    if name in controls.columns:
                        z[:, k] = controls[name].to_numpy(float)
            cols.append(z / self.control_scale)
        return np.hstack(cols) - self.baseline_center


def _check_spend(history: MarketingHistory, n_train: int) -> None:
    src = history.source or "marketing data"
    for c in history.channels:
        x = history.spend[c].to_numpy(float)[:n_train]
        if not np.any(x > 0):
            raise DataError(
                f"{src}: channel '{c}' has zero spend in all {n_train} training weeks; its return "
                "cannot be estimated. Drop it from --channels."
            )
        if np.ptp(x) == 0:
            raise DataError(
                f"{src}: channel '{c}' spends the same {x[0]:,.2f} EUR every training week; a "
                "constant spend cannot be told apart from the baseline. Drop the channel or add "
                "weeks where its spend varied (e.g. a lift test)."
            )


def _lift_design(
    tests: LiftTests, history: MarketingHistory, scaled: np.ndarray, max_lag: int, y_scale: float
) -> LiftDesign:
    channels = history.channels
    frame = tests.frame
    rows = []
    for i, (_, r) in enumerate(frame.reset_index(drop=True).iterrows()):
        ch = str(r["channel"])
        if ch not in channels:
            raise DataError(
                f"{tests.source or 'lift tests'}, test {i + 1}: channel '{ch}' is not in the "
                f"model ({', '.join(channels)}).{did_you_mean(ch, channels)} Fix the name or drop "
                "the test."
            )
        a = int(history.weeks.searchsorted(pd.Timestamp(r["start"])))
        b = int(history.weeks.searchsorted(pd.Timestamp(r["end"]), side="right")) - 1
        if a >= len(history.weeks) or b < a:
            raise DataError(
                f"{tests.source or 'lift tests'}, test {i + 1}: period {r['start']} to "
                f"{r['end']} is outside the marketing history; drop the test."
            )
        rows.append(
            (
                channels.index(ch),
                a,
                b,
                float(r["spend_change"]),
                float(r["incremental_revenue"]),
                float(r["se"]),
            )
        )
    n = len(rows)
    width = max(b - a + 1 for _, a, b, *_ in rows)
    actual = np.zeros((n, width, max_lag))
    modified = np.zeros((n, width, max_lag))
    mask = np.zeros((n, width))
    for i, (c, a, b, change, *_rest) in enumerate(rows):
        x = scaled[:, c].copy()
        window = x[a : b + 1]
        delta = change / float(history.spend.iloc[:, c].to_numpy()[a : b + 1].sum() or np.nan)
        # the file gives the total spend change over the period; spread it in proportion to
        # the actual spend (a pause of -100 % removes every euro), or evenly if nothing was spent
        if np.isfinite(delta) and window.sum() > 0:
            x_mod = x.copy()
            x_mod[a : b + 1] = window * (1.0 + delta)
        else:
            x_mod = x.copy()
            x_mod[a : b + 1] = window + (change / (b - a + 1)) / _scale_of(history, c)
        if (x_mod < -1e-9).any():
            raise DataError(
                f"{tests.source or 'lift tests'}, test {i + 1}: spend change {change:,.0f} EUR is "
                f"larger than the {channels[c]} spend of the period; check the sign or the amount."
            )
        x_mod = np.maximum(x_mod, 0.0)
        wa = lag_tensor(x[:, None], max_lag)[a : b + 1, :, 0]
        wm = lag_tensor(x_mod[:, None], max_lag)[a : b + 1, :, 0]
        actual[i, : b - a + 1] = wa
        modified[i, : b - a + 1] = wm
        mask[i, : b - a + 1] = 1.0
    return LiftDesign(
        channel=np.array([r[0] for r in rows], dtype=int),
        actual=actual,
        modified=modified,
        mask=mask,
        measured=np.array([r[4] for r in rows]) / y_scale,
        se=np.array([r[5] for r in rows]) / y_scale,
    )


def _scale_of(history: MarketingHistory, c: int) -> float:
    x = history.spend.iloc[:, c].to_numpy(float)
    return float(x[x > 0].mean())


def build_design(
    history: MarketingHistory,
    *,
    max_lag: int,
    fourier_order: int,
    holdout_weeks: int,
    lift_tests: LiftTests | None = None,
) -> Design:
    """Scale a history into model arrays.

    Parameters
    ----------
    history : MarketingHistory
        Validated weekly history.
    max_lag : int
        Adstock window L (weeks).
    fourier_order : int
        Number of yearly sine/cosine pairs.
    holdout_weeks : int
        Last weeks kept out of the fit for the out-of-sample check.
    lift_tests : LiftTests, optional
        Experiments to calibrate with.

    Raises
    ------
    DataError
        Too few weeks, a channel with zero or constant spend, a lift test on an unknown channel.
    """
    t_len = history.n_weeks
    src = history.source or "marketing data"
    n_train = t_len - holdout_weeks
    _check_length(src, t_len, n_train, max_lag, holdout_weeks)
    _check_spend(history, n_train)
    y_eur = np.asarray(history.revenue, float)
    y_scale = float(y_eur[:n_train].mean())
    if not y_scale > 0:
        raise DataError(f"{src}: the target '{history.target}' is zero in every training week.")
    spend = history.spend.to_numpy(float)
    spend_scale = np.array([_scale_of(history, c) for c in range(spend.shape[1])])
    scaled = spend / spend_scale
    raw, names, ctrl_scale, span = _baseline_columns(history, n_train, fourier_order)
    center = raw[:n_train].mean(axis=0)
    lift = (
        _lift_design(lift_tests, history, scaled, max_lag, y_scale)
        if lift_tests is not None and len(lift_tests)
        else None
    )
    return Design(
        channels=history.channels,
        controls=tuple(history.controls.columns),
        weeks=history.weeks,
        n_train=n_train,
        y=y_eur / y_scale,
        y_scale=y_scale,
        spend=spend,
        spend_scale=spend_scale,
        windows=lag_tensor(scaled, max_lag),
        baseline_x=raw - center,
        baseline_names=tuple(names),
        control_scale=ctrl_scale,
        baseline_center=center,
        trend_span=span,
        fourier_order=fourier_order,
        lift=lift,
    )


def _check_length(src: str, t_len: int, n_train: int, max_lag: int, holdout_weeks: int) -> None:
    """Enough weeks for the adstock window and for training after the hold-out."""
    if t_len <= max_lag:
        raise DataError(
            f"{src}: {t_len} weeks of history but the adstock window is {max_lag} weeks; provide "
            f"more than {max_lag} weeks (ideally 2 years) or lower max_lag."
        )
    if n_train < max(MIN_TRAIN_WEEKS, 2 * max_lag):
        need = max(MIN_TRAIN_WEEKS, 2 * max_lag)
        raise DataError(
            f"{src}: {n_train} training weeks ({t_len} weeks minus {holdout_weeks} held out) but "
            f"the model needs at least {need}; add history or lower --holdout-weeks."
        )


def _baseline_columns(
    history: MarketingHistory, n_train: int, fourier_order: int
) -> tuple[np.ndarray, list[str], np.ndarray, float]:
    """Uncentred baseline regressors (trend, Fourier terms, scaled controls) and their names.

    Returns the (T, K) matrix, the K names, each control's scale (its largest absolute value
    over the training weeks) and the trend's span in weeks.
    """
    t_len = history.n_weeks
    src = history.source or "marketing data"
    span = max((t_len - 1), 1) / 1.0
    trend = np.arange(t_len, dtype=float) / span
    ctrl = history.controls.to_numpy(float)
    ctrl_scale = np.abs(ctrl[:n_train]).max(axis=0) if ctrl.shape[1] else np.zeros(0)
    for k, name in enumerate(history.controls.columns):
        if not ctrl_scale[k] > 0:
            raise DataError(
                f"{src}: control '{name}' is 0 in every training week; drop it from --controls."
            )
    parts = [trend[:, None], fourier_features(history.weeks, fourier_order)]
    names = ["trend"] + [f"{f}{k}" for k in range(1, fourier_order + 1) for f in ("sin", "cos")]
    if ctrl.shape[1]:
        parts.append(ctrl / ctrl_scale)
        names += list(history.controls.columns)
    raw = np.hstack(parts)
    return raw, names, ctrl_scale, span
