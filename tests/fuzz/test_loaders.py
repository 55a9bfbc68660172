"""Fuzzing the loaders: valid files load with their values, near-valid ones fail cleanly.

The property for every loader and every input: it returns, or it raises
:class:`~optimizer.errors.DataError` / :class:`~optimizer.errors.ConfigError` with a message that
names the file. Any other exception (``KeyError``, ``TypeError``, a pandas or ``tomllib`` error,
``UnicodeDecodeError``, ``OSError``...) fails the test, and so does any warning (pytest runs with
``-W error``).
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from optimizer.allocation import AllocationProblem
from optimizer.allocation.constraints_file import constraints_kwargs, load_constraints
from optimizer.allocation.problem import Risk
from optimizer.data import (
    load_catalog,
    load_dataset,
    load_file,
    load_lift_tests,
    load_logistics,
    load_marketing,
    load_sales,
)
from optimizer.errors import ConfigError, DataError, OptimizerError
from optimizer.pricing.config import load_rules
from optimizer.scenario import ScenarioSpec, load_scenario, parse_scenario
from tests.fuzz.strategies import (
    CHANNEL_NAMES,
    DatasetFolder,
    Table,
    bad_values,
    constraints_dicts,
    fuzz_settings,
    mutate_dict,
    mutate_toml_text,
    near_valid_datasets,
    near_valid_files,
    rules_dicts,
    scenario_dicts,
    toml_dumps,
    valid_datasets,
    valid_files,
)

KINDS = ("marketing", "catalog", "sales", "logistics", "lift_tests")
LOADERS: dict[str, Callable[..., Any]] = {
    "marketing": load_marketing,
    "catalog": load_catalog,
    "sales": load_sales,
    "logistics": load_logistics,
    "lift_tests": load_lift_tests,
}


@pytest.fixture(scope="session")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder per session; every example writes into a fresh sub-folder of it."""
    return tmp_path_factory.mktemp("fuzz")


def _fresh(base: Path) -> Path:
    return Path(tempfile.mkdtemp(dir=base))


def _clean_failure(call: Callable[[], Any], names: Iterable[str]) -> Any:
    """Run ``call``; it may only raise DataError/ConfigError naming one of ``names``."""
    try:
        return call()
    except (DataError, ConfigError) as exc:
        msg = str(exc)
        assert msg.strip(), f"{type(exc).__name__} with an empty message"
        assert any(n in msg for n in names), f"message names none of {sorted(names)}: {msg}"
        event(f"refused: {type(exc).__name__}")
        return None


# --------------------------------------------------------------------------------------------
# CSV files, one kind at a time


