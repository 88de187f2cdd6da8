"""The feeds behind `followcal serve`: built once at start, then rebuilt in the background.

Each [feeds.NAME] keeps the last good events of every one of its sources, so a source that fails
(a server down, a file saved half-way) never empties the feed: the others still update it and the
failing one contributes what it held last. The bytes are planned and rendered by the same service
functions as `followcal export` (export_plan onto a file in the state dir), so a feed is byte for
byte what `followcal export SOURCES -o FILE --name NAME --refresh-minutes N` writes to that file;
keeping the file also keeps SEQUENCE numbers and the last good feed across restarts.

Requests never wait for a build: they read `FeedBuilder.current`, an immutable `Built` swapped in
whole by the refresher thread.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from followcal.config import FeedConfig, Settings, state_dir
from followcal.core.model import SourceEvent, Window
from followcal.errors import ConfigError, FollowcalError, SourceError, UsageError

if TYPE_CHECKING:  # imported lazily at run time
    from followcal.app.pipeline import Context

log = logging.getLogger("followcal.serve")

DEFAULT_POLL_SECONDS = 3.0
RETRY_SECONDS = 60.0  # a failed source is retried this soon, not a whole refresh interval later


@dataclass(frozen=True)
class Built:
    """One feed's current representation, identity and gzip, with their validators."""

    body: bytes
    gzipped: bytes
    etag: str
    gzip_etag: str
    last_modified: datetime  # UTC, whole seconds (HTTP dates have no fractions)

    @classmethod
    def of(cls, body: bytes, last_modified: datetime) -> Built:
        digest = hashlib.sha256(body).hexdigest()[:40]
        return cls(
            body=body,
            # mtime=0: the same body always gives the same gzip bytes (and ETag)
            gzipped=gzip.compress(body, compresslevel=6, mtime=0),
            etag=f'"{digest}"',
            gzip_etag=f'"{digest}-gzip"',
            last_modified=last_modified.astimezone(UTC).replace(microsecond=0),
        )


@dataclass
class SourceSlot:
    """What the builder remembers of one source between polls."""

    spec: str
    kind: str  # "file" | "url" | "account"
    events: list[SourceEvent] | None = None  # last good read; None: never read successfully
    warnings: list[str] = field(default_factory=list)
    signature: tuple[int, int, int] | None = None  # file: (mtime_ns, size, inode) of the last read
    etag: str | None = None  # url: validators of the last good fetch
    last_modified: str | None = None
    due: float = 0.0  # url/account (and failed files): monotonic time of the next read
    failure: str | None = None  # the message already logged for the current failure


def source_kind(spec: str, settings: Settings) -> str:
    from followcal.app.sources import account_spec, is_url

    if is_url(spec):
        return "url"
    return "account" if account_spec(spec, settings) is not None else "file"


