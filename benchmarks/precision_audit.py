"""Real-code precision audit: review a panel of real projects, check every finding
mechanically against the files, draw a stratified sample for human judgement, and score
the judged sample (issue 12, ``docs/precision.md``).

    python benchmarks/precision_audit.py review PANEL SRC --reports DIR [--pythonpath P]
    python benchmarks/precision_audit.py counts PANEL --reports DIR
    python benchmarks/precision_audit.py check  PANEL SRC --reports DIR
    python benchmarks/precision_audit.py sample PANEL SRC --reports DIR --seed N --size N --worksheet FILE
    python benchmarks/precision_audit.py fill   WORKSHEET JUDGMENTS.tsv
    python benchmarks/precision_audit.py score  WORKSHEET

PANEL is a TOML file of ``[[project]]`` tables (``name``, ``version``, ``kind``, ``why``;
``benchmarks/panels/precision.toml``). SRC is the folder that holds each project's sdist
unpacked as ``SRC/NAME-VERSION`` (``python benchmarks/get_sdists.py SRC --panel PANEL`` does that).
Nothing of the projects is fetched by this script or committed.

review
    runs ``secreview review . --format json --exit-zero --no-progress`` once per project,
    from the project's root (so report paths are relative to it), and keeps each report as
    ``DIR/NAME-VERSION.json`` (plus ``DIR/runs.json``: command, commit, times, exit codes).
    ``--pythonpath`` puts a checkout's ``src`` first (the secreview to measure);
    ``--secreview`` gives a whole command instead.

counts
    findings per rule and project, outside test code and in it.

check
    the mechanical check over ALL findings of the panel (not only the sample): for each
    finding, (1) every trace step's ``code`` equals the file's line (whitespace at both ends
    ignored; an empty ``code`` is not checked), (2) the finding's ``code`` equals its lines,
    (3) every backquoted identifier or code fragment in the explanation and in each step's
    note appears on the line it cites (a step: its own line; the explanation: the line
    named right after the fragment, ``(line N)``, else the finding's lines), and (4) no
    finding outside test code has a step in test code. Prints counts and every violation,
    grouped by kind and rule; ``--json FILE`` writes them. The core is
    :func:`check_report`, which the unit tests call on small reports.

sample
    draws a fixed-seed sample of findings outside test code, stratified by rule (every rule
    at least ``--min-per-rule`` times, the rest in proportion to its count, largest
    remainders first), and writes a markdown worksheet to judge: anonymous id, project,
    path:line, rule, severity/confidence, explanation, trace, ~15 lines of code, and the
    verdict columns. Several ``--reports`` folders (e.g. before and after a change) are
    pooled and shuffled; ``--blind`` leaves out everything that tells which run a finding
    came from (the run is written to ``--key FILE`` only).

carry
    carries judged findings (``--judged WORKSHEET KEY``, repeatable) onto the reports of another version
    (``--reports``, repeatable: one folder per panel, ``review --args=--min-confidence=low`` so that the
    findings below the default are there too) by project and fingerprint: how many are shown at the
    default confidence, with their verdicts, how many fell below it or are gone, and every real or
    worth-a-look one no longer shown. The core is :func:`carry`.

fill
    writes judgments kept as ``ID<TAB>verdict<TAB>yes|no<TAB>reason`` lines into the
    worksheet's rows (convenient when several people share the reading).

score
    reads a judged worksheet back and prints, per rule and overall: counts, strict precision
    (real / sampled), lenient precision ((real + worth a look) / sampled), false rate, false
    rate among high-confidence findings, untrue explanations; and the same rates weighted by
    each rule's share of all findings outside test code (the population table in the
    worksheet). An untrue explanation makes the finding count as false, whatever its verdict
    (``../shared/JUDGING.md``). ``--key`` splits the figures by run.

Test code: paths that match the project's ``[tool.secreview] test-paths`` (from its
``pyproject.toml``) or, when it has none, the usual conventions ``tests/``, ``test/``,
``test_*.py``, ``*_test.py``, ``testing/``, ``conftest.py`` and the test folders the project
keeps elsewhere, as a review finds them (pytest's ``testpaths``, folders of a ``conftest.py``
beside test modules: ``secreview.source.test_layout``) (gitignore-style patterns;
``--test-paths`` replaces them).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from pathlib import Path

from secreview.source.test_layout import runner_test_paths

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib  # type: ignore[no-redef]

DEFAULT_TEST_PATHS = ("tests/", "test/", "test_*.py", "*_test.py", "testing/", "conftest.py")
VERDICTS = ("real", "worth", "false")
CONTEXT_LINES = 7  # lines shown above and below a sampled finding's line


# --------------------------------------------------------------------------- panel

@dataclass(frozen=True)
class Project:
    name: str
    version: str
    kind: str = ""
    why: str = ""

    @property
    def key(self) -> str:
        return f"{self.name}-{self.version}"


def read_panel(path: str | Path) -> list[Project]:
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    projects = [Project(p["name"], str(p["version"]), p.get("kind", ""), p.get("why", ""))
                for p in data.get("project", [])]
    if not projects:
        raise SystemExit(f"{path}: no [[project]] entries")
    return projects


# --------------------------------------------------------------------------- test paths

def _pattern_matches(pattern: str, rel: str) -> bool:
    """A gitignore-style pattern (no negation) against a '/'-separated relative file path."""
    pattern = pattern.strip()
    if not pattern or pattern.startswith("#"):
        return False
    dir_only = pattern.endswith("/")
    pat = pattern.rstrip("/")
    anchored = "/" in pat
    pat = pat.lstrip("/")
    parts = rel.split("/")
    # candidates: every directory prefix, and (unless dir-only) the file itself
    candidates = ["/".join(parts[:i]) for i in range(1, len(parts))]
    if not dir_only:
        candidates.append(rel)
    for cand in candidates:
        if anchored:
            if "**" in pat:
                if fnmatchcase(cand, pat.replace("**/", "*")) or fnmatchcase(cand, pat):
                    return True
            elif fnmatchcase(cand, pat) and cand.count("/") == pat.count("/"):
                return True
        elif fnmatchcase(cand.rsplit("/", 1)[-1], pat):
            return True
    return False


def project_test_paths(root: Path) -> tuple[str, ...]:
    """The project's ``[tool.secreview] test-paths`` if it configures them, else the defaults."""
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            conf = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            conf = {}
        paths = conf.get("tool", {}).get("secreview", {}).get("test-paths")
        if isinstance(paths, list) and paths:
            return tuple(str(p) for p in paths)
    # and, as a review finds them, the folders its test runner is told of or collects (conftest.py)
    files = [str(p.relative_to(root)).replace(os.sep, "/") for p in root.rglob("*.py")] if root.is_dir() else []
    return DEFAULT_TEST_PATHS + runner_test_paths(root, ".", files)


def is_test_path(rel: str, test_paths=DEFAULT_TEST_PATHS) -> bool:
    rel = rel.replace(os.sep, "/")
    while rel.startswith("./"):
        rel = rel[2:]
    return any(_pattern_matches(p, rel) for p in test_paths)


# --------------------------------------------------------------------------- review

