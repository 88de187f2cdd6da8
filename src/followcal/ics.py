"""iCalendar text <-> domain objects. No network, no files: bytes in, bytes out.

Reading is built for large exports (tens of thousands of events, a few dozen interviews):
ics_scan picks the candidate VEVENTs from the raw text, and only those (with their series and
the VTIMEZONEs) are handed to icalendar and recurring-ical-events. `read_calendar(...,
keywords=None)` parses everything: the equivalence tests hold both paths to the same plan.
Writing turns Reminders into byte-identical VCALENDARs (same input, same bytes).
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from .errors import SourceError
from .ics_limits import PARSE_ERRORS, occurrences_each, parse_each, rule_problem, year_problem
from .ics_scan import block_uid, own_lines, select_blocks, split_calendar, too_deep, trimmed, used_lines
from .model import UID_SUFFIX, Attendee, OwnedEvent, Person, Reminder, SourceEvent, Window

PRODID = "-//followcal//followcal//EN"


def read_calendar(
    data: bytes,
    origin: str,
    window: Window,
    *,
    keywords: Iterable[str] | None,
    now: datetime,
) -> tuple[list[SourceEvent], list[str]]:
    """Events of an iCalendar stream (recurrences expanded) and warnings about skipped events.

    Without a window, single events are all kept and series are expanded one year either side of
    `now`. Bad events are skipped with a warning naming their UID; the rest still come through.
    """
    # Parsing and expanding make ~100k small objects and next to no reference cycles: the cyclic
    # collector would run dozens of times for nothing (10-20% of the time of a large file).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _read_calendar(data, origin, window, keywords=keywords, now=now)
    finally:
        if collecting:
            gc.enable()


def _read_calendar(
    data: bytes, origin: str, window: Window, *, keywords: Iterable[str] | None, now: datetime
) -> tuple[list[SourceEvent], list[str]]:
    import icalendar

    warnings: list[str] = []
    header, blocks = split_calendar(data, origin, warnings)
    chosen = select_blocks(blocks, keywords)
    body = [b"BEGIN:VCALENDAR", *header]
    pieces: list[tuple[Any, list[bytes]]] = []
    for block in chosen:
        if too_deep(block):
            warnings.append(f"skipped event {block_uid(block)} ({origin}): components nested too deeply")
            continue
        lines = trimmed(block, origin, warnings)
        if block.name == "VEVENT":
            lines = own_lines(block, lines)
            if keywords is not None:
                lines = used_lines(lines)
        body.extend(lines)
        pieces.append((block, lines))
    body.append(b"END:VCALENDAR")
    try:
        calendar = icalendar.Calendar.from_ical(b"\r\n".join(body) + b"\r\n")
    except PARSE_ERRORS:
        calendar = parse_each(header, pieces, origin, warnings)
    if header and any(h.upper().startswith(b"X-WR-TIMEZONE") for h in header):
        import x_wr_timezone

        try:
            calendar = x_wr_timezone.to_standard(calendar)
        except Exception as exc:  # the library raises assorted errors on odd input
            warnings.append(f"{origin}: X-WR-TIMEZONE ignored: {_short(exc)}")
    good = _drop_bad_events(calendar, origin, warnings)
    return _expand(good, origin, window, now, warnings), warnings


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def _drop_bad_events(calendar: Any, origin: str, warnings: list[str]) -> Any:
    """Remove events icalendar could not read (bad DTSTART, unknown TZID, ...) with a warning."""
    keep = []
    for component in calendar.subcomponents:
        if component.name != "VEVENT":
            keep.append(component)
            continue
        problem = _event_problem(component) or rule_problem(component) or year_problem(component)
        if problem:
            uid = str(component.get("UID", "(no UID)"))
            warnings.append(f"skipped event {uid} ({origin}): {problem}")
        else:
            keep.append(component)
    calendar.subcomponents = keep
    return calendar


def _event_problem(component: Any) -> str | None:
    errors = getattr(component, "errors", None)
    for name, message in errors or ():
        if name in ("DTSTART", "DTEND", "DURATION", "RECURRENCE-ID", "RRULE", "EXDATE", "RDATE"):
            return f"invalid {name}: {message}"
    if component.get("UID") is None:
        return "no UID"
    start = component.get("DTSTART")
    if start is None:
        return "no DTSTART"
    for prop_name in ("DTSTART", "DTEND", "RECURRENCE-ID"):
        prop = component.get(prop_name)
        if prop is None:
            continue
        try:
            value = prop.dt
        except Exception as exc:  # BrokenCalendarProperty and friends
            return f"invalid {prop_name}: {_short(exc)}"
        tzid = prop.params.get("TZID") if hasattr(prop, "params") else None
        if tzid and isinstance(value, datetime) and value.tzinfo is None:
            return f"unknown time zone {tzid!r} in {prop_name}"
    try:
        end = component.end if (component.get("DTEND") or component.get("DURATION")) else None
    except Exception as exc:
        return f"invalid end: {_short(exc)}"
    if end is not None and type(end) is not type(start.dt):
        if isinstance(end, datetime) != isinstance(start.dt, datetime):
            return "DTSTART and DTEND mix a date and a date-time"
    return None


def _expand(calendar: Any, origin: str, window: Window, now: datetime, warnings: list[str]) -> list[SourceEvent]:
    events = [c for c in calendar.subcomponents if c.name == "VEVENT"]
    if not events:
        return []
    recurring_uids = {
        str(c.get("UID")) for c in events if c.get("RRULE") is not None or c.get("RDATE") is not None
    }
    # recurring_ical_events gives every occurrence a RECURRENCE-ID; a single event has none
    with_rid = recurring_uids | {str(c.get("UID")) for c in events if c.get("RECURRENCE-ID") is not None}
    if window.since is not None or window.until is not None:
        lo = window.since or (now - timedelta(days=366 * 5))
        hi = window.until or (now + timedelta(days=366 * 5))
        series_lo, series_hi = lo, hi
    else:
        series_lo, series_hi = now - timedelta(days=365), now + timedelta(days=365)
        starts = [_as_utc(c.get("DTSTART").dt, now) for c in events if str(c.get("UID")) not in recurring_uids]
        lo = min([series_lo, *starts]) - timedelta(days=1)
        hi = max([series_hi, *starts]) + timedelta(days=2)
    try:
        if window.since is None and window.until is None:
            # No window: every single event is kept, so a plain one (one component for its UID,
            # no RRULE/RDATE/RECURRENCE-ID) is its own occurrence and skips the expansion. Series
            # are kept only in [series_lo, series_hi): expanding them over the span of all single
            # events (years of history) would build occurrences just to drop them.
            plain = _plain_singles(events, with_rid)
            plain_ids = {id(c) for c in plain}
            rest = {str(c.get("UID")) for c in events if id(c) not in plain_ids}
            pad = timedelta(days=2)
            occurrences = list(plain)
            if rest - recurring_uids:
                occurrences += occurrences_each(calendar, rest - recurring_uids, lo, hi, origin, warnings)
            if recurring_uids:
                occurrences += occurrences_each(calendar, recurring_uids, series_lo - pad, series_hi + pad, origin, warnings)
        else:
            occurrences = occurrences_each(calendar, {str(c.get("UID")) for c in events}, lo, hi, origin, warnings)
    except Exception as exc:  # recurring-ical-events raises its own and dateutil's errors
        raise SourceError(f"{origin}: cannot expand recurring events: {_short(exc)}") from None
    out = []
    for occ in occurrences:
        uid = str(occ.get("UID"))
        try:
            event = to_source_event(occ, origin)
            if uid not in with_rid and event.recurrence_id is not None:
                event = replace(event, recurrence_id=None)
        except Exception as exc:
            warnings.append(f"skipped event {uid} ({origin}): {_short(exc)}")
            continue
        if uid in recurring_uids and not (series_lo <= _as_utc(event.start, now) < series_hi):
            continue
        out.append(event)
    out.sort(key=lambda e: (_as_utc(e.start, now), e.uid, _iso(e.recurrence_id)))
    return out


def _plain_singles(events: list[Any], with_rid: set[str]) -> list[Any]:
    """VEVENTs that are the only component of their UID and neither recur nor override."""
    count: dict[str, int] = {}
    for component in events:
        uid = str(component.get("UID"))
        count[uid] = count.get(uid, 0) + 1
    return [c for c in events if count[str(c.get("UID"))] == 1 and str(c.get("UID")) not in with_rid]


def _as_utc(value: datetime | date, now: datetime) -> datetime:
    """A comparable instant: floating and all-day values are read in `now`'s zone."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0))
    if value.tzinfo is None:
        value = value.replace(tzinfo=now.tzinfo or timezone.utc)
    return value.astimezone(timezone.utc)


