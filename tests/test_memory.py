"""Memory of a review in one process: a module's IR is dropped once it is analysed.

``engine.local.analyse_here`` lowers each file when the analysis first needs it and drops
its IR once it is analysed (``Program(lazy_owned=...)``); a function analysed again has its
module lowered anew. These tests check that the IR is really freed (also with the cyclic
collector off, as during a review) and that the result is the one of a program holding every
module's IR from the start, whatever order the modules are analysed in.
"""

from __future__ import annotations

import gc
import random
from pathlib import Path

import pytest

from secreview.analysis.models import load_models
from secreview.analysis.program import Program
from secreview.config import DEFAULT_CONFIG
from secreview.engine.local import analyse_here
from secreview.engine.lowering import lower_source
from secreview.findings.model import ReviewResult
from secreview.ir import nodes as ir
from secreview.ir.lower import LoweringTables
from secreview.rules.registry import all_rules
from secreview.source.gather import gather_sources
from secreview.source.module_names import unique_module_names

FIXTURES = Path(__file__).parent / "rules" / "fixtures"


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> list:
    import os
    import shutil

    tree = tmp_path_factory.mktemp("memory") / "tree"
    shutil.copytree(FIXTURES, tree / "fixtures")
    chain = tree / "chain"
    chain.mkdir()
    # calls across modules, deeper than the nesting limit, and a field stored after it is read
    (chain / "m00.py").write_text("import os\n\ndef f00(x):\n    return os.system(x)\n")
    for i in range(1, 50):
        (chain / f"m{i:02d}.py").write_text(f"from chain.m{i-1:02d} import f{i-1:02d}\n\n"
                                            f"def f{i:02d}(x):\n    return f{i-1:02d}(x)\n")
    (chain / "a_runner.py").write_text("class Runner:\n    def go(self, arg):\n"
                                       "        return self.proc.call(arg, shell=True)\n")
    (chain / "z_setup.py").write_text("import subprocess\nfrom chain.a_runner import Runner\n\n\n"
                                      "class Sub(Runner):\n    def __init__(self):\n        self.proc = subprocess\n")
    cwd = os.getcwd()
    os.chdir(tree)
    try:
        found, _ = gather_sources(["."], DEFAULT_CONFIG, None, excluded=ReviewResult().excluded)
        return unique_module_names(list(found))
    finally:
        os.chdir(cwd)


def _rules():
    return [r for r in all_rules() if DEFAULT_CONFIG.rule_enabled(r)]


def _eager(sources: list):
    """The findings of a program holding every module's IR from the start."""
    modules = [lower_source(src, name, is_package).module for src, name, is_package in sources]
    program = Program(modules, load_models(DEFAULT_CONFIG.model_paths), _rules(),
                      budget_steps=DEFAULT_CONFIG.analysis_budget, test_path=DEFAULT_CONFIG.is_test_path,
                      on_demand=DEFAULT_CONFIG.on_demand)
    return _described(program.run())


def _described(findings: list) -> list:
    return [(f.rule_id, f.path, f.span, f.explanation, tuple(f.trace)) for f in findings]


def _lazy(sources: list):
    analysed = analyse_here(sources, load_models(DEFAULT_CONFIG.model_paths), _rules(),
                            DEFAULT_CONFIG.analysis_budget, DEFAULT_CONFIG)
    return analysed, analysed.keep[0]


def _unreachable_ir() -> list:
    """IR objects only reference cycles keep: freed by the cyclic collector, never without it."""
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        return [o for o in gc.garbage if isinstance(o, (ir.Block, ir.Function, ir.Node))]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


def test_the_ir_of_analysed_modules_is_freed_with_the_collector_off(sources):
    was = gc.isenabled()
    _unreachable_ir()
    # IR that earlier tests of this process left alive (in caches a review may evict) is held here,
    # so that only IR this review made and then left to the collector counts as leaked
    earlier = [o for o in gc.get_objects() if isinstance(o, (ir.Block, ir.Function, ir.Node))]
    gc.disable()
    try:
        analysed, program = _lazy(sources)
        leaked = _unreachable_ir()  # before the collector runs again by itself
    finally:
        if was:
            gc.enable()
    del earlier
    # every module analysed first is held, as its stub; a test module (analysed on demand) that no lookup
    # reached is not held at all (``on_demand_unlowered``)
    on_demand = {name for src, name, _ in sources if DEFAULT_CONFIG.on_demand(src.display)}
    assert {name for _, name, _ in sources} - on_demand <= set(program.owned) <= {name for _, name, _ in sources}
    assert all(not fn.blocks for module in program.owned.values() for fn in module.functions.values())
    # a dropped module's stub holds no text: ``foreign_text`` gives it when a finding quotes the module
    assert all(program.foreign_text(src.display) == src.text for src, _, _ in sources)
    assert len(leaked) == 0
    assert analysed.findings


def test_rules_let_go_of_the_ir_of_dropped_modules(sources):
    # the authorization rules memoise what the methods of recent classes reach: those of a dropped
    # module could never be asked for again (a module lowered anew has new classes) and held its IR
    analysed, program = _lazy(sources)
    held = [rule for rule in program.function_rules if getattr(rule, "_class_checks", None) is not None]
    assert held  # (the rules whose memo this test is about still have one)
    assert program.owned and all(name in program._dropped for name in program.owned)
    assert all(not rule._class_checks._facts for rule in held)