def secreview_command(args) -> tuple[list[str], dict]:
    env = dict(os.environ)
    if args.secreview:
        return args.secreview.split(), env
    if args.pythonpath:
        env["PYTHONPATH"] = os.pathsep.join([args.pythonpath] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    return [sys.executable, "-m", "secreview"], env


def git_commit(pythonpath: str | None) -> str:
    if not pythonpath:
        return "unknown"
    try:
        out = subprocess.run(["git", "-C", pythonpath, "rev-parse", "HEAD"], capture_output=True, text=True, timeout=30)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def cmd_review(args) -> int:
    panel = read_panel(args.panel)
    src = Path(args.src)
    out = Path(args.reports)
    out.mkdir(parents=True, exist_ok=True)
    base, env = secreview_command(args)
    extra = args.args.split() if args.args else []
    runs_path = out / "runs.json"
    runs = json.loads(runs_path.read_text()) if runs_path.exists() else {}
    runs["_command"] = base + ["review", ".", "--format", "json", "--exit-zero", "--no-progress"] + extra
    runs["_pythonpath"] = args.pythonpath or ""
    runs["_commit"] = git_commit(args.pythonpath)
    status = 0
    for project in panel:
        if args.only and project.name not in args.only:
            continue
        root = src / project.key
        if not root.is_dir():
            print(f"{project.key}: missing {root}", file=sys.stderr)
            status = 1
            continue
        cmd = runs["_command"]
        t0 = time.monotonic()
        proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
        wall = time.monotonic() - t0
        report = out / f"{project.key}.json"
        ok = proc.returncode == 0
        try:
            data = json.loads(proc.stdout)
        except json.JSONDecodeError:
            data, ok = None, False
        if data is not None:
            report.write_text(proc.stdout, encoding="utf-8")
        runs[project.key] = {"returncode": proc.returncode, "wall": round(wall, 2),
                             "stderr_tail": proc.stderr[-2000:], "json": data is not None}
        summary = data["summary"] if data else {}
        print(f"{project.key:28} {wall:7.1f} s  rc={proc.returncode}  files={summary.get('files_reviewed')} "
              f"findings={summary.get('findings')} problems={summary.get('files_not_reviewed')}", flush=True)
        if not ok:
            status = 1
            print(proc.stderr[-2000:], file=sys.stderr)
    runs_path.write_text(json.dumps(runs, indent=1, sort_keys=True) + "\n")
    return status


# --------------------------------------------------------------------------- loading

@dataclass
class Finding:
    project: str  # NAME-VERSION
    run: str  # the reports folder it came from
    data: dict
    test_code: bool

    @property
    def rule(self) -> str:
        return f"{self.data['rule_id']} {self.data['rule_name']}"


def load_findings(panel: list[Project], src: Path | None, reports: Path, test_paths=None) -> list[Finding]:
    found = []
    for project in panel:
        path = reports / f"{project.key}.json"
        if not path.exists():
            print(f"warning: no report {path}", file=sys.stderr)
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        tp = test_paths or (project_test_paths(src / project.key) if src else DEFAULT_TEST_PATHS)
        for f in data["findings"]:
            found.append(Finding(project.key, str(reports), f, is_test_path(f["path"], tp)))
    return found


# --------------------------------------------------------------------------- counts

def cmd_counts(args) -> int:
    panel = read_panel(args.panel)
    src = Path(args.src) if args.src else None
    findings = load_findings(panel, src, Path(args.reports), _test_paths_arg(args))
    print(counts_markdown(panel, findings))
    return 0


def counts_markdown(panel: list[Project], findings: list[Finding]) -> str:
    prod = [f for f in findings if not f.test_code]
    rules = sorted({f.rule for f in prod}, key=lambda r: r.split()[0])
    per = Counter((f.project, f.rule) for f in prod)
    short = {p.key: p.name for p in panel}
    keys = [p.key for p in panel if any(f.project == p.key for f in findings)]
    lines = ["| rule | " + " | ".join(short[k] for k in keys) + " | total |",
             "|---|" + "---:|" * (len(keys) + 1)]
    for r in rules:
        row = [str(per[(k, r)] or "") for k in keys]
        lines.append(f"| {r} | " + " | ".join(row) + f" | {sum(per[(k, r)] for k in keys)} |")
    tot = Counter(f.project for f in prod)
    lines.append("| **outside tests** | " + " | ".join(str(tot[k]) for k in keys) + f" | **{len(prod)}** |")
    tt = Counter(f.project for f in findings if f.test_code)
    lines.append("| in test code | " + " | ".join(str(tt[k]) for k in keys) + f" | {sum(tt.values())} |")
    return "\n".join(lines)


# --------------------------------------------------------------------------- mechanical check

BACKQUOTED = re.compile(r"`([^`\n]+)`")  # the rule documentation's simple spans
LINE_CITE = re.compile(r"\s*(?:\((?:(?:at |on |in )?lines? (?P<first>\d+)(?:\s*[-–]\s*(?P<last>\d+))?"
                       r"|(?P<path>[^\s():`]+):(?P<pline>\d+))\)"
                       r"|(?:on|at) lines? (?P<first2>\d+)(?:\s*[-–]\s*(?P<last2>\d+))?)")
IDENT = re.compile(r"[A-Za-z_]")


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s).replace("'", '"')


def fragment_variants(fragment: str) -> list[str]:
    """The forms under which a backquoted fragment may stand on a line: as written, a call
    written ``name()`` or ``name(...)`` as ``name``, an argument ``x=`` without value."""
    frag = fragment.strip()
    out = [frag]
    if frag.endswith("()"):
        out.append(frag[:-2])
    m = re.fullmatch(r"(.+?)\((?:\.\.\.|…)\)", frag)
    if m:
        out.append(m.group(1))
    if frag.endswith("(...)") or frag.endswith("(…)"):
        out.append(frag.rsplit("(", 1)[0])
    return [v for v in out if v]


def is_code_fragment(fragment: str) -> bool:
    """Backquoted text that names code (an identifier or an expression), not punctuation
    such as `;` or `|`, and not a path or a CWE."""
    frag = fragment.strip()
    return bool(IDENT.search(frag)) and not frag.startswith("/")


ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…)\s*")


def _pieces_in_order(pieces: list[str], text: str) -> bool:
    pos = 0
    for piece in pieces:
        found = text.find(piece, pos)
        if found < 0:
            return False
        pos = found + len(piece)
    return True


def fragment_on_line(fragment: str, line_text: str) -> bool:
    """Whether the fragment is on the line, ignoring whitespace; a quote shortened with
    ``...`` is on the line when its pieces are, in order."""
    squashed = _squash(line_text)
    for variant in fragment_variants(fragment):
        if _squash(variant) in squashed:
            return True
        pieces = [_squash(p) for p in ELLIPSIS.split(variant)]
        pieces = [p for p in pieces if p]
        if len(pieces) > 0 and ELLIPSIS.search(variant) and _pieces_in_order(pieces, squashed):
            return True
    return False


def code_spans(text: str) -> list[tuple[str, int]]:
    """Markdown code spans of ``text``: (content, index just after the closing backquotes).
    A span opens with a run of N backquotes and closes at the next run of exactly N
    (`` ` `` is a span holding one backquote); its content is stripped of one space at
    each end when it has both."""
    out = []
    i, n = 0, len(text)
    while i < n:
        if text[i] != "`":
            i += 1
            continue
        j = i
        while j < n and text[j] == "`":
            j += 1
        run = j - i
        k = j
        close = -1
        while k < n:
            if text[k] == "`":
                e = k
                while e < n and text[e] == "`":
                    e += 1
                if e - k == run:
                    close = k
                    break
                k = e
            else:
                k += 1
        if close < 0:
            i = j
            continue
        content = text[j:close]
        if len(content) >= 2 and content[0] == " " and content[-1] == " " and content.strip():
            content = content[1:-1]
        if "\n" not in content:
            out.append((content, close + run))
        i = close + run
    return out