def _check_values(kind: str, table: Table, obj: Any) -> None:
    """Round-trip sanity: the loaded object holds the table's values."""
    exp = table.expected
    if kind == "marketing":
        date_col, target = table.kwargs["date"], table.kwargs["target"]
        weeks = pd.DatetimeIndex(pd.to_datetime(exp[date_col]))
        order = np.argsort(weeks.to_numpy())
        assert obj.n_weeks == len(table.rows)
        assert obj.weeks.equals(pd.DatetimeIndex(weeks[order], name="week"))
        assert obj.channels == tuple(exp["_channels"])
        np.testing.assert_allclose(obj.revenue, np.asarray(exp[target])[order], rtol=1e-12)
        for c in obj.channels:
            np.testing.assert_allclose(obj.spend[c], np.asarray(exp[c])[order], rtol=1e-12)
        for c in table.kwargs["controls"]:
            np.testing.assert_allclose(
                obj.controls[c], np.asarray(exp[c])[order], rtol=1e-12, atol=1e-12
            )
        assert (obj.orders is None) == ("orders" not in exp)
        if obj.orders is not None:
            np.testing.assert_allclose(obj.orders, np.asarray(exp["orders"])[order])
    elif kind == "catalog":
        f = obj.frame
        assert len(obj) == len(table.rows)
        assert list(f.index) == exp["sku"]
        assert list(f["category"]) == exp["category"]
        for c in ("price_incl_vat", "vat_rate", "unit_cost", "stock", "logistics_units"):
            np.testing.assert_allclose(f[c], exp[c], rtol=1e-12, err_msg=c)
        for c in ("min_price", "max_price"):
            want = exp.get(c, [math.nan] * len(f))
            np.testing.assert_allclose(f[c], want, rtol=1e-12, err_msg=c)
        if "return_rate" in exp:
            given_rr = np.asarray(exp["return_rate"], float)
            has = ~np.isnan(given_rr)
            np.testing.assert_allclose(f["return_rate"].to_numpy()[has], given_rr[has], rtol=1e-12)
        assert f["return_rate"].between(0, 0.95).all()
        assert (f["unit_cost"] <= f["price_excl_vat"] + 1e-9).all()
    elif kind == "sales":
        f = obj.frame
        assert len(f) == len(table.rows)
        want = sorted(
            zip(
                pd.to_datetime(exp["week"]),
                exp["sku"],
                exp["price_paid"],
                exp["units"],
                exp["promo"],
                exp["in_stock"],
                strict=True,
            ),
            key=lambda r: (r[0], r[1]),
        )
        got = list(
            f[["week", "sku", "price_paid", "units", "promo", "in_stock"]].itertuples(index=False)
        )
        for g, w in zip(got, want, strict=True):
            assert (g[0], g[1], bool(g[4]), bool(g[5])) == (w[0], w[1], w[4], w[5])
            assert g[2] == pytest.approx(w[2], rel=1e-12) and g[3] == pytest.approx(w[3], rel=1e-12)
    elif kind == "logistics":
        if "week" in exp:
            weeks = pd.DatetimeIndex(pd.to_datetime(exp["week"]))
            order = np.argsort(weeks.to_numpy())
            assert obj.weekly
            assert pd.DatetimeIndex(obj.capacity.index).equals(
                pd.DatetimeIndex(weeks[order], name="week")
            )
            np.testing.assert_allclose(obj.capacity, np.asarray(exp["capacity"])[order], rtol=1e-12)
            np.testing.assert_allclose(
                obj.cost_per_unit, np.asarray(exp["cost_per_unit"])[order], rtol=1e-12
            )
            assert np.allclose(obj.capacity_for(weeks), np.asarray(exp["capacity"]), rtol=1e-12)
        else:
            assert not obj.weekly
            assert obj.capacity == pytest.approx(exp["capacity"][0], rel=1e-12)
            assert obj.cost_per_unit == pytest.approx(exp["cost_per_unit"][0], rel=1e-12)
    else:
        f = obj.frame
        assert len(obj) == len(table.rows)
        assert list(f["channel"]) == exp["channel"]
        assert list(f["start"]) == list(pd.to_datetime(exp["start"]))
        assert list(f["end"]) == list(pd.to_datetime(exp["end"]))
        for c in ("spend_change", "incremental_revenue", "se"):
            np.testing.assert_allclose(f[c], exp[c], rtol=1e-12, err_msg=c)


def _load(kind: str, path: Path, table: Table) -> Any:
    return LOADERS[kind](path, **table.kwargs)


@fuzz_settings(100)
@pytest.mark.parametrize("kind", KINDS)
@given(data=st.data())
def test_valid_tables_load_in_every_accepted_format(fuzz_dir, kind, data):
    """Random valid tables in any accepted format load, with the values written."""
    raw, table, fmt = data.draw(valid_files(kind))
    event(f"delimiter {fmt.delimiter!r}, decimal {fmt.decimal!r}, {fmt.encoding}")
    path = _fresh(fuzz_dir) / f"fuzz_{kind}.csv"
    path.write_bytes(raw)
    _check_values(kind, table, _load(kind, path, table))


