"""Media-mix models for every shop of a portfolio: pooled (one hierarchical fit) or independent.

Example
-------
>>> from optimizer.data.portfolio import load_portfolio
>>> from optimizer.mmm.portfolio import fit_portfolio_models
>>> portfolio = load_portfolio("scenarios/portfolio")             # doctest: +SKIP
>>> fit = fit_portfolio_models(portfolio)                          # doctest: +SKIP
>>> curves = fit.response_curves()      # {shop: ResponseCurves}, what every planner consumes
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from optimizer.curves import ResponseCurves
from optimizer.data.portfolio import Portfolio, Shop
from optimizer.errors import ConfigError, ConvergenceError, DataError
from optimizer.mmm.attempts import DEFAULT_RETRIES
from optimizer.mmm.model import MMM
from optimizer.mmm.persistence import (
    SpecFile,
    load_model,
    save_model,
    write_folder_atomically,
)
from optimizer.mmm.pooled import PooledMMM
from optimizer.mmm.pooled_folder import load_pooled, save_pooled
from optimizer.mmm.priors import Priors

__all__ = [
    "DEFAULT_METHOD",
    "METHODS",
    "FitSettings",
    "PortfolioFit",
    "fit_portfolio_models",
    "fit_shop",
    "load_portfolio_fit",
    "save_portfolio_fit",
]

METHODS = ("pooled", "independent")
DEFAULT_METHOD = "independent"  # the measured winner: docs/benchmarks.md, "pooled vs independent"
FIT_FILE = "portfolio_fit.json"
FORMAT_VERSION = 1
FIT_SPEC = SpecFile(FIT_FILE, FORMAT_VERSION, "portfolio fit", "format", "models")


@dataclass(frozen=True)
class FitSettings:
    """How every shop's model is fitted (the single model's defaults).

    Attributes
    ----------
    seed : int
        Seed of every fit (each independent fit uses it too): same seed, same draws.
    draws, tune, chains : int
        NUTS draws kept per chain, tuning steps per chain, chains.
    holdout_weeks : int
        Last weeks of each shop kept out of the fit for the gate's out-of-sample check.
    retries : int
        Extra NUTS runs when the gate finds sampler trouble.
    use_lift_tests : bool
        Calibrate with each shop's lift tests (when its dataset has them).
    priors : Priors or None
        Channel priors by name (pooled: the group values' priors).
    progress : bool
        Show the sampler's progress display.
    """

    seed: int = 0
    draws: int = 1000
    tune: int = 1000
    chains: int = 4
    holdout_weeks: int = 8
    retries: int = DEFAULT_RETRIES
    use_lift_tests: bool = True
    priors: Priors | None = None
    progress: bool = False

    def estimator_kwargs(self) -> dict[str, object]:
        """Keyword arguments shared by :class:`MMM` and :class:`PooledMMM`."""
        return {
            "draws": self.draws,
            "tune": self.tune,
            "chains": self.chains,
            "holdout_weeks": self.holdout_weeks,
            "retries": self.retries,
            "seed": self.seed,
            "progress": self.progress,
        }


@dataclass(frozen=True, eq=False)
class PortfolioFit:
    """Every shop's fitted media-mix model.

    Attributes
    ----------
    method : str
        ``pooled`` or ``independent``.
    models : dict of str to MMM
        Each shop's fitted model (for ``pooled``, its slice of the joint posterior).
    pooled : PooledMMM or None
        The joint model (``pooled`` only).
    settings : FitSettings
        How the models were fitted.
    fit_seconds : float
        Wall time of all the fits, s.
    """

    method: str
    models: dict[str, MMM]
    pooled: PooledMMM | None
    settings: FitSettings
    fit_seconds: float

    @property
    def failures(self) -> list[str]:
        """The diagnostics gate's failures (each naming its shop); empty when it passed."""
        if self.pooled is not None:
            return list(self.pooled.diagnostics_.failures)
        return [f"shop '{n}': {f}" for n, m in self.models.items() for f in m.diagnostics_.failures]

    @property
    def passed(self) -> bool:
        """Whether every shop's model (and the group parameters) passed the gate."""
        return not self.failures

    def require_passed(self, allow_failed: bool = False) -> None:
        """Raise :class:`ConvergenceError` naming the shops whose gate failed."""
        if self.failures and not allow_failed:
            raise ConvergenceError(
                f"the {self.method} media-mix models failed their diagnostics gate and may not "
                "be used for planning:\n  - " + "\n  - ".join(self.failures) + "\nFix the fits"
                " (more --tune/--draws), try the other method, or override explicitly "
                "(allow_failed=True)."
            )

    def response_curves(
        self, n_samples: int = 300, allow_failed: bool = False
    ) -> dict[str, ResponseCurves]:
        """Each shop's posterior response curves in EUR (:meth:`MMM.response_curves`)."""
        self.require_passed(allow_failed)
        return {n: m.response_curves(n_samples, allow_failed=True) for n, m in self.models.items()}

    def roas(self) -> pd.DataFrame:
        """Every shop's ROAS table (:meth:`MMM.roas`), indexed by ``(shop, channel)``."""
        return pd.concat({n: m.roas() for n, m in self.models.items()}, names=["shop"])


def fit_shop(shop: Shop, settings: FitSettings) -> MMM:
    """Fit one shop's model on its own (the ``independent`` method, one task of it)."""
    priors = settings.priors or Priors()
    own = Priors({c: p for c, p in priors.channels.items() if c in shop.channels})
    lift = shop.dataset.lift_tests if settings.use_lift_tests else None
    try:
        return MMM(own, **settings.estimator_kwargs()).fit(shop.marketing, lift)  # type: ignore[arg-type]
    except DataError as exc:
        raise DataError(f"shop '{shop.name}': {exc}") from None


def fit_portfolio_models(
    portfolio: Portfolio, method: str = DEFAULT_METHOD, settings: FitSettings | None = None
) -> PortfolioFit:
    """Fit a media-mix model for every shop of ``portfolio``.

    Parameters
    ----------
    portfolio : Portfolio
        The loaded portfolio (every shop has a marketing history).
    method : str
        ``independent`` (one model per shop; the default, as ``optimizer portfolio run`` fits)
        or ``pooled`` (one hierarchical model, channel parameters partially pooled across
        shops). On the demo portfolio pooling barely lowered the small shop's ROAS error,
        halved its interval coverage and took longer to fit (docs/benchmarks.md).
    settings : FitSettings, optional
        Sampler settings; default: the single model's, seeded with the portfolio's seed.

    Returns
    -------
    PortfolioFit

    Raises
    ------
    ConfigError
        An unknown method.
    DataError
        A shop's data cannot be fitted (the message names the shop).
    """
    if method not in METHODS:
        raise ConfigError(f"method '{method}' is unknown; use one of {', '.join(METHODS)}.")
    settings = settings or FitSettings(seed=portfolio.seed)
    t0 = time.perf_counter()
    if method == "independent":
        models = {s.name: fit_shop(s, settings) for s in portfolio.shops}
        return PortfolioFit(method, models, None, settings, time.perf_counter() - t0)
    lift = {s.name: s.dataset.lift_tests for s in portfolio.shops if settings.use_lift_tests}
    pooled = PooledMMM(settings.priors, **settings.estimator_kwargs()).fit(  # type: ignore[arg-type]
        {s.name: s.marketing for s in portfolio.shops}, lift
    )
    return PortfolioFit(method, pooled.shops_, pooled, settings, time.perf_counter() - t0)


def save_portfolio_fit(fit: PortfolioFit, folder: str | Path, overwrite: bool = False) -> Path:
    """Save the fits (atomically, no pickle): ``portfolio_fit.json`` and the models.

    ``pooled``: ``pooled/`` (:func:`~optimizer.mmm.pooled_folder.save_pooled`); ``independent``:
    ``shops/<name>/``, each a standard model folder.
    """

    def fill(tmp: Path) -> None:
        if fit.pooled is not None:
            save_pooled(fit.pooled, tmp / "pooled")
        else:
            for name, model in fit.models.items():
                save_model(model, tmp / "shops" / name)
        spec = {
            "method": fit.method,
            "shops": list(fit.models),
            "fit_seconds": fit.fit_seconds,
            "settings": {
                k: v for k, v in vars(fit.settings).items() if k not in ("priors", "progress")
            },
            "priors": None if fit.settings.priors is None else fit.settings.priors.to_dict(),
        }
        FIT_SPEC.write(tmp, spec)

    return write_folder_atomically(Path(folder), fill, overwrite)


def load_portfolio_fit(folder: str | Path) -> PortfolioFit:
    """Load fits saved by :func:`save_portfolio_fit` (data hashes checked).

    Raises
    ------
    DataError
        Not a saved portfolio fit, an unknown format, or edited data.
    """
    folder = Path(folder)
    spec = FIT_SPEC.read(folder)
    priors = None if spec["priors"] is None else Priors.from_dict(spec["priors"])
    settings = FitSettings(**spec["settings"], priors=priors)
    if spec["method"] == "pooled":
        pooled = load_pooled(folder / "pooled")
        models = pooled.shops_
    else:
        pooled = None
        models = {n: load_model(folder / "shops" / n) for n in spec["shops"]}
    return PortfolioFit(spec["method"], models, pooled, settings, float(spec["fit_seconds"]))
