"""Where a review spends its time, phase by phase (``SECREVIEW_TIMINGS=1``)."""

from __future__ import annotations

import os
import resource
import sys
import time


class PhaseClock:
    """CPU and wall time per phase, and the process's peak RSS at the end of each, printed on
    stderr when ``SECREVIEW_TIMINGS`` is set."""

    def __init__(self, name: str):
        self.name, self.enabled = name, bool(os.environ.get("SECREVIEW_TIMINGS"))
        self.laps: dict = {}
        self.cpu, self.wall = time.process_time(), time.perf_counter()

    def lap(self, phase: str) -> None:
        if self.enabled:
            cpu, wall = time.process_time(), time.perf_counter()
            old = self.laps.get(phase, (0.0, 0.0, 0.0))
            self.laps[phase] = (old[0] + cpu - self.cpu, old[1] + wall - self.wall,
                                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
            self.cpu, self.wall = cpu, wall

    def report(self, extra: str = "") -> None:
        if self.enabled:
            parts = ", ".join(f"{k} {c:.2f}/{w:.2f}/{m:.0f}" for k, (c, w, m) in self.laps.items())
            print(f"secreview timings, {self.name} (cpu/wall s/peak RSS MiB so far): {parts}; {extra}",
                  file=sys.stderr)
