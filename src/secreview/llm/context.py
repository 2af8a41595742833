"""What the model is given: units of code with their facts, built from the engine's IR.

A *unit* is one function or method (with its decorators, nested functions included), or,
where an engine finding lies outside every function (or, for a change, changed lines do),
the module-level code of a file. For ``review`` every function of the reviewed files is a
unit; for ``diff`` the functions the change touches and those holding a reported finding.

For each unit ``render`` lays out the facts of one request, within ``max_request_tokens``:
the unit's code with line numbers; its callers and callees as the IR resolves them (with
their code when it fits, else their signature, else their name, always saying which); the
library calls it makes; the engine findings in it, each with an id, its explanation and its
data flow; for a change its message and changed lines; and the CWE list offered. Nothing
is cut silently: a unit whose own code and findings do not fit is not sent and is listed as
not reviewed by the model. ``Facts.sent`` records every line shown, per file, for
verification.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from secreview.findings.model import Finding, ReviewResult
from secreview.ir import nodes as ir
from secreview.llm.prompt import OFFERED_CWES, SYSTEM, cwe_list

MAX_CALLERS = 4
MAX_CALLEES = 6
MAX_LIBRARY_CALLS = 20
MESSAGE_LIMIT = 4000
"""Characters of a change's message sent; a longer message is sent cut, and says so."""
CHARS_PER_TOKEN = 4
"""Token estimate before sending (the endpoint's own count is used once it answers)."""


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


@dataclass(eq=False)
class Code:
    """A function (or module-level code) of a reviewed file, as the IR knows it."""

    path: str
    module: str
    qualname: str
    line: int
    end_line: int
    function: ir.Function | None
    """None for module-level code."""

    @property
    def scope(self) -> str:
        """The qualified name within the module (``Handler.get``), or ``<module>``."""
        if self.function is None:
            return "<module>"
        prefix = self.module + "."
        return self.qualname[len(prefix):] if self.qualname.startswith(prefix) else self.qualname


@dataclass(eq=False)
class Unit:
    code: Code
    findings: list[tuple[str, Finding]] = field(default_factory=list)
    """Engine findings to triage, with the id the prompt gives them (``F1``...)."""
    changed: tuple[tuple[int, int], ...] = ()
    callers: list[Code] = field(default_factory=list)
    callees: list[Code] = field(default_factory=list)
    library_calls: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return self.code.path

    def priority(self) -> tuple:
        """Severity order: units with the most severe findings first, then by place."""
        worst = max((int(f.severity) for _, f in self.findings), default=0)
        return (-worst, -len(self.findings), self.code.path, self.code.line)


@dataclass
class Facts:
    """One request's user message and what it showed."""

    text: str
    tokens: int
    """Estimated tokens of the whole prompt (system and user message)."""
    sent: dict[str, set[int]]
    """Lines shown, per file."""
    files: tuple[str, ...]
    """Files whose lines were shown."""
    offered: frozenset[int]
    finding_ids: dict[str, Finding]


