"""Request handlers registered by a call rather than a decorator or a base class (``registered_by`` in
the models: aiohttp ``app.router.add_get``, ``web.get`` in ``app.add_routes``, Pyramid
``config.add_view``, Flask ``add_url_rule``, Falcon ``add_route``/``add_sink``, Bottle
``app.route(path, callback=f)``): the handler's parameters are request data when the call is in the
reviewed code, and only then; a sanitised value is not reported."""

from __future__ import annotations

import textwrap

import pytest
from reviewing import findings

from secreview.analysis.models import ModelError, load_models
from secreview.config import DEFAULT_CONFIG
from secreview.engine.pipeline import ReviewOptions, review

# Each framework: the handlers' module (no framework import of its own: only the registration says
# they are handlers) and the module that registers them. ``# traced`` lines must be reported as
# request data, ``# untraced`` lines must not.
HANDLERS = {
    "aiohttp": ("""
        import os
        import shlex


        async def show(request):
            os.system("echo " + request.match_info["name"])  # traced


        async def listing(request):
            os.system("echo " + request.query["q"])  # traced
            os.system("echo " + shlex.quote(request.query["q"]))  # untraced


        async def any_method(request):
            os.system("echo " + request.query["q"])  # traced


        def helper(value):
            os.system("echo " + value)  # untraced
        """, """
        from aiohttp import web

        from handlers import any_method, listing, show


        def setup(app):
            app.router.add_get("/x/{name}", show)
            app.router.add_route("*", "/any", any_method)
            app.add_routes([web.get("/list", listing)])
        """),
    "pyramid": ("""
        import os
        import shlex


        def view(request):
            os.system("echo " + request.params["q"])  # traced
            os.system("echo " + shlex.quote(request.params["q"]))  # untraced


        class Edit:
            def __init__(self, context, request):
                self.request = request

            def edit(self):
                os.system("echo " + self.request.matchdict["id"])  # traced

            def helper(self, value):
                os.system("echo " + value)  # untraced


        class Called:
            def __init__(self, request):
                self.request = request

            def __call__(self):
                os.system("echo " + self.request.GET["q"])  # traced
        """, """
        from pyramid.config import Configurator

        from handlers import Called, Edit, view


        def main():
            config = Configurator()
            config.add_route("z", "/z")
            config.add_view(view, route_name="x", renderer="json")
            config.add_view(Edit, attr="edit", route_name="y")
            config.add_view(view=Called, route_name="z")
            return config.make_wsgi_app()
        """),
    "flask": ("""
        import os
        import shlex


        def page(name):
            os.system("echo " + name)  # traced
            os.system("echo " + shlex.quote(name))  # untraced
            return "ok"
        """, """
        from flask import Flask

        import handlers

        app = Flask(__name__)
        app.add_url_rule("/p/<name>", "page", handlers.page)
        """),
    "falcon": ("""
        import os
        import shlex


        class Thing:
            def on_get(self, req, resp, thing_id):
                os.system("echo " + thing_id)  # traced
                os.system("echo " + req.get_param("q"))  # traced
                os.system("echo " + shlex.quote(thing_id))  # untraced

            def describe(self, value):
                os.system("echo " + value)  # untraced

            def on_get_collection(self, req, resp):
                os.system("echo " + req.get_param("q"))  # traced


        def proxy(req, resp):
            os.system("echo " + req.path)  # traced
        """, """
        import falcon

        from handlers import Thing, proxy

        app = falcon.App()
        app.add_route("/things/{thing_id}", Thing())
        app.add_route("/things", Thing(), suffix="collection")
        app.add_sink(proxy, prefix="/proxy")
        """),
    "bottle": ("""
        import os
        import shlex


        def hello(name):
            os.system("echo " + name)  # traced
            os.system("echo " + shlex.quote(name))  # untraced


        def bye(name):
            os.system("echo " + name)  # traced
        """, """
        import bottle

        from handlers import bye, hello

        app = bottle.Bottle()
        app.route("/hello/<name>", callback=hello)
        app.get("/bye/<name>", callback=bye)
        """),
}


