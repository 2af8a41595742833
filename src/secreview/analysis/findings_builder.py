"""Turning what the analysis saw into findings: one per rule and location,
at the highest confidence any evidence gave, with the code, the trace and an
explanation built only from this code's own names and lines."""

from __future__ import annotations

from secreview.analysis.code_text import code_lines, code_of, span_of
from secreview.analysis.values import Step, Taint, Value
from secreview.findings.model import Finding, TraceStep


def trace_steps(module_lookup, step: Step | None) -> tuple[TraceStep, ...]:
    if step is None:
        return ()
    out = []
    for s in step.steps():
        module = module_lookup(s.path)
        code = module.source_line(s.line).strip() if module is not None else ""
        out.append(TraceStep(s.path, s.line, s.col, s.note, code))
    # consecutive duplicates (same line, same note) add nothing
    deduped: list[TraceStep] = []
    for s in out:
        prev = deduped[-1] if deduped else None
        if prev is not None and prev.line == s.line and prev.path == s.path:
            if s.note != prev.note and s.note not in prev.note:
                deduped[-1] = TraceStep(prev.path, prev.line, prev.col, f"{prev.note}; {s.note}", prev.code)
            continue
        deduped.append(s)
    return tuple(deduped)


class FindingsBuilder:
    """Findings grouped by the analysis that produced them (the function being
    analysed): when a function is analysed again, with its callees' final
    summaries, its earlier findings are dropped, so the result does not depend on
    the order in which functions were analysed."""

    def __init__(self, program):
        self.program = program
        self.buckets: dict = {}  # analysed function -> {finding key: (finding, statement lines)}
        self.current = ""
        self.statement_lines: dict = {}

    def start(self, bucket: str) -> None:
        """Findings added from now on belong to ``bucket``; what it held before is dropped."""
        self.current = bucket
        self.buckets[bucket] = {}

    def resume(self, bucket: str) -> None:
        self.current = bucket
        self.buckets.setdefault(bucket, {})

    def result(self) -> list[Finding]:
        findings, self.statement_lines = merge_buckets([self.buckets])
        return findings

    def _module(self, path: str):
        module = self.program.module_by_path.get(path)
        if module is not None and module.lines is None:  # a stub of a module analysed elsewhere
            module.lines = self.program.foreign_lines(path) if self.program.foreign_lines else []
        return module

    def _keep(self, key, finding: Finding, stmt_lines) -> None:
        bucket = self.buckets.setdefault(self.current, {})
        old = bucket.get(key)
        if old is not None and _rank(finding) <= _rank(old[0]):
            return
        bucket[key] = (finding, stmt_lines)

    def add_sink(self, rule, site, taint: Taint, step: Step, is_test: bool) -> None:
        if not is_test and step is not None and self._through_test_code(step):
            return  # test code is not a caller of production code: no finding rests on its data
        trace = trace_steps(self._module, step)
        arg_code, sink_code = site.arg_code, site.sink_code
        origin = trace[0] if trace else None
        where = f" (line {origin.line})" if origin and origin.path == site.path else (
            f" ({origin.path}:{origin.line})" if origin else "")
        first = step.steps()[0] if step is not None else None
        origin_note = (first.origin or first.note) if first is not None else "untrusted data"
        via = _via(trace, site.path)
        if arg_code and arg_code != sink_code:
            lead = f"`{sink_code}` receives `{arg_code}`, which carries {_lower_first(origin_note)}{where}{via}."
        else:
            lead = f"`{sink_code}` is given {_lower_first(origin_note)}{where}{via}."
        explanation = f"{lead} {rule.danger}".strip()
        finding = self._site_finding(rule, site, explanation, rule.traced_confidence(taint), trace,
                                     ("tainted",) + (("test-code",) if is_test else ()))
        self._keep((rule.id, site.path, site.line, site.col), finding, site.stmt_lines)

    def _through_test_code(self, step: Step) -> bool:
        test_path = self.program.test_path
        node = step
        while node is not None:
            if test_path(node.path):
                return True
            node = node.prev
        return False

    def add_untainted(self, rule, site, value: Value, is_test: bool) -> None:
        arg_code, sink_code = site.arg_code, site.sink_code
        params = sorted({t.step.steps()[0].note for t in value.taints if t.is_param and t.step is not None})
        if params:
            origin = f"it comes from {params[0]}, so every caller decides what runs here"
        else:
            origin = "its value is computed at run time and no analysis shows it to be constant or safe"
        subject = f"`{arg_code}`" if arg_code and arg_code != sink_code else "The value"
        explanation = (f"{subject} reaches `{sink_code}` and is not a constant: {origin}. "
                       f"If it ever holds outside data, {_lower_first(rule.danger)}")
        finding = self._site_finding(rule, site, explanation, rule.untainted, (),
                                     ("not-constant",) + (("test-code",) if is_test else ()))
        self._keep((rule.id, site.path, site.line, site.col), finding, site.stmt_lines)

    def _site_finding(self, rule, site, explanation, confidence, trace, tags) -> Finding:
        return Finding(
            rule_id=rule.id, rule_name=rule.name, title=rule.title, cwe=rule.cwe, severity=rule.severity,
            confidence=confidence, path=site.path, span=site.span, code=site.code, explanation=explanation,
            fix=rule.fix, trace=trace, tags=tags,
        )

    def add_hit(self, rule, interp, hit) -> None:
        module = interp.module
        stmt = interp.stmt
        stmt_lines = (stmt.line, stmt.end_line) if stmt is not None else (hit.node.line, hit.node.end_line)
        is_test = self.program.test_path(module.path)
        tags = tuple(hit.tags) + (("test-code",) if is_test else ())
        finding = self._finding(rule, module, hit.node, hit.explanation, hit.fix, hit.confidence or rule.confidence,
                                self._hit_trace(module, hit), tags, severity=hit.severity)
        self._keep((rule.id, module.path, hit.node.line, hit.node.col), finding, stmt_lines)

    def add_function_hit(self, rule, module, hit) -> None:
        is_test = self.program.test_path(module.path)
        tags = tuple(hit.tags) + (("test-code",) if is_test else ())
        finding = self._finding(rule, module, hit.node, hit.explanation, hit.fix, hit.confidence or rule.confidence,
                                self._hit_trace(module, hit), tags, severity=hit.severity)
        self._keep((rule.id, module.path, hit.node.line, hit.node.col), finding, (hit.node.line, hit.node.end_line))

    def _hit_trace(self, module, hit) -> tuple[TraceStep, ...]:
        """The steps a hit's explanation rests on: its flow, then its notes, in line order."""
        steps = list(trace_steps(self._module, hit.flow))
        notes = [TraceStep(module.path, node.line, node.col, note, module.source_line(node.line).strip())
                 for node, note in hit.notes]
        return tuple(steps + sorted(notes, key=lambda s: (s.line, s.col)))

    def _finding(self, rule, module, node, explanation, fix, confidence, trace, tags, severity=None) -> Finding:
        span = span_of(module, node)
        return Finding(
            rule_id=rule.id, rule_name=rule.name, title=rule.title, cwe=rule.cwe,
            severity=severity or rule.severity, confidence=confidence, path=module.path, span=span,
            code=code_lines(module, node.line, node.end_line), explanation=explanation, fix=fix,
            trace=trace, tags=tags,
        )


