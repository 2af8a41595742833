"""The model pass end to end, against a fake OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json

import jsonschema
import pytest
from conftest import APP, line_of
from fakellm import answer, completion, status, user_message

from secreview.cli import main
from secreview.reports.json_report import SCHEMA_PATH

RUN_LINE = line_of(APP, "subprocess.run(command")
GET_LINE = line_of(APP, "port = db.get_port(port_id)")
HOST_LINE = line_of(APP, 'host = request.args.get("host"')

OWNERSHIP = {"start_line": GET_LINE, "end_line": GET_LINE, "quote": "port = db.get_port(port_id)",
             "identifiers": ["port_id", "db.get_port"], "cwe": 639, "title": "Port deleted without an ownership check",
             "explanation": "`delete_port` deletes the port named by `port_id` without checking who owns it.",
             "fix": "Compare the port's project with the caller's.", "confidence": "high"}


def reply_by_function(per_function: dict):
    """A script answering by the function under review (``Function under review: NAME``)."""
    def script(request):
        text = user_message(request)
        for name, reply in per_function.items():
            if f"Function under review: {name}," in text:
                return reply() if callable(reply) else reply
        return answer()
    return script


def run_cli(capsys, project, fake, *args, fmt="json"):
    argv = ["review", str(project), "--format", fmt, "--jobs", "1", "--no-progress",
            "--llm-base-url", fake.base_url, "--llm-model", "fake-model", *args]
    if "--cache-dir" not in args:
        argv.append("--no-cache")
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def validate(doc):
    jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text())).validate(doc)


def test_a_verified_claim_is_a_model_opinion_with_its_own_rule_and_never_high(capsys, project, fake):
    fake.script = reply_by_function({"delete_port": answer([OWNERSHIP])})
    code, out, err = run_cli(capsys, project, fake)
    assert code == 1, err
    doc = json.loads(out)
    validate(doc)
    model = [f for f in doc["findings"] if f["origin"] == "llm"]
    assert len(model) == 1
    f = model[0]
    assert (f["rule_id"], f["rule_name"], f["cwe"]) == ("SR901", "model-opinion", 639)
    assert (f["line"], f["end_line"]) == (GET_LINE, GET_LINE)
    assert f["code"] == "    port = db.get_port(port_id)"
    assert f["confidence"] == "medium" and f["severity"] == "medium"
    assert f["fingerprint"] and f["tags"] == ["model-opinion"]
    engine = [f for f in doc["findings"] if f["origin"] == "engine"]
    assert engine and all(f["rule_id"] != "SR901" for f in engine)
    assert doc["llm"]["model"] == "fake-model" and doc["llm"]["complete"] is True
    assert doc["llm"]["findings"] == 1 and doc["llm"]["requests"] == len(fake.requests) >= 3
    assert doc["llm"]["tokens"] == {"input": 100 * len(fake.requests), "output": 20 * len(fake.requests)}
    assert doc["verdict"] == f"{len(doc['findings'])} security defects found."
    for request in fake.requests:
        assert request["temperature"] == 0 and request["model"] == "fake-model"
    markdown = run_cli(capsys, project, fake, fmt="markdown")[1]
    assert "Port deleted without an ownership check (model opinion)" in markdown
    assert "**model opinion**" in markdown
    text = run_cli(capsys, project, fake, fmt="text")[1]
    assert "SR901 [medium/medium] model opinion: Port deleted without an ownership check (CWE-639)" in text
