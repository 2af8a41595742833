"""Nothing is sent unless the user configures it; the reviewed tree can lower caps, nothing else."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from fakellm import answer, user_message

from secreview.cli import main
from secreview.llm.caps import Caps, CapsError, combine, parse_caps
from secreview.llm.settings import SettingsError, public_url, resolve


def review(capsys, project, *args):
    code = main(["review", str(project), "--format", "json", "--no-cache", "--jobs", "1", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_nothing_is_sent_without_user_configuration(capsys, project, fake):
    (project / "pyproject.toml").write_text("[tool.secreview.llm]\nmax-requests = 3\n")
    code, out, _ = review(capsys, project)
    assert fake.requests == [] and "llm" not in json.loads(out)


def test_the_environment_turns_it_on_and_the_key_goes_only_in_the_header(capsys, project, fake, monkeypatch):
    monkeypatch.setenv("SECREVIEW_LLM_BASE_URL", fake.base_url)
    monkeypatch.setenv("SECREVIEW_LLM_MODEL", "env-model")
    monkeypatch.setenv("SECREVIEW_LLM_API_KEY", "sk-test-123")
    code, out, _ = review(capsys, project)
    doc = json.loads(out)
    assert fake.requests and doc["llm"]["model"] == "env-model"
    assert all(h.get("Authorization") == "Bearer sk-test-123" for h in fake.headers)
    assert set(fake.paths) == {"/v1/chat/completions"}
    assert "sk-test-123" not in out and "sk-test-123" not in json.dumps(fake.requests)
    before = len(fake.requests)
    review(capsys, project, "--no-llm")
    assert len(fake.requests) == before


def test_the_users_configuration_file_turns_it_on(capsys, project, fake, monkeypatch, tmp_path):
    home = tmp_path / "xdg"
    (home / "secreview").mkdir(parents=True)
    (home / "secreview" / "config.toml").write_text(
        f'[llm]\nbase-url = "{fake.base_url}"\nmodel = "file-model"\nmax-requests = 2\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    doc = json.loads(review(capsys, project)[1])
    assert doc["llm"]["model"] == "file-model" and len(fake.requests) == 2


@pytest.mark.parametrize("key", ["base-url", "model", "api-key", "url"])
def test_the_reviewed_project_cannot_set_the_endpoint_or_the_key(capsys, project, fake, key):
    (project / "pyproject.toml").write_text(f'[tool.secreview.llm]\n{key} = "http://127.0.0.1:1/v1"\n')
    code, out, err = review(capsys, project, "--llm-base-url", fake.base_url, "--llm-model", "m")
    assert code == 2 and "cannot be set by the reviewed project" in err
    assert fake.requests == []


def test_the_reviewed_project_can_lower_caps_but_not_raise_them(capsys, project, fake, monkeypatch, tmp_path):
    (project / "pyproject.toml").write_text("[tool.secreview.llm]\nmax-requests = 1\n")
    doc = json.loads(review(capsys, project, "--llm-base-url", fake.base_url, "--llm-model", "m")[1])
    assert len(fake.requests) == 1 and doc["llm"]["not_reviewed"]
    home = tmp_path / "xdg"
    (home / "secreview").mkdir(parents=True)
    (home / "secreview" / "config.toml").write_text("[llm]\nmax-requests = 2\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    (project / "pyproject.toml").write_text("[tool.secreview.llm]\nmax-requests = 1000\n")
    review(capsys, project, "--llm-base-url", fake.base_url, "--llm-model", "m")
    assert len(fake.requests) == 1 + 2


def test_caps_combine():
    assert combine({}, {"max_requests": 5}, {}).max_requests == 5
    assert combine({"max_requests": 4}, {"max_requests": 5}, {}).max_requests == 4
    assert combine({"max_requests": 4}, {"max_requests": 3}, {"max_requests": 9}).max_requests == 9
    assert combine({}, {}, {}) == Caps()
    with pytest.raises(CapsError):
        parse_caps({"max-requests": 0}, "t")
    with pytest.raises(CapsError):
        parse_caps({"max-requests": True}, "t")
    with pytest.raises(CapsError):
        parse_caps({"maxrequests": 3}, "t")


def test_usage_errors_exit_2(capsys, project, fake, monkeypatch):
    assert review(capsys, project, "--llm-model", "m")[0] == 2
    assert review(capsys, project, "--llm-base-url", fake.base_url)[0] == 2
    assert review(capsys, project, "--llm-base-url", "file:///etc/passwd", "--llm-model", "m")[0] == 2
    with pytest.raises(SystemExit) as exited:
        review(capsys, project, "--llm-base-url", fake.base_url, "--llm-model", "m", "--llm-max-requests", "0")
    assert exited.value.code == 2
    monkeypatch.setitem(sys.modules, "httpx", None)  # the llm extra is not installed
    code, _, err = review(capsys, project, "--llm-base-url", fake.base_url, "--llm-model", "m")
    assert code == 2 and "pip install 'secreview[llm]'" in err
    assert fake.requests == []


def test_the_endpoint_shown_has_no_credentials():
    assert public_url("https://user:pw@example.test:8443/v1?api-version=1&key=x") == "https://example.test:8443/v1"
    settings = resolve(base_url="http://u:p@127.0.0.1:1/v1", model="m", environ={"HOME": "/nonexistent"})
    assert settings.endpoint == "http://127.0.0.1:1/v1" and "p@" not in repr(settings)
    with pytest.raises(SettingsError):
        resolve(base_url="ftp://x/v1", model="m", environ={"HOME": "/nonexistent"})
    assert resolve(environ={"HOME": "/nonexistent"}) is None


def test_diff_sends_the_commit_message_and_the_changed_functions_only(capsys, project, fake, monkeypatch):
    def git(*args):
        subprocess.run(["git", *args], cwd=project, check=True, capture_output=True)
    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@t", "add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base")
    text = (project / "app.py").read_text().replace("    db.delete(port)\n", "    db.delete(port)\n    db.flush()\n")
    (project / "app.py").write_text(text)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "Delete ports at once\n\nNo waiting.")
    monkeypatch.chdir(project)
    fake.script = lambda request: answer()
    code = main(["diff", "HEAD~1..HEAD", "--format", "json", "--no-cache", "--jobs", "1",
                 "--llm-base-url", fake.base_url, "--llm-model", "m"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["llm"]["functions"] == 1 and len(fake.requests) == 1
    sent = user_message(fake.requests[0])
    assert "Function under review: delete_port," in sent
    assert "> Delete ports at once" in sent and "Lines changed in this function:" in sent
