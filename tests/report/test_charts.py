"""Charts draw what the tables say: nothing beyond a limit, nothing cut, axes in the reader's words."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from optimizer.report import charts
from optimizer.report.format import Fmt


@pytest.mark.parametrize("limit", [0.05, 0.10, 0.15, 0.30])
def test_price_changes_inside_the_limit_are_drawn_inside_it(limit):
    """A change just under the scenario's limit falls in a bar that ends at the limit."""
    changes = np.array([0.0, 0.0, limit - 3e-4, -(limit - 5e-3), 0.5 * limit, limit])
    fig = charts.price_change_chart(pd.DataFrame({"change": changes}), limit, Fmt("fr"))
    ax = fig.axes[0]
    bars = [p for p in ax.patches if p.get_height() > 0]
    assert sum(p.get_height() for p in bars) == 4  # the moved prices, each drawn once
    for p in bars:
        assert p.get_x() >= -limit - 1e-9 and p.get_x() + p.get_width() <= limit + 1e-9
    plt.close(fig)


def test_capacity_line_spans_every_week():
    weeks = pd.date_range("2026-11-23", periods=6, freq="W-MON")
    cap = pd.DataFrame(
        {
            "week": weeks,
            "capacity": [5040.0] * 6,
            "current_load": [4000.0] * 6,
            "plan_load": [4100.0] * 6,
        }
    )
    fig = charts.capacity_chart(cap, Fmt("fr"))
    ax = fig.axes[0]
    (step,) = [p for p in ax.patches if type(p).__name__ == "StepPatch"]
    xs = step.get_data().edges
    assert xs[0] <= -0.4 and xs[-1] >= len(weeks) - 0.6  # covers the first and the last bars
    plt.close(fig)


@pytest.mark.parametrize(("lang", "expected"), [("fr", "01/2025"), ("en", "Jan 2025")])
def test_time_axes_name_months_in_the_readers_language(lang, expected):
    weeks = pd.date_range("2024-06-03", periods=60, freq="W-MON")
    n = len(weeks)
    dec = pd.DataFrame(
        {
            "week": weeks,
            "actual": np.full(n, 1e5),
            "fitted": np.full(n, 1e5),
            "fitted_low": np.full(n, 9e4),
            "fitted_high": np.full(n, 1.1e5),
            "baseline": np.full(n, 8e4),
            "holdout": [False] * (n - 4) + [True] * 4,
        }
    )
    fig = charts.fit_chart(dec, Fmt(lang))
    fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert expected in ticks
    assert not any(t.startswith("2024-") or t.startswith("2025-") for t in ticks)
    plt.close(fig)


def test_every_weekly_panel_shows_its_weeks():
    """With 5 channels on a 3-column grid, the top-right panel has none below it: dated itself."""
    weeks = pd.date_range("2026-11-23", periods=6, freq="W-MON")
    rows = [
        {"week": w, "channel": c, "current": 100.0, "recommended": 120.0}
        for c in ("seo", "sea", "social", "affiliation", "retail_media")
        for w in weeks
    ]
    fig = charts.media_weeks_chart(pd.DataFrame(rows), Fmt("fr"))
    fig.canvas.draw()
    visible = {ax.get_title(): ax for ax in fig.axes if ax.axison}
    assert len(visible) == 5
    # the bottom panel of each column is dated (panels above share its axis)
    for title in ("Réseaux sociaux", "Affiliation", "Retail media"):
        labels = [t.get_text() for t in visible[title].get_xticklabels() if t.get_visible()]
        assert "23/11" in labels, title
    plt.close(fig)
