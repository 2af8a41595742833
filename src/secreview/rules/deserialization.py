from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.ir.control import controlling_conditions
from secreview.rules.base import SinkRule, file_text_untraced

# PyYAML's loaders and constructors that build only plain data (the last part of the name,
# under any of PyYAML's modules: ``yaml.SafeLoader``, ``yaml.cyaml.CSafeLoader``...).
_SAFE_PARTS = frozenset({"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader", "SafeConstructor",
                         "BaseConstructor"})
# The other parts a loader is assembled from: they read, scan, parse and resolve, and construct nothing.
_NEUTRAL_PARTS = frozenset({"Reader", "Scanner", "Parser", "CParser", "Composer", "Resolver", "BaseResolver"})
_MAX_BASES_DEPTH = 8


class UnsafeDeserialization(SinkRule):
    """Objects deserialised from data that is not constant with a loader that can run code.

    `pickle`, `shelve`, `dill`, `jsonpickle` and `yaml.load` with a full or
    unsafe loader rebuild arbitrary objects: a crafted payload runs code while
    it is being loaded (`__reduce__`, `!!python/object/apply`). `marshal` runs
    nothing, but it is not meant for untrusted data (a crafted payload can crash
    the interpreter or build code objects): reported only when the data is
    traced to untrusted input, and said so.

    Reported with high confidence when the data is traced to untrusted input,
    with low confidence when it is merely not constant (judged on real code
    mostly the application's own stored data: database rows, undo logs, its
    own temporary files, migrations of its own pickles). `yaml.load` with
    `Loader=yaml.SafeLoader` (or `CSafeLoader`, `BaseLoader`) is not reported,
    nor with a loader of the reviewed code whose bases are all safe loaders or
    `SafeConstructor` and the reading, parsing and resolving parts (transitively:
    a subclass of a safe subclass is safe), nor with a name bound to a safe loader
    in every branch (`try: from yaml import CSafeLoader as SafeLoader` /
    `except ImportError: from yaml import SafeLoader`). Nor, unless traced to
    untrusted input, a file the program opens itself (`pickle.load(open(path,
    "rb"))`, `pickle.loads(Path(path).read_bytes())`): its own state or queue
    files, which whoever can write them already controls. Nor, traced or not,
    the output of a serialiser loaded back in the same function
    (`pickle.loads(pickle.dumps(obj))`, a fast deep copy, or `blob =
    dill.dumps(x)` then `dill.loads(blob)`: objects the process already held),
    nor a load that runs only where `hmac.compare_digest(...)` held (the message
    authenticated with the sender's key first, as the fix below asks),
    nor `shelve.open(path, flag="n")`, a new, empty database opened to write.

    **Fix:** use a data-only format (`json.loads`, `yaml.safe_load`); if objects
    must cross a trust boundary, sign them (`hmac`) and verify before loading.
    """

    id = "SR103"
    name = "unsafe-deserialization"
    title = "Unsafe deserialization"
    cwe = 502
    severity = Level.HIGH
    confidence = Level.MEDIUM
    bandit = ("B301", "B302", "B506", "B614")
    sink_kinds = ("deserialization", "marshal")
    # merely not constant: judged on real code over seven panels 1 real, 7 worth a look, 28 false (the
    # application's own database rows, undo logs and temp files, one-time migrations of its own pickles,
    # by-design model loaders; docs/precision.md, eighth session): low, shown by --min-confidence low
    untainted = Level.LOW
    untainted_kinds = ("deserialization",)
    danger = "Loading a crafted payload runs code of the sender's choosing during deserialisation."
    fix = ("Use a data-only format such as `json.loads()` or `yaml.safe_load()`; if objects must be "
           "exchanged, authenticate them with `hmac` before loading.")

    def danger_at(self, site) -> str:
        if site.callee.startswith("marshal."):  # the "marshal" sink kind
            return ("`marshal` is not meant for untrusted data: a crafted payload can crash the interpreter or "
                    "build code objects that later code may run.")
        return self.danger

    def excused(self, site, sink, callee: str) -> bool:
        ref = sink.args[0] if sink.args else None
        value, node = site.arg(ref.position, ref.name) if ref is not None else site.arg(0)
        if file_text_untraced(self, value, sink.kind):
            return True
        if _dumped_here(site.interp.fn, node):
            return True  # pickle.loads(pickle.dumps(obj)): a deep copy of what this process pickled
        if _after_digest_check(site.interp):
            return True  # loaded only where an HMAC of the message matched: the fix this rule asks for
        if callee in _SHELVES:
            flag, _ = site.arg(1, "flag")
            if flag is not None and flag.is_const and flag.const == "n":
                return True  # a new, empty database: nothing in it to unpickle
        if not callee.startswith("yaml.load"):
            return False
        value, node = site.arg(1, "Loader")
        if node is None:
            return False
        if isinstance(node, (ir.Name, ir.Attr)) and node.qualname and _yaml_part(node.qualname) in _SAFE_PARTS:
            return True
        program = site.interp.program
        names = program.value_names(value)
        return names is not None and all(_safe_loader(program, name, 0) for name in names)


