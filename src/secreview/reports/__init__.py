"""Report renderers: one module per output format, each with ``render(result, options) -> str``.

Renderers only lay out what a ``ReviewResult`` holds. Every line number and
code excerpt they print comes from a ``Finding`` or a ``FileProblem``; they
never re-read files, never add timestamps, and print paths exactly as the
findings carry them. The same result always renders to the same bytes.

The helpers below are shared by the renderers, so that the verdict and the
description of a file that was not (fully) reviewed read the same in every
format.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from secreview import __version__
from secreview.findings.model import EXCLUSION_KINDS, Excluded, FileProblem, Finding, Level, ReviewResult

__all__ = [
    "FORMATS",
    "NO_DEFECTS",
    "ReportOptions",
    "render",
]

NO_DEFECTS = "No security defects are detected in the code."
"""The verdict when a review has no findings, word for word in every format."""
NOTHING_REVIEWED = "No Python code was reviewed: no Python files were found, or none could be read."
"""The verdict when not one file was reviewed (an empty directory, only unreadable files)."""


@dataclass(frozen=True)
class ReportOptions:
    color: bool = False
    """Colour terminal output (``text`` only); never affects other formats."""
    absolute_paths: bool = False
    """Reserved. Paths are always printed exactly as the findings carry them."""
    tool_version: str = __version__
    context: Mapping[str, Sequence[str]] | None = None
    """Lines of the reviewed files by path, for formats that show code around a
    finding (``html``). Filled by the caller from the text the review read; the
    renderers never open files. Without it, the HTML report shows only the code
    the findings carry."""
    hide_llm_dismissed: bool = False
    """``markdown`` and ``text``: leave out the findings the model pass judged likely false
    positives (saying how many); other formats always list them, with the judgement."""


Renderer = Callable[[ReviewResult, ReportOptions], str]


def _lazy(module: str) -> Renderer:
    """A renderer that imports ``secreview.reports.<module>`` on first use."""

    def render(result: ReviewResult, options: ReportOptions) -> str:
        return importlib.import_module(f"{__name__}.{module}").render(result, options)

    render.__name__ = f"render_{module}"
    render.__qualname__ = render.__name__
    render.__doc__ = f"Render a review with ``secreview.reports.{module}``."
    return render


FORMATS: dict[str, Renderer] = {
    "markdown": _lazy("markdown"),
    "text": _lazy("text"),
    "json": _lazy("json_report"),
    "sarif": _lazy("sarif"),
    "html": _lazy("html"),
    "gerrit": _lazy("gerrit"),
    "github": _lazy("github"),
    "github-review": _lazy("github_review"),
    "gitlab": _lazy("gitlab"),
    "junit": _lazy("junit"),
}


def render(fmt: str, result: ReviewResult, options: ReportOptions | None = None) -> str:
    """Render ``result`` in format ``fmt`` (a key of ``FORMATS``)."""
    try:
        renderer = FORMATS[fmt]
    except KeyError:
        raise ValueError(
            f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}"
        ) from None
    return renderer(result, options or ReportOptions())


# --- shared by the renderers -------------------------------------------------

SEVERITIES = (Level.HIGH, Level.MEDIUM, Level.LOW)


def sorted_findings(result: ReviewResult) -> list[Finding]:
    """The findings in report order, without reordering ``result`` itself."""
    return sorted(result.findings, key=Finding.sort_key)


def sorted_problems(result: ReviewResult) -> list[FileProblem]:
    """The problems by path (then kind and lines, so that ties are stable)."""
    return sorted(
        result.problems, key=lambda p: (p.path, p.kind.value, p.lines, p.message)
    )


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """``{"high": n, "medium": n, "low": n}``, always all three keys in that order."""
    counts = {str(level): 0 for level in SEVERITIES}
    for finding in findings:
        counts[str(finding.severity)] += 1
    return counts


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def cwe_label(cwe: int) -> str:
    """``CWE-78``, or ``""`` when the finding names no CWE."""
    return f"CWE-{cwe}" if cwe > 0 else ""


def files_not_reviewed(result: ReviewResult) -> int:
    """How many distinct files have a problem (a file may have more than one)."""
    return len({p.path for p in result.problems})


def verdict(result: ReviewResult) -> str:
    """``NO_DEFECTS``, or e.g. ``3 security defects in 2 of 14 files reviewed: 1 high, 2 medium.``"""
    findings = result.findings
    if not findings:
        return NOTHING_REVIEWED if nothing_reviewed(result) else NO_DEFECTS
    counts = severity_counts(findings)
    by_severity = ", ".join(f"{n:,} {level}" for level, n in counts.items() if n)
    files = len({f.path for f in findings})
    return (
        f"{plural(len(findings), 'security defect')} in {files:,} of "
        f"{plural(result.files_reviewed, 'file')} reviewed: {by_severity}."
    )


def short_verdict(result: ReviewResult) -> str:
    """``NO_DEFECTS``, or ``N security defects found.`` (the JSON and SARIF verdict)."""
    n = len(result.findings)
    if n:
        return f"{plural(n, 'security defect')} found."
    return NOTHING_REVIEWED if nothing_reviewed(result) else NO_DEFECTS


def nothing_reviewed(result: ReviewResult) -> bool:
    """No Python file was reviewed at all: the no-defect verdict would claim too much."""
    return result.files_reviewed == 0 and not result.findings


INCLUDE_IGNORED = "--include-ignored"
"""The option that reviews what ``.gitignore`` and the default exclusions leave out."""
INCLUDE_NON_PRODUCTION = "--include-non-production"
"""The option that reports the findings in non-production code (``non-production-paths``)."""

_LEFT_OUT_BY = {
    "gitignore": "ignored by .gitignore",
    "default": "skipped by default as other projects' code",
    "configured": "excluded by the configuration's {exclude}",
}


def excluded_counts(result: ReviewResult) -> dict[str, dict]:
    """What discovery left out, for each mechanism (all of ``EXCLUSION_KINDS``, in order), as
    JSON data: the JSON ``summary.excluded`` and the SARIF invocation's ``excluded``."""
    out = {}
    for kind in EXCLUSION_KINDS:
        left_out = result.excluded.get(kind) or Excluded()
        out[kind] = {"files": left_out.files, "directories": left_out.directories,
                     "examples": list(left_out.examples)}
    return out


