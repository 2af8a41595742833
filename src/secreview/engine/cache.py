"""The review cache: per-file results keyed by content, on disk.

Layout under the cache directory (``--cache-dir``, ``$SECREVIEW_CACHE_DIR``,
``$XDG_CACHE_HOME/secreview`` or ``~/.cache/secreview``)::

    v1/<salt>/packs/<id>            per-file results (stub, summaries, findings, reads),
                                    by file key, stored together by one process of one review
    v1/<salt>/index/<id>            the file keys in that pack (beyond ``MAX_PACKS`` packs, the
                                    next incremental review rewrites the entries it used as one)
    v1/<salt>/results/<key>         a whole review's result, by the keys of its files
    v1/<salt>/targets/<key>         the last review of the same paths: which key each had
    rules-v1/<code>                 what a review answered from the cache needs of the rules
                                    (``rule_catalog``), by secreview's own code
    models-v1/<code>                the built-in taint models, loaded (``cached_models``), by
                                    secreview's own code
    models-fingerprint-v1/<code>    their fingerprint (``KeptModels``), by secreview's own code
    files-v1/<key>                  what reviews of the same paths read of each file, by its stat
                                    (``source.known_files``), by secreview's own code, the Python
                                    version, the kind of review (review, diff) and the paths

The *salt* changes with secreview's own code, the Python version, the rules
enabled, the taint models and the configuration, so a cache never outlives what
produced it. A file's key is the hash of the salt, its path, module name and the hash of its text.
Every write goes to a temporary file renamed into place, so concurrent reviews
never see half a file; an entry that cannot be read is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import time
from functools import cache
from pathlib import Path
from typing import Any

from secreview.engine.atomic import atomic_write

FORMAT = "v1"
MAX_PACKS = 12


def default_cache_dir() -> Path:
    explicit = os.environ.get("SECREVIEW_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "secreview"


@cache
def code_fingerprint() -> str:
    """secreview's own source: a new version, or any edit, starts a new cache. Its files' contents,
    each after its path in the package, in the order of their paths' parts (as sorted ``Path``
    objects are), walked with ``os.walk`` and read with ``open`` (Path objects for 250 files cost
    more than hashing them)."""
    import secreview
    top = os.path.dirname(os.path.abspath(secreview.__file__))
    found = []
    for folder, _, names in os.walk(top, followlinks=True):  # (as rglob follows links to folders)
        rel = os.path.relpath(folder, top)
        parts = () if rel == os.curdir else tuple(rel.split(os.sep))
        for name in names:
            dot = name.rfind(".")  # (the suffix as Path.suffix gives it)
            if 0 < dot < len(name) - 1 and name[dot:] in (".py", ".toml", ".json"):
                found.append((parts + (name,), os.path.join(folder, name)))
    digest = hashlib.sha256(secreview.__version__.encode())
    for parts, path in sorted(found):
        if os.path.isfile(path):
            with open(path, "rb") as handle:
                digest.update("/".join(parts).encode() + b"\0" + handle.read())
    return digest.hexdigest()


def salt_for(config, models, rules, budget: int) -> str:
    parts = [
        code_fingerprint(), f"{sys.version_info.major}.{sys.version_info.minor}", models.fingerprint(),
        ",".join(sorted(r.id for r in rules)), str(budget), repr(tuple(config.test_paths)),
        repr((config.tests_on_demand, sorted(config.named_tests))),
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:24]


def rule_catalog(directory: Path) -> tuple:
    """``RuleInfo`` of every rule, kept in the cache by secreview's own code (the rules are part
    of it): a review answered from the cache then never imports (compiles) the rule modules."""
    from secreview.rules.info import RuleInfo

    def make() -> tuple:
        from secreview.rules.registry import all_rules
        return tuple(RuleInfo.of(r) for r in all_rules())

    return _kept_by_code(directory, "rules", make,
                         lambda kept: isinstance(kept, tuple) and all(type(r) is RuleInfo for r in kept))


def cached_models(directory: Path, extra=()):
    """``load_models(extra)``; without ``extra`` model files, kept in the cache by secreview's own
    code (which holds the built-in models): parsing their TOML costs more than unpickling them.
    (Extra files are named by their path, which for a change review is a new scratch directory
    each time: they are loaded, not kept.)"""
    from secreview.analysis.models import ModelSet, load_models
    if extra:
        return load_models(extra)
    return _kept_by_code(directory, "models", load_models, lambda kept: type(kept) is ModelSet)


def kept_models(directory: Path, extra=()):
    """``cached_models(directory, extra)``, the built-in models as a ``KeptModels``: a review answered
    from the cache needs their fingerprint only (``salt_for``), and then neither imports
    ``analysis.models`` nor reads the models."""
    if extra:
        return cached_models(directory, extra)
    return KeptModels(directory)


class KeptModels:
    """The built-in taint models kept in the cache (``cached_models``): ``fingerprint()``, kept beside them
    by secreview's own code as they are, and ``load()``, the ``ModelSet``, read when first asked for."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._models = None

    def fingerprint(self) -> str:
        return _kept_by_code(self.directory, "models-fingerprint", lambda: self.load().fingerprint(),
                             lambda kept: type(kept) is str)

    def load(self):
        if self._models is None:
            self._models = cached_models(self.directory)
        return self._models


