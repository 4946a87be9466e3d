"""Calls go one way: each group of the package imports only from groups before it.

The groups, in the order data flows (docs/internals.md). The shell (`cli`, `failures`,
`pages`, `api`, `arguments`, the package's `__init__`, `__main__`) may import anything;
nothing imports the shell. Every other module imports estate modules only at module top
(no function-local imports across groups, which hide a dependency) and only from its own
group or earlier ones.
The import graph of the package has no cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import estate

PACKAGE = Path(estate.__file__).parent
GROUPS = ("shown_text", "errors", "signals", "status", "load", "timing", "prepare", "model", "solve", "results",
          "store", "pipeline", "programme", "runs", "render", "maps")
SHELL = ("__init__", "__main__", "cli", "failures", "api", "arguments", "pages")


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return "estate." + ".".join(parts)


def _group(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


def _imports(tree: ast.Module) -> list[tuple[str, bool, int]]:
    """(imported estate module, at module top?, line) for every import in a file."""
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] if node.module != "estate" else \
                [f"estate.{alias.name}" for alias in node.names]
        for name in names:
            if name == "estate" or name.startswith("estate."):
                found.append((name, id(node) in top, node.lineno))
    return found


def _graph() -> dict[str, list[tuple[str, bool, int]]]:
    return {_module(path): _imports(ast.parse(path.read_text(encoding="utf-8")))
            for path in sorted(PACKAGE.rglob("*.py"))}


def test_every_module_is_in_a_group() -> None:
    unknown = [m for m in _graph() if _group(m) not in GROUPS + SHELL]
    assert unknown == [], f"add these to a group of GROUPS (in data-flow order): {unknown}"


def test_calls_go_one_way() -> None:
    wrong = []
    for module, imports in _graph().items():
        group = _group(module)
        if group in SHELL:
            continue
        for name, at_top, line in imports:
            target = _group(name)
            if target in SHELL:
                wrong.append(f"{module}:{line} imports the shell ({name})")
            elif GROUPS.index(target) > GROUPS.index(group):
                wrong.append(f"{module}:{line} imports {name}, a later group")
            elif not at_top:
                wrong.append(f"{module}:{line} imports {name} inside a function")
    assert wrong == []


def test_no_import_cycle() -> None:
    graph = {m: {n for n, _, _ in imports} for m, imports in _graph().items()}
    modules = set(graph)
    # An import of a package (`estate.model`) also runs its __init__; edges to names
    # that are not modules (`from estate.model import build`) resolve to the package.
    edges = {m: {n if n in modules else n.rsplit(".", 1)[0] for n in targets} & modules
             for m, targets in graph.items()}
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(node: str, path: list[str]) -> bool:
        state[node] = 1
        for nxt in sorted(edges[node]):
            if nxt == node:
                continue
            if state.get(nxt) == 1:
                cycle.extend(path[path.index(nxt):] + [node, nxt] if nxt in path else [node, nxt])
                return True
            if state.get(nxt) is None and visit(nxt, path + [node]):
                return True
        state[node] = 2
        return False

    for module in sorted(edges):
        if state.get(module) is None and visit(module, []):
            break
    assert cycle == []


def test_the_checker_sees_a_wrong_import(tmp_path: Path) -> None:
    """The checks above read real imports: one from a later group is seen."""
    tree = ast.parse("from estate.maps.page import render_map\n"
                     "def f():\n    from estate.results import money\n")
    assert [(n, top) for n, top, _ in _imports(tree)] == [
        ("estate.maps.page", True), ("estate.results", False)]
