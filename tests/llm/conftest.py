"""Fixtures of the model-pass tests: a fake endpoint, a small project, a clean environment."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fakellm import FakeLLM  # noqa: E402
from llmproject import APP, STORE  # noqa: E402


@pytest.fixture(autouse=True)
def no_user_llm_settings(monkeypatch, tmp_path_factory):
    """No endpoint from the developer's own environment or configuration file."""
    for name in ("SECREVIEW_LLM_BASE_URL", "SECREVIEW_LLM_MODEL", "SECREVIEW_LLM_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-config")))


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "proj"
    root.mkdir()
    (root / "app.py").write_text(APP)
    (root / "store.py").write_text(STORE)
    return root


@pytest.fixture
def fake():
    with FakeLLM() as server:
        yield server
