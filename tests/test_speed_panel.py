"""The speed benchmark's panel mode and its parts (``benchmarks/speed.py --panel``, ``benchmarks/speedbench/``),
and ``benchmarks/change_review.py``: the panel file, finding the trees, reading ``SECREVIEW_TIMINGS``
output, the peak memory of a child process, the page rendered from fixed measurements, and a whole panel
run with fake tools.  No network, bandit or real trees needed."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
spec = importlib.util.spec_from_file_location("speed", ROOT / "benchmarks" / "speed.py")
speed = importlib.util.module_from_spec(spec)
sys.modules.setdefault("speed", speed)
spec.loader.exec_module(speed)  # the command line; it puts benchmarks/ on sys.path for its package, speedbench

from speedbench import panel as sb_panel  # noqa: E402
from speedbench import panel_file as sb_panel_file  # noqa: E402
from speedbench import panel_page as sb_page  # noqa: E402
from speedbench import render as sb_render  # noqa: E402
from speedbench.measure import Run  # noqa: E402
from speedbench.timings import parse_timings, phase_order  # noqa: E402

change_spec = importlib.util.spec_from_file_location("change_review", ROOT / "benchmarks" / "change_review.py")
change_review = importlib.util.module_from_spec(change_spec)
change_spec.loader.exec_module(change_review)


# --------------------------------------------------------------------------- the panel file


def test_the_committed_panel_is_the_issues_panel():
    panel = sb_panel_file.load_panel(str(ROOT / "benchmarks" / "panels" / "speed.toml"))
    assert [t.spec for t in panel.trees] == ["neutron==29.0.0", "Django==6.1.3", "salt==3008.5",
                                             "Twisted==26.10.0", "ansible-core==2.21.5"]
    assert panel.targets == {"empty-cache-vs-bandit": 0.25, "peak-memory-vs-bandit": 1.5, "warm-seconds": 0.5,
                             "change-review-warm-seconds": 1.0}
    assert panel.change_review == sb_panel_file.ChangeReview("neutron", "neutron/agent/linux/utils.py", 5)


def test_parse_panel_defaults_and_names():
    panel = sb_panel_file.parse_panel('[[tree]]\nname = "ansible_core"\nversion = "2.21.5"\n'
                                      '[[tree]]\nname = "x"\nversion = "1"\ndir = "x-src"\n'
                                      '[targets]\nwarm-seconds = 2\n')
    assert panel.trees[0] == sb_panel_file.PanelTree("ansible_core", "2.21.5")
    assert panel.trees[1].dir == "x-src"
    assert panel.targets["warm-seconds"] == 2.0 and panel.targets["empty-cache-vs-bandit"] == 0.25
    assert panel.change_review is None
    assert panel.tree("Ansible-Core") is panel.trees[0]


@pytest.mark.parametrize("text, message", [
    ("", "no [[tree]]"),
    ("[[tree]]\nname = 'a'\n", "`version`"),
    ("[[tree]]\nname = 'a b'\nversion = '1'\n", "`name`"),
    ("[[tree]]\nname = 'a'\nversion = '1'\nurl = 'x'\n", "unknown key"),
    ("[[tree]]\nname = 'a'\nversion = '1'\n[[tree]]\nname = 'A'\nversion = '2'\n", "listed twice"),
    ("[[tree]]\nname = 'a'\nversion = '1'\ndir = '../x'\n", "`dir`"),
    ("[[tree]]\nname = 'a'\nversion = '1'\n[targets]\nspeed = 1\n", "unknown target"),
    ("[[tree]]\nname = 'a'\nversion = '1'\n[targets]\nwarm-seconds = -1\n", "positive"),
    ("[[tree]]\nname = 'a'\nversion = '1'\n[change-review]\ntree = 'b'\nfile = 'f.py'\n", "not one of"),
    ("[[tree]]\nname = 'a'\nversion = '1'\n[change-review]\ntree = 'a'\nfile = '../f.py'\n", "relative"),
    ("[[tree]]\nname = 'a'\nversion = '1'\n[change-review]\ntree = 'a'\nfile = 'f.py'\nrepeat = 0\n", "repeat"),
    ("[[tree]]\nname = 'a'\nversion = '1'\n[extra]\n", "unknown table"),
    ("[[tree]\n", "not TOML"),
])
def test_parse_panel_rejects(text, message):
    with pytest.raises(ValueError, match="panel.toml") as err:
        sb_panel_file.parse_panel(text, "panel.toml")
    assert message in str(err.value)


def test_find_tree_compares_names_as_pypi_does(tmp_path):
    (tmp_path / "ansible-core-2.21.5").mkdir()
    (tmp_path / "Django-6.1.3").mkdir()
    (tmp_path / "salt-3008.5.tar.gz").write_bytes(b"")
    (tmp_path / "own").mkdir()
    find, tree = sb_panel_file.find_tree, sb_panel_file.PanelTree
    assert find(tree("ansible_core", "2.21.5"), str(tmp_path)) == ("dir", str(tmp_path / "ansible-core-2.21.5"))
    assert find(tree("django", "6.1.3"), str(tmp_path)) == ("dir", str(tmp_path / "Django-6.1.3"))
    assert find(tree("Salt", "3008.5"), str(tmp_path)) == ("sdist", str(tmp_path / "salt-3008.5.tar.gz"))
    assert find(tree("django", "6.1.4"), str(tmp_path)) is None
    assert find(tree("x", "1", "own"), str(tmp_path)) == ("dir", str(tmp_path / "own"))
    assert find(tree("x", "1"), None) is None


# --------------------------------------------------------------------------- SECREVIEW_TIMINGS


def test_parse_timings():
    text = ("progress\n"
            "secreview timings, worker 4242 (cpu/wall s): lower 2.36/2.38, trade stubs 0.30/0.59, functions "
            "4.92/6.14; 16306 analyses of 15883 functions\n"
            "secreview timings, worker 4243 (cpu/wall s): lower 2.52/2.54, analyse again 0.37/0.37, lower 0.5/0.5\n"
            "secreview timings, incremental review (cpu/wall s): load cache 0.39/0.40; 3 of 2090 files analysed\n")
    clocks = parse_timings(text)
    assert [c.name for c in clocks] == ["worker 4242", "worker 4243", "incremental review"]
    assert clocks[0].phases == {"lower": (2.36, 2.38), "trade stubs": (0.30, 0.59), "functions": (4.92, 6.14)}
    assert clocks[0].extra == "16306 analyses of 15883 functions"
    assert clocks[1].phases["lower"] == pytest.approx((3.02, 3.04))  # a phase met twice is summed
    assert clocks[1].extra == ""
    assert clocks[0].cpu == pytest.approx(7.58)
    assert phase_order(clocks) == ["lower", "trade stubs", "functions", "analyse again", "load cache"]
    assert parse_timings("nothing here\n") == []


# --------------------------------------------------------------------------- peak memory


ALLOCATE = ("import sys, time\nb = bytearray({mib} << 20)\n"
            "b[::4096] = b'x' * len(b[::4096])\n")  # touch every page: resident, not only reserved


def _measured_kib(tmp_path, argv: list[str]) -> tuple[int, int, int]:
    """``measure(argv)``'s exit code and ru_maxrss, and ``floor_kib``, taken in a fresh small Python
    process: Linux counts the launching process's peak RSS into its child's ru_maxrss (the floor the
    benchmark subtracts), and this test process may have grown large running other tests."""
    code = ("import json, sys; sys.path.insert(0, sys.argv[1]); from speedbench import measure as m; "
            "r = m.measure(json.loads(sys.argv[3]), sys.argv[2], sys.argv[2] + '/o', sys.argv[2] + '/e'); "
            "print(r.exit_code, r.usage.ru_maxrss, m.floor_kib(sys.argv[2]))")
    out = subprocess.run([sys.executable, "-c", code, str(ROOT / "benchmarks"), str(tmp_path), json.dumps(argv)],
                         capture_output=True, text=True, check=True)
    exit_code, peak, floor = map(int, out.stdout.split())
    return exit_code, peak, floor


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ru_maxrss in KiB, and the exec floor, are Linux's")
def test_peak_memory_of_a_child_that_allocates_a_known_amount(tmp_path):
    mib = 300  # above the launching process's own RSS, which the kernel counts into the child's (the floor)
    exit_code, peak_kib, floor_kib = _measured_kib(tmp_path, [sys.executable, "-c", ALLOCATE.format(mib=mib)])
    assert exit_code == 0
    floor = floor_kib / 1024
    assert floor < mib
    peak = peak_kib / 1024
    assert mib <= peak <= mib + 60, peak  # the interpreter itself: about 10 MiB
    _, small_kib, _ = _measured_kib(tmp_path, [sys.executable, "-c", ALLOCATE.format(mib=20)])
    assert small_kib / 1024 <= max(floor, 20 + 60)


@pytest.mark.skipif(not (sys.platform.startswith("linux") and shutil.which("time") and
                         os.path.isfile("/usr/bin/time")), reason="needs GNU time")
def test_peak_memory_agrees_with_gnu_time(tmp_path):
    code = ALLOCATE.format(mib=200)
    out = subprocess.run(["/usr/bin/time", "-f", "%M", sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode != 0 or not out.stderr.strip().splitlines()[-1].isdigit():
        pytest.skip("/usr/bin/time is not GNU time")
    gnu = int(out.stderr.strip().splitlines()[-1]) / 1024
    ours = _measured_kib(tmp_path, [sys.executable, "-c", code])[1] / 1024
    assert abs(gnu - ours) <= 20, (gnu, ours)


# --------------------------------------------------------------------------- the page, from fixed measurements


def run(round_, wall, cpu, maxrss_mib, sum_mib=None):
    return Run(wall=wall, cpu=cpu, maxrss_kib=int(maxrss_mib * 1024), sum_rss_kib=int((sum_mib or maxrss_mib) * 1024),
               samples=10, max_procs=3, children_cpu=cpu, children_maxrss_kib=0, exit_code=0, out="", tree="",
               round=round_)


def tree_result(name, version, files, lines, empty, bandit, warm, jobs1, clocks=None):
    """``empty``, ``bandit``, ``warm``, ``jobs1``: per round (wall, peak MiB)."""
    sec = sb_panel.secreview_tools(
        sb_panel.SecreviewCommand(["secreview"], None, "--cache-dir --jobs --no-cache --exit-zero --no-progress"),
        [], reference=False)
    t = sb_panel.TreeResult(sb_panel_file.PanelTree(name, version), files, lines)
    t.tools = {**sec, sb_panel.BANDIT: sb_panel.bandit_tool("bandit", sb_panel.BANDIT, "bandit")}
    for key, values in ((sb_panel.EMPTY, empty), (sb_panel.BANDIT, bandit), (sb_panel.WARM, warm),
                        (sb_panel.JOBS1, jobs1)):
        t.tools[key].runs = [run(i, wall, wall * 1.5, peak) for i, (wall, peak) in enumerate(values, 1)]
        t.tools[key].findings = "7 (0 problems)" if key != sb_panel.BANDIT else "40"
    t.order = [sb_panel.round_order(i) for i in range(1, len(empty) + 1)]
    t.floor_kib, t.load = 21 * 1024, ("1.50", "2.25")
    t.clocks = clocks or [[] for _ in empty]
    return t


def fixed_result():
    worker = ("secreview timings, worker 11 (cpu/wall s): lower 2.00/2.10, functions 5.00/6.00; 100 analyses of 90 "
              "functions\nsecreview timings, worker 12 (cpu/wall s): lower 2.20/2.30, functions 4.00/5.50; 80 "
              "analyses of 70 functions\n")
    neutron = tree_result("neutron", "29.0.0", 2090, 440259,
                          empty=[(10.0, 377), (12.0, 376), (9.0, 378)], bandit=[(40.0, 148), (44.0, 149), (38.0, 148)],
                          warm=[(0.28, 47), (0.30, 47), (0.27, 47)], jobs1=[(11.0, 545), (11.5, 546), (11.2, 545)],
                          clocks=[parse_timings(worker)] * 3)
    salt = tree_result("salt", "3008.5", 3002, 1022449,
                       empty=[(50.0, 749), (48.0, 750), (52.0, 748)], bandit=[(110.0, 242), (120.0, 242), (118.0, 242)],
                       warm=[(0.9, 60), (0.7, 60), (0.8, 60)], jobs1=[(80.0, 1100), (82.0, 1101), (81.0, 1100)])
    panel = sb_panel_file.parse_panel(
        '[[tree]]\nname = "neutron"\nversion = "29.0.0"\n[[tree]]\nname = "salt"\nversion = "3008.5"\n'
        '[change-review]\ntree = "neutron"\nfile = "neutron/agent/linux/utils.py"\nrepeat = 3\n')
    change = sb_panel.ChangeResult("neutron 29.0.0", "neutron/agent/linux/utils.py", 2090,
                                   cold=[12.6, 11.2, 12.9], warm=[0.93, 0.76, 1.18])
    result = sb_panel.PanelResult(panel, [neutron, salt], change, command="python benchmarks/speed.py --panel p.toml",
                                  panel_path="benchmarks/panels/speed.toml", versions={"bandit": "bandit 1.9.4"},
                                  source="`abc123`", repeat=3,
                                  machine={"cpus": "2", "cpu": "Some CPU", "memory": "23.5 GiB", "os": "Linux",
                                           "python": "3.11.7"})
    return result


def table_row(page: str, first_cell: str, after: str) -> list[str]:
    section = page[page.index(after):]
    line = next(line for line in section.splitlines() if line.startswith(f"| {first_cell} |"))
    return [c.strip() for c in line.strip("|").split("|")]


def test_render_the_panel_page_from_fixed_measurements():
    result = fixed_result()
    page = sb_page.render(result)
    assert page == sb_page.render(fixed_result())  # the same measurements, the same page
    assert sb_render.PRESERVE_MARKER not in page  # the whole page is generated
    assert page.startswith("# Performance\n")
    assert "python benchmarks/speed.py --panel p.toml" in page and "`abc123`" in page
    # Time: the median of the pairs' ratios (10/40, 12/44, 9/38 -> 0.25), not the ratio of the medians.
    row = table_row(page, "neutron 29.0.0", "## Time")
    assert row[1:5] == ["2,090", "440,259", "10.00", "40.00"]
    assert row[5] == "0.250, 0.273, 0.237"
    assert row[6] == "0.250 met"
    assert row[7] == "0.28 met"
    assert row[8:11] == ["0.250", "0.42", "11.20"]  # CPU ratio (CPU is 1.5 x wall here), warm CPU, --jobs 1
    salt = table_row(page, "salt 3008.5", "## Time")
    assert salt[6] == "0.441 **not met**"  # pairs 50/110, 48/120, 52/118: the median is 52/118
    assert salt[7] == "0.80 **not met**"
    # Memory: medians of the largest process, ratios to bandit's.
    row = table_row(page, "neutron 29.0.0", "## Memory")
    assert row[1:4] == ["377", "545", "148"]
    assert row[4] == "2.55 **not met**" and row[5] == "3.68 **not met**"
    salt = table_row(page, "salt 3008.5", "## Memory")
    assert salt[4] == "3.10 **not met**" and salt[5] == "4.55 **not met**"
    # The change review and the summary.
    row = table_row(page, "warm cache (second edit of the same file)", "## Change review")
    assert row[1:5] == ["3", "0.93", "0.76", "1.18"] and row[6] == "≤ 1 s: met"
    assert "**3 of 9 targets met.**" in page
    assert "salt: empty cache 0.44 × bandit" in page
    # Phases of the median round's empty-cache run, one column per worker.
    row = table_row(page, "lower", "## Where the time goes")
    assert row == ["lower", "2.00 / 2.10", "2.20 / 2.30"]
    assert "| phase | worker 1 | worker 2 |" in page
    assert "100 analyses of 90 functions" in page
    # The machine, the load, every run in the order it ran (round 2: bandit first).
    assert "neutron 29.0.0: 1-minute load average 1.50 before its runs, 2.25 after" in page
    runs = page[page.index("**salt 3008.5**"):]
    assert runs.index("| 2 | bandit |") < runs.index("| 2 | secreview, empty cache |")
    assert runs.index("| 1 | secreview, empty cache |") < runs.index("| 1 | bandit |")


def test_round_order_alternates_the_pair():
    assert sb_panel.round_order(1)[:2] == [sb_panel.EMPTY, sb_panel.BANDIT]
    assert sb_panel.round_order(2)[:2] == [sb_panel.BANDIT, sb_panel.EMPTY]
    assert sb_panel.round_order(3)[2:] == [sb_panel.WARM, sb_panel.JOBS1]


# --------------------------------------------------------------------------- change_review.py


FAKE_SECREVIEW = r'''
import json, os, subprocess, sys
args = sys.argv[1:]
if args == ["--version"]:
    print("fake-secreview 0")
    sys.exit(0)
if "--help" in args:
    print("usage: review PATH [--format F] [--output FILE] [--exit-zero] [--no-progress] [--cache-dir DIR] "
          "[--jobs N] [--no-cache]")
    sys.exit(0)
if args[0] == "diff":  # what the change adds, from git: the copy must be a repository with the base committed
    diff = subprocess.run(["git", "diff", "HEAD"], capture_output=True, text=True, check=True).stdout
    print(json.dumps({"findings": [{"code": line[1:]} for line in diff.splitlines()
                                   if line.startswith("+") and "shell=True" in line]}))
    sys.exit(1 if "shell=True" in diff else 0)
tree, out = args[1], args[args.index("--output") + 1]
findings = []
for root, dirs, files in sorted(os.walk(tree)):
    for f in sorted(files):
        for i, line in enumerate(open(os.path.join(root, f)).read().splitlines(), 1):
            if "shell=True" in line:
                findings.append({"rule_id": "SR101", "path": os.path.join(root, f), "line": i})
if os.environ.get("SECREVIEW_TIMINGS") and "--jobs" not in args:
    for pid in (101, 102):
        print(f"secreview timings, worker {pid} (cpu/wall s): lower 0.10/0.11, functions 0.20/0.25; "
              f"{pid} analyses of 5 functions", file=sys.stderr)
json.dump({"findings": findings, "problems": [], "summary": {"files_reviewed": 1, "lines_reviewed": 1}},
          open(out, "w"))
'''
FAKE_BANDIT = r'''
import json, sys
if "--version" in sys.argv:
    print("fake-bandit 0")
    sys.exit(0)
json.dump({"results": [{}], "errors": []}, open(sys.argv[sys.argv.index("-o") + 1], "w"))
sys.exit(1)
'''


def fakes(tmp_path) -> dict[str, str]:
    found = {}
    for name, code in (("secreview", FAKE_SECREVIEW), ("bandit", FAKE_BANDIT)):
        path = tmp_path / f"fake_{name}.py"
        path.write_text(code)
        found[name] = f"{sys.executable} {path}"
    return found


def git(repo, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args], cwd=repo, check=True,
                   capture_output=True)


@pytest.mark.slow
def test_change_review_takes_a_tree_that_is_a_git_checkout(tmp_path, capsys):
    tree = tmp_path / "checkout"
    (tree / "pkg").mkdir(parents=True)
    (tree / "pkg" / "utils.py").write_text("def f(x):\n    return x\n")
    (tree / "vendored").mkdir()
    (tree / "vendored" / "m.py").write_text("X = 1\n")
    git(tree, "init", "-q")
    git(tree, "add", "-A")
    git(tree, "commit", "-q", "-m", "the checkout's own history")
    git(tree / "vendored", "init", "-q")  # a nested repository, as a vendored submodule would be
    before = {p: p.read_bytes() for p in tree.rglob("*") if p.is_file() and ".git" not in p.parts}
    out = tmp_path / "times.json"
    status = change_review.main(["--tree", str(tree), "--file", "pkg/utils.py", "--repeat", "2",
                                 "--secreview", fakes(tmp_path)["secreview"], "--json", str(out)])
    assert status == 0
    data = json.loads(out.read_text())
    assert len(data["cold"]) == 2 and len(data["warm"]) == 2
    assert data["files"] == 2 and data["file"] == "pkg/utils.py"
    assert "round 2 warm" in capsys.readouterr().out
    assert {p: p.read_bytes() for p in tree.rglob("*") if p.is_file() and ".git" not in p.parts} == before


def test_change_review_copy_leaves_out_every_git_directory(tmp_path):
    tree = tmp_path / "t"
    (tree / ".git").mkdir(parents=True)
    (tree / "sub").mkdir()
    (tree / "sub" / ".git").write_text("gitdir: ../.git/modules/sub\n")  # a submodule's link
    (tree / "sub" / "a.py").write_text("")
    change_review.copy_tree(str(tree), tmp_path / "copy")
    assert sorted(p.relative_to(tmp_path / "copy").as_posix() for p in (tmp_path / "copy").rglob("*")) == [
        "sub", "sub/a.py"]


# --------------------------------------------------------------------------- a whole panel run


@pytest.mark.slow
def test_panel_end_to_end_with_fake_tools(tmp_path, capsys):
    sdists = tmp_path / "sdists"
    for name in ("alpha-1.0", "Beta_Pkg-2.0"):
        root = sdists / name
        (root / "pkg").mkdir(parents=True)
        (root / "pkg" / "__init__.py").write_text("")
        (root / "pkg" / "run.py").write_text("import subprocess\n\n\ndef go(c):\n    subprocess.call(c, shell=True)\n")
    panel = tmp_path / "panel.toml"
    panel.write_text('[[tree]]\nname = "alpha"\nversion = "1.0"\n[[tree]]\nname = "beta-pkg"\nversion = "2.0"\n'
                     '[change-review]\ntree = "alpha"\nfile = "pkg/run.py"\nrepeat = 1\n')
    tools = fakes(tmp_path)
    page, data = tmp_path / "performance.md", tmp_path / "figures.json"
    page.write_text("# old\n\n" + sb_render.PRESERVE_MARKER + "\n\nkept by hand\n")
    status = speed.main(["--panel", str(panel), "--sdists", str(sdists), "--repeat", "2", "--check-identical",
                         "--secreview", tools["secreview"], "--bandit", tools["bandit"], "--markdown", str(page),
                         "--json", str(data), "--sample-interval", "5", "--out-dir", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    text = page.read_text()
    assert "kept by hand" not in text and "# old" not in text
    for label in ("alpha 1.0", "beta-pkg 2.0"):
        assert f"| {label} | 2 | 5 |" in text  # two files, five lines
    assert "| lower | 0.10 / 0.11 | 0.10 / 0.11 |" in text
    assert "## Change review of a one-file change" in text
    assert "secreview, warm cache: OK against reference, --jobs 1 --no-cache" in text
    assert "MISMATCH" not in text
    assert text.count("| 2 | bandit |") == 2
    figures = json.loads(data.read_text())
    assert [t["name"] for t in figures["trees"]] == ["alpha", "beta-pkg"]
    assert len(figures["trees"][0]["runs"]["empty"]) == 2
    assert figures["change_review"]["files"] == 2
    assert "targets met" in captured.err
