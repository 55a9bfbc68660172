from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from optimizer.cli import cli

REQUIRED = [
    "sku",
    "current_price_incl_vat",
    "new_price_incl_vat",
    "new_price_excl_vat",
    "unit_cost",
    "change_pct",
    "expected_units",
    "revenue_excl_vat",
    "margin",
    "binding_rule",
    "reference_price",
]


def _optimize(tiny_store, tiny_fit, out, *extra):
    return CliRunner().invoke(
        cli,
        [
            "pricing",
            "optimize",
            "--catalog",
            str(tiny_store / "catalog.csv"),
            "--elasticities",
            str(tiny_fit),
            "--weeks",
            "4",
            "--out",
            str(out),
            *extra,
        ],
    )


def test_optimize_writes_prices_and_summary(tiny_store, tiny_fit, tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text(
        "schema_version = 1\nmax_change = 0.2\nmargin_floor = 0.3\n"
        "max_changes = 3\nunits_quantile = 0.5\n"
    )
    out = tmp_path / "out"
    res = _optimize(
        tiny_store,
        tiny_fit,
        out,
        "--capacity",
        "190",
        "--rules",
        str(rules),
        "--sales",
        str(tiny_store / "sales.csv"),
    )
    assert res.exit_code == 0, res.output
    prices = pd.read_csv(out / "prices.csv")
    assert set(REQUIRED) <= set(prices.columns)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] in ("optimal", "feasible")
    assert summary["n_changes"] <= 3
    assert summary["totals"]["peak_capacity_use"] <= 1 + 1e-9
    assert (prices["new_price_excl_vat"] >= prices["unit_cost"]).all()
    for key in ("gap", "seconds", "totals", "n_changes", "status"):
        assert key in summary


def test_capacity_from_logistics_file(tiny_store, tiny_fit, tmp_path):
    log = tmp_path / "logistics.csv"
    log.write_text(
        "week,capacity,cost_per_unit\n"
        + "".join(f"2025-10-{6 + 7 * i:02d},400,1.5\n" for i in range(4))
    )
    out = tmp_path / "out"
    res = _optimize(tiny_store, tiny_fit, out, "--capacity", str(log))
    assert res.exit_code == 0, res.output
    res = _optimize(tiny_store, tiny_fit, tmp_path / "o2", "--capacity", str(log), "--weeks", "9")
    assert res.exit_code == 1 and "covers 4 weeks" in res.output


def test_infeasible_exits_1_and_writes_nothing(tiny_store, tiny_fit, tmp_path):
    out = tmp_path / "out"
    res = _optimize(tiny_store, tiny_fit, out, "--capacity", "1")
    assert res.exit_code == 1
    assert "capacity" in res.output and "Traceback" not in res.output
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_existing_output_is_kept_on_error(tiny_store, tiny_fit, tmp_path):
    out = tmp_path / "out"
    assert _optimize(tiny_store, tiny_fit, out, "--capacity", "500").exit_code == 0
    before = (out / "prices.csv").read_text()
    assert _optimize(tiny_store, tiny_fit, out, "--capacity", "1").exit_code == 1
    assert (out / "prices.csv").read_text() == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("max_chnge = 0.1\n", "Did you mean 'max_change'"),
        ("margin_floor = 1.5\n", "margin_floor"),
        ("objective = 'profit'\n", "objective"),
    ],
)
def test_bad_rules_file(tiny_store, tiny_fit, tmp_path, text, message):
    rules = tmp_path / "rules.toml"
    rules.write_text(text)
    res = _optimize(
        tiny_store, tiny_fit, tmp_path / "out", "--capacity", "100", "--rules", str(rules)
    )
    assert res.exit_code == 1 and message in res.output


def test_usage_error_exits_2(tmp_path):
    res = CliRunner().invoke(cli, ["pricing", "optimize", "--weeks", "0"])
    assert res.exit_code == 2


def test_missing_elasticities_folder(tiny_store, tmp_path):
    res = _optimize(tiny_store, tmp_path / "nothing", tmp_path / "out", "--capacity", "100")
    assert res.exit_code == 1 and "pricing fit" in res.output


def test_capacity_mode_ration_ships_within_capacity(tiny_store, tiny_fit, tmp_path):
    out = tmp_path / "out"
    res = _optimize(tiny_store, tiny_fit, out, "--capacity", "1", "--capacity-mode", "ration")
    assert res.exit_code == 0, res.output
    assert "rationnées" in res.output  # French by default, like the reports
    summary = json.loads((out / "summary.json").read_text())
    assert summary["capacity_mode"] == "ration"
    assert max(summary["weekly"]["shipped_load"]) <= 1 + 1e-9
    assert summary["totals"]["rationed_units"] > 0
    pen = summary["overflow_penalty"]
    for name, value in summary["multipliers"].items():
        assert 0 <= value <= pen[int(name.rsplit("_", 1)[1]) - 1] + 1e-9
    prices = pd.read_csv(out / "prices.csv")
    assert (prices["rationed_units"] > 0).any()
    # the rules file selects the mode too; the command line wins over it
    rules = tmp_path / "rules.toml"
    rules.write_text('capacity_mode = "ration"\n')
    res = _optimize(tiny_store, tiny_fit, tmp_path / "o2", "--capacity", "1", "--rules", str(rules))
    assert res.exit_code == 0, res.output
    res = _optimize(
        tiny_store,
        tiny_fit,
        tmp_path / "o3",
        "--capacity",
        "1",
        "--rules",
        str(rules),
        "--capacity-mode",
        "hard",
    )
    assert res.exit_code == 1 and "capacity" in res.output
