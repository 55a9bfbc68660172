from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from optimizer.data import load_marketing
from optimizer.errors import DataError

from .conftest import MARKETING


def test_loads_defaults(write):
    h = load_marketing(write("m.csv", MARKETING))
    assert h.channels == ("seo", "sea", "social")
    assert h.n_weeks == 4
    assert h.revenue.tolist() == [1000, 1100, 1200, 1150]
    assert h.orders is not None and h.orders.tolist() == [10, 11, 12, 11]
    assert h.spend.loc["2024-01-08", "sea"] == 250


def test_semicolon_decimal_comma_bom(write):
    text = "\ufeff" + MARKETING.replace(",", ";").replace("1150", "1150,5")
    h = load_marketing(write("m.csv", text))
    assert h.revenue[-1] == pytest.approx(1150.5)


def test_cp1252_and_french_dates_and_unsorted(write):
    text = "date;revenue;seo;sea;météo\n15/01/2024;1 200,5;1;2;3\n01/01/2024;1000;1;2;3\n08/01/2024;900;1;2;3\n"
    h = load_marketing(write("m.csv", text, encoding="cp1252"), controls=["météo"])
    assert str(h.weeks[0].date()) == "2024-01-01"
    assert h.revenue.tolist() == [1000, 900, 1200.5]
    assert h.controls.columns.tolist() == ["météo"]


def test_custom_columns(write):
    text = "semaine,ca,google,meta,promo\n2024-01-01,10,1,2,0\n2024-01-08,11,1,2,1\n"
    h = load_marketing(
        write("m.csv", text),
        date="semaine",
        target="ca",
        channels=["google", "meta"],
        controls=["promo"],
    )
    assert h.channels == ("google", "meta")
    assert h.controls["promo"].tolist() == [0, 1]


@pytest.mark.parametrize(
    ("content", "kwargs", "message"),
    [
        (
            MARKETING.replace("revenue", "revenu"),
            {},
            "m.csv: missing required column(s) 'revenue' (Did you mean 'revenu'?); the file has "
            "date, revenu, orders, seo, sea, social. Add the column(s) or map them to your names.",
        ),
        (
            MARKETING.replace("social", "tv"),
            {},
            "m.csv: unexpected column 'tv'. Expected columns: date, revenue, seo, sea, orders; "
            "declare it as a channel (--channels) or a control (--controls), or remove it.",
        ),
        (
            "date,revenue,tv\n2024-01-01,1,2\n",
            {},
            "m.csv: no channel spend column found; expected some of seo, sea, social, "
            "affiliation, retail_media, or name your columns with --channels a,b.",
        ),
        (
            MARKETING.replace("2024-01-15", "2024-13-45"),
            {},
            "m.csv, column 'date', row 4: unparseable date (e.g. '2024-13-45'); write dates as "
            "YYYY-MM-DD (or DD/MM/YYYY).",
        ),
        (
            MARKETING.replace("2024-01-15", "2024-01-08"),
            {},
            "m.csv, column 'date', rows 3, 4: duplicate week 2024-01-08 (e.g. '2024-01-08'); keep "
            "one row per week (sum or remove the duplicates).",
        ),
        (
            MARKETING.replace("2024-01-15", "2024-01-29").replace("2024-01-22", "2024-02-05"),
            {},
            "m.csv, column 'date': 2 missing week(s) between 2024-01-01 and 2024-02-05: "
            "2024-01-15, 2024-01-22; add a row for each week (zero spend if nothing was spent).",
        ),
        (
            MARKETING.replace("2024-01-15", "2024-01-16"),
            {},
            "m.csv, column 'date', row 4: date not on the weekly grid (most weeks start on "
            "Monday) (e.g. '2024-01-16'); give every week by the same weekday (e.g. the Monday "
            "of the week).",
        ),
        (
            MARKETING.replace("1200,12,120", "1200,12,"),
            {},
            "m.csv, column 'seo', row 4: missing value (empty or NaN); fill in every cell of this "
            "column.",
        ),
        (
            MARKETING.replace("1200,12,120", "1200,12,NaN"),
            {},
            "m.csv, column 'seo', row 4: missing value (empty or NaN) (e.g. 'NaN'); fill in every "
            "cell of this column.",
        ),
        (
            MARKETING.replace("1100,11,100,250", "1100,11,100,-250"),
            {},
            "m.csv, column 'sea', row 3: negative value (e.g. '-250'); values must be >= 0 EUR.",
        ),
        (
            MARKETING.replace("1100,11,100,250", "1100,11,100,abc"),
            {},
            "m.csv, column 'sea', row 3: not a number (e.g. 'abc'); write plain numbers such as "
            "1234.5.",
        ),
        (
            MARKETING.replace("1000,10", "-5,10"),
            {},
            "m.csv, column 'revenue', row 2: negative value (e.g. '-5'); values must be >= 0 EUR.",
        ),
        (
            MARKETING,
            {"channels": ["seo", "sea", "social"], "controls": ["seo"]},
            "m.csv: column 'seo' is given both as a channel and a control.",
        ),
        (
            MARKETING,
            {"channels": ["seo", "sea", "tv"]},
            "m.csv: missing required column(s) 'tv'; the file has date, revenue, orders, seo, "
            "sea, social. Add the column(s) or map them to your names.",
        ),
    ],
)
def test_bad_marketing(write, content, kwargs, message):
    with pytest.raises(DataError) as exc:
        load_marketing(write("m.csv", content), **kwargs)
    assert str(exc.value) == message


def test_many_bad_rows_are_summarised(write):
    rows = "\n".join(f"{d.date()},1,-1" for d in pd.date_range("2024-01-01", periods=9, freq="7D"))
    with pytest.raises(DataError, match=r"rows 2, 3, 4, 5, 6 \(and 4 more\)"):
        load_marketing(write("m.csv", "date,revenue,seo\n" + rows), channels=["seo"])


def test_values_are_float(write):
    h = load_marketing(write("m.csv", MARKETING))
    assert h.spend.dtypes.map(lambda d: np.issubdtype(d, np.floating)).all()
