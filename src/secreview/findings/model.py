"""What a review produces: findings with their evidence, and the files it could not review.

Reports only render these objects. Every line number and code excerpt a report
shows comes from a ``Finding`` (or a ``FileProblem``), never from re-reading code.
"""

from __future__ import annotations

import bisect
import enum
from dataclasses import dataclass, field


class Level(enum.IntEnum):
    """Bandit's three-step scale, used for both severity and confidence."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @classmethod
    def parse(cls, text: str) -> Level:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"expected low, medium or high, not {text!r}") from None

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Span:
    """A region of one file. Lines are 1-based; columns are 0-based character offsets."""

    line: int
    col: int
    end_line: int
    end_col: int


@dataclass(frozen=True, slots=True)
class TraceStep:
    """One step of the data flow that leads to a finding."""

    path: str
    line: int
    col: int
    note: str
    code: str = ""


@dataclass(slots=True)
class Finding:
    rule_id: str
    rule_name: str
    title: str
    cwe: int
    severity: Level
    confidence: Level
    path: str
    span: Span
    code: str
    """The source line(s) of ``span``, exactly as in the file."""
    explanation: str
    fix: str
    trace: tuple[TraceStep, ...] = ()
    tags: tuple[str, ...] = ()
    """Facts that shaped the finding (``tainted``, ``test-code``...), for filtering and baselines."""
    fingerprint: str = ""
    origin: str = "engine"
    """Who reports it: ``engine`` (the analysis) or ``llm`` (a model claim that passed
    verification, ``secreview.llm``; rule ``SR901`` model-opinion, never confidence high)."""
    triage: Triage | None = None
    """The model pass's verified judgement of an engine finding, when it gave one."""

    @property
    def line(self) -> int:
        return self.span.line

    def sort_key(self) -> tuple:
        return (self.path, self.span.line, self.span.col, self.rule_id, self.explanation)


class ProblemKind(str, enum.Enum):
    """Why a file was not (fully) reviewed."""

    UNREADABLE = "unreadable"
    BINARY = "binary"
    UNDECODABLE = "undecodable"
    TOO_LARGE = "too-large"
    SYNTAX_ERROR = "syntax-error"
    TOO_DEEP = "too-deep"
    BUDGET_EXCEEDED = "budget-exceeded"
    INTERNAL_ERROR = "internal-error"


@dataclass(frozen=True, slots=True)
class FileProblem:
    """A file that could not be read, or only partly reviewed.

    ``lines`` lists the (start, end) line ranges that could not be parsed, when known.
    ``reviewed`` says whether the rest of the file was still reviewed.
    """

    path: str
    kind: ProblemKind
    message: str
    lines: tuple[tuple[int, int], ...] = ()
    reviewed: bool = False
    detail: str = field(default="", compare=False)
    """For an ``internal-error``: the traceback (shown with ``--verbose``, never in reports)."""


def internal_error(path: str, stage: str, exc: BaseException, *, reviewed: bool = False) -> FileProblem:
    """A bug of secreview met on one file: a problem of that file, with the exception and its traceback."""
    import traceback
    text = " ".join(str(exc).split())
    if len(text) > 300:
        text = text[:300] + "..."
    message = f"internal error while {stage}: {type(exc).__name__}" + (f": {text}" if text else "")
    message += "; partly reviewed" if reviewed else "; not reviewed"
    return FileProblem(path, ProblemKind.INTERNAL_ERROR, message, (), reviewed=reviewed,
                       detail="".join(traceback.format_exception(exc)))


EXCLUSION_KINDS = ("gitignore", "default", "configured")
"""What leaves a path out of a review, in the order discovery asks: ``gitignore`` (untracked
files git ignores; outside a git work tree, what ``.gitignore`` files match), ``default``
(directories of other projects' code: virtual environments, ``node_modules``, ``.tox``,
``*.egg-info``...), ``configured`` (the configuration's ``exclude`` patterns)."""

EXAMPLES_KEPT = 3


@dataclass(slots=True)
class Excluded:
    """The paths one mechanism left out of a review: Python files skipped one by one, and
    directories not entered (whatever they hold: counting it would mean walking it)."""

    files: int = 0
    directories: int = 0
    examples: list[str] = field(default_factory=list)
    """The first few paths left out, as displayed; directories end with ``/``."""

    def add(self, display: str, is_dir: bool) -> None:
        if is_dir:
            self.directories += 1
        else:
            self.files += 1
        if len(self.examples) < EXAMPLES_KEPT:
            self.examples.append(display + "/" if is_dir and not display.endswith("/") else display)

    def __bool__(self) -> bool:
        return bool(self.files or self.directories)


@dataclass(slots=True)
class Withheld:
    """Findings in non-production code (``non-production-paths``: examples, benchmarks, developer
    tools) that a review leaves out of its report unless asked for (``--include-non-production``)."""

    findings: int = 0
    paths: list[str] = field(default_factory=list)
    """The distinct files they are in, sorted."""

    def add(self, path: str) -> None:
        self.findings += 1
        if path not in self.paths:
            bisect.insort(self.paths, path)

    @property
    def examples(self) -> list[str]:
        return self.paths[:EXAMPLES_KEPT]

    def __bool__(self) -> bool:
        return bool(self.findings)