def cited_fragments(text: str) -> list[tuple[str, tuple[str | None, int, int] | None]]:
    """Each code fragment of ``text`` with the place it cites right after it: ``(line N)``
    or ``(line N-M)`` (path None: the finding's file) or ``(PATH:N)``; None when it cites none."""
    out = []
    for frag, after in code_spans(text):
        if not is_code_fragment(frag):
            continue
        cite = LINE_CITE.match(text, after)
        if cite and (cite.group("first") or cite.group("first2")):
            first = int(cite.group("first") or cite.group("first2"))
            out.append((frag, (None, first, int(cite.group("last") or cite.group("last2") or first))))
        elif cite and cite.group("path"):
            out.append((frag, (cite.group("path"), int(cite.group("pline")), int(cite.group("pline")))))
        else:
            out.append((frag, None))
    return out


@dataclass
class Violation:
    kind: str
    rule: str
    project: str
    path: str
    line: int
    detail: str
    finding_line: int = 0
    finding_path: str = ""

    @property
    def finding(self) -> tuple:
        return (self.project, self.rule, self.finding_path, self.finding_line)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


class FileCache:
    def __init__(self, root: Path):
        self.root = root
        self._lines: dict[str, list[str] | None] = {}

    def lines(self, rel: str) -> list[str] | None:
        if rel not in self._lines:
            path = self.root / rel
            try:
                text = path.read_bytes().decode("utf-8", errors="replace")
            except OSError:
                self._lines[rel] = None
            else:
                self._lines[rel] = text.splitlines()
        return self._lines[rel]

    def line(self, rel: str, n: int) -> str | None:
        lines = self.lines(rel)
        if lines is None or not 1 <= n <= len(lines):
            return None
        return lines[n - 1]

    def span(self, rel: str, first: int, last: int) -> str | None:
        lines = self.lines(rel)
        if lines is None or not 1 <= first <= last <= len(lines):
            return None
        return "\n".join(lines[first - 1:last])


VIOLATION_KINDS = {
    "step-code": "a trace step's code differs from the file's line",
    "finding-code": "the finding's code differs from its lines in the file",
    "finding-code-cut": "the finding's code holds only the first lines of its span (docs: the whole span)",
    "missing-line": "a finding or step cites a line or file that does not exist",
    "step-note-fragment": "a backquoted fragment of a step's note is not on the step's line",
    "init-at-class-call": "a step's note (or the explanation) names `__init__()` for a line that calls a class: true "
                          "in substance, but the name on the line is the class's",
    "explanation-fragment": "a backquoted fragment of the explanation (citing no line) is neither on the finding's "
                            "lines, nor on a trace line, nor in the rule's documentation",
    "explanation-illustration": "like explanation-fragment, but an expression (not a plain name) or a standard-library "
                                "name that is in none of the files the finding names: an illustration (a payload, "
                                "library behaviour) or an invention; read by hand",
    "explanation-fragment-cited": "a fragment of the explanation followed by (line N) or (PATH:N) is not on that line",
    "step-in-test-code": "a finding outside test code has a trace step in test code",
    "source-in-test-code": "a finding outside test code has its first trace step (the source) in test code",
    "trace-short": "a finding traced from a source whose trace stops before the sink: its last step is not on the "
                   "finding's lines",
}


NOT_UNTRUE = frozenset({"finding-code-cut", "explanation-illustration", "init-at-class-call"})
"""Kinds listed for a human to read, not counted as untrue: a cut `code` field (a
documentation mismatch), an illustration no file holds, `__init__()` for a class call."""


def check_report(report: dict, root: Path, project: str = "", test_paths=DEFAULT_TEST_PATHS,
                 findings: list[dict] | None = None, vocabulary: dict[str, set[str]] | None = None) -> list[Violation]:
    """The mechanical check of every finding of one JSON report, against the files under
    ``root`` (the folder the report's relative paths start from).

    ``vocabulary`` maps a rule id to the backquoted fragments of its documentation: an
    explanation may use them as illustrations (`Content-Type`, `<script>`) without a
    line holding them; everything else it backquotes must be on a line it cites, on the
    finding's lines or on a line of its trace."""
    files = FileCache(root)
    vocabulary = vocabulary or {}
    out: list[Violation] = []
    for f in (report["findings"] if findings is None else findings):
        rule = f"{f['rule_id']} {f['rule_name']}"

        def v(kind, path, line, detail, rule=rule, f=f):
            out.append(Violation(kind, rule, project, path, line, detail, f["line"], f["path"]))

        prod = not is_test_path(f["path"], test_paths)
        end = f.get("end_line") or f["line"]
        span = files.span(f["path"], f["line"], end)
        if span is None:
            v("missing-line", f["path"], f["line"], f"finding line {f['line']}-{end} not in the file")
        elif f.get("code") is not None and f["code"].strip() != span.strip():
            code_lines, span_lines = f["code"].splitlines(), span.splitlines()
            cut = len(code_lines) < len(span_lines) and [c.rstrip() for c in code_lines] == \
                [c.rstrip() for c in span_lines[:len(code_lines)]]
            v("finding-code-cut" if cut else "finding-code", f["path"], f["line"],
              f"code holds {len(code_lines)} of the span's {len(span_lines)} lines" if cut
              else f"code {f['code']!r} vs file {span!r}")
        trace = f.get("trace", [])
        if trace and "tainted" in f.get("tags", ()) and not (
                trace[-1]["path"] == f["path"] and f["line"] <= trace[-1]["line"] <= end):
            # a flow traced from its source must be shown reaching the sink: a trace that stops on the way
            # leaves the reader a claim they cannot check (judged untrue where it stopped in another function)
            v("trace-short", trace[-1]["path"], trace[-1]["line"],
              f"the trace's last step (step {len(trace)}) is not on the finding's lines {f['line']}-{end}")
        step_texts = [files.line(s["path"], s["line"]) or "" for s in trace]
        vocab = vocabulary.get(f["rule_id"], set())
        mentioned_texts = []
        for m in LINE_MENTION.finditer(f.get("explanation", "")):
            mpath = m.group("path") or f["path"]
            mline = int(m.group("pline") or m.group("line"))
            mentioned_texts.append(files.line(mpath, mline) or "")
        verified_by_signature = set()
        for m in PARAMETERS_OF.finditer(f.get("explanation", "")):
            where = [f["path"]] + [s["path"] for s in trace]
            params = re.findall(r"`(\w+)`", m.group("params"))
            if all(any(has_parameter(files, p, m.group("func"), param) for p in dict.fromkeys(where))
                   for param in params):
                verified_by_signature.update({*params, m.group("func") + "()"})
        for frag, cite in cited_fragments(f.get("explanation", "")):
            if cite is not None:
                cpath, first, last = cite
                cpath = cpath or f["path"]
                text = files.span(cpath, first, last)
                if text is None:
                    v("missing-line", cpath, first, f"explanation cites {cpath}:{first} for `{frag}`")
                elif not fragment_on_line(frag, text):
                    v("explanation-fragment-cited", cpath, first, f"`{frag}` not in {text.strip()!r}")
                continue
            if span is not None and fragment_on_line(frag, span):
                continue
            if any(fragment_on_line(frag, t) for t in step_texts):
                continue
            if any(fragment_on_line(frag, t) for t in mentioned_texts):
                continue  # on a line the explanation cites elsewhere ("caught on line 42")
            if frag.strip() in vocab:
                continue
            if frag in verified_by_signature:
                continue
            if frag.endswith("()") and frag[:-2] in enclosing_functions(files, f["path"], f["line"]):
                continue
            if frag == "__init__()" and any(CLASS_CALL.search(t) for t in step_texts):
                v("init-at-class-call", f["path"], f["line"],
                  "explanation names `__init__()`, which is on no line; the trace calls a class")
                continue
            where = dict.fromkeys([f["path"]] + [s["path"] for s in trace])
            anywhere = any(fragment_on_line(frag, "\n".join(files.lines(p) or [])) for p in where)
            plain_name = re.fullmatch(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?:\(\))?", frag.strip()) is not None
            if plain_name and "." in frag and frag.split(".")[0] in STDLIB_MODULES and not anywhere:
                plain_name = False  # `socket.setdefaulttimeout()`: the standard library's behaviour
            v("explanation-fragment" if anywhere or plain_name else "explanation-illustration", f["path"], f["line"],
              f"`{frag}` neither on the finding's lines ({(span or '').strip()[:120]!r}) nor on a trace line"
              + ("" if anywhere else ", nor anywhere in the files the finding names"))
        for i, step in enumerate(trace):
            spath, sline = step["path"], step["line"]
            text = files.line(spath, sline)
            if text is None:
                v("missing-line", spath, sline, f"step {i + 1} cites a line not in the file")
                continue
            if step.get("code") and step["code"].strip() != text.strip():
                v("step-code", spath, sline, f"step {i + 1} code {step['code']!r} vs file {text.strip()!r}")
            for frag, _ in cited_fragments(step.get("note", "")):
                if fragment_on_line(frag, text) or frag.strip() in vocab:
                    continue
                if frag.endswith("()") and in_signature_of(files, spath, sline, frag[:-2]):
                    continue  # "parameter `x` of `f()`" on a later line of f's signature
                kind = "step-note-fragment"
                if frag == "__init__()" and CLASS_CALL.search(text):
                    kind = "init-at-class-call"
                v(kind, spath, sline, f"step {i + 1} note {step['note']!r}: `{frag}` not in {text.strip()!r}")
            if prod and is_test_path(spath, test_paths):
                v("source-in-test-code" if i == 0 else "step-in-test-code", spath, sline,
                  f"step {i + 1} of a finding in {f['path']}:{f['line']}")
    return out


