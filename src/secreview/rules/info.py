"""What reporting needs of a rule, without importing the rule's module."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What reporting needs of a rule (``Config.rule_enabled``, the suppression and test-code
    checks of ``engine.pipeline``) without importing its module: a review answered from the
    cache takes these from ``engine.cache.rule_catalog``."""

    id: str
    name: str
    bandit: tuple
    tests_relevant: bool
    extended: bool = False
    peer_identity: bool = False
    attack_material: bool = False

    @classmethod
    def of(cls, rule) -> RuleInfo:
        return cls(rule.id, rule.name, tuple(rule.bandit), bool(rule.tests_relevant), bool(rule.extended),
                   bool(rule.peer_identity), bool(rule.attack_material))
