"""Every scenario shipped in scenarios/ runs end to end (its own rules, short model fits).

The model sections are shortened (2 short chains, the gate allowed to fail, fast elasticities)
so that the four scenarios run in the default suite; their media, pricing, horizon and capacity
settings are exactly the shipped ones. The full fits are checked by the slow MMM/pricing tests.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest

from optimizer.data.demo import GroundTruth
from optimizer.report.scenario_writer import write_run
from optimizer.scenario import load_scenario, run_scenario
from optimizer.scenario.truth import truth_report
from tests.conftest import DEMO, REPO

pytestmark = pytest.mark.xdist_group("scenario")

SHIPPED = sorted(p for p in (REPO / "scenarios").glob("*.toml") if not p.name.startswith("_"))
SHORT_MODEL = {
    "draws": 150,
    "tune": 200,
    "chains": 2,
    "holdout_weeks": 0,
    "allow_failed": True,
    "cache": ".cache/mmm",
}


def _toml(data: dict, prefix: str = "") -> str:
    """Minimal TOML writer for scenario dicts (tables, scalars, lists, inline dict of lists)."""
    lines, tables = [], []
    for k, v in data.items():
        if isinstance(v, dict) and not (prefix.endswith("model") and k == "roas_priors"):
            tables.append((k, v))
        else:
            lines.append(f"{k} = {json.dumps(v) if not isinstance(v, dict) else _inline(v)}")
    out = "\n".join(lines) + "\n"
    for k, v in tables:
        name = f"{prefix}.{k}" if prefix else k
        out += f"\n[{name}]\n" + _toml(v, name)
    return out


def _inline(d: dict) -> str:
    return "{ " + ", ".join(f"{k} = {json.dumps(v)}" for k, v in d.items()) + " }"


@pytest.fixture(scope="module")
def shipped_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("shipped")
    shutil.copytree(DEMO, folder / "demo")
    for path in SHIPPED:
        data = tomllib.loads(path.read_text())
        data["model"] = {**data.get("model", {}), **SHORT_MODEL}
        data["elasticity"] = {**data.get("elasticity", {}), "mode": "fast"}
        (folder / path.name).write_text(_toml(data))
    return folder


@pytest.mark.parametrize("name", [p.name for p in SHIPPED])
def test_shipped_scenario_runs(shipped_dir, name):
    spec = load_scenario(shipped_dir / name)
    original = load_scenario(REPO / "scenarios" / name).file
    assert spec.file.media == original.media and spec.file.pricing == original.pricing
    assert spec.file.horizon == original.horizon and spec.file.logistics == original.logistics
    result = run_scenario(spec)
    out = write_run(result, shipped_dir / "runs" / name.removesuffix(".toml"))
    summary = json.loads((out / "summary.json").read_text())
    plans = result.plans
    # never worse than the separate plan under the model; capacity never exceeded
    assert plans.joint.contribution >= plans.separate.contribution - 1e-6
    assert (plans.joint.shipments.load <= result.demand.capacity[None, :] * (1 + 1e-9)).all()
    assert summary["budget"] == pytest.approx(plans.joint.media.sum(), rel=1e-6) or (
        spec.file.media.budget_mode == "up_to" and plans.joint.media.sum() <= summary["budget"] + 1
    )
    # under the demo's ground truth the recommended plan beats the current one
    report = truth_report(result, GroundTruth.load(shipped_dir / "demo"))
    assert report.loc["joint", "contribution_truth"] > report.loc["current", "contribution_truth"]