STDLIB_MODULES = frozenset(getattr(sys, "stdlib_module_names", ()))
LINE_MENTION = re.compile(r"\blines? (?P<line>\d+)|(?P<path>[\w./-]+\.py):(?P<pline>\d+)")
CLASS_CALL = re.compile(r"\b[A-Z]\w*\s*\(")
PARAMETERS_OF = re.compile(r"parameters? (?P<params>`\w+`(?:(?:, | and )`\w+`)*) of `(?P<func>\w+)\(\)`")
"""``parameter `x` of `f()``` and ``parameters `x`, `y` and `z` of `f()```."""


def has_parameter(files: FileCache, rel: str, func: str, param: str) -> bool:
    """Whether ``rel`` defines a function ``func`` with a parameter ``param`` (read from its
    ``def`` line and the lines up to the one that closes the signature)."""
    lines = files.lines(rel) or []
    head = re.compile(r"^\s*(?:async\s+)?def\s+" + re.escape(func) + r"\s*[(\[]")
    for i, line in enumerate(lines):
        if head.match(line):
            sig = " ".join(lines[i:i + 80])
            sig = sig[:sig.find(":", sig.find(")")) + 1 or len(sig)]
            if re.search(r"[(,\s*]" + re.escape(param) + r"\s*[,:=)]", sig):
                return True
    return False


def in_signature_of(files: FileCache, rel: str, line: int, func: str) -> bool:
    """Whether ``line`` is a continuation line of the signature of ``def func(``."""
    lines = files.lines(rel) or []
    head = re.compile(r"^\s*(?:async\s+)?def\s+" + re.escape(func) + r"\s*[(\[]")
    for start in range(line - 2, max(-1, line - 82), -1):  # as far as has_parameter reads
        if head.match(lines[start]):
            before = "".join(lines[start:line - 1])
            return before.count("(") > before.count(")")
    return False


def enclosing_functions(files: FileCache, rel: str, line: int) -> set[str]:
    """Names of the functions (and classes) whose body holds ``line``, read by indentation."""
    lines = files.lines(rel) or []
    if not 1 <= line <= len(lines):
        return set()
    text = lines[line - 1]
    indent = len(text) - len(text.lstrip())
    names = set()
    for i in range(line - 2, -1, -1):
        cur = lines[i]
        if not cur.strip() or cur.lstrip().startswith(("#", "@")):
            continue
        ci = len(cur) - len(cur.lstrip())
        if ci < indent:
            m = re.match(r"\s*(?:async\s+)?(?:def|class)\s+(\w+)", cur)
            if m:
                names.add(m.group(1))
            indent = ci
            if ci == 0:
                break
    return names


def rule_vocabulary(command: list[str], env: dict, rule_ids) -> dict[str, set[str]]:
    """The backquoted fragments of each rule's documentation (``secreview explain RULE``)."""
    vocab = {}
    for rid in sorted(set(rule_ids)):
        proc = subprocess.run(command + ["explain", rid], capture_output=True, text=True, env=env)
        vocab[rid] = {m.group(1).strip() for m in BACKQUOTED.finditer(proc.stdout)} if proc.returncode == 0 else set()
    return vocab


def cmd_check(args) -> int:
    panel = read_panel(args.panel)
    src, reports = Path(args.src), Path(args.reports)
    all_v: list[Violation] = []
    n_findings = n_prod = 0
    vocabulary = {}
    if not args.no_vocabulary:
        base, env = secreview_command(args)
        ids = set()
        for project in panel:
            path = reports / f"{project.key}.json"
            if path.exists():
                ids.update(f["rule_id"] for f in json.loads(path.read_text(encoding="utf-8"))["findings"])
        vocabulary = rule_vocabulary(base, env, ids)
    for project in panel:
        path = reports / f"{project.key}.json"
        if not path.exists():
            continue
        report = json.loads(path.read_text(encoding="utf-8"))
        tp = _test_paths_arg(args) or project_test_paths(src / project.key)
        findings = report["findings"]
        if args.production_only:
            findings = [f for f in findings if not is_test_path(f["path"], tp)]
        n_findings += len(findings)
        n_prod += sum(not is_test_path(f["path"], tp) for f in findings)
        vs = check_report(report, src / project.key, project.key, tp, findings, vocabulary)
        all_v.extend(vs)
    print(check_summary(all_v, n_findings, n_prod, verbose=not args.quiet, limit=args.limit))
    if args.json:
        Path(args.json).write_text(json.dumps({"findings": n_findings, "outside_tests": n_prod,
                                               "violations": [x.as_dict() for x in all_v]}, indent=1) + "\n")
    return 1 if all_v and args.strict else 0


