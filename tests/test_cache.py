"""The review cache: reviews served from it, or partly re-analysed through it, equal
reviews made without it, and a broken cache never breaks a review."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

from secreview.analysis import whole_text
from secreview.config import DEFAULT_CONFIG
from secreview.engine import incremental
from secreview.engine.pipeline import ReviewOptions, review
from secreview.reports import ReportOptions, render

FLASK_APP = """from flask import Flask, request
import helpers
import runner

app = Flask(__name__)


@app.route("/run")
def run():
    runner.execute(helpers.clean(request.args["cmd"]))
    return "done"
"""
RUNNER = "import os\n\n\ndef execute(command):\n    os.system(command)\n"
SAFE_HELPERS = "import shlex\n\n\ndef clean(value):\n    return shlex.quote(value)\n"
UNSAFE_HELPERS = "import shlex\n\n\ndef clean(value):\n    return value.strip()\n"


def make_tree(root: Path, helpers: str = SAFE_HELPERS, others: int = 12) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "app.py").write_text(FLASK_APP)
    (root / "runner.py").write_text(RUNNER)
    (root / "helpers.py").write_text(helpers)
    for i in range(others):  # files that have nothing to do with the change
        (root / f"other{i}.py").write_text(f"import subprocess\n\n\ndef job{i}(arg):\n"
                                           f"    return subprocess.call('ls ' + arg, shell=True)\n")
    return root


def report(root: Path, cache_dir: Path | None, jobs: int = 1) -> str:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = review(["."], ReviewOptions(config=DEFAULT_CONFIG, cache_dir=cache_dir, jobs=jobs))
    finally:
        os.chdir(cwd)
    return render("json", result, ReportOptions(tool_version="test"))


def this_secreview() -> dict:
    """The environment of a child process that runs in another directory and imports the secreview under test
    (with PYTHONPATH=src, it would find the installed one)."""
    import secreview
    src = str(Path(secreview.__file__).resolve().parents[1])
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p)}


def tainted(text: str) -> list:
    return sorted((f["path"], f["line"]) for f in json.loads(text)["findings"] if "tainted" in f["tags"])


def test_unchanged_tree_is_answered_from_the_cache(tmp_path, analysed):
    tree = make_tree(tmp_path / "tree")
    cold = report(tree, tmp_path / "cache")
    assert analysed and len(analysed[0]) == 15
    analysed.clear()
    warm = report(tree, tmp_path / "cache")
    assert analysed == []  # nothing lowered or analysed
    assert warm == cold == report(tree, None)


def test_editing_a_helper_reanalyses_it_and_its_readers_only(tmp_path, analysed):
    tree = make_tree(tmp_path / "tree")
    assert tainted(report(tree, tmp_path / "cache")) == []  # shlex.quote makes it safe
    (tree / "helpers.py").write_text(UNSAFE_HELPERS)
    analysed.clear()
    warm = report(tree, tmp_path / "cache")
    # helpers first; its summary changed, so app (which read it) next; not runner, not the others
    assert analysed == [["helpers"], ["app"]]
    assert warm == report(tree, None)
    assert tainted(warm) == [("runner.py", 5)]  # the flow now crosses the edited line, and is reported
    # and back again: the finding goes away
    (tree / "helpers.py").write_text(SAFE_HELPERS)
    assert tainted(report(tree, tmp_path / "cache")) == []


OPTIONS = "from oslo_config import cfg\n\nOPTS = [cfg.StrOpt('admin_password', help='Password of the admin.')]\n"


def test_a_fact_of_the_whole_text_edited_elsewhere_reanalyses_its_readers(tmp_path, analysed):
    # whether some file logs every option (``log_opt_values``) or declares the option secret decides the
    # declaration's finding in another file that calls nothing there
    tree = make_tree(tmp_path / "tree")
    (tree / "opts.py").write_text(OPTIONS)
    cache = tmp_path / "cache"

    def declared() -> list:
        return [(f["path"], f["confidence"]) for f in json.loads(report(tree, cache))["findings"]
                if f["rule_id"] == "SR703"]

    assert declared() == [("opts.py", "medium")]
    (tree / "other0.py").write_text("from oslo_config import cfg\n\n\ndef dump(log):\n"
                                    "    cfg.CONF.log_opt_values(log, 10)\n")
    analysed.clear()
    assert declared() == [("opts.py", "high")]
    assert sorted(m for wave in analysed for m in wave) == ["opts", "other0"]
    assert report(tree, cache) == report(tree, None)
    (tree / "other1.py").write_text("from oslo_config import cfg\n\nX = cfg.StrOpt('admin_password', secret=True)\n")
    assert declared() == []
    assert report(tree, cache) == report(tree, None)


def test_a_fact_part_an_edit_removes_is_not_taken_from_the_cache(tmp_path, analysed, monkeypatch):
    # each file's part of the whole-text facts is kept in its entry (``whole_text.file_parts``): an edited
    # file's part is its new text's, the others' are their entries' (not computed again)
    tree = make_tree(tmp_path / "tree")
    (tree / "opts.py").write_text(OPTIONS)
    secret = "from oslo_config import cfg\n\nX = cfg.StrOpt('admin_password', secret=True)\n"
    (tree / "other1.py").write_text(secret)
    cache = tmp_path / "cache"

    def declared() -> list:
        return [(f["path"], f["confidence"]) for f in json.loads(report(tree, cache))["findings"]
                if f["rule_id"] == "SR703"]

    assert declared() == []
    parts_made: list = []
    original = whole_text.file_parts
    monkeypatch.setattr(whole_text, "file_parts", lambda text: parts_made.append(text) or original(text))
    (tree / "other1.py").write_text(secret.replace(", secret=True", ""))  # no longer declared secret
    analysed.clear()
    assert declared() == [("opts.py", "medium"), ("other1.py", "medium")]
    assert sorted(m for wave in analysed for m in wave) == ["opts", "other1"]
    # the edited file's parts, from its text, then those of the two entries stored again: none of the others
    assert parts_made == [secret.replace(", secret=True", ""), OPTIONS, secret.replace(", secret=True", "")]
    assert report(tree, cache) == report(tree, None)


def test_every_entry_keeps_its_texts_parts_of_the_facts(tmp_path):
    tree = make_tree(tmp_path / "tree")
    (tree / "opts.py").write_text(OPTIONS.replace("help=", "secret=True, help="))
    report(tree, tmp_path / "cache", jobs=2)  # (stored by workers)
    entries = [entry for pack in (tmp_path / "cache").glob("v1/*/packs/*") for _, entry in _pack_entries(pack)]
    assert len(entries) == 16
    assert all(entry["text_facts"] == whole_text.file_parts(entry["text"]) for entry in entries)
    assert sum(bool(entry["text_facts"]) for entry in entries) == 2  # opts.py's secret, app.py's query key


def _pack_entries(path: Path) -> list:
    out = []
    with open(path, "rb") as handle:
        while True:
            try:
                out.append(pickle.load(handle))
            except EOFError:
                return out


def test_an_edit_that_changes_no_summary_stops_at_the_edited_file(tmp_path, analysed):
    tree = make_tree(tmp_path / "tree", helpers=UNSAFE_HELPERS)
    expected = tainted(report(tree, tmp_path / "cache"))
    (tree / "helpers.py").write_text(UNSAFE_HELPERS + "\n\ndef unused():\n    return 1\n")
    analysed.clear()
    warm = report(tree, tmp_path / "cache")
    assert analysed == [["helpers"]]
    assert warm == report(tree, None) and tainted(warm) == expected


def test_a_recursion_cycle_through_the_cache_is_analysed_whole(tmp_path, analysed):
    """a.ping and b.pong call each other: the taint that went round the cycle must go
    when its source is removed from a, although b's cached summary still carries it."""
    tree = make_tree(tmp_path / "tree")  # files that have nothing to do with it, so that one edit is a small share
    (tree / "b.py").write_text("import a\n\n\ndef pong(x, n):\n    return a.ping(x, n - 1)\n")
    tainted_a = ("import os\nimport b\nfrom flask import request\n\n\ndef ping(x, n):\n    if n:\n"
                 "        return b.pong(x, n)\n    return request.args.get('c')\n\n\ndef use():\n"
                 "    os.system(ping('ls', 3))\n")
    (tree / "a.py").write_text(tainted_a)
    assert tainted(report(tree, tmp_path / "cache")) == [("a.py", 13)]
    (tree / "a.py").write_text(tainted_a.replace("request.args.get('c')", "'constant'"))
    analysed.clear()
    warm = report(tree, tmp_path / "cache")
    assert analysed == [["a", "b"]], analysed  # the cycle, shown by a's previous version, from the first wave
    assert warm == report(tree, None) and tainted(warm) == []


