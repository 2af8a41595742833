"""A cycle of fields (an element's slot's parent is an element) does not grow types without end.

Each re-analysis of ``move`` extended the attribute-chain types of ``self.parent_slot`` by another
``.parent.slots.[]``; on a 24 k-line UI framework one worker reached 5 GB and ran for more than ten
minutes. The review of this small tree must finish in seconds.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from secreview.analysis.values import derived_types

TREE = Path(__file__).parent.parent / "data" / "field_cycle_tree.py"


def test_review_of_a_field_cycle_finishes(tmp_path):
    (tmp_path / "tree.py").write_text(TREE.read_text(encoding="utf-8"), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "secreview", "review", str(tmp_path), "--no-cache", "--jobs", "1",
         "--format", "json", "--exit-zero", "--no-progress"],
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr


def test_derived_types_cut_only_long_repeating_chains():
    assert derived_types({"flask.request"}, "args") == {"flask.request.args"}
    assert derived_types({"a.b.get()"}, "get()") == {"a.b.get().get()"}  # short: kept
    long = "pkg.mod.Element.parent_slot.parent.slots.[].parent"
    assert derived_types({long}, "slots") == frozenset()
    assert derived_types({long}, "name") == {long + ".name"}
    assert derived_types({"class:pkg.Thing"}, "x", skip_classes=True) == frozenset()


def test_join_cuts_a_runaway_type_set_the_same_way_every_time():
    from secreview.analysis.values import MAX_TYPES, Value, join

    many = frozenset(f"pkg.T{i:03d}" for i in range(MAX_TYPES + 10))
    a = Value(types=frozenset(list(many)[: len(many) // 2]))
    b = Value(types=many)
    joined = join(a, b)
    assert len(joined.types) == MAX_TYPES
    assert joined.types == join(b, a).types
    assert "pkg.T000" in joined.types and f"pkg.T{MAX_TYPES + 9:03d}" not in joined.types
