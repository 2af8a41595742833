"""Real-world sweep: run secreview over the sdists of the most downloaded pure-Python
packages (plus neutron and nova) and check that it never crashes and never loses a file.

    python benchmarks/sweep.py --count 50 --markdown docs/sweep.md

For each package it:

1. downloads the sdist with pip (``pip download --no-deps --no-binary NAME NAME==VERSION``;
   cached in ``~/.cache/secreview-sweep``), skipping packages that have no sdist or whose
   sdist holds native sources (C, C++, Cython, Rust, Go, Fortran): those are not pure Python;
2. unpacks it (tar ``data`` filter, zip members checked), never running anything in it;
3. lists, independently of secreview, the files a review must cover: ``*.py`` files and
   extension-less files with a Python shebang, outside the default excluded directories
   (an unpacked sdist is not a git work tree, so its ``.gitignore`` hides nothing);
4. runs ``secreview review . --format json --exit-zero --no-progress`` in the unpacked tree,
   as a subprocess with a timeout, and checks:

   * no crash: exit code 0, no traceback on stderr, a JSON document on stdout, no timeout;
   * no file silently skipped: ``files_reviewed`` plus the files named in ``problems`` as not
     reviewed equals the number of files listed in step 3, and every problem names a file or
     directory of the tree;
   * no internal error: a problem of kind ``internal-error`` is a failure of secreview,
     counted apart from the problems of the input (syntax errors, budget, size...).

The exit status is 1 when any check failed, else 0. Package candidates come from a
tab-separated list of (name, version, month, rank, summary) rows, sorted by rank
(``--packages``); ``--only NAME`` restricts the run to some of them.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import platform
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import time
import zipfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

DEFAULT_PACKAGES = "/work/.library/env/packages/pypi.tsv"
DEFAULT_CACHE = Path.home() / ".cache" / "secreview-sweep"
DEFAULT_EXTRA = ("/work/bench/neutron-29.0.0.tar.gz",)
NATIVE_SUFFIXES = (".c", ".cc", ".cpp", ".cxx", ".c++", ".pyx", ".rs", ".go", ".f", ".f90", ".cu", ".m", ".mm")
NATIVE_NAMES = ("Cargo.toml",)
# Kept in step with secreview.source.discover.DEFAULT_EXCLUDED_DIRS on purpose, but written
# out here: the sweep is an independent oracle of which files a review must cover.
EXCLUDED_DIRS = frozenset({".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", "__pycache__", "node_modules",
                           ".eggs", ".mypy_cache", ".pytest_cache"})
SHEBANG = re.compile(rb"\A#![^\n]*?\b(?:python|pypy)[0-9.]*\b")
NOT_BUILT = frozenset({"test", "tests", "testing", "doc", "docs", "example", "examples", "demo", "demos",
                       "benchmarks", "bench"})
"""Native sources under these directories are test data or samples, not extension modules."""
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip", ".tar")


@dataclass
class Package:
    name: str
    version: str  # "" = latest
    rank: int = 0
    archive: str = ""
    skipped: str = ""


@dataclass
class Outcome:
    name: str
    version: str
    files_expected: int = 0
    lines_expected: int = 0
    files_reviewed: int = 0
    lines_reviewed: int = 0
    findings: int = 0
    findings_by_rule: dict = field(default_factory=dict)
    problems_by_kind: dict = field(default_factory=dict)
    seconds: float = 0.0
    exit_code: int | None = None
    failures: list = field(default_factory=list)
    internal_errors: list = field(default_factory=list)


# --------------------------------------------------------------------- choosing and fetching


def candidates(list_path: str) -> list[Package]:
    rows = []
    with open(list_path, encoding="utf-8") as fh:
        next(fh, None)
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 4 or not cols[3].strip().isdigit():
                continue
            rows.append(Package(cols[0], cols[1].strip(), int(cols[3])))
    rows.sort(key=lambda p: p.rank)
    return rows


def _manifest(cache: Path) -> dict:
    path = cache / "manifest.json"
    if path.exists():
        return json.loads(path.read_text())
    return {}


def _save_manifest(cache: Path, manifest: dict) -> None:
    tmp = cache / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    tmp.replace(cache / "manifest.json")


def _archive_in(folder: Path) -> Path | None:
    if not folder.is_dir():
        return None
    for p in sorted(folder.iterdir()):
        if p.name.endswith(ARCHIVE_SUFFIXES):
            return p
    return None


def download(pkg: Package, cache: Path, manifest: dict, timeout: int) -> Package:
    """Fill ``pkg.archive`` or ``pkg.skipped`` (cached in the manifest)."""
    key = f"{pkg.name}=={pkg.version}" if pkg.version else pkg.name
    known = manifest.get(key)
    if known and not known.get("archive") and known.get("skipped", "").startswith("no sdist"):
        pkg.skipped = known["skipped"]
        return pkg
    folder = cache / "sdist" / key.replace("==", "-")
    archive = _archive_in(folder)
    if archive is None:
        folder.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", pkg.name,
               "--disable-pip-version-check", "-q", "-d", str(folder), key]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
            err = proc.stderr
        except subprocess.TimeoutExpired:
            err = f"pip download timed out after {timeout} s"
        archive = _archive_in(folder)
        if archive is None:
            lines = [ln.strip() for ln in err.strip().splitlines() if ln.strip()]
            useful = [ln for ln in lines if ln.startswith(("ERROR:", "error:", "ModuleNotFoundError", "subprocess"))
                      and "originates from a subprocess" not in ln] or lines
            pkg.skipped = "no sdist downloaded: " + (useful[0][:160] if useful else "pip failed")
    if archive is not None:
        pkg.archive = str(archive)
        native = native_sources(archive)
        if native:
            pkg.skipped = "not pure Python: " + native
        if not pkg.version:
            m = re.match(re.escape(pkg.name).replace(r"\-", "[-_.]") + r"-(.+?)(\.tar\.gz|\.zip|\.tgz|\.tar\.\w+)$",
                         archive.name, re.I)
            pkg.version = m.group(1) if m else ""
    manifest[key] = {"archive": pkg.archive, "skipped": pkg.skipped, "version": pkg.version}
    return pkg


def _members(archive: Path) -> list[str]:
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as zf:
            return zf.namelist()
    with tarfile.open(archive) as tf:
        return tf.getnames()


def native_sources(archive: Path) -> str:
    """A short description of the native sources in the sdist, or "" when it is pure Python."""
    try:
        names = _members(archive)
    except (OSError, tarfile.TarError, zipfile.BadZipFile) as exc:
        return f"unreadable archive ({exc})"
    native = [n for n in names if (n.lower().endswith(NATIVE_SUFFIXES) or n.rsplit("/", 1)[-1] in NATIVE_NAMES)
              and not NOT_BUILT.intersection(n.lower().split("/")[1:-1])]
    if not native:
        return ""
    return f"{native[0]}" + (f" and {len(native) - 1} more native sources" if len(native) > 1 else "")


def unpack(archive: Path, dest: Path) -> Path:
    """Unpack once into ``dest``; returns the tree's top directory. Nothing is run."""
    done = dest / ".sweep-unpacked"
    if not done.exists():
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        if archive.name.endswith(".zip"):
            with zipfile.ZipFile(archive) as zf:
                for name in zf.namelist():
                    target = (dest / name).resolve()
                    if not target.is_relative_to(dest.resolve()):
                        raise ValueError(f"{archive}: member {name!r} escapes the tree")
                zf.extractall(dest)
        else:
            with tarfile.open(archive) as tf:
                tf.extractall(dest, filter="data")
        done.write_text("")
    entries = [p for p in dest.iterdir() if p.name != ".sweep-unpacked"]
    return entries[0] if len(entries) == 1 and entries[0].is_dir() else dest


