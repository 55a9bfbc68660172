"""Value of information: zero for a channel the posterior pins, positive where it changes the plan."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.errors import ConfigError
from optimizer.experiment import (
    CandidateGrid,
    EviSettings,
    ExperimentDesign,
    candidate_tests,
    measured_lift,
    measurement_se,
    value_tests,
)
from optimizer.experiment.replan import weighted_quantiles
from tests.experiment.helpers import split_posterior

WEEKS = 13
SETTINGS = EviSettings(n_draws=120, n_outcomes=40, units=40)


@pytest.fixture(scope="module")
def posterior():
    return split_posterior()


def _value(curves, design, noise=300.0):
    host = np.tile(curves.current, (WEEKS, 1))
    budget = float(curves.current.sum() * WEEKS)
    values, base = value_tests(
        curves, host, budget, WEEKS, noise_sd=noise, settings=SETTINGS, designs=[design]
    )
    return values[0], base


def test_point_mass_channel_has_zero_value(posterior):
    v, _ = _value(posterior, ExperimentDesign("ch0", "pause", 0, 4))
    assert v.value == 0.0
    assert v.p_change == 0.0
    assert v.ess == pytest.approx(posterior.n_samples)
    assert v.cost > 0  # a pause of a channel that earns more than it costs


def test_uncertain_channel_that_moves_the_plan_has_positive_value(posterior):
    v, base = _value(posterior, ExperimentDesign("ch1", "+50%", 0, 4))
    assert v.value > 0
    assert v.p_change > 0.3
    assert v.p_detect > 0.5
    assert v.ess < posterior.n_samples * 0.7  # the answer is informative


def test_noisier_measurement_is_worth_less(posterior):
    sharp, _ = _value(posterior, ExperimentDesign("ch1", "+50%", 0, 4), noise=300.0)
    blurred, _ = _value(posterior, ExperimentDesign("ch1", "+50%", 0, 4), noise=50_000.0)
    assert blurred.value < sharp.value
    assert blurred.p_detect < sharp.p_detect


def test_measured_lift_sign_and_grid(posterior):
    host = np.tile(posterior.current, (WEEKS, 1))
    pause = measured_lift(posterior, host, ExperimentDesign("ch2", "pause", 0, 4))
    more = measured_lift(posterior, host, ExperimentDesign("ch2", "+100%", 0, 4))
    assert (pause < 0).all() and (more > 0).all()
    tests = candidate_tests(posterior, host, CandidateGrid(durations=(2, 8), starts=(0, 8)))
    # 3 channels x 4 actions x (2 + 8 weeks from week 0, 2 weeks from week 8; 8 + 8 > 13)
    assert len(tests) == 3 * 4 * 3
    assert all(t.start_week + t.weeks <= WEEKS for t in tests)


def test_measurement_se_and_weighted_quantiles():
    assert measurement_se(4, 1000.0) == pytest.approx(2000.0)
    assert measurement_se(4, 1000.0, 500.0) == pytest.approx(np.sqrt(4e6 + 4e6))
    x = np.random.default_rng(0).normal(size=(101, 2))
    q = weighted_quantiles(x, np.full(101, 1 / 101), (0.05, 0.5, 0.95))
    assert np.allclose(np.stack(q), np.quantile(x, [0.05, 0.5, 0.95], axis=0))
    w = np.zeros(101)
    w[[3, 7]] = 0.5  # two samples carry all the weight
    lo, hi = weighted_quantiles(x, w, (0.0, 1.0))
    assert np.allclose(lo, np.minimum(x[3], x[7])) and np.allclose(hi, np.maximum(x[3], x[7]))


@pytest.mark.parametrize(
    "kwargs",
    [{"action": "double"}, {"weeks": 0}, {"start_week": -1}],
)
def test_bad_designs_are_refused(kwargs):
    args = {"channel": "ch0", "action": "pause", "start_week": 0, "weeks": 2} | kwargs
    with pytest.raises(ConfigError):
        ExperimentDesign(**args)


def test_bad_grid_is_refused():
    with pytest.raises(ConfigError, match="durations"):
        CandidateGrid(durations=(0,))