def _marked(code: str, mark: str) -> set:
    return {n for n, line in enumerate(code.splitlines(), 1) if line.endswith(mark)}


def _traced(tmp_path, monkeypatch, files: dict) -> set:
    return {(f.path.rsplit("/", 1)[-1], f.line) for f in findings(tmp_path, monkeypatch, files, "command-injection")
            if "tainted" in f.tags}


@pytest.mark.parametrize("framework", sorted(HANDLERS))
def test_a_handler_registered_by_a_call_receives_request_data(framework, tmp_path, monkeypatch):
    handlers, app = (textwrap.dedent(c) for c in HANDLERS[framework])
    traced = _traced(tmp_path, monkeypatch, {"handlers.py": handlers, "app.py": app})
    assert _marked(handlers, "# traced") <= {line for _, line in traced}
    assert not {line for _, line in traced} & _marked(handlers, "# untraced")


@pytest.mark.parametrize("framework", sorted(HANDLERS))
def test_the_same_functions_not_registered_are_not_handlers(framework, tmp_path, monkeypatch):
    handlers, app = (textwrap.dedent(c) for c in HANDLERS[framework])
    # the registering module reviewed without its registrations (its imports kept)
    unregistered = "\n".join(line for line in app.splitlines()
                             if not line.strip().startswith(("app.", "config.")))
    assert not _traced(tmp_path, monkeypatch, {"handlers.py": handlers, "app.py": unregistered})


def test_a_registration_in_a_module_that_does_not_import_the_framework_registers_nothing(tmp_path, monkeypatch):
    handlers, app = (textwrap.dedent(c) for c in HANDLERS["aiohttp"])
    app = app.replace("from aiohttp import web\n", "").replace("app.add_routes([web.get(\"/list\", listing)])", "")
    assert not _traced(tmp_path, monkeypatch, {"handlers.py": handlers, "app.py": app})


def test_a_handler_analysed_before_its_registration_is_analysed_again(tmp_path, monkeypatch):
    # ``a_handlers.py`` sorts (and is analysed) before ``b_app.py``, whose call registers its function
    handlers, app = (textwrap.dedent(c) for c in HANDLERS["falcon"])
    traced = _traced(tmp_path, monkeypatch, {"a_handlers.py": handlers,
                                              "b_app.py": app.replace("from handlers", "from a_handlers")})
    assert {line for _, line in traced} == _marked(handlers, "# traced")


def test_a_pyramid_view_instance_is_not_made_with_the_request(tmp_path, monkeypatch):
    handlers = textwrap.dedent("""
        import os


        class Hook:
            def __init__(self, command):
                os.system(command)  # untraced

            def __call__(self, request):
                os.system("echo " + request.params["q"])  # traced
        """)
    app = "from pyramid.config import Configurator\nfrom handlers import Hook\n\n\n" \
          "def includeme(config):\n    config.add_view(Hook('ls'), route_name='x')\n"
    traced = _traced(tmp_path, monkeypatch, {"handlers.py": handlers, "app.py": app})
    assert {line for _, line in traced} == _marked(handlers, "# traced")


def test_a_registration_in_test_code_does_not_make_a_production_handler(tmp_path, monkeypatch):
    handlers, app = (textwrap.dedent(c) for c in HANDLERS["flask"])
    assert not _traced(tmp_path, monkeypatch, {"handlers.py": handlers, "tests/test_app.py": app})


def test_the_cache_follows_a_registration_removed_and_put_back(tmp_path, monkeypatch):
    handlers, app = (textwrap.dedent(c) for c in HANDLERS["falcon"])
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "handlers.py").write_text(handlers)
    monkeypatch.chdir(tree)

    def traced(app_text: str) -> set:
        (tree / "app.py").write_text(app_text)
        result = review(["."], ReviewOptions(config=DEFAULT_CONFIG, cache_dir=tmp_path / "cache"))
        return {f.line for f in result.findings if "tainted" in f.tags}

    assert traced(app) == _marked(handlers, "# traced")
    without = app.replace('app.add_route("/things/{thing_id}", Thing())', "").replace(
        'app.add_route("/things", Thing(), suffix="collection")', "")
    lines = handlers.splitlines()
    assert traced(without) == {n for n in _marked(handlers, "# traced") if "req.path" in lines[n - 1]}
    assert traced(app) == _marked(handlers, "# traced")


