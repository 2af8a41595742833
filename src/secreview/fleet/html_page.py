"""The fleet's summary as one self-contained HTML page (``index.html``).

The page lays out ``summary.json`` and nothing else: the verdict, the repositories not reviewed
and why, what changed since the previous run, the repositories with the most severe findings
first (counts per severity and rule), and the rules. Its style sheet is inline and the
``Content-Security-Policy`` admits exactly that style sheet (by its SHA-256) and nothing else:
opening the page makes no request of any kind, and it has no script. Every text is escaped.
The repositories' own reports are named (``<name>.json``, ``<name>.sarif`` beside the page), not
linked.
"""

from __future__ import annotations

import base64
import hashlib
import html

from secreview.reports import NO_DEFECTS

STYLE = """
:root{--bg:#fff;--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--code:#f6f8fa;--high:#cf222e;--medium:#bc4c00;
--low:#0969da;--ok:#1a7f37}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#8d96a0;--line:#30363d;--code:#161b22;
--high:#ff7b72;--medium:#ffa657;--low:#79c0ff;--ok:#3fb950}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif}
main{max-width:1200px;margin:0 auto;padding:24px}
h1{font-size:1.6em;margin:0 0 8px}h2{font-size:1.2em;margin:28px 0 8px}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px;background:var(--code);
padding:0 3px;border-radius:4px}
.verdict{font-size:1.1em;font-weight:600}.clean{color:var(--ok)}.muted{color:var(--muted)}
table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--code);font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.sev{display:inline-block;min-width:2.2em;padding:0 6px;border-radius:10px;color:#fff;font-size:.85em;
font-weight:600;text-align:center}
.sev-high{background:var(--high)}.sev-medium{background:var(--medium)}.sev-low{background:var(--low)}
.zero{color:var(--muted)}.failed{color:var(--high);font-weight:600}
ul{padding-left:1.4em}li{margin:3px 0}td code{white-space:nowrap}
footer{color:var(--muted);font-size:.85em;margin:32px 0 8px}
"""

CSP = ("default-src 'none'; style-src 'sha256-"
       + base64.b64encode(hashlib.sha256(STYLE.encode("utf-8")).digest()).decode("ascii")
       + "'; img-src 'none'; base-uri 'none'; form-action 'none'")

SEVERITIES = ("high", "medium", "low")


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def _sev(level: str, n: int) -> str:
    return f'<span class="sev sev-{level}">{n:,}</span>' if n else '<span class="zero">0</span>'


def render(summary: dict) -> str:
    totals = summary["totals"]
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_e(CSP)}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="secreview">',
        f"<title>Security review of {_plural(totals['repositories'], 'repository', 'repositories')}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        '<body data-fleet="true">',
        "<main>",
        f"<h1>Security review of {_plural(totals['repositories'], 'repository', 'repositories')}</h1>",
    ]
    out.extend(_verdict(totals))
    out.extend(_not_reviewed(summary["not_reviewed"]))
    out.extend(_changes(summary["changes"]))
    out.extend(_repositories(summary["repositories"]))
    out.extend(_rules(summary["rules"]))
    run = summary.get("run", {})
    out.append(f"<footer>secreview {_e(summary['tool']['version'])} · store <code>{_e(run.get('store', ''))}</code>"
               f" · run of {_e(run.get('started', ''))}, {run.get('seconds', 0):,.1f} s</footer>")
    out.extend(["</main>", "</body>", "</html>", ""])
    return "\n".join(out)


def _verdict(totals: dict) -> list[str]:
    counts = totals["by_severity"]
    reviewed = totals["repositories"] - totals["failed"]
    scope = (f"{_plural(totals['lines_reviewed'], 'line')} in {_plural(totals['files_reviewed'], 'file')} of "
             f"{_plural(reviewed, 'repository', 'repositories')} reviewed "
             f"({totals['reviewed']:,} in this run, {totals['from_store']:,} unchanged, from the store).")
    if totals["findings"]:
        text = (f"{_plural(totals['findings'], 'security defect')} found in "
                f"{_plural(totals['with_findings'], 'repository', 'repositories')}: "
                + ", ".join(f"{counts[s]:,} {s}" for s in SEVERITIES) + ".")
        lines = [f'<p class="verdict" id="verdict">{_e(text)}</p>']
    elif reviewed:
        lines = [f'<p class="verdict clean" id="verdict">{_e(NO_DEFECTS)}</p>']
    else:
        lines = ['<p class="verdict" id="verdict">No repository was reviewed.</p>']
    lines.append(f"<p>{_e(scope)}</p>")
    extra = []
    if totals["failed"]:
        extra.append(f"{_plural(totals['failed'], 'repository', 'repositories')} could not be reviewed (below)")
    if totals["files_not_reviewed"]:
        extra.append(f"{_plural(totals['files_not_reviewed'], 'file')} could not be reviewed, or only in part "
                     "(listed in each repository's report)")
    if extra:
        lines.append(f'<p class="failed">{_e("; ".join(extra))}.</p>')
    return lines


