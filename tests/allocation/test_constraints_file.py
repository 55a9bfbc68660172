"""The constraints file refuses rules that contradict themselves, naming the table and the fix."""

from __future__ import annotations

import pytest

from optimizer.allocation.constraints_file import load_constraints
from optimizer.errors import ConfigError

CHANNELS = ("seo", "sea", "social")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "[channels.sea]\nmin_change = 0.5\nmax_change = 0.3\n",
            "c.toml: [channels.sea]: min_change (0.5) is above max_change (0.3); lower "
            "min_change or raise max_change.",
        ),
        (
            "[channels.sea]\nmin_total = 90000\nmax_total = 10000\n",
            "c.toml: [channels.sea]: min_total (90,000 EUR) is above max_total (10,000 EUR); "
            "lower min_total or raise max_total.",
        ),
        (
            "[channels.seo]\nmin_weekly = 2500.5\nmax_weekly = 1000\n",
            "c.toml: [channels.seo]: min_weekly (2,500.50 EUR) is above max_weekly (1,000 EUR); "
            "lower min_weekly or raise max_weekly.",
        ),
        (
            "[channels.sea]\nfixed = 5000\nmin_total = 8000\n",
            "c.toml: [channels.sea]: fixed (5,000 EUR) is below min_total (8,000 EUR); change "
            "fixed or drop min_total.",
        ),
        (
            "[channels.sea]\nfixed = 5000\nmax_total = 4000\n",
            "c.toml: [channels.sea]: fixed (5,000 EUR) is above max_total (4,000 EUR); change "
            "fixed or drop max_total.",
        ),
        (
            '[[week_bounds]]\nchannel = "social"\nweek = 3\nmin = 500\nmax = 100\n',
            "c.toml: [week_bounds.0]: min (500 EUR) is above max (100 EUR) for 'social' in week "
            "3; lower min or raise max.",
        ),
        (
            "[channels.sea]\nmin_total = 2\nmax_total = 1\nmin_change = 1\nmax_change = 0\n",
            "c.toml: [channels.sea]: min_total (2 EUR) is above max_total (1 EUR); lower "
            "min_total or raise max_total; min_change (1) is above max_change (0); lower "
            "min_change or raise max_change.",
        ),
    ],
)
def test_min_above_max_refused_at_load(tmp_path, body, message):
    path = tmp_path / "c.toml"
    path.write_text("schema_version = 1\n" + body, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_constraints(path, CHANNELS)
    assert str(exc.value) == message


def test_equal_bounds_and_fixed_within_totals_load(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(
        "[channels.sea]\nmin_total = 5000\nmax_total = 5000\nmin_change = 0.2\nmax_change = 0.2\n"
        "[channels.seo]\nfixed = 3000\nmin_total = 3000\nmax_total = 9000\n"
        '[[week_bounds]]\nchannel = "social"\nweek = 1\nmin = 100\nmax = 100\n',
        encoding="utf-8",
    )
    kwargs = load_constraints(path, CHANNELS)
    assert kwargs["channels"]["sea"].min_total == kwargs["channels"]["sea"].max_total == 5000
    assert kwargs["channels"]["seo"].fixed == 3000
