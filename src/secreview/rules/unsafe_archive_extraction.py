"""Archive extracted without checking where its members are written.

A tar member may be named `../../etc/cron.d/x` or `/home/app/.ssh/authorized_keys`,
or be a symlink or hard link pointing outside the target followed by a file
written through it; before Python 3.14 `tarfile` extracts such members as
they are. Extracting an archive that someone else made therefore writes or
overwrites files anywhere the process can (CVE-2007-4559).

Reported for `TarFile.extractall()` and `TarFile.extract()` (on the result of
`tarfile.open` or `TarFile`) and `shutil.unpack_archive()` without a `filter=`
argument (or with `filter="fully_trusted"`/`None`), unless the function runs the
members through `tarfile.data_filter`/`tar_filter` itself first, or the code chooses the
members (`members=` other than the unfiltered `getmembers()` or the archive
itself, or a loop over `getnames()`/`getmembers()` that passes each name to a
check before `extractall`) or sets `extraction_filter`. `extract(member)` is not
reported for a member the code names (`tar.extract(tar.getmember("bin/tool"), dest)`, a
constant relative name without `..`: that one file, inside the target), nor when it runs only where a
test of the member holds: a check the rule does not read (`if not is_within(dest, member): continue`, or, where
only regular files and folders are extracted (`if not (m.isdir() or m.isreg()): raise`), a test of a name made
from the member: `real = os.path.realpath(os.path.join(dest, m.name))` then `if not real.startswith(dest +
os.sep): raise`), or tests it reads
that rule out both a `..` and an absolute name (`if os.path.isabs(m.name) or
".." in m.name: raise`); `".." in m.name` alone leaves `/etc/cron.d/x`, and an
extraction inside `if ".." in m.name:` is the wrong way round. Confidence
is high when the archive is traced to untrusted input, medium otherwise, one level lower in the branch that runs
only on a Python whose `tarfile` cannot filter (`if hasattr(tarfile, "data_filter"): ... else: tar.extractall(d)`),
and low when the function first compares a
digest it computes with an expected one (`if hashlib.file_digest(f, "sha256").hexdigest() != checksum: raise`): the
archive is then the one its maker announced. An
extraction after a call of the project's own that is given the archive (or, for
`extract(member)`, the member or its name) and named for checking it
(`check_archive_content(archive)`, `_safe_extract_path(dest, member.name)`) is still reported, saying so:
whether that check resolves each member's path and link target (or only
compares names, which a chain of links defeats) is not verified. One after the function resolves paths
itself (`os.path.realpath(os.path.join(dest, name))` of each listed name, before anything is written) is reported
saying so: a check made before extracting does not see a symlink member followed by a member written through
it; `extract(member)` after such a check of each member is reported saying the check is the function's own and not
verified (it must refuse links and hard links pointing outside, and compare with the target and a separator, not
`startswith` alone). For
`zipfile`, which already strips `..` and absolute paths from member names
(and `shutil.unpack_archive(name, dest, "zip")`, which skips such names and makes no links),
only archives traced to untrusted input are reported, with low confidence:
what remains is overwriting files inside the target directory and
decompression bombs.

**Fix:** pass `filter="data"` (Python 3.12+, and 3.8.17/3.9.17/3.10.12/3.11.4
backports): `tar.extractall(dest, filter="data")`; on older versions check
each member (`os.path.realpath(os.path.join(dest, m.name))` must stay under
`dest`, and reject links and devices) and pass the checked list as `members=`.
For zip files limit the total uncompressed size before extracting.
"""

from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.statements import bindings, calls
from secreview.rules.base import CallRule, Hit
from secreview.rules.opt_out import controlling_conditions
from secreview.rules.words import identifier_words

_TAR_ALL = ("tarfile.TarFile.extractall",)
_TAR_ONE = ("tarfile.TarFile.extract",)
_UNPACK = ("shutil.unpack_archive",)
_ZIP = ("zipfile.ZipFile.extractall", "zipfile.ZipFile.extract")
_SOURCES = frozenset({"remote", "network", "rpc", "file", "environment"})


def _untrusted(value) -> bool:
    return value is not None and any(not t.is_param and t.kind in _SOURCES for t in value.taints)


