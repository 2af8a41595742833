"""Entry points of the web frameworks issue 13 lists beyond Flask and Django (Tornado, aiohttp,
Pyramid, Falcon, Bottle): each framework's request data must be traced into a sink from its
handlers, and the server's own state or a helper's parameters must not be taken for request data."""

from __future__ import annotations

import textwrap

import pytest
from reviewing import findings

from secreview.config import DEFAULT_CONFIG
from secreview.engine.pipeline import ReviewOptions, review

APPS = {
    "tornado": ("""
        import os
        import tornado.web


        class Echo(tornado.web.RequestHandler):
            def get(self, slug):
                os.system("echo " + self.get_argument("name"))  # traced
                os.system("echo " + slug)  # traced
                os.system("echo " + self.request.body.decode())  # traced

            def helper(self, value):
                os.system("echo " + value)  # untraced
        """),
    "aiohttp": ("""
        import os
        from aiohttp import web

        routes = web.RouteTableDef()


        @routes.get("/x/{name}")
        async def handler(request):
            os.system("echo " + request.match_info["name"])  # traced
            os.system("echo " + request.app["db"].path)  # untraced
            return web.Response(text="ok")


        class Item(web.View):
            async def post(self):
                data = await self.request.post()
                os.system("echo " + data["q"])  # traced
        """),
    "pyramid": ("""
        import os
        from pyramid.view import view_config


        @view_config(route_name="x", renderer="json")
        def view(request):
            os.system("echo " + request.params["q"])  # traced
            os.system("echo " + request.matchdict["id"])  # traced
            os.system("echo " + request.registry.settings["cmd"])  # untraced
            return {}
        """),
    "falcon": ("""
        import os
        import falcon


        class Thing:
            def on_get(self, req, resp, thing_id):
                os.system("echo " + req.get_param("q"))  # traced
                os.system("echo " + thing_id)  # traced
                resp.media = {}

            def describe(self, value):
                os.system("echo " + value)  # untraced


        app = falcon.App()
        app.add_route("/things/{thing_id}", Thing())
        """),
    "sanic": ("""
        import os
        from sanic import Sanic
        from sanic.views import HTTPMethodView

        app = Sanic("x")


        @app.get("/items/<name>")
        async def item(request, name):
            os.system("echo " + name)  # traced
            os.system("echo " + request.args.get("q"))  # traced
            os.system("echo " + request.app.config.CMD)  # untraced


        class Things(HTTPMethodView):
            async def post(self, request):
                os.system("echo " + request.json["x"])  # traced
        """),
    "bottle": ("""
        import os
        from bottle import request, route


        @route("/hello")
        def hello():
            os.system("echo " + request.query.name)  # traced
            os.system("echo " + request.forms.get("x"))  # traced
            os.system("echo " + request.app.config["cmd"])  # untraced
            return "ok"
        """),
    "fastapi": ("""
        import os
        from typing import Annotated

        from fastapi import Depends, FastAPI, Security

        app = FastAPI()


        def get_db():
            return open("/var/lib/app/db")


        def current_user():
            return "admin"


        @app.get("/items/{name}")
        async def item(name: str, q: str, db=Depends(get_db),
                       user: Annotated[str, Depends(current_user)] = "", key: str = Security(current_user)):
            os.system("echo " + name)  # traced
            os.system("echo " + q)  # traced
            os.system("echo " + db.name)  # untraced
            os.system("echo " + user)  # untraced
            os.system("echo " + key)  # untraced
        """),
}


@pytest.mark.parametrize("framework", sorted(APPS))
def test_request_data_of_each_framework_is_traced_and_server_state_is_not(framework, tmp_path, monkeypatch):
    code = textwrap.dedent(APPS[framework])
    result = findings(tmp_path, monkeypatch, {"app.py": code}, "command-injection")
    lines = code.splitlines()
    traced = {n for n, line in enumerate(lines, 1) if line.endswith("# traced")}
    untraced = {n for n, line in enumerate(lines, 1) if line.endswith("# untraced")}
    found = {f.line for f in result if "tainted" in f.tags}
    assert traced and untraced
    assert traced <= found, f"not traced from the request: {sorted(traced - found)}"
    assert not (found & untraced), f"taken for request data: {sorted(found & untraced)}"


def test_a_method_name_entry_point_needs_the_modules_it_applies_to(tmp_path):
    from secreview.analysis.models import ModelError, load_models

    model = tmp_path / "m.toml"
    model.write_text('library = "x"\n[[entrypoint]]\nmethods = ["on_get"]\n')
    with pytest.raises(ModelError, match="imports"):
        load_models([model])


