"""Python's cyclic garbage collector paused around bulk work that makes no reference cycles.

Parsing a calendar, detecting its interviews and planning their reminders make hundreds of
thousands of small objects (events, dataclasses, strings) and next to no cycles; the collector
would walk all of them dozens of times for nothing (10-20% of reading a large file). Objects are
still freed by reference counting as they go; a cycle made meanwhile waits for the next run.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The block runs without the cyclic collector; it is turned back on only if it was on."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
