"""A pooled fit on disk: the pooled posterior, its settings and one model folder per shop.

Written atomically, no pickle: ``posterior.nc`` (ArviZ netCDF), ``pooled.json`` and
``shops/<name>/``, each a standard model folder (:mod:`optimizer.mmm.persistence`).
"""

from __future__ import annotations

from pathlib import Path

from optimizer.mmm.attempts import FitAttempt
from optimizer.mmm.persistence import (
    SpecFile,
    fill_model_folder,
    load_model,
    read_posterior,
    write_folder_atomically,
)
from optimizer.mmm.pooled import PooledMMM
from optimizer.mmm.pooled_graph import pool_index

__all__ = ["load_pooled", "save_pooled"]

FORMAT_VERSION = 1
SPEC_FILE = "pooled.json"
POOLED_SPEC = SpecFile(SPEC_FILE, FORMAT_VERSION, "pooled model", "pooled model format", "model")
POSTERIOR_FILE = "posterior.nc"
SHOPS_DIR = "shops"


def save_pooled(model: PooledMMM, folder: str | Path, overwrite: bool = False) -> Path:
    """Save a pooled fit (written atomically, no pickle).

    Folder content: ``posterior.nc`` (the pooled posterior, ArviZ netCDF), ``pooled.json``
    (settings, shops, families, attempts, gate, package version) and ``shops/<name>/``, each a
    standard model folder (:func:`~optimizer.mmm.persistence.save_model`) of the shop's slice.
    """
    model._check_fitted()

    def fill(tmp: Path) -> None:
        model.idata_.to_netcdf(str(tmp / POSTERIOR_FILE), engine="h5netcdf")
        for name, view in model.shops_.items():
            (tmp / SHOPS_DIR / name).mkdir(parents=True)
            fill_model_folder(view, tmp / SHOPS_DIR / name)
        spec = {
            "params": model.get_params(),
            "shops": list(model.shops_),
            "families": list(model.index_.families),
            "sampler": model.sampler_,
            "fit_seconds": model.fit_seconds_,
            "compile_seconds": model.compile_seconds_,
            "sampling_seconds": model.sampling_seconds_,
            "attempts": [a.to_dict() for a in model.attempts_],
            "diagnostics": model.diagnostics_.to_dict(),
        }
        POOLED_SPEC.write(tmp, spec)

    return write_folder_atomically(Path(folder), fill, overwrite)


def load_pooled(folder: str | Path) -> PooledMMM:
    """Load a pooled fit saved by :func:`save_pooled` (each shop's data hash is checked).

    Raises
    ------
    DataError
        Not a pooled model folder, an unknown format, or edited data.
    """
    folder = Path(folder)
    spec = POOLED_SPEC.read(folder)
    model = PooledMMM.from_params(spec["params"])
    views = {name: load_model(folder / SHOPS_DIR / name) for name in spec["shops"]}
    idata = read_posterior(folder / POSTERIOR_FILE)
    model.idata_, model.sampler_, model.shops_ = idata, str(spec["sampler"]), views
    model.index_ = pool_index({n: v.history_.channels for n, v in views.items()})
    model.histories_ = {n: v.history_ for n, v in views.items()}
    model.lift_tests_ = {n: v.lift_tests_ for n, v in views.items()}
    model.designs_ = {n: v.design_ for n, v in views.items()}
    model.diagnostics_ = model._combined()
    model.attempts_ = tuple(FitAttempt.from_dict(a) for a in spec["attempts"])
    model.fit_seconds_ = float(spec["fit_seconds"])
    model.compile_seconds_ = float(spec["compile_seconds"])
    model.sampling_seconds_ = float(spec["sampling_seconds"])
    return model
