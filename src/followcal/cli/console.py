"""Terminal output shared by the commands: one rich Console factory (--no-color, NO_COLOR) and a
progress line for long reads and writes (only on a terminal, silent when piped)."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
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
