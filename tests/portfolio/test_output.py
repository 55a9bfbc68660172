"""The run folder: files, the report's figures are summary.json's, atomic writes, reuse."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from optimizer.errors import ConfigError
from optimizer.portfolio.output import RUN_FILES, settings_record, up_to_date
from optimizer.portfolio.plan import PlanSettings
from optimizer.report import portfolio_writer
from optimizer.report.portfolio_writer import write_portfolio

SETTINGS = settings_record(plan=PlanSettings())


@pytest.fixture(scope="module")
def run_fr(small_result, tmp_path_factory):
    return write_portfolio(
        small_result, tmp_path_factory.mktemp("fr") / "run", lang="fr", settings=SETTINGS
    )


def test_every_file_is_written_and_the_report_shows_the_summary(run_fr, small_result):
    assert sorted(p.name for p in run_fr.iterdir()) == sorted(RUN_FILES)
    summ = json.loads((run_fr / "summary.json").read_text(encoding="utf-8"))
    page = (run_fr / "report.html").read_text(encoding="utf-8")
    tagged = dict(re.findall(r'data-key="([^"]+)" data-value="([^"]+)"', page))
    assert tagged["kpis.contribution.delta.mean"] == repr(
        summ["kpis"]["contribution"]["delta"]["mean"]
    )
    assert tagged["kpis.contribution.plan.mean"] == repr(
        summ["kpis"]["contribution"]["plan"]["mean"]
    )
    for shop in ("maison", "atelier", "marketplace"):
        assert f"Boutique {shop}" in page
    assert "Capacité partagée" in page and "€" in page
    assert [s["shop"] for s in summ["shops"]] == [s.shop for s in small_result.shops]


def test_csv_totals_match_the_summary(run_fr):
    summ = json.loads((run_fr / "summary.json").read_text(encoding="utf-8"))
    pnl = pd.read_csv(run_fr / "pnl.csv")
    total = pnl[(pnl["shop"] == "total") & (pnl["line"] == "contribution")].iloc[0]
    assert total["delta_mean"] == pytest.approx(summ["kpis"]["contribution"]["delta"]["mean"])
    media = pd.read_csv(run_fr / "media_plan.csv")
    assert media["plan"].sum() == pytest.approx(summ["budget"]["plan"], abs=1.0)
    bridge = pd.read_csv(run_fr / "bridge.csv")
    assert bridge[bridge["shop"] == "total"]["mean"].sum() == pytest.approx(
        summ["bridge"]["total"]["mean"], abs=0.05
    )


def test_an_interrupted_write_leaves_the_previous_folder(small_result, tmp_path, monkeypatch):
    out = tmp_path / "run"
    write_portfolio(small_result, out, lang="en", settings=SETTINGS)
    before = (out / "summary.json").read_bytes()

    def boom(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr(portfolio_writer, "render_portfolio", boom)
    with pytest.raises(KeyboardInterrupt):
        write_portfolio(small_result, out, force=True, lang="en", settings=SETTINGS)
    with pytest.raises(KeyboardInterrupt):
        write_portfolio(small_result, tmp_path / "new", lang="en", settings=SETTINGS)
    assert (out / "summary.json").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]
    with pytest.raises(ConfigError, match="--force"):
        write_portfolio(small_result, out, lang="en", settings=SETTINGS)


def test_up_to_date_only_for_the_same_settings_and_language(run_fr, small_portfolio):
    assert up_to_date(small_portfolio, run_fr, "fr", SETTINGS) is not None
    assert up_to_date(small_portfolio, run_fr, "en", SETTINGS) is None
    other = settings_record(plan=PlanSettings(alpha=0.2))
    assert up_to_date(small_portfolio, run_fr, "fr", other) is None
