"""Save and load a fitted model as a folder, without pickle.

Folder content::

    posterior.nc      ArviZ netCDF: posterior and sample_stats groups
    spec.json         model arguments, priors, sampler used, fit time, data hash, package version
    data.csv          the marketing history fitted (so results can be recomputed)
    lift_tests.csv    the lift tests used, if any

Loading re-reads the data, checks its hash against ``spec.json``, rebuilds the scaled design and
recomputes every result from the posterior, so a loaded model reports exactly what the fitted
one did.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import arviz as az

from optimizer._version import __version__
from optimizer.atomic import atomic_folder
from optimizer.data.lift_tests import load_lift_tests, write_lift_tests
from optimizer.data.marketing import load_marketing, write_marketing
from optimizer.errors import DataError
from optimizer.mmm.attempts import FitAttempt
from optimizer.mmm.design import build_design, data_hash
from optimizer.mmm.diagnostics import GateThresholds
from optimizer.mmm.model import MMM
from optimizer.mmm.priors import Priors

__all__ = [
    "FORMAT_VERSION",
    "load_model",
    "read_posterior",
    "read_spec",
    "save_model",
    "write_folder_atomically",
    "write_spec",
]

FORMAT_VERSION = 1
SPEC_FILE = "spec.json"
POSTERIOR_FILE = "posterior.nc"
DATA_FILE = "data.csv"
LIFT_FILE = "lift_tests.csv"


def write_folder_atomically(folder: Path, fill: Any, overwrite: bool = False) -> Path:
    """Create ``folder`` by filling a temporary sibling with ``fill(tmp)`` then renaming it.

    A crash leaves either the old folder or the new one, never a half-written one.
    """
    folder = Path(folder)
    with atomic_folder(folder, overwrite=overwrite) as tmp:
        fill(tmp)
    return folder


def write_spec(path: Path, version: int, fields: dict[str, Any]) -> None:
    """Write a saved folder's JSON spec: its format ``version``, the package version, ``fields``."""
    spec = {"format": version, "package_version": __version__, **fields}
    path.write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")


def read_posterior(path: Path) -> Any:
    """The posterior saved at ``path`` (netCDF), read into memory so that the file is released."""
    idata = az.from_netcdf(str(path), engine="h5netcdf")
    for group in idata.groups():
        idata[group].load()
    return idata


def read_spec(folder: Path, file: str, *, version: int, kind: str, fmt: str, refit: str) -> Any:
    """The JSON spec ``folder/file`` of a saved folder (parsed), its format checked.

    Parameters
    ----------
    folder, file : Path, str
        The saved folder and the name of its spec file.
    version : int
        The format this package reads.
    kind, fmt, refit : str
        How the messages name the folder (``"media-mix model"``), its format
        (``"model format"``) and what to refit (``"model"``).

    Raises
    ------
    DataError
        No spec file (not a saved folder of this kind), or another format.
    """
    path = folder / file
    if not path.is_file():
        raise DataError(f"{folder}: no {file}; this is not a saved {kind} folder.")
    spec = json.loads(path.read_text(encoding="utf-8"))
    if spec.get("format") != version:
        raise DataError(
            f"{path}: {fmt} {spec.get('format')!r} is not supported (expected "
            f"{version}); refit the {refit} with this version ({__version__})."
        )
    return spec


def _spec(model: MMM) -> dict[str, Any]:
    h = model.history_
    return {
        "params": model.get_params(),
        "data_hash": model.data_hash_,
        "sampler": model.sampler_,
        "fit_seconds": model.fit_seconds_,
        "compile_seconds": getattr(model, "compile_seconds_", None),
        "sampling_seconds": getattr(model, "sampling_seconds_", None),
        "attempts": [a.to_dict() for a in getattr(model, "attempts_", ())],
        "target": h.target,
        "channels": list(h.channels),
        "controls": list(h.controls.columns),
        "has_orders": h.orders is not None,
        "cost_follows_sales": list(h.cost_follows_sales),
        "has_lift_tests": model.lift_tests_ is not None and len(model.lift_tests_) > 0,
    }


def fill_model_folder(model: MMM, folder: Path) -> None:
    """Write the model files into an existing folder (used inside atomic writes)."""
    model.require_passed(allow_failed=True)  # raises NotFittedError when unfitted
    model.idata_.to_netcdf(str(folder / POSTERIOR_FILE), engine="h5netcdf")
    write_marketing(model.history_, folder / DATA_FILE)
    if model.lift_tests_ is not None and len(model.lift_tests_):
        write_lift_tests(model.lift_tests_, folder / LIFT_FILE)
    write_spec(folder / SPEC_FILE, FORMAT_VERSION, _spec(model))


def save_model(model: MMM, folder: str | Path, overwrite: bool = False) -> Path:
    """Save a fitted model to ``folder`` (written atomically).

    Raises
    ------
    NotFittedError
        The model is not fitted.
    ConfigError
        ``folder`` exists, is not empty and ``overwrite`` is false.
    """
    model.require_passed(allow_failed=True)
    return write_folder_atomically(
        Path(folder), lambda tmp: fill_model_folder(model, tmp), overwrite
    )


def load_model(folder: str | Path) -> MMM:
    """Load a model saved by :func:`save_model` (no unpickling).

    Raises
    ------
    DataError
        Missing files, an unknown format, or data that no longer match the saved hash.
    """
    folder = Path(folder)
    spec = read_spec(
        folder,
        SPEC_FILE,
        version=FORMAT_VERSION,
        kind="media-mix model",
        fmt="model format",
        refit="model",
    )
    params = dict(spec["params"])
    priors = Priors.from_dict(params.pop("priors"))
    thresholds = GateThresholds(**params.pop("thresholds"))
    model = MMM(priors, thresholds=thresholds, **params)
    history = load_marketing(
        folder / DATA_FILE,
        target=spec["target"],
        channels=spec["channels"],
        controls=spec["controls"],
        orders="orders" if spec["has_orders"] else None,
    )
    history = dataclasses.replace(
        history, cost_follows_sales=tuple(spec.get("cost_follows_sales", ()))
    )
    lift = (
        load_lift_tests(folder / LIFT_FILE, channels=history.channels, weeks=history.weeks)
        if spec["has_lift_tests"]
        else None
    )
    digest = data_hash(history, lift)
    if digest != spec["data_hash"]:
        raise DataError(
            f"{folder}: {DATA_FILE} does not match the data the model was fitted on (hash "
            f"{digest[:12]} vs {spec['data_hash'][:12]}); the folder was edited. Refit the model."
        )
    opts = model.options
    design = build_design(
        history,
        max_lag=opts.max_lag,
        fourier_order=opts.fourier_order,
        holdout_weeks=int(model.holdout_weeks),
        lift_tests=lift,
    )
    model.idata_ = read_posterior(folder / POSTERIOR_FILE)
    model.sampler_ = str(spec["sampler"])
    model._set_fitted(design, history, lift)
    model.fit_seconds_ = float(spec["fit_seconds"])
    model.compile_seconds_ = spec.get("compile_seconds")
    model.sampling_seconds_ = spec.get("sampling_seconds")
    model.attempts_ = tuple(FitAttempt.from_dict(a) for a in spec.get("attempts", ()))
    return model
