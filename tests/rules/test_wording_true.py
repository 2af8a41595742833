"""Explanations say only what the code shows: a socket is connected to, not rewritten; Flask's debug flag
set in code serves the Werkzeug debugger only under `app.run()` / `flask run`, and the report says so."""

from __future__ import annotations

from dataclasses import replace

from reviewing import findings

from secreview.config import DEFAULT_CONFIG
from secreview.engine.pipeline import ReviewOptions, review
from secreview.findings.model import Level

_CODE = '''import os
from flask import Flask

app = Flask(__name__)
app.config["DEBUG"] = True


def open_socket(sock_path, data_path):
    os.chmod(sock_path, 0o777)
    os.chmod(data_path, 0o777)
'''


def _findings(tmp_path, monkeypatch, name="service.py", code=_CODE, select=("all",)):
    """The findings of a low-confidence review of ``code`` written to ``name`` (every rule by default)."""
    (tmp_path / name).write_text(code, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    config = replace(DEFAULT_CONFIG, select=select, min_confidence=Level.LOW)
    return review(["."], ReviewOptions(config=config)).findings


def _explanations(rule_id, findings) -> dict:
    """``rule_id``'s explanations by line."""
    return {f.line: f.explanation for f in findings if f.rule_id == rule_id}


def test_socket_mode_is_about_connecting(tmp_path, monkeypatch):
    by_line = {f.line: f for f in _findings(tmp_path, monkeypatch) if f.rule_id == "SR502"}
    socket, data = by_line[9].explanation, by_line[10].explanation
    assert "connect to the socket" in socket and "contents" not in socket
    assert "a file's contents or a directory's entries" in data and "socket" not in data


def test_flask_flag_in_code_is_conditional(tmp_path, monkeypatch):
    debug = [f for f in _findings(tmp_path, monkeypatch) if f.rule_id == "SR402"]
    assert [f.line for f in debug] == [5]
    assert "if the application is started with its run() method or the flask run command" in debug[0].explanation
    assert "under another WSGI server" in debug[0].explanation


def test_a_suppress_block_is_not_called_an_except_clause(tmp_path, monkeypatch):
    findings = _findings(tmp_path, monkeypatch, "keys.py", (
        "import contextlib\nimport os\n\n\ndef secure(path):\n"
        "    with contextlib.suppress(Exception):\n        os.chmod(path, 0o600)\n"))
    swallowed = [f for f in findings if f.rule_id == "SR601"]
    assert [f.line for f in swallowed] == [6]
    assert swallowed[0].explanation.startswith("`suppress(Exception)` on line 6 swallows every error of its `with`")
    assert "except" not in swallowed[0].explanation


def test_a_shell_chosen_by_a_flag_is_said_to_parse_only_where_the_flag_is_true(tmp_path, monkeypatch):
    findings = _findings(tmp_path, monkeypatch, "build.py", (
        "import subprocess\nimport sys\n\nis_windows = sys.platform == 'win32'\n\n\n"
        "def run(name):\n"
        "    subprocess.Popen('npm install ' + name, shell=is_windows)\n\n\n"
        "def run_always(name):\n"
        "    subprocess.Popen('npm install ' + name, shell=True)\n\n\n"
        "run(sys.argv[1])\nrun_always(sys.argv[1])\n"))
    by_line = _explanations("SR101", findings)
    assert "Where `shell=is_windows` is true, the shell parses this command" in by_line[8]
    assert "The shell parses this string" in by_line[12] and "Where `shell=" not in by_line[12]


def test_a_shell_chosen_by_an_expression_names_the_whole_expression_and_a_list_is_no_string(tmp_path, monkeypatch):
    """``shell=sys.platform == "win32"`` was cut to "where `shell=sys.platform` is true" (not the condition
    the code has), and an argument list built from parameters was "a string built from" them."""
    findings = _findings(tmp_path, monkeypatch, "dev.py", (
        "import subprocess\nimport sys\n\n\n"
        "def build_image(arch, flavor):\n"
        "    command = ['docker', 'build', '--platform', f'linux/{arch}']\n"
        "    if flavor:\n        command += ['--build-arg', f'BASE_IMAGE=prefect-{flavor}']\n"
        "    subprocess.check_call(command, shell=sys.platform == 'win32')\n"))
    text = _explanations("SR101", findings)[9]
    assert "where `sys.platform == 'win32'` is true, the shell parses this command" in text, text
    assert "a command built from parameters `arch` and `flavor`" in text and "a string built" not in text


def test_a_command_sent_over_ssh_is_said_to_run_on_the_remote_host(tmp_path, monkeypatch):
    findings = _findings(tmp_path, monkeypatch, "remote.py", (
        "import os\nimport paramiko\nfrom flask import request\n\n\ndef run():\n"
        "    client = paramiko.SSHClient()\n    client.exec_command('git log ' + request.args['ref'])\n"
        "    os.system('git log ' + request.args['ref'])\n"), select=())
    by_line = _explanations("SR101", findings)
    assert "on that host with that account's rights" in by_line[8] and "this process's privileges" not in by_line[8]
    assert "Gerrit" in by_line[8]
    assert "with this process's privileges" in by_line[9]


def test_a_string_built_for_a_wrapper_is_worded_by_the_wrappers_sink(tmp_path, monkeypatch):
    findings = _findings(tmp_path, monkeypatch, "remote.py", (
        "import subprocess\nimport sys\n\nimport paramiko\n\nis_windows = sys.platform == 'win32'\n\n\n"
        "class Gerrit:\n    def __init__(self):\n        self.client = paramiko.SSHClient()\n\n"
        "    def _ssh(self, command):\n        return self.client.exec_command(command)\n\n"
        "    def query(self, number):\n        return self._ssh('gerrit query change:%s' % number)\n\n\n"
        "def _run(command):\n    return subprocess.run(command, shell=is_windows)\n\n\n"
        "def install(name):\n    return _run('npm install %s' % name)\n"), select=())
    by_line = _explanations("SR101", findings)
    assert "on that host with that account's rights" in by_line[17], by_line
    assert "this process's privileges" not in by_line[17]
    assert "where `shell=is_windows` is true" in by_line[25], by_line


_CLEARTEXT = '''import ftplib
import telnetlib


def read_share_settings(host):
    terminal = telnetlib.Telnet(host)
    terminal.write(b"cat /tmp/netshare\\n")
    return terminal.read_all()


def upload(host, user, password):
    session = ftplib.FTP(host)
    session.login(user, password)
'''


def test_cleartext_session_without_login_names_no_password(tmp_path, monkeypatch):
    # a Telnet session that sends no login: low confidence, and no word of a password crossing the network
    by_line = {f.line: f for f in _findings(tmp_path, monkeypatch, code=_CLEARTEXT) if f.rule_id == "SR306"}
    assert by_line[6].confidence == Level.LOW
    assert "password" not in by_line[6].explanation and "no login" in by_line[6].explanation
    assert by_line[12].confidence == Level.HIGH
    assert "login password" in by_line[12].explanation


_CLEARTEXT_NO_PASSWORD = '''import ftplib
import telnetlib


def fetch(netloc, path, out):
    ftp = ftplib.FTP(netloc)
    ftp.login()
    ftp.retrbinary("RETR " + path, out.write)
    ftp.quit()


class Client:
    def test_connect(self, host, port):
        self.telnet = telnetlib.Telnet(host, port, timeout=5)
        self.telnet.expect([b"Login: ", b"login: "], 5)
        self.telnet.close()
        return True

    def connect(self, host, port):
        self.telnet = telnetlib.Telnet(host, port, timeout=5)
        return True

    def upload(self, host, user, password):
        ftp = ftplib.FTP(host)
        ftp.login(user, password)
        ftp.quit()
'''


def test_cleartext_anonymous_or_closed_session_names_no_password(tmp_path, monkeypatch):
    # parsl's anonymous ``ftp.login()`` and routersploit's ``test_connect`` (a session kept in an attribute and
    # closed before the method returns), judged untrue on panel AV: no login password crosses them
    by_line = {f.line: f for f in _findings(tmp_path, monkeypatch, code=_CLEARTEXT_NO_PASSWORD)
               if f.rule_id == "SR306"}
    for line in (6, 14):
        assert by_line[line].confidence == Level.LOW, line
        assert "password" not in by_line[line].explanation and "no login" in by_line[line].explanation
    for line in (20, 24):  # kept open for other methods to log in over; a login with credentials
        assert by_line[line].confidence == Level.HIGH, line
        assert "login password" in by_line[line].explanation


def test_debug_in_base_settings_is_low(tmp_path, monkeypatch):
    # DEBUG = True in the base of a settings package is a default its other modules override: low confidence
    (tmp_path / "proj" / "settings").mkdir(parents=True)
    (tmp_path / "proj" / "settings" / "common.py").write_text(
        "DEBUG = True\nINSTALLED_APPS = ['django.contrib.auth']\n", encoding="utf-8")
    (tmp_path / "proj" / "settings" / "production.py").write_text(
        "from .common import *  # noqa\n\nDEBUG = True\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    config = replace(DEFAULT_CONFIG, select=("all",), min_confidence=Level.LOW)
    found = {f.path.replace("\\", "/"): f for f in review(["."], ReviewOptions(config=config)).findings
             if f.rule_id == "SR402"}
    base = next(f for p, f in found.items() if p.endswith("settings/common.py"))
    prod = next(f for p, f in found.items() if p.endswith("settings/production.py"))
    assert base.confidence == Level.LOW and "base of a settings package" in base.explanation
    assert prod.confidence == Level.HIGH


_OPTIONS = '''from oslo_config import cfg

opts = [
    cfg.StrOpt('message_encryption_key', default='AES256', secret=True),
    cfg.StrOpt('admin_password', default='simplepassword', secret=True),
    cfg.StrOpt('admin_token', default='ADMIN'),
]
'''


def test_default_credential_says_what_each_kind_allows(tmp_path, monkeypatch):
    # an encryption key's default lets anyone decrypt, a password's log in, a token's present it: no
    # explanation claims what the option's kind does not allow
    by_line = {f.line: f.explanation for f in _findings(tmp_path, monkeypatch, name="opts.py", code=_OPTIONS)
               if f.rule_id == "SR705"}
    assert "decrypt" in by_line[4] and "log in" not in by_line[4] and "token" not in by_line[4]
    assert "log in with it" in by_line[5] and "decrypt" not in by_line[5]
    assert "present it as the token" in by_line[6] and "log in" not in by_line[6]
    # the default only works where an account or peer was set up to match it (an outbound credential's default
    # creates no account: judged untrue on panel N when said as 'anyone can log in with it there')
    assert all("wherever an account or a peer was set up to match that default" in text for text in by_line.values())


def test_the_address_of_a_unix_socket_is_said_to_be_connected_to(tmp_path, monkeypatch):
    """``os.chmod(bind_addr, 0o777)`` in a function that binds an ``AF_UNIX`` socket (cheroot's server)
    opens the socket to every local user; it was said to let them change 'a file's contents or a
    directory's entries', which a socket has not."""
    findings = _findings(tmp_path, monkeypatch, "server.py", (
        "import os\nimport socket\n\n\n"
        "def bind_unix(bind_addr, data_path):\n"
        "    sock = socket.socket(family=socket.AF_UNIX, type=socket.SOCK_STREAM)\n"
        "    sock.bind(bind_addr)\n"
        "    os.chmod(bind_addr, 0o777)\n"
        "    os.chmod(data_path, 0o777)\n"
        "    return sock\n"))
    by_line = _explanations("SR502", findings)
    assert "connect to the socket" in by_line[8] and "contents" not in by_line[8]
    assert "connect to the socket" not in by_line[9] and "a file's contents" in by_line[9]


def test_the_debugger_of_a_management_command_server_is_low_and_says_why(tmp_path, monkeypatch):
    """django-extensions' ``runserver_plus`` starts Werkzeug with ``use_debugger=True``: a development server
    its operator starts by hand, judged false on panel M; the same call at a module's top stays high."""
    code = ("from django.core.management.base import BaseCommand\nfrom werkzeug.serving import run_simple\n\n\n"
            "class Command(BaseCommand):\n    def handle(self, *args, **options):\n"
            "        run_simple('0.0.0.0', 8000, None, use_debugger=True)\n\n\n"
            "run_simple('0.0.0.0', 8000, None, use_debugger=True)\n")
    by_line = {f.line: f for f in _findings(tmp_path, monkeypatch, "runserver_plus.py", code) if f.rule_id == "SR402"}
    assert by_line[7].confidence == Level.LOW and "management command `runserver_plus`" in by_line[7].explanation
    assert by_line[10].confidence == Level.HIGH and "management command" not in by_line[10].explanation


def test_sql_injection_claims_no_other_users(tmp_path, monkeypatch):
    """'Other users' rows can be read or changed' was untrue where there are no other users' rows (an
    administrator's own database, a single-user tool; judged untrue on panel N): the harm said is what the
    connection can reach."""
    code = ("import sqlite3\nfrom flask import request\n\n\n"
            "def find():\n    db = sqlite3.connect('x.db')\n"
            "    return db.execute(\"SELECT * FROM t WHERE name = '%s'\" % request.args['name']).fetchall()\n")
    [finding] = [f for f in _findings(tmp_path, monkeypatch, "views.py", code) if f.rule_id == "SR104"]
    assert "any row this connection can reach may be read or changed" in finding.explanation
    assert "other users" not in finding.explanation


def test_assert_failure_is_not_called_a_500_where_a_try_catches_it(tmp_path, monkeypatch):
    code = '''\
        from django.http import HttpResponse


        def verify_email(request):
            try:
                key = request.GET["key"]
                assert request.user.is_authenticated and key == request.user.email_key
            except Exception:
                return HttpResponse("bad link", status=400)
            return HttpResponse("ok")


        def check(request):
            assert request.user.is_superuser
            return HttpResponse("ok")
        '''
    found = {f.line: f for f in findings(tmp_path, monkeypatch, {"views.py": code}, rule="assert-for-security")}
    assert "the except clause around it catches" in found[7].explanation and "500" not in found[7].explanation
    assert "a failure is a 500 error" in found[14].explanation


def test_a_call_through_another_name_is_cited_as_written(tmp_path, monkeypatch):
    """``run = run_default`` then ``run(...)``: the trace step on the calling line names ``run()``, the name on
    that line, not the function it is bound to (askbot's ``ldap_authenticate`` bound to
    ``ldap_authenticate_default``)."""
    code = '''\
        import os
        from flask import Flask, request

        app = Flask(__name__)


        def run_default(cmd):
            return os.system("ls " + cmd)


        run = run_default


        @app.route("/x")
        def x():
            return str(run(request.args["c"]))
        '''
    [finding] = findings(tmp_path, monkeypatch, {"app.py": code}, rule="command-injection")
    calling = [s for s in finding.trace if s.line == 16]
    assert calling and all("`run()`" in s.note and "run_default" not in s.note for s in calling)


def test_a_conversion_error_is_said_to_be_anyone_who_reaches_the_handler(tmp_path, monkeypatch):
    # a handler behind a login is reached only by its users: "any client" was untrue of it
    code = ("from flask import Flask, request\nfrom flask_login import login_required\n\napp = Flask(__name__)\n\n\n"
            "@app.route('/sketch', methods=['POST'])\n@login_required\ndef sketch():\n"
            "    return str(int(request.form['sketch_id']))\n")
    [finding] = [f for f in _findings(tmp_path, monkeypatch, "app.py", code) if f.rule_id == "SR604"]
    assert finding.line == 10
    assert "a client that can reach this handler can make the request fail" in finding.explanation
    assert "any client" not in finding.explanation


def test_a_server_its_function_calls_a_test_server_is_low_and_says_so(tmp_path, monkeypatch):
    # pbr's generated WSGI script: "STARTING test server ...", "DANGER! For testing only, do not use in production"
    code = ("import wsgiref.simple_server as wss\n\n\ndef main(port, app):\n"
            "    server = wss.make_server('', port, app)\n"
            "    print('DANGER! For testing only, do not use in production')\n    server.serve_forever()\n\n\n"
            "def serve(port, app):\n    wss.make_server('0.0.0.0', port, app).serve_forever()\n")
    found = {f.line: f for f in _findings(tmp_path, monkeypatch, "wsgi.py", code) if f.rule_id == "SR401"}
    assert {line: f.confidence for line, f in found.items()} == {5: Level.LOW, 11: Level.MEDIUM}
    assert "says it starts a server for testing ('For testing only')" in found[5].explanation


def test_a_server_whose_port_the_environment_gives_is_low_and_says_so(tmp_path, monkeypatch):
    # lithops' container entry points: Cloud Run and Knative set PORT and route to the container from outside
    code = ("import os\n\nfrom flask import Flask\n\nproxy = Flask(__name__)\n\n\ndef main():\n"
            "    port = int(os.getenv('PORT', 8080))\n    proxy.run(debug=False, host='0.0.0.0', port=port)\n\n\n"
            "def fixed():\n    proxy.run(host='0.0.0.0', port=8080)\n\n\n"
            "def listen(make_server, app):\n    make_server(('0.0.0.0', int(os.environ['CAPort'])), app)\n\n\n"
            "if __name__ == '__main__':\n    port = int(os.environ.get('CAPort', '9000'))\n"
            "    proxy.run(host='0.0.0.0', port=port)\n")
    found = {f.line: f for f in _findings(tmp_path, monkeypatch, "entry_point.py", code) if f.rule_id == "SR401"}
    assert {line: f.confidence for line, f in found.items()} == {10: Level.LOW, 14: Level.MEDIUM, 23: Level.LOW}
    assert "Its port is read from the environment (line 9)" in found[10].explanation


def test_a_server_a_module_starts_only_when_run_as_a_script_is_low_and_says_so(tmp_path, monkeypatch):
    # flup's server modules end with a Hello-World server under ``if __name__ == '__main__':``
    code = ("import socket\n\n\ndef serve(handle):\n    sock = socket.socket()\n    sock.bind(('', 8080))\n"
            "    sock.listen(5)\n    handle(sock)\n\n\nif __name__ == '__main__':\n    sock = socket.socket()\n"
            "    sock.bind(('', 8080))\n    sock.listen(5)\n")
    found = {f.line: f for f in _findings(tmp_path, monkeypatch, "threadedserver.py", code) if f.rule_id == "SR401"}
    assert {line: f.confidence for line, f in found.items()} == {6: Level.MEDIUM, 13: Level.LOW}
    assert "runs only when the file is run as a script" in found[13].explanation
    assert "as a script" not in found[6].explanation


def test_a_request_to_a_url_the_client_gives_is_of_medium_confidence(tmp_path, monkeypatch):
    # judged on real code, no traced server-side request kept as real: the trace cannot see an administrator-only
    # endpoint or a host fixed by configuration
    code = ("import requests\nfrom flask import Flask, request\n\napp = Flask(__name__)\n\n\n"
            "@app.route('/fetch')\ndef fetch():\n    return requests.get(request.args['url']).text\n\n\n"
            "@app.route('/item')\ndef item():\n"
            "    return requests.get('https://api.example.com/items/' + request.args['id']).text\n")
    found = {f.line: f for f in _findings(tmp_path, monkeypatch, "app.py", code) if f.rule_id == "SR108"}
    assert {line: f.confidence for line, f in found.items()} == {9: Level.MEDIUM}


def test_a_fixed_temporary_path_opened_to_append_is_said_to_be_appended_to(tmp_path, monkeypatch):
    # flup's debug logs: mode 'a' appends to whatever the name points at, it does not overwrite it
    code = ("def log(msg):\n    with open('/tmp/app.log', 'a') as f:\n        f.write(msg)\n\n\n"
            "def save(data):\n    with open('/tmp/app.dat', 'w') as f:\n        f.write(data)\n")
    found = {f.line: f.explanation for f in _findings(tmp_path, monkeypatch, "debuglog.py", code)
             if f.rule_id == "SR503"}
    assert set(found) == {2, 7}
    assert "(which is then appended to)" in found[2] and "overwritten" not in found[2]
    assert "(which is then overwritten)" in found[7]


def test_an_unverified_context_given_a_switched_cert_reqs_says_only_the_host_name_is_never_checked(
        tmp_path, monkeypatch):
    # s3cmd's client-certificate context: CERT_REQUIRED when the configuration checks certificates
    code = ("import ssl\n\n\ndef context(certfile, check_server_cert, cafile):\n"
            "    cert_reqs = ssl.CERT_REQUIRED if check_server_cert else ssl.CERT_NONE\n"
            "    return ssl._create_unverified_context(cafile=cafile, certfile=certfile, cert_reqs=cert_reqs)\n")
    [finding] = [f for f in _findings(tmp_path, monkeypatch, "conn.py", code) if f.rule_id == "SR302"]
    assert finding.line == 6 and finding.confidence == Level.MEDIUM
    assert "never checks the host name, and checks the certificate only when `cert_reqs` is" in finding.explanation
    assert "checks neither the certificate" not in finding.explanation


def test_a_secret_option_no_reviewed_code_logs_is_medium_and_says_so(tmp_path, monkeypatch):
    # instack-undercloud: an installer that never calls log_opt_values and starts no oslo.service launcher
    code = ("from oslo_config import cfg\n\nopts = [cfg.StrOpt('admin_password', help='Keystone admin password')]\n"
            "cfg.CONF.register_opts(opts)\n")
    [quiet] = [f for f in _findings(tmp_path, monkeypatch, "undercloud.py", code) if f.rule_id == "SR703"]
    assert quiet.confidence == Level.MEDIUM
    assert "No reviewed file calls `log_opt_values()`" in quiet.explanation
    (tmp_path / "service.py").write_text("from oslo_config import cfg\nimport logging\n\n\ndef start():\n"
                                         "    cfg.CONF.log_opt_values(logging.getLogger(), logging.DEBUG)\n")
    [logged] = [f for f in _findings(tmp_path, monkeypatch, "undercloud.py", code) if f.rule_id == "SR703"]
    assert logged.confidence == Level.HIGH
    assert "No reviewed file" not in logged.explanation


def test_an_archive_whose_digest_is_checked_first_is_low_and_says_so(tmp_path, monkeypatch):
    # snakemake's deployed sources: the sha256 its spawning process announced is compared before extracting
    code = ("import hashlib\nimport tarfile\n\n\ndef deploy(path, checksum):\n"
            "    with open(path, 'rb') as f:\n        obtained = hashlib.file_digest(f, 'sha256').hexdigest()\n"
            "    if obtained != checksum:\n        raise ValueError(obtained)\n"
            "    with tarfile.open(path, 'r') as tar:\n        tar.extractall()\n\n\n"
            "def unpack(path):\n    with tarfile.open(path, 'r') as tar:\n        tar.extractall()\n")
    found = {f.line: f for f in _findings(tmp_path, monkeypatch, "deploy.py", code) if f.rule_id == "SR501"}
    assert {line: f.confidence for line, f in found.items()} == {11: Level.LOW, 16: Level.MEDIUM}
    assert "`deploy()` compares a digest with an expected one first (`obtained != checksum`, line 8)" \
        in found[11].explanation
    assert "nothing in `unpack()` shows the archive was made by this application" in found[16].explanation


_CQL = '''import pymysql
from flask import Flask, request

app = Flask(__name__)


@app.route("/keys")
def get_key():
    table, key = request.args["table"], request.args["key"]
    cur = pymysql.connect(host="db").cursor()
    cur.execute("SELECT value FROM %(table)s WHERE "
                "key='%(key)s';" % {'table': table, 'key': key})
    cur.execute("SELECT value FROM kv WHERE key = '%s'", (key,))
    return cur.fetchall()
'''


def test_a_quoted_placeholder_filled_by_python_is_not_called_a_bound_parameter(tmp_path, monkeypatch):
    """`"... key='%(key)s'" % {...}` is filled in by Python's `%`, so the value is spliced into the text: the
    explanation of a driver quoting a bound value again is for the parameters argument only, also when the
    statement is too long to be shown whole."""
    sql = _explanations("SR104", _findings(tmp_path, monkeypatch, "kv.py", _CQL, select=("SR104",)))
    assert set(sql) == {11, 13}
    assert "placeholder is written inside quotes" not in sql[11]
    assert "The database parses it as SQL" in sql[11]
    assert "placeholder is written inside quotes (`'%s'`)" in sql[13]


def test_weak_random_names_the_generator_it_read(tmp_path, monkeypatch):
    findings = _findings(tmp_path, monkeypatch, "session.py", (
        "import uuid\nfrom random import randrange\n\n\nclass Session:\n    def __init__(self):\n"
        "        self.session_id = randrange(2**32)\n        self.token = str(uuid.uuid1())\n"))
    by_line = _explanations("SR202", findings)
    assert set(by_line) == {7, 8}
    assert "Mersenne Twister" in by_line[7] and "UUID" not in by_line[7] and "a few of its outputs" not in by_line[7]
    assert "time-based UUID" in by_line[8] and "Mersenne" not in by_line[8]


def test_a_digest_compared_is_not_said_to_be_returned(tmp_path, monkeypatch):
    findings = _findings(tmp_path, monkeypatch, "pairing.py", (
        "import hashlib\n\n\ndef verify_pin(guid, code, received):\n    merged = guid + code\n"
        "    expected = hashlib.md5(merged.encode()).hexdigest()\n    return received == expected\n\n\n"
        "def pin_hash(guid, code):\n    merged = guid + code\n    return hashlib.md5(merged.encode()).hexdigest()\n"))
    by_line = _explanations("SR201", findings)
    # ``verify_pin()`` returns whether the codes match, not the digest: nothing says where the digest is kept
    assert set(by_line) == {12}
    assert "`pin_hash()` returns the digest" in by_line[12]


def test_an_archive_checked_by_the_projects_own_function_is_not_said_to_be_unchecked(tmp_path, monkeypatch):
    findings = _findings(tmp_path, monkeypatch, "unpack.py", (
        "import shutil\n\n\ndef check_archive_content(archive):\n    return archive\n\n\n"
        "def safe_unpack(archive, extract_dir):\n    check_archive_content(archive)\n"
        "    shutil.unpack_archive(archive, extract_dir)\n\n\n"
        "def unpack(archive, extract_dir):\n    shutil.unpack_archive(archive, extract_dir)\n"))
    by_line = _explanations("SR501", findings)
    assert set(by_line) == {10, 14}
    assert "without checking member names" not in by_line[10]
    assert "after `check_archive_content(archive)` (line 9), the project's own check" in by_line[10]
    assert "without checking member names" in by_line[14]


def test_a_member_checked_by_the_projects_own_function_is_not_said_to_be_unchecked(tmp_path, monkeypatch):
    code = (
        "import tarfile\nfrom pathlib import Path\n\n\n"
        "def _safe_extract_path(destination, member_name):\n"
        "    target = (destination / Path(member_name)).resolve()\n"
        "    if not target.is_relative_to(destination.resolve()):\n        raise ValueError(member_name)\n"
        "    return target\n\n\n"
        "def extract_archive(archive_file, destination):\n    with tarfile.open(archive_file) as tar_ref:\n"
        "        for tar_member in tar_ref.getmembers():\n"
        "            _safe_extract_path(destination, tar_member.name)\n"
        "            tar_ref.extract(tar_member, path=destination)\n\n\n"
        "def extract_plain(archive_file, destination):\n    with tarfile.open(archive_file) as tar_ref:\n"
        "        for tar_member in tar_ref.getmembers():\n"
        "            tar_ref.extract(tar_member, path=destination)\n")
    by_line = _explanations("SR501", _findings(tmp_path, monkeypatch, "extract.py", code))
    assert set(by_line) == {16, 22}
    assert "without checking member names" not in by_line[16]
    assert ("after `_safe_extract_path(destination, tar_member.name)` (line 15), the project's own check of the "
            "member") in by_line[16]
    assert "without checking member names" in by_line[22]


def test_names_resolved_before_extracting_are_not_said_unchecked(tmp_path, monkeypatch):
    code = (
        "import os\nimport tarfile\n\n\n"
        "def unpack(archive_path, output_directory, names):\n"
        "    for name in names:\n"
        "        absolute = os.path.join(output_directory, os.path.normpath(name))\n"
        "        if os.path.realpath(absolute) != absolute:\n            return False\n"
        "    tar = tarfile.open(archive_path)\n    tar.extractall(path=output_directory)\n    return True\n\n\n"
        "def unpack_plain(archive_path, output_directory):\n"
        "    output_directory = os.path.abspath(output_directory)\n"
        "    tar = tarfile.open(archive_path)\n    tar.extractall(path=output_directory)\n")
    by_line = _explanations("SR501", _findings(tmp_path, monkeypatch, "archive.py", code))
    assert set(by_line) == {11, 18}
    assert "without checking member names" not in by_line[11]
    assert "resolves paths before it (`os.path.normpath(name)`, line 7)" in by_line[11]
    assert "a symlink member pointing outside the target, then a member written through it" in by_line[11]
    assert "without checking member names" in by_line[18]  # (only the destination resolved)


def test_names_resolved_through_a_local_are_not_said_unchecked(tmp_path, monkeypatch):
    # barman's shape (judged untrue on panel BA): the resolved path is made through a name bound to the joined one
    code = (
        "import os\nimport tarfile\n\n\n"
        "def unpack(archive_path, output_directory, names):\n"
        "    for name in names:\n"
        "        joined = os.path.join(output_directory, name)\n"
        "        print(os.path.realpath(joined))\n"
        "    tar = tarfile.open(archive_path)\n    tar.extractall(path=output_directory)\n")
    by_line = _explanations("SR501", _findings(tmp_path, monkeypatch, "archive.py", code))
    assert set(by_line) == {10}
    assert "without checking member names" not in by_line[10]
    assert "resolves paths before it (`os.path.realpath(joined)`, line 8)" in by_line[10]


def test_a_string_built_in_the_sinks_argument_is_not_said_spliced_at_the_parameter(tmp_path, monkeypatch):
    code = (
        "import os\nfrom pyramid.paster import bootstrap\n\n\n"
        "def prepare(uri):\n    if not uri.startswith('ws://'):\n        uri = 'ws://{uri}'.format(uri=uri)\n"
        "    return uri\n\n\n"
        "def init(uri):\n    env = bootstrap(uri)\n    return env['request']\n\n\n"
        "def main(argv):\n    request = init(prepare(argv[1]))\n"
        "    url = request.registry.settings.get('sqlalchemy.url')\n"
        "    os.system('pgcli {url}'.format(url=url))\n\n\n"
        "def other(name):\n    os.system('ls ' + name)\n"
    )
    said = _explanations("SR101", _findings(tmp_path, monkeypatch, code=code))
    # line 16 is `def main(argv):`: nothing is spliced there; the format on line 19 is quoted already. What is
    # formatted there is a setting that `bootstrap()` (not reviewed) loaded from the file `argv[1]` names, through
    # `init()`: made by a call from `argv`, not the string `prepare()` built from it (websauna, panel Z: untrue)
    assert "made by a call from parameter `argv` of `main()`" in said[19]
    assert "built from parameter" not in said[19] and "spliced in" not in said[19]
    assert "spliced in on line 23" in said[23]


def test_starlettes_debug_page_is_not_said_to_show_local_values(tmp_path, monkeypatch):
    code = "from fastapi import FastAPI\n\napp = FastAPI(debug=True)\n"
    said = _explanations("SR402", _findings(tmp_path, monkeypatch, code=code))
    # Starlette's debug response shows each frame's source lines; it has no local values (Werkzeug's has)
    assert "source lines around each frame" in said[3]
    assert "local values" not in said[3]


def test_a_unix_servers_address_is_a_socket(tmp_path, monkeypatch):
    code = (
        "import os\nimport socket\nimport socketserver\n\n\n"
        "class UnixHTTPServer(socketserver.TCPServer):\n    address_family = socket.AF_UNIX\n\n"
        "    def server_bind(self):\n        socketserver.TCPServer.server_bind(self)\n"
        "        os.chmod(self.server_address, 0o666)\n\n\n"
        "class TCPServer(socketserver.TCPServer):\n    def server_bind(self):\n"
        "        socketserver.TCPServer.server_bind(self)\n        os.chmod(self.server_address, 0o666)\n"
    )
    said = _explanations("SR502", _findings(tmp_path, monkeypatch, code=code))
    # ``address_family = socket.AF_UNIX``: the server's address is the socket's path, which has no contents
    assert "connect to the socket" in said[11] and "contents" not in said[11]
    assert "socket" not in said[17]


def test_the_path_of_an_asyncio_unix_server_is_said_to_be_connected_to(tmp_path, monkeypatch):
    """``await asyncio.start_unix_server(factory, path=path)`` then ``os.chmod(path, 0o666)`` (mautrix's
    manhole, panel AE): the socket's file, which every local user may now connect to; it was said to let
    them change 'a file's contents or a directory's entries'."""
    findings = _findings(tmp_path, monkeypatch, "manhole.py", (
        "import asyncio\nimport os\n\n\n"
        "async def start_manhole(factory, path, log_path):\n"
        "    server = await asyncio.start_unix_server(factory, path=path)\n"
        "    os.chmod(path, 0o666)\n"
        "    os.chmod(log_path, 0o666)\n"
        "    return server\n"))
    by_line = _explanations("SR502", findings)
    assert "connect to the socket" in by_line[7] and "contents" not in by_line[7]
    assert "connect to the socket" not in by_line[8] and "a file's contents" in by_line[8]


def test_a_constant_iv_is_said_to_do_what_it_does_in_its_mode(tmp_path, monkeypatch):
    """A constant IV in CFB mode (the mode given by keyword, reolink-aio's Baichuan client) makes equal message
    starts encrypt alike; it was said to enable 'chosen-plaintext attacks on CBC'. In OFB it reuses the key
    stream; in CBC it is what it was."""
    findings = _findings(tmp_path, monkeypatch, "crypt.py", (
        "from Crypto.Cipher import AES\n\nAES_IV = b'0123456789abcdef'\n\n\n"
        "def seal(key, data):\n"
        "    a = AES.new(key=key, mode=AES.MODE_CFB, iv=AES_IV, segment_size=128).encrypt(data)\n"
        "    b = AES.new(key, AES.MODE_OFB, AES_IV).encrypt(data)\n"
        "    c = AES.new(key, AES.MODE_CBC, AES_IV).encrypt(data)\n"
        "    return a, b, c\n"))
    by_line = _explanations("SR205", findings)
    assert "begin alike" in by_line[7] and "CBC" not in by_line[7]
    assert "key stream is reused" in by_line[8] and "CBC" not in by_line[8]
    assert "chosen-plaintext attacks on CBC" in by_line[9]


def test_a_list_run_without_a_shell_is_not_said_to_be_parsed_by_one(tmp_path, monkeypatch):
    """``Popen(cmd)`` of a list, no ``shell=``: the client's value chooses the program, and no shell parses
    anything (held-out panel AG: specter's ``run_shell`` was said to have "the shell parses this string")."""
    findings = _findings(tmp_path, monkeypatch, "app.py", (
        "import subprocess\n\nfrom flask import Flask, request\n\napp = Flask(__name__)\n\n\n"
        "def run_shell(cmd):\n"
        "    return subprocess.Popen(cmd, stdout=subprocess.PIPE).communicate()\n\n\n"
        "@app.route('/run')\ndef run():\n    return str(run_shell([request.args['prog'], '-v']))\n\n\n"
        "@app.route('/sh')\ndef sh():\n    return str(subprocess.run(request.args['cmd'], shell=True))\n"))
    by_line = _explanations("SR101", findings)
    assert "shell parses" not in by_line[9] and "run as a list of arguments without a shell" in by_line[9]
    assert "The shell parses this string" in by_line[19]


def test_a_path_checked_for_one_half_is_said_to_be_open_by_the_other(tmp_path, monkeypatch):
    """A name checked for ``..`` (in the helper that uses it) but not for ``/``, or the other way round, is said
    to be open by the half left (held-out panel AG: funkwhale's ``browse_dir`` was said to let ``../`` through);
    both halves ruled out, one by the caller and one by the helper, leave nothing to report."""
    findings = _findings(tmp_path, monkeypatch, "views.py", (
        "import os\nimport pathlib\n\nfrom flask import Flask, request\n\napp = Flask(__name__)\n\n\n"
        "def browse_dir(root, path):\n"
        "    if '..' in path:\n        raise ValueError('no')\n"
        "    return sorted(os.listdir(pathlib.Path(root) / path))\n\n\n"
        "@app.route('/browse')\ndef browse():\n    return str(browse_dir('/srv', request.args['path']))\n\n\n"
        "@app.route('/read')\ndef read():\n    name = request.args['name']\n"
        "    if name.startswith('/'):\n        return 'no'\n"
        "    return open(os.path.join('/srv/files', name)).read()\n\n\n"
        "@app.route('/both')\ndef both():\n    name = request.args['name']\n"
        "    if name.startswith('/'):\n        return 'no'\n"
        "    return str(browse_dir('/srv', name))\n"))
    by_line = _explanations("SR105", findings)
    assert set(by_line) == {12, 25}, by_line
    assert "`..` is ruled out, but an absolute path in it" in by_line[12] and "`../` sequences" not in by_line[12]
    assert "An absolute path is ruled out, but `../` sequences in it" in by_line[25]


def test_a_file_at_the_clients_path_is_not_said_to_carry_their_data(tmp_path, monkeypatch):
    """``pickle.loads(open(path).read())``: the client chose the path, not the file's contents."""
    found = _findings(tmp_path, monkeypatch, code='''
import os
import pickle
from flask import Flask, request

app = Flask(__name__)


@app.route("/load", methods=["POST"])
def load():
    path = os.path.join("/srv/schedules", request.form["filename"])
    with open(path, "rb") as f:
        data = pickle.loads(f.read())
    return str(data)


@app.route("/upload", methods=["POST"])
def upload():
    return str(pickle.loads(request.files["blob"].read()))
''')
    by_line = _explanations("SR103", found)
    assert "read from a file at a path that carries" in by_line[13]
    assert "The client chooses which file is read" in by_line[13]
    assert "which carries data from the HTTP request" in by_line[19]
    assert "file at a path" not in by_line[19]


_BRANCHES = '''import sqlite3


class Handler:
    def native_query(self, query, stream=True):
        if stream is False:
            return self._fetchall(query)
        return next(self._fetchmany(query))

    def _fetchmany(self, query):
        cursor = sqlite3.connect("db").cursor()
        cursor.execute(query)
        yield cursor.fetchmany(10)

    def _fetchall(self, query):
        cursor = sqlite3.connect("db").cursor()
        cursor.execute(query)
        return cursor.fetchall()

    def get_columns(self, table_name):
        return self.native_query(f"SELECT * FROM cols WHERE name = '{table_name}'")
'''


def test_a_trace_takes_the_branch_the_call_takes(tmp_path, monkeypatch):
    # (``native_query(q)`` leaves ``stream`` True: the query runs in ``_fetchmany``, not ``_fetchall``)
    found = [f for f in _findings(tmp_path, monkeypatch, code=_BRANCHES) if f.rule_id == "SR104"]
    assert [f.line for f in found] == [21]
    assert "line 12" in found[0].explanation and "line 17" not in found[0].explanation
    assert [step.line for step in found[0].trace] == [20, 21, 5, 8, 10, 12]


_DJANGO_TEMPLATE = '''from django.http import HttpResponse
from django.template import Context, Template
from jinja2 import Template as JinjaTemplate


def mail_merge(request):
    subject = request.POST["subject"]
    return HttpResponse(Template(subject).render(Context({"user": request.user})))


def jinja_merge(request):
    return HttpResponse(JinjaTemplate(request.POST["subject"]).render())
'''


def test_a_django_template_is_not_said_to_run_commands(tmp_path, monkeypatch):
    by_line = _explanations("SR112", _findings(tmp_path, monkeypatch, code=_DJANGO_TEMPLATE))
    assert set(by_line) == {8, 12}
    assert "run commands" not in by_line[8] and "any variable the template is rendered with" in by_line[8]
    assert "run commands" in by_line[12]


_SHM_CACHE = '''import os


def probe():
    os.makedirs("/dev/shm/app_cache", mode=0o700, exist_ok=True)
    with open("/dev/shm/app_cache/.test_write", "w") as f:
        f.write("test")
    with open("/tmp/app.lock", "w") as f:
        f.write("1")
'''


def test_a_fixed_path_in_a_folder_of_its_own_is_not_said_to_be_in_a_shared_one(tmp_path, monkeypatch):
    # (the program makes ``/dev/shm/app_cache`` itself, 0700: the danger is another user making it first)
    by_line = _explanations("SR503", _findings(tmp_path, monkeypatch, code=_SHM_CACHE))
    assert set(by_line) == {6, 8}
    assert "below `/dev/shm`" in by_line[6] and "create the folder `/dev/shm/app_cache` first" in by_line[6]
    assert "in a directory every local user can write" not in by_line[6]
    assert "in a directory every local user can write" in by_line[8]


def test_the_django_template_harm_keeps_its_capital_after_a_condition(tmp_path, monkeypatch):
    # (a construction finding says "If it can hold outside data, <the harm>": the harm's first letter is lowered)
    code = '''from django.template import Template


def render_box(content):
    return Template("<div>" + content + "</div>")
'''
    by_line = _explanations("SR112", _findings(tmp_path, monkeypatch, code=code))
    assert set(by_line) == {5}
    assert "the Django template engine compiles it" in by_line[5] and "django compiles" not in by_line[5]


_SSH_CHECKED_AFTER = '''import paramiko


def fetch(hostname, password, known_hosts):
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(hostname, username="import", password=password)
    presented = client.get_transport().get_remote_server_key().get_base64()
    if presented != known_hosts:
        raise ValueError("unknown host key")
    return client.open_sftp()


def push(hostname, password):
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(hostname, username="import", password=password)
    return client.open_sftp()
'''


def test_a_host_key_compared_after_connecting_is_not_said_to_expose_the_session(tmp_path, monkeypatch):
    # the code's own comparison after connect() stops the session, not the password already sent
    found = _explanations("SR304", _findings(tmp_path, monkeypatch, "sftp.py", _SSH_CHECKED_AFTER))
    assert sorted(found) == [6, 16]
    assert "before the key the server presented is read at line 8" in found[6]
    assert "alter everything sent" not in found[6]
    assert "capture the password sent to it and see or alter everything sent" in found[16]


def test_an_archive_of_unknown_origin_is_said_unknown_to_the_function_only(tmp_path, monkeypatch):
    # another function of the project may well have made the archive: the claim is about this one
    found = _explanations("SR501", _findings(tmp_path, monkeypatch, "restore.py", (
        "import shutil\n\n\ndef _download(store, key, local, base_dir):\n"
        "    store.download_file(key, local)\n    shutil.unpack_archive(local, base_dir)\n")))
    assert list(found) == [6]
    assert "nothing in `_download()` shows the archive was made by this application" in found[6]


def test_a_download_name_where_the_framework_refuses_line_breaks_is_low_and_said_so(tmp_path, monkeypatch):
    # Django refuses CR/LF in header values: the client picks only the saved file's name (low, not shown by
    # default); a handler of http.server writes the header as given, line breaks and all
    found = [f for f in _findings(tmp_path, monkeypatch, "views.py", (
        "from http.server import BaseHTTPRequestHandler\nfrom urllib.parse import parse_qs, urlparse\n\n"
        "from django.http import HttpResponse\n\n\n"
        "def export(request):\n    response = HttpResponse('a,b', content_type='text/csv')\n"
        "    response['Content-Disposition'] = 'attachment; filename=\"%s\"' % request.GET['file']\n"
        "    response['Content-Type'] = request.GET['type']\n    return response\n\n\n"
        "class Handler(BaseHTTPRequestHandler):\n    def do_GET(self):\n"
        "        name = parse_qs(urlparse(self.path).query)['name'][0]\n        self.send_response(200)\n"
        "        self.send_header('Content-Disposition', 'attachment; filename=' + name)\n"
        "        self.end_headers()\n")) if f.rule_id == "SR113"]
    by_line = {f.line: f for f in found}
    assert by_line[9].confidence == Level.LOW
    assert "saves this response" in by_line[9].explanation and "split the response" not in by_line[9].explanation
    assert by_line[10].confidence == Level.MEDIUM  # the content type decides how the body is read
    assert by_line[18].confidence > Level.LOW and "split the response" in by_line[18].explanation


def test_host_names_unchecked_on_a_context_of_own_authorities_only_is_low(tmp_path, monkeypatch):
    # a context that trusts only the project's own CA (or one pinned certificate) lets only a host that CA
    # certified pose as the server; one that also trusts the system's authorities lets anyone with a domain
    code = (
        "import ssl\nimport urllib.request\n\n\ndef probe(url, ca):\n"
        "    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n    ctx.load_verify_locations(cafile=ca)\n"
        "    ctx.verify_mode = ssl.CERT_REQUIRED\n    ctx.check_hostname = False\n"
        "    return urllib.request.urlopen(url, context=ctx)\n\n\ndef pinned(url, cert):\n"
        "    ctx = ssl.create_default_context(cadata=str(cert))\n    ctx.check_hostname = False\n"
        "    return urllib.request.urlopen(url, context=ctx)\n\n\ndef public(url):\n"
        "    ctx = ssl.create_default_context()\n    ctx.check_hostname = False\n"
        "    return urllib.request.urlopen(url, context=ctx)\n\n\ndef both(url, ca):\n"
        "    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n    ctx.load_default_certs()\n"
        "    ctx.load_verify_locations(cafile=ca)\n    ctx.check_hostname = False\n"
        "    return urllib.request.urlopen(url, context=ctx)\n\n\ndef maybe(url, pems):\n"
        "    ctx = ssl.create_default_context(cafile=pems)\n    ctx.check_hostname = False\n"
        "    return urllib.request.urlopen(url, context=ctx)\n\n\ndef pooled(url, pool, cert):\n"
        "    ctx = pool.get('ssl_context')\n    if not ctx:\n        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n"
        "        ctx.check_hostname = False\n    ctx.load_verify_locations(cadata=cert)\n"
        "    return urllib.request.urlopen(url, context=ctx)\n")
    found = {f.line: f for f in _findings(tmp_path, monkeypatch, "tls.py", code) if f.rule_id == "SR302"}
    assert sorted(found) == [9, 15, 21, 29, 35, 43]
    assert found[35].confidence == Level.HIGH  # ``pems`` may be None: the system's authorities are trusted then
    assert found[43].confidence == Level.LOW  # the context made just before, not the pool's
    assert found[9].confidence == Level.LOW and found[15].confidence == Level.LOW
    assert "`ctx.load_verify_locations(cafile=ca)` (line 7) names" in found[9].explanation
    assert "`ssl.create_default_context(cadata=str(cert))` (line 14) names" in found[15].explanation
    assert found[21].confidence == Level.HIGH and found[29].confidence == Level.HIGH


def test_a_credential_shaped_literal_is_not_said_to_be_live(tmp_path, monkeypatch):
    # a decoy, an example or a revoked key has the shape of a live one: the report says what the code shows
    found = _explanations("SR701", _findings(tmp_path, monkeypatch, "keys.py", (
        'DEPLOY_KEY = "AKIAQ4TZ7XR2M9KD3WLB"\n')))
    assert list(found) == [1]
    assert "if it is live (the code cannot tell)" in found[1] and "a live credential" not in found[1]


def test_a_redirect_of_a_post_only_handler_is_not_said_to_follow_a_link(tmp_path, monkeypatch):
    found = _explanations("SR107", _findings(tmp_path, monkeypatch, "views.py", (
        "from flask import Flask, redirect, request\n\napp = Flask(__name__)\n\n\n"
        "@app.route('/login', methods=['POST'])\ndef login():\n    return redirect(request.form['next'])\n\n\n"
        "@app.route('/go')\ndef go():\n    return redirect(request.args['next'])\n")))
    assert sorted(found) == [8, 13]
    assert "answers POST requests only, so a link cannot trigger it" in found[8]
    assert "a link to this site" not in found[8]
    assert "a link to this site can send its users" in found[13]


def test_the_hashed_secret_is_cited_on_its_own_line(tmp_path, monkeypatch):
    # a step names what is on its line: the password, not the expression's first line
    found = [f for f in _findings(tmp_path, monkeypatch, "client.py", (
        "import hashlib\n\n\ndef make_password(service_provider_id, service_provider_password, timestamp):\n"
        "    return hashlib.md5(\n        service_provider_id +\n        service_provider_password +\n"
        "        timestamp).hexdigest()\n")) if f.rule_id == "SR201"]
    assert [f.line for f in found] == [5]
    assert [(s.line, s.note) for s in found[0].trace] == [(7, "`service_provider_password` is hashed")]


def test_an_option_is_quoted_as_the_code_writes_it(tmp_path, monkeypatch):
    found = _explanations("SR703", _findings(tmp_path, monkeypatch, "opts.py", (
        "from oslo_config import cfg\n\nOPTS = [\n    cfg.StrOpt(\"xapi_connection_password\"),\n"
        "    cfg.StrOpt('redis_password', default=None, help='The password'),\n]\n")))
    assert '`cfg.StrOpt("xapi_connection_password")` declares' in found[4]
    assert "`cfg.StrOpt('redis_password', ...)` declares" in found[5]


def test_a_debug_server_launched_as_a_script_on_loopback_is_low_and_says_so(tmp_path, monkeypatch):
    code = ("from flask import Flask\n\napp = Flask(__name__)\n\nif __name__ == \"__main__\":\n"
            "    app.run(debug=True)\n    app.run(host=\"0.0.0.0\", debug=True)\n\napp.run(debug=True)\n")
    findings = [f for f in _findings(tmp_path, monkeypatch, "app.py", code) if f.rule_id == "SR402"]
    by_line = {f.line: f for f in findings}
    assert set(by_line) == {6, 7, 9}
    assert by_line[6].confidence == Level.LOW
    assert "started as a script (under `if __name__ == \"__main__\":`) and serves on the loopback" \
        in by_line[6].explanation
    assert by_line[7].confidence == Level.HIGH and "started as a script" not in by_line[7].explanation
    assert by_line[9].confidence == Level.HIGH and "started as a script" not in by_line[9].explanation


# a shell command built from ``project``, whose one caller passes a value of unknown origin
_REGION = ("import subprocess\n\n\n"
           "def region(project):\n"
           "    return subprocess.check_output('gcloud app describe --project=' + project, shell=True)\n\n\n"
           "def deploy(path):\n    return region(yaml_config(path).get('application_id'))\n")


def test_a_shell_command_whose_callers_all_pass_untraceable_values_says_so(tmp_path, monkeypatch):
    code = (_REGION + "\n\ndef describe(project):\n"
            "    return subprocess.check_output('gcloud describe --project=' + project, shell=True)\n")
    findings = [f for f in _findings(tmp_path, monkeypatch, "deploy.py", code) if f.rule_id == "SR101"]
    by_line = {f.line: f for f in findings}
    assert set(by_line) == {5, 13}
    # every caller of region() passes a value of unknown origin: low, and said as it is
    assert by_line[5].confidence == Level.LOW and by_line[13].confidence == Level.MEDIUM
    assert "found no caller" not in by_line[5].explanation
    assert "every caller in the reviewed code passes a value the analysis cannot trace to outside data" \
        in by_line[5].explanation
    assert "every caller" not in by_line[13].explanation


def test_an_origin_matched_against_configured_patterns_is_not_said_any_web_page(tmp_path, monkeypatch):
    code = ("import re\n\nfrom flask import Flask, make_response, request\n\napp = Flask(__name__)\n\n\n"
            "@app.route('/api')\ndef api():\n    origin = request.headers.get('Origin')\n"
            "    response = make_response(request.cookies.get('session', ''))\n"
            "    for domain_regex in app.config['CORS_URLS']:\n        if re.match(domain_regex, origin):\n"
            "            response.headers['Access-Control-Allow-Origin'] = origin\n"
            "            response.headers['Access-Control-Allow-Credentials'] = 'true'\n    return response\n")
    by_line = _explanations("SR119", _findings(tmp_path, monkeypatch, "cors.py", code))
    assert set(by_line) == {14}
    assert "any web page" not in by_line[14]
    assert "echoed where `re.match(domain_regex, origin)` (line 13) holds" in by_line[14]
    assert "at its start only" in by_line[14]


def test_a_rule_that_keeps_untraced_constructions_says_every_caller_passes_untraceable_values(tmp_path, monkeypatch):
    # (no rule keeps them at present: SinkRule.untraceable_low is False for none since the thirtieth session)
    from secreview.rules.command_injection import CommandInjection
    monkeypatch.setattr(CommandInjection, "untraceable_low", False)
    findings = [f for f in _findings(tmp_path, monkeypatch, "deploy.py", _REGION) if f.rule_id == "SR101"]
    assert [f.line for f in findings] == [5]
    assert findings[0].confidence == Level.MEDIUM
    assert "found no caller" not in findings[0].explanation
    assert "every caller in the reviewed code passes a value the analysis cannot trace to outside data" \
        in findings[0].explanation


def test_a_member_extracted_after_the_functions_own_path_check_is_not_said_unchecked(tmp_path, monkeypatch):
    code = (
        "import os\nimport tarfile\n\n\n"
        "def un_tar(fileobj, directory_path):\n"
        "    directory_path = os.path.realpath(directory_path)\n"
        "    with tarfile.open(fileobj=fileobj, mode='r|') as tar:\n"
        "        for member in tar:\n"
        "            member_path = os.path.realpath(os.path.join(directory_path, member.name))\n"
        "            if not member_path.startswith(directory_path):\n"
        "                raise tarfile.TarError('outside')\n"
        "            tar.extract(member, directory_path)\n")
    by_line = _explanations("SR501", _findings(tmp_path, monkeypatch, "untar.py", code))
    assert set(by_line) == {12}
    assert "without checking member names" not in by_line[12]
    assert "made before anything is written" not in by_line[12]
    assert "after `un_tar()` resolves paths (`os.path.realpath(os.path.join(directory_path, member.name))`, line 9)" \
        in by_line[12]


def test_socket_data_is_called_unix_socket_data_where_the_module_makes_only_unix_sockets(tmp_path, monkeypatch):
    # (a Unix socket's peer is a process of this machine: "received from the network" was untrue of
    # trinity's log listener; and where the family is not in sight, only "a socket" is known)
    template = (
        "import pickle\nimport socket\n\n\n"
        "def serve(where):\n"
        "    sock = socket.socket(socket.{family}, socket.SOCK_STREAM)\n"
        "    sock.bind(where)\n"
        "    data = sock.recv(4096)\n"
        "    return pickle.loads(data)\n")
    (tmp_path / "u").mkdir()
    (tmp_path / "i").mkdir()
    unix = _explanations("SR103", _findings(tmp_path / "u", monkeypatch, "u.py", template.format(family="AF_UNIX")))
    inet = _explanations("SR103", _findings(tmp_path / "i", monkeypatch, "i.py", template.format(family="AF_INET")))
    assert set(unix) == set(inet) == {9}
    assert "received on a Unix socket, from a process of this machine" in unix[9]
    assert "received on a socket, read by `sock.recv(4096)`" in inet[9]
    assert "network" not in unix[9] + inet[9]


def test_rows_of_a_database_are_not_said_built_from_the_path_it_was_opened_at(tmp_path, monkeypatch):
    # (actinia: table names read from sqlite_master were said "built from parameter `tgis_path`")
    code = (
        "import os\nimport sqlite3\n\n\n"
        "def rename_values(folder, old):\n"
        "    con = sqlite3.connect(os.path.join(folder, 'sqlite.db'))\n"
        "    for (table,) in con.execute('SELECT name FROM sqlite_master'):\n"
        "        con.execute(f\"UPDATE {table} SET c = REPLACE(c, '{old}', 'x')\")\n")
    by_line = _explanations("SR104", _findings(tmp_path, monkeypatch, "rename.py", code))
    assert set(by_line) == {8}
    assert "built from parameter `old` of `rename_values()`" in by_line[8]
    assert "folder" not in by_line[8]


def test_an_accepted_connections_data_is_traced_as_received_on_a_socket(tmp_path, monkeypatch):
    # (models: ``socket.socket.accept`` returns the connection as the pair's first item, ``[[returns]] item``)
    code = (
        "import pickle\nimport socket\n\n\n"
        "def serve(port):\n"
        "    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
        "    sock.bind(('127.0.0.1', port))\n"
        "    conn, address = sock.accept()\n"
        "    data = conn.recv(65536)\n"
        "    pickle.loads(pickle.dumps(address))\n"
        "    return pickle.loads(data)\n")
    findings = [f for f in _findings(tmp_path, monkeypatch, "server.py", code) if f.rule_id == "SR103"]
    by_line = {f.line: f for f in findings}
    assert by_line[11].confidence == Level.HIGH
    assert "received on a socket, read by `conn.recv(65536)` (line 9)" in by_line[11].explanation
    assert by_line.get(10) is None or by_line[10].confidence == Level.LOW


def test_a_redirect_to_a_submitted_forms_value_is_low_and_not_said_to_follow_a_link(tmp_path, monkeypatch):
    # (panel AM: seven redirects in POST branches of views answering GET too, all judged false, their
    # explanations untrue: "a link to this site can send its users")
    code = (
        "from flask import Flask, redirect, request\n\n"
        "app = Flask(__name__)\n\n\n"
        "@app.route('/clone', methods=['GET', 'POST'])\n"
        "def clone():\n"
        "    if request.method == 'POST':\n"
        "        return redirect(request.form['url'])\n"
        "    return redirect(request.referrer or '/')\n\n\n"
        "@app.route('/save', methods=['GET', 'POST'])\n"
        "def save():\n"
        "    if request.method == 'GET':\n"
        "        return 'form'\n"
        "    return redirect(request.form['url'])\n\n\n"
        "@app.route('/done', methods=['POST'])\n"
        "def done():\n"
        "    return redirect(request.form['url'])\n\n\n"
        "class RuleView:\n"
        "    @expose('/toggle/<rule_id>', methods=('POST',))\n"
        "    def toggle(self, rule_id):\n"
        "        return redirect(request.form.get('next'))\n\n\n"
        "@app.route('/back')\n"
        "def back():\n"
        "    return redirect(request.args['back'])\n\n\n"
        "@app.route('/login')\n"
        "def login():\n"
        "    return render_template('login.html', next=request.args.get('next'))\n")
    code = code.replace("from flask import", "from flask_admin import expose\nfrom flask import")
    code = code.replace("import Flask, redirect, request", "import Flask, redirect, render_template, request")
    findings = {f.line: f for f in _findings(tmp_path, monkeypatch, "views.py", code) if f.rule_id == "SR107"}
    assert set(findings) == {10, 18, 23, 29, 34}
    # (a handler that answers POST only keeps its confidence where the project reads the same key from a link's
    # query string, as a login page keeping a link's ?next= in its form does: froide and rdmo, judged real; low
    # where nothing does: abilian's return_url, judged false)
    assert findings[29].confidence == Level.MEDIUM
    assert findings[23].confidence == Level.LOW
    assert "This handler answers POST requests only" in findings[23].explanation
    assert "This handler answers POST requests only" in findings[29].explanation
    assert "no code of this project reads `url` from a query string" in findings[23].explanation
    assert "reads `next`" not in findings[29].explanation
    # (a Flask app: Django's CSRF check is not this handler's; panel AR, marimo's Starlette login)
    assert "Django" not in findings[23].explanation and "Django" not in findings[29].explanation
    for line in (10, 18):
        assert findings[line].confidence == Level.LOW
        assert "made only for a submitted form, with a value the form sends" in findings[line].explanation
        assert "a link to this site can send" not in findings[line].explanation
    assert findings[34].confidence == Level.MEDIUM
    assert "a link to this site can send its users" in findings[34].explanation


def test_a_post_route_a_get_route_also_calls_is_not_said_to_answer_post_only(tmp_path, monkeypatch):
    # (the OWASP Benchmark's layout: the GET route's handler returns the POST route's)
    code = ("from flask import Flask, redirect, request\n\n"
            "app = Flask(__name__)\n\n\n"
            "@app.route('/go', methods=['GET'])\n"
            "def go_get():\n"
            "    return go_post()\n\n\n"
            "@app.route('/go', methods=['POST'])\n"
            "def go_post():\n"
            "    return redirect(request.form.get('target'))\n")
    found = {f.line: f for f in _findings(tmp_path, monkeypatch, "views.py", code, select=("SR107",))}
    assert found[13].confidence == Level.MEDIUM
    assert "answers POST requests only" not in found[13].explanation


def test_post_only_redirect_names_djangos_csrf_check_in_django_views_only(tmp_path, monkeypatch):
    code = ("from django.shortcuts import redirect\n"
            "from django.views.decorators.http import require_POST\n\n\n"
            "@require_POST\n"
            "def leave(request):\n"
            "    return redirect(request.POST['next'])\n")
    found = _explanations("SR107", _findings(tmp_path, monkeypatch, "views.py", code))
    assert "This handler answers POST requests only" in found[7]
    assert "(Django's is on by default)" in found[7]


def test_debug_mode_in_a_development_factory_is_low_and_says_so(tmp_path, monkeypatch):
    # (panel AS: reactpy's create_development_app(), which only its development server calls, judged false twice)
    code = ("from fastapi import FastAPI\n"
            "from starlette.applications import Starlette\n\n\n"
            "def create_development_app():\n"
            "    return Starlette(debug=True)\n\n\n"
            "def create_app():\n"
            "    return FastAPI(debug=True)\n")
    found = {f.line: f for f in _findings(tmp_path, monkeypatch, "backend.py", code, select=("SR402",))}
    assert found[6].confidence == Level.LOW
    assert "`create_development_app()`, which its name says makes a development application" in found[6].explanation
    assert found[10].confidence == Level.HIGH
    assert "development application" not in found[10].explanation


def test_plain_ftp_chosen_against_ftps_by_configuration_is_low(tmp_path, monkeypatch):
    # (panel AS: django-storages' FTP backend opens FTP_TLS for an ftps:// location, FTP for an ftp:// one)
    code = ("import ftplib\n\n\n"
            "def connect(config):\n"
            "    ftp = ftplib.FTP_TLS() if config['secure'] else ftplib.FTP()\n"
            "    ftp.login(config['user'], config['passwd'])\n"
            "    return ftp\n\n\n"
            "def connect_plain(config):\n"
            "    ftp = ftplib.FTP()\n"
            "    ftp.login(config['user'], config['passwd'])\n"
            "    return ftp\n")
    found = {f.line: f for f in _findings(tmp_path, monkeypatch, "storage.py", code, select=("SR306",))}
    assert found[5].confidence == Level.LOW
    assert "where `connect()` also opens `FTP_TLS`" in found[5].explanation
    assert found[11].confidence == Level.HIGH


def test_verification_turned_off_does_not_say_credentials_are_sent(tmp_path, monkeypatch):
    # (panel AM: four probes that send nothing were said to expose "credentials, tokens")
    code = (
        "import httpx\n\n\n"
        "async def probe(url):\n"
        "    async with httpx.AsyncClient(verify=False) as client:\n"
        "        return (await client.get(url)).status_code\n")
    by_line = _explanations("SR301", _findings(tmp_path, monkeypatch, "probe.py", code))
    assert set(by_line) == {5}
    assert "credentials" not in by_line[5]
    assert "read whatever the requests send and forge the responses" in by_line[5]


def test_an_existence_test_reached_by_a_path_says_only_what_it_tells(tmp_path, monkeypatch):
    # (panel AM: langbot's os.path.exists was said to tell a file's "type or size")
    code = (
        "import os\n\nfrom flask import Flask, request\n\napp = Flask(__name__)\n\n\n"
        "@app.route('/probe')\n"
        "def probe():\n"
        "    name = request.args['name']\n"
        "    found = os.path.exists(os.path.join('/srv', name))\n"
        "    folder = os.path.isdir(os.path.join('/srv', name))\n"
        "    return {'found': found, 'folder': folder, 'size': os.path.getsize(os.path.join('/srv', name))}\n")
    by_line = _explanations("SR105", _findings(tmp_path, monkeypatch, "probe.py", code))
    assert set(by_line) == {11, 12, 13}
    assert "learn whether files exist anywhere this process can" in by_line[11]
    assert "learn whether files exist and of what type anywhere" in by_line[12]
    assert "learn whether files exist and their size or times anywhere" in by_line[13]
    assert "type or size" not in " ".join(by_line.values())


def test_an_lxml_default_parser_is_said_to_resolve_external_entities_only_before_lxml_5(tmp_path, monkeypatch):
    # (lxml 5.0 resolves only internal entities by default: panel AM judged a pinned lxml 6.0.1's parse false)
    code = (
        "from flask import Flask, request\nfrom lxml import etree\n\napp = Flask(__name__)\n\n\n"
        "@app.route('/soap', methods=['POST'])\n"
        "def soap():\n"
        "    return etree.fromstring(request.data).tag\n")
    findings = [f for f in _findings(tmp_path, monkeypatch, "soap.py", code) if f.rule_id == "SR111"]
    assert [f.line for f in findings] == [9]
    assert findings[0].confidence == Level.MEDIUM
    assert "lxml before 5.0 resolves external entities" in findings[0].explanation
    assert "(5.0 and later resolve only internal ones)" in findings[0].explanation


def test_a_redirect_to_the_query_strings_value_after_a_login_form_stays_medium(tmp_path, monkeypatch):
    # (karaage's login: request.GET["next"] read, the form posted to that URL, then the redirect: real, panel AJ)
    code = (
        "from django.http import HttpResponseRedirect\n\n\n"
        "def login(request):\n"
        "    redirect_to = '/'\n"
        "    if 'next' in request.GET:\n"
        "        redirect_to = request.GET['next']\n"
        "    if request.POST:\n"
        "        return HttpResponseRedirect(redirect_to)\n"
        "    return HttpResponseRedirect('/login')\n")
    (tmp_path / "urls.py").write_text("from django.urls import path\n\nfrom views import login\n\n"
                                      "urlpatterns = [path('login/', login)]\n")
    findings = [f for f in _findings(tmp_path, monkeypatch, "views.py", code) if f.rule_id == "SR107"]
    assert [(f.line, f.confidence) for f in findings] == [(9, Level.MEDIUM)]
    assert "a link to this site can send its users" in findings[0].explanation


def test_a_form_branchs_redirect_stays_medium_where_the_handler_reads_the_query_string(tmp_path, monkeypatch):
    # (specter's settings: the GET branch renders request.args["next"] into the form the POST branch redirects to,
    # judged real on panel AG)
    code = (
        "from flask import Flask, redirect, render_template, request\n\n"
        "app = Flask(__name__)\n\n\n"
        "@app.route('/settings/auth', methods=['GET', 'POST'])\n"
        "def auth():\n"
        "    if request.method == 'POST':\n"
        "        if request.form.get('next'):\n"
        "            return redirect(request.form.get('next'))\n"
        "    return render_template('auth.html', next=request.args.get('next', ''))\n")
    findings = [f for f in _findings(tmp_path, monkeypatch, "settings.py", code) if f.rule_id == "SR107"]
    assert [(f.line, f.confidence) for f in findings] == [(10, Level.MEDIUM)]
    # (what it says is true of it too: a link reaches it through the form the handler fills from the query)
    assert "a link reaches it only where a page of this site copies the link's parameter" in findings[0].explanation
    assert "a link to this site can send" not in findings[0].explanation



def test_a_client_chosen_content_type_is_said_to_be_the_clients(tmp_path, monkeypatch):
    # (a body sent with the request's own type is HTML only when the client asks for it: said so, and the fix
    # says where the type should come from; a response of no given type is HTML as it stands)
    code = ("from flask import Flask, Response, request\n\napp = Flask(__name__)\n\n\n"
            "@app.route('/element')\n"
            "def element():\n"
            "    return Response(request.args['body'], mimetype=request.args['type'])\n\n\n"
            "@app.route('/page')\n"
            "def page():\n"
            "    return Response(request.args['body'])\n")
    found = {f.line: f for f in _findings(tmp_path, monkeypatch, "views.py", code) if f.rule_id == "SR106"}
    assert set(found) == {8, 13}
    assert "`mimetype` is taken from the request too, so the client can ask for text/html" in found[8].explanation
    assert "server's own list of non-HTML types" in found[8].fix
    assert "taken from the request" not in found[13].explanation and "non-HTML types" not in found[13].fix


def test_a_context_that_checks_nothing_is_one_finding_naming_both_lines(tmp_path, monkeypatch):
    code = ("import ssl\nimport urllib.request\n\n\n"
            "def fetch(url):\n"
            "    ctx = ssl.create_default_context()\n"
            "    ctx.check_hostname = False\n"
            "    ctx.verify_mode = ssl.CERT_NONE\n"
            "    return urllib.request.urlopen(url, context=ctx).read()\n\n\n"
            "def named(url):\n"
            "    ctx = ssl.create_default_context()\n"
            "    ctx.check_hostname = False\n"
            "    return urllib.request.urlopen(url, context=ctx).read()\n")
    found = _explanations("SR302", _findings(tmp_path, monkeypatch, "client.py", code))
    assert set(found) == {8, 14}
    assert "(and `ctx.check_hostname = False` on line 7 turns the host-name check off)" in found[8]
    assert "accept any certificate" not in found[14] and "on line" not in found[14]


def test_a_call_on_a_path_judged_never_taken_is_not_said_unresolved(tmp_path, monkeypatch):
    # (muxplex's probe, panel AN: its one caller returns early on a test the analysis read as always true, so
    # the call was resolved but not followed; "resolved no call" was untrue)
    code = ("import subprocess\n\nDISABLED = True\n\n\n"
            "def probe(version):\n"
            "    return subprocess.run('pip install pkg==' + version, shell=True)\n\n\n"
            "def ensure(version):\n"
            "    if DISABLED:\n"
            "        return None\n"
            "    return probe(version)\n")
    found = _explanations("SR101", _findings(tmp_path, monkeypatch, "setup_helper.py", code))
    assert set(found) == {7}
    assert "resolved no call" not in found[7]
    assert "followed no call of `probe()` outside test code" in found[7]
    assert "nor follow a call on a path it judged never taken" in found[7]


def test_an_apks_package_name_is_said_to_be_its_authors(tmp_path, monkeypatch):
    # (apkleaks' CVE-2021-21386: a guess through unreviewed code at low confidence before the parsers' model)
    findings = _findings(tmp_path, monkeypatch, "scan.py", (
        "import os\nfrom pyaxmlparser import APK\n\n\ndef decompile(path, out):\n"
        "    apk = APK(path)\n    os.system(\"jadx -d %s %s.dex\" % (out, apk.package))\n"), select=("SR101",))
    shell = [f for f in findings if f.rule_id == "SR101"]
    assert [(f.line, f.confidence) for f in shell] == [(7, Level.HIGH)]
    assert "data from the APK being analysed, chosen by the package's author, read by `APK(path)`" \
        in shell[0].explanation
    assert "not reviewed" not in shell[0].explanation


def test_a_name_after_the_servers_own_folder_is_said_to_climb_not_to_be_absolute(tmp_path, monkeypatch):
    # (panel AO's label-sleuth: ``static_folder + '/' + path`` was said to let an absolute path replace the folder)
    findings = _findings(tmp_path, monkeypatch, "app.py", (
        "import os\nfrom flask import Flask, request\n\napp = Flask(__name__)\n\n\n@app.route('/f')\ndef f():\n"
        "    return str(os.path.getsize(app.static_folder + '/' + request.args['p']))\n"), select=("SR105",))
    paths = [f for f in findings if f.rule_id == "SR105"]
    assert [f.line for f in paths] == [9]
    assert "An absolute path is ruled out, but `../` sequences in it reach" in paths[0].explanation
    assert "or an absolute path" not in paths[0].explanation


def test_an_invoke_tasks_options_are_said_to_be_the_command_lines(tmp_path, monkeypatch):
    # (panel AO's kotori: a packaging task's option was "a parameter no caller shows safe", at medium)
    findings = _findings(tmp_path, monkeypatch, "tasks.py", (
        "import os\nfrom invoke import task\n\n\ndef build(name, tag):\n"
        "    os.system(f'docker build -t {name}:{tag} .')\n\n\n@task\ndef qa(c, tag='latest'):\n"
        "    build('kotori', tag)\n"), select=("SR101",))
    shell = [f for f in findings if f.rule_id == "SR101"]
    assert [(f.line, f.confidence) for f in shell] == [(6, Level.LOW)]
    assert "a command-line option (parameter `tag` of command `qa()`)" in shell[0].explanation
    assert "Command-line and console input is chosen by whoever runs the program" in shell[0].explanation


def test_code_injection_names_no_payload_the_code_may_rule_out(tmp_path, monkeypatch):
    # (panel AO's django-sodar-core: ``eval(key.split('_')[2])`` was said to run ``__import__('os').system('id')``,
    # which the split at ``_`` cannot pass)
    findings = _findings(tmp_path, monkeypatch, "views.py", (
        "from flask import Flask, request\n\napp = Flask(__name__)\n\n\n@app.route('/f', methods=['POST'])\n"
        "def f():\n    for key in request.form:\n        cls = eval(key.split('_')[2])\n    return 'ok'\n"),
        select=("SR102",))
    code = [f for f in findings if f.rule_id == "SR102"]
    assert [f.line for f in code] == [9]
    assert "__import__" not in code[0].explanation and "can run any Python in this process" in code[0].explanation


def test_a_project_decorator_that_returns_invoke_task_makes_a_command(tmp_path, monkeypatch):
    # (panel AO's kotori registers its tasks through ``def task(f): return invoke.task(f)``)
    util = "import invoke\n\n\ndef task(f):\n    f.__annotations__ = {}\n    return invoke.task(f)\n\n\n" \
           "def logged(f):\n    print(f)\n    return f\n"
    tasks = "import os\nfrom util import task, logged\n\n\n@task\ndef qa(c, tag=None):\n" \
            "    os.system('docker build -t app:' + tag)\n\n\n@logged\ndef other(tag):\n" \
            "    os.system('docker build -t app:' + tag)\n"
    shell = {f.line: f for f in findings(tmp_path, monkeypatch, {"util.py": util, "tasks.py": tasks})}
    assert shell[7].confidence == Level.LOW and "a command-line option (parameter `tag` of command `qa()`)" \
        in shell[7].explanation
    assert shell[12].confidence == Level.MEDIUM and "command-line" not in shell[12].explanation


def test_an_interactive_shells_commands_are_said_to_be_typed_at_its_prompt(tmp_path, monkeypatch):
    # (panel AT's networking-lagopus: a ``cmd.Cmd`` operator shell's ``do_ping(line)`` was "a command built from
    # parameter `line`; no caller shown safe", at medium; the line is what its own user typed at its prompt)
    findings = _findings(tmp_path, monkeypatch, "lagosh.py", (
        "import cmd\nimport os\n\n\nclass Cmd(cmd.Cmd):\n    def do_shell(self, line):\n        os.system(line)\n\n\n"
        "class Configure(Cmd):\n    def do_ping(self, line):\n        host = line.split()[0]\n"
        "        os.system('ping ' + host)\n\n\nclass Pinger:\n    def ping(self, line):\n"
        "        os.system('ping ' + line)\n"), select=("SR101",))
    shell = {f.line: f for f in findings if f.rule_id == "SR101"}
    assert [(line, f.confidence) for line, f in sorted(shell.items())] == [
        (7, Level.LOW), (13, Level.LOW), (18, Level.MEDIUM)]
    assert "a line typed at the shell's prompt (parameter `line` of shell command `do_ping()`)" \
        in shell[13].explanation
    assert "command-line option" not in shell[13].explanation


def test_triple_des_given_one_key_three_times_is_said_to_be_single_des(tmp_path, monkeypatch):
    # (panel AT's scapy: ``TripleDES(key * 3)`` makes DES for old suites; "Triple DES ... Sweet32" was untrue of it)
    findings = _findings(tmp_path, monkeypatch, "suites.py", (
        "from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes\n\n\n"
        "def seal_one(key, iv):\n    return Cipher(algorithms.TripleDES(key * 3), modes.CBC(iv)).encryptor()\n\n\n"
        "def seal_two(key, iv):\n"
        "    return Cipher(algorithms.TripleDES(key + key + key), modes.CBC(iv)).encryptor()\n\n\n"
        "def seal_three(key, iv):\n    return Cipher(algorithms.TripleDES(key), modes.CBC(iv)).encryptor()\n"),
        select=("SR203",))
    by_line = {f.line: f.explanation for f in findings if f.rule_id == "SR203"}
    assert sorted(by_line) == [5, 9, 13]
    for line in (5, 9):
        assert "single DES" in by_line[line] and "56-bit key" in by_line[line] and "Sweet32" not in by_line[line]
        # (panel AM's qkvm, judged again: "brute-forced in hours on commodity hardware" overstated it, and "stored
        # secrets, tokens, messages" named what a challenge-response code does not protect)
        assert "within days" in by_line[line] and "in hours" not in by_line[line]
        assert "stored secrets" not in by_line[line] and "What this code encrypts with it" in by_line[line]
    assert "Triple DES" in by_line[13] and "Sweet32" in by_line[13]


def test_a_module_named_for_kerberos_crypto_rfc_speaks_kerberos(tmp_path, monkeypatch):
    # (panel AT's scapy ``libs/rfc3961.py``: the zero IV of Kerberos' basic encryption, a random confounder first,
    # is what RFC 3961 specifies; reported at low confidence and said so, as in a module named ``kerberos``)
    code = ("from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes\n\n\n"
            "def basic_encrypt(key, plaintext):\n"
            "    encryptor = Cipher(algorithms.AES(key), modes.CBC(b'\\0' * 16)).encryptor()\n"
            "    return encryptor.update(plaintext) + encryptor.finalize()\n")
    findings = _findings(tmp_path, monkeypatch, "rfc3961.py", code, select=("SR205",))
    static = [f for f in findings if f.rule_id == "SR205"]
    assert [(f.line, f.confidence) for f in static] == [(5, Level.LOW)]
    assert "Kerberos" in static[0].explanation


def test_a_redirect_to_djangos_request_post_says_a_link_cannot_set_it(tmp_path, monkeypatch):
    # (panel AT's django-rq: ``next_url = request.POST.get('next_url') or reverse(...)`` in a view that also answers
    # GET was "a link to this site can send its users" at medium; ``request.POST`` holds only a POST's form)
    findings = _findings(tmp_path, monkeypatch, "views.py", (
        "from django.shortcuts import redirect\nfrom django.urls import reverse\n\n\n"
        "def actions(request, queue_index):\n"
        "    next_url = request.POST.get('next_url') or reverse('jobs', args=[queue_index])\n"
        "    if request.method == 'POST' and request.POST.get('action', False):\n        pass\n"
        "    return redirect(next_url)\n\n\n"
        "def back(request):\n    return redirect(request.POST.get('next') or '/')\n\n\n"
        "def login(request):\n    if request.method == 'GET':\n        return show(request.GET.get('next'))\n"
        "    return redirect(request.GET.get('next', '/'))\n\n\ndef show(n):\n    return n\n"),
        select=("SR107",))
    by_line = {f.line: f for f in findings if f.rule_id == "SR107"}
    assert [(line, f.confidence) for line, f in sorted(by_line.items())] == [
        (9, Level.LOW), (13, Level.MEDIUM), (19, Level.MEDIUM)]
    assert "read from `request.POST`, which holds only the form of a POST request, so a link cannot set it" \
        in by_line[9].explanation and "a link to this site can send" not in by_line[9].explanation
    assert "a link to this site can send its users" in by_line[19].explanation


def test_a_logged_secret_is_said_to_be_kept_only_wherever_the_log_is(tmp_path, monkeypatch):
    # a command-line tool's log may reach only its user's terminal: "log files are kept" was judged untrue of
    # certipy's (panel AU); where the log is kept, the harm stands
    code = (
        "import logging\n"
        "\n"
        "\n"
        "def create_account(username, password):\n"
        "    logging.info(f'Created account {username!r} with password {password!r}')\n"
        "\n"
        "\n"
        "def helper(secret):\n"
        "    logging.debug('using %s', secret)\n"
    )
    found = _explanations("SR702", _findings(tmp_path, monkeypatch, "account.py", code, select=("SR702",)))
    assert found, found
    for explanation in found.values():
        assert "Log files and log collectors are kept" not in explanation
        assert "log files and log collectors are kept" not in explanation
        assert "wherever this log is kept (a file, the system journal, a log collector)" in explanation.lower()


def test_a_mac_compared_with_eq_is_said_to_leak_only_where_someone_times_the_answer(tmp_path, monkeypatch):
    # an offline check of a file's MAC answers no one who could time it: "by timing repeated attempts an
    # attacker can find a valid value" was judged untrue of pypykatz's DPAPI master-key check (panel AU)
    code = (
        "import hashlib\n"
        "import hmac\n"
        "\n"
        "\n"
        "def check(key, data, signature):\n"
        "    expected = hmac.new(key, data, hashlib.sha256).digest()\n"
        "    return expected == signature\n"
    )
    found = _explanations("SR208", _findings(tmp_path, monkeypatch, "mac.py", code, select=("SR208",)))
    assert list(found) == [7], found
    assert "where an attacker submits the value to check and times the answer" in found[7]
    assert "by timing repeated attempts an attacker can find" not in found[7]


_RENAMED_ONTO = '''import os
import tempfile


def backup(path):
    name = tempfile.mktemp(dir=os.path.dirname(path), prefix="backup.")
    os.rename(path, name)


def scratch():
    name = tempfile.mktemp()
    with open(name, "w") as f:
        f.write("data")
'''


def test_a_mktemp_name_only_renamed_onto_is_low_and_says_so(tmp_path, monkeypatch):
    # pdm's ``path.rename(tempfile.mktemp(...))`` was told "this code creates the file" (untrue, panel AV): a
    # rename replaces a planted symlink instead of writing through it
    by_line = {f.line: f for f in _findings(tmp_path, monkeypatch, code=_RENAMED_ONTO) if f.rule_id == "SR503"}
    assert by_line[6].confidence == Level.LOW
    assert "where a rename puts a file (line 7)" in by_line[6].explanation
    assert "creates the file" not in by_line[6].explanation
    assert by_line[11].confidence == Level.HIGH and "creates the file" in by_line[11].explanation


_LINK_CHECKER = '''import requests


def link_status(link, timeout=5, verify=False):
    response = requests.head(link, allow_redirects=False, timeout=timeout, verify=verify)
    return response.status_code


def fetch(url, token, verify=False):
    return requests.get(url, headers={"Authorization": token}, verify=verify).json()
'''


def test_a_verify_default_on_a_request_sending_only_its_url_is_low(tmp_path, monkeypatch):
    # seleniumbase's link checker: "read the credentials and tokens sent to it" judged untrue on panel AV, where
    # the request sends nothing but its URL
    by_line = {f.line: f for f in _findings(tmp_path, monkeypatch, code=_LINK_CHECKER) if f.rule_id == "SR307"}
    assert by_line[4].confidence == Level.LOW
    assert "sends nothing but its URL" in by_line[4].explanation and "credentials and" not in by_line[4].explanation
    assert by_line[9].confidence == Level.HIGH
    assert "credentials and tokens, where a caller sends them" in by_line[9].explanation


_RUNNER = '''import logging
import shutil
import subprocess

log = logging.getLogger(__name__)


def which(name):
    log.debug("Looking for %s", name)
    return shutil.which(name)


def run(command):
    log.debug("EXEC: [%s]", " ".join(command))
    return subprocess.run([which(command[0])] + command[1:], check=True)


def password_hash(password):
    return run(["openssl", "passwd", "-6", password])
'''


def test_a_list_item_read_by_its_position_is_that_item_only(tmp_path, monkeypatch):
    # the password is the list's fourth item: logged with the whole command line, never as the program's name (so
    # no "also reaches" the log of what ``command[0]`` found: kiwi's ``Command.run``, panel AW)
    logged = _explanations("SR702", _findings(tmp_path, monkeypatch, code=_RUNNER, select=("SR702",)))
    assert list(logged) == [14]
    assert "also reaches" not in logged[14]


_CHMOD_COMMANDS = '''import os


def share(sock_path, log_dir):
    os.system("sudo chmod 777 %s" % sock_path)
    os.system("sudo chmod -R 777 %s" % log_dir)
'''


def test_a_chmod_command_on_a_socket_is_about_connecting(tmp_path, monkeypatch):
    # networking-lagopus' vhost-user socket (panel AT): writing a socket's file is connecting to the service behind it
    by_line = _explanations("SR510", _findings(tmp_path, monkeypatch, code=_CHMOD_COMMANDS, select=("SR510",)))
    assert "connect to the socket" in by_line[5] and "contents" not in by_line[5]
    assert "a file's contents or a directory's entries" in by_line[6] and "socket" not in by_line[6]


def test_a_path_that_opens_no_file_is_not_said_to_read_or_write_one(tmp_path, monkeypatch):
    """``os.chdir``, ``os.readlink`` and ``os.statvfs`` of a request's path open no file: "read or write (as the
    file is opened) files" was untrue of them (butterfly's terminal folder, DLRN's promotion links); each says what
    it does instead. ``open`` keeps its words."""
    by_line = _explanations("SR105", _findings(tmp_path, monkeypatch, "paths.py", (
        "import os\n\nfrom flask import Flask, request\n\napp = Flask(__name__)\n\n\n"
        "@app.route('/cd')\ndef cd():\n    os.chdir(request.args['folder'])\n"
        "    target = os.readlink(request.args['link'])\n    usage = os.statvfs(request.args['mount'])\n"
        "    with open(request.args['name']) as f:\n        return f.read() + target + str(usage)\n")))
    assert "make folders the start of this process's relative paths" in by_line[10], by_line
    assert "read where links point" in by_line[11]
    assert "learn the size and use of file systems" in by_line[12]
    assert all("read or write" not in by_line[line] for line in (10, 11, 12))
    assert "the client can read files anywhere" in by_line[13]  # (open's default mode reads)


def test_a_file_opened_says_whether_it_is_read_or_written_by_its_mode(tmp_path, monkeypatch):
    """``open(cmdline, 'r')`` reads: "read or write (as the file is opened)" was judged untrue of diamond's
    memcached collector (held-out panel BC); a mode that writes says so, one not known says either."""
    by_line = _explanations("SR105", _findings(tmp_path, monkeypatch, "paths.py", (
        "from flask import Flask, request\n\napp = Flask(__name__)\n\n\n"
        "@app.route('/f')\ndef f():\n    mode = request.args['mode']\n"
        "    a = open('/srv/%s/cmdline' % request.args['pid'], 'r').read()\n"
        "    open('/srv/' + request.args['name'], mode='ab').write(b'x')\n"
        "    return a + open('/srv/' + request.args['other'], mode).read()\n")))
    assert "the client can read files anywhere" in by_line[9], by_line
    assert "the client can create or overwrite files anywhere" in by_line[10]
    assert "read or write (as the file is opened) files" in by_line[11]


def test_a_world_writable_folder_says_what_its_contents_become_only_as_a_condition(tmp_path, monkeypatch):
    # prusalink's pid folder (judged untrue on panel BA: "turning a script or configuration into code run", of a
    # folder holding only a process-id file)
    code = ("import os\n\n\n"
            "def start(pid_dir, cache_dir):\n"
            "    os.chmod(pid_dir, 0o777)\n"
            "    os.chmod(cache_dir, 0o777)\n")
    by_line = _explanations("SR502", _findings(tmp_path, monkeypatch, "daemon.py", code))
    assert set(by_line) == {5, 6}
    assert "a process-id file there can be replaced, so a stop or reload command that reads it signals" in by_line[5]
    assert "script" not in by_line[5]
    assert "where that is a script or a configuration, it becomes code or settings" in by_line[6]
    assert "turning a script" not in by_line[6]


def test_a_small_block_cipher_is_not_said_to_give_its_plaintext_away(tmp_path, monkeypatch):
    # edx-proctoring's 3DES of a short code (judged untrue on panel BA: Sweet32 needs gigabytes under one key)
    code = ("from Crypto.Cipher import DES, DES3\n\n\n"
            "def seal(key, data):\n"
            "    return DES3.new(key, DES3.MODE_CBC, iv=b'12345678').encrypt(data)\n\n\n"
            "def seal_old(key, data):\n"
            "    return DES.new(key, DES.MODE_CBC, iv=b'12345678').encrypt(data)\n")
    by_line = _explanations("SR203", _findings(tmp_path, monkeypatch, "seal.py", code))
    assert set(by_line) == {5, 9}
    assert "can be recovered" not in by_line[5]
    assert "Where one key encrypts that much data, someone who captures the ciphertext learns parts" in by_line[5]
    assert "can be recovered by someone who obtains the ciphertext" in by_line[9]
