"""Test-wide settings."""

import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def private_cache_directory(tmp_path_factory):
    """``secreview`` commands run by tests keep their cache in a temporary directory, not the user's."""
    os.environ["SECREVIEW_CACHE_DIR"] = str(tmp_path_factory.mktemp("secreview-cache"))
    yield