@pytest.mark.parametrize("order", ["path", "reversed", "shuffled"])
def test_dropping_and_lowering_again_gives_the_result_of_holding_every_module(sources, order, monkeypatch):
    expected = _eager(sources)
    original = Program.first_pass_order

    def other_order(self):
        modules = original(self)
        if order == "reversed":
            return modules[::-1]
        if order == "shuffled":
            random.Random(3).shuffle(modules)
        return modules

    monkeypatch.setattr(Program, "first_pass_order", other_order)
    analysed, program = _lazy(sources)
    assert _described(analysed.findings) == expected


def test_a_function_of_a_dropped_module_analysed_again_has_its_module_lowered_anew(sources):
    analysed, program = _lazy(sources)
    before = _described(program.findings.result())
    assert program.relowered == 0
    for qualname in ("chain.m00.f00", "chain.a_runner.Runner.go"):
        assert not program.function_module[qualname].body.blocks  # dropped: a stub stands for it
        program.dirty.add(qualname)
        program.settle()
        assert program.function_module[qualname].body.blocks  # lowered anew, and analysed
    assert program.relowered == 2
    assert _described(program.findings.result()) == before


class _Channel:
    """Both ends of one share's ``exchange`` on two queues: the worker runs on a thread."""

    def __init__(self):
        import queue
        self.to_worker, self.to_parent = queue.Queue(), queue.Queue()

    # the coordinator's end
    def send(self, message) -> None:
        self.to_worker.put(message)

    def recv(self):
        return self.to_parent.get(timeout=300)


class _WorkerEnd:
    """A worker's end. The workers (threads of one process, sharing its module-level memos) run
    one at a time: each holds ``lock`` except while it waits for a message, as processes would
    not interleave within a phase."""

    def __init__(self, channel: _Channel, lock):
        self.channel, self.lock = channel, lock

    def send(self, message) -> None:
        self.channel.to_parent.put(message)

    def recv(self):
        self.lock.release()
        try:
            return self.channel.to_worker.get(timeout=300)
        finally:
            self.lock.acquire()

    def run(self, share, job) -> None:
        from secreview.engine import parallel
        with self.lock:
            parallel.run_share(self, share, job)

    def poll(self) -> bool:
        return not self.channel.to_worker.empty()


def test_workers_find_what_one_process_finds_making_only_the_stubs_they_need(sources, monkeypatch):
    import threading

    from secreview.engine import parallel

    programs = []

    class Recorded(Program):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            programs.append(self)

    monkeypatch.setattr(parallel, "Program", Recorded)
    job = {"sources": sources, "models": load_models(DEFAULT_CONFIG.model_paths), "rules": _rules(),
           "budget": DEFAULT_CONFIG.analysis_budget, "config": DEFAULT_CONFIG, "cache": None, "keys": None}
    shares = parallel.partition([len(src.text) for src, _, _ in sources], 2)
    assert len(shares) == 2
    channels = [_Channel() for _ in shares]
    lock = threading.Lock()
    threads = [threading.Thread(target=_WorkerEnd(channel, lock).run, args=(share, job), daemon=True)
               for channel, share in zip(channels, shares)]
    for thread in threads:
        thread.start()
    lowered, results = parallel.exchange(channels, len(sources))
    for thread in threads:
        thread.join(timeout=300)
    assert all(stubs is None for stubs, *_ in lowered)  # passed on, not held by the coordinator
    merged = parallel.merge(lowered, results)
    assert _described(merged.findings) == _eager(sources)
    assert len(programs) == 2
    assert sorted(len(program.owned) for program in programs) == sorted(len(share) for share in shares)
    for program, other in zip(programs, reversed(shares)):
        # the other share's stubs are made only when a lookup needs one
        assert len(program.modules) - len(program.owned) < len(other)
        assert not program.reads  # without a cache, nothing records what functions read


def test_a_summary_received_before_its_stub_is_made_is_the_one_used_once_it_is():
    """A worker keeps the other shares' stubs pickled until a lookup needs them (``lazy_foreign``):
    a summary that comes before its module's stub is made must stand for the function then."""
    from secreview.analysis.interface import module_stub
    from secreview.source.reading import SourceText

    def lowered(path: str, text: str):
        return lower_source(SourceText(path, text, "utf-8", text.count("\n") + 1), path[:-3], False).module

    a = lowered("a.py", "import os\n\n\ndef run(x):\n    os.system(x)\n")
    b_text = "from a import run\n\n\ndef g(y):\n    run(y)\n"
    models = load_models(DEFAULT_CONFIG.model_paths)
    elsewhere = Program([a], models, _rules())
    elsewhere.first_pass()
    summaries, fields = elsewhere.exports()
    assert summaries["a.run"][0].sink_flows

    def program():
        return Program([lowered("b.py", b_text)], models, _rules(),
                       lazy_foreign={"a": ("a.py", lambda: module_stub(a))})

    here = program()
    here.receive(summaries, fields)
    assert "a" in here._pending  # not made by receiving
    here.first_pass()
    assert "a" not in here._pending
    assert [f.param for f in here.summaries["b.g"].sink_flows] == [0]
    provisional = program()  # without the summary, the call is one to a function not analysed yet
    provisional.first_pass()
    assert not provisional.summaries["b.g"].sink_flows


# ---------------------------------------------------------------- small containers (``analysis.compact``)