def non_production_counts(result: ReviewResult) -> dict:
    """The findings withheld in non-production code, as JSON data (the JSON
    ``summary.non_production`` and the SARIF invocation's ``non_production``)."""
    withheld = result.non_production
    return {"findings": withheld.findings, "files": len(withheld.paths), "examples": list(withheld.examples)}


def below_threshold_counts(result: ReviewResult) -> dict:
    """The findings withheld by the minimum confidence and severity, as JSON data (the JSON
    ``summary.below_threshold`` and the SARIF invocation's ``below_threshold``)."""
    return {"confidence": result.below_confidence, "severity": result.below_severity}


def excluded_note(result: ReviewResult, code: Callable[[str], str] = str) -> str:
    """What discovery left out of the review, by mechanism, and the option that reviews it, then
    the findings withheld in non-production code and the option that shows them; ``""`` when
    there are none. Every format prints it beside the verdict: a clean verdict never goes without
    it. ``code`` formats a path or an option (markdown: a code span).

    ``Not reviewed: 2 Python files ignored by .gitignore (gen.py, local.py) and 1 directory
    skipped by default as other projects' code (.venv/), which --include-ignored reviews.``
    ``Not shown: 3 findings in 2 files of non-production code (examples/app.py, tools/gen.py),
    which --include-non-production shows.``
    ``Not shown: 4 findings under the minimum confidence, which --min-confidence low shows.``
    """
    notes = [note for note in (_left_out_note(result, code), _withheld_note(result, code),
                               _below_threshold_note(result, code)) if note]
    return " ".join(notes)


def _below_threshold_note(result: ReviewResult, code: Callable[[str], str]) -> str:
    parts = []
    if result.below_confidence:
        parts.append(f"{plural(result.below_confidence, 'finding')} under the minimum confidence, "
                     f"which {code('--min-confidence low')} shows")
    if result.below_severity:
        parts.append(f"{plural(result.below_severity, 'finding')} under the minimum severity, "
                     f"which {code('--min-severity low')} shows")
    return "Not shown: " + "; ".join(parts) + "." if parts else ""