def _sets_extraction_filter(module, fn) -> bool:
    for f in (fn, module.body):
        for stmt in f.statements():
            if isinstance(stmt, ir.Assign) and any(isinstance(t, ir.AttrTarget) and t.attr == "extraction_filter"
                                                   for t in stmt.targets):
                return True
    return False


_STDLIB_FILTERS = frozenset({"tarfile.data_filter", "tarfile.tar_filter"})


def _applies_stdlib_filter(fn) -> bool:
    """The function runs members through the standard library's extraction filter itself
    (``member = tarfile.data_filter(member, dest)``, dropping those that raise ``FilterError``): the
    members it extracts are the filter's results, whatever ``filter=`` the extraction then names."""
    return ("data_filter" in fn.names or "tar_filter" in fn.names) and any(
        call.qualname in _STDLIB_FILTERS for call in calls(fn))


def _mentions(e, name: str) -> bool:
    if isinstance(e, ir.Name) and e.id == name:
        return True
    return any(_mentions(c, name) for c in e.children())


_RESOLVING = frozenset({"os.path.realpath", "os.path.abspath", "os.path.commonpath", "os.path.normpath",
                        "posixpath.realpath", "posixpath.abspath", "posixpath.normpath"})


def _path_resolved_before(fn, stmt):
    """A call resolving or normalising a path built from a loop's item (``for name in names:
    os.path.realpath(os.path.join(dest, name))``) in ``fn`` before ``stmt``: the function checks each listed name
    somehow, so "without checking member names" would be untrue; None when there is none (resolving only the
    destination, ``os.path.abspath(dest)``, checks no member)."""
    looped = {t.id for s in fn.statements() if isinstance(s, ir.Assign) and isinstance(s.value, ir.IterElement)
              for t in s.targets if isinstance(t, ir.NameTarget)}
    # (and the names made of one: ``member_path = os.path.join(staging_dir, member.name)``, then
    # ``os.path.realpath(member_path)``: barman's, judged untrue without it on panel BA)
    looped |= {made for name in list(looped) for made in _made_from(fn, name, stmt)}
    return next((call for call in calls(fn) if call.line < stmt.line and call.qualname in _RESOLVING
                 and any(isinstance(e, ir.Name) and e.id in looped for a in call.args for e in ir.walk(a))), None)


def _names_checked(fn, receiver) -> bool:
    """The function loops over the archive's member names (``for n in tar.getnames(): check(n)``)."""
    if not isinstance(receiver, ir.Name):
        return False
    for stmt in fn.statements():
        value = getattr(stmt, "value", None)
        iterable = value.iterable if isinstance(value, ir.IterElement) else None
        if isinstance(iterable, ir.Name):  # names = tar.getnames(); for n in names: ...
            for other in fn.statements():
                if isinstance(other, ir.Assign) and isinstance(other.value, ir.Call) and any(
                        isinstance(t, ir.NameTarget) and t.id == iterable.id for t in other.targets):
                    iterable = other.value
                    break
        if isinstance(iterable, ir.Call) and isinstance(iterable.func, ir.Attr):
            call = iterable
            if call.method in ("getnames", "getmembers", "namelist", "infolist") and \
                    isinstance(call.func.value, ir.Name) and call.func.value.id == receiver.id:
                loop_var = stmt.targets[0].id if isinstance(stmt.targets[0], ir.NameTarget) else None
                if loop_var is None:
                    continue
                for other in fn.statements():
                    other_value = getattr(other, "value", None)
                    if other.line > stmt.line and isinstance(other_value, ir.Call) and any(
                            _mentions(a, loop_var) for a in other_value.args):
                        return True
    return False


_MEMBER_KINDS = frozenset({"isfile", "isreg", "isdir", "issym", "islnk", "isdev", "ischr", "isblk", "isfifo"})


