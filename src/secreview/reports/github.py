"""The review as GitHub Actions workflow commands: one annotation per finding.

::

    ::error file=app/views.py,line=12,endLine=12,col=20,endColumn=23,title=SR101 OS command ...::`cmd` holds ...

Printed by a step of a workflow, each line becomes an annotation on the file
and line (in the run's summary and, for files of a pull request, in its
diff). Severity high is ``error``, medium ``warning``, low ``notice``.
Columns are 1-based, given only for a one-line span. Files not (fully)
reviewed and added suppression comments are ``warning`` annotations; a last
``notice`` holds the verdict.

Escaping follows the Actions runner: in the message ``%``, CR and LF become
``%25``, ``%0D`` and ``%0A``; in property values ``:`` and ``,`` also become
``%3A`` and ``%2C``. A line that starts with ``::`` is a command, so nothing
else is printed.
"""

from __future__ import annotations

from secreview.findings.model import Finding, Level, ReviewResult
from secreview.reports import (
    MODEL_OPINION,
    ReportOptions,
    cwe_label,
    excluded_note,
    is_model_opinion,
    model_pass_sentences,
    not_reviewed_by_model,
    problem_status,
    sorted_findings,
    sorted_problems,
    triage_line,
    verdict,
    visible,
)
from secreview.reports._comments import suppression_summary

COMMAND = {Level.HIGH: "error", Level.MEDIUM: "warning", Level.LOW: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items() if value is not None)
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def render(result: ReviewResult, options: ReportOptions) -> str:
    lines = [_finding(f) for f in sorted_findings(result)]
    for s in result.added_suppressions:
        lines.append(command("warning", suppression_summary(s), file=s.path, line=s.line,
                             title="secreview: added suppression"))
    for p in sorted_problems(result):
        first = p.lines[0][0] if p.lines else None
        lines.append(command("warning", f"{p.path}: {problem_status(p)}", file=p.path, line=first,
                             title=f"secreview: file not (fully) reviewed ({p.kind.value})"))
    summary = verdict(result)
    sentences = model_pass_sentences(result)
    if sentences:
        summary += " " + " ".join(visible(s) for s in sentences)
    unreviewed = not_reviewed_by_model(result)
    if unreviewed:
        summary += "\nNot reviewed by the model:\n" + "\n".join(unreviewed)
    if result.target:
        summary += ("\n" if unreviewed else " ") + f"Reviewed: {visible(result.target)}."
    note = excluded_note(result)
    if note:
        summary += " " + note
    lines.append(command("notice", summary, title="secreview"))
    return "\n".join(lines) + "\n"


def _finding(f: Finding) -> str:
    opinion = f"{MODEL_OPINION}: " if is_model_opinion(f) else ""
    title = f"{f.rule_id} {opinion}{f.title}" + (f" ({cwe_label(f.cwe)})" if f.cwe > 0 else "")
    parts = [visible(f.explanation, keep_newlines=True)] if f.explanation else [visible(f.title)]
    if f.trace:
        parts.append("Data flow:\n" + "\n".join(
            f"{n}. {visible(s.path)}:{s.line}" + (f" - {visible(s.note)}" if s.note else "")
            for n, s in enumerate(f.trace, 1)))
    if f.fix:
        parts.append("Fix: " + visible(f.fix, keep_newlines=True))
    parts.append(f"severity {f.severity}, confidence {f.confidence}")
    triage = triage_line(f)
    if triage:
        parts.append(visible(triage))
    one_line = f.span.end_line == f.span.line
    return command(
        COMMAND[f.severity], "\n\n".join(parts),
        file=f.path, line=f.span.line, endLine=f.span.end_line,
        col=f.span.col + 1 if one_line else None, endColumn=f.span.end_col + 1 if one_line else None,
        title=visible(title),
    )
