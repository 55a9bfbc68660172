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
        # rules that contradict themselves: refused here, not after the model fits
        (
            "[media.channels.sea]\nmin_change = 0.5\nmax_change = 0.3\n",
            "s.toml: [media.channels.sea]: min_change (0.5) is above max_change (0.3); lower "
            "min_change or raise max_change.",
        ),
        (
            "[media.channels.seo]\nmin_weekly = 3000\nmax_weekly = 2000\n",
            "s.toml: [media.channels.seo]: min_weekly (3,000 EUR) is above max_weekly "
            "(2,000 EUR); lower min_weekly or raise max_weekly.",
        ),
        (
            '[[media.week_bounds]]\nchannel = "sea"\nweek = 2\nmin = 10\nmax = 5\n',
            "s.toml: [media.week_bounds.0]: min (10 EUR) is above max (5 EUR) for 'sea' in week "
            "2; lower min or raise max.",
        ),
        (
            "[model.roas_priors]\nsea = [4.0, 2.0]\n",
            "s.toml: [model.roas_priors]: ROAS prior for channel 'sea': low 4 is above high 2; "
            "swap them (e.g. 'between 2 and 4' is low=2, high=4).",
        ),
        (
            "[model.roas_priors]\nsea = [0.0, 2.0]\n",
            "s.toml: [model.roas_priors]: ROAS prior for channel 'sea': low must be > 0 EUR per "
            "EUR, got 0; a channel that may not pay back at all can use a small value such as "
            "0.1.",
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


@pytest.mark.parametrize("key", ["model", "elasticity"])
def test_cache_outside_refused_at_validation(tmp_path, demo_dir, key):
    """A run resolves the caches only when it reaches each fit: the file check comes first."""
    import shutil

    shutil.copytree(demo_dir, tmp_path / "demo")
    p = tmp_path / "s.toml"
    p.write_text(BASE + f'[{key}]\ncache = "../elsewhere"\n')
    with pytest.raises(ConfigError) as exc:
        load_scenario(p)
    assert str(exc.value).startswith(
        f"s.toml: [{key}].cache = '../elsewhere' points outside the scenario folder"
    )


def test_unknown_roas_prior_channel_refused_at_validation(tmp_path, demo_dir):
    import shutil

    shutil.copytree(demo_dir, tmp_path / "demo")
    p = tmp_path / "s.toml"
    p.write_text(BASE + "[model.roas_priors]\nsocail = [1.0, 3.0]\n")
    with pytest.raises(ConfigError) as exc:
        load_scenario(p)
    assert str(exc.value) == (
        "s.toml: [model.roas_priors]: unknown channel 'socail'; the data have seo, sea, "
        "social, affiliation, retail_media. Did you mean 'social'?"
    )
