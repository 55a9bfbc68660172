"""Comparing scenarios with different horizons: per week, horizon shown, own current plan."""

from __future__ import annotations

import json
import shutil

import pytest
from openpyxl import load_workbook

from optimizer.report.comparison import write_comparison
from optimizer.scenario.compare import compare_runs

pytestmark = pytest.mark.xdist_group("scenario")


@pytest.fixture(scope="module")
def two_horizons(small_run, tmp_path_factory):
    """The small 6-week run and a copy posing as a 12-week scenario with doubled amounts."""
    folder = tmp_path_factory.mktemp("cmp")
    a = shutil.copytree(small_run, folder / "six")
    b = shutil.copytree(small_run, folder / "twelve")
    s = json.loads((b / "summary.json").read_text())
    s["scenario"] = "Quarter"
    s["horizon"]["weeks"] = 12
    for k in s["kpis"].values():
        if "capacity" in k["label"].lower() or "ROAS" in k["label"]:
            continue
        for part in ("plan", "current", "delta"):
            k[part] = {q: v * 2 for q, v in k[part].items()}
    (b / "summary.json").write_text(json.dumps(s))
    return a, b


def test_per_week_and_own_current_plan(two_horizons):
    a, b = two_horizons
    t = compare_runs([a, b]).set_index(["scenario", "kpi"])
    assert "vs_first" not in t.columns
    six, quarter = t.loc["Small test"], t.loc["Quarter"]
    assert six.loc["contribution", "weeks"] == 6 and quarter.loc["contribution", "weeks"] == 12
    # doubled amounts over a doubled horizon: the same per week
    assert six.loc["contribution", "plan_per_week"] == pytest.approx(
        quarter.loc["contribution", "plan_per_week"], rel=1e-6
    )
    assert six.loc["contribution", "delta_mean"] == pytest.approx(
        six.loc["contribution", "plan_mean"] - six.loc["contribution", "current_mean"], abs=0.02
    )
    assert (
        six.loc["roas", "plan_per_week"] is None
        or six.loc["roas", "plan_per_week"] != six.loc["roas", "plan_per_week"]
    )


def test_written_comparison_shows_horizons(two_horizons, tmp_path):
    a, b = two_horizons
    out = write_comparison(compare_runs([a, b]), tmp_path / "cmp")
    page = (out / "comparison.html").read_text(encoding="utf-8")
    assert "Les horizons diffèrent" in page and "par semaine" in page
    assert "6 semaines" in page and "12 semaines" in page
    wb = load_workbook(out / "comparison.xlsx")
    assert wb.sheetnames == ["Scénarios", "Par semaine", "Sur l'horizon", "Écarts"]
    ws = wb["Scénarios"]
    header = [c.value for c in ws[3]]
    assert "Semaines" in header and "Gain vs son plan actuel" in header
    weeks = [ws.cell(row=r, column=header.index("Semaines") + 1).value for r in (4, 5)]
    assert weeks == [6, 12]