class Program:
    """The reviewed files lowered again (the review itself may have come from the cache), with
    an index of functions and of who calls whom."""

    def __init__(self, sources: list):
        from secreview.engine.lowering import lower_source

        self.lines: dict[str, list[str]] = {}
        self.modules: dict[str, ir.Module] = {}
        self.functions: dict[str, tuple[ir.Module, ir.Function]] = {}
        for src, name, is_package in sources:
            self.lines[src.display] = src.text.split("\n")
            lowered = lower_source(src, name, is_package)
            if lowered.problem is not None and not lowered.problem.reviewed:
                continue
            self.modules[src.display] = lowered.module
            for qualname, fn in lowered.module.functions.items():
                self.functions.setdefault(qualname, (lowered.module, fn))
        self.classes: dict[str, str] = {}
        for module in self.modules.values():
            for qualname in module.classes:
                self.classes.setdefault(qualname, qualname + ".__init__")
        self.codes: dict[str, list[Code]] = {path: _units_of(module) for path, module in self.modules.items()}
        self._callees: dict[str, set[str]] = {}
        self._callers: dict[str, set[str]] = defaultdict(set)
        self._library: dict[str, set[str]] = {}
        self._by_qualname: dict[str, Code] = {}
        for codes in self.codes.values():
            for code in codes:
                self._by_qualname[code.qualname] = code
                callees, library = self._calls_of(code)
                self._callees[code.qualname] = callees
                self._library[code.qualname] = library
                for callee in callees:
                    self._callers[callee].add(code.qualname)

    def _calls_of(self, code: Code) -> tuple[set[str], set[str]]:
        """(qualnames of units called, library functions called) by ``code``'s function."""
        fn = code.function
        if fn is None:
            return set(), set()
        inside, library = set(), set()
        first_param = fn.params[0].name if fn.is_method and fn.params else None
        for call in _calls(fn):
            target = call.qualname
            if target is None and first_param and isinstance(call.func, ir.Attr) \
                    and isinstance(call.func.value, ir.Name) and call.func.value.id == first_param:
                target = f"{fn.class_qualname}.{call.func.attr}"
            if target is None:
                continue
            target = self.classes.get(target, target)
            unit = self._unit_of_function(target)
            if unit is not None:
                if unit != code.qualname:
                    inside.add(unit)
            elif target not in self.functions and "." in target and not target.startswith(code.module + "."):
                library.add(target)
        return inside, library

    def _unit_of_function(self, qualname: str) -> str | None:
        found = self.functions.get(qualname)
        if found is None:
            return None
        fn = found[1]
        while fn is not None and fn.qualname not in self._units_index():
            fn = fn.parent
        return fn.qualname if fn is not None else None

    def _units_index(self) -> set[str]:
        index = getattr(self, "_index", None)
        if index is None:
            index = self._index = {c.qualname for codes in self.codes.values() for c in codes}
        return index

    def callers(self, code: Code) -> list[Code]:
        return sorted((self._by_qualname[q] for q in self._callers.get(code.qualname, ())),
                      key=lambda c: (c.path, c.line))

    def callees(self, code: Code) -> list[Code]:
        return sorted((self._by_qualname[q] for q in self._callees.get(code.qualname, ())),
                      key=lambda c: (c.path, c.line))

    def library_calls(self, code: Code) -> tuple[str, ...]:
        return tuple(sorted(self._library.get(code.qualname, ())))

    def module_code(self, path: str) -> Code:
        module = self.modules[path]
        return Code(path, module.name, "<module>", 1, max(1, len(self.lines[path])), None)


def _units_of(module: ir.Module) -> list[Code]:
    """The functions of ``module`` that are units: not lambdas, not nested in another function."""
    out = []
    for qualname, fn in module.functions.items():
        if fn.is_lambda or fn.name in ("<module>", "<class>") or not _top_level(fn):
            continue
        start = min([fn.line] + [d.line for d in fn.decorators if getattr(d, "line", 0)])
        out.append(Code(module.path, module.name, qualname, start, fn.end_line, fn))
    out.sort(key=lambda c: c.line)
    return out


def _top_level(fn: ir.Function) -> bool:
    parent = fn.parent
    while parent is not None:
        if parent.name != "<class>" and parent.name != "<module>":
            return False
        parent = parent.parent
    return True


_SLOTS: dict[type, tuple[str, ...]] = {}


def _slots(cls: type) -> tuple[str, ...]:
    slots = _SLOTS.get(cls)
    if slots is None:
        slots = _SLOTS[cls] = tuple(s for k in cls.__mro__ for s in getattr(k, "__slots__", ()))
    return slots


def _calls(fn: ir.Function):
    """Every call in ``fn`` and the functions nested in it (iteratively: no recursion on depth)."""
    stack: list = []
    functions = [fn]
    while functions:
        f = functions.pop()
        functions.extend(f.children)
        for block in f.blocks:
            if block.origin is not None:  # a copy of a finally body: its statements are met in place
                continue
            stack.extend(block.stmts)
            stack.extend(e.cond for e in block.succs if e.cond is not None)
        while stack:
            node = stack.pop()
            if isinstance(node, ir.Call):
                yield node
            if isinstance(node, ir.Lambda):
                continue  # its body is one of f.children
            if isinstance(node, ir.Define):
                continue
            for slot in _slots(type(node)):
                value = getattr(node, slot, None)
                if isinstance(value, (ir.Node, ir.Keyword, ir.Generator)):
                    stack.append(value)
                elif isinstance(value, (tuple, list)):
                    stack.extend(v for v in value if isinstance(v, (ir.Node, ir.Keyword, ir.Generator)))


