"""Imports found as Python finds them (issue 13, item 3): a script folder's siblings, ``src``
layouts, namespace packages, relative imports and ``source-roots``; every candidate when several
files could be the module; no flow where Python would not find the module."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from secreview.config import DEFAULT_CONFIG, load_config
from secreview.engine.pipeline import ReviewOptions, review
from secreview.reports import ReportOptions, render

VIEW = """from flask import Blueprint, request

{imp}

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["POST"])
def login():
    user = request.form["user"]
    password = request.form["password"]
    if {call}(user, password):
        return "ok"
    return "no", 403
"""
USERS = """import sqlite3

conn = sqlite3.connect("app.db")


def check(user, password):
    cur = conn.cursor()
    cur.execute("SELECT id FROM users WHERE name = '%s' AND password = '%s'" % (user, password))
    return cur.fetchone() is not None
"""
SAFE_USERS = USERS.replace("""'%s' AND password = '%s'" % (user, password))""",
                           """?  AND password = ?", (user, password))""")


def write(root: Path, files: dict) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def findings(root: Path, cache_dir: Path | None = None) -> list:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        config = load_config(Path("."), None) if (root / "pyproject.toml").exists() else DEFAULT_CONFIG
        result = review(["."], ReviewOptions(config=config, cache_dir=cache_dir, jobs=1))
    finally:
        os.chdir(cwd)
    data = json.loads(render("json", result, ReportOptions(tool_version="test")))
    return sorted((f["path"], f["line"], f["confidence"]) for f in data["findings"] if f["rule_id"] == "SR104")


def test_a_script_imports_its_sibling_and_the_request_is_traced_to_the_query(tmp_path):
    root = write(tmp_path, {"app/views.py": VIEW.format(imp="import users", call="users.check"),
                            "app/users.py": USERS})
    assert findings(root) == [("app/users.py", 8, "high")]


def test_from_import_of_a_sibling(tmp_path):
    root = write(tmp_path, {"app/views.py": VIEW.format(imp="from users import check", call="check"),
                            "app/users.py": USERS})
    assert findings(root) == [("app/users.py", 8, "high")]


def test_a_src_layout_below_the_reviewed_root(tmp_path):
    root = write(tmp_path, {"proj/src/web/views.py": VIEW.format(imp="from web import users", call="users.check"),
                            "proj/src/web/users.py": USERS})
    assert findings(root) == [("proj/src/web/users.py", 8, "high")]


def test_a_namespace_package_and_a_relative_import(tmp_path):
    root = write(tmp_path, {"ns/web/views.py": VIEW.format(imp="from ns.web.db import users", call="users.check"),
                            "ns/web/db/users.py": USERS,
                            "ns/web/other.py": VIEW.format(imp="from .db.users import check", call="check")})
    assert findings(root) == [("ns/web/db/users.py", 8, "high")]


def test_source_roots(tmp_path):
    files = {"backend/app/__init__.py": "", "backend/app/views.py": VIEW.format(imp="from store import users",
                                                                               call="users.check"),
             "backend/lib/store/users.py": USERS}
    root = write(tmp_path, files)
    assert findings(root) == [("backend/lib/store/users.py", 8, "medium")]  # not found: built from parameters
    write(root, {"pyproject.toml": '[tool.secreview]\nsource-roots = ["backend/lib"]\n'})
    assert findings(root) == [("backend/lib/store/users.py", 8, "high")]


MANAGE = """import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings")
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
"""


def test_the_folder_of_a_django_manage_py_is_an_import_root(tmp_path):
    """``python manage.py runserver`` puts manage.py's folder first on ``sys.path``: ``from store
    import users`` in a package beside it names ``store/users.py`` there, even when that folder is a
    package itself."""
    files = {"site/__init__.py": "", "site/manage.py": MANAGE,
             "site/web/__init__.py": "", "site/web/views.py": VIEW.format(imp="from store import users",
                                                                        call="users.check"),
             "site/store/__init__.py": "", "site/store/users.py": USERS}
    root = write(tmp_path, files)
    assert findings(root) == [("site/store/users.py", 8, "high")]
    (root / "site/manage.py").write_text("import sys\n\nsys.exit(0)\n")  # a console script, not Django's
    assert findings(root) == [("site/store/users.py", 8, "medium")]


