from functools import lru_cache

from secreview.analysis import values as V
from secreview.analysis.code_text import code_of
from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.statements import WRITE_MODE_LETTERS, calls, open_mode, target_names
from secreview.rules.base import SinkRule

_TESTS = frozenset({"exists", "lexists", "isfile", "isdir", "islink", "isabs", "ismount", "getsize", "getmtime",
                    "getctime", "getatime", "stat", "lstat", "access", "is_file", "is_dir", "is_symlink"})
"""Sinks that only test a file (whether it exists, its type, size or times): what they reveal is all
the harm, and only when their answer reaches the client."""
_SAFE_ANSWERS = frozenset({"send_from_directory", "send_static_file", "abort"})
"""Calls whose response reveals nothing of files outside their folder: Flask's ``send_from_directory``
refuses `..` and absolute names itself (a 404), ``abort`` answers an error."""

# The last part of a sink's name -> what a client-chosen name lets the client do there.
_HARM = (
    # (by what the test tells: ``exists`` only that, not a type or a size, which were said of it untruly)
    (frozenset({"exists", "lexists", "access"}), "learn whether files exist"),
    (frozenset({"isfile", "isdir", "islink", "ismount", "is_file", "is_dir", "is_symlink"}),
     "learn whether files exist and of what type"),
    (frozenset({"getsize", "getmtime", "getctime", "getatime"}), "learn whether files exist and their size or times"),
    (_TESTS, "learn whether files exist (and their type or size)"),
    (frozenset({"remove", "unlink", "rmdir", "removedirs", "rmtree", "truncate"}), "delete or truncate files"),
    (frozenset({"rename", "renames", "replace", "move", "copy", "copy2", "copyfile", "copytree", "link",
                "symlink", "symlink_to", "hardlink_to"}), "move, copy over or overwrite files"),
    (frozenset({"mkdir", "makedirs", "mkfifo", "touch", "make_archive"}), "create files or folders"),
    (frozenset({"chmod", "lchmod", "chown", "lchown", "utime", "copymode", "copystat"}),
     "change the permissions, owner or times of files"),
    (frozenset({"listdir", "scandir", "walk", "iterdir", "glob"}), "list folders"),
    (frozenset({"read_text", "read_bytes"}), "read files"),
    (frozenset({"write_text", "write_bytes"}), "overwrite files"),
    (frozenset({"send_file", "FileResponse", "static_file", "serve_file"}), "download files"),
    # (no file is opened by these: said of what they do, not "read or write")
    (frozenset({"chdir", "chroot"}), "make folders the start of this process's relative paths"),
    (frozenset({"readlink"}), "read where links point"),
    (frozenset({"statvfs"}), "learn the size and use of file systems"),
)


_TAKES_FILE_OBJECTS = frozenset({"zipfile.ZipFile"})
"""Openers that take a path or an open file object as the same argument."""
_UPLOAD_TYPES = ("FileStorage", ".files.[]", ".FILES.[]", "UploadedFile", "InMemoryUploadedFile",
                 "TemporaryUploadedFile", "UploadFile", ".files.get()", ".FILES.get()", ".files.values().[]",
                 ".FILES.values().[]", ".files.getlist().[]", ".FILES.getlist().[]")
"""The types of an uploaded file as the web frameworks give it (Werkzeug/Flask, Django, Starlette), also read with
``get()`` or as one of ``values()``/``getlist()``."""


def _upload(value) -> bool:
    return bool(value.types) and all(t.endswith(_UPLOAD_TYPES) for t in value.types)


_FILE_OBJECT_TYPES = frozenset({"io.IOBase", "io.BytesIO", "io.BytesIO()", "io.StringIO", "io.StringIO()"})
"""A file opened or a buffer in memory: what ``open()`` returns, ``io.BytesIO(data)``."""


def file_object(value) -> bool:
    """``value`` is an open file or an in-memory buffer, not a name: ``send_file(io.BytesIO(data))`` serves the
    bytes in it, and a path check of ``open(name)`` belongs where the name was opened."""
    return value is not None and bool(value.types) and value.types <= _FILE_OBJECT_TYPES