def _atom_kind(atom, name: str) -> str | None:
    """What a leaf of a condition says about member ``name``: ``"dotdot"`` (``".." in m.name``, ``not in``
    too), ``"absolute"`` (``os.path.isabs(m.name)``, ``m.name.startswith("/")``), ``"type"``
    (``m.isfile()``: the member's kind, not where it goes), ``"other"`` (any other test of the member: a
    validator of the project, a resolved-path comparison), or None (does not look at it)."""
    if not _mentions(atom, name):
        return None
    if isinstance(atom, ir.Compare) and len(atom.ops) == 1 and atom.ops[0] in ("in", "not in") \
            and isinstance(atom.left, ir.Const) and isinstance(atom.left.value, str) and ".." in atom.left.value:
        return "dotdot"
    if isinstance(atom, ir.Call):
        if (atom.qualname in ("os.path.isabs", "posixpath.isabs") or atom.method == "isabs") and len(atom.args) == 1:
            return "absolute"
        if atom.method == "startswith" and len(atom.args) == 1 and isinstance(atom.args[0], ir.Const) \
                and atom.args[0].value in ("/", "\\"):
            return "absolute"
        if atom.method in _MEMBER_KINDS and not atom.args:
            return "type"
    return "other"


def _leaves(cond) -> list:
    if isinstance(cond, ir.UnaryOp) and cond.op == "not":
        return _leaves(cond.operand)
    if isinstance(cond, ir.BoolOp):
        return [leaf for v in cond.values for leaf in _leaves(v)]
    return [cond]


def _outcomes_where(cond, leaves: list, taken: bool):
    """Each outcome of ``leaves`` (``{id(leaf): bool}``) under which ``cond`` is ``taken``: where the call runs."""
    for bits in range(1 << len(leaves)):
        assign = {id(leaf): bool(bits >> i & 1) for i, leaf in enumerate(leaves)}
        if _truth(cond, assign) == taken:
            yield assign


def _truth(cond, assign: dict) -> bool:
    if isinstance(cond, ir.UnaryOp) and cond.op == "not":
        return not _truth(cond.operand, assign)
    if isinstance(cond, ir.BoolOp):
        values = [_truth(v, assign) for v in cond.values]
        return all(values) if cond.op == "and" else any(values)
    return assign[id(cond)]


def _rules_out(leaf, holds: bool) -> bool:
    """Whether ``leaf`` evaluating to ``holds`` says the name has no ``..`` / is not absolute."""
    negative = isinstance(leaf, ir.Compare) and leaf.ops[0] == "not in"
    return holds == negative


_CHECK_WORDS = frozenset({"check", "validate", "verify", "ensure", "safe", "sanitize", "inspect", "scan"})


def _own_check_before(fn, archive, stmt, member=None):
    """``(call, what)``: a call before ``stmt`` in ``fn``, given the archive (the same variable) or the member
    ``extract`` is given (``member``, the same variable, or its ``.name``) and named for checking it
    (``check_archive_content(archive)``, ``validate_members(tar)``, ``_safe_extract_path(dest, member.name)``),
    and ``"archive"`` or ``"member"``, which of them it is given; or None."""
    if stmt is None:
        return None
    names = {n.id for n in (archive, member) if isinstance(n, ir.Name)}
    if not names:
        return None
    for other in fn.statements():
        if other is stmt or getattr(other, "line", 0) >= stmt.line:
            continue
        value = getattr(other, "value", None)
        if not isinstance(value, ir.Call):
            continue
        name = (value.qualname or value.method or "").rsplit(".", 1)[-1]
        if _CHECK_WORDS & set(identifier_words(name)) and any(
                (isinstance(a, ir.Name) and a.id in names)
                or (isinstance(member, ir.Name) and isinstance(a, ir.Attr) and a.attr == "name"
                    and isinstance(a.value, ir.Name) and a.value.id == member.id) for a in value.args):
            given_archive = isinstance(archive, ir.Name) and any(
                isinstance(a, ir.Name) and a.id == archive.id for a in value.args)
            return value, "archive" if given_archive or member is None else "member"
    return None


def _constant_member_name(node) -> bool:
    """``"bin/micromamba"``: a relative name without ``..``, written in the code."""
    return isinstance(node, ir.Const) and isinstance(node.value, str) and bool(node.value) \
        and not node.value.startswith(("/", "\\")) and ".." not in node.value.replace("\\", "/").split("/")


def _named_member(fn, node) -> bool:
    """The member extracted is one the code names: a constant relative name without ``..``, or a local bound
    only to ``archive.getmember(<such a name>)`` (metaflow's ``tar.getmember("bin/micromamba")``, panel AR)."""
    if _constant_member_name(node):
        return True
    if not isinstance(node, ir.Name):
        return False
    values = [stmt.value for stmt in bindings(fn, node.id)]
    return bool(values) and all(isinstance(v, ir.Call) and v.method == "getmember" and len(v.args) == 1
                                and not v.keywords and _constant_member_name(v.args[0]) for v in values)


