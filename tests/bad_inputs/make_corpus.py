"""Regenerate the bad-input files from ``docs/examples`` (run once; the files are committed).

Usage: ``.venv/bin/python tests/bad_inputs/make_corpus.py``. Each case is a small mutation of a
valid example file; ``cases.toml`` (hand-written) says how each is run and what the message must
contain.
"""

from __future__ import annotations

import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
EX = HERE.parents[1] / "docs" / "examples"
FILES = HERE / "files"
DATASETS = HERE / "datasets"
SCEN = HERE / "scenarios"
TOMLS = HERE / "toml"


def _lines(name: str) -> list[str]:
    return (EX / name).read_text(encoding="utf-8").splitlines()


def _cell(lines: list[str], row: int, col: str, value: str) -> list[str]:
    """Replace the cell of data row ``row`` (1 = first data row) in column ``col``."""
    head = lines[0].split(",")
    out = list(lines)
    cells = out[row].split(",")
    cells[head.index(col)] = value
    out[row] = ",".join(cells)
    return out


def _write(path: Path, lines: list[str] | str, encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = lines if isinstance(lines, str) else "\n".join(lines) + "\n"
    path.write_bytes(text.encode(encoding))


def main() -> None:
    for d in (FILES, DATASETS, SCEN, TOMLS):
        shutil.rmtree(d, ignore_errors=True)
    # a single marketing file has no dataset.toml declaring controls: keep date..retail_media
    mk = [",".join(ln.split(",")[:8]) for ln in _lines("marketing.csv")]
    cat, sal = _lines("catalog.csv"), _lines("sales.csv")
    log, lift = _lines("logistics.csv"), _lines("lift_tests.csv")
    f = FILES
    # marketing history
    _write(f / "mkt_text_spend.csv", _cell(mk, 3, "sea", "douze mille"))
    _write(f / "mkt_nan_revenue.csv", _cell(mk, 2, "revenue", "NaN"))
    _write(f / "mkt_inf_revenue.csv", _cell(mk, 2, "revenue", "inf"))
    _write(f / "mkt_negative_spend.csv", _cell(mk, 4, "seo", "-500"))
    _write(f / "mkt_huge_spend.csv", _cell(mk, 5, "social", "1e30"))
    _write(f / "mkt_duplicate_week.csv", [*mk[:4], mk[3], *mk[4:]])
    _write(f / "mkt_missing_week.csv", [*mk[:4], *mk[5:]])
    _write(f / "mkt_bad_date.csv", _cell(mk, 2, "date", "2023-13-45"))
    _write(f / "mkt_utf16.csv", mk, encoding="utf-16")
    _write(f / "mkt_tab.csv", [ln.replace(",", "\t") for ln in mk])
    _write(f / "mkt_empty.csv", "")
    _write(f / "mkt_header_only.csv", mk[:1])
    _write(f / "mkt_ragged_row.csv", [*mk[:3], mk[3] + ",7", *mk[4:]])
    _write(f / "mkt_negative_revenue.csv", _cell(mk, 6, "revenue", "-171283.02"))
    # catalog
    _write(f / "cat_duplicate_sku.csv", [*cat, cat[2]])
    _write(f / "cat_negative_price.csv", _cell(cat, 2, "price_incl_vat", "-46.99"))
    _write(f / "cat_text_price.csv", _cell(cat, 1, "price_incl_vat", "quarante"))
    _write(f / "cat_vat_percent.csv", _cell(cat, 3, "vat_rate", "0.33"))
    _write(f / "cat_nan_cost.csv", _cell(cat, 4, "unit_cost", "nan"))
    _write(
        f / "cat_min_above_max.csv",
        _cell(_cell(cat, 4, "min_price", "70.99"), 4, "max_price", "63.99"),
    )
    _write(f / "cat_pipe.csv", [ln.replace(",", "|") for ln in cat])
    _write(
        f / "cat_missing_column.csv",
        [",".join(ln.split(",")[:4] + ln.split(",")[5:]) for ln in cat],
    )
    _write(f / "cat_huge_stock.csv", _cell(cat, 1, "stock", "1e30"))
    # vat_rate dropped: 'return_rate' shares a word but is no typo of it (no hint)
    _write(
        f / "cat_missing_vat_rate.csv",
        [",".join(ln.split(",")[:3] + ln.split(",")[4:]) for ln in cat],
    )
    # sales history
    _write(f / "sales_negative_units.csv", _cell(sal, 2, "units", "-8"))
    _write(f / "sales_text_units.csv", _cell(sal, 3, "units", "beaucoup"))
    _write(f / "sales_duplicate_row.csv", [*sal, sal[4]])
    _write(f / "sales_bad_week.csv", _cell(sal, 5, "week", "2023-02-30"))
    _write(f / "sales_promo_flag.csv", _cell(sal, 1, "promo", "2"))
    _write(f / "sales_nan_price.csv", _cell(sal, 6, "price_paid", "NaN"))
    # logistics capacity
    _write(f / "log_negative_capacity.csv", _cell(log, 2, "capacity", "-6520"))
    _write(f / "log_text_capacity.csv", _cell(log, 3, "capacity", "beaucoup"))
    _write(f / "log_duplicate_week.csv", [*log, log[4]])
    _write(f / "log_nan_cost.csv", _cell(log, 1, "cost_per_unit", "NaN"))
    _write(f / "log_huge_capacity.csv", _cell(log, 1, "capacity", "1e30"))
    _write(f / "log_utf16.csv", log, encoding="utf-16-le")
    # lift tests
    _write(
        f / "lift_end_before_start.csv",
        _cell(_cell(lift, 1, "start", "2024-01-08"), 1, "end", "2023-12-04"),
    )
    _write(f / "lift_negative_se.csv", _cell(lift, 1, "se", "-6500"))
    _write(f / "lift_nan_revenue.csv", _cell(lift, 1, "incremental_revenue", "NaN"))
    _write(f / "lift_zero_spend.csv", _cell(lift, 1, "spend_change", "0"))

    # dataset folders (files checked against each other)
    spec = (EX / "dataset.toml").read_text(encoding="utf-8")
    base = {
        n: (EX / n).read_text(encoding="utf-8")
        for n in ("marketing.csv", "catalog.csv", "sales.csv", "logistics.csv", "lift_tests.csv")
    }

    def dataset(name: str, **changes: str) -> None:
        for fname, text in {**base, "dataset.toml": spec, **changes}.items():
            _write(DATASETS / name / fname, text)

    dataset(
        "unknown_sku", **{"sales.csv": "\n".join([*sal, "2023-12-04,MDF-099,45.99,3.0,0,1"]) + "\n"}
    )
    dataset(
        "lift_unknown_channel",
        **{"lift_tests.csv": "\n".join(_cell(lift, 1, "channel", "tiktok")) + "\n"},
    )
    dataset(
        "escape_path",
        **{
            "dataset.toml": spec.replace(
                'file = "catalog.csv"', 'file = "../../../../docs/examples/catalog.csv"'
            )
        },
    )
    dataset("unknown_key", **{"dataset.toml": spec.replace("[sales]\nfile", "[sales]\nfiel")})
    dataset(
        "missing_channel_column",
        **{"dataset.toml": spec.replace('"retail_media"]', '"retail_media", "tv"]')},
    )
    dataset(
        "lift_outside_history",
        **{
            "lift_tests.csv": "\n".join(
                _cell(_cell(lift, 1, "start", "2021-01-04"), 1, "end", "2021-02-01")
            )
            + "\n"
        },
    )
    _write(DATASETS / "no_spec" / "marketing.csv", base["marketing.csv"])

    # a valid dataset for the scenario cases
    dataset("ok")
    _scenarios()
    _tomls()


_SCEN_OK = """schema_version = 1
name = "Bad input case"
seed = 7

[data]
dataset = "data"

[horizon]
weeks = 13
"""


#: A scenario that validates against ``next/`` (a dataset whose logistics file covers the 4
#: weeks after the history and whose sales cover every SKU); each case breaks one thing that
#: only the data show. Small sampler settings keep a regression (fitting first) short.
_SCEN_NEXT = """schema_version = 1
name = "Bad input case"
seed = 7

[data]
dataset = "next"

[model]
holdout_weeks = 0
draws = 50
tune = 50
chains = 1

[elasticity]
mode = "fast"

[horizon]
weeks = 4
"""


def _scenario(name: str, text: str) -> None:
    _write(SCEN / name, text)


def _next_dataset() -> None:
    """``scenarios/next``: the example dataset planned from the week after its history."""
    shutil.copytree(DATASETS / "ok", SCEN / "next")
    log = _lines("logistics.csv")
    weeks = ("2024-01-22", "2024-01-29", "2024-02-05", "2024-02-12")  # history ends 2024-01-15
    _write(
        SCEN / "next" / "logistics.csv",
        [log[0], *(_cell(log, i + 1, "week", w)[i + 1] for i, w in enumerate(weeks))],
    )
    sales = _lines("sales.csv")
    _write(
        SCEN / "next" / "sales.csv",
        [*sales, "2023-12-04,MDF-004,57.99,3.0,0,1", "2023-12-04,MDF-005,54.99,4.0,0,1"],
    )


def _data_scenarios() -> None:
    """Scenarios that only the dataset files can refuse (issue 13): ``scenario validate``."""
    nx = _SCEN_NEXT
    _next_dataset()
    _scenario("next_ok.toml", nx)
    _scenario("horizon_past_logistics.toml", nx.replace("weeks = 4", "weeks = 6"))
    _scenario("start_not_after_history.toml", nx + "start = 2024-02-05\n")
    _scenario("holdout_whole_history.toml", nx.replace("holdout_weeks = 0", "holdout_weeks = 8"))
    _scenario(
        "budget_below_minimums.toml",
        nx + "\n[media]\nbudget = 10000\n[media.channels.sea]\nmin_total = 8000\n"
        "[media.channels.seo]\nmin_weekly = 1000\n",
    )
    _scenario(
        "min_weekly_over_max_total.toml",
        nx + "\n[media.channels.seo]\nmin_weekly = 2000\nmax_total = 5000\n",
    )
    _scenario(
        "weekly_cap_below_minimums.toml",
        nx + "\n[media]\nweekly_cap = 3000\n[media.channels.sea]\nmin_weekly = 2000\n"
        "[media.channels.seo]\nmin_weekly = 2000\n",
    )
    _scenario(
        "budget_above_maximums.toml",
        nx
        + "\n[media]\nbudget = 100000\n"
        + "".join(
            f"[media.channels.{c}]\nmax_total = 10000\n"
            for c in ("seo", "sea", "social", "affiliation", "retail_media")
        ),
    )
    _scenario(
        "weekly_cap_below_budget.toml", nx + "\n[media]\nbudget = 100000\nweekly_cap = 20000\n"
    )
    _scenario(
        "week_bound_above_max_weekly.toml",
        nx + "\n[media.channels.sea]\nmax_weekly = 1000\n"
        '[[media.week_bounds]]\nchannel = "sea"\nweek = 1\nmin = 2000\n',
    )
    _scenario(
        "monthly_cap_below_minimums.toml",
        nx + '\n[media.monthly_caps]\n"2024-02" = 1000\n[media.channels.sea]\nmin_weekly = 1000\n',
    )
    _scenario("margin_floor_no_price.toml", nx + "\n[pricing]\nmargin_floor = 0.8\n")
    # the example sales have no row for MDF-004 and MDF-005; capacity and cost set in the file
    _scenario(
        "sku_without_sales.toml",
        nx.replace('dataset = "next"', 'dataset = "data"')
        + "\n[logistics]\ncapacity = 5000\ncost_per_unit = 6.4\n",
    )


def _scenarios() -> None:
    """Scenario files; they sit in ``scenarios/`` next to a dataset folder ``data/``."""
    ok = _SCEN_OK
    shutil.copytree(DATASETS / "ok", SCEN / "data")
    _scenario("escape_relative.toml", ok.replace('dataset = "data"', 'dataset = "../datasets/ok"'))
    _scenario("escape_absolute.toml", ok.replace('dataset = "data"', 'dataset = "/etc"'))
    _scenario("unknown_key.toml", ok.replace("[horizon]", "budjet = 100000\n[horizon]"))
    _scenario("unknown_section.toml", ok + "\n[medai]\nbudget = 1000\n")
    _scenario("both_budgets.toml", ok + "\n[media]\nbudget = 400000\nbudget_change = 0.2\n")
    _scenario("weeks_zero.toml", ok.replace("weeks = 13", "weeks = 0"))
    _scenario("weeks_huge.toml", ok.replace("weeks = 13", "weeks = 1000000"))
    _scenario("weeks_text.toml", ok.replace("weeks = 13", 'weeks = "thirteen"'))
    _scenario("negative_budget.toml", ok + "\n[media]\nbudget = -5000\n")
    _scenario("nan_budget.toml", ok + "\n[media]\nbudget = nan\n")
    _scenario("syntax_error.toml", ok.replace("weeks = 13", "weeks = 13 13"))
    _scenario("empty.toml", "")
    _write(SCEN / "utf16.toml", ok, encoding="utf-16")
    _scenario("missing_dataset.toml", ok.replace('dataset = "data"', 'dataset = "nowhere"'))
    _scenario("schema_version.toml", ok.replace("schema_version = 1", "schema_version = 2"))
    _scenario("no_data_section.toml", ok.replace('[data]\ndataset = "data"\n', ""))
    _scenario("pricing_max_change.toml", ok + "\n[pricing]\nmax_change = 1.5\n")
    _scenario("capacity_scale_zero.toml", ok + "\n[logistics]\ncapacity_scale = 0\n")
    # rules that contradict themselves (issue 13): refused by validate, before any data is read
    _scenario(
        "min_change_above_max.toml",
        ok + "\n[media.channels.sea]\nmin_change = 0.5\nmax_change = 0.3\n",
    )
    _scenario(
        "fixed_above_max_total.toml",
        ok + "\n[media.channels.seo]\nfixed = 50000\nmax_total = 40000\n",
    )
    _scenario(
        "week_bound_min_above_max.toml",
        ok + '\n[[media.week_bounds]]\nchannel = "sea"\nweek = 2\nmin = 5000\nmax = 1000\n',
    )
    _scenario("roas_prior_reversed.toml", ok + "\n[model.roas_priors]\nsea = [4.0, 2.0]\n")
    _scenario("roas_prior_unknown.toml", ok + "\n[model.roas_priors]\ntiktok = [1.0, 3.0]\n")
    _scenario("elasticity_cache_escape.toml", ok + '\n[elasticity]\ncache = "../escape_cache"\n')
    _data_scenarios()
    # small sampler settings so that a regression (fitting before the path check) stays short
    _scenario(
        "cache_escape.toml",
        ok + '\n[model]\ncache = "../escape_cache"\ndraws = 50\ntune = 50\nchains = 1\n',
    )


def _tomls() -> None:
    """Allocation constraint files and pricing rule files."""
    t = TOMLS
    _write(
        t / "con_unknown_channel.toml", "schema_version = 1\n[channels.tiktok]\nmax_change = 0.3\n"
    )
    _write(t / "con_typo_key.toml", "schema_version = 1\n[channels.sea]\nmax_chnage = 0.3\n")
    _write(t / "con_negative_min.toml", "schema_version = 1\n[channels.sea]\nmin_weekly = -100\n")
    _write(
        t / "con_min_above_max.toml",
        "schema_version = 1\n[channels.sea]\nmin_total = 90000\nmax_total = 10000\n",
    )
    _write(
        t / "con_minimums_over_budget.toml",
        "schema_version = 1\n# the explicit minimums alone: the default workable rules off\n"
        "always_on_min_share = false\nmax_week_change = false\n"
        "[channels.sea]\nmin_total = 80000\n[channels.seo]\nmin_total = 40000\n",
    )
    _write(t / "con_syntax.toml", "schema_version = 1\nweekly_cap = = 5\n")
    _write(
        t / "con_min_change_above_max.toml",
        "schema_version = 1\n[channels.sea]\nmin_change = 0.5\nmax_change = 0.3\n",
    )
    _write(
        t / "con_week_bound_min_above_max.toml",
        '[[week_bounds]]\nchannel = "sea"\nweek = 2\nmin = 5000\nmax = 1000\n',
    )
    _write(
        t / "con_week_bound_unknown.toml", '[[week_bounds]]\nchannel = "tv"\nweek = 2\nmax = 0\n'
    )
    _write(t / "con_weekly_cap_text.toml", 'weekly_cap = "soixante mille"\n')
    _write(t / "rules_max_change.toml", "schema_version = 1\nmax_change = 1.5\n")
    _write(t / "rules_unknown_key.toml", "schema_version = 1\nmargin_flor = 0.2\n")
    _write(t / "rules_n_points.toml", "n_points = 1\n")
    _write(t / "rules_objective.toml", 'objective = "profit"\n')
    _write(t / "rules_endings_type.toml", 'endings = "99 cents"\n')
    _write(t / "rules_utf16.toml", "max_change = 0.1\n", encoding="utf-16")


if __name__ == "__main__":
    main()