def test_add_to_holds_what_a_set_would_a_few_items_in_a_tuple():
    from secreview.analysis.compact import SMALL, add_to

    mapping: dict = {}
    added = ["a", "b", "a", "c", "b", "d", "a", "e", "f", "e"]
    for n, item in enumerate(added, 1):
        add_to(mapping, "k", item)
        held = mapping["k"]
        assert sorted(held) == sorted(set(added[:n]))  # no duplicates, nothing lost
        assert type(held) is (tuple if len(set(added[:n])) <= SMALL else set)
        assert all(x in held for x in added[:n])
    add_to(mapping, "other", "a")
    assert mapping["other"] == ("a",)


def test_readers_and_dependents_are_small_tuples_mostly(sources):
    analysed, program = _lazy(sources)
    for table in (program.dependents, program.field_readers):
        assert table
        held = list(table.values())
        assert all(type(h) in (tuple, set) for h in held)
        assert all(len(set(h)) == len(h) for h in held if type(h) is tuple)
        assert sum(type(h) is tuple for h in held) > len(held) // 2


def test_values_of_one_name_share_one_type_set():
    from secreview.source.reading import SourceText

    text = "import os\n\n\nclass K:\n    pass\n\n\ndef f(x):\n    return os.path.join(K, x)\n"
    module = lower_source(SourceText("a.py", text, "utf-8", 9), "a", False).module
    program = Program([module], load_models(DEFAULT_CONFIG.model_paths), _rules())
    for name, types in (("a.K", {"class:a.K"}), ("a.f", {"a.f"}), ("os.path", {"os.path"})):
        first, again = program.imported_value(name), program.imported_value(name)
        assert first.types == frozenset(types)
        assert first.types is again.types  # one set, however often the name is read
    other = Program([module], load_models(DEFAULT_CONFIG.model_paths), _rules())
    assert other.imported_value("a.K").types is not program.imported_value("a.K").types  # nothing shared across reviews


def test_a_field_stored_without_taints_holds_the_one_empty_set():
    from secreview.analysis.values import EMPTY, Value

    program = Program([], load_models(DEFAULT_CONFIG.model_paths), _rules())
    program.store_field("m.C", "x", Value(types=frozenset({"builtins.str"})))
    assert program.fields[("m.C", "x")].taints is EMPTY


def test_the_words_of_identifiers_are_one_object_each():
    from secreview.rules.words import identifier_words

    assert identifier_words("dbPassword") == ("db", "password")
    assert identifier_words("dbPassword")[1] is identifier_words("user_password")[1]
    assert identifier_words("api-key2")[0] is identifier_words("API_KEY")[0]


# ---------------------------------------------------------------- forked workers (``engine.parallel``)

def test_packed_texts_give_back_each_text_as_it_was():
    from secreview.engine.packed_texts import PackedTexts

    texts = {"a.py": "import os\n" * 500, "empty.py": "", "b.py": "s = 'é€😀'\n# ünïcode\n",
             "odd.py": "x = '\udcff'\n", "c.py": "def f():\n    return 1\n"}
    packed = PackedTexts([(p, t) for p, t in texts.items() if p != "c.py"], {"c.py": texts["c.py"]})
    assert len(packed) == len(texts)
    for path, text in texts.items():
        assert packed.get(path) == text
    assert packed.get("missing.py") == "" and packed.get("missing.py", None) is None
    assert dict(packed.items()) == texts
    assert packed.packed_size() < len(texts["a.py"]) // 10  # compressed


