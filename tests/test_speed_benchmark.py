"""The speed benchmark's own helpers (``benchmarks/speed.py``): choosing and editing the helper module,
summing the memory of a process tree, comparing findings across runs, and keeping hand-written sections
of the page it writes.  No network, bandit, ruff or neutron needed."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

spec = importlib.util.spec_from_file_location("speed", Path(__file__).parent.parent / "benchmarks" / "speed.py")
speed = importlib.util.module_from_spec(spec)
sys.modules.setdefault("speed", speed)
spec.loader.exec_module(speed)  # the command line; it puts benchmarks/ on sys.path for its package, speedbench

from speedbench import findings as sb_findings  # noqa: E402
from speedbench import helper as sb_helper  # noqa: E402
from speedbench import measure as sb_measure  # noqa: E402
from speedbench import render as sb_render  # noqa: E402
from speedbench import tools as sb_tools  # noqa: E402

HELPER = '''"""Helpers."""
from __future__ import annotations

import subprocess


def run(cmd):
    return subprocess.check_output(cmd, shell=True)


def quote(text):
    return text
'''


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def tree(tmp_path):
    """pkg.common.helper used by 21 modules (in four import styles); pkg.consts imported by 25 but no function
    of it used; pkg/__init__.py imported by everyone; a module with a syntax error."""
    root = tmp_path / "proj"
    write(root / "pkg" / "__init__.py", "def setup():\n    pass\n")
    write(root / "pkg" / "common" / "__init__.py", "")
    write(root / "pkg" / "common" / "helper.py", HELPER)
    write(root / "pkg" / "consts.py", "A = 1\n\n\ndef unused():\n    return A\n")
    styles = [
        "from pkg.common import helper\n\n\ndef go(x):\n    return helper.run(x)\n",
        "from pkg.common.helper import run\n\n\ndef go(x):\n    return run(x)\n",
        "import pkg.common.helper\n\n\ndef go(x):\n    return pkg.common.helper.quote(x)\n",
        "from ..common import helper as h\n\n\ndef go(x):\n    return h.run(x)\n",
    ]
    for i in range(21):
        body = styles[i % len(styles)]
        write(root / "pkg" / "mods" / f"m{i}.py", "import pkg\nfrom pkg import consts\n" + body)
    write(root / "pkg" / "mods" / "__init__.py", "")
    for i in range(4):  # more importers of consts than of the helper, none using a function
        write(root / "pkg" / "other" / f"o{i}.py", "from pkg import consts\nX = consts.A\n")
    write(root / "pkg" / "broken.py", "def f(:\n")
    write(root / "scripts" / "tool.py", "from pkg.common import helper\nhelper.run('ls')\n")  # not a package
    return root


def test_module_names(tree):
    names = sb_helper.module_names(str(tree))
    assert names["pkg/common/helper.py"] == "pkg.common.helper"
    assert names["pkg/__init__.py"] == "pkg"
    assert names["pkg/mods/m3.py"] == "pkg.mods.m3"
    assert names["scripts/tool.py"] == "tool"  # scripts/ has no __init__.py


def test_scan_imports_counts_importers_and_function_users(tree):
    scanned = sb_helper.scan_imports(str(tree))
    helper = scanned["pkg/common/helper.py"]
    assert helper.module == "pkg.common.helper"
    assert helper.importers == 22  # 21 modules and scripts/tool.py, through every import style
    assert helper.users == 22
    assert helper.functions == 2
    consts = scanned["pkg/consts.py"]
    assert consts.importers == 25
    assert consts.users == 0  # consts.A is not a function
    assert "pkg/broken.py" not in scanned


def test_scan_imports_names_the_most_used_function_with_parameters(tree):
    helper = sb_helper.scan_imports(str(tree))["pkg/common/helper.py"]
    # run: three of the four import styles (16 of the 21 modules) and scripts/tool.py; quote: 5 modules
    assert (helper.top_function, helper.top_users) == ("run", 17)
    assert sb_helper.scan_imports(str(tree))["pkg/consts.py"].top_function == ""  # unused()


def test_edit_function_source_makes_the_function_pass_its_parameter_to_a_shell():
    edited = sb_helper.edit_function_source(HELPER.encode(), "quote").decode()
    module = ast.parse(edited)
    names = [n.name for n in module.body if isinstance(n, ast.FunctionDef)]
    assert names == [sb_helper.EDIT_NAME, "run", "quote"]
    quote = module.body[-1]
    assert ast.unparse(quote.body[0]) == f"{sb_helper.EDIT_NAME}(text)"
    assert "shell=True" in ast.unparse(module.body[2])
    documented = sb_helper.edit_function_source(b'def f(a, b):\n    """Doc."""\n    return a\n', "f").decode()
    assert documented.splitlines()[-3:] == ['    """Doc."""', f"    {sb_helper.EDIT_NAME}(a)", "    return a"]
    with pytest.raises(ValueError):
        sb_helper.edit_function_source(b"def g():\n    pass\n", "g")  # no parameter to pass


def test_choose_helper_prefers_function_users_and_skips_init(tree):
    chosen = sb_helper.choose_helper(str(tree))
    assert chosen is not None
    assert chosen.path == "pkg/common/helper.py"  # not consts (more importers, no function used), not pkg/__init__
    assert sb_helper.choose_helper(str(tree), min_importers=23) is None


def test_choose_helper_ties_go_to_the_smallest_path(tmp_path):
    for name in ("b", "a"):
        write(tmp_path / "p" / f"{name}.py", "def f():\n    pass\n")
    write(tmp_path / "p" / "__init__.py", "")
    write(tmp_path / "p" / "user.py", "from p import a, b\na.f()\nb.f()\n")
    assert sb_helper.choose_helper(str(tmp_path), min_importers=1).path == "p/a.py"


def test_edit_source_goes_after_docstring_and_future_imports():
    edited = sb_helper.edit_source(HELPER.encode()).decode()
    lines = edited.splitlines()
    added = len(sb_helper.EDIT_LINES)
    assert lines[:2] == HELPER.splitlines()[:2]  # docstring, then the __future__ import
    assert lines[2] == f"def {sb_helper.EDIT_NAME}(value=None):"
    assert lines[2 + added:] == HELPER.splitlines()[2:]  # the rest, every line moved by the same amount
    original = {n.name: n.lineno for n in ast.parse(HELPER).body if isinstance(n, ast.FunctionDef)}
    moved = {n.name: n.lineno for n in ast.parse(edited).body if isinstance(n, ast.FunctionDef)}
    assert all(moved[name] == line + added for name, line in original.items())


def test_edit_source_keeps_leading_comments_and_line_endings():
    source = b"#!/usr/bin/env python\n# -*- coding: latin-1 -*-\n\nimport os\r\n"
    edited = sb_helper.edit_source(source)
    assert edited.startswith(b"#!/usr/bin/env python\n# -*- coding: latin-1 -*-\n\n"
                             + f"def {sb_helper.EDIT_NAME}".encode())
    assert edited.endswith(b"import os\r\n")
    assert sb_helper.edit_source(b"@dec\ndef f():\n    pass\n").startswith(f"def {sb_helper.EDIT_NAME}".encode())
    assert sb_helper.edit_source(b"").startswith(f"def {sb_helper.EDIT_NAME}".encode())
    no_newline = sb_helper.edit_source(b'"""Doc."""')
    assert no_newline.startswith(b'"""Doc."""\n' + f"def {sb_helper.EDIT_NAME}".encode())
    ast.parse(no_newline)


def test_edited_file_restores_bytes_and_times(tmp_path):
    path = tmp_path / "m.py"
    path.write_bytes(HELPER.encode())
    os.utime(path, ns=(1_000_000_000, 2_000_000_000))
    with sb_helper.EditedFile(str(path)):
        assert sb_helper.EDIT_NAME in path.read_text()
    assert path.read_bytes() == HELPER.encode()
    assert os.stat(path).st_mtime_ns == 2_000_000_000


def test_descendants_from_parent_ids():
    parents = {10: 1, 11: 10, 12: 10, 13: 11, 20: 1, 21: 20}
    assert sb_measure.descendants(10, parents) == [10, 11, 12, 13]
    assert sb_measure.descendants(21, parents) == [21]


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs Linux /proc")
@pytest.mark.parametrize("children_files", [True, False])
def test_process_tree_sums_this_process_and_its_children(children_files):
    if children_files and not sb_measure.children_files_work():
        pytest.skip("kernel without /proc/<pid>/task/<tid>/children")
    # A child holding 64 MiB, so that its share is unmistakable.
    code = ("import sys, time\nb = bytearray(64 << 20)\n"
            "b[::4096] = b'x' * len(b[::4096])\nprint('ready', flush=True)\ntime.sleep(60)")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        tree = sb_measure.ProcessTree(os.getpid(), use_children_files=children_files)
        assert {os.getpid(), child.pid} <= set(tree.pids())
        total, count = tree.rss_kib()
        own, theirs = sb_measure.vmrss_kib(os.getpid()), sb_measure.vmrss_kib(child.pid)
        assert theirs >= 64 * 1024
        assert count >= 2
        assert total >= theirs + own * 0.5  # this process's RSS may shrink a little between the readings
    finally:
        child.kill()
        child.wait()
    assert child.pid not in sb_measure.ProcessTree(os.getpid(), use_children_files=children_files).pids()


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs Linux /proc")
def test_measure_samples_the_summed_rss_of_workers(tmp_path):
    # Two children holding 48 MiB each at once: only a sum reaches 96 MiB.
    code = ("import subprocess, sys\n"
            "kid = 'b = bytearray(48 << 20); b[::4096] = b\"x\" * len(b[::4096]); import time; time.sleep(0.5)'\n"
            "ps = [subprocess.Popen([sys.executable, '-c', kid]) for _ in range(2)]\n"
            "[p.wait() for p in ps]\n")
    m = sb_measure.measure([sys.executable, "-c", code], str(tmp_path), str(tmp_path / "out"), str(tmp_path / "err"),
                      interval=0.02)
    assert m.exit_code == 0
    assert m.samples >= 5
    assert m.max_procs >= 3
    assert m.sum_rss_kib >= 2 * 48 * 1024


def test_vmrss_of_a_missing_process_is_zero():
    assert sb_measure.vmrss_kib(2**22 + 12345) == 0
    assert sb_measure.parent_of(2**22 + 12345) is None


def finding(path, line=3, **extra):
    base = {"rule_id": "SR101", "path": path, "line": line, "col": 4, "code": "x",
            "explanation": f"defined in {path}", "fingerprint": f"hash-of-{path}",
            "trace": [{"path": path, "line": 1, "col": 0, "note": "n", "code": ""}]}
    return {**base, **extra}


def test_normalise_findings_makes_paths_relative_and_drops_fingerprints(tmp_path):
    a, b = str(tmp_path / "one" / "proj"), str(tmp_path / "two" / "proj")
    report_a = {"target": a, "findings": [finding(f"{a}/pkg/m.py")], "summary": {"files_reviewed": 3}}
    report_b = {"target": b, "findings": [finding(f"{b}/pkg/m.py")], "summary": {"files_reviewed": 3}}
    na, nb = sb_findings.normalise_findings(report_a, a), sb_findings.normalise_findings(report_b, b + os.sep)
    assert na == nb
    assert na[0]["path"] == "pkg/m.py"
    assert na[0]["trace"][0]["path"] == "pkg/m.py"
    assert na[0]["explanation"] == "defined in pkg/m.py"
    assert "fingerprint" not in na[0]
    # A sibling directory whose name starts like the tree's keeps its path.
    other = sb_findings.normalise_findings({"findings": [finding(f"{a}-old/x.py")]}, a)
    assert other[0]["path"] == f"{a}-old/x.py"


def test_compare_findings():
    ref = [finding("a.py"), finding("b.py", line=7)]
    ok, detail = sb_findings.compare_findings(list(ref), ref)
    assert ok and detail == "2 findings, equal"
    ok, detail = sb_findings.compare_findings([ref[1], ref[0]], ref)
    assert not ok and "another order" in detail
    ok, detail = sb_findings.compare_findings([ref[0], finding("b.py", line=8)], ref)
    assert not ok
    assert "1 not in the reference (SR101 b.py:8)" in detail
    assert "1 missing (SR101 b.py:7)" in detail
    ok, detail = sb_findings.compare_findings([ref[0]], [ref[0]])
    assert ok and detail == "1 finding, equal"


def test_merge_preserved_keeps_what_follows_the_marker():
    existing = ("# Performance\n\nold figures\n\n" + sb_render.PRESERVE_MARKER
                + "\n\n## Where the time goes\n\nby hand\n")
    merged = sb_render.merge_preserved("# Performance\n\nnew figures\n", existing)
    assert merged == ("# Performance\n\nnew figures\n\n" + sb_render.PRESERVE_MARKER + "\n\n## Where the time goes\n\n"
                      "by hand\n")
    assert "old figures" not in merged
    again = sb_render.merge_preserved("# Performance\n\nnewer figures\n", merged)  # regenerated once more
    assert again == merged.replace("new figures", "newer figures")


def test_merge_preserved_without_a_marker_or_file():
    assert sb_render.merge_preserved("# P\n\nnew\n\n\n", None) == "# P\n\nnew\n\n" + sb_render.PRESERVE_MARKER + "\n"
    assert sb_render.merge_preserved("# P\n", "# P\n\n## hand section without a marker\n") == (
        "# P\n\n" + sb_render.PRESERVE_MARKER + "\n")


def test_absolute_pythonpath():
    assert sb_tools.absolute_pythonpath({"PYTHONPATH": "/a:/b"}) is None
    assert sb_tools.absolute_pythonpath({}) is None
    fixed = sb_tools.absolute_pythonpath({"PYTHONPATH": "src", "X": "1"})
    assert fixed == {"PYTHONPATH": os.path.abspath("src"), "X": "1"}


def test_tool_commands_and_cache_environment():
    tool = sb_tools.Tool("secreview-empty", "secreview, empty cache", "secreview",
                      ["secreview", "review", "{tree}", "--output", "{out}", "--cache-dir", "{cache}"],
                      frozenset({0}), env={"PATH": "/bin"})
    assert tool.command("/t", "/o.json", "/c") == ["secreview", "review", "/t", "--output", "/o.json",
                                                    "--cache-dir", "/c"]
    assert tool.run_env("/c") == {"PATH": "/bin", "XDG_CACHE_HOME": "/c"}
    assert tool.env == {"PATH": "/bin"}  # not changed in place
    assert tool.shown() == ("XDG_CACHE_HOME='<cache dir>' secreview review '<tree>' --output '<out.json>' "
                            "--cache-dir '<cache dir>'")
    bandit = sb_tools.Tool("bandit", "bandit", "bandit", ["bandit", "-r", "{tree}"], frozenset({0, 1}))
    assert bandit.run_env("/c") is None


def test_sampler_stops(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.3)"])
    try:
        sampler = sb_measure.Sampler(proc.pid, 0.01).start()
        time.sleep(0.1)
        sampler.stop()
        assert sampler.samples >= 2
        assert sampler.peak_kib > 0
        assert not sampler._thread.is_alive()
    finally:
        proc.wait()


def test_performance_page_is_the_panel_page_in_full():
    """docs/performance.md is what ``speed.py --panel`` wrote, with no part kept by hand (issue 16 item 6);
    the sessions' analyses live in docs/performance-history.md, which the page links to."""
    docs = Path(__file__).parent.parent / "docs"
    page = (docs / "performance.md").read_text(encoding="utf-8")
    assert page.startswith("# Performance\n\n<!-- Generated by benchmarks/speed.py --panel")
    assert sb_render.PRESERVE_MARKER not in page
    assert "targets met" in page and "## Memory (peak RSS of the largest process)" in page
    assert "performance-history.md" in page
    history = (docs / "performance-history.md").read_text(encoding="utf-8")
    assert "## Where the time goes" in history and "## Change review" in history