_DIGEST_CHECKS = frozenset({"hmac.compare_digest", "secrets.compare_digest"})


def _after_digest_check(interp) -> bool:
    """The statement being analysed runs only where ``hmac.compare_digest(...)`` held (``if
    hmac.compare_digest(sent, h.digest()): obj = pickle.loads(data)``, or past ``if not
    hmac.compare_digest(...): raise ...``): the message was authenticated with the sender's key first."""
    stmt = interp.stmt
    if stmt is None:
        return False
    for cond, taken in controlling_conditions(interp.fn, stmt):
        if isinstance(cond, ir.UnaryOp) and cond.op == "not":
            cond, taken = cond.operand, not taken
        if taken and isinstance(cond, ir.Call) and cond.qualname in _DIGEST_CHECKS:
            return True
    return False


# Serialisers whose output, loaded back by the matching loader, is a copy of what the process itself dumped.
_DUMPS = frozenset({"pickle.dumps", "_pickle.dumps", "cPickle.dumps", "dill.dumps", "cloudpickle.dumps",
                    "jsonpickle.encode", "jsonpickle.pickler.encode", "marshal.dumps"})
_SHELVES = frozenset({"shelve.open", "shelve.DbfilenameShelf"})


def _dumped_here(fn, node) -> bool:
    """``node`` is a serialiser's output made in this function: ``pickle.dumps(obj)`` itself, or a local
    variable every assignment of which in the function is one (``blob = dill.dumps(x)``). Loading it
    rebuilds objects this process already held (``pickle.loads(pickle.dumps(obj))``, a fast deep copy),
    not a stream someone else crafted."""
    if isinstance(node, ir.Call):
        return node.qualname in _DUMPS
    if not isinstance(node, ir.Name) or node.kind != ir.NameKind.LOCAL or fn is None:
        return False
    if any(p.name == node.id for p in fn.params):
        return False
    values = []
    for stmt in fn.statements():
        for target in getattr(stmt, "targets", None) or ():
            if _binds(target, node.id):
                if len(stmt.targets) != 1 or not isinstance(target, ir.NameTarget) \
                        or not isinstance(stmt, ir.Assign) or stmt.op is not None:
                    return False  # unpacked, augmented, a loop variable: not known here
                values.append(stmt.value)
    return bool(values) and all(isinstance(v, ir.Call) and v.qualname in _DUMPS for v in values)


def _binds(target, name: str) -> bool:
    if isinstance(target, ir.NameTarget):
        return target.id == name
    if isinstance(target, ir.StarTarget):
        return _binds(target.target, name)
    if isinstance(target, ir.UnpackTarget):
        return any(_binds(t, name) for t in target.elts)
    return False


def _yaml_part(qualname: str) -> str | None:
    """``SafeLoader`` for ``yaml.SafeLoader`` or ``yaml.loader.SafeLoader``; None outside PyYAML."""
    module, _, last = qualname.rpartition(".")
    return last if module == "yaml" or module.startswith("yaml.") else None


def _safe_loader(program, name: str, depth: int) -> bool:
    """Whether the loader class ``name`` constructs only plain data: one of PyYAML's safe
    loaders, or a class of the reviewed code whose every base may only be safe ones, or the
    parts that construct nothing, with at least one safe constructor among them."""
    part = _yaml_part(name)
    if part is not None:
        return part in _SAFE_PARTS
    bases = program.base_names(name) if depth < _MAX_BASES_DEPTH else None
    if not bases:
        return False
    constructs = False
    for candidates in bases:
        if candidates is None:
            return False
        for base in candidates:
            if _yaml_part(base) in _NEUTRAL_PARTS or base == "builtins.object":
                continue
            if not _safe_loader(program, base, depth + 1):
                return False
            constructs = True
    return constructs
