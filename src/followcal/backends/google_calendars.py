"""Finding a Google calendar: the calendar list (hidden calendars included), calendars reachable
only by ID (a service account without `subject`), `primary`, and creating the reminder calendar
at the first write. Part of the Google backend (google.py holds the client and the calendar).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from followcal.backends.base import KeyValueStore
from followcal.backends.google import NEED_CREATE, NEED_LIST, PAGE_SIZE, GoogleCalendar, GoogleClient, client_for
from followcal.config import AccountConfig
from followcal.errors import AuthError, NotFoundError, UsageError

log = logging.getLogger("followcal.backends.google")


def _calendar_list(client: GoogleClient) -> list[dict[str, Any]]:
    """Every calendar in the account's list, hidden ones included (a target the user unticked
    in the Calendar UI is still the target: never a reason to create a second one)."""
    what = f"account {client.config.name!r}: listing calendars"
    service = client.service
    items: list[dict[str, Any]] = []
    pages = client.pages(
        lambda tok: service.calendarList().list(pageToken=tok, maxResults=PAGE_SIZE, showHidden=True), what, NEED_LIST
    )
    for page in pages:
        items.extend(page.get("items", []))
    return items


def _name(entry: dict[str, Any]) -> str:
    name: str = entry.get("summaryOverride") or entry.get("summary") or entry.get("id", "")  # JSON strings
    return name


class GoogleAccount:
    """One Google account, opened once per run: one authorised client (credentials loaded once)
    for every calendar of the account that the run uses."""

    def __init__(self, config: AccountConfig, store: KeyValueStore | None = None) -> None:
        self.config = config
        self.store = store
        self.client = client_for(config)
        self._entries: list[dict[str, Any]] | None = None  # the calendar list, read once per run

    def _listing(self) -> list[dict[str, Any]]:
        if self._entries is None:
            self._entries = _calendar_list(self.client)
        return self._entries

    def _created(self, calendar_id: str, name: str, tz: str | None) -> None:
        """A calendar was made: it joins the list kept for this run (a later open finds it)."""
        if self._entries is not None:
            self._entries.append({"id": calendar_id, "summary": name, "timeZone": tz})

    def list_calendars(self) -> list[tuple[str, str]]:
        """(name, id) of every calendar in the account's calendar list, hidden ones included."""
        found = [(_name(e), e.get("id", "")) for e in _calendar_list(self.client)]
        self.client.save_refreshed_token()
        return found

    def calendar(
        self, calendar: str, *, create: bool, now: datetime, keywords: Iterable[str] | None = None, position: int = 0,
    ) -> GoogleCalendar:
        """ACCOUNT:CALENDAR by name, ID or `primary`. Google's JSON is mapped whole: no keyword
        scan; `position` matters only to CalDAV servers that want unique UIDs."""
        calendar_id, tz = _resolve(self.client, calendar, create, self._listing)
        found = GoogleCalendar(self.client, f"{self.config.name}:{calendar}", calendar_id, tz, name=calendar,
                               store=self.store)
        found.on_created = self._created
        return found


def _looks_like_id(calendar: str) -> bool:
    """Calendar ids are addresses (me@gmail.com, x@group.calendar.google.com); names rarely are."""
    return "@" in calendar and " " not in calendar


def _by_id(client: GoogleClient, calendar: str, writable: bool) -> tuple[str, str | None] | None:
    """A calendar reachable by its ID but absent from the list (shared with a service account
    acting as itself, or never added to the list). Probed with a one-item events.list, which
    calendar.events allows (calendars.get would need a broader scope), and which answers the
    calendar's time zone too. None when Google says 404."""
    what = f"account {client.config.name!r}: calendar {calendar!r}"
    try:
        page = client.call(client.service.events().list(calendarId=calendar, maxResults=1), what)
    except NotFoundError:
        return None
    if writable and page.get("accessRole") in ("reader", "freeBusyReader"):
        raise AuthError(
            f"{what}: this account may only read it (accessRole {page['accessRole']}); "
            "share it with permission to make changes to events"
        )
    return calendar, page.get("timeZone")


def _resolve(
    client: GoogleClient, calendar: str, create: bool, listing: Callable[[], list[dict[str, Any]]] | None = None,
) -> tuple[str | None, str | None]:
    """(calendar id, its time zone) for a display name, an ID, or `primary`; (None, None) for a
    missing calendar that may be created: `_create` makes it at the first write, so a dry run
    creates nothing (as for CalDAV). `listing`: the calendar list (the account keeps it per run)."""
    config = client.config
    if calendar == "primary":
        entry = client.call(
            client.service.calendarList().get(calendarId="primary"), f"account {config.name!r}: primary calendar", NEED_LIST
        )
        return entry.get("id", "primary"), entry.get("timeZone")
    entries = listing() if listing is not None else _calendar_list(client)
    for entry in entries:
        if entry.get("id") == calendar:
            return calendar, entry.get("timeZone")
    named = [e for e in entries if calendar in (e.get("summary"), e.get("summaryOverride"))]
    if len(named) == 1:
        return named[0]["id"], named[0].get("timeZone")
    if len(named) > 1:
        ids = ", ".join(e["id"] for e in named)
        raise UsageError(f"{config.name}:{calendar}: {len(named)} calendars have that name; use the ID ({ids})")
    if _looks_like_id(calendar):
        found = _by_id(client, calendar, writable=create)
        if found is not None:
            return found
        raise NotFoundError(
            f"account {config.name!r}: calendar {calendar!r} is neither in the calendar list nor reachable by ID "
            "(share it with this account, with permission to make changes to events)"
        )
    if not create:
        names = ", ".join(sorted(_name(e) for e in entries)) or "none"
        raise NotFoundError(f"account {config.name!r}: no calendar {calendar!r} (calendars: {names})")
    return None, None


def _create(client: GoogleClient, calendar: str) -> tuple[str, str | None]:
    """Make the missing reminder calendar (first write of a sync that is not a dry run)."""
    config = client.config
    body = {"summary": calendar, "description": "Reminders by followcal: thank-you notes, follow-ups, cut-offs"}
    made = client.call(
        client.service.calendars().insert(body=body), f"account {config.name!r}: creating calendar {calendar!r}", NEED_CREATE
    )
    log.info("account %s: created calendar %r", config.name, calendar)
    return made["id"], made.get("timeZone")


