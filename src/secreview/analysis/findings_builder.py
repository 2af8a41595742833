"""Turning what the analysis saw into findings: one per rule and location,
at the highest confidence any evidence gave, with the code, the trace and an
explanation built only from this code's own names and lines."""

from __future__ import annotations

import re
from dataclasses import replace

from secreview.analysis import values as V
from secreview.analysis.code_text import code_lines, code_of, span_of
from secreview.analysis.values import CONSTRUCTIONS, Step, Taint, Value
from secreview.findings.model import Finding, Level, TraceStep


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


VOTE = "\0vote"
"""Bucket entries ``(VOTE, rule id, function, parameter) -> (None, statuses)``: what the callers
analysed in that bucket pass to a parameter that makes a finding (``FindingsBuilder.vote``)."""
SHADOW = "\0shadow"
"""Bucket entries ``(SHADOW,) + finding key -> (None, ((path, line), ...))``: the finding is dropped when
another finding of its rule, at least as confident, is at or passes through one of those lines
(``SinkRule.site_use``: the same value reaching a sink that does more there, one defect reported once)."""
NEEDS = "\0needs"
"""Bucket entries ``(NEEDS,) + finding key -> (None, (function, parameters))``: the finding stands
unless the callers of ``function`` decide it (``merge_buckets``)."""
KEEPS = "\0keeps"
"""Bucket entries ``(KEEPS,) + finding key -> (None, True)``: the finding there is of a rule that keeps a
construction whose callers pass only untraceable values as it is (``SinkRule.untraceable_low`` false)."""


