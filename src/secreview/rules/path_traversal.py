from secreview.findings.model import Level
from secreview.rules.base import SinkRule

# The last part of a sink's name -> what a client-chosen name lets the client do there.
_HARM = (
    (frozenset({"exists", "lexists", "isfile", "isdir", "islink", "isabs", "ismount", "getsize", "getmtime",
                "getctime", "getatime", "stat", "lstat", "access", "is_file", "is_dir", "is_symlink"}),
     "learn whether files exist (and their type or size)"),
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
)


_TAKES_FILE_OBJECTS = frozenset({"zipfile.ZipFile"})
"""Openers that take a path or an open file object as the same argument."""
_UPLOAD_TYPES = ("FileStorage", ".files.[]", ".FILES.[]", "UploadedFile", "InMemoryUploadedFile",
                 "TemporaryUploadedFile", "UploadFile")
"""The types of an uploaded file as the web frameworks give it (Werkzeug/Flask, Django, Starlette)."""


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
    `os.path.realpath(p).startswith(BASE)`, `p.resolve().is_relative_to(BASE)`), also
    in a helper that returns the confined path or None (`if os.path.commonpath([root,
    real]) != root: return None`; `root` may be its parameter), whose caller stops on
    None; a parameter the helper checks without normalising it is not confined;
    route variables the router admits only as numbers or UUIDs
    (`<int:item_id>`, `{item_id:int}`), or as one path segment (the default
    converter of Flask/Werkzeug, Bottle, Django and Starlette stops at `/`:
    `<lb_id>`, `{name}`; joined under a folder it names an entry of that folder
    or, as `..`, the folder above, never a file elsewhere; `<path:name>`, and two
    or more segments joined into one path, are reported); `send_from_directory`'s file argument
    (it refuses `..` itself); names checked to hold no `..` (`if ".." in
    name: abort()`, `".." in name.split("/")`, `.replace("..", "")`) *and* not to
    be absolute (`os.path.isabs(name)`, `name.startswith("/")`,
    `PurePosixPath(name).is_absolute()`, or data that follows constant text:
    `"img-" + name`). A `..` check alone is not enough: an absolute name leaves
    the folder without one. These checks count as well when a function of the
    reviewed code makes them and raises (or calls a function that always raises)
    on a bad name, called before the name is used (`validate_path_is_safe(name)`),
    or returns true only for a good one (`if not is_safe_name(name): return`). A
    check kept in a name counts as the check (`match = NAME_RE.fullmatch(name)`, then
    `if not match: abort(422)` or `if match is None:`), and a group of a match holds
    what the group's own pattern admits (`m.group("name")`, `m.groups()`,
    `m.groupdict()` of `(?P<name>[a-f0-9]{32}\\.zip)/(?P<inner>.*)`: `name` is one file
    name, `inner` any path). A
    path that is merely not constant is not reported, nor an uploaded file object
    given to `zipfile.ZipFile` (`ZipFile(request.files["bundle"])` reads the upload
    as a stream; what it does with member names is the archive-extraction rule's).

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
        return value is not None and bool(value.types) and all(t.endswith(_UPLOAD_TYPES) for t in value.types)

    def danger_at(self, site) -> str:
        # what the call does with the name decides the harm: an existence test reveals, a rename overwrites
        name = (site.callee or "").rsplit(".", 1)[-1]
        harm = next((what for names, what in _HARM if name in names), "read or write (as the file is opened) files")
        return (f"`../` sequences or an absolute path in it reach files outside the intended folder, so the "
                f"client can {harm} anywhere this process can.")
    fix = ("Reduce the name to its last component with `werkzeug.utils.secure_filename()` or "
           "`os.path.basename()`, or check that `os.path.realpath(os.path.join(BASE, name))` starts with "
           "`BASE + os.sep` before using it.")
