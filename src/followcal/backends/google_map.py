"""Google Calendar event JSON <-> followcal's model, without any I/O.

Kept apart from backends/google.py (service, batches, retries, sync tokens) so the mapping can be
read and tested on plain dicts: nothing here imports googleapiclient. The JSON built or read here
is passed only to and from google.py; it never reaches the rest of followcal.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from followcal.core.model import Attendee, OwnedEvent, Person, Reminder, SourceEvent

MAX_VALUE = 1024  # extendedProperties value limit
CACHED_FIELDS = ("id", "status", "summary", "description", "start", "end", "sequence", "etag",
                 "iCalUID", "extendedProperties")


def event_id(uid: str) -> str:
    """Google event id of a reminder: lowercase unpadded base32hex of SHA-1(UID), 32 chars."""
    digest = hashlib.sha1(uid.encode("utf-8")).digest()
    return base64.b32hexencode(digest).decode("ascii").rstrip("=").lower()


def next_event_id(uid: str, current: str) -> str:
    """The id a reminder moves to when Google holds `current` purged (deleted, trash emptied:
    get/update answer 404, insert answers 409): event_id(UID + "#2"), then "#3", ... so every
    machine picks the same one. The state store remembers it; a fresh state finds the event by
    its `extendedProperties.private.uid` on the first listing."""
    n = 2
    while event_id(f"{uid}#{n}") != current and n < 64 and current != event_id(uid):
        n += 1
    if current == event_id(uid) or n >= 64:
        return event_id(f"{uid}#2")
    return event_id(f"{uid}#{n + 1}")


def utc_stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _when(value: Any, fallback_tz: str | None) -> tuple[datetime | date | None, str | None]:
    """A Google start/end object -> (aware datetime in its zone, or date; the IANA zone)."""
    if not isinstance(value, dict):
        return None, None
    if value.get("date"):
        return date.fromisoformat(value["date"]), None
    raw = value.get("dateTime")
    if not raw:
        return None, None
    moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    zone = value.get("timeZone") or fallback_tz
    try:
        tz = ZoneInfo(zone) if zone else None
    except (KeyError, ValueError):
        tz, zone = None, None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=tz), zone  # floating only if Google sent no offset and no zone
    return (moment.astimezone(tz) if tz else moment), zone


def _rfc3339(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


_PARTSTAT = {"accepted": "ACCEPTED", "declined": "DECLINED", "tentative": "TENTATIVE", "needsAction": "NEEDS-ACTION"}


def _private(item: dict[str, Any]) -> dict[str, str]:
    props = item.get("extendedProperties") or {}
    private = props.get("private") or {}
    return private if isinstance(private, dict) else {}


def to_source_event(item: dict[str, Any], origin: str, calendar_tz: str | None = None) -> SourceEvent:
    """One Google event (an instance, singleEvents=true) as a plain SourceEvent."""
    start, tzid = _when(item.get("start"), calendar_tz)
    if start is None:
        raise ValueError("event has no start")
    end, _ = _when(item.get("end"), tzid or calendar_tz)
    recurrence_id = None
    if item.get("recurringEventId") and item.get("originalStartTime"):
        recurrence_id, _ = _when(item["originalStartTime"], tzid or calendar_tz)
    organizer = None
    if item.get("organizer"):
        org = item["organizer"]
        organizer = Person(org.get("displayName"), (org.get("email") or "").lower() or None)
    attendees = tuple(
        Attendee(a.get("displayName"), (a.get("email") or "").lower() or None, _PARTSTAT.get(a.get("responseStatus", "")))
        for a in item.get("attendees") or ()
    )
    private = _private(item)
    kind = (private.get("kind") or "unknown") if private.get("followcal") else None
    status = item.get("status")
    return SourceEvent(
        uid=item.get("iCalUID") or item.get("id") or "",
        summary=(item.get("summary") or "").strip(),
        start=start,
        end=end,
        recurrence_id=recurrence_id,
        description=item.get("description") or "",
        tzid=tzid,
        status=status.upper() if status else None,
        organizer=organizer,
        attendees=attendees,
        followcal_kind=kind,
        stamp=_rfc3339(item.get("updated")),
        origin=origin,
    )


def owned_from_item(item: dict[str, Any]) -> OwnedEvent | None:
    """An OwnedEvent when the Google event is one of ours (private.followcal + @followcal UID)."""
    private = _private(item)
    uid = private.get("uid") or item.get("iCalUID") or ""
    if private.get("followcal") != "1" or not private.get("kind") or not uid.endswith("@followcal"):
        return None
    start, _ = _when(item.get("start"), None)
    end, _ = _when(item.get("end"), None)
    return OwnedEvent(
        uid=uid,
        kind=private["kind"],
        summary=item.get("summary") or "",
        description=item.get("description") or "",
        start=start,
        end=end,
        sequence=int(item.get("sequence") or 0),
        stored_fingerprint=private.get("hash"),
        interview_uid=private.get("interview_uid"),
        interview_start=_rfc3339(private.get("interview_start")),
        ref=item.get("id"),
        etag=item.get("etag"),
        deleted=item.get("status") == "cancelled",
    )


def reminder_body(reminder: Reminder, sequence: int) -> dict[str, Any]:
    """The Google event for a reminder (DESIGN.md "Reminder events", Google mapping)."""
    if reminder.all_day:
        start: dict[str, str] = {"date": reminder.date.isoformat()}
        end: dict[str, str] = {"date": date.fromordinal(reminder.date.toordinal() + 1).isoformat()}
    else:
        start = {"dateTime": reminder.due.isoformat(), "timeZone": reminder.timezone}
        end = {"dateTime": reminder.end.isoformat(), "timeZone": reminder.timezone}
    private = {
        "followcal": "1",
        "kind": reminder.kind,
        "uid": reminder.uid,
        "interview_uid": reminder.interview_uid[:MAX_VALUE],
        "hash": reminder.fingerprint,
        "interview_start": utc_stamp(reminder.interview_start),
    }
    return {
        "id": event_id(reminder.uid),
        "iCalUID": reminder.uid,
        "summary": reminder.summary,
        "description": reminder.description,
        "start": start,
        "end": end,
        "status": "confirmed",
        "transparency": "transparent",
        "sequence": sequence,
        "reminders": {"useDefault": False, "overrides": [{"method": "popup", "minutes": 0}]},
        "extendedProperties": {"private": private},
    }


def merge_cached(cache: dict[str, dict[str, Any]], item: dict[str, Any]) -> None:
    """Apply one listed (or changed) event to the owned-events cache."""
    ident = item.get("id")
    if not ident:
        return
    if owned_from_item(item) is not None:
        cache[ident] = {k: item[k] for k in CACHED_FIELDS if k in item}
    elif ident in cache:
        if item.get("status") == "cancelled" and not item.get("extendedProperties"):
            cache[ident] = {**cache[ident], "status": "cancelled", **({"etag": item["etag"]} if "etag" in item else {})}
        else:
            del cache[ident]  # no longer ours (marker removed): forget it
