from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from click.testing import CliRunner

from optimizer.cli import cli
from tests.allocation.helpers import synthetic_curves


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def curves_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("curves") / "curves.json"
    cv = synthetic_curves(n_channels=3, n_samples=12, lags=2, seed=11)
    path.write_text(json.dumps(cv.to_dict()))
    return path


def test_allocate_writes_plan_summary_and_frontier(curves_file, tmp_path):
    cons = tmp_path / "rules.toml"
    cons.write_text(
        "schema_version = 1\nweekly_cap = 40000\n[channels.ch0]\nmax_total = 20000\n"
        '[[week_bounds]]\nchannel = "ch1"\nweek = 0\nmax = 0\n'
    )
    out = tmp_path / "out"
    r = run(
        "allocate",
        "--curves",
        curves_file,
        "--budget",
        100_000,
        "--weeks",
        4,
        "--start",
        "2026-11-23",
        "--constraints",
        cons,
        "--frontier",
        "0.5,1,1.5",
        "--out",
        out,
    )
    assert r.exit_code == 0, r.output
    assert {p.name for p in out.iterdir()} == {
        "plan.csv",
        "summary.json",
        "plan.png",
        "frontier.csv",
        "frontier.png",
    }
    plan = pd.read_csv(out / "plan.csv", index_col="week")
    assert plan.to_numpy().sum() == pytest.approx(100_000, rel=1e-5)
    assert plan["ch0"].sum() <= 20_000 + 1e-2 and plan["ch1"].iloc[0] <= 1e-6
    s = json.loads((out / "summary.json").read_text())
    for key in (
        "status",
        "objective",
        "expected_revenue",
        "channels",
        "binding_constraints",
        "gap",
        "seconds",
    ):
        assert key in s
    assert set(s["expected_revenue"]) == {"optimal", "current", "difference"}
    assert set(s["expected_revenue"]["optimal"]) == {"mean", "p10", "p90"}
    assert "marginal_roas" in s["channels"]["ch0"]
    assert len(pd.read_csv(out / "frontier.csv")) == 3
    assert "contrainte(s) atteinte(s)" in r.output  # French by default, like the reports


def test_margin_objective_and_risk_option(curves_file, tmp_path):
    out = tmp_path / "o"
    r = run(
        "allocate",
        "--curves",
        curves_file,
        "--budget",
        45_000,
        "--weeks",
        3,
        "--objective",
        "margin",
        "--margin-rate",
        0.5,
        "--risk",
        "cvar10",
        "--out",
        out,
    )
    assert r.exit_code == 0, r.output
    s = json.loads((out / "summary.json").read_text())
    assert s["objective"] == "margin" and s["risk"] == "cvar10"


def test_errors_exit_1_with_message_and_write_nothing(curves_file, tmp_path):
    cons = tmp_path / "bad.toml"
    cons.write_text("[channels.ch9]\nmax_total = 1\n")
    out = tmp_path / "out"
    r = run(
        "allocate",
        "--curves",
        curves_file,
        "--budget",
        1000,
        "--weeks",
        2,
        "--constraints",
        cons,
        "--out",
        out,
    )
    assert r.exit_code == 1
    assert "unknown channel 'ch9'" in r.output and "Did you mean 'ch" in r.output
    assert not out.exists()
    cons.write_text("[channels.ch0]\nmin_totl = 1\n")
    r = run(
        "allocate",
        "--curves",
        curves_file,
        "--budget",
        1000,
        "--weeks",
        2,
        "--constraints",
        cons,
        "--out",
        out,
    )
    assert r.exit_code == 1 and "Unknown key 'min_totl'" in r.output
    assert "Did you mean 'min_total'" in r.output
    # explicit minimums alone (the default always-on minimum and week-to-week limit off)
    cons.write_text(
        "always_on_min_share = false\nmax_week_change = false\n"
        "[channels.ch0]\nmin_total = 5000\n[channels.ch1]\nmin_total = 6000\n"
    )
    r = run(
        "allocate",
        "--curves",
        curves_file,
        "--budget",
        10000,
        "--weeks",
        2,
        "--constraints",
        cons,
        "--out",
        out,
    )
    assert r.exit_code == 1
    assert "channel minimums sum to 11,000 EUR > budget 10,000 EUR" in r.output
    assert not out.exists() and not list(tmp_path.glob(".out*"))