def test_a_read_cycle_made_by_the_edit_is_analysed_whole(tmp_path, analysed):
    """b.pong returns what a.ping returns (request data); the edit makes a.ping call b.pong and
    return a constant itself: b's cached summary still says "request data", and would feed it
    back to a unless both are analysed again together."""
    tree = make_tree(tmp_path / "tree")
    (tree / "b.py").write_text("import a\n\n\ndef pong(x, n):\n    return a.ping(x, n - 1)\n")
    old_a = ("import os\nfrom flask import request\n\n\ndef ping(x, n):\n    return request.args.get('c')\n\n\n"
             "def use():\n    os.system(ping('ls', 3))\n")
    (tree / "a.py").write_text(old_a)
    assert tainted(report(tree, tmp_path / "cache")) == [("a.py", 10)]
    new_a = old_a.replace("from flask import request\n", "import b\n").replace(
        "    return request.args.get('c')\n", "    if n:\n        return b.pong(x, n)\n    return 'constant'\n")
    (tree / "a.py").write_text(new_a)
    analysed.clear()  # a's previous version read nothing of b: the cycle shows only after the first wave
    warm = report(tree, tmp_path / "cache")
    assert analysed == [["a"], ["a", "b"]], analysed
    assert warm == report(tree, None) and tainted(warm) == []


