"""The French retail calendar: Black Friday, Christmas and the legal *soldes* periods.

Used to fill calendar controls (``black_friday``, ``christmas``, ``soldes``) for future weeks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["CALENDAR_CONTROLS", "french_retail_calendar"]

#: Control names this module can compute for any week.
CALENDAR_CONTROLS = ("black_friday", "christmas", "soldes")


def french_retail_calendar(weeks: pd.DatetimeIndex) -> pd.DataFrame:
    """Flags of the French retail calendar for weeks starting on the given dates.

    Parameters
    ----------
    weeks : pandas.DatetimeIndex
        First day of each week.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``weeks``, 0/1 columns: ``black_friday`` (the week holding the fourth Friday
        of November), ``christmas`` (weeks overlapping the 14 days before 25 December) and
        ``soldes`` (the four weeks of the winter sales from the second Wednesday of January and
        of the summer sales from the last Wednesday of June, as set by French law since 2020).
    """
    bf = np.zeros(len(weeks))
    xmas = np.zeros(len(weeks))
    soldes = np.zeros(len(weeks))
    for i, w in enumerate(weeks):
        end = w + pd.Timedelta(days=6)
        # Black Friday: fourth Friday of November
        nov1 = pd.Timestamp(year=w.year, month=11, day=1)
        friday = nov1 + pd.Timedelta(days=(4 - nov1.dayofweek) % 7 + 21)
        bf[i] = float(w <= friday <= end)
        xmas_day = pd.Timestamp(year=w.year, month=12, day=25)
        xmas[i] = float(xmas_day - pd.Timedelta(days=14) <= end and w < xmas_day)
        # soldes: 4 weeks from the second Wednesday of January and the last Wednesday of June
        jan = pd.Timestamp(year=w.year, month=1, day=1)
        winter = jan + pd.Timedelta(days=(2 - jan.dayofweek) % 7 + 7)
        jun30 = pd.Timestamp(year=w.year, month=6, day=30)
        summer = jun30 - pd.Timedelta(days=(jun30.dayofweek - 2) % 7)
        for s in (winter, summer):
            if s - pd.Timedelta(days=6) <= w < s + pd.Timedelta(days=28):
                soldes[i] = 1.0
    return pd.DataFrame({"black_friday": bf, "christmas": xmas, "soldes": soldes}, index=weeks)