def check_summary(vs: list[Violation], n_findings: int, n_prod: int, verbose=True, limit=0) -> str:
    untrue = {x.finding for x in vs if x.kind not in NOT_UNTRUE}
    lines = [f"findings checked: {n_findings} ({n_prod} outside test code); violations: {len(vs)}; "
             f"findings with an untrue step or explanation (kinds other than {', '.join(sorted(NOT_UNTRUE))}): "
              f"{len(untrue)}", ""]
    by_kind = Counter(x.kind for x in vs)
    findings_hit = Counter()
    for kind in VIOLATION_KINDS:
        findings_hit[kind] = len({x.finding for x in vs if x.kind == kind})
    lines.append("| kind | violations | findings affected | meaning |")
    lines.append("|---|---:|---:|---|")
    for kind, meaning in VIOLATION_KINDS.items():
        lines.append(f"| {kind} | {by_kind[kind]} | {findings_hit[kind]} | {meaning} |")
    lines.append("")
    per_rule = defaultdict(Counter)
    for x in vs:
        per_rule[x.kind][x.rule] += 1
    for kind in VIOLATION_KINDS:
        if not per_rule[kind]:
            continue
        lines.append(f"{kind}: " + ", ".join(f"{r} {n}" for r, n in sorted(per_rule[kind].items(),
                                                                           key=lambda t: (-t[1], t[0]))))
    if verbose:
        lines.append("")
        for kind in VIOLATION_KINDS:
            group = [x for x in vs if x.kind == kind]
            if not group:
                continue
            lines.append(f"## {kind} ({len(group)})")
            shown = group if not limit else group[:limit]
            for x in sorted(shown, key=lambda x: (x.rule, x.project, x.path, x.line)):
                where = "" if (x.path, x.line) == (x.finding_path,
                                                   x.finding_line) else f" (finding {x.finding_path}:{x.finding_line})"
                lines.append(f"- {x.rule} {x.project}/{x.path}:{x.line}{where}: {x.detail}")
            if limit and len(group) > limit:
                lines.append(f"- ... {len(group) - limit} more")
            lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------- sampling

def allocate(counts: dict[str, int], size: int, min_per_rule: int = 1) -> dict[str, int]:
    """Sample size per rule: every rule ``min(count, min_per_rule)``, the rest in
    proportion to its count (largest remainders first, ties by rule name)."""
    alloc = {r: min(n, min_per_rule) for r, n in counts.items()}
    left = size - sum(alloc.values())
    if left <= 0:
        return alloc
    room = {r: counts[r] - alloc[r] for r in counts}
    total_room = sum(room.values())
    if total_room <= left:
        return dict(counts)
    total = sum(counts.values())
    quota = {r: left * counts[r] / total for r in counts}
    for r in counts:
        alloc[r] += min(room[r], int(quota[r]))
    left = size - sum(alloc.values())
    order = sorted(counts, key=lambda r: (-(quota[r] - int(quota[r])), -counts[r], r))
    while left > 0:
        progressed = False
        for r in order:
            if left and alloc[r] < counts[r]:
                alloc[r] += 1
                left -= 1
                progressed = True
        if not progressed:
            break
    return alloc


def finding_key(f: Finding) -> tuple:
    d = f.data
    return (f.run, f.project, d["path"], d["line"], d["col"], d["rule_id"], d.get("fingerprint", ""))


def draw_sample(findings: list[Finding], size: int, seed: int, min_per_rule: int = 1) -> list[Finding]:
    """A fixed-seed sample of the findings outside test code, stratified by rule, shuffled."""
    prod = sorted((f for f in findings if not f.test_code), key=finding_key)
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for f in prod:
        by_rule[f.rule].append(f)
    alloc = allocate({r: len(v) for r, v in by_rule.items()}, size, min_per_rule)
    rng = random.Random(seed)
    chosen = []
    for r in sorted(by_rule):
        chosen.extend(rng.sample(by_rule[r], alloc[r]))
    rng.shuffle(chosen)
    return chosen


def anon_id(seed: int, index: int) -> str:
    return f"F{seed % 1000:03d}-{index + 1:03d}"


def excerpt(root: Path, rel: str, line: int, end_line: int, context: int = CONTEXT_LINES) -> str:
    files = FileCache(root)
    lines = files.lines(rel)
    if lines is None:
        return "(file not found)"
    first = max(1, line - context)
    last = min(len(lines), max(line, end_line) + context)
    width = len(str(last))
    out = []
    for n in range(first, last + 1):
        mark = ">" if line <= n <= max(line, end_line) else " "
        out.append(f"{mark}{n:>{width}} | {lines[n - 1]}")
    return "\n".join(out)


def worksheet_markdown(sample: list[Finding], src: Path, population: Counter, seed: int, size: int,
                       blind: bool, header_note: str = "", run_labels: dict[str, str] | None = None) -> str:
    out = [f"# Precision audit worksheet (seed {seed}, {len(sample)} findings)", ""]
    if header_note:
        out += [header_note, ""]
    out += [
        "Judge each finding as `../shared/JUDGING.md` says. Fill in, in each finding's table:",
        "",
        "- **verdict**: `real`, `worth` (worth a look) or `false`;",
        "- **explanation true?**: `yes` or `no` (no when any sentence or trace step is untrue of the code);",
        "- **reason**: one line.",
        "",
        "The sample is drawn from findings outside test code, stratified by rule.",
        "",
        "## Population (findings outside test code, per rule)",
        "",
        "<!-- population: rule | findings -->",
        "| rule | findings | sampled |",
        "|---|---:|---:|",
    ]
    sampled = Counter(f.rule for f in sample)
    for rule in sorted(population, key=lambda r: r.split()[0]):
        out.append(f"| {rule} | {population[rule]} | {sampled[rule]} |")
    out += ["<!-- /population -->", ""]
    for i, f in enumerate(sample):
        d = f.data
        fid = anon_id(seed, i)
        out.append(f"## {fid} · {d['rule_id']} {d['rule_name']} · {f.project.rsplit('-', 1)[0] if blind else f.project}"
                   f" · `{d['path']}:{d['line']}`")
        out.append("")
        if not blind and run_labels:
            out.append(f"run: {run_labels.get(f.run, f.run)}  ")
        out.append(f"severity **{d['severity']}** · confidence **{d['confidence']}** · tags: "
                    f"{', '.join(d.get('tags', [])) or '-'}")
        out.append("")
        out.append("**Explanation.** " + d.get("explanation", "").replace("\n", " "))
        out.append("")
        if d.get("trace"):
            out.append("**Trace.**")
            out.append("")
            for j, s in enumerate(d["trace"], 1):
                out.append(f"{j}. `{s['path']}:{s['line']}` — "
                            f"{s['note']}" + (f" — `{s['code'].strip()}`" if s.get("code") else ""))
            out.append("")
        out.append("```")
        out.append(excerpt(src / f.project, d["path"], d["line"], d.get("end_line") or d["line"]))
        out.append("```")
        out.append("")
        out.append("| id | verdict | explanation true? | reason |")
        out.append("|---|---|---|---|")
        out.append(f"| {fid} |  |  |  |")
        out.append("")
    return "\n".join(out) + "\n"


