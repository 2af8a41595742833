"""The review as one self-contained HTML page.

Everything is inline: the style sheet and the script are in the page, and a
``Content-Security-Policy`` allows exactly those two (by their SHA-256) and
nothing else, so opening the page makes no request of any kind, and code
from the reviewed files can never run in it (every text is escaped, and the
policy would refuse an injected script anyway).

Each finding shows its code with a few lines of context, highlighted, then
why it is exploitable, its data flow (each step with its line of code) and the
fix. Check boxes per severity and a list of rules filter the findings; the
state of the filters is kept in the page's address (``#severity=high,medium&rule=SR101``),
so a filtered view can be linked. Without JavaScript every finding is shown.

Context lines come from ``ReportOptions.context`` (path -> lines), which the
command line fills from the text the review read; without it only the code the
finding carries is shown. The renderer itself never opens a file.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections import Counter
from collections.abc import Sequence

from secreview.findings.model import AddedSuppression, Finding, ReviewResult, TraceStep
from secreview.reports import (
    MODEL_OPINION,
    SEVERITIES,
    ReportOptions,
    cwe_label,
    excluded_note,
    is_model_opinion,
    model_pass_sentences,
    not_reviewed_by_model,
    plural,
    problem_status,
    severity_counts,
    sorted_findings,
    sorted_problems,
    triage_line,
    verdict,
    visible,
)

CONTEXT_LINES = 3
"""Lines of code shown above and below a finding."""

_KEYWORDS = frozenset(
    "False None True and as assert async await break class continue def del elif else except finally for "
    "from global if import in is lambda nonlocal not or pass raise return try while with yield match case".split()
)
_BUILTINS = frozenset(
    "abs all any bool bytes callable chr dict dir enumerate eval exec filter float format getattr globals "
    "hasattr hash id input int isinstance issubclass iter len list locals map max min next object open ord "
    "print range repr reversed round set setattr sorted str sum super tuple type vars zip __import__ "
    "compile self cls".split()
)
_TOKEN = re.compile(
    r"""(?P<comment>\#.*)
      |(?P<string>(?:[rRbBuUfFtT]{1,2})?(?:'''|\"\"\"|'(?:\\.|[^'\\])*'?|"(?:\\.|[^"\\])*"?))
      |(?P<number>\b(?:0[xXoObB][0-9a-fA-F_]+|\d[\d_]*(?:\.\d*)?(?:[eE][+-]?\d+)?j?)\b)
      |(?P<name>[A-Za-z_][A-Za-z0-9_]*)
      |(?P<decorator>@[A-Za-z_][\w.]*)""",
    re.VERBOSE,
)


def _esc(text: str) -> str:
    return html.escape(visible(text), quote=True)


_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")


def inline(text: str) -> str:
    """Prose with Markdown code spans (```x```) as ``<code>``; everything escaped."""
    out = []
    pos = 0
    for m in _CODE_SPAN.finditer(text):
        out.append(_esc(text[pos:m.start()]))
        code = m.group(2)
        if code.startswith(" ") and code.endswith(" ") and code.strip():
            code = code[1:-1]
        out.append(f"<code>{_esc(code)}</code>")
        pos = m.end()
    out.append(_esc(text[pos:]))
    return "".join(out)


def highlight(line: str) -> str:
    """One line of Python as HTML with ``<span class="k|s|c|n|b|d">`` around its tokens."""
    out = []
    pos = 0
    for m in _TOKEN.finditer(line):
        out.append(_esc(line[pos:m.start()]))
        kind = m.lastgroup
        text = m.group()
        cls = {"comment": "c", "string": "s", "number": "n", "decorator": "d"}.get(kind)
        if kind == "name":
            cls = "k" if text in _KEYWORDS else ("b" if text in _BUILTINS else None)
        out.append(f'<span class="{cls}">{_esc(text)}</span>' if cls else _esc(text))
        pos = m.end()
    out.append(_esc(line[pos:]))
    return "".join(out)


STYLE = """
:root{--bg:#fff;--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--code:#f6f8fa;--hit:#fff8c5;--hitbar:#d4a72c;
--high:#cf222e;--medium:#bc4c00;--low:#0969da;--k:#cf222e;--s:#0a3069;--c:#6e7781;--n:#0550ae;--b:#8250df;--d:#953800}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#8d96a0;--line:#30363d;--code:#161b22;
--hit:#3b2e00;--hitbar:#bb8009;--high:#ff7b72;--medium:#ffa657;--low:#79c0ff;--k:#ff7b72;--s:#a5d6ff;--c:#8b949e;
--n:#79c0ff;--b:#d2a8ff;--d:#ffa657}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:1.6em;margin:0 0 8px}h2{font-size:1.15em;margin:0}h3{font-size:1em;margin:16px 0 6px}
code,pre,.src{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
.verdict{font-size:1.1em;font-weight:600}.clean{color:#1a7f37}
blockquote.message{margin:8px 0;padding:8px 12px;border-left:4px solid var(--line);color:var(--muted);
white-space:pre-wrap}
blockquote.message strong{color:var(--fg)}
#filters{position:sticky;top:0;z-index:1;background:var(--bg);border-bottom:1px solid var(--line);padding:10px 0;
display:flex;flex-wrap:wrap;gap:16px;align-items:center}
#filters label{cursor:pointer;user-select:none}#shown{color:var(--muted);margin-left:auto}
.finding{border:1px solid var(--line);border-radius:8px;margin:16px 0;overflow:hidden}
.finding>header{padding:10px 14px;border-bottom:1px solid var(--line);background:var(--code)}
.finding>.body{padding:4px 14px 12px}
.facts{color:var(--muted);font-size:.9em;margin-top:2px}
.sev{display:inline-block;padding:0 8px;border-radius:10px;color:#fff;font-size:.8em;font-weight:600;
text-transform:uppercase}
.sev-high{background:var(--high)}.sev-medium{background:var(--medium)}.sev-low{background:var(--low)}
.code{overflow-x:auto;background:var(--code);border:1px solid var(--line);border-radius:6px;margin:8px 0}
table.src{border-collapse:collapse;width:100%}
table.src td{padding:0 8px;white-space:pre;vertical-align:top}table.src td+td{width:100%}
table.src td.ln{color:var(--muted);text-align:right;user-select:none;border-right:1px solid var(--line);min-width:3.5em}
table.src tr.hit td{background:var(--hit)}table.src tr.hit td.ln{box-shadow:inset 3px 0 var(--hitbar);color:var(--fg)}
.where{color:var(--muted);font-size:.85em;margin:8px 0 -4px}
ol.trace{padding-left:1.6em}ol.trace li{margin:6px 0}ol.trace .code{margin:4px 0}
h1 code{font-size:inherit}p code,li code,h2 code{background:var(--code);padding:0 3px;border-radius:4px}
.k{color:var(--k)}.s{color:var(--s)}.c{color:var(--c);font-style:italic}.n{color:var(--n)}.b{color:var(--b)}.d{color:var(--d)}
.problems li,.suppressions li{margin:4px 0}
footer{color:var(--muted);font-size:.85em;margin:32px 0 8px}
[hidden]{display:none!important}
"""

SCRIPT = """
(function () {
  var boxes = Array.prototype.slice.call(document.querySelectorAll('#filters input[name=severity]'));
  var rule = document.getElementById('rule');
  var findings = Array.prototype.slice.call(document.querySelectorAll('article.finding'));
  var shown = document.getElementById('shown');
  var none = document.getElementById('none-shown');
  function readHash() {
    var params = {};
    location.hash.replace(/^#/, '').split('&').forEach(function (part) {
      var kv = part.split('=');
      if (kv[0]) { params[decodeURIComponent(kv[0])] = decodeURIComponent(kv[1] || ''); }
    });
    if (params.severity !== undefined) {
      var wanted = params.severity.split(',');
      boxes.forEach(function (box) { box.checked = wanted.indexOf(box.value) >= 0; });
    }
    if (params.rule !== undefined && rule) {
      var known = Array.prototype.some.call(rule.options, function (o) { return o.value === params.rule; });
      rule.value = known ? params.rule : '';
    }
  }
  function apply(updateHash) {
    var severities = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    var wantedRule = rule ? rule.value : '';
    var n = 0;
    findings.forEach(function (f) {
      var visible = severities.indexOf(f.dataset.severity) >= 0 && (!wantedRule || f.dataset.rule === wantedRule);
      f.hidden = !visible;
      if (visible) { n += 1; }
    });
    if (shown) { shown.textContent = n + ' of ' + findings.length + ' findings shown'; }
    if (none) { none.hidden = n > 0 || findings.length === 0; }
    document.body.setAttribute('data-shown', String(n));
    if (updateHash && history.replaceState) {
      var hash = '#severity=' + severities.join(',') + (wantedRule ? '&rule=' + encodeURIComponent(wantedRule) : '');
      history.replaceState(null, '', hash);
    }
  }
  boxes.forEach(function (b) { b.addEventListener('change', function () { apply(true); }); });
  if (rule) { rule.addEventListener('change', function () { apply(true); }); }
  window.addEventListener('hashchange', function () { readHash(); apply(false); });
  readHash();
  apply(false);
  document.body.setAttribute('data-ready', 'true');
})();
"""


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


CSP = (
    "default-src 'none'; "
    f"style-src {_sha256(STYLE)}; "
    f"script-src {_sha256(SCRIPT)}; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)


def render(result: ReviewResult, options: ReportOptions) -> str:
    findings = sorted_findings(result)
    context = options.context or {}
    title = f"Security review of {result.target}" if result.target else "Security review"
    out: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(CSP, quote=True)}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="secreview">',
        f"<title>{_esc(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        "<main>",
        "<header>",
        f"<h1>Security review{' of <code>' + _esc(result.target) + '</code>' if result.target else ''}</h1>",
    ]
    if result.message:
        subject, _, body = result.message.strip().partition("\n")
        text = html.escape(visible(body.strip("\n"), keep_newlines=True), quote=True)
        out.append(f'<blockquote class="message"><strong>{_esc(subject)}</strong>'
                   + (f"\n{text}" if text else "") + "</blockquote>")
    out.append(f'<p class="verdict{" clean" if not findings else ""}" id="verdict">{_esc(verdict(result))}</p>')
    out.append(f'<p class="facts">{_esc(_facts(result))}</p>')
    note = excluded_note(result)
    if note:
        out.append(f'<p class="facts" id="excluded">{_esc(note)}</p>')
    sentences = model_pass_sentences(result)
    if sentences:
        out.append(f'<p class="facts" id="model-pass">{_esc(" ".join(sentences))}</p>')
    out.append("</header>")

    problems = sorted_problems(result)
    if problems:
        out += ['<section class="problems" id="problems">', "<h2>Files not reviewed</h2>", "<ul>"]
        out += [f"<li><code>{_esc(p.path)}</code> — {_esc(problem_status(p))}</li>" for p in problems]
        out += ["</ul>", "</section>"]
    unreviewed = not_reviewed_by_model(result)
    if unreviewed:
        out += ['<section class="problems" id="not-reviewed-by-model">', "<h2>Not reviewed by the model</h2>",
                "<ul>"]
        out += [f"<li>{_esc(line)}</li>" for line in unreviewed]
        out += ["</ul>", "</section>"]

    if result.added_suppressions:
        out += _added_suppressions(result.added_suppressions)

    if findings:
        out += _filters(findings)
        out.append('<p id="none-shown" hidden>No finding matches the filters.</p>')
        for number, f in enumerate(findings, 1):
            out += _finding(number, f, context)

    out += [f"<footer>secreview {_esc(options.tool_version)}</footer>", "</main>",
            f"<script>{SCRIPT}</script>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def _facts(result: ReviewResult) -> str:
    facts = [f"{plural(result.files_reviewed, 'file')}, {plural(result.lines_reviewed, 'line')} reviewed"]
    if result.suppressed:
        facts.append(f"{plural(result.suppressed, 'suppressed finding')} not shown")
    if result.baselined:
        facts.append(f"{plural(result.baselined, 'finding')} in the baseline not shown")
    return "; ".join(facts) + "."


def _filters(findings: list[Finding]) -> list[str]:
    counts = severity_counts(findings)
    rules = Counter(f.rule_id for f in findings)
    titles = {f.rule_id: f"{f.rule_id} {f.rule_name}" for f in findings}
    out = ['<nav id="filters" aria-label="Filter findings">', "<span>Severity:</span>"]
    for level in SEVERITIES:
        name = str(level)
        out.append(f'<label><input type="checkbox" name="severity" value="{name}" checked> '
                   f'<span class="sev sev-{name}">{name}</span> ({counts[name]})</label>')
    out.append('<label>Rule: <select id="rule"><option value="">all rules</option>')
    for rule_id in sorted(rules):
        out.append(f'<option value="{_esc(rule_id)}">{_esc(titles[rule_id])} ({rules[rule_id]})</option>')
    out.append("</select></label>")
    out.append(f'<span id="shown">{len(findings)} of {len(findings)} findings shown</span>')
    out.append("</nav>")
    return out


def _code_table(lines: Sequence[str], first: int, last: int, hits: set[int]) -> list[str]:
    out = ['<div class="code"><table class="src">']
    for n in range(first, last + 1):
        text = lines[n - 1] if 0 < n <= len(lines) else ""
        cls = ' class="hit"' if n in hits else ""
        out.append(f'<tr{cls}><td class="ln">{n}</td><td>{highlight(text)}</td></tr>')
    out.append("</table></div>")
    return out


def _snippet(path: str, line: int, end_line: int, fallback: str, context) -> list[str]:
    """Code of lines ``line``..``end_line`` with context when the file's lines are known."""
    lines = context.get(path)
    hits = set(range(line, end_line + 1))
    if lines:
        first = max(1, line - CONTEXT_LINES)
        last = min(len(lines), end_line + CONTEXT_LINES)
        if first <= last:
            return _code_table(lines, first, last, hits)
    return _fallback_table(fallback.splitlines() or [""], line)


def _fallback_table(code: list[str], first: int) -> list[str]:
    out = ['<div class="code"><table class="src">']
    for n, text in enumerate(code, first):
        out.append(f'<tr class="hit"><td class="ln">{n}</td><td>{highlight(text)}</td></tr>')
    out.append("</table></div>")
    return out


def _finding(number: int, f: Finding, context) -> list[str]:
    sev = str(f.severity)
    facts = [f"<code>{_esc(f.rule_id)}</code> {_esc(f.rule_name)}"]
    if f.cwe > 0:
        facts.append(_esc(cwe_label(f.cwe)))
    facts.append(f'<span class="sev sev-{sev}">{sev}</span> severity')
    facts.append(f"confidence {_esc(str(f.confidence))}")
    model = is_model_opinion(f)
    if model:
        facts.append(f"<strong>{MODEL_OPINION}</strong>: a language model's claim; its lines, quote and names "
                     "were checked against the file, its reasoning was not")
    title = _esc(f.title) + (f" ({MODEL_OPINION})" if model else "")
    out = [
        f'<article class="finding" id="finding-{number}" data-severity="{sev}" data-rule="{_esc(f.rule_id)}">',
        "<header>",
        f"<h2>{number}. {title} — <code>{_esc(f.path)}:{f.span.line}</code></h2>",
        f'<div class="facts">{" · ".join(facts)}</div>',
        "</header>",
        '<div class="body">',
    ]
    out += _snippet(f.path, f.span.line, f.span.end_line, f.code, context)
    if f.explanation:
        label = "The model's explanation." if model else "Why it is exploitable here."
        out.append(f'<p class="why"><strong>{label}</strong> {inline(f.explanation)}</p>')
    if f.trace:
        out += ["<h3>Data flow</h3>", '<ol class="trace">']
        for step in f.trace:
            out += _step(step, context)
        out.append("</ol>")
    if f.fix:
        label = "Fix (the model's suggestion)." if model else "Fix."
        out.append(f'<p class="fix"><strong>{label}</strong> {inline(f.fix)}</p>')
    triage = triage_line(f)
    if triage and f.triage is not None:
        out.append(f'<p class="triage"><strong>Model triage.</strong> '
                   f'{inline(triage.removeprefix("Model triage: "))}</p>')
        for e in f.triage.evidence:
            out.append(f'<div class="where">evidence <code>{_esc(e.path)}:{e.line}</code></div>')
            out += _snippet(e.path, e.line, e.end_line, e.code, context)
    out += ["</div>", "</article>"]
    return out


def _step(step: TraceStep, context) -> list[str]:
    head = f"<code>{_esc(step.path)}:{step.line}</code>" + (f" — {inline(step.note)}" if step.note else "")
    lines = context.get(step.path)
    if lines and 0 < step.line <= len(lines):
        code = _code_table(lines, step.line, step.line, {step.line})
    elif step.code:
        code = _fallback_table([step.code], step.line)
    else:
        code = []
    return [f"<li>{head}", *code, "</li>"]


def _added_suppressions(items: list[AddedSuppression]) -> list[str]:
    out = ['<section class="suppressions" id="added-suppressions">', "<h2>Added suppressions</h2>", "<ul>"]
    for s in sorted(items, key=lambda s: (s.path, s.line, s.comment)):
        head = f"<code>{_esc(s.path)}:{s.line}</code> <code>{_esc(s.comment)}</code>"
        if not s.hides:
            out.append(f"<li>{head} hides no finding.</li>")
            continue
        out.append(f"<li>{head} hides {plural(len(s.hides), 'finding')}:<ul>")
        for f in sorted(s.hides, key=Finding.sort_key):
            out.append(f"<li><code>{_esc(f.path)}:{f.span.line}</code> <code>{_esc(f.rule_id)}</code> "
                       f"{_esc(f.title)} (severity {f.severity}, confidence {f.confidence})</li>")
        out.append("</ul></li>")
    out += ["</ul>", "</section>"]
    return out
