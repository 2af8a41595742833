"""The HTML report: one self-contained page, checked as a file and rendered in headless Chromium.

The browser tests skip when no Chromium is installed, except under CI (``CI`` set),
where a missing browser is a failure: ``.ci/run`` installs Debian's ``chromium``.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from secreview.cli import EXIT_FINDINGS, main
from secreview.findings.model import Finding, Level, ReviewResult, Span, TraceStep
from secreview.reports import NO_DEFECTS, ReportOptions, render

APP = '''import hashlib
import os
import pickle

from flask import request


def ping():
    host = request.args.get("host", "localhost")
    # ping it once
    os.system("ping -c 1 " + host)


def load():
    return pickle.loads(request.get_data())


def hash_password(password):
    return hashlib.md5(password).hexdigest()
'''

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def browser() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI"):
        pytest.fail("no Chromium found under CI: .ci/run installs Debian's chromium")
    pytest.skip("no Chromium installed (apt-get install chromium)")


def chromium(url: str, profile: Path, *extra: str) -> str:
    args = [browser(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", f"--user-data-dir={profile}", *extra, url]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@pytest.fixture
def report(tmp_path, monkeypatch) -> Path:
    (tmp_path / "app.py").write_text(APP)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "report.html"
    assert main(["review", "app.py", "--format", "html", "--output", str(out)]) == EXIT_FINDINGS
    return out


def text_of(page: str) -> str:
    """The page's text, without tags (code is split into highlighted tokens)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def articles(dom: str) -> list[str]:
    return re.findall(r"<article [^>]*>", dom)


def test_self_contained(report):
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert 'http-equiv="Content-Security-Policy"' in page and "default-src &#x27;none&#x27;" in page
    # nothing is loaded from anywhere: no link, no external script/style/image/font, no url()
    assert not re.search(r"<(link|iframe|object|embed|img)\b", page)
    assert not re.search(r"\b(src|href)\s*=", page)
    assert "url(" not in page and "@import" not in page
    # context: lines around the finding that the finding does not carry
    assert "# ping it once" in text_of(page) and "def ping():" in text_of(page)
    # escaping: code is text, never markup
    assert '&quot;ping -c 1 &quot;' in page


def test_without_context_shows_the_code_the_finding_carries():
    finding = Finding("SR101", "command-injection", "OS command injection", 78, Level.HIGH, Level.HIGH,
                      "a.py", Span(3, 0, 3, 12), "os.system(x)", "`x` <script>alert(1)</script>", "Fix.",
                      (TraceStep("a.py", 2, 0, "source", "x = input()"),))
    page = render("html", ReviewResult(findings=[finding], files_reviewed=1), ReportOptions())
    assert "os.system(x)" in text_of(page) and "x = input()" in text_of(page)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    clean = render("html", ReviewResult(files_reviewed=1), ReportOptions())
    assert NO_DEFECTS in clean and "<article" not in clean


def test_findings_visible_in_the_rendered_dom(report, tmp_path):
    dom = chromium(report.as_uri(), tmp_path / "profile", "--dump-dom")
    assert 'data-ready="true"' in dom  # the script ran (the CSP hash admits it)
    found = articles(dom)
    assert len(found) == 3
    assert all("hidden" not in a for a in found)
    assert "3 of 3 findings shown" in dom
    for title in ("OS command injection", "Unsafe deserialization", "Weak hash"):
        assert title in dom


def test_filters_by_severity_and_rule(report, tmp_path):
    dom = chromium(report.as_uri() + "#severity=high", tmp_path / "p1", "--dump-dom")
    found = articles(dom)
    visible = [a for a in found if "hidden" not in a]
    assert visible and all('data-severity="high"' in a for a in visible)
    assert any("hidden" in a for a in found)
    assert f"{len(visible)} of 3 findings shown" in dom
    rule = re.search(r'data-rule="(SR\d+)"', visible[0]).group(1)
    dom = chromium(report.as_uri() + f"#severity=high,medium,low&rule={rule}", tmp_path / "p2", "--dump-dom")
    visible = [a for a in articles(dom) if "hidden" not in a]
    assert len(visible) == 1 and f'data-rule="{rule}"' in visible[0]
    dom = chromium(report.as_uri() + "#severity=", tmp_path / "p3", "--dump-dom")
    assert all("hidden" in a for a in articles(dom)) and "0 of 3 findings shown" in dom


def test_screenshot(report, tmp_path):
    shot = tmp_path / "shot.png"
    chromium(report.as_uri(), tmp_path / "profile", "--hide-scrollbars", "--window-size=1200,900",
             f"--screenshot={shot}")
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000
