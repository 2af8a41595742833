"""The panel file (``--panel``, e.g. ``benchmarks/panels/speed.toml``): the trees a panel run reviews,
by PyPI name and version, the targets it checks, and the one-file change review it adds.

Format (TOML)::

    [targets]                            # all optional; these are the defaults
    empty-cache-vs-bandit = 0.25         # empty-cache wall time <= this x bandit's
    peak-memory-vs-bandit = 1.5          # peak memory of the largest process <= this x bandit's
    warm-seconds = 0.5                   # warm review of the unchanged tree
    change-review-warm-seconds = 1.0     # `secreview diff` of a one-file change, warm cache

    [change-review]                      # optional: benchmarks/change_review.py on one tree
    tree = "neutron"                     # a tree's name below
    file = "neutron/agent/linux/utils.py"
    repeat = 5

    [[tree]]
    name = "neutron"                     # as on PyPI
    version = "29.0.0"
    dir = "neutron-29.0.0"               # optional: the unpacked folder's name under --sdists

Nothing fetched is committed: the trees are found under ``--sdists DIR`` (an unpacked ``NAME-VERSION``
folder, or an sdist archive), else downloaded with pip into the benchmark's cache directory.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

DEFAULT_TARGETS = {
    "empty-cache-vs-bandit": 0.25,
    "peak-memory-vs-bandit": 1.5,
    "warm-seconds": 0.5,
    "change-review-warm-seconds": 1.0,
}


@dataclass(frozen=True)
class PanelTree:
    name: str
    version: str
    dir: str | None = None

    @property
    def spec(self) -> str:
        return f"{self.name}=={self.version}"

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"


@dataclass(frozen=True)
class ChangeReview:
    tree: str  # the name of one of the panel's trees
    file: str  # relative to that tree
    repeat: int = 5


@dataclass
class Panel:
    trees: list[PanelTree]
    targets: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_TARGETS))
    change_review: ChangeReview | None = None

    def tree(self, name: str) -> PanelTree | None:
        return next((t for t in self.trees if normalise(t.name) == normalise(name)), None)


def normalise(name: str) -> str:
    """A distribution name as PyPI compares them (PEP 503): ``ansible_core`` == ``Ansible-Core``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_panel(text: str, source: str = "<panel>") -> Panel:
    """The panel in ``text`` (TOML); ValueError naming ``source`` and what is wrong."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{source}: not TOML: {err}") from None
    unknown = set(data) - {"tree", "targets", "change-review"}
    if unknown:
        raise ValueError(f"{source}: unknown table(s) {', '.join(sorted(unknown))}")
    entries = data.get("tree")
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{source}: no [[tree]] entries")
    trees = []
    for i, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise ValueError(f"{source}: tree {i} is not a table")
        extra = set(entry) - {"name", "version", "dir"}
        if extra:
            raise ValueError(f"{source}: tree {i}: unknown key(s) {', '.join(sorted(extra))}")
        name, version, folder = entry.get("name"), entry.get("version"), entry.get("dir")
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
            raise ValueError(f"{source}: tree {i}: `name` must be a distribution name, not {name!r}")
        if not isinstance(version, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.+!_-]*", version):
            raise ValueError(f"{source}: tree {i} ({name}): `version` must be a version string, not {version!r}")
        if folder is not None and (not isinstance(folder, str) or not folder or "/" in folder or folder in (".", "..")):
            raise ValueError(f"{source}: tree {i} ({name}): `dir` must be a folder name, not {folder!r}")
        if any(normalise(t.name) == normalise(name) for t in trees):
            raise ValueError(f"{source}: tree {name} is listed twice")
        trees.append(PanelTree(name, version, folder))
    targets = dict(DEFAULT_TARGETS)
    given = data.get("targets", {})
    if not isinstance(given, dict):
        raise ValueError(f"{source}: [targets] must be a table")
    for key, value in given.items():
        if key not in DEFAULT_TARGETS:
            raise ValueError(f"{source}: unknown target {key!r} (known: {', '.join(DEFAULT_TARGETS)})")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ValueError(f"{source}: target {key} must be a positive number, not {value!r}")
        targets[key] = float(value)
    panel = Panel(trees, targets)
    change = data.get("change-review")
    if change is not None:
        if not isinstance(change, dict):
            raise ValueError(f"{source}: [change-review] must be a table")
        extra = set(change) - {"tree", "file", "repeat"}
        if extra:
            raise ValueError(f"{source}: [change-review]: unknown key(s) {', '.join(sorted(extra))}")
        tree, file, repeat = change.get("tree"), change.get("file"), change.get("repeat", 5)
        if not isinstance(tree, str) or panel.tree(tree) is None:
            raise ValueError(f"{source}: [change-review] tree {tree!r} is not one of the panel's trees")
        if not isinstance(file, str) or not file or os.path.isabs(file) or ".." in file.replace("\\", "/").split("/"):
            raise ValueError(f"{source}: [change-review] file must be a path relative to the tree, not {file!r}")
        if isinstance(repeat, bool) or not isinstance(repeat, int) or repeat < 1:
            raise ValueError(f"{source}: [change-review] repeat must be a positive integer, not {repeat!r}")
        panel.change_review = ChangeReview(panel.tree(tree).name, file, repeat)
    return panel


def load_panel(path: str) -> Panel:
    with open(path, encoding="utf-8") as f:
        return parse_panel(f.read(), path)


def find_tree(tree: PanelTree, sdists: str | None) -> tuple[str, str] | None:
    """Where ``tree`` is under ``sdists``: ("dir", an unpacked folder) or ("sdist", an archive); None if neither.

    A folder is ``tree.dir`` when given, else one named ``NAME-VERSION`` (names compared as PyPI does:
    ``ansible-core-2.21.5`` and ``ansible_core-2.21.5`` are the same); an archive is ``NAME-VERSION.tar.gz``
    or ``.zip`` with the name compared the same way.
    """
    if not sdists or not os.path.isdir(sdists):
        return None
    if tree.dir is not None:
        path = os.path.join(sdists, tree.dir)
        return ("dir", path) if os.path.isdir(path) else None
    want = normalise(f"{tree.name}-{tree.version}")
    entries = sorted(os.listdir(sdists))
    for entry in entries:
        path = os.path.join(sdists, entry)
        if os.path.isdir(path) and normalise(entry) == want:
            return "dir", path
    for entry in entries:
        path = os.path.join(sdists, entry)
        for suffix in (".tar.gz", ".zip"):
            if entry.lower().endswith(suffix) and os.path.isfile(path) and normalise(entry[: -len(suffix)]) == want:
                return "sdist", path
    return None
