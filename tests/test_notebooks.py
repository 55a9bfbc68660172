"""The analyst notebooks run top to bottom (fast settings) and are committed without outputs.

Each notebook is executed in a fresh ``python3`` kernel (ipykernel of this environment) with
``OPTIMIZER_FAST=1`` (short chains, the fast elasticity mode) and ``TMPDIR`` pointing to the
test's temporary folder, where the notebooks write every file; any cell error fails the test.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = REPO / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
EXPECTED = ["01_quickstart", "02_extend_mmm", "03_pricing", "04_scenarios", "05_experiments"]
CELL_TIMEOUT_S = 600


def _code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def _listing() -> set[str]:
    """Files a notebook could write by mistake: notebooks/, the demo data, scenario files.

    (``scenarios/runs`` and ``scenarios/.cache`` are left out: other jobs may write there.)
    """
    paths = [*NOTEBOOK_DIR.rglob("*"), *(REPO / "scenarios" / "demo").rglob("*")]
    paths += list((REPO / "scenarios").iterdir())
    return {str(p.relative_to(REPO)) for p in paths if "__pycache__" not in p.parts}


def test_all_notebooks_are_collected():
    assert [p.stem for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in _code_cells(nb):
        assert cell.outputs == [] and cell.execution_count is None, (
            f"{path.name}: a cell has outputs; clear them before committing"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path, monkeypatch, tmp_path):
    monkeypatch.setenv("OPTIMIZER_FAST", "1")
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # tempfile.mkdtemp() in the kernel lands here
    before = _listing()
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell

    # every cell that draws shows its figure inline
    for cell in _code_cells(nb):
        if "plt.show()" in cell.source or "show(fig)\n" in cell.source + "\n":
            kinds = [set(o.get("data", {})) for o in cell.outputs]
            assert any("image/png" in k for k in kinds), (
                f"{path.name}: a plotting cell displayed no figure:\n{cell.source[:200]}"
            )
    # files go to the temporary folder only, never into the repository
    assert any(tmp_path.iterdir()), f"{path.name} wrote nothing to its temporary folder"
    assert _listing() == before, f"{path.name} wrote into the repository"