def _in_forked_child(target):
    """``target()``'s answer, computed in a forked child process (as the workers are)."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    parent_end, child_end = context.Pipe()

    def run():
        try:
            child_end.send(target())
        except BaseException as exc:  # noqa: BLE001 - the test's answer
            child_end.send(exc)
        finally:
            child_end.close()
            os._exit(0)

    import os
    child = context.Process(target=run)
    child.start()
    answer = parent_end.recv()
    child.join(timeout=60)
    if isinstance(answer, BaseException):
        raise answer
    return answer


def test_a_forked_worker_lets_go_of_the_other_shares_texts_and_packs_them():
    from dataclasses import replace

    from secreview.engine import parallel
    from secreview.source.reading import SourceText

    texts = {f"m{i}.py": f"# module {i}\n" + "x = 1\n" * i for i in range(6)}
    read = [(SourceText(path, text, "utf-8", text.count("\n") + 1), path[:-3], False) for path, text in texts.items()]
    sources = [(replace(src, resolve=None), name, is_package) for src, name, is_package in read]  # as _with_imports
    share = [1, 3]

    def child():
        import gc

        packed = parallel._forget_other_texts(sources, share)
        mine = {sources[i][0].display for i in share}
        held = {}
        for obj in gc.get_objects():  # every copy, also those of lists the worker does not own
            if type(obj) is SourceText and obj.display in texts:
                held.setdefault(obj.display, set()).add(obj.text)
        return mine, held, dict(packed.items())

    mine, held, given = _in_forked_child(child)
    assert given == texts  # every text, as it was
    assert {path for path in texts if held[path] == {texts[path]}} == mine
    assert all(held[path] == {""} for path in texts if path not in mine)
    assert sources[0][0].text == texts["m0.py"] and read[0][0].text == texts["m0.py"]  # the parent's untouched


_SHARE_A = '''from flask import Flask, request

from b import run

app = Flask(__name__)


@app.route("/ping")
def ping():
    host = request.args.get("host")
    return run(host)
''' + "".join(f"\n\ndef helper_{i}(x):\n    return x + {i}\n" for i in range(20))

_SHARE_B = '''import subprocess


def run(host):
    command = "ping -c 1 " + host
    return subprocess.check_output(command, shell=True)
''' + "".join(f"\n\ndef other_{i}(y):\n    return y * {i}\n" for i in range(20))


def test_forked_workers_find_what_one_process_finds_quoting_the_other_shares_lines(tmp_path, monkeypatch):
    from secreview.engine import analyse, parallel
    from secreview.engine.pipeline import ReviewOptions, review

    (tmp_path / "a.py").write_text(_SHARE_A)
    (tmp_path / "b.py").write_text(_SHARE_B)
    monkeypatch.chdir(tmp_path)
    assert parallel.partition([len(_SHARE_A), len(_SHARE_B)], 2) == [[0], [1]]  # one file per worker

    def described(**options):
        result = review(["."], ReviewOptions(config=DEFAULT_CONFIG, **options))
        return [(f.rule_id, f.path, f.span, f.code, f.explanation, [(s.path, s.line, s.note, s.code) for s in f.trace])
                for f in result.findings]

    expected = described(jobs=1)
    monkeypatch.setattr(analyse, "PARALLEL_MIN_FILES", 2)  # two forked workers even for these two files
    assert analyse.effective_jobs(2, 2) == 2
    assert described(jobs=2) == expected
    # the finding is in b.py, analysed by the second worker; its trace quotes a.py, the first's
    (finding,) = [f for f in expected if f[1] == "b.py"]
    assert any(path == "a.py" and "request.args" in code for path, _, _, code in finding[5])


def test_resolutions_and_exported_marks_keep_small_answers():
    from secreview.source.reading import SourceText

    files = {"a/__init__.py": "from a.impl import helper\n", "a/impl.py": "def helper(x):\n    return x\n",
             "b.py": "from a import helper\n\n\ndef g(y):\n    return helper(y)\n\n\ndef h(z):\n    return g(z)\n"}

    def program(record_reads: bool):
        modules = [lower_source(SourceText(path, text, "utf-8", text.count("\n") + 1),
                                path[:-3].replace("/__init__", "").replace("/", "."),
                                path.endswith("__init__.py")).module
                   for path, text in files.items()]
        made = Program(modules, load_models(DEFAULT_CONFIG.model_paths), _rules(), record_reads=record_reads)
        made.run()
        return made

    quiet, recording = program(False), program(True)
    assert quiet.resolve_function("a.helper") == recording.resolve_function("a.helper") == "a.impl.helper"
    # without reads to record, the answer alone; with them, the names consulted when more than the name
    assert quiet._resolved and all(answer is None or type(answer) is str for answer in quiet._resolved.values())
    assert recording._resolved["b.g"] == "b.g"
    assert recording._resolved["a.helper"] == ("a.impl.helper", ("a.helper", "a.impl.helper"))
    assert ("def", "a.impl.helper", "a.impl") in recording.reads["b.g"]  # what the cache needs is recorded
    exported, _ = recording.exports()
    assert "b.g" in exported and recording.exported["b.g"] == recording.summaries["b.g"].digest()
    recording.opaque.add("b.h")  # (as when its analysis failed)
    assert list(recording.exports()[0]) == ["b.h"] and recording.exported["b.h"][1] is True
    assert not any(recording.exports())  # nothing changed since


def test_a_spill_gives_back_what_was_put_on_disk_or_in_memory(tmp_path):
    from secreview.engine.spill import Spill

    blobs = [b"", b"a", bytes(range(256)) * 40, b"last"]
    (tmp_path / "not a folder").write_text("")
    for directory in (tmp_path / "cache", tmp_path / "not a folder"):  # the second cannot hold one: memory
        spill = Spill(directory)
        handles = [spill.put(blob) for blob in blobs]
        assert [spill.get(h) for h in reversed(handles)] == blobs[::-1]
        assert spill.put(b"more") is not None and spill.get(handles[2]) == blobs[2]
        spill.close()
    assert not [p for p in (tmp_path / "cache").iterdir()]  # unnamed: nothing left behind


def test_reads_set_aside_on_disk_are_those_kept_in_memory(sources, tmp_path):
    """With a ``spill``, what each function read goes to disk when its analysis ends (an analysis
    again adds to it): ``reads_of`` gives back what ``reads`` holds without one."""
    from secreview.engine.spill import Spill

    def program(spill):
        made = Program([lower_source(*s).module for s in sources], load_models(DEFAULT_CONFIG.model_paths),
                       _rules(), spill=spill)
        made.run()
        return made

    in_memory, spilled = program(None), program(Spill(tmp_path))
    assert in_memory.reads and not spilled.reads  # nothing held once analysed
    assert sum(in_memory.analysis_count.values()) > len(in_memory.analysis_count)  # some analysed again
    functions = set(in_memory.functions) | set(spilled.functions)
    assert {q: set(in_memory.reads_of(q) or ()) for q in functions} == \
        {q: set(spilled.reads_of(q) or ()) for q in functions}


def test_what_a_worker_lets_go_of_before_its_store_changes_no_entry(sources):
    """A worker writing the cache drops its functions' statements and what only analysing reads
    before it stores (``parallel._forget_bodies``, ``Program.forget_analysis``): the entries are
    those it would store holding them."""
    import pickle

    from secreview.analysis.interface import module_stub
    from secreview.engine import parallel
    from secreview.engine.store import iter_file_entries

    lowered = [lower_source(*s) for s in sources]
    program = Program([item.module for item in lowered], load_models(DEFAULT_CONFIG.model_paths), _rules())
    program.run()
    keys = {name: f"key-{name}" for _, name, _ in sources}
    stubs = [pickle.dumps(module_stub(item.module)) for item in lowered]  # as a worker pickles them, first
    before = dict(iter_file_entries(program, lowered, {}, keys, stubs))
    parallel._forget_bodies(lowered)
    program.forget_analysis()
    assert not program.dependents and all(not fn.blocks for item in lowered for fn in item.module.functions.values())
    assert dict(iter_file_entries(program, lowered, {}, keys, stubs)) == before


def test_summaries_from_other_workers_stay_compressed_until_read():
    import pickle

    from secreview.analysis.compact import SQUEEZE_FROM, loads, squeezed
    from secreview.engine import parallel
    from secreview.source.reading import SourceText

    small = pickle.dumps(("x", 1), protocol=pickle.HIGHEST_PROTOCOL)
    assert squeezed(small) is small and loads(small) == ("x", 1)
    large = pickle.dumps([f"parameter `x{i % 7}` of `f()`" for i in range(100)], protocol=pickle.HIGHEST_PROTOCOL)
    assert len(large) >= SQUEEZE_FROM and len(squeezed(large)) < len(large) // 4
    assert loads(squeezed(large)) == pickle.loads(large)

    def lowered(path: str, text: str):
        return lower_source(SourceText(path, text, "utf-8", text.count("\n") + 1), path[:-3], False).module

    notes = "".join(f"    y{i} = x + '{i}'\n" for i in range(12))  # a long trace: a large summary
    a = lowered("a.py", f"import os\n\n\ndef run(x):\n{notes}    os.system(y11)\n")
    models = load_models(DEFAULT_CONFIG.model_paths)
    elsewhere = Program([a], models, _rules())
    elsewhere.first_pass()
    sent, _ = parallel._pickled_exports(elsewhere, None)
    blob, failed, digest = sent["a.run"]
    assert blob[:1] == b"x"  # compressed
    from secreview.analysis.interface import module_stub
    here = Program([lowered("b.py", "from a import run\n\n\ndef g(y):\n    run(y)\n")], models, _rules(),
                   foreign=[module_stub(a)])
    here.receive_pickled(sent, {})
    assert here.lazy_summaries["a.run"] is blob  # kept as it came until read (the pickle alone, cache or not)
    here.first_pass()
    assert "a.run" not in here.lazy_summaries
    assert here.summaries["a.run"].digest() == digest == elsewhere.summaries["a.run"].digest()
    assert [f.param for f in here.summaries["b.g"].sink_flows] == [0]


def test_a_step_is_its_own_order():
    import pickle

    from secreview.analysis.values import Step

    first = Step("a.py", 3, 4, "request parameter `q`", None, "data from the request")
    second = Step("b.py", 7, 0, "passed to `run()`", first)
    assert second.key() is second  # the order is the step: nothing kept beside it
    assert (second.depth, second.path, second.line, second.col, second.note, second.origin, second.prev) == \
        (2, "b.py", 7, 0, "passed to `run()`", "", first)
    assert first.origin == "data from the request" and first.prev is None and first.depth == 1
    # shorter first, then path, line, column, note, origin, then the steps before
    assert first.key() < second.key()
    assert Step("a.py", 9, 0, "x", first).key() < second.key()
    assert Step("b.py", 7, 0, "passed to `run()`", Step("a.py", 2, 0, "z", None)).key() < second.key()
    same = Step("b.py", 7, 0, "passed to `run()`", Step("a.py", 3, 4, "request parameter `q`", None,
                                                         "data from the request"))
    assert same == second and same is not second and not same.key() < second.key()
    back = pickle.loads(pickle.dumps(second, protocol=pickle.HIGHEST_PROTOCOL))
    assert type(back) is Step and back == second and back.prev.origin == "data from the request"


def test_a_summary_waiting_to_be_read_is_its_pickle_alone_unless_its_analysis_failed():
    import pickle

    from secreview.analysis.interpreter import Summary
    from secreview.source.reading import SourceText

    text = "from a import run\n\n\ndef g(y):\n    run(y)\n"
    module = lower_source(SourceText("b.py", text, "utf-8", 5), "b", False).module
    blob = pickle.dumps(Summary(), protocol=pickle.HIGHEST_PROTOCOL)
    a = lower_source(SourceText("a.py", "def run(x):\n    pass\n", "utf-8", 2), "a", False).module
    from secreview.analysis.interface import module_stub

    for record_reads in (False, True):
        program = Program([module], load_models(DEFAULT_CONFIG.model_paths), _rules(), foreign=[module_stub(a)],
                          record_reads=record_reads)
        program.receive_pickled({"a.run": (blob, False, "digest-of-run")}, {})
        held = program.lazy_summaries["a.run"]
        assert held is blob  # with a cache too: ``read_value`` unpickles it for its digest
        assert program.read_value("sum", "a.run", "a") == (Summary().digest(), False)
        program.first_pass()
        assert "a.run" not in program.lazy_summaries and "a.run" in program.summaries  # read: unpickled
    failed = Program([module], load_models(DEFAULT_CONFIG.model_paths), _rules(), foreign=[module_stub(a)],
                     record_reads=False)
    failed.receive_pickled({"a.run": (blob, True, "digest-of-run")}, {})
    assert failed.lazy_summaries["a.run"] == (blob, True, "digest-of-run")
    failed.first_pass()
    assert "a.run" in failed.opaque


def test_line_offsets_take_four_bytes_each():
    from secreview.source.reading import SourceText

    text = "x = 1\ny = 2\n\nz = 3\n"
    module = lower_source(SourceText("m.py", text, "utf-8", 5), "m", False).module
    assert [module.source_line(n) for n in range(1, 6)] == ["x = 1", "y = 2", "", "z = 3", ""]
    assert module._starts.itemsize == 4


def test_a_module_name_found_for_a_qualified_name_is_the_modules_own_string():
    from secreview.source.reading import SourceText

    text = "\n" * 300 + "class K:\n    def m(self, a,\n          b=1, *rest, **more):\n        return a\n"
    module = lower_source(SourceText("pkg/m.py", text, "utf-8", text.count("\n") + 1), "pkg.m", False).module
    program = Program([module], load_models(DEFAULT_CONFIG.model_paths), _rules())
    found = program.module_name_of("pkg.m.K.m.x")
    assert found == "pkg.m" and found is module.name  # one string, not one per name looked up
    # lines above 256 are one int object each, whatever holds them, in the modules one review lowers
    tables = LoweringTables()
    module = lower_source(SourceText("pkg/m.py", text, "utf-8", text.count("\n") + 1), "pkg.m", False, tables).module
    again = lower_source(SourceText("pkg/n.py", text, "utf-8", text.count("\n") + 1), "pkg.n", False, tables).module
    fn, other = module.functions["pkg.m.K.m"], again.functions["pkg.n.K.m"]
    assert fn.line == 302 and fn.line is other.line and fn.end_line is other.end_line
    assert [p.line for p in fn.params] == [302, 302, 303, 303, 303]
    assert all(p.line is q.line for p, q in zip(fn.params, other.params))
    assert module.classes["pkg.m.K"].line is again.classes["pkg.n.K"].line


def test_lowering_keeps_nothing_between_reviews():
    """What lowered modules share (line ints, edges, tuples of edges) is a review's ``LoweringTables``,
    not a table of the module that would grow with every review a process runs (``secreview fleet``)."""
    import secreview.ir.lower as lower
    from secreview.source.reading import SourceText

    def tables_of_the_module():
        return {name: (type(v), len(v)) for name, v in vars(lower).items() if isinstance(v, (dict, list, set))}

    text = "\n" * 300 + "def f(x):\n    try:\n        return g(x)\n    except ValueError:\n        return 0\n"
    first = lower_source(SourceText("m.py", text, "utf-8", text.count("\n") + 1), "m", False).module
    before = tables_of_the_module()  # (the dispatch tables, by syntax node type, filled as met)
    second = lower_source(SourceText("n.py", text, "utf-8", text.count("\n") + 1), "n", False).module
    assert tables_of_the_module() == before
    f, g = first.functions["m.f"], second.functions["n.f"]
    assert f.line == g.line == 301 and f.line is not g.line  # each lowering its own tables
    tables = LoweringTables()
    n_lines = text.count("\n") + 1
    f = lower_source(SourceText("m.py", text, "utf-8", n_lines), "m", False, tables).module.functions["m.f"]
    g = lower_source(SourceText("n.py", text, "utf-8", n_lines), "n", False, tables).module.functions["n.f"]
    assert f.line is g.line and f.blocks[0].succs is g.blocks[0].succs


def test_edges_without_a_condition_are_shared_by_every_function():
    from secreview.source.reading import SourceText

    text = ("def f(x):\n    try:\n        a = g(x)\n    except ValueError:\n        a = 0\n    return a\n\n\n"
            "def h(y):\n    try:\n        b = g(y)\n    except ValueError:\n        b = 1\n    if b:\n        b = 2\n"
            "    return b\n")
    module = lower_source(SourceText("m.py", text, "utf-8", text.count("\n") + 1), "m", False).module
    f, h = module.functions["m.f"], module.functions["m.h"]
    plain_f = {(e.target, e.kind): e for b in f.blocks for e in b.succs if e.cond is None}
    plain_h = {(e.target, e.kind): e for b in h.blocks for e in b.succs if e.cond is None}
    shared = set(plain_f) & set(plain_h)
    assert shared and all(plain_f[key] is plain_h[key] for key in shared)
    conditional = [e for b in h.blocks for e in b.succs if e.cond is not None]
    assert conditional and all(e.kind in (ir.EdgeKind.TRUE, ir.EdgeKind.FALSE) for e in conditional)
    assert len({id(e) for e in conditional}) == len(conditional)  # each with its condition
    assert f.blocks[0].succs is next(b.succs for b in h.blocks if b.succs == f.blocks[0].succs)


def test_stubs_and_steps_unpickled_hold_the_processs_names():
    import pickle

    from secreview.analysis.interface import interned, module_stub
    from secreview.analysis.values import Step
    from secreview.source.reading import SourceText

    text = ("import functools\nfrom base import Base\n\n\nclass K(Base):\n    @functools.cache\n"
            "    def m(self, value, *, flag=None):\n        return value\n")
    module = lower_source(SourceText("pkg/m.py", text, "utf-8", 8), "pkg.m", False).module
    blob = pickle.dumps(module_stub(module), protocol=pickle.HIGHEST_PROTOCOL)
    one, two = interned(pickle.loads(blob)), interned(pickle.loads(blob))
    plain = pickle.loads(blob)
    assert plain.functions["pkg.m.K.m"].qualname is not pickle.loads(blob).functions["pkg.m.K.m"].qualname
    f1, f2 = one.functions["pkg.m.K.m"], two.functions["pkg.m.K.m"]
    assert f1.qualname is f2.qualname and next(iter(one.functions)) is next(iter(two.functions))
    assert [p.name for p in f1.params] == ["self", "value", "flag"]
    assert all(p.name is q.name for p, q in zip(f1.params, f2.params))
    assert f1.decorators[0].qualname is f2.decorators[0].qualname == "functools.cache"
    assert one.classes["pkg.m.K"].bases[0].qualname is two.classes["pkg.m.K"].bases[0].qualname == "base.Base"
    assert one.imports["Base"] is two.imports["Base"]
    assert definition_of(one) == definition_of(plain)  # the same stub
    step = Step("pkg/" + "m.py", 3, 0, "parameter `value` of " + "`m()`", None)
    a, b = (pickle.loads(pickle.dumps(step, protocol=pickle.HIGHEST_PROTOCOL)) for _ in range(2))
    assert a == step and a.path is b.path and a.note is b.note


def definition_of(stub) -> list:
    from secreview.analysis.interface import definition
    return [definition(stub, q) for q in (*stub.functions, *stub.classes, "pkg.m.Base")]


def test_identifiers_of_a_file_parsed_with_tree_sitter_are_interned_as_cpython_does():
    import ast
    import sys

    from secreview.parse.treesitter_to_ast import parse_with_tree_sitter

    text = "def handler(request, value):\n    total = value + value\n    return request(total\nprint 'py2'\n"
    tree, problems = parse_with_tree_sitter(text)
    assert problems  # (a file CPython cannot parse)
    names = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "value"]
    assert len(names) >= 2 and all(n.id is sys.intern("value") for n in names)
    params = [a.arg for a in ast.walk(tree) if isinstance(a, ast.arg)]
    assert params == ["request", "value"] and params[1] is names[0].id


# ---------------------------------------------------------------- one object per content (``values.Sharing``)

def _tree(depth: int, source_step):
    """A value of 3 items nested ``depth`` deep, each item holding copies of its own of the same
    taints and trace steps (what carrying a returned container through calls made: Salt's decoders)."""
    from secreview.analysis.values import Step, Taint, Value, all_item_taints, merge_taints

    def taints():
        step = Step("m.py", 9, 4, "returned by `decode()`", Step(*source_step))
        return frozenset({Taint("param", 0, frozenset(), step), Taint("remote", -1, frozenset({"sql"}), step)})
    if depth == 0:
        return Value(taints=taints(), types=frozenset({"builtins.str"}))
    items = {i: _tree(depth - 1, source_step) for i in range(3)}
    return Value(taints=merge_taints(all_item_taints(items), taints()), types=frozenset({"builtins.tuple"}),
                 items=items)


def _objects(value) -> tuple:
    values, taints, steps = {}, {}, {}
    stack = [value]
    while stack:
        v = stack.pop()
        values[id(v)] = v
        for t in v.taints:
            taints[id(t)] = t
            s = t.step
            while s is not None:
                steps[id(s)] = s
                s = s.prev
        stack.extend((v.items or {}).values())
    return len(values), len(taints), len(steps)


def test_sharing_keeps_one_object_for_each_content_and_changes_nothing_a_reader_sees():
    from secreview.analysis import values as V

    value = _tree(5, ("m.py", 2, 0, "request parameter `q`", None, "data from the request"))
    assert _objects(value) == (364, 486, 486)  # 1 + 3 + ... + 3**5 items, each with taints of its own
    shared = V.Sharing().value(value)
    assert _objects(shared) == (6, 2, 2)  # one item per depth, the 2 taints and their 2 steps once
    assert V.fingerprint(shared) == V.fingerprint(value)  # traces included
    assert V.digest(shared) == V.digest(value)
    assert {t._key for t in V.deep_taints(shared)} == {t._key for t in V.deep_taints(value)}
    # a value with nothing to share is kept as it is; the empty value stays ``TOP``
    single = _tree(0, ("m.py", 2, 0, "request parameter `q`", None, "data from the request"))
    sharing = V.Sharing()
    assert sharing.value(single) is single and sharing.value(V.TOP) is V.TOP
    # constants that compare equal but read differently are not merged (``0`` and ``False``, ``0.0`` and ``-0.0``)
    sharing = V.Sharing()
    assert sharing.value(V.const(0)) is not sharing.value(V.const(False))
    assert sharing.value(V.const(0.0)) is not sharing.value(V.const(-0.0))
    assert sharing.value(V.const("x")) is sharing.value(V.const("x"))
    # a set holding two taints of equal content (made with ``|``) is kept as it is: a reader counts them
    twice = V.Value(taints=single.taints | _tree(0, ("m.py", 2, 0, "request parameter `q`", None,
                                                      "data from the request")).taints)
    assert len(twice.taints) == 4 and V.Sharing().value(twice).taints is twice.taints


def test_sharing_keeps_a_one_of_apart_from_a_plain_value_of_equal_fields():
    """A ``OneOf`` (``"-c" if posix else "/c"``) is fixed, like a plain fixed value with no constant: one
    ``Sharing`` must not give either the other's object (the constants lost, or made up), in any order;
    a ``OneOf`` rebuilt with shared taints stays one."""
    from secreview.analysis import values as V

    for plain_first in (True, False):
        sharing = V.Sharing()
        one_of, plain = V.OneOf(frozenset({"-c", "/c"})), V.Value(fixed=True)
        if plain_first:
            got_plain, got_one_of = sharing.value(plain), sharing.value(one_of)
        else:
            got_one_of, got_plain = sharing.value(one_of), sharing.value(plain)
        assert type(got_plain) is V.Value and type(got_one_of) is V.OneOf
        assert got_one_of.alts == frozenset({"-c", "/c"})
    source = _tree(0, ("m.py", 2, 0, "request parameter `q`", None, "data from the request"))
    tainted = V.OneOf(frozenset({"a", "b"}), taints=frozenset(set(source.taints)))
    sharing = V.Sharing()
    sharing.value(source)
    rebuilt = sharing.value(tainted)
    assert type(rebuilt) is V.OneOf and rebuilt.alts == tainted.alts
    assert V.fingerprint(rebuilt) == V.fingerprint(tainted)


def test_joining_and_carrying_a_shared_value_keep_it_shared():
    from secreview.analysis import values as V

    source = ("m.py", 2, 0, "request parameter `q`", None, "data from the request")
    shared = V.Sharing().value(_tree(6, source))
    other = V.Sharing().value(_tree(6, ("m.py", 5, 0, "request parameter `r`", None, "data from the request")))
    joined = V.join(shared, other)
    assert _objects(joined)[0] == 7  # one join per depth, not one per path to it (1,093)
    assert V.fingerprint(V.join(_tree(6, source), other)) == V.fingerprint(joined)
    with_taints = V.join(shared, V.Value(taints=other.taints))  # a value without items: each item joins it
    assert _objects(with_taints)[0] == 7
    assert V.fingerprint(V.join(_tree(6, source), V.Value(taints=other.taints))) == V.fingerprint(with_taints)


def test_a_summary_returning_nested_containers_holds_each_taint_once(tmp_path):
    from secreview.analysis import values as V
    from secreview.source.reading import SourceText

    text = ("def pair(request):\n    q = request.args['q']\n    return (q, (q, (q, q)))\n\n\n"
            "def outer(request):\n    if request.method == 'POST':\n        return pair(request)\n"
            "    return pair(request), pair(request)\n")
    module = lower_source(SourceText("a.py", text, "utf-8", 9), "a", False).module
    program = Program([module], load_models(DEFAULT_CONFIG.model_paths), _rules())
    program.run()
    for name in ("a.pair", "a.outer"):
        ret = program.summaries[name].ret
        assert ret.items is not None
        n_values, n_taints, n_steps = _objects(ret)
        steps, taints = set(), set()
        stack = [ret]
        while stack:
            v = stack.pop()
            for t in v.taints:
                taints.add((t._key, t.step))
                s = t.step
                while s is not None:
                    steps.add(s)
                    s = s.prev
            stack.extend((v.items or {}).values())
        assert (n_taints, n_steps) == (len(taints), len(steps)), name  # one object for each content
        assert n_taints and V.deep_taints(ret)


def test_a_stub_says_whether_its_function_returns_a_mask():
    """A masking helper (``return '********'``) in another worker's share or the cache is known by its stub:
    the secret a caller passes it is hidden whether its module is lowered or not."""
    from secreview.analysis.interface import module_stub
    from secreview.source.reading import SourceText

    text = ("def display(attr, value, debugging=False):\n    if debugging:\n        return value\n"
            "    if attr == 'userpassword':\n        return list(map(lambda _: '********', value))\n"
            "    return value\n\n\ndef shown(attr, value):\n    return value\n")
    module = lower_source(SourceText("m.py", text, "utf-8", text.count("\n") + 1), "m", False).module
    stub = module_stub(module)
    assert module.functions["m.display"].returns_mask and stub.functions["m.display"].returns_mask
    assert not module.functions["m.shown"].returns_mask and not stub.functions["m.shown"].returns_mask


def test_a_returned_value_is_kept_no_deeper_than_callers_observe():
    """What a function returns is kept ``FINGERPRINT_DEPTH`` deep (``values.shallow``), deeper items as their
    taints: feast's filter translators, whose compound case wraps what the dispatcher returns for each part
    (``{"bool": {"must": [self._dispatch(sub) for sub in f.filters]}}``), returned a value one level deeper at
    each analysis, and the review held 9 GB (106 MB with this, the same 53 findings). A shallow value is
    returned as it is, and the data nested deep is still there, at the depth kept."""
    from secreview.analysis import values as V

    taint = V.Taint("remote", 0, frozenset(), None)
    deep = V.Value(taints=frozenset({taint}))
    for level in range(20):
        deep = V.Value(types=frozenset({"builtins.dict"}), items={"child": deep, "n": V.const(level)})

    def depth(value, seen=0):
        return seen if not value.items else max(depth(v, seen + 1) for v in value.items.values())

    kept = V.shallow(deep)
    assert depth(deep) == 20 and depth(kept) == V.FINGERPRINT_DEPTH
    assert V.deep_taints(kept) == frozenset({taint})
    bottom = kept
    for _ in range(V.FINGERPRINT_DEPTH):
        bottom = bottom.items["child"]
    assert bottom.items is None and bottom.taints == frozenset({taint})
    small = V.Value(types=frozenset({"builtins.dict"}), items={"a": V.Value(taints=frozenset({taint}))})
    assert V.shallow(small) is small
