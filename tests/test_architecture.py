"""Architecture rules (issue 15), read from the source with ``ast``; nothing here is imported.

* no import circle among the modules of ``optimizer/``;
* imports run down the floors only (:data:`FLOORS`, the data flow of ``docs/architecture.md``);
* an import inside a function (of ``optimizer`` or of a heavy dependency) says why in a
  ``# lazy: <reason>`` comment, on its line or in the comment lines right above it;
* no module over :data:`MAX_MODULE_LINES` lines, no function over :data:`MAX_FUNCTION_LINES`
  lines unless its docstring gives the reason ("Long because ...").

The ``ALLOW_*`` sets hold what today's code still breaks: each entry is being fixed by an
issue-15 helper (module splits, the one output layer, the one Lagrangian solver). The tests fail
on an entry that no longer applies, so that the lists only shrink.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "optimizer"

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80
LONG_REASON = "Long because"

#: Dependencies that take seconds to import or pull a large tree: never at import time of a
#: light module, so an import of one inside a function is expected (and labelled).
HEAVY = frozenset(
    {
        "arviz",
        "dask",
        "distributed",
        "h5netcdf",
        "matplotlib",
        "numba",
        "nutpie",
        "openpyxl",
        "pulp",
        "pymc",
        "pytensor",
        "scipy",
        "selenium",
        "xarray",
    }
)

#: Floor of each top-level module or sub-package of ``optimizer``: a module may import its own
#: unit and any unit on a lower floor, never a unit on its own floor or above. The order is the
#: data flow: data -> model -> response curves -> planners -> scenario -> group -> output -> jobs
#: -> CLI.
FLOORS: dict[str, int] = {
    # foundations: version, the one exception tree
    "_version": 0,
    "errors": 0,
    # numpy-only contracts and plumbing that know nothing of the domain
    "config": 1,
    "curves": 1,
    "interrupt": 1,
    "lazy": 1,  # a package's names that import their module on first use
    "scaleout": 1,
    "atomic": 2,
    "forked": 2,  # jobs side by side in forked processes (prefit, demo, frontier)
    "nuts": 2,
    "solving": 2,  # the one solve status and PuLP solver builder of both planners
    # inputs: schemas, loading, checks, the demo generator
    "data": 3,
    # the model that produces ResponseCurves, and the two planners that consume them
    "mmm": 4,
    "allocation": 4,
    "pricing": 4,
    # what to test next, from curves and plans
    "experiment": 5,
    # one scenario file: fit -> build -> plan -> summarize
    "scenario": 6,
    # a group of shops: many scenarios' parts under shared constraints
    "portfolio": 7,
    # every writer and plot
    "report": 8,
    # run a scenario or portfolio file and write its folder: the CLI's one library call
    "jobs": 9,
    # click commands: parse -> one library call -> write -> echo
    "cli": 10,
    # the package root (its public API loads the rest lazily) and ``python -m optimizer``
    "__init__": 11,
    "__main__": 11,
}

# --- what today's code still breaks ---------------------------------------------------------
# being split by issue-15 helpers; delete when merged

#: import circles (all imports, those inside functions included)
ALLOW_CIRCLES: set[frozenset[str]] = set()

#: (importing module, imported module) running up the floors
ALLOW_UPWARD: set[tuple[str, str]] = set()

#: (importing module, imported module) inside a function without a ``# lazy:`` reason
ALLOW_UNLABELLED: set[tuple[str, str]] = set()

#: modules over MAX_MODULE_LINES lines (paths relative to the repository)
ALLOW_LONG_MODULES: set[str] = set()

#: functions over MAX_FUNCTION_LINES lines without a reason ("path:qualified.name")
ALLOW_LONG_FUNCTIONS: set[str] = set()


# --- reading the source ---------------------------------------------------------------------
@dataclass(frozen=True)
class Import:
    """One imported name: where it is imported, what, and how."""

    module: str  # dotted name of the importing module
    line: int
    target: str  # dotted module imported (``optimizer...``) or top-level name of a dependency
    in_function: bool
    labelled: bool  # a ``# lazy:`` comment on the line or in the comments right above


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _labelled(lines: list[str], line: int) -> bool:
    """Whether the import starting on ``line`` (1-based) carries a ``# lazy:`` reason."""
    if "# lazy:" in lines[line - 1]:
        return True
    i = line - 2
    # walk up over the import block and its comments; only comment lines count as labels
    while i >= 0:
        text = lines[i].strip()
        if text.startswith("#"):
            if text.startswith("# lazy:"):
                return True
        elif not text.startswith(("import ", "from ")):
            return False
        i -= 1
    return False


def _targets(module: str, is_package: bool, node: ast.Import | ast.ImportFrom) -> list[str]:
    modules = _modules()
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - node.level + 1]
        source = ".".join([*base, *([node.module] if node.module else [])])
    else:
        source = node.module or ""
    return [
        f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source
        for alias in node.names
    ]


def _own_module(target: str) -> str:
    """The module of ``optimizer`` that a dotted import target lands in."""
    modules = _modules()
    while target not in modules and "." in target:
        target = target.rsplit(".", 1)[0]
    return target