def loaded_models(models):
    """``models`` as a ``ModelSet`` (a ``KeptModels`` loaded)."""
    return models.load() if isinstance(models, KeptModels) else models


def known_files_path(directory: Path, paths, kind: str = "review") -> Path:
    """Where the records of the files a review of ``paths`` read are kept (``source.known_files``): by
    secreview's own code and the Python version (which decode the files), the kind of review (``review``,
    ``diff``: each lists other files of a tree, and would drop the other's records) and the paths, made
    absolute."""
    named = sorted(os.path.abspath(p) for p in paths if p != "-")
    key = hashlib.sha256("\0".join([code_fingerprint(), sys.version, kind, *named]).encode("utf-8", "surrogatepass"))
    return Path(directory) / f"files-{FORMAT}" / key.hexdigest()[:32]


def load_known_files(path: Path) -> dict | None:
    """The records kept at ``path`` (``known_files_path``); None when there are none that can be read."""
    kept = _read_quietly(path)
    return kept if isinstance(kept, dict) else None


def keep_known_files(path: Path, records: dict) -> None:
    _write_quietly(path, records)


def _kept_by_code(directory: Path, kind: str, make, valid):
    """``make()``, kept in the cache under secreview's own code fingerprint (beside FORMAT/,
    which holds salts only): read back when ``valid``, else made and written."""
    path = Path(directory) / f"{kind}-{FORMAT}" / code_fingerprint()[:24]
    kept = _read_quietly(path)
    if valid(kept):
        return kept
    kept = make()
    _write_quietly(path, kept)
    return kept


def _read_quietly(path: Path) -> Any | None:
    try:
        with open(path, "rb") as handle:
            return pickle.load(handle)
    except Exception:  # missing, truncated, another version's: made again
        return None