def cmd_sample(args) -> int:
    panel = read_panel(args.panel)
    src = Path(args.src)
    findings: list[Finding] = []
    for reports in args.reports:
        findings.extend(load_findings(panel, src, Path(reports), _test_paths_arg(args)))
    run_populations = defaultdict(Counter)
    for f in findings:
        if not f.test_code:
            run_populations[f.run][f.rule] += 1
    runs_of: dict[int, list[str]] = {}
    confidence_of: dict[int, dict[str, str]] = {}  # a finding judged once may differ in confidence per run
    if args.dedupe and len(args.reports) > 1:
        # the same finding (same project, rule, path, line, explanation, trace) in two runs is
        # judged once, and counts for every run that reported it
        first: dict[tuple, Finding] = {}
        kept = []
        for f in sorted(findings, key=finding_key):
            k = (f.project, f.data["rule_id"], f.data["path"], f.data["line"], f.data["explanation"],
                 json.dumps(f.data.get("trace", []), sort_keys=True))
            if k in first:
                runs_of[id(first[k])].append(f.run)
                confidence_of[id(first[k])][f.run] = f.data.get("confidence", "")
                continue
            first[k] = f
            runs_of[id(f)] = [f.run]
            confidence_of[id(f)] = {f.run: f.data.get("confidence", "")}
            kept.append(f)
        findings = kept
    sample = draw_sample(findings, args.size, args.seed, args.min_per_rule)
    population = Counter(f.rule for f in findings if not f.test_code)
    labels = {str(Path(r)): f"run {i + 1}" for i, r in enumerate(args.reports)}
    text = worksheet_markdown(sample, src, population, args.seed, args.size, args.blind, args.note or "",
                              None if args.blind or len(args.reports) < 2 else labels)
    Path(args.worksheet).write_text(text, encoding="utf-8")
    if args.key:
        key = {anon_id(args.seed, i): {"run": f.run, "runs": runs_of.get(id(f), [f.run]), "project": f.project,
                                        "path": f.data["path"], "line": f.data["line"], "rule": f.rule,
                                        "fingerprint": f.data.get("fingerprint", ""),
                                        "confidence": confidence_of.get(id(f), {f.run: f.data.get("confidence", "")})}
               for i, f in enumerate(sample)}
        Path(args.key).write_text(json.dumps({"findings": key, "populations": run_populations},
                                             indent=1, sort_keys=True) + "\n")
    print(f"{len(sample)} findings sampled from {sum(population.values())} outside test code "
          f"({len(population)} rules); worksheet {args.worksheet}")
    return 0


# --------------------------------------------------------------------------- scoring

ROW = re.compile(r"^\|\s*(F\d+-\d+)\s*\|\s*([^|]*?)\s*\|\s*([^|]*?)\s*\|\s*(.*?)\s*\|\s*$")
HEAD = re.compile(r"^## (F\d+-\d+) · (SR\d+) (\S+) · ")
CONF = re.compile(r"confidence \*\*(\w+)\*\*")
POP_ROW = re.compile(r"^\|\s*(SR\d+ \S+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*$")


@dataclass
class Judged:
    fid: str
    rule: str
    confidence: str
    verdict: str
    explanation_true: bool
    reason: str
    run: str = ""


def _norm_verdict(text: str) -> str:
    t = text.strip().lower().strip("*").strip()
    if t.startswith("real"):
        return "real"
    if t.startswith("worth"):
        return "worth"
    if t.startswith("false"):
        return "false"
    return ""


def parse_worksheet(text: str) -> tuple[list[Judged], Counter]:
    """The judged findings of a worksheet, and its population table (rule -> findings)."""
    judged: list[Judged] = []
    population: Counter = Counter()
    current: dict = {}
    in_pop = False
    for line in text.splitlines():
        if line.startswith("<!-- population"):
            in_pop = True
            continue
        if line.startswith("<!-- /population"):
            in_pop = False
            continue
        if in_pop:
            m = POP_ROW.match(line)
            if m:
                population[m.group(1)] = int(m.group(2))
            continue
        m = HEAD.match(line)
        if m:
            current = {"fid": m.group(1), "rule": f"{m.group(2)} {m.group(3)}", "confidence": ""}
            continue
        m = CONF.search(line)
        if m and current and not current["confidence"]:
            current["confidence"] = m.group(1)
            continue
        m = ROW.match(line)
        if m and current and m.group(1) == current["fid"]:
            verdict = _norm_verdict(m.group(2))
            if not verdict:
                raise ValueError(f"{current['fid']}: no verdict (real, worth or false): {m.group(2)!r}")
            etrue = m.group(3).strip().lower().strip("*")
            if etrue not in ("yes", "no", "y", "n"):
                raise ValueError(f"{current['fid']}: explanation true? must be yes or no: {m.group(3)!r}")
            judged.append(Judged(current["fid"], current["rule"], current["confidence"], verdict,
                                 etrue.startswith("y"), m.group(4)))
            current = {}
    return judged, population


def effective(j: Judged) -> str:
    """The verdict counted for precision: an untrue explanation makes the finding false."""
    return "false" if not j.explanation_true else j.verdict


def score(judged: list[Judged], population: Counter) -> dict:
    per_rule: dict[str, Counter] = defaultdict(Counter)
    for j in judged:
        c = per_rule[j.rule]
        c["sampled"] += 1
        c[effective(j)] += 1
        c["judged_" + j.verdict] += 1
        if not j.explanation_true:
            c["untrue"] += 1
        if j.confidence == "high":
            c["high"] += 1
            if effective(j) == "false":
                c["high_false"] += 1
    n = len(judged)
    tot = Counter()
    for c in per_rule.values():
        tot.update(c)

    def rate(a, b):
        return a / b if b else float("nan")

    res = {
        "sampled": n,
        "real": tot["real"], "worth": tot["worth"], "false": tot["false"], "untrue": tot["untrue"],
        "judged_real": tot["judged_real"], "judged_worth": tot["judged_worth"], "judged_false": tot["judged_false"],
        "strict": rate(tot["real"], n), "lenient": rate(tot["real"] + tot["worth"], n),
        "false_rate": rate(tot["false"], n),
        "high": tot["high"], "high_false": tot["high_false"], "high_false_rate": rate(tot["high_false"], tot["high"]),
        "per_rule": {r: dict(c) for r, c in sorted(per_rule.items())},
    }
    # weighted by each rule's share of all findings outside test code (rules never sampled
    # carry no weight: they cannot be estimated)
    weights = {r: population.get(r, 0) for r in per_rule}
    wsum = sum(weights.values())
    if wsum:
        def wrate(num):
            return sum(weights[r] * num(per_rule[r]) / per_rule[r]["sampled"] for r in per_rule) / wsum
        res["weighted"] = {
            "strict": wrate(lambda c: c["real"]),
            "lenient": wrate(lambda c: c["real"] + c["worth"]),
            "false_rate": wrate(lambda c: c["false"]),
            "untrue_rate": wrate(lambda c: c["untrue"]),
            "population": wsum,
        }
        hw = {r: population.get(r, 0) * per_rule[r]["high"] / per_rule[r]["sampled"] for r in per_rule}
        hsum = sum(hw[r] for r in per_rule if per_rule[r]["high"])
        res["weighted"]["high_false_rate"] = (
            sum(hw[r] * per_rule[r]["high_false"] / per_rule[r]["high"] for r in per_rule if per_rule[r]["high"]) / hsum
            if hsum else float("nan"))
    return res


