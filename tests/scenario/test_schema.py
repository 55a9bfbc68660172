from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.errors import ConfigError
from optimizer.scenario.schema import load_scenario, parse_scenario

REPO = Path(__file__).resolve().parents[2]
SHIPPED = sorted((REPO / "scenarios").glob("*.toml"))

BASE = 'schema_version = 1\nname = "t"\n[data]\ndataset = "demo"\n'


def test_shipped_scenarios_validate():
    assert len(SHIPPED) >= 4
    for path in SHIPPED:
        spec = load_scenario(path)
        assert spec.name and spec.text


def _write(tmp_path, body, demo_dir):
    (tmp_path / "demo").symlink_to(demo_dir, target_is_directory=True)
    p = tmp_path / "s.toml"
    p.write_text(body)
    return p


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "[media]\nbudjet = 3\n",
            "s.toml: Unknown key 'budjet' in [media]. Did you mean 'budget'?",
        ),
        (
            "[media.channels.sea]\nmax_chnage = 3\n",
            "s.toml: Unknown key 'max_chnage' in [media.channels.sea]. Did you mean 'max_change'?",
        ),
        (
            "[horizn]\nweeks = 3\n",
            "s.toml: Unknown key 'horizn' at top level. Did you mean 'horizon'?",
        ),
        (
            "[pricing]\nmax_change = 3\n",
            "s.toml: [pricing].max_change: Input should be less than 1 (got 3).",
        ),
        (
            "[media]\nbudget = 3\nbudget_change = 0.1\n",
            "s.toml: [media]: give either budget (EUR) or budget_change (fraction), not both.",
        ),
        (
            "[horizon]\nweeks = 0\n",
            "s.toml: [horizon].weeks: Input should be greater than or equal to 1 (got 0).",
        ),
        (
            "[media]\nvariable_cost_rate = 0.1\n",
            "s.toml: [media]: variable_cost_rate is not used in a scenario: the margin and the "
            "logistics cost per EUR of revenue come from the catalog, the prices and "
            "logistics.csv; remove the key.",
        ),
        (
            "[logistics]\ncapacity = 0\n",
            "s.toml: [logistics].capacity: Input should be greater than 0 (got 0).",
        ),
    ],
)
def test_bad_scenarios(tmp_path, demo_dir, extra, message):
    p = _write(tmp_path, BASE + extra, demo_dir)
    with pytest.raises(ConfigError) as exc:
        load_scenario(p)
    assert str(exc.value) == message


def test_paths_stay_inside(tmp_path, demo_dir):
    p = tmp_path / "sub" / "s.toml"
    p.parent.mkdir()
    p.write_text(BASE.replace('"demo"', '"../demo"'))
    with pytest.raises(ConfigError, match=r"points outside the scenario folder"):
        load_scenario(p)


def test_missing_dataset(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text(BASE)
    with pytest.raises(ConfigError, match=r"no dataset.toml in"):
        load_scenario(p)


def test_syntax_error(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text("schema_version = 1\nname = \n")
    with pytest.raises(ConfigError, match=r"s.toml: invalid TOML"):
        load_scenario(p)


def test_parse_in_code(demo_dir):
    spec = parse_scenario(
        {"schema_version": 1, "name": "code", "data": {"dataset": "demo"}},
        root=demo_dir.parent,
    )
    assert spec.file.horizon.weeks == 13 and spec.file.media.objective == "contribution"


def test_unknown_channel_refused_at_validation(tmp_path, demo_dir):
    import shutil

    shutil.copytree(demo_dir, tmp_path / "demo")
    p = tmp_path / "s.toml"
    p.write_text(BASE + "[media.channels.socail]\nmax_change = 0.2\n")
    with pytest.raises(ConfigError) as exc:
        load_scenario(p)
    assert str(exc.value) == (
        "s.toml: [media.channels.socail]: unknown channel 'socail'; the data have seo, sea, "
        "social, affiliation, retail_media. Did you mean 'social'?"
    )
