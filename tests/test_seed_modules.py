"""``benchmarks/seed_modules.py``: the generated review goes between the markers of each page and nothing
else of the page changes. A tiny fake tree stands in for Neutron (the real run is in ``docs/examples``)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
spec = importlib.util.spec_from_file_location("seed_modules", ROOT / "benchmarks" / "seed_modules.py")
sm = importlib.util.module_from_spec(spec)
sys.modules.setdefault("seed_modules", sm)
spec.loader.exec_module(sm)

RISKY = "import os\n\n\ndef publish(path):\n    os.chmod(path, 0o777)\n"
CLEAN = "def add(a, b):\n    return a + b\n"

BEFORE = "# Hand-written title\n\nIntro, kept as it is.\n\n"
AFTER = "\n## Comparison\n\n- claim 1: false (`x.py:3`).\n"


def page(generated: str) -> str:
    return f"{BEFORE}{sm.BEGIN}\n{generated}{sm.END}\n{AFTER}"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "risky.py").write_text(RISKY)
    (root / "pkg" / "clean.py").write_text(CLEAN)
    (root / "pkg" / "__init__.py").write_text("")
    return root


def run(tree: Path, out: Path, *extra: str) -> int:
    modules = {"pkg/risky.py": "pkg-risky", "pkg/clean.py": "pkg-clean"}
    return sm.main([str(tree), "--out", str(out), "--commit", "abc123", "--modules", json.dumps(modules), *extra])


def test_generated_section_replaced_and_hand_written_text_kept(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "docs"
    out.mkdir()
    (out / "pkg-risky.md").write_text(page("stale review\nmore stale text\n"))
    assert run(tree, out) == 0

    risky = (out / "pkg-risky.md").read_text()
    assert risky.startswith(BEFORE + sm.BEGIN + "\n")
    assert risky.endswith(sm.END + "\n" + AFTER)
    assert "stale" not in risky
    generated = risky[len(BEFORE + sm.BEGIN + "\n"): -len(sm.END + "\n" + AFTER)]
    assert "`abc123`" in generated
    assert "--no-cache" in generated and "--format json" in generated
    assert "### Security review of `pkg/risky.py`" in generated  # the renderer's title, two levels down
    assert "`pkg/risky.py:5`" in generated and "world-writable" in generated.lower()
    assert "tree/pkg/risky.py" not in generated  # paths as reviewed from the tree's root

    clean = (out / "pkg-clean.md").read_text()  # created with a title and the markers
    assert clean.startswith("# `pkg/clean.py`")
    assert "\nNo security defects are detected in the code.\n" + sm.END in clean

    # a second run over the same tree changes nothing (the hand-written parts included)
    assert run(tree, out) == 0
    assert (out / "pkg-risky.md").read_text() == risky
    assert (out / "pkg-clean.md").read_text() == clean


def test_existing_report_is_rendered_without_a_review(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "docs"
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"tool": {"version": "9"}, "findings": [], "problems": []}))
    assert run(tree, out, "--report", str(report)) == 0
    assert "\nNo security defects are detected in the code.\n" in (out / "pkg-risky.md").read_text()


def test_page_without_markers_is_left_alone(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "docs"
    out.mkdir()
    (out / "pkg-risky.md").write_text("# notes without markers\n")
    assert run(tree, out) == 2
    assert (out / "pkg-risky.md").read_text() == "# notes without markers\n"
    assert not (out / "pkg-clean.md").exists()  # nothing is written when one page is wrong


def test_replace_generated() -> None:
    assert sm.replace_generated(page("old\n"), "new") == page("new\n")
    assert sm.replace_generated(page(""), "") == page("")
    with pytest.raises(sm.MarkerError):
        sm.replace_generated(page("x\n") + sm.BEGIN + "\n", "y")
    with pytest.raises(sm.MarkerError):
        sm.replace_generated(f"{sm.END}\n{sm.BEGIN}\n", "y")


def test_demote_headings_leaves_code_alone() -> None:
    text = "# Title\n\n## Findings\n\n```python\n# comment\n```\n\n````\n```\n# still code\n````\n###### deep\n"
    assert sm.demote_headings(text) == (
        "### Title\n\n#### Findings\n\n```python\n# comment\n```\n\n````\n```\n# still code\n````\n###### deep\n")
