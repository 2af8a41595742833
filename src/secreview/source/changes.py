"""Change review: ``secreview diff``.

A change is reviewed the way a reviewer reads it: the whole tree after the
change is analysed (flows cross files), but only findings whose location, or
any step of whose trace, lies on a line the change touches are reported.

What is reviewed, by form of the command:

``secreview diff [BASE]``
    the working tree, against ``BASE`` (default ``HEAD``). Untracked files
    that git does not ignore count as added. Nothing is copied: the files are
    read where they are.
``secreview diff --staged [BASE]``
    the index, against ``BASE``.
``secreview diff A..B`` (and ``A...B``)
    the tree at ``B``, against ``A`` (``A...B``: against the merge base).
``secreview diff -``
    a unified diff or ``git format-patch`` series read from standard input,
    applied to the current tree (the enclosing git work tree, or the current
    directory): the files the patch touches are copied into a temporary
    directory and ``git apply`` patches the copies there, so that the user's
    files are never written.

Revisions (the index, ``B``) are materialised with plumbing: ``git ls-tree``
(``git ls-files --stage`` for the index) lists the blobs and
``git cat-file --batch`` writes the Python files and ``.gitignore`` files
into a temporary directory. Unlike ``git archive`` this honours no
``export-ignore`` attribute (a change could otherwise hide a file from its own
review), and unlike ``git worktree add`` or ``git checkout-index`` it neither
writes to the repository's administrative files nor runs checkout filters
(``git lfs`` smudge would go to the network). Nothing from the reviewed tree is
imported or run.

A change cannot switch the reviewer off: ``[tool.secreview]`` configuration
and the model files it names come from ``BASE`` (``git cat-file blob BASE:path``),
not from the change; for a patch on standard input, from the tree the patch
applies to. The files reviewed are the ones git tracks, whatever a
``.gitignore`` says, plus (in the working tree) untracked files git does not
ignore, so that a change cannot hide a file by ignoring it; only the base
configuration's ``exclude`` leaves files out. Suppression comments on lines the
change adds are listed as *added suppressions*, each with the findings it hides.

Lines the change touches are its added and modified lines (in the post-image)
and, for lines it deletes, the lines on either side of the deletion, so that a
change that only removes a sanitiser or a check is still reviewed.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
import subprocess
import tempfile
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from secreview.config import Config, ConfigError, config_from_table, load_config
from secreview.findings.model import FileProblem, Finding
from secreview.source.gather import LICENSE_FILES

if TYPE_CHECKING:
    from secreview.source.known_files import KnownFiles

GIT_TIMEOUT = 600


class ChangeError(Exception):
    """The change cannot be reviewed (not a repository, unknown revision, patch does not apply)."""


# --------------------------------------------------------------------------- git


def _git_env() -> dict:
    env = dict(os.environ)
    env["GIT_OPTIONAL_LOCKS"] = "0"  # git diff must not refresh (write) the user's index
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["LC_ALL"] = "C"
    env.pop("GIT_EXTERNAL_DIFF", None)
    return env


def git(args: list[str], cwd: Path | str, *, input: bytes | None = None, ok_codes=(0,),
        env: dict | None = None) -> bytes:
    """Run ``git args`` in ``cwd``; its stdout. Raises ``ChangeError`` with git's message."""
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True,
                              env=env or _git_env(), timeout=GIT_TIMEOUT)
    except FileNotFoundError:
        raise ChangeError("git is not installed (secreview diff needs it)") from None
    except subprocess.TimeoutExpired:
        raise ChangeError(f"git {args[0]} took longer than {GIT_TIMEOUT} s") from None
    if proc.returncode not in ok_codes:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        tail = "; ".join(line for line in message[-3:] if line) or f"exit status {proc.returncode}"
        raise ChangeError(f"git {args[0]}: {tail}")
    return proc.stdout


def repo_root(cwd: Path) -> Path:
    out = git(["rev-parse", "--show-toplevel"], cwd).decode("utf-8", "surrogateescape").strip()
    if not out:
        raise ChangeError("not inside a git work tree")
    return Path(out)