def test_prepare_helper_in_a_child_process(tree, tmp_path):
    out = tmp_path / "edited"
    helper = sb_helper.prepare_helper_in_child(str(tree), None, str(out))
    assert helper == sb_helper.choose_helper(str(tree))
    assert out.read_bytes() == sb_helper.edit_source((tree / "pkg" / "common" / "helper.py").read_bytes())
    chosen = sb_helper.prepare_helper_in_child(str(tree), "pkg/consts.py", str(out))
    assert chosen.path == "pkg/consts.py" and chosen.importers == 25
    assert sb_helper.EDIT_NAME in out.read_text()
    with pytest.raises(SystemExit):
        sb_helper.prepare_helper_in_child(str(tree), "pkg/broken.py", str(out))


def test_edited_file_writes_the_prepared_text(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("x = 1\n")
    with sb_helper.EditedFile(str(path), b"prepared\n"):
        assert path.read_bytes() == b"prepared\n"
    assert path.read_text() == "x = 1\n"


FAKE_SECREVIEW = r'''
import argparse, json, os, subprocess, sys
if sys.argv[1:] == ["--version"]:
    print("fake-secreview 0")
    sys.exit(0)
if "--help" in sys.argv:
    print("usage: review PATH [--format F] [--output FILE] [--exit-zero] [--no-progress]" + os.environ["FAKE_FLAGS"])
    sys.exit(0)
p = argparse.ArgumentParser()
for a in ("cmd", "path"):
    p.add_argument(a)
for a in ("--format", "--output", "--cache-dir", "--jobs"):
    p.add_argument(a)
for a in ("--exit-zero", "--no-progress", "--no-cache"):
    p.add_argument(a, action="store_true")
a = p.parse_args()
warm = bool(a.cache_dir) and os.path.exists(os.path.join(a.cache_dir, "entry"))
if a.cache_dir and not a.no_cache:
    open(os.path.join(a.cache_dir, "entry"), "w").write("cached")
subprocess.run([sys.executable, "-c", "pass"])  # a worker
findings = []
for root, dirs, files in sorted(os.walk(a.path)):
    for f in sorted(files):
        path = os.path.join(root, f)
        for i, line in enumerate(open(path).read().splitlines(), 1):
            if "shell=True" in line:
                findings.append({"rule_id": "SR101", "path": path, "line": i, "fingerprint": path})
if warm and os.environ.get("FAKE_BUG"):
    findings = []
json.dump({"target": a.path, "findings": findings, "problems": [],
           "summary": {"files_reviewed": 1, "lines_reviewed": 1}}, open(a.output, "w"))
'''
FAKE_BANDIT = r'''
import json, sys
if "--version" in sys.argv:
    print("fake-bandit 0")
    sys.exit(0)
json.dump({"results": [{}], "errors": []}, open(sys.argv[sys.argv.index("-o") + 1], "w"))
sys.exit(1)
'''
FAKE_RUFF = "import sys\nprint('fake-ruff 0' if '--version' in sys.argv else '[]')\n"


@pytest.mark.slow
@pytest.mark.parametrize("flags, bug, status", [
    (" [--jobs N] [--no-cache] [--cache-dir DIR]", "", 0),
    (" [--jobs N] [--no-cache] [--cache-dir DIR]", "1", 1),  # warm runs lose the finding
    ("", "", 0),  # today's secreview: no cache flags
])
def test_main_end_to_end_with_fake_tools(tree, tmp_path, monkeypatch, capsys, flags, bug, status):
    fakes = {}
    for name, code in (("secreview", FAKE_SECREVIEW), ("bandit", FAKE_BANDIT), ("ruff", FAKE_RUFF)):
        path = tmp_path / f"fake_{name}.py"
        path.write_text(code)
        fakes[name] = f"{sys.executable} {path}"
    monkeypatch.setenv("FAKE_FLAGS", flags)
    monkeypatch.setenv("FAKE_BUG", bug)
    page = tmp_path / "performance.md"
    page.write_text("# old\n\n" + sb_render.PRESERVE_MARKER + "\n\n## By hand\n\nkept\n")
    original = {p: p.read_bytes() for p in tree.rglob("*.py")}
    status_got = speed.main(["--tree", str(tree), "--repeat", "2", "--check-identical", "--markdown", str(page),
                             "--secreview", fakes["secreview"], "--bandit", fakes["bandit"], "--ruff", fakes["ruff"],
                             "--sample-interval", "5", "--out-dir", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert status_got == status
    assert {p: p.read_bytes() for p in tree.rglob("*.py")} == original  # the tree itself is never edited
    copy = tmp_path / "out" / "tree" / tree.name / "pkg" / "common" / "helper.py"
    assert copy.read_text() == HELPER  # the copy is restored after each edited run
    text = page.read_text()
    assert text.endswith(sb_render.PRESERVE_MARKER + "\n\n## By hand\n\nkept\n")
    assert "# old" not in text
    for label in ("secreview, empty cache", "secreview, warm cache", "secreview, edited helper", "bandit", "ruff",
                  "reference, unedited", "reference, edited", "secreview, edited helper function",
                  "reference, edited function"):
        assert f"| {label} |" in text
    assert "`pkg/common/helper.py`" in text
    assert "The edit changes the reference's findings: edited against unedited, 1 finding against 1" in out
    if flags:
        assert "--jobs 1 --no-cache" in out
        assert "--cache-dir '<cache dir>'" in out
        assert "left 1 file (" in out
    else:
        assert "lists no --cache-dir" in out
        assert "keeps no cache" in out
    if bug:
        assert "secreview, warm cache: MISMATCH against reference, unedited" in out
        assert "secreview, edited helper: MISMATCH against reference, edited" in out
        assert "secreview, empty cache: OK" in out
    else:
        assert "MISMATCH" not in out
        assert out.count(": OK against reference") == 4
    # The edited reference saw the helper's lines moved by the edit.
    reports = {r.name: r for r in (tmp_path / "out").glob("reference-*-ref.json")}
    unedited = json.loads(reports["reference-unedited-ref.json"].read_text())["findings"]
    edited = json.loads(reports["reference-edited-ref.json"].read_text())["findings"]
    assert [f["line"] + len(sb_helper.EDIT_LINES) for f in unedited if f["path"].endswith("helper.py")] == \
           [f["line"] for f in edited if f["path"].endswith("helper.py")]