def test_a_read_cycle_through_a_field_a_cached_function_stores_to_is_found():
    # a.set_x stores to the field and reads b.get_x's summary; b.get_x reads the field: one cycle.
    # c.peek reads a field no cached function stores to (the readers of such fields are not indexed)
    field = ("a.Box", "x")
    entries = {
        0: {"summaries": {"a.set_x": None}, "reads": {"a.set_x": {("sum", "b.get_x", "b"): ("d1", False)}},
            "fields": {field: {"a.set_x": "value"}}},
        1: {"summaries": {"b.get_x": None}, "reads": {"b.get_x": {("field", field, ""): "d2"}}, "fields": {}},
        2: {"summaries": {"c.peek": None}, "reads": {"c.peek": {("field", ("c.Box", "y"), ""): None}}, "fields": {}},
    }
    graph = incremental.ReadGraph(entries, {"a": 0, "b": 1, "c": 2})
    assert graph.with_cycles({0}) == {0, 1}
    assert graph.with_cycles({1}) == {0, 1}
    assert graph.with_cycles({2}) == {2}


def test_a_function_that_did_not_exist_is_found_when_it_appears(tmp_path):
    # helpers.clean undefined: a name of the reviewed code that resolves to nothing, whose result is unknown
    tree = make_tree(tmp_path / "tree", helpers="import shlex\n")
    first = report(tree, tmp_path / "cache")
    assert first == report(tree, None)
    (tree / "helpers.py").write_text("import shlex\n\n\ndef clean(value):\n    return value.strip()\n")
    second = report(tree, tmp_path / "cache")
    assert second == report(tree, None)
    assert tainted(first) == [] and tainted(second) == [("runner.py", 5)]


def test_moving_lines_in_a_helper_moves_them_in_every_trace(tmp_path):
    tree = make_tree(tmp_path / "tree", helpers=UNSAFE_HELPERS)
    report(tree, tmp_path / "cache")
    (tree / "helpers.py").write_text("import shlex\n\n\n# a comment\n# pushes clean() down\n" + UNSAFE_HELPERS[13:])
    warm = report(tree, tmp_path / "cache")
    assert warm == report(tree, None)
    finding = next(f for f in json.loads(warm)["findings"] if "tainted" in f["tags"])
    helper_lines = [step["line"] for step in finding["trace"] if step["path"].endswith("helpers.py")]
    assert helper_lines and min(helper_lines) >= 6, finding["trace"]  # clean() now starts at line 6


def test_configuration_rules_and_models_are_part_of_the_key(tmp_path):
    from secreview.config import Config
    tree = make_tree(tmp_path / "tree", helpers=UNSAFE_HELPERS)
    report(tree, tmp_path / "cache")
    cwd = os.getcwd()
    os.chdir(tree)
    try:
        result = review(["."], ReviewOptions(config=Config(ignore=("SR101",)), cache_dir=tmp_path / "cache"))
    finally:
        os.chdir(cwd)
    assert all(f.rule_id != "SR101" for f in result.findings)
    assert len(list((tmp_path / "cache" / "v1").iterdir())) == 2  # two salts side by side