@fuzz_settings(150)
@pytest.mark.parametrize("kind", KINDS)
@given(data=st.data())
def test_near_valid_tables_load_or_raise_data_error(fuzz_dir, kind, data):
    """Mutated tables load or raise DataError naming the file, never anything else."""
    raw, table = data.draw(near_valid_files(kind))
    path = _fresh(fuzz_dir) / f"fuzz_{kind}.csv"
    path.write_bytes(raw)
    kwargs = dict(table.kwargs)
    if kind == "lift_tests" and data.draw(st.booleans()):
        kwargs["channels"] = data.draw(st.lists(st.sampled_from(CHANNEL_NAMES), max_size=4))
        kwargs["weeks"] = pd.date_range(
            data.draw(st.dates()).isoformat(), periods=data.draw(st.integers(0, 60)), freq="7D"
        )
    result = _clean_failure(lambda: LOADERS[kind](path, **kwargs), [path.name])
    if result is None:
        return
    event("accepted")
    # whatever was accepted obeys the data contract
    if kind == "marketing":
        assert np.isfinite(result.revenue).all() and (result.revenue >= 0).all()
        assert np.isfinite(result.spend.to_numpy()).all() and (result.spend.to_numpy() >= 0).all()
        assert result.weeks.is_monotonic_increasing and result.weeks.is_unique
    elif kind == "catalog":
        f = result.frame
        assert f.index.is_unique and (f["price_incl_vat"] > 0).all()
        assert (f["unit_cost"] <= f["price_excl_vat"] + 1e-9).all()
        assert (f["stock"] >= 0).all() and (f["logistics_units"] > 0).all()
    elif kind == "sales":
        f = result.frame
        assert not f.duplicated(["week", "sku"]).any()
        assert (f["units"] >= 0).all() and (f["price_paid"] >= 0).all()
    elif kind == "logistics":
        cap = np.atleast_1d(np.asarray(result.capacity, float))
        assert np.isfinite(cap).all() and (cap > 0).all()


@fuzz_settings(100)
@given(data=st.data())
def test_load_file_recognises_or_refuses(fuzz_dir, data):
    """``load_file`` (kind from the header) on near-valid files of any kind."""
    kind = data.draw(st.sampled_from(KINDS))
    raw, _ = data.draw(near_valid_files(kind))
    path = _fresh(fuzz_dir) / "export.csv"
    path.write_bytes(raw)
    out = _clean_failure(lambda: load_file(path), [path.name])
    if out is not None:
        event(f"recognised as {out[0]}")


@fuzz_settings(100)
@given(
    raw=st.binary(max_size=400)
    | st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass"))
)
def test_random_bytes_never_crash_any_loader(fuzz_dir, raw):
    """Random bytes: every loader refuses them cleanly (or, rarely, accepts them)."""
    folder = _fresh(fuzz_dir)
    path = folder / "random.csv"
    path.write_bytes(raw)
    for loader in (*LOADERS.values(), load_file):
        _clean_failure(lambda loader=loader: loader(path), [path.name])


# --------------------------------------------------------------------------------------------
# dataset folders


def _write_dataset(folder: Path, ds: DatasetFolder) -> Path:
    for rel, raw in ds.files.items():
        p = folder / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(raw)
    spec = ds.spec_bytes if ds.spec_bytes is not None else toml_dumps(ds.spec).encode("utf-8")
    (folder / "dataset.toml").write_bytes(spec)
    return folder


@fuzz_settings(40)
@given(ds=valid_datasets())
def test_valid_dataset_folders_load(fuzz_dir, ds):
    """Consistent folders load, every named part is there with its row count."""
    folder = _write_dataset(_fresh(fuzz_dir), ds)
    out = load_dataset(folder)
    for kind in KINDS:
        part = getattr(out, kind)
        assert (part is None) == (kind not in ds.tables), kind
        if part is not None:
            _check_values(kind, ds.tables[kind], part)


@fuzz_settings(100)
@given(ds=near_valid_datasets())
def test_near_valid_dataset_folders_load_or_raise(fuzz_dir, ds):
    """Broken files, spec keys, paths and cross-file references fail cleanly."""
    folder = _write_dataset(_fresh(fuzz_dir), ds)
    _clean_failure(lambda: load_dataset(folder), ds.names())


# --------------------------------------------------------------------------------------------
# scenario files


def _accepted_downstream(spec: ScenarioSpec, channels: tuple[str, ...]) -> None:
    """What the runner builds from a scenario before any fit accepts what validation accepted.

    A value refused only there would cost the user the model fits before the error.
    """
    f = spec.file
    names = tuple(
        dict.fromkeys([*channels, *f.media.channels, *(w.channel for w in f.media.week_bounds)])
    )
    kwargs = constraints_kwargs(f.media, names, spec.source)
    AllocationProblem(
        budget=1e5,
        n_weeks=f.horizon.weeks,
        start=f.horizon.start or date(2026, 1, 5),
        objective=f.media.objective,
        margin_rate=0.5,
        risk=Risk.parse(f.media.risk),
        seed=f.seed,
        **kwargs,
    )
    f.pricing.to_rules()