def _iso(value: datetime | date | None) -> str:
    return "" if value is None else value.isoformat()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(_text(v) for v in value)
    return str(value)


def _address(value: Any) -> tuple[str | None, str | None]:
    email = str(value).strip()
    if email.lower().startswith("mailto:"):
        email = email[7:]
    name = None
    params = getattr(value, "params", {})
    if params.get("CN"):
        name = str(params["CN"]).strip().strip('"') or None
    return name, (email.lower() or None)


def to_source_event(component: Any, origin: str) -> SourceEvent:
    """One icalendar VEVENT (an occurrence) as a plain SourceEvent."""
    start_prop = component.get("DTSTART")
    start = start_prop.dt
    end: datetime | date | None = None
    if component.get("DTEND") is not None or component.get("DURATION") is not None:
        end = component.end
    tzid = getattr(getattr(start, "tzinfo", None), "key", None)
    if tzid is None and hasattr(start_prop, "params") and start_prop.params.get("TZID"):
        candidate = str(start_prop.params["TZID"])
        try:
            ZoneInfo(candidate)
            tzid = candidate
        except (KeyError, ValueError):
            tzid = None
    categories: list[str] = []
    raw_categories = component.get("CATEGORIES")
    for entry in raw_categories if isinstance(raw_categories, list) else [raw_categories]:
        if entry is None:
            continue
        cats = getattr(entry, "cats", None)
        categories.extend(str(c) for c in (cats if cats is not None else [entry]))
    organizer = None
    if component.get("ORGANIZER") is not None:
        organizer = Person(*_address(component.get("ORGANIZER")))
    raw_attendees = component.get("ATTENDEE")
    attendees = []
    for att in raw_attendees if isinstance(raw_attendees, list) else ([raw_attendees] if raw_attendees else []):
        name, email = _address(att)
        partstat = att.params.get("PARTSTAT") if hasattr(att, "params") else None
        attendees.append(Attendee(name, email, str(partstat).upper() if partstat else None))
    stamp = None
    for key in ("LAST-MODIFIED", "DTSTAMP"):
        prop = component.get(key)
        if prop is not None:
            try:
                value = prop.dt
            except Exception:
                continue
            if isinstance(value, datetime):
                stamp = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
                stamp = stamp.astimezone(timezone.utc)
                break
    rid_prop = component.get("RECURRENCE-ID")
    kind = component.get("X-FOLLOWCAL-KIND")
    status = component.get("STATUS")
    return SourceEvent(
        uid=str(component.get("UID")),
        summary=_text(component.get("SUMMARY")).strip(),
        start=start,
        end=end,
        recurrence_id=rid_prop.dt if rid_prop is not None else None,
        description=_text(component.get("DESCRIPTION")),
        categories=tuple(categories),
        tzid=tzid,
        status=str(status).upper() if status else None,
        organizer=organizer,
        attendees=tuple(attendees),
        followcal_kind=str(kind) if kind is not None else None,
        stamp=stamp,
        origin=origin,
    )


