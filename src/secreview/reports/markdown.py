"""The review as a Markdown document, the way a security reviewer would write it.

Layout: the verdict; the files that were not (fully) reviewed, right under it;
a table of the findings; then one section per finding with its code (numbered
from the finding's first line), why it is exploitable there, the data flow,
and the fix. Nothing is said that a finding does not hold.
"""

from __future__ import annotations

import re

from secreview.findings.model import FileProblem, Finding, ReviewResult, TraceStep
from secreview.reports import (
    MODEL_OPINION,
    SHOWN_CODE_LINES,
    ReportOptions,
    cwe_label,
    excluded_note,
    hidden_dismissed_sentence,
    is_model_opinion,
    model_pass_sentences,
    more_lines,
    not_reviewed_by_model,
    plural,
    problem_status,
    shown_findings,
    sorted_problems,
    triage_line,
    verdict,
    visible,
)

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
"""Line breaks as Python counts them (not form feeds or U+2028)."""


def render(result: ReviewResult, options: ReportOptions) -> str:
    findings = shown_findings(result, options)
    problems = sorted_problems(result)
    out: list[str] = []

    target = visible(result.target)
    out.append(
        f"# Security review of {code_span(target)}" if target else "# Security review"
    )
    out.append("")
    if result.message:
        out.extend(_message_quote(result.message))
        out.append("")
    out.append(_verdict_paragraph(result, options))
    out.append("")

    if problems:
        out.append("## Files not reviewed")
        out.append("")
        out.extend(_problem_item(p) for p in problems)
        out.append("")

    unreviewed = not_reviewed_by_model(result)
    if unreviewed:
        out.append("## Not reviewed by the model")
        out.append("")
        out.extend(f"- {_escape_inline(line)}" for line in unreviewed)
        out.append("")

    if result.added_suppressions:
        out.extend(_added_suppressions(result))

    if findings:
        out.append("## Findings")
        out.append("")
        out.extend(_summary_table(findings))
        out.append("")
        for number, finding in enumerate(findings, 1):
            out.extend(_section(number, finding))

    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def _verdict_paragraph(result: ReviewResult, options: ReportOptions) -> str:
    sentences = [verdict(result)]
    if result.findings:
        sentences.append(f"{plural(result.lines_reviewed, 'line')} reviewed.")
    else:
        sentences.append(
            f"{plural(result.files_reviewed, 'file')}, {plural(result.lines_reviewed, 'line')} reviewed."
        )
    note = excluded_note(result, code_span)
    if note:
        sentences.append(note)
    if result.problems:
        files = len({p.path for p in result.problems})
        sentences.append(
            f"{plural(files, 'file was', 'files were')} not (fully) reviewed; listed below."
        )
    if result.suppressed:
        sentences.append(
            f"{plural(result.suppressed, 'suppressed finding')} not shown."
        )
    if result.baselined:
        sentences.append(
            f"{plural(result.baselined, 'finding')} in the baseline not shown."
        )
    if result.added_suppressions:
        hiding = sum(1 for s in result.added_suppressions if s.hides)
        sentences.append(
            f"The change adds {plural(len(result.added_suppressions), 'suppression comment')}"
            + (f", {hiding:,} of which hide findings" if hiding else "")
            + "; listed below."
        )
    sentences += [visible(s) for s in model_pass_sentences(result)]
    hidden = hidden_dismissed_sentence(result, options)
    if hidden:
        sentences.append(hidden)
    return " ".join(sentences)


def _message_quote(message: str) -> list[str]:
    """The change's message as a block quote (its first line in bold)."""
    lines = _LINE_BREAK.split(visible(message.strip(), keep_newlines=True))
    quoted = []
    for number, line in enumerate(lines):
        text = _escape_inline(line)
        if number == 0 and text.strip():
            text = f"**{text.strip()}**"
        quoted.append(f"> {text}".rstrip())
    return quoted


def _escape_inline(text: str) -> str:
    """``text`` with the characters Markdown would act on escaped, so a commit message stays text."""
    return re.sub(r"([\\`*_{}\[\]<>#|!~])", r"\\\1", text)


def _added_suppressions(result: ReviewResult) -> list[str]:
    out = ["## Added suppressions", ""]
    for s in result.added_suppressions:
        where = _location(s.path, s.line)
        if s.hides:
            out.append(f"- {where} {code_span(visible(s.comment))} hides "
                       f"{plural(len(s.hides), 'finding')}:")
            for f in s.hides:
                out.append(f"  - {_location(f.path, f.line)} {code_span(visible(f.rule_id))} "
                           f"{visible(f.title)} (severity {f.severity}, confidence {f.confidence})")
        else:
            out.append(f"- {where} {code_span(visible(s.comment))} hides no finding.")
    out.append("")
    return out


