"""Baselines: the findings a project has accepted for now, so that only new ones are reported.

``secreview baseline FILE [PATH...]`` writes the current findings to ``FILE``;
``--baseline FILE`` (on ``review`` and ``diff``) then leaves out every finding
the baseline lists.

A finding is identified without its line number, by

* its rule id,
* its file, relative to the directory of the baseline file (so that the
  baseline matches whether the review was started there, in a subdirectory,
  or by ``secreview diff``, whose paths are relative to the repository),
* its code (the source lines of the finding, whitespace collapsed; the first six
  lines of a longer span, as ``fingerprint.identity_code`` gives them), and
* its scope: the qualified name of the innermost function or class around it
  (``Handler.get``), or ``<module>``.

Inserting lines above a finding, re-indenting it or moving its function within
the file leaves all four unchanged. Identical findings (same four values) are
counted: a file with three of them where the baseline has two reports one as
new. Renaming the file or the function, or editing the finding's own line,
makes it new.

The file is JSON, sorted and without timestamps, so that it diffs well under
version control::

    {
      "secreview_baseline": 1,
      "findings": [
        {"rule_id": "SR101", "rule_name": "command-injection", "path": "app/views.py",
         "scope": "ping", "code": "os.system(\\"ping \\" + host)", "count": 1}
      ]
    }
"""

from __future__ import annotations

import ast
import json
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from secreview.findings.fingerprint import identity_code
from secreview.findings.model import Finding, ReviewResult

BASELINE_VERSION = 1

Key = tuple[str, str, str, str]
"""(rule id, path relative to the baseline, normalised code, scope)."""


class BaselineError(Exception):
    """A baseline file that cannot be read; the message names the file."""


def normalise_code(code: str) -> str:
    return " ".join(code.split())


class Scopes:
    """The innermost function or class around each line of one file."""

    def __init__(self, lines: Sequence[str]):
        self._defs: list[tuple[int, int, str]] = []
        text = "\n".join(lines)
        try:
            from secreview.parse.frontend import parse_source

            tree = parse_source(text).tree
        except Exception:  # noqa: BLE001 - a scope is a nicety; never fail a review for it
            return
        self._walk(tree, "")

    def _walk(self, node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                end = getattr(child, "end_lineno", None) or child.lineno
                self._defs.append((child.lineno, end, name))
                self._walk(child, name + ".")
            else:
                self._walk(child, prefix)

    def at(self, line: int) -> str:
        best = None
        for first, last, name in self._defs:
            if first <= line <= last and (best is None or first >= best[0]):
                best = (first, name)
        return best[1] if best else "<module>"


def relative_path(display: str, base_dir: Path, baseline_dir: Path) -> str:
    """``display`` (a path as the review printed it, relative to ``base_dir``) relative to ``baseline_dir``."""
    if display.startswith("<"):
        return display
    full = Path(display) if os.path.isabs(display) else base_dir / display
    try:
        rel = os.path.relpath(os.path.abspath(full), os.path.abspath(baseline_dir))
    except ValueError:  # another drive
        return display.replace("\\", "/")
    return rel.replace(os.sep, "/")


class _Keys:
    def __init__(self, lines_by_path: Mapping[str, Sequence[str]], base_dir: Path, baseline_dir: Path):
        self.lines_by_path = lines_by_path
        self.base_dir = base_dir
        self.baseline_dir = baseline_dir
        self._scopes: dict[str, Scopes] = {}

    def key(self, finding: Finding) -> Key:
        scopes = self._scopes.get(finding.path)
        if scopes is None:
            scopes = self._scopes[finding.path] = Scopes(self.lines_by_path.get(finding.path, ()))
        path = relative_path(finding.path, self.base_dir, self.baseline_dir)
        return (finding.rule_id, path, identity_code(finding.code), scopes.at(finding.span.line))


@dataclass
class Baseline:
    counts: Counter
    """How many findings of each key the baseline accepts."""
    directory: Path
    """Paths in the baseline are relative to this directory."""

    @classmethod
    def load(cls, file: Path) -> Baseline:
        try:
            doc = json.loads(Path(file).read_text(encoding="utf-8"))
        except OSError as exc:
            raise BaselineError(f"{file}: cannot read the baseline: {exc.strerror or exc}") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BaselineError(f"{file}: not a JSON baseline: {exc}") from None
        if not isinstance(doc, dict) or doc.get("secreview_baseline") != BASELINE_VERSION:
            raise BaselineError(f"{file}: not a secreview baseline (version {BASELINE_VERSION})")
        counts: Counter = Counter()
        entries = doc.get("findings")
        if not isinstance(entries, list):
            raise BaselineError(f"{file}: 'findings' must be a list")
        for entry in entries:
            try:
                key = (str(entry["rule_id"]), str(entry["path"]), normalise_code(str(entry["code"])),
                       str(entry.get("scope", "<module>")))
                count = int(entry.get("count", 1))
            except (KeyError, TypeError, ValueError, AttributeError):
                raise BaselineError(f"{file}: malformed entry {entry!r}") from None
            counts[key] += max(count, 0)
        return cls(counts, Path(os.path.abspath(file)).parent)

    def filter(self, result: ReviewResult, lines_by_path: Mapping[str, Sequence[str]], base_dir: Path) -> None:
        """Drop the findings of ``result`` the baseline accepts; count them in ``result.baselined``."""
        keys = _Keys(lines_by_path, base_dir, self.directory)
        remaining = Counter(self.counts)
        kept = []
        for finding in sorted(result.findings, key=Finding.sort_key):
            key = keys.key(finding)
            if remaining[key] > 0:
                remaining[key] -= 1
                result.baselined += 1
                continue
            kept.append(finding)
        result.findings = kept


def document(result: ReviewResult, lines_by_path: Mapping[str, Sequence[str]], base_dir: Path,
             baseline_file: Path, tool_version: str | None = None) -> dict:
    """The baseline of ``result``'s findings, as JSON data."""
    keys = _Keys(lines_by_path, base_dir, Path(os.path.abspath(baseline_file)).parent)
    counts: Counter = Counter()
    names: dict[str, str] = {}
    for finding in result.findings:
        counts[keys.key(finding)] += 1
        names[finding.rule_id] = finding.rule_name
    entries = [
        {"rule_id": rule_id, "rule_name": names.get(rule_id, ""), "path": path, "scope": scope,
         "code": code, "count": n}
        for (rule_id, path, code, scope), n in sorted(counts.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][3],
                                                                                      kv[0][2]))
    ]
    doc: dict = {"secreview_baseline": BASELINE_VERSION}
    if tool_version:
        doc["tool_version"] = tool_version
    doc["findings"] = entries
    return doc


def write(result: ReviewResult, lines_by_path: Mapping[str, Sequence[str]], base_dir: Path,
          baseline_file: Path, tool_version: str | None = None) -> int:
    """Write the baseline; the number of findings it holds."""
    doc = document(result, lines_by_path, base_dir, baseline_file, tool_version)
    Path(baseline_file).write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return sum(entry["count"] for entry in doc["findings"])
