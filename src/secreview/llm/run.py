"""The model pass: after the engine's review, units in severity order, bounded, never fatal.

``run_model_pass`` sends each unit's facts (``context``), reads the answer (``answer``),
verifies every claim (``verify``) and merges what passes into the result (``merge``). A
request that times out, is refused (429, 5xx...), or gives an unusable answer (not JSON,
prose, truncated, too large) is retried once; then the unit is listed as not reviewed by the
model, with the reason. Caps stop the pass: what was not reached is listed too. Answers are
taken from, and kept in, the review cache (``store``). Whatever happens, the engine's review
stands: this module raises nothing to its caller (a bug becomes a reason, its traceback goes
to ``log`` for ``--verbose``).
"""

from __future__ import annotations

import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from secreview.findings.model import Level, ModelPass, NotReviewedByModel, ReviewResult, Triage
from secreview.llm import verify
from secreview.llm.answer import Answer, UnusableAnswer, parse
from secreview.llm.caps import Caps
from secreview.llm.client import ModelError
from secreview.llm.context import Facts, Program, TooLarge, Unit, render, units_for
from secreview.llm.merge import lowered, merge_findings
from secreview.llm.prompt import PROMPT_VERSION, messages
from secreview.llm.settings import Settings
from secreview.llm.store import AnswerStore, answer_key

MIN_ANSWER_TOKENS = 256
"""A request is not started when fewer answer tokens than this remain under the output cap."""
MAX_RETRY_WAIT = 30.0
"""Longest wait before retrying a 429, whatever ``Retry-After`` says (and never past the wall-time cap)."""


@dataclass
class Outcome:
    unit: Unit
    facts: Facts | None = None
    answer: Answer | None = None
    not_reviewed: str | None = None


@dataclass
class _Ticket:
    max_tokens: int
    timeout: float
    estimate: int


class Budget:
    """The run's caps, shared by the worker threads."""

    def __init__(self, caps: Caps, summary: ModelPass, clock: Callable[[], float]):
        self.caps = caps
        self.summary = summary
        self.clock = clock
        self.deadline = clock() + caps.max_seconds
        self.lock = threading.Lock()
        self.reserved_in = 0
        self.reserved_out = 0

    def remaining(self) -> float:
        return self.deadline - self.clock()

    def reserve(self, estimate: int) -> _Ticket | str:
        """A ticket for one request, or the reason it may not be sent."""
        caps, s = self.caps, self.summary
        with self.lock:
            left = self.remaining()
            if left < 1:
                return f"not reached: time cap (max-seconds {caps.max_seconds})"
            if s.requests >= caps.max_requests:
                return f"not reached: request cap (max-requests {caps.max_requests})"
            if s.input_tokens + self.reserved_in + estimate > caps.max_input_tokens:
                return f"not reached: input-token cap (max-input-tokens {caps.max_input_tokens})"
            room = caps.max_output_tokens - s.output_tokens - self.reserved_out
            if room < MIN_ANSWER_TOKENS:
                return f"not reached: output-token cap (max-output-tokens {caps.max_output_tokens})"
            ticket = _Ticket(min(caps.max_answer_tokens, room), min(float(caps.timeout), left), estimate)
            s.requests += 1
            self.reserved_in += estimate
            self.reserved_out += ticket.max_tokens
            return ticket

    def settle(self, ticket: _Ticket, input_tokens: int | None, output_tokens: int | None) -> None:
        with self.lock:
            self.reserved_in -= ticket.estimate
            self.reserved_out -= ticket.max_tokens
            self.summary.input_tokens += ticket.estimate if input_tokens is None else input_tokens
            self.summary.output_tokens += output_tokens or 0


def _describe(error: ModelError) -> str:
    if error.kind.startswith("http-"):
        return f"HTTP {error.kind[5:]}"
    return {"timeout": "timeout", "connection": "connection failed", "too-large": "answer too large",
            "bad-response": "not a chat-completions answer"}.get(error.kind, error.kind)


