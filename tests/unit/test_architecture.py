"""The code's structure, checked: ARCHITECTURE.md tells the truth, and no module imports
itself in a circle.

ARCHITECTURE.md is the newcomer's map, so a path it names must exist and its picture of the
layers must be the layers contract ``lint-imports`` enforces (pyproject.toml): a rename or a new
layer that forgets the map fails here.

``lint-imports`` (the contracts in pyproject.toml) keeps the layers in order, but it says nothing
about two modules of one layer importing each other: ``ledger.report.charts`` and its figure
modules once did, each reaching for the other's private helpers. A cycle means neither module
can be read, tested or loaded on its own. The graph is grimp's (import-linter's own), and it
counts imports inside functions too: a lazy import is still a dependency, so it does not hide a
cycle (the CLI's lazy imports are for start-up time and form none).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("ledger", "projections", "events")
PATH_RE = re.compile(r"`((?:ledger|events|projections|tests|benchmarks)/[\w./-]*|[\w-]+\.(?:md|toml))`")


def _architecture() -> str:
    return (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")


def _layers_picture(text: str) -> list[str]:
    """The layers of the picture under "## Layers", top first, each normalised as
    ``"a | b"`` (the first word or ``|``-joined words of each line of the text block)."""
    section = text.split("## Layers", 1)[1]
    block = section.split("```text", 1)[1].split("```", 1)[0]
    layers = []
    for line in block.splitlines():
        match = re.match(r"\s*([\w.]+(?:\s*\|\s*[\w.]+)*)", line)
        if match:
            layers.append(" | ".join(part.strip() for part in match.group(1).split("|")))
    return layers


def _layers_contract() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    return [" | ".join(part.strip() for part in layer.split("|")) for layer in contract["layers"]]


def test_architecture_names_only_paths_that_exist() -> None:
    named = sorted(set(PATH_RE.findall(_architecture())))
    assert len(named) > 20, named  # the map names the modules it describes
    missing = [path for path in named if not (ROOT / path).exists()]
    assert not missing, f"ARCHITECTURE.md names paths that do not exist: {missing}"


def test_architecture_names_only_functions_that_exist() -> None:
    """The append steps name a function of each module, written as `` `path.py`: `Class.method` ``."""
    import importlib

    named = re.findall(r"`([\w/]+)\.py`:? `([\w.]+)`", _architecture())
    assert len(named) >= 5, named
    for path, dotted in named:
        obj: object = importlib.import_module(path.replace("/", "."))
        for part in dotted.split("."):
            assert hasattr(obj, part), f"ARCHITECTURE.md names {path}.py: {dotted}, which does not exist"
            obj = getattr(obj, part)


def test_architecture_layers_are_the_import_linter_contract() -> None:
    assert _layers_picture(_architecture()) == _layers_contract()


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES)


def strongly_connected(graph: grimp.ImportGraph) -> list[list[str]]:
    """The import cycles of the graph: its strongly connected components of two or more modules
    (Tarjan's algorithm, iterative, so a deep import chain cannot hit the recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in graph.modules:
                    continue
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _edges(graph: grimp.ImportGraph, component: list[str]) -> list[str]:
    return [f"{a} -> {b} (line {d['line_number']}: {d['line_contents']})"
            for a in component for b in component
            if a != b for d in graph.get_import_details(importer=a, imported=b)]


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The check itself works: a graph with a cycle (and a module outside it) is reported."""
    g = grimp.ImportGraph()
    for name in ("pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.d"):
        g.add_module(name)
    g.add_import(importer="pkg.a", imported="pkg.b")
    g.add_import(importer="pkg.b", imported="pkg.c")
    g.add_import(importer="pkg.c", imported="pkg.a")
    g.add_import(importer="pkg.d", imported="pkg.a")
    assert strongly_connected(g) == [["pkg.a", "pkg.b", "pkg.c"]]


def test_no_import_cycles_between_modules(graph: grimp.ImportGraph) -> None:
    cycles = strongly_connected(graph)
    assert not cycles, "import cycles:\n" + "\n".join(
        "  " + " <-> ".join(c) + "\n    " + "\n    ".join(_edges(graph, c)) for c in cycles)


def test_every_test_module_sits_in_a_layer_folder() -> None:
    """tests/ is arranged by layer (unit, contract, integrity, cli, server, interop, report,
    dataset): a test file at its top level belongs in one of them."""
    tests = Path(__file__).resolve().parents[1]
    assert sorted(p.name for p in tests.glob("test_*.py")) == []
