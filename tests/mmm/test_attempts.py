"""The fit's retry schedule (issue 13): what is tried after a failed gate, and when it stops."""

from __future__ import annotations

import pytest

from optimizer.mmm.attempts import MAX_GROWTH, SamplerSettings, next_settings, sampler_trouble
from optimizer.mmm.diagnostics import Diagnostics, GateThresholds, HoldoutCheck

GATE = GateThresholds()
ASKED = SamplerSettings(draws=1000, tune=1000, target_accept=0.95)


def _diag(rhat=1.0, ess=1000.0, div=0, ppc=0.9) -> Diagnostics:
    return Diagnostics(rhat, ess, ess, div, ppc, HoldoutCheck(0, None, None), False, ["x"])


@pytest.mark.parametrize(
    ("diag", "trouble"),
    [
        (_diag(div=5), ("divergences",)),
        (_diag(rhat=1.02), ("r_hat",)),
        (_diag(ess=300), ("ess",)),
        (_diag(ppc=0.5), ()),  # misfit is no sampler trouble
        (_diag(rhat=1.05, ess=100, div=2), ("divergences", "r_hat", "ess")),
    ],
)
def test_sampler_trouble(diag, trouble):
    assert sampler_trouble(diag, GATE) == trouble


def test_divergences_raise_target_accept_then_tune():
    s2 = next_settings(ASKED, ASKED, ("divergences",), 4, GATE)
    assert (s2.target_accept, s2.tune, s2.draws) == (0.99, 2000, 1000)
    assert "divergent" in s2.reason
    s3 = next_settings(ASKED, s2, ("divergences",), 4, GATE)
    assert (s3.target_accept, s3.tune, s3.draws) == (0.995, 4000, 1000)
    # at every cap: nothing left to try
    s4 = next_settings(ASKED, s3, ("divergences",), 4, GATE)
    assert s4 is None


def test_r_hat_and_ess_lengthen_the_chains():
    s = next_settings(ASKED, ASKED, ("r_hat",), 4, GATE)
    assert (s.target_accept, s.tune, s.draws) == (0.95, 2000, 2000)
    s = next_settings(ASKED, ASKED, ("ess",), 4, GATE)
    assert (s.target_accept, s.tune, s.draws) == (0.95, 1000, 2000)


def test_growth_is_capped():
    big = SamplerSettings(draws=3500, tune=3500, target_accept=0.99)
    s = next_settings(ASKED, big, ("r_hat", "ess"), 4, GATE)
    assert s.draws == MAX_GROWTH * ASKED.draws and s.tune == MAX_GROWTH * ASKED.tune


def test_no_retry_without_trouble_or_for_a_deliberately_short_run():
    assert next_settings(ASKED, ASKED, (), 4, GATE) is None
    short = SamplerSettings(draws=150, tune=200, target_accept=0.95)
    # 2 chains x 150 draws can never reach 400 effective draws: the user asked for a quick run
    assert next_settings(short, short, ("ess",), 2, GATE) is None