def _member_checked(fn, name: str, stmt) -> bool:
    """The call runs only where a condition on the member says it is safe: a test the rule cannot read
    (``if badpath(m): raise``, ``if is_within(dest, m):``) counts; of the tests it reads, together they
    must rule out both a ``..`` and an absolute name (``if ".." in m.name: raise`` alone leaves
    ``/etc/cron.d/x``; ``if os.path.isabs(m.name) or ".." in m.name: extract`` is the wrong way round)."""
    if stmt is None:
        return False
    conditions = controlling_conditions(fn, stmt)
    # (a test of a name made from the member, ``real_member_path = os.path.realpath(os.path.join(dest,
    # member.name))``, is a check of where it goes when links cannot defeat it: only regular files and folders
    # are extracted (barman's, judged false on panel BA); without that test a hard link passes it and a
    # member of the same name written next goes through it, so codalab's is still reported)
    made = _made_from(fn, name, stmt) if _only_files_and_folders(conditions, name) else set()
    ruled_out: set = set()
    for cond, taken in conditions:
        leaves = _leaves(cond)
        kinds = {id(leaf): _atom_kind(leaf, name) or ("other" if any(_mentions(leaf, m) for m in made) else None)
                 for leaf in leaves}
        if "other" in kinds.values():
            return True
        if len(leaves) > 8:
            return True  # too many to enumerate: stay quiet, as for a test not read
        for kind in ("dotdot", "absolute"):
            mine = [leaf for leaf in leaves if kinds[id(leaf)] == kind]
            if not mine:
                continue
            if all(any(_rules_out(leaf, assign[id(leaf)]) for leaf in mine)
                   for assign in _outcomes_where(cond, leaves, taken)):
                ruled_out.add(kind)
    return ruled_out >= {"dotdot", "absolute"}


_FILE_OR_FOLDER = frozenset({"isreg", "isfile", "isdir"})


def _only_files_and_folders(conditions, name: str) -> bool:
    """Some condition the extraction runs under holds only for a regular file or a folder (``if not
    (member.isdir() or member.isreg()): raise``): no link, hard link or device is extracted."""
    for cond, taken in conditions:
        leaves = _leaves(cond)
        if not leaves or len(leaves) > 8 or any(_atom_kind(leaf, name) != "type" for leaf in leaves):
            continue
        if all(any(assign[id(leaf)] and leaf.method in _FILE_OR_FOLDER for leaf in leaves)
               for assign in _outcomes_where(cond, leaves, taken)):
            return True
    return False


def _made_from(fn, name: str, stmt) -> set:
    """The local names ``fn`` binds, before ``stmt``, to values made from ``name`` (directly or through another
    such name)."""
    assigns = [s for s in fn.statements() if type(s) is ir.Assign and s.line < stmt.line]
    made: set = set()
    grew = True
    while grew:
        grew = False
        for s in assigns:
            if _mentions(s.value, name) or any(_mentions(s.value, m) for m in made):
                for t in s.targets:
                    if isinstance(t, ir.NameTarget) and t.id != name and t.id not in made:
                        made.add(t.id)
                        grew = True
    return made


