"""How far the model's promises are from the truth: a measured calibration of the promise.

A posterior is honest only about the doubt the model can see. Estimation bias (a channel bought
with the season, channels that move together) is invisible to it, and it makes the promise of a
re-allocation too optimistic: on generated stores (``bench/safe_plans.py``), the safe plan's
held-out promise was above the true lift on most stores, by a factor of 1.4 to 30.

The calibration keeps what was measured: for each benchmark store, the ratio of the true lift of
the recommended plan to the mean lift the model promised. A calibrated promise multiplies every
posterior sample of the lift by every measured ratio, so its interval carries both the model's
doubt and the model's measured error. It is shown *beside* the model's own promise, never
instead of it, and it says where its ratios come from; the safety rule still uses the model's
own samples (a ratio of the same sign does not change whether a plan beats today's).

The ratios ship with the package (``promise_calibration.json``, written by
``bench/safe_plans.py --calibrate``); their leave-one-store-out coverage is in
``docs/benchmarks.md``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from optimizer.errors import ConfigError

__all__ = ["CALIBRATION_FILE", "PromiseCalibration", "default_calibration"]

CALIBRATION_FILE = "promise_calibration.json"


@dataclass(frozen=True)
class PromiseCalibration:
    """Measured ratios of true lift to promised lift.

    Attributes
    ----------
    ratios : tuple of float
        One per benchmark store: true lift of the recommended plan / mean promised lift.
    stores : tuple of str
        The stores, in the same order.
    source : str
        How they were measured (command, date).
    """

    ratios: tuple[float, ...]
    stores: tuple[str, ...] = ()
    source: str = ""

    def __post_init__(self) -> None:
        if not self.ratios or not all(np.isfinite(self.ratios)):
            raise ConfigError("a promise calibration needs at least one finite ratio.")
        object.__setattr__(self, "ratios", tuple(float(r) for r in self.ratios))
        object.__setattr__(self, "stores", tuple(self.stores))

    def draws(self, lift: np.ndarray) -> np.ndarray:
        """Every posterior sample of the lift times every measured ratio, (S * R,), EUR."""
        return (np.asarray(lift, float)[:, None] * np.asarray(self.ratios)[None, :]).ravel()

    def without(self, store: str) -> PromiseCalibration:
        """The calibration without one store (leave-one-out checks)."""
        keep = [i for i, s in enumerate(self.stores) if s != store]
        return PromiseCalibration(
            tuple(self.ratios[i] for i in keep),
            tuple(self.stores[i] for i in keep),
            self.source + f" (without {store})",
        )

    def describe(self) -> str:
        """One line for reports."""
        r = np.asarray(self.ratios)
        return (
            f"the model's promise times the true/promised ratios measured on {len(r)} generated "
            f"stores (median {np.median(r):.2f}, range {r.min():.2f} to {r.max():.2f})"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {"ratios": list(self.ratios), "stores": list(self.stores), "source": self.source}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PromiseCalibration:
        """Inverse of :meth:`to_dict`."""
        return cls(tuple(data["ratios"]), tuple(data.get("stores", ())), data.get("source", ""))


def default_calibration() -> PromiseCalibration | None:
    """The calibration shipped with the package (None when it has none)."""
    try:
        text = resources.files("optimizer.allocation").joinpath(CALIBRATION_FILE).read_text()
    except (FileNotFoundError, OSError):
        return None
    return PromiseCalibration.from_dict(json.loads(text))
