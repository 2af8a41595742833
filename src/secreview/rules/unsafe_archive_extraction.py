"""Archive extracted without checking where its members are written.

A tar member may be named `../../etc/cron.d/x` or `/home/app/.ssh/authorized_keys`,
or be a symlink or hard link pointing outside the target followed by a file
written through it; before Python 3.14 `tarfile` extracts such members as
they are. Extracting an archive that someone else made therefore writes or
overwrites files anywhere the process can (CVE-2007-4559).

Reported for `TarFile.extractall()` and `TarFile.extract()` (on the result of
`tarfile.open` or `TarFile`) and `shutil.unpack_archive()` without a `filter=`
argument (or with `filter="fully_trusted"`/`None`), unless the code chooses the
members (`members=` other than the unfiltered `getmembers()`, a member whose
name is checked in the function, or a loop over `getnames()`/`getmembers()`
that passes each name to a check before `extractall`) or sets
`extraction_filter`. Confidence
is high when the archive is traced to untrusted input, medium otherwise. For
`zipfile`, which already strips `..` and absolute paths from member names,
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
from secreview.rules.base import CallRule, Hit

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


def _mentions(e, name: str) -> bool:
    if isinstance(e, ir.Name) and e.id == name:
        return True
    return any(_mentions(c, name) for c in e.children())


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


def _member_checked(fn, name: str, call) -> bool:
    """A condition of the function (``if``/``while``/comprehension filter) looks at the member."""
    for block in fn.blocks:
        for edge in block.succs:
            if edge.cond is not None and _mentions(edge.cond, name):
                return True
    return False


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
        if callee in _ZIP:
            archive = site.receiver
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
        receiver_node = call.func.value if isinstance(call.func, ir.Attr) else None
        if callee in _TAR_ALL and _names_checked(interp.fn, receiver_node):
            return
        if callee in _TAR_ALL:
            _, mnode = site.arg(1, "members")
            if mnode is not None and not (isinstance(mnode, ir.Call) and mnode.method == "getmembers") \
                    and not (mnode is not None and isinstance(mnode, ir.Const) and mnode.value is None):
                return
        if callee in _TAR_ONE:
            _, mnode = site.arg(0, "member")
            if isinstance(mnode, ir.Name) and _member_checked(interp.fn, mnode.id, call):
                return
        if callee in _UNPACK:
            archive, _ = site.arg(0, "filename")
        else:
            archive = site.receiver
        untrusted = _untrusted(archive)
        origin = ("the archive is traced to untrusted input" if untrusted else
                  "nothing shows the archive was made by this application")
        how = f"`filter={interp.code(node)}`" if node is not None else "no `filter=`"
        yield Hit(
            node=call,
            explanation=(f"`{code}` extracts with {how} and without checking member names, and {origin}: a "
                         f"member named `../../...`, an absolute path, or a link pointing outside the target makes "
                         f"it write or overwrite files anywhere this process can (Python before 3.14 extracts such "
                         f"members as they are)."),
            fix=(f"Pass `filter=\"data\"` (Python 3.12+ and security backports), e.g. "
                 f"`{interp.code(call.func)}(..., filter=\"data\")`; on older Pythons validate each member's "
                 f"resolved path and link target and pass the checked list as `members=`."),
            confidence=Level.HIGH if untrusted else None,
        )