def no_exclusions() -> dict[str, Excluded]:
    """An ``Excluded`` for each of ``EXCLUSION_KINDS``, in that order."""
    return {kind: Excluded() for kind in EXCLUSION_KINDS}


@dataclass(frozen=True, slots=True)
class AddedSuppression:
    """A suppression comment that a reviewed change adds, with the findings it hides.

    ``hides`` holds the findings the comment silences, exactly as they would
    have been reported without it; empty when it silences nothing.
    """

    path: str
    line: int
    comment: str
    """The whole comment, as written."""
    rules: tuple[str, ...] = ()
    """Rules it names as written; empty means every rule."""
    reason: str | None = None
    hides: tuple[Finding, ...] = ()


@dataclass(slots=True)
class ReviewResult:
    """Everything a report needs: findings, problems, and what was looked at."""

    findings: list[Finding] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    files_reviewed: int = 0
    lines_reviewed: int = 0
    suppressed: int = 0
    target: str = ""
    """What was reviewed, as the user named it (paths, ``-``, or a change)."""
    message: str | None = None
    """For a change review: the commit message(s) of the change, or ``--message``."""
    added_suppressions: list[AddedSuppression] = field(default_factory=list)
    """For a change review: suppression comments the change adds."""
    changed_lines: dict[str, tuple[tuple[int, int], ...]] | None = None
    """For a change review: each changed file's changed lines (post-image), as
    sorted (first, last) ranges; None when the review is not of a change."""
    baselined: int = 0
    """Findings left out because a baseline lists them."""
    model_pass: ModelPass | None = None
    """What the optional language-model pass did (``secreview.llm``); None when it was not asked for."""
    excluded: dict[str, Excluded] = field(default_factory=no_exclusions)
    """What discovery left out, by mechanism (``EXCLUSION_KINDS``)."""
    ambiguous_imports: list = field(default_factory=list)
    """``(path, line, module as written, candidates' paths)`` of imports several reviewed files
    could satisfy: each is taken as a callee (``--verbose`` lists them)."""
    non_production: Withheld = field(default_factory=Withheld)
    """Findings in non-production code not reported (``Config.non_production_paths``)."""
    below_confidence: int = 0
    """Findings not reported because their confidence is under ``Config.min_confidence``."""
    below_severity: int = 0
    """Findings not reported because their severity is under ``Config.min_severity`` (and their
    confidence is not under its minimum: each is counted once)."""

    def sort(self) -> None:
        self.findings.sort(key=Finding.sort_key)
        self.problems.sort(key=lambda p: (p.path, p.kind.value, p.lines))
        self.added_suppressions.sort(key=lambda s: (s.path, s.line, s.comment))


# --- the optional model pass (secreview.llm) -------------------------------------


@dataclass(frozen=True, slots=True)
class Evidence:
    """Lines a model cited, checked against the file: ``code`` is the file's text, not the model's."""

    path: str
    line: int
    end_line: int
    code: str


TRIAGE_VERDICTS = ("confirmed", "likely-false-positive", "uncertain")


@dataclass(frozen=True, slots=True)
class Triage:
    """A model's verdict on an engine finding, after verification.

    ``verdict`` is ``confirmed`` or ``likely-false-positive`` only when every piece
    of ``evidence`` was verified (quote equal to the file's text at its lines);
    otherwise ``uncertain``, with ``note`` saying why and no ``reason`` (the model's
    unverified words are not shown). ``confidence`` is the finding's confidence as the
    verdict leaves it (one step lower for a likely false positive); filters and exit
    codes use the engine's own ``Finding.confidence``, never this one.
    """

    verdict: str
    confidence: Level
    reason: str = ""
    evidence: tuple[Evidence, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class NotReviewedByModel:
    """A part of the code the model pass was asked to review and did not, and why."""

    path: str
    scope: str
    """The function's qualified name within its module (``Handler.get``), or ``<module>``."""
    line: int
    end_line: int
    reason: str


@dataclass(slots=True)
class ModelPass:
    """What the model pass did: counts for reports, and what it did not cover.

    Not a ``FileProblem``: problems stay about files the engine could not review."""

    model: str
    endpoint: str
    """The base URL without credentials or query."""
    prompt_version: int
    units: int = 0
    """Functions (or module-level code holding an engine finding) the pass was asked to review."""
    reviewed: int = 0
    requests: int = 0
    retries: int = 0
    cached_answers: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    findings: int = 0
    """Verified model claims reported as findings (origin ``llm``)."""
    confirmed: int = 0
    dismissed: int = 0
    """Engine findings the model judged likely false positives, with verified evidence."""
    uncertain: int = 0
    filtered: int = 0
    """Verified model findings below --min-severity / --min-confidence or of a rule not selected."""
    dropped: dict[str, int] = field(default_factory=dict)
    """Model claims that failed verification (or triage that could not be used), by reason."""
    not_reviewed: list[NotReviewedByModel] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.not_reviewed