# --------------------------------------------------------------------- the oracle


def expected_files(top: Path) -> tuple[list[str], int]:
    """The files a review of ``top`` must cover (paths relative to it), and their line count.

    Written without secreview's code: ``os.walk`` without following links, the default
    excluded directories and ``*.egg-info``, ``*.py`` regular files and extension-less
    Python-shebang files. ``top`` is an unpacked sdist, not a git work tree, so a
    ``.gitignore`` in it hides nothing (as in Ruff).
    """
    out: list[str] = []
    lines = 0
    for root, dirs, files in os.walk(top):
        rel_root = os.path.relpath(root, top).replace(os.sep, "/")
        rel_root = "" if rel_root == "." else rel_root
        join = (lambda n, rel_root=rel_root: f"{rel_root}/{n}") if rel_root else (lambda n: n)
        dirs[:] = sorted(d for d in dirs if d not in EXCLUDED_DIRS and not d.endswith(".egg-info")
                         and not os.path.islink(os.path.join(root, d)))
        for name in sorted(files):
            path = os.path.join(root, name)
            st = os.lstat(path)
            if not stat.S_ISREG(st.st_mode):
                continue  # links and special files: secreview must name them in problems, checked apart
            is_py = name.endswith(".py")
            if not is_py:
                if "." in name.lstrip(".") or os.path.splitext(name)[1]:
                    continue
                with open(path, "rb") as fh:
                    if not SHEBANG.match(fh.read(256)):
                        continue
            out.append(join(name))
            with open(path, "rb") as fh:
                data = fh.read()
            lines += data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    return out, lines


