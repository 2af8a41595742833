"""Entry points of the OpenStack APIs (models/nova-api.toml, models/neutron-api.toml) and the model keys
they use: ``cleansed`` and ``validated`` on an entry point, ``base_class`` through intermediate bases,
and the ``authenticated`` marker's wording."""

from __future__ import annotations

import textwrap

import pytest
from reviewing import findings

from secreview.analysis.models import ModelError, load_models

NOVA = """
    import os
    from nova.api.openstack import wsgi

    class ImagesController(wsgi.Controller):
        def show(self, req, id):
            with open(os.path.join("/srv/images", id)) as f:
                return f.read()
"""


def test_a_nova_handler_finding_names_an_authenticated_sender_at_the_same_severity(tmp_path, monkeypatch):
    found = findings(tmp_path, monkeypatch, {"images.py": NOVA}, "path-traversal")
    assert len(found) == 1
    text = found[0].explanation
    assert "parameter `id` of request handler `show()`" in text
    assert "any authenticated user of the API can" in text and "the client can" not in text
    assert "Keystone token" in text and "compromised" not in text
    assert str(found[0].severity) == "high"  # an authenticated tenant is not a trusted one


def test_a_flask_finding_keeps_the_client_wording(tmp_path, monkeypatch):
    code = {"app.py": "import os\nfrom flask import request\n\ndef view():\n"
                      "    return open(os.path.join('/srv', request.args['f'])).read()\n"}
    found = findings(tmp_path, monkeypatch, code, "path-traversal")
    assert len(found) == 1 and "authenticated" not in found[0].explanation


def test_nova_entry_points_are_a_model_that_can_be_left_out(tmp_path, monkeypatch):
    found = findings(tmp_path, monkeypatch, {"images.py": NOVA}, "path-traversal",
                     models=load_models(exclude=["nova-api"]))
    assert not found


def test_a_schema_validated_body_is_still_client_data_for_injection_sinks(tmp_path, monkeypatch):
    code = {"servers.py": """
        import subprocess
        from nova.api import validation
        from nova.api.openstack import wsgi

        class ServersController(wsgi.Controller):
            @wsgi.action("rename")
            @validation.schema({"type": "object"})
            def _action_rename(self, req, id, body):
                count = int(body["rename"]["count"])
                subprocess.call("rename " + body["rename"]["name"], shell=True)
                return count
    """}
    injected = findings(tmp_path, monkeypatch, code, "command-injection")
    assert [f.line for f in injected if "tainted" in f.tags] == [11]
    assert not findings(tmp_path, monkeypatch, code, "unhandled-input-conversion")


def test_a_user_model_entry_point_may_declare_validated_and_cleansed_parameters(tmp_path, monkeypatch):
    model = tmp_path / "acme.toml"
    model.write_text(textwrap.dedent("""
        library = "acme"
        [[entrypoint]]
        decorator = "acme.handler"
        cleansed = ["log"]
        validated = [{ decorator = "acme.checked", params = ["size"], cleansed = ["conversion"] }]
    """))
    code = {"h.py": """
        import acme

        @acme.handler
        @acme.checked
        def a(size):
            return int(size)

        @acme.handler
        def b(size):
            return int(size)
    """}
    found = findings(tmp_path / "t", monkeypatch, code, "unhandled-input-conversion", models=load_models([model]))
    assert [f.line for f in found] == [11]


@pytest.mark.parametrize("entry, message", [
    ('validated = [{ decorator = "a.b", params = ["body"] }]', "validated needs a decorator"),
    ('validated = ["a.b"]', "each item of validated is a table"),
])
def test_a_malformed_validated_item_is_a_model_error(tmp_path, entry, message):
    model = tmp_path / "bad.toml"
    model.write_text(f'library = "bad"\n[[entrypoint]]\ndecorator = "x.y"\n{entry}\n')
    with pytest.raises(ModelError, match=message):
        load_models([model])


def test_a_base_class_entry_point_reaches_through_bases_of_the_reviewed_code(tmp_path, monkeypatch):
    """``class Derived(Base)`` with ``class Base(django.views.View)`` in the reviewed code: a view too."""
    code = {"views.py": """
        import os
        from django import views

        class Base(views.View):
            pass

        class Download(Base):
            def get(self, request, name):
                return open(os.path.join("/srv", name)).read()

        class Helper:
            def get(self, request, name):
                return open(os.path.join("/srv", name)).read()
    """}
    found = findings(tmp_path, monkeypatch, code, "path-traversal")
    assert [f.line for f in found] == [10]