# --- writing -----------------------------------------------------------------------------------


def reminder_component(reminder: Reminder, sequence: int) -> Any:
    """The VEVENT for one reminder (DESIGN.md "Reminder events")."""
    from icalendar import Alarm, Event, vCategory

    event = Event()
    event.add("UID", reminder.uid)
    event.add("DTSTAMP", reminder.stamp)
    event.add("LAST-MODIFIED", reminder.stamp)
    event.add("SEQUENCE", sequence)
    event.add("SUMMARY", reminder.summary)
    if reminder.all_day:
        event.add("DTSTART", reminder.date)
        event.add("DTEND", reminder.date + timedelta(days=1))
    else:
        event.add("DTSTART", reminder.due)
        event.add("DTEND", reminder.end)
    event.add("DESCRIPTION", reminder.description)
    event.add("CATEGORIES", vCategory(["followcal"]))
    event.add("RELATED-TO", reminder.interview_uid)
    event.add("TRANSP", "TRANSPARENT")
    event.add("STATUS", "CONFIRMED")
    event.add("X-FOLLOWCAL-KIND", reminder.kind)
    event.add("X-FOLLOWCAL-INTERVIEW", reminder.interview_id)
    event.add("X-FOLLOWCAL-INTERVIEW-START", reminder.interview_start.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ"))
    event.add("X-FOLLOWCAL-HASH", reminder.fingerprint)
    alarm = Alarm()
    alarm.add("ACTION", "DISPLAY")
    alarm.add("DESCRIPTION", reminder.summary)
    alarm.add("TRIGGER", timedelta(0))
    event.add_component(alarm)
    return event


def _timezones(reminders: Sequence[Reminder]) -> list[Any]:
    from icalendar import Timezone

    zones: dict[str, list[date]] = {}
    for r in reminders:
        if not r.all_day:
            zones.setdefault(r.timezone, []).append(r.date)
    out = []
    for tzid in sorted(zones):
        if tzid == "UTC":
            continue
        days = zones[tzid]
        first = date(min(days).year - 1, 1, 1)
        last = date(max(days).year + 1, 12, 31)
        out.append(Timezone.from_tzid(tzid, first_date=first, last_date=last))
    return out


def calendar_bytes(
    reminders: Sequence[Reminder],
    sequences: dict[str, int] | None = None,
    *,
    name: str = "followcal reminders",
    refresh_minutes: int | None = None,
) -> bytes:
    """A whole reminder calendar; the same reminders give byte-identical output."""
    from icalendar import Calendar, vDuration

    sequences = sequences or {}
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    calendar.add("NAME", name)
    calendar.add("X-WR-CALNAME", name)
    calendar.add("X-WR-CALDESC", "Thank-you notes, follow-ups and cut-offs after job interviews")
    if refresh_minutes:
        calendar.add("REFRESH-INTERVAL", timedelta(minutes=refresh_minutes), parameters={"VALUE": "DURATION"})
        calendar.add("X-PUBLISHED-TTL", vDuration(timedelta(minutes=refresh_minutes)))  # else "0:15:00"
    for tz in _timezones(reminders):
        calendar.add_component(tz)
    for reminder in sorted(reminders, key=lambda r: (r.due, r.uid)):
        calendar.add_component(reminder_component(reminder, sequences.get(reminder.uid, 0)))
    return calendar.to_ical()


def single_event_bytes(reminder: Reminder, sequence: int) -> bytes:
    """One reminder in its own VCALENDAR (a CalDAV resource), with its VTIMEZONE."""
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    for tz in _timezones([reminder]):
        calendar.add_component(tz)
    calendar.add_component(reminder_component(reminder, sequence))
    return calendar.to_ical()


def owned_from_component(component: Any, ref: str | None = None, etag: str | None = None) -> OwnedEvent | None:
    """An OwnedEvent when the VEVENT is one of ours (UID @followcal and X-FOLLOWCAL-KIND), else None."""
    uid = str(component.get("UID", ""))
    kind = component.get("X-FOLLOWCAL-KIND")
    if not uid.endswith(UID_SUFFIX) or kind is None:
        return None
    start = component.get("DTSTART").dt if component.get("DTSTART") is not None else None
    end = None
    if component.get("DTEND") is not None or component.get("DURATION") is not None:
        end = component.end
    interview_start = None
    raw = component.get("X-FOLLOWCAL-INTERVIEW-START")
    if raw is not None:
        try:
            interview_start = datetime.strptime(str(raw), "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
        except ValueError:
            interview_start = None
    related = component.get("RELATED-TO")
    sequence = component.get("SEQUENCE")
    stored = component.get("X-FOLLOWCAL-HASH")
    return OwnedEvent(
        uid=uid,
        kind=str(kind),
        summary=_text(component.get("SUMMARY")),
        description=_text(component.get("DESCRIPTION")),
        start=start,
        end=end,
        sequence=int(sequence) if sequence is not None else 0,
        stored_fingerprint=str(stored) if stored is not None else None,
        interview_uid=str(related) if related is not None else None,
        interview_start=interview_start,
        ref=ref,
        etag=etag,
    )


def owned_events(data: bytes, origin: str) -> list[OwnedEvent]:
    """followcal's reminder events in an .ics file (a previous export or a file target)."""
    import icalendar

    try:
        calendar = icalendar.Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError, RecursionError) as exc:
        raise SourceError(f"{origin}: cannot parse the calendar: {_short(exc)}") from None
    out = []
    for component in calendar.walk("VEVENT"):
        try:
            owned = owned_from_component(component)
        except Exception:
            owned = None
        if owned is not None:
            out.append(owned)
    return out
