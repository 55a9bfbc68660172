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
from optimizer.mmm.design import data_hash
from optimizer.mmm.model import MMM

__all__ = [
    "FORMAT_VERSION",
    "SpecFile",
    "load_model",
    "read_posterior",
    "save_model",
    "write_folder_atomically",
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


def read_posterior(path: Path) -> Any:
    """The posterior saved at ``path`` (netCDF), read into memory so that the file is released."""
    idata = az.from_netcdf(str(path), engine="h5netcdf")
    for group in idata.groups():
        idata[group].load()
    return idata


@dataclasses.dataclass(frozen=True)
class SpecFile:
    """The JSON spec of a kind of saved folder: its file, its format and how messages name it.

    Attributes
    ----------
    name : str
        The spec file's name inside the folder.
    version : int
        The format this package writes and reads.
    kind, fmt, refit : str
        How the messages name the folder (``"media-mix model"``), its format
        (``"model format"``) and what to refit (``"model"``).
    """

    name: str
    version: int
    kind: str
    fmt: str
    refit: str

    def write(self, folder: Path, fields: dict[str, Any]) -> None:
        """Write the spec into ``folder``: its format, the package version, ``fields``."""
        spec = {"format": self.version, "package_version": __version__, **fields}
        (folder / self.name).write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")

    def read(self, folder: Path) -> Any:
        """The spec of the saved ``folder`` (parsed), its format checked.

        Raises
        ------
        DataError
            No spec file (not a saved folder of this kind), or another format.
        """
        path = folder / self.name
        if not path.is_file():
            raise DataError(f"{folder}: no {self.name}; this is not a saved {self.kind} folder.")
        spec = json.loads(path.read_text(encoding="utf-8"))
        if spec.get("format") != self.version:
            raise DataError(
                f"{path}: {self.fmt} {spec.get('format')!r} is not supported (expected "
                f"{self.version}); refit the {self.refit} with this version ({__version__})."
            )
        return spec


MODEL_SPEC = SpecFile(SPEC_FILE, FORMAT_VERSION, "media-mix model", "model format", "model")


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
    MODEL_SPEC.write(folder, _spec(model))


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
    spec = MODEL_SPEC.read(folder)
    model = MMM.from_params(spec["params"])
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
    design = model._design(history, lift)
    model.idata_ = read_posterior(folder / POSTERIOR_FILE)
    model.sampler_ = str(spec["sampler"])
    model._set_fitted(design, history, lift)
    model.fit_seconds_ = float(spec["fit_seconds"])
    model.compile_seconds_ = spec.get("compile_seconds")
    model.sampling_seconds_ = spec.get("sampling_seconds")
    model.attempts_ = tuple(FitAttempt.from_dict(a) for a in spec.get("attempts", ()))
    return model
