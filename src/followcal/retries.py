"""The retry tally: backends call `note_retry` where they back off (logged, shown with -v); the
CLI prints one summary line at the end. Shared by every layer, like errors.py; no output here."""

from __future__ import annotations

import logging

log = logging.getLogger("followcal.retry")

_retries: list[str] = []


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