def special_files(top: Path) -> list[str]:
    """``*.py`` names in the tree that are links or special files (secreview must name each in problems
    unless it follows it inside the tree)."""
    out = []
    for root, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if d not in EXCLUDED_DIRS and not d.endswith(".egg-info")]
        for name in files:
            path = os.path.join(root, name)
            if name.endswith(".py") and not stat.S_ISREG(os.lstat(path).st_mode):
                out.append(os.path.relpath(path, top).replace(os.sep, "/"))
    return out


# --------------------------------------------------------------------- running secreview


def review_tree(name: str, version: str, top: Path, command: list[str], timeout: int,
                extra_args: list[str]) -> Outcome:
    out = Outcome(name, version)
    expected, out.lines_expected = expected_files(top)
    out.files_expected = len(expected)
    cmd = command + ["review", ".", "--format", "json", "--exit-zero", "--no-progress", *extra_args]
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=top, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL,
                              env={**os.environ, "NO_COLOR": "1"})
    except subprocess.TimeoutExpired:
        out.seconds = time.perf_counter() - start
        out.failures.append(f"timed out after {timeout} s")
        return out
    out.seconds = time.perf_counter() - start
    out.exit_code = proc.returncode
    stderr = proc.stderr.decode("utf-8", errors="replace")
    if proc.returncode != 0:
        out.failures.append(f"exit code {proc.returncode}: {stderr.strip()[-400:]}")
    if "Traceback (most recent call last)" in stderr:
        out.failures.append("traceback on stderr: " + stderr.strip()[-600:])
    try:
        doc = json.loads(proc.stdout)
    except ValueError as exc:
        out.failures.append(f"no JSON report on stdout ({exc})")
        return out
    summary = doc["summary"]
    out.files_reviewed = summary["files_reviewed"]
    out.lines_reviewed = summary["lines_reviewed"]
    out.findings = len(doc["findings"])
    out.findings_by_rule = dict(sorted(Counter(f["rule_id"] for f in doc["findings"]).items()))
    problems = doc["problems"]
    out.problems_by_kind = dict(sorted(Counter(p["kind"] for p in problems).items()))
    for p in problems:
        if p["kind"] == "internal-error":
            out.internal_errors.append(f"{p['path']}: {p['message']}")
    expected_set = set(expected)
    not_reviewed = {p["path"] for p in problems if not p["reviewed"]}
    covered = out.files_reviewed + len(not_reviewed & expected_set)
    if covered != len(expected):
        missing = _diagnose(top, expected_set, not_reviewed)
        out.failures.append(f"{len(expected)} files to review, but {out.files_reviewed} reviewed and "
                            f"{len(not_reviewed & expected_set)} named as not reviewed"
                            + (f"; not covered: {missing}" if missing else ""))
    for path in sorted({p["path"] for p in problems}):
        if not (top / path).exists() and not os.path.lexists(top / path):
            out.failures.append(f"problem names {path!r}, which is not in the tree")
    for path in special_files(top):
        if path not in {p["path"] for p in problems} and path not in expected_set:
            # followed links inside the tree are reviewed under their own name: only flag
            # the ones whose target is not reviewed either
            target = os.path.relpath(os.path.realpath(top / path), top).replace(os.sep, "/")
            if target not in expected_set:
                out.failures.append(f"{path}: link or special file neither reviewed nor named in problems")
    return out


