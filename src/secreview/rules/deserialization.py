from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.rules.base import SinkRule

_SAFE_LOADERS = frozenset({"yaml.SafeLoader", "yaml.CSafeLoader", "yaml.BaseLoader", "yaml.CBaseLoader",
                           "yaml.loader.SafeLoader", "yaml.cyaml.CSafeLoader"})


class UnsafeDeserialization(SinkRule):
    """Objects deserialised from data that is not constant with a loader that can run code.

    `pickle`, `marshal`, `shelve`, `dill`, `jsonpickle` and `yaml.load` with a
    full or unsafe loader rebuild arbitrary objects: a crafted payload runs code
    while it is being loaded (`__reduce__`, `!!python/object/apply`).

    Reported with high confidence when the data is traced to untrusted input,
    with medium confidence when it is merely not constant. `yaml.load` with
    `Loader=yaml.SafeLoader` (or `CSafeLoader`, `BaseLoader`) is not reported.

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
    sink_kinds = ("deserialization",)
    untainted = Level.MEDIUM
    danger = "Loading a crafted payload runs code of the sender's choosing during deserialisation."
    fix = ("Use a data-only format such as `json.loads()` or `yaml.safe_load()`; if objects must be "
           "exchanged, authenticate them with `hmac` before loading.")

    def excused(self, site, sink, callee: str) -> bool:
        if not callee.startswith("yaml.load"):
            return False
        loader = site.call.keyword("Loader")
        if loader is None and len(site.call.args) > 1:
            loader = site.call.args[1]
        return isinstance(loader, (ir.Name, ir.Attr)) and loader.qualname in _SAFE_LOADERS
