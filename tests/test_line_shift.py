"""Moving lines of an edited file moves them in cached results, instead of analysing
again every file whose traces pass through it; the review still equals one made
without cache, down to the cached summaries."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from secreview.analysis.interpreter import SinkSite
from secreview.analysis.values import Step
from secreview.config import DEFAULT_CONFIG
from secreview.engine.cache import ReviewCache
from secreview.engine.line_shift import LineShift, Unmovable, line_map
from secreview.engine.pipeline import ReviewOptions, review
from secreview.engine.store import entry_stub
from secreview.findings.model import Span
from secreview.reports import ReportOptions, render

HELPERS = "def clean(value):\n    value = value.strip()\n    return value\n"
MIDDLE = "import helpers\n\n\ndef wrap(v):\n    return helpers.clean(v)\n"
OUTER = "import middle\n\n\ndef outer(v):\n    return middle.wrap(v)\n"
APP = """import os
from flask import Flask, request
import outer

app = Flask(__name__)


@app.route("/run")
def run():
    os.system(outer.outer(request.args["cmd"]))
    return "done"
"""


def make_tree(root: Path) -> Path:
    root.mkdir(parents=True)
    for name, text in (("helpers", HELPERS), ("middle", MIDDLE), ("outer", OUTER), ("app", APP)):
        (root / f"{name}.py").write_text(text)
    for i in range(6):
        (root / f"other{i}.py").write_text(f"def job{i}(arg):\n    return arg\n")
    return root


def report(root: Path, cache_dir) -> str:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = review(["."], ReviewOptions(config=DEFAULT_CONFIG, cache_dir=cache_dir, jobs=1))
    finally:
        os.chdir(cwd)
    return render("json", result, ReportOptions(tool_version="test"))


def cached_digests(cache_dir: Path) -> dict:
    """File key -> (display path, summary digests), of the newest entry of each key in the cache."""
    root = next((cache_dir / "v1").iterdir())
    cache = ReviewCache(cache_dir, root.name)
    keys = set()
    for name in cache.pack_names():
        keys.update(cache.load("index", name))
    return {key: (entry_stub(entry).path, entry["digests"]) for key, entry in cache.load_files(keys).items()}


def helper_lines(text: str) -> list:
    finding = next(f for f in json.loads(text)["findings"] if "tainted" in f["tags"])
    return [step["line"] for step in finding["trace"] if step["path"].endswith("helpers.py")]


def test_line_map_keeps_equal_lines_in_order():
    assert line_map("a\nb\nc", "x\na\nb\nc") == {1: 2, 2: 3, 3: 4}
    assert line_map("a\nb\nc", "a\nB\nc") == {1: 1, 3: 3}  # a changed line has no new position


def test_steps_and_sites_of_edited_files_move_and_others_stay():
    shift = LineShift({"h.py": {1: 3, 2: 4, 4: 6}})
    first = Step("h.py", 2, 4, "param", None)
    second = Step("m.py", 7, 0, "passed to `clean()`", first)
    moved = shift.moved(second)
    assert (moved.path, moved.line, moved.prev.path, moved.prev.line) == ("m.py", 7, "h.py", 4)
    assert moved.prev.depth == 1 and moved.depth == 2
    with pytest.raises(Unmovable):
        shift.moved(Step("h.py", 3, 0, "on a changed line", None))

    site = SinkSite.__new__(SinkSite)
    site.__setstate__(("h.py", 1, 0, Span(1, 0, 2, 5), "code", "sink", "arg", "os.system", (1, 2), "k", "ldap-dn",
                       "use"))
    moved_site = shift.moved(site)
    assert (moved_site.line, moved_site.span, moved_site.stmt_lines) == (3, Span(3, 0, 4, 5), (3, 4))
    # everything else the site says moves with it (a rule's fix reads its kind)
    assert (moved_site.key, moved_site.kind, moved_site.use, moved_site.callee) == ("k", "ldap-dn", "use", "os.system")
    split = SinkSite.__new__(SinkSite)  # a line was inserted inside its span: its quoted code changed
    split.__setstate__(("h.py", 2, 0, Span(2, 0, 4, 1), "code", "sink", "arg", "os.system", (2, 4), None, "", None))
    with pytest.raises(Unmovable):
        shift.moved(split)


def test_lines_moved_above_a_helper_move_its_readers_instead_of_analysing_them(tmp_path, analysed):
    tree = make_tree(tmp_path / "tree")
    before = report(tree, tmp_path / "cache")
    assert helper_lines(before) == [1, 2]  # clean's parameter, and its strip()
    (tree / "helpers.py").write_text("# two lines\n# above clean()\n" + HELPERS)
    analysed.clear()
    warm = report(tree, tmp_path / "cache")
    # middle and outer only carry helpers' lines in their summaries: moved, not analysed;
    # app's finding quotes them in its trace and explanation: analysed again
    assert analysed == [["helpers"], ["app"]]
    assert warm == report(tree, None)
    assert helper_lines(warm) == [3, 4]
    report(tree, tmp_path / "full")  # a review of the edited tree from an empty cache
    incremental, full = cached_digests(tmp_path / "cache"), cached_digests(tmp_path / "full")
    assert len(full) == 10 and {key: incremental[key] for key in full} == full


def test_a_changed_line_in_a_trace_makes_its_readers_analysed_again(tmp_path, analysed):
    tree = make_tree(tmp_path / "tree")
    report(tree, tmp_path / "cache")
    (tree / "helpers.py").write_text("# moved\n" + HELPERS.replace("value.strip()", "value.lower()"))
    analysed.clear()
    warm = report(tree, tmp_path / "cache")
    assert analysed[0] == ["helpers"] and "middle" in {m for wave in analysed for m in wave}
    assert warm == report(tree, None)


def test_moved_results_are_stored_and_served_next_time(tmp_path, analysed):
    tree = make_tree(tmp_path / "tree")
    report(tree, tmp_path / "cache")
    (tree / "helpers.py").write_text("\n\n" + HELPERS)
    report(tree, tmp_path / "cache")
    (tree / "other0.py").write_text("def job0(arg):\n    return arg + 1\n")
    analysed.clear()
    warm = report(tree, tmp_path / "cache")
    assert analysed == [["other0"]]  # the moved entries were stored: nothing else is stale
    assert warm == report(tree, None)


CHAIN = {
    "src.py": "from flask import request\n\n\ndef user_input():\n    value = request.args.get('q')\n    return value\n",
    "norm.py": "import src\n\n\ndef normalised():\n    text = src.user_input()\n    text = text.strip()\n    return "
               "text\n",
    "store.py": ("import norm\n\n\nclass Store:\n    def __init__(self):\n        self.last = norm.normalised()\n\n"
                 "    def query(self, cursor):\n        return cursor.execute('SELECT ' + self.last)\n"),
    "shell.py": "import os\nimport norm\n\n\ndef run(extra):\n    os.system(norm.normalised() + extra)\n",
    "caller.py": "import shell\n\n\ndef go(arg):\n    shell.run(arg)\n",
    "app.py": ("from flask import Flask, request\nimport caller\n\napp = Flask(__name__)\n\n\n"
               "@app.route('/go')\ndef go():\n    caller.go(request.args['x'])\n    return 'ok'\n"),
}


def test_random_line_moves_and_edits_always_give_the_uncached_review(tmp_path):
    import random
    tree = tmp_path / "tree"
    tree.mkdir()
    for name, text in CHAIN.items():
        (tree / name).write_text(text)
    report(tree, tmp_path / "cache")
    rng = random.Random(7)
    for _ in range(12):
        name = rng.choice(sorted(CHAIN))
        lines = (tree / name).read_text().split("\n")
        at = rng.randrange(len(lines))
        choice = rng.random()
        indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
        if choice < 0.5:  # lines added: comments, at the indentation of the line they go above
            lines[at:at] = [indent + "# moved"] * rng.randint(1, 3)
        elif choice < 0.8 and lines[at].strip().startswith("#"):  # a comment added earlier goes away
            del lines[at]
        else:  # a statement added: what flows may change
            lines[at:at] = [indent + "pass" if indent else "PASS = 1"]
        text = "\n".join(lines)
        try:
            compile(text, name, "exec")
        except SyntaxError:
            continue
        (tree / name).write_text(text)
        assert report(tree, tmp_path / "cache") == report(tree, None), (name, text)


def test_a_moved_file_whose_other_read_then_changes_is_analysed_after_all(tmp_path, analysed):
    """c is moved in the first wave (helpers.clean only moved), then d, which c also reads,
    is analysed again and its summary changes for real: c must be analysed, not kept moved."""
    tree = tmp_path / "tree"
    tree.mkdir()
    helpers = "def clean(value):\n    return value.strip()\n\n\ndef tag(value):\n    return 'x'\n"
    (tree / "helpers.py").write_text(helpers)
    (tree / "d.py").write_text("import helpers\n\n\ndef f(v):\n    return helpers.tag(v)\n")
    (tree / "c.py").write_text("import helpers\nimport d\n\n\ndef g(v):\n    a = helpers.clean(v)\n    return d.f(a)\n")
    (tree / "app.py").write_text("import os\nfrom flask import Flask, request\nimport c\n\napp = Flask(__name__)\n\n\n"
                                 "@app.route('/x')\ndef x():\n    os.system(c.g(request.args['x']))\n    return ''\n")
    for i in range(8):  # so that the files analysed again stay under FULL_REVIEW_SHARE
        (tree / f"other{i}.py").write_text(f"def job{i}(arg):\n    return arg\n")
    before = report(tree, tmp_path / "cache")
    assert not json.loads(before)["findings"]  # tag() returns a constant
    (tree / "helpers.py").write_text("# moved\n" + helpers.replace("return 'x'", "return value"))
    analysed.clear()
    warm = report(tree, tmp_path / "cache")
    assert warm == report(tree, None)
    assert [f["path"] for f in json.loads(warm)["findings"]] == ["app.py"]
    waves = [set(wave) for wave in analysed]
    assert waves[0] == {"helpers"} and "d" in waves[1] and any("c" in wave for wave in waves[1:])