def test_falcon_responder_names_outside_falcon_modules_are_not_entry_points(tmp_path, monkeypatch):
    (tmp_path / "tool.py").write_text(textwrap.dedent("""
        import os


        class Hooks:
            def on_get(self, req, resp, name):
                os.system("echo " + name)
        """))
    monkeypatch.chdir(tmp_path)
    result = review(["."], ReviewOptions(config=DEFAULT_CONFIG))
    assert not [f for f in result.findings if "tainted" in f.tags]


def test_a_standard_library_request_handler_reads_the_request_from_self(tmp_path, monkeypatch):
    code = textwrap.dedent("""
        import os
        from http.server import BaseHTTPRequestHandler


        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                os.system("echo " + self.path)  # traced
                os.system("echo " + self.server.server_name)  # untraced
        """)
    found = {f.line for f in findings(tmp_path, monkeypatch, {"serve.py": code}, "command-injection")
             if "tainted" in f.tags}
    assert found == {n for n, line in enumerate(code.splitlines(), 1) if line.endswith("# traced")}


def test_a_library_method_the_reviewed_class_overrides_is_not_the_library_sink(tmp_path, monkeypatch):
    # (the path percent-decoded: as the request line's word it holds no CR or LF)
    code = textwrap.dedent("""
        from http.server import BaseHTTPRequestHandler
        from urllib.parse import unquote


        class Plain(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_header("X-Echo", unquote(self.path))  # reported


        class Base(BaseHTTPRequestHandler):
            def send_header(self, keyword, value):
                super().send_header(keyword, value.replace("\\r", "").replace("\\n", ""))


        class Safe(Base):
            def do_GET(self):
                self.send_header("X-Echo", unquote(self.path))  # not reported
        """)
    found = {f.line for f in findings(tmp_path, monkeypatch, {"serve.py": code}, "header-injection")}
    assert found == {n for n, line in enumerate(code.splitlines(), 1) if line.endswith("# reported")}


def test_a_request_object_of_a_generic_route_decorator_is_read_by_its_data_attributes(tmp_path, monkeypatch):
    """``@service.get()`` (Cornice on Pyramid): ``request`` is the request object, not a URL variable:
    its body and match dict are the client's, the server's configuration under it is not."""
    files = {"views.py": '''
        import subprocess

        from cornice import Service

        heartbeat = Service(name="heartbeat", path="/__heartbeat__")


        @heartbeat.get()
        def get_heartbeat(request):
            seconds = float(request.registry.settings["heartbeat_timeout_seconds"])
            subprocess.call("sleep %s" % request.registry.settings["pause"], shell=True)
            return {"t": seconds}


        @heartbeat.post()
        def run(request):
            subprocess.call("echo " + request.json_body["x"], shell=True)
            return {"n": int(request.matchdict["n"])}
        '''}
    found = findings(tmp_path, monkeypatch, files)
    # the configured command is still a string built for a shell (issue 13), but not the client's
    assert [(f.line, f.confidence.name) for f in found] == [(12, "MEDIUM"), (18, "HIGH")]
    assert "client" not in found[0].explanation and "client" in found[1].explanation
    assert [f.line for f in findings(tmp_path, monkeypatch, files, rule="unhandled-input-conversion")] == [19]


def test_a_fastapi_dependency_kept_under_a_name_is_injected_not_request_data(tmp_path, monkeypatch):
    # galaxy's ``trans: SessionRequestContext = DependsOnTrans`` with ``DependsOnTrans = cast(SessionRequestContext,
    # Depends(get_trans))`` in another module: the framework fills ``trans`` from its dependency, as it does a
    # default written ``Depends(get_trans)``; a query parameter beside it is the client's
    files = {
        "pkg/__init__.py": """
            from typing import cast

            from fastapi import Depends


            def get_trans():
                return object()


            DependsOnTrans = cast(object, Depends(get_trans))
            NotADependency = cast(object, "trans")
            """,
        "pkg/api.py": """
            from fastapi import APIRouter
            from fastapi.responses import RedirectResponse

            from pkg import DependsOnTrans, NotADependency

            router = APIRouter()


            @router.get("/callback")
            def callback(trans=DependsOnTrans, state: str = ""):
                if state:
                    return RedirectResponse(state)
                return RedirectResponse(f"{trans.request.url_path}/done")


            @router.get("/other")
            def other(trans=NotADependency):
                return RedirectResponse(f"{trans.request.url_path}/done")
            """,
    }
    found = findings(tmp_path, monkeypatch, files, "open-redirect")
    assert sorted((f.path.replace("\\", "/").rsplit("/", 1)[-1], f.line) for f in found) == [
        ("api.py", 13), ("api.py", 19)]
