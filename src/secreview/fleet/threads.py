"""Threads a review runs on inside a Dask worker: a large stack, and a way to stop one.

Dask runs tasks on the threads of a pool, whose stacks are the platform's default; the engine
raises the recursion limit to ``RECURSION_LIMIT`` (as the ``secreview`` command does on its main
thread), so a review gets a thread of its own with a stack that deep code cannot overflow.
"""

from __future__ import annotations

import ctypes
import sys
import threading

THREAD_STACK = 512 * 1024 * 1024
"""Stack of the thread a review runs on (virtual memory, touched only as deep as the code goes)."""
RECURSION_LIMIT = 20_000
"""What ``engine.pipeline.review_sources`` raises the limit to. Raised here first, never lowered:
reviews running at once in one worker then never lower it under each other."""


def raise_recursion_limit() -> None:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))


def start(target, *args, name: str) -> threading.Thread:
    """A daemon thread running ``target(*args)`` on a ``THREAD_STACK`` stack, started."""
    thread = threading.Thread(target=target, args=args, daemon=True, name=name)
    try:
        old = threading.stack_size(THREAD_STACK)
    except (ValueError, RuntimeError):  # not settable here: the default stack
        thread.start()
        return thread
    try:
        thread.start()
    finally:
        threading.stack_size(old)
    return thread


def interrupt(thread: threading.Thread, exc_type: type[BaseException]) -> None:
    """Raise ``exc_type`` in ``thread`` at its next Python instruction."""
    if thread.ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(exc_type))


__all__ = ["RECURSION_LIMIT", "THREAD_STACK", "interrupt", "raise_recursion_limit", "start"]