def _withheld_note(result: ReviewResult, code: Callable[[str], str]) -> str:
    withheld = result.non_production
    if not withheld:
        return ""
    examples = ", ".join(code(visible(p)) for p in withheld.examples)
    if len(withheld.paths) > len(withheld.examples):
        examples += ", …"
    return (f"Not shown: {plural(withheld.findings, 'finding')} in {plural(len(withheld.paths), 'file')} of "
            f"non-production code ({examples}), which {code(INCLUDE_NON_PRODUCTION)} shows.")


def _left_out_note(result: ReviewResult, code: Callable[[str], str]) -> str:
    includable, configured = [], []
    for kind, left_out in result.excluded.items():
        if not left_out:
            continue
        n = left_out.files + left_out.directories
        counts = [plural(count, word, words) for count, word, words in (
            (left_out.files, "Python file", None), (left_out.directories, "directory", "directories")) if count]
        examples = ", ".join(code(visible(e)) for e in left_out.examples)
        if examples and n > len(left_out.examples):
            examples += ", …"
        label = _LEFT_OUT_BY.get(kind, kind).format(exclude=code("exclude"))
        text = f"{' and '.join(counts)} {label}" + (f" ({examples})" if examples else "")
        (configured if kind == "configured" else includable).append(text)
    parts = []
    if includable:
        parts.append(" and ".join(includable) + f", which {code(INCLUDE_IGNORED)} reviews")
    parts += configured
    return "Not reviewed: " + "; ".join(parts) + "." if parts else ""


SHOWN_CODE_LINES = 6
"""How many lines of a finding's code the reading formats (markdown, text, review comments,
JUnit) show; they say how many more there are. JSON, SARIF and HTML show the whole span."""


def more_lines(n: int) -> str:
    """``… (3 more lines)``: what a shortened code excerpt leaves out."""
    return f"… ({plural(n, 'more line')})"


def line_ranges(lines: Iterable[tuple[int, int]]) -> str:
    """``line 7``, ``lines 3–7``, ``lines 3–7, 12``."""
    parts = [str(a) if a == b else f"{a}–{b}" for a, b in lines]
    if not parts:
        return ""
    single = len(parts) == 1 and "–" not in parts[0]
    return ("line " if single else "lines ") + ", ".join(parts)


def problem_status(problem: FileProblem) -> str:
    """What became of the file, without its path.

    ``partly reviewed: lines 3–7 could not be parsed (syntax-error: invalid syntax)``
    or ``not reviewed (unreadable): permission denied``.
    """
    kind = problem.kind.value
    ranges = line_ranges(problem.lines)
    verb = "could not be parsed"
    if problem.reviewed:
        if ranges:
            detail = f"{kind}: {problem.message}" if problem.message else kind
            return f"partly reviewed: {ranges} {verb} ({detail})"
        return f"partly reviewed ({kind})" + (
            f": {problem.message}" if problem.message else ""
        )
    text = f"not reviewed ({kind})" + (
        f": {problem.message}" if problem.message else ""
    )
    if ranges:
        text += f"; {ranges} {verb}"
    return text


