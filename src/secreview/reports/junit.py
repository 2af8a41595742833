"""The review as JUnit XML, for CI systems that show test reports (Jenkins, GitLab, Azure...).

One ``<testsuite name="secreview">`` inside ``<testsuites>``. Each rule × file
with findings is a ``<testcase classname="FILE" name="SR101 command-injection">``
with one ``<failure>`` (its ``message`` counts the findings, its text gives
each at its line with the explanation, data flow and fix), so that the same
defect keeps the same test name from run to run. A file not (fully) reviewed
is a test case with ``<skipped>`` (its review was skipped, in whole or part);
an added suppression comment that hides findings is a failing test case of
class ``secreview.added-suppressions``. A review with no failing case has one
passing case, ``secreview / security review``. The suite's ``<system-out>``
holds the verdict. No timestamps or durations other than ``0``, so the same
review gives the same document.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from secreview.findings.model import Finding, ReviewResult
from secreview.reports import (
    MODEL_OPINION,
    SHOWN_CODE_LINES,
    ReportOptions,
    cwe_label,
    excluded_note,
    is_model_opinion,
    model_pass_sentences,
    more_lines,
    not_reviewed_by_model,
    problem_status,
    sorted_findings,
    sorted_problems,
    triage_line,
    verdict,
    visible,
)
from secreview.reports._comments import suppression_summary


def _clean(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (shown as escapes instead)."""
    out = []
    for ch in text:
        cp = ord(ch)
        if cp in (0x9, 0xA, 0xD) or 0x20 <= cp <= 0xD7FF or 0xE000 <= cp <= 0xFFFD or 0x10000 <= cp <= 0x10FFFF:
            out.append(ch)
        else:
            out.append(f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}")
    return "".join(out)


def _finding_text(f: Finding) -> str:
    opinion = f"{MODEL_OPINION}: " if is_model_opinion(f) else ""
    head = f"{f.path}:{f.span.line}:{f.span.col + 1}: {f.rule_id} [{f.severity}/{f.confidence}] {opinion}{f.title}"
    if f.cwe > 0:
        head += f" ({cwe_label(f.cwe)})"
    lines = [head]
    code_lines = f.code.splitlines()
    lines += [f"    {n} | {code}" for n, code in enumerate(code_lines[:SHOWN_CODE_LINES], f.span.line)]
    if len(code_lines) > SHOWN_CODE_LINES:
        lines.append(f"    {more_lines(len(code_lines) - SHOWN_CODE_LINES)}")
    if f.explanation:
        lines.append(f"    {f.explanation}")
    for step in f.trace:
        lines.append(f"    -> {step.path}:{step.line} {step.note}".rstrip())
    if f.fix:
        lines.append(f"    fix: {f.fix}")
    triage = triage_line(f)
    if triage:
        lines.append(f"    {triage}")
    return visible("\n".join(lines), keep_newlines=True)


def render(result: ReviewResult, options: ReportOptions) -> str:
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in sorted_findings(result):
        groups[(f.path, f"{f.rule_id} {f.rule_name}")].append(f)
    cases: list[ET.Element] = []
    failures = skipped = 0
    for (path, name), findings in sorted(groups.items()):
        case = ET.Element("testcase", {"classname": _clean(path), "name": _clean(name), "time": "0"})
        lines = ", ".join(str(f.span.line) for f in findings)
        first = findings[0]
        failure = ET.SubElement(case, "failure", {
            "message": _clean(f"{len(findings)} × {first.title} in {path} (line{'s' if len(findings) > 1 else ''} "
                               f"{lines})"),
            "type": _clean(first.rule_id),
        })
        failure.text = _clean("\n\n".join(_finding_text(f) for f in findings))
        cases.append(case)
        failures += 1
    for s in result.added_suppressions:
        if not s.hides:
            continue
        case = ET.Element("testcase", {"classname": "secreview.added-suppressions",
                                       "name": _clean(f"{s.path}:{s.line}"), "time": "0"})
        failure = ET.SubElement(case, "failure", {"message": _clean(suppression_summary(s)),
                                                  "type": "added-suppression"})
        failure.text = _clean("\n\n".join(_finding_text(f) for f in s.hides))
        cases.append(case)
        failures += 1
    for p in sorted_problems(result):
        case = ET.Element("testcase", {"classname": _clean(p.path),
                                       "name": _clean(f"not (fully) reviewed: {p.kind.value}"),
                                       "time": "0"})
        ET.SubElement(case, "skipped", {"message": _clean(f"{p.path}: {problem_status(p)}")})
        cases.append(case)
        skipped += 1
    if not failures:
        cases.insert(0, ET.Element("testcase", {"classname": "secreview", "name": "security review", "time": "0"}))
    suite_attrs = {
        "name": "secreview",
        "tests": str(len(cases)),
        "failures": str(failures),
        "errors": "0",
        "skipped": str(skipped),
        "time": "0",
    }
    root = ET.Element("testsuites", {k: v for k, v in suite_attrs.items() if k != "skipped"})
    suite = ET.SubElement(root, "testsuite", suite_attrs)
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", {"name": "secreview.version", "value": _clean(options.tool_version)})
    if result.target:
        ET.SubElement(properties, "property", {"name": "secreview.target", "value": _clean(result.target)})
    if result.message:
        ET.SubElement(properties, "property", {"name": "secreview.message", "value": _clean(result.message)})
    suite.extend(cases)
    out = ET.SubElement(suite, "system-out")
    summary = [verdict(result), *model_pass_sentences(result),
               f"{result.files_reviewed} files, {result.lines_reviewed} lines reviewed; "
               f"{result.suppressed} suppressed, {result.baselined} in the baseline."]
    note = excluded_note(result)
    if note:
        summary.append(note)
    unreviewed = not_reviewed_by_model(result)
    if unreviewed:
        summary += ["Not reviewed by the model:", *(f"  {line}" for line in unreviewed)]
    out.text = _clean("\n".join(summary))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
