from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from optimizer.report.format import Fmt, rounded_parts
from optimizer.report.labels import LABELS, humanize, label

NN = "\u202f"  # narrow no-break space (French thousands and before % and €)


def test_french_numbers():
    f = Fmt("fr")
    assert f.eur(1206277.24) == f"1{NN}206{NN}277{NN}€"
    assert f.pct(0.138) == f"13,8{NN}%"
    assert f.ratio(2.0834) == "2,08"
    assert f.eur(23162, sign=True) == f"+23{NN}162{NN}€"
    assert f.eur(-23162, sign=True) == f"-23{NN}162{NN}€"
    assert f.date("2026-11-23") == "23/11/2026"
    assert f.count(-3810.4, sign=True) == f"-3{NN}810"
    assert f.price(49.99) == f"49,99{NN}€"
    assert f.points(-0.006) == f"-0,6{NN}pt"


def test_english_numbers():
    f = Fmt("en")
    assert f.eur(1206277.24) == "€1,206,277"
    assert f.pct(0.138) == "13.8%"
    assert f.ratio(2.0834) == "2.08"
    assert f.eur(23162, sign=True) == "+€23,162"
    assert f.date("2026-11-23") == "2026-11-23"


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("value", [-0.0, -0.004, 0.004, -1e-12])
def test_no_negative_zero(lang, value):
    f = Fmt(lang)
    for text in (f.eur(value), f.eur(value, sign=True), f.pct(value / 100), f.count(value)):
        assert not text.startswith("-") and not text.startswith("+"), text


def test_probability_never_claims_certainty():
    f = Fmt("fr")
    assert f.probability(1.0) == f"> 99{NN}%"
    assert f.probability(0.0) == f"< 1{NN}%"
    assert f.probability(0.873) == f"87{NN}%"


def test_missing_values_and_bad_language():
    assert Fmt("fr").eur(None) == "n.d." and Fmt("en").pct(float("nan")) == "n/a"
    with pytest.raises(ValueError, match="use fr or en"):
        Fmt("de")  # type: ignore[arg-type]


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=6))
def test_rounded_parts_add_up_to_the_rounded_total(values):
    total = sum(values)
    parts = rounded_parts(values, total)
    assert sum(parts) == pytest.approx(round(total), abs=1e-6)
    assert all(abs(p - v) < 1.0 + 1e-9 for p, v in zip(parts, values, strict=True))


def test_labels_never_show_identifiers():
    for key, (fr, en) in LABELS.items():
        assert "_" not in fr and "_" not in en, key
    assert label("retail_media", "fr") == "Retail media"
    assert label("some_new_rule", "en") == humanize("some_new_rule") == "Some new rule"


def test_every_price_rule_has_words():
    """A binding price rule the pricing layer can report reads as words in both languages."""
    from optimizer.pricing.problem import BUILTIN_RULES

    missing = [rule for rule in BUILTIN_RULES if rule not in LABELS]
    assert missing == []