class FindingsBuilder:
    """Findings grouped by the analysis that produced them (the function being
    analysed): when a function is analysed again, with its callees' final
    summaries, its earlier findings are dropped, so the result does not depend on
    the order in which functions were analysed."""

    def __init__(self, program):
        self.program = program
        self.buckets: dict = {}  # analysed function -> {finding key: (finding, statement lines)}
        # (only buckets that hold something: most functions find nothing, and an empty bucket
        # per function and rule pass took 11 MiB on neutron)
        self.current = ""
        self.statement_lines: dict = {}

    def start(self, bucket: str) -> None:
        """Findings added from now on belong to ``bucket``; what it held before is dropped."""
        self.current = bucket
        self.buckets.pop(bucket, None)

    def resume(self, bucket: str) -> None:
        self.current = bucket

    def result(self) -> list[Finding]:
        findings, self.statement_lines = merge_buckets([self.buckets])
        return findings

    def _module(self, path: str):
        module = self.program.module_by_path.get(path)
        if module is not None and module.text is None:  # a stub of a module analysed elsewhere
            module.text = self.program.foreign_text(path) if self.program.foreign_text else ""
        return module

    def _keep(self, key, finding: Finding, stmt_lines, needs=None) -> bool:
        bucket = self.buckets.setdefault(self.current, {})
        old = bucket.get(key)
        if old is not None and _rank(finding) <= _rank(old[0]):
            return False
        bucket[key] = (finding, stmt_lines)
        if needs is not None:
            bucket[(NEEDS,) + key] = (None, needs)
        else:
            bucket.pop((NEEDS,) + key, None)
        return True

    def vote(self, rule_id: str, function: str, param: int, statuses) -> None:
        """What a caller passes to parameter ``param`` of ``function``, where that parameter makes
        a finding of rule ``rule_id`` that its callers may show safe (see ``merge_buckets``):
        ``"safe"``, ``"open"`` (a value whose origin the analysis cannot trace), ``"traced"`` (reported
        with a trace), or ``("defer", caller, index)``
        (the caller's own parameter, for its callers to decide)."""
        bucket = self.buckets.setdefault(self.current, {})
        key = (VOTE, rule_id, function, param)
        old = bucket.get(key)
        bucket[key] = (None, frozenset(statuses) if old is None else old[1] | frozenset(statuses))

    def add_sink(self, rule, site, taint: Taint, step: Step, is_test: bool, needs=None) -> bool:
        """Data traced from a source reaches a sink. False when not reported (it rests on test code).
        ``needs``: ``(function, (0,))`` when the finding is dropped if every caller of that function in
        the reviewed code votes it safe (``merge_buckets``; the rule's ``sink_needs``)."""
        if not is_test and step is not None and self._through_test_code(step):
            return False  # test code is not a caller of production code: no finding rests on its data
        trace = trace_steps(self._module, step)
        arg_code, sink_code = site.arg_code, site.sink_code
        if trace and (trace[-1].path != site.path or not site.line <= trace[-1].line <= site.span.end_line):
            # the trace stopped growing on the way (``values.MAX_TRACE``): the sink still ends it, saying so
            module = self._module(site.path)
            code = module.source_line(site.line).strip() if module is not None else ""
            trace = trace + (TraceStep(site.path, site.line, site.col, f"reaches `{sink_code}` {V.SKIPPED}", code),)
        origin = trace[0] if trace else None
        where = f" (line {origin.line})" if origin and origin.path == site.path else (
            f" ({origin.path}:{origin.line})" if origin else "")
        first = step.steps()[0] if step is not None else None
        origin_note = (first.origin or first.note) if first is not None else "untrusted data"
        via = _via(trace, site.path)
        danger = rule.danger_for(site, taint)
        if V.FILE_AT_PATH in taint.cleansed:
            # ``pickle.loads(open(path).read())`` with the client's ``path``: they choose the file, not its contents
            lead = (f"`{sink_code}` receives `{arg_code or 'the file'}`, read from a file at a path that carries "
                    f"{_lower_first(origin_note)}{where}{via}.")
            danger = (f"The client chooses which file is read; where they can also put one there (an upload, a log "
                      f"this process writes), {_lower_first(danger)}")
        elif arg_code and arg_code != sink_code:
            lead = f"`{sink_code}` receives `{arg_code}`, which carries {_lower_first(origin_note)}{where}{via}."
        else:
            lead = f"`{sink_code}` is given {_lower_first(origin_note)}{where}{via}."
        sender = taint.kind
        if sender == "remote" and V.ADMINISTRATOR in taint.cleansed:
            sender = V.ADMINISTRATOR  # a handler only administrators reach: worded for them, one level less
        elif sender == "remote" and V.AUTHENTICATED in taint.cleansed:
            sender = V.AUTHENTICATED  # an authenticated API's request: worded for its sender, as severe
        explanation = f"{lead} {_said_of_source(danger, sender)}".strip()
        caveat = _CAVEAT.get(sender)
        if caveat:
            explanation = f"{explanation} {caveat}"
        elif sender in _SENDER_NOTE:
            explanation = f"{explanation} {_SENDER_NOTE[sender]}"
        # judged on the whole trace: a flow into a function's parameter that reaches the sink there
        # through a call whose code is not reviewed rests on that guess as much as one in the caller
        whole = taint if step is None or step is taint.step else Taint(taint.kind, taint.index, taint.cleansed, step)
        confidence = rule.sink_confidence(site, rule.whole_trace_confidence(step, rule.traced_confidence(whole)))
        tags = ("tainted",)
        if V.STORED_MATCH in taint.cleansed:
            # (a lookup by the value found a stored record first: judged false at 7 SQL places, panel AV)
            explanation = (f"{explanation} It gets here only where a database lookup by this value found a "
                           f"stored record, so it must equal a value already stored.")
            confidence = Level.LOW
        if sender in _LOW_CONFIDENCE_SENDERS:
            confidence, tags = Level.LOW, tags + (_OWN_USER_TAG,)
        finding = self._site_finding(rule, site, explanation, confidence, trace,
                                     tags + (("test-code",) if is_test else ()))
        if caveat:  # a source inside the deployment's or the user's own reach: one level less severe
            finding = replace(finding, severity=Level(max(Level.LOW, finding.severity - 1)))
        key = (rule.id, site.path, site.line, site.col)
        if self._keep(key, finding, site.stmt_lines, needs):
            use = getattr(site, "use", None)  # (a site from a summary pickled before ``use`` existed: none)
            bucket = self.buckets[self.current]
            if use is not None and use[0] == "shadow":
                bucket[(SHADOW,) + key] = (None, use[1])
            else:
                bucket.pop((SHADOW,) + key, None)
        return True

    def add_construction(self, rule, site, step: Step, is_test: bool, needs=None, sink=None, origins=None,
                         through: str = "", operator: bool = False, numbers: bool = False,
                         captured: bool = False) -> bool:
        """A string built from a value that is not constant reaches a sink of ``rule`` with no traced
        source. ``site`` is where it is reported: the sink, or (``sink`` given) where the string is
        built when it reaches ``sink`` through a function that only passes it on. ``needs``:
        ``(function, parameter indexes)`` when built from those parameters, which the callers decide
        (``merge_buckets``); ``origins``, the first steps of those parameters (each one is shown in
        the trace). ``through``: the function that passes the string on to ``sink``. ``operator``: those
        parameters are a command's options (its entry point's), typed by whoever runs it: low confidence.
        ``numbers``: every one of those parameters defaults to a number (``window=1800``), which is what its
        callers are expected to pass: low confidence. ``captured``: those parameters are a lambda's captured
        values (``lambda db=db: ...``), which its callers do not pass: low confidence."""
        if not is_test and step is not None and self._through_test_code(step):
            return False
        trace = trace_steps(self._module, step)
        chain = step.steps()
        first = chain[0]
        construction = next((s for s in reversed(chain) if s.origin in CONSTRUCTIONS), None)
        built = construction or first
        if needs is not None:
            origins = origins or [first]
            origin = _parameters([o.note for o in origins])
            known = "the analysis found no caller in the reviewed code showing it to be safe"
            # the trace follows one parameter; the others it names are shown where they are declared
            shown = {(t.path, t.line, t.note) for t in trace}
            others = list({(o.path, o.line, o.note): o for o in origins
                           if (o.path, o.line, o.note) not in shown}.values())
            trace = tuple(self._step_at(o) for o in others) + trace
            # (not "(line N)" right after the function's name: that would cite the name on that line)
            where_built = f", spliced in on line {built.line}" if built.path == site.path \
                else f", spliced in at {built.path}:{built.line}"
            if construction is None:
                where_built = ""  # built in the sink's own argument, quoted above: not at the parameter's line
            if len(needs[1]) > 1:
                known = "the analysis found no caller in the reviewed code showing them to be safe"
                where_built = ""  # each is spliced in on its own line: the trace shows where
            declared = self._module(origins[0].path)
            internal = not operator and not numbers and not captured and declared is not None \
                and _internal_module(declared.name)
            if operator:
                known = f"`{needs[0].rpartition('.')[2]}()` is a command, whose options whoever runs it types"
            elif captured:
                # (said without code the line does not hold: the default is the variable of the same name)
                known = ("it defaults to the variable of its own name, the value the lambda captured where it was "
                         "made, which whoever calls the lambda does not pass" if len(needs[1]) == 1 else
                         "they default to the variables of their own names, the values the lambda captured where it "
                         "was made, which whoever calls the lambda does not pass")
            elif numbers:
                known = ("its default is a number, so callers are expected to pass one" if len(needs[1]) == 1
                         else "their defaults are numbers, so callers are expected to pass numbers")
            elif internal:
                # a module outside the project's public interface: its callers are the project's own, and no
                # untrusted source was traced through them (else that flow is the finding). Judged on real
                # code: 27 false, 5 worth a look, none real at 32 places (panels H-AU, docs/precision.md)
                known = (f"`{needs[0].rpartition('.')[2]}()` is in `{declared.name}`, which the project marks "
                         "internal by its name, so it is meant to be called by the project's own code only, and "
                         "the analysis traced no untrusted source to it (a caller passing one is reported instead)")
        else:
            origin = f"a value whose origin the analysis cannot trace ({first.note}, line {first.line})"
            known = ""
            internal = False
            where_built = ""
        if sink is not None:
            at = f"line {sink.line}" if sink.path == site.path else f"{sink.path}:{sink.line}"
            via = f" through `{through}()`" if through else ""
            lead = f"`{site.sink_code}` builds a string from {origin}, and it reaches `{sink.sink_code}` ({at}){via}"
        elif site.arg_code and site.arg_code != site.sink_code:
            lead = f"`{site.sink_code}` receives `{site.arg_code}`, {rule.built_what} built from {origin}{where_built}"
        else:
            lead = f"`{site.sink_code}` is given {rule.built_what} built from {origin}{where_built}"
        confidence = rule.construction_confidence
        note = rule.construction_note(built.origin)
        if note is not None:
            # every such part is where SQL takes a name (a table, a column), which no driver binds: how
            # schema-driven code must build its statements; or, unquoted, where SQL takes a value, which
            # only a number fills; or where XPath takes a step or an expression, a selector given by the
            # caller (judged on real code: docs/precision.md)
            confidence, where = note
            known = f"{known}; {where}" if known else where
        confidence = rule.construction_confidence_at(sink if sink is not None else site, confidence)
        if operator or numbers or internal or captured:
            confidence = Level.LOW
        lead = f"{lead}; {known}." if known else f"{lead}."
        # the harm is the sink's (its callee, its shell flag), wherever the string is reported
        danger = rule.danger_at(sink if sink is not None else site)
        explanation = f"{lead} If it can hold outside data, {_lower_first(danger)}".strip()
        finding = self._site_finding(rule, site, explanation, confidence, trace,
                                     ("built",) + (("test-code",) if is_test else ()))
        self._keep_decided(rule, site, finding, needs)
        return True

    def _keep_decided(self, rule, site, finding: Finding, needs) -> None:
        """Keep a finding its callers decide (a construction, a value not constant), noting whether its
        rule keeps it as it is when every caller passes an untraceable value (``KEEPS``)."""
        key = (rule.id, site.path, site.line, site.col)
        if self._keep(key, finding, site.stmt_lines, needs) and not rule.untraceable_low:
            self.buckets[self.current][(KEEPS,) + key] = (None, True)

    def _step_at(self, step: Step) -> TraceStep:
        """One step alone (not the chain before it), as shown in a trace."""
        module = self._module(step.path)
        code = module.source_line(step.line).strip() if module is not None else ""
        return TraceStep(step.path, step.line, step.col, step.note, code)

    def _through_test_code(self, step: Step) -> bool:
        test_path = self.program.in_test_code
        node = step
        while node is not None:
            if test_path(node.path):
                return True
            node = node.prev
        return False

    def add_untainted(self, rule, site, value: Value, is_test: bool, needs=None) -> None:
        arg_code, sink_code = site.arg_code, site.sink_code
        params = sorted({t.step.steps()[0].note for t in value.taints if t.is_param and t.step is not None})
        made = all(t.cleansed & V.MADE_OF for t in value.taints if t.is_param)
        if params:
            # (what a call made of the parameter, the lines of the file it names, is not the parameter itself)
            origin = (f"it {'is made by a call from' if made else 'comes from'} {params[0]}, so every caller "
                      f"decides what runs here, and the analysis found no caller in the reviewed code showing it "
                      f"to be safe")
        else:
            origin = "its value is computed at run time and no analysis shows it to be constant or safe"
        subject = f"`{arg_code}`" if arg_code and arg_code != sink_code else "The value"
        explanation = (f"{subject} reaches `{sink_code}` and is not a constant: {origin}. "
                       f"If it ever holds outside data, {_lower_first(rule.danger_at(site))}")
        finding = self._site_finding(rule, site, explanation, rule.untainted, (),
                                     ("not-constant",) + (("test-code",) if is_test else ()))
        self._keep_decided(rule, site, finding, needs)

    def _site_finding(self, rule, site, explanation, confidence, trace, tags) -> Finding:
        return Finding(
            rule_id=rule.id, rule_name=rule.name, title=rule.title, cwe=rule.cwe, severity=rule.severity,
            confidence=confidence, path=site.path, span=site.span, code=site.code, explanation=explanation,
            fix=rule.fix_at(site), trace=trace, tags=tags,
        )

    def add_hit(self, rule, interp, hit) -> None:
        module = interp.module
        stmt = interp.stmt
        stmt_lines = (stmt.line, stmt.end_line) if stmt is not None else (hit.node.line, hit.node.end_line)
        is_test = self.program.in_test_code(module.path)
        tags = tuple(hit.tags) + (("test-code",) if is_test else ())
        finding = self._finding(rule, module, hit.node, hit.explanation, hit.fix, hit.confidence or rule.confidence,
                                self._hit_trace(module, hit), tags, severity=hit.severity)
        self._keep((rule.id, module.path, hit.node.line, hit.node.col), finding, stmt_lines, hit.needs)

    def add_function_hit(self, rule, module, hit) -> None:
        is_test = self.program.in_test_code(module.path)
        tags = tuple(hit.tags) + (("test-code",) if is_test else ())
        finding = self._finding(rule, module, hit.node, hit.explanation, hit.fix, hit.confidence or rule.confidence,
                                self._hit_trace(module, hit), tags, severity=hit.severity)
        self._keep((rule.id, module.path, hit.node.line, hit.node.col), finding, (hit.node.line, hit.node.end_line),
                   hit.needs)

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
    rule and place: the sorted findings and ``id(finding) -> statement lines``.

    A finding about a string built from parameters of a function (or a parameter reaching a
    sink that needs no building to be dangerous) is dropped when the callers in the reviewed
    code decide it: all pass safe values (constants, numbers, sanitized values), or one passes
    traced data, which is reported with its trace (the same defect, not twice). The callers'
    votes are bucket entries like the findings, so this is the same whatever the order of
    analysis, the workers and the cache."""
    merged: dict = {}
    needs_of: dict = {}
    shadows: dict = {}
    votes: dict = {}
    own_user: dict = {}  # key -> the best finding there traced from the program's own user
    keeps: set = set()  # keys of findings whose rule keeps untraceable constructions as they are
    # key -> the best finding there that its callers do not decide (traced from a source): what is
    # reported when the finding kept there is one they decide, and drop (one of them passes that data)
    undecided: dict = {}
    buckets = {}
    for one in bucket_sets:
        buckets.update(one)
    for name in sorted(buckets):
        bucket = buckets[name]
        for key, entry in bucket.items():
            finding = entry[0]
            if finding is None:
                if key[0] == VOTE:
                    votes.setdefault(key[1:], set()).update(entry[1])
                continue
            if _OWN_USER_TAG in finding.tags:
                alt = own_user.get(key)
                if alt is None or _rank(finding) > _rank(alt[0]):
                    own_user[key] = entry
            if (NEEDS,) + key not in bucket:
                alt = undecided.get(key)
                if alt is None or _rank(finding) > _rank(alt[0][0]):
                    shadow = bucket.get((SHADOW,) + key)
                    undecided[key] = (entry, shadow[1] if shadow is not None else None)
            old = merged.get(key)
            if old is None or _rank(finding) > _rank(old[0]):
                merged[key] = entry
                needs = bucket.get((NEEDS,) + key)
                needs_of[key] = needs[1] if needs is not None else None
                if (KEEPS,) + key in bucket:
                    keeps.add(key)
                else:
                    keeps.discard(key)
                shadow = bucket.get((SHADOW,) + key)
                if shadow is not None:
                    shadows[key] = shadow[1]
                else:
                    shadows.pop(key, None)
    if votes:
        decided = _Callers(votes)
        for key, needs in needs_of.items():
            if needs is None:
                continue
            if decided.drops(key[0], needs):
                alt = undecided.get(key)
                if alt is None:
                    del merged[key]
                else:
                    # a caller passes traced data: its finding, with the trace, even where it is less
                    # confident or longer than the callee's (not the same defect lost altogether)
                    merged[key] = alt[0]
                    if alt[1] is not None:
                        shadows[key] = alt[1]
                    else:
                        shadows.pop(key, None)
                continue
            finding, lines = merged[key]
            why = decided.untraceable(key[0], needs, key not in keeps) \
                if _UNTRACEABLE_TAGS & set(finding.tags) else None
            if why is None and _UNTRACEABLE_TAGS & set(finding.tags) and decided.untraceable(key[0], needs, True):
                # a rule that keeps such constructions at their confidence (``SinkRule.untraceable_low`` false):
                # "found no caller showing it to be safe" would read as though none had been found; every one
                # was, and passes a value of unknown origin (judged untrue on panel AL)
                text = finding.explanation
                for phrase in _NO_CALLER:
                    text = text.replace(phrase, _UNTRACED_CALLERS)
                merged[key] = (replace(finding, explanation=text), lines)
                continue
            if why is not None:
                # built from a parameter that every caller in the reviewed code fills with a value the
                # analysis cannot trace: of unknown origin, as a string built from such a value in place,
                # which is not reported (judged on real code: docs/precision.md, fourteenth session)
                text = finding.explanation
                for phrase in _NO_CALLER:
                    text = text.replace(phrase, _COMMAND_LINE_CALLERS if why == "command-line" else _UNTRACED_CALLERS)
                merged[key] = (replace(finding, explanation=text, confidence=min(finding.confidence, Level.LOW)),
                               lines)
                if key in own_user:
                    # as low as the command line's trace at its place, which says where the value comes from
                    merged[key] = own_user[key]
            elif decided.some_safe(key[0], needs):
                # kept because other callers are open: "no caller shows it to be safe" would be untrue
                finding, lines = merged[key]
                text = finding.explanation
                for phrase, instead in _SOME_SAFE:
                    text = text.replace(phrase, instead)
                if text != finding.explanation:
                    merged[key] = (replace(finding, explanation=text), lines)
    _say_uncalled(merged, needs_of, votes)
    if shadows:
        _drop_shadowed(merged, shadows)
    statement_lines = {id(f): lines for f, lines in merged.values()}
    return sorted((f for f, _ in merged.values()), key=Finding.sort_key), statement_lines


def _say_uncalled(merged: dict, needs_of: dict, votes: dict) -> None:
    """A finding its callers decide (a string built from a parameter) where no call of the function, test code
    aside, passes anything the analysis followed to those parameters: "found no caller showing it to be safe"
    would read as though callers had been weighed; say that none was followed, and which calls are not."""
    for key, needs in needs_of.items():
        if needs is None or key not in merged:
            continue
        function, params = needs
        if any(votes.get((key[0], function, p)) for p in params):
            continue
        finding, lines = merged[key]
        if not _UNTRACEABLE_TAGS & set(finding.tags):
            continue
        owner, _, name = function.rpartition(".")
        # a method (of a class named in CapWords): its base class may call it through ``self``, which reaches an
        # override the analysis does not follow (judged untrue without it on panel AK)
        said = _NO_METHOD_CALL_FOLLOWED if owner.rpartition(".")[2][:1].isupper() else _NO_CALL_FOLLOWED
        if name.startswith("<lambda"):
            # (``<lambda:25:12>`` is the analysis's name for it, on no line: the lambda is named by where it is)
            said = said.replace("`{name}()`", "the lambda on line " + name.split(":")[1])
        text = finding.explanation
        for phrase, _ in _SOME_SAFE:
            text = text.replace(phrase, said.format(name=name))
        if text != finding.explanation:
            merged[key] = (replace(finding, explanation=text), lines)


# (said as what the analysis could not see, not as a fact of the code: judged untrue on panel AG where a caller
# through an object of unknown type existed)
# (nor "resolved": a call on a path the analysis judged never taken was resolved, and not followed; judged untrue of
# muxplex's probe on panel AN, whose one caller returns early on a test the analysis read as always true)
_NO_CALL_FOLLOWED = ("the analysis followed no call of `{name}()` outside test code (it does not resolve calls "
                     "through an object of unknown type, callbacks or remote procedure calls, nor follow a call on a "
                     "path it judged never taken), so what its callers pass is not known to it")
_NO_METHOD_CALL_FOLLOWED = ("the analysis followed no call of `{name}()` outside test code (it does not resolve calls "
                            "through an object of unknown type, calls in a base class's methods through self that "
                            "reach this override, callbacks or remote procedure calls, nor follow a call on a path "
                            "it judged never taken), so what its callers pass is not known to it")


def _drop_shadowed(merged: dict, shadows: dict) -> None:
    """Drop each finding of ``shadows`` (key -> lines) that another finding of its rule, at least as
    confident and not itself dropped so, reports at or through one of its lines."""
    places: dict = {}  # (rule id, path, line) -> the highest confidence of a finding there or through there
    for key, (finding, _) in merged.items():
        if key in shadows:
            continue
        seen = {(finding.path, finding.line)} | {(step.path, step.line) for step in finding.trace}
        for path, line in seen:
            at = (key[0], path, line)
            if places.get(at, -1) < finding.confidence:
                places[at] = finding.confidence
    for key, lines in shadows.items():
        entry = merged.get(key)
        if entry is None:
            continue
        if any(places.get((key[0], path, line), -1) >= entry[0].confidence for path, line in lines):
            del merged[key]


_UNTRACEABLE_TAGS = frozenset({"built", "not-constant"})
_UNTRACED_CALLERS = "every caller in the reviewed code passes a value the analysis cannot trace to outside data"
_COMMAND_LINE_CALLERS = ("every caller in the reviewed code passes a command-line option, which whoever runs the "
                         "program types")


_SOME_SAFE = (
    ("the analysis found no caller in the reviewed code showing them to be safe",
     "the analysis did not find every caller in the reviewed code showing them to be safe"),
    ("the analysis found no caller in the reviewed code showing it to be safe",
     "the analysis did not find every caller in the reviewed code showing it to be safe"),
)
_NO_CALLER = tuple(phrase for phrase, _ in _SOME_SAFE)


class _Callers:
    """What the callers of functions pass to their parameters, from their votes."""

    def __init__(self, votes: dict):
        self.votes = votes
        self.memo: dict = {}

    def some_safe(self, rule_id: str, needs) -> bool:
        """Whether some caller (or, for a parameter it passes on, its callers) shows one of the
        parameters safe: passes a constant, a number, a sanitized value or a setting."""
        function, params = needs
        return any(self._some_safe((rule_id, function, p), set()) for p in params)

    def _some_safe(self, key, visiting: set) -> bool:
        visiting.add(key)
        for status in self.votes.get(key) or ():
            if status == "safe":
                return True
            if isinstance(status, tuple) and status[0] == "defer":
                sub_key = (key[0], status[1], status[2])
                if sub_key not in visiting and (self.state(sub_key, set()) == "safe"
                                                or self._some_safe(sub_key, visiting)):
                    return True
        return False

    def drops(self, rule_id: str, needs) -> bool:
        function, params = needs
        states = [self.state((rule_id, function, p), set()) for p in params]
        return "traced" in states or all(s == "safe" for s in states)

    def state(self, key, visiting: set) -> str:
        """``traced`` when some caller (or its callers, for a parameter passed on) passes traced
        data; ``safe`` when every caller is known and passes safe values; ``uncalled`` when a way
        to the parameter leaves the reviewed code (no caller in it: a library's function, an entry
        point; a recursion); else ``unknown``: every caller in the reviewed code is known and each
        passes a safe value or one whose origin the analysis cannot trace (an attribute, a setting, a
        call's result), none a parameter of its own that outside code may fill."""
        done = self.memo.get(key)
        if done is not None:
            return done
        statuses = self.votes.get(key)
        if not statuses:
            return "uncalled"
        visiting.add(key)
        result = "safe"
        cyclic = False
        for status in sorted(statuses, key=repr):
            if status == "traced":
                result = "traced"
                break
            if status == "open":
                sub = "unknown"
            elif status == "command-line":
                sub = "command-line"
            elif isinstance(status, tuple) and status[0] == "defer":
                sub_key = (key[0], status[1], status[2])
                if sub_key in visiting:
                    cyclic = True
                    sub = "uncalled"
                else:
                    sub = self.state(sub_key, visiting)
            else:
                continue
            if sub == "traced":
                result = "traced"
                break
            if _OPENNESS[sub] > _OPENNESS[result]:
                result = sub
        visiting.discard(key)
        if not cyclic:
            self.memo[key] = result
        return result

    def untraceable(self, rule_id: str, needs, untraceable_low: bool) -> str | None:
        """``command-line`` when every parameter of ``needs`` is filled only with safe values and
        command-line options (the program's own user's), ``unknown`` when also with values the analysis
        cannot trace and the rule takes those as low (``SinkRule.untraceable_low``); else None: a way
        stays open (no caller, a traced one) or the rule keeps such constructions as they are."""
        function, params = needs
        states = {self.state((rule_id, function, p), set()) for p in params} - {"safe"}
        if states == {"command-line"}:
            return "command-line"
        if states and states <= {"command-line", "unknown"} and untraceable_low:
            return "unknown"
        return None


# (the state of a parameter with several callers is its most open caller's)
_OPENNESS = {"safe": 0, "command-line": 1, "unknown": 2, "uncalled": 3}


def _rank(finding: Finding) -> tuple:
    """Of two findings of one rule at one place, the one kept: the more confident, then one traced
    from the program's own user (low confidence for that reason alone: it says where the value comes
    from, which a finding built from the same parameter, low because every caller's value is
    untraceable, would leave open), then the one with the shorter trace, then a fixed order on the
    rest. A string built from a parameter that another caller leaves open (medium) is kept over the
    command line's low trace: that caller may be a request (a task queued by an API)."""
    trace = finding.trace
    own_user = _OWN_USER_TAG in finding.tags
    return (finding.confidence, own_user, len(trace) > 0, -len(trace), finding.severity, finding.explanation,
            tuple((s.path, s.line, s.col, s.note) for s in trace), finding.tags)


def own_user_sender(kind: str) -> bool:
    """Whether data of source ``kind`` comes from the program's own user (its command line, its console):
    such a flow is reported with low confidence, and decides nothing about the callers' other values."""
    return kind in _LOW_CONFIDENCE_SENDERS


def _code(module, node) -> str:
    if node is None:
        return ""
    return code_of(module, node, 70)


# who decides a value of each source kind; rules word their harm for request data ("the client
# can read ..."), which is untrue of a value from an RPC message or a command line
_ACTOR = {"rpc": "the sender of the RPC message", "cli": "whoever runs the command",
          V.AUTHENTICATED: "any authenticated user of the API",
          V.ADMINISTRATOR: "an administrator of the application",
          "file": "whoever writes that file", "environment": "whoever sets the environment",
          "network": "the peer on the other end of the connection"}


# sources whose sender is not an anonymous client: the finding is one level less severe, and says why
_CAVEAT = {
    "cli": ("Command-line and console input is chosen by whoever runs the program: this matters where that is "
            "not the program's own user (a wrapper script, a sudo rule, a scheduled job passing outside data)."),
    "rpc": ("RPC messages come from other services of the deployment over the message bus: exploiting this "
            "takes a compromised or impersonated service."),
    V.ADMINISTRATOR: ("A decorator or dependency of the handler (of each handler that calls this code) admits only "
                      "administrators: exploiting this takes an "
                      "administrator's account (or a request forged in an administrator's browser), and matters "
                      "where administrators of the application must not control the server itself."),
}


# senders whose findings are low confidence: a program's command line is typed by its own user, who
# could run the command themselves; it is a trust boundary only for a wrapper, a sudo rule or a job fed
# outside data, which the code does not show. Judged panels A to I: all 14 findings traced from the
# command line were false (developer build scripts, operator tools, by-design plugin loading).
_LOW_CONFIDENCE_SENDERS = frozenset({"cli"})
_OWN_USER_TAG = "command-line"
"""The tag of those findings: what the report shows, and what ``_rank`` keeps them by."""


# senders worded, but whose findings keep their severity: an API that authenticates each request is
# still reachable by every user it accepts (in a public cloud, any customer), and CVSS scores such a flaw
# (privileges required: low) about one point lower, less than one of our three levels
_SENDER_NOTE = {
    V.AUTHENTICATED: ("The service authenticates the request before this handler runs (in an OpenStack API, "
                      "keystonemiddleware checks the Keystone token): the sender is any user the service accepts, "
                      "not an anonymous client, and that does not make the data trustworthy."),
}


def _said_of_source(text: str, kind: str) -> str:
    actor = _ACTOR.get(kind)
    if actor is None:
        return text
    return text.replace("the client", actor).replace("The client", actor[0].upper() + actor[1:])


def _lower_first(text: str) -> str:
    if text and text[0].isupper() and not text[:2].isupper():
        return text[0].lower() + text[1:]
    return text


_PARAMETER = re.compile(r"^parameter `([^`]+)` of `([^`]+)\(\)`$")


def _parameters(notes: list) -> str:
    """``parameter `a` of `f()`` notes as one phrase: ``parameters `a` and `b` of `f()```."""
    notes = list(dict.fromkeys(notes))
    found = [_PARAMETER.match(n) for n in notes]
    if len(notes) > 1 and all(found) and len({m.group(2) for m in found}) == 1:
        names = [f"`{m.group(1)}`" for m in found]
        return f"parameters {', '.join(names[:-1])} and {names[-1]} of `{found[0].group(2)}()`"
    return " and ".join(_lower_first(n) for n in notes)


def _via(trace: tuple, sink_path: str) -> str:
    calls = [s.note for s in trace if s.note.startswith("passed to ")]
    if not calls:
        return ""
    names = ", ".join(n.removeprefix("passed to ") for n in calls[:3])
    return f", through {names}"


def _internal_module(name: str) -> bool:
    """``name`` is a module the project marks as outside its public interface, by Python's naming
    convention: a package or module named ``internal``, or whose name starts with one underscore
    (``conan.internal.cache.db``, ``cubedash.index.postgis._api``, ``clusterfuzz._internal.system``)."""
    return any(part == "internal" or (part.startswith("_") and not part.startswith("__"))
               for part in name.split("."))
