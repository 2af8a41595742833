"""``ModelError``, apart from the models (``analysis.models``): the command line catches it around
loading models that a review answered from the cache never loads."""

from __future__ import annotations


class ModelError(ValueError):
    """A taint-model file that cannot be used; the message names the file and the problem."""
