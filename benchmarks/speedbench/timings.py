"""Reading what ``SECREVIEW_TIMINGS=1`` prints on stderr: CPU and wall seconds per phase.

Each worker of a parallel review (and an incremental review) prints one line::

    secreview timings, worker 4242 (cpu/wall s): lower 2.36/2.38, trade stubs 0.30/0.59, ...; 16306 analyses of ...

The phase names are whatever the engine calls them (they are not fixed here), so the page shows the
phases the measured secreview has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_LINE = re.compile(r"^secreview timings, (?P<name>.+?) \(cpu/wall s\): (?P<parts>.*?)(?:; (?P<extra>.*))?$")
_PART = re.compile(r"\s*(?P<phase>[^,]+?) (?P<cpu>-?\d+(?:\.\d+)?)/(?P<wall>-?\d+(?:\.\d+)?)\s*(?:,|$)")


@dataclass
class Clock:
    """One ``secreview timings`` line: who printed it, its phases in order, and the free text after ``;``."""

    name: str
    phases: dict[str, tuple[float, float]] = field(default_factory=dict)  # phase -> (cpu, wall) seconds
    extra: str = ""

    @property
    def cpu(self) -> float:
        return sum(c for c, _ in self.phases.values())

    @property
    def wall(self) -> float:
        return sum(w for _, w in self.phases.values())


def parse_timings(text: str) -> list[Clock]:
    """Every ``secreview timings`` line of ``text`` (a tool's stderr), in order; other lines are skipped."""
    clocks = []
    for line in text.splitlines():
        m = _LINE.match(line.strip())
        if m is None:
            continue
        clock = Clock(m["name"], extra=(m["extra"] or "").strip())
        for part in _PART.finditer(m["parts"]):
            cpu, wall = float(part["cpu"]), float(part["wall"])
            old = clock.phases.get(part["phase"], (0.0, 0.0))
            clock.phases[part["phase"]] = (old[0] + cpu, old[1] + wall)
        clocks.append(clock)
    return clocks


def phase_order(clocks: list[Clock]) -> list[str]:
    """The phases of all clocks, in the order they first appear."""
    order: list[str] = []
    for clock in clocks:
        order += [p for p in clock.phases if p not in order]
    return order