def test_broken_entries_are_misses(tmp_path):
    tree = make_tree(tmp_path / "tree", helpers=UNSAFE_HELPERS)
    expected = report(tree, None)
    report(tree, tmp_path / "cache")
    for path in (tmp_path / "cache").rglob("*"):
        if path.is_file():
            path.write_bytes(b"not a pickle")
    assert report(tree, tmp_path / "cache") == expected
    (tree / "helpers.py").write_text(UNSAFE_HELPERS + "\n")
    assert report(tree, tmp_path / "cache") == report(tree, None)


def test_unwritable_cache_directory_is_reported_and_the_review_goes_on(tmp_path, capsys):
    tree = make_tree(tmp_path / "tree", helpers=UNSAFE_HELPERS)
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache directory should be")
    assert report(tree, blocker) == report(tree, None)
    assert "cannot write the cache" in capsys.readouterr().err


def test_workers_fill_the_cache_and_agree(tmp_path):
    tree = make_tree(tmp_path / "tree", helpers=UNSAFE_HELPERS, others=40)  # enough files for workers
    expected = report(tree, None, jobs=1)
    assert report(tree, tmp_path / "cache", jobs=2) == expected
    (tree / "helpers.py").write_text(SAFE_HELPERS)
    assert report(tree, tmp_path / "cache", jobs=2) == report(tree, None, jobs=1)


VALIDATED_APP = """from flask import Flask, request
import checks
import runner

app = Flask(__name__)


@app.route("/run")
def run():
    command = request.args["cmd"]
    checks.check(command)
    runner.execute(command)
    return "done"
"""
RAISING_CHECK = ("import re\n\n\ndef check(value):\n    if not re.fullmatch('[a-z]+', value):\n"
                 "        raise ValueError(value)\n")
LOGGING_CHECK = RAISING_CHECK.replace("raise ValueError(value)", "print(value)")


def test_a_validator_edited_to_only_log_brings_the_finding_back(tmp_path, analysed):
    """What a function checks of its parameters is part of its summary: kept in the cache, and a
    change of it re-analyses its callers (here, it stops raising: the caller's value is no longer safe)."""
    tree = make_tree(tmp_path / "tree")
    (tree / "app.py").write_text(VALIDATED_APP)
    (tree / "checks.py").write_text(RAISING_CHECK)
    assert tainted(report(tree, tmp_path / "cache")) == []
    analysed.clear()
    warm = report(tree, tmp_path / "cache")
    assert analysed == [] and tainted(warm) == []
    (tree / "checks.py").write_text(LOGGING_CHECK)
    analysed.clear()
    warm = report(tree, tmp_path / "cache")
    assert analysed == [["checks"], ["app"]]
    assert warm == report(tree, None) and tainted(warm) == [("runner.py", 5)]
    (tree / "checks.py").write_text(RAISING_CHECK)
    assert tainted(report(tree, tmp_path / "cache")) == []


def test_adding_a_file_reviews_everything_again(tmp_path, analysed):
    tree = make_tree(tmp_path / "tree")
    report(tree, tmp_path / "cache")
    (tree / "extra.py").write_text("import os\nos.system(input())\n")
    analysed.clear()
    warm = report(tree, tmp_path / "cache")
    assert len(analysed[0]) == 16
    assert warm == report(tree, None)


def test_many_edits_make_a_full_review(tmp_path, monkeypatch):
    tree = make_tree(tmp_path / "tree")
    report(tree, tmp_path / "cache")
    for i in range(10):
        (tree / f"other{i}.py").write_text(f"def job{i}():\n    return {i}\n")
    calls = []
    original = incremental._full
    monkeypatch.setattr(incremental, "_full", lambda *a, **k: calls.append(1) or original(*a, **k))
    assert report(tree, tmp_path / "cache") == report(tree, None)
    assert calls == [1]