def test_a_registration_added_to_a_cached_tree_makes_the_cached_handlers_analysed_again(tmp_path, monkeypatch):
    # the handlers' module is cached, and its functions found no registration: once another module
    # registers them, each such read finds a value, and the handlers are analysed again
    handlers, app = (textwrap.dedent(c) for c in HANDLERS["falcon"])
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "handlers.py").write_text(handlers)
    (tree / "other.py").write_text("def unrelated():\n    return 1\n")
    monkeypatch.chdir(tree)

    def traced(app_text: str, cache) -> set:
        (tree / "app.py").write_text(app_text)
        result = review(["."], ReviewOptions(config=DEFAULT_CONFIG, cache_dir=cache))
        return {f.line for f in result.findings if "tainted" in f.tags}

    without = "\n".join(line for line in app.splitlines() if not line.strip().startswith("app.add_route"))
    unregistered = traced(without, tmp_path / "cache")
    assert unregistered == traced(without, None) and unregistered < _marked(handlers, "# traced")
    assert traced(app, tmp_path / "cache") == traced(app, None) == _marked(handlers, "# traced")


@pytest.mark.parametrize("spec, message", [
    ('registered_by = { methods = ["add"] }', "arg"),
    ('registered_by = { arg = 1 }', "methods or callees"),
    ('registered_by = { methods = ["add"], arg = 1, keyword = "x" }', "unknown"),
    ('decorator = "x.y"\nregistered_by = { methods = ["add"], arg = 1 }', "no decorator"),
])
def test_a_malformed_registered_by_is_a_model_error(tmp_path, spec, message):
    model = tmp_path / "m.toml"
    model.write_text(f'library = "x"\n[[entrypoint]]\n{spec}\n')
    with pytest.raises(ModelError, match=message):
        load_models([model])


def test_a_user_model_registers_its_own_framework_handlers(tmp_path, monkeypatch):
    model = tmp_path / "acme.toml"
    model.write_text(textwrap.dedent("""
        library = "acme"
        [[entrypoint]]
        imports = ["acme"]
        registered_by = { methods = ["on"], callees = ["acme.handle"], arg = [1, "handler"] }
    """))
    code = {"app.py": """
        import os
        import acme


        def ping(host):
            os.system("ping " + host)


        def pong(host):
            os.system("pong " + host)


        def idle(host):
            os.system("idle " + host)


        acme.server().on("/ping", ping)
        acme.handle("/pong", handler=pong)
    """}
    found = findings(tmp_path, monkeypatch, code, "command-injection", models=load_models(extra=[model]))
    assert {f.line for f in found if "tainted" in f.tags} == {7, 11}


def test_django_views_named_in_urlpatterns_have_client_captures_except_digit_ones(tmp_path, monkeypatch):
    views = textwrap.dedent("""
        import os
        import shlex


        def item(request, slug):
            os.system("echo " + slug)  # traced
            os.system("echo " + shlex.quote(slug))  # untraced


        def number(request, pk):
            os.system("echo " + pk)  # untraced


        def regex(request, pk, name):
            os.system("echo " + pk)  # untraced
            os.system("echo " + name)  # traced


        def twice(request, pk):
            os.system("echo " + pk)  # traced


        def unlisted(request, slug):
            os.system("echo " + slug)  # untraced
        """)
    urls = textwrap.dedent("""
        from django.urls import path, re_path

        from . import views

        urlpatterns = [
            path("items/<slug>/", views.item),
            path("n/<int:pk>/", views.number),
            re_path(r"^r/(?P<pk>\\d+)/(?P<name>[^/]+)$", views.regex),
            path("t/<int:pk>/", views.twice),
            path("t/<str:pk>/", views.twice),
        ]
        """)
    traced = _traced(tmp_path, monkeypatch, {"shop/__init__.py": "", "shop/views.py": views, "shop/urls.py": urls})
    assert {line for _, line in traced} == _marked(views, "# traced")


