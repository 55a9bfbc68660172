"""Fitting a batch of scenarios' models side by side before the runs (issue 13: first run time)."""

from __future__ import annotations

from optimizer.scenario import load_scenario
from optimizer.scenario.prefit import _jobs, prefit
from optimizer.scenario.runner import fit_model
from tests.scenario.conftest import SMALL, make_scenario

TINY = SMALL.replace("draws = 150", "draws = 60").replace("tune = 200", "tune = 60")


def test_each_distinct_fit_runs_once_and_the_runs_then_read_the_cache(tmp_path):
    a = make_scenario(tmp_path, body=TINY.format(extra_pricing=""))
    b = tmp_path / "other.toml"
    # another horizon, the same models: no second fit
    b.write_text(a.read_text().replace("weeks = 6", "weeks = 4"))
    c = tmp_path / "seed.toml"
    c.write_text(a.read_text().replace("seed = 3", "seed = 4"))
    jobs = _jobs([a, b])
    assert sorted(kind for _, kind in jobs) == ["elasticity", "mmm"]
    # another seed is another fit of each model
    assert len(_jobs([a, b, c])) == 4
    done = prefit([a, b], progress=lambda _m: None)
    assert sorted(kind for kind, _hit, _s in done) == ["elasticity", "mmm"]
    assert not any(hit for _kind, hit, _s in done)
    spec = load_scenario(b)
    assert fit_model(spec, "mmm", probe=True) and fit_model(spec, "elasticity", probe=True)
    # everything cached: nothing to do, no process started
    assert _jobs([a, b]) == [] and prefit([a, b]) == []


def test_one_fit_or_one_worker_runs_nothing(tmp_path):
    a = make_scenario(tmp_path, body=TINY.format(extra_pricing=""))
    assert prefit([a], workers=1) == []
    assert not fit_model(load_scenario(a), "mmm", probe=True)


def test_every_fit_makes_even_a_single_fit_before_runs_side_by_side(tmp_path):
    a = make_scenario(tmp_path, body=TINY.format(extra_pricing=""))
    spec = load_scenario(a)
    fit_model(spec, "elasticity")  # cached: only the media-mix model is left to fit
    assert [kind for _, kind in _jobs([a])] == ["mmm"]
    assert prefit([a]) == []  # one fit: nothing side by side
    done = prefit([a], every_fit=True)
    assert [(kind, hit) for kind, hit, _s in done] == [("mmm", False)]
    assert fit_model(spec, "mmm", probe=True)
