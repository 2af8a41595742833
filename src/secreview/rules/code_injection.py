from secreview.analysis import values as V
from secreview.findings.model import Level
from secreview.rules.base import SinkRule, file_text_untraced, parameter_named

_CODE_WORDS = ("code", "source", "expr", "script", "statement")
# (a parameter passed whole keeps the older substring match: ``runcode``, ``srccode``)


class CodeInjection(SinkRule):
    """Python code evaluated from a string that is not constant.

    `eval`, `exec` and `compile` run their argument as Python with the full
    power of the process: reading files, opening sockets, running commands. A
    string that is not a literal can carry code written by whoever controls it.

    Reported with high confidence when the string is traced to untrusted input
    (command-line input and RPC message data one severity level lower, saying
    why), with low confidence (not shown by default, counted beside the
    verdict) when it is built from a parameter (`+`, `%`, `.format`, an
    f-string, `join`) or is a parameter of the function that no caller shows
    to be safe (`def evaluate(value): return eval(value)`): judged on real
    code, 2 of 47 such findings were real and none of the last 16 (notebook
    magics, debugger consoles, a framework evaluating its user's own source,
    an owner-only eval command: what eval is used for by design).
    A value
    of unknown origin that is neither (`exec(self.co, env)` in a template
    engine, `exec(compile(self._finder_src, ...))` in a code generator, an
    attribute or a call's result) is not reported: evaluating generated code is
    what such functions are for, and nothing shows that the code is anyone's
    but the program's (Bandit's B307 reports every `eval`). Constant strings, and
    values that are provably constant after constant propagation, are not
    reported. Nor, unless traced to untrusted input, is code the program reads
    from a file (`exec(open(path).read())`, `eval(compile(f.read(), path,
    "exec"))`: a configuration or startup file, run by design like an import),
    or a parameter named for what it is (`def runcode(self, code): exec(code)`,
    also once parsed or compiled, `eval(compile(ast.parse(code).body[-1], ...))`,
    or framed by constant code, `exec("import os\\n" + code)`,
    a console or an interpreter by design): its callers are reported instead,
    when they pass it untrusted data. Nor is a string from a parameter when
    every caller in the reviewed code passes a constant.

    **Fix:** parse data with `ast.literal_eval` or `json.loads`; dispatch on an
    allow-list (`{"add": operator.add}[name]`) instead of evaluating names.
    """

    id = "SR102"
    name = "code-injection"
    title = "Code injection through eval/exec"
    cwe = 95
    severity = Level.HIGH
    confidence = Level.MEDIUM
    bandit = ("B307", "B102")
    sink_kinds = ("code",)
    # command-line input too: a shell or eval running what the user typed (one level less severe, said so)
    source_kinds = SinkRule.source_kinds | {"cli"}
    # a parameter evaluated, or code built from one, with nothing traced: low (not shown by default). Judged on
    # real code, 2 of 47 such findings were real (panels A-L) and none of the 16 left at medium after the
    # fourteenth session's changes (panels E-M): by-design interpreters (notebook magics, debugger consoles,
    # a framework evaluating its user's own source, an owner-only eval command) are what eval is used for
    untainted = Level.LOW
    untainted_parameters_only = True
    construction_confidence = Level.LOW
    constructions = ("code",)
    contract_words = ("code", "source", "src", "expr", "expression", "script", "statement", "stmt")
    danger = ("Python evaluates it as code, so whoever chooses it can run any Python in this process: import the "
              "os module and run commands, read files, or open connections.")
    fix = ("Do not evaluate strings: use `ast.literal_eval()` for literals or `json.loads()` for data, and "
           "map allowed names to functions with a dict.")

    def excused(self, site, sink, callee: str) -> bool:
        value, _ = site.arg(0, "source")
        return file_text_untraced(self, value, sink.kind)

    def by_design(self, interp, value, arg_node) -> bool:
        if parameter_named(interp, arg_node, _CODE_WORDS):
            return True
        # ``tree = ast.parse(code)`` ... ``eval(compile(tree.body[-1], ...))``: the parameter named for code,
        # parsed or compiled but not built into other text, is still the code the function exists to run
        params = interp.fn.params
        taints = [t for t in value.taints if t.is_param]
        return bool(taints) and all(
            V.BUILT_MARK not in t.cleansed and 0 <= t.index < len(params)
            and any(w in params[t.index].name.lower() for w in _CODE_WORDS) for t in taints)