def _diagnose(top: Path, expected: set, not_reviewed: set) -> str:
    """Which expected files secreview's own discovery does not list (a hint for a count mismatch)."""
    try:
        from secreview.source.discover import discover
    except ImportError:
        return ""
    cwd = os.getcwd()
    try:
        os.chdir(top)
        cands, _ = discover(["."])
    finally:
        os.chdir(cwd)
    listed = {c.display for c in cands}
    missing = sorted(expected - listed - not_reviewed)
    extra = sorted(listed - expected)
    parts = []
    if missing:
        parts.append(", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else ""))
    if extra:
        parts.append("reviewed but not expected: " + ", ".join(extra[:10]))
    return "; ".join(parts)


# --------------------------------------------------------------------- reporting


def totals(outcomes: list[Outcome]) -> dict:
    kinds: Counter = Counter()
    rules: Counter = Counter()
    for o in outcomes:
        kinds.update(o.problems_by_kind)
        rules.update(o.findings_by_rule)
    return {
        "packages": len(outcomes),
        "files": sum(o.files_expected for o in outcomes),
        "files_reviewed": sum(o.files_reviewed for o in outcomes),
        "lines": sum(o.lines_reviewed for o in outcomes),
        "findings": sum(o.findings for o in outcomes),
        "findings_by_rule": dict(sorted(rules.items())),
        "problems_by_kind": dict(sorted(kinds.items())),
        "seconds": round(sum(o.seconds for o in outcomes), 1),
        "crashes_and_losses": sum(len(o.failures) for o in outcomes),
        "internal_errors": sum(len(o.internal_errors) for o in outcomes),
        "failed_packages": sorted(o.name for o in outcomes if o.failures or o.internal_errors),
    }


def markdown(outcomes: list[Outcome], skipped: list[Package], tot: dict, argv: list[str], wall: float) -> str:
    from secreview import __version__
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=Path(__file__).parent).stdout.strip() or "unknown"
    lines = [
        "# Real-world sweep",
        "",
        "secreview run over the sdists of the most downloaded pure-Python packages on PyPI, plus",
        "neutron and nova, checking that it never crashes, never hangs and never loses a file",
        "(`benchmarks/sweep.py`; what it checks is in its docstring).",
        "",
        "```sh",
        "python benchmarks/sweep.py " + " ".join(argv),
        "```",
        "",
        f"secreview {__version__} (commit {commit}), Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}.",
        "",
        "## Totals",
        "",
        "| | |",
        "|---|---|",
        f"| packages | {tot['packages']} |",
        f"| files to review (`.py` and Python scripts) | {tot['files']:,} |",
        f"| files reviewed | {tot['files_reviewed']:,} |",
        f"| lines reviewed | {tot['lines']:,} |",
        f"| findings | {tot['findings']:,} |",
        "| problems of the input | "
        + (", ".join(f"{k} {v}" for k, v in tot["problems_by_kind"].items() if k != "internal-error") or "none")
        + " |",
        f"| **crashes, hangs and lost files** | **{tot['crashes_and_losses']}** |",
        f"| **internal errors** | **{tot['internal_errors']}** |",
        f"| secreview time (sum of runs) | {tot['seconds']:.1f} s |",
        f"| sweep wall time (sdists already in the cache are not downloaded again) | {wall:.0f} s |",
        "",
        "Findings by rule: " + (", ".join(f"{k} {v}" for k, v in tot["findings_by_rule"].items()) or "none") + ".",
        "",
        "## Packages",
        "",
        "| package | version | files | lines | findings | problems | time (s) | result |",
        "|---|---|---:|---:|---:|---|---:|---|",
    ]
    for o in outcomes:
        probs = ", ".join(f"{k} {v}" for k, v in o.problems_by_kind.items()) or "—"
        result = "ok" if not (o.failures or o.internal_errors) else "**FAILED**"
        lines.append(f"| {o.name} | {o.version} | {o.files_expected:,} | {o.lines_reviewed:,} | {o.findings} | "
                     f"{probs} | {o.seconds:.1f} | {result} |")
    failed = [o for o in outcomes if o.failures or o.internal_errors]
    if failed:
        lines += ["", "## Failures", ""]
        for o in failed:
            for f in o.failures + [f"internal error: {e}" for e in o.internal_errors]:
                lines.append(f"- {o.name}: {f}")
    if skipped:
        lines += ["", "## Skipped candidates", "",
                  "Packages met in rank order whose sdist is not pure Python or could not be downloaded:", ""]
        for p in skipped:
            lines.append(f"- {p.name} {p.version}: {p.skipped}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=50, help="pure-Python packages to sweep (default 50)")
    ap.add_argument("--packages", default=DEFAULT_PACKAGES, help="TSV of name, version, month, rank, summary")
    ap.add_argument("--only", action="append", default=[], metavar="NAME", help="sweep only these packages")
    ap.add_argument("--extra", action="append", default=None, metavar="SDIST",
                    help=f"another sdist to sweep (default: {', '.join(DEFAULT_EXTRA)})")
    ap.add_argument("--pip-package", action="append", default=None, metavar="NAME[==VERSION]",
                    help="another package to download and sweep whatever its purity (default: nova)")
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--timeout", type=int, default=1200, help="seconds per secreview run (default 1200)")
    ap.add_argument("--download-timeout", type=int, default=600)
    ap.add_argument("--jobs", "-j", type=int, default=1, help="secreview runs at once (default 1)")
    ap.add_argument("--secreview", default=None, help="the secreview command (default: this Python -m secreview)")
    ap.add_argument("--args", default="", help="extra arguments for secreview review, e.g. '--analysis-budget 100000'")
    ap.add_argument("--download-only", action="store_true")
    ap.add_argument("--markdown", type=Path, help="write the results as markdown (docs/sweep.md)")
    ap.add_argument("--json", type=Path, help="write the per-package results as JSON")
    args = ap.parse_args(argv)
    wall = time.perf_counter()
    cache = args.cache.expanduser()
    cache.mkdir(parents=True, exist_ok=True)
    manifest = _manifest(cache)

    chosen: list[Package] = []
    skipped: list[Package] = []
    pool = candidates(args.packages)
    if args.only:
        wanted = {n.lower() for n in args.only}
        pool = [p for p in pool if p.name.lower() in wanted]
    for pkg in pool:
        if len(chosen) >= args.count:
            break
        download(pkg, cache, manifest, args.download_timeout)
        _save_manifest(cache, manifest)
        print(f"{pkg.rank:5} {pkg.name} {pkg.version}: {pkg.skipped or 'ok'}", file=sys.stderr, flush=True)
        (skipped if pkg.skipped else chosen).append(pkg)
    extra = args.extra if args.extra is not None else [e for e in DEFAULT_EXTRA if Path(e).exists()]
    extras = [Package(Path(a).name.split("-")[0], "", 0, a) for a in extra]
    for spec in (args.pip_package if args.pip_package is not None else (["nova"] if not args.only else [])):
        name, _, version = spec.partition("==")
        pkg = download(Package(name, version), cache, manifest, args.download_timeout)
        _save_manifest(cache, manifest)
        if pkg.archive:
            pkg.skipped = ""  # swept whatever its purity
            extras.append(pkg)
        else:
            skipped.append(pkg)
    for e in extras:
        if not e.version:
            m = re.search(r"-([0-9][^/]*?)(\.tar\.gz|\.zip|\.tgz|\.tar\.\w+)$", e.archive)
            e.version = m.group(1) if m else ""
    if args.download_only:
        return 0

    command = args.secreview.split() if args.secreview else [sys.executable, "-m", "secreview"]
    extra_args = args.args.split()
    work = []
    for pkg in chosen + extras:
        archive = Path(pkg.archive)
        top = unpack(archive, cache / "trees" / f"{pkg.name}-{pkg.version}")
        work.append((pkg, top))
    outcomes: list[Outcome] = []
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as ex:
        futs = [ex.submit(review_tree, pkg.name, pkg.version, top, command, args.timeout, extra_args)
                for pkg, top in work]
        for fut in futs:
            o = fut.result()
            outcomes.append(o)
            status = "ok" if not (o.failures or o.internal_errors) else "FAILED"
            print(f"{o.name} {o.version}: {o.files_expected} files, {o.lines_reviewed} lines, {o.findings} findings,"
                  f" problems {o.problems_by_kind}, {o.seconds:.1f} s: {status}", file=sys.stderr, flush=True)
            for f in o.failures + o.internal_errors:
                print(f"    {f}", file=sys.stderr)
    tot = totals(outcomes)
    wall = time.perf_counter() - wall
    print(json.dumps(tot, indent=1))
    if args.json:
        args.json.write_text(json.dumps({"totals": tot, "packages": [asdict(o) for o in outcomes],
                                         "skipped": [asdict(p) for p in skipped]}, indent=1) + "\n")
    if args.markdown:
        shown = sys.argv[1:] if argv is None else argv
        args.markdown.write_text(markdown(outcomes, skipped, tot, shown, wall))
    return 1 if tot["crashes_and_losses"] or tot["internal_errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
