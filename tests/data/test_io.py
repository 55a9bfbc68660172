from __future__ import annotations

import pytest

from optimizer.data import load_catalog, load_logistics, load_marketing
from optimizer.errors import DataError

from .conftest import MARKETING


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "m.csv: the file is empty; expected a header row and data rows."),
        ("\n\n  \n", "m.csv: the file is empty; expected a header row and data rows."),
        ("date,revenue,seo\n", "m.csv: the file has a header but no data rows."),
        (
            MARKETING.replace(",", "\t"),
            "m.csv: the header is tab-delimited ('date\\trevenue\\torders\\tseo\\tsea\\tsocial'); use "
            "',' or ';' as the delimiter (Excel: 'CSV UTF-8' or 'CSV (séparateur: point-virgule)').",
        ),
        (
            MARKETING.replace("1100,11,100,250,50", "1100,11,100,250,50,7"),
            "m.csv: row 3 have 7 fields but the header has 6; check for a stray delimiter (',') "
            "or a missing value.",
        ),
        (
            "date,revenue,,seo\n2024-01-01,1,2,3\n",
            "m.csv: header column 3 has no name; name every column.",
        ),
        (
            "date,revenue,seo,seo\n2024-01-01,1,2,3\n",
            "m.csv: column(s) 'seo' appear twice in the header.",
        ),
    ],
)
def test_bad_files(write, content, message):
    with pytest.raises(DataError) as exc:
        load_marketing(write("m.csv", content))
    assert str(exc.value) == message


def test_utf16_is_refused(write):
    path = write("m.csv", MARKETING.encode("utf-16"))
    with pytest.raises(DataError) as exc:
        load_marketing(path)
    assert str(exc.value) == (
        "m.csv: the file is UTF-16 encoded (or binary); save it as 'CSV UTF-8' (comma or "
        "semicolon delimited) and try again."
    )


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(
        DataError, match=r"nope.csv: file not found at '.*nope.csv'. Check the path."
    ):
        load_catalog(tmp_path / "nope.csv")
    with pytest.raises(DataError, match=r"is a folder, not a CSV file"):
        load_catalog(tmp_path)


def test_crlf_and_quoted_fields(write):
    text = MARKETING.replace("\n", "\r\n").replace("date,", '"date",')
    assert load_marketing(write("m.csv", text)).n_weeks == 4


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "capacity,cost_per_unit\n0,5\n",
            "l.csv, column 'capacity', row 2: too small value (e.g. "
            "'0'); values must be > 0 units/week.",
        ),
        (
            "capacity,cost_per_unit\n100,-5\n",
            "l.csv, column 'cost_per_unit', row 2: negative value "
            "(e.g. '-5'); values must be >= 0 EUR.",
        ),
        (
            "capacity,cost_per_unit\n100,5\n200,5\n",
            "l.csv: 2 rows but no 'week' column; give one "
            "row (same capacity every week) or add a 'week' column.",
        ),
        (
            "week,capacity,cost_per_unit\n2024-01-01,100,5\n2024-01-01,100,5\n",
            "l.csv, column "
            "'week', rows 2, 3: duplicate week 2024-01-01 (e.g. '2024-01-01'); keep one row per week "
            "(sum or remove the duplicates).",
        ),
        (
            "week,capacity,cost_per_unit\n2024-01-01,100,5\n2024-01-15,100,5\n",
            "l.csv, column "
            "'week': 1 missing week(s) between 2024-01-01 and 2024-01-15: 2024-01-08; give a capacity "
            "for every week.",
        ),
        (
            "week,capacity\n2024-01-01,100\n",
            "l.csv: missing required column(s) 'cost_per_unit'; "
            "the file has week, capacity. Add the column(s) or map them to your names.",
        ),
    ],
)
def test_bad_logistics(write, content, message):
    with pytest.raises(DataError) as exc:
        load_logistics(write("l.csv", content))
    assert str(exc.value) == message


def test_logistics_constant_and_weekly(write):
    import pandas as pd

    const = load_logistics(write("l.csv", "capacity;cost_per_unit\n5 000;6,40\n"))
    weeks = pd.date_range("2024-01-01", periods=3, freq="7D")
    assert const.capacity_for(weeks).tolist() == [5000, 5000, 5000]
    assert const.cost_for(weeks).tolist() == [6.4, 6.4, 6.4]
    weekly = load_logistics(
        write("w.csv", "week,capacity,cost_per_unit\n2024-01-08,2,1\n2024-01-01,1,1\n")
    )
    assert weekly.capacity_for(weeks[:2]).tolist() == [1, 2]
    with pytest.raises(DataError, match=r"no capacity given for week 2024-01-15"):
        weekly.capacity_for(weeks)