@cache
def _imports() -> tuple[Import, ...]:
    out: list[Import] = []
    for module, path in _modules().items():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        is_package = path.name == "__init__.py"

        def visit(node: ast.AST, in_function: bool) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                    visit(child, True)
                elif isinstance(child, ast.If) and _is_type_checking(child.test):
                    visit_else(child, in_function)
                elif isinstance(child, ast.Import | ast.ImportFrom):
                    for target in _targets(module, is_package, child):  # noqa: B023
                        if target.startswith("optimizer"):
                            target = _own_module(target)
                        else:
                            target = target.split(".")[0]
                        labelled = _labelled(lines, child.lineno)  # noqa: B023
                        out.append(Import(module, child.lineno, target, in_function, labelled))  # noqa: B023
                else:
                    visit(child, in_function)

        def visit_else(node: ast.If, in_function: bool) -> None:
            for child in node.orelse:  # imports for type checkers only are no dependency
                visit(child, in_function)

        visit(ast.parse(text), False)
    return tuple(out)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _internal_edges() -> set[tuple[str, str]]:
    return {
        (i.module, i.target)
        for i in _imports()
        if i.target.startswith("optimizer") and i.target != i.module
    }


# --- the rules ------------------------------------------------------------------------------
def test_every_module_is_read():
    assert "optimizer.curves" in _modules()
    assert len(_imports()) > 100
    assert {_unit(m) for m in _modules()} <= set(FLOORS), (
        "a new top-level module or package of optimizer/: give it a floor in FLOORS (and a "
        "paragraph in docs/architecture.md)"
    )


def _circles(edges: set[tuple[str, str]]) -> list[frozenset[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return found


def test_no_import_circle():
    circles = set(_circles(_internal_edges()))
    new = [sorted(c) for c in circles - ALLOW_CIRCLES]
    assert not new, f"import circles: {new}; break them (move the shared part down)"
    gone = [sorted(c) for c in ALLOW_CIRCLES - circles]
    assert not gone, f"circles fixed: remove {gone} from ALLOW_CIRCLES"


def test_imports_run_down_the_floors():
    upward = {
        (a, b)
        for a, b in _internal_edges()
        if _unit(a) != _unit(b) and FLOORS[_unit(b)] >= FLOORS[_unit(a)]
    }
    new = sorted(upward - ALLOW_UPWARD)
    assert not new, (
        f"imports from a lower (or sibling) package to a higher one: {new}; move the shared "
        "part down, or pass the value in"
    )
    gone = sorted(ALLOW_UPWARD - upward)
    assert not gone, f"fixed: remove {gone} from ALLOW_UPWARD"


def test_imports_inside_functions_say_why():
    unlabelled = {
        (i.module, i.target)
        for i in _imports()
        if i.in_function
        and not i.labelled
        and (i.target.startswith("optimizer") or i.target in HEAVY)
    }
    new = sorted(unlabelled - ALLOW_UNLABELLED)
    assert not new, (
        f"imports inside functions without a reason: {new}; move them to the top of the "
        "module, or (heavy dependency only) add '# lazy: <why>' on the line or above it"
    )
    gone = sorted(ALLOW_UNLABELLED - unlabelled)
    assert not gone, f"fixed: remove {gone} from ALLOW_UNLABELLED"


def test_no_long_module():
    long = {
        str(p.relative_to(ROOT))
        for p in _modules().values()
        if len(p.read_text(encoding="utf-8").splitlines()) > MAX_MODULE_LINES
    }
    new = sorted(long - ALLOW_LONG_MODULES)
    assert not new, f"modules over {MAX_MODULE_LINES} lines: {new}; split them by concern"
    gone = sorted(ALLOW_LONG_MODULES - long)
    assert not gone, f"split: remove {gone} from ALLOW_LONG_MODULES"


def _long_functions() -> set[str]:
    found: set[str] = set()
    for path in _modules().values():
        rel = path.relative_to(ROOT)

        def visit(node: ast.AST, prefix: str) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                    length = (child.end_lineno or child.lineno) - child.lineno + 1
                    reason = LONG_REASON in (ast.get_docstring(child) or "")
                    if length > MAX_FUNCTION_LINES and not reason:
                        found.add(f"{rel}:{prefix}{child.name}")  # noqa: B023
                    visit(child, f"{prefix}{child.name}.")
                elif isinstance(child, ast.ClassDef):
                    visit(child, f"{prefix}{child.name}.")

        visit(ast.parse(path.read_text(encoding="utf-8")), "")
    return found


def test_no_long_function_without_a_reason():
    long = _long_functions()
    new = sorted(long - ALLOW_LONG_FUNCTIONS)
    assert not new, (
        f"functions over {MAX_FUNCTION_LINES} lines: {new}; split them into named steps or "
        f"say why in the docstring ('{LONG_REASON} ...')"
    )
    gone = sorted(ALLOW_LONG_FUNCTIONS - long)
    assert not gone, f"fixed: remove {gone} from ALLOW_LONG_FUNCTIONS"
