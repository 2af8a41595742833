"""The catalog of rules: every module in ``secreview.rules`` that defines a ``Rule``."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

import secreview.rules as _pkg
from secreview.rules.base import Rule


@cache
def all_rules() -> tuple[type[Rule], ...]:
    for info in pkgutil.iter_modules(_pkg.__path__):
        if info.name not in ("base", "registry"):
            importlib.import_module(f"{_pkg.__name__}.{info.name}")
    return tuple(sorted(Rule._registry.values(), key=lambda r: r.id))


def find_rule(key: str) -> type[Rule] | None:
    """A rule by id (``SR101``) or name (``command-injection``), case-insensitively."""
    key = key.strip().lower()
    for rule in all_rules():
        if rule.id.lower() == key or rule.name == key:
            return rule
    return None


_instances: dict = {}


def rule_instance(rule_id: str) -> Rule:
    """One shared instance of the rule with this id (summaries name their rules by id)."""
    rule = _instances.get(rule_id)
    if rule is None:
        all_rules()
        rule = _instances[rule_id] = Rule._registry[rule_id]()
    return rule
