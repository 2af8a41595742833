"""Test-wide settings."""

import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def private_cache_directory(tmp_path_factory):
    """``secreview`` commands run by tests keep their cache in a temporary directory, not the user's."""
    os.environ["SECREVIEW_CACHE_DIR"] = str(tmp_path_factory.mktemp("secreview-cache"))
    yield


@pytest.fixture
def analysed(monkeypatch):
    """The names of the modules analysed, wave after wave: those a Program starts with,
    then those it adopts."""
    owned: list = []
    from secreview.analysis.program import Program

    original, original_adopt = Program.first_pass, Program.adopt

    def first_pass(self, bodies_only=False, modules=None):
        if not bodies_only and modules is None:  # with modules: called by adopt, recorded there
            owned.append(sorted(self.owned_names()))
        return original(self, bodies_only, modules)

    def adopt(self, modules):
        owned.append(sorted(m.name for m in modules))
        return original_adopt(self, modules)

    monkeypatch.setattr(Program, "first_pass", first_pass)
    monkeypatch.setattr(Program, "adopt", adopt)
    return owned
