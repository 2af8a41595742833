"""The pre-commit hook (``.pre-commit-hooks.yaml``) run by pre-commit itself, and the GitHub Action's file.

pre-commit installs a hook repository by cloning it at ``rev``, so the test
snapshots this checkout as it is now (committed or not: ``src/``,
``pyproject.toml``, ``README.md`` and the hooks file) into a temporary git
repository with one commit, and points a project's ``.pre-commit-config.yaml``
at it. pre-commit then builds its own virtual environment and installs
secreview there from the package index, as it does for a user.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")

CHECKOUT = Path(__file__).resolve().parents[1]
VULNERABLE = 'import os\n\n\ndef handler(cmd):\n    os.system("ls " + cmd)\n'
CLEAN = 'import os\n\n\ndef handler():\n    os.system("ls -l")\n'
GIT_ENV = {"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "T",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def test_hook_definition():
    (hook,) = yaml.safe_load((CHECKOUT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "secreview"
    assert hook["entry"] == "secreview review"
    assert hook["language"] == "python"
    assert hook["types"] == ["python"]
    assert hook["require_serial"] is True
    assert hook["args"][:2] == ["--format", "text"]


def test_action_definition():
    action = yaml.safe_load((CHECKOUT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert {"paths", "args"} <= set(action["inputs"])
    steps = action["runs"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("actions/setup-python@") for u in uses)
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    scripts = "\n".join(s.get("run", "") for s in steps)
    assert "github.action_path" in scripts or "GITHUB_ACTION_PATH" in scripts
    for option in ("--format sarif", "--output", "--exit-zero"):
        assert option in scripts
    # inputs reach the shell through the environment, never pasted into the script
    assert "${{ inputs." not in scripts


def snapshot_checkout(dest: Path) -> str:
    """This checkout's package as one commit in a new repository; the commit's sha."""
    listed = git(CHECKOUT, "ls-files", "--cached", "--others", "--exclude-standard", "-z").split("\0")
    wanted = [p for p in listed if p and (p.startswith("src/") or p in ("pyproject.toml", "README.md",
                                                                         ".pre-commit-hooks.yaml"))]
    for rel in wanted:
        source = CHECKOUT / rel
        if source.is_file() and "__pycache__" not in rel and ".egg-info" not in rel:
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "snapshot of the secreview checkout")
    return git(dest, "rev-parse", "HEAD").strip()


def test_pre_commit_runs_the_hook(tmp_path):
    pytest.importorskip("pre_commit")
    hook_repo = tmp_path / "secreview-hook"
    hook_repo.mkdir()
    sha = snapshot_checkout(hook_repo)
    project = tmp_path / "project"
    project.mkdir()
    git(project, "init", "-q")
    config = {"repos": [{"repo": str(hook_repo), "rev": sha, "hooks": [{"id": "secreview"}]}]}
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    (project / "vulnerable.py").write_text(VULNERABLE)
    (project / "clean.py").write_text(CLEAN)
    (project / "notes.txt").write_text("not python")
    git(project, "add", "-A")
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1"}
    env.pop("PRE_COMMIT_COLOR", None)

    def pre_commit(*files: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pre_commit", "run", "secreview", "--color", "never",
                               "--files", *files], cwd=project, env=env, capture_output=True, text=True,
                              timeout=900)

    failed = pre_commit("vulnerable.py", "notes.txt")
    output = failed.stdout + failed.stderr
    assert failed.returncode == 1, output
    assert "vulnerable.py:5" in output and "SR101" in output and "Failed" in output
    passed = pre_commit("clean.py", "notes.txt")
    output = passed.stdout + passed.stderr
    assert passed.returncode == 0, output
    assert "Passed" in output
