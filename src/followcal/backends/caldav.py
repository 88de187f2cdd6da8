"""CalDAV calendars (Nextcloud, Fastmail, iCloud, Radicale, Xandikos, Cyrus, DAViCal) as sources
and targets.

Plain WebDAV/CalDAV over followcal's own requests-based client (caldav_http.py explains why not
python-caldav): conditional writes (If-None-Match / If-Match -> ConflictError), one PROPFIND per
calendar on a no-op re-run, bounded retries, size and time limits. What the server sends is parsed
with followcal.ics, so a CalDAV source reads exactly like a file.

Discovery: the account URL, else its `/.well-known/caldav` (RFC 6764 bootstrap; Cyrus and DAViCal
answer it with a redirect), gives the current-user-principal, whose calendar-home-set holds the
calendars. Hrefs are resolved against the URL that answered (after redirects).

Cheap re-runs: the calendar home URL and, per target calendar, the listing of its objects
(href, ETag, our reminder's fields) are cached in the state store, validated by the calendar's
CTag (`getctag`, else `sync-token`). Unchanged CTag -> no listing at all; changed -> one
PROPFIND of ETags and a multiget of the objects whose ETag changed.

UIDs on servers that want them unique per account (Cyrus, so Fastmail: a second calendar holding
the same UID is refused with CALDAV:no-uid-conflict / unique-scheduling-object-resource): the
first target of an account, in config order, gets the plain reminder UIDs; the second and later
targets fold their calendar into the UID: `STEM@followcal` -> `STEM.CAL@followcal`, CAL being the
calendar's last URL segment made safe (see `fold_uid`). The fold is undone when the target is
listed, so planning, the state store and `plan --json` see the plain UID everywhere. Detected by
Cyrus' calendar home layout (`/dav/calendars/user/NAME/`); `unique_uids = true/false` overrides.

Every library exception is mapped to followcal.errors; messages name the account and never
contain a password. The XML bodies and the multistatus parsing live in caldav_xml.py.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import urllib.parse
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from followcal.backends.base import KeyValueStore
from followcal.backends.caldav_http import Dav, _slash, redact as _redact
from followcal.backends.caldav_xml import (
    PROPS_ETAGS,
    PROPS_HOME,
    PROPS_HOME_SET,
    PROPS_PRINCIPAL,
    XML_TYPE,
    C,
    D,
    calendar_query,
    ctag_of,
    has_type,
    href_in,
    mkcalendar,
    multiget,
    multistatus,
    text,
)
from followcal.config import AccountConfig
from followcal.core.model import UID_SUFFIX, ApplyResult, Create, Delete, OwnedEvent, Plan, SourceEvent, Update, Window
from followcal.errors import BackendError, ConflictError, NotFoundError, PreconditionError, SourceError
from followcal.ical import read as ics
from followcal.ical.objects import owned_in_object

log = logging.getLogger(__name__)

WRITE_WORKERS = 4  # concurrent PUT/DELETE per target
MULTIGET_CHUNK = 200
NAMESPACE = "caldav"  # state-store kv namespace
UID_CONFLICTS = frozenset({"CALDAV:no-uid-conflict", "CALDAV:unique-scheduling-object-resource"})
CYRUS_HOME = re.compile(r"/dav/calendars/user/[^/]+/")


def _same_path(a: str, b: str) -> bool:
    def norm(u: str) -> str:
        return urllib.parse.unquote(urllib.parse.urlsplit(u).path).rstrip("/")

    return norm(a) == norm(b)


# --- state-store cache ----------------------------------------------------------------------------


def _kv_get(store: KeyValueStore, key: str) -> Any:
    raw = store.kv_get(NAMESPACE, key)
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def _kv_set(store: KeyValueStore, key: str, value: Any) -> None:
    store.kv_set(NAMESPACE, key, json.dumps(value) if value is not None else None)


def _enc(value: datetime | date | None) -> Any:
    if value is None:
        return None
    return {"dt" if isinstance(value, datetime) else "d": value.isoformat()}


def _dec(value: Any) -> datetime | date | None:
    if not value:
        return None
    if "dt" in value:
        return datetime.fromisoformat(value["dt"])
    return date.fromisoformat(value["d"])


def owned_to_json(event: OwnedEvent) -> dict[str, Any]:
    data = asdict(event)
    for key in ("start", "end", "interview_start"):
        data[key] = _enc(getattr(event, key))
    return data


def owned_from_json(data: dict[str, Any]) -> OwnedEvent:
    values = dict(data)
    for key in ("start", "end", "interview_start"):
        values[key] = _dec(values.get(key))
    return OwnedEvent(**values)


# --- discovery --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarInfo:
    name: str
    url: str
    ctag: str | None


_NOT_DAV = (301, 302, 400, 403, 404, 405, 406, 415, 501)  # a web root or a path without DAV


def _principal(dav: Dav, url: str) -> tuple[str, str] | None:
    """(URL that answered, principal URL) from a PROPFIND of `url`; None when the answer is not a
    multistatus naming one (a web page, 404, 405 on a web root...). 401 and 5xx still raise."""
    answer = dav.request("PROPFIND", url, PROPS_PRINCIPAL, {"Depth": "0", "Content-Type": XML_TYPE},
                         ok=(207, *_NOT_DAV))
    if answer.status != 207:
        return None
    try:
        found = multistatus(answer.body, dav.account)
    except BackendError:  # HTML or garbage where XML was expected
        return None
    for _, props in found:
        href = href_in(props, f"{{{D}}}current-user-principal")
        if href and href.strip():
            return answer.url, urllib.parse.urljoin(answer.url, href.strip())
    return None


def _home_url(dav: Dav, refresh: bool = False) -> str:
    """The calendar-home-set, cached per (URL, user): discovery costs two requests (more when the
    account URL names no principal and `/.well-known/caldav` is tried, RFC 6764 section 5)."""
    key = f"home {dav.url} {dav.config.username or ''}"
    cached = None if refresh else _kv_get(dav.store, key)
    if cached:
        return str(cached)
    hit = _principal(dav, dav.url)
    if hit is None and not _same_path(dav.url, "/.well-known/caldav"):
        hit = _principal(dav, urllib.parse.urljoin(dav.url, "/.well-known/caldav"))
    principal = hit[1] if hit else dav.url
    home = None
    for _, props in dav.propfind(principal, PROPS_HOME_SET, "0"):
        href = href_in(props, f"{{{C}}}calendar-home-set")
        if href and href.strip():
            home = urllib.parse.urljoin(principal, href.strip())
    if home is None and hit is None:
        raise NotFoundError(f"account {dav.account!r}: {_redact(dav.url)} names no CalDAV principal or calendar home "
                            "(also tried /.well-known/caldav); check the url")
    home = _slash(home or principal)
    _kv_set(dav.store, key, home)
    return home


def _calendars(dav: Dav) -> tuple[str, list[CalendarInfo]]:
    """(home URL, its calendars) in one PROPFIND (two more when the cached home is stale)."""
    home = _home_url(dav)
    try:
        answered, listing = dav.propfind_at(home, PROPS_HOME, "1")
    except NotFoundError:
        home = _home_url(dav, refresh=True)
        answered, listing = dav.propfind_at(home, PROPS_HOME, "1")
    out = []
    for href, props in listing:
        if not has_type(props, f"{{{C}}}calendar"):
            continue
        url = _slash(urllib.parse.urljoin(answered, href))
        name = text(props, f"{{{D}}}displayname") or urllib.parse.unquote(url.rstrip("/").rsplit("/", 1)[-1])
        out.append(CalendarInfo(name, url, ctag_of(props)))
    return home, out


def _pick(calendar: str, found: list[CalendarInfo], account: str) -> CalendarInfo | None:
    hits = [c for c in found if c.name == calendar] or [c for c in found if c.name.casefold() == calendar.casefold()]
    if not hits and "/" in calendar:
        hits = [c for c in found if _same_path(c.url, calendar)]
    elif not hits:  # the last path segment ("interviews" of .../interviews/)
        hits = [c for c in found if urllib.parse.unquote(c.url.rstrip("/").rsplit("/", 1)[-1]) == calendar]
    if len(hits) > 1:
        urls = ", ".join(c.url for c in hits)
        raise NotFoundError(f"account {account!r}: several calendars are named {calendar!r} ({urls}); use the URL")
    return hits[0] if hits else None


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")
    return slug or "followcal"


class CalDAVAccount:
    """One CalDAV account, opened once per run: one client (the password read once) and one
    discovery (the home and its calendars) for every calendar of the account that the run uses."""

    def __init__(self, config: AccountConfig, store: KeyValueStore | None = None) -> None:
        self.config = config
        self.dav = Dav(config, store)
        self._listing: tuple[str, list[CalendarInfo]] | None = None

    def _found(self) -> tuple[str, list[CalendarInfo]]:
        if self._listing is None:
            self._listing = _calendars(self.dav)
        return self._listing

    def list_calendars(self) -> list[tuple[str, str]]:
        """`followcal calendars ACCOUNT`: (display name, URL) of every calendar."""
        _, found = self._found()
        return sorted(((c.name, c.url) for c in found), key=lambda p: p[0].casefold())

    def wrote(self, info: CalendarInfo) -> None:
        """A calendar of this account changed (or was made): the listing the run keeps forgets its
        CTag, so a later open of it in this run asks the server; a new calendar joins the listing."""
        if self._listing is None:
            return
        home, found = self._listing
        fresh = dataclasses.replace(info, ctag=None)
        kept = [fresh if c.url == info.url else c for c in found]
        self._listing = home, kept if fresh in kept else [*kept, fresh]

    def calendar(
        self, calendar: str, *, create: bool, now: datetime, keywords: Iterable[str] | None = None, position: int = 0,
    ) -> CalDAVCalendar:
        """ACCOUNT:CALENDAR by display name, last URL segment or URL; MKCALENDAR if missing and
        `create`. `position`: this target's place among the account's targets in config order (0 = first)."""
        config = self.config
        home, found = self._found()
        info = _pick(calendar, found, config.name)
        if info is None and create:  # made by the first apply that writes: --dry-run creates nothing
            url = urllib.parse.urljoin(home, calendar) if "/" in calendar else home + _slug(calendar) + "/"
            info, missing = CalendarInfo(calendar, _slash(url), None), True
        elif info is None:
            names = ", ".join(sorted((c.name for c in found), key=str.casefold)) or "none"
            raise NotFoundError(f"account {config.name!r}: no calendar {calendar!r} (calendars: {names})")
        else:
            missing = False
        unique = config.unique_uids if config.unique_uids is not None else bool(CYRUS_HOME.search(home))
        fold = calendar_tag(info.url) if unique and position > 0 else None
        return CalDAVCalendar(self.dav, info, f"{config.name}:{calendar}", now, keywords, missing=missing, fold=fold,
                              account=self)


def calendar_tag(url: str) -> str:
    """The calendar folded into UIDs: its last URL segment, reduced to [a-z0-9-]."""
    return _slug(urllib.parse.unquote(url.rstrip("/").rsplit("/", 1)[-1]))


def fold_uid(uid: str, tag: str | None) -> str:
    """`STEM@followcal` -> `STEM.TAG@followcal` (deterministic; undone by unfold_uid)."""
    if not tag or not uid.endswith(UID_SUFFIX):
        return uid
    return f"{uid[:-len(UID_SUFFIX)]}.{tag}{UID_SUFFIX}"


def unfold_uid(uid: str, tag: str | None) -> str:
    end = f".{tag}{UID_SUFFIX}"
    return uid[:-len(end)] + UID_SUFFIX if tag and uid.endswith(end) else uid


# --- the calendar: source and target ----------------------------------------------------------------


def object_name(uid: str) -> str:
    """The resource name of a reminder: derived from its UID, so every run PUTs the same href."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", uid) + ".ics"


