import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secreview.findings.suppress import Suppression, Suppressions, parse_comment

CMD = ("SR101", "command-injection", ("B602", "B605", "B609"))


def sup(code: str) -> Suppressions:
    return Suppressions.from_source(textwrap.dedent(code))


def match(s: Suppressions, line: int, rule=CMD) -> Suppression | None:
    rule_id, name, bandit = rule
    return s.match(rule_id, name, bandit, range(line, line + 1))


def test_bare_nosec():
    s = sup("os.system(cmd)  # nosec\n")
    m = match(s, 1)
    assert m is not None
    assert (m.line, m.kind, m.rules, m.reason, m.text) == (1, "nosec", (), None, "# nosec")
    assert match(s, 1, ("SR999", "anything", ())) is m  # bare covers every rule


@pytest.mark.parametrize(
    "comment, rules",
    [
        ("# nosec B602", ("B602",)),
        ("# nosec B602, B607", ("B602", "B607")),
        ("# nosec B602,B607", ("B602", "B607")),
        ("# nosec: B602", ("B602",)),
        ("#nosec b602", ("b602",)),
        ("# nosec SR101", ("SR101",)),
        ("# nosec command-injection", ("command-injection",)),
    ],
)
def test_nosec_with_ids(comment, rules):
    s = sup(f"os.system(cmd)  {comment}\n")
    m = match(s, 1)
    assert m is not None and m.kind == "nosec" and m.rules == rules


def test_nosec_for_other_test_does_not_cover():
    s = sup("os.system(cmd)  # nosec B101\n")
    assert match(s, 1) is None
    assert s.all()[0].rules == ("B101",)


def test_nosec_free_text_is_bare_with_reason():
    s = sup("os.system(cmd)  # nosec this is a constant\n")
    m = match(s, 1)
    assert m is not None and m.rules == () and m.reason == "this is a constant"


def test_nosec_ids_with_reason():
    m = match(sup("x()  # nosec B602 -- reviewed by security\n"), 1)
    assert m.rules == ("B602",) and m.reason == "reviewed by security"


def test_nosec_after_other_comment_and_not_mid_sentence():
    assert match(sup("x()  # noqa: S605  # nosec\n"), 1) is not None
    assert match(sup("x()  # type: ignore # nosec B605\n"), 1) is not None
    assert match(sup("x()  # see the nosec docs\n"), 1) is None
    assert match(sup("x()  # nosecurity\n"), 1) is None


def test_secreview_ignore_all():
    m = match(sup("x()  # secreview: ignore\n"), 1, ("SR555", "whatever", ()))
    assert m is not None and m.kind == "secreview" and m.rules == () and m.reason is None


def test_secreview_ignore_list_and_reason():
    s = sup("x()  # secreview: ignore[SR101, command-injection] -- input is an allow-listed enum\n")
    m = match(s, 1)
    assert m.rules == ("SR101", "command-injection")
    assert m.reason == "input is an allow-listed enum"
    assert match(s, 1, ("SR202", "sql-injection", ("B608",))) is None


def test_secreview_ignore_by_name_case_and_underscores():
    assert match(sup("x()  # SecReview: IGNORE[Command_Injection]\n"), 1) is not None
    assert match(sup("x()  # secreview:ignore[b602]\n"), 1) is not None


def test_secreview_colon_reason():
    m = match(sup("x()  # secreview: ignore: fixed upstream\n"), 1)
    assert m.rules == () and m.reason == "fixed upstream"


def test_secreview_empty_or_broken_list_suppresses_nothing():
    assert match(sup("x()  # secreview: ignore[]\n"), 1) is None
    assert match(sup("x()  # secreview: ignore[SR101\n"), 1) is None


def test_comment_inside_string_is_not_a_suppression():
    s = sup(
        '''
        a = "# nosec"
        b = '# secreview: ignore'
        c = """
        # nosec
        """
        d = f"{x}  # nosec"
        '''
    )
    assert s.all() == ()


def test_wrong_line_does_not_match():
    s = sup("a = 1  # nosec\nos.system(cmd)\n")
    assert match(s, 1) is not None
    assert match(s, 2) is None


def test_multiline_statement_range():
    s = sup(
        """\
        subprocess.call(
            cmd,
            shell=True,  # nosec B602
        )
        other(cmd)
        """
    )
    assert s.match("SR101", "command-injection", ("B602",), range(1, 5)).line == 3
    assert s.match("SR101", "command-injection", ("B602",), range(1, 3)) is None
    assert s.match("SR101", "command-injection", ("B602",), range(5, 6)) is None


def test_first_matching_suppression_in_range_wins():
    s = sup("call(  # nosec B101\n  x,  # secreview: ignore[SR101]\n)  # nosec\n")
    m = s.match("SR101", "command-injection", ("B602",), range(1, 4))
    assert (m.line, m.kind) == (2, "secreview")


