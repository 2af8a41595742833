"""Every model claim checked against the files before it may reach a report; failing closed.

A finding claim passes when: its path is a reviewed file (or, when one file was sent, is
omitted); its lines lie in the code under review; its ``quote`` equals the file's text at
``start_line``..``end_line`` (line by line, modulo leading and trailing whitespace); every
name in ``identifiers`` occurs, as a whole name, in those lines; the names it writes between
backticks in its title and explanation occur in the files sent; and its CWE was offered. A
piece of triage evidence passes the same path, line and quote checks against any line that
was sent. What fails is counted under one of the ``REASONS``.
"""

from __future__ import annotations

import builtins
import keyword
import re
from dataclasses import dataclass

from secreview.findings.model import Evidence, Level
from secreview.llm.context import Facts

PATH_MISSING = "path missing (several files were sent)"
PATH_NOT_REVIEWED = "path not a reviewed file"
OUTSIDE = "lines outside the code under review"
LINES_NOT_SENT = "lines not sent to the model"
QUOTE = "quote not in file"
IDENTIFIER = "identifier not in the quoted lines"
CWE = "CWE not offered"
NAMES = "explanation names code not in the file"
MALFORMED = "malformed claim"
TOO_MANY = "too many claims"
UNKNOWN_FINDING = "triage of an unknown finding"
REASONS = (QUOTE, IDENTIFIER, CWE, NAMES, PATH_MISSING, PATH_NOT_REVIEWED, OUTSIDE, LINES_NOT_SENT, MALFORMED,
           TOO_MANY, UNKNOWN_FINDING)

_NAME = re.compile(r"\A[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\Z")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SPAN = re.compile(r"`+([^`]+?)`+")
_KNOWN = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins)) | {"self", "cls"}


class Failed(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class VerifiedFinding:
    path: str
    line: int
    end_line: int
    code: str
    """The file's text at the lines (not the model's quote)."""
    cwe: int
    title: str
    explanation: str
    fix: str
    confidence: Level
    """The model's confidence, never above medium."""


class Verifier:
    """Checks claims of one answer against the files (``lines``) and what the request showed."""

    def __init__(self, lines: dict[str, list[str]], facts: Facts, unit_path: str, unit_lines: tuple[int, int]):
        self.lines = lines
        self.facts = facts
        self.unit_path = unit_path
        self.unit_lines = unit_lines
        self._words: set[str] | None = None

    def _path(self, claim: dict) -> str:
        path = claim.get("path")
        if path is None:
            if len(self.facts.files) != 1:
                raise Failed(PATH_MISSING)
            return self.facts.files[0]
        path = path.strip()
        if path.startswith("./") and path not in self.lines:
            path = path[2:]
        if path not in self.lines:
            raise Failed(PATH_NOT_REVIEWED)
        return path

    def _quoted(self, path: str, claim: dict) -> str:
        start, end = claim["start_line"], claim["end_line"]
        file_lines = self.lines[path]
        if end > len(file_lines):
            raise Failed(QUOTE)
        actual = file_lines[start - 1:end]
        quoted = claim["quote"].replace("\r\n", "\n").replace("\r", "\n").strip("\n").split("\n")
        if [q.strip() for q in quoted] != [a.strip() for a in actual]:
            raise Failed(QUOTE)
        return "\n".join(actual)

    def _file_words(self) -> set[str]:
        if self._words is None:
            words: set[str] = set()
            for path in self.facts.files:
                for line in self.lines.get(path, ()):
                    words.update(_WORD.findall(line))
            self._words = words
        return self._words

    def _names_known(self, *texts: str) -> None:
        words = self._file_words()
        for text in texts:
            for span in _SPAN.findall(text):
                for word in _WORD.findall(span):
                    if word not in words and word not in _KNOWN:
                        raise Failed(NAMES)

    def finding(self, claim: dict) -> VerifiedFinding:
        path = self._path(claim)
        start, end = claim["start_line"], claim["end_line"]
        if path != self.unit_path or start < self.unit_lines[0] or end > self.unit_lines[1]:
            raise Failed(OUTSIDE)
        if not set(range(start, end + 1)) <= self.facts.sent.get(path, set()):
            raise Failed(LINES_NOT_SENT)
        code = self._quoted(path, claim)
        for name in claim["identifiers"]:
            name = name.strip()
            if not _NAME.match(name) or not re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", code):
                raise Failed(IDENTIFIER)
        if claim["cwe"] not in self.facts.offered:
            raise Failed(CWE)
        self._names_known(claim["title"], claim["explanation"])
        confidence = min(Level.parse(claim.get("confidence", "low")), Level.MEDIUM)
        return VerifiedFinding(path, start, end, code, claim["cwe"], " ".join(claim["title"].split()),
                               claim["explanation"].strip(), claim.get("fix", "").strip(), confidence)

    def evidence(self, item: dict) -> Evidence:
        path = self._path(item)
        start, end = item["start_line"], item["end_line"]
        if not set(range(start, end + 1)) <= self.facts.sent.get(path, set()):
            raise Failed(LINES_NOT_SENT)
        return Evidence(path, start, end, self._quoted(path, item))

    def reason(self, text: str) -> None:
        self._names_known(text)