def score_markdown(res: dict, population: Counter) -> str:
    def pct(x):
        return "—" if x != x else f"{100 * x:.1f} %"

    n = res["sampled"]
    lines = [
        f"Sampled and judged: **{n}** findings.",
        "",
        "| figure | unweighted | weighted by rule share |",
        "|---|---:|---:|",
    ]
    w = res.get("weighted", {})
    lines.append(f"| strict precision (real / sampled) | {res['real']}/{n} = {pct(res['strict'])} | "
                  f"{pct(w.get('strict', float('nan')))} |")
    lines.append(f"| lenient precision ((real + worth a look) / sampled) | {res['real'] + res['worth']}/{n} = "
                  f"{pct(res['lenient'])} | {pct(w.get('lenient', float('nan')))} |")
    lines.append(f"| false rate | {res['false']}/{n} = {pct(res['false_rate'])} | "
                  f"{pct(w.get('false_rate', float('nan')))} |")
    lines.append(f"| false rate among high-confidence findings | {res['high_false']}/{res['high']} = "
                  f"{pct(res['high_false_rate'])} | {pct(w.get('high_false_rate', float('nan')))} |")
    lines.append(f"| untrue explanations | {res['untrue']}/{n} = {pct(res['untrue'] / n if n else float('nan'))} | "
                  f"{pct(w.get('untrue_rate', float('nan')))} |")
    lines.append("")
    lines.append(f"Verdicts as judged, before untrue explanations count as false: real {res['judged_real']}, "
                 f"worth a look {res['judged_worth']}, false {res['judged_false']}.")
    lines.append("")
    lines.append("| rule | findings outside tests | sampled | real | worth a look | false | untrue expl. | high conf. "
                 "| high conf. false |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for rule in sorted(set(population) | set(res["per_rule"]), key=lambda r: r.split()[0]):
        c = res["per_rule"].get(rule, {})
        lines.append(f"| {rule} | {population.get(rule, 0)} | {c.get('sampled', 0)} | {c.get('real', 0)} | "
                     f"{c.get('worth', 0)} | {c.get('false', 0)} | {c.get('untrue', 0)} | {c.get('high', 0)} | "
                      f"{c.get('high_false', 0)} |")
    unsampled = [r for r in population if r not in res["per_rule"]]
    if unsampled:
        lines.append("")
        lines.append(f"Rules with findings but none sampled (no weight): {', '.join(sorted(unsampled))}.")
    return "\n".join(lines)


def cmd_score(args) -> int:
    text = Path(args.worksheet).read_text(encoding="utf-8")
    judged, population = parse_worksheet(text)
    if args.key:
        key = json.loads(Path(args.key).read_text())
        groups = defaultdict(list)
        for j in judged:
            entry = key["findings"].get(j.fid, {})
            for run in entry.get("runs", [entry.get("run", "?")]):
                # the worksheet shows one run's confidence; each run is scored with its own
                own = entry.get("confidence", {}).get(run)
                groups[run].append(replace(j, confidence=own) if own else j)
        for run, js in sorted(groups.items()):
            pop = Counter(key.get("populations", {}).get(run, {})) or population
            print(f"### {run}\n")
            print(score_markdown(score(js, pop), pop))
            print()
    res = score(judged, population)
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1) + "\n")
    print(score_markdown(res, population))
    if args.list_false:
        print()
        for j in judged:
            if effective(j) == "false":
                print(f"- {j.fid} {j.rule}: {j.reason}" + ("" if j.explanation_true else " (explanation untrue)"))
    return 0


_LEVELS = {"low": 1, "medium": 2, "high": 3}


def carry(judged_sets, reports: list[dict], min_confidence: str = "medium") -> dict:
    """Judged findings carried onto new reports by place (project, rule, file, line) or, where the line moved,
    by ``(project, fingerprint)`` when one finding has it: what a later version shows of
    findings already judged. ``judged_sets``: ``(judged findings, key)`` pairs (``parse_worksheet`` and the
    ``sample --key`` file); ``reports``: ``{project: report}`` dicts. A finding judged more than once (a
    reworded one in a pooled sample) counts once, with the verdict of the id seen last. Returns the counts of
    effective verdicts among the judged findings shown (at ``min_confidence`` or above), below it and gone,
    and the high-confidence ones."""
    # keyed by place as well: a fingerprint is rule, file and code, so identical code in one file (alerta's 18
    # ``select = f"""`` constructions) gives one fingerprint to several findings, each judged on its own
    verdicts: dict = {}
    for judged, key in judged_sets:
        for j in judged:
            entry = key["findings"].get(j.fid)
            if entry is not None:
                rule = (entry.get("rule") or "").split(" ")[0]
                verdicts[(entry["project"], entry["fingerprint"], rule, entry.get("path"), entry.get("line"))] = j
    now: dict = {}
    at: dict = {}
    for by_project in reports:
        for project, report in by_project.items():
            for f in report.get("findings", []):
                now.setdefault((project, f.get("fingerprint")), []).append(f)
                at.setdefault((project, f.get("rule_id"), f.get("line")), []).append(f)
    out = {"judged": len(verdicts), "shown": Counter(), "below": Counter(), "gone": Counter(),
           "high": Counter(), "lost": []}
    for k, j in sorted(verdicts.items(), key=lambda item: tuple(str(x) for x in item[0])):
        verdict = effective(j)
        project, fingerprint, rule, path, line = k
        placed = [f for f in at.get((project, rule, line), []) if path and
                  str(f.get("path", "")).replace("\\", "/").endswith(path)]
        same = now.get((project, fingerprint), [])
        f = placed[0] if placed else same[0] if len(same) == 1 else None
        if f is None:
            out["gone"][verdict] += 1
        elif _LEVELS.get(f.get("confidence"), 0) >= _LEVELS[min_confidence]:
            out["shown"][verdict] += 1
            if f.get("confidence") == "high":
                out["high"][verdict] += 1
        else:
            out["below"][verdict] += 1
        if verdict != "false" and (f is None or _LEVELS.get(f.get("confidence"), 0) < _LEVELS[min_confidence]):
            out["lost"].append((j.fid, j.rule, project, j.reason))
    return out


def shown_figures(judged_sets, reports: list[dict], min_confidence: str = "medium") -> dict:
    """The figures of a version's reports counted over the findings it shows (at ``min_confidence`` or above),
    each once, with the verdict judged at its place (project, rule, file, line; of the set given last where
    several were judged there, a reworded one), else at the one judged place of its ``(project, fingerprint)``:
    ``shown``, ``judged``, effective verdicts (``Counter``), ``high`` verdicts, ``untrue`` explanations and the
    ``unjudged`` findings ``(project, rule, path, line)``. ``carry`` counts judged findings instead, so that two
    judged places that both match one finding count twice there."""
    by_place: dict = {}  # (project, rule, line) -> {path: verdict}
    by_print: dict = {}
    for judged, key in judged_sets:
        for j in judged:
            entry = key["findings"].get(j.fid)
            if entry is None:
                continue
            rule = (entry.get("rule") or "").split(" ")[0]
            by_place.setdefault((entry["project"], rule, entry.get("line")), {})[entry.get("path")] = j
            by_print.setdefault((entry["project"], entry["fingerprint"]), {})[(entry.get("path"),
                                                                               entry.get("line"))] = j
    out = {"shown": 0, "judged": 0, "verdicts": Counter(), "high": Counter(), "untrue": 0, "unjudged": []}
    for by_project in reports:
        for project, report in sorted(by_project.items()):
            for f in report.get("findings", []):
                if _LEVELS.get(f.get("confidence"), 0) < _LEVELS[min_confidence]:
                    continue
                out["shown"] += 1
                path = str(f.get("path", "")).replace("\\", "/")
                placed = by_place.get((project, f.get("rule_id"), f.get("line")), {})
                j = next((v for jp, v in placed.items() if jp and path.endswith(jp)), None)
                if j is None:
                    same = by_print.get((project, f.get("fingerprint")), {})
                    j = next(iter(same.values())) if len(same) == 1 else None
                if j is None:
                    out["unjudged"].append((project, f.get("rule_id"), path, f.get("line")))
                    continue
                out["judged"] += 1
                verdict = effective(j)
                out["verdicts"][verdict] += 1
                if f.get("confidence") == "high":
                    out["high"][verdict] += 1
                out["untrue"] += not j.explanation_true
    return out


def _judged_sets(pairs) -> list:
    sets = []
    for worksheet, key in pairs:
        judged, _ = parse_worksheet(Path(worksheet).read_text(encoding="utf-8"))
        sets.append((judged, json.loads(Path(key).read_text())))
    return sets


