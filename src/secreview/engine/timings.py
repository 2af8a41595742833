"""Where a review spends its time, phase by phase (``SECREVIEW_TIMINGS=1``)."""

from __future__ import annotations

import os
import sys
import time


class PhaseClock:
    """CPU and wall time per phase, printed on stderr when ``SECREVIEW_TIMINGS`` is set."""

    def __init__(self, name: str):
        self.name, self.enabled = name, bool(os.environ.get("SECREVIEW_TIMINGS"))
        self.laps: dict = {}
        self.cpu, self.wall = time.process_time(), time.perf_counter()

    def lap(self, phase: str) -> None:
        if self.enabled:
            cpu, wall = time.process_time(), time.perf_counter()
            old = self.laps.get(phase, (0.0, 0.0))
            self.laps[phase] = (old[0] + cpu - self.cpu, old[1] + wall - self.wall)
            self.cpu, self.wall = cpu, wall

    def report(self, extra: str = "") -> None:
        if self.enabled:
            parts = ", ".join(f"{k} {c:.2f}/{w:.2f}" for k, (c, w) in self.laps.items())
            print(f"secreview timings, {self.name} (cpu/wall s): {parts}; {extra}", file=sys.stderr)
