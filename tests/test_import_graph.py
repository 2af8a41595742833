"""Layers import only downwards: no import cycle anywhere in ``src/secreview``.

The graph is read from every ``import`` statement of every module, including those
inside functions and under ``TYPE_CHECKING``. The only exemption: a package's
``__init__`` importing its own submodules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import secreview

PACKAGE = Path(secreview.__file__).parent


def module_files(root: Path) -> dict[str, Path]:
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the package modules it imports (``from a import b`` imports ``a.b`` when that is a module)."""
    modules = module_files(root)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names if alias.name in modules)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                for alias in node.names:
                    full = f"{source}.{alias.name}"
                    if full in modules:
                        targets.add(full)
                    elif source in modules:
                        targets.add(source)
        if path.name == "__init__.py":  # the exemption: a package importing its own submodules
            targets = {t for t in targets if not t.startswith(name + ".")}
        graph[name] = targets - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict = {}
    low: dict = {}
    stack: list = []
    on_stack: set = set()
    out: list = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
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
                        out.append(sorted(component))
    return out


def test_no_import_cycle_in_secreview():
    graph = import_graph(PACKAGE)
    assert len(graph) > 50
    found = cycles(graph)
    assert found == [], "import cycles: " + "; ".join(" <-> ".join(c) for c in found)


def test_the_cycle_check_sees_imports_inside_functions_and_type_checking(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from pkg import a\n")  # exempt: its own submodule
    (pkg / "a.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.sub import c\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "c.py").write_text("def f():\n    from .. import b\n")
    (pkg / "b.py").write_text("import pkg.a\n")
    graph = import_graph(pkg)
    assert graph["pkg.a"] == {"pkg.sub.c"} and graph["pkg.sub.c"] == {"pkg.b"} and graph["pkg.b"] == {"pkg.a"}
    assert cycles(graph) == [["pkg.a", "pkg.b", "pkg.sub.c"]]
    (pkg / "b.py").write_text("import pkg\n")  # importing the package is not importing a
    assert cycles(import_graph(pkg)) == []


def test_the_engine_stages_never_import_the_orchestration():
    graph = import_graph(PACKAGE)
    stages = [m for m in graph if m.startswith("secreview.engine.") and m not in
              ("secreview.engine.pipeline", "secreview.engine.change")]
    assert "secreview.engine.incremental" in stages and "secreview.engine.parallel" in stages
    for stage in stages:
        assert "secreview.engine.pipeline" not in graph[stage], stage
        assert "secreview.cli" not in graph[stage], stage
    below = [m for m in graph if m.startswith(("secreview.analysis", "secreview.ir", "secreview.parse",
                                                "secreview.source", "secreview.findings", "secreview.rules"))]
    for module in below:
        assert not any(t.startswith(("secreview.engine", "secreview.cli")) for t in graph[module]), module
