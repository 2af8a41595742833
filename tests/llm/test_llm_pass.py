"""The model pass end to end, against a fake OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json

import jsonschema
import pytest
from fakellm import answer, completion, status, user_message
from llmproject import APP, line_of

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


def _dropped(capsys, project, fake, claim, *args):
    fake.script = reply_by_function({"delete_port": answer([claim])})
    code, out, err = run_cli(capsys, project, fake, *args)
    doc = json.loads(out)
    validate(doc)
    assert not [f for f in doc["findings"] if f["origin"] == "llm"], err
    return doc


@pytest.mark.parametrize("change, reason", [
    ({"start_line": GET_LINE + 1, "end_line": GET_LINE + 1}, "quote not in file"),  # wrong line numbers
    ({"quote": "port = db.get_port(port_id, context)"}, "quote not in file"),  # a quote not in the file
    ({"identifiers": ["port_id", "context"]}, "identifier not in the quoted lines"),  # an invented identifier
    ({"identifiers": ["get"]}, "identifier not in the quoted lines"),  # part of a name is not the name
    ({"cwe": 79}, "CWE not offered"),
    ({"cwe": "CWE-89"}, "CWE not offered"),
    ({"explanation": "`check_owner(context)` is never called"}, "explanation names code not in the file"),
    ({"path": "other/app.py"}, "path not a reviewed file"),
    ({"start_line": 1, "end_line": 1, "quote": "import subprocess", "identifiers": ["subprocess"]},
     "lines outside the code under review"),
    ({"start_line": GET_LINE, "end_line": GET_LINE + 1}, "quote not in file"),
    ({"identifiers": []}, "malformed claim"),
    ({"start_line": "twelve"}, "malformed claim"),
    ({"start_line": GET_LINE + 2, "end_line": GET_LINE}, "malformed claim"),
])
def test_claims_that_fail_verification_are_dropped_and_counted(capsys, project, fake, change, reason):
    doc = _dropped(capsys, project, fake, {**OWNERSHIP, **change})
    assert doc["llm"]["claims_dropped"] == {reason: 1}
    assert doc["llm"]["complete"] is True


def test_a_path_that_is_the_reviewed_file_is_accepted_and_whitespace_is_not_a_difference(capsys, project, fake):
    path = str(project / "app.py")
    claim = {**OWNERSHIP, "path": path, "quote": "\tport  =  db.get_port(port_id)   \n".replace("  =  ", " = ")}
    fake.script = reply_by_function({"delete_port": answer([claim])})
    doc = json.loads(run_cli(capsys, project, fake)[1])
    assert [f["line"] for f in doc["findings"] if f["origin"] == "llm"] == [GET_LINE]


def test_a_claim_at_an_engine_findings_lines_and_cwe_confirms_it_instead_of_a_second_finding(capsys, project, fake):
    claim = {"start_line": RUN_LINE, "end_line": RUN_LINE,
             "quote": "return subprocess.run(command, shell=True, capture_output=True)",
             "identifiers": ["command"], "cwe": 78, "title": "Command injection", "explanation": "`command` reaches "
             "a shell.", "confidence": "high"}
    fake.script = reply_by_function({"run": answer([claim])})
    doc = json.loads(run_cli(capsys, project, fake)[1])
    at = [f for f in doc["findings"] if f["line"] == RUN_LINE]
    assert len(at) == 1 and at[0]["origin"] == "engine" and at[0]["triage"]["verdict"] == "confirmed"
    assert at[0]["triage"]["evidence"][0]["line"] == RUN_LINE
    assert doc["llm"]["confirmed"] == 1 and doc["llm"]["findings"] == 0


DISMISS = {"finding": "F1", "verdict": "likely-false-positive", "reason": "`command` is checked by its callers.",
           "evidence": [{"start_line": RUN_LINE, "end_line": RUN_LINE,
                         "quote": "return subprocess.run(command, shell=True, capture_output=True)"}]}


def test_a_dismissed_finding_is_kept_in_json_and_sarif_and_hidden_only_on_request(capsys, project, fake):
    fake.script = reply_by_function({"run": answer(triage=[DISMISS])})
    code, out, _ = run_cli(capsys, project, fake)
    doc = json.loads(out)
    validate(doc)
    f = next(f for f in doc["findings"] if f["line"] == RUN_LINE)
    assert f["confidence"] == "high"  # the engine's own
    assert f["triage"]["verdict"] == "likely-false-positive" and f["triage"]["confidence"] == "medium"
    assert code == 1
    sarif = json.loads(run_cli(capsys, project, fake, fmt="sarif")[1])
    triaged = [r for r in sarif["runs"][0]["results"] if "llmTriage" in r["properties"]]
    assert triaged[0]["properties"]["llmTriage"]["verdict"] == "likely-false-positive"
    shown = run_cli(capsys, project, fake, fmt="markdown")[1]
    assert "OS command injection" in shown and "Model triage.** likely false positive" in shown
    for fmt in ("markdown", "text"):
        hidden = run_cli(capsys, project, fake, "--hide-llm-dismissed", fmt=fmt)[1]
        assert "OS command injection" not in hidden
        assert "1 finding the model judged likely false positive is not shown (--hide-llm-dismissed)" in \
            " ".join(hidden.split())
    still = json.loads(run_cli(capsys, project, fake, "--hide-llm-dismissed")[1])
    assert any(f["line"] == RUN_LINE for f in still["findings"])


def test_filters_use_the_engines_own_confidence_so_the_model_cannot_hide_an_engine_finding(capsys, project, fake):
    fake.script = reply_by_function({"run": answer(triage=[DISMISS]), "delete_port": answer([OWNERSHIP])})
    doc = json.loads(run_cli(capsys, project, fake, "--min-confidence", "high")[1])
    assert [f["line"] for f in doc["findings"]] == [RUN_LINE]  # the model's own medium finding is filtered
    assert doc["llm"]["filtered"] == 1


def test_triage_whose_evidence_fails_becomes_uncertain(capsys, project, fake):
    bad = {**DISMISS, "evidence": [{"start_line": RUN_LINE, "end_line": RUN_LINE, "quote": "if is_safe(command):"}]}
    fake.script = reply_by_function({"run": answer(triage=[bad, {**DISMISS, "finding": "F9"}])})
    doc = json.loads(run_cli(capsys, project, fake)[1])
    f = next(f for f in doc["findings"] if f["line"] == RUN_LINE)
    assert f["triage"]["verdict"] == "uncertain" and f["triage"]["reason"] == "" and f["triage"]["evidence"] == []
    assert "is_safe" not in json.dumps(doc)
    assert doc["llm"]["claims_dropped"] == {"triage made uncertain: quote not in file": 1,
                                            "triage of an unknown finding": 1}


def test_only_model_findings_make_the_exit_code_1_and_the_verdict_counts_them(capsys, tmp_path, fake):
    root = tmp_path / "clean"
    root.mkdir()
    (root / "views.py").write_text("def delete(db, port_id):\n    db.delete(port_id)\n    return port_id\n")
    claim = {"start_line": 2, "end_line": 2, "quote": "db.delete(port_id)", "identifiers": ["port_id"], "cwe": 862,
             "title": "Delete without authorization", "explanation": "Nothing checks the caller.",
             "confidence": "medium"}
    code, out, _ = run_cli(capsys, root, fake, fmt="markdown")
    assert code == 0 and out.count("No security defects are detected in the code.") == 1
    assert "Model pass (fake-model): all 1 function reviewed by the model." in out
    fake.script = [answer([claim])]
    code, out, _ = run_cli(capsys, root, fake, fmt="markdown")
    assert code == 1 and "No security defects" not in out and "1 security defect in 1 of 1 file reviewed" in out


@pytest.mark.parametrize("replies, reason", [
    ([completion("not json at all"), completion("{\"findings\": [")], "unusable answer (not-json)"),
    ([completion("Here is my review: the code looks fine."), completion("I found no issues.")],
     "unusable answer (not-json)"),
    ([completion("[1, 2]"), completion("[]")], "unusable answer (not-an-object)"),
    ([completion('{"findings": {}}'), completion('{"findings": 3}')], "unusable answer (wrong-shape)"),
    ([completion('{"findings": [', finish_reason="length")] * 2, "answer truncated"),
    ([status(503), status(500)], "HTTP 500"),
    ([status(429, "0"), status(429, "0")], "HTTP 429"),
    ([completion("x" * 1_100_000), completion("y" * 1_100_000)], "answer too large"),
    ([completion("{}") .__class__(200, b"<html>oops</html>", {})] * 2, "not a chat-completions answer"),
])
def test_failures_are_retried_once_then_listed_as_not_reviewed(capsys, tmp_path, fake, replies, reason):
    root = tmp_path / "one"
    root.mkdir()
    (root / "views.py").write_text("def delete(db, port_id):\n    db.delete(port_id)\n")
    fake.script = list(replies)
    code, out, err = run_cli(capsys, root, fake)
    assert "Traceback" not in err
    doc = json.loads(out)
    validate(doc)
    assert len(fake.requests) == 2 and doc["llm"]["retries"] == 1
    assert doc["llm"]["complete"] is False
    assert doc["llm"]["not_reviewed"] == [{"path": str(root / "views.py"), "scope": "delete", "line": 1,
                                           "end_line": 2, "reason": f"no usable answer after one retry: {reason}"}]
    assert doc["verdict"] == "No security defects are detected in the code." and code == 0
    for fmt in ("markdown", "text", "html", "gerrit", "github", "github-review", "gitlab", "junit", "sarif"):
        rendered = run_cli(capsys, root, fake, fmt=fmt)[1]
        assert "not reviewed by the model" in rendered.lower(), fmt


def test_a_failure_then_a_good_answer_reviews_the_function(capsys, tmp_path, fake):
    root = tmp_path / "one"
    root.mkdir()
    (root / "views.py").write_text("def delete(db, port_id):\n    db.delete(port_id)\n")
    fake.script = [status(429, "0"), answer()]
    doc = json.loads(run_cli(capsys, root, fake)[1])
    assert doc["llm"]["complete"] is True and doc["llm"]["requests"] == 2


def test_a_timeout_is_retried_then_listed(capsys, tmp_path, fake):
    root = tmp_path / "one"
    root.mkdir()
    (root / "views.py").write_text("def delete(db, port_id):\n    db.delete(port_id)\n")
    slow = answer()
    slow.delay = 3
    fake.script = [slow, slow]
    code, out, err = run_cli(capsys, root, fake, "--llm-timeout", "1")
    doc = json.loads(out)
    assert doc["llm"]["not_reviewed"][0]["reason"] == "no usable answer after one retry: timeout"
    assert "Traceback" not in err


def test_an_unreachable_endpoint_never_fails_the_review(capsys, project):
    code = main(["review", str(project), "--format", "json", "--no-cache", "--jobs", "1",
                 "--llm-base-url", "http://127.0.0.1:9/v1", "--llm-model", "m"])
    out = capsys.readouterr()
    doc = json.loads(out.out)
    assert code == 1 and "Traceback" not in out.err
    assert {n["reason"] for n in doc["llm"]["not_reviewed"]} == {"no usable answer after one retry: connection failed"}


def test_caps_stop_the_pass_in_severity_order_and_list_what_was_not_reached(capsys, project, fake):
    doc = json.loads(run_cli(capsys, project, fake, "--llm-max-requests", "1")[1])
    assert len(fake.requests) == 1
    assert "Function under review: run," in user_message(fake.requests[0])  # the unit of the high finding first
    reasons = {n["reason"] for n in doc["llm"]["not_reviewed"]}
    assert reasons == {"not reached: request cap (max-requests 1)"}
    assert doc["llm"]["reviewed"] == 1 and len(doc["llm"]["not_reviewed"]) == doc["llm"]["functions"] - 1


def test_a_function_too_large_for_one_request_is_listed_not_cut(capsys, tmp_path, fake):
    root = tmp_path / "big"
    root.mkdir()
    body = "".join(f"    x{i} = port_id + {i}\n" for i in range(400))
    (root / "big.py").write_text(f"def big(port_id):\n{body}    return x0\n\n\ndef small():\n    return 1\n")
    doc = json.loads(run_cli(capsys, root, fake, "--llm-max-request-tokens", "2000")[1])
    assert [n["scope"] for n in doc["llm"]["not_reviewed"]] == ["big"]
    assert doc["llm"]["not_reviewed"][0]["reason"].startswith("too large for one request")
    assert len(fake.requests) == 1


def test_answers_are_cached_by_content_and_failures_never(capsys, project, fake, tmp_path):
    cache = str(tmp_path / "cache")
    first = json.loads(run_cli(capsys, project, fake, "--cache-dir", cache)[1])
    sent = len(fake.requests)
    assert sent == first["llm"]["functions"]
    again = json.loads(run_cli(capsys, project, fake, "--cache-dir", cache)[1])
    assert len(fake.requests) == sent and again["llm"]["cached_answers"] == sent and again["llm"]["requests"] == 0
    (project / "store.py").write_text((project / "store.py").read_text().replace("return None", "return port"))
    run_cli(capsys, project, fake, "--cache-dir", cache)
    assert len(fake.requests) == sent + 1  # only the edited function is sent again
    run_cli(capsys, project, fake, "--no-cache")
    assert len(fake.requests) == 2 * sent + 1
    # a failure is never cached
    root = tmp_path / "one"
    root.mkdir()
    (root / "views.py").write_text("def delete(db, port_id):\n    db.delete(port_id)\n")
    fake.script = [status(500), status(500), answer(), answer()]
    before = len(fake.requests)
    run_cli(capsys, root, fake, "--cache-dir", cache)
    run_cli(capsys, root, fake, "--cache-dir", cache)
    run_cli(capsys, root, fake, "--cache-dir", cache)
    assert len(fake.requests) == before + 3  # two failed, one good (then cached)
