"""Calendar files: .ics sources (a file, or a URL through url.py) and .ics file targets.

The only code that opens calendar files. Targets are written atomically (temp file in the same
folder, fsync, rename), so a failure never leaves a half-written file behind. URLs are fetched by
url.py, imported only when a source is one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path

from followcal.core.model import ApplyResult, Create, Delete, OwnedEvent, Plan, Reminder, Skip, SourceEvent, Update, Window
from followcal.errors import SourceError, UsageError, WriteError
from followcal.ical import own_events, read as ics, scan as ics_scan

MAX_BYTES = 100 * 1024 * 1024  # a calendar file larger than this is refused


def atomic_write(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write `data` to `path` via a temp file and rename: readers see the old or the new file.
    `mode` forces the permissions (a token: 0600), else an existing file's are kept."""
    import tempfile  # only writing needs it (3 ms at start-up)

    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{path}: folder {folder} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise _write_error(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        elif path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            raise _write_error(path, exc) from None
        raise


def _write_error(path: Path, exc: OSError) -> WriteError:
    import errno

    reason = exc.strerror or type(exc).__name__
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        todo = "free some space (or write elsewhere with -o) and run again"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        todo = "check the folder's permissions, or write elsewhere"
    else:
        todo = "run again once that is fixed"
    return WriteError(f"{path}: cannot write ({reason}); nothing written, a previous file is left as it was; {todo}")


def read_file(path: Path) -> bytes:
    """A source file's bytes, with one clear error line for every way that can fail."""
    path = _readable(path)
    try:
        return path.read_bytes()
    except PermissionError:
        raise SourceError(f"{path}: permission denied") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror or exc.__class__.__name__})") from None


def _readable(path: Path) -> Path:
    """`path`, expanded, once it is known to be a file within the size limit (else SourceError)."""
    path = Path(path).expanduser()
    if not path.exists():
        raise SourceError(f"{path}: no such file")
    if path.is_dir():
        raise SourceError(f"{path}: is a folder, not an .ics file")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror or exc.__class__.__name__})") from None
    if size > MAX_BYTES:
        raise SourceError(f"{path}: too large ({size} bytes; the limit is {MAX_BYTES})")
    return path


def require_complete(data: bytes, label: str) -> bytes:
    """`data`, unless it is cut short (no END:VCALENDAR at its end): a truncated download or a
    file caught half-written would otherwise read as "fewer interviews", and sync would delete
    the missing ones' reminders."""
    if not _starts(data, b"BEGIN:VCALENDAR"):
        return data  # not a calendar at all: the parser says so
    if not _ends(data, b"END:VCALENDAR"):
        raise SourceError(f"{label}: incomplete calendar (no END:VCALENDAR at the end); nothing read from it")
    return data


