from __future__ import annotations

import pytest

from optimizer.data import load_catalog, load_sales
from optimizer.errors import DataError

from .conftest import CATALOG, SALES


def test_loads(write):
    s = load_sales(write("s.csv", SALES))
    f = s.frame
    assert len(f) == 4
    assert s.skus == ["A1", "B2"]
    assert f["promo"].tolist() == [False, False, True, False]
    assert f["in_stock"].all()


def test_in_stock_and_flags(write):
    text = (
        SALES.replace("promo\n", "promo,in_stock\n")
        .replace(",0\n", ",non,oui\n")
        .replace(",1\n", ",oui,0\n")
    )
    f = load_sales(write("s.csv", text)).frame
    assert f["promo"].tolist() == [False, False, True, False]
    assert f["in_stock"].tolist() == [True, True, False, True]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            SALES.replace("2024-01-08,A1", "2024-01-01,A1"),
            "s.csv, rows 2, 4: duplicate rows for week 2024-01-01 and SKU 'A1'; keep one row per "
            "week and SKU (sum the units).",
        ),
        (
            SALES.replace("49.99,15", "49.99,-15"),
            "s.csv, column 'units', row 4: negative value (e.g. '-15'); values must be >= 0.",
        ),
        (
            SALES.replace("49.99,15,1", "49.99,15,maybe"),
            "s.csv, column 'promo', row 4: not a 0/1 flag (e.g. 'maybe'); write 1 (yes) or 0 (no).",
        ),
        (
            SALES.replace("49.99,15", "0,15"),
            "s.csv, column 'price_paid', row 4: units sold at a price of 0; give the price paid "
            "(incl. VAT).",
        ),
        (
            SALES.replace("2024-01-08", "2024-01-22"),
            "s.csv, column 'week': 2 missing week(s) between 2024-01-01 and 2024-01-22: "
            "2024-01-08, 2024-01-15; add rows for those weeks (units 0 if nothing sold, in_stock "
            "0 if unavailable).",
        ),
        (
            SALES.replace("units", "qty"),
            "s.csv: missing required column(s) 'units'; the file has week, sku, price_paid, qty, "
            "promo. Add the column(s) or map them to your names.",
        ),
    ],
)
def test_bad_sales(write, content, message):
    with pytest.raises(DataError) as exc:
        load_sales(write("s.csv", content))
    assert str(exc.value) == message


def test_unknown_sku(write):
    cat = load_catalog(write("c.csv", CATALOG))
    with pytest.raises(DataError) as exc:
        load_sales(write("s.csv", SALES.replace("B2", "B22")), catalog=cat)
    assert str(exc.value) == (
        "s.csv, column 'sku', rows 3, 5: SKU 'B22' is not in the catalog (c.csv). Did you mean "
        "'B2'? Add it to the catalog or drop its rows."
    )
