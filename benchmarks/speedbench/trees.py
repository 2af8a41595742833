"""The trees the benchmark reviews: sdists downloaded with pip and unpacked, private copies, counting lines."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

from speedbench.common import fail


def default_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "secreview-bench")


def download_sdist(spec: str, cache_dir: str) -> str:
    """The sdist of ``spec`` ("name==version") in ``cache_dir``, downloaded with pip unless already there."""
    name, sep, version = spec.partition("==")
    if not sep or not name or not version:
        fail(f"--package wants NAME==VERSION, not {spec!r}")
    name_re = "[-_.]+".join(re.escape(part) for part in re.split(r"[-_.]+", name))
    stem = re.compile(rf"^{name_re}-{re.escape(version)}\.(tar\.gz|zip)$", re.IGNORECASE)

    def cached() -> str | None:
        hits = sorted(f for f in os.listdir(cache_dir) if stem.match(f)) if os.path.isdir(cache_dir) else []
        return os.path.join(cache_dir, hits[0]) if hits else None

    if (hit := cached()) is not None:
        return hit
    os.makedirs(cache_dir, exist_ok=True)
    argv = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", spec, "-d", cache_dir]
    print(f"downloading: {shlex.join(argv)}", file=sys.stderr)
    if subprocess.run(argv, check=False).returncode != 0 or (hit := cached()) is None:
        fail(f"could not download the sdist of {spec}; pass --sdist FILE or --tree DIR")
    return hit


def sha256_file(path: str) -> str:
    import hashlib  # here, not at the top: OpenSSL adds megabytes to this process (see the RSS floor)

    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _safe_name(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return not name.startswith(("/", "\\")) and ".." not in parts and ":" not in parts[0]


def unpack_sdist(sdist: str, cache_dir: str) -> str:
    """Unpack ``sdist`` under ``cache_dir`` (once; keyed by its hash) and return the source tree."""
    import tarfile
    import zipfile

    if not os.path.isfile(sdist):
        fail(f"no such sdist: {sdist}")
    key = sha256_file(sdist)[:16]
    dest = os.path.join(cache_dir, "src", key)
    if not os.path.isdir(dest):
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=f"{key}.", dir=os.path.dirname(dest))
        print(f"unpacking {sdist} into {dest}", file=sys.stderr)
        try:
            if zipfile.is_zipfile(sdist):
                with zipfile.ZipFile(sdist) as z:
                    if not all(_safe_name(n) for n in z.namelist()):
                        fail(f"{sdist}: unsafe member names")
                    z.extractall(tmp)
            else:
                with tarfile.open(sdist) as t:
                    if hasattr(tarfile, "data_filter"):
                        t.extractall(tmp, filter="data")
                    else:  # Python < 3.11.4: regular files and directories with safe names only
                        members = [m for m in t.getmembers() if (m.isfile() or m.isdir()) and _safe_name(m.name)]
                        t.extractall(tmp, members=members)
            os.rename(tmp, dest)
        except (OSError, tarfile.TarError, zipfile.BadZipFile) as err:
            shutil.rmtree(tmp, ignore_errors=True)
            fail(f"could not unpack {sdist}: {err}")
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    entries = os.listdir(dest)
    if len(entries) == 1 and os.path.isdir(os.path.join(dest, entries[0])):
        return os.path.join(dest, entries[0])  # the usual single top-level NAME-VERSION/ directory
    return dest


def count_python(tree: str) -> tuple[int, int]:
    """Number of ``.py`` files under ``tree`` and their lines (a last line without newline counts)."""
    files = lines = 0
    for root, dirs, names in os.walk(tree):
        dirs.sort()
        for name in sorted(names):
            if not name.endswith(".py"):
                continue
            path = os.path.join(root, name)
            if not os.path.isfile(path):
                continue
            with open(path, "rb") as f:
                data = f.read()
            files += 1
            lines += data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    return files, lines


def copy_tree(tree: str, dest: str) -> str:
    """A private copy of ``tree`` at ``dest``/<its name> (symbolic links copied as links)."""
    target = os.path.join(dest, os.path.basename(tree.rstrip(os.sep)) or "tree")
    shutil.copytree(tree, target, symlinks=True)
    return target


def dir_size(path: str) -> tuple[int, int]:
    """Regular files under ``path`` and their bytes (0, 0 when it does not exist)."""
    files = size = 0
    for root, _, names in os.walk(path):
        for name in names:
            try:
                st = os.lstat(os.path.join(root, name))
            except OSError:
                continue
            if not os.path.islink(os.path.join(root, name)):
                files += 1
                size += st.st_size
    return files, size