def resolve(rev: str, root: Path) -> str:
    if rev.startswith("-"):
        raise ChangeError(f"invalid revision {rev!r}")
    try:
        return git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], root).decode().strip()
    except ChangeError:
        raise ChangeError(f"unknown revision {rev!r}") from None


def short(sha: str, root: Path) -> str:
    return git(["rev-parse", "--short", sha], root).decode().strip()


def show_file(rev: str, path: str, root: Path) -> bytes | None:
    """The blob at ``rev:path``, or None when there is none."""
    try:
        return git(["cat-file", "blob", f"{rev}:{path}"], root)
    except ChangeError:
        return None


# --------------------------------------------------------------------------- changed lines


@dataclass
class FileChange:
    path: str
    """Post-image path, relative to the tree, forward slashes."""
    old_path: str | None
    """Pre-image path (None for an added file)."""
    added: set[int] = field(default_factory=set)
    """Added or modified lines of the post-image."""
    touched: set[int] = field(default_factory=set)
    """``added`` and the lines on either side of each deletion."""


_DIFF_OPTIONS = ["--no-color", "--no-ext-diff", "--no-textconv", "-U0", "-M", "--src-prefix=a/",
                 "--dst-prefix=b/", "--ignore-submodules=all"]


def parse_diff(text: str) -> dict[str, FileChange]:
    """Changed lines of each post-image file of a unified diff (``git diff`` output)."""
    from unidiff import PatchSet
    from unidiff.errors import UnidiffParseError

    try:
        patch = PatchSet(text)
    except UnidiffParseError as exc:
        raise ChangeError(f"cannot parse the diff: {exc}") from None
    changes: dict[str, FileChange] = {}
    for pf in patch:
        if pf.is_removed_file:
            continue
        target = _strip_prefix(pf.target_file, "b/")
        source = None if pf.is_added_file else _strip_prefix(pf.source_file, "a/")
        if target is None:
            continue
        change = changes.setdefault(target, FileChange(target, source))
        for hunk in pf:
            if hunk.target_length == 0:
                # a pure deletion after line target_start: both neighbours are touched
                for line in (hunk.target_start, hunk.target_start + 1):
                    if line >= 1:
                        change.touched.add(line)
            for line in hunk:
                if line.is_added and line.target_line_no:
                    change.added.add(line.target_line_no)
        change.touched |= change.added
    return changes


def _strip_prefix(name: str | None, prefix: str) -> str | None:
    if name is None or name == "/dev/null":
        return None
    name = name.split("\t", 1)[0]
    if name.startswith('"') and name.endswith('"'):
        name = _unquote_c(name[1:-1])
    if name.startswith(prefix):
        name = name[len(prefix):]
    return name


def _unquote_c(text: str) -> str:
    """Undo git's C-style quoting of a path (``core.quotePath``)."""
    raw = text.encode("latin-1", "backslashreplace")
    out = bytearray()
    i = 0
    simple = {ord("n"): 10, ord("t"): 9, ord('"'): 34, ord("\\"): 92, ord("a"): 7, ord("b"): 8,
              ord("f"): 12, ord("r"): 13, ord("v"): 11}
    while i < len(raw):
        c = raw[i]
        if c == 92 and i + 1 < len(raw):
            nxt = raw[i + 1]
            if nxt in simple:
                out.append(simple[nxt])
                i += 2
                continue
            if 48 <= nxt <= 55 and i + 4 <= len(raw) and all(48 <= d <= 55 for d in raw[i + 1:i + 4]):
                out.append(int(raw[i + 1:i + 4], 8) & 0xFF)
                i += 4
                continue
        out.append(c)
        i += 1
    return out.decode("utf-8", "surrogateescape")


def ranges(lines: set[int]) -> tuple[tuple[int, int], ...]:
    out: list[list[int]] = []
    for line in sorted(lines):
        if out and line == out[-1][1] + 1:
            out[-1][1] = line
        else:
            out.append([line, line])
    return tuple((a, b) for a, b in out)


def touches(finding: Finding, changed: dict[str, FileChange]) -> bool:
    """Whether the finding's location or any step of its trace is on a touched line."""
    change = changed.get(finding.path)
    if change is not None and any(line in change.touched
                                  for line in range(finding.span.line, finding.span.end_line + 1)):
        return True
    for step in finding.trace:
        change = changed.get(step.path)
        if change is not None and step.line in change.touched:
            return True
    return False