def feed_file(name: str) -> Path:
    """The state-dir file that holds a feed's last good bytes (a safe name for any feed name)."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name).lstrip(".") or "feed"
    if safe != name:
        safe += "-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    return state_dir() / "feeds" / f"{safe}.ics"


class FeedBuilder:
    """One [feeds.NAME]: reads its sources when they change and keeps `current` up to date."""

    def __init__(
        self,
        settings: Settings,
        feed: FeedConfig,
        *,
        now_func: Callable[[], datetime | None] = lambda: None,
        path: Path | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        refresh_seconds: float | None = None,
    ) -> None:
        if not feed.sources:
            raise ConfigError(f"feed {feed.name!r} has no 'from' sources")
        self.settings = settings
        self.feed = feed
        self.now_func = now_func
        self.path = path or feed_file(feed.name)
        self.monotonic = monotonic
        # how often URL and account sources are re-read (and the feed re-planned); tests shorten it
        self.refresh_seconds = refresh_seconds or max(1, feed.refresh_minutes) * 60.0
        self.slots = [SourceSlot(spec, source_kind(spec, settings)) for spec in feed.sources]
        self.current: Built | None = None
        self._replan_due = 0.0
        self._marks_signature: object = None
        self._logged_warnings: set[str] = set()
        # serving the saved feed until the refresher's first pass has rebuilt it (serve.build_app)
        self.first_build_pending = False
        self._load_saved()

    @property
    def complete(self) -> bool:
        """Every source has been read at least once (else a build would drop reminders)."""
        return all(slot.events is not None for slot in self.slots)

    def _load_saved(self) -> None:
        """Serve the last good feed of an earlier run until every source has been read."""
        try:
            data = self.path.read_bytes()
            mtime = datetime.fromtimestamp(self.path.stat().st_mtime, UTC)
        except OSError:
            return
        if data.strip():
            self.current = Built.of(data, mtime)

    def refresh(self, *, force: bool = False) -> bool:
        """Read the sources that are due, rebuild when anything changed; True when the bytes did.

        Never raises for a source or planning failure: it logs one warning and keeps what it had.
        """
        from followcal.app.pipeline import Context

        with Context.create(self.settings, self.now_func()) as ctx:  # the store and accounts of one pass
            now = self.monotonic()
            changed = False
            for slot in self.slots:
                if force or self._is_due(slot, now):
                    changed |= self._read(slot, ctx, now)
            marks_signature = _marks_signature()
            if marks_signature != self._marks_signature:
                self._marks_signature = marks_signature
                changed = True
            if now >= self._replan_due:  # `now` moves the account windows and what counts as past
                changed = True
            if not (changed or force) or not self.complete:
                return False
            self._replan_due = now + self.refresh_seconds
            return self._build(ctx)

    def _is_due(self, slot: SourceSlot, now: float) -> bool:
        if slot.kind != "file":
            return now >= slot.due
        signature = _file_signature(slot.spec)
        return signature != slot.signature or (slot.failure is not None and now >= slot.due)

    def _read(self, slot: SourceSlot, ctx: Context, now: float) -> bool:
        """Read one source into its slot; False (and the old events kept) when it failed or 304."""
        from followcal.app.pipeline import source_window
        from followcal.app.sources import open_source
        from followcal.backends.files import IcsSource

        slot.due = now + self.refresh_seconds
        window = source_window(slot.spec, self.feed.range, ctx)  # as every command reads it
        # the file as it was when this read began: a change made while it is read (or while a
        # failure is handled) shows as a new signature at the next poll, never gets lost
        signature = _file_signature(slot.spec) if slot.kind == "file" else None
        try:
            if slot.kind == "url":
                events = self._fetch(slot, ctx, window)
                if events is None:
                    self._recovered(slot)
                    return False
                found, warnings = events
            elif slot.kind == "file":
                source = open_source(slot.spec, self.settings, now=ctx.now, accounts=ctx.accounts)
                assert isinstance(source, IcsSource)  # a "file" slot is a path, never ACCOUNT:CALENDAR
                found, warnings = source.parse(_complete(source.read_bytes(), source.label), window)
                slot.signature = signature
            else:
                found, warnings = open_source(slot.spec, self.settings, now=ctx.now, accounts=ctx.accounts).read_events(window)
        except UsageError:
            raise
        except FollowcalError as exc:
            self._failed(slot, str(exc))
            slot.due = now + min(self.refresh_seconds, RETRY_SECONDS)
            if slot.kind == "file":
                slot.signature = signature
            return False
        except Exception as exc:  # noqa: BLE001  a bug or a library surprise: keep serving the old feed
            self._failed(slot, f"{slot.spec}: {type(exc).__name__}: {exc}")
            slot.due = now + min(self.refresh_seconds, RETRY_SECONDS)
            return False
        self._recovered(slot)
        slot.events, slot.warnings = list(found), list(warnings)
        return True

    def _fetch(self, slot: SourceSlot, ctx: Context, window: Window) -> tuple[list[SourceEvent], list[str]] | None:
        """A URL source with a conditional GET: None when the server says 304 Not Modified."""
        from followcal.backends.files import IcsSource
        from followcal.backends.url import fetch_url

        source = IcsSource(slot.spec, keywords=self.settings.rules.keywords, now=ctx.now)
        fetched = fetch_url(slot.spec, etag=slot.etag, last_modified=slot.last_modified)
        if fetched.data is None and slot.events is not None:
            return None
        parsed = source.parse(_complete(fetched.data or b"", source.label), window)
        slot.etag, slot.last_modified = fetched.etag, fetched.last_modified
        return parsed

    def _failed(self, slot: SourceSlot, message: str) -> None:
        if slot.failure != message:
            kept = "keeping its last good events" if slot.events is not None else "no events from it yet"
            log.warning("feed %s: source failed, %s: %s", self.feed.name, kept, message)
        slot.failure = message

    def _recovered(self, slot: SourceSlot) -> None:
        if slot.failure is not None:
            log.warning("feed %s: source %s works again", self.feed.name, slot.failure.split(":", 1)[0])
        slot.failure = None

    def _build(self, ctx: Context) -> bool:
        from followcal.app.pipeline import export_plan, plan_read
        from followcal.backends.files import atomic_write

        events = [e for slot in self.slots for e in slot.events or ()]
        warnings = [w for slot in self.slots for w in slot.warnings]
        try:  # marks and mail replies ([replies]) as for every command; the events kept per source
            result = plan_read(ctx, events, warnings, private=not self.feed.drafts)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                data = export_plan(result, self.path, ctx, refresh_minutes=self.feed.refresh_minutes, name=self.feed.name).data
            except UsageError:  # our own state file, damaged: start it afresh
                log.warning("feed %s: %s is not a followcal feed; rebuilding it", self.feed.name, self.path)
                self.path.unlink(missing_ok=True)
                data = export_plan(result, self.path, ctx, refresh_minutes=self.feed.refresh_minutes, name=self.feed.name).data
        except FollowcalError as exc:
            log.warning("feed %s: cannot build, serving the last good feed: %s", self.feed.name, exc)
            return False
        for warning in result.warnings:
            if warning not in self._logged_warnings:
                self._logged_warnings.add(warning)
                log.warning("feed %s: %s", self.feed.name, warning)
        if self.current is not None and self.current.body == data:
            return False
        changed_at = datetime.now(UTC)
        try:
            atomic_write(self.path, data)
            # the saved file's mtime, so a restart that serves this file keeps its Last-Modified
            changed_at = datetime.fromtimestamp(self.path.stat().st_mtime, UTC)
        except (OSError, FollowcalError) as exc:
            log.warning("feed %s: cannot save %s (%s); serving from memory", self.feed.name, self.path, exc)
        if self.current is not None and changed_at.replace(microsecond=0) <= self.current.last_modified:
            # two changes within one second: If-Modified-Since must still see the second one
            changed_at = self.current.last_modified + timedelta(seconds=1)
        self.current = Built.of(data, changed_at)
        log.info("feed %s: rebuilt (%d reminders, ETag %s)", self.feed.name, len(result.reminders), self.current.etag)
        return True


def _complete(data: bytes, label: str) -> bytes:
    """`data`, unless it is empty or cut short (no END:VCALENDAR at the end): a file caught
    half-written or a truncated download would otherwise parse as 'fewer interviews' and empty
    the feed."""
    if not data.rstrip().upper().endswith(b"END:VCALENDAR"):
        raise SourceError(f"{label}: empty or incomplete calendar (no END:VCALENDAR at the end)")
    return data


def _file_signature(spec: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(Path(spec).expanduser())
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _marks_signature() -> object:
    """Changes when `followcal mark` writes the state store (a re-plan then picks it up)."""
    try:
        from followcal.state import DB_NAME
    except ImportError:
        return None
    folder = state_dir(create=False)
    return tuple(_file_signature(str(folder / name)) for name in (DB_NAME, DB_NAME + "-wal"))


class Refresher:
    """The background thread: polls every builder every `poll_seconds` until stopped."""

    def __init__(self, builders: Sequence[FeedBuilder], poll_seconds: float = DEFAULT_POLL_SECONDS) -> None:
        self.builders = list(builders)
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="followcal-feed-refresher", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        first = True
        while first or not self._stop.wait(self.poll_seconds):
            for builder in self.builders:
                if self._stop.is_set():
                    return
                force = builder.first_build_pending
                if first and not force:
                    continue
                try:
                    builder.refresh(force=force)
                except Exception as exc:  # noqa: BLE001  never let the thread die: the feed would freeze
                    log.warning("feed %s: refresh failed: %s: %s", builder.feed.name, type(exc).__name__, exc)
                finally:
                    builder.first_build_pending = False
            first = False