def test_usage_errors_exit_2(curves_file, tmp_path):
    r = run("allocate", "--budget", 1000, "--weeks", 2, "--out", tmp_path / "x")
    assert r.exit_code == 2 and "--model" in r.output
    r = run(
        "allocate",
        "--curves",
        curves_file,
        "--budget",
        1000,
        "--weeks",
        2,
        "--objective",
        "margin",
        "--out",
        tmp_path / "x",
    )
    assert r.exit_code == 2 and "--margin-rate" in r.output
    r = run(
        "allocate",
        "--curves",
        curves_file,
        "--budget",
        1000,
        "--weeks",
        2,
        "--frontier",
        "a,b",
        "--out",
        tmp_path / "x",
    )
    assert r.exit_code == 2


def test_model_folder_gate(curves_file, tmp_path):
    import optimizer.mmm as mmm

    model = tmp_path / "model"
    model.mkdir()
    if getattr(mmm, "load_response_curves", None) is not None:
        pytest.skip("the MMM loader owns the model folder format")
    (model / "curves.json").write_text(curves_file.read_text())
    (model / "diagnostics.json").write_text('{"passed": false}')
    r = run("allocate", "--model", model, "--budget", 25000, "--weeks", 2, "--out", tmp_path / "a")
    assert r.exit_code == 1 and "failed its diagnostics gate" in r.output
    r = run(
        "allocate",
        "--model",
        model,
        "--budget",
        25000,
        "--weeks",
        2,
        "--allow-failed-model",
        "--out",
        tmp_path / "b",
    )
    assert r.exit_code == 0, r.output


def test_safe_is_the_default_and_explains_itself(curves_file, tmp_path):
    args = ("allocate", "--curves", curves_file, "--budget", 60_000, "--weeks", 4)
    r = run(*args, "--out", tmp_path / "safe")
    assert r.exit_code == 0, r.output
    # French by default (the reports' language), through the one formatting module
    assert "PLAN SÛR" in r.output and "probabilité de gain" in r.output
    assert "borne, Ch0 :" in r.output and re.search(r"\d\u202f\d{3}\u202f€", r.output)
    assert "EUR" not in r.output and re.search(r"\d,\d{3}", r.output) is None
    r_en = run(*args, "--out", tmp_path / "safe_en", "--lang", "en")
    assert "SAFE PLAN" in r_en.output and "probability of a gain" in r_en.output
    assert "bound, Ch0:" in r_en.output and re.search(r"€\d{1,3},\d{3}", r_en.output)
    s = json.loads((tmp_path / "safe" / "summary.json").read_text())
    assert s["mode"] == "safe" and s["safe"]["alpha"] == 0.1
    assert set(s["safe"]["promise"]) >= {"mean", "p10", "p90", "p_positive", "n_samples"}
    assert set(s["safe"]["bounds"]) == {"ch0", "ch1", "ch2"}
    assert "identification" in s["safe"]["bounds"]["ch0"]["reason"]
    plan = pd.read_csv(tmp_path / "safe" / "plan.csv", index_col="week")
    assert plan.to_numpy().sum() == pytest.approx(60_000, rel=1e-5)
    r = run(*args, "--mode", "free", "--out", tmp_path / "free")
    assert r.exit_code == 0 and "SAFE PLAN" not in r.output
    assert json.loads((tmp_path / "free" / "summary.json").read_text())["mode"] == "free"


def test_today_plan_from_a_csv(curves_file, tmp_path):
    today = tmp_path / "today.csv"
    today.write_text("week;ch0;ch1;ch2\n1;5000;5000;5000\n2;5000;5000;5000\n3;5000;5000;5000\n")
    r = run(
        "allocate", "--curves", curves_file, "--budget", 45_000, "--weeks", 3,
        "--today", today, "--out", tmp_path / "o",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    s = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert "today" in {c["candidate"] for c in s["safe"]["candidates"]}
    today.write_text("week,ch0,ch1\n1,1,1\n")
    r = run(
        "allocate", "--curves", curves_file, "--budget", 45_000, "--weeks", 3,
        "--today", today, "--out", tmp_path / "p",
    )  # fmt: skip
    assert r.exit_code == 1 and "today.csv" in r.output and "ch2" in r.output
    assert not (tmp_path / "p").exists()
