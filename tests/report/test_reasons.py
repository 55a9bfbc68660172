"""A SKU's price bound reads in French on a French page, from the pricing layer's own reasons."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from optimizer.pricing.estimates import Elasticities
from optimizer.pricing.identification import identification_bounds
from optimizer.report.reasons import sku_bound_reason

ENGLISH = re.compile(
    r"\b(identified|interval|wide|category's|moves|limited|allowed|widened|rises|draws|"
    r"history|elasticity|prior|sells|stock there)\b"
)
NN = "\u202f"


def _reasons() -> list[str]:
    """The reasons :func:`identification_bounds` writes, one SKU per case."""
    frame = pd.DataFrame(
        {
            "category": ["a"] * 6,
            "current_price": [10.0] * 6,
            "elasticity_mean": [-1.5] * 6,
            # well, partly, weakly identified; never moved; flagged without category width; not
            "elasticity_low": [-1.7, -1.9, -2.4, -2.4, -2.4, -1.7],
            "elasticity_high": [-1.3, -1.1, -0.6, -0.6, -0.6, -1.3],
            "baseline_units": [10.0] * 6,
            "price_variation": [0.1, 0.1, 0.1, 0.0, 0.1, 0.1],
            "weakly_identified": [False, False, True, True, True, False],
            "category_interval_width": [1.2, 1.2, 1.2, 1.2, float("nan"), float("nan")],
        },
        index=pd.Index(list("ABCDEF"), name="sku"),
    )
    b = identification_bounds(Elasticities(frame), frame.index, max_change=0.15)
    return list(b["bound_reason"])


def test_every_identification_reason_reads_in_french():
    reasons = _reasons()
    assert reasons[0].startswith("well identified") and reasons[3].startswith("no own price")
    for reason in reasons:
        text = sku_bound_reason(reason, "fr")
        assert text and ENGLISH.findall(text) == [], (reason, text)
    assert f"±15,0{NN}%" in sku_bound_reason(reasons[0], "fr")
    assert "soit 33" in sku_bound_reason(reasons[0], "fr")  # 0.40 wide of the category's 1.20


def test_raised_and_widened_bounds_read_in_french():
    base = _reasons()[2]  # weakly identified
    sellout = (
        f"{base}; rises up to +12.8 % allowed: the SKU still sells out its stock there "
        "in at least 90% of the draws, whatever its elasticity"
    )
    text = sku_bound_reason(sellout, "fr")
    assert f"hausse permise jusqu'à +12,8{NN}%" in text and f"90{NN}% des tirages" in text
    widened = f"{base}; widened to ±7.5 % to reach the nearest price the rules allow"
    assert f"élargie à ±7,5{NN}%" in sku_bound_reason(widened, "fr")
    for text in (sku_bound_reason(sellout, "fr"), sku_bound_reason(widened, "fr")):
        assert ENGLISH.findall(text) == []


def test_unknown_reason_falls_back_on_the_bound_and_english_stays_as_is():
    assert sku_bound_reason("a reason from a future version", "fr", 4.0, 9.5) == (
        f"variation limitée à ±4,0{NN}%, hausse jusqu'à +9,5{NN}%"
    )
    reason = _reasons()[1]
    assert sku_bound_reason(reason, "en") == reason
    # a reason written elsewhere (e.g. already in French), with no bound to write it from: kept
    assert sku_bound_reason("prix jamais observé", "fr") == "prix jamais observé"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_empty_reason_stays_empty(lang):
    assert sku_bound_reason("", lang) == ""
