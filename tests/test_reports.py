"""The report renderers: markdown, text, json, sarif."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from secreview.findings.model import (
    FileProblem,
    Finding,
    Level,
    ProblemKind,
    ReviewResult,
    Span,
    TraceStep,
)
from secreview.reports import FORMATS, NO_DEFECTS, ReportOptions, render
from secreview.reports.json_report import SCHEMA_PATH
from secreview.rules.registry import find_rule

DATA = Path(__file__).parent / "data"
ANSI = re.compile(r"\x1b\[")
OPTIONS = ReportOptions(tool_version="9.9.9")

# --- fixtures -----------------------------------------------------------------

TRACE = (
    TraceStep(
        "app/views.py",
        10,
        11,
        "request parameter `host` enters `host`",
        'host = request.args["host"]',
    ),
    TraceStep(
        "app/views.py",
        11,
        4,
        "`host` is joined into `cmd`",
        'cmd = "ping -c 1 " + host',
    ),
    TraceStep(
        "app/views.py",
        12,
        4,
        "`cmd` runs through /bin/sh",
        "subprocess.run(cmd, shell=True)",
    ),
)

INJECTION = Finding(
    rule_id="SR101",
    rule_name="command-injection",
    title="OS command injection",
    cwe=78,
    severity=Level.HIGH,
    confidence=Level.HIGH,
    path="app/views.py",
    span=Span(12, 19, 12, 22),
    code="    subprocess.run(cmd, shell=True)",
    explanation="`cmd` holds the request parameter `host`; `shell=True` hands it to /bin/sh.",
    fix='Run `subprocess.run(["ping", "-c", "1", host])` without a shell.',
    trace=TRACE,
    tags=("tainted", "tainted"),
    fingerprint="abc123",
)

SQL = Finding(
    rule_id="XT999",  # not in the rule catalog: metadata comes from the finding
    rule_name="sql-injection",
    title="SQL built from untrusted data",
    cwe=89,
    severity=Level.MEDIUM,
    confidence=Level.LOW,
    path="app/db.py",
    span=Span(40, 8, 42, 9),
    code='    cur.execute(\n        "SELECT * FROM t WHERE id = %s" % ident\n    )',
    explanation="`ident` is formatted into the query text.",
    fix="Pass `ident` as a query parameter: `cur.execute(sql, (ident,))`.",
)

WEAK_HASH = Finding(
    rule_id="XT301",
    rule_name="weak-hash",
    title="Weak hash for a password",
    cwe=328,
    severity=Level.LOW,
    confidence=Level.MEDIUM,
    path="app/auth.py",
    span=Span(7, 11, 7, 30),
    code="    return hashlib.md5(pw).hexdigest()",
    explanation="MD5 of `pw` is stored as the password hash.",
    fix="Use `hashlib.scrypt` or `argon2`.",
)

SECOND_MEDIUM = Finding(
    rule_id="XT999",
    rule_name="sql-injection",
    title="SQL built from untrusted data",
    cwe=89,
    severity=Level.MEDIUM,
    confidence=Level.MEDIUM,
    path="app/db.py",
    span=Span(3, 0, 3, 20),
    code="cur.execute(q + x)",
    explanation="`x` is appended to the query.",
    fix="Use a parameter.",
)

PROBLEMS = [
    FileProblem("pkg/z_blob.py", ProblemKind.UNDECODABLE, "not UTF-8 at byte 12"),
    FileProblem(
        "pkg/broken.py",
        ProblemKind.SYNTAX_ERROR,
        "invalid syntax",
        ((3, 7), (20, 20)),
        reviewed=True,
    ),
]


def with_findings() -> ReviewResult:
    # Deliberately out of order: renderers sort.
    return ReviewResult(
        findings=[WEAK_HASH, INJECTION, SQL, SECOND_MEDIUM],
        files_reviewed=14,
        lines_reviewed=2310,
        suppressed=1,
        target="app/",
    )


def clean() -> ReviewResult:
    return ReviewResult(files_reviewed=3, lines_reviewed=120, target="src/")


def with_findings_and_problems() -> ReviewResult:
    result = with_findings()
    result.problems = list(PROBLEMS)
    return result


def clean_with_problems() -> ReviewResult:
    result = clean()
    result.problems = list(PROBLEMS)
    return result


ALL_RESULTS = {
    "findings": with_findings,
    "clean": clean,
    "findings+problems": with_findings_and_problems,
    "clean+problems": clean_with_problems,
}


def sarif_validator() -> jsonschema.protocols.Validator:
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def json_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


# --- every format ---------------------------------------------------------------


def test_formats_registry() -> None:
    assert set(FORMATS) == {"markdown", "text", "json", "sarif", "html", "gerrit", "github",
                            "github-review", "gitlab", "junit"}
    with pytest.raises(ValueError):
        render("pdf", clean())


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("name", sorted(ALL_RESULTS))
def test_deterministic_and_pure(fmt: str, name: str) -> None:
    result = ALL_RESULTS[name]()
    before = list(result.findings), list(result.problems)
    first = FORMATS[fmt](result, OPTIONS)
    assert FORMATS[fmt](ALL_RESULTS[name](), OPTIONS) == first
    assert (
        list(result.findings),
        list(result.problems),
    ) == before  # input not reordered
    assert first.endswith("\n")
    assert not re.search(r"\b20\d\d-\d\d-\d\d", first)  # no timestamps


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_order_of_input_does_not_matter(fmt: str) -> None:
    a = with_findings_and_problems()
    b = with_findings_and_problems()
    b.findings.reverse()
    b.problems.reverse()
    assert FORMATS[fmt](a, OPTIONS) == FORMATS[fmt](b, OPTIONS)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("name", ["findings+problems", "clean+problems"])
def test_problems_listed_in_every_format(fmt: str, name: str) -> None:
    out = FORMATS[fmt](ALL_RESULTS[name](), OPTIONS)
    for problem in PROBLEMS:
        assert problem.path in out
        assert problem.message in out
        assert problem.kind.value in out
    if fmt in ("markdown", "text"):
        assert (
            "partly reviewed: lines 3–7, 20 could not be parsed (syntax-error: invalid syntax)"
            in out
        )
        assert "not reviewed (undecodable): not UTF-8 at byte 12" in out


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("name", sorted(ALL_RESULTS))
def test_verdict_iff_no_findings(fmt: str, name: str) -> None:
    result = ALL_RESULTS[name]()
    out = FORMATS[fmt](result, OPTIONS)
    if fmt == "gitlab":  # an array of issues: no place for a verdict, and a clean review has no issue
        assert ('"check_name": "SR' in out) == bool(result.findings)
        return
    assert (NO_DEFECTS in out) == (not result.findings)


# --- markdown -----------------------------------------------------------------


def test_markdown_with_findings() -> None:
    md = render("markdown", with_findings(), OPTIONS)
    assert md.startswith("# Security review of `app/`\n")
    assert (
        "4 security defects in 3 of 14 files reviewed: 1 high, 2 medium, 1 low." in md
    )
    assert "1 suppressed finding not shown." in md
    # summary table, in sort order
    rows = [line for line in md.splitlines() if re.match(r"\| \d+ \|", line)]
    assert rows == [
        "| 1 | `app/auth.py:7` | Weak hash for a password | CWE-328 | low | medium |",
        "| 2 | `app/db.py:3` | SQL built from untrusted data | CWE-89 | medium | medium |",
        "| 3 | `app/db.py:40` | SQL built from untrusted data | CWE-89 | medium | low |",
        "| 4 | `app/views.py:12` | OS command injection | CWE-78 | high | high |",
    ]
    assert "### 4. OS command injection — `app/views.py:12`" in md
    assert (
        "`SR101` command-injection · CWE-78 · severity **high** · confidence high" in md
    )
    # code numbered from span.line on, for multi-line code too
    assert "```python\n12 |     subprocess.run(cmd, shell=True)\n```" in md
    assert (
        "```python\n"
        "40 |     cur.execute(\n"
        '41 |         "SELECT * FROM t WHERE id = %s" % ident\n'
        "42 |     )\n"
        "```"
    ) in md
    assert f"**Why it is exploitable here.** {INJECTION.explanation}" in md
    assert f"**Fix.** {INJECTION.fix}" in md
    assert "**Data flow.**" in md
    assert (
        '1. `app/views.py:10` — request parameter `host` enters `host` — `host = request.args["host"]`\n'
        '2. `app/views.py:11` — `host` is joined into `cmd` — `cmd = "ping -c 1 " + host`\n'
        "3. `app/views.py:12` — `cmd` runs through /bin/sh — `subprocess.run(cmd, shell=True)`\n"
    ) in md
    assert md.count("**Data flow.**") == 1  # only the traced finding
    assert "## Files not reviewed" not in md


def test_markdown_every_number_is_from_a_finding() -> None:
    """Each `path:line` the report names is a finding's or a trace step's."""
    result = with_findings()
    md = render("markdown", result, OPTIONS)
    known = {(f.path, f.line) for f in result.findings}
    known |= {(s.path, s.line) for f in result.findings for s in f.trace}
    named = {(p, int(n)) for p, n in re.findall(r"`([\w/.]+\.py):(\d+)`", md)}
    assert named and named <= known


def test_markdown_clean_with_problems() -> None:
    md = render("markdown", clean_with_problems(), OPTIONS)
    lines = md.splitlines()
    verdict = next(i for i, line in enumerate(lines) if NO_DEFECTS in line)
    assert lines[verdict].startswith(NO_DEFECTS + " 3 files, 120 lines reviewed.")
    assert "2 files were not (fully) reviewed" in lines[verdict]
    # the list is right under the verdict
    assert lines[verdict + 2] == "## Files not reviewed"
    assert lines[verdict + 4 : verdict + 6] == [
        "- `pkg/broken.py` — partly reviewed: lines 3–7, 20 could not be parsed (syntax-error: invalid syntax)",
        "- `pkg/z_blob.py` — not reviewed (undecodable): not UTF-8 at byte 12",
    ]
    assert "## Findings" not in md
    assert "|" not in md


def test_markdown_clean_is_short() -> None:
    md = render("markdown", clean(), OPTIONS)
    assert (
        md
        == "# Security review of `src/`\n\n"
        + NO_DEFECTS
        + " 3 files, 120 lines reviewed.\n"
    )


def test_markdown_fences_and_spans_survive_backticks() -> None:
    finding = Finding(
        **{
            **{k: getattr(WEAK_HASH, k) for k in WEAK_HASH.__slots__},
            "path": "we`ird|name.py",
            "code": 'x = """```"""\n\x1b[2Jy = 1\n',
        }
    )
    md = render("markdown", ReviewResult(findings=[finding], files_reviewed=1), OPTIONS)
    assert '````python\n7 | x = """```"""\n8 | \\x1b[2Jy = 1\n````' in md
    assert "`` we`ird|name.py:7 ``" in md  # inline code that the backtick cannot close
    assert (
        "`` we`ird\\|name.py:7 ``" in md
    )  # and a table cell that the pipe cannot split
    assert "\x1b" not in md


# --- text -----------------------------------------------------------------------


def test_text_plain() -> None:
    out = render("text", with_findings_and_problems(), ReportOptions(color=False))
    assert not ANSI.search(out) and "\x1b" not in out
    assert (
        "app/views.py:12:20: SR101 [high/high] OS command injection (CWE-78)\n" in out
    )
    assert (
        "    12 |     subprocess.run(cmd, shell=True)\n       |                    ^^^\n"
        in out
    )
    assert (
        "    40 |     cur.execute(\n"
        '    41 |         "SELECT * FROM t WHERE id = %s" % ident\n'
        "    42 |     )\n"
    ) in out
    assert (
        '    fix: Run `subprocess.run(["ping", "-c", "1", host])` without a shell.\n'
        in out
    )
    assert "    ↳ app/views.py:10 request parameter `host` enters `host`\n" in out
    assert '          host = request.args["host"]\n' in out
    assert (
        "4 security defects in 3 of 14 files reviewed: 1 high, 2 medium, 1 low." in out
    )
    assert (
        "2 files were not (fully) reviewed:\n"
        "    pkg/broken.py:3: partly reviewed: lines 3–7, 20 could not be parsed (syntax-error: invalid syntax)\n"
        "    pkg/z_blob.py: not reviewed (undecodable): not UTF-8 at byte 12\n"
    ) in out
    # prose is wrapped at 100 columns; code and problem lines are never wrapped
    assert all(
        len(line) <= 100 for line in out.split("2 files were not")[0].splitlines()
    )
    # the summary comes after the findings
    assert out.index("4 security defects") > out.index("SR101")


def test_text_color() -> None:
    plain = render("text", with_findings_and_problems(), ReportOptions(color=False))
    colored = render("text", with_findings_and_problems(), ReportOptions(color=True))
    assert ANSI.search(colored)
    assert re.sub(r"\x1b\[[0-9;]*m", "", colored) == plain


def test_text_wraps_explanations() -> None:
    long = Finding(
        **{
            **{k: getattr(WEAK_HASH, k) for k in WEAK_HASH.__slots__},
            "explanation": "word " * 60,
        }
    )
    out = render("text", ReviewResult(findings=[long], files_reviewed=1), OPTIONS)
    body = [line for line in out.splitlines() if line.startswith("    word")]
    assert len(body) >= 3 and all(len(line) <= 100 for line in body)


def test_text_clean_with_problems() -> None:
    out = render("text", clean_with_problems(), OPTIONS)
    assert out.splitlines()[:3] == [
        NO_DEFECTS,
        "3 files, 120 lines reviewed.",
        "2 files were not (fully) reviewed:",
    ]


# --- json ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ALL_RESULTS))
def test_json_validates(name: str) -> None:
    doc = json.loads(render("json", ALL_RESULTS[name](), OPTIONS))
    json_validator().validate(doc)


def test_json_schema_kinds_match_the_model() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    kinds = schema["$defs"]["problem"]["properties"]["kind"]["enum"]
    assert kinds == [k.value for k in ProblemKind]


def test_json_round_trip() -> None:
    result = with_findings_and_problems()
    text = render("json", result, OPTIONS)
    assert text.endswith("}\n")
    doc = json.loads(text)
    assert doc["schema_version"] == 1
    assert doc["tool"] == {"name": "secreview", "version": "9.9.9"}
    assert doc["target"] == "app/"
    assert doc["summary"] == {
        "files_reviewed": 14,
        "lines_reviewed": 2310,
        "findings": 4,
        "by_severity": {"high": 1, "medium": 2, "low": 1},
        "suppressed": 1,
        "files_not_reviewed": 2,
        "excluded": {kind: {"files": 0, "directories": 0, "examples": []}
                     for kind in ("gitignore", "default", "configured")},
        "non_production": {"findings": 0, "files": 0, "examples": []},
        "below_threshold": {"confidence": 0, "severity": 0},
    }
    assert doc["verdict"] == "4 security defects found."

    back = [
        Finding(
            rule_id=d["rule_id"],
            rule_name=d["rule_name"],
            title=d["title"],
            cwe=d["cwe"],
            severity=Level.parse(d["severity"]),
            confidence=Level.parse(d["confidence"]),
            path=d["path"],
            span=Span(d["line"], d["col"], d["end_line"], d["end_col"]),
            code=d["code"],
            explanation=d["explanation"],
            fix=d["fix"],
            trace=tuple(TraceStep(**s) for s in d["trace"]),
            tags=tuple(d["tags"]),
            fingerprint=d["fingerprint"],
        )
        for d in doc["findings"]
    ]
    assert back == sorted(result.findings, key=Finding.sort_key)
    problems = [
        FileProblem(
            p["path"],
            ProblemKind(p["kind"]),
            p["message"],
            tuple(map(tuple, p["lines"])),
            p["reviewed"],
        )
        for p in doc["problems"]
    ]
    assert problems == sorted(PROBLEMS, key=lambda p: p.path)


def test_json_clean() -> None:
    doc = json.loads(render("json", clean(), OPTIONS))
    assert doc["verdict"] == NO_DEFECTS
    assert doc["findings"] == [] and doc["problems"] == []
    assert doc["summary"]["by_severity"] == {"high": 0, "medium": 0, "low": 0}


def test_json_one_defect_and_unicode() -> None:
    finding = Finding(
        **{
            **{k: getattr(WEAK_HASH, k) for k in WEAK_HASH.__slots__},
            "code": "пароль = md5(x)",
        }
    )
    text = render("json", ReviewResult(findings=[finding], files_reviewed=1), OPTIONS)
    assert json.loads(text)["verdict"] == "1 security defect found."
    assert "пароль" in text  # ensure_ascii=False


# --- sarif --------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ALL_RESULTS))
def test_sarif_validates(name: str) -> None:
    log = json.loads(render("sarif", ALL_RESULTS[name](), OPTIONS))
    sarif_validator().validate(log)
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-schema-2.1.0.json")
    assert len(log["runs"]) == 1
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_sarif_results_and_rules() -> None:
    log = json.loads(render("sarif", with_findings(), OPTIONS))
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "secreview" and driver["version"] == "9.9.9"
    assert "informationUri" not in driver
    rules = driver["rules"]
    assert [r["id"] for r in rules] == ["SR101", "XT301", "XT999"]

    sr101, rule = rules[0], find_rule("SR101")
    assert rule is not None
    assert sr101["name"] == rule.name
    assert sr101["shortDescription"]["text"] == rule.title
    assert sr101["fullDescription"]["text"] == rule.summary()
    assert sr101["help"] == {"text": rule.doc(), "markdown": rule.doc()}
    assert sr101["properties"] == {
        "tags": ["security", f"external/cwe/cwe-{rule.cwe}"],
        "security-severity": {"high": "8.8", "medium": "5.5", "low": "2.0"}[
            str(rule.severity)
        ],
        "precision": str(rule.confidence),
    }
    assert sr101["defaultConfiguration"] == {
        "level": {"high": "error", "medium": "warning", "low": "note"}[
            str(rule.severity)
        ]
    }
    sr999 = rules[2]  # unknown to the catalog: described by its finding
    assert find_rule("XT999") is None
    assert sr999["shortDescription"]["text"] == "SQL built from untrusted data"
    assert sr999["properties"]["security-severity"] == "5.5"
    assert "help" not in sr999

    taxonomy = run["taxonomies"][0]
    assert taxonomy["name"] == "CWE"
    assert [t["id"] for t in taxonomy["taxa"]] == ["78", "89", "328"]
    assert run["tool"]["driver"]["supportedTaxonomies"] == [{"name": "CWE", "index": 0}]
    for rule in rules:
        target = rule["relationships"][0]["target"]
        assert taxonomy["taxa"][target["index"]]["id"] == target["id"]
        assert target["toolComponent"] == {"name": "CWE", "index": 0}

    results = run["results"]
    assert [r["ruleId"] for r in results] == ["XT301", "XT999", "XT999", "SR101"]
    assert [r["level"] for r in results] == ["note", "warning", "warning", "error"]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]

    injection = results[3]
    assert (
        injection["message"]["text"] == f"OS command injection: {INJECTION.explanation}"
    )
    location = injection["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {
        "uri": "app/views.py",
        "uriBaseId": "%SRCROOT%",
    }
    assert location["region"] == {
        "startLine": 12,
        "startColumn": 20,
        "endLine": 12,
        "endColumn": 23,
        "snippet": {"text": INJECTION.code},
    }
    assert injection["partialFingerprints"] == {"secreview/v1": "abc123"}
    assert injection["properties"] == {
        "severity": "high",
        "confidence": "high",
        "cwe": "CWE-78",
        "fix": INJECTION.fix,
        "tags": ["tainted"],
    }
    assert "fixes" not in injection
    flow = injection["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [s["location"]["physicalLocation"]["region"]["startLine"] for s in flow] == [
        10,
        11,
        12,
    ]
    assert flow[0]["location"]["message"]["text"] == TRACE[0].note
    assert (
        flow[0]["location"]["physicalLocation"]["region"]["snippet"]["text"]
        == TRACE[0].code
    )

    for r in results[:3]:
        # no trace; a fingerprint even when the finding carries none (computed from rule, file, code)
        assert "codeFlows" not in r and len(r["partialFingerprints"]["secreview/v1"]) == 32
    multi = results[2]["locations"][0]["physicalLocation"]["region"]
    assert (multi["startLine"], multi["endLine"], multi["snippet"]["text"]) == (
        40,
        42,
        SQL.code,
    )
    assert "%SRCROOT%" in run["originalUriBaseIds"]
    assert "toolExecutionNotifications" not in run["invocations"][0]


def test_sarif_notifications() -> None:
    log = json.loads(render("sarif", clean_with_problems(), OPTIONS))
    run = log["runs"][0]
    assert run["results"] == [] and run["tool"]["driver"]["rules"] == []
    assert run["invocations"][0]["properties"] == {
        "verdict": NO_DEFECTS,
        "filesReviewed": 3,
        "linesReviewed": 120,
        "suppressed": 0,
        "filesNotReviewed": 2,
    }
    assert (
        "taxonomies" not in run and "supportedTaxonomies" not in run["tool"]["driver"]
    )
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["descriptor"]["id"] for n in notes] == ["syntax-error", "undecodable"]
    assert [n["level"] for n in notes] == ["warning", "error"]
    partly = notes[0]
    regions = [loc["physicalLocation"]["region"] for loc in partly["locations"]]
    assert regions == [{"startLine": 3, "endLine": 7}, {"startLine": 20, "endLine": 20}]
    assert (
        partly["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        == "pkg/broken.py"
    )
    assert (
        "partly reviewed: lines 3–7, 20 could not be parsed"
        in partly["message"]["text"]
    )
    unread = notes[1]
    assert unread["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "pkg/z_blob.py", "uriBaseId": "%SRCROOT%"}
            }
        }
    ]


@pytest.mark.parametrize(
    ("path", "uri", "base"),
    [
        ("app/views.py", "app/views.py", True),
        ("app\\win.py", "app/win.py", True),
        ("my dir/a:b.py", "my%20dir/a%3Ab.py", True),
        ("/abs/x.py", "file:///abs/x.py", False),
        ("C:\\src\\x.py", "file:///C:/src/x.py", False),
    ],
)
def test_sarif_uris(path: str, uri: str, base: bool) -> None:
    from secreview.reports.sarif import artifact

    assert artifact(path) == (
        {"uri": uri, "uriBaseId": "%SRCROOT%"} if base else {"uri": uri}
    )


def test_text_color_ignores_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = render("text", with_findings(), ReportOptions(color=True))
    for name, value in [
        ("NO_COLOR", "1"),
        ("TERM", "dumb"),
        ("COLUMNS", "20"),
        ("COLORTERM", "truecolor"),
    ]:
        monkeypatch.setenv(name, value)
    assert render("text", with_findings(), ReportOptions(color=True)) == expected


def test_control_and_bidi_characters_are_shown_not_obeyed() -> None:
    code = 'access = "user\u202e \u2066// admin\u2069 \u2066"  # \x1b]0;pwned\x07'
    finding = Finding(
        **{**{k: getattr(WEAK_HASH, k) for k in WEAK_HASH.__slots__}, "code": code}
    )
    result = ReviewResult(findings=[finding], files_reviewed=1)
    for fmt in ("markdown", "text"):
        out = render(fmt, result, OPTIONS)
        assert "\u202e" not in out and "\x1b" not in out and "\x07" not in out
        assert "\\u202e" in out and "\\x1b]0;pwned\\x07" in out
    # the data formats keep the code exactly; JSON escapes the C0 controls itself
    assert json.loads(render("json", result, OPTIONS))["findings"][0]["code"] == code
    log = json.loads(render("sarif", result, OPTIONS))
    assert (
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"][
            "snippet"
        ]["text"]
        == code
    )