class PathTraversal(SinkRule):
    """File path built from untrusted data.

    A file name the client chooses can climb out of the intended folder
    (`../../etc/passwd`) or be absolute (`os.path.join(BASE, "/etc/passwd")` is
    `/etc/passwd`): the server then reads, overwrites, deletes or serves a file
    of the attacker's choosing.

    Reported when data traced to untrusted input names the file of `open`,
    `os`/`shutil` file operations, `pathlib.Path` reads and writes, archive and
    compressed-file openers, and `send_file` (Flask, Werkzeug, Starlette). Not
    reported: names reduced with `os.path.basename` or
    `werkzeug.utils.secure_filename`, joined with `werkzeug.security.safe_join`,
    checked against an allow-list, or normalised with `os.path.realpath`/
    `abspath` and then checked with `.startswith(BASE)` or
    `os.path.commonpath([p, BASE]) == BASE` (`commonprefix` too) or pathlib's
    `p.is_relative_to(BASE)` (the normalising may be in the check:
    `os.path.realpath(p).startswith(BASE)`, `p.resolve().is_relative_to(BASE)`, or
    `BASE.resolve() in p.resolve().parents`, or past `if p != base and base not in
    p.parents: return`, where `p` is the base itself or below it; or
    `os.path.samefile(os.path.dirname(p), BASE)`, which resolves both on disk: `p` is an entry of
    the base, and so is a name joined under the base to make it), also
    in a helper that returns the confined path or None (`if os.path.commonpath([root,
    real]) != root: return None`; `root` may be its parameter), whose caller stops on
    None; a parameter the helper checks without normalising it is confined only where its caller passes a
    normalised path (`def _contained(p, base): return os.path.commonpath([p, base]) == base`, called as
    `_contained(os.path.abspath(...), BASE)`);
    route variables the router admits only as numbers or UUIDs
    (`<int:item_id>`, `{item_id:int}`), or as one path segment (the default
    converter of Flask/Werkzeug, Bottle, Django and Starlette stops at `/`:
    `<lb_id>`, `{name}`; joined under a folder it names an entry of that folder
    or, as `..`, the folder above, never a file elsewhere; `<path:name>`, and two
    or more segments joined into one path, are reported), and names checked to be
    the same once URL-quoted (`quote_plus(name) == name`, `quote(name, safe="")`:
    letters, digits and `_.-~` only, one segment too), or to hold no `/` (`if "/" in name`
    or `os.sep in name` refused), and parts of a text cut at `/` that hold none (any part of
    `x.split("/")`, also as a helper reads it: `parse(self.path.split("/"))` returning `parts[2]`,
    `x.rsplit("/", 1)[-1]`, `x.partition("/")[0]`, `x.rpartition("/")[2]`, `x[x.rindex("/") + 1:]`: one
    segment too; `x.split("/", 1)[1]` and `x.rpartition("/")[0]` may hold `/` and are reported);
    `send_from_directory`'s file argument
    (it refuses `..` itself); names checked to hold no `..` (`if ".." in
    name: abort()`, `".." in name.split("/")`, `.replace("..", "")`, a normalized path refused when it starts
    with `..`: `rel = os.path.normpath(name)` then `if rel.startswith(".."):`, or a part of a text cut at `.`:
    `filename.split(".")[-1]`, an extension) *and* not to
    be absolute (`os.path.isabs(name)`, `name.startswith("/")`,
    `PurePosixPath(name).is_absolute()`, leading slashes stripped after the `..` are
    gone: `name.replace("..", "").strip("/ ")`, or data that follows constant text:
    `"img-" + name`, or the server's own text: `app.root_path + "/" + name`, `f"{root}/{name}"`).
    A `..` check alone is not enough: an absolute name leaves
    the folder without one (the finding then says that an absolute path is what
    remains, and the other way round); the two halves count together when one is
    made by the caller and the other by the function it passes the name to.
    These checks count as well when a function of the reviewed code makes them
    and raises (or calls a function that always raises) on a bad name, called
    before the name is used (`validate_path_is_safe(name)`),
    or returns true only for a good one (`if not is_safe_name(name): return`, also
    when it returns the check kept in a name: `stat = MD5_REGEX.match(h)` ... `return stat`),
    or an error for a bad one and `None` only for a good one (`failed = common_check(name)`, then
    `if failed: return failed`),
    and of a path object when it is given the path's text (`is_safe_path(root, p.as_posix())`,
    `str(p)`), and when the value is a field of a pydantic model whose validator of that field makes them
    (`@field_validator("repo_path")` raising on `v.startswith("/")` and `".." in v`: `body.repo_path`
    of a request's model is checked, its other fields are not). A pattern may be given compiled
    (`re.match(MD5_REGEX, h)` with `MD5_REGEX = re.compile(...)` in the function or the module). A
    check kept in a name counts as the check (`match = NAME_RE.fullmatch(name)`, then
    `if not match: abort(422)` or `if match is None:`; `valid = is_md5(h)`, then
    `if not valid:`), and a group of a match holds what the group's own pattern admits (`m.group("name")`, `m.groups()`,
    `m.groupdict()` of `(?P<name>[a-f0-9]{32}\\.zip)/(?P<inner>.*)`: `name` is one file
    name, `inner` any path). A
    path that is merely not constant is not reported, nor an open file or a buffer (`send_file(io.BytesIO(data))`,
    `send_file(open(name))`, where `open` is the finding), nor an uploaded file object
    given to `zipfile.ZipFile` (`ZipFile(request.files["bundle"])` reads the upload
    as a stream; what it does with member names is the archive-extraction rule's).
    A test that only learns whether a file exists (`os.path.exists`, `isfile`,
    `getsize`, `Path.is_file()`...) is reported only where its answer can reach
    the client: when the same value is also given to another call of the function
    that is reported (`open(path)`, `send_file(path)`, a helper that renames it),
    only that call is; when nothing reads the answer, or every `return` of the
    function gives what `send_from_directory` or an error made (the test only
    chooses between them), it is reported at low confidence.

    **Fix:** keep only the last component (`werkzeug.utils.secure_filename(name)`
    or `os.path.basename(name)`), or resolve the joined path and check it stays
    inside the base folder: `p = os.path.realpath(os.path.join(BASE, name))`
    then `if not p.startswith(BASE + os.sep): abort(404)`.
    """

    id = "SR105"
    name = "path-traversal"
    title = "Path traversal"
    cwe = 22
    severity = Level.HIGH
    confidence = Level.HIGH
    traced_ceiling = Level.MEDIUM  # (SinkRule.traced_ceiling; docs/precision.md, seventh session)
    sink_kinds = ("path",)
    untainted = None
    danger = ("`../` sequences or an absolute path in it reach files outside the intended folder, so the "
              "client can read, overwrite or delete any file this process can.")

    def excused(self, site, sink, callee: str) -> bool:
        # ``ZipFile(upload)``: an uploaded file object is read as a stream, it names no file
        if callee not in _TAKES_FILE_OBJECTS:
            return False
        value, _ = site.arg(0, "file")
        return value is not None and _upload(value)

    def flow_argument(self, flow, arg):
        # ``submit.import_(upload)`` whose parameter reaches ``zipfile.ZipFile(f)``: the same upload, passed on;
        # and an uploaded file object given to a helper whose parameter reaches ``open(f)`` or ``isfile(f)``: no
        # path (``open`` raises TypeError for it), whatever the sink (geonode's ``extract_name_from_sld(...,
        # sld_file=request.FILES['sld'])``, judged false on panel AU); its ``.name`` is still the client's text
        if _upload(arg):
            return None
        return None if file_object(arg) else arg

    def dangerous_part(self, sink, value, node=None, arg_node=None):
        # ``send_file(io.BytesIO(data))``, ``send_file(open(name))``: a file object names no file (the name was
        # opened where ``open`` was called, the finding's place when the name is the client's); nor does an
        # uploaded file's object (``open(request.FILES["f"])`` raises TypeError)
        return None if file_object(value) or _upload(value) else value

    def site_use(self, interp, node, arg_node, sink=None):
        # An existence test is a finding only when its answer can reach the client as something the
        # client did not already get: when the same value reaches a sink that does more in this function
        # (``open``, ``rename``, a helper that removes...), that sink is the finding (one defect, once);
        # when nothing reads the answer, or every response of the function is a safe file server's or an
        # error, it is reported at low confidence (``sink_confidence``).
        if isinstance(node, ir.Call) and node.qualname in _OPENERS:
            return _opened_for(node)
        if not isinstance(node, ir.Call) or ir.last_name(node.func) not in _TESTS or arg_node is None:
            return None
        memo = interp.__dict__.setdefault("_existence_uses", {})  # (blocks are run more than once)
        key = (id(node), id(arg_node))
        if key not in memo:
            memo[key] = _existence_use(interp, node, arg_node)
        return memo[key]

    def sink_confidence(self, site, confidence):
        use = getattr(site, "use", None)
        if use is not None and use[0] == "answer-hidden":
            return Level.LOW
        return confidence

    def danger_at(self, site) -> str:
        return self._danger(site, "`../` sequences or an absolute path in it reach")

    def danger_for(self, site, taint) -> str:
        cleansed = taint.cleansed
        if V.PATH_NO_DOTDOT in cleansed and V.PATH_NOT_ABSOLUTE not in cleansed:
            # ``if ".." in path: raise`` then ``root / path``: ``/etc`` still replaces the root
            return self._danger(site, "`..` is ruled out, but an absolute path in it replaces the folder and reaches")
        if V.PATH_NOT_ABSOLUTE in cleansed and V.PATH_NO_DOTDOT not in cleansed:
            return self._danger(site, "An absolute path is ruled out, but `../` sequences in it reach")
        return self.danger_at(site)

    @staticmethod
    def _danger(site, what_reaches: str) -> str:
        # what the call does with the name decides the harm: an existence test reveals, a rename overwrites
        name = (site.callee or "").rsplit(".", 1)[-1]
        harm = next((what for names, what in _HARM if name in names), "read or write (as the file is opened) files")
        if getattr(site, "use", None) in (("opened", "read"), ("opened", "write")):
            # ``open(cmdline, 'r')``: the mode written at the call says which
            harm = "read files" if site.use[1] == "read" else "create or overwrite files"
        return f"{what_reaches} files outside the intended folder, so the client can {harm} anywhere this process can."

    fix = ("Reduce the name to its last component with `werkzeug.utils.secure_filename()` or "
           "`os.path.basename()`, or check that `os.path.realpath(os.path.join(BASE, name))` starts with "
           "`BASE + os.sep` before using it.")


