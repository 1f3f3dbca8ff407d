"""The structure the README's "Architecture" describes, checked on the code itself.

`make quality` runs import-linter's contracts (layers, core on the ground floor, no circle inside an
app). These tests add what the contracts do not say: no two modules of the project import each other
in a circle, even across apps, and no import of a project module hides inside a function, where it
would hide such a circle, unless a comment on that line says why it cannot be at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PACKAGES = sorted(
    path.parent.name
    for path in ROOT.glob("*/__init__.py")
    if path.parent.name not in {"tests", "locale", "static", "templates"}
    and not path.parent.name.startswith(".")
)


def strongly_connected(graph: grimp.ImportGraph) -> list[list[str]]:
    """Tarjan's algorithm over the module graph: the groups of modules that import each other."""
    index, low, on_stack, stack, groups = {}, {}, set(), [], []
    counter = 0

    def visit(module):
        nonlocal counter
        work = [(module, iter(sorted(graph.find_modules_directly_imported_by(module))))]
        index[module] = low[module] = counter
        counter += 1
        stack.append(module)
        on_stack.add(module)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return groups


def test_the_project_packages_are_found():
    assert {"core", "apprentices", "livret", "quality", "portal"} <= set(PACKAGES)


def test_no_modules_import_each_other_in_a_circle():
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    # A package's __init__ importing its own submodules is how Python packages expose them, not a circle.
    for module in list(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if imported.startswith(module + "."):
                graph.remove_import(importer=module, imported=imported)

    assert strongly_connected(graph) == []


def function_level_imports() -> list[str]:
    """``path:line`` of every import of a project module inside a function, without a comment saying
    why it cannot be at the top."""
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            source = path.read_text(encoding="utf-8")
            lines = source.splitlines()
            for node in ast.walk(ast.parse(source)):
                if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for inner in ast.walk(node):
                    if isinstance(inner, ast.ImportFrom) and inner.level == 0:
                        names = [inner.module or ""]
                    elif isinstance(inner, ast.Import):
                        names = [alias.name for alias in inner.names]
                    else:
                        continue
                    if (
                        any(name.split(".")[0] in PACKAGES for name in names)
                        and "#" not in lines[inner.lineno - 1]
                    ):
                        found.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    return found


def test_no_project_import_hides_in_a_function():
    assert function_level_imports() == []
