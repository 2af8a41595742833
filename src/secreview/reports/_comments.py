"""What the review-system formats (gerrit, github-review, github, gitlab, junit) share:
where a finding's comment goes, and its text.

A review system accepts comments only where the change is: Gerrit on files of
the change, GitHub pull-request reviews on lines of the diff. In a change
review (``ReviewResult.changed_lines`` is set) a finding is reported because
its location or a step of its trace is on a line the change touches, and
that line may be in another file than the finding (a change to ``a.py`` can
make ``b.py`` exploitable). ``anchor`` picks where its comment goes: the
finding's own line when the change touches it, else the first step of its
trace on a touched line, else (for Gerrit, which takes any line of a changed
file) the finding's line when its file is part of the change. A finding that
has no such place is listed in the review's overall message instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from secreview.findings.model import AddedSuppression, Finding, ReviewResult
from secreview.reports import (
    MODEL_OPINION,
    SHOWN_CODE_LINES,
    cwe_label,
    is_model_opinion,
    more_lines,
    plural,
    triage_line,
    visible,
)


@dataclass(frozen=True)
class Anchor:
    path: str
    line: int
    own: bool
    """True when the anchor is the finding's own location (its span can be used)."""


def _touched(result: ReviewResult) -> dict[str, set[int]] | None:
    if result.changed_lines is None:
        return None
    return {path: {n for a, b in spans for n in range(a, b + 1)} for path, spans in result.changed_lines.items()}


class Anchors:
    def __init__(self, result: ReviewResult, *, any_line_of_changed_file: bool):
        self.touched = _touched(result)
        self.any_line = any_line_of_changed_file

    def of(self, f: Finding) -> Anchor | None:
        if self.touched is None:
            return Anchor(f.path, f.span.line, True)
        lines = self.touched.get(f.path, set())
        if f.span.line in lines:
            return Anchor(f.path, f.span.line, True)
        for n in range(f.span.line, f.span.end_line + 1):
            if n in lines:
                return Anchor(f.path, n, True)
        for step in f.trace:
            if step.line in self.touched.get(step.path, ()):
                return Anchor(step.path, step.line, False)
        if self.any_line and f.path in self.touched:
            return Anchor(f.path, f.span.line, True)
        return None


def headline(f: Finding) -> str:
    facts = [cwe_label(f.cwe)] if f.cwe > 0 else []
    facts += [f"severity {f.severity}", f"confidence {f.confidence}"]
    opinion = f"{MODEL_OPINION}: " if is_model_opinion(f) else ""
    return f"{f.rule_id} {opinion}{f.title} ({', '.join(facts)})"


def plain_body(f: Finding, anchor: Anchor | None = None) -> str:
    """The comment for a finding, as plain text (Gerrit renders lists and indented code)."""
    out = [f"secreview: {visible(headline(f))}"]
    if anchor is not None and not anchor.own:
        out.append(f"The defect is at {visible(f.path)}:{f.span.line}; this line of the change is on its data flow.")
    out.append("")
    if f.code:
        lines = f.code.splitlines()
        out += ["    " + visible(line) for line in lines[:SHOWN_CODE_LINES]]
        if len(lines) > SHOWN_CODE_LINES:
            out.append("    " + more_lines(len(lines) - SHOWN_CODE_LINES))
        out.append("")
    if f.explanation:
        out += [visible(f.explanation, keep_newlines=True), ""]
    if f.trace:
        out.append("Data flow:")
        for step in f.trace:
            note = f" - {visible(step.note)}" if step.note else ""
            out.append(f"* {visible(step.path)}:{step.line}{note}")
        out.append("")
    if f.fix:
        out.append(f"Fix: {visible(f.fix, keep_newlines=True)}")
    triage = triage_line(f)
    if triage:
        out += ["", visible(triage)]
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out)


def markdown_body(f: Finding, anchor: Anchor | None = None) -> str:
    """The comment for a finding, as GitHub-flavoured Markdown."""
    from secreview.reports.markdown import code_span, numbered_block

    opinion = f" ({MODEL_OPINION})" if is_model_opinion(f) else ""
    out = [f"**secreview: {visible(f.title)}{opinion}** · {code_span(f.rule_id)} {visible(f.rule_name)}"
           + (f" · {cwe_label(f.cwe)}" if f.cwe > 0 else "")
           + f" · severity **{f.severity}** · confidence {f.confidence}", ""]
    if anchor is not None and not anchor.own:
        out += [f"The defect is at {code_span(f'{visible(f.path)}:{f.span.line}')}; "
                "this line of the change is on its data flow.", ""]
        if f.code:
            out += numbered_block(f.code, f.span.line, SHOWN_CODE_LINES) + [""]
    if f.explanation:
        out += [visible(f.explanation, keep_newlines=True), ""]
    if f.trace:
        out += ["**Data flow.**", ""]
        for number, step in enumerate(f.trace, 1):
            item = f"{number}. {code_span(f'{visible(step.path)}:{step.line}')}"
            if step.note:
                item += f" — {visible(step.note)}"
            out.append(item)
        out.append("")
    if f.fix:
        out.append(f"**Fix.** {visible(f.fix, keep_newlines=True)}")
    triage = triage_line(f)
    if triage:
        out += ["", f"**Model triage.** {visible(triage.removeprefix('Model triage: '))}"]
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out)


def suppression_summary(s: AddedSuppression) -> str:
    """One line: what an added suppression comment hides."""
    if not s.hides:
        return f"This change adds the suppression comment {visible(s.comment)!r}; it hides no finding."
    what = "; ".join(f"{f.rule_id} {visible(f.title)} at {visible(f.path)}:{f.span.line}" for f in s.hides)
    return (f"This change adds the suppression comment {visible(s.comment)!r}, which hides "
            f"{plural(len(s.hides), 'finding')}: {what}.")


def suppression_body(s: AddedSuppression, markdown: bool) -> str:
    head = suppression_summary(s)
    if not s.hides:
        return head
    parts = [head, "", "Each hidden finding, as it would have been reported:", ""]
    for f in s.hides:
        parts += [markdown_body(f) if markdown else plain_body(f), ""]
    while parts and parts[-1] == "":
        parts.pop()
    return "\n".join(parts)
