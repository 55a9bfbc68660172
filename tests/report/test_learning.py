"""What the data cannot settle: weakly identified channels named, the planner's command, the
frontier's gap to the recommended plan explained."""

from __future__ import annotations

import html as htmlmod
import re

import pandas as pd
import pytest

from optimizer.report.format import Fmt
from optimizer.report.html import HtmlReport
from optimizer.report.learning import (
    WEAK_IDENTIFICATION,
    channel_knowledge,
    experiment_command,
    frontier_note,
    learning_section,
)


def _bound(ident: float, low: float, high: float, lever: bool = True) -> dict:
    return {"identification": ident, "mroas_low": low, "mroas_high": high, "lever": lever}


def _summary() -> dict:
    return {
        "horizon": {"weeks": 13},
        "budget": 205785.48,
        "assumptions": {"budget": 205785.48, "media_mode": "safe"},
        "kpis": {"contribution": {"plan": {"mean": 829990.0}}},
        "media": {
            "channels": {
                "seo": {"bound": _bound(0.47, 1.5, 5.3)},
                "social": {"bound": _bound(0.68, 1.5, 2.9)},
                "retail_media": {"bound": _bound(0.49, 1.1, 3.7)},
                "affiliation": {"bound": _bound(0.2, 2.6, 6.8, lever=False)},
            }
        },
    }


RUN = {"cache": {"mmm": {"folder": "/data/cache/mmm-1b3e"}}}


def _text(r: HtmlReport) -> str:
    page = re.sub(r"<(style|script)[^>]*>.*?</\1>", "", r.render(), flags=re.S)
    return htmlmod.unescape(re.sub(r"<[^>]+>", " ", page))


def test_weak_channels_are_the_lever_channels_below_the_threshold():
    know = channel_knowledge(_summary())
    assert [k["channel"] for k in know if k["weak"]] == ["seo", "retail_media"]
    # the commission channel is not a lever: never "to test", listed last
    assert know[-1]["channel"] == "affiliation" and not know[-1]["weak"]
    assert all(
        k["identification"] >= WEAK_IDENTIFICATION for k in know if k["lever"] and not k["weak"]
    )


def test_without_safe_bounds_the_models_interval_is_used():
    s = _summary()
    s["media"]["channels"] = {"sea": {}, "social": {}}
    s["model"] = {
        "channels": {
            "sea": {"marginal_roas": {"mean": 1.6, "low": 0.98, "high": 2.33}},
            "social": {"marginal_roas": {"mean": 2.2, "low": 0.2, "high": 4.8}},
        }
    }
    know = {k["channel"]: k for k in channel_knowledge(s)}
    assert know["sea"]["identification"] == pytest.approx(1 - (2.33 - 0.98) / 3.2)
    assert not know["sea"]["weak"] and know["social"]["weak"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_section_names_weak_channels_and_the_command(lang):
    r = HtmlReport("t", lang=lang)
    learning_section(r, _summary(), RUN)
    text = _text(r)
    heading = "Ce que les données ne tranchent pas" if lang == "fr" else "What the data cannot"
    assert heading in text
    assert "SEO" in text and "Retail media" in text
    assert "optimizer experiment plan --model /data/cache/mmm-1b3e --weeks 13" in text
    assert "--budget 205785" in text and f"--lang {lang}" in text
    assert "retail_media" not in text.replace("--", "")  # words, not identifiers
    if lang == "fr":
        assert "Canaux mal identifiés par l'historique : SEO, Retail media." in text
        assert "entre 1,5 et 5,3 €" in text and "47\u202f%" in text


def test_section_says_so_when_every_channel_is_identified():
    s = _summary()
    for v in s["media"]["channels"].values():
        v["bound"]["identification"] = 0.9
    r = HtmlReport("t", lang="fr")
    learning_section(r, s, {})
    text = _text(r)
    assert "aucun test ne s'impose" in text and "Canaux mal identifiés" not in text
    assert "--model DOSSIER_DU_MODELE" in text  # no model folder recorded: a placeholder


def test_command_quotes_a_folder_with_spaces():
    cmd = experiment_command(_summary(), {"cache": {"mmm": {"folder": "/a b/m"}}}, "fr")
    assert "--model '/a b/m'" in cmd


def test_frontier_note_explains_a_plan_below_the_curve():
    s = _summary()
    f = pd.DataFrame(
        {
            "multiplier": [0.9, 1.0, 1.1],
            "contribution_mean": [840000.0, 837751.0, 831278.0],
            "is_scenario_budget": [False, True, False],
        }
    )
    note = htmlmod.unescape(re.sub(r"<[^>]+>", "", frontier_note(s, f, Fmt("fr")) or ""))
    assert "837\u202f751\u202f€" in note and "829\u202f990\u202f€" in note
    assert "7\u202f761\u202f€ de moins" in note and "plan sûr" in note
    # a plan on the curve needs no note
    f.loc[1, "contribution_mean"] = 829990.0
    assert frontier_note(s, f, Fmt("fr")) is None