def _starts(data: bytes, word: bytes) -> bool:
    """`data.lstrip(BOM and white space).upper().startswith(word)`, without copying `data`."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if len(head) < len(word) and len(data) > 4096:
        head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[: len(word)].upper() == word


def _ends(data: bytes, word: bytes) -> bool:
    """`data.rstrip().upper().endswith(word)`, without copying `data`."""
    tail = data[-4096:].rstrip()
    if len(tail) < len(word) and len(data) > 4096:
        tail = data.rstrip()
    return tail[-len(word) :].upper() == word if len(tail) >= len(word) else False


def _redacted(url: str) -> str:
    from followcal.backends.url import redact_url

    return redact_url(url)


class IcsSource:
    """An .ics file or feed URL read whole (or over a window) into SourceEvents."""

    def __init__(self, location: str, *, keywords: Iterable[str] | None, now: datetime) -> None:
        self.location = location
        self.is_url = location.lower().startswith(("http://", "https://", "webcal://"))
        self.label = _redacted(location) if self.is_url else str(Path(location).expanduser())
        self.keywords = tuple(keywords) if keywords is not None else None
        self.now = now

    def read_bytes(self) -> bytes:
        if self.is_url:
            from followcal.backends.url import fetch_url

            fetched = fetch_url(self.location)
            return fetched.data or b""
        return read_file(Path(self.location))

    def read_events(self, window: Window) -> tuple[list[SourceEvent], list[str]]:
        return self.parse(require_complete(self.read_bytes(), self.label), window)

    def parse(self, data: bytes, window: Window) -> tuple[list[SourceEvent], list[str]]:
        return ics.read_calendar(data, self.label, window, keywords=self.keywords, now=self.now)


class IcsFileTarget:
    """An .ics file holding only followcal's reminders; rewritten whole, atomically."""

    def __init__(self, path: str | Path, *, name: str = "followcal reminders", refresh_minutes: int | None = None) -> None:
        self.path = Path(path).expanduser()
        self.label = str(self.path)
        self.name = name
        self.refresh_minutes = refresh_minutes

    def list_owned(self) -> list[OwnedEvent]:
        if not self.path.exists():
            return []
        if self.path.is_dir():
            raise UsageError(f"{self.path}: is a folder; give a file name for the output")
        data = read_file(self.path)
        if not data.strip():
            return []
        try:
            header, blocks = ics_scan.split_calendar(data, self.label)
        except SourceError:
            raise UsageError(f"{self.path}: exists and is not a calendar; not overwriting it") from None
        owned, foreign = own_events.owned_or_foreign(header, blocks, self.label)
        if foreign:
            raise UsageError(
                f"{self.path}: holds {foreign} event(s) followcal did not make; not overwriting it "
                "(write the reminders to a file of their own)"
            )
        return owned

    def unchanged_plan(self, reminders: Sequence[Reminder], *, with_bytes: bool = True) -> tuple[Plan, bytes] | None:
        """(reconcile's plan, `render`'s bytes) when the file already is the export of `reminders`
        (ical/unchanged.py): a re-export that changes nothing, without reading the file back;
        None for anything else (then list_owned, reconcile and render). `with_bytes=False`, for
        a caller that writes nothing to a current file: the file is compared as it is read, and
        the bytes come back empty."""
        if not self.path.is_file():
            return None
        from followcal.ical.unchanged import unchanged_sequences

        if with_bytes:
            data = read_file(self.path)
            sequences = unchanged_sequences(data, reminders, name=self.name, refresh_minutes=self.refresh_minutes)
        else:
            data = b""
            try:
                with _readable(self.path).open("rb") as handle:
                    sequences = unchanged_sequences(handle, reminders, name=self.name, refresh_minutes=self.refresh_minutes)
            except OSError:  # the full path reads the file again and says what is wrong with it
                return None
        if sequences is None:
            return None
        final = tuple((r, sequences[r.uid]) for r in reminders)
        return Plan(self.label, (), len(reminders), final), data

    def render(self, plan: Plan) -> bytes:
        reminders = [r for r, _ in plan.final]
        sequences = {r.uid: s for r, s in plan.final}
        data = ics.calendar_bytes(reminders, sequences, name=self.name, refresh_minutes=self.refresh_minutes)
        kept = {a.uid for a in plan.actions if isinstance(a, Skip) and a.existing is not None}
        return self._keep_user_edits(data, kept) if kept and self.path.exists() else data

    def _keep_user_edits(self, data: bytes, uids: set[str]) -> bytes:
        """The file is rewritten whole: carry over, as they are, the reminders the user edited
        (Skip "edited by you"), with the VTIMEZONEs they need, else the edit would be lost."""
        from followcal.ical.objects import with_kept_events

        return with_kept_events(data, read_file(self.path), uids)

    def apply(self, plan: Plan, progress: Callable[[int], None] | None = None) -> ApplyResult:
        writes = plan.writes
        data = self.render(plan)
        if not self.path.exists() or read_file(self.path) != data:
            atomic_write(self.path, data)
        if progress:
            progress(len(writes))
        return ApplyResult(
            self.label,
            created=sum(isinstance(a, Create) for a in writes),
            updated=sum(isinstance(a, Update) for a in writes),
            deleted=sum(isinstance(a, Delete) for a in writes),
            skipped=len(plan.actions) - len(writes),
        )
