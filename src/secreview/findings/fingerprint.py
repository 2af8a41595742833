"""A finding's fingerprint: what identifies it across runs and line moves."""

from __future__ import annotations

import hashlib

from secreview.findings.model import Finding

IDENTITY_CODE_LINES = 6
"""How many lines of a finding's ``code`` identify it (fingerprints and baselines). A finding's
``code`` holds its whole span; its identity keeps to the first six lines, the ones ``code`` held
before it held them all, so that fingerprints and baselines written then still match."""


def identity_code(code: str) -> str:
    """The first ``IDENTITY_CODE_LINES`` lines of ``code``, whitespace collapsed."""
    if code.count("\n") >= IDENTITY_CODE_LINES:
        code = "\n".join(code.split("\n", IDENTITY_CODE_LINES)[:IDENTITY_CODE_LINES])
    return " ".join(code.split())


def fingerprint(finding: Finding) -> str:
    """Stable across runs and line moves: rule, file and the normalised code (its first lines)."""
    code = identity_code(finding.code)
    data = f"{finding.rule_id}\0{finding.path}\0{code}".encode()
    return hashlib.sha256(data).hexdigest()[:32]