class CalDAVCalendar:
    """One CalDAV calendar; both a Source and a Target (see backends/base.py)."""

    def __init__(
        self, dav: Dav, info: CalendarInfo, label: str, now: datetime,
        keywords: Iterable[str] | None = None, missing: bool = False, fold: str | None = None,
        account: CalDAVAccount | None = None,
    ) -> None:
        self.dav = dav
        self.account = account  # told when this calendar changes (its listing in the run goes stale)
        self.fold = fold  # the calendar tag folded into UIDs on unique-UID servers (module doc)
        self.missing = missing
        self.info = info
        self.url = info.url
        self.label = label
        self.now = now
        self.keywords = tuple(keywords) if keywords is not None else None  # None: parse every event
        self._known_ctag = info.ctag  # from the home listing: saves a request on the first list
        self._stale = False

    # Source ---------------------------------------------------------------------------------

    def read_events(self, window: Window) -> tuple[list[SourceEvent], list[str]]:
        if self.missing:
            return [], []
        events: list[SourceEvent] = []
        warnings: list[str] = []
        for href, props in self.dav.report(self.url, calendar_query(window)):
            data = text(props, f"{{{C}}}calendar-data")
            if not data:
                continue
            try:
                found, warned = ics.read_calendar(data.encode("utf-8"), self.label, window, keywords=self.keywords, now=self.now)
            except SourceError as exc:
                warnings.append(f"skipped {urllib.parse.unquote(href)} ({self.label}): {str(exc).split(': ', 1)[-1]}")
                continue
            events.extend(found)
            warnings.extend(warned)
        return events, warnings

    # Target ---------------------------------------------------------------------------------

    def _ctag(self) -> str | None:
        if self._known_ctag is not None:
            ctag, self._known_ctag = self._known_ctag, None
            return ctag
        for _href, props in self.dav.propfind(self.url, PROPS_HOME, "0"):
            return ctag_of(props)
        return None

    def list_owned(self) -> list[OwnedEvent]:
        if self.missing:
            return []
        cache = None if self._stale else _kv_get(self.dav.store, self.url)
        if cache and not self._stale:
            ctag = self._ctag()
            if ctag and cache.get("ctag") == ctag:
                return [self._owned(o["owned"]) for o in cache["items"].values() if o.get("owned")]
        self._known_ctag = None
        self._stale = False
        return self._refresh(cache)

    def _refresh(self, cache: dict[str, Any] | None) -> list[OwnedEvent]:
        """Re-list ETags (one PROPFIND) and fetch only the objects whose ETag changed."""
        items: dict[str, Any] = dict((cache or {}).get("items", {}))
        ctag = None
        etags: dict[str, str | None] = {}
        for href, props in self.dav.propfind(self.url, PROPS_ETAGS, "1"):
            if _same_path(href, self.url):
                ctag = ctag_of(props)
                continue
            if has_type(props, f"{{{D}}}collection"):
                continue
            etags[href] = text(props, f"{{{D}}}getetag")
        items = {h: v for h, v in items.items() if h in etags}
        changed = [h for h, etag in etags.items() if etag is None or items.get(h, {}).get("etag") != etag]
        for start in range(0, len(changed), MULTIGET_CHUNK):
            chunk = changed[start:start + MULTIGET_CHUNK]
            for href, props in self.dav.report(self.url, multiget(chunk)):
                if href not in etags:
                    href = next((h for h in chunk if _same_path(h, href)), href)
                etag = text(props, f"{{{D}}}getetag") or etags.get(href)
                items[href] = {"etag": etag, "owned": self._parse_owned(href, etag, text(props, f"{{{C}}}calendar-data"))}
        _kv_set(self.dav.store, self.url, {"ctag": ctag, "items": items})
        return [self._owned(o["owned"]) for o in items.values() if o.get("owned")]

    def _owned(self, data: dict[str, Any]) -> OwnedEvent:
        owned = owned_from_json(data)
        return dataclasses.replace(owned, uid=unfold_uid(owned.uid, self.fold)) if self.fold else owned

    def _parse_owned(self, href: str, etag: str | None, data: str | None) -> dict[str, Any] | None:
        if not data:
            return None
        try:
            owned = owned_in_object(data, ref=href, etag=etag)
            if owned is not None:
                return owned_to_json(owned)
        except Exception as exc:  # a foreign object we cannot read is never ours to touch
            log.info("%s: ignoring unreadable %s (%s)", self.label, href, type(exc).__name__)
        return None

    def apply(self, plan: Plan, progress: Callable[[int], None] | None = None) -> ApplyResult:
        """Conditional writes, WRITE_WORKERS at a time; ConflictError after the others finished."""
        writes = [a for a in plan.actions if isinstance(a, (Create, Update, Delete))]
        counts = {"create": 0, "update": 0, "delete": 0}
        conflict: ConflictError | None = None
        failure: BackendError | None = None
        if writes and self.missing:
            self._create_calendar()
        if writes:
            self._stale = True  # re-list before planning again (after a conflict)
            if self.account is not None:
                self.account.wrote(self.info)
            with ThreadPoolExecutor(max_workers=min(WRITE_WORKERS, len(writes))) as pool:
                futures = {pool.submit(self._write, action): action for action in writes}
                for future in as_completed(futures):
                    try:
                        future.result()
                        counts[futures[future].op] += 1
                    except ConflictError as exc:
                        conflict = conflict or exc
                    except BackendError as exc:
                        failure = failure or exc
                    if progress is not None:
                        progress(1)
        if failure is not None:
            raise failure
        if conflict is not None:
            raise conflict
        if writes:  # cache the new listing now, so the next run needs only the CTag
            self._refresh(_kv_get(self.dav.store, self.url))
            self._stale = False
        skipped = len(plan.actions) - len(writes)
        return ApplyResult(self.label, counts["create"], counts["update"], counts["delete"], skipped)

    def _create_calendar(self) -> None:
        body = mkcalendar(self.info.name)
        # 405: it exists after all (made by a concurrent run); the conditional PUTs sort that out
        self.dav.request("MKCALENDAR", self.url, body, {"Content-Type": XML_TYPE}, ok=(200, 201, 405))
        log.info("%s: created calendar %s", self.label, _redact(self.url))
        self.missing = False

    def _write(self, action: Create | Update | Delete) -> None:
        if isinstance(action, Delete):
            headers = {"If-Match": action.existing.etag} if action.existing.etag else {}
            try:
                self.dav.request("DELETE", self._abs(action.existing.ref), None, headers)
            except NotFoundError:
                pass  # already gone: what we wanted
            return
        reminder = action.reminder
        if self.fold:
            reminder = dataclasses.replace(reminder, uid=fold_uid(reminder.uid, self.fold))
        body = ics.single_event_bytes(reminder, action.sequence)
        headers = {"Content-Type": "text/calendar; charset=utf-8"}
        if isinstance(action, Update):
            url = self._abs(action.existing.ref)
            if action.existing.etag:
                headers["If-Match"] = action.existing.etag
        else:
            url = self.url + object_name(reminder.uid)
            headers["If-None-Match"] = "*"
        try:
            self.dav.request("PUT", url, body, headers, ok=(200, 201, 204))
        except PreconditionError as exc:
            if exc.precondition not in UID_CONFLICTS:
                raise
            raise PreconditionError(
                f"{exc}; UID {reminder.uid}: a calendar followcal wrote to before still holds it; remove "
                "followcal's reminders there (followcal clean) or keep that calendar first in `to` (later "
                "targets of an account get their own UIDs)", exc.precondition) from None

    def _abs(self, ref: str | None) -> str:
        if not ref:
            raise BackendError(f"{self.label}: an event without an href")
        return urllib.parse.urljoin(self.url, ref)
