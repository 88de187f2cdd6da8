"""Terminal output shared by the commands: one rich Console factory (--no-color, NO_COLOR), a
progress line for long reads and writes (only on a terminal, silent when piped), and the retry
tally (each retry logged at -v, one summary line at the end).

Backends call `note_retry` where they back off; nothing here talks to a server.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from typing import Any

log = logging.getLogger("followcal.retry")

_settings: dict[str, Any] = {"no_color": False}
_retries: list[str] = []


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


# --- retries ------------------------------------------------------------------------------------


def note_retry(where: str, problem: str) -> None:
    """A backend is about to retry a request: log it (shown with -v) and count it."""
    _retries.append(where)
    log.info("retrying %s (%s)", where, problem)


def take_retries() -> int:
    """How many retries since the last call (and reset): for the summary line."""
    count = len(_retries)
    _retries.clear()
    return count


def retry_summary(count: int) -> str | None:
    if not count:
        return None
    return f"note: {count} request(s) were retried (rate limit, busy or unreachable server; -v shows each)"
