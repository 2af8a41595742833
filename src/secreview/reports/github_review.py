"""The review as a GitHub pull-request review (the body of ``POST /repos/{owner}/{repo}/pulls/{n}/reviews``).

::

    {
      "body": "## secreview\\n\\n1 security defect in 1 of 14 files reviewed: 1 high. ...",
      "event": "COMMENT",
      "comments": [
        {"path": "app/views.py", "line": 12, "side": "RIGHT", "body": "**secreview: OS command injection** ..."}
      ]
    }

Send it with ``gh api repos/{owner}/{repo}/pulls/{n}/reviews --input review.json``.
The event is always ``COMMENT``: the review informs, a person approves or not.
GitHub takes review comments only on lines of the pull request's diff, so in a
change review each finding is commented on the line the change touches (its
own line, or the changed line of its data flow; see ``_comments``); findings
with no such line are listed in ``body``, with the verdict, the files not
(fully) reviewed and the added suppression comments (which also get a comment
of their own). Outside a change review comments go on the findings' lines.
"""

from __future__ import annotations

import json
from typing import Any

from secreview.findings.model import ReviewResult
from secreview.reports import (
    ReportOptions,
    excluded_note,
    model_pass_sentences,
    not_reviewed_by_model,
    plural,
    problem_status,
    sorted_findings,
    sorted_problems,
    verdict,
    visible,
)
from secreview.reports._comments import Anchors, markdown_body, suppression_body, suppression_summary
from secreview.reports.markdown import code_span


def render(result: ReviewResult, options: ReportOptions) -> str:
    return json.dumps(review(result, options), indent=2, ensure_ascii=False) + "\n"


def review(result: ReviewResult, options: ReportOptions) -> dict[str, Any]:
    anchors = Anchors(result, any_line_of_changed_file=False)
    comments = []
    elsewhere = []
    for f in sorted_findings(result):
        anchor = anchors.of(f)
        if anchor is None:
            elsewhere.append(f)
            continue
        comments.append({"path": anchor.path, "line": anchor.line, "side": "RIGHT", "body": markdown_body(f, anchor)})
    for s in result.added_suppressions:
        comments.append({"path": s.path, "line": s.line, "side": "RIGHT",
                         "body": "**secreview: added suppression.** " + suppression_body(s, markdown=True)})
    comments.sort(key=lambda c: (c["path"], c["line"], c["body"]))
    return {"body": _body(result, elsewhere, options), "event": "COMMENT", "comments": comments}


def _body(result: ReviewResult, elsewhere, options: ReportOptions) -> str:
    out = ["## secreview", "", " ".join([verdict(result)] + [visible(s) for s in model_pass_sentences(result)])]
    facts = []
    if result.target:
        facts.append(f"Reviewed: {code_span(visible(result.target))}.")
    if result.suppressed:
        facts.append(f"{plural(result.suppressed, 'suppressed finding')} not shown.")
    if result.baselined:
        facts.append(f"{plural(result.baselined, 'finding')} in the baseline not shown.")
    note = excluded_note(result, code_span)
    if note:
        facts.append(note)
    if facts:
        out += ["", " ".join(facts)]
    if result.added_suppressions:
        out += ["", "### Added suppressions", ""]
        out += [f"- {code_span(f'{visible(s.path)}:{s.line}')}: {suppression_summary(s)}"
                for s in result.added_suppressions]
    if elsewhere:
        out += ["", "### Findings outside the lines of this change", ""]
        for f in elsewhere:
            out += [f"#### {code_span(f'{visible(f.path)}:{f.span.line}')}", "", markdown_body(f), ""]
    problems = sorted_problems(result)
    if problems:
        out += ["", "### Files not (fully) reviewed", ""]
        out += [f"- {code_span(visible(p.path))} — {visible(problem_status(p))}" for p in problems]
    unreviewed = not_reviewed_by_model(result)
    if unreviewed:
        out += ["", "### Not reviewed by the model", ""]
        out += [f"- {line}" for line in unreviewed]
    out.append("")
    out.append(f"<sub>secreview {visible(options.tool_version)}</sub>")
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out)
