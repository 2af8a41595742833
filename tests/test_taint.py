"""Taint propagation: each construct of the issue, with a case that must be
reported (the flow is real) and one that must not (constant or sanitized)."""

from __future__ import annotations

import textwrap
from dataclasses import replace

import pytest
from reviewing import findings

from secreview.analysis.models import load_models
from secreview.config import DEFAULT_CONFIG
from secreview.engine.pipeline import ReviewOptions, review
from secreview.findings.model import Level

HEADER = "import os\nimport shlex\nimport subprocess\nfrom flask import Flask, request\napp = Flask(__name__)\n"



def tainted_lines(tmp_path, monkeypatch, code: str, rule="command-injection"):
    found = findings(tmp_path, monkeypatch, {"app.py": HEADER + textwrap.dedent(code)}, rule)
    return sorted(f.line - HEADER.count("\n") for f in found if "tainted" in f.tags)


CASES = {
    "an item popped from a dict, and a list's pop(0), which moves the later items down": ("""
        def h():
            opts = {"cmd": request.args["x"], "name": "ls"}
            opts.pop("name")
            os.system(opts["cmd"])
        """, """
        def h():
            opts = {"cmd": request.args["x"], "name": "ls"}
            opts.pop("cmd")
            os.system(opts.get("cmd", "ls"))
            words = ["ls", request.args["x"], "-l"]
            words.pop(0)
            os.system(words[1])
        """),
    "items of a generator's tuples": ("""
        def pairs():
            yield "ls", request.args["x"]

        def h():
            for name, arg in pairs():
                os.system(arg)
        """, """
        def pairs():
            yield request.args["x"], "ls"
            yield from [("cat", "ls")]

        def h():
            for name, arg in pairs():
                os.system(arg)
        """),
    "reassignment": ("""
        def h():
            a = request.args["x"]
            b = a
            b = b
            os.system(b)
        """, """
        def h():
            a = request.args["x"]
            a = "ls"
            os.system(a)
        """),
    "attribute of a rebound name": ("""
        class Opts:
            cmd = "ls"
        def h():
            o = Opts()
            o.cmd = "ls"
            o = request.args.get("opts")
            os.system(o.cmd)
        """, """
        class Opts:
            cmd = "ls"
        def h():
            o = Opts()
            o.cmd = request.args["x"]
            o = Opts()
            os.system(o.cmd)
        """),
    "dict under constant key": ("""
        def h():
            d = {"safe": "ls", "bad": request.args["x"]}
            os.system(d["bad"])
        """, """
        def h():
            d = {"safe": "ls", "bad": request.args["x"]}
            os.system(d["safe"])
        """),
    "dict updated from a mapping of unknown keys": ("""
        def h(overrides):
            data = {"namespace": "clusters", "client": request.args["c"]}
            data.update(overrides)
            os.system("oc -n " + data["client"])
        """, """
        def h(overrides):
            data = {"namespace": "clusters", "client": request.args["c"]}
            data.update(overrides)
            os.system("oc -n " + data["namespace"])
        """),
    "copy of a dict keeps its items apart": ("""
        def h():
            data = {"client": request.args["c"], "workers": 2}
            workers = data.copy()
            os.system("scale " + workers.get("client"))
        """, """
        def h():
            data = {"client": request.args["c"], "workers": 2}
            workers = data.copy()
            os.system("scale %s" % workers.get("workers", 2))
        """),
    "list index": ("""
        def h():
            items = ["ls", request.form["x"]]
            os.system(items[1])
        """, """
        def h():
            items = ["ls", request.form["x"]]
            os.system(items[0])
        """),
    "item store and read back": ("""
        def h():
            d = {}
            d["cmd"] = request.args["x"]
            os.system(d["cmd"])
        """, """
        def h():
            d = {}
            d["cmd"] = request.args["x"]
            d["other"] = "ls"
            os.system(d["other"])
        """),
    "attributes": ("""
        class Job:
            pass
        def h():
            job = Job()
            job.cmd = request.args["x"]
            os.system(job.cmd)
        """, """
        class Job:
            pass
        def h():
            job = Job()
            job.cmd = request.args["x"]
            job.cmd = "ls"
            os.system(job.cmd)
        """),
    "object fields across methods": ("""
        class Runner:
            def __init__(self, cmd):
                self.cmd = cmd
            def go(self):
                os.system(self.cmd)
        def h():
            Runner(request.args["x"]).go()
        """, """
        class Runner:
            def __init__(self, cmd):
                self.cmd = "ls"
            def go(self):
                os.system(self.cmd)
        def h():
            Runner(request.args["x"]).go()
        """),
    "string building": ("""
        def h():
            x = request.args["x"]
            os.system("a %s" % x)
            os.system("a {}".format(x))
            os.system("a " + x)
            os.system(" ".join(["a", x]))
            os.system(x[1:])
            os.system(f"a {x!r:>10}")
        """, """
        def h():
            x = request.args["x"]
            os.system("a %s" % "b")
            os.system("a {}".format(len(x)))
            os.system(" ".join(["a", "b"]))
        """),
    "configparser under constant keys": ("""
        import configparser
        def h():
            conf = configparser.ConfigParser()
            conf.set("s", "cmd", request.args["x"])
            conf.set("s", "safe", "ls")
            os.system(conf.get("s", "cmd"))
        """, """
        import configparser
        def h():
            conf = configparser.ConfigParser()
            conf.set("s", "cmd", request.args["x"])
            conf.set("s", "safe", "ls")
            os.system(conf.get("s", "safe"))
        """),
    "calls and returns": ("""
        def wrap(v):
            return "echo " + v
        def h():
            os.system(wrap(request.args["x"]))
        """, """
        def wrap(v):
            return "echo hello"
        def h():
            os.system(wrap(request.args["x"]))
        """),
    "methods": ("""
        class Builder:
            def build(self, v):
                return "echo " + v
        def h():
            os.system(Builder().build(request.args["x"]))
        """, """
        class Builder:
            def build(self, v):
                return "echo " + str(int(v))
        def h():
            os.system(Builder().build(request.args["x"]))
        """),
    "route parameters": ("""
        @app.route("/run/<cmd>")
        def h(cmd):
            os.system("echo " + cmd)
        """, """
        @app.route("/run/<cmd>")
        def h(cmd):
            os.system("echo " + shlex.quote(cmd))
        """),
    "lambdas": ("""
        def h():
            run = lambda c: os.system(c)
            run(request.args["x"])
        """, """
        def h():
            run = lambda c: os.system("ls")
            run(request.args["x"])
        """),
    "comprehensions and generators": ("""
        def h():
            parts = [p.strip() for p in request.args["x"].split(",")]
            os.system(" ".join(parts))
            gen = (p for p in parts)
            os.system(next(gen))
        """, """
        def h():
            parts = [p.strip() for p in "a,b".split(",")]
            os.system(" ".join(parts))
        """),
    "with, try and match": ("""
        def h():
            x = request.args["x"]
            with open("log") as f:
                try:
                    y = x
                except ValueError:
                    y = "ls"
            match y:
                case str() as z:
                    os.system(z)
        """, """
        def h():
            x = request.args["x"]
            try:
                y = "ls"
            finally:
                pass
            match y:
                case "ls":
                    os.system(y)
        """),
    "constant branch": ("""
        def h():
            x = request.args["x"]
            num = 106
            y = "safe" if 7 * 18 + num < 200 else x
            os.system(y)
        """, """
        def h():
            x = request.args["x"]
            num = 106
            y = "safe" if 7 * 18 + num > 200 else x
            os.system(y)
            if num > 200:
                os.system(x)
        """),
    "allow-list membership": ("""
        ALLOWED = {"ls", "df"}
        def h():
            x = request.args["x"]
            if x not in ALLOWED:
                os.system(x)
        """, """
        ALLOWED = {"ls", "df"}
        def h():
            x = request.args["x"]
            if x not in ALLOWED:
                return "no"
            os.system(x)
        """),
    "sanitizer protects only its sinks": ("""
        import html
        def h():
            x = html.escape(request.args["x"])
            os.system("echo " + x)
        """, """
        def h():
            x = int(request.args["x"])
            os.system("echo %d" % x)
            subprocess.run(["echo", request.args["x"]])
        """),
    "a mapping's keys and its values": ("""
        def h():
            pairs = {}
            pairs[len(pairs)] = request.args["x"]
            for k, v in pairs.items():
                os.system(v)
            os.system(",".join(pairs.values()))
            os.system(pairs[0])
        """, """
        def h(files):
            index = {}
            for n, f in enumerate(request.files.values()):
                index["f%d" % n] = request.args[f.name]
            for name in index:
                os.system(name)
            os.system(",".join(index.keys()))
            for k, v in index.items():
                os.system(k)
            groups = {"a": {}, "b": {}}
            groups[request.args["g"]]["n"] = request.args["x"]
            os.system(",".join(n for g in groups for n in groups[g]))
            quoted = {}
            for f in request.files.values():
                quoted[f.name] = shlex.quote(request.args[f.name])
            for column, value in list(quoted.items()):
                os.system("echo " + value)
        """),
    "a key a dict display does not hold": ("""
        def h():
            part = {"type": "text", "text": request.args["q"]}
            os.system(part.get("text"))
            os.system(part.get("url", request.args["u"]))
            extra = dict(request.args)
            merged = {"type": "text", **extra}
            os.system(merged.get("url"))
        """, """
        def h():
            part = {"type": "text", "text": request.args["q"]}
            os.system(part.get("image_url"))
            os.system(part.get("url", "https://cdn.example.org/x.png"))
        """),
    "calls the analysis cannot see into": ("""
        import textwrap
        def h(thing, cache):
            x = request.args["x"]
            os.system(textwrap.dedent(x))
            os.system(thing.transform(x))
            os.system(cache.get("key", x))
        """, """
        def h(api, session, client, cache):
            x = request.args["x"]
            zone = api.get_zone(None, x)
            os.system(zone.name)
            row = session.query(Zone).filter_by(id=x).one()
            os.system(row.path)
            os.system(client.call({}, "create_zone", zone_id=x))
            os.system(cache.get(x))
            os.system(api.createZone(x).path)
        """),
    "an item of a parameter read by its position": ("""
        def run(command):
            program = command[0]
            os.system(program)

        def h():
            run([request.args["x"], "-l"])
        """, """
        def run(command):
            program = command[0]
            os.system(program)

        def h():
            run(["ls", request.args["x"]])
        """),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_propagation(name, tmp_path, monkeypatch):
    must, must_not = CASES[name]
    assert tainted_lines(tmp_path / "must", monkeypatch, must), f"{name}: tainted flow not reported"
    assert tainted_lines(tmp_path / "ok", monkeypatch, must_not) == [], f"{name}: reported a safe flow"


def test_chain_through_three_files(tmp_path, monkeypatch):
    files = {
        "web.py": """
            from flask import request
            from pkg.service import handle
            def view():
                return handle(request.args["host"])
            """,
        "pkg/__init__.py": "",
        "pkg/service.py": """
            from pkg.tools import ping
            def handle(host):
                return ping("-c 1 " + host)
            """,
        "pkg/tools.py": """
            import subprocess
            def ping(args):
                return subprocess.check_output("ping " + args, shell=True)
            """,
    }
    found = findings(tmp_path, monkeypatch, files)
    assert len(found) == 1
    f = found[0]
    assert f.path.endswith("pkg/tools.py") and f.line == 4 and "tainted" in f.tags
    files_in_trace = [s.path.removeprefix("./") for s in f.trace]
    assert files_in_trace[0] == "web.py" and "pkg/service.py" in files_in_trace
    assert files_in_trace[-1] == "pkg/tools.py"


def test_an_object_replaced_for_a_while_keeps_its_type_elsewhere(tmp_path, monkeypatch):
    # (fuglu's network console: ``old = sys.stdin``, ``sys.stdin = wrapper``, ... ``sys.stdin = old``; a script's
    # ``sys.stdin.read()`` elsewhere was traced through the wrapper's socket reads)
    tee = """
        import os
        import sys
        class Tee:
            def write(self, text):
                os.system("logger " + text)
        def start():
            {body}
        """
    app = """
        import sys
        from flask import request
        def echo():
            sys.stdout.write(request.args["q"])
        """
    kept = findings(tmp_path / "kept", monkeypatch, {"tee.py": tee.format(body="sys.stdout = Tee()"), "app.py": app})
    assert [(f.path.removeprefix("./"), f.line) for f in kept if "tainted" in f.tags] == [("tee.py", 6)]
    swapped = "old = sys.stdout\n            sys.stdout = Tee()\n            print('x')\n            sys.stdout = old"
    scoped = findings(tmp_path / "scoped", monkeypatch, {"tee.py": tee.format(body=swapped), "app.py": app})
    assert [f for f in scoped if "tainted" in f.tags] == []


def test_mutual_recursion_terminates_and_flows(tmp_path, monkeypatch):
    code = """
        def even(n, cmd):
            if n == 0:
                return os.system(cmd)
            return odd(n - 1, cmd)
        def odd(n, cmd):
            return even(n - 1, cmd + " x")
        def h():
            odd(3, request.args["x"])
        """
    assert tainted_lines(tmp_path, monkeypatch, code) == [4]


def test_each_function_analysed_a_bounded_number_of_times(tmp_path, monkeypatch):
    """A call graph with many paths (each layer calls the next twice) costs one
    analysis per function, not one per path."""
    from secreview.analysis.program import MAX_ANALYSES, Program
    layers = 12
    lines = ["import os", "def f0(x):", "    return os.system(x)"]
    for i in range(1, layers):
        lines += [f"def f{i}(x):", f"    f{i-1}(x)", f"    return f{i-1}(x + 'a')"]
    (tmp_path / "deep.py").write_text("\n".join(lines) + "\n")
    monkeypatch.chdir(tmp_path)
    counts = {}
    original = Program.run

    def run(self):
        out = original(self)
        counts.update(self.analysis_count)
        return out

    monkeypatch.setattr(Program, "run", run)
    review(["."], ReviewOptions(config=DEFAULT_CONFIG))
    assert counts and max(counts.values()) <= MAX_ANALYSES
    assert sum(counts.values()) <= 2 * (layers + 1)  # 2**12 call paths


def test_deleting_a_model_file_removes_its_detections(tmp_path, monkeypatch):
    code = {"app.py": HEADER + "def h():\n    os.system(request.args['x'])\n"}
    assert findings(tmp_path / "a", monkeypatch, code)
    without_flask = load_models(exclude=["flask"])
    found = findings(tmp_path / "b", monkeypatch, code, models=without_flask)
    assert all("tainted" not in f.tags for f in found)


def test_user_model_for_an_invented_library(tmp_path, monkeypatch):
    model = tmp_path / "acme.toml"
    model.write_text(textwrap.dedent("""
        library = "acme"
        [[source]]
        kind = "remote"
        callees = ["acme.web.param"]
        [[sink]]
        kind = "command"
        callee = "acme.shell.run"
        args = [0]
    """))
    code = {"app.py": "import acme.web, acme.shell\ndef h():\n    acme.shell.run(acme.web.param('q'))\n"}
    assert not [f for f in findings(tmp_path / "a", monkeypatch, code) if "tainted" in f.tags]
    found = findings(tmp_path / "b", monkeypatch, code, models=load_models([model]))
    assert [f.line for f in found if "tainted" in f.tags] == [3]



def test_a_user_model_names_a_generator_no_one_can_predict(tmp_path, monkeypatch):
    # ``[[unpredictable]]``: a token built from a predictable part and one of these is unguessable as a whole
    model = tmp_path / "acme.toml"
    model.write_text('library = "acme"\n[[unpredictable]]\ncallees = ["acme.vault.random_token"]\n')
    code = {"app.py": "import random\nimport acme.vault\n\n\ndef reset_token():\n"
                      "    token = '%d-%s' % (random.randint(0, 9999), acme.vault.random_token())\n"
                      "    return token\n"}
    assert [f.line for f in findings(tmp_path / "a", monkeypatch, code, rule="weak-random")] == [6]
    models = load_models([model])
    assert "uuid.uuid4" in models.unpredictable  # the built-in ones stay
    assert not findings(tmp_path / "b", monkeypatch, code, rule="weak-random", models=models)



def test_what_a_generator_yields_keeps_its_type(tmp_path, monkeypatch):
    # (swift's memcache client, CVE-2012-4406: ``for server, fp, sock in self._get_conns(key)`` then
    # ``pickle.loads`` of what the socket read; a returned list of the same tuples was followed already)
    code = {"app.py": textwrap.dedent("""
        import pickle
        import socket


        class Client:
            def _connections(self):
                yield "cache", socket.create_connection(("cache", 11211))

            def get(self):
                for server, sock in self._connections():
                    return pickle.loads(sock.recv(1024))

            def names(self):
                for server, sock in self._connections():
                    return pickle.loads(server.encode())
        """)}
    found = findings(tmp_path, monkeypatch, code, rule="unsafe-deserialization")
    assert [(f.line, f.confidence) for f in found if f.confidence >= Level.MEDIUM] == [(12, Level.HIGH)]


WEAK_TOKEN_STORE = """
    import os


    class Session:
        def __init__(self, token):
            self.token = token

        def header(self):
            return {"X-Token": self.token}


    def run(cmd):
        os.system(cmd)


    def remember(value):
        token = value
        return token
    """


def test_production_findings_never_rest_on_data_from_test_code(tmp_path, monkeypatch):
    files = {
        "pkg/session.py": WEAK_TOKEN_STORE,
        # test code feeds a predictable value into a production class's field, and a
        # command into a production function: neither makes a production finding
        "tests/test_session.py": """
            import os
            import random
            from pkg.session import Session, remember, run


            def test_header():
                session = Session(str(random.random()))
                run("echo " + os.environ["GREETING"])
                assert remember(random.random()) and session.header()
            """,
    }
    weak = findings(tmp_path, monkeypatch, files, rule="weak-random")
    assert [f for f in weak if not f.path.startswith("tests/")] == []
    command = findings(tmp_path, monkeypatch, files)
    assert all("tainted" not in f.tags for f in command if f.path.startswith("pkg/"))


def test_production_code_storing_a_predictable_token_is_still_reported(tmp_path, monkeypatch):
    files = {
        "pkg/session.py": WEAK_TOKEN_STORE,
        "pkg/login.py": """
            import random
            from pkg.session import Session


            def login():
                token = str(random.random())
                return Session(token)
            """,
    }
    weak = findings(tmp_path, monkeypatch, files, rule="weak-random")
    assert [(f.path, f.line) for f in weak] == [("pkg/login.py", 7)]


REDIRECT_HEADER = ("from django.http import HttpResponseRedirect\n"
                   "from django.utils.http import url_has_allowed_host_and_scheme\n\n\n")


@pytest.mark.parametrize("view, reported", [
    ("""
     def view(request):
         next_url = request.GET.get("next")
         return HttpResponseRedirect(next_url)
     """, True),
    ("""
     def view(request):
         next_url = request.GET.get("next")
         if url_has_allowed_host_and_scheme(url=next_url, allowed_hosts={request.get_host()}):
             return HttpResponseRedirect(next_url)
         return HttpResponseRedirect("/")
     """, False),
    ("""
     def view(request):
         next_url = request.GET.get("next")
         if not url_has_allowed_host_and_scheme(url=next_url, allowed_hosts={request.get_host()}):
             next_url = "/"
         return HttpResponseRedirect(next_url)
     """, False),
    ("""
     def view(request):
         next_url = request.GET.get("next")
         if (next_url or request.accepts("text/html")) and not url_has_allowed_host_and_scheme(
                 url=next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
             next_url = "/"
         if next_url:
             return HttpResponseRedirect(next_url)
         return HttpResponseRedirect("/")
     """, False),
    ("""
     def view(request):
         next_url = request.GET.get("next")
         other = request.GET.get("other")
         if not url_has_allowed_host_and_scheme(url=other, allowed_hosts={request.get_host()}):
             next_url = "/"
         return HttpResponseRedirect(next_url)
     """, True),
])
def test_url_checks_by_keyword_and_reset_branches(tmp_path, monkeypatch, view, reported):
    found = findings(tmp_path, monkeypatch, {"views.py": REDIRECT_HEADER + textwrap.dedent(view)},
                     rule="open-redirect")
    assert bool([f for f in found if "tainted" in f.tags]) == reported


def test_a_modelled_sink_reached_through_a_library_wrapper_in_the_tree_is_reported_once(tmp_path, monkeypatch):
    files = {
        "flask/__init__.py": "from .helpers import redirect\nfrom werkzeug.local import LocalProxy\n"
                             "request = LocalProxy(None)\n",
        "flask/helpers.py": "import werkzeug.utils\n\n\ndef redirect(location, code=302):\n"
                            "    return werkzeug.utils.redirect(location, code)\n",
        "app.py": "from flask import redirect, request\n\n\ndef view():\n    return redirect(request.args['next'])\n",
        # a wrapper the models do not know is followed into: reported at its sink
        "shop/nav.py": "import werkzeug.utils\n\n\ndef go(location):\n    return werkzeug.utils.redirect(location)\n",
        "shop/views.py": "from flask import request\nfrom shop.nav import go\n\n\ndef view():\n"
                         "    return go(request.args['next'])\n",
    }
    found = findings(tmp_path, monkeypatch, files, rule="open-redirect")
    assert sorted((f.path, f.line) for f in found if "tainted" in f.tags) == [("app.py", 5), ("shop/nav.py", 5)]


def test_a_flow_through_code_that_is_not_reviewed_says_so(tmp_path, monkeypatch):
    """The value coming back from a library call is an assumption: the trace names the call."""
    found = findings(tmp_path, monkeypatch, {"app.py": HEADER + textwrap.dedent("""
        import thirdparty
        def h():
            x = request.args["x"]
            y = thirdparty.transform(x)
            os.system(y)
            os.system(x.strip())
        """)})
    by_line = {f.line - HEADER.count("\n"): f for f in found}
    assert sorted(by_line) == [6, 7]
    notes = [s.note for s in by_line[6].trace]
    assert any("through `thirdparty.transform()`, whose code is not reviewed" in n for n in notes), notes
    assert not any("not reviewed" in s.note for s in by_line[7].trace)
    # a flow resting on that guess is of low confidence; the one read in full is high
    assert (by_line[6].confidence, by_line[7].confidence) == (Level.LOW, Level.HIGH)


def test_a_client_request_is_no_source(tmp_path, monkeypatch):
    """A function whose first parameter is `request` is typed as a Django view's request only in a
    module that imports a server-side framework: in an HTTP client or crawler, `request` is the
    request about to be sent, and its headers are the program's own."""
    view = """
        import os
        {imports}

        def fingerprint(request):
            os.system("echo " + request.GET["page"])
        """
    server = findings(tmp_path / "server", monkeypatch,
                      {"views.py": view.format(imports="from django.http import HttpResponse")})
    client = findings(tmp_path / "client", monkeypatch, {"crawler.py": view.format(imports="import requests")})
    assert [f.line for f in server if "tainted" in f.tags] == [6]
    assert not [f for f in client if "tainted" in f.tags]


def test_only_the_handlers_of_a_class_based_view_take_request_data(tmp_path, monkeypatch):
    found = findings(tmp_path, monkeypatch, {"views.py": """
        import os
        from django.views.generic import TemplateView

        class Page(TemplateView):
            def get(self, request, name):
                os.system("echo " + name)

            def get_context_data(self, **kwargs):
                os.system("echo " + kwargs["slug"])

            def describe(self, obj):
                os.system("echo " + obj)
        """})
    assert sorted(f.line for f in found if "tainted" in f.tags) == [7, 10]


def test_a_user_model_names_entry_points_by_a_class_attribute(tmp_path, monkeypatch):
    """``class_attribute``: the public methods of classes that assign ``name = <call>(...)`` at class level."""
    model = tmp_path / "bus.toml"
    model.write_text(textwrap.dedent("""
        library = "bus"
        [[entrypoint]]
        kind = "rpc"
        class_attribute = { name = "channel", calls = ["bus.Channel"] }
        param_types = { ctx = "bus.Context" }
    """))
    code = {"handlers.py": """
        import subprocess
        import bus

        class Handlers:
            channel = bus.Channel("jobs")

            def run_job(self, ctx, job):
                subprocess.call(job, shell=True)

        class Other:
            channel = "jobs"

            def run_job(self, ctx, job):
                subprocess.call(job, shell=True)
    """}
    found = findings(tmp_path / "a", monkeypatch, code, models=load_models([model]))
    traced = [f for f in found if "tainted" in f.tags]
    assert [f.line for f in traced] == [9]
    assert "RPC endpoint `run_job()`" in traced[0].explanation and "client" not in traced[0].explanation


def test_a_class_attribute_entry_point_without_its_calls_is_a_model_error(tmp_path):
    from secreview.analysis.models import ModelError
    model = tmp_path / "bad.toml"
    model.write_text('library = "bad"\n[[entrypoint]]\nclass_attribute = { name = "target" }\n')
    with pytest.raises(ModelError, match="class_attribute needs a name and the calls"):
        load_models([model])


def test_an_entry_points_words_are_three_strings_or_a_model_error(tmp_path):
    from secreview.analysis.models import ModelError
    model = tmp_path / "bad.toml"
    model.write_text('library = "bad"\n[[entrypoint]]\nkind = "cli"\nbase_class = "x.Shell"\n'
                     'words = ["shell command", "its user"]\n')
    with pytest.raises(ModelError, match="three strings"):
        load_models([model])
    model.write_text('library = "good"\n[[entrypoint]]\nkind = "cli"\nbase_class = "x.Shell"\n'
                     'words = ["shell command", "its user", "a typed line"]\n')
    assert [e.words for e in load_models([model]).entrypoints if e.base_class == "x.Shell"] == [
        ("shell command", "its user", "a typed line")]


def test_the_harm_names_who_decides_the_value_not_a_client(tmp_path, monkeypatch):
    model = tmp_path / "rpc.toml"
    model.write_text('library = "rpc"\n[[entrypoint]]\nkind = "rpc"\n'
                     'class_attribute = { name = "target", calls = ["oslo_messaging.Target"] }\n'
                     'param_types = { context = "oslo_context.context.RequestContext" }\n')
    code = ("import os, oslo_messaging\n\nclass Callbacks:\n    target = oslo_messaging.Target(version='1.0')\n\n"
            "    def purge(self, context, name):\n        os.remove(os.path.join('/var/lib/agent', name))\n")
    found = findings(tmp_path / "a", monkeypatch, {"agent.py": code}, rule="path-traversal",
                     models=load_models([model]))
    assert len(found) == 1
    text = found[0].explanation
    assert "the sender of the RPC message can" in text and "client" not in text
    assert "compromised or impersonated service" in text and str(found[0].severity) == "medium"
    assert not findings(tmp_path / "b", monkeypatch, {"agent.py": code}, rule="path-traversal")


def test_command_line_input_is_a_source_one_level_less_severe_and_says_so(tmp_path, monkeypatch):
    code = {"tool.py": "import os, sys\n\ndef main():\n    os.system('ls ' + sys.argv[1])\n",
            "web.py": "import os\nfrom flask import request\n\ndef view():\n    os.system('ls ' + request.args['d'])\n"}
    found = {f.path: f for f in findings(tmp_path, monkeypatch, code)}
    cli, web = found["tool.py"], found["web.py"]
    assert "tainted" in cli.tags and "a command-line argument" in cli.explanation
    assert "whoever runs the program" in cli.explanation and "client" not in cli.explanation
    assert (str(cli.severity), str(web.severity)) == ("medium", "high")


def test_a_parameter_on_its_own_line_cites_the_line_that_names_its_function(tmp_path, monkeypatch):
    code = {"tool.py": "import subprocess\nimport click\n\n\n@click.command()\n@click.option('--image')\n"
                       "def publish(\n    image,\n):\n    subprocess.check_call('docker push ' + image, shell=True)\n"}
    found = findings(tmp_path, monkeypatch, code)
    assert len(found) == 1
    assert "(parameter `image` of command `publish()` (tool.py:7)) (line 8)" in found[0].explanation


def test_the_request_object_given_to_unseen_code_does_not_make_its_result_request_text(tmp_path, monkeypatch):
    """``plugin.on_api_get(request)``: what a callee we cannot see returns for the whole request object is
    the callee's, not the client's text; a field of the request given to it still is."""
    files = {"app.py": '''
        from flask import Flask, request

        import plugins

        app = Flask(__name__)


        @app.route("/api")
        def plugin_get():
            response = plugins.API_PLUGIN.on_api_get(request)
            return response


        @app.route("/field")
        def field_get():
            response = plugins.API_PLUGIN.on_api_get(request.args["q"])
            return response
        '''}
    assert [f.line for f in findings(tmp_path, monkeypatch, files, rule="xss")] == [18]


def test_a_validator_that_raises_cleans_the_value_it_checked_from_there_on(tmp_path, monkeypatch):
    """``utils.check_ssh_injection(cmd_list)`` as a statement (models/openstack-utils.toml)."""
    files = {
        "cinder/__init__.py": "",
        "cinder/utils.py": '''
            def check_ssh_injection(cmd_list):
                for arg in cmd_list:
                    if any(c in arg for c in ";|&`$"):
                        raise ValueError(arg)
            ''',
        "cinder/driver.py": '''
            from oslo_concurrency import processutils

            from cinder import utils


            class Driver:
                def _run_ssh(self, cmd_list):
                    utils.check_ssh_injection(cmd_list)
                    command = " ".join(cmd_list)
                    return processutils.ssh_execute(self.ssh, command)

                def _run_ssh_unchecked(self, cmd_list):
                    command = " ".join(cmd_list)
                    return processutils.ssh_execute(self.ssh, command)
            ''',
    }
    found = findings(tmp_path, monkeypatch, files)
    assert [(f.path.removeprefix("./"), f.line) for f in found] == [("cinder/driver.py", 15)]


def test_a_programs_output_is_not_the_arguments_it_was_given(tmp_path, monkeypatch):
    """``subprocess.check_output([..., name])``: what the program prints is its own output."""
    files = {"app.py": '''
        import subprocess

        from flask import Flask, request

        app = Flask(__name__)


        @app.route("/ls")
        def ls():
            out = subprocess.check_output(["ls", "--", request.args["d"]], text=True)
            first = out.splitlines()[0]
            return open("/srv/" + first).read() + open("/srv/" + request.args["d"]).read()
        '''}
    assert [f.line for f in findings(tmp_path, monkeypatch, files, rule="path-traversal")] == [13]


def test_a_dict_unpacked_into_keywords_binds_each_known_key_by_name(tmp_path, monkeypatch):
    """``Single(host, **{"user": "root", "passwd": password})``: the password goes to ``passwd`` only,
    not to every parameter the call leaves unbound; an unpacked ``shell=True`` is seen."""
    files = {"app.py": '''
        import logging
        import subprocess

        from flask import Flask, request

        LOG = logging.getLogger(__name__)
        app = Flask(__name__)


        class Single:
            def __init__(self, host, user=None, passwd=None, thin_dir=None):
                LOG.debug("connecting as %s to %s in %s", user, host, thin_dir)
                LOG.debug("password %s", passwd)


        def connect(password):
            return Single("h", **{"user": "root", "passwd": password})


        @app.route("/run")
        def run():
            opts = {"shell": True}
            subprocess.call("ls " + request.args["d"], **opts)
            return "ok"
        '''}
    assert [f.line for f in findings(tmp_path, monkeypatch, files, rule="sensitive-data-logged")] == [14]
    found = findings(tmp_path, monkeypatch, files)
    assert [f.line for f in found] == [24] and "shell" in found[0].explanation.lower()


def test_a_class_chosen_by_name_from_a_reviewed_module_is_one_of_its_classes(tmp_path, monkeypatch):
    """``cls = getattr(things, name); cls().run(x)``: the object is one of the module's own classes, whose
    ``run()`` is analysed (a trace read in full, high confidence), not a guess about unseen code."""
    files = {
        "things.py": '''
            import configparser

            import things


            def create(kind):
                cls = getattr(things, kind)
                return cls()


            class Echo:
                def run(self, x):
                    return x


            class Fixed:
                def run(self, x):
                    return "ls"
            ''',
        "app.py": HEADER + textwrap.dedent('''
            import things

            def h():
                thing = things.create(request.args["kind"])
                os.system(thing.run(request.args["x"]))
            '''),
    }
    found = findings(tmp_path, monkeypatch, files)
    assert [(f.path, f.confidence) for f in found] == [("app.py", Level.HIGH)]
    notes = [s.note for s in found[0].trace]
    assert not any("not reviewed" in n for n in notes), notes
    assert any(s.path == "things.py" for s in found[0].trace)


def test_a_class_chosen_by_name_whose_methods_return_constants_gives_no_flow(tmp_path, monkeypatch):
    files = {
        "things.py": '''
            import things


            def create(kind):
                return getattr(things, kind)()


            class Fixed:
                def run(self, x):
                    return "ls"
            ''',
        "app.py": HEADER + textwrap.dedent('''
            import things

            def h():
                os.system(things.create(request.args["kind"]).run(request.args["x"]))
            '''),
    }
    assert findings(tmp_path, monkeypatch, files) == []


def test_sql_built_from_a_parameter_only_where_sql_takes_a_name_is_of_low_confidence(tmp_path, monkeypatch):
    """``'drop table _%s' % classname``: names cannot be bound parameters; built where SQL takes a value
    (``"... name = '%s'" % name``) it stays medium; traced from a request a name is high like any value."""
    found = findings(tmp_path, monkeypatch, {"store.py": HEADER + textwrap.dedent('''
        import sqlite3

        class Store:
            def __init__(self, path):
                self.cur = sqlite3.connect(path).cursor()

            def find(self, name):
                self.cur.execute("SELECT * FROM users WHERE name = '%s'" % name)

            def drop(self, classname):
                self.cur.execute("drop table _%s" % classname)

            def count(self, table):
                self.cur.execute(f"select count(*) from {table}")

        def view():
            Store("db").count(request.args["t"])
        ''')}, rule="sql-injection")
    got = {f.line - HEADER.count("\\n"): f.confidence for f in found}
    assert got == {14: Level.MEDIUM, 17: Level.LOW, 20: Level.HIGH}
    low = next(f for f in found if f.confidence == Level.LOW)
    assert "where SQL takes a name" in low.explanation


def test_sql_names_built_before_their_statement_are_of_low_confidence(tmp_path, monkeypatch):
    """``tn = '_%s' % cn`` then ``'drop index %s' % tn``: the name is built first, with no SQL of its own;
    pragmas and savepoints take names too. Spliced later where SQL takes a value, it is medium again."""
    found = findings(tmp_path, monkeypatch, {"store.py": HEADER + textwrap.dedent('''
        import sqlite3

        class Store:
            def __init__(self, path):
                self.cur = sqlite3.connect(path).cursor()

            def sql(self, sql):
                self.cur.execute(sql)

            def drop_index(self, cn):
                index = '_%s_id_idx' % cn
                self.sql('drop index %s' % index)

            def find(self, cn):
                tn = '_%s' % cn
                self.sql("select * from t where name = '%s'" % tn)

            def savepoint(self, name):
                self.sql('SAVEPOINT %s' % name)

            def info(self, table):
                self.cur.execute(f"PRAGMA table_info({table});")

            def link(self, cn):
                tn = '%s_links' % cn
                self.sql('insert into %s (linkid, nodeid) values (%s, %s)' % (tn, self.arg, self.arg))

            def count(self, cn):
                self.sql('select count(*) from _%s where id=%s' % (cn, self.arg))

            def named(self, cn, name):
                self.sql("select * from _%s where name = '%s'" % (cn, name))
        ''')}, rule="sql-injection")
    got = {f.line - HEADER.count("\n"): f.confidence for f in found}
    assert got == {12: Level.LOW, 17: Level.MEDIUM, 20: Level.LOW, 23: Level.LOW, 26: Level.LOW, 30: Level.LOW,
                   33: Level.MEDIUM}


def test_a_returned_list_or_dict_gives_each_item_its_own_data(tmp_path, monkeypatch):
    """``host, secret, camera = params(conf)`` where ``params`` returns a list (or a dict of known keys):
    logging ``camera`` logs no secret; logging ``secret`` does. Before, only tuples kept their items."""
    code = '''
        import logging

        def params(conf):
            values = [conf.get("host"), conf.get("remote_secret"), conf.get("camera_id")]
            return values

        def named(conf):
            return {"host": conf.get("host"), "password": conf.get("password")}

        def show(conf):
            host, remote_secret, camera_id = params(conf)
            logging.debug("camera %s", camera_id)
            logging.debug("secret %s", remote_secret)
            logging.debug("host %s", named(conf)["host"])
            logging.debug("password %s", named(conf)["password"])
        '''
    found = findings(tmp_path, monkeypatch, {"remote.py": code}, rule="sensitive-data-logged")
    assert sorted(f.line for f in found) == [14, 16]


def test_a_helper_returning_many_connection_keywords_binds_each_by_name(tmp_path, monkeypatch):
    """``Single(**_connection_kwargs())`` with 14 keys: the password goes to ``passwd`` only, so a folder
    name built from ``user`` and logged carries no secret (an untrue SR702 trace on Salt said it did)."""
    keys = "".join(f'        "opt{i}": cfg.get("opt{i}"),\n' for i in range(11))
    code = f'''
import logging

log = logging.getLogger(__name__)


def _connection_kwargs(cfg):
    return {{
        "user": cfg.get("user", "root"),
        "passwd": cfg.get("passwd"),
        "priv_passwd": cfg.get("priv_passwd"),
{keys}    }}


class Single:
    def __init__(self, host, user=None, passwd=None, priv_passwd=None, **kwargs):
        self.thin_dir = "/tmp/.%s" % user
        log.info("thin dir %s", self.thin_dir)
        log.info("password %s", passwd)


def run(cfg):
    Single("h", **_connection_kwargs(cfg))
'''
    found = findings(tmp_path, monkeypatch, {"ssh.py": code}, rule="sensitive-data-logged")
    assert [f.line for f in found] == [30]  # the password line; not the folder built from `user`


def test_a_dict_nested_in_a_returned_dict_keeps_its_items(tmp_path, monkeypatch):
    """``payload = make()`` returning ``{'json': {'zone': name, 'tsigKey': {'secret': ...}}}``: logging
    ``payload['json']['zone']`` logs the zone's name, not the secret stored beside it; logging the
    secret's own item is."""
    code = '''
        import logging

        LOG = logging.getLogger(__name__)

        def make(options, zone):
            body = {"zone": zone["name"], "type": "secondary",
                    "tsigKey": {"name": options.get("tsig_key_name"),
                                "secret": options.get("tsig_key_secret")}}
            return {"url": "zones", "json": body}

        def create(options, zone):
            payload = make(options, zone)
            LOG.info("zone %s exists", payload["json"]["zone"])
            LOG.info("key %s", payload["json"]["tsigKey"]["secret"])
        '''
    found = findings(tmp_path, monkeypatch, {"akamai.py": code}, rule="sensitive-data-logged")
    assert [f.line for f in found] == [15]


# a handler passing the client's JSON to a helper that reads each filter (``READ``) into SQL text (line 13)
_ORDERED_ITEMS = """
    import json

    from flask import Flask, request
    from sqlalchemy import text

    app = Flask(__name__)


    def ordered(query, filters):
        for f in filters:
            name = READ
            query = query.order_by(text(f"t.{name} ASC"))
        return query


    @app.route("/items")
    def items():
        filters = json.loads(request.args.get("q", "[]"))
        return str(ordered(app.query, filters))
    """


def test_a_finding_does_not_depend_on_which_other_rules_are_selected(tmp_path, monkeypatch):
    # With a rule of named sources selected (sensitive-data-logged), a parameter's taint is marked at a
    # call a secret does not survive (``f.get("name")``: a read of an identifier, and a call not seen
    # into). That mark made the taint of ``f.get("name")`` look like data other than its receiver's, so
    # the read was taken for a guess about unseen code ("taken to return what it is given"), which
    # lowered the traced finding and lost it to the callee's (faradaysec's search.py:505).
    code = _ORDERED_ITEMS.replace("READ", 'f.get("name")')
    seen = {}
    for select in (("SR104",), ("SR104", "SR702"), ()):
        config = replace(DEFAULT_CONFIG, select=select, min_confidence=Level.LOW)
        found = findings(tmp_path, monkeypatch, {"app.py": code}, "sql-injection", config=config)
        seen[select] = [(f.line, f.confidence, f.explanation, tuple(s.note for s in f.trace)) for f in found]
    assert [(line, confidence) for line, confidence, *_ in seen[("SR104",)]] == [(13, Level.HIGH)]
    assert seen[("SR104", "SR702")] == seen[("SR104",)]
    assert seen[()] == seen[("SR104",)]  # the default rules


def test_a_traced_finding_is_kept_where_its_caller_decides_the_callees_construction(tmp_path, monkeypatch):
    # The callee's construction (a string built from its parameter) and the caller's traced finding are
    # at one place; the construction, with its shorter trace, was kept there, then dropped because a
    # caller passes traced data: the traced finding went with it. Low here (the data goes through a call
    # whose code is not reviewed), and still reported.
    code = """
        import somelib
        from flask import Flask, request
        from sqlalchemy import text

        app = Flask(__name__)


        def ordered(query, name):
            return query.order_by(text(f"t.{name} ASC"))


        @app.route("/items")
        def items():
            name = somelib.tidy(request.args.get("q"))
            return str(ordered(app.query, name))
        """
    [finding] = findings(tmp_path, monkeypatch, {"app.py": code}, "sql-injection")
    assert (finding.line, finding.confidence) == (10, Level.LOW)
    assert "tainted" in finding.tags and finding.trace[0].line == 15


def test_only_a_data_method_of_a_parameter_is_certain_to_return_its_data(tmp_path, monkeypatch):
    # ``f.get("name")`` reads the parameter's own data (the test above); ``f.column_label()`` is code the
    # analysis cannot see, and that it returns the client's text is a guess: low, whichever rules are
    # selected (Django's ``user.get_session_auth_hash()`` stored in the session was taken for the user's
    # own data once the selection no longer made every such call a guess).
    code = _ORDERED_ITEMS.replace("READ", "f.column_label()")
    for select in (("SR104",), ()):
        config = replace(DEFAULT_CONFIG, select=select, min_confidence=Level.LOW)
        found = findings(tmp_path, monkeypatch, {"app.py": code}, "sql-injection", config=config)
        assert [(f.line, f.confidence) for f in found] == [(13, Level.LOW)]
        assert "whose code is not reviewed" in " ".join(s.note for s in found[0].trace)


def test_a_buffers_text_is_what_was_written_to_it(tmp_path, monkeypatch):
    # ``buf.getvalue()`` is a data method: the text written into ``io.StringIO`` comes back, not a guess
    code = """
        import io
        import sqlite3

        from flask import Flask, request

        app = Flask(__name__)


        @app.route("/users")
        def users():
            buf = io.StringIO()
            buf.write("SELECT * FROM users WHERE name = '")
            buf.write(request.args["name"])
            buf.write("'")
            return str(sqlite3.connect("db").execute(buf.getvalue()).fetchall())
        """
    found = findings(tmp_path, monkeypatch, {"app.py": code}, "sql-injection")
    assert [(f.line, f.confidence) for f in found] == [(16, Level.HIGH)]
    assert "whose code is not reviewed" not in " ".join(s.note for s in found[0].trace)


def test_a_returned_tuples_items_are_the_callees_values_mapped_to_this_call(tmp_path, monkeypatch):
    # ``return text, files``: a tuple of no taint of its own whose items hold the callee's parameter ``text``
    # (index 1 after ``self``). The items were passed on unmapped, so ``files`` carried "parameter 1" of the
    # caller (its ``request``), and ``file_path not in files`` was no allow-list (django-silk's SQL detail
    # view). Mapped to this call's argument, ``files`` holds only what the database's traceback holds, and
    # the first item is still the argument, traced.
    code = """
        import re

        from django.core.exceptions import PermissionDenied
        from django.views.generic import View


        def read_code(file_path):
            with open(file_path, encoding="utf-8") as f:
                return f.read()


        class SQLDetailView(View):
            def _urlify(self, text):
                files = []
                r = re.compile(r'"(?P<src>.*[.]py)"')
                m = r.search(text)
                while m:
                    files.append(m.groupdict()["src"])
                    m = r.search(text, m.end())
                return text, files

            def get(self, request):
                file_path = request.GET.get("file_path", "")
                text, files = self._urlify(self.traceback)
                if file_path not in files:
                    raise PermissionDenied
                return read_code(file_path)

            def post(self, request):
                text, files = self._urlify(request.POST["tb"])
                return read_code(text)
        """
    found = findings(tmp_path, monkeypatch, {"views.py": code}, "path-traversal")
    assert [(f.line, f.trace[0].line) for f in found] == [(9, 31)]


def test_a_mappings_items_give_back_what_was_stored_under_any_key(tmp_path, monkeypatch):
    # ``opts[name] = value`` stores under a key the analysis does not know; ``opts.items()`` is a data method
    # of the mapping, so the value coming back is a fact read, not a guess about code the analysis cannot see,
    # and the pair's value, not its key, carries it
    code = """
        import logging

        log = logging.getLogger(__name__)


        def options(credentials, **opts):
            for name, value in {"os-password": credentials.password}.items():
                opts[name] = value
            return [f"--{flag} {setting}" for flag, setting in opts.items()]


        def run(credentials):
            log.debug("running %s", " ".join(options(credentials)))
        """
    [finding] = findings(tmp_path, monkeypatch, {"cli.py": code}, "sensitive-data-logged")
    notes = [s.note for s in finding.trace]
    assert "whose code is not reviewed" not in " ".join(notes)
    assert "assigned to `setting`" in notes and "assigned to `flag`" not in notes


def test_an_item_a_callee_reads_brings_only_that_item_of_the_callers_dict(tmp_path, monkeypatch):
    # ``activity.get("message")`` and ``activity["data"]`` of a parameter: a caller passing a dict whose items
    # are known brings the item read, not every item (superdesk's activity e-mails: a link in ``data`` is a
    # template variable, the ``message`` is the template)
    code = """
        from flask import Flask, render_template_string, request

        app = Flask(__name__)


        def send(activity):
            return render_template_string(activity.get("message"), **activity["data"])


        @app.route("/link")
        def link():
            send({"message": "Item updated", "data": {"link": request.args["next"]}})
            return "ok"


        @app.route("/message")
        def message():
            send({"message": request.args["msg"], "data": {}})
            return "ok"
        """
    [finding] = findings(tmp_path, monkeypatch, {"app.py": code}, "template-injection")
    assert finding.line == 8 and finding.trace[0].line == 19
    link_only = code.split("@app.route(\"/message\")")[0]
    assert findings(tmp_path, monkeypatch, {"app.py": link_only}, "template-injection") == []


def test_a_keyword_passed_on_with_kwargs_reaches_the_parameter_of_its_name_only(tmp_path, monkeypatch):
    # ``Extractor.request(self, url, **kwargs)`` passes each keyword to the parameter of its name: ``data``
    # holding a password does not reach ``retries``, which the callee logs; a password given as ``retries``
    # does
    code = """
        import logging

        log = logging.getLogger(__name__)


        class Extractor:
            def request(self, url, method="GET", retries=None, **kwargs):
                log.debug("%s (%s)", url, retries)
                return kwargs


        class Site(Extractor):
            def request(self, url, **kwargs):
                return Extractor.request(self, url, **kwargs)

            def login(self, password):
                return self.request("https://example.com/session", method="POST", data={"password": password})

            def odd(self, password):
                return self.request("https://example.com/session", retries=password)
        """
    [finding] = findings(tmp_path, monkeypatch, {"site.py": code}, "sensitive-data-logged")
    assert finding.line == 9 and finding.trace[0].line == 20
    login_only = code.split("def odd")[0]
    assert findings(tmp_path, monkeypatch, {"site.py": login_only}, "sensitive-data-logged") == []


def test_an_attribute_set_on_one_way_only_is_not_that_constant_after_the_join(tmp_path, monkeypatch):
    """``if path: self.custom = True`` then ``if self.custom: return``: on the way that skipped the assignment
    ``self.custom`` is whatever the object holds, so the rest of the method is reached (seleniumbase's
    ``Patcher.auto``: the call below was judged never made). A local bound on one way keeps its value."""
    code = '''
        import os
        from flask import Flask, request

        app = Flask(__name__)


        class Runner:
            def __init__(self):
                self.custom = False

            def run(self, path, cmd):
                if path:
                    self.custom = True
                if self.custom:
                    return None
                os.system(cmd)

            def run_local(self, path, cmd):
                if path:
                    custom = True
                else:
                    custom = True
                if custom:
                    return None
                os.system(cmd)


        @app.route("/run")
        def view():
            runner = Runner()
            return str((runner.run(request.args.get("p"), request.args["cmd"]),
                        runner.run_local(request.args.get("p"), request.args["cmd"])))
        '''
    assert tainted_lines(tmp_path, monkeypatch, code) == [17]
