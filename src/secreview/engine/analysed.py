"""What lowering and analysing a review's files gave, before filtering and suppression."""

from __future__ import annotations

from dataclasses import dataclass

from secreview.findings.model import FileProblem, ProblemKind, internal_error


@dataclass
class Analysed:
    findings: list
    statement_lines: dict  # id(finding) -> (first, last) line of its statement
    problems: list
    suppressions: dict  # display path -> Suppressions
    files_reviewed: int
    keep: list  # objects a process about to exit keeps alive instead of freeing (``ReviewOptions.keep_alive``)


def analysis_problems(program) -> list[FileProblem]:
    """Files whose analysis ran out of budget or met a bug of secreview."""
    problems = []
    for path, reason in sorted(program.failed.items()):
        problems.append(FileProblem(path, ProblemKind.BUDGET_EXCEEDED, reason, (), reviewed=True))
    for path, (where, exc) in sorted(program.errors.items()):
        if isinstance(exc, RecursionError):
            problems.append(FileProblem(path, ProblemKind.TOO_DEEP,
                                        "code is nested too deeply to analyse fully; partly reviewed",
                                        (), reviewed=True))
        else:
            problems.append(internal_error(path, f"analysing {where}", exc, reviewed=True))
    return problems