class _Pass:
    def __init__(self, settings: Settings, caps: Caps, client, store: AnswerStore, summary: ModelPass,
                 clock, sleep, log):
        self.settings, self.caps, self.client, self.store = settings, caps, client, store
        self.summary = summary
        self.budget = Budget(caps, summary, clock)
        self.sleep = sleep
        self.log = log
        self.json_mode = True
        self.lock = threading.Lock()
        self.turns = _Turns()

    def review(self, unit: Unit, facts: Facts, turn: int) -> Outcome:
        """The outcome for one unit; ``turn`` is its place in the review order (most severe first)."""
        try:
            return self._review(unit, facts, turn)
        except Exception as exc:  # a bug of secreview: this unit is not reviewed, the review goes on
            if self.log is not None:
                self.log(f"secreview: model pass, {unit.path} {unit.code.scope}:\n{traceback.format_exc()}")
            return Outcome(unit, facts, not_reviewed=f"internal error: {type(exc).__name__}")

    def _review(self, unit: Unit, facts: Facts, turn: int) -> Outcome:
        # the cache lookup and the first reservation happen in review order: when a cap stops the
        # pass, the units it stops are the least severe ones, whichever thread runs first
        with self.turns.turn(turn):
            key = answer_key(self.settings.base_url, self.settings.model, self.caps.max_answer_tokens,
                             messages(facts.text))
            answer = self._cached(key)
            ticket = self.budget.reserve(facts.tokens) if answer is None else None
        if answer is not None:
            return Outcome(unit, facts, answer)
        last = ""
        unusable = False
        attempt = 0
        while attempt < 2:
            if ticket is None:
                ticket = self.budget.reserve(facts.tokens)
            if isinstance(ticket, str):
                return Outcome(unit, facts, not_reviewed=ticket if not last else f"{last}; not retried: {ticket}")
            if attempt:
                with self.lock:
                    self.summary.retries += 1
            attempt += 1
            held, ticket = ticket, None
            try:
                reply = self.client.complete(messages(facts.text, retry=unusable), max_tokens=held.max_tokens,
                                             timeout=held.timeout, json_mode=self.json_mode)
            except ModelError as error:
                self.budget.settle(held, None, 0)
                if error.rejects_json_mode and self.json_mode:
                    self.json_mode = False  # the server refuses response_format: ask without it, not a retry
                    attempt -= 1
                    continue
                last = _describe(error)
                if error.kind == "http-429":
                    wait = min(error.retry_after if error.retry_after is not None else 1.0, MAX_RETRY_WAIT,
                               max(0.0, self.budget.remaining() - 1))
                    if wait > 0:
                        self.sleep(wait)
                continue
            self.budget.settle(held, reply.input_tokens,
                               reply.output_tokens if reply.output_tokens is not None else len(reply.text) // 4)
            try:
                answer = parse(reply.text)
            except UnusableAnswer as error:
                unusable = True
                last = "answer truncated" if reply.finish_reason == "length" else f"unusable answer ({error.kind})"
                continue
            if not unusable:  # an answer to the retry note is not the answer to the facts alone
                self.store.put(key, reply.text, reply.input_tokens, reply.output_tokens)
            return Outcome(unit, facts, answer)
        return Outcome(unit, facts, not_reviewed=f"no usable answer after one retry: {last}")

    def _cached(self, key) -> Answer | None:
        cached = self.store.get(key)
        if cached is None:
            return None
        try:
            answer = parse(cached["text"])
        except UnusableAnswer:
            return None
        with self.lock:
            self.summary.cached_answers += 1
        return answer


class _Turns:
    """Lets threads through a section one at a time, in the order of their turn numbers."""

    def __init__(self):
        self.next = 0
        self.ready = threading.Condition()

    @contextmanager
    def turn(self, number: int):
        with self.ready:
            self.ready.wait_for(lambda: self.next == number)
        try:
            yield
        finally:
            with self.ready:
                self.next += 1
                self.ready.notify_all()


def run_model_pass(result: ReviewResult, sources: list, settings: Settings, *, project_caps=(),
                   config=None, cache_dir: Path | None = None, client=None,
                   clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                   log: Callable[[str], None] | None = None) -> ModelPass:
    """Run the pass on ``result`` (the engine's review of ``sources``, as ``(SourceText, module
    name, is package)``), updating it in place: ``result.model_pass``, triage on findings,
    model findings. Never raises."""
    from secreview.config import DEFAULT_CONFIG

    config = config if config is not None else DEFAULT_CONFIG
    caps = settings.caps(project_caps or getattr(config, "llm_caps", ()))
    summary = ModelPass(settings.model, settings.endpoint, PROMPT_VERSION)
    result.model_pass = summary
    own_client = client is None
    try:
        program = Program(sources)
        units = units_for(program, result)
    except Exception as exc:  # a bug: nothing reviewed by the model, said so per file
        if log is not None:
            log(f"secreview: model pass:\n{traceback.format_exc()}")
        summary.not_reviewed = [NotReviewedByModel(src.display, "<module>", 1, max(1, src.n_lines),
                                                   f"internal error: {type(exc).__name__}")
                                for src, _, _ in sources]
        return summary
    summary.units = len(units)
    if not units:
        return summary
    try:
        if client is None:
            from secreview.llm.client import Client
            client = Client(settings.base_url, settings.model, settings.api_key)
        work = _Pass(settings, caps, client, AnswerStore(cache_dir), summary, clock, sleep, log)
        outcomes = _run_units(work, program, units, result.message)
        _merge(result, program, outcomes, config, summary)
    except Exception as exc:  # a bug: what was not merged is not reviewed by the model
        if log is not None:
            log(f"secreview: model pass:\n{traceback.format_exc()}")
        summary.not_reviewed = [NotReviewedByModel(u.path, u.code.scope, u.code.line, u.code.end_line,
                                                   f"internal error: {type(exc).__name__}") for u in units]
        summary.reviewed = 0
    finally:
        if own_client and client is not None:
            client.close()
    return summary


def _run_units(work: _Pass, program: Program, units: list[Unit], message: str | None) -> list[Outcome]:
    outcomes: list[Outcome | None] = [None] * len(units)
    jobs = []
    for i, unit in enumerate(units):
        try:
            facts = render(program, unit, max_tokens=work.caps.max_request_tokens, message=message)
        except TooLarge as big:
            outcomes[i] = Outcome(unit, not_reviewed=f"too large for one request (about {big.tokens:,} tokens; "
                                                     f"max-request-tokens {work.caps.max_request_tokens:,})")
            continue
        jobs.append((i, unit, facts))
    with ThreadPoolExecutor(max_workers=max(1, work.caps.concurrency)) as pool:
        futures = [(i, pool.submit(work.review, unit, facts, turn)) for turn, (i, unit, facts) in enumerate(jobs)]
        for i, future in futures:
            outcomes[i] = future.result()
    return [o for o in outcomes if o is not None]


def _merge(result: ReviewResult, program: Program, outcomes: list[Outcome], config, summary: ModelPass) -> None:
    dropped: Counter = Counter()
    verified = []
    for outcome in outcomes:
        unit = outcome.unit
        if outcome.not_reviewed is not None or outcome.answer is None or outcome.facts is None:
            summary.not_reviewed.append(NotReviewedByModel(unit.path, unit.code.scope, unit.code.line,
                                                           unit.code.end_line, outcome.not_reviewed or "no answer"))
            continue
        summary.reviewed += 1
        answer, facts = outcome.answer, outcome.facts
        dropped[verify.MALFORMED] += answer.malformed
        dropped[verify.TOO_MANY] += answer.excess
        checker = verify.Verifier(program.lines, facts, unit.path, (unit.code.line, unit.code.end_line))
        for claim in answer.findings:
            try:
                verified.append(checker.finding(claim))
            except verify.Failed as failed:
                dropped[failed.reason] += 1
        _triage(answer, facts, checker, dropped)
    texts = {path: "\n".join(lines) for path, lines in program.lines.items()}
    merge_findings(result, verified, config, texts, summary)
    summary.dropped = {reason: n for reason, n in sorted(dropped.items(), key=lambda kv: (-kv[1], kv[0])) if n}
    summary.not_reviewed.sort(key=lambda n: (n.path, n.line, n.scope))


def _triage(answer: Answer, facts: Facts, checker: verify.Verifier, dropped: Counter) -> None:
    done: set[str] = set()
    for item in answer.triage:
        fid = item["finding"].strip()
        finding = facts.finding_ids.get(fid)
        if finding is None or fid in done:
            dropped[verify.UNKNOWN_FINDING if finding is None else "duplicate triage"] += 1
            continue
        done.add(fid)
        verdict = item["verdict"]
        try:
            evidence = tuple(checker.evidence(e) for e in item["evidence"])
            checker.reason(item["reason"])
            if verdict != "uncertain" and not evidence:
                raise verify.Failed("no evidence")
        except verify.Failed as failed:
            dropped[f"triage made uncertain: {failed.reason}"] += 1
            finding.triage = Triage("uncertain", finding.confidence,
                                    note=f"the model answered {verdict}, but its evidence did not verify "
                                         f"({failed.reason})")
            continue
        confidence = lowered(finding.confidence) if verdict == "likely-false-positive" else finding.confidence
        finding.triage = Triage(verdict, Level(confidence), reason=" ".join(item["reason"].split()),
                                evidence=evidence)
