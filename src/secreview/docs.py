"""The rule catalog, generated from the rules' own docstrings (``docs/rules.md``)."""

from __future__ import annotations

from secreview.rules.registry import all_rules


def rule_catalog() -> str:
    rules = all_rules()
    out = [
        "# Rule catalog",
        "",
        "Generated from the rules' docstrings by `secreview rules --format markdown`; do not edit by hand.",
        "",
        "Rules of the *extended* set run only when selected (`--select RULE`, `--select all`, or "
        "`select = [...]` in `[tool.secreview]`): on real code most of what they report is not a "
        "defect a reviewer would ask to fix.",
        "",
        "| id | name | CWE | default severity | set | Bandit | defect |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rules:
        out.append(f"| {r.id} | [`{r.name}`](#{r.id.lower()}-{r.name}) | {_cwe(r)} | {r.severity} | "
                   f"{'extended' if r.extended else 'default'} | {', '.join(r.bandit) or '—'} | {r.title} |")
    out.append("")
    for r in rules:
        out.append(f"## {r.id} {r.name}")
        out.append("")
        out.append(f"**{r.title}** · {_cwe(r)} · default severity {r.severity}"
                   + (" · extended set (off unless selected)" if r.extended else "")
                   + (f" · covers Bandit {', '.join(r.bandit)}" if r.bandit else ""))
        out.append("")
        out.append(r.doc())
        out.append("")
    return "\n".join(out)


def _cwe(rule) -> str:
    """``CWE-78``; for a rule whose findings carry their own CWE (``model-opinion``), says so."""
    return f"CWE-{rule.cwe}" if rule.cwe else "CWE of each claim"