def test_a_digit_converter_of_a_registered_route_makes_the_variable_digits(tmp_path, monkeypatch):
    handlers = textwrap.dedent("""
        import os


        async def show(request):
            os.system("echo " + request.match_info["name"])  # traced


        def page(name, number):
            os.system("echo " + name)  # traced
            os.system("echo " + number)  # untraced
        """)
    app = textwrap.dedent("""
        from aiohttp import web
        from flask import Flask

        from handlers import page, show

        app = Flask(__name__)
        app.add_url_rule("/p/<name>/<int:number>", "page", page)


        def setup(server):
            server.router.add_get("/x/{name}/{id:\\\\d+}", show)
        """)
    traced = _traced(tmp_path, monkeypatch, {"handlers.py": handlers, "app.py": app})
    assert {line for _, line in traced} == _marked(handlers, "# traced")


def test_a_starlette_function_endpoint_named_in_a_route_gets_a_starlette_request(tmp_path, monkeypatch):
    handlers = textwrap.dedent("""
        import os


        async def user(request):
            os.system("echo " + request.path_params["name"])  # traced
            os.system("echo " + request.query_params["q"])  # traced


        async def other(request):
            os.system("echo " + request.path_params["name"])  # untraced
        """)
    app = textwrap.dedent("""
        from starlette.applications import Starlette
        from starlette.routing import Route

        from handlers import user

        app = Starlette(routes=[Route("/users/{name}", endpoint=user)])
        """)
    traced = _traced(tmp_path, monkeypatch, {"handlers.py": handlers, "app.py": app})
    assert {line for _, line in traced} == _marked(handlers, "# traced")


def test_a_lambda_registered_as_a_view_is_not_a_handler(tmp_path, monkeypatch):
    code = {"app.py": """
        from flask import Flask

        app = Flask(__name__)
        app.add_url_rule("/static/<path:filename>", endpoint="static",
                         view_func=lambda **kw: app.send_static_file(**kw))
        app.add_url_rule("/echo/<name>", endpoint="echo", view_func=lambda name: name)
    """}
    assert not findings(tmp_path, monkeypatch, code, "xss")


def test_workers_see_registrations_made_in_another_share(tmp_path, monkeypatch):
    # 34 files: two workers, each handler module registered from another module
    files = {}
    for i in range(17):
        files[f"h{i:02d}.py"] = 'import os\n\n\ndef h(request):\n    os.system("echo " + request.query["q"])\n'
        files[f"r{i:02d}.py"] = (f"from aiohttp import web\n\nimport h{(i + 7) % 17:02d}\n\n\n"
                                 f"def setup(app):\n    app.router.add_get(\"/\", h{(i + 7) % 17:02d}.h)\n")
    for jobs in (1, 2):
        found = findings(tmp_path, monkeypatch, files, "command-injection", jobs=jobs)
        assert len([f for f in found if "tainted" in f.tags]) == 17, jobs


# Tornado: handlers are entry points by base class; their URL patterns live in route tables
# (``route_table``: ``(pattern, Handler)`` tuples, ``url(...)``), whose digit groups make the
# parameters digits (the rule fixtures of unhandled-input-conversion and path-traversal hold the cases).
TORNADO_HANDLER = """
    import tornado.web


    class Item(tornado.web.RequestHandler):
        def get(self, item_id):
            self.write(str(int(item_id)))
    """
TORNADO_APP = """
    import tornado.web

    from handlers import Item


    def make_app():
        return tornado.web.Application([(r"/item/(PATTERN)", Item)])
    """


