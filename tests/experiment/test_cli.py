"""``optimizer experiment plan|readout``: exit codes, messages, files written (or not)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from optimizer.cli import cli
from optimizer.data.marketing import MarketingHistory, write_marketing
from optimizer.mmm import MMM
from optimizer.mmm.persistence import save_model
from tests.experiment.helpers import split_posterior
from tests.mmm.conftest import make_synthetic


@pytest.fixture(scope="module")
def curves_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("exp") / "curves.json"
    path.write_text(json.dumps(split_posterior(n=60).to_dict()))
    return path


def _plan(curves_file, out, *extra):
    args = ["experiment", "plan", "--curves", str(curves_file), "--noise-sd", "300"]
    args += ["--weeks", "13", "--durations", "2,4", "--starts", "1", "--draws", "60"]
    args += ["--outcomes", "20", "--lang", "en", "--out", str(out), *extra]
    return CliRunner().invoke(cli, args)


def test_plan_writes_ranked_table_and_lift_row(curves_file, tmp_path):
    out = tmp_path / "plan"
    r = _plan(curves_file, out)
    assert r.exit_code == 0, r.output
    for name in ("candidates.csv", "plan.csv", "summary.json", "experiments.md"):
        assert (out / name).is_file(), name
    table = pd.read_csv(out / "candidates.csv")
    assert {"value", "cost", "net", "p_detect", "ess"} <= set(table.columns)
    assert list(table["net"]) == sorted(table["net"], reverse=True)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["recommended"]["channel"] == "ch1"  # the channel with two answers
    row = pd.read_csv(out / "lift_test_row.csv")
    assert list(row.columns) == [
        "channel", "start", "end", "spend_change", "incremental_revenue", "se",
    ]  # fmt: skip
    assert row["incremental_revenue"].isna().all()  # filled by the read-out
    assert "Recommended test: Ch1" in r.output  # channels in words (humanized)
    assert "geo split not proposed" in (out / "experiments.md").read_text()


def test_plan_usage_and_existing_folder(curves_file, tmp_path):
    r = CliRunner().invoke(
        cli, ["experiment", "plan", "--curves", str(curves_file), "--out", str(tmp_path / "o")]
    )
    assert r.exit_code == 2 and "--noise-sd" in r.output
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("keep")
    r = _plan(curves_file, tmp_path / "full")
    assert r.exit_code == 1 and "--force" in r.output
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["x"]


# --- read-out on a real (short) fit --------------------------------------------------------
TEST_WEEKS = 4


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    """A model fitted on 70 weeks, and 10 more weeks in which social is paused 4 weeks."""
    syn = make_synthetic(n_weeks=80)
    h = syn.history
    spend = h.spend.copy()
    planned = float(spend["social"].iloc[72:76].mean())
    spend.iloc[72:76, spend.columns.get_loc("social")] = 0.0
    full = MarketingHistory(h.weeks, h.revenue, spend, h.controls, source="marketing.csv")
    train = MarketingHistory(
        h.weeks[:70], h.revenue[:70], spend.iloc[:70], h.controls.iloc[:70], source="m.csv"
    )
    model = MMM(draws=100, tune=100, chains=2, seed=1, holdout_weeks=0, retries=0).fit(train)
    d = tmp_path_factory.mktemp("readout")
    save_model(model, d / "model")
    write_marketing(full, d / "marketing.csv")
    return d, h.weeks, planned


def _readout(d, weeks, planned, out, a=72, b=75, *extra):
    return CliRunner().invoke(
        cli,
        [
            "experiment", "readout", "--model", str(d / "model"), "--data",
            str(d / "marketing.csv"), "--channel", "social", "--start",
            str(weeks[a].date()), "--end", str(weeks[b].date()), "--planned", str(planned),
            "--lang", "en", "--allow-failed-model", "--out", str(out), *extra,
        ],
    )  # fmt: skip


def test_readout_writes_a_lift_test_row(fitted, tmp_path):
    d, weeks, planned = fitted
    out = tmp_path / "ro"
    r = _readout(d, weeks, planned, out)
    assert r.exit_code == 0, r.output
    row = pd.read_csv(out / "lift_test_row.csv")
    assert row.loc[0, "channel"] == "social"
    assert row.loc[0, "spend_change"] == pytest.approx(TEST_WEEKS * planned, rel=1e-3)
    assert row.loc[0, "se"] > 0
    ro = json.loads((out / "readout.json").read_text())
    assert ro["weeks"] == TEST_WEEKS and np.isfinite(ro["lift"])
    assert "Lift-test row" in r.output


@pytest.mark.parametrize(
    ("a", "b", "match"),
    [
        (72, 72, "at least 2 test weeks"),
        (68, 71, "already seen it"),
        (78, 82, "week .* is missing"),
    ],
)
def test_readout_errors_write_nothing(fitted, tmp_path, a, b, match):
    d, weeks, planned = fitted
    weeks = weeks.append(pd.date_range(weeks[-1] + pd.Timedelta(days=7), periods=5, freq="7D"))
    out = tmp_path / "ro"
    r = _readout(d, weeks, planned, out, a, b)
    assert r.exit_code == 1, r.output
    assert pd.Series([r.output]).str.contains(match).iloc[0], r.output
    assert not out.exists()
