from __future__ import annotations

import numpy as np
import pytest

from optimizer.data import load_catalog
from optimizer.errors import DataError

from .conftest import CATALOG


def test_loads_and_derives(write):
    c = load_catalog(write("c.csv", CATALOG))
    assert list(c.skus) == ["A1", "B2", "C3"]
    f = c.frame
    assert f.loc["A1", "price_excl_vat"] == pytest.approx(59.99 / 1.2)
    assert f.loc["C3", "vat_rate"] == pytest.approx(0.055)
    # default return rates by category
    assert f.loc["A1", "return_rate"] == pytest.approx(0.30)
    assert f.loc["B2", "return_rate"] == pytest.approx(0.06)
    assert f.loc["C3", "return_rate"] == pytest.approx(0.01)
    assert np.isnan(f.loc["A1", "min_price"])


def test_percent_vat_optional_columns_french_format(write):
    text = (
        "sku;category;price_incl_vat;vat_rate;unit_cost;stock;logistics_units;min_price;"
        "max_price;return_rate\n"
        "A1;Jouets;1 059,90;20%;400;5;3;999,90;;12%\n"
        "B2;Jouets;10;5,5;5;5;1;;;\n"
    )
    c = load_catalog(write("c.csv", text))
    f = c.frame
    assert f.loc["A1", "price_incl_vat"] == pytest.approx(1059.90)
    assert f.loc["A1", "vat_rate"] == pytest.approx(0.2)
    assert f.loc["B2", "vat_rate"] == pytest.approx(0.055)
    assert f.loc["A1", "min_price"] == pytest.approx(999.90)
    assert f.loc["A1", "return_rate"] == pytest.approx(0.12)
    assert f.loc["B2", "return_rate"] == pytest.approx(0.08)  # unknown category: fallback


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            CATALOG.replace(",stock,", ",stok,"),
            "c.csv: missing required column(s) 'stock' (Did you mean 'stok'?); the file has sku, "
            "category, price_incl_vat, vat_rate, unit_cost, stok, logistics_units. Add the "
            "column(s) or map them to your names.",
        ),
        (
            CATALOG.replace("logistics_units", "logistics_units,colour")
            .replace(",1\n", ",1,red\n")
            .replace(",2\n", ",2,blue\n")
            .replace(",0.5\n", ",0.5,green\n"),
            "c.csv: unexpected column 'colour'. Expected columns: sku, category, price_incl_vat, "
            "vat_rate, unit_cost, stock, logistics_units, min_price, max_price, return_rate; "
            "remove it or rename it.",
        ),
        (
            CATALOG.replace("B2,", "A1,"),
            "c.csv, column 'sku', rows 2, 3: duplicate SKU 'A1'; keep one row per SKU.",
        ),
        (
            CATALOG.replace("0.2,20,100", "0.19,20,100"),
            "c.csv, column 'vat_rate', row 2: unknown VAT rate '0.19'; French rates are 20 %, "
            "10 %, 5.5 % and 2.1 % (write 0.2 or 20).",
        ),
        (
            CATALOG.replace("0.2,20,100", "0.2,55,100"),
            "c.csv, column 'unit_cost', row 2: unit cost 55.00 EUR is above the price excl. VAT "
            "49.99 EUR (SKU 'A1'); selling below cost is illegal in France (revente à perte). Fix "
            "the cost or the price.",
        ),
        (
            CATALOG.replace("20,100,1", "20,-3,1"),
            "c.csv, column 'stock', row 2: negative value (e.g. '-3'); values must be >= 0.",
        ),
        (
            CATALOG.replace("20,100,1", "20,2.5,1"),
            "c.csv, column 'stock', row 2: not a whole number (e.g. '2.5'); write whole numbers "
            "(counts).",
        ),
        (
            CATALOG.replace("59.99", "0"),
            "c.csv, column 'price_incl_vat', row 2: too small value (e.g. '0'); values must be > 0 "
            "EUR.",
        ),
        (
            CATALOG.replace("59.99", "-59.99"),
            "c.csv, column 'price_incl_vat', row 2: too small value (e.g. '-59.99'); values must "
            "be > 0 EUR.",
        ),
        (
            CATALOG.replace("45.5", ""),
            "c.csv, column 'unit_cost', row 3: missing value (empty or NaN); fill in every cell of "
            "this column.",
        ),
        (
            CATALOG.replace("Maison", ""),
            "c.csv, column 'category', row 3: empty category; give every SKU a category.",
        ),
        (
            CATALOG.replace("300,0.5", "300,0"),
            "c.csv, column 'logistics_units', row 4: too small value (e.g. '0'); values must be "
            "> 0.",
        ),
        (
            "sku,category,price_incl_vat,vat_rate,unit_cost,stock,logistics_units,min_price,"
            "max_price\nA1,Maison,50,0.2,10,1,1,60,40\n",
            "c.csv, columns 'min_price'/'max_price', row 2: min_price is above max_price; swap or "
            "fix them.",
        ),
        (
            "sku,category,price_incl_vat,vat_rate,unit_cost,stock,logistics_units,min_price\n"
            "A1,Maison,50,0.2,10,1,1,60\n",
            "c.csv, column 'price_incl_vat', row 2: current price outside [min_price, max_price]; "
            "widen the bounds or fix the price.",
        ),
        (
            "sku,category,price_incl_vat,vat_rate,unit_cost,stock,logistics_units,return_rate\n"
            "A1,Maison,50,0.2,10,1,1,1.5\n",
            "c.csv, column 'return_rate', row 2: value too large (e.g. '1.5'); values must be <= "
            "0.95.",
        ),
    ],
)
def test_bad_catalog(write, content, message):
    with pytest.raises(DataError) as exc:
        load_catalog(write("c.csv", content))
    assert str(exc.value) == message


def _header_renamed(old: str, new: str) -> str:
    head, *rows = CATALOG.splitlines()
    return "\n".join([head.replace(old, new), *rows]) + "\n"


def test_missing_column_hint_only_when_close(write):
    """A missing column is hinted only by a genuinely close name, never by a shared word."""
    text = _header_renamed("vat_rate", "return_rate")  # vat_rate gone, return_rate present
    with pytest.raises(DataError) as exc:
        load_catalog(write("c.csv", text))
    assert str(exc.value).startswith("c.csv: missing required column(s) 'vat_rate'; the file ")
    assert "Did you mean" not in str(exc.value)
    for typo in ("vat_rte", "VAT rate", "Vat-Rate"):
        with pytest.raises(DataError) as exc:
            load_catalog(write("c.csv", _header_renamed("vat_rate", typo)))
        assert f"'vat_rate' (Did you mean '{typo}'?)" in str(exc.value)