def _conversions(tmp_path, monkeypatch, pattern: str, **kw) -> int:
    files = {"handlers.py": TORNADO_HANDLER, "app.py": TORNADO_APP.replace("PATTERN", pattern)}
    return len(findings(tmp_path, monkeypatch, files, "unhandled-input-conversion", **kw))


@pytest.mark.parametrize("pattern, reported", [
    (r"\d+", 0), ("[0-9]+", 0), (r"[1-9]\d*", 0), (r"\d{1,6}", 0),
    (r"\d*", 1), (".*", 1), ("[^/]+", 1), (r"[\d.]+", 1), (r"\d+|x", 1),
])
def test_a_tornado_route_table_digit_group_makes_the_argument_digits(pattern, reported, tmp_path, monkeypatch):
    assert _conversions(tmp_path, monkeypatch, pattern) == reported


def test_a_tornado_route_table_in_test_code_says_nothing(tmp_path, monkeypatch):
    files = {"handlers.py": TORNADO_HANDLER, "tests/test_app.py": TORNADO_APP.replace("PATTERN", r"\d+")}
    assert len(findings(tmp_path, monkeypatch, files, "unhandled-input-conversion")) == 1


def test_workers_and_the_cache_follow_a_tornado_route_table(tmp_path, monkeypatch):
    for jobs in (1, 2):
        assert _conversions(tmp_path, monkeypatch, r"\d+", jobs=jobs) == 0, jobs
    # the handler's module unchanged (cached), the table's pattern changed and back
    cache = tmp_path / "cache"
    assert _conversions(tmp_path, monkeypatch, r"\d+", cache_dir=cache) == 0
    assert _conversions(tmp_path, monkeypatch, ".*", cache_dir=cache) == 1
    assert _conversions(tmp_path, monkeypatch, r"\d+", cache_dir=cache) == 0


@pytest.mark.parametrize("spec, message", [
    ('route_table = { tuples = true }', "base_class"),
    ('base_class = "x.H"\nroute_table = { callees = ["x.url"] }', "arg and the route"),
    ('base_class = "x.H"\nroute_table = { tuples = true, table = 1 }', "unknown"),
])
def test_a_malformed_route_table_is_a_model_error(tmp_path, spec, message):
    model = tmp_path / "m.toml"
    model.write_text(f'library = "x"\n[[entrypoint]]\n{spec}\n')
    with pytest.raises(ModelError, match=message):
        load_models([model])


# Django: ``re_path``/``url`` routes are regular expressions (``regex_callees``), read as route tables are.
DJANGO_VIEW = """
    def item(request, item_id, page=None):
        return str(int(item_id))
    """
DJANGO_URLS = """
    from django.urls import path, re_path

    from . import views

    urlpatterns = [re_path(r"^item/PATTERN/$", views.item), path("items/<int:item_id>/", views.item)]
    """


def _django_conversions(tmp_path, monkeypatch, pattern: str, **kw) -> int:
    files = {"shop/__init__.py": "", "shop/views.py": DJANGO_VIEW,
             "shop/urls.py": DJANGO_URLS.replace("PATTERN", pattern)}
    return len(findings(tmp_path, monkeypatch, files, "unhandled-input-conversion", **kw))


@pytest.mark.parametrize("pattern, reported", [
    (r"(?P<item_id>\d+)", 0), (r"(?P<item_id>\d{4})", 0), (r"(?P<item_id>[0-9]{1,2})", 0),
    (r"(?P<item_id>[01]+)", 0), (r"(\d+)", 0), (r"(?P<page>\d+)/(?P<item_id>\d+)", 0),
    (r"(?P<item_id>\d*)", 1), (r"(?P<item_id>.*)", 1), (r"(?P<item_id>[^/]+)", 1), (r"(?P<item_id>\w+)", 1),
    (r"(?P<item_id>\d+)?", 1), (r"(?:(?P<item_id>\d+)/)?", 1), (r"(\w+)", 1),
    # the named group is another parameter: `item_id` comes from elsewhere (an including route)
    (r"(?P<page>\d+)", 1),
])
def test_a_django_regex_route_digit_group_makes_the_argument_digits(pattern, reported, tmp_path, monkeypatch):
    assert _django_conversions(tmp_path, monkeypatch, pattern) == reported