def test_command_line_cache_options(tmp_path):
    tree = make_tree(tmp_path / "tree", helpers=UNSAFE_HELPERS)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    env.pop("SECREVIEW_CACHE_DIR", None)

    def run(*args):
        proc = subprocess.run([sys.executable, "-m", "secreview", "review", ".", "--format", "json", *args],
                              cwd=tree, env=env, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 1, proc.stderr
        return proc.stdout

    no_cache = run("--no-cache")
    assert not (tmp_path / "xdg").exists()  # --no-cache writes nothing
    assert run() == no_cache and (tmp_path / "xdg" / "secreview" / "v1").is_dir()  # the XDG default
    assert run("--cache-dir", str(tmp_path / "mine")) == no_cache and (tmp_path / "mine" / "v1").is_dir()
    assert run() == no_cache  # warm


def test_concurrent_reviews_share_one_cache(tmp_path):
    tree = make_tree(tmp_path / "tree", helpers=UNSAFE_HELPERS, others=40)
    expected = report(tree, None)
    cmd = [sys.executable, "-m", "secreview", "review", ".", "--format", "json", "--exit-zero",
           "--cache-dir", str(tmp_path / "cache")]
    procs = [subprocess.Popen(cmd + ["--jobs", str(1 + i % 2)], cwd=tree, stdout=subprocess.PIPE, text=True)
             for i in range(4)]
    outputs = [p.communicate(timeout=180)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    normalise = lambda text: json.loads(text)["findings"]  # noqa: E731
    assert all(normalise(o) == normalise(expected) for o in outputs)
    assert not [p for p in (tmp_path / "cache").rglob(".tmp-*")]  # no half-written files left


def test_every_file_cached_but_not_the_whole_result(tmp_path):
    tree = make_tree(tmp_path / "tree", helpers=UNSAFE_HELPERS)
    expected = report(tree, tmp_path / "cache")
    for stored in (tmp_path / "cache").rglob("results/*"):
        stored.unlink()
    assert report(tree, tmp_path / "cache") == expected


def test_switching_branches_back_and_forth_never_reuses_results_computed_against_other_code(tmp_path):
    """app.py is the same on both "branches"; its cached result was last computed against
    the other branch's helpers.py. Its reads record what they found, so it is analysed again."""
    tree = make_tree(tmp_path / "tree", helpers=UNSAFE_HELPERS)
    assert tainted(report(tree, tmp_path / "cache")) == [("runner.py", 5)]
    (tree / "helpers.py").write_text(SAFE_HELPERS)  # the other branch
    assert tainted(report(tree, tmp_path / "cache")) == []
    (tree / "helpers.py").write_text(UNSAFE_HELPERS)  # back, with an unrelated edit
    (tree / "other3.py").write_text("def job3():\n    return 3\n")
    warm = report(tree, tmp_path / "cache")
    assert warm == report(tree, None) and tainted(warm) == [("runner.py", 5)]


def test_small_packs_of_incremental_reviews_are_compacted(tmp_path, monkeypatch):
    from secreview.engine import cache as cache_mod
    monkeypatch.setattr(incremental, "MAX_PACKS", 3)
    tree = make_tree(tmp_path / "tree", helpers=UNSAFE_HELPERS)
    report(tree, tmp_path / "cache")
    for i in range(6):
        (tree / "helpers.py").write_text(UNSAFE_HELPERS + "\n" * (i + 1))
        assert report(tree, tmp_path / "cache") == report(tree, None)
    salt_dir = next((tmp_path / "cache" / cache_mod.FORMAT).iterdir())
    assert len(list((salt_dir / "index").iterdir())) <= 4
    assert len(list((salt_dir / "packs").iterdir())) <= 4


def test_a_failing_worker_makes_the_review_run_in_process(tmp_path, monkeypatch, capsys):
    from secreview.engine import parallel

    tree = make_tree(tmp_path / "tree", helpers=UNSAFE_HELPERS, others=40)  # enough files for workers
    expected = report(tree, None, jobs=1)

    def broken(conn, share):
        raise MemoryError("worker killed")

    monkeypatch.setattr(parallel, "_work", broken)
    assert report(tree, None, jobs=2) == expected
    assert "a worker process failed" in capsys.readouterr().err
    assert report(tree, tmp_path / "cache", jobs=2) == expected  # the full review that fills the cache too


def test_a_key_stored_again_is_read_as_stored_last(tmp_path):
    from secreview.engine.cache import ReviewCache
    cache = ReviewCache(tmp_path, "salt")
    for value in range(3):  # an incremental review stores again the entries it moved or analysed
        cache.store_files(iter([("key", {"value": value})]))
    assert cache.load_files({"key"}) == {"key": {"value": 2}}


REVIEW_IN_A_PROCESS = """
import json, sys
from secreview.config import DEFAULT_CONFIG
from secreview.reports import ReportOptions, render
from secreview.engine.pipeline import ReviewOptions, review
result = review(["."], ReviewOptions(config=DEFAULT_CONFIG, cache_dir=sys.argv[1], jobs=None))
print(json.dumps({"report": render("json", result, ReportOptions(tool_version="test")),
                  "modules": sorted(m for m in sys.modules if m.startswith(("secreview.", "multiprocessing")))}))
"""


def test_a_review_answered_from_the_cache_imports_no_rule_or_analysis_module(tmp_path):
    tree = make_tree(tmp_path / "tree", helpers=UNSAFE_HELPERS, others=40)  # enough files for workers
    (tree / "test_app.py").write_text("import os\n\n\ndef test_it(arg):\n    assert arg\n    os.system(arg)\n")
    (tree / "quiet.py").write_text("import os\n\n\ndef f(arg):\n    os.system(arg)  # nosec B605\n")
    expected = report(tree, None)

    def run() -> dict:
        proc = subprocess.run([sys.executable, "-c", REVIEW_IN_A_PROCESS, str(tmp_path / "cache")], cwd=tree,
                              capture_output=True, text=True, timeout=120, env=this_secreview())
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    cold, warm = run(), run()
    assert cold["report"] == warm["report"] == expected
    assert "secreview.engine.incremental" in cold["modules"] and "secreview.rules.command_injection" in cold["modules"]
    heavy = [m for m in warm["modules"] if m.startswith(("secreview.rules.", "secreview.ir", "secreview.parse",
                                                         "secreview.engine.incremental", "secreview.analysis.program",
                                                         "multiprocessing"))]
    assert heavy == ["secreview.rules.info"]


def test_the_rule_catalog_is_what_the_rules_say_and_gives_the_same_salt(tmp_path):
    from secreview.analysis.models import load_models
    from secreview.config import Config
    from secreview.engine.cache import rule_catalog, salt_for
    from secreview.rules.info import RuleInfo
    from secreview.rules.registry import all_rules

    expected = tuple(RuleInfo.of(r) for r in all_rules())
    assert rule_catalog(tmp_path) == expected  # made
    assert rule_catalog(tmp_path) == expected  # read
    (stored,) = (tmp_path / "rules-v1").iterdir()
    stored.write_bytes(b"not a pickle")
    assert rule_catalog(tmp_path) == expected  # made again
    models = load_models()
    for config in (DEFAULT_CONFIG, Config(select=("SR101", "sql-injection")), Config(ignore=("SR101",))):
        assert salt_for(config, models, [r for r in rule_catalog(tmp_path) if config.rule_enabled(r)], 7) == \
            salt_for(config, models, [r for r in all_rules() if config.rule_enabled(r)], 7)


def test_the_built_in_models_kept_in_the_cache_are_those_loaded(tmp_path):
    from secreview.analysis.models import load_models
    from secreview.engine.cache import cached_models

    expected = load_models()
    first, second = cached_models(tmp_path), cached_models(tmp_path)  # made, then read
    assert first == second == expected and second.fingerprint() == expected.fingerprint()
    (stored,) = (tmp_path / "models-v1").iterdir()
    stored.write_bytes(b"not a pickle")
    assert cached_models(tmp_path) == expected  # made again
    extra = tmp_path / "mine.toml"
    extra.write_text('[[sink]]\nkind = "command"\ncallee = "mylib.run"\nargs = [0]\n')
    assert cached_models(tmp_path, (extra,)) == load_models((extra,))  # loaded, not kept
    assert len(list((tmp_path / "models-v1").iterdir())) == 1


def test_an_incremental_review_makes_only_the_stubs_it_resolves_into(tmp_path, monkeypatch):
    tree = make_tree(tmp_path / "tree", others=30)
    report(tree, tmp_path / "cache")
    (tree / "helpers.py").write_text(UNSAFE_HELPERS)
    made: list = []
    original = incremental.entry_stub

    def entry_stub(entry):
        made.append(original(entry))
        return made[-1]

    monkeypatch.setattr(incremental, "entry_stub", entry_stub)
    warm = report(tree, tmp_path / "cache")
    assert warm == report(tree, None)
    names = {stub.name for stub in made}
    # helpers and app are analysed; runner is called from app; the 30 others are never looked at
    assert names <= {"runner", "helpers", "app", "shlex"} and "runner" in names, names


def test_the_kept_models_fingerprint_is_that_of_the_models_and_they_load_as_loaded(tmp_path):
    from secreview.analysis.models import load_models
    from secreview.engine.cache import KeptModels, kept_models, loaded_models

    expected = load_models()
    for _ in range(2):  # made, then read
        kept = kept_models(tmp_path)
        assert isinstance(kept, KeptModels) and kept.fingerprint() == expected.fingerprint()
    assert loaded_models(kept) == expected and loaded_models(expected) is expected
    (stored,) = (tmp_path / "models-fingerprint-v1").iterdir()
    stored.write_bytes(b"not a pickle")
    assert kept_models(tmp_path).fingerprint() == expected.fingerprint()  # made again
    extra = tmp_path / "extra.toml"
    extra.write_text('[[sink]]\nkind = "command"\ncallees = ["mylib.run"]\nargs = [0]\n')
    with_extra = kept_models(tmp_path / "other", (extra,))  # extra model files are loaded, as cached_models does
    assert with_extra == load_models((extra,)) and loaded_models(with_extra) is with_extra


WARM_COMMAND = """
import io, sys
sys.argv = ["secreview", "review", ".", "--cache-dir", sys.argv[1], "--format", "json", "--exit-zero"]
from secreview.cli import main
out, sys.stdout = sys.stdout, io.StringIO()
code = main()
text, sys.stdout = sys.stdout.getvalue(), out
print(code, "secreview.analysis.models" in sys.modules, "secreview.rules.registry" in sys.modules, len(text))
"""


def test_a_command_answered_from_the_cache_reads_no_taint_model(tmp_path):
    tree = make_tree(tmp_path / "tree", helpers=UNSAFE_HELPERS, others=3)

    def run() -> list:
        proc = subprocess.run([sys.executable, "-c", WARM_COMMAND, str(tmp_path / "cache")], cwd=tree,
                              capture_output=True, text=True, timeout=120, env=this_secreview())
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.split()

    cold, warm = run(), run()
    assert cold[:3] == ["0", "True", "True"] and warm[:3] == ["0", "False", "False"] and cold[3] == warm[3]
    tree.joinpath("app.py").write_text(tree.joinpath("app.py").read_text() + "\n# edited\n")
    assert run()[:2] == ["0", "True"]  # an edit: the models are loaded for the files to analyse again


def test_a_stored_result_keeps_the_suppressions_of_the_files_that_have_some(tmp_path):
    import pickle

    tree = make_tree(tmp_path / "tree", helpers=UNSAFE_HELPERS, others=3)
    (tree / "quiet.py").write_text("import subprocess\n\n\ndef f(arg):\n"
                                   "    return subprocess.call('ls ' + arg, shell=True)  # nosec\n")
    (tree / "loud.py").write_text("import subprocess\n\n\ndef g(arg):\n"
                                  "    return subprocess.call('ls ' + arg, shell=True)  # nosec B999\n")
    cold = report(tree, tmp_path / "cache")
    (stored,) = (tmp_path / "cache").rglob("results/*")
    suppressions = pickle.loads(stored.read_bytes())[3]
    assert sorted(suppressions) == ["loud.py", "quiet.py"]  # (a comment that covers nothing still is one)
    assert report(tree, tmp_path / "cache") == cold == report(tree, None)
    assert json.loads(cold)["summary"]["suppressed"] == 1 and "loud.py" in {f["path"] for f in json.loads(cold)[
        "findings"]}


def test_the_code_fingerprint_is_the_digest_of_every_source_file_in_path_order():
    """``code_fingerprint`` hashes what it did with ``sorted(root.rglob("*"))`` and Path reads: each .py,
    .toml and .json file of the package, after its path, in the order of the paths' parts."""
    import hashlib

    import secreview
    from secreview.engine.cache import code_fingerprint

    root = Path(secreview.__file__).parent
    digest = hashlib.sha256(secreview.__version__.encode())
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".toml", ".json") and path.is_file():
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    assert code_fingerprint() == digest.hexdigest()