class UnsafeArchiveExtraction(CallRule):
    __doc__ = __doc__

    id = "SR501"
    name = "unsafe-archive-extraction"
    title = "Archive extracted without path checks"
    cwe = 22
    severity = Level.HIGH
    confidence = Level.MEDIUM
    bandit = ("B202",)
    callees = _TAR_ALL + _TAR_ONE + _UNPACK + _ZIP

    def check(self, site, callee: str):
        call = site.call
        interp = site.interp
        code = interp.code(call)
        if any(k.name is None for k in call.keywords):
            return
        zip_format = False
        if callee in _UNPACK:
            fmt, _ = site.arg(2, "format")
            zip_format = fmt is not None and fmt.is_const and fmt.const == "zip"
        if callee in _ZIP or zip_format:
            # ``shutil.unpack_archive(name, dest, "zip")`` extracts with ``zipfile``'s rules (it skips ``..``
            # and absolute names itself, and makes no links)
            archive = site.arg(0, "filename")[0] if zip_format else site.receiver
            if not _untrusted(archive):
                return
            yield Hit(
                node=call,
                explanation=(f"`{code}` extracts a zip archive that comes from untrusted input. `zipfile` strips "
                             f"`..` and absolute paths from member names, so files stay inside the target "
                             f"directory, but the archive decides which files there are overwritten and how much "
                             f"is written: a small archive can unpack to gigabytes (a decompression bomb)."),
                fix=("Extract into a fresh, empty directory and check `sum(i.file_size for i in zf.infolist())` "
                     "and the member count against limits before extracting."),
                confidence=Level.LOW, severity=Level.MEDIUM,
            )
            return
        value, node = site.arg(None, "filter")
        if callee in _UNPACK and node is None:
            value, node = site.arg(3, "filter")
        if node is not None and not (value.is_const and value.const in (None, "fully_trusted")):
            return
        if _sets_extraction_filter(interp.module, interp.fn):
            return
        if callee not in _UNPACK and _applies_stdlib_filter(interp.fn):
            return  # members passed through ``tarfile.data_filter`` first: the filter's checks, applied by hand
        receiver_node = call.func.value if isinstance(call.func, ir.Attr) else None
        if callee in _TAR_ALL and _names_checked(interp.fn, receiver_node):
            return
        if callee in _TAR_ALL:
            _, mnode = site.arg(1, "members")
            if mnode is not None and not (isinstance(mnode, ir.Call) and mnode.method == "getmembers") \
                    and not (isinstance(mnode, ir.Const) and mnode.value is None) \
                    and not (isinstance(mnode, ir.Name) and isinstance(receiver_node, ir.Name)
                             and mnode.id == receiver_node.id):  # ``members=tar``: every member
                return
        if callee in _TAR_ONE:
            _, mnode = site.arg(0, "member")
            if isinstance(mnode, ir.Name) and _member_checked(interp.fn, mnode.id, interp.stmt):
                return
            if _named_member(interp.fn, mnode):
                return  # ``tar.extract(tar.getmember("bin/micromamba"), dest)``: the one file the code names
        if callee in _UNPACK:
            archive, _ = site.arg(0, "filename")
        else:
            archive = site.receiver
        untrusted = _untrusted(archive)
        verified = None if untrusted else _digest_compared_before(interp.fn, interp.stmt)
        origin = ("the archive is traced to untrusted input" if untrusted else
                  f"`{interp.fn.name}()` compares a digest with an expected one first (`{interp.code(verified)}`, "
                  f"line {verified.line}): the archive is the one its maker announced, if whoever gave that digest "
                  f"made it" if verified is not None else
                  f"nothing in `{interp.fn.name}()` shows the archive was made by this application")
        how = f"`filter={interp.code(node)}`" if node is not None else "no `filter=`"
        archive_node = site.arg(0, "filename")[1] if callee in _UNPACK else receiver_node
        member_node = site.arg(0, "member")[1] if callee in _TAR_ONE else None
        checked_by = _own_check_before(interp.fn, archive_node, interp.stmt, member_node)
        if checked_by is not None:
            checker, what = checked_by
            # ``check_archive_content(archive)`` then ``shutil.unpack_archive(archive, ...)``: the project checks the
            # members itself; what that check compares (names only, or resolved paths and link targets) is its own
            checked = (f"after `{interp.code(checker)}` (line {checker.line}), the project's own check of the "
                       f"{what}, which this review does not verify; unless that check resolves each member's path "
                       f"and link target against the target directory")
            explanation = (f"`{code}` extracts with {how}, {checked}, a member named `../../...`, an absolute path, or "
                           f"a link (or chain of links) pointing outside the target makes it write or overwrite files "
                           f"anywhere this process can (Python before 3.14 extracts such members as they are).")
        elif (compared := _path_resolved_before(interp.fn, interp.stmt)) is not None and callee not in _TAR_ONE:
            # (judged untrue without it on panel AL: a loop resolving each listed name, then ``extractall``)
            explanation = (f"`{code}` extracts with {how}; `{interp.fn.name}()` resolves paths before it "
                           f"(`{interp.code(compared)}`, line {compared.line}), and {origin}. A check of member "
                           f"names made before anything is written does not see links: a symlink member pointing "
                           f"outside the target, then a member written through it (`link/...`), passes such a check "
                           f"and writes or overwrites files anywhere this process can (Python before 3.14 extracts "
                           f"such members as they are).")
        elif compared is not None:
            # one member at a time after a check of the function's own (judged untrue without it on panel AH:
            # codalab's ``realpath(...).startswith(directory_path)`` before each ``tar.extract(member, ...)``)
            explanation = (f"`{code}` extracts with {how}, after `{interp.fn.name}()` resolves paths (`"
                           f"{interp.code(compared)}`, line {compared.line}), a check of its own that this review "
                           f"does not verify, and {origin}: unless that check refuses every way out (a link or hard "
                           f"link pointing outside the target; a sibling folder whose name starts with the target's, "
                           f"when compared with `startswith` and no separator), a member can still write or "
                           f"overwrite files anywhere this process can (Python before 3.14 extracts such members as "
                           f"they are).")
        else:
            explanation = (f"`{code}` extracts with {how} and without checking member names, and {origin}: a member "
                           f"named `../../...`, an absolute path, or a link pointing outside the target makes it write "
                           f"or overwrite files anywhere this process can (Python before 3.14 extracts such members as "
                           f"they are).")
        old_python = _without_filter_support(interp.fn, interp.stmt)
        if old_python is not None:
            # ``if hasattr(tarfile, "data_filter"): tar.extractall(d, filter="data") else: tar.extractall(d)``: the
            # unfiltered call is the fallback for a Python too old to filter (weewx's, judged false on panel BA)
            explanation += (f" This branch runs only where `{interp.code(old_python)}` is false: on a Python "
                            f"without extraction filters (before 3.12 and the 2023 security releases 3.8.17, "
                            f"3.9.17, 3.10.12, 3.11.4); it matters where the project still runs on one.")
        yield Hit(
            node=call,
            explanation=explanation,
            fix=(f"Pass `filter=\"data\"` (Python 3.12+ and security backports), e.g. "
                 f"`{interp.code(call.func)}(..., filter=\"data\")`; on older Pythons validate each member's "
                 f"resolved path and link target and pass the checked list as `members=`."),
            confidence=(Level.MEDIUM if untrusted else Level.LOW) if old_python is not None else Level.HIGH
            if untrusted else Level.LOW if verified is not None else None,
        )


