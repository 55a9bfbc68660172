from __future__ import annotations

import re
import subprocess
import sys

from click.testing import CliRunner

from optimizer import __version__
from optimizer.cli import cli


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_version():
    r = run("--version")
    assert r.exit_code == 0 and __version__ in r.output


def test_validate_demo_folder_and_file(demo_dir):
    r = run("data", "validate", str(demo_dir), str(demo_dir / "marketing.csv"))
    assert r.exit_code == 0, r.output
    assert "156 weeks, 2023-11-27 to 2026-11-16" in r.output
    assert "200 SKUs in 8 categories" in r.output
    assert "seo" in r.output and "retail_media" in r.output  # the files' own column names
    # figures as in the reports: French by default, English on request
    assert re.search(r"total \d{1,3}(\u202f\d{3})+\u202f€", r.output), r.output
    assert re.search(r"\d,\d\u202f%", r.output) and "EUR" not in r.output
    r = run("data", "validate", str(demo_dir / "marketing.csv"), "--lang", "en")
    assert re.search(r"total €\d{1,3}(,\d{3})+", r.output) and re.search(r"\d\.\d%", r.output)


def test_validate_bad_file_exit_1(tmp_path):
    p = tmp_path / "catalog.csv"
    p.write_text(
        "sku,category,price_incl_vat,vat_rate,unit_cost,stock,logistics_units\n"
        "A,Maison,10,0.3,1,1,1\n"
    )
    r = run("data", "validate", str(p))
    assert r.exit_code == 1
    assert "unknown VAT rate '0.3'" in r.output
    assert "Traceback" not in r.output
    assert "1 of 1 input(s) failed validation" in r.output


def test_validate_missing_path_exit_1(tmp_path):
    r = run("data", "validate", str(tmp_path / "nope.csv"))
    assert r.exit_code == 1 and "no such file or folder" in r.output


def test_usage_errors_exit_2():
    assert run("data", "validate").exit_code == 2
    assert run("demo-data").exit_code == 2
    assert run("no-such-command").exit_code == 2
    assert run("demo-data", "--out", "x", "--seed", "abc").exit_code == 2


def test_demo_data_writes_and_refuses_overwrite(tmp_path):
    out = tmp_path / "store"
    r = run("demo-data", "--out", str(out), "--seed", "3", "--weeks", "70")
    assert r.exit_code == 0, r.output
    assert {p.name for p in out.iterdir()} >= {
        "marketing.csv",
        "catalog.csv",
        "sales.csv",
        "logistics.csv",
        "truth.json",
        "dataset.toml",
    }
    r = run("data", "validate", str(out))
    assert r.exit_code == 0 and "70 weeks" in r.output
    r = run("demo-data", "--out", str(out))
    assert r.exit_code == 1 and "already exists" in r.output and "--force" in r.output
    r = run("demo-data", "--out", str(out), "--seed", "3", "--weeks", "65", "--force")
    assert r.exit_code == 0, r.output
    assert "65 weeks" in run("data", "validate", str(out)).output


def test_console_script_no_traceback(tmp_path):
    """The installed entry point maps errors to exit 1 without a traceback."""
    p = tmp_path / "m.csv"
    p.write_text("")
    proc = subprocess.run(
        [sys.executable, "-m", "optimizer", "data", "validate", str(p)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "the file is empty" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_demo_out_follows_the_out_force_rule(demo_dir, tmp_path):
    """demo --out refuses a non-empty folder that holds no earlier demo runs (unless --force)."""
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    r = run("demo", "--data", str(demo_dir), "--out", str(other))
    assert r.exit_code == 1 and "already exists" in r.output and "--force" in r.output
    assert [p.name for p in other.iterdir()] == ["notes.txt"]
