"""The live display of a fleet run on a terminal: repositories done of all, lines reviewed per
second in this run, repositories answered from the store, failures. Not shown when standard
error is not a terminal, under CI, or with ``--no-progress``."""

from __future__ import annotations

import os
import sys
import time


def wanted(no_progress: bool) -> bool:
    return not no_progress and sys.stderr.isatty() and not os.environ.get("CI")


class FleetProgress:
    def __init__(self, total: int):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        self.progress = Progress(TextColumn("reviewing repositories"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[facts]}"), TimeElapsedColumn(), transient=True,
                                 console=Console(stderr=True))
        self.task = self.progress.add_task("fleet", total=total, facts="")
        self.started = time.perf_counter()
        self.lines = self.failed = self.stored = 0
        self.progress.start()

    def __call__(self, result, done: int, total: int) -> None:
        if result.status == "failed":
            self.failed += 1
        elif result.status == "stored":
            self.stored += 1
        else:
            self.lines += result.lines
        rate = self.lines / max(time.perf_counter() - self.started, 1e-6)
        facts = [f"{rate:,.0f} lines/s"]
        if self.stored:
            facts.append(f"{self.stored} from the store")
        if self.failed:
            facts.append(f"[red]{self.failed} failed[/red]")
        self.progress.update(self.task, completed=done, facts=" · ".join(facts))

    def close(self) -> None:
        self.progress.stop()
