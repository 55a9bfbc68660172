"""Issue 9, part 6: no code execution or unpickling of user files; paths stay in their folder."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from optimizer.data.dataset import load_dataset
from optimizer.errors import ConfigError
from optimizer.scenario.schema import load_scenario

HERE = Path(__file__).resolve().parent
PACKAGE = HERE.parents[1] / "optimizer"

#: calls that run code or unpickle data: builtins, and ``module.function`` pairs
_BANNED_BUILTINS = {"eval", "exec", "compile", "__import__"}
_BANNED_ATTRS = {
    ("pickle", "load"),
    ("pickle", "loads"),
    ("pickle", "Unpickler"),
    ("pd", "read_pickle"),
    ("pandas", "read_pickle"),
    ("joblib", "load"),
    ("yaml", "load"),
    ("marshal", "load"),
    ("marshal", "loads"),
    ("torch", "load"),
    ("dill", "load"),
    ("cloudpickle", "load"),
}
_BANNED_MODULES = {"pickle", "cPickle", "dill", "cloudpickle", "shelve", "marshal", "joblib"}


def _violations(path: Path, base: Path = PACKAGE.parent) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(base)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names.append(node.module)
            out += [f"{where}: imports {n}" for n in names if n.split(".")[0] in _BANNED_MODULES]
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if isinstance(f, ast.Name) and f.id in _BANNED_BUILTINS:
            out.append(f"{where}: calls {f.id}()")
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
            if (f.value.id, f.attr) in _BANNED_ATTRS:
                out.append(f"{where}: calls {f.value.id}.{f.attr}()")
            # numpy.load must refuse pickled object arrays explicitly
            if f.value.id in {"np", "numpy"} and f.attr == "load":
                safe = any(
                    k.arg == "allow_pickle"
                    and isinstance(k.value, ast.Constant)
                    and k.value.value is False
                    for k in node.keywords
                )
                if not safe:
                    out.append(f"{where}: np.load() without allow_pickle=False")
    return out


def test_scanner_catches_unsafe_calls(tmp_path: Path) -> None:
    """The scan below can fail: it flags each unsafe pattern in a planted file."""
    pkg = tmp_path / "optimizer"
    pkg.mkdir()
    bad = pkg / "bad.py"
    bad.write_text(
        "import pickle\nimport numpy as np\n"
        "eval(open('x').read())\npickle.load(open('m', 'rb'))\nnp.load('a.npy')\n"
        "np.load('b.npz', allow_pickle=False)\nmodel.eval()\n",
        encoding="utf-8",
    )
    found = _violations(bad, tmp_path)
    assert len(found) == 4, found  # import, eval, pickle.load, np.load; not the safe ones


def test_no_eval_or_pickle_in_the_package() -> None:
    found = [v for p in sorted(PACKAGE.rglob("*.py")) for v in _violations(p)]
    assert not found, "unsafe calls on possibly user-supplied data:\n" + "\n".join(found)


def _scenario(folder: Path, dataset: str, extra: str = "") -> Path:
    path = folder / "s.toml"
    path.write_text(
        f'schema_version = 1\nname = "s"\n{extra}\n[data]\ndataset = "{dataset}"\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture
def scen_dir(tmp_path: Path) -> Path:
    """A scenario folder holding a valid dataset ``data/``; a second dataset sits outside."""
    root = tmp_path / "scen"
    root.mkdir()
    shutil.copytree(HERE / "datasets" / "ok", root / "data")
    shutil.copytree(HERE / "datasets" / "ok", tmp_path / "outside")
    return root


def test_inside_path_is_accepted(scen_dir: Path) -> None:
    spec = load_scenario(_scenario(scen_dir, "data"))
    assert spec.resolve("data", "[data].dataset") == (scen_dir / "data").resolve()


@pytest.mark.parametrize("kind", ["relative", "absolute", "symlink", "dotted"])
def test_outside_paths_are_refused(scen_dir: Path, kind: str) -> None:
    outside = scen_dir.parent / "outside"
    target = {
        "relative": "../outside",
        "absolute": str(outside),
        "dotted": "data/../../outside",
        "symlink": "link",
    }[kind]
    if kind == "symlink":
        (scen_dir / "link").symlink_to(outside, target_is_directory=True)
    with pytest.raises(
        ConfigError, match=r"points outside the scenario folder.*allow_outside_paths"
    ):
        load_scenario(_scenario(scen_dir, target))


def test_outside_paths_only_when_explicitly_allowed(scen_dir: Path) -> None:
    spec = load_scenario(_scenario(scen_dir, "../outside", "allow_outside_paths = true"))
    assert spec.resolve("../outside", "[data].dataset") == (scen_dir.parent / "outside").resolve()
    # the model cache is held to the same rule
    strict = load_scenario(_scenario(scen_dir, "data"))
    with pytest.raises(ConfigError, match=r"\[model\]\.cache"):
        strict.resolve("../cache", "[model].cache")


def test_dataset_files_cannot_escape_through_a_symlink(tmp_path: Path) -> None:
    root = tmp_path / "ds"
    shutil.copytree(HERE / "datasets" / "ok", root)
    secret = tmp_path / "secret.csv"
    shutil.copy(root / "catalog.csv", secret)
    (root / "catalog.csv").unlink()
    (root / "catalog.csv").symlink_to(secret)
    with pytest.raises(ConfigError, match=r"\[catalog\]\.file .* outside the dataset folder"):
        load_dataset(root)
