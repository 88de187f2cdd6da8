"""iCalendar text <-> domain objects. No network, no files: bytes in, bytes out.

Reading is built for large exports (tens of thousands of events, a few dozen interviews):
scan picks the candidate VEVENTs from the raw text, and only those (with their series and
the VTIMEZONEs) are handed to icalendar and recurring-ical-events. `read_calendar(...,
keywords=None)` parses everything: the equivalence tests hold both paths to the same plan.
Writing turns Reminders into byte-identical VCALENDARs (same input, same bytes).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from followcal.core.collector import collector_paused
from followcal.core.model import Attendee, Person, SourceEvent, Window
from followcal.errors import SourceError
from followcal.ical.fast import plain_event
from followcal.ical.limits import (
    MAX_PER_FILE,
    PARSE_ERRORS,
    LazyOccurrence,
    occurrences_each,
    parse_each,
    rule_problem,
    year_problem,
)
from followcal.ical.scan import block_uid, own_lines, too_deep, trimmed, used_lines
from followcal.ical.select import split_select
from followcal.ical.series import read_plain_series

# the codec's writing half lives in write; these names are the codec's interface
from followcal.ical.write import (
    PRODID as PRODID,
    calendar_bytes as calendar_bytes,
    single_event_bytes as single_event_bytes,
    timezones as _timezones,  # noqa: F401 - tests compare against it
)
from followcal.ical.zones import file_local_zones, plain_iana_timezone, prepare as prepare_zones

SKIP_PLAIN_ZONES = True  # tests switch it off to compare
PLAIN_SERIES = True  # tests switch it off to compare (series.py)
# without a window, series are read one year either side of now (expanded a little wider)
SERIES_REACH = timedelta(days=365)
_PAD = timedelta(days=2)


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
    # a custom VTIMEZONE of this file never answers for another
    with collector_paused(), file_local_zones():
        return _read_calendar(data, origin, window, keywords=keywords, now=now)


def _read_calendar(
    data: bytes, origin: str, window: Window, *, keywords: Iterable[str] | None, now: datetime
) -> tuple[list[SourceEvent], list[str]]:
    warnings: list[str] = []
    header, chosen = split_select(data, origin, keywords, warnings)
    header, chosen = prepare_zones(header, chosen, origin, warnings)  # Windows names, broken VTIMEZONEs
    # On the fast path with no window, a plain single event is read directly (fast) unless it
    # needs icalendar; X-WR-TIMEZONE rewrites floating times, so such files take icalendar's path.
    direct = (
        keywords is not None
        and window.since is None
        and window.until is None
        and not any(h.upper().startswith(b"X-WR-TIMEZONE") for h in header)
    )
    # each VEVENT's UID, read once: it decides which events are plain singles (alone with their UID)
    uids = {i: block_uid(block) for i, block in enumerate(chosen) if block.name == "VEVENT"} if direct else {}
    uid_count: dict[str, int] = {}
    for uid in uids.values():
        uid_count[uid] = uid_count.get(uid, 0) + 1
    # icalendar reads a TZID that is an IANA name as that zone whatever its VTIMEZONE says, and a
    # plain one cannot fail to parse: it is left out of the whole-calendar parse (each VTIMEZONE
    # there made icalendar list every zone on the system, 20 ms). Not with X-WR-TIMEZONE, whose
    # conversion looks at the calendar's zones; the equivalence tests compare with and without.
    skip_zones = SKIP_PLAIN_ZONES and not any(h.upper().startswith(b"X-WR-TIMEZONE") for h in header)
    prepared: list[tuple[int, Any, list[bytes]]] = []
    for i, block in enumerate(chosen):
        if too_deep(block):
            warnings.append(f"skipped event {block_uid(block)} ({origin}): components nested too deeply")
            continue
        lines = trimmed(block, origin, warnings)
        if block.name == "VEVENT":
            lines = own_lines(block, lines)
            if keywords is not None:
                lines = used_lines(lines)
        prepared.append((i, block, lines))
    fast, done = _read_directly(prepared, uids, uid_count, origin, now) if direct else ([], set())
    body = [b"BEGIN:VCALENDAR", *header]
    pieces: list[tuple[Any, list[bytes]]] = []
    events_left = 0
    for i, block, lines in prepared:
        if i in done:
            continue
        if block.name == "VEVENT":
            events_left += 1
        elif skip_zones and block.name == "VTIMEZONE" and plain_iana_timezone(block):
            pieces.append((block, lines))  # not in the whole-calendar parse: see skip_zones
            continue
        body.extend(lines)
        pieces.append((block, lines))
    body.append(b"END:VCALENDAR")
    events = []
    if events_left or not direct:
        budget = MAX_PER_FILE - sum(e.recurrence_id is not None for e in fast)  # series read directly count too
        events = _read_with_icalendar(body, header, pieces, origin, window, now, warnings, budget)
    if fast:
        events = sorted(events + fast, key=lambda e: (_as_utc(e.start, now), e.uid, _iso(e.recurrence_id)))
    owner = _calendar_owner(header)  # issue 12: Google writes the owner's address there
    if owner:
        events = [replace(e, calendar_owner=owner) for e in events]
    return events, warnings


def _read_directly(
    prepared: list[tuple[int, Any, list[bytes]]], uids: dict[int, str], uid_count: dict[str, int], origin: str,
    now: datetime,
) -> tuple[list[SourceEvent], set[int]]:
    """The events read without icalendar (plain singles: fast.py; plain series: series.py) and
    the indices of their blocks; the rest is icalendar's."""
    fast: list[SourceEvent] = []
    done: set[int] = set()
    series: dict[str, list[tuple[int, list[bytes]]]] = {}
    for i, block, lines in prepared:
        if block.name != "VEVENT":
            continue
        if uid_count.get(uids[i]) == 1:
            event = plain_event(lines, origin)
            if event is not None:
                fast.append(event)
                done.add(i)
                continue
        series.setdefault(block_uid(block, lines), []).append((i, lines))  # its own UID, not a VALARM's
    # grouped by the UID as written: not where icalendar would unescape one (a backslash)
    if series and PLAIN_SERIES and not any("\\" in uid for uid in series):
        series_lo, series_hi = now - SERIES_REACH, now + SERIES_REACH
        own, indices = read_plain_series(
            series, origin, lambda start: series_lo <= _as_utc(start, now) < series_hi,
            ((series_lo - _PAD).astimezone(UTC), (series_hi + _PAD).astimezone(UTC)), MAX_PER_FILE // 2,
        )
        fast += own
        done |= indices
    return fast, done