def _report_folders(folders) -> list:
    reports = []
    for folder in folders:
        loaded = {p.stem: json.loads(p.read_text()) for p in sorted(Path(folder).glob("*.json"))}
        # the folder may also hold the run list and ``check``'s output: only secreview reports count
        reports.append({name: r for name, r in loaded.items()
                        if isinstance(r, dict) and isinstance(r.get("findings"), list)})
    return reports


def cmd_shown(args) -> int:
    res = shown_figures(_judged_sets(args.judged), _report_folders(args.reports), args.min_confidence)
    v, h = res["verdicts"], res["high"]
    share = f"{100 * v['false'] / res['judged']:.1f} %" if res["judged"] else "-"
    print(f"shown at {args.min_confidence} confidence or above: {res['shown']}, judged {res['judged']}: real "
          f"{v['real']}, worth a look {v['worth']}, false {v['false']} ({share}); high confidence {sum(h.values())}, "
          f"false {h['false']}; explanations untrue {res['untrue']}")
    for project, rule, path, line in res["unjudged"]:
        print(f"- not judged: {project} {rule} {path}:{line}")
    return 0


def cmd_carry(args) -> int:
    res = carry(_judged_sets(args.judged), _report_folders(args.reports), args.min_confidence)

    def row(c: Counter) -> str:
        return f"{sum(c.values())} (real {c['real']}, worth a look {c['worth']}, false {c['false']})"
    print(f"judged findings: {res['judged']}")
    print(f"shown at {args.min_confidence} confidence or above: {row(res['shown'])}; "
          f"high confidence: {row(res['high'])}")
    print(f"below it: {row(res['below'])}; gone: {row(res['gone'])}")
    for fid, rule, project, reason in res["lost"]:
        print(f"- real or worth a look, not shown: {fid} {rule} {project}: {reason}")
    return 0


def fill_worksheet(text: str, judgments: dict[str, tuple[str, str, str]]) -> tuple[str, list[str]]:
    """Write judgments (id -> verdict, explanation true?, reason) into a worksheet's rows;
    returns the new text and the ids of the worksheet that got none."""
    missing = []
    out = []
    for line in text.splitlines():
        m = ROW.match(line)
        if m and m.group(1) in judgments:
            verdict, etrue, reason = judgments[m.group(1)]
            line = f"| {m.group(1)} | {verdict} | {etrue} | {reason.replace('|', '/')} |"
        elif m and not m.group(2).strip():
            missing.append(m.group(1))
        out.append(line)
    return "\n".join(out) + "\n", missing


def cmd_fill(args) -> int:
    judgments = {}
    for n, line in enumerate(Path(args.judgments).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 4 or not _norm_verdict(parts[1]) or parts[2].strip().lower() not in ("yes", "no"):
            raise SystemExit(f"{args.judgments}:{n}: expected ID<TAB>real|worth|false<TAB>yes|no<TAB>reason")
        judgments[parts[0].strip()] = (_norm_verdict(parts[1]), parts[2].strip().lower(), parts[3].strip())
    text, missing = fill_worksheet(Path(args.worksheet).read_text(encoding="utf-8"), judgments)
    Path(args.output or args.worksheet).write_text(text, encoding="utf-8")
    if missing:
        print(f"not judged: {', '.join(missing)}", file=sys.stderr)
    return 1 if missing else 0


# --------------------------------------------------------------------------- CLI

def _test_paths_arg(args):
    return tuple(args.test_paths) if getattr(args, "test_paths", None) else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)

    def common(p, src=True, src_required=True):
        p.add_argument("panel", help="panel TOML file ([[project]] name, version, kind, why)")
        if src:
            p.add_argument("src", nargs=None if src_required else "?",
                           help="folder holding the unpacked sdists as NAME-VERSION/")
        p.add_argument("--test-paths", action="append", metavar="PATTERN",
                       help="test-code patterns (gitignore style), replacing the project's and the defaults")

    p = sub.add_parser("review", help="review every project of the panel; keep the JSON reports")
    common(p)
    p.add_argument("--reports", required=True, help="folder for the JSON reports")
    p.add_argument("--pythonpath", help="put this folder (a checkout's src/) first on PYTHONPATH")
    p.add_argument("--secreview", help="the secreview command (default: this python -m secreview)")
    p.add_argument("--args", default="", help="extra arguments for secreview review")
    p.add_argument("--only", action="append", help="review only this project (repeatable)")
    p.set_defaults(func=cmd_review)

    p = sub.add_parser("counts", help="findings per rule and project")
    common(p, src_required=False)
    p.add_argument("--reports", required=True)
    p.set_defaults(func=cmd_counts)

    p = sub.add_parser("check", help="mechanical check of all findings against the files")
    common(p)
    p.add_argument("--reports", required=True)
    p.add_argument("--json", help="write the violations as JSON")
    p.add_argument("--quiet", action="store_true", help="counts only, no list of violations")
    p.add_argument("--limit", type=int, default=0, help="list at most this many violations per kind")
    p.add_argument("--production-only", action="store_true", help="check only findings outside test code")
    p.add_argument("--strict", action="store_true", help="exit 1 when there is any violation")
    p.add_argument("--pythonpath", help="the secreview whose `explain` gives each rule's vocabulary (its src/)")
    p.add_argument("--secreview", help="the secreview command for `explain` (default: this python -m secreview)")
    p.add_argument("--no-vocabulary", action="store_true",
                   help="do not accept rule-documentation fragments as illustrations in explanations")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("sample", help="draw a stratified sample and write a worksheet")
    common(p)
    p.add_argument("--reports", required=True, action="append",
                   help="folder of JSON reports (repeatable: several runs are pooled)")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--size", type=int, default=100)
    p.add_argument("--min-per-rule", type=int, default=2, help="every rule at least this many times (default 2)")
    p.add_argument("--worksheet", required=True, help="the markdown worksheet to write")
    p.add_argument("--blind", action="store_true",
                   help="show nothing that tells which run or version a finding came from")
    p.add_argument("--key", help="write the id -> run/project/path key here (keep it away from the judge)")
    p.add_argument("--dedupe", action="store_true", help="with several runs, keep one of identical findings")
    p.add_argument("--note", help="a line to put at the top of the worksheet")
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("score", help="figures from a judged worksheet")
    p.add_argument("worksheet")
    p.add_argument("--key", help="the key written by sample --key: figures per run as well (a finding "
                   "identical in several runs counts for each; each run weighted by its own population)")
    p.add_argument("--json", help="write the figures as JSON")
    p.add_argument("--list-false", action="store_true", help="list every finding counted false, with its reason")
    p.set_defaults(func=cmd_score)

    for name, func, help_text, judged_help in (
            ("carry", cmd_carry, "judged findings carried onto new reports (by fingerprint)",
             "a judged worksheet and its key (repeatable)"),
            ("shown", cmd_shown, "figures of new reports over the findings they show, each judged at its place",
             "a judged worksheet and its key (repeatable; where two judged one place, the later counts)")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--judged", nargs=2, action="append", required=True, metavar=("WORKSHEET", "KEY"),
                       help=judged_help)
        p.add_argument("--reports", action="append", required=True, help="folder of JSON reports (repeatable)")
        p.add_argument("--min-confidence", choices=("low", "medium", "high"), default="medium")
        p.set_defaults(func=func)

    p = sub.add_parser("fill", help="write judgments from a TSV file into a worksheet")
    p.add_argument("worksheet")
    p.add_argument("judgments", help="lines of ID<TAB>real|worth|false<TAB>yes|no<TAB>reason")
    p.add_argument("--output", help="write here instead of over the worksheet")
    p.set_defaults(func=cmd_fill)

    args = ap.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
