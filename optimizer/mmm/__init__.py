"""Bayesian media-mix model: channel returns with honest uncertainty.

The estimator :class:`MMM` fits weekly revenue as baseline + adstocked, saturated channel
effects (PyMC, sampled with nutpie), calibrated with lift tests, gated by diagnostics; its
results are in EUR and :class:`ResponseCurves` (numpy only) is what allocation consumes.
"""

from optimizer.mmm.curves import ResponseCurves
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
from optimizer.mmm.priors import ChannelPrior, LogNormalPrior, Priors, roas_prior

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
