"""Terminal output: one block per finding, compiler style, then the verdict.

    app/run.py:12:5: SR101 [high/high] OS command injection (CWE-78)
        12 | subprocess.run(cmd, shell=True)
           |                ^^^
        `cmd` joins the request parameter `p` into a shell command ...
        fix: pass an argument list without a shell ...
        ↳ app/run.py:3 request parameter `p`
              p = request.args["p"]

Columns in the ``path:line:col:`` prefix are 1-based, as editors and
compilers count them (``Span.col`` is 0-based). Severity and confidence are
shown as ``[severity/confidence]``. With ``options.color`` the same text is
coloured with rich; without it the output holds no escape sequence at all
(control characters from the reviewed code are shown as ``\\x1b`` etc.).
"""

from __future__ import annotations

import io
import re
import textwrap

from rich.console import Console
from rich.text import Text

from secreview.findings.model import FileProblem, Finding, Level, ReviewResult
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

WIDTH = 100
INDENT = "    "
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

_SEVERITY_STYLE = {Level.HIGH: "bold red", Level.MEDIUM: "yellow", Level.LOW: "cyan"}

Line = list[tuple[str, str]]
"""One output line as (text, rich style) segments; style ``""`` is plain."""


def render(result: ReviewResult, options: ReportOptions) -> str:
    lines: list[Line] = []
    if result.message:
        lines += _message_lines(result)
    for finding in shown_findings(result, options):
        lines += _finding_block(finding)
        lines.append([])
    lines += _summary(result, options)
    if options.color:
        return _colored(lines)
    return "".join("".join(text for text, _ in line) + "\n" for line in lines)


def _colored(lines: list[Line]) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=True,
        color_system="standard",  # fixed, so output does not depend on $TERM / $COLORTERM
        width=WIDTH,
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
        no_color=False,  # options.color decides, not $NO_COLOR: the caller has read it
    )
    for line in lines:
        text = Text(no_wrap=True, end="\n")
        for segment, style in line:
            text.append(segment, style=style or None)
        console.print(text, soft_wrap=True)
    return buffer.getvalue()


def _finding_block(f: Finding) -> list[Line]:
    path = visible(f.path)
    head: Line = [
        (f"{path}:{f.span.line}:{f.span.col + 1}:", "bold"),
        (" ", ""),
        (visible(f.rule_id), "dim"),
        (" [", ""),
        (str(f.severity), _SEVERITY_STYLE[f.severity]),
        ("/", ""),
        (str(f.confidence), ""),
        ("] ", ""),
    ]
    if is_model_opinion(f):
        head.append((f"{MODEL_OPINION}: ", "magenta"))
    head.append((visible(f.title), "bold"))
    if f.cwe > 0:
        head.append((f" ({cwe_label(f.cwe)})", "dim"))
    out = [head]
    if f.code:
        out += _code_lines(f)
    if f.explanation:
        out += [[(row, "")] for row in _wrap(f.explanation, INDENT)]
    if f.fix:
        out += [
            [
                (row[: len(INDENT)], ""),
                (row[len(INDENT) : len(INDENT) + 4], "green"),
                (row[len(INDENT) + 4 :], ""),
            ]
            if i == 0
            else [(row, "")]
            for i, row in enumerate(_wrap("fix: " + f.fix, INDENT, INDENT + "     "))
        ]
    for step in f.trace:
        arrow: Line = [
            (INDENT + "↳ ", "dim"),
            (f"{visible(step.path)}:{step.line}", "bold"),
        ]
        if step.note:
            arrow.append((" " + visible(step.note), ""))
        out.append(arrow)
        if step.code:
            for code in _split(textwrap.dedent(step.code)):
                out.append([(INDENT + "      ", ""), (visible(code), "cyan")])
    triage = triage_line(f)
    if triage and f.triage is not None:
        out += [[(row, "magenta" if i == 0 else "")] for i, row in enumerate(_wrap(triage, INDENT))]
        for e in f.triage.evidence:
            out.append([(INDENT + "↳ evidence ", "dim"), (f"{visible(e.path)}:{e.line}", "bold")])
            for code in _split(textwrap.dedent(e.code)):
                out.append([(INDENT + "      ", ""), (visible(code), "cyan")])
    return out


def _split(code: str) -> list[str]:
    lines = _LINE_BREAK.split(code)
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return lines