_OPENERS = frozenset({"builtins.open", "io.open", "codecs.open"})
"""The openers whose mode (a constant at the call, or left to its default ``"r"``) says whether a file is read."""


def _opened_for(call: ir.Call):
    """``("opened", "read")`` or ``("opened", "write")`` for an ``open()`` whose mode is a constant or the default,
    else None (the harm is then said of either)."""
    mode = open_mode(call)
    if mode is None:
        return None
    return ("opened", "write" if WRITE_MODE_LETTERS & set(mode) else "read")


def _existence_use(interp, node, arg_node):
    fn = interp.fn
    lines = _same_value_calls(interp.module, fn, node, arg_node)
    if lines:
        return ("shadow", tuple((interp.path, line) for line in lines))
    if _answer_unused(fn, node) or _answers_safe(fn):
        return ("answer-hidden",)
    return None


def _same_value_calls(module, fn: ir.Function, test: ir.Call, arg_node) -> list:
    """Lines of the calls of ``fn`` other than file tests that are given ``arg_node``'s expression (the
    same text, none of its variables assigned between the two calls): where the tested value may reach
    a sink that does more than test."""
    text = code_of(module, arg_node, 400)
    names = {e.id for e in ir.walk(arg_node) if isinstance(e, ir.Name)}
    assigned = [stmt.line for stmt in fn.statements() if type(stmt) is ir.Assign
                and any(n in names for t in stmt.targets for n in target_names(t))]
    out = []
    for call in _calls_of(fn):
        if call is test or ir.last_name(call.func) in _TESTS:
            continue
        given = (*call.args, *(k.value for k in call.keywords))
        if not any(type(a) is type(arg_node) and code_of(module, a, 400) == text for a in given):
            continue
        low, high = min(test.line, call.line), max(test.line, call.line)
        if any(low < line < high for line in assigned):
            continue
        out.append(call.line)
    return sorted(set(out))


