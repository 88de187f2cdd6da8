"""Files and URLs: .ics sources (file, http(s), webcal) and .ics file targets.

The only code that opens calendar files or fetches feeds. Targets are written atomically (temp
file in the same folder, fsync, rename), so a failure never leaves a half-written file behind.
"""

from __future__ import annotations

import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .. import ics, ics_scan
from ..errors import SourceError, UsageError
from ..model import ApplyResult, Create, Delete, OwnedEvent, Plan, Skip, SourceEvent, Update, Window

MAX_BYTES = 100 * 1024 * 1024
TIMEOUT = 30.0
USER_AGENT = "followcal (+https://pypi.org/project/followcal/)"


def atomic_write(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write `data` to `path` via a temp file and rename: readers see the old or the new file.
    `mode` forces the permissions (a token: 0600), else an existing file's are kept."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{path}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
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
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def read_file(path: Path) -> bytes:
    """A source file's bytes, with one clear error line for every way that can fail."""
    path = Path(path).expanduser()
    if not path.exists():
        raise SourceError(f"{path}: no such file")
    if path.is_dir():
        raise SourceError(f"{path}: is a folder, not an .ics file")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SourceError(f"{path}: too large ({size} bytes; the limit is {MAX_BYTES})")
        return path.read_bytes()
    except PermissionError:
        raise SourceError(f"{path}: permission denied") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror or exc.__class__.__name__})") from None


@dataclass
class Fetched:
    data: bytes | None  # None: not modified since the validators given
    etag: str | None
    last_modified: str | None


def redact_url(url: str) -> str:
    """The URL without user:password and without its query (feeds often carry tokens there)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))


def fetch_url(
    url: str,
    *,
    timeout: float = TIMEOUT,
    max_bytes: int = MAX_BYTES,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetched:
    """GET a feed (webcal:// means https://), following redirects, with a size limit."""
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    shown = redact_url(url)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/calendar, */*"})
    if etag:
        request.add_header("If-None-Match", etag)
    if last_modified:
        request.add_header("If-Modified-Since", last_modified)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise SourceError(f"{shown}: too large ({length} bytes; the limit is {max_bytes})")
            data = response.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise SourceError(f"{shown}: too large (over {max_bytes} bytes)")
            return Fetched(data, response.headers.get("ETag"), response.headers.get("Last-Modified"))
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Fetched(None, etag, last_modified)
        raise SourceError(f"{shown}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = getattr(exc, "reason", exc)
        raise SourceError(f"{shown}: cannot connect ({reason})") from None
    except TimeoutError:
        raise SourceError(f"{shown}: timed out after {timeout:g} s") from None
    except OSError as exc:
        raise SourceError(f"{shown}: {exc.__class__.__name__}: {exc}") from None
    except ValueError as exc:
        raise SourceError(f"{shown}: invalid URL ({exc})") from None


class IcsSource:
    """An .ics file or feed URL read whole (or over a window) into SourceEvents."""

    def __init__(self, location: str, *, keywords: Iterable[str] | None, now: datetime) -> None:
        self.location = location
        self.is_url = location.lower().startswith(("http://", "https://", "webcal://"))
        self.label = redact_url(location) if self.is_url else str(Path(location).expanduser())
        self.keywords = tuple(keywords) if keywords is not None else None
        self.now = now

    def read_bytes(self) -> bytes:
        if self.is_url:
            fetched = fetch_url(self.location)
            return fetched.data or b""
        return read_file(Path(self.location))

    def read_events(self, window: Window) -> tuple[list[SourceEvent], list[str]]:
        return self.parse(self.read_bytes(), window)

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
        foreign = [
            b for b in blocks
            if b.name == "VEVENT" and not (b.prop(b"X-FOLLOWCAL-KIND") and ics_scan.block_uid(b).endswith("@followcal"))
        ]
        if foreign:
            raise UsageError(
                f"{self.path}: holds {len(foreign)} event(s) followcal did not make; not overwriting it "
                "(write the reminders to a file of their own)"
            )
        return ics.owned_events_of(header, blocks, self.label)

    def render(self, plan: Plan) -> bytes:
        reminders = [r for r, _ in plan.final]
        sequences = {r.uid: s for r, s in plan.final}
        data = ics.calendar_bytes(reminders, sequences, name=self.name, refresh_minutes=self.refresh_minutes)
        kept = {a.uid for a in plan.actions if isinstance(a, Skip) and a.existing is not None}
        return self._keep_user_edits(data, kept) if kept and self.path.exists() else data

    def _keep_user_edits(self, data: bytes, uids: set[str]) -> bytes:
        """The file is rewritten whole: carry over, as they are, the reminders the user edited
        (Skip "edited by you"), with the VTIMEZONEs they need, else the edit would be lost."""
        import icalendar

        old = icalendar.Calendar.from_ical(read_file(self.path))
        new = icalendar.Calendar.from_ical(data)
        zones = {str(z.get("TZID")) for z in new.walk("VTIMEZONE")}
        for component in old.subcomponents:
            if component.name == "VTIMEZONE" and str(component.get("TZID")) not in zones:
                new.subcomponents.insert(0, component)
        new.subcomponents.extend(c for c in old.walk("VEVENT") if str(c.get("UID")) in uids)
        return new.to_ical()

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
