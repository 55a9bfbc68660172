"""Reading a model folder: curves files, the diagnostics gate, the summary (no fitting here)."""

from __future__ import annotations

import json

import pytest

from optimizer.errors import ConfigError, ConvergenceError
from optimizer.mmm.folder import check_gate, load_gated_curves, load_model_summary, read_curves_json


def test_missing_or_bad_curves_file_names_the_fix(tmp_path):
    with pytest.raises(ConfigError, match="--curves path"):
        read_curves_json(tmp_path / "none.json")
    (tmp_path / "c.json").write_text("{}")
    with pytest.raises(ConfigError, match="not a ResponseCurves JSON"):
        read_curves_json(tmp_path / "c.json")


def test_gate_refuses_a_failed_model_unless_allowed(tmp_path):
    check_gate(tmp_path, allow_failed=False)  # no diagnostics: nothing to refuse
    (tmp_path / "diagnostics.json").write_text('{"passed": false}')
    with pytest.raises(ConvergenceError, match="--allow-failed-model"):
        check_gate(tmp_path, allow_failed=False)
    check_gate(tmp_path, allow_failed=True)
    (tmp_path / "diagnostics.json").write_text("not json")
    with pytest.raises(ConfigError, match="unreadable diagnostics"):
        check_gate(tmp_path, allow_failed=True)


def test_missing_model_folder(tmp_path):
    with pytest.raises(ConfigError, match="model folder not found"):
        load_gated_curves(tmp_path / "none", allow_failed=False)


def test_summary_is_read_from_summary_json(tmp_path):
    (tmp_path / "summary.json").write_text(json.dumps({"seed": 3}))
    assert load_model_summary(tmp_path) == {"seed": 3}