# --- choosing units ----------------------------------------------------------------------


def units_for(program: Program, result: ReviewResult) -> list[Unit]:
    """The units of this review, in severity order (``Unit.priority``)."""
    changed = result.changed_lines
    units: dict[int, Unit] = {}
    module_units: dict[str, Unit] = {}

    def unit_at(path: str, line: int, create_module: bool) -> Unit | None:
        for code in program.codes.get(path, ()):
            if code.line <= line <= code.end_line:
                return units.setdefault(id(code), Unit(code))
        if not create_module or path not in program.modules:
            return None
        return module_units.setdefault(path, Unit(program.module_code(path)))

    if changed is None:
        for codes in program.codes.values():
            for code in codes:
                units.setdefault(id(code), Unit(code))
    else:
        for path, spans in changed.items():
            for a, b in spans:
                for line in range(a, b + 1):
                    text = program.lines.get(path, [""])[line - 1:line]
                    if text and text[0].strip():
                        unit_at(path, line, create_module=True)
    for finding in result.findings:
        if finding.origin != "engine":
            continue
        unit = unit_at(finding.path, finding.line, create_module=True)
        if unit is not None:
            unit.findings.append((f"F{len(unit.findings) + 1}", finding))
    out = list(units.values()) + list(module_units.values())
    for unit in out:
        unit.callers = program.callers(unit.code)[:MAX_CALLERS + 1]
        unit.callees = program.callees(unit.code)[:MAX_CALLEES + 1]
        unit.library_calls = program.library_calls(unit.code)
        if changed is not None:
            unit.changed = tuple((max(a, unit.code.line), min(b, unit.code.end_line))
                                 for a, b in changed.get(unit.path, ()) if a <= unit.code.end_line
                                 and b >= unit.code.line)
    out.sort(key=Unit.priority)
    return out


# --- laying out the facts --------------------------------------------------------------


class TooLarge(Exception):
    def __init__(self, tokens: int):
        super().__init__(tokens)
        self.tokens = tokens


def numbered(lines: list[str], first: int, last: int) -> list[str]:
    width = len(str(last))
    return [f"{n:>{width}} | {lines[n - 1]}".rstrip() for n in range(first, last + 1) if 0 < n <= len(lines)]


def _module_view(program: Program, path: str) -> tuple[list[str], set[int]]:
    """Module-level code: the file without its functions' bodies, each replaced by a marker."""
    lines = program.lines[path]
    covered = [(c.line, c.end_line, c.scope) for c in program.codes.get(path, ())]
    out, shown, n = [], set(), 1
    width = len(str(len(lines)))
    while n <= len(lines):
        hit = next((c for c in covered if c[0] == n), None)
        if hit is not None:
            out.append(f"{'':>{width}} | ... lines {hit[0]}-{hit[1]}: function {hit[2]} (not shown here)")
            n = hit[1] + 1
            continue
        out.append(f"{n:>{width}} | {lines[n - 1]}".rstrip())
        shown.add(n)
        n += 1
    return out, shown


def _signature(program: Program, code: Code) -> tuple[list[str], int]:
    """The lines from the first decorator to the end of the ``def`` header (at most 12)."""
    lines = program.lines[code.path]
    last = code.line
    for n in range(code.line, min(code.end_line, code.line + 11) + 1):
        last = n
        if lines[n - 1].rstrip().endswith(":") and lines[n - 1].lstrip().startswith(("def ", "async def ")) \
                or (n > code.line and lines[n - 1].rstrip().endswith(":")
                    and not lines[n - 1].lstrip().startswith("@")):
            break
    return numbered(lines, code.line, last), last


