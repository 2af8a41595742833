import re

from secreview.analysis import values as V
from secreview.findings.model import Level
from secreview.ir import nodes as ir
from secreview.rules.base import SinkRule

_PLACEHOLDER = re.compile(r"%(\([^)]*\))?[-#0 +]*(\*|\d+)?(\.(\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])")
_SAFE_CONVERSIONS = frozenset("diouxXeEfFgGr%")


def _only_safe_placeholders(fmt: str) -> bool:
    """True when a %-format puts its arguments only through `%r` or numbers (no raw `%s`)."""
    return all(m.group(5) in _SAFE_CONVERSIONS for m in _PLACEHOLDER.finditer(fmt))


class LogInjection(SinkRule):
    """Log message written with untrusted data that may hold line breaks.

    A value with a CR or LF written to a line-based log starts a new line the
    attacker writes: a forged entry (`\\nINFO login succeeded for admin`) that
    misleads whoever reads the log or hides an attack; control characters can
    also attack the terminal or the log viewer.

    Reported when data traced to untrusted input is logged through `logging`
    (module functions, `Logger`, `LoggerAdapter`, or a receiver named like a
    logger), as the message or as an argument merged into it. Not reported:
    values merely not constant (every log call would be), values passed through
    `repr()` or percent-encoding, values checked against an allow-list, and
    calls whose constant format puts every argument through `%r` or a numeric
    conversion (`log.info("user %r", name)`). HTML escaping does not count: it
    leaves line breaks alone. Severity is low: the harm is to the log's
    integrity.

    In the extended set (select it to run it): on 22 real projects judged in
    `docs/precision.md`, 18 of 19 sampled findings were not a defect a reviewer
    would ask to fix (ids and records fetched by a request's id, the signed-in
    user's own input at debug level).

    **Fix:** log untrusted values with `%r` (`logger.info("login for %r", user)`)
    so line breaks are escaped, or strip `\\r` and `\\n` first; better, use a
    structured (JSON) log formatter that escapes every field.
    """

    id = "SR114"
    extended = True
    name = "log-injection"
    title = "Log injection"
    cwe = 117
    severity = Level.LOW
    confidence = Level.HIGH
    traced_ceiling = Level.MEDIUM  # (SinkRule.traced_ceiling; docs/precision.md, seventh session)
    sink_kinds = ("log",)
    untainted = None
    # Data from HTTP clients only: RPC peers are the deployment's own agents, and reporting
    # every logged RPC argument would drown the real cases.
    source_kinds = frozenset({"remote"})
    whole_objects = False
    danger = ("A line break in it starts a new log line that the client writes, so log entries can be forged or "
              "an attack hidden from whoever reads the log.")
    fix = ("Log the value with `%r` (`logger.info(\"user %r\", name)`) or remove `\\r`/`\\n` from it first; a JSON "
           "log formatter escapes every field.")

    def excused(self, site, sink, callee: str) -> bool:
        # logging.log(level, msg, *args) has the message second
        index = 1 if callee.rpartition(".")[2] == "log" else 0
        if len(site.args) <= index:
            return False
        msg = site.args[index]
        if not (msg.is_const and isinstance(msg.const, str) and not msg.taints and len(site.args) > index + 1):
            return False
        if _only_safe_placeholders(msg.const):
            return True
        return self._text_placeholders_clean(msg.const, site.args[index + 1:], site)

    def _text_placeholders_clean(self, fmt: str, args: list, site) -> bool:
        """Only the arguments a ``%s``/``%a`` placeholder writes as text can carry a line
        break: ``%(status)d`` of an int cannot. True when none of those carries untrusted
        data (judged argument by argument, or key by key of a mapping)."""
        if any(isinstance(a, ir.Starred) for a in site.call.args) or site.star_taints:
            return False
        placeholders = [m for m in _PLACEHOLDER.finditer(fmt) if m.group(5) != "%"]
        text = [m for m in placeholders if m.group(5) not in _SAFE_CONVERSIONS]
        if placeholders and all(m.group(1) for m in placeholders):
            if len(args) != 1 or args[0].items is None:
                return False
            items = args[0].items
            for m in text:
                key = m.group(1)[1:-1]
                if key not in items or self._dangerous(items[key]):
                    return False
            return True
        if len(placeholders) != len(args) or any(m.group(1) for m in placeholders):
            return False
        return not any(self._dangerous(arg) for m, arg in zip(placeholders, args)
                       if m.group(5) not in _SAFE_CONVERSIONS)

    def _dangerous(self, value) -> bool:
        taints = V.merge_taints(value.taints, V.all_item_taints(value.items))
        return any(t.is_param or (t.kind in self.source_kinds and t.dangerous_for("log")) for t in taints)
