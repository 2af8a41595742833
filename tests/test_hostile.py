"""Hostile trees: secreview completes, never blocks, never leaves the tree, never runs what it reviews.

Each test builds a tree that tries one thing (link loops, links out of the tree,
devices and FIFOs named ``*.py``, unreadable files, configuration that names
code, code with import-time side effects) and checks that the review completes,
names what it skipped in ``problems``, still reviews the rest, and that nothing
of the tree ran: the would-be payloads create a marker file, which must not exist.

Reviews that could block (devices, FIFOs) run as a subprocess with a timeout, so
a regression fails the test instead of hanging the suite.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from secreview.analysis.models import load_models
from secreview.config import ConfigError, load_config
from secreview.engine.pipeline import ReviewOptions, review
from secreview.findings.model import ProblemKind
from secreview.reports import ReportOptions, render
from secreview.source import discover as discover_mod
from secreview.source import reading as reading_mod
from secreview.source.discover import Candidate

MODELS = load_models(())
VULNERABLE = "import os\nfrom flask import request\n\ndef run(cmd):\n    os.system(cmd)\n\n\nrun(request.args['cmd'])\n"
pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file types and links")


def payload(marker: Path) -> str:
    """Code that, if ever imported or run, leaves ``marker`` behind."""
    return f"open({str(marker)!r}, 'w').write('ran')\n"


def run_cli(args: list[str], cwd: Path, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "secreview", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL, env={**os.environ, "NO_COLOR": "1"})


def review_json(cwd: Path, *paths: str, timeout: int = 120) -> dict:
    proc = run_cli(["review", *(paths or (".",)), "--format", "json", "--exit-zero", "--no-progress"], cwd, timeout)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    return json.loads(proc.stdout)


def in_process(cwd: Path, *paths: str):
    with contextlib.chdir(cwd):
        result = review(list(paths or (".",)), ReviewOptions(models=MODELS))
    for fmt in ("json", "sarif", "markdown", "text"):
        render(fmt, result, ReportOptions()).encode("utf-8")
    return result


def problems_by_path(doc: dict) -> dict:
    out: dict = {}
    for p in doc["problems"]:
        out.setdefault(p["path"], []).append(p["message"])
    return out


# ---------------------------------------------------------------- links


def test_symlink_loops(tmp_path):
    tree = tmp_path / "tree"
    (tree / "pkg").mkdir(parents=True)
    (tree / "pkg" / "app.py").write_text(VULNERABLE)
    (tree / "pkg" / "again").symlink_to("..")  # a directory link back to an ancestor
    (tree / "pkg" / "self").symlink_to(".")
    (tree / "a.py").symlink_to("b.py")  # a file link cycle
    (tree / "b.py").symlink_to("a.py")
    doc = review_json(tree)
    assert doc["summary"]["files_reviewed"] == 1
    assert [f["path"] for f in doc["findings"]] == ["pkg/app.py"]
    probs = problems_by_path(doc)
    assert "loop" in " ".join(probs["a.py"]) and "loop" in " ".join(probs["b.py"])
    assert any("loop" in m for m in probs.get("pkg/again", []) + probs.get("pkg/self", []))


def test_symlinks_out_of_the_tree_are_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text(VULNERABLE)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "ok.py").write_text("x = 1\n")
    (tree / "leak.py").symlink_to(outside / "secret.py")
    (tree / "leakdir").symlink_to(outside)
    (tree / "etc.py").symlink_to("/etc/passwd")
    doc = review_json(tree)
    assert doc["summary"]["files_reviewed"] == 1
    assert doc["findings"] == []
    probs = problems_by_path(doc)
    for name in ("leak.py", "leakdir", "etc.py"):
        assert any("outside the reviewed tree" in m for m in probs[name]), probs
    # inside the tree, links are followed (and the target is reviewed once)
    (tree / "inner.py").symlink_to("ok.py")
    assert review_json(tree)["summary"]["files_reviewed"] == 1


# ---------------------------------------------------------------- devices, FIFOs, sockets


def test_devices_and_fifos_named_py_never_block(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "app.py").write_text(VULNERABLE)
    (tree / "x.py").symlink_to("/dev/zero")
    (tree / "u.py").symlink_to("/dev/urandom")
    os.mkfifo(tree / "y.py")
    (tree / "fifo_link.py").symlink_to("y.py")
    with contextlib.suppress(PermissionError, OSError):  # a real device node, when allowed
        os.mknod(tree / "zero.py", stat.S_IFCHR | 0o600, os.makedev(1, 5))
    sock = socket.socket(socket.AF_UNIX)
    sock_path = tree / "s.py"
    try:
        sock.bind(str(sock_path))
    except OSError:
        sock_path = None
    try:
        doc = review_json(tree, timeout=60)
        # named explicitly, they are reported too, never opened for reading
        explicit = review_json(tree, "x.py", "y.py", "fifo_link.py", "app.py", timeout=60)
    finally:
        sock.close()
    assert doc["summary"]["files_reviewed"] == 1
    assert [f["path"] for f in doc["findings"]] == ["app.py"]
    probs = problems_by_path(doc)
    assert "FIFO" in " ".join(probs["y.py"]) and "FIFO" in " ".join(probs["fifo_link.py"])
    for name in ("x.py", "u.py"):  # a device, and out of the tree: either reason will do
        assert any(m in " ".join(probs[name]) for m in ("character device", "outside the reviewed tree")), probs
    if (tree / "zero.py").exists():
        assert "character device" in " ".join(probs["zero.py"])
    if sock_path is not None:
        assert "socket" in " ".join(probs["s.py"])
    ex = problems_by_path(explicit)
    assert "character device" in " ".join(ex["x.py"]) and "FIFO" in " ".join(ex["y.py"])
    assert explicit["summary"]["files_reviewed"] == 1


def test_file_replaced_by_a_fifo_after_discovery(tmp_path, monkeypatch):
    """Reading opens non-blocking and checks the opened file: a FIFO swapped in cannot block."""
    os.mkfifo(tmp_path / "swapped.py")
    (tmp_path / "fine.py").write_text(VULNERABLE)
    monkeypatch.setattr("secreview.source.gather.discover", lambda paths, **kw: (
        [Candidate(tmp_path / "swapped.py", "swapped.py"), Candidate(tmp_path / "fine.py", "fine.py")], []))
    done: dict = {}
    worker = threading.Thread(target=lambda: done.setdefault("result", in_process(tmp_path)), daemon=True)
    worker.start()
    worker.join(60)
    assert "result" in done, "reading a FIFO blocked"
    result = done["result"]
    assert result.files_reviewed == 1 and len(result.findings) == 1
    assert [(p.path, p.kind) for p in result.problems] == [("swapped.py", ProblemKind.UNREADABLE)]


def test_fifo_gitignore_pyproject_and_huge_sparse_file(tmp_path):
    tree = tmp_path / "tree"
    (tree / "pkg").mkdir(parents=True)
    os.mkfifo(tree / ".gitignore")
    os.mkfifo(tree / "pkg" / ".gitignore")
    os.mkfifo(tree / "pyproject.toml")
    (tree / "pkg" / "app.py").write_text(VULNERABLE)
    with open(tree / "big.py", "wb") as fh:  # 20 GB, sparse: must be refused by size, not read
        fh.truncate(20 * 1024**3)
    doc = review_json(tree, timeout=60)
    assert doc["summary"]["files_reviewed"] == 1
    assert [p["kind"] for p in doc["problems"]] == ["too-large"]


# ---------------------------------------------------------------- permissions


def test_permission_denied_file_and_directory(tmp_path, monkeypatch):
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "hidden.py").write_text(VULNERABLE)
    (tmp_path / "secret.py").write_text(VULNERABLE)
    (tmp_path / "open.py").write_text(VULNERABLE)
    real_open, real_scandir = os.open, os.scandir

    def deny_open(path, *args, **kwargs):
        if str(path).endswith("secret.py"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    def deny_scandir(path="."):
        if str(path).endswith("locked"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    # root reads anything: simulate what an ordinary user meets
    monkeypatch.setattr(reading_mod.os, "open", deny_open)
    monkeypatch.setattr(discover_mod.os, "scandir", deny_scandir)
    result = in_process(tmp_path)
    assert result.files_reviewed == 1
    assert [f.path for f in result.findings] == ["open.py"]
    probs = {p.path: p for p in result.problems}
    assert probs["secret.py"].kind is ProblemKind.UNREADABLE and "Permission denied" in probs["secret.py"].message
    assert "cannot list directory" in probs["locked"].message


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores file modes")
def test_permission_denied_for_real(tmp_path):
    (tmp_path / "secret.py").write_text(VULNERABLE)
    (tmp_path / "open.py").write_text(VULNERABLE)
    (tmp_path / "secret.py").chmod(0)
    try:
        result = in_process(tmp_path)
    finally:
        (tmp_path / "secret.py").chmod(0o600)
    assert result.files_reviewed == 1
    assert {p.path for p in result.problems} == {"secret.py"}


# ---------------------------------------------------------------- configuration naming code


def _project(tmp_path: Path, table: str) -> Path:
    tree = tmp_path / "project"
    tree.mkdir()
    subprocess.run(["git", "init", "-q", str(tree)], check=True)
    (tree / "app.py").write_text(VULNERABLE)
    (tree / "pyproject.toml").write_text("[tool.secreview]\n" + table)
    return tree


@pytest.mark.parametrize("table", [
    'plugins = ["evil"]\n',
    'python-path = ["."]\nplugins = ["evil:load"]\n',
    'rules-dir = "."\n',
    'init-hook = "import evil"\n',
])
def test_configuration_keys_that_would_load_code_are_errors(tmp_path, table):
    tree = _project(tmp_path, table)
    marker = tmp_path / "MARKER"
    (tree / "evil.py").write_text(payload(marker))
    proc = run_cli(["review", ".", "--format", "json"], tree)
    assert proc.returncode == 2
    assert "unknown key" in proc.stderr and "Traceback" not in proc.stderr
    assert not marker.exists()


def test_models_outside_the_project_are_refused(tmp_path):
    tree = _project(tmp_path, 'models = ["../../etc/passwd"]\n')
    proc = run_cli(["review", ".", "--format", "json"], tree)
    assert proc.returncode == 2 and "outside the project" in proc.stderr
    with pytest.raises(ConfigError, match="outside the project"):
        load_config(tree)


@pytest.mark.parametrize("models", ['["evil.py"]', '["pkg/__init__.py"]', '["fifo.toml"]', '["link.toml"]'])
def test_models_naming_code_are_read_as_data_only(tmp_path, models):
    tree = _project(tmp_path, f"models = {models}\n")
    marker = tmp_path / "MARKER"
    (tree / "evil.py").write_text(payload(marker))
    (tree / "pkg").mkdir()
    (tree / "pkg" / "__init__.py").write_text(payload(marker))
    os.mkfifo(tree / "fifo.toml")
    (tree / "link.toml").symlink_to("/dev/zero")
    proc = run_cli(["review", ".", "--format", "json"], tree, timeout=60)
    assert proc.returncode == 2, proc.stdout  # not TOML / not a regular file / outside: an error, not a crash
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("secreview: error:")
    assert not marker.exists()


def test_model_file_with_code_looking_values_is_data(tmp_path):
    marker = tmp_path / "MARKER"
    tree = _project(tmp_path, 'models = ["evil.toml"]\n')
    (tree / "evil.toml").write_text(
        "[[sink]]\n"
        f'kind = "command"\ncallee = "__import__(\'os\').system(\'touch {marker}\')"\nargs = [0]\n'
        "[[source]]\n"
        f'callee = "exec(open(\'{marker}\', \'w\'))"\n')
    doc = review_json(tree)
    assert doc["summary"]["files_reviewed"] == 1
    assert not marker.exists()


@pytest.mark.parametrize("body", ["sink = 1\n", 'sink = ["x"]\n', "source = [1]\n", 'entrypoint = "x"\n',
                                  '[[sink]]\nkind = "command"\ncallee = "os.system"\nwhen = 5\n'])
def test_malformed_model_file_is_an_error_not_a_crash(tmp_path, body):
    tree = _project(tmp_path, 'models = ["m.toml"]\n')
    (tree / "m.toml").write_text(body)
    proc = run_cli(["review", ".", "--format", "json"], tree)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "is malformed" in proc.stderr


# ---------------------------------------------------------------- code with side effects


SIDE_EFFECT_FILES = ("sitecustomize.py", "usercustomize.py", "conftest.py", "__init__.py", "setup.py",
                     "__main__.py", "pkg/__init__.py", "noxfile.py",
                     # modules secreview imports after start-up: `python -m secreview` run from inside
                     # the tree puts the tree first on sys.path
                     "argparse.py", "tokenize.py", "json.py", "dataclasses.py", "tomllib.py", "pathspec.py",
                     "tree_sitter.py", "tree_sitter_python.py", "rich.py", "hashlib.py", "gettext.py", "ast.py")


@pytest.mark.parametrize("how", ["python -m", "console script", "in process"])
def test_code_with_side_effects_is_never_imported(tmp_path, how):
    tree = tmp_path / "tree"
    (tree / "pkg").mkdir(parents=True)
    markers = []
    for i, name in enumerate(SIDE_EFFECT_FILES):
        marker = tmp_path / f"MARKER-{i}"
        markers.append(marker)
        (tree / name).write_text(payload(marker) + "import os\n\ndef f(x):\n    os.system(x)\n")
    if how == "python -m":
        doc = review_json(tree)
        reviewed = doc["summary"]["files_reviewed"]
    elif how == "console script":
        script = Path(sys.executable).with_name("secreview")
        if not script.exists():
            pytest.skip("no secreview console script next to this Python")
        proc = subprocess.run([str(script), "review", ".", "--format", "json", "--exit-zero"], cwd=tree,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        reviewed = json.loads(proc.stdout)["summary"]["files_reviewed"]
    else:
        reviewed = in_process(tree).files_reviewed
    assert reviewed == len(SIDE_EFFECT_FILES)
    assert [m.name for m in markers if m.exists()] == []


# ---------------------------------------------------------------- names and contents


def test_undecodable_and_control_character_file_names(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    names = [b"\xff\xfe.py", b"new\nline.py", b"tab\t<&>\"'.py", b"fake\n### 1. Forged finding.py"]
    for name in names:
        with open(os.path.join(os.fsencode(tree), name), "wb") as fh:
            fh.write(VULNERABLE.encode())
    for fmt in ("json", "sarif", "markdown", "text"):
        proc = run_cli(["review", ".", "--format", fmt, "--exit-zero", "--no-progress"], tree)
        assert proc.returncode == 0, proc.stderr
        # a name cannot start a line of the report
        assert not any(line.lstrip().startswith("### 1. Forged") for line in proc.stdout.splitlines())
    doc = review_json(tree)
    paths = sorted(f["path"] for f in doc["findings"])
    assert paths == sorted(["\\xff\\xfe.py", "new\\x0aline.py", "tab\\x09<&>\"'.py",
                            "fake\\x0a### 1. Forged finding.py"])


def test_source_decoding_to_lone_surrogates_is_undecodable(tmp_path):
    (tmp_path / "esc.py").write_bytes(b"# coding: unicode_escape\nimport os\nos.system('\\ud800' + input())\n")
    (tmp_path / "ok.py").write_text(VULNERABLE)
    result = in_process(tmp_path)
    assert result.files_reviewed == 1
    assert [(p.path, p.kind) for p in result.problems] == [("esc.py", ProblemKind.UNDECODABLE)]