def _not_reviewed(items: list) -> list[str]:
    if not items:
        return []
    out = ['<h2 id="not-reviewed">Not reviewed</h2>', "<table>",
           "<tr><th>repository</th><th>source</th><th>why</th></tr>"]
    for item in items:
        out.append(f"<tr><td>{_e(item['name'])}</td><td><code>{_e(item['source'])}</code></td>"
                   f"<td>{_e(item['reason'])}</td></tr>")
    out.append("</table>")
    return out


def _changes(changes: dict) -> list[str]:
    out = ['<h2 id="changes">Since the previous run</h2>']
    previous = changes.get("previous_run")
    if previous is None:
        out.append('<p class="muted">This store has no earlier finished run.</p>')
        return out
    facts = [f"previous run of {previous.get('started', '?')}",
             f"{_plural(changes['new_findings'], 'new finding')}",
             f"{_plural(changes['fixed_findings'], 'finding')} gone"]
    if changes["added"]:
        facts.append(f"added: {', '.join(changes['added'])}")
    if changes["removed"]:
        facts.append(f"no longer in the fleet: {', '.join(changes['removed'])}")
    out.append(f"<p>{_e('; '.join(facts))}.</p>")
    if changes["repositories"]:
        out.append("<table><tr><th>repository</th><th>content</th><th class=n>new</th><th class=n>gone</th>"
                   "<th>status</th></tr>")
        for item in changes["repositories"]:
            content = "changed" if item["content_changed"] else "same"
            out.append(f"<tr><td>{_e(item['name'])}</td><td>{content}</td>"
                       f"<td class=n>{item.get('new_findings', '')}</td>"
                       f"<td class=n>{item.get('fixed_findings', '')}</td>"
                       f"<td>{_e(item.get('status', ''))}</td></tr>")
        out.append("</table>")
    for kind, title in (("new", "New findings"), ("fixed", "Findings gone")):
        if changes[kind]:
            out.append(f"<h3>{title}</h3><ul>")
            for f in changes[kind]:
                out.append(f'<li><span class="sev sev-{_e(f["severity"])}">{_e(f["severity"])}</span> '
                           f"{_e(f['repository'])}: <code>{_e(f['path'])}:{f['line']}</code> {_e(f['title'])} "
                           f"({_e(f['rule_id'])})</li>")
            out.append("</ul>")
    return out


def _repositories(entries: list) -> list[str]:
    out = ['<h2 id="repositories">Repositories, most severe findings first</h2>', '<table id="repository-table">',
           "<tr><th>repository</th><th class=n>high</th><th class=n>medium</th><th class=n>low</th>"
           "<th>rules</th><th class=n>files</th><th class=n>lines</th><th class=n>files not reviewed</th>"
           "<th>reports</th></tr>"]
    for e in entries:
        if e["status"] == "failed":
            out.append(f'<tr data-status="failed"><td>{_e(e["name"])}</td>'
                       f'<td colspan=8 class="failed">not reviewed: {_e(e["reason"])}</td></tr>')
            continue
        counts = e["by_severity"]
        rules = ", ".join(f"{rule} ×{n}" if n > 1 else rule for rule, n in e["by_rule"].items()) or "—"
        out.append(f'<tr data-status="{_e(e["status"])}"><td>{_e(e["name"])}</td>'
                   + "".join(f"<td class=n>{_sev(s, counts[s])}</td>" for s in SEVERITIES)
                   + f"<td>{_e(rules)}</td><td class=n>{e['files_reviewed']:,}</td>"
                   f"<td class=n>{e['lines_reviewed']:,}</td><td class=n>{e['files_not_reviewed']:,}</td>"
                   f"<td><code>{_e(e['reports']['json'])}</code> <code>{_e(e['reports']['sarif'])}</code></td></tr>")
    out.append("</table>")
    return out


def _rules(rules: list) -> list[str]:
    if not rules:
        return []
    out = ['<h2 id="rules">Findings by rule</h2>', '<table id="rule-table">',
           "<tr><th>rule</th><th>title</th><th class=n>CWE</th><th class=n>high</th><th class=n>medium</th>"
           "<th class=n>low</th><th class=n>all</th><th class=n>repositories</th></tr>"]
    for r in rules:
        counts = r["by_severity"]
        out.append(f"<tr><td><code>{_e(r['rule_id'])}</code> {_e(r['rule_name'])}</td><td>{_e(r['title'])}</td>"
                   f"<td class=n>{r['cwe'] or ''}</td>"
                   + "".join(f"<td class=n>{_sev(s, counts[s])}</td>" for s in SEVERITIES)
                   + f"<td class=n>{r['findings']:,}</td><td class=n>{r['repositories']:,}</td></tr>")
    out.append("</table>")
    return out