def merge_buckets(bucket_sets) -> tuple[list[Finding], dict]:
    """The findings of several programs' buckets (bucket names are distinct), one per
    rule and place: the sorted findings and ``id(finding) -> statement lines``."""
    merged: dict = {}
    buckets = {}
    for one in bucket_sets:
        buckets.update(one)
    for name in sorted(buckets):
        for key, entry in buckets[name].items():
            old = merged.get(key)
            if old is None or _rank(entry[0]) > _rank(old[0]):
                merged[key] = entry
    statement_lines = {id(f): lines for f, lines in merged.values()}
    return sorted((f for f, _ in merged.values()), key=Finding.sort_key), statement_lines


def _rank(finding: Finding) -> tuple:
    """Of two findings of one rule at one place, the one kept: the more confident, then
    the one with the shorter trace, then a fixed order on the rest."""
    trace = finding.trace
    return (finding.confidence, len(trace) > 0, -len(trace), finding.severity, finding.explanation,
            tuple((s.path, s.line, s.col, s.note) for s in trace), finding.tags)


def _code(module, node) -> str:
    if node is None:
        return ""
    return code_of(module, node, 70)


def _lower_first(text: str) -> str:
    if text and text[0].isupper() and not text[:2].isupper():
        return text[0].lower() + text[1:]
    return text


def _via(trace: tuple, sink_path: str) -> str:
    calls = [s.note for s in trace if s.note.startswith("passed to ")]
    if not calls:
        return ""
    names = ", ".join(n.removeprefix("passed to ") for n in calls[:3])
    return f", through {names}"