# --------------------------------------------------------------------------- materialising trees


def _wanted(path: str) -> bool:
    # (licence files: they tell a copy of another project, whose findings a review withholds)
    name = path.rsplit("/", 1)[-1]
    return name.endswith(".py") or name == ".gitignore" or "." not in name or name in LICENSE_FILES


def _safe_relpath(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return bool(parts) and not path.startswith("/") and ".." not in parts and ".git" not in parts


def write_blobs(entries: list[tuple[str, str]], root: Path, dest: Path) -> None:
    """Write blobs (sha, repo-relative path) under ``dest`` with ``git cat-file --batch``."""
    entries = [(sha, path) for sha, path in entries if _safe_relpath(path)]
    for start in range(0, len(entries), 2000):
        chunk = entries[start:start + 2000]
        out = git(["cat-file", "--batch"], root, input="".join(f"{sha}\n" for sha, _ in chunk).encode())
        pos = 0
        for _sha, path in chunk:
            end = out.index(b"\n", pos)
            header = out[pos:end].split()
            pos = end + 1
            if len(header) < 3 or header[1] != b"blob":
                continue
            size = int(header[2])
            data = out[pos:pos + size]
            pos += size + 1
            target = dest.joinpath(*PurePosixPath(path).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


def _split_z(out: bytes) -> list[str]:
    return [item.decode("utf-8", "surrogateescape") for item in out.split(b"\0") if item]


def materialise_rev(rev: str, root: Path, dest: Path) -> None:
    entries = []
    for item in _split_z(git(["ls-tree", "-r", "-z", "--full-tree", rev], root)):
        meta, _, path = item.partition("\t")
        mode, kind, sha = meta.split()
        if kind == "blob" and mode in ("100644", "100755") and _wanted(path):
            entries.append((sha, path))
    write_blobs(entries, root, dest)


def materialise_index(root: Path, dest: Path) -> None:
    entries = []
    for item in _split_z(git(["ls-files", "--stage", "-z"], root)):
        meta, _, path = item.partition("\t")
        mode, sha, stage = meta.split()
        if stage == "0" and mode in ("100644", "100755") and _wanted(path):
            entries.append((sha, path))
    write_blobs(entries, root, dest)


# --------------------------------------------------------------------------- configuration from the base


def base_config(rev: str, root: Path, cwd: Path, scratch: Path) -> Config:
    """``[tool.secreview]`` as it is at ``rev``: the nearest ``pyproject.toml`` with the
    table, from the current directory up to the top of the repository.

    The file and the model files it names are read with ``git cat-file`` into
    ``scratch`` (so that model paths resolve as they would in the tree at
    ``rev``); the returned configuration's ``root`` is the directory in
    ``scratch`` until ``rebase_config`` points it at the reviewed tree.
    """
    try:
        rel = PurePosixPath(Path(os.path.abspath(cwd)).relative_to(root).as_posix())
    except ValueError:
        rel = PurePosixPath(".")
    folders = [rel, *rel.parents] if str(rel) != "." else [PurePosixPath(".")]
    for folder in folders:
        name = "pyproject.toml" if str(folder) == "." else f"{folder}/pyproject.toml"
        data = show_file(rev, name, root)
        if data is None:
            continue
        where = f"{rev[:12]}:{name}"
        try:
            doc = tomllib.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{where}: invalid TOML: {exc}") from None
        tool = doc.get("tool")
        table = tool.get("secreview") if isinstance(tool, dict) else None
        if table is None:
            continue
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: 'tool.secreview' must be a table")
        local = scratch.joinpath(*folder.parts) / "pyproject.toml" if str(folder) != "." else scratch / "pyproject.toml"
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(data)
        models = table.get("models")
        if isinstance(models, list):
            for model in models:
                if not isinstance(model, str):
                    continue
                model_rel = os.path.normpath(os.path.join(str(folder), model)).replace(os.sep, "/")
                if model_rel.startswith("..") or os.path.isabs(model_rel):
                    continue  # config_from_table refuses it with its own message
                blob = show_file(rev, model_rel, root)
                if blob is not None:
                    target = scratch.joinpath(*PurePosixPath(model_rel).parts)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(blob)
        try:
            return config_from_table(table, local)
        except ConfigError as exc:
            raise ConfigError(str(exc).replace(str(local), where)) from None
    return Config()


def rebase_config(config: Config, scratch: Path, tree: Path) -> Config:
    """``config`` with its ``root`` moved from ``scratch`` to the same folder of ``tree``."""
    if config.root is None:
        return replace(config, root=tree)
    try:
        rel = Path(config.root).relative_to(scratch)
    except ValueError:
        return config
    return replace(config, root=tree / rel)


# --------------------------------------------------------------------------- the change


@dataclass
class Change:
    """A change ready to review: the tree after it, its changed lines and where it came from."""

    tree: Path
    """The post-image tree, as files on disk."""
    root: Path
    """The repository (or directory) the change belongs to; reported paths are relative to it."""
    target: str
    """How reports name the change."""
    files: dict[str, FileChange]
    pre_image: callable
    """``pre_image(FileChange) -> bytes | None``: the file before the change."""
    config: Config
    message: str | None = None
    overrides: dict[str, Path] = field(default_factory=dict)
    """Display path -> file to read instead of ``tree/path`` (patched copies)."""
    removed: set[str] = field(default_factory=set)
    """Display paths the change deletes (not reviewed)."""
    listing: list[str] | None = None
    """Every file of the post-image tree (paths relative to ``tree``), as git lists them:
    tracked files whatever a ``.gitignore`` says (a change cannot hide a file by ignoring
    it), plus untracked files git does not ignore. None: walk ``tree`` as ``review`` does."""


@contextlib.contextmanager
def open_change(spec: str | None, *, staged: bool = False, patch: bytes | None = None,
                cwd: Path | None = None, config_file: Path | None = None,
                message: str | None = None) -> Iterator[Change]:
    """The change named on the command line; temporary files live as long as the context.

    ``spec``: ``None`` (``HEAD``), a revision, ``A..B``, ``A...B`` or ``-`` (then
    ``patch`` holds the diff). ``config_file`` (``--config``) replaces the base
    configuration. Raises ``ChangeError`` and ``ConfigError``.
    """
    cwd = Path(cwd or os.getcwd())
    scratch = Path(tempfile.mkdtemp(prefix="secreview-diff-"))
    try:
        if spec == "-":
            if staged:
                raise ChangeError("--staged does not go with a patch on standard input")
            yield _patch_change(patch or b"", cwd, scratch, config_file, message)
        else:
            yield _git_change(spec or "HEAD", staged, cwd, scratch, config_file, message)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _explicit_or_base(config_file, rev, root, cwd, scratch, tree) -> Config:
    if config_file is not None:
        return load_config(tree, config_file)
    conf_scratch = scratch / "config"
    conf_scratch.mkdir()
    return rebase_config(base_config(rev, root, cwd, conf_scratch), conf_scratch, tree)


def _git_change(spec: str, staged: bool, cwd: Path, scratch: Path, config_file, message) -> Change:
    root = repo_root(cwd)
    if ".." in spec:
        if staged:
            raise ChangeError("--staged reviews the index; it does not go with a range")
        three = "..." in spec
        left, _, right = spec.partition("..." if three else "..")
        a = resolve(left or "HEAD", root)
        b = resolve(right or "HEAD", root)
        base = git(["merge-base", a, b], root).decode().strip() if three else a
        tree = scratch / "tree"
        tree.mkdir()
        materialise_rev(b, root, tree)
        diff = git(["diff", *_DIFF_OPTIONS, base, b, "--"], root)
        target = f"{short(a, root)}{'...' if three else '..'}{short(b, root)}"
        tip = b
        untracked: list[str] = []
    else:
        base = resolve(spec, root)
        if staged:
            tree = scratch / "tree"
            tree.mkdir()
            materialise_index(root, tree)
            diff = git(["diff", "--cached", *_DIFF_OPTIONS, base, "--"], root)
            target = f"changes from {spec} to the index"
            untracked = []
        else:
            tree = root
            diff = git(["diff", *_DIFF_OPTIONS, base, "--"], root)
            target = f"changes from {spec} to the working tree"
            # tracked and untracked files in one listing (one walk of the tree): -t tags the untracked "? "
            tagged = _split_z(git(["ls-files", "-t", "--cached", "--others", "--exclude-standard", "-z"], root))
            untracked = [item[2:] for item in tagged if item.startswith("? ")]
            listing = [item[2:] for item in tagged]
        tip = base if spec == "HEAD" else resolve("HEAD", root)
    files = parse_diff(diff.decode("utf-8", "surrogateescape"))
    if tree != root:
        listing = [Path(dirpath, name).relative_to(tree).as_posix()
                   for dirpath, _dirs, names in os.walk(tree) for name in names]
    for path in untracked:
        full = tree / path
        if _wanted(path) and full.is_file():
            n = _count_lines(full)
            files[path] = FileChange(path, None, set(range(1, n + 1)), set(range(1, n + 1)))
    if message is None:
        message = commit_messages(base, tip, root)
    config = _explicit_or_base(config_file, base, root, cwd, scratch, tree)

    def pre_image(change: FileChange) -> bytes | None:
        return show_file(base, change.old_path, root) if change.old_path else None

    return Change(tree=tree, root=root, target=target, files=files, pre_image=pre_image, config=config,
                  message=message, listing=listing)


def _count_lines(path: Path) -> int:
    try:
        data = path.read_bytes()
    except OSError:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)


def commit_messages(base: str, tip: str, root: Path, limit: int = 50) -> str | None:
    """The message of the one commit in ``base..tip``, or a list of the commits' subjects."""
    if base == tip:  # (the work tree against HEAD: no commit in between, and no git to ask)
        return None
    shas = git(["rev-list", f"--max-count={limit + 1}", f"{base}..{tip}"], root).decode().split()
    if not shas:
        return None
    if len(shas) == 1:
        text = git(["log", "-1", "--format=%B", shas[0]], root).decode("utf-8", "replace").strip()
        return text or None
    lines = git(["log", f"--max-count={limit}", "--format=%h %s", f"{base}..{tip}"], root).decode("utf-8", "replace")
    items = [f"- {line}" for line in lines.splitlines() if line.strip()]
    more = [f"- and more ({len(shas) - limit}+ further commits)"] if len(shas) > limit else []
    return f"{min(len(shas), limit)}{'+' if more else ''} commits:\n" + "\n".join(items + more)


# --------------------------------------------------------------------------- a patch on stdin

_SUBJECT_PREFIX = re.compile(r"^\s*(\[[^\]]*\]\s*)+")


def patch_message(patch: bytes) -> str | None:
    """The commit message(s) of ``git format-patch`` output; None for a plain diff."""
    import email  # here: only a patch on stdin needs it (importing email.policy costs ~10 ms)
    import email.policy

    text = patch.decode("utf-8", "replace")
    messages = []
    for part in re.split(r"(?m)^From [0-9a-f]{7,40} ", text):
        if "\nSubject:" not in "\n" + part and not part.startswith("Subject:"):
            continue
        head, _, _rest = part.partition("\ndiff --git ")
        msg = email.message_from_string(head.split("\n", 1)[1] if not head.startswith("Subject:") else head,
                                        policy=email.policy.default)
        subject = _SUBJECT_PREFIX.sub("", str(msg.get("Subject", ""))).strip()
        body = msg.get_payload() if not msg.is_multipart() else ""
        body = body if isinstance(body, str) else ""
        body = re.split(r"(?m)^---\s*$", body, maxsplit=1)[0].strip()
        messages.append(subject + ("\n\n" + body if body else ""))
    messages = [m for m in messages if m.strip()]
    if not messages:
        return None
    return "\n\n".join(messages)


def _patch_change(patch: bytes, cwd: Path, scratch: Path, config_file, message) -> Change:
    from unidiff import PatchSet
    from unidiff.errors import UnidiffParseError

    if not patch.strip():
        raise ChangeError("no patch on standard input")
    try:
        root = repo_root(cwd)
    except ChangeError:
        root = Path(os.path.abspath(cwd))
    text = patch.decode("utf-8", "surrogateescape")
    try:
        parsed = PatchSet(text)
    except UnidiffParseError as exc:
        raise ChangeError(f"cannot parse the patch: {exc}") from None
    if not len(parsed):
        raise ChangeError("standard input holds no unified diff")
    strip = 1 if all((pf.source_file in ("/dev/null",) or (pf.source_file or "").startswith("a/"))
                     and (pf.target_file in ("/dev/null",) or (pf.target_file or "").startswith("b/"))
                     for pf in parsed) else 0
    post = scratch / "post"
    post.mkdir()
    sources: dict[str, str] = {}
    targets: list[tuple[str, str | None]] = []
    removed: set[str] = set()
    for pf in parsed:
        src = _strip_n(pf.source_file, strip)
        dst = _strip_n(pf.target_file, strip)
        for path in (src, dst):
            if path is not None and not _safe_relpath(path):
                raise ChangeError(f"the patch names a path outside the tree: {path!r}")
        if src is not None:
            original = root / src
            if original.is_file() and src not in sources:
                target = post / src
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(original, target)
                sources[src] = src
        if dst is None:
            removed.add(src)
        else:
            targets.append((dst, src))
            if src is not None and src != dst and getattr(pf, "is_rename", True):
                removed.add(src)  # a rename: the old path is gone (a copy keeps it)
    env = _git_env()
    # git must not find a repository above the copy (the user's, or one around $TMPDIR):
    # outside any repository, git apply patches the files of its directory, like patch(1).
    env["GIT_CEILING_DIRECTORIES"] = str(scratch)
    git(["apply", f"-p{strip}", "--whitespace=nowarn", "-"], post, input=patch, env=env)
    files: dict[str, FileChange] = {}
    overrides: dict[str, Path] = {}
    for dst, src in targets:
        after = post / dst
        if not after.is_file():
            continue
        before = (root / src) if src is not None and (root / src).is_file() else None
        out = git(["diff", "--no-index", *_DIFF_OPTIONS, str(before) if before else "/dev/null", str(after)],
                  scratch, ok_codes=(0, 1), env=env)
        change = FileChange(dst, src)
        for fc in parse_diff(out.decode("utf-8", "surrogateescape")).values():
            change.added |= fc.added
            change.touched |= fc.touched
        files[dst] = change
        overrides[dst] = after
    removed -= set(overrides)
    config = load_config(root, config_file) if config_file is not None else load_config(root)
    if message is None:
        message = patch_message(patch)

    def pre_image(change: FileChange) -> bytes | None:
        if change.old_path is None:
            return None
        try:
            return (root / change.old_path).read_bytes()
        except OSError:
            return None

    try:
        listing = _split_z(git(["ls-files", "--cached", "--others", "--exclude-standard", "-z"], root))
    except ChangeError:
        listing = None  # not a repository: the directory is walked as by `review`
    return Change(tree=root, root=root, target="patch from standard input, applied to the current tree", files=files,
                  pre_image=pre_image, config=config, message=message, overrides=overrides, removed=removed,
                  listing=listing)


def _strip_n(name: str | None, n: int) -> str | None:
    if name is None or name == "/dev/null":
        return None
    name = name.split("\t", 1)[0]
    if name.startswith('"') and name.endswith('"'):
        name = _unquote_c(name[1:-1])
    parts = name.split("/")
    return "/".join(parts[n:]) if len(parts) > n else None


# --------------------------------------------------------------------------- reviewing it


def collect_sources(change: Change, *, include_ignored: bool = False, excluded: dict | None = None,
                    known: KnownFiles | None = None) -> tuple[list, list[FileProblem]]:
    """The files to review: the tree's Python files with the change's files forced in,
    patched copies read instead of the originals. Files left out by the default exclusions
    (unless ``include_ignored``) or the configured ``exclude`` are counted in ``excluded``
    (``findings.model.no_exclusions()``), one by one. With ``known``, a file of the tree
    whose ``stat`` it shows unchanged is not read (an ``UnreadSource``), and each file of the
    tree read is noted in it (patched copies are neither)."""
    from secreview.findings.model import no_exclusions
    from secreview.source.discover import NO_SOURCE_DIRS, OTHER_PROJECTS_DIRS, Candidate, discover, stat_identity
    from secreview.source.known_files import read_unless_known
    from secreview.source.module_names import ModuleNames
    from secreview.source.reading import read_source

    config = change.config
    tree = change.tree
    config_root = Path(config.root) if config.root is not None else tree
    exclude = None
    if config.exclude:
        from pathspec import GitIgnoreSpec
        exclude = GitIgnoreSpec.from_lines(list(config.exclude))

    def is_excluded(display: str) -> bool:
        if exclude is None:
            return False
        try:
            rel = (tree / display).relative_to(config_root).as_posix()
        except ValueError:
            return False
        return exclude.match_file(rel)

    paths: dict[str, Path] = {}
    identities: dict[str, tuple] = {}  # display -> what ``stat`` said of the file of the tree listed there
    problems: list[FileProblem] = []
    top = str(tree)
    if excluded is None:
        excluded = no_exclusions()
    if change.listing is None:
        candidates, problems = discover([str(tree)], excludes=config.exclude, root=config_root,
                                        include_ignored=include_ignored, excluded=excluded)
        for cand in candidates:
            try:
                display = Path(os.path.abspath(cand.path)).relative_to(tree).as_posix()
            except ValueError:
                display = cand.display
            paths[display] = Path(cand.path)
            identities[display] = cand.stat
        problems = [replace(p, path=_problem_display(p.path, tree)) for p in problems]
        for left_out in excluded.values():  # shown relative to the tree, as the files are
            left_out.examples = [_problem_display(e.rstrip("/"), tree) + e[len(e.rstrip("/")):]
                                 for e in left_out.examples]
    else:
        for display in change.listing:
            parts = display.split("/")[:-1]
            if any(part in NO_SOURCE_DIRS for part in parts):
                continue
            kind = None
            if not include_ignored and display not in change.files and \
                    any(part in OTHER_PROJECTS_DIRS or part.endswith(".egg-info") for part in parts):
                kind = "default"
            full = os.path.join(top, display)
            st = _regular_file_stat(full)
            if st is None or not _is_python(display, full):
                continue
            if kind is None and is_excluded(display):
                kind = "configured"
            if kind is not None:
                excluded[kind].add(display, False)
                continue
            paths[display] = full
            identities[display] = stat_identity(st)
    for display in change.files:
        if display in paths:
            continue
        full = change.overrides.get(display, tree / display)
        if full.is_file() and not full.is_symlink() and _is_python(display, full) and not is_excluded(display):
            paths[display] = full
    for display, full in change.overrides.items():
        if display in paths:
            paths[display] = full
            identities.pop(display, None)
    for display in change.removed:
        paths.pop(display, None)
    problems = [p for p in problems if p.path not in change.removed]
    sources = []
    names = ModuleNames(tree)
    for display in sorted(paths):
        src = read_unless_known(Candidate(str(paths[display]), display, "", identities.get(display, ())),
                                config.max_file_size, known, read_source)
        if isinstance(src, FileProblem):
            problems.append(src)
            continue
        # A clean relative path (as git lists them) joins as a string to what Path would give.
        full = os.path.join(top, display) if os.path.normpath(display) == display else tree / display
        name, is_package = names.name_of(full)
        sources.append((src, name, is_package))
    return sources, problems


def _regular_file_stat(path: str) -> os.stat_result | None:
    """Its ``lstat`` when ``not (p.is_symlink() or not p.is_file())`` for ``p = Path(path)``, else None,
    with one ``lstat`` instead of two calls (errors as pathlib: a missing file is None, others raise)."""
    try:
        st = os.lstat(path)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP):
            return None
        raise
    except ValueError:  # a path the OS cannot take (NUL): as pathlib
        return None
    return st if stat.S_ISREG(st.st_mode) else None


def _problem_display(path: str, tree: Path) -> str:
    try:
        return Path(os.path.abspath(path)).relative_to(tree).as_posix()
    except ValueError:
        return path


def _is_python(display: str, path: Path) -> bool:
    if display.endswith(".py"):
        return True
    if "." in display.rsplit("/", 1)[-1]:
        return False
    try:
        with open(path, "rb") as fh:
            first = fh.readline(200)
    except OSError:
        return False
    return bool(re.match(rb"#![^\n]*\b(?:python|pypy)[0-9.]*\b", first))