# A digit group that may take no part in a match, named by a module variable that ``urlpatterns`` lists
# (OMERO.web's ``download_as = re_path(r"^download_as/(?:(?P<iid>[0-9]+)/)?$", views.download_as)``).
OPTIONAL_VIEWS = """
    from django.http import HttpResponseServerError


    def download_as(request, iid=None):
        return HttpResponseServerError("Cannot download file (id:%s)" % iid)


    def page(request, number=None):
        return HttpResponseServerError("page %d" % int(number))
    """
OPTIONAL_URLS = """
    from django.urls import re_path

    from . import views

    download_as = re_path(r"^download_as/(?:(?P<iid>PATTERN)/)?$", views.download_as, name="download_as")
    page = re_path(r"^page/(?:(?P<number>PATTERN)/)?$", views.page)
    urlpatterns = [download_as, page]
    """


@pytest.mark.parametrize("pattern, xss", [("[0-9]+", 0), (r"\d+", 0), ("[^/]+", 1), (".*", 1)])
def test_an_optional_django_digit_group_gives_digits_or_the_default(pattern, xss, tmp_path, monkeypatch):
    """The parameter holds digits or its default (None): no markup, whatever the conversion of None does."""
    files = {"shop/__init__.py": "", "shop/views.py": OPTIONAL_VIEWS,
             "shop/urls.py": OPTIONAL_URLS.replace("PATTERN", pattern)}
    assert len(findings(tmp_path, monkeypatch, files, "xss")) == xss
    # ``int(None)`` raises: a request without the optional part still fails the conversion
    assert len(findings(tmp_path, monkeypatch, files, "unhandled-input-conversion")) == 1


GIVEN_VIEWS = """
    from django.http import HttpResponseRedirect


    def register(request, next_page, template_name="x.html"):
        return HttpResponseRedirect(next_page)


    def login(request, next_page):
        return HttpResponseRedirect(next_page)
    """
GIVEN_URLS = """
    from django.urls import path, re_path

    from . import views

    urlpatterns = [
        path("register/", views.register, kwargs={"next_page": "/done/"}, name="register"),
        re_path(r"^again/(?P<next_page>.+)$", views.register, {"next_page": "/"}),
        path("login/<path:next_page>", views.login),
        path("login/", views.login, kwargs={"next_page": "/"}),
    ]
    """


def test_keyword_arguments_the_urlconf_gives_a_view_are_not_the_clients(tmp_path, monkeypatch):
    """djblets' ``path('register/', register, kwargs={'next_page': 'test'})``: a parameter every registration
    gives from the URLconf (which wins over a capture of the same name) is the code's; one that a route
    captures in another registration is still the client's."""
    files = {"shop/__init__.py": "", "shop/views.py": GIVEN_VIEWS, "shop/urls.py": GIVEN_URLS}
    assert [f.line for f in findings(tmp_path, monkeypatch, files, "open-redirect")] == [10]


def test_workers_and_the_cache_follow_a_django_regex_route(tmp_path, monkeypatch):
    for jobs in (1, 2):
        assert _django_conversions(tmp_path, monkeypatch, r"(?P<item_id>\d+)", jobs=jobs) == 0, jobs
    cache = tmp_path / "cache"
    assert _django_conversions(tmp_path, monkeypatch, r"(?P<item_id>\d+)", cache_dir=cache) == 0
    assert _django_conversions(tmp_path, monkeypatch, r"(?P<item_id>.+)", cache_dir=cache) == 1
    assert _django_conversions(tmp_path, monkeypatch, r"(?P<item_id>\d+)", cache_dir=cache) == 0


