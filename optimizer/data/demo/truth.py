"""The generator's ground truth: true channel response and demand, able to evaluate any plan."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from optimizer._version import __version__
from optimizer.curves import ResponseCurves
from optimizer.data.dataset import load_dataset
from optimizer.data.demo.constants import PROMO_UPLIFT, START
from optimizer.data.demo.response import baseline_demand, geometric_adstock_np, hill_np

__all__ = ["ChannelTruth", "GroundTruth"]

#: Significant digits of the floats written to ``truth.json``.
JSON_DIGITS = 12


def _round_floats(value: Any) -> Any:
    """``value`` with every float (in dicts and lists too) to :data:`JSON_DIGITS` digits."""
    if isinstance(value, float):
        return float(f"{value:.{JSON_DIGITS}g}")
    if isinstance(value, dict):
        return {k: _round_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_round_floats(v) for v in value]
    return value


@dataclass(frozen=True)
class ChannelTruth:
    """True response of one channel (geometric adstock then Hill saturation)."""

    alpha: float
    max_lag: int
    half_saturation: float  # EUR of adstocked weekly spend
    slope: float
    beta: float  # EUR per week of demand at full saturation
    roas: float  # true ROAS over the history (incremental revenue incl. VAT / spend)
    contribution: float  # EUR over the history
    spend: float  # EUR over the history


@dataclass(frozen=True, eq=False)
class GroundTruth:
    """The generator's true parameters, able to evaluate plans under the truth.

    Attributes
    ----------
    seed : int
        Seed the store was generated with.
    weeks : pandas.DatetimeIndex
        History weeks.
    channels : dict of str to ChannelTruth
        True media response per channel.
    baseline_level : float
        Baseline demand level at the start (EUR per week).
    d_ref : float
        Reference demand used to scale SKU base units (EUR per week).
    price_multiplier : numpy.ndarray
        Per history week, revenue per unit of demand index (the price/promo effect).
    history_spend : pandas.DataFrame
        Realised spend per week and channel (EUR), for carry-over into the horizon.
    skus : pandas.DataFrame
        Per SKU: ``category``, ``elasticity``, ``base_units`` (per week at ``ref_price`` when
        ``D = d_ref``), ``ref_price`` (EUR incl. VAT, today's price), ``optimal_price`` (the
        margin-maximizing price under the truth, EUR incl. VAT, before price endings) and
        ``mispriced`` (whether today's price is clearly off it).
    category_elasticity : dict of str to float
        Mean elasticity per category.
    promo_uplift : float
        Demand multiplier of the promo flag.
    """

    seed: int
    weeks: pd.DatetimeIndex
    channels: dict[str, ChannelTruth]
    baseline_level: float
    d_ref: float
    price_multiplier: np.ndarray
    history_spend: pd.DataFrame
    skus: pd.DataFrame
    category_elasticity: dict[str, float]
    promo_uplift: float = PROMO_UPLIFT
    start: pd.Timestamp = field(default_factory=lambda: pd.Timestamp(START))

    # --- media --------------------------------------------------------------------------------
    def baseline(self, weeks: pd.DatetimeIndex) -> np.ndarray:
        """Baseline demand for any weeks (EUR per week at reference prices)."""
        return baseline_demand(pd.DatetimeIndex(weeks), self.baseline_level, self.start)

    def media_contribution(self, plan: pd.DataFrame) -> pd.DataFrame:
        """True media demand per channel for a plan that follows the history.

        Parameters
        ----------
        plan : pandas.DataFrame
            Spend per future week (rows, consecutive, starting the week after the history) and
            channel (columns), EUR. Missing channels spend 0.

        Returns
        -------
        pandas.DataFrame
            Demand contribution ``M_{c,t}`` (EUR per week at reference prices), same shape.
        """
        out = {}
        hist = len(self.history_spend)
        for c, t in self.channels.items():
            future = plan[c].to_numpy(float) if c in plan.columns else np.zeros(len(plan))
            x = np.concatenate([self.history_spend[c].to_numpy(float), future])
            ad = geometric_adstock_np(x, t.alpha, t.max_lag)
            out[c] = t.beta * hill_np(ad, t.half_saturation, t.slope)[hist:]
        return pd.DataFrame(out, index=plan.index)

    def media_revenue(self, plan: pd.DataFrame, price_multiplier: float = 1.0) -> float:
        """Total true incremental revenue of a plan over its weeks (EUR, incl. VAT).

        ``price_multiplier`` converts demand at reference prices into revenue (1 at reference
        prices).
        """
        return float(self.media_contribution(plan).to_numpy().sum() * price_multiplier)

    def response_curves(
        self, recent_weeks: int = 13, *, n_samples: int = 1, noise: float = 0.0, seed: int = 0
    ) -> ResponseCurves:
        """The true response as :class:`~optimizer.curves.ResponseCurves`.

        Media effect is demand at reference prices (EUR per week): with a price multiplier of 1
        it is incremental revenue. ``current`` is the mean spend of the last ``recent_weeks``.

        Parameters
        ----------
        recent_weeks : int
            Weeks averaged into the current run-rate.
        n_samples : int
            Samples of the returned curves (all equal to the truth when ``noise`` is 0).
        noise : float
            Log-normal scale of a multiplicative perturbation of each channel's
            half-saturation and maximum effect, per sample: a stand-in for a posterior of known
            spread around the truth (sensitivity studies, allocation benchmarks).
        seed : int
            Seed of the perturbation.
        """
        names = tuple(self.channels)
        lags = max(t.max_lag for t in self.channels.values())
        weights = np.zeros((n_samples, len(names), lags))
        params = np.zeros((n_samples, len(names), 2))
        beta = np.zeros((n_samples, len(names)))
        rng = np.random.default_rng(seed)
        for c, name in enumerate(names):
            t = self.channels[name]
            w = t.alpha ** np.arange(t.max_lag)
            weights[:, c, : t.max_lag] = w / w.sum()
            mult = (
                np.exp(noise * rng.standard_normal((n_samples, 2)))
                if noise
                else np.ones((n_samples, 2))
            )
            params[:, c] = (t.half_saturation, t.slope)
            params[:, c, 0] *= mult[:, 0]
            beta[:, c] = t.beta * mult[:, 1]
        hist = self.history_spend[list(names)].to_numpy(float)
        current = hist[-recent_weeks:].mean(axis=0)
        reach = np.array(
            [
                geometric_adstock_np(hist[:, c], t.alpha, t.max_lag).max()
                for c, t in enumerate(self.channels.values())
            ]
        )
        return ResponseCurves(
            names, weights, ("hill",) * len(names), params, beta, hist, current, reach
        )

    def run_rate_plan(self, n_weeks: int, recent_weeks: int = 13) -> pd.DataFrame:
        """The current plan: each channel's mean spend of the last ``recent_weeks``, per week."""
        mean = self.history_spend.iloc[-recent_weeks:].mean()
        idx = pd.date_range(self.weeks[-1] + pd.Timedelta(days=7), periods=n_weeks, freq="7D")
        return pd.DataFrame({c: np.full(n_weeks, mean[c]) for c in self.channels}, index=idx)

    # --- demand -------------------------------------------------------------------------------
    def expected_units(
        self, prices: pd.Series, demand: np.ndarray, promo: bool = False
    ) -> pd.DataFrame:
        """True expected units per week and SKU at given prices.

        Parameters
        ----------
        prices : pandas.Series
            Price incl. VAT per SKU (EUR).
        demand : numpy.ndarray
            Demand index per week (EUR at reference prices), e.g. ``baseline + media``.
        promo : bool
            Whether the promo flag is on.

        Returns
        -------
        pandas.DataFrame
            Expected units, weeks x SKUs.
        """
        s = self.skus.loc[prices.index]
        per_sku = (
            s["base_units"].to_numpy()
            * (prices.to_numpy() / s["ref_price"].to_numpy()) ** s["elasticity"].to_numpy()
            * (self.promo_uplift if promo else 1.0)
        )
        return pd.DataFrame(
            np.outer(np.asarray(demand) / self.d_ref, per_sku), columns=prices.index
        )

    # --- persistence --------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict (``truth.json``), every float to 12 significant digits.

        Sums over weeks (a channel's contribution, its ROAS, the reference demand) differ in the
        last bit from one CPU to another (numpy's SIMD summation); 12 digits keep the file the
        same on every machine (a new machine wrote ``2.5999999999999996`` for a ROAS of 2.6).
        """
        return _round_floats(self._json())

    def _json(self) -> dict[str, Any]:
        return {
            "generator": "optimizer.data.demo",
            "version": __version__,
            "seed": self.seed,
            "start": str(self.weeks[0].date()),
            "n_weeks": len(self.weeks),
            "baseline_level": self.baseline_level,
            "d_ref": self.d_ref,
            "promo_uplift": self.promo_uplift,
            "channels": {
                c: {
                    "adstock": "geometric",
                    "alpha": t.alpha,
                    "max_lag": t.max_lag,
                    "saturation": "hill",
                    "half_saturation": t.half_saturation,
                    "slope": t.slope,
                    "beta": t.beta,
                    "roas": t.roas,
                    "contribution": t.contribution,
                    "spend": t.spend,
                }
                for c, t in self.channels.items()
            },
            "price_multiplier": [round(float(v), 10) for v in self.price_multiplier],
            "category_elasticity": self.category_elasticity,
            "skus": {
                str(k): {
                    "category": str(r.category),
                    "elasticity": float(r.elasticity),
                    "base_units": float(r.base_units),
                    "ref_price": float(r.ref_price),
                    **(
                        {
                            "optimal_price": float(r.optimal_price),
                            "mispriced": bool(r.mispriced),
                        }
                        if "optimal_price" in self.skus.columns
                        else {}
                    ),
                }
                for k, r in self.skus.iterrows()
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], history_spend: pd.DataFrame) -> GroundTruth:
        """Rebuild from ``truth.json`` and the marketing history's spend."""
        weeks = pd.date_range(data["start"], periods=data["n_weeks"], freq="7D", name="week")
        skus = pd.DataFrame.from_dict(data["skus"], orient="index")
        skus.index.name = "sku"
        return cls(
            seed=int(data["seed"]),
            weeks=weeks,
            channels={
                c: ChannelTruth(
                    alpha=v["alpha"],
                    max_lag=int(v["max_lag"]),
                    half_saturation=v["half_saturation"],
                    slope=v["slope"],
                    beta=v["beta"],
                    roas=v["roas"],
                    contribution=v["contribution"],
                    spend=v["spend"],
                )
                for c, v in data["channels"].items()
            },
            baseline_level=float(data["baseline_level"]),
            d_ref=float(data["d_ref"]),
            price_multiplier=np.asarray(data["price_multiplier"], float),
            history_spend=history_spend,
            skus=skus,
            category_elasticity=dict(data["category_elasticity"]),
            promo_uplift=float(data["promo_uplift"]),
            start=pd.Timestamp(data["start"]),
        )

    @classmethod
    def load(cls, folder: str | Path) -> GroundTruth:
        """Load ``truth.json`` from a demo dataset folder."""
        folder = Path(folder)
        data = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
        ds = load_dataset(folder)
        assert ds.marketing is not None
        return cls.from_json(data, ds.marketing.spend)
