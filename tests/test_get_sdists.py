"""``benchmarks/get_sdists.py``: panel pins, choosing the sdist among a project's files, and a whole
fetch from a stand-in PEP 691 index on 127.0.0.1 (no PyPI)."""

from __future__ import annotations

import http.server
import importlib.util
import io
import json
import tarfile
import threading
from pathlib import Path

import pytest

_BENCH = Path(__file__).parent.parent / "benchmarks"
spec = importlib.util.spec_from_file_location("get_sdists", _BENCH / "get_sdists.py")
gs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gs)


@pytest.mark.parametrize("panel", sorted((_BENCH / "panels").glob("*.toml")), ids=lambda p: p.name)
def test_every_panel_file_has_pins(panel):
    pins = gs.panel_pins(str(panel))
    assert pins and all(name and version for name, version in pins)


def test_pick_sdist_takes_the_archive_of_that_version_whatever_its_spelling():
    files = [{"filename": "openstack_heat-27.0.1-py3-none-any.whl", "url": "w"},
             {"filename": "openstack_heat-27.0.0.tar.gz", "url": "old"},
             {"filename": "openstack_heat-27.0.1.tar.gz", "url": "new"}]
    assert gs.pick_sdist(files, "openstack-heat", "27.0.1") == "new"
    assert gs.pick_sdist(files, "openstack-heat", "27.0.2") is None


def _sdist_bytes(top: str) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        data = b"print('hi')\n"
        info = tarfile.TarInfo(f"{top}/pkg/mod.py")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.fixture
def index():
    archive = _sdist_bytes("demo_pkg-1.0")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/simple/demo-pkg/":
                body = json.dumps({"files": [{"filename": "demo_pkg-1.0.tar.gz",
                                              "url": f"http://127.0.0.1:{port}/files/demo_pkg-1.0.tar.gz"}]}).encode()
            elif self.path == "/files/demo_pkg-1.0.tar.gz":
                body = archive
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}/simple"
    server.shutdown()


def test_fetch_unpacks_as_name_version_and_keeps_archives_on_request(tmp_path, index):
    tree = gs.fetch("demo-pkg", "1.0", tmp_path, index=index)
    assert tree == tmp_path / "demo-pkg-1.0"
    assert (tree / "pkg" / "mod.py").read_text() == "print('hi')\n"
    archive = gs.fetch("demo-pkg", "1.0", tmp_path, keep_archive=True, index=index)
    assert archive.name == "demo_pkg-1.0.tar.gz" and tarfile.is_tarfile(archive)
    with pytest.raises(LookupError):
        gs.sdist_url("demo-pkg", "2.0", index)
