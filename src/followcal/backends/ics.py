"""Files and URLs: .ics sources (file, http(s), webcal) and .ics file targets.

The only code that opens calendar files or fetches feeds. Targets are written atomically (temp
file in the same folder, fsync, rename), so a failure never leaves a half-written file behind.
"""

from __future__ import annotations

import http.client
import os
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .. import ics, ics_scan
from ..errors import SourceError, UsageError, WriteError
from ..model import ApplyResult, Create, Delete, OwnedEvent, Plan, Skip, SourceEvent, Update, Window

MAX_BYTES = 100 * 1024 * 1024
TIMEOUT = 30.0  # seconds one read may wait
TOTAL_TIMEOUT = 300.0  # seconds a whole download may take (a server dripping bytes)
USER_AGENT = "followcal (+https://pypi.org/project/followcal/)"


def atomic_write(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write `data` to `path` via a temp file and rename: readers see the old or the new file.
    `mode` forces the permissions (a token: 0600), else an existing file's are kept."""
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


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http(s) only (urllib also follows ftp://), at most MAX_REDIRECTS."""

    max_redirections = 5  # urllib's own loop guard; ours below names the problem

    def http_error_302(self, req, fp, code, msg, headers):  # type: ignore[no-untyped-def]
        location = headers.get("location") or headers.get("uri")
        if location:  # urllib itself would follow ftp:// (and refuse file:// as a bare HTTPError)
            scheme = urllib.parse.urlsplit(urllib.parse.urljoin(req.full_url, location)).scheme.lower()
            if scheme not in ("http", "https"):
                shown = redact_url(req.full_url)
                raise SourceError(f"{shown}: redirected to a {scheme}:// URL; only http(s) redirects are followed")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        shown = redact_url(req.full_url)
        hops = getattr(req, "followcal_hops", 0) + 1
        if hops > MAX_REDIRECTS:
            raise SourceError(f"{shown}: too many redirects (more than {MAX_REDIRECTS})")
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None:
            new.followcal_hops = hops  # type: ignore[attr-defined]
        return new


MAX_REDIRECTS = 5
CHUNK = 64 * 1024


def _urlopen(request: urllib.request.Request, timeout: float):  # type: ignore[no-untyped-def]
    """urlopen with http(s)-only redirects (a seam the tests replace to see the URL asked for)."""
    return urllib.request.build_opener(_HttpOnlyRedirects).open(request, timeout=timeout)


def require_complete(data: bytes, label: str) -> bytes:
    """`data`, unless it is cut short (no END:VCALENDAR at its end): a truncated download or a
    file caught half-written would otherwise read as "fewer interviews", and sync would delete
    the missing ones' reminders."""
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").upper().startswith(b"BEGIN:VCALENDAR"):
        return data  # not a calendar at all: the parser says so
    if not data.rstrip().upper().endswith(b"END:VCALENDAR"):
        raise SourceError(f"{label}: incomplete calendar (no END:VCALENDAR at the end); nothing read from it")
    return data


def _read_body(response, shown: str, max_bytes: int, deadline: float) -> bytes:  # type: ignore[no-untyped-def]
    """The whole body, streamed: at most `max_bytes` (after gzip), by `deadline`, and as long as
    its Content-Length says, or SourceError."""
    encoding = (response.headers.get("Content-Encoding") or "").strip().lower()
    if encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
        raise SourceError(f"{shown}: unsupported Content-Encoding {encoding[:40]!r}")
    inflate = None
    if encoding in ("gzip", "x-gzip"):
        inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        inflate = zlib.decompressobj()
    length = response.headers.get("Content-Length")
    expected = int(length) if length and length.strip().isdigit() else None
    parts: list[bytes] = []
    size = raw = 0
    try:
        while True:
            if time.monotonic() > deadline:
                raise SourceError(f"{shown}: download too slow (not complete after the time limit); nothing read from it")
            chunk = response.read1(CHUNK)
            if not chunk:
                break
            raw += len(chunk)
            if inflate is not None:
                chunk = inflate.decompress(chunk, max_bytes + 1 - size)
                if inflate.unconsumed_tail:
                    raise SourceError(f"{shown}: too large when decompressed (over {max_bytes} bytes)")
            size += len(chunk)
            if size > max_bytes:
                raise SourceError(f"{shown}: too large (over {max_bytes} bytes)")
            parts.append(chunk)
        if inflate is not None:
            rest = inflate.flush()
            size += len(rest)
            if size > max_bytes:
                raise SourceError(f"{shown}: too large when decompressed (over {max_bytes} bytes)")
            parts.append(rest)
            if not inflate.eof:
                raise SourceError(f"{shown}: compressed body cut short; nothing read from it")
    except http.client.IncompleteRead as exc:
        raise SourceError(
            f"{shown}: download cut short after {len(exc.partial) + raw} bytes; nothing read from it"
        ) from None
    except zlib.error as exc:
        raise SourceError(f"{shown}: corrupt compressed body ({exc})") from None
    if expected is not None and raw < expected:
        raise SourceError(f"{shown}: download cut short ({raw} of {expected} bytes); nothing read from it")
    return b"".join(parts)


def fetch_url(
    url: str,
    *,
    timeout: float | None = None,
    max_bytes: int | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    total_timeout: float | None = None,
) -> Fetched:
    """GET a feed (webcal:// means https://), whole or not at all: http(s)-only redirects, a size
    limit (also after gzip), a per-read and a total time limit, and a body as long as announced.
    The defaults are read at call time (TIMEOUT, MAX_BYTES, TOTAL_TIMEOUT), so tests can lower them."""
    timeout = TIMEOUT if timeout is None else timeout
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    total_timeout = TOTAL_TIMEOUT if total_timeout is None else total_timeout
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    shown = redact_url(url)
    headers = {"User-Agent": USER_AGENT, "Accept": "text/calendar, */*", "Accept-Encoding": "gzip"}
    request = urllib.request.Request(url, headers=headers)
    if etag:
        request.add_header("If-None-Match", etag)
    if last_modified:
        request.add_header("If-Modified-Since", last_modified)
    deadline = time.monotonic() + total_timeout
    try:
        with _urlopen(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise SourceError(f"{shown}: too large ({length} bytes; the limit is {max_bytes})")
            data = _read_body(response, shown, max_bytes, deadline)
            return Fetched(data, response.headers.get("ETag"), response.headers.get("Last-Modified"))
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Fetched(None, etag, last_modified)
        if 300 <= exc.code < 400:
            raise SourceError(f"{shown}: too many redirects or a redirect loop (HTTP {exc.code})") from None
        raise SourceError(f"{shown}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, SourceError):
            raise reason from None
        raise SourceError(f"{shown}: cannot connect ({reason})") from None
    except TimeoutError:
        raise SourceError(f"{shown}: timed out after {timeout:g} s") from None
    except SourceError:
        raise
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
        return bytes(new.to_ical())

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
