"""The output folder of ``optimizer mmm fit``: its layout, its diagnostics gate, how to read it.

Layout::

    OUT/model/           the fitted model (:mod:`optimizer.mmm.persistence`)
    OUT/summary.json     the summary printed by ``optimizer mmm summary``
    OUT/*.csv, *.png     tables and plots (:func:`optimizer.report.mmm_writer.write_mmm`)

A folder may instead hold exported curves (``curves.json``) with the model's diagnostics
(``diagnostics.json``, whose ``passed`` is the gate). Planners read a folder through
:func:`load_gated_curves` and never need to know this layout.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from optimizer.curves import ResponseCurves
from optimizer.errors import ConfigError, ConvergenceError

if TYPE_CHECKING:
    from optimizer.mmm.model import MMM

__all__ = [
    "CURVES_FILE",
    "DIAGNOSTICS_FILE",
    "MODEL_DIR",
    "SUMMARY_FILE",
    "check_gate",
    "load_fitted_model",
    "load_curves_and_last_week",
    "load_gated_curves",
    "load_model_summary",
    "model_dir",
    "read_curves_json",
]

MODEL_DIR = "model"
SUMMARY_FILE = "summary.json"
CURVES_FILE = "curves.json"
DIAGNOSTICS_FILE = "diagnostics.json"


def read_curves_json(path: Path) -> ResponseCurves:
    """Response curves from a JSON file written with ``ResponseCurves.to_dict()``.

    Raises
    ------
    ConfigError
        The file is missing or is not a ResponseCurves JSON.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return ResponseCurves.from_dict(data)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found. Check the --curves path.") from None
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(
            f"{path.name}: not a ResponseCurves JSON ({type(exc).__name__}: {exc}). Write it with "
            "ResponseCurves.to_dict()."
        ) from None


def check_gate(folder: Path, allow_failed: bool) -> None:
    """Refuse a folder whose ``diagnostics.json`` says the gate failed (``passed: false``).

    Raises
    ------
    ConfigError
        Unreadable diagnostics.
    ConvergenceError
        The gate failed and ``allow_failed`` is False.
    """
    diag = folder / DIAGNOSTICS_FILE
    if not diag.is_file():
        return
    try:
        passed = bool(json.loads(diag.read_text(encoding="utf-8")).get("passed", True))
    except (json.JSONDecodeError, AttributeError):
        raise ConfigError(f"{diag}: unreadable diagnostics; refit the model.") from None
    if not passed and not allow_failed:
        raise ConvergenceError(
            f"{folder}: the model failed its diagnostics gate (see diagnostics.json); refit it, "
            "or pass --allow-failed-model to plan with it anyway."
        )


def model_dir(folder: Path) -> Path:
    """Where the fitted model lies: ``folder/model`` when ``mmm fit`` wrote it, else ``folder``."""
    return folder / MODEL_DIR if (folder / MODEL_DIR).is_dir() else folder


def _require_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise ConfigError(f"{folder}: model folder not found. Fit one with 'optimizer mmm fit'.")


def load_fitted_model(folder: Path) -> MMM:
    """The fitted model of a folder written by ``optimizer mmm fit`` (or by ``save_model``).

    Raises
    ------
    ConfigError
        ``folder`` is not a folder.
    DataError
        Not a saved model, or edited data (see :func:`optimizer.mmm.persistence.load_model`).
    """
    from optimizer.mmm.persistence import load_model  # lazy: PyMC and ArviZ are heavy

    _require_folder(folder)
    return load_model(model_dir(folder))


def load_gated_curves(folder: Path, allow_failed: bool) -> tuple[ResponseCurves, date | None]:
    """Response curves of a model folder, refused when the model failed its gate.

    Returns
    -------
    (ResponseCurves, date or None)
        The curves, and the last week of the model's history (None for exported curves).

    Raises
    ------
    ConfigError
        ``folder`` is not a folder, or holds unreadable curves or diagnostics.
    ConvergenceError
        The model failed its diagnostics gate and ``allow_failed`` is False.
    """
    _require_folder(folder)
    if (folder / CURVES_FILE).is_file():  # exported curves with their diagnostics
        check_gate(folder, allow_failed)
        return read_curves_json(folder / CURVES_FILE), None
    fitted = load_fitted_model(folder)
    # the model's own gate refuses a failed fit (ConvergenceError) unless allowed
    last = fitted.history_.weeks[-1].date()
    return fitted.response_curves(allow_failed=allow_failed), last


def load_curves_and_last_week(
    model: Path | None, curves: Path | None, allow_failed: bool
) -> tuple[ResponseCurves, date | None]:
    """Response curves from a fitted model folder or a curves JSON file, exactly one given.

    Parameters
    ----------
    model : Path or None
        Folder written by ``optimizer mmm fit`` (its gate applies).
    curves : Path or None
        A :class:`ResponseCurves` JSON file (spend in EUR per week, revenue in EUR).
    allow_failed : bool
        Accept a model whose diagnostics gate failed.

    Returns
    -------
    (ResponseCurves, date or None)
        The curves, and the last week of the model's history (None when unknown).

    Raises
    ------
    ConfigError
        Neither or both sources given, or an unreadable folder or file.
    ConvergenceError
        The model failed its gate and ``allow_failed`` is False.
    """
    if (model is None) == (curves is None):
        raise ConfigError("give exactly one of a model folder or a curves JSON file.")
    if curves is not None:
        return read_curves_json(curves), None
    assert model is not None
    return load_gated_curves(model, allow_failed)


def load_model_summary(folder: Path) -> dict[str, Any]:
    """The summary of a fitted model folder: its ``summary.json``, else recomputed from the model."""
    path = folder / SUMMARY_FILE
    if path.is_file():
        summary: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return summary
    from optimizer.mmm.persistence import load_model  # lazy: PyMC and ArviZ are heavy

    return load_model(model_dir(folder)).summary()
