"""``optimizer mmm fit`` / ``optimizer mmm summary``: exit codes, messages, files written."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from optimizer.cli import cli
from optimizer.data.lift_tests import write_lift_tests
from optimizer.data.marketing import write_marketing


@pytest.fixture(scope="module")
def files(synthetic, tmp_path_factory):
    d = tmp_path_factory.mktemp("mmm_cli")
    write_marketing(synthetic.history, d / "marketing.csv")
    write_lift_tests(synthetic.lift, d / "lift.csv")
    return d


@pytest.fixture(scope="module")
def fit_run(files):
    out = files / "out"
    res = CliRunner().invoke(
        cli,
        [
            "mmm",
            "fit",
            "--data",
            str(files / "marketing.csv"),
            "--channels",
            "sea,social",
            "--controls",
            "event",
            "--lift-tests",
            str(files / "lift.csv"),
            "--draws",
            "250",
            "--tune",
            "250",
            "--chains",
            "2",
            "--seed",
            "2",
            "--holdout-weeks",
            "6",
            "--ess-min",
            "100",
            "--r-hat-max",
            "1.05",
            "--out",
            str(out),
        ],
    )
    return res, out


def test_fit_writes_everything(fit_run):
    res, out = fit_run
    assert res.exit_code == 0, res.output
    assert "Ajusté en" in res.output and "SEA" in res.output  # French by default
    names = {p.name for p in out.iterdir()}
    assert names == {
        "model",
        "summary.json",
        "roas.csv",
        "decomposition.csv",
        "response_curves.csv",
        "fit.png",
        "decomposition.png",
        "response_curves.png",
        "roas.png",
    }
    s = json.loads((out / "summary.json").read_text())
    assert set(s["channels"]) == {"sea", "social"}
    assert set(s["channels"]["sea"]) >= {"roas", "mroas", "contribution", "spend"}
    assert s["diagnostics"]["passed"] is True and s["holdout"]["weeks"] == 6
    assert s["sampler"] == "nutpie" and s["seed"] == 2
    grid = (out / "response_curves.csv").read_text().splitlines()[0]
    assert grid == "channel,spend,response_mean,response_p5,response_p95,mroas_mean"


def test_summary_prints_roas_table(fit_run):
    _, out = fit_run
    res = CliRunner().invoke(cli, ["mmm", "summary", str(out)])
    assert res.exit_code == 0, res.output
    assert "ROAS" in res.output and "Réseaux sociaux" in res.output and "réussis" in res.output
    res = CliRunner().invoke(cli, ["mmm", "summary", str(out / "model")])  # from the model alone
    assert res.exit_code == 0, res.output
    # the same definitions and figures in English, through the one formatting module
    res = CliRunner().invoke(cli, ["mmm", "summary", str(out), "--lang", "en"])
    assert "Social ads" in res.output and "passed" in res.output and "marginal ROAS" in res.output
    s = json.loads((out / "summary.json").read_text())
    spend = s["channels"]["sea"]["spend"]
    assert f"€{spend:,.0f}" in res.output
    assert "_" not in res.output.split("\n")[0]  # the header names no identifier


def test_existing_out_is_refused(fit_run, files):
    _, out = fit_run
    res = CliRunner().invoke(
        cli,
        [
            "mmm",
            "fit",
            "--data",
            str(files / "marketing.csv"),
            "--controls",
            "event",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 1 and "--force" in res.output


def test_bad_inputs_exit_1_with_message(files, tmp_path):
    runner = CliRunner()
    base = [
        "mmm",
        "fit",
        "--data",
        str(files / "marketing.csv"),
        "--controls",
        "event",
        "--out",
        str(tmp_path / "o"),
    ]
    res = runner.invoke(cli, [*base, "--roas-prior", "sea=4:2"])
    assert res.exit_code == 1 and "low 4 is above high 2" in res.output
    lift = (files / "lift.csv").read_text().replace("social", "socail")
    (tmp_path / "lift.csv").write_text(lift)
    res = runner.invoke(cli, [*base, "--lift-tests", str(tmp_path / "lift.csv")])
    assert res.exit_code == 1 and "'socail' is not in the marketing data" in res.output
    assert "Did you mean 'social'" in res.output
    csv = (files / "marketing.csv").read_text().splitlines()
    header = csv[0].split(",")
    i = header.index("sea")
    rows = [",".join(c if j != i else "0" for j, c in enumerate(r.split(","))) for r in csv[1:]]
    (tmp_path / "zero.csv").write_text("\n".join([csv[0], *rows]) + "\n")
    res = runner.invoke(
        cli,
        [
            "mmm",
            "fit",
            "--data",
            str(tmp_path / "zero.csv"),
            "--controls",
            "event",
            "--out",
            str(tmp_path / "o2"),
        ],
    )
    assert res.exit_code == 1 and "'sea' has zero spend" in res.output
    assert not (tmp_path / "o").exists() and not (tmp_path / "o2").exists()


def test_usage_errors_exit_2(files):
    res = CliRunner().invoke(cli, ["mmm", "fit", "--data", str(files / "marketing.csv")])
    assert res.exit_code == 2 and "--out" in res.output


def test_progress_on_stderr_results_on_stdout(fit_run):
    res, _ = fit_run
    assert "Fitting 2 channels" in res.stderr and "Fitting" not in res.stdout
    assert "ROAS marginal" in res.stdout


def test_allocate_from_a_model_writes_a_dated_plan(fit_run, tmp_path):
    """Without --start, the plan starts the week after the model's history."""
    import pandas as pd

    _, model = fit_run
    history = pd.read_csv(model / "model" / "data.csv")
    res = CliRunner().invoke(
        cli,
        [
            "allocate",
            "--model",
            str(model),
            "--budget",
            "40000",
            "--weeks",
            "4",
            "--out",
            str(tmp_path / "plan"),
            "--allow-failed-model",
        ],
    )
    assert res.exit_code == 0, res.output
    plan = pd.read_csv(tmp_path / "plan" / "plan.csv")
    weeks = pd.to_datetime(plan["week"])
    assert (weeks.diff().dropna() == pd.Timedelta(days=7)).all()
    last = pd.to_datetime(history.iloc[:, 0]).max()
    assert weeks.iloc[0] == last + pd.Timedelta(days=7)
    res = CliRunner().invoke(
        cli,
        [
            "allocate",
            "--model",
            str(model),
            "--budget",
            "40000",
            "--weeks",
            "4",
            "--out",
            str(tmp_path / "plan"),
            "--allow-failed-model",
        ],
    )
    assert res.exit_code == 1 and "--force" in res.output
