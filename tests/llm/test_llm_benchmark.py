"""benchmarks/llm_review.py: its scoring, on tiny corpora and the fake server."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

from fakellm import answer, user_message

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "llm_review.py"
spec = importlib.util.spec_from_file_location("llm_review", SCRIPT)
llm_review = importlib.util.module_from_spec(spec)
sys.modules["llm_review"] = llm_review  # dataclasses look their module up
spec.loader.exec_module(llm_review)

VULNERABLE = "def delete(db, port_id):\n    port = db.get(port_id)\n    db.delete(port)\n"
FIXED = ("def delete(db, context, port_id):\n    port = db.get(port_id)\n"
         "    if port.project_id != context.project_id:\n        raise PermissionError(port_id)\n    db.delete(port)\n")
CLAIM = {"start_line": 2, "end_line": 2, "quote": "port = db.get(port_id)", "identifiers": ["port_id"],
         "cwe": 639, "title": "No ownership check", "explanation": "Any caller can name any port.",
         "confidence": "medium"}


def _tree(root: Path, text: str) -> None:
    (root / "svc").mkdir(parents=True)
    (root / "svc" / "api.py").write_text(text)


def test_manifest_scoring_on_the_fake_server(tmp_path, fake, capsys):
    _tree(tmp_path / "a" / "before", VULNERABLE)
    _tree(tmp_path / "a" / "after", FIXED)
    _tree(tmp_path / "b" / "before", VULNERABLE)
    manifest = tmp_path / "corpus.json"
    manifest.write_text(json.dumps({"name": "tiny", "cases": [
        {"id": "a", "cwe": 639, "family": [639, 862],
         "vulnerable": {"root": "a/before", "regions": [{"path": "svc/api.py", "start_line": 2, "end_line": 3}]},
         "fixed": {"root": "a/after", "regions": [{"path": "svc/api.py", "start_line": 2, "end_line": 5}]}},
        {"id": "b", "cwe": 362,
         "vulnerable": {"root": "b/before", "regions": [{"path": "svc/api.py", "start_line": 2, "end_line": 3}]}},
    ]}))

    def script(request):
        text = user_message(request)
        if "raise PermissionError" in text:  # the fixed version: the model claims again, with a wrong quote
            return answer([{**CLAIM, "quote": "port = db.lookup(port_id)"}])
        return answer([CLAIM])

    fake.script = script
    out_json = tmp_path / "out.json"
    assert llm_review.main(["--base-url", fake.base_url, "--model", "m", str(manifest), "--json", str(out_json)]) == 0
    doc = json.loads(out_json.read_text())["corpora"][0]
    assert doc["corpus"] == "tiny" and doc["cases"] == 2 and doc["vulnerable"] == 2
    assert doc["found"] == 1  # case b is labelled a race: CWE-639 is not its type
    assert doc["fixed_sides"] == 1 and doc["claims_on_fixed"] == 0
    assert doc["claims_dropped"] == {"quote not in file": 1}
    assert doc["model_findings"] == 2 and doc["tokens"]["input"] == 300
    printed = capsys.readouterr().out
    assert "found (verified claim of the labelled type at the labelled place): 1 of 2 vulnerable (50.0%)" in printed


def test_owasp_layout_is_read_and_safe_cases_count_as_fixed(tmp_path):
    (tmp_path / "testcode").mkdir()
    (tmp_path / "expectedresults-0.1.csv").write_text(
        "# test name, category, real vulnerability, cwe\nBenchmarkTest00001,cmdi,true,78\n"
        "BenchmarkTest00002,sqli,false,89\n")
    name, cases = llm_review.load_corpus(str(tmp_path))
    assert [c.id for c in cases] == ["BenchmarkTest00001", "BenchmarkTest00002"]
    assert cases[0].vulnerable is not None and cases[0].fixed is None and 77 in cases[0].family
    assert cases[1].vulnerable is None and cases[1].fixed.files == ("testcode/BenchmarkTest00002.py",)
    report = {"findings": [{"path": "testcode/BenchmarkTest00001.py", "line": 3, "end_line": 3, "cwe": 78,
                            "origin": "engine", "triage": {"verdict": "confirmed"}}], "llm": {}}
    tally = llm_review.Tally("owasp")
    llm_review.score_side(report, cases[0], cases[0].vulnerable, True, tally)
    assert tally.found == 1