def _scenario_folder(base: Path, channels: tuple[str, ...] | None) -> Path:
    folder = _fresh(base)
    (folder / "shop").mkdir()
    spec: dict[str, Any] = {"schema_version": 1, "marketing": {"file": "marketing.csv"}}
    if channels is not None:
        spec["marketing"]["channels"] = list(channels)
    (folder / "shop" / "dataset.toml").write_text(toml_dumps(spec), encoding="utf-8")
    return folder


_channel_sets = st.one_of(
    st.none(),
    st.lists(st.sampled_from(CHANNEL_NAMES), min_size=1, max_size=5, unique=True).map(tuple),
)


@fuzz_settings(120)
@given(data=st.data(), channels=_channel_sets)
def test_valid_scenarios_load(fuzz_dir, data, channels):
    """Random valid scenarios validate and keep their values."""
    names = channels or CHANNEL_NAMES[:5]
    sc = data.draw(scenario_dicts("shop", names))
    folder = _scenario_folder(fuzz_dir, channels)
    path = folder / "scenario.toml"
    path.write_text(toml_dumps(sc), encoding="utf-8")
    spec = load_scenario(path)
    assert spec.name.strip() == sc["name"].strip()
    assert spec.file.horizon.weeks == sc.get("horizon", {}).get("weeks", 13)
    assert set(spec.file.media.channels) == set(sc.get("media", {}).get("channels", {}))
    assert spec.resolve(spec.file.data.dataset, "[data].dataset") == (folder / "shop").resolve()
    # parse_scenario (the in-code path) agrees with the file
    same = parse_scenario(sc, root=folder, source="fuzz scenario")
    assert same.file == spec.file
    _accepted_downstream(spec, names)


@fuzz_settings(200)
@given(data=st.data(), channels=_channel_sets)
def test_near_valid_scenarios_load_or_raise_config_error(fuzz_dir, data, channels):
    """Mutated scenarios (dict or text) validate or raise ConfigError naming the file."""
    names = channels or CHANNEL_NAMES[:5]
    sc = data.draw(scenario_dicts("shop", names))
    folder = _scenario_folder(fuzz_dir, channels)
    path = folder / "scenario.toml"
    how = data.draw(st.sampled_from(["dict", "dict", "text", "dataset"]))
    if how == "dict":
        for _ in range(data.draw(st.integers(1, 3))):
            sc = data.draw(mutate_dict(sc, names=names))
        raw = toml_dumps(sc).encode("utf-8")
    elif how == "text":
        raw = data.draw(mutate_toml_text(toml_dumps(sc)))
    else:
        sc["data"]["dataset"] = data.draw(
            st.sampled_from(
                ["../shop", "/", "missing", "shop/dataset.toml", "shop\x00", "s" * 300, "", "."]
            )
            | st.text(max_size=20)
        )
        if data.draw(st.booleans()):
            (folder / "shop" / "dataset.toml").write_bytes(
                data.draw(mutate_toml_text('[marketing]\nfile = "m.csv"\n'))
            )
        raw = toml_dumps(sc).encode("utf-8")
    path.write_bytes(raw)
    spec = _clean_failure(lambda: load_scenario(path), [path.name, "dataset.toml"])
    if spec is not None:
        event("accepted")
        _accepted_downstream(spec, names)


@fuzz_settings(150)
@given(data=st.data())
def test_parse_scenario_on_arbitrary_dicts(fuzz_dir, data):
    """``parse_scenario`` (notebook path) on mutated dicts, Python values included."""
    sc = data.draw(scenario_dicts("shop", CHANNEL_NAMES[:5]))
    for _ in range(data.draw(st.integers(1, 3))):
        sc = data.draw(mutate_dict(sc, names=CHANNEL_NAMES[:5]))
    if data.draw(st.booleans()):
        # values no TOML file holds but a notebook may pass
        key = data.draw(st.sampled_from(["seed", "name", "horizon", "media", "data"]))
        sc[key] = data.draw(
            st.sampled_from([None, (1, 2), b"bytes", object(), {1: 2}, np.float64(1.5), {None: 1}])
        )
    _clean_failure(
        lambda: parse_scenario(sc, root=fuzz_dir, source="fuzz scenario"), ["fuzz scenario"]
    )


# --------------------------------------------------------------------------------------------
# allocation constraints and pricing rules files

