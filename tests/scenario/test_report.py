"""The scenario report a manager and a finance reviewer read: its figures are summary.json's.

Checks the executive summary against ``summary.json`` (every tagged figure), the bridge
(its lines add up to the change in contribution, sample by sample and as printed), the
language (French by default, English on request, no identifier in anything a person reads),
the page in a real browser at desktop width and printed to PDF (no sideways scrolling, nothing
cut), and the workbook's typed cells.
"""

from __future__ import annotations

import datetime as dt
import html as htmlmod
import json
import re
from typing import Any

import numpy as np
import pytest
from openpyxl import load_workbook

from optimizer.report.format import XL_DATE, XL_EUR, XL_PCT, Fmt
from optimizer.scenario.insights import BRIDGE_LINES, bridge_samples
from tests.report.browser import ARTIFACTS, check_page

pytestmark = pytest.mark.xdist_group("scenario")

NUM = re.compile(r'<span class="num" data-key="([^"]+)" data-value="([^"]+)">([^<]*)</span>')
SNAKE = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")


def resolve(summary: dict[str, Any], key: str) -> Any:
    """A value of summary.json by its dotted path (list items by their ``key``)."""
    cur: Any = summary
    for part in key.split("."):
        if isinstance(cur, list):
            cur = next(x for x in cur if x.get("key") == part)
        else:
            cur = cur[part]
    return cur


def parse_shown(text: str, lang: str) -> float | None:
    """The number a formatted text shows (None for '> 99 %' style bounds)."""
    t = htmlmod.unescape(text).replace("\u202f", "").replace("\u00a0", "").replace("€", "")
    if t.startswith((">", "<")):
        return None
    pct = t.endswith("%")
    t = t.rstrip("%").strip()
    t = t.replace(",", ".") if lang == "fr" else t.replace(",", "")
    v = float(t)
    return v / 100 if pct else v


def _summary(run) -> dict[str, Any]:
    return json.loads((run / "summary.json").read_text(encoding="utf-8"))


def _executive_summary(page: str) -> str:
    start = page.index('<section class="summary">')
    return page[start : page.index("</section>", start)]


@pytest.mark.parametrize("which", ["small_run", "small_run_en"])
def test_executive_summary_figures_are_summary_json(which, request):
    run = request.getfixturevalue(which)
    s = _summary(run)
    page = (run / "report.html").read_text(encoding="utf-8")
    lang = "en" if which.endswith("_en") else "fr"
    top = _executive_summary(page)
    tagged = NUM.findall(top)
    keys = {k for k, _v, _t in tagged}
    # the recommendation, the change and its interval, how sure, what it rests on
    for key in (
        "kpis.contribution.delta.mean",
        "kpis.contribution.delta.p10",
        "kpis.contribution.delta.p90",
        "kpis.contribution.plan.mean",
        "kpis.contribution.current.mean",
        "confidence.p_gain_positive",
    ):
        assert key in keys, key
    assert sum(k.startswith("sensitivity.") for k in keys) >= 3
    for key, value, text in NUM.findall(page):
        expected = resolve(s, key)
        assert float(value) == pytest.approx(float(expected), abs=1e-9), key
        shown = parse_shown(text, lang)
        if shown is None:
            continue
        # half a unit of the last digit shown (of a percentage point for percentages)
        sep = "," if lang == "fr" else "."
        digits = re.sub(r"[^0-9" + sep + "]", "", htmlmod.unescape(text))
        decimals = len(digits.split(sep)[1]) if sep in digits else 0
        tol = 0.5 * 10.0**-decimals * (0.01 if text.rstrip().endswith("%") else 1) + 1e-9
        assert abs(abs(shown) - abs(float(expected))) <= tol, (key, text, expected)


