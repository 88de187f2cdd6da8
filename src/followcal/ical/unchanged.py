"""Re-exporting over our own, unchanged export without reading it back (issue 17).

An `export` run again over its previous output (a cron job, the bench) used to parse every event
of that file into an OwnedEvent, fingerprint each and reconcile, only to find nothing changed.
When the file's bytes are exactly what the writer makes of the desired reminders, with the
SEQUENCE numbers the file holds, that answer is known without the parse: reading the file back
would give each reminder's own content (same fingerprint), so reconcile leaves every reminder
unchanged at its SEQUENCE, deletes nothing, and the rewrite gives these same bytes.

That inference holds only where the writer and the reader round-trip exactly, so a reminder
outside the plain case (a backslash or CR in its text, characters other than printable ones and
newlines, a zone the fast reader leaves to icalendar, a wall time that is ambiguous or missing in
its zone, a year outside the limits, duplicate or foreign UIDs) sends the caller to the full path.
Any difference in the bytes does too. tests/unit/test_unchanged_export.py holds both paths to the
same plan and bytes on the samples, the bench feeds, the fuzz corpus and edited files.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import BinaryIO
from zoneinfo import ZoneInfo

from followcal.core.model import UID_SUFFIX, Reminder
from followcal.ical.limits import MAX_YEAR, MIN_YEAR
from followcal.ical.write import CALENDAR_END, calendar_head, event_halves, in_due_order, timezone_bytes

CHUNK = 1 << 16  # how much of a file `_Ahead` reads at a time (the tests make it small)


def unchanged_sequences(
    source: bytes | BinaryIO, reminders: Sequence[Reminder], *, name: str, refresh_minutes: int | None
) -> dict[str, int] | None:
    """UID -> SEQUENCE of the file (its bytes, or the file itself opened for reading) when it is
    byte for byte the export of `reminders` at those SEQUENCE numbers and every reminder
    round-trips (module docstring), else None.

    The file is compared in order with what write.calendar_parts makes: the head, the
    VTIMEZONEs, then each reminder's VEVENT in due order, whose SEQUENCE number is read from the
    file where the writer puts it (as the writer writes a number: no sign, no leading zero), then
    the end, and nothing after it."""
    if len({r.uid for r in reminders}) != len(reminders) or not all(round_trips(r) for r in reminders):
        return None
    ahead = _Ahead(source)
    if not all(map(ahead.skip, (calendar_head(name, refresh_minutes), *timezone_bytes(reminders)))):
        return None
    sequences: dict[str, int] = {}
    for reminder in in_due_order(reminders):
        before, after = event_halves(reminder)
        if not ahead.skip(before):
            return None
        digits = ahead.digits()
        if not digits or len(digits) > 9 or (digits[0] == 0x30 and len(digits) > 1) or not ahead.skip(after):
            return None
        sequences[reminder.uid] = int(digits)
    return sequences if ahead.skip(CALENDAR_END) and ahead.at_end() else None


class _Ahead:
    """The compared file, read forward: its bytes, or the open file read `CHUNK` at a time (read
    whole into one new buffer, a fresh process paid a page fault per 4 KiB of it: 1.8 ms for a
    2.9 MB export; a memory mapping would die of SIGBUS if another program truncated the file)."""

    def __init__(self, source: bytes | BinaryIO) -> None:
        self._handle: BinaryIO | None = None
        self._buffer = b""
        if isinstance(source, bytes):
            self._buffer = source
        else:
            self._handle = source
        self._at = 0  # the position in the buffer: what is before it was compared

    def _have(self, n: int) -> bool:
        """Whether `n` bytes from the position are in the buffer (reading on as needed)."""
        while len(self._buffer) - self._at < n:
            more = self._handle.read(max(CHUNK, n)) if self._handle is not None else b""
            if not more:
                self._handle = None
                return False
            self._buffer = self._buffer[self._at :] + more
            self._at = 0
        return True

    def skip(self, part: bytes) -> bool:
        """Whether the file goes on with `part` (then the position is past it)."""
        if not (self._have(len(part)) and self._buffer.startswith(part, self._at)):
            return False
        self._at += len(part)
        return True

    def digits(self) -> bytes:
        """The ASCII digits from the position on (at most ten), consumed."""
        self._have(10)
        end, stop = self._at, min(len(self._buffer), self._at + 10)
        while end < stop and 0x30 <= self._buffer[end] <= 0x39:
            end += 1
        found = self._buffer[self._at : end]
        self._at = end
        return found

    def at_end(self) -> bool:
        return not self._have(1)


def round_trips(reminder: Reminder) -> bool:
    """Whether writing `reminder` and reading it back gives its own fingerprint for certain."""
    if not reminder.uid.endswith(UID_SUFFIX) or not (_plain_text(reminder.summary) and _plain_text(reminder.description)):
        return False
    if reminder.all_day:
        return _in_limits(reminder.date)
    start, end = reminder.due, reminder.end
    return _plain_time(start) and _plain_time(end) and end >= start


def _plain_text(text: str) -> bool:
    """No backslash, no CR, nothing but printable characters and newlines."""
    if text.isascii():  # the same, by deleting the allowed octets (bytes.translate, no Python loop)
        return not text.encode("ascii").translate(None, _PLAIN_ASCII)
    try:  # "é", "ü", "ß": Latin-1 alike (isprintable asks a table per character, five times slower)
        return not text.encode("latin-1").translate(None, _PLAIN_LATIN1)
    except UnicodeEncodeError:  # a character past U+00FF
        return "\\" not in text and "\r" not in text and text.replace("\n", "").isprintable()


# the printable ASCII characters but the backslash, and the newline; then the same of Latin-1
_PLAIN_ASCII = bytes(b for b in range(0x20, 0x7F) if b != 0x5C) + b"\n"
_PLAIN_LATIN1 = bytes(b for b in range(0x100) if chr(b).isprintable() and b != 0x5C) + b"\n"


def _in_limits(value: date) -> bool:
    return MIN_YEAR <= value.year <= MAX_YEAR


@lru_cache(maxsize=64)
def _plain_key(key: object) -> bool:
    """An IANA name the reader takes as the TZID it is (a slash; no quote, colon, semicolon or
    comma that would end the parameter)."""
    return isinstance(key, str) and "/" in key and _KEY.fullmatch(key) is not None


_KEY = re.compile(r"[A-Za-z0-9_+\-/]+")


def _plain_time(value: datetime | date | None) -> bool:
    """A DATE-TIME the writer writes (Z or an IANA TZID) and the fast reader reads to the same
    instant: UTC, or a ZoneInfo with a slash in its name at a wall time neither ambiguous nor
    missing."""
    if not isinstance(value, datetime) or not _in_limits(value):
        return False
    zone = value.tzinfo
    if zone is UTC:
        return True
    if type(zone) is not ZoneInfo or not _plain_key(zone.key):
        return False
    # the reader makes fold 0 of the wall time: the same offset at both folds is neither an
    # ambiguous nor a missing time
    return value.utcoffset() == value.replace(fold=1 - value.fold).utcoffset()
