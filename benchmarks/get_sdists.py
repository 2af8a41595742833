"""Fetch pinned PyPI sdists and unpack each as ``DEST/NAME-VERSION`` (the layout the benchmarks read).

Usage::

    python benchmarks/get_sdists.py DEST NAME==VERSION ...
    python benchmarks/get_sdists.py DEST --panel benchmarks/panels/precision.toml [--panel ...]

A panel file is any of ``benchmarks/panels/*.toml``: its ``[[project]]`` or ``[[tree]]`` tables give
``name`` and ``version``. The sdist's address comes from PyPI's simple index in its JSON form
(PEP 691, ``https://pypi.org/simple/NAME/``); ``pip download --no-binary`` is avoided because it
builds metadata, which is slow and runs the project's build code. Nothing fetched is committed.

The unpacked folder is named ``NAME-VERSION`` with NAME as the panel spells it, whatever the archive
calls its top folder (``openstack_heat-27.0.1`` is unpacked as ``openstack-heat-27.0.1``). A folder
that already exists is left alone. ``--archives`` keeps the archives instead (``benchmarks/fleet.py``
reads archives). Exit code 0 when every requested sdist is present afterwards, 1
otherwise (each failure is printed).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tarfile
import tempfile
import tomllib
import urllib.request
import zipfile
from pathlib import Path

SIMPLE_INDEX = "https://pypi.org/simple"
SDIST_SUFFIXES = (".tar.gz", ".zip", ".tar.bz2", ".tgz")


def panel_pins(path: str) -> list[tuple[str, str]]:
    """The (name, version) pairs of a panel file's ``[[project]]`` or ``[[tree]]`` tables."""
    with open(path, "rb") as f:
        data = tomllib.load(f)
    entries = data.get("project", []) + data.get("tree", [])
    return [(e["name"], str(e["version"])) for e in entries]


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def sdist_url(name: str, version: str, index: str = SIMPLE_INDEX) -> str:
    request = urllib.request.Request(f"{index}/{_normalise(name)}/",
                                     headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(request, timeout=60) as r:
        url = pick_sdist(json.load(r)["files"], name, version)
    if url is None:
        raise LookupError(f"{name}=={version} has no sdist on PyPI")
    return url


def pick_sdist(files: list[dict], name: str, version: str) -> str | None:
    """The address of the sdist of ``name==version`` among a PEP 691 project page's ``files``."""
    for file in files:
        stem = next((file["filename"][: -len(s)] for s in SDIST_SUFFIXES if file["filename"].endswith(s)), None)
        if stem and _normalise(stem) == _normalise(f"{name}-{version}"):
            return file["url"]
    return None


def _unpack(archive: Path, into: Path) -> None:
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as z:
            z.extractall(into)
    else:
        with tarfile.open(archive) as t:
            t.extractall(into, filter="data")


def fetch(name: str, version: str, dest: Path, keep_archive: bool = False, index: str = SIMPLE_INDEX) -> Path:
    url = sdist_url(name, version, index)
    if keep_archive:
        archive = dest / url.rsplit("/", 1)[-1]
        if not archive.is_file():
            with urllib.request.urlopen(url, timeout=300) as r, open(archive, "wb") as out:
                shutil.copyfileobj(r, out)
        return archive
    target = dest / f"{name}-{version}"
    if target.is_dir():
        return target
    with tempfile.TemporaryDirectory(dir=dest) as tmp:
        archive = Path(tmp) / url.rsplit("/", 1)[-1]
        with urllib.request.urlopen(url, timeout=300) as r, open(archive, "wb") as out:
            shutil.copyfileobj(r, out)
        unpacked = Path(tmp) / "unpacked"
        _unpack(archive, unpacked)
        tops = list(unpacked.iterdir())
        shutil.move(str(tops[0] if len(tops) == 1 and tops[0].is_dir() else unpacked), target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("pins", nargs="*", metavar="NAME==VERSION")
    parser.add_argument("--panel", action="append", default=[], help="a panel file (repeatable)")
    parser.add_argument("--archives", action="store_true",
                        help="keep the sdist archives in DEST, unpacked nowhere (benchmarks/fleet.py reads those)")
    args = parser.parse_intermixed_args(argv)
    pins = [tuple(p.split("==", 1)) for p in args.pins]
    for panel in args.panel:
        pins += panel_pins(panel)
    args.dest.mkdir(parents=True, exist_ok=True)
    failed = 0
    for name, version in dict.fromkeys(pins):
        try:
            print(fetch(name, version, args.dest, args.archives))
        except Exception as e:  # one missing sdist must not stop the rest
            print(f"{name}=={version}: {e}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