def _problem_item(problem: FileProblem) -> str:
    return f"- {code_span(visible(problem.path))} — {visible(problem_status(problem))}"


def _location(path: str, line: int) -> str:
    return code_span(f"{visible(path)}:{line}")


def _summary_table(findings: list[Finding]) -> list[str]:
    rows = [
        "| # | Location | Defect | CWE | Severity | Confidence |",
        "|--:|---|---|---|---|---|",
    ]
    for number, f in enumerate(findings, 1):
        confidence = str(f.confidence)
        if f.triage is not None:
            confidence += f" (model: {f.triage.verdict.replace('-', ' ')})"
        cells = [
            str(number),
            _location(f.path, f.line),
            visible(f.title) + (f" ({MODEL_OPINION})" if is_model_opinion(f) else ""),
            cwe_label(f.cwe) or "—",
            str(f.severity),
            confidence,
        ]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return rows


def _section(number: int, f: Finding) -> list[str]:
    model = is_model_opinion(f)
    title = visible(f.title) + (f" ({MODEL_OPINION})" if model else "")
    out = [f"### {number}. {title} — {_location(f.path, f.line)}", ""]
    facts = [f"{code_span(f.rule_id)} {visible(f.rule_name)}".strip()]
    if f.cwe > 0:
        facts.append(cwe_label(f.cwe))
    facts += [f"severity **{f.severity}**", f"confidence {f.confidence}"]
    if model:
        facts.append(f"**{MODEL_OPINION}**: a language model's claim; its lines, quote and names were checked "
                     "against the file, its reasoning was not")
    out += [" · ".join(facts), ""]

    if f.code:
        out += numbered_block(f.code, f.span.line, SHOWN_CODE_LINES)
        out.append("")
    if f.explanation:
        label = "The model's explanation." if model else "Why it is exploitable here."
        out += [
            f"**{label}** {visible(f.explanation, keep_newlines=True)}",
            "",
        ]
    if f.trace:
        out += ["**Data flow.**", ""]
        for step_number, step in enumerate(f.trace, 1):
            out += _trace_item(step_number, step)
        out.append("")
    if f.fix:
        label = "Fix (the model's suggestion)." if model else "Fix."
        out += [f"**{label}** {visible(f.fix, keep_newlines=True)}", ""]
    triage = triage_line(f)
    if triage and f.triage is not None:
        out += [f"**Model triage.** {visible(triage.removeprefix('Model triage: '))}", ""]
        for e in f.triage.evidence:
            out += [f"Evidence {_location(e.path, e.line)}:", ""] + numbered_block(e.code, e.line) + [""]
    return out


def _trace_item(number: int, step: TraceStep) -> list[str]:
    head = f"{number}. {_location(step.path, step.line)}"
    if step.note:
        head += f" — {visible(step.note)}"
    lines = _LINE_BREAK.split(step.code) if step.code else []
    if len(lines) == 1 and lines[0].strip():
        return [f"{head} — {code_span(visible(lines[0].strip()))}"]
    if len(lines) > 1:
        indent = " " * (len(str(number)) + 2)
        block = numbered_block(step.code, step.line)
        return [head, ""] + [indent + row if row else row for row in block] + [""]
    return [head]


def numbered_block(code: str, first_line: int, limit: int | None = None) -> list[str]:
    """``code`` as a fenced Python block, each line prefixed with its line number; with
    ``limit``, its first ``limit`` lines and, under the block, how many more there are."""
    lines = _LINE_BREAK.split(code)
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()  # a trailing line break ends the last line; it starts no new one
    more = 0
    if limit is not None and len(lines) > limit:
        more = len(lines) - limit
        lines = lines[:limit]
    width = len(str(first_line + len(lines) - 1))
    body = [
        f"{n:>{width}} | {visible(text)}".rstrip()
        for n, text in enumerate(lines, first_line)
    ]
    fence = _fence("\n".join(body))
    return [fence + "python", *body, fence] + ([more_lines(more)] if more else [])


def _fence(body: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    return "`" * max(3, longest + 1)


def code_span(text: str) -> str:
    """``text`` as inline code, with a delimiter that its own backticks cannot close."""
    if not text:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    if longest == 0:
        return f"`{text}`"
    tick = "`" * (longest + 1)
    return f"{tick} {text} {tick}"
