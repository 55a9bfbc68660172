"""On a cluster the shops' missing models are fitted one model a task before the shops' tasks."""

from __future__ import annotations

from typing import Any

import pytest

import optimizer.portfolio.fit as pf
import optimizer.scenario.fits as sf
from optimizer.scaleout import IN_PROCESS, ComputeSpec


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, int, bool]]:
    """Stand-ins for the fits and the task runner: record (shop, kind, seed, probe)."""
    seen: list[tuple[str, str, int, bool]] = []
    cached = {("maison", "mmm"), ("maison", "elasticity"), ("atelier", "elasticity")}

    def fit_model(spec: Any, kind: str, progress: Any = None, *, probe: bool = False) -> bool:
        shop = spec.name.removeprefix("portfolio shop ")
        seen.append((shop, kind, spec.file.seed, probe))
        return (shop, kind) in cached

    def run_tasks(fn: Any, items: list, *, shared: dict, seeds: list, **_kw: Any) -> list:
        return [fn(item, seed, **shared) for item, seed in zip(items, seeds, strict=True)]

    monkeypatch.setattr(sf, "fit_model", fit_model)
    monkeypatch.setattr(pf, "run_tasks", run_tasks)
    return seen


def test_only_the_missing_models_are_fitted_ahead_with_their_shops_seeds(small_portfolio, calls):
    tasks = pf.shop_tasks(small_portfolio)
    seeds = [101, 202, 303]
    ahead = pf._fit_ahead(tasks, seeds, pf.FitSettings(), ComputeSpec(workers=2), None)
    assert ahead == {"atelier": ("mmm",), "marketplace": ("mmm", "elasticity")}
    fitted = [(shop, kind, seed) for shop, kind, seed, probe in calls if not probe]
    assert fitted == [
        ("atelier", "mmm", 202),
        ("marketplace", "mmm", 303),
        ("marketplace", "elasticity", 303),
    ]


def test_nothing_is_fitted_ahead_in_this_process(small_portfolio, calls):
    tasks = pf.shop_tasks(small_portfolio)
    assert pf._fit_ahead(tasks, [1, 2, 3], pf.FitSettings(), IN_PROCESS, None) == {}
    assert calls == []
