"""A finding's fingerprint: what identifies it across runs and line moves."""

from __future__ import annotations

import hashlib

from secreview.findings.model import Finding


def fingerprint(finding: Finding) -> str:
    """Stable across runs and line moves: rule, file and the normalised code."""
    code = " ".join(finding.code.split())
    data = f"{finding.rule_id}\0{finding.path}\0{code}".encode()
    return hashlib.sha256(data).hexdigest()[:32]
