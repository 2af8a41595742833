"""One defect, one finding: sinks of one rule reached from one source through one call.

When a value from one source is passed to a helper that hands it to several sinks of the same rule
(``dispatch(args)`` going on to ``os.path.exists``, ``os.mkdir``, ``os.rename`` and ``fsync`` inside
``renamer()``), the engine finds each sink; a reviewer sees one defect, fixed in one place: where the
value is passed on (or in the helper). Those findings become one: the one with the shortest trace,
whose explanation lists where else the same flow ends. Sinks reached without crossing into another
function stay separate findings: each is a line to change.
"""

from __future__ import annotations

from dataclasses import replace

from secreview.findings.model import Finding

_SHOWN = 6  # places listed in the kept finding's explanation; the rest are counted


def merge_same_flow(findings: list[Finding]) -> list[Finding]:
    """``findings`` with each group of same-rule, same-source findings whose flows part only inside
    a function they were passed to replaced by its representative, in the original order."""
    groups: dict = {}
    for finding in findings:
        key = _flow_key(finding)
        if key is not None:
            groups.setdefault(key, []).append(finding)
    merged: dict = {}  # id(finding) -> its replacement, or None when it is folded into another
    for key, members in groups.items():
        if len(members) < 2:
            continue
        members.sort(key=lambda f: (-f.severity, -f.confidence, len(f.trace), f.path, f.span.line, f.span.col,
                                    f.explanation))
        kept, others = members[0], members[1:]
        places = sorted({(f.path, f.span.line): _sink_text(f) for f in others}.items())
        listed = ", ".join(f"`{sink}` ({path}:{line})" if sink else f"{path}:{line}"
                           for (path, line), sink in places[:_SHOWN])
        more = f" and {len(places) - _SHOWN} more" if len(places) > _SHOWN else ""
        *_, hand_path, hand_line = key
        sentence = (f" The same value, passed on at {hand_path}:{hand_line}, also reaches "
                    f"{len(places)} other place{'s' if len(places) != 1 else ''} this rule reports: "
                    f"{listed}{more}; one fix where it is passed on covers them all.")
        merged[id(kept)] = replace(kept, explanation=kept.explanation + sentence)
        for f in others:
            merged[id(f)] = None
    return [kept for f in findings if (kept := merged.get(id(f), f)) is not None]


def _flow_key(finding: Finding):
    """(rule, source step, the step that passes the value into another function) when the trace
    crosses into a function it was passed to, else None. (Not the parameters a construction's trace lists
    first, one after another, where each is declared: ``"..." % (value, other)`` in one function crosses
    nothing, and two such strings sharing ``value`` are two defects, each a line to change.)"""
    trace = finding.trace
    if len(trace) < 3:
        return None
    for i in range(1, len(trace)):
        if trace[i].note.startswith("parameter `") and "passed to `" in trace[i - 1].note:
            before = trace[i - 1]
            source = trace[0]
            return (finding.rule_id, source.path, source.line, source.col, before.path, before.line)
    return None


def _sink_text(finding: Finding) -> str:
    """The sink call an explanation opens with (`` `os.remove(path)` receives ...``), else ""."""
    text = finding.explanation
    if text.startswith("`") and not text.startswith("``"):
        end = text.find("`", 1)
        if end > 1:
            return text[1:end]
    return ""
