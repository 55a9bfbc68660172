"""Generate -> write -> load -> equal, for every file type (hypothesis)."""

from __future__ import annotations

import contextlib

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from optimizer.data import (
    FRENCH_VAT_RATES,
    Catalog,
    LiftTests,
    Logistics,
    MarketingHistory,
    SalesHistory,
    load_catalog,
    load_lift_tests,
    load_logistics,
    load_marketing,
    load_sales,
    write_catalog,
    write_lift_tests,
    write_logistics,
    write_marketing,
    write_sales,
)

money = st.floats(min_value=0, max_value=1e7, allow_nan=False, allow_infinity=False)
name = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True)


@st.composite
def marketing(draw):
    n = draw(st.integers(2, 30))
    channels = draw(st.lists(name, min_size=1, max_size=5, unique=True))
    controls = draw(
        st.lists(
            name.filter(lambda x: x not in channels + ["date", "revenue", "orders"]),
            max_size=3,
            unique=True,
        )
    )
    channels = [c for c in channels if c not in ("date", "revenue", "orders")] or ["sea"]
    start = draw(
        st.dates(
            min_value=pd.Timestamp("2015-01-01").date(), max_value=pd.Timestamp("2030-01-01").date()
        )
    )
    weeks = pd.date_range(pd.Timestamp(start), periods=n, freq="7D", name="week")
    arr = lambda: np.array(draw(st.lists(money, min_size=n, max_size=n)))  # noqa: E731
    spend = pd.DataFrame({c: arr() for c in channels}, index=weeks)
    ctrl = pd.DataFrame(
        {c: draw(st.lists(st.floats(-1e6, 1e6), min_size=n, max_size=n)) for c in controls},
        index=weeks,
        columns=controls,
    )
    orders = np.array(draw(st.lists(st.integers(0, 10**6), min_size=n, max_size=n)), float)
    with_orders = draw(st.booleans())
    return MarketingHistory(weeks, arr(), spend, ctrl, orders if with_orders else None)


@given(marketing())
def test_marketing_roundtrip(tmp_path_factory, h):
    p = tmp_path_factory.mktemp("m") / "m.csv"
    write_marketing(h, p)
    back = load_marketing(p, channels=list(h.channels), controls=list(h.controls.columns))
    assert back.equals(h)


@st.composite
def catalog(draw):
    n = draw(st.integers(1, 20))
    skus = draw(
        st.lists(
            st.from_regex(r"[A-Z0-9][A-Za-z0-9\-_.]{0,9}", fullmatch=True),
            min_size=n,
            max_size=n,
            unique=True,
        )
    )
    rows = []
    for _ in range(n):
        vat = draw(st.sampled_from(FRENCH_VAT_RATES))
        price = draw(st.floats(0.05, 1e5))
        cost = draw(st.floats(0, 1)) * price / (1 + vat)
        lo = draw(st.one_of(st.none(), st.floats(0.01, 1)))
        hi = draw(st.one_of(st.none(), st.floats(1, 3)))
        rows.append(
            {
                "category": draw(
                    st.sampled_from(["Mode femme", "Maison", "Jouets", "Épicerie fine"])
                ),
                "price_incl_vat": price,
                "vat_rate": vat,
                "unit_cost": cost,
                "stock": float(draw(st.integers(0, 10**6))),
                "logistics_units": draw(st.floats(0.01, 50)),
                "min_price": np.nan if lo is None else price * lo,
                "max_price": np.nan if hi is None else price * hi,
                "return_rate": draw(st.floats(0, 0.95)),
            }
        )
    f = pd.DataFrame(rows, index=pd.Index(skus, name="sku"))
    f["price_excl_vat"] = f["price_incl_vat"] / (1 + f["vat_rate"])
    return Catalog(f)


@given(catalog())
def test_catalog_roundtrip(tmp_path_factory, c):
    p = tmp_path_factory.mktemp("c") / "c.csv"
    write_catalog(c, p)
    assert load_catalog(p).equals(c)


@st.composite
def sales(draw):
    n_weeks = draw(st.integers(1, 8))
    skus = draw(
        st.lists(
            st.from_regex(r"[A-Z][0-9]{1,4}", fullmatch=True), min_size=1, max_size=6, unique=True
        )
    )
    weeks = pd.date_range("2024-01-01", periods=n_weeks, freq="7D")
    rows = []
    for w in weeks:
        for s in skus:
            rows.append(
                {
                    "week": w,
                    "sku": s,
                    "price_paid": draw(st.floats(0.01, 1e4)),
                    "units": float(draw(st.integers(0, 10**5))),
                    "promo": draw(st.booleans()),
                    "in_stock": draw(st.booleans()),
                }
            )
    f = pd.DataFrame(rows).sort_values(["week", "sku"]).reset_index(drop=True)
    return SalesHistory(f)


@given(sales())
def test_sales_roundtrip(tmp_path_factory, s):
    p = tmp_path_factory.mktemp("s") / "s.csv"
    write_sales(s, p)
    assert load_sales(p).equals(s)


@given(st.floats(0.1, 1e7), st.floats(0, 100), st.booleans(), st.integers(1, 60))
def test_logistics_roundtrip(tmp_path_factory, cap, cost, weekly, n):
    if weekly:
        idx = pd.date_range("2026-11-23", periods=n, freq="7D", name="week")
        log = Logistics(
            pd.Series(np.linspace(cap, cap * 2, n), index=idx),
            pd.Series(np.full(n, cost), index=idx),
        )
    else:
        log = Logistics(cap, cost)
    p = tmp_path_factory.mktemp("l") / "l.csv"
    write_logistics(log, p)
    assert load_logistics(p).equals(log)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["sea", "social"]),
            st.integers(0, 10),
            st.integers(0, 5),
            st.floats(1, 1e6),
            st.floats(-1e6, 1e6),
            st.floats(1, 1e5),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_lift_tests_roundtrip(tmp_path_factory, rows):
    weeks = pd.date_range("2024-01-01", periods=20, freq="7D")
    f = pd.DataFrame(
        {
            "channel": [r[0] for r in rows],
            "start": [weeks[r[1]] for r in rows],
            "end": [weeks[r[1] + r[2]] for r in rows],
            "spend_change": [r[3] for r in rows],
            "incremental_revenue": [r[4] for r in rows],
            "se": [r[5] for r in rows],
        }
    )
    t = LiftTests(f)
    p = tmp_path_factory.mktemp("t") / "t.csv"
    write_lift_tests(t, p)
    assert load_lift_tests(p, channels=["sea", "social"], weeks=weeks).equals(t)


@given(st.text(max_size=300))
def test_garbage_raises_only_data_error(tmp_path_factory, text):
    from optimizer.errors import DataError

    p = tmp_path_factory.mktemp("g") / "g.csv"
    p.write_text(text, encoding="utf-8")
    for loader in (load_marketing, load_catalog, load_sales, load_logistics):
        with contextlib.suppress(DataError):
            loader(p)