# Every existence test of a function looks through all its calls, at every analysis of the function:
# the calls of the last few functions are kept. (Functions compare by identity; the IR does not change
# once lowered.)
@lru_cache(maxsize=8)
def _calls_of(fn: ir.Function) -> tuple:
    return tuple(calls(fn))


def _answer_unused(fn: ir.Function, test: ir.Call) -> bool:
    """The test is a statement of its own: its answer is not read."""
    for block in fn.blocks:
        for stmt in block.stmts:
            if type(stmt) is ir.Evaluate and stmt.value is test:
                return not any(edge.cond is not None for edge in block.succs) or stmt is not block.stmts[-1]
    return False


def _answers_safe(fn: ir.Function) -> bool:
    """Every ``return`` of ``fn`` gives what a safe file server or an error made (``send_from_directory``,
    also through a variable or a call that is given it: ``return no_store(send_from_directory(d, p))``):
    whatever a test chose between, the client learns nothing of other files."""
    returns = [stmt for stmt in fn.statements() if type(stmt) is ir.Return]
    if not returns:
        return False
    return all(stmt.value is not None and _safe_answer(fn, stmt.value, 0) for stmt in returns)


def _safe_answer(fn: ir.Function, e, depth: int) -> bool:
    if depth > 3:
        return False
    if isinstance(e, ir.Call):
        if ir.last_name(e.func) in _SAFE_ANSWERS:
            return True
        return bool(e.args) and _safe_answer(fn, e.args[0], depth + 1)
    if isinstance(e, ir.Name):
        stores = [stmt for stmt in fn.statements() if type(stmt) is ir.Assign
                  and any(n == e.id for t in stmt.targets for n in target_names(t))]
        return bool(stores) and all(s.op is None and _safe_answer(fn, s.value, depth + 1) for s in stores)
    return False
