"""Custom adstock families: plug a new carry-over shape into the MMM through the public API.

An adstock family says how one euro spent in week ``t`` is spread over weeks ``t .. t + L - 1``
(lag weights ``w_0 .. w_{L-1}``, lag 0 first). It is declared once, registered, then used by
name like the built-in families (``MMM(adstock="two_speed")``)::

    from optimizer.mmm import MMM, AdstockFamily, ParamPrior, register_adstock

    def two_speed(lags, fast_share, retention):
        # same-week effect (clicks) + a slowly decaying tail (brand)
        return fast_share * (lags == 0) + (1 - fast_share) * (1 - retention) * retention**lags

    register_adstock(AdstockFamily(
        name="two_speed",
        params={"fast_share": ParamPrior("Beta", {"alpha": 2, "beta": 2}),
                "retention": ParamPrior("Beta", {"alpha": 5, "beta": 2})},
        weights=two_speed,
    ))

Why adstock and not saturation: only the lag weights change, so everything downstream
(ROAS, :class:`~optimizer.curves.ResponseCurves`, allocation, scenarios) works unchanged;
the allocation solvers rely on the analytic shape of the Hill and logistic saturations.

Contract of ``weights(lags, **params)``:

* ``lags`` is a numpy array ``0., 1., ..., L - 1`` (weeks), in both the numpy and the pytensor
  evaluation;
* each parameter arrives with a trailing axis of length 1 (``(..., 1)``): a numpy array when
  results are computed from the posterior, a pytensor tensor inside the PyMC model;
* it returns non-negative, *unnormalised* weights broadcasting to ``(..., L)``; the library
  divides by their sum, so an adstocked euro stays one euro.

Arithmetic operators (``+ - * / **``, comparisons of ``lags``) and numpy ufuncs such as
``np.exp`` work on both kinds of input; a function that needs other numpy functions
(``np.where``, ``np.clip`` ...) gives a pytensor twin in ``weights_pt`` (``pt.switch`` ...).
Registration evaluates both versions on prior draws and refuses a family whose two versions
disagree, or whose weights are negative, not finite or all zero.

The family's name is what a saved model records: register the same family (same name, same
function) before :func:`~optimizer.mmm.persistence.load_model` reads a model that uses it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from optimizer.errors import ConfigError, did_you_mean

if TYPE_CHECKING:
    import pytensor.tensor as pt

# PyMC / pytensor are imported where they are used, so that importing optimizer.mmm stays light

__all__ = [
    "PRIOR_DISTRIBUTIONS",
    "AdstockFamily",
    "ParamPrior",
    "adstock_names",
    "get_adstock",
    "register_adstock",
    "unregister_adstock",
]

#: PyMC distributions a custom parameter prior may use (continuous, one value per channel).
PRIOR_DISTRIBUTIONS = (
    "Beta",
    "Exponential",
    "Gamma",
    "HalfNormal",
    "HalfStudentT",
    "LogNormal",
    "Normal",
    "TruncatedNormal",
    "Uniform",
)

# names already used by the model graph (a custom parameter may not shadow them)
_RESERVED = frozenset(
    {
        "alpha",
        "theta",
        "ad_shape",
        "ad_scale",
        "half",
        "slope",
        "lam",
        "roas",
        "beta",
        "coef",
        "sigma",
        "level_gap",
        "intercept",
        "intercept_prior",
        "y",
        "lift",
    }
)
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_CHECK_CHANNELS = 3
_CHECK_LAGS = 12

WeightFunction = Callable[..., Any]


@dataclass(frozen=True)
class ParamPrior:
    """Prior of one adstock parameter (one value per channel): a PyMC distribution by name.

    Attributes
    ----------
    distribution : str
        One of :data:`PRIOR_DISTRIBUTIONS`, e.g. ``"Beta"``.
    kwargs : mapping of str to float
        Its arguments as PyMC names them, e.g. ``{"alpha": 2, "beta": 5}`` or
        ``{"mu": 2, "sigma": 1}`` for a Gamma.
    """

    distribution: str
    kwargs: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.distribution not in PRIOR_DISTRIBUTIONS:
            raise ConfigError(
                f"prior distribution '{self.distribution}' is not supported; use one of "
                f"{', '.join(PRIOR_DISTRIBUTIONS)}.{did_you_mean(self.distribution, PRIOR_DISTRIBUTIONS)}"
            )
        kw = {str(k): float(v) for k, v in dict(self.kwargs).items()}
        bad = [k for k, v in kw.items() if not math.isfinite(v)]
        if bad:
            raise ConfigError(f"{self.distribution} prior: argument {bad[0]!r} is not finite.")
        object.__setattr__(self, "kwargs", MappingProxyType(kw))
        try:
            draws = self.draw(4, seed=0)
        except (TypeError, ValueError) as exc:
            raise ConfigError(
                f"{self.distribution} prior with arguments {kw}: {exc}; give the arguments as "
                "PyMC names them (e.g. Beta(alpha, beta), Gamma(mu, sigma))."
            ) from None
        if not np.isfinite(draws).all():
            raise ConfigError(
                f"{self.distribution} prior with arguments {kw} draws non-finite values."
            )

    def _dist(self) -> Any:
        import pymc as pm  # lazy: PyMC loads in seconds, only when a prior is drawn

        return getattr(pm, self.distribution)

    def draw(self, n: int, seed: int = 0) -> np.ndarray:
        """``n`` independent draws from the prior (numpy, shape ``(n,)``)."""
        import pymc as pm  # lazy: PyMC loads in seconds, only when a prior is drawn

        return np.asarray(
            pm.draw(self._dist().dist(**self.kwargs, shape=n), random_seed=seed), float
        )

    def variable(self, name: str) -> pt.TensorVariable:
        """Create the free variable ``name`` (dims ``channel``) inside the current PyMC model."""
        return self._dist()(name, **self.kwargs, dims="channel")


@dataclass(frozen=True)
class AdstockFamily:
    """A custom adstock lag-weight family (see the module docstring for the contract).

    Attributes
    ----------
    name : str
        Name used in ``MMM(adstock=name)`` (lower case, letters, digits, ``_``).
    params : mapping of str to ParamPrior
        Parameters (one value per channel) and their priors, in the order ``weights`` takes
        them as keywords.
    weights : callable
        ``weights(lags, **params)`` -> non-negative unnormalised weights ``(..., L)``.
    weights_pt : callable, optional
        Pytensor twin of ``weights`` when ``weights`` uses numpy functions; ``None`` = the same
        function (enough for arithmetic only).
    description : str
        One line for people reading the model.
    """

    name: str
    params: Mapping[str, ParamPrior]
    weights: WeightFunction
    weights_pt: WeightFunction | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ConfigError(
                f"adstock name {self.name!r}: use lower-case letters, digits and '_', starting "
                "with a letter (e.g. 'two_speed')."
            )
        if not self.params:
            raise ConfigError(f"adstock '{self.name}': give at least one parameter with its prior.")
        for key, prior in self.params.items():
            if not _NAME.match(key) or key in _RESERVED:
                raise ConfigError(
                    f"adstock '{self.name}': parameter name {key!r} is not allowed (reserved by "
                    f"the model or not a lower-case identifier); rename it, e.g. '{self.name}_{key}'."
                )
            if not isinstance(prior, ParamPrior):
                raise ConfigError(
                    f"adstock '{self.name}': parameter {key!r} needs a ParamPrior, got "
                    f"{type(prior).__name__}."
                )
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def lag_weights(self, values: Mapping[str, np.ndarray], max_lag: int) -> np.ndarray:
        """Normalised lag weights from numpy parameter values.

        Parameters
        ----------
        values : mapping of str to numpy.ndarray
            Every parameter, same shape ``(...)`` (e.g. ``(S, C)`` posterior samples).
        max_lag : int
            Window ``L`` in weeks.

        Returns
        -------
        numpy.ndarray
            Shape ``(..., L)``, each row summing to 1.
        """
        vals = {k: np.asarray(values[k], float)[..., None] for k in self.params}
        shape = np.broadcast_shapes(*(v.shape for v in vals.values()))[:-1] + (max_lag,)
        w = np.broadcast_to(
            np.asarray(self.weights(np.arange(max_lag, dtype=float), **vals), float), shape
        )
        return w / w.sum(axis=-1, keepdims=True)

    def lag_weights_pt(
        self, values: Mapping[str, pt.TensorVariable], max_lag: int
    ) -> pt.TensorVariable:
        """Pytensor version of :meth:`lag_weights` (parameters of shape ``(C,)`` -> ``(C, L)``)."""
        import pytensor.tensor as pt  # lazy: PyTensor loads in seconds

        fn = self.weights_pt or self.weights
        vals = {k: pt.as_tensor_variable(values[k])[..., None] for k in self.params}
        ref = next(iter(vals.values()))
        w = fn(np.arange(max_lag, dtype=float), **vals) + pt.zeros_like(ref)
        return w / w.sum(axis=-1, keepdims=True)

    def check(self) -> None:
        """Evaluate both versions on prior draws; raise :class:`ConfigError` when they are unusable."""
        draws = {k: p.draw(_CHECK_CHANNELS, seed=i) for i, (k, p) in enumerate(self.params.items())}
        where = f"adstock '{self.name}'"
        try:
            raw = np.asarray(
                self.weights(
                    np.arange(_CHECK_LAGS, dtype=float),
                    **{k: v[:, None] for k, v in draws.items()},
                ),
                float,
            )
            raw = np.broadcast_to(raw, (_CHECK_CHANNELS, _CHECK_LAGS))
        except Exception as exc:
            raise ConfigError(
                f"{where}: weights(lags, **params) failed on prior draws ({type(exc).__name__}: "
                f"{exc}); it receives numpy arrays of shape (C, 1) and lags of shape (L,)."
            ) from None
        if not np.isfinite(raw).all() or (raw < 0).any() or (raw.sum(axis=-1) <= 0).any():
            raise ConfigError(
                f"{where}: weights must be finite, >= 0 and not all zero; on prior draws "
                f"{ {k: np.round(v, 3).tolist() for k, v in draws.items()} } they are "
                f"{np.round(raw, 4).tolist()}. Check the formula or narrow the priors."
            )
        w_np = raw / raw.sum(axis=-1, keepdims=True)
        import pytensor.tensor as pt  # lazy: PyTensor loads in seconds

        try:
            w_pt = self.lag_weights_pt(
                {k: pt.as_tensor_variable(v) for k, v in draws.items()}, _CHECK_LAGS
            ).eval()
        except Exception as exc:
            raise ConfigError(
                f"{where}: the pytensor evaluation failed ({type(exc).__name__}: {exc}); give "
                "weights_pt written with pytensor functions (pt.exp, pt.log, ...)."
            ) from None
        if np.shape(w_pt) != w_np.shape:
            raise ConfigError(
                f"{where}: the pytensor version returns shape {np.shape(w_pt)} but the numpy "
                f"version {w_np.shape} on {_CHECK_CHANNELS} channels x {_CHECK_LAGS} lags; make "
                "weights_pt compute the same formula as weights."
            )
        gap = float(np.max(np.abs(np.asarray(w_pt) - w_np)))
        if not np.allclose(w_pt, w_np, rtol=1e-6, atol=1e-9):
            raise ConfigError(
                f"{where}: the numpy and pytensor versions disagree on prior draws (largest "
                f"difference {gap:.3g} in normalised weight); make weights_pt compute the same "
                "formula as weights."
            )


_REGISTRY: dict[str, AdstockFamily] = {}


def register_adstock(family: AdstockFamily, *, replace: bool = False) -> AdstockFamily:
    """Make a custom adstock family usable as ``MMM(adstock=family.name)``.

    Parameters
    ----------
    family : AdstockFamily
        The family; it is checked on prior draws first (see :meth:`AdstockFamily.check`).
    replace : bool
        Allow replacing a family registered under the same name (e.g. re-running a notebook
        cell).

    Returns
    -------
    AdstockFamily
        ``family``.

    Raises
    ------
    ConfigError
        The name is a built-in family or already registered (without ``replace``), or the
        family fails its check.
    """
    from optimizer.mmm.transforms import ADSTOCKS  # lazy: transforms imports PyTensor

    if family.name in ADSTOCKS:
        raise ConfigError(
            f"adstock '{family.name}' is built in; give the custom family another name."
        )
    if family.name in _REGISTRY and not replace and _REGISTRY[family.name] is not family:
        raise ConfigError(
            f"adstock '{family.name}' is already registered; pass replace=True to replace it "
            "or choose another name."
        )
    family.check()
    _REGISTRY[family.name] = family
    return family


def unregister_adstock(name: str) -> None:
    """Remove a registered custom family (no error when absent)."""
    _REGISTRY.pop(name, None)


def get_adstock(name: str) -> AdstockFamily | None:
    """The registered custom family called ``name``, or ``None`` (built-ins included)."""
    return _REGISTRY.get(name)


def adstock_names() -> tuple[str, ...]:
    """Built-in adstock families, then the registered custom ones."""
    from optimizer.mmm.transforms import ADSTOCKS  # lazy: transforms imports PyTensor

    return ADSTOCKS + tuple(sorted(_REGISTRY))