def test_bridge_adds_up_to_the_change_in_contribution(small_run, small_result):
    s = _summary(small_run)
    b = s["bridge"]
    assert [ln["key"] for ln in b["lines"]] == list(BRIDGE_LINES)
    total = s["kpis"]["contribution"]["delta"]["mean"]
    assert b["total"]["mean"] == total
    assert round(sum(ln["mean"] for ln in b["lines"]), 2) == pytest.approx(total, abs=1e-9)
    # sample by sample, exactly
    samples = bridge_samples(small_result.demand, small_result.plans)
    parts = sum(samples[k] for k in BRIDGE_LINES)
    assert np.allclose(parts, samples["total"], rtol=0, atol=1e-6)
    lines = small_result.plans
    assert np.allclose(
        samples["total"],
        lines.joint.pnl.lines["contribution"] - lines.current.pnl.lines["contribution"],
    )
    # as printed: the whole-euro lines of the bridge table add up to the total printed under it
    page = (small_run / "report.html").read_text(encoding="utf-8")
    table = _executive_summary(page).split("<table>")[1].split("</table>")[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", r) for r in rows]
    shown = [parse_shown(c[1], "fr") for c in cells if c]
    assert len(shown) == len(BRIDGE_LINES) + 1
    assert sum(shown[:-1]) == pytest.approx(shown[-1], abs=1e-9)
    assert shown[-1] == round(total)


def test_report_reads_in_french_without_identifiers(small_run):
    page = (small_run / "report.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in page
    for words in ("Synthèse", "Recommandation", "Effet prix", "Hypothèses", "TTC", "HT"):
        assert words in page, words
    # what a person reads: the page without tags, attributes and the scenario file's source
    visible = re.sub(r'<pre class="source">.*?</pre>', "", page, flags=re.S)
    visible = re.sub(r"<(style|script)[^>]*>.*?</\1>", "", visible, flags=re.S)
    visible = htmlmod.unescape(re.sub(r"<[^>]+>", " ", visible))
    assert SNAKE.findall(visible) == []
    assert "-0 " not in visible and "-0\u202f" not in visible
    assert "None" not in visible and "nan" not in visible.lower().split()
    # no English from the layers below (safe-plan reasons, rule names) on a French page
    for english in ("identified", "moves limited", "Sku max", "within ±", "held-out"):
        assert english not in visible, english
    assert "Ajustement des élasticités" in visible  # provenance in French, grammar included


def test_report_in_english_on_request(small_run_en):
    page = (small_run_en / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page
    assert "Executive summary" in page and "Synthèse" not in page
    run = json.loads((small_run_en / "run.json").read_text())
    assert run["lang"] == "en"


def test_report_in_browser_and_printed(small_run):
    """Desktop width without sideways scrolling; A4 print without anything cut; screenshots."""
    out = check_page(
        small_run / "report.html",
        ARTIFACTS / "scenario_report.png",
        ARTIFACTS / "scenario_report.pdf",
    )
    assert out["state"] == "complete"
    assert len(out["images"]) >= 8
    assert all(i["complete"] and i["width"] > 0 for i in out["images"])
    assert [m for m in out["console"] if m["level"] == "SEVERE"] == []
    assert out["overflow"] is False and out["wide"] == []
    assert out["print_overflow"] is False and out["print_wide"] == []
    pdf = (ARTIFACTS / "scenario_report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 3


def test_workbook_typed_for_finance(small_run):
    s = _summary(small_run)
    wb = load_workbook(small_run / "report.xlsx")
    assert wb.sheetnames == [
        "Synthèse",
        "Compte de résultat",
        "Prix",
        "Média",
        "Média par semaine",
        "Capacité",
        "Modèle",
        "Décomposition",
        "À tester",
        "Hypothèses",
    ]
    ws = wb["Synthèse"]
    header = [c.value for c in ws[3]]
    assert header[:3] == ["Indicateur", "Plan recommandé", "P10"]
    first = [c for c in ws[4]]
    assert first[0].value == "Contribution après média"
    assert first[1].value == s["kpis"]["contribution"]["plan"]["mean"]
    assert first[1].number_format == XL_EUR and isinstance(first[1].value, float)
    assert ws.auto_filter.ref.startswith("A3:") and ws.freeze_panes == "A4"
    # the bridge below the KPIs: a SUM formula over its lines
    formulas = [c.value for row in ws.iter_rows() for c in row if str(c.value).startswith("=")]
    assert any(f.startswith("=SUM(") for f in formulas)
    # prices: change as a fraction formatted as %, totals as formulas
    ws = wb["Prix"]
    header = [c.value for c in ws[3]]
    col = header.index("Variation") + 1
    changes = [ws.cell(row=r, column=col) for r in range(4, ws.max_row)]
    assert all(c.number_format == XL_PCT for c in changes)
    assert max(abs(c.value) for c in changes if c.value is not None) <= 0.5
    assert str(
        ws.cell(row=ws.max_row, column=header.index("Marge, nouveau prix") + 1).value
    ).startswith("=SUM(")
    # weeks are dates, not text
    ws = wb["Média par semaine"]
    assert isinstance(ws["A4"].value, dt.datetime) and ws["A4"].number_format == XL_DATE
    # assumptions: numbers stay numbers
    ws = wb["Hypothèses"]
    values = {r[0]: r[1] for r in ws.iter_rows(min_row=4, values_only=True)}
    assert isinstance(values["Budget média sur l'horizon (HT)"], float)
    for sheet in wb:
        for row in sheet.iter_rows(values_only=True):
            for v in row:
                if isinstance(v, str) and not v.startswith("="):
                    assert SNAKE.findall(v) == [], (sheet.title, v)
    assert Fmt("fr").eur(1) == "1\u202f€"


def test_report_shows_safe_plan_figures_when_present(small_result, tmp_path):
    """Per-channel bounds and why, promises and certificates appear once summary.json has them."""
    from optimizer.report.scenario import render_html
    from optimizer.scenario.findings import add_findings
    from optimizer.scenario.kpis import orders_per_unit, summary
    from optimizer.scenario.output import build_tables

    opu = orders_per_unit(small_result)
    s = add_findings(summary(small_result, opu), small_result, opu)
    tables = build_tables(small_result, s)
    # a run without the safe-plan figures (free mode, or older summaries)
    for part in ("media", "pricing"):
        s[part].pop("promise", None)
        s[part].pop("certificate", None)
    for ch in s["media"]["channels"].values():
        ch.pop("bound", None)
        ch.pop("bound_reason", None)
    safe_cols = ["max_change_bound_pct", "max_raise_bound_pct", "bound_reason"]
    tables["prices"] = tables["prices"].drop(columns=safe_cols, errors="ignore")
    render_html(tmp_path / "plain.html", s, tables, {}, lang="fr")
    plain = (tmp_path / "plain.html").read_text(encoding="utf-8")
    assert "Borne" not in plain and "Engagement" not in plain  # absent: nothing shown
    s["media"]["promise"] = {"mean": 1234.0, "p10": -100.0, "p90": 2500.0, "p_lift_positive": 0.83}
    s["media"]["certificate"] = {"status": "optimal", "gap": 0.001}
    s["pricing"]["promise"] = {"mean": 500.0, "p_lift_positive": 0.999}
    s["media"]["channels"]["sea"]["bound"] = {"min": 1000.0, "max": 5000.0}
    s["media"]["channels"]["sea"]["bound_reason"] = "dépense jamais vue au-delà de 5 000 €"
    sku = str(tables["prices"].loc[tables["prices"]["change"].abs() > 0, "sku"].iloc[0])
    s["pricing"]["skus"] = {sku: {"bound": [1.0, 2.0], "bound_reason": "prix jamais observé"}}
    render_html(tmp_path / "safe.html", s, tables, {}, lang="fr")
    page = htmlmod.unescape((tmp_path / "safe.html").read_text(encoding="utf-8"))
    assert "Engagement média" in page and "83\u202f%" in page and "certificat optimal" in page
    # escaped once: the page shows "> 99 %", not "&gt; 99 %"
    assert "probabilité de gain > 99\u202f%" in page and "&gt;" not in page
    assert "Pourquoi cette borne" in page and "dépense jamais vue au-delà de 5 000 €" in page
    assert "Borne basse (horizon)" in page and "Borne haute (horizon)" in page
    assert ">1\u202f000\u202f€<" in page and ">5\u202f000\u202f€<" in page
    assert "prix jamais observé" in page


def test_report_names_what_the_data_cannot_settle(small_run):
    """Weakly identified channels in words, the experiment planner's command, in both files."""
    s = _summary(small_run)
    page = htmlmod.unescape((small_run / "report.html").read_text(encoding="utf-8"))
    assert 'id="tests">Ce que les données ne tranchent pas</h2>' in page
    run = json.loads((small_run / "run.json").read_text(encoding="utf-8"))
    command = f"optimizer experiment plan --model {run['cache']['mmm']['folder']}"
    assert command in page and f"--weeks {s['horizon']['weeks']}" in page
    from optimizer.report.learning import channel_knowledge

    weak = [k for k in channel_knowledge(s) if k["weak"]]
    assert ("Canaux mal identifiés" in page) == bool(weak)
    ws = load_workbook(small_run / "report.xlsx")["À tester"]
    assert command in str(ws["A1"].value)
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert len(rows) == len(channel_knowledge(s))
    assert all(isinstance(r[1], float) and isinstance(r[3], float) for r in rows)


def test_workbook_bounds_and_intervals_are_numbers(small_run):
    """Finance can sort and sum: bounds and 90 % intervals are numbers, not text like '1,2 - 3,4'."""
    wb = load_workbook(small_run / "report.xlsx")
    ws = wb["Modèle"]
    header = [c.value for c in ws[3]]
    for name in ("ROAS, bas (P5)", "ROAS, haut (P95)", "ROAS marginal, bas (P5)"):
        col = header.index(name) + 1
        cells = [ws.cell(row=r, column=col) for r in range(4, ws.max_row)]
        assert cells and all(isinstance(c.value, float) for c in cells), name
    ws = wb["Média"]
    header = [c.value for c in ws[3]]
    if "Borne basse (horizon)" in header:
        col = header.index("Borne basse (horizon)") + 1
        assert isinstance(ws.cell(row=4, column=col).value, float)
        assert ws.cell(row=4, column=col).number_format == XL_EUR


def test_marginal_roas_reads_the_same_in_mmm_summary_and_the_report(small_run):
    """One definition, one label: `optimizer mmm summary` on the run's model prints the
    marginal ROAS the report's model table shows, channel by channel."""
    from click.testing import CliRunner

    from optimizer.cli import cli
    from optimizer.report.labels import label

    s = _summary(small_run)
    run = json.loads((small_run / "run.json").read_text(encoding="utf-8"))
    r = CliRunner().invoke(cli, ["mmm", "summary", run["cache"]["mmm"]["folder"]])
    assert r.exit_code == 0, r.output
    fmt = Fmt("fr")
    page = htmlmod.unescape((small_run / "report.html").read_text(encoding="utf-8"))
    for channel, v in s["model"]["channels"].items():
        name = label(channel, "fr")
        line = next(ln for ln in r.output.splitlines() if ln.startswith(name + " "))
        cols = re.split(r" {2,}", line.strip())  # channel, spend, ROAS, interval, mROAS, revenue
        shown = fmt.ratio(v["marginal_roas"]["mean"])
        assert cols[4] == shown, (line, shown)
        row = re.search(rf"<tr><td>{re.escape(name)}</td>(.*?)</tr>", page.split('id="modele"')[1])
        assert row is not None and f'<td class="n">{shown}</td>' in row.group(1), name
