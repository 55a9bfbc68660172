"""Live the weeks after a generated store's history under any plan, noise included.

A closed-loop benchmark needs a store that answers: plan a quarter, spend it, observe the
revenue the truth produces (with its weekly noise), refit, plan again. :func:`forward_store`
generates a store of :mod:`optimizer.data.stores` over ``n_history + n_future`` weeks and keeps
the first ``n_history`` as the observed history; its baseline demand, price multiplier and
controls of the future weeks are the generator's. :meth:`ForwardStore.live` spends a plan over
the next weeks under the true response (carry-over from whatever was spent before, the plan's
own history included) and returns the store one step later: the history extended by the weeks
lived, revenue drawn as ``(baseline + true media) * price multiplier * lognormal(0, noise)``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.data.calendar import french_retail_calendar
from optimizer.data.demo import GroundTruth, geometric_adstock_np, hill_np
from optimizer.data.marketing import MarketingHistory
from optimizer.data.stores import generate_store
from optimizer.errors import ConfigError

__all__ = ["ForwardStore", "Lived", "forward_from_truth", "forward_store"]


@dataclass(frozen=True)
class Lived:
    """What a plan brought over the weeks lived.

    Attributes
    ----------
    media_revenue : numpy.ndarray
        True incremental revenue of the media per week (expected, noise-free), EUR.
    revenue : numpy.ndarray
        Recorded revenue per week (noise included), EUR.
    spend : numpy.ndarray
        Spend per week (all channels), EUR.
    """

    media_revenue: np.ndarray
    revenue: np.ndarray
    spend: np.ndarray

    @property
    def contribution(self) -> float:
        """True media revenue minus spend over the weeks lived, EUR."""
        return float(self.media_revenue.sum() - self.spend.sum())


@dataclass(frozen=True, eq=False)
class ForwardStore:
    """A generated store whose weeks after the history can be lived under any plan.

    Attributes
    ----------
    name : str
    truth : GroundTruth
        True response; ``history_spend`` is the spend observed so far.
    history : MarketingHistory
        Observed weeks so far.
    weeks : pandas.DatetimeIndex
        Every week the store can live (history and future).
    baseline : numpy.ndarray
        Baseline demand of every week, EUR at reference prices.
    price_multiplier : numpy.ndarray
        Revenue per unit of demand of every week.
    controls : pandas.DataFrame
        Controls of every week.
    noise : float
        Log-normal sd of the weekly revenue noise.
    """

    name: str
    truth: GroundTruth
    history: MarketingHistory
    weeks: pd.DatetimeIndex
    baseline: np.ndarray
    price_multiplier: np.ndarray
    controls: pd.DataFrame
    noise: float

    @property
    def n_observed(self) -> int:
        """Weeks observed so far."""
        return self.history.n_weeks

    def future_weeks(self, n: int) -> pd.DatetimeIndex:
        """The next ``n`` weeks."""
        t = self.n_observed
        if t + n > len(self.weeks):
            raise ConfigError(
                f"{self.name}: {n} more weeks asked but only {len(self.weeks) - t} are generated; "
                "generate the store with a longer future."
            )
        return self.weeks[t : t + n]

    def true_media(self, plan: np.ndarray) -> np.ndarray:
        """True incremental revenue per week of ``plan`` (T, C) after the history, (T,) EUR."""
        plan = np.asarray(plan, float)
        t0, n = self.n_observed, plan.shape[0]
        self.future_weeks(n)
        spend = self.history.spend
        media = np.zeros(n)
        for c, name in enumerate(spend.columns):
            t = self.truth.channels[name]
            x = np.concatenate([spend[name].to_numpy(float), plan[:, c]])
            ad = geometric_adstock_np(x, t.alpha, t.max_lag)
            media += t.beta * hill_np(ad, t.half_saturation, t.slope)[t0:]
        return media * self.price_multiplier[t0 : t0 + n]

    def live(self, plan: np.ndarray, rng: np.random.Generator) -> tuple[ForwardStore, Lived]:
        """Spend ``plan`` (T, C) EUR per week over the next T weeks; the store after, and the result."""
        plan = np.asarray(plan, float)
        if plan.ndim != 2 or plan.shape[1] != len(self.history.channels) or (plan < 0).any():
            raise ConfigError(
                f"plan must be weeks x {len(self.history.channels)} channels of spend >= 0, got "
                f"shape {plan.shape}."
            )
        t0, n = self.n_observed, plan.shape[0]
        weeks = self.future_weeks(n)
        media = self.true_media(plan)
        pm = self.price_multiplier[t0 : t0 + n]
        revenue = (self.baseline[t0 : t0 + n] * pm + media) * rng.lognormal(0, self.noise, n)
        h = self.history
        spend = pd.concat(
            [h.spend, pd.DataFrame(plan.round(2), index=weeks, columns=h.spend.columns)]
        )
        spend.index.name = h.spend.index.name
        history = dataclasses.replace(
            h,
            weeks=pd.DatetimeIndex(h.weeks.append(weeks)),
            revenue=np.concatenate([h.revenue, np.round(revenue, 2)]),
            spend=spend,
            controls=self.controls.iloc[: t0 + n],
            orders=None,
        )
        truth = dataclasses.replace(self.truth, history_spend=spend)
        after = dataclasses.replace(self, history=history, truth=truth)
        return after, Lived(media, revenue, plan.sum(axis=1))


def forward_store(
    pattern: str = "mixed",
    seed: int = 0,
    noise: float = 0.03,
    n_history: int = 156,
    n_future: int = 52,
) -> ForwardStore:
    """A store of :func:`optimizer.data.stores.generate_store` with ``n_future`` weeks to live.

    Parameters
    ----------
    pattern, seed, noise
        As for :func:`~optimizer.data.stores.generate_store`.
    n_history : int
        Weeks observed at the start.
    n_future : int
        Weeks that can be lived after them.

    Returns
    -------
    ForwardStore
    """
    s = generate_store(pattern, seed, noise=noise, n_weeks=n_history + n_future)
    h, truth = s.history, s.truth
    weeks = h.weeks
    history = dataclasses.replace(
        h,
        weeks=weeks[:n_history],
        revenue=h.revenue[:n_history],
        spend=h.spend.iloc[:n_history],
        controls=h.controls.iloc[:n_history],
        orders=None,
    )
    truth = dataclasses.replace(truth, history_spend=h.spend.iloc[:n_history])
    return ForwardStore(
        name=s.name,
        truth=truth,
        history=history,
        weeks=weeks,
        baseline=truth.baseline(weeks),
        price_multiplier=np.asarray(truth.price_multiplier, float),
        controls=h.controls,
        noise=noise,
    )


def forward_from_truth(
    history: MarketingHistory, truth: GroundTruth, n_future: int = 26, noise: float = 0.03
) -> ForwardStore:
    """A store (e.g. the bundled demo store and its ``truth.json``) with weeks to live.

    The future weeks' baseline is the truth's; their price multiplier is the mean of the
    history's last 13 weeks; their controls are the French retail calendar's flags (Black Friday,
    Christmas, soldes) and the last 13 weeks' mean of any other control (e.g. the promotion
    share).

    Parameters
    ----------
    history : MarketingHistory
        The store's observed weeks.
    truth : GroundTruth
        The truth behind them (its channels' response).
    n_future : int
        Weeks that can be lived.
    noise : float
        Log-normal sd of the weekly revenue noise.
    """
    future = pd.date_range(
        history.weeks[-1] + pd.Timedelta(days=7), periods=n_future, freq="7D", name="week"
    )
    weeks = pd.DatetimeIndex(history.weeks.append(future))
    cal = french_retail_calendar(future)
    recent = history.controls.iloc[-13:].mean()
    fut = pd.DataFrame(
        {c: cal[c].to_numpy() if c in cal.columns else recent[c] for c in history.controls.columns},
        index=future,
    )
    controls = pd.concat([history.controls, fut.set_axis(future)])
    pm = np.asarray(truth.price_multiplier, float)[: history.n_weeks]
    return ForwardStore(
        name=history.source or "store",
        truth=dataclasses.replace(truth, history_spend=history.spend),
        history=history,
        weeks=weeks,
        baseline=truth.baseline(weeks),
        price_multiplier=np.concatenate([pm, np.full(n_future, pm[-13:].mean())]),
        controls=controls,
        noise=noise,
    )