# Characters a terminal or a Markdown viewer would act on instead of showing:
# C0 controls (but tab), DEL, C1 controls, and the bidirectional and invisible
# formatting characters of "Trojan Source" attacks. Text renderers show them as
# escapes, so that a reviewed file cannot rewrite the report it appears in.
_INVISIBLE = {
    *range(0x09),
    *range(0x0A, 0x20),
    *range(0x7F, 0xA0),
    0x061C,
    0x200B,
    0x200C,
    0x200D,
    0x200E,
    0x200F,
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
    0xFEFF,
}
_ESCAPES = {cp: (f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}") for cp in _INVISIBLE}


def visible(text: str, keep_newlines: bool = False) -> str:
    """``text`` with control and invisible formatting characters shown as escapes."""
    table = dict(_ESCAPES)
    if keep_newlines:
        del table[0x0A]
    return text.translate(table)


# --- the optional model pass ---------------------------------------------------

MODEL_OPINION = "model opinion"
"""How every format labels a finding of the model pass (origin ``llm``)."""
VERDICT_WORDS = {"confirmed": "confirmed", "likely-false-positive": "likely false positive", "uncertain": "uncertain"}


def is_model_opinion(finding: Finding) -> bool:
    return finding.origin == "llm"


def is_dismissed(finding: Finding) -> bool:
    """The model pass judged this engine finding a likely false positive, with verified evidence."""
    return finding.triage is not None and finding.triage.verdict == "likely-false-positive"


def shown_findings(result: ReviewResult, options: ReportOptions) -> list[Finding]:
    """``sorted_findings``, without the dismissed ones under ``hide_llm_dismissed`` (markdown, text)."""
    findings = sorted_findings(result)
    if options.hide_llm_dismissed:
        findings = [f for f in findings if not is_dismissed(f)]
    return findings


def hidden_dismissed_sentence(result: ReviewResult, options: ReportOptions) -> str | None:
    if not options.hide_llm_dismissed:
        return None
    n = sum(1 for f in result.findings if is_dismissed(f))
    if not n:
        return None
    return (f"{plural(n, 'finding')} the model judged likely false positive{'s' if n != 1 else ''} "
            f"{'is' if n == 1 else 'are'} not shown (--hide-llm-dismissed); the JSON and SARIF reports list "
            f"{'it' if n == 1 else 'them'}.")


def triage_line(finding: Finding) -> str | None:
    """``Model triage: likely false positive (confidence low ...; the engine's: high) — reason``, or None."""
    t = finding.triage
    if t is None:
        return None
    text = f"Model triage: {VERDICT_WORDS.get(t.verdict, t.verdict)}"
    if t.verdict == "likely-false-positive":
        text += f" (confidence {t.confidence} by the model's judgement; the engine's: {finding.confidence})"
    if t.reason:
        text += f" — {t.reason}"
    if t.note:
        text += f" ({t.note})"
    return text


def model_pass_sentences(result: ReviewResult) -> list[str]:
    """What the model pass covered and did, in sentences to put next to the verdict; [] without one."""
    mp = result.model_pass
    if mp is None:
        return []
    units = plural(mp.units, "function")
    if mp.units == 0:
        out = [f"Model pass ({mp.model}): no function to review."]
    elif mp.complete:
        out = [f"Model pass ({mp.model}): all {units} reviewed by the model."]
    else:
        out = [f"Model pass ({mp.model}): {mp.reviewed:,} of {units} reviewed by the model; "
               f"{plural(len(mp.not_reviewed), 'function was', 'functions were')} not reviewed by the model "
               f"({model_pass_reasons(result)})."]
    done = []
    if mp.findings:
        what = "a model opinion, its" if mp.findings == 1 else "model opinions, their"
        done.append(f"{plural(mp.findings, 'model finding')} ({what} lines checked against the code)")
    judged = [f"{n:,} {word}" for n, word in (
        (mp.confirmed, "confirmed"),
        (mp.dismissed, "judged a likely false positive" if mp.dismissed == 1 else "judged likely false positives"),
        (mp.uncertain, "left uncertain")) if n]
    if judged:
        done.append("engine findings: " + ", ".join(judged))
    if done:
        sentence = "; ".join(done)
        out.append(sentence[0].upper() + sentence[1:] + ".")
    for reason, n in mp.dropped.items():
        if reason.startswith("triage made uncertain: "):
            out.append(f"{plural(n, 'triage verdict')} made uncertain: {reason.split(': ', 1)[1]}.")
        else:
            out.append(f"{plural(n, 'model claim')} dropped: {reason}.")
    return out


def model_pass_reasons(result: ReviewResult) -> str:
    """``request cap reached: 3; HTTP 503: 1`` — why functions were not reviewed by the model, counted."""
    mp = result.model_pass
    if mp is None:
        return ""
    counts: dict[str, int] = {}
    for item in mp.not_reviewed:
        counts[item.reason] = counts.get(item.reason, 0) + 1
    return "; ".join(f"{reason}: {n:,}" for reason, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def not_reviewed_by_model(result: ReviewResult) -> list[str]:
    """One line per unit the model pass did not review: ``pkg/a.py:12–40 Handler.get — reason``."""
    mp = result.model_pass
    if mp is None:
        return []
    return [f"{visible(n.path)}:{n.line}–{n.end_line} {visible(n.scope)} — {n.reason}" for n in mp.not_reviewed]