_CHANNELS = ("seo", "sea", "social", "affiliation", "retail_media")


@fuzz_settings(120)
@given(data=st.data())
def test_constraints_files(fuzz_dir, data):
    """Valid constraints files load; mutated ones load or raise ConfigError naming the file.

    What the loader accepts then builds an :class:`AllocationProblem` or raises ConfigError.
    """
    n_weeks = data.draw(st.integers(1, 20))
    spec = data.draw(constraints_dicts(_CHANNELS, n_weeks))
    mutated = data.draw(st.booleans())
    raw = toml_dumps(spec).encode("utf-8")
    if mutated:
        if data.draw(st.booleans()):
            raw = data.draw(mutate_toml_text(toml_dumps(spec)))
        else:
            for _ in range(data.draw(st.integers(1, 3))):
                spec = data.draw(mutate_dict(spec, names=_CHANNELS))
            raw = toml_dumps(spec).encode("utf-8")
    path = _fresh(fuzz_dir) / "constraints.toml"
    path.write_bytes(raw)
    if not mutated:
        kwargs = load_constraints(path, _CHANNELS)
        named = set(spec.get("channels", {}))
        by_week = {wb["channel"] for wb in spec.get("week_bounds", [])}
        # channels planned week by week get an exemption from the default workable rules
        assert named <= set(kwargs["channels"]) <= named | by_week
        assert len(kwargs["week_bounds"]) == len(spec.get("week_bounds", []))
    else:
        kwargs = _clean_failure(lambda: load_constraints(path, _CHANNELS), [path.name])
        if kwargs is None:
            return
    start = data.draw(st.dates(date(2020, 1, 6), date(2035, 1, 1)))
    try:
        AllocationProblem(budget=1e5, n_weeks=n_weeks, start=start, **kwargs)
    except ConfigError as exc:
        # the only rule the file cannot check: the horizon length comes from the command line
        assert mutated and "past the horizon" in str(exc), str(exc)
        event("problem refused: week bound past the horizon")


@fuzz_settings(120)
@given(data=st.data())
def test_rules_files(fuzz_dir, data):
    """Valid pricing rules load and convert; mutated ones fail with ConfigError only."""
    spec = data.draw(rules_dicts())
    mutated = data.draw(st.booleans())
    raw = toml_dumps(spec).encode("utf-8")
    if mutated:
        if data.draw(st.booleans()):
            raw = data.draw(mutate_toml_text(toml_dumps(spec)))
        else:
            for _ in range(data.draw(st.integers(1, 3))):
                spec = data.draw(mutate_dict(spec, names=("A1", "B2", "C3")))
            raw = toml_dumps(spec).encode("utf-8")
    path = _fresh(fuzz_dir) / "rules.toml"
    path.write_bytes(raw)
    if not mutated:
        rules = load_rules(path).to_rules()
        assert rules.n_points == spec.get("n_points", 11)
        assert rules.endings == tuple(spec.get("endings", (0.99, 0.90)))
        return
    cfg = _clean_failure(lambda: load_rules(path), [path.name])
    if cfg is None:
        return
    # what the file edge accepts must be a valid PriceRules (no late surprise)
    cfg.to_rules()


@fuzz_settings(100)
@given(
    key=st.sampled_from(["budget", "weekly_cap", "capacity", "min_total", "margin_floor"]),
    value=bad_values,
)
def test_single_bad_values_name_the_key(fuzz_dir, key, value):
    """One bad value in an otherwise valid scenario: the error names the file and the key."""
    folder = _scenario_folder(fuzz_dir, None)
    sc: dict[str, Any] = {"schema_version": 1, "name": "x", "data": {"dataset": "shop"}}
    where = {
        "budget": ("media",),
        "weekly_cap": ("media",),
        "capacity": ("logistics",),
        "min_total": ("media", "channels", "sea"),
        "margin_floor": ("pricing",),
    }[key]
    node = sc
    for part in where:
        node = node.setdefault(part, {})
    node[key] = value
    path = folder / "scenario.toml"
    path.write_text(toml_dumps(sc), encoding="utf-8")
    try:
        load_scenario(path)
    except OptimizerError as exc:
        assert isinstance(exc, ConfigError), type(exc)
        assert path.name in str(exc) and key in str(exc), str(exc)
