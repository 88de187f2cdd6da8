"""Terminal output shared by the commands: one rich Console factory (--no-color, NO_COLOR) and a
progress line for long reads and writes (only on a terminal, silent when piped)."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

_settings: dict[str, Any] = {"no_color": False}


def set_no_color(value: bool) -> None:
    _settings["no_color"] = bool(value)


def no_color() -> bool:
    """--no-color, or NO_COLOR set to anything non-empty (https://no-color.org)."""
    return _settings["no_color"] or bool(os.environ.get("NO_COLOR"))


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, no_color=no_color(), highlight=not no_color())


def interactive_stderr() -> bool:
    return sys.stderr.isatty()


@contextlib.contextmanager
def activity(enabled: bool, text: str) -> Iterator[None]:
    """A transient spinner on stderr while a slow step runs (reading a calendar); off when piped."""
    if not enabled:
        yield
        return
    with console(stderr=True).status(text):
        yield


class SyncProgress:
    """What `followcal sync` shows on a terminal (app/sync.py's Progress): a spinner while a
    source is read or a target listed, a bar while a target takes five writes or more."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def step(self, text: str) -> contextlib.AbstractContextManager[None]:
        return activity(self.enabled, text)

    @contextlib.contextmanager
    def writes(self, label: str, total: int) -> Iterator[Callable[[int], None] | None]:
        if not self.enabled or total < 5:
            yield None
            return
        from rich.progress import Progress

        with Progress(transient=True) as progress:
            task = progress.add_task(f"writing {label}", total=total)
            yield lambda n: progress.advance(task, n)