def _write_quietly(path: Path, value: Any) -> None:
    """Like ``ReviewCache.store``, saying nothing when it cannot: the review's cache will say it."""
    try:
        _atomic_write(path, lambda handle: pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass


def _atomic_write(path: Path, write) -> None:
    """``write(handle)`` into ``path``, whole or not at all, its folder made first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, write)


class ReviewCache:
    def __init__(self, directory: Path, salt: str):
        self.root = Path(directory) / FORMAT / salt
        self.salt = salt
        self.writable = True

    def file_key(self, display: str, module_name: str, is_package: bool, text: str | None, imports: str = "",
                 text_digest: bytes | None = None) -> str:
        """``imports``: a digest of how imports are resolved (``ImportResolver.digest``). ``text_digest``:
        the SHA-256 of ``text`` in UTF-8 when known (``SourceText.digest``); the key hashes that digest
        (``text`` is then not needed)."""
        digest = hashlib.sha256(f"{self.salt}\0{display}\0{module_name}\0{is_package}\0{imports}\0".encode("utf-8",
                                                                                                "surrogatepass"))
        if text_digest is None:
            text_digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
        digest.update(text_digest)
        return digest.hexdigest()

    def spill(self):
        """Where a process storing into this cache sets aside what it will store (``engine.spill``):
        an unnamed file beside the cache's own."""
        from secreview.engine.spill import Spill
        return Spill(self.root)

    def _path(self, kind: str, key: str) -> Path:
        return self.root / kind / key

    def store_files(self, entries) -> None:
        """Per-file results (``(file key, entry)`` pairs, produced one at a time) as one pack:
        one file to open, and never all entries in memory at once."""
        keys: list = []

        def write(handle) -> None:
            for key, entry in entries:  # one pickle each, one after the other
                pickle.dump((key, entry), handle, protocol=pickle.HIGHEST_PROTOCOL)
                keys.append(key)

        # named in the order written: the newest pack holds the newest entry of a key
        pack = f"pack-{time.time_ns():020d}-" + hashlib.sha256(os.urandom(16)).hexdigest()[:12]
        if self._write(self._path("packs", pack), write) and keys:
            self.store("index", pack, sorted(keys))  # after the pack: an index never names a missing pack

    def pack_names(self) -> list:
        try:
            return sorted(name for name in os.listdir(self.root / "index") if not name.startswith("."))
        except OSError:
            return []

    def compact(self, entries: dict, old_packs: list) -> None:
        """Rewrite ``entries`` (file key -> entry) as one pack and drop ``old_packs``: every
        incremental review adds a small pack, and reading many costs more than one. A review
        reading a dropped pack meanwhile finds misses, never wrong entries."""
        self.store_files(iter(sorted(entries.items())))
        if not self.writable:
            return
        for name in old_packs:
            for kind in ("index", "packs"):  # the index first: no index ever names a missing pack
                try:
                    os.unlink(self._path(kind, name))
                except OSError:
                    pass

    def load_files(self, keys) -> dict:
        """The cached entries of these file keys that exist (file key -> entry)."""
        wanted = set(keys)
        packs: dict = {}
        for name in reversed(self.pack_names()):  # newest first: a key stored again is found as stored last
            listed = self.load("index", name)
            for key in listed or ():
                if key in wanted:
                    packs.setdefault(name, []).append(key)
                    wanted.discard(key)
        found = {}
        for name, pack_keys in packs.items():
            wanted_here = set(pack_keys)
            try:
                with open(self._path("packs", name), "rb") as handle:
                    while wanted_here:
                        key, entry = pickle.load(handle)
                        if key in wanted_here:
                            found[key] = entry
                            wanted_here.discard(key)
            except Exception:  # missing, truncated, another version's: what was read stays, the rest are misses
                continue
        return found

    def load(self, kind: str, key: str) -> Any | None:
        return _read_quietly(self._path(kind, key))  # missing, truncated by a full disk, another version's: a miss

    def store(self, kind: str, key: str, value: Any) -> None:
        self._write(self._path(kind, key), lambda handle: pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL))

    def _write(self, path: Path, write) -> bool:
        """``write(handle)`` into a temporary file renamed to ``path``: readers never see half a
        file. A cache that cannot be written is said once, then left alone."""
        if not self.writable:
            return False
        try:
            _atomic_write(path, write)
        except OSError as exc:  # read-only or full: review without writing
            self.writable = False
            print(f"secreview: cannot write the cache in {self.root}: {exc.strerror or exc}; "
                  "reviewing without storing results", file=sys.stderr)
            return False
        return True


def run_key(file_keys) -> str:
    return hashlib.sha256("\n".join(sorted(file_keys)).encode()).hexdigest()


def target_key(sources) -> str:
    """The same paths reviewed again (whatever their content) share a target key."""
    return hashlib.sha256("\n".join(sorted(src.display for src, _, _ in sources)).encode("utf-8", "surrogatepass")
                          ).hexdigest()