def test_all_lists_in_line_order_and_comment_with_both_forms():
    s = sup("a()  # secreview: ignore[SR101]\nb()  # nosec B602  # secreview: ignore -- why\n")
    items = s.all()
    assert [(i.line, i.kind) for i in items] == [(1, "secreview"), (2, "nosec"), (2, "secreview")]
    assert items[1].rules == ("B602",)
    assert items[2].reason == "why"


def test_tokenize_failure_falls_back_to_scanner():
    broken = 'def f(:\n    os.system(cmd)  # nosec B605\n    s = "# nosec"\n    t = """\n# secreview: ignore\n'
    s = Suppressions.from_source(broken)
    assert [(i.line, i.rules) for i in s.all()] == [(2, ("B605",))]
    assert s.match("SR101", "command-injection", ("B605",), range(2, 3)) is not None


def test_bad_indentation_falls_back():
    code = "if x:\n        a()\n    b()  # nosec\n"
    s = Suppressions.from_source(code)
    assert [i.line for i in s.all()] == [3]


def test_parse_comment_direct():
    assert parse_comment(7, "# just a comment") == []
    (only,) = parse_comment(7, "# nosec")
    assert only.line == 7


_PIECES = ["x = 1", "# nosec", "'''", '"', "#", "(", ")", "\n", "    ", "\\", "# secreview: ignore[", "]", "\x00", "\t"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_never_raises_and_lines_exist(text):
    s = Suppressions.from_source(text)
    n = text.count("\n") + 1
    for item in s.all():
        assert 1 <= item.line <= n
        assert item.text.startswith("#")


WEAK_HASH = ("SR201", "weak-hash", ("B303", "B324"))


@pytest.mark.parametrize("comment", [
    "# noqa: S324",
    "# noqa:S324",
    "# noqa: E501, S324",
    "# NOQA: s324 -- the API mandates MD5",
    "# ruff: ignore[S324]",
    "# ruff: ignore[hashlib-insecure-hash-function]",
    "# ruff: ignore[import-outside-top-level, hashlib-insecure-hash-function]",
])
def test_ruff_bandit_suppressions_cover_the_rule_of_their_bandit_id(comment):
    s = sup(f"h = hashlib.md5(data).hexdigest()  {comment}\n")
    hit = match(s, 1, WEAK_HASH)
    assert hit is not None and hit.kind == "ruff" and hit.rules == ("B324",)
    assert match(s, 1) is None  # B324 says nothing about command injection


@pytest.mark.parametrize("comment", [
    "# noqa",
    "# noqa: E501",
    "# noqa: F401, PLR0913",
    "# ruff: ignore[import-outside-top-level]",
    "# ruff: noqa: S324",  # Ruff's file-level form: not a statement's suppression
    "# see noqa: S324 in the docs",
])
def test_other_noqa_comments_suppress_nothing(comment):
    s = sup(f"h = hashlib.md5(data).hexdigest()  {comment}\n")
    assert match(s, 1, WEAK_HASH) is None


def test_review_counts_a_ruff_suppressed_finding_as_suppressed(tmp_path, monkeypatch):
    from secreview.engine.pipeline import ReviewOptions, review
    from tests.reviewing import EVERY_CONFIDENCE
    code = ("import hashlib\n\n\ndef token_digest(password):\n"
            "    return hashlib.md5(password.encode()).hexdigest()  {}\n")
    (tmp_path / "a.py").write_text(code.format(""))
    (tmp_path / "b.py").write_text(code.format("# noqa: S324"))
    (tmp_path / "c.py").write_text(code.format("# noqa: E501"))
    monkeypatch.chdir(tmp_path)
    result = review(["."], ReviewOptions(config=EVERY_CONFIDENCE))
    paths = {f.path.rsplit("/", 1)[-1] for f in result.findings if f.rule_id == "SR201"}
    assert paths == {"a.py", "c.py"}
    assert result.suppressed == 1


@pytest.mark.parametrize("comment, covered", [
    ("# lgtm", True),
    ("# LGTM [py/weak-sensitive-data-hashing]", True),
    ("# lgtm[py/weak-sensitive-data-hashing, py/clear-text-logging-sensitive-data]", True),
    ("# noqa: E501  # lgtm", True),
    ("# lgtm[py/command-line-injection]", False),  # another query: not this rule
    ("# lgtm[py/unknown-query]", False),  # a query secreview has no rule for suppresses nothing
    ("# looks lgtm to me", False),  # not right after a ``#``
])
def test_lgtm_suppressions_cover_the_rules_of_their_codeql_queries(comment, covered):
    s = sup(f"m = md5(password)  {comment}\n")
    hit = match(s, 1, WEAK_HASH)
    assert (hit is not None) == covered
    if hit is not None:
        assert hit.kind == "lgtm"
    covers_command_injection = comment in ("# lgtm", "# noqa: E501  # lgtm", "# lgtm[py/command-line-injection]")
    assert (match(s, 1) is not None) == covers_command_injection


def test_review_counts_an_lgtm_suppressed_finding_as_suppressed(tmp_path, monkeypatch):
    from secreview.engine.pipeline import ReviewOptions, review
    from tests.reviewing import EVERY_CONFIDENCE
    code = ("import hashlib\n\n\ndef token_digest(password):\n"
            "    return hashlib.md5(password.encode()).hexdigest()  {}\n")
    (tmp_path / "a.py").write_text(code.format("# lgtm[py/weak-sensitive-data-hashing]"))
    (tmp_path / "b.py").write_text(code.format("# lgtm[py/sql-injection]"))
    monkeypatch.chdir(tmp_path)
    result = review(["."], ReviewOptions(config=EVERY_CONFIDENCE))
    paths = {f.path.rsplit("/", 1)[-1] for f in result.findings if f.rule_id == "SR201"}
    assert paths == {"b.py"}
    assert result.suppressed == 1


@pytest.mark.parametrize("comment, covered", [
    ("# noqa: DUO130", True),                 # dlint's hashlib rule
    ("# noqa: E501, duo130", True),
    ("# noqa: DUO134", True),                 # cryptography's weak algorithms
    ("# noqa: DUO122", False),                # the ssl module's rule: not this one
    ("# noqa: DUO113", False),                # a code secreview has no rule of its ground for
    ("# see DUO130 in dlint's docs", False),  # no noqa
])
def test_dlint_suppressions_cover_the_rules_of_their_codes(comment, covered):
    s = sup(f"m = md5(password)  {comment}\n")
    hit = match(s, 1, WEAK_HASH)
    assert (hit is not None) == covered
    if hit is not None:
        assert hit.kind == "dlint"
    assert match(s, 1) is None  # command injection: none of these codes


def test_review_counts_a_dlint_suppressed_finding_as_suppressed(tmp_path, monkeypatch):
    # aiosmtpd's client context for poking its own local server: ``client_ctx.verify_mode = ssl.CERT_NONE
    # # noqa: DUO122``, with a comment saying why (panel AE)
    from secreview.engine.pipeline import ReviewOptions, review
    from tests.reviewing import EVERY_CONFIDENCE
    code = ("import ssl\n\n\ndef client_context():\n    ctx = ssl.create_default_context()\n"
            "    ctx.check_hostname = False  {}\n    ctx.verify_mode = ssl.CERT_NONE  {}\n    return ctx\n")
    (tmp_path / "a.py").write_text(code.format("# noqa: DUO122", "# noqa: DUO122"))
    (tmp_path / "b.py").write_text(code.format("# noqa: DUO123", "# noqa: DUO102"))
    monkeypatch.chdir(tmp_path)
    result = review(["."], ReviewOptions(config=EVERY_CONFIDENCE))
    got = sorted((f.path.rsplit("/", 1)[-1], f.span.line) for f in result.findings if f.rule_id == "SR302")
    # (the host-name line is folded into the CERT_NONE one: one defect, one finding)
    assert got == [("b.py", 7)]
    assert result.suppressed == 1


@pytest.mark.parametrize("comment, suppressed", [
    ("# nosec B608", True),  # where Bandit reports the query built: the construction was accepted there
    ("# secreview: ignore[sql-injection] -- kind is validated", True),
    ("# nosec", False),  # bare: covers what is reported on its own line only
    ("# nosec B602", False),  # another rule
])
def test_a_named_suppression_on_a_step_of_the_trace_covers_the_finding(tmp_path, monkeypatch, comment, suppressed):
    from secreview.engine.pipeline import ReviewOptions, review
    from tests.reviewing import EVERY_CONFIDENCE
    (tmp_path / "store.py").write_text(
        "import sqlite3\n\n\ndef ensure_table(conn, kind):\n"
        f"    ddl = (  {comment}\n        f\"CREATE TABLE IF NOT EXISTS vec_{{kind}} (v BLOB)\"\n    )\n"
        "    conn.execute(ddl)\n")
    monkeypatch.chdir(tmp_path)
    result = review(["."], ReviewOptions(config=EVERY_CONFIDENCE))
    assert [f.line for f in result.findings if f.rule_id == "SR104"] == ([] if suppressed else [8])
    assert result.suppressed == (1 if suppressed else 0)


def test_an_address_written_in_a_module_constant_is_a_step_its_nosec_covers(tmp_path, monkeypatch):
    from secreview.engine.pipeline import ReviewOptions, review
    from tests.reviewing import EVERY_CONFIDENCE
    (tmp_path / "decoy.py").write_text(
        "import asyncio\n\nLISTEN_HOST = \"0.0.0.0\"  # nosec B104 -- a decoy must be reachable\n"
        "OTHER_HOST = \"0.0.0.0\"\n\n\nasync def main(handle):\n"
        "    await asyncio.start_server(handle, LISTEN_HOST, 8000)\n"
        "    await asyncio.start_server(handle, OTHER_HOST, 8001)\n")
    monkeypatch.chdir(tmp_path)
    result = review(["."], ReviewOptions(config=EVERY_CONFIDENCE))
    found = [f for f in result.findings if f.rule_id == "SR401"]
    assert [f.line for f in found] == [9]
    assert [(s.line, s.note) for s in found[0].trace] == [(4, "`OTHER_HOST` is set to '0.0.0.0' here")]
    assert result.suppressed == 1
