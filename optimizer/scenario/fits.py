"""A scenario's model fits, cached by a hash of their inputs (data, settings, code, seed).

:func:`fit_model` fits (or finds in the cache) one of a scenario's two models; the scenario run,
its sweep and :mod:`optimizer.scenario.prefit` all go through it, so the same inputs always
give the same cache entry, whichever process wrote it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from optimizer._version import __version__
from optimizer.data.dataset import Dataset, load_dataset
from optimizer.mmm import MMM, Priors, load_model, save_model
from optimizer.pricing import Elasticities, ElasticityModel
from optimizer.scenario.cache import cached, code_digest, is_cached
from optimizer.scenario.checks import check_dataset
from optimizer.scenario.schema import ScenarioSpec

__all__ = ["Progress", "fit_elasticities", "fit_mmm", "fit_model"]

Progress = Callable[[str], None]


def fit_model(
    spec: ScenarioSpec, kind: str, progress: Progress | None = None, *, probe: bool = False
) -> bool:
    """Fit (or load from the cache) one of a scenario's models: ``mmm`` or ``elasticity``.

    Returns whether it was in the cache; ``probe``: only say so (no fit, nothing loaded). Used
    to fit a scenario's models ahead of its run (:mod:`optimizer.scenario.prefit`); the run
    then reads them from the cache.
    """
    say = progress or (lambda _m: None)
    ds = load_dataset(spec.sections.paths.dataset)
    check_dataset(spec, ds)
    digests = ds.input_digests()
    if kind == "mmm":
        return fit_mmm(spec, ds, digests, say, probe=probe)[2]
    return fit_elasticities(spec, ds, digests, say, probe=probe)[2]


def _save_mmm(model: MMM, folder: Path) -> None:
    save_model(model, folder / "model", overwrite=True)


def fit_mmm(
    spec: ScenarioSpec, ds: Dataset, digests: dict[str, str], say: Progress, probe: bool = False
) -> tuple[MMM, Path, bool]:
    """The scenario's media-mix model from its cache, or fitted and cached; with its folder and hit.

    ``probe``: only say whether it is cached (the model returned is None).
    """
    m = spec.file.model
    history = ds.marketing
    assert history is not None
    priors = Priors.from_roas_ranges(dict(m.roas_priors)) if m.roas_priors else None
    if priors is not None:
        priors.check(history.channels)
    lift = ds.lift_tests if m.use_lift_tests else None
    settings: dict[str, Any] = {
        "draws": m.draws,
        "tune": m.tune,
        "chains": m.chains,
        "holdout_weeks": m.holdout_weeks,
        "retries": m.retries,
        "seed": spec.file.seed,
    }
    payload = {
        "kind": "mmm",
        "version": __version__,
        "code": code_digest("mmm", "data"),
        "marketing": digests["marketing"],
        "lift_tests": digests.get("lift_tests") if lift is not None else None,
        "roas_priors": {k: list(v) for k, v in sorted(m.roas_priors.items())},
        **settings,
    }

    def fit() -> MMM:
        say(
            f"fitting the media-mix model ({m.chains} chains x {m.draws} draws; "
            "cached for later runs)"
        )
        return MMM(priors, **settings).fit(history, lift)

    root = spec.sections.paths.mmm_cache
    if probe:
        return None, root, is_cached(root, "mmm", payload)  # type: ignore[return-value]
    model, folder, hit = cached(
        root,
        "mmm",
        payload,
        fit,
        lambda obj, d: _save_mmm(obj, d),
        lambda d: load_model(d / "model"),
    )
    if hit:
        say(f"media-mix model reused from {folder}")
    return model, folder, hit


def fit_elasticities(
    spec: ScenarioSpec, ds: Dataset, digests: dict[str, str], say: Progress, probe: bool = False
) -> tuple[Elasticities, Path, bool]:
    """The scenario's price elasticities from the cache, or fitted and cached (as :func:`fit_mmm`)."""
    e = spec.file.elasticity
    method = "nuts" if e.mode == "bayes" else "laplace"
    settings = {"draws": e.draws, "tune": e.tune, "chains": e.chains, "seed": spec.file.seed}
    payload = {
        "kind": "elasticity",
        "version": __version__,
        "code": code_digest("pricing", "data"),
        "sales": digests["sales"],
        "catalog": digests["catalog"],
        "method": method,
        **settings,
    }

    def fit() -> Elasticities:
        say(f"fitting price elasticities ({method}; cached for later runs)")
        assert ds.sales is not None and ds.catalog is not None
        return ElasticityModel(method=method, **settings).fit(ds.sales, ds.catalog).estimates

    root = spec.sections.paths.elasticity_cache
    if probe:
        return None, root, is_cached(root, "elasticity", payload)  # type: ignore[return-value]
    est, folder, hit = cached(
        root, "elasticity", payload, fit, lambda obj, d: obj.save(d), Elasticities.load
    )
    if hit:
        say(f"price elasticities reused from {folder}")
    return est, folder, hit
