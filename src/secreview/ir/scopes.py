"""Which names each scope binds, and how: the facts name resolution needs.

One pass over a function's own statements (not into nested functions or
classes) records every binding, so that lowering can tell an import alias from
a local variable that shadows it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Optional


@dataclass(slots=True)
class Scope:
    kind: str  # module, function, class
    qualname: str
    parent: Optional["Scope"]
    bound: set = field(default_factory=set)
    imports: dict = field(default_factory=dict)  # name -> qualname, or None when imported twice differently
    other_bindings: set = field(default_factory=set)  # bound by anything but an import
    defs: dict = field(default_factory=dict)  # name -> qualname of a def/class bound here
    globals_: set = field(default_factory=set)
    nonlocals: set = field(default_factory=set)

    def import_target(self, name: str) -> Optional[str]:
        """The qualified name ``name`` stands for when it is bound only by imports."""
        if name in self.imports and name not in self.other_bindings and name not in self.defs:
            return self.imports[name]
        return None

    def def_target(self, name: str) -> Optional[str]:
        """The definition ``name`` stands for when it is bound only by one def/class."""
        if name in self.defs and name not in self.other_bindings and name not in self.imports:
            return self.defs[name]
        return None


def resolve_relative(module: str, is_package: bool, level: int, target: Optional[str]) -> str:
    """``from ..x import y`` inside ``module`` -> the absolute module ``x`` names."""
    if level == 0:
        return target or ""
    parts = module.split(".") if module else []
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)] if level - 1 <= len(parts) else []
    if target:
        parts.append(target)
    return ".".join(parts)


class _BindingCollector(ast.NodeVisitor):
    """Collects a scope's bindings; does not descend into nested scopes."""

    def __init__(self, scope: Scope, module: str, is_package: bool):
        self.scope = scope
        self.module = module
        self.is_package = is_package

    def bind(self, name: str) -> None:
        self.scope.bound.add(name)
        self.scope.other_bindings.add(name)

    # nested scopes bind their own name here, and nothing else
    def visit_FunctionDef(self, node):
        for d in node.decorator_list:
            self.visit(d)
        for d in node.args.defaults + [d for d in node.args.kw_defaults if d is not None]:
            self.visit(d)
        self._bind_def(node.name)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        for d in node.decorator_list + node.bases:
            self.visit(d)
        self._bind_def(node.name)

    def _bind_def(self, name):
        self.scope.bound.add(name)
        if name in self.scope.defs or name in self.scope.other_bindings:
            self.scope.other_bindings.add(name)
        self.scope.defs[name] = f"{self.scope.qualname}.{name}" if self.scope.qualname else name

    def visit_Lambda(self, node):
        for d in node.args.defaults + [d for d in node.args.kw_defaults if d is not None]:
            self.visit(d)

    def _visit_comprehension(self, node):
        # Only walrus targets inside a comprehension bind in the enclosing scope.
        for sub in ast.walk(node):
            if isinstance(sub, ast.NamedExpr) and isinstance(sub.target, ast.Name):
                self.bind(sub.target.id)

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _visit_comprehension

    def visit_Name(self, node):
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self.bind(node.id)

    def visit_Global(self, node):
        self.scope.globals_.update(node.names)

    def visit_Nonlocal(self, node):
        self.scope.nonlocals.update(node.names)

    def visit_ExceptHandler(self, node):
        if node.name:
            self.bind(node.name)
        self.generic_visit(node)

    def visit_MatchAs(self, node):
        if node.name:
            self.bind(node.name)
        self.generic_visit(node)

    def visit_MatchStar(self, node):
        if node.name:
            self.bind(node.name)

    def visit_MatchMapping(self, node):
        if node.rest:
            self.bind(node.rest)
        self.generic_visit(node)

    def _import(self, name: str, qualname: str) -> None:
        self.scope.bound.add(name)
        previous = self.scope.imports.get(name, qualname)
        self.scope.imports[name] = qualname if previous == qualname else None
        if previous != qualname:
            self.scope.other_bindings.add(name)

    def visit_Import(self, node):
        for alias in node.names:
            if alias.asname:
                self._import(alias.asname, alias.name)
            else:
                top = alias.name.split(".", 1)[0]
                self._import(top, top)

    def visit_ImportFrom(self, node):
        base = resolve_relative(self.module, self.is_package, node.level or 0, node.module)
        for alias in node.names:
            if alias.name == "*":
                continue
            self._import(alias.asname or alias.name, f"{base}.{alias.name}" if base else alias.name)


def collect_bindings(body: list, scope: Scope, module: str, is_package: bool) -> Scope:
    collector = _BindingCollector(scope, module, is_package)
    for stmt in body:
        collector.visit(stmt)
    return scope


def collect_parameters(args: ast.arguments, scope: Scope) -> None:
    for a in args.posonlyargs + args.args + args.kwonlyargs:
        scope.bound.add(a.arg)
        scope.other_bindings.add(a.arg)
    for a in (args.vararg, args.kwarg):
        if a is not None:
            scope.bound.add(a.arg)
            scope.other_bindings.add(a.arg)
