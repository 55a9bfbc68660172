"""Bayesian media-mix model: channel returns with honest uncertainty.

The estimator :class:`MMM` fits weekly revenue as baseline + adstocked, saturated channel
effects (PyMC, sampled with nutpie), calibrated with lift tests, gated by diagnostics; its
results are in EUR and :class:`ResponseCurves` (numpy only) is what allocation consumes.
"""

from typing import TYPE_CHECKING

from optimizer.curves import ResponseCurves
from optimizer.lazy import lazy_getattr
from optimizer.mmm.priors import ChannelPrior, LogNormalPrior, Priors, roas_prior

if TYPE_CHECKING:
    from optimizer.mmm.diagnostics import Diagnostics, GateThresholds
    from optimizer.mmm.extension import (
        AdstockFamily,
        ParamPrior,
        adstock_names,
        register_adstock,
        unregister_adstock,
    )
    from optimizer.mmm.model import MMM
    from optimizer.mmm.persistence import load_model, save_model

__all__ = [
    "MMM",
    "AdstockFamily",
    "ChannelPrior",
    "Diagnostics",
    "GateThresholds",
    "LogNormalPrior",
    "ParamPrior",
    "Priors",
    "ResponseCurves",
    "adstock_names",
    "load_model",
    "register_adstock",
    "roas_prior",
    "save_model",
    "unregister_adstock",
]

# heavy (PyMC) modules load on first use, so that numpy-only parts stay light
_LAZY = {
    "AdstockFamily": "optimizer.mmm.extension",
    "ParamPrior": "optimizer.mmm.extension",
    "adstock_names": "optimizer.mmm.extension",
    "register_adstock": "optimizer.mmm.extension",
    "unregister_adstock": "optimizer.mmm.extension",
    "Diagnostics": "optimizer.mmm.diagnostics",
    "GateThresholds": "optimizer.mmm.diagnostics",
    "MMM": "optimizer.mmm.model",
    "load_model": "optimizer.mmm.persistence",
    "save_model": "optimizer.mmm.persistence",
}


__getattr__ = lazy_getattr(__name__, _LAZY)