def _code_lines(f: Finding) -> list[Line]:
    lines = _split(f.code)
    more = max(0, len(lines) - SHOWN_CODE_LINES)
    if more:
        lines = lines[:SHOWN_CODE_LINES]
    width = len(str(f.span.line + len(lines) - 1))
    out: list[Line] = []
    for number, code in enumerate(lines, f.span.line):
        out.append(
            [(f"{INDENT}{number:>{width}} | ", "dim"), (visible(code).rstrip(), "")]
        )
    if more:
        out.append([(f"{INDENT}{' ' * width} | ", "dim"), (more_lines(more), "dim")])
    caret = _caret(f, lines)
    if caret:
        out.append([(f"{INDENT}{' ' * width} | ", "dim"), (caret, "bold red")])
    return out


def _caret(f: Finding, lines: list[str]) -> str:
    """``^^^`` under the span, when it lies within the one line of code shown."""
    span = f.span
    if len(lines) != 1 or span.end_line != span.line:
        return ""
    code = lines[0]
    if not 0 <= span.col < span.end_col <= len(code):
        return ""
    if visible(code[: span.end_col]) != code[: span.end_col]:
        return ""  # escapes would shift the columns
    # Keep the tabs of the line, so that the carets line up in any terminal.
    pad = "".join(c if c == "\t" else " " for c in code[: span.col])
    return pad + "^" * (span.end_col - span.col)


def _wrap(text: str, first: str, rest: str | None = None) -> list[str]:
    rest = INDENT if rest is None else rest
    rows: list[str] = []
    for number, paragraph in enumerate(
        p for p in re.split(r"\n\s*\n", text) if p.strip()
    ):
        rows += textwrap.wrap(
            visible(" ".join(paragraph.split())),
            width=WIDTH,
            initial_indent=first if number == 0 else rest,
            subsequent_indent=rest,
            break_long_words=False,
            break_on_hyphens=False,
        )
    return rows


def _summary(result: ReviewResult, options: ReportOptions) -> list[Line]:
    style = "bold red" if result.findings else "bold green"
    facts = f"{plural(result.files_reviewed, 'file')}, {plural(result.lines_reviewed, 'line')} reviewed"
    if result.suppressed:
        facts += f"; {plural(result.suppressed, 'finding')} suppressed"
    if result.baselined:
        facts += f"; {plural(result.baselined, 'finding')} in the baseline"
    out: list[Line] = [[(verdict(result), style)], [(facts + ".", "dim")]]
    note = excluded_note(result)
    if note:
        out += [[(row, "yellow")] for row in _wrap(note, "", "")]
    for sentence in model_pass_sentences(result):
        out += [[(row, "magenta")] for row in _wrap(sentence, "", INDENT)]
    unreviewed = not_reviewed_by_model(result)
    if unreviewed:
        out.append([("Not reviewed by the model:", "bold magenta")])
        out += [[(INDENT + line, "")] for line in unreviewed]
    hidden = hidden_dismissed_sentence(result, options)
    if hidden:
        out += [[(row, "dim")] for row in _wrap(hidden, "", INDENT)]
    if result.added_suppressions:
        out.append([(f"The change adds {plural(len(result.added_suppressions), 'suppression comment')}:",
                     "bold yellow")])
        for s in result.added_suppressions:
            hides = f"hides {plural(len(s.hides), 'finding')}" if s.hides else "hides no finding"
            out.append([(INDENT, ""), (f"{visible(s.path)}:{s.line}:", "bold"),
                        (f" {visible(s.comment)} {hides}", "yellow" if s.hides else "")])
            for f in s.hides:
                out.append([(INDENT * 2, ""), (f"{visible(f.path)}:{f.span.line}:", "bold"),
                            (f" {visible(f.rule_id)} [{f.severity}/{f.confidence}] {visible(f.title)}", "")])
    problems = sorted_problems(result)
    if problems:
        files = len({p.path for p in problems})
        out.append(
            [
                (
                    f"{plural(files, 'file was', 'files were')} not (fully) reviewed:",
                    "bold yellow",
                )
            ]
        )
        for p in problems:
            out += _problem_lines(p)
    return out


def _message_lines(result: ReviewResult) -> list[Line]:
    """The change under review and its message, above the findings."""
    out: list[Line] = [[(f"Change: {visible(result.target)}" if result.target else "Change:", "bold")]]
    for row in _split(visible((result.message or "").strip(), keep_newlines=True)):
        out.append([(INDENT + row if row else "", "dim")])
    out.append([])
    return out


def _problem_lines(problem: FileProblem) -> list[Line]:
    """One line per problem, never wrapped, so that it can be grepped like a diagnostic."""
    status = visible(problem_status(problem))
    style = "yellow" if problem.reviewed else "red"
    first = problem.lines[0][0] if problem.lines else 0
    location = visible(problem.path) + (f":{first}" if first else "")
    return [[(INDENT, ""), (location + ":", "bold"), (" " + status, style)]]