def render(program: Program, unit: Unit, *, max_tokens: int, message: str | None) -> Facts:
    """The user message for ``unit``. Raises ``TooLarge`` when its own code and findings do
    not fit in ``max_tokens`` (with the system prompt)."""
    code = unit.code
    sent: dict[str, set[int]] = defaultdict(set)
    head = [f"Project file under review: {code.path} (module {code.module})"]
    if code.function is None:
        head.append("Code under review: the module-level code of this file (function bodies are reviewed "
                    "separately and replaced by a marker line here):")
        view, shown = _module_view(program, code.path)
        sent[code.path] |= shown
    else:
        head.append(f"Function under review: {code.scope}, lines {code.line}-{code.end_line}:")
        view = numbered(program.lines[code.path], code.line, code.end_line)
        sent[code.path] |= set(range(code.line, code.end_line + 1))
    head += ["```python", *view, "```", ""]

    ids: dict[str, Finding] = {}
    extra_cwes: dict[int, str] = {}
    findings_part: list[str] = []
    if unit.findings:
        findings_part.append("Engine findings to triage:")
        for fid, f in unit.findings:
            ids[fid] = f
            if f.cwe > 0:
                extra_cwes.setdefault(f.cwe, f.title)
            where = f"line {f.span.line}" if f.span.end_line == f.span.line else \
                f"lines {f.span.line}-{f.span.end_line}"
            findings_part.append(f"{fid}: {f.rule_id} {f.rule_name}, CWE-{f.cwe}, {f.title}; severity "
                                 f"{f.severity}, confidence {f.confidence}; {f.path} {where}")
            findings_part.append(f"  engine's explanation: {' '.join(f.explanation.split())}")
            sent[f.path] |= set(range(f.span.line, f.span.end_line + 1))
            for number, step in enumerate(f.trace, 1):
                code_text = f" `{step.code.strip()}`" if step.code.strip() else ""
                findings_part.append(f"  data flow {number}. {step.path}:{step.line} {step.note}{code_text}")
                if step.code.strip():
                    sent[step.path].add(step.line)
        findings_part.append("")

    change_part: list[str] = []
    if unit.changed or message:
        change_part.append("Change under review:")
        if message:
            text = message.strip()
            cut = len(text) > MESSAGE_LIMIT
            text = text[:MESSAGE_LIMIT]
            change_part += ["Commit message" + (f" (its first {MESSAGE_LIMIT} characters)" if cut else "") + ":",
                            *("> " + line for line in text.split("\n"))]
        if unit.changed:
            change_part.append("Lines changed in this function: " + ", ".join(
                str(a) if a == b else f"{a}-{b}" for a, b in unit.changed))
        change_part.append("")

    offered = frozenset(OFFERED_CWES) | frozenset(extra_cwes)
    tail = ["Defect types you may choose from (use the number as cwe):", cwe_list(extra_cwes)]

    core = head + findings_part + change_part + tail
    budget = max_tokens - estimate_tokens(SYSTEM)
    used = estimate_tokens("\n".join(core))
    if used > budget:
        raise TooLarge(used + estimate_tokens(SYSTEM))

    context: list[str] = []
    for label, codes, limit in (("Callers", unit.callers, MAX_CALLERS), ("Callees", unit.callees, MAX_CALLEES)):
        if not codes:
            continue
        block = [f"{label} of {code.scope} (as the engine resolved them; context, not under review):"]
        shown_codes = codes[:limit]
        for other in shown_codes:
            lines = program.lines[other.path]
            full = numbered(lines, other.line, other.end_line)
            title = f"- {other.scope} in {other.path}, lines {other.line}-{other.end_line}"
            full_block = [title + ":", "```python", *full, "```"]
            if used + estimate_tokens("\n".join(block + full_block)) <= budget:
                block += full_block
                sent[other.path] |= set(range(other.line, other.end_line + 1))
                continue
            sig, last = _signature(program, other)
            sig_block = [title + " (its signature only; the body was not sent, too long):", "```python", *sig,
                         "```"]
            if used + estimate_tokens("\n".join(block + sig_block)) <= budget:
                block += sig_block
                sent[other.path] |= set(range(other.line, last + 1))
            else:
                block.append(title + " (not sent: no room)")
        more = len(codes) - len(shown_codes)
        if more > 0:
            block.append(f"- and more {label.lower()} not listed")
        block.append("")
        used += estimate_tokens("\n".join(block))
        context += block
    if unit.library_calls:
        names = unit.library_calls[:MAX_LIBRARY_CALLS]
        more = len(unit.library_calls) - len(names)
        context += [f"Library functions it calls: {', '.join(names)}" + (f" and {more} more" if more else ""), ""]

    text = "\n".join(head + context + findings_part + change_part + tail)
    files = tuple(sorted(p for p, lines in sent.items() if lines))
    return Facts(text, estimate_tokens(SYSTEM) + estimate_tokens(text), dict(sent), files, offered, ids)
