"""Today's plan: what a recommendation is judged against.

By default the recent run-rate every week. A manager may supply their own draft (a CSV file), or
ask for last year's same weeks: what a Black Friday plan should be judged against, since no one
spends the run-rate of a quiet autumn in the peak weeks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.data.io import read_table
from optimizer.errors import ConfigError

__all__ = ["last_year_plan", "read_plan_csv"]


def read_plan_csv(path: str | Path, channels: tuple[str, ...], weeks: int) -> np.ndarray:
    """A plan from a CSV file: one row per week, one column per channel (EUR per week).

    Other columns (``week``, notes) are ignored; decimal commas and thousands spaces are read.

    Returns
    -------
    numpy.ndarray
        (weeks, C) EUR per week.

    Raises
    ------
    ConfigError
        Missing channel columns, the wrong number of rows, non-numbers or negative spend.
    """
    path = Path(path)
    frame = read_table(path)
    missing = [c for c in channels if c not in frame.columns]
    if missing:
        raise ConfigError(
            f"{path.name}: no column for channel(s) {', '.join(missing)}; give one column per "
            f"channel of the model ({', '.join(channels)}), EUR per week."
        )
    if len(frame) != weeks:
        raise ConfigError(
            f"{path.name}: {len(frame)} rows but the horizon has {weeks} weeks; give one row "
            "per week."
        )
    try:  # decimal comma and thousands spaces as a French spreadsheet writes them
        values = np.column_stack(
            [
                frame[c].astype(str).str.replace(" ", "").str.replace(",", ".").astype(float)
                for c in channels
            ]
        )
    except (TypeError, ValueError):
        raise ConfigError(f"{path.name}: spend must be numbers (EUR per week).") from None
    if not np.isfinite(values).all() or (values < 0).any():
        raise ConfigError(f"{path.name}: spend must be finite amounts >= 0 EUR per week.")
    return values


def last_year_plan(
    history: pd.DataFrame, horizon: pd.DatetimeIndex, budget: float | None = None
) -> np.ndarray:
    """The same weeks one year (52 weeks) earlier, optionally scaled to a budget.

    Parameters
    ----------
    history : pandas.DataFrame
        Weekly spend per channel over the history (index: week), EUR.
    horizon : pandas.DatetimeIndex
        The plan's weeks.
    budget : float, optional
        Scale the plan so that it spends this much over the horizon, EUR.

    Returns
    -------
    numpy.ndarray
        (T, C) EUR per week.

    Raises
    ------
    ConfigError
        The history does not cover last year's weeks.
    """
    ago = pd.DatetimeIndex(horizon) - pd.Timedelta(weeks=52)
    missing = ago.difference(pd.DatetimeIndex(history.index))
    if len(missing):
        raise ConfigError(
            f"today's plan 'last_year' needs the weeks {ago[0].date()} to {ago[-1].date()} in "
            f"the marketing history, which covers {history.index[0].date()} to "
            f'{history.index[-1].date()}; use today = "run_rate" or a plan file.'
        )
    plan = history.loc[ago].to_numpy(float)
    total = float(plan.sum())
    if budget is not None and total > 0:
        plan = plan * (budget / total)
    return plan