def _read_with_icalendar(
    body: list[bytes], header: list[bytes], pieces: list[tuple[Any, list[bytes]]], origin: str, window: Window,
    now: datetime, warnings: list[str], budget: int = MAX_PER_FILE,
) -> list[SourceEvent]:
    """The events of `body` (a VCALENDAR's lines) through icalendar and recurring-ical-events; a
    calendar icalendar cannot read whole is read one component or series at a time."""
    import icalendar

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
    return _expand(good, origin, window, now, warnings, budget)


def _calendar_owner(header: list[bytes]) -> str | None:
    """X-WR-CALNAME when it is a mail address (Google exports), else None."""
    from followcal.core.identity import owner_address

    for line in header:
        if line[:13].upper() == b"X-WR-CALNAME:" or line[:13].upper() == b"X-WR-CALNAME;":
            value = line.split(b":", 1)[1].decode("utf-8", "replace").strip()
            return owner_address(value)
    return None


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
        if not isinstance(value, date):  # icalendar reads "-PT1H" as a duration (the fuzz test found it)
            return f"invalid {prop_name}: not a date or date-time"
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


def _expand(
    calendar: Any, origin: str, window: Window, now: datetime, warnings: list[str], budget: int = MAX_PER_FILE
) -> list[SourceEvent]:
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
        series_lo, series_hi = now - SERIES_REACH, now + SERIES_REACH
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
            pad = _PAD
            occurrences = list(plain)
            if rest - recurring_uids:
                occurrences += occurrences_each(calendar, rest - recurring_uids, lo, hi, origin, warnings, budget)
            if recurring_uids:
                occurrences += occurrences_each(
                    calendar, recurring_uids, series_lo - pad, series_hi + pad, origin, warnings, budget
                )
        else:
            occurrences = occurrences_each(calendar, {str(c.get("UID")) for c in events}, lo, hi, origin, warnings, budget)
    except Exception as exc:  # recurring-ical-events raises its own and dateutil's errors
        raise SourceError(f"{origin}: cannot expand recurring events: {_short(exc)}") from None
    out = []
    bases: dict[int, SourceEvent | None] = {}
    for occ in occurrences:
        uid = str(occ.get("UID"))
        try:
            if isinstance(occ, LazyOccurrence):
                event = occurrence_event(occ, origin, bases)
            else:
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


def occurrence_event(occ: LazyOccurrence, origin: str, bases: dict[int, SourceEvent | None]) -> SourceEvent:
    """`to_source_event(occ.as_component(), origin)` without the copy: the source component's
    event (read once per component) with the occurrence's start, end and RECURRENCE-ID, which is
    all the copy changes that to_source_event reads. Where the copy could read differently (a date
    and a date-time, a zone other than an IANA one) or the source does not read, the copy is made."""
    start, end = occ.occurrence.start, occ.occurrence.end
    if not (_plain_when(start) and _plain_when(end)) or isinstance(start, datetime) != isinstance(end, datetime):
        return to_source_event(occ.as_component(), origin)
    source = occ.source
    key = id(source)
    if key not in bases:
        try:
            bases[key] = to_source_event(source, origin)
        except Exception:  # noqa: BLE001 - the copy says what is wrong, as before
            bases[key] = None
    base = bases[key]
    if base is None:
        return to_source_event(occ.as_component(), origin)
    return replace(base, start=start, end=end, recurrence_id=base.recurrence_id if base.recurrence_id is not None else start,
                   tzid=getattr(getattr(start, "tzinfo", None), "key", None))


def _plain_when(value: object) -> bool:
    """A date, a floating date-time or one in an IANA zone (ZoneInfo)."""
    if not isinstance(value, datetime):
        return isinstance(value, date)
    return value.tzinfo is None or isinstance(value.tzinfo, ZoneInfo)


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
        value = value.replace(tzinfo=now.tzinfo or UTC)
    return value.astimezone(UTC)


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
                stamp = value if value.tzinfo else value.replace(tzinfo=UTC)
                stamp = stamp.astimezone(UTC)
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
