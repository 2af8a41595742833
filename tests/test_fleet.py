"""``secreview fleet`` on a real Dask ``LocalCluster`` (two worker processes on 127.0.0.1).

Each repository's reports must be byte for byte what ``secreview review .`` writes at its root;
a worker killed mid-run, or a store entry cut short or altered, must not change any of them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path

import pytest

from secreview.cli import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, main

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.slow

APP = '''import hashlib
import os
import pickle

from flask import request


def ping():
    host = request.args.get("host", "localhost")
    os.system("ping -c 1 " + host)


def load(blob):
    return pickle.loads(blob)


def digest(data):
    return hashlib.md5(data).hexdigest()
'''

UTIL = '''import subprocess


def run(command):
    return subprocess.call(command, shell=True)
'''

VIEWS = '''from flask import request

from shop.util import run


def archive():
    name = request.form["name"]
    return run("tar czf /tmp/%s.tgz /srv/data" % name)
'''

CLEAN = '''def add(a, b):
    return a + b
'''


def generated(root: Path, modules: int, functions: int = 20) -> None:
    """A package whose modules call down a chain, a shell command at the end of each: work enough
    for a review to take a second or two, and for the engine to split it."""
    pkg = root / "svc"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    for m in range(modules):
        lines = ([f"from svc import mod{m - 1}"] if m else []) + ["import subprocess", "from flask import request", ""]
        for f in range(functions):
            tail = f"mod{m - 1}.f{f}(text)" if m else "text"
            lines += [f"def f{f}(value, extra=None):", f"    data = {{'k{f}': value, 'n': {f}}}",
                      f"    text = '%s-%s' % (data['k{f}'], extra)", f"    if len(text) > {f}:",
                      "        text = text.strip()", f"    return {tail}", ""]
        lines += ["def handler():", "    host = request.args.get('host')", f"    cmd = f{functions - 1}(host)",
                  "    return subprocess.call('ping ' + cmd, shell=True)", ""]
        (pkg / f"mod{m}.py").write_text("\n".join(lines))


def git(*args: str, cwd: Path) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.com", GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_SYSTEM="/dev/null")
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client, LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0", silence_logs=50) as local, Client(local) as client:
        yield client


@pytest.fixture(scope="module")
def fleet(tmp_path_factory) -> Path:
    """``repos/`` (three working trees, one with its own configuration, and an sdist) and a git
    repository with a commit and an uncommitted edit."""
    base = tmp_path_factory.mktemp("fleet")
    repos = base / "repos"
    (repos / "web").mkdir(parents=True)
    (repos / "web" / "app.py").write_text(APP)
    (repos / "web" / "pyproject.toml").write_text('[tool.secreview]\nignore = ["weak-hash"]\n')
    (repos / "shop" / "shop").mkdir(parents=True)
    (repos / "shop" / "shop" / "__init__.py").write_text("")
    (repos / "shop" / "shop" / "util.py").write_text(UTIL)
    (repos / "shop" / "shop" / "views.py").write_text(VIEWS)
    (repos / "shop" / "tests").mkdir()
    (repos / "shop" / "tests" / "test_views.py").write_text("import pickle\n\n\ndef test_x(b):\n    pickle.loads(b)\n")
    # a test folder only the runner's configuration names (source.test_layout): test code, as `review .` makes it
    (repos / "shop" / "setup.cfg").write_text("[tool:pytest]\ntestpaths = checks\n")
    (repos / "shop" / "checks").mkdir()
    (repos / "shop" / "checks" / "conftest.py").write_text("")
    (repos / "shop" / "checks" / "test_probe.py").write_text("def test_probe():\n    assert True\n")
    (repos / "shop" / "checks" / "fixtures.py").write_text(
        "import os\n\nfrom flask import request\n\n\ndef probe():\n    os.system('ping ' + request.args['host'])\n")
    (repos / "clean").mkdir()
    (repos / "clean" / "calc.py").write_text(CLEAN)
    sdist_src = base / "sdist-src" / "tool-1.0"
    (sdist_src / "tool").mkdir(parents=True)
    (sdist_src / "tool" / "__init__.py").write_text(APP)
    (sdist_src / "tool" / "net.py").write_text("import requests\n\n\ndef probe(url):\n"
                                               "    return requests.get(url, verify=False, timeout=5)\n")
    # an offensive-security tool by its packaging: its unverified TLS is low, as `review .` makes it
    (sdist_src / "setup.py").write_text("from setuptools import setup\n"
                                        "setup(name='tool', description='Exploitation Framework for Routers')\n")
    with tarfile.open(repos / "tool-1.0.tar.gz", "w:gz") as tar:
        tar.add(sdist_src, arcname="tool-1.0")
    vcs = base / "vcs" / "web"
    vcs.mkdir(parents=True)
    (vcs / "app.py").write_text(APP)
    git("init", "-q", cwd=vcs)
    git("add", "app.py", cwd=vcs)
    git("commit", "-q", "-m", "app", cwd=vcs)
    (vcs / "app.py").write_text(APP + "\n\ndef more():\n    os.system(request.args['cmd'])\n")
    (base / "list.txt").write_text("# the working tree and its last commit\nvcs/web\nvcs/web HEAD\n")
    return base


def reference(root: Path, fmt: str, monkeypatch, tmp_path: Path) -> str:
    """What ``secreview review . --format FMT --no-llm`` writes at ``root`` (the second format of a tree is
    answered from the review cache, which gives what ``--no-cache`` does: ``test_cache``)."""
    out = tmp_path / f"reference.{fmt}"
    monkeypatch.chdir(root)
    code = main(["review", ".", "--format", fmt, "--cache-dir", str(tmp_path / "reference-cache"), "--no-progress",
                 "--no-llm", "--output", str(out)])
    assert code in (EXIT_CLEAN, EXIT_FINDINGS)
    monkeypatch.chdir(tmp_path)
    return out.read_text(encoding="utf-8")


def run_fleet(cluster, *args: str) -> int:
    return main(["fleet", *args, "--scheduler", cluster.scheduler.address, "--no-progress"])


def summary_of(output: Path) -> dict:
    return json.loads((output / "summary.json").read_text())


def test_reports_equal_review_at_each_root_and_a_rerun_reviews_nothing(cluster, fleet, tmp_path, monkeypatch,
                                                                      capsys):
    monkeypatch.chdir(tmp_path)
    store, output = tmp_path / "store", tmp_path / "out"
    args = [str(fleet / "repos"), str(fleet / "list.txt"), "--store", str(store), "--output", str(output)]
    assert run_fleet(cluster, *args) == EXIT_FINDINGS
    summary = summary_of(output)
    names = sorted(r["name"] for r in summary["repositories"])
    assert names == ["clean", "shop", "tool-1.0", "web", "web-2", "web-3"]
    # a working tree, in place
    roots = {"clean": fleet / "repos" / "clean", "shop": fleet / "repos" / "shop", "web": fleet / "repos" / "web",
             "web-2": fleet / "vcs" / "web"}
    # the sdist, as unpacked by pip
    unpacked = tmp_path / "unpacked"
    with tarfile.open(fleet / "repos" / "tool-1.0.tar.gz") as tar:
        tar.extractall(unpacked, filter="data")
    roots["tool-1.0"] = unpacked / "tool-1.0"
    # the commit, checked out
    commit = tmp_path / "commit"
    git("worktree", "add", "-q", "--detach", str(commit), "HEAD", cwd=fleet / "vcs" / "web")
    roots["web-3"] = commit
    for name, root in roots.items():
        for fmt in ("json", "sarif"):
            got = (output / f"{name}.{fmt}").read_text(encoding="utf-8")
            assert got == reference(root, fmt, monkeypatch, tmp_path), (name, fmt)
    by_name = {r["name"]: r for r in summary["repositories"]}
    assert by_name["clean"]["findings"] == 0
    tool = json.loads((output / "tool-1.0.json").read_text())
    assert tool["findings"] and not any(f["rule_id"] == "SR301" for f in tool["findings"])  # low: not shown
    shop = json.loads((output / "shop.json").read_text())
    assert shop["findings"] and not any(f["path"].startswith(("checks/", "./checks/")) for f in shop["findings"])
    assert "SR302" not in json.dumps(by_name["web"]["by_rule"])  # web's own configuration ignores weak-hash
    assert by_name["web-2"]["findings"] == by_name["web-3"]["findings"] + 1  # the uncommitted edit
    assert [r["name"] for r in summary["repositories"]][-1] == "clean"  # most severe first
    assert summary["totals"]["reviewed"] == 6 and summary["changes"] == {"previous_run": None}
    page = (output / "index.html").read_text()
    assert "default-src &#x27;none&#x27;" in page and not re.search(r"<(script|link|img|iframe)\b", page)
    assert not re.search(r"\b(src|href)\s*=", page) and "url(" not in page

    before = {p.name: p.read_bytes() for p in output.iterdir() if p.suffix in (".json", ".sarif")}
    capsys.readouterr()
    assert run_fleet(cluster, *args) == EXIT_FINDINGS
    summary = summary_of(output)
    assert summary["totals"]["reviewed"] == 0 and summary["totals"]["from_store"] == 6
    assert summary["changes"]["new_findings"] == 0 and summary["changes"]["repositories"] == []
    after = {p.name: p.read_bytes() for p in output.iterdir() if p.suffix in (".json", ".sarif")}
    assert {k: v for k, v in after.items() if k != "summary.json"} == \
           {k: v for k, v in before.items() if k != "summary.json"}
    assert "0 reviewed, 6 from the store, 0 failed" in capsys.readouterr().err


def test_an_edit_is_reviewed_again_and_shown_as_a_change(cluster, fleet, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    repos = tmp_path / "repos"
    shutil.copytree(fleet / "repos", repos)
    args = [str(repos), "--store", str(tmp_path / "store"), "--output", str(tmp_path / "out")]
    assert run_fleet(cluster, *args) == EXIT_FINDINGS
    (repos / "clean" / "calc.py").write_text(
        CLEAN + "\n\ndef shell(cmd):\n    import os\n    from flask import request\n"
        "    os.system(request.args['cmd'])\n")
    assert run_fleet(cluster, *args) == EXIT_FINDINGS
    summary = summary_of(tmp_path / "out")
    assert summary["totals"]["reviewed"] == 1 and summary["totals"]["from_store"] == 3
    changes = summary["changes"]
    assert changes["new_findings"] == 1 and changes["fixed_findings"] == 0
    assert changes["repositories"] == [{"name": "clean", "content_changed": True, "new_findings": 1,
                                        "fixed_findings": 0}]
    assert changes["new"][0]["path"] == "calc.py" and changes["new"][0]["repository"] == "clean"
    assert f"calc.py:{changes['new'][0]['line']}</code>" in (tmp_path / "out" / "index.html").read_text()


def test_a_corrupt_or_partial_store_entry_is_reviewed_again(cluster, fleet, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store, output = tmp_path / "store", tmp_path / "out"
    args = [str(fleet / "repos"), "--store", f"file://{store}", "--output", str(output)]
    assert run_fleet(cluster, *args) == EXIT_FINDINGS
    reports = {p.name: p.read_bytes() for p in output.glob("*.*") if p.suffix in (".json", ".sarif")
               and p.name != "summary.json"}
    entries = sorted((store / "entries").rglob("*.json"))
    assert len(entries) == 4
    data = entries[0].read_bytes()
    entries[0].write_bytes(data[: len(data) // 2])  # cut short
    doc = json.loads(entries[1].read_text())
    doc["payload"]["json"] = doc["payload"]["json"].replace('"high"', '"low"', 1)  # altered, checksum kept
    entries[1].write_text(json.dumps(doc))
    for path in output.iterdir():
        path.unlink()
    assert run_fleet(cluster, *args) == EXIT_FINDINGS
    summary = summary_of(output)
    assert summary["totals"]["reviewed"] == 2 and summary["totals"]["from_store"] == 2
    assert {p.name: p.read_bytes() for p in output.glob("*.*") if p.suffix in (".json", ".sarif")
            and p.name != "summary.json"} == reports
    from secreview.fleet.store import ENTRY_FORMAT, decode
    for entry in entries:  # written again, whole
        assert decode(entry.read_bytes(), ENTRY_FORMAT, key=entry.stem) is not None


def test_a_store_in_memory(cluster, fleet, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "list").write_text(f"{fleet / 'repos' / 'clean'}\n")
    args = [str(fleet / "repos" / "tool-1.0.tar.gz"), str(tmp_path / "list"), "--store", "memory://fleet-test",
            "--output", str(tmp_path / "out"), "--exit-zero"]
    assert run_fleet(cluster, *args) == EXIT_CLEAN
    assert run_fleet(cluster, *args) == EXIT_CLEAN
    assert summary_of(tmp_path / "out")["totals"]["from_store"] == 2


def test_a_repository_that_fails_gives_exit_2_after_the_others(cluster, fleet, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    repos = tmp_path / "repos"
    shutil.copytree(fleet / "repos" / "clean", repos / "clean")
    shutil.copytree(fleet / "repos" / "web", repos / "web")
    (repos / "broken").mkdir()
    (repos / "broken" / "pyproject.toml").write_text("[tool.secreview]\nselect = [\n")
    (repos / "broken" / "a.py").write_text(CLEAN)
    (repos / "bad-1.0.tar.gz").write_bytes(b"not an archive")
    output = tmp_path / "out"
    for extra in ([], ["--exit-zero"]):
        assert run_fleet(cluster, str(repos), "--store", str(tmp_path / "store"), "--output", str(output),
                         *extra) == EXIT_ERROR
    summary = summary_of(output)
    failed = {item["name"]: item["reason"] for item in summary["not_reviewed"]}
    assert set(failed) == {"broken", "bad-1.0"}
    assert "invalid TOML" in failed["broken"] and "not a readable sdist archive" in failed["bad-1.0"]
    assert (output / "web.json").exists() and (output / "clean.sarif").exists()
    assert not (output / "broken.json").exists()
    assert "broken: not reviewed" in capsys.readouterr().err
    page = (output / "index.html").read_text()
    assert "Not reviewed" in page and "invalid TOML" in page
    # --exit-zero concerns findings only
    (tmp_path / "list").write_text("repos/web\n")
    assert run_fleet(cluster, str(tmp_path / "list"), "--store", str(tmp_path / "store"), "--output",
                     str(output)) == EXIT_FINDINGS
    assert run_fleet(cluster, str(fleet / "list.txt"), "--store", str(tmp_path / "store"), "--output", str(output),
                     "--exit-zero") == EXIT_CLEAN


def test_a_timeout_fails_the_repository_with_its_reason(cluster, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    generated(tmp_path / "repos" / "slow", 40)
    assert run_fleet(cluster, str(tmp_path / "repos"), "--store", str(tmp_path / "store"), "--output",
                     str(tmp_path / "out"), "--timeout", "0.3") == EXIT_ERROR
    assert summary_of(tmp_path / "out")["not_reviewed"][0]["reason"] == "timed out after 0.3 s"


def test_a_large_repository_split_across_workers_gives_the_same_reports(cluster, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    generated(tmp_path / "repos" / "big", 40, functions=6)
    output = tmp_path / "out"
    assert run_fleet(cluster, str(tmp_path / "repos"), "--store", str(tmp_path / "store"), "--output", str(output),
                     "--split-lines", "1000") == EXIT_FINDINGS
    entry = summary_of(output)["repositories"][0]
    assert entry["shares"] == 2 and entry["findings"] == 40
    for fmt in ("json", "sarif"):
        assert (output / f"big.{fmt}").read_text() == reference(tmp_path / "repos" / "big", fmt, monkeypatch, tmp_path)


def test_killing_a_worker_mid_run_gives_the_complete_identical_result(tmp_path, monkeypatch):
    """Its own cluster: a worker process is killed (SIGKILL) while it reviews; its nanny starts
    another, Dask runs the lost task again, and every report is still the one ``review`` writes."""
    from distributed import Client, LocalCluster

    from secreview.fleet.orchestrate import review_fleet
    from secreview.fleet.repos import find_repositories
    from secreview.fleet.store import ResultStore
    from secreview.fleet.task import Settings
    monkeypatch.chdir(tmp_path)
    repos = tmp_path / "repos"
    for i in range(3):
        generated(repos / f"svc{i}", 12 + i, functions=12)
    generated(repos / "split", 34, functions=6)  # split in shares: a killed actor falls back to one task
    output = tmp_path / "out"
    output.mkdir()
    killed = []

    def reviewing(dask_worker) -> bool:
        return any("review" in str(ts.key) for ts in dask_worker.state.executing)

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0", silence_logs=50) as local, Client(local) as client:
        pids = client.run(os.getpid)

        def kill_a_busy_worker():
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                busy = [w for w, yes in client.run(reviewing).items() if yes]
                if busy:
                    os.kill(pids[busy[0]], signal.SIGKILL)
                    killed.append(busy[0])
                    return
                time.sleep(0.05)

        killer = threading.Thread(target=kill_a_busy_worker, daemon=True)
        killer.start()
        results = review_fleet(client, find_repositories([str(repos)]), Settings(split_lines=1000),
                               ResultStore(str(tmp_path / "store")), str(output))
        killer.join()
    assert killed, "no worker was reviewing anything to kill"
    assert [r.status for r in results] == ["reviewed"] * 4, [(r.repo.name, r.reason) for r in results]
    for result in results:
        for fmt in ("json", "sarif"):
            assert (output / f"{result.repo.name}.{fmt}").read_text() == \
                reference(repos / result.repo.name, fmt, monkeypatch, tmp_path), result.repo.name


def test_without_dask_fleet_says_how_to_install_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    assert main(["fleet", str(tmp_path), "--no-progress"]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert 'pip install "secreview[fleet]"' in err and "distributed is not installed" in err


def test_sources_and_names(tmp_path):
    from secreview.fleet.repos import FleetError, find_repositories, unique_names
    assert unique_names(["a", "A", "b", "a", "summary", "a-2"]) == ["a", "A-2", "b", "a-3", "summary-2", "a-2-2"]
    (tmp_path / "one").mkdir()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "x-2.0.zip").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("")
    found = find_repositories([str(tmp_path)])
    assert [(r.name, r.kind) for r in found] == [("one", "tree"), ("x-2.0", "sdist")]
    (tmp_path / "list").write_text("one\nmissing\n")
    with pytest.raises(FleetError, match="list:2: missing: no such directory"):
        find_repositories([str(tmp_path / "list")])
    with pytest.raises(FleetError, match="must name an sdist"):
        find_repositories(["https://example.invalid/repo"])
    assert find_repositories(["https://example.invalid/a-1.tar.gz"])[0].name == "a-1"


def test_store_documents_are_checked(tmp_path):
    from secreview.fleet.store import ResultStore
    store = ResultStore(str(tmp_path))
    key = "ab" * 32
    store.save(key, {"json": "{}", "n": 1})
    assert store.keys() == {key} and store.load(key) == {"json": "{}", "n": 1}
    path = tmp_path / "entries" / "ab" / f"{key}.json"
    assert not list(path.parent.glob(".tmp-*"))  # the temporary file was renamed into place
    path.write_text(path.read_text().replace('"n": 1', '"n": 2'))
    assert store.load(key) is None and store.corrupt == 1
    with pytest.raises(ValueError):
        store.save("../x", {})
    assert "pickle" not in Path(sys.modules["secreview.fleet.store"].__file__).read_text().replace(
        "never pickle", "")


def _summary_page(tmp_path: Path) -> tuple[dict, Path]:
    """A fleet summary and its page, from results made here (no cluster): a repository with
    findings, a clean one, one not reviewed, against a previous run with another finding."""
    from secreview.findings.model import Finding, Level, ReviewResult, Span
    from secreview.fleet import html_page
    from secreview.fleet.orchestrate import RepoResult
    from secreview.fleet.repos import Repository
    from secreview.fleet.summary import build_summary, run_record
    from secreview.reports import ReportOptions, render

    def finding(line: int, severity: Level, fp: str) -> Finding:
        f = Finding("SR101", "command-injection", "OS command injection <script>", 78, severity, Level.HIGH,
                    "app.py", Span(line, 0, line, 9), "os.system(x)", "why", "fix", ())
        f.fingerprint = fp
        return f

    def result(name: str, findings: list, status: str = "reviewed") -> RepoResult:
        review = ReviewResult(findings=findings, files_reviewed=1, lines_reviewed=10, target=".")
        text = render("json", review, ReportOptions())
        return RepoResult(Repository(name, "tree", f"/r/{name}", source=f"r/{name}"), status, "k" + name,
                          report_json=text, report_sarif="{}", seconds=1.0)

    before = [result("api", [finding(3, Level.HIGH, "a1")]), result("tools", [])]
    run = {"started": "2026-01-01T00:00:00Z", "seconds": 1.0, "store": "s", "scheduler": "local", "workers": 2}
    previous = run_record(before, run)
    now = [result("tools", [finding(5, Level.MEDIUM, "t1")]),
           result("api", [finding(3, Level.HIGH, "a1"), finding(7, Level.HIGH, "a2")]),
           RepoResult(Repository("broken", "sdist", "/r/b.tar.gz", source="r/b.tar.gz"), "failed",
                      reason="not a readable sdist archive"),
           result("clean", [], "stored")]
    summary = build_summary(now, previous, run, "0.1.0")
    page = tmp_path / "index.html"
    page.write_text(html_page.render(summary), encoding="utf-8")
    return summary, page


def test_summary_counts_orders_and_changes(tmp_path):
    summary, page = _summary_page(tmp_path)
    assert [r["name"] for r in summary["repositories"]] == ["api", "tools", "clean", "broken"]
    totals = summary["totals"]
    assert (totals["findings"], totals["by_severity"], totals["failed"], totals["from_store"]) == \
           (3, {"high": 2, "medium": 1, "low": 0}, 1, 1)
    assert summary["rules"][0]["rule_id"] == "SR101" and summary["rules"][0]["repositories"] == 2
    assert summary["not_reviewed"] == [{"name": "broken", "source": "r/b.tar.gz",
                                        "reason": "not a readable sdist archive"}]
    changes = summary["changes"]
    assert changes["added"] == ["broken", "clean"] and changes["removed"] == []
    assert (changes["new_findings"], changes["fixed_findings"]) == (2, 0)
    assert sorted((f["repository"], f["line"]) for f in changes["new"]) == [("api", 7), ("tools", 5)]
    text = page.read_text()
    assert "&lt;script&gt;" in text and "<script" not in text


def test_summary_page_is_self_contained_and_renders(tmp_path):
    import base64
    import hashlib

    from secreview.fleet import html_page
    _, page = _summary_page(tmp_path)
    text = page.read_text()
    style = re.search(r"<style>(.*?)</style>", text, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src &#x27;sha256-{digest}&#x27;" in text and style == html_page.STYLE
    assert not re.search(r"\b(src|href)\s*=", text) and "url(" not in text and "@import" not in text
    from test_html_report import chromium
    dom = chromium(page.as_uri(), tmp_path / "profile", "--dump-dom")
    assert 'data-fleet="true"' in dom and "3 security defects found in 2 repositories" in dom
    assert re.search(r'<tr data-status="failed"><td>broken</td>', dom)
    shot = tmp_path / "shot.png"
    chromium(page.as_uri(), tmp_path / "profile", "--hide-scrollbars", "--window-size=1200,900",
             f"--screenshot={shot}")
    assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and shot.stat().st_size > 10_000


def test_fleet_sits_above_the_engine_and_review_never_loads_dask(tmp_path):
    from test_import_graph import PACKAGE, import_graph
    graph = import_graph(PACKAGE)
    fleet = {m for m in graph if m.startswith("secreview.fleet")}
    assert "secreview.fleet.task" in fleet
    for module, targets in graph.items():
        if module not in fleet and module != "secreview.cli":
            assert not targets & fleet, module
    (tmp_path / "a.py").write_text(CLEAN)
    code = ("import sys\nfrom secreview.cli import main\ncode = main(['review', sys.argv[1], '--no-cache', "
            "'--format', 'json', '--output', sys.argv[2]])\n"
            "print(code, [m for m in ('dask', 'distributed', 'fsspec') if m in sys.modules])\n")
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "a.py"), str(tmp_path / "out.json")],
                          capture_output=True, text=True, timeout=120)
    assert proc.stdout == "0 []\n", proc.stderr


def test_workers_without_secreview_are_named_with_the_fix():
    from secreview.fleet.orchestrate import worker_code

    class Client:
        def run(self, fn):
            raise ModuleNotFoundError("No module named 'secreview'")

    with pytest.raises(RuntimeError, match=r'cannot run secreview fleet.*pip install "secreview\[fleet\]"'):
        worker_code(Client())


def test_a_killed_client_loses_nothing_done_and_the_next_run_resumes(cluster, tmp_path, monkeypatch):
    """The client (the ``secreview fleet`` process) is killed (SIGKILL) once a first result is
    stored: every entry in the store is whole, and the next run reviews only the rest."""
    from secreview.fleet.store import ENTRY_FORMAT, decode
    monkeypatch.chdir(tmp_path)
    repos = tmp_path / "repos"
    for i in range(4):
        generated(repos / f"svc{i}", 10 + i, functions=10)
    store, output = tmp_path / "store", tmp_path / "out"
    args = [str(repos), "--scheduler", cluster.scheduler.address, "--store", str(store), "--output", str(output),
            "--no-progress", "--split-lines", "0"]
    proc = subprocess.Popen([sys.executable, "-m", "secreview", "fleet", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None and not list(store.glob("entries/*/*.json")):
            time.sleep(0.02)
    finally:
        proc.kill()  # the process this test started, by its id
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    entries = list(store.glob("entries/*/*.json"))
    assert 1 <= len(entries) < 4
    assert all(decode(e.read_bytes(), ENTRY_FORMAT, key=e.stem) is not None for e in entries)
    assert main(["fleet", *args]) == EXIT_FINDINGS
    totals = summary_of(output)["totals"]
    assert totals["from_store"] == len(entries) and totals["reviewed"] == 4 - len(entries)


def test_progress_counts_lines_stored_and_failed():
    from secreview.fleet.orchestrate import RepoResult
    from secreview.fleet.progress import FleetProgress, wanted
    from secreview.fleet.repos import Repository
    assert not wanted(True)
    progress = FleetProgress(3)
    try:
        repo = Repository("r", "tree", "/r")
        progress(RepoResult(repo, "reviewed", lines=1000), 1, 3)
        progress(RepoResult(repo, "stored"), 2, 3)
        progress(RepoResult(repo, "failed", reason="x"), 3, 3)
        task = progress.progress.tasks[0]
        assert task.completed == 3 and "1 from the store" in task.fields["facts"] and "1 failed" in task.fields["facts"]
        assert (progress.lines, progress.stored, progress.failed) == (1000, 1, 1)
    finally:
        progress.close()
