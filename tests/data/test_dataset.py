from __future__ import annotations

import shutil

import pytest

from optimizer.data import load_dataset, load_file
from optimizer.errors import ConfigError, DataError


def test_bundled_demo_loads(demo_dir):
    ds = load_dataset(demo_dir)
    assert ds.marketing is not None and ds.marketing.n_weeks == 156
    assert ds.marketing.channels == ("seo", "sea", "social", "affiliation", "retail_media")
    assert ds.catalog is not None and len(ds.catalog) == 200
    assert ds.sales is not None and len(ds.sales.skus) == 200
    assert ds.logistics is not None and ds.logistics.weekly


def _copy(demo_dir, tmp_path):
    dst = tmp_path / "ds"
    shutil.copytree(demo_dir, dst)
    return dst


def test_unknown_key_gets_hint(demo_dir, tmp_path):
    d = _copy(demo_dir, tmp_path)
    toml = (d / "dataset.toml").read_text().replace("controls =", "contrls =")
    (d / "dataset.toml").write_text(toml)
    with pytest.raises(ConfigError) as exc:
        load_dataset(d)
    assert str(exc.value) == (
        "dataset.toml: Unknown key 'contrls' in [marketing]. Did you mean 'controls'?"
    )


def test_path_outside_folder_refused(demo_dir, tmp_path):
    d = _copy(demo_dir, tmp_path)
    toml = (d / "dataset.toml").read_text().replace('"catalog.csv"', '"../catalog.csv"')
    (d / "dataset.toml").write_text(toml)
    with pytest.raises(ConfigError, match=r"points outside the dataset folder"):
        load_dataset(d)


def test_no_dataset_file(tmp_path):
    with pytest.raises(DataError, match=r"no dataset.toml in this folder"):
        load_dataset(tmp_path)


def test_error_in_a_file_names_it(demo_dir, tmp_path):
    d = _copy(demo_dir, tmp_path)
    lines = (d / "marketing.csv").read_text().splitlines()
    lines[5] = lines[5].replace(",", ",-", 3)  # revenue and orders negative on line 6
    (d / "marketing.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=r"^marketing.csv, column 'revenue', row 6: negative"):
        load_dataset(d)


def test_load_file_recognises_kinds(demo_dir):
    for name, kind in [
        ("marketing.csv", "marketing"),
        ("catalog.csv", "catalog"),
        ("sales.csv", "sales"),
        ("logistics.csv", "logistics"),
    ]:
        assert load_file(demo_dir / name)[0] == kind


def test_load_file_unknown_kind(write):
    with pytest.raises(DataError, match=r"cannot tell what this file is from its columns \(a, b\)"):
        load_file(write("x.csv", "a,b\n1,2\n"))
