"""Adstock and saturation: numpy vs closed-form references, pytensor vs numpy (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from optimizer.data.demo import geometric_adstock_np, hill_np
from optimizer.mmm import transforms as T

spend = arrays(
    float,
    st.tuples(st.integers(1, 30), st.integers(1, 4)),
    elements=st.floats(0, 1e5, allow_nan=False),
)
unit = st.floats(0.0, 0.95)
lags = st.integers(1, 13)


def _geometric_reference(x: np.ndarray, alpha: float, max_lag: int) -> np.ndarray:
    """Recursive definition, truncated and normalised: sum_l alpha^l x_{t-l} / sum_l alpha^l."""
    out = np.zeros_like(x)
    norm = sum(alpha**lag for lag in range(max_lag))
    for t in range(len(x)):
        for lag in range(min(max_lag, t + 1)):
            out[t] += alpha**lag * x[t - lag]
    return out / norm


@given(x=spend, alpha=unit, max_lag=lags)
def test_geometric_adstock_matches_references(x, alpha, max_lag):
    w = np.repeat(T.geometric_weights(alpha, max_lag)[None], x.shape[1], axis=0)
    got = T.adstock(x, w)
    np.testing.assert_allclose(got, _geometric_reference(x, alpha, max_lag), rtol=1e-9, atol=1e-6)
    if len(x) >= max_lag:  # the demo generator's reference assumes a history longer than L
        np.testing.assert_allclose(
            got, geometric_adstock_np(x, alpha, max_lag), rtol=1e-9, atol=1e-6
        )


@given(x=spend, max_lag=lags, data=st.data())
def test_adstock_conserves_spend_and_batches(x, max_lag, data):
    c = x.shape[1]
    alphas = np.array(data.draw(st.lists(unit, min_size=2 * c, max_size=2 * c))).reshape(2, c)
    w = T.geometric_weights(alphas, max_lag)  # (S=2, C, L)
    np.testing.assert_allclose(w.sum(-1), 1.0)
    padded = np.vstack([x, np.zeros((max_lag - 1, c))])
    out = T.adstock(padded, w)  # (2, T + L - 1, C)
    # every euro is spread over the window and nothing is lost once the window has passed
    np.testing.assert_allclose(
        out.sum(axis=1), np.broadcast_to(x.sum(0), (2, c)), rtol=1e-9, atol=1e-6
    )
    for s in range(2):
        np.testing.assert_allclose(out[s], T.adstock(padded, w[s]), rtol=1e-12)


@given(x=spend, max_lag=lags)
def test_lag_tensor_uses_history(x, max_lag):
    hist = np.arange(1.0, 1.0 + 3 * x.shape[1]).reshape(3, x.shape[1])
    win = T.lag_tensor(x, max_lag, hist)
    full = np.vstack([np.zeros((max_lag, x.shape[1])), hist, x])
    off = max_lag + 3
    for t in range(len(x)):
        for lag in range(max_lag):
            np.testing.assert_array_equal(win[t, lag], full[off + t - lag])


@given(alpha=st.floats(0.05, 0.95), theta=st.floats(0, 6), max_lag=st.integers(8, 13))
def test_delayed_weights_peak_at_theta(alpha, theta, max_lag):
    w = T.delayed_weights(alpha, theta, max_lag)
    np.testing.assert_allclose(w.sum(), 1.0)
    ref = alpha ** ((np.arange(max_lag) - theta) ** 2)
    np.testing.assert_allclose(w, ref / ref.sum(), rtol=1e-12)
    assert abs(int(np.argmax(w)) - theta) <= 0.5 + 1e-9


@given(k=st.floats(0.5, 4), lam=st.floats(0.5, 8), max_lag=lags)
def test_weibull_weights_are_the_normalised_pdf(k, lam, max_lag):
    w = T.weibull_weights(k, lam, max_lag)
    x = np.arange(1, max_lag + 1)
    pdf = k / lam * (x / lam) ** (k - 1) * np.exp(-((x / lam) ** k))
    np.testing.assert_allclose(w, pdf / pdf.sum(), rtol=1e-9, atol=1e-300)


positive_or_zero = st.one_of(st.just(0.0), st.floats(1e-6, 1e5))


@given(
    x=arrays(float, 20, elements=positive_or_zero), half=st.floats(1, 1e5), slope=st.floats(0.3, 4)
)
def test_hill_closed_form(x, half, slope):
    got = T.hill(x, half, slope)
    np.testing.assert_allclose(got, hill_np(x, half, slope), rtol=1e-12)
    pos = x > 0
    ref = 1.0 / (1.0 + (half / x[pos]) ** slope)
    np.testing.assert_allclose(got[pos], ref, rtol=1e-9, atol=1e-300)
    assert np.all(got[~pos] == 0)
    np.testing.assert_allclose(T.hill(np.array(half), half, slope), 0.5)
    assert np.all((got >= 0) & (got <= 1))  # 1 only by float rounding far above K


@given(x=arrays(float, 20, elements=st.floats(0, 1e3)), lam=st.floats(1e-4, 10))
def test_logistic_closed_form(x, lam):
    got = T.logistic(x, lam)
    np.testing.assert_allclose(got, np.tanh(lam * x / 2), rtol=1e-9, atol=1e-12)
    assert np.all(np.diff(got[np.argsort(x)]) >= -1e-12)


# --- pytensor versions: one compiled function (no C compile) for all examples ------------------
@pytest.fixture(scope="module")
def pt_fn():
    win = pt.tensor3("win")
    alpha, theta, k, lam_w = pt.vector("alpha"), pt.vector("theta"), pt.vector("k"), pt.vector("lw")
    x, half, slope, lam = pt.matrix("x"), pt.vector("half"), pt.vector("slope"), pt.vector("lam")
    outs = [
        T.adstock_pt(win, T.geometric_weights_pt(alpha, 6)),
        T.delayed_weights_pt(alpha, theta, 6),
        T.weibull_weights_pt(k, lam_w, 6),
        T.hill_pt(x, half, slope),
        T.logistic_pt(x, lam),
    ]
    return pytensor.function(
        [win, alpha, theta, k, lam_w, x, half, slope, lam], outs, mode="FAST_COMPILE"
    )


@given(
    x=arrays(float, (15, 3), elements=st.floats(0, 50)),
    alpha=arrays(float, 3, elements=st.floats(0.01, 0.95)),
    theta=arrays(float, 3, elements=st.floats(0, 4)),
    k=arrays(float, 3, elements=st.floats(0.5, 3)),
    lw=arrays(float, 3, elements=st.floats(0.5, 6)),
    half=arrays(float, 3, elements=st.floats(0.1, 20)),
    slope=arrays(float, 3, elements=st.floats(0.3, 3)),
    lam=arrays(float, 3, elements=st.floats(0.01, 3)),
)
def test_pytensor_matches_numpy(pt_fn, x, alpha, theta, k, lw, half, slope, lam):
    ad, dw, ww, h, lg = pt_fn(T.lag_tensor(x, 6), alpha, theta, k, lw, x, half, slope, lam)
    np.testing.assert_allclose(
        ad, T.adstock(x, T.geometric_weights(alpha, 6)), rtol=1e-9, atol=1e-9
    )
    np.testing.assert_allclose(dw, T.delayed_weights(alpha, theta, 6), rtol=1e-9)
    np.testing.assert_allclose(ww, T.weibull_weights(k, lw, 6), rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(h, T.hill(x, half, slope), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(lg, T.logistic(x, lam), rtol=1e-9, atol=1e-12)