_FILTER_NAMES = frozenset({"data_filter", "tar_filter", "fully_trusted_filter"})


def _without_filter_support(fn, stmt):
    """The test ``hasattr(tarfile, "data_filter")`` (or of another of the standard filters) whose false branch
    ``stmt`` is in: the extraction runs only on a Python whose ``tarfile`` cannot filter. None otherwise."""
    for cond, taken in controlling_conditions(fn, stmt):
        test, holds = cond, taken
        while isinstance(test, ir.UnaryOp) and test.op == "not":
            test, holds = test.operand, not holds
        if not holds and isinstance(test, ir.Call) and test.qualname == "builtins.hasattr" and len(test.args) == 2 \
                and isinstance(test.args[1], ir.Const) and test.args[1].value in _FILTER_NAMES:
            return cond
    return None


_DIGESTS = frozenset({"hexdigest", "digest", "file_digest"})


def _digest_compared_before(fn, stmt):
    """The comparison, in a branch condition before ``stmt``, of a digest the function computes (``hashlib``'s
    ``hexdigest()``/``digest()``, ``hashlib.file_digest``, directly or through a name bound to one) with another
    value (``if obtained_checksum != checksum: raise``): the archive's integrity checked against what its maker
    announced (snakemake's deployed sources). None: no such comparison."""
    digests = set()
    for s in fn.statements():
        if isinstance(s, ir.Assign) and any(isinstance(e, ir.Call) and (e.method in _DIGESTS or (
                e.qualname or "").endswith(".file_digest")) for e in ir.walk(s.value)):
            digests.update(t.id for t in s.targets if isinstance(t, ir.NameTarget))
    for block in fn.blocks:
        for edge in block.succs:
            cond = edge.cond
            if cond is None or getattr(cond, "line", 0) >= stmt.line:
                continue
            for e in ir.walk(cond):
                if isinstance(e, ir.Compare) and len(e.ops) == 1 and e.ops[0] in ("==", "!=") and any(
                        (isinstance(side, ir.Name) and side.id in digests)
                        or (isinstance(side, ir.Call) and side.method in _DIGESTS)
                        for side in (e.left, e.comparators[0])):
                    return e
    return None
