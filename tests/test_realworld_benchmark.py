"""The real-code recall benchmark's own logic (``benchmarks/realworld.py``) on tiny synthetic inputs:
truth.sarif and cves_db parsing, CodeQL annotations and .expected files, the within-two-lines and
CWE-family matching, and the rates. No network, no corpus, no tool run."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import pytest

_BENCH = Path(__file__).parent.parent / "benchmarks"
sys.path.insert(0, str(_BENCH))  # realworld imports owasp_benchmark's CWE table
spec = importlib.util.spec_from_file_location("realworld", _BENCH / "realworld.py")
rw = importlib.util.module_from_spec(spec)
sys.modules.setdefault("realworld", rw)  # its dataclasses look their module up
spec.loader.exec_module(rw)


def sarif(*results):
    return {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": list(results)}]}


def result(cve, kind, cwe, *locs):
    return {"kind": kind, "message": {"text": cve}, "ruleId": f"CWE-{cwe}",
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri},
                                                "region": {"startLine": s, "endLine": e}},
                           "logicalLocations": [{"name": name, "kind": "function"}]}
                          for uri, s, e, name in locs]}


# --------------------------------------------------------------------------- truth.sarif


def test_truth_sarif_regions_by_cve_and_kind():
    doc = sarif(result("CVE-1", "fail", 78, ("pkg/a.py", 10, 20, "run"), ("tests/test_a.py", 5, 9, "t")),
                result("CVE-2", "pass", 22, ("./pkg/b.py", 3, 3, "open_it")))
    regions = rw.parse_truth_sarif(doc)
    assert regions[("CVE-1", "fail")] == [rw.Region("pkg/a.py", 10, 20, "run"),
                                          rw.Region("tests/test_a.py", 5, 9, "t")]
    assert regions[("CVE-2", "pass")] == [rw.Region("pkg/b.py", 3, 3, "open_it")]
    assert ("CVE-1", "pass") not in regions
    assert rw.truth_cwes(doc) == {"CVE-1": 78, "CVE-2": 22}


def test_test_paths_are_not_scored():
    assert rw.is_test_path("tests/models/test_cli.py")
    assert rw.is_test_path("pkg/test_x.py")
    assert rw.is_test_path("pkg/x_test.py")
    assert rw.is_test_path("conftest.py")
    assert rw.is_test_path("end_to_end_tests/golden-master/client/models/a_model.py")
    assert not rw.is_test_path("mlflow/pyfunc/backend.py")
    assert not rw.is_test_path("pkg/testament.py")


def test_rev_of_release_and_tree_urls():
    assert rw.rev_of("https://github.com/o/p/releases/tag/v2.5.0") == "v2.5.0"
    assert rw.rev_of("https://github.com/o/p/tree/a340e4ef97917d566fe83bf385c1d4170e62c6c5") == \
        "a340e4ef97917d566fe83bf385c1d4170e62c6c5"


def _reality_check(tmp_path, source_vul, source_fix):
    """A reality-check layout with one CVE, and its two trees."""
    rc = tmp_path / "rc" / "python"
    (rc / "markup" / "proj" / "proj-1.0").mkdir(parents=True)
    (rc / "markup" / "proj" / "proj-1.1").mkdir(parents=True)
    (rc / "cves_db.csv").write_text(
        "project,cve,cwe,full_name,vul_version,vul_url,vul_zip,vul_markup_file,patch_version,patch_url,"
        "patch_zip,patch_markup_file\n"
        "proj,CVE-9,CWE-78,https:/github.com/o/proj,proj-1.0,https://github.com/o/proj/releases/tag/1.0,,,"
        "proj-1.1,https://github.com/o/proj/releases/tag/1.1,,\n")
    (rc / "markup" / "proj" / "proj-1.0" / "truth.sarif").write_text(json.dumps(
        sarif(result("CVE-9", "fail", 78, ("src/proj/run.py", 3, 4, "go")))))
    (rc / "markup" / "proj" / "proj-1.1" / "truth.sarif").write_text(json.dumps(
        sarif(result("CVE-9", "pass", 78, ("src/proj/run.py", 3, 5, "go")))))
    for version, src in (("proj-1.0", source_vul), ("proj-1.1", source_fix)):
        d = tmp_path / "co" / "proj" / version / "src" / "proj"
        d.mkdir(parents=True)
        (d / "run.py").write_text(src)
    return tmp_path / "rc", tmp_path / "co"


def test_load_reality_check_makes_one_positive_and_one_negative(tmp_path):
    rc, co = _reality_check(tmp_path, "import os\n\ndef go(x):\n    os.system(x)\n",
                            "import subprocess\n\ndef go(x):\n    subprocess.run(['ls', x])\n    return 0\n")
    trees, items, notes = rw.load_reality_check(str(rc), str(co))
    assert notes == []
    assert sorted(t.id for t in trees) == ["proj/proj-1.0", "proj/proj-1.1"]
    pos = [it for it in items if it.positive]
    neg = [it for it in items if not it.positive]
    assert [(it.key, it.cwe, it.tree) for it in pos] == [("CVE-9", 78, "proj/proj-1.0")]
    assert [(it.key, it.tree) for it in neg] == [("CVE-9", "proj/proj-1.1")]
    assert pos[0].regions == [rw.Region("src/proj/run.py", 3, 4, "go")]
    assert pos[0].note == ""  # def go is at line 3


def test_region_path_resolved_inside_a_src_layout(tmp_path):
    rc, co = _reality_check(tmp_path, "\n\ndef go(x):\n    pass\n", "\n\ndef go(x):\n    pass\n")
    for version in ("proj-1.0", "proj-1.1"):
        p = rc / "python" / "markup" / "proj" / version / "truth.sarif"
        p.write_text(p.read_text().replace("src/proj/run.py", "proj/run.py"))
    _, items, notes = rw.load_reality_check(str(rc), str(co))
    assert notes == []
    assert {it.regions[0].path for it in items} == {"src/proj/run.py"}


def test_missing_tree_is_noted_not_scored(tmp_path):
    rc, co = _reality_check(tmp_path, "def go(x):\n    pass\n", "def go(x):\n    pass\n")
    import shutil
    shutil.rmtree(co / "proj" / "proj-1.1")
    _, items, notes = rw.load_reality_check(str(rc), str(co))
    assert [it.positive for it in items] == [True]
    assert notes == ["CVE-9 patched: tree proj/proj-1.1 not prepared"]


def test_region_not_at_named_function_is_flagged(tmp_path):
    rc, co = _reality_check(tmp_path, "x = 1\n" * 20, "x = 1\n" * 20)
    _, items, _ = rw.load_reality_check(str(rc), str(co))
    assert all("do not start at the named function" in it.note for it in items)


# --------------------------------------------------------------------------- CodeQL annotations


@pytest.mark.parametrize("comment, expected", [
    ("# NOT OK", True),
    ("# Not OK", True),
    ("# BAD -- Using string formatting", True),
    ("# OK", False),
    ("# GOOD", False),
    ("# OK, FP", False),
    ("# OK (TODO: Currently FP)", False),
    ("# FP", False),
    ("# $ Alert", True),
    ("# $ Alert[py/full-ssrf]", True),
    ("# $ MISSING: Alert", True),
    ("# $ SPURIOUS: Alert", False),
    ("# $ Source", None),
    ("# OK if only running on UNIX systems, NOT OK if could be running on windows", None),
    ("# This is OK, since flask routing ensures it", None),  # prose, not an annotation
    ("# <--- ...can jump to here, resulting in FP", None),
    ("# Don't let files be `; rm -rf /`", None),
])
def test_annotation_of(comment, expected):
    assert rw.annotation_of(comment) is expected


def test_parse_annotations_trailing_block_and_ambiguous():
    src = "\n".join([
        "import os",                                   # 1
        "def f(x):",                                   # 2
        "    os.system(x)  # NOT OK",                  # 3
        "    os.system('ls')  # OK",                   # 4
        "    # GOOD -- using parameters",              # 5
        "    cur.execute('q %s', x)",                  # 6
        "    cur.execute('q2', x)",                    # 7 (only the first line after a marker comment)
        "",                                            # 8
        "    # BAD",                                   # 9
        "",                                            # 10 (a blank line ends the marker)
        "    eval(x)",                                 # 11
        "    open(x)  # OK if on UNIX, NOT OK on windows",  # 12
        "    s = '# NOT OK inside a string'",          # 13
    ])
    assert rw.parse_annotations(src) == {3: True, 4: False, 6: False}
    assert rw.ambiguous_lines(src) == {12}


def test_inline_expectation_files_ignore_comment_markers():
    src = "\n".join([
        "from flask import request  # $ Source",   # 1
        "def f():",                                 # 2
        "    u = request.args['u']",                # 3
        "    # NOT OK -- user has full control",    # 4
        "    s = requests.Session()",               # 5 (not the sink: no label)
        "    s.get(u)  # $ Alert[py/full-ssrf]",    # 6
        "    # OK -- filtered",                     # 7
        "    p.get(u)",                             # 8 (no label either)
    ])
    assert rw.parse_annotations(src) == {6: True}


def test_parse_expected_select_rows_only():
    text = "\n".join([
        "edges",
        "| a.py:3:1:3:5 | x | a.py:9:1:9:5 | y |",
        "nodes",
        "| a.py:4:1:4:5 | x | semmle.label | x |",
        "#select",
        "| a.py:9:15:9:22 | x | a.py:3:1:3:5 | src | a.py:9:15:9:22 | sink | msg | a.py:3:1:3:5 | v |",
        "| b.py:12:1:12:3 | x | b.py:1:1:1:3 | src | b.py:12:1:12:3 | sink | msg | b.py:1:1:1:3 | v |",
    ])
    assert rw.parse_expected(text) == {"a.py": {9}, "b.py": {12}}


def test_label_test_dir_expected_and_annotations(tmp_path):
    d = tmp_path / "CWE-078"
    d.mkdir()
    (d / "q.qlref").write_text("Security/CWE-078/CommandInjection.ql\n")
    (d / "q.expected").write_text("#select\n| t.py:3:1:3:9 | a | b |\n| t.py:5:1:5:9 | a | b |\n")
    (d / "other.expected").write_text("#select\n| t.py:7:1:7:9 | a | b |\n")  # no .qlref: ignored
    (d / "t.py").write_text("import os\nx = input()\nos.system(x)\n\nos.system(x)  # OK (TODO: FP)\n"
                            "\nos.system('ls')\n")
    assert rw.label_test_dir(str(d)) == {"t.py": {3: True, 5: False}}
    assert rw.dir_cwe(str(d)) == 78
    assert rw.dir_cwe(str(tmp_path / "CWE-022-TarSlip")) == 22


# --------------------------------------------------------------------------- matching


def item(line, positive, cwe=78, path="t.py", tree="T", corpus="codeql"):
    return rw.Item(corpus, f"{path}:{line}", cwe, positive, tree, [rw.Region(path, line, line)])


def test_families():
    assert rw.compatible(78, 78) and rw.compatible(78, 77) and rw.compatible(77, 78)
    assert rw.compatible(22, 73) and rw.compatible(29, 22) and rw.compatible(36, 22)
    assert rw.compatible(93, 113)
    assert rw.compatible(203, 208) and not rw.compatible(208, 203)  # a child credits its parent, not the reverse
    assert rw.compatible(74, 79) and rw.compatible(74, 89)
    assert not rw.compatible(78, 89)
    assert not rw.compatible(287, 78)  # not in the table: only itself
    assert rw.compatible(287, 287)


def test_nearest_labelled_line_gets_the_hit():
    pos, neg = item(10, True), item(11, False)
    hits = [rw.Hit("t.py", 10, 78, "R")]
    credited = rw.credit_lines([pos, neg], hits)
    assert credited == {id(pos): hits}  # the neighbouring safe line is not a false alarm


def test_within_two_lines_and_tie_goes_to_the_later_line():
    a, b = item(10, True), item(14, True)
    far = item(30, True)
    credited = rw.credit_lines([a, b, far], [rw.Hit("t.py", 12, 78, "R"), rw.Hit("t.py", 27, 78, "R")])
    assert list(credited) == [id(b)]  # 12 is two lines from both: the later one; 27 is 3 from 30


def test_incompatible_cwe_or_other_file_is_not_credited():
    a = item(10, True)
    assert rw.credit_lines([a], [rw.Hit("t.py", 10, 89, "R"), rw.Hit("u.py", 10, 78, "R")]) == {}


def test_region_matching_with_slack():
    it = rw.Item("reality-check", "CVE-1", 22, True, "T", [rw.Region("a.py", 10, 20)])
    hits = {"a.py": [rw.Hit("a.py", 8, 22, "R"), rw.Hit("a.py", 23, 22, "R"), rw.Hit("a.py", 15, 78, "R")]}
    assert rw.region_hits(it, hits) == [rw.Hit("a.py", 8, 22, "R")]
    assert [h.line for h in rw.nearby_hits(it, hits)] == [8, 15]


# --------------------------------------------------------------------------- rates


def test_youden():
    assert rw.youden(tp=8, fn=2, fp=1, tn=9) == pytest.approx(0.7)
    assert rw.youden(tp=0, fn=0, fp=0, tn=0) == 0.0
    assert rw.youden(tp=1, fn=0, fp=0, tn=0) == 1.0


def test_score_counts_each_item_once():
    items = [item(3, True), item(20, True), item(40, False), item(60, False)]
    run = rw.ToolRun("x", hits={"T": {"t.py": [rw.Hit("t.py", 3, 78, "R"), rw.Hit("t.py", 41, 78, "R"),
                                                rw.Hit("t.py", 3, 78, "R2")]}})
    s = rw.score(items, run, key=lambda it: "all")["all"]
    assert (len(s.tp), len(s.fn), len(s.fp), len(s.tn)) == (1, 1, 1, 1)
    assert s.tpr == 0.5 and s.fpr == 0.5 and s.youden == 0.0
    m = rw.misses(items, run)
    assert [e["key"] for e in m["false_negatives"]] == ["t.py:20"]
    assert [e["key"] for e in m["false_positives"]] == ["t.py:40"]
    assert m["false_positives"][0]["flagged_by"] == ["t.py:41 R CWE-78"]


def test_reports_are_read_with_paths_relative_to_the_tree(tmp_path):
    sec = {"findings": [{"path": "./a/b.py", "line": 4, "cwe": 78, "rule_id": "SR101"},
                        {"path": str(tmp_path / "c.py"), "line": 2, "cwe": 89, "rule_id": "SR104"}],
           "problems": [{"path": "d.py", "kind": "syntax-error", "reviewed": False}]}
    hits, unparsed = rw.read_secreview(sec, str(tmp_path))
    assert hits == {"a/b.py": [rw.Hit("a/b.py", 4, 78, "SR101")], "c.py": [rw.Hit("c.py", 2, 89, "SR104")]}
    assert unparsed == ["d.py"]
    ban = {"results": [{"filename": "./a/b.py", "line_number": 4, "issue_cwe": {"id": 78}, "test_id": "B605"}],
           "errors": [{"filename": "./e.py", "reason": "syntax error"}]}
    hits, unparsed = rw.read_bandit(ban, str(tmp_path))
    assert hits == {"a/b.py": [rw.Hit("a/b.py", 4, 78, "B605")]}
    assert unparsed == ["e.py"]


def test_scoring_reused_reports_end_to_end(tmp_path, capsys):
    """score --secreview-json DIR reads the kept reports and needs no tool."""
    d = tmp_path / "ql" / "CWE-078"
    d.mkdir(parents=True)
    (d / "t.py").write_text("import os\nos.system(input())  # NOT OK\nos.system('ls')  # OK\n")
    reports = tmp_path / "reports"
    tree = rw.Tree("codeql", "ql/CWE-078", str(d))
    p = Path(rw.report_path(str(reports), "secreview", tree))
    p.parent.mkdir(parents=True)
    p.write_text(json.dumps({"findings": [{"path": "t.py", "line": 2, "cwe": 78, "rule_id": "SR101"}]}))
    out_json = tmp_path / "out.json"
    assert rw.main(["--codeql", str(tmp_path / "ql"), "--secreview-json", str(reports), "--no-bandit",
                    "--json", str(out_json), "--markdown", str(tmp_path / "out.md")]) == 0
    doc = json.loads(out_json.read_text())
    row = next(r for r in doc["summary"] if r["group"] == "all")
    assert row["tools"]["secreview"]["tp"] == 1 and row["tools"]["secreview"]["fp"] == 0
    assert row["positives"] == 1 and row["negatives"] == 1
    assert "CWE-78" in (tmp_path / "out.md").read_text()


def test_help_runs():
    with pytest.raises(SystemExit) as exc:
        rw.main(["--help"])
    assert exc.value.code == 0


def test_prepare_extracts_python_files_of_the_revision(tmp_path):
    import subprocess
    work = tmp_path / "mirrors" / "o+proj" / "repo"
    work.mkdir(parents=True)
    git = ["git", "-C", str(work), "-c", "user.email=a@b", "-c", "user.name=a"]
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    (work / "pkg").mkdir()
    (work / "pkg" / "run.py").write_text("V = 1\n")
    (work / "README").write_text("not python\n")
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-qm", "one"], check=True)
    subprocess.run(git + ["tag", "1.0"], check=True)
    (work / "pkg" / "run.py").write_text("V = 2\n")
    subprocess.run(git + ["commit", "-qam", "two"], check=True)
    subprocess.run(git + ["tag", "1.1"], check=True)
    rc, _ = _reality_check(tmp_path / "x", "", "")
    co = tmp_path / "co"
    assert rw.main(["prepare", str(rc), "--mirrors", str(tmp_path / "mirrors"), "--checkouts", str(co),
                    "--revisions", str(tmp_path / "none.csv")]) == 0
    assert (co / "proj" / "proj-1.0" / "pkg" / "run.py").read_text() == "V = 1\n"
    assert (co / "proj" / "proj-1.1" / "pkg" / "run.py").read_text() == "V = 2\n"
    assert not (co / "proj" / "proj-1.0" / "README").exists()
    manifest = json.loads((co / "manifest.json").read_text())
    assert [(e["version"], e["source"], e["files"]) for e in manifest] == [("proj-1.0", "git", 1),
                                                                           ("proj-1.1", "git", 1)]


def test_child_env_makes_pythonpath_absolute(tmp_path, monkeypatch):
    # the tools run from inside each tree: ``PYTHONPATH=src`` must keep naming the checkout's src
    monkeypatch.chdir(tmp_path)
    env = rw.child_env({"PYTHONPATH": "src" + os.pathsep + "/abs/lib", "HOME": "/h"})
    assert env["PYTHONPATH"].split(os.pathsep) == [str(tmp_path / "src"), "/abs/lib"]
    assert env["HOME"] == "/h"
    assert "PYTHONPATH" not in rw.child_env({"HOME": "/h"})