def test_no_flow_where_python_would_not_find_the_module(tmp_path):
    # a regular package has no implicit relative imports; another folder's files are not siblings
    root = write(tmp_path, {"pkg/__init__.py": "", "pkg/views.py": VIEW.format(imp="import users", call="users.check"),
                            "pkg/users.py": USERS,
                            "other/views.py": VIEW.format(imp="import users", call="users.check")})
    assert findings(root) == [("pkg/users.py", 8, "medium")]


def test_every_candidate_is_a_callee_and_verbose_lists_them(tmp_path):
    root = write(tmp_path, {"app/views.py": VIEW.format(imp="import users", call="users.check"),
                            "app/users.py": SAFE_USERS, "users.py": USERS})
    assert findings(root) == [("users.py", 8, "high")]  # the root's users.py, one of the two candidates
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[1] / "src"))
    run = subprocess.run([sys.executable, "-m", "secreview", "review", ".", "--format", "json", "--exit-zero",
                          "--no-cache", "--verbose"], cwd=root, env=env, capture_output=True, text=True)
    assert "app/views.py:3: `users` could be any of users.py, app/users.py" in run.stderr
    quiet = subprocess.run([sys.executable, "-m", "secreview", "review", ".", "--format", "json", "--exit-zero",
                            "--no-cache"], cwd=root, env=env, capture_output=True, text=True)
    assert "could be any of" not in quiet.stderr


def test_editing_a_sibling_reanalyses_its_importer(tmp_path):
    root = write(tmp_path / "tree", {"app/views.py": VIEW.format(imp="import users", call="users.check"),
                                     "app/users.py": SAFE_USERS})
    cache = tmp_path / "cache"
    assert findings(root, cache) == []
    (root / "app/users.py").write_text(USERS)
    assert findings(root, cache) == [("app/users.py", 8, "high")] == findings(root)
    (root / "app/users.py").write_text(SAFE_USERS)
    assert findings(root, cache) == []


def test_the_oslo_namespace_packages_of_older_code_are_todays_modules(tmp_path):
    from secreview.ir.scopes import renamed

    assert renamed("oslo.config.cfg") == "oslo_config.cfg"
    assert renamed("oslo.messaging") == "oslo_messaging"
    assert renamed("oslo") == "oslo" and renamed("oslopolicy.x") == "oslopolicy.x"
    opts = ("from oslo.config import cfg\nfrom oslo import config\n\n"
            "opts = [cfg.StrOpt('admin_password'), config.cfg.StrOpt('db_password')]\n")
    root = write(tmp_path, {"svc/conf.py": opts})
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = review(["."], ReviewOptions(config=DEFAULT_CONFIG, cache_dir=None, jobs=1))
    finally:
        os.chdir(cwd)
    assert sorted((f.line, f.rule_id) for f in result.findings) == [(4, "SR703"), (4, "SR703")]
    # a reviewed package named ``oslo`` is what such an import means
    root = write(tmp_path / "own", {"oslo/__init__.py": "", "oslo/config/__init__.py": "",
                                    "oslo/config/cfg.py": "def StrOpt(name):\n    return name\n",
                                    "svc/conf.py": opts})
    os.chdir(root)
    try:
        result = review(["."], ReviewOptions(config=DEFAULT_CONFIG, cache_dir=None, jobs=1))
    finally:
        os.chdir(cwd)
    assert [f for f in result.findings if f.rule_id == "SR703"] == []


def test_six_moves_names_the_python_3_modules():
    from secreview.ir.scopes import renamed

    assert renamed("six.moves.urllib.parse.unquote") == "urllib.parse.unquote"
    assert renamed("six.moves.cPickle") == "pickle" and renamed("six.moves.cPickle.loads") == "pickle.loads"
    assert renamed("six.moves.http_client.HTTPConnection") == "http.client.HTTPConnection"
    assert renamed("six.moves.shlex_quote") == "shlex.quote"
    assert renamed("six.moves.not_a_move.x") == "six.moves.not_a_move.x" and renamed("six.text_type") == "six.text_type"
