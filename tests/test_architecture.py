"""The code's structure, checked: no import cycles between modules.

``lint-imports`` (the contracts in pyproject.toml) keeps the layers in order, but it says nothing
about two modules of one layer importing each other: ``ledger.report.charts`` and its figure
modules once did, each reaching for the other's private helpers. A cycle means neither module
can be read, tested or loaded on its own. The graph is grimp's (import-linter's own), and it
counts imports inside functions too: a lazy import is still a dependency, so it does not hide a
cycle (the CLI's lazy imports are for start-up time and form none).
"""

from __future__ import annotations

import grimp
import pytest

PACKAGES = ("ledger", "projections", "events")


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
