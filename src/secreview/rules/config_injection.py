from secreview.analysis import values as V
from secreview.findings.model import Level
from secreview.rules.base import SinkRule

KIND = "config-text"
_NO_CRLF = "no-crlf"  # a request header's value: the HTTP parser ends it at the line break
_RENDERED = frozenset({"jinja2.Template.render()"})
_BUILT = frozenset({"builtins.str", "builtins.str.encode()"}) | _RENDERED


class ConfigInjection(SinkRule):
    """Untrusted value spliced into a line-oriented file (a daemon's configuration) without rejecting newlines.

    Configuration files of other daemons — dnsmasq hosts and options,
    HAProxy, keepalived, radvd, a `sudoers.d` entry, an `/etc/hosts` line —
    are read one line (one directive) at a time. A value of the sender's
    choosing that holds a newline and is written into such a text ends its
    line and adds directives of the sender's choosing (`external-check
    command ...` in HAProxy, `dhcp-script=` in dnsmasq), run by a daemon that
    is often root.

    Reported when data traced to the request or to an RPC message is
    formatted into a text (`%`, `.format`, an f-string, `+`, `join`, a
    Jinja2 `Template.render(...)`) that is then written to a file
    (`file.write`, `writelines`, `Path.write_text`,
    `oslo_utils.fileutils.write_to_tempfile`), in one function or through
    a function that builds the text from its parameters. Not reported: a
    value written whole (an upload), a number, a request header's value
    (the HTTP parser ends it at CR/LF), values checked with
    `if "\\n" in v: raise ...`, with `.replace("\\n", "")`, an allow-list or
    an anchored pattern that excludes newlines. Text built in one function
    and written by a helper that receives the finished text is not followed.
    RPC data is reported one severity level lower than request data. In the
    extended set: writing request values into text files is often done on
    purpose with values the API validated elsewhere.

    **Fix:** reject values holding `\\r`, `\\n` (and other control characters)
    where they enter the API, or validate them against the syntax the
    daemon accepts (an IP address, a MAC, an anchored pattern) before they
    are formatted into the file.
    """

    id = "SR118"
    name = "config-injection"
    title = "Newline injection into a generated configuration file"
    cwe = 93
    severity = Level.MEDIUM
    confidence = Level.MEDIUM
    extended = True
    sink_kinds = (KIND,)
    source_kinds = frozenset({"remote", "rpc"})
    untainted = None
    whole_objects = False
    danger = ("The text is written to a file read one line at a time: a newline in this value ends its line "
              "and adds directives of the sender's choosing.")
    fix = ("Reject values holding `\\r` or `\\n` where they enter, or check them against the syntax the file "
           "expects (an anchored pattern, an IP address) before formatting them in.")

    def dangerous_part(self, sink, value, node=None, arg_node=None):
        if not (value.types & _BUILT):
            return None  # written as it came (an upload, a copy): no line of the file is built from it
        rendered = bool(value.types & _RENDERED)
        taints = frozenset(t for t in V.merge_taints(value.taints, V.all_item_taints(value.items))
                           if _NO_CRLF not in t.cleansed and (not t.is_param or rendered or V.BUILT_MARK in t.cleansed))
        return V.Value(taints=taints) if taints else None

    def flow_argument(self, flow, arg):
        taints = frozenset(t for t in V.merge_taints(arg.taints, V.all_item_taints(arg.items))
                           if _NO_CRLF not in t.cleansed)
        return V.Value(taints=taints) if taints else None