@pytest.mark.parametrize("spec, message", [
    ('registered_by = { callees = ["x.path"], arg = 1, route = 0, regex_callees = ["x.re_path"] }', "regex_callees"),
    ('registered_by = { callees = ["x.re_path"], arg = 1, regex_callees = ["x.re_path"] }', "regex_callees"),
])
def test_regex_callees_are_callees_with_a_route(tmp_path, spec, message):
    model = tmp_path / "m.toml"
    model.write_text(f'library = "x"\n[[entrypoint]]\n{spec}\n')
    with pytest.raises(ModelError, match=message):
        load_models([model])


UNFILLED_VIEWS = """
    from django.http import HttpResponseRedirect
    from django.shortcuts import render


    def register(request, login_provider_name=None, redirect_url=None):
        if redirect_url:
            return HttpResponseRedirect(redirect_url)
        return render(request, "x.html", {"provider": login_provider_name})


    def finish(request):
        return register(request, "ldap", request.GET["next"])


    def jump(request, target=None):
        return HttpResponseRedirect(target or "/")
    """
UNFILLED_URLS = """
    from django.urls import path, re_path

    from . import views

    urlpatterns = [
        re_path(r"^register/$", views.register),
        path("finish/", views.finish),
        path("jump/", views.jump),
        path("jump/<path:target>", views.jump),
    ]
    """


def test_parameters_no_route_fills_keep_their_defaults(tmp_path, monkeypatch):
    """askbot's ``def register(request, login_provider_name=None, redirect_url=None)`` at ``^register/$``: the
    route captures nothing, so Django passes neither; only another view calling it passes a value, and a
    request value it passes is traced from there. A parameter one route captures stays the client's."""
    files = {"shop/__init__.py": "", "shop/views.py": UNFILLED_VIEWS, "shop/urls.py": UNFILLED_URLS}
    found = findings(tmp_path, monkeypatch, files, "open-redirect")
    assert [(f.line, f.trace[0].path, f.trace[0].line) for f in found] == [
        (8, "shop/views.py", 13), (17, "shop/views.py", 16)]


def test_a_class_based_views_routes_constrain_its_methods_captures(tmp_path, monkeypatch):
    # ``path("p/<int:pk>/", Detail.as_view())``: Django passes the captures to the class's methods, as a
    # parameter of that name or a key of ``**kwargs``; an ``<int:...>`` capture holds digits (django-silk's
    # ``int(kwargs.get("profile_id"))`` of ``<int:profile_id>`` routes was taken for the client's text)
    views = textwrap.dedent("""
        from django.http import HttpResponse
        from django.views.generic import View


        class Detail(View):
            def get(self, request, *args, **kwargs):
                number = int(kwargs.get("pk"))
                return HttpResponse(str(number + int(kwargs["page"])))


        class Named(View):
            def get(self, request, pk, slug=None):
                return HttpResponse(str(int(pk)))


        class Unrouted(View):
            def get(self, request, **kwargs):
                return HttpResponse(str(int(kwargs.get("pk"))))


        class Decorated(View):
            @method_decorator(login_required)
            def get(self, request, **kwargs):
                return HttpResponse(str(int(kwargs.get("pk")) + int(kwargs["page"])))
        """)
    views = views.replace("from django.views.generic import View", "from django.views.generic import View\n"
                          "from django.contrib.auth.decorators import login_required\n"
                          "from django.utils.decorators import method_decorator")
    urls = textwrap.dedent("""
        from django.urls import path

        from views import Decorated, Detail, Named, Unrouted

        urlpatterns = [
            path("d/<int:pk>/<page>/", Detail.as_view()),
            path("d/<int:pk>/", Detail.as_view()),
            path("n/<int:pk>/", Named.as_view()),
            path("n/<int:pk>/<slug:slug>/", Named.as_view()),
            path("m/<int:pk>/<page>/", Decorated.as_view()),
        ]
        """)
    found = findings(tmp_path, monkeypatch, {"views.py": views, "urls.py": urls}, "unhandled-input-conversion")
    # the segment "page"; the class no route registers; a decorated method's "page" (its "pk" is a number)
    assert sorted((f.line, f.span.col) for f in found) == [(11, 41), (21, 32), (27, 56)]