def test_include_base_class_makes_the_framework_class_own_methods_handlers(tmp_path, monkeypatch):
    model = tmp_path / "acme.toml"
    model.write_text('library = "acme"\n[[entrypoint]]\nbase_class = "acme.base.Controller"\n'
                     'include_base_class = true\nmethods = ["show"]\n')
    code = {"acme/base.py": """
        import os

        class Controller:
            def show(self, request, id):
                return open(os.path.join("/srv", id)).read()

            def load(self, name):
                return open(os.path.join("/srv", name)).read()
    """}
    found = findings(tmp_path / "t", monkeypatch, code, "path-traversal", models=load_models([model]))
    assert [f.line for f in found] == [6]
    model.write_text('library = "acme"\n[[entrypoint]]\nbase_class = "acme.base.Controller"\nmethods = ["show"]\n')
    assert not findings(tmp_path / "u", monkeypatch, code, "path-traversal", models=load_models([model]))


# Cinder and Manila: the same WSGI framework as Nova's, with their own validation decorators.
CINDER = """
    import subprocess
    from cinder.api import validation
    from cinder.api.openstack import wsgi

    class VolumeActionsController(wsgi.Controller):
        @wsgi.response(202)
        @wsgi.action("os-extend")
        @validation.schema({"type": "object"})
        def _extend(self, req, id, body):
            size = int(body["os-extend"]["new_size"])
            subprocess.call("extend " + id, shell=True)  # traced
            return size

        @wsgi.action("os-rename")
        def _rename(self, req, id, body):
            return int(body["os-rename"]["count"])  # converted

        def show(self, req, id):
            subprocess.call("show " + req.params["name"], shell=True)  # traced

        def _helper(self, value):
            subprocess.call("h " + value, shell=True)  # untraced

    class ExtendedController(wsgi.Controller):
        @wsgi.extends
        def show(self, req, resp_obj, id):
            subprocess.call("s " + resp_obj.obj["volume"]["host"], shell=True)  # untraced
            subprocess.call("s " + id, shell=True)  # traced
"""

MANILA = """
    import subprocess
    from manila.api import validation
    from manila.api.openstack import wsgi

    class ShareController(wsgi.Controller):
        @wsgi.Controller.api_version("2.7")
        @wsgi.action("extend")
        @validation.request_body_schema({"type": "object"})
        @validation.response_body_schema({"type": "object"})
        def _extend(self, req, id, body):
            size = int(body["extend"]["new_size"])
            subprocess.call("extend " + body["extend"]["name"], shell=True)  # traced
            return size

        @wsgi.response(202)
        def delete(self, req, id):
            subprocess.call("rm " + id, shell=True)  # traced

        @validation.request_query_schema({"type": "object"})
        def index(self, req):
            return int(req.GET["limit"])

        def detail(self, req):
            return int(req.GET["limit"])  # converted

        def _helper(self, value):
            subprocess.call("h " + value, shell=True)  # untraced
"""


@pytest.mark.parametrize("project, code", [("cinder", CINDER), ("manila", MANILA)])
def test_cinder_and_manila_controllers_are_entry_points_like_nova(project, code, tmp_path, monkeypatch):
    code = textwrap.dedent(code)
    lines = code.splitlines()

    def marked(mark):
        return {n for n, line in enumerate(lines, 1) if line.endswith(mark)}

    injected = findings(tmp_path, monkeypatch, {"api.py": code}, "command-injection")
    assert {f.line for f in injected if "tainted" in f.tags} == marked("# traced")
    assert all("Keystone token" in f.explanation for f in injected if "tainted" in f.tags)
    # a schema-validated body or query is not a conversion that may raise; an unvalidated one is
    converted = findings(tmp_path, monkeypatch, {"api.py": code}, "unhandled-input-conversion")
    assert {f.line for f in converted} == marked("# converted")
    without = findings(tmp_path, monkeypatch, {"api.py": code}, "command-injection",
                       models=load_models(exclude=[f"{project}-api"]))
    assert not [f for f in without if "tainted" in f.tags]
