from __future__ import annotations

import pytest

from optimizer.errors import did_you_mean


@pytest.mark.parametrize(
    ("word", "choices", "hint"),
    [
        ("budjet", ["budget", "budget_change"], "budget"),  # one letter wrong
        ("medai", ["media", "model"], "media"),  # two letters swapped
        ("fiel", ["file"], "file"),
        ("horizn", ["horizon"], "horizon"),  # one letter missing
        ("max_chnage", ["min_change", "max_change"], "max_change"),
        ("budjet_change", ["budget", "budget_change"], "budget_change"),
        ("vat_rte", ["vat_rate", "return_rate"], "vat_rate"),
        ("VAT rate", ["vat_rate"], "vat_rate"),  # case and separators do not count
        ("Vat-Rate", ["vat_rate"], "vat_rate"),
        ("B22", ["A1", "B2"], "B2"),
        ("socail", ["seo", "sea", "social"], "social"),
    ],
)
def test_close_names_are_hinted(word, choices, hint):
    assert did_you_mean(word, choices) == f" Did you mean '{hint}'?"


@pytest.mark.parametrize(
    ("word", "choices"),
    [
        ("vat_rate", ["return_rate", "sku"]),  # shares a word, not close
        ("tiktok", ["seo", "sea", "social", "affiliation", "retail_media"]),
        ("price", ["price_incl_vat"]),
        ("tv", ["seo", "sea"]),
        ("x", ["y"]),
        ("budget", []),
    ],
)
def test_distant_names_get_no_hint(word, choices):
    assert did_you_mean(word, choices) == ""


def test_closest_name_wins():
    assert did_you_mean("min_totl", ["max_total", "min_total"]) == " Did you mean 'min_total'?"
