"""The OpenStack security-fix benchmark's own logic (``benchmarks/openstack_fixes.py``): selecting commits,
extracting hunks before and after a fix, matching findings within two lines by CWE family, scoring, and
re-scoring stored reports.  A tiny git repository made here stands in for a project mirror; no network,
no OpenStack checkout, no Bandit."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
spec = importlib.util.spec_from_file_location("openstack_fixes", ROOT / "benchmarks" / "openstack_fixes.py")
of = importlib.util.module_from_spec(spec)
sys.modules.setdefault("openstack_fixes", of)  # its dataclasses look their module up
spec.loader.exec_module(of)

BEFORE = '''"""Health messages."""
import json


def unwrap(envelope, key):
    payload = envelope[:-32]
    expected = envelope[-32:]
    if expected != sign(payload, key):
        raise ValueError("bad hmac")
    return json.loads(payload)


def sign(payload, key):
    return key + payload
'''

AFTER = '''"""Health messages."""
import json

from oslo_utils import secretutils


def unwrap(envelope, key):
    payload = envelope[:-32]
    expected = envelope[-32:]
    if not secretutils.constant_time_compare(expected, sign(payload, key)):
        raise ValueError("bad hmac")
    return json.loads(payload)


def sign(payload, key):
    return key + payload
'''

SIBLING = "def helper():\n    return 1\n"


def git(repo: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.org", GIT_AUTHOR_DATE="2015-01-01T00:00:00",
               GIT_COMMITTER_DATE="2015-01-01T00:00:00")
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env=env).stdout


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def mirror(tmp_path: Path) -> tuple[Path, str, str]:
    """A mirrors directory holding ``openstack+proj/repo`` with a defect commit and its fix."""
    repo = tmp_path / "mirrors" / "openstack+proj" / "repo"
    repo.mkdir(parents=True)
    git(repo, "init", "-q")
    write(repo / "proj" / "__init__.py", "")
    write(repo / "proj" / "health" / "__init__.py", "")
    write(repo / "proj" / "health" / "status.py", BEFORE)
    write(repo / "proj" / "health" / "other.py", SIBLING)
    write(repo / "proj" / "api" / "views.py", SIBLING)
    write(repo / "proj" / "tests" / "test_status.py", "def test():\n    pass\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Initial")
    parent = git(repo, "rev-parse", "HEAD").strip()
    write(repo / "proj" / "health" / "status.py", AFTER)
    write(repo / "proj" / "tests" / "test_status.py", "def test():\n    assert True\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m",
        "Change HMAC compare to use constant_time_compare\n\nTiming attack.\n\nCloses-Bug: #1548546")
    fix = git(repo, "rev-parse", "HEAD").strip()
    return tmp_path / "mirrors", parent, fix


def the_fix(commit: str, cls: str = "crypto", cwe: int = 208) -> object:
    return of.Fix("proj", commit, cls, cwe, "HMAC compared with !=")


# --------------------------------------------------------------------------
# selection


def test_message_selection_needs_a_bug_reference_and_a_class_keyword():
    assert of.message_selected("Fix race in get_or_create\n\nCloses-Bug: #1726203")
    assert of.message_selected("Mask passwords in debug log\n\nPartial-Bug: 1445137")
    assert of.message_selected("Handle 500 from stage\n\nsee https://launchpad.net/bugs/ bug/1733274")
    assert not of.message_selected("Fix race in get_or_create")  # no bug reference
    assert not of.message_selected("Update translations\n\nCloses-Bug: #1")  # no class named
    assert not of.message_selected("Tracebacks are fine\n\nCloses-Bug: #1")  # 'traceback' is a whole word


def test_test_paths_and_size_rule():
    assert of.is_test_path("cinder/tests/unit/test_volume.py")
    assert of.is_test_path("keystone/tests/functional/core.py")
    assert of.is_test_path("swift/obj/test_server.py")
    assert of.is_test_path("openstack_dashboard/dashboards/project/stacks/tests.py")
    assert not of.is_test_path("proj/contests.py")
    assert of.is_test_path("tools/check.py")
    assert not of.is_test_path("cinder/api/contrib/volume_actions.py")  # contrib is code below the root
    assert not of.is_test_path("keystone/common/utils.py")
    numstat = ("3\t1\tcinder/api/contrib/volume_actions.py\n"
               "30\t0\tcinder/tests/unit/test_x.py\n"
               "1\t1\tdoc/source/conf.py\n"
               "-\t-\tcinder/data.bin\n"
               "2\t0\treleasenotes/notes/x.yaml\n")
    files, lines = of.size_of(numstat)
    assert files == ["cinder/api/contrib/volume_actions.py"]
    assert lines == 4
    assert of.size_selected(files, lines)
    assert not of.size_selected(["a.py", "b.py", "c.py", "d.py"], 10)
    assert not of.size_selected(["a.py"], 61)
    assert not of.size_selected([], 0)


def test_candidates_and_check_on_a_tiny_mirror(mirror):
    mirrors, parent, fix = mirror
    repo = of.find_repo(str(mirrors), "proj")
    assert repo is not None and repo.endswith("openstack+proj/repo")
    rows = of.candidates(repo, "proj")
    assert [r["commit"] for r in rows] == [fix]  # the initial commit names no bug
    assert rows[0]["files"] == ["proj/health/status.py"] and rows[0]["lines"] == 4
    assert of.check_fix(repo, the_fix(fix)) == []
    assert "no Launchpad bug reference" in of.check_fix(repo, the_fix(parent))


# --------------------------------------------------------------------------
# hunks


def test_hunks_before_and_after_a_fix(mirror):
    mirrors, parent, fix = mirror
    repo = of.find_repo(str(mirrors), "proj")
    got_parent, touched, hunks = of.commit_hunks(repo, fix)
    assert got_parent == parent
    assert touched == ["proj/health/status.py"]  # the test file is not counted
    # the added import is not a defect location; the comparison is
    assert len(hunks) == 1
    h = hunks[0]
    assert h.path == "proj/health/status.py"
    assert h.before == (8, 8)
    assert h.after == (10, 10)
    assert BEFORE.splitlines()[h.before[0] - 1].strip() == "if expected != sign(payload, key):"
    assert "constant_time_compare" in AFTER.splitlines()[h.after[0] - 1]


def test_parse_hunks_pure_insertion_and_deletion():
    diff = ("diff --git a/m.py b/m.py\n--- a/m.py\n+++ b/m.py\n"
            "@@ -10,0 +11,3 @@ def f():\n+    if x is None:\n+        raise ValueError()\n+    y = 1\n"
            "@@ -20,2 +23,0 @@ def g():\n-    os.chmod(p, 0o777)\n-    os.chmod(q, 0o777)\n"
            "@@ -30 +31 @@\n-    a = b\n+    a = c\n")
    hunks = of.parse_hunks(diff)
    assert [(h.before, h.after) for h in hunks] == [((10, 11), (11, 13)), ((20, 21), (23, 24)),
                                                   ((30, 30), (31, 31))]
    assert hunks[0].added[0] == "    if x is None:" and hunks[1].removed[1] == "    os.chmod(q, 0o777)"


def test_trivial_hunks():
    assert of.is_trivial(of.Hunk("m.py", (1, 1), (1, 2), [], ["import os", "", "# why"]))
    assert of.is_trivial(of.Hunk("m.py", (1, 1), (1, 1), ["import os"], []))
    # an import replaced by another is the fix (xml.etree -> defusedxml)
    assert not of.is_trivial(of.Hunk("m.py", (1, 1), (1, 1), ["import xml.etree.cElementTree as ET"],
                                     ["from defusedxml import cElementTree as ET"]))
    assert not of.is_trivial(of.Hunk("m.py", (1, 1), (1, 1), ["x = 1"], ["x = 2"]))


# --------------------------------------------------------------------------
# trees


def test_scope_paths():
    files = ["proj/__init__.py", "proj/health/__init__.py", "proj/health/status.py", "proj/health/other.py",
             "proj/health/data.json", "proj/api/views.py", "proj/tests/test_status.py", "setup.py", ""]
    touched = ["proj/health/status.py"]
    assert of.scope_paths(files, touched, "files") == ["proj/health/status.py"]
    assert of.scope_paths(files, touched, "package") == [
        "proj/__init__.py", "proj/health/__init__.py", "proj/health/other.py", "proj/health/status.py"]
    assert of.scope_paths(files, touched, "tree") == [
        "proj/__init__.py", "proj/api/views.py", "proj/health/__init__.py", "proj/health/other.py",
        "proj/health/status.py", "setup.py"]
    # a file the commit deletes is absent on the fixed side
    assert of.scope_paths(files[:2], touched, "files") == []


def test_materialise_writes_the_revision(mirror, tmp_path):
    mirrors, parent, fix = mirror
    repo = of.find_repo(str(mirrors), "proj")
    dest = tmp_path / "tree"
    of.materialise(repo, parent, ["proj/health/status.py", "proj/health/other.py"], str(dest))
    assert (dest / "proj" / "health" / "status.py").read_text() == BEFORE
    assert not (dest / "proj" / "api").exists()
    # reused once complete, even if asked for another revision at the same place
    of.materialise(repo, fix, ["proj/health/status.py"], str(dest))
    assert (dest / "proj" / "health" / "status.py").read_text() == BEFORE


# --------------------------------------------------------------------------
# matching and scoring


def test_cwe_families():
    crypto = of.cwe_family(the_fix("x", "crypto", 208))
    assert {208, 203, 295, 327}.issubset(crypto) and 78 not in crypto
    temp = of.cwe_family(the_fix("x", "other", 377))
    assert {377, 378, 367} <= temp and 532 not in temp
    race = of.cwe_family(the_fix("x", "race", 362))
    assert {362, 367} <= race and 20 not in race
    authz = of.cwe_family(the_fix("x", "authz", 863))
    assert {285, 639, 862, 863} <= authz
    assert of.cwe_family(the_fix("x", "crash", 476)) >= {248, 476, 20}
    assert of.cwe_family(the_fix("x", "info-exposure", 532)) >= {532, 209, 200}


def test_near_is_two_lines_either_side():
    rng = (10, 12)
    assert of.near(of.Hit("m.py", 8, 8, 0, "x"), rng)
    assert of.near(of.Hit("m.py", 14, 14, 0, "x"), rng)
    assert not of.near(of.Hit("m.py", 7, 7, 0, "x"), rng)
    assert not of.near(of.Hit("m.py", 15, 15, 0, "x"), rng)
    assert of.near(of.Hit("m.py", 3, 9, 0, "x"), rng)  # a multi-line finding reaching the window


def test_score_commit_by_cwe_family_and_window():
    hunk = of.Hunk("proj/health/status.py", (8, 8), (10, 10))
    fix = the_fix("f" * 40)
    reports = {
        "before": of.Report(hits=[of.Hit("proj/health/status.py", 8, 8, 208, "SR999"),
                                  of.Hit("proj/health/status.py", 30, 30, 208, "SR999")]),
        "after": of.Report(hits=[of.Hit("proj/health/status.py", 11, 11, 78, "SR101"),
                                 of.Hit("proj/other.py", 10, 10, 208, "SR999")]),
    }
    cs = of.score_commit(fix, [hunk], reports)
    hs = cs.hunks[0]
    assert hs.flagged == {"before": True, "after": False}  # after: CWE-78 is not in the family
    assert hs.any_finding == {"before": True, "after": True}
    assert [h.line for h in hs.hits["before"]] == [8]  # line 30 is outside the window
    t = of.tally([cs])
    assert t["crypto"].rates() == {"defective_flagged": 1.0, "fixed_flagged": 0.0, "defective_any": 1.0,
                                   "fixed_any": 1.0, "commits_flagged": 1.0}
    assert t["all"].hunks == 1


def test_tally_counts_commits_and_unparsed():
    fix_a, fix_b = the_fix("a" * 40), the_fix("b" * 40, "race", 362)
    h = of.Hunk("m.py", (5, 5), (5, 5))
    flagged = of.score_commit(fix_a, [h, h], {"before": of.Report(hits=[of.Hit("m.py", 5, 5, 208, "r")]),
                                             "after": of.Report()})
    missed = of.score_commit(fix_b, [h], {"before": of.Report(unparsed=["m.py"]), "after": of.Report()})
    t = of.tally([flagged, missed])
    assert (t["all"].commits, t["all"].hunks, t["all"].flagged_before) == (2, 3, 2)
    assert t["all"].commits_flagged == 1 and t["all"].commits_unparsed == 1
    assert t["race"].rates()["defective_flagged"] == 0.0
    assert t["all"].rates()["defective_flagged"] == pytest.approx(2 / 3)


def test_parse_reports_keep_cwe_lines_and_unparsed_touched_files():
    sr = of.parse_secreview({"findings": [{"path": "./proj/a.py", "line": 4, "end_line": 6, "cwe": 532,
                                           "rule_id": "SR110"}],
                             "problems": [{"path": "proj/a.py", "kind": "syntax-error", "reviewed": True},
                                          {"path": "proj/b.py", "kind": "syntax-error", "reviewed": False}]},
                            ["proj/a.py"])
    assert sr.hits == [of.Hit("proj/a.py", 4, 6, 532, "SR110")]
    assert sr.unparsed == ["proj/a.py"]
    bd = of.parse_bandit({"results": [{"filename": "./proj/a.py", "line_number": 7, "line_range": [7, 9],
                                       "issue_cwe": {"id": 78}, "test_id": "B602"}],
                          "errors": [{"filename": "./proj/a.py", "reason": "syntax error"}]}, ["proj/a.py"])
    assert bd.hits == [of.Hit("proj/a.py", 7, 9, 78, "B602")]
    assert bd.unparsed == ["proj/a.py"]


def test_load_corpus_rejects_bad_entries(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text('[[fix]]\nproject = "proj"\ncommit = "' + "a" * 40 + '"\nclass = "race"\ncwe = 362\n'
                    'reason = "r"\n')
    assert of.load_corpus(good) == [of.Fix("proj", "a" * 40, "race", 362, "r")]
    for body, why in (('class = "races"', "unknown class"), ('class = "race"\ncommit2 = 1', "")):
        bad = tmp_path / "bad.toml"
        bad.write_text('[[fix]]\nproject = "proj"\ncommit = "' + "a" * 40 + '"\ncwe = 362\n' + body + "\n")
        if why:
            with pytest.raises(ValueError, match=why):
                of.load_corpus(bad)
    short = tmp_path / "short.toml"
    short.write_text('[[fix]]\nproject = "p"\ncommit = "abc"\nclass = "race"\ncwe = 1\n')
    with pytest.raises(ValueError, match="40-hex"):
        of.load_corpus(short)
    dup = tmp_path / "dup.toml"
    dup.write_text(good.read_text() * 2)
    with pytest.raises(ValueError, match="twice"):
        of.load_corpus(dup)


def test_the_frozen_corpus_is_well_formed():
    fixes = of.load_corpus(ROOT / "benchmarks" / "openstack-fixes.toml")
    assert len(fixes) >= 150
    projects = {f.project for f in fixes}
    assert len(projects) >= 6 and not projects & {"neutron", "nova"}
    assert all(f.reason for f in fixes)


# --------------------------------------------------------------------------
# end to end on stored reports


def args_for(cache: Path, **kw) -> argparse.Namespace:
    base = dict(cache=str(cache), scope="package", rescore=True, reuse=False, quiet=True, secreview=None,
                secreview_src=None, secreview_args="", bandit="bandit", timeout=60)
    base.update(kw)
    return argparse.Namespace(**base)


def test_rescore_stored_reports_end_to_end(mirror, tmp_path, capsys):
    mirrors, parent, fix_id = mirror
    cache = tmp_path / "cache"
    fix = the_fix(fix_id)
    stored = {
        ("secreview", "before"): {"findings": [{"path": "proj/health/status.py", "line": 8, "end_line": 8,
                                                "cwe": 208, "rule_id": "SR120"}], "problems": []},
        ("secreview", "after"): {"findings": [], "problems": []},
        ("bandit", "before"): {"results": [], "errors": []},
        ("bandit", "after"): {"results": [{"filename": "./proj/health/status.py", "line_number": 11,
                                           "issue_cwe": {"id": 703}, "test_id": "B101"}], "errors": []},
    }
    for (tool, side), data in stored.items():
        path = Path(of.report_path(str(cache), tool, fix, side))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data))
    result = of.evaluate([fix], str(mirrors), ["secreview", "bandit"], args_for(cache), log=lambda m: None)
    sr = of.tally(result["scores"]["secreview"])["all"].rates()
    bd = of.tally(result["scores"]["bandit"])["all"].rates()
    assert (sr["defective_flagged"], sr["fixed_flagged"]) == (1.0, 0.0)
    assert (bd["defective_flagged"], bd["fixed_flagged"], bd["fixed_any"]) == (0.0, 0.0, 1.0)
    out = of.to_json(result, ["secreview", "bandit"], {}, args_for(cache))
    assert out["classes"]["crypto"]["secreview"]["counts"]["flagged_before"] == 1
    assert out["classes"]["all"]["bandit"]["rates"]["commits_flagged"] == 0.0
    assert out["commits"][0]["hunks"][0]["bandit"]["after"]["findings"] == [
        {"rule": "B101", "cwe": 703, "line": 11}]
    of.print_list(result, ["secreview", "bandit"])
    listing = capsys.readouterr().out
    assert "SR120/CWE-208@8*" in listing and "B101/CWE-703@11" in listing


def test_missing_mirror_is_skipped_not_fatal(tmp_path):
    fix = of.Fix("absent", "a" * 40, "race", 362, "r")
    result = of.evaluate([fix], str(tmp_path), ["secreview"], args_for(tmp_path / "c"), log=lambda m: None)
    assert result["skipped"][0]["why"].startswith("no mirror of absent")
    assert result["scores"]["secreview"] == []


def test_main_check_and_bad_corpus(mirror, tmp_path, capsys):
    mirrors, parent, fix_id = mirror
    corpus = tmp_path / "c.toml"
    corpus.write_text(f'[[fix]]\nproject = "proj"\ncommit = "{fix_id}"\nclass = "crypto"\ncwe = 208\n'
                      f'reason = "r"\n\n[[fix]]\nproject = "proj"\ncommit = "{parent}"\nclass = "race"\n'
                      'cwe = 362\nreason = "r"\n')
    assert of.main([str(corpus), str(mirrors), "--check"]) == 1
    out = capsys.readouterr().out
    assert "1 of 2 commits meet the selection rules" in out and parent in out
    (tmp_path / "bad.toml").write_text("[[fix]]\nproject = 1\n")
    assert of.main([str(tmp_path / "bad.toml"), str(mirrors)]) == of.EXIT_BAD_INPUT
