"""A direct reader for the plain single VEVENTs of the fast path (issue 17).

Most interview candidates in an export are plain single events: one component for their UID, no
recurrence, times in UTC, floating, all-day or an IANA zone. Building an icalendar component for
each costs more than the rest of the read, so this module turns such an event's unfolded lines
straight into the SourceEvent that `read.to_source_event` would make of icalendar's parse.

It is deliberately narrow: anything it is not certain to read exactly as icalendar would (a
parameter with an RFC 6868 caret, an escaped backslash, a repeated single-valued property, a
Windows or custom TZID, a DURATION, an odd value) makes it return None, and the event takes the
icalendar path as before. The fast-path equivalence tests hold the two readers to the same events
on the bench feeds, the samples and the edge cases.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from followcal.core.model import UID_SUFFIX, Attendee, OwnedEvent, Person, SourceEvent
from followcal.ical.limits import MAX_YEAR, MIN_YEAR

_SINGLE = frozenset({"UID", "SUMMARY", "DESCRIPTION", "DTSTART", "DTEND", "DURATION", "STATUS", "ORGANIZER",
                     "LAST-MODIFIED", "DTSTAMP", "X-FOLLOWCAL-KIND"})
_NOT_PLAIN = frozenset({"RRULE", "RDATE", "EXDATE", "EXRULE", "RECURRENCE-ID"})
# a DURATION without sign, as icalendar's vDuration reads it (at least one figure)
_DURATION = re.compile(r"P(?:([0-9]{1,4})W)?(?:([0-9]{1,5})D)?(?:T(?:([0-9]{1,6})H)?(?:([0-9]{1,8})M)?(?:([0-9]{1,9})S)?)?")
_DATE_TIME = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)")
_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_UTC = ZoneInfo("UTC")


class _NotPlain(Exception):
    """Raised inside the reader: leave this event to icalendar."""


# NAME, then ;PARAM=value or ;PARAM="quoted value" (one value each: a list is icalendar's), then
# the colon that starts the value. A line this does not match (a caret escape, an unbalanced
# quote, a parameter list) is left to icalendar.
_HEAD = re.compile(r'([A-Za-z0-9-]+)((?:;[A-Za-z0-9-]+=(?:"[^"^]*"|[^";:,^]*))*):')
_PARAM = re.compile(r';([A-Za-z0-9-]+)=(?:"([^"]*)"|([^";:,]*))')


def _split(line: str) -> tuple[str, dict[str, str], str]:
    """NAME, parameters (unquoted) and the raw value of one unfolded content line."""
    match = _HEAD.match(line)
    if match is None:
        raise _NotPlain
    params = {}
    if match[2]:
        for param in _PARAM.finditer(match[2]):
            key = param[1].upper()
            if key in params:
                raise _NotPlain
            params[key] = param[2] if param[2] is not None else param[3]
    return match[1].upper(), params, line[match.end() :]


def _text(value: str) -> str:
    """TEXT unescaping for the escapes every icalendar version reads alike."""
    if "\\" not in value:
        return value
    if "\\\\" in value:
        raise _NotPlain
    out = value.replace("\\N", "\n").replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";")
    if "\\" in out:
        raise _NotPlain
    return out


@lru_cache(maxsize=256)
def _zone(tzid: str) -> ZoneInfo:
    """An IANA zone named exactly so; anything else (Windows names, custom zones) is icalendar's."""
    if not tzid or tzid != tzid.strip() or "/" not in tzid and tzid not in ("UTC",):
        raise _NotPlain
    try:
        zone = ZoneInfo(tzid)
    except (KeyError, ValueError):
        raise _NotPlain from None
    if zone.key != tzid:
        raise _NotPlain
    return zone


def _before(end: datetime | date, start: datetime | date) -> bool:
    """`end < start` for two values of the same kind (both dates or both date-times)."""
    if isinstance(end, datetime) and isinstance(start, datetime):
        return end < start
    if isinstance(end, datetime) or isinstance(start, datetime):
        raise TypeError("can't compare datetime.datetime to datetime.date")
    return end < start


def _when(params: dict[str, str], value: str) -> datetime | date:
    """DTSTART/DTEND: a DATE, a floating, UTC or zoned DATE-TIME, as icalendar reads them."""
    kind = params.get("VALUE")
    if kind is not None and kind.upper() == "DATE":
        if len(params) != 1:
            raise _NotPlain
        match = _DATE.fullmatch(value)
        if match is None or not MIN_YEAR <= int(match[1]) <= MAX_YEAR:
            raise _NotPlain
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise _NotPlain from None
    if kind is not None and kind.upper() != "DATE-TIME":
        raise _NotPlain
    match = _DATE_TIME.fullmatch(value)
    if match is None or set(params) - {"VALUE", "TZID"}:
        raise _NotPlain
    tzid = params.get("TZID")
    if match[7]:
        if tzid is not None:
            raise _NotPlain
        zone: ZoneInfo | None = _UTC
    else:
        zone = _zone(tzid) if tzid is not None else None
    if not MIN_YEAR <= int(match[1]) <= MAX_YEAR:
        raise _NotPlain  # icalendar's path skips it with a warning (limits.year_problem)
    try:
        return datetime(int(match[1]), int(match[2]), int(match[3]), int(match[4]), int(match[5]),
                        int(match[6]), tzinfo=zone)
    except ValueError:
        raise _NotPlain from None


def _end_of(start: datetime | date, params: dict[str, str], value: str) -> datetime | date:
    """DTSTART + DURATION as icalendar's Event.end gives it (a zero duration ends at the start);
    a DATE start takes whole days only, and the end must stay within the years read."""
    match = _DURATION.fullmatch(value)
    if params or match is None or value.endswith("T") or not any(match.groups()):
        raise _NotPlain
    weeks, days, hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    span = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    if not isinstance(start, datetime) and span.seconds:
        raise _NotPlain
    if span > timedelta(days=3660):
        raise _NotPlain  # an end past the years read: icalendar's path warns about it
    end = start + span
    if end.year > MAX_YEAR:
        raise _NotPlain
    return end


def _stamp(params: dict[str, str], value: str) -> datetime | None:
    """LAST-MODIFIED / DTSTAMP in UTC, or None for a DATE (icalendar's path skips those)."""
    if params:
        raise _NotPlain
    if _DATE.fullmatch(value):
        return None
    when = _when({}, value)
    assert isinstance(when, datetime)
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)


def _address(params: dict[str, str], value: str) -> tuple[str | None, str | None]:
    if "\\" in value:
        raise _NotPlain  # icalendar unescapes a CAL-ADDRESS like TEXT ("\\," -> ","): left to it
    email = value.strip()
    if email.lower().startswith("mailto:"):
        email = email[7:]
    cn = params.get("CN")
    name = (cn.strip().strip('"') or None) if cn else None
    return name, (email.lower() or None)


def plain_event(lines: list[bytes], origin: str) -> SourceEvent | None:
    """The SourceEvent of a plain single VEVENT's own lines (BEGIN/END included), or None when
    the event needs icalendar (see the module docstring)."""
    try:
        return _read(lines, origin)
    except (_NotPlain, UnicodeDecodeError):
        return None


Recurrence = dict[str, list[tuple[dict[str, str], str]]]
_SERIES = frozenset({"RRULE", "EXDATE", "RECURRENCE-ID", "SEQUENCE"})  # recurring-ical-events reads SEQUENCE


def series_parts(lines: list[bytes], origin: str) -> tuple[SourceEvent, Recurrence] | None:
    """`plain_event` for one VEVENT of a series (series.py): the event as if it had no RRULE,
    EXDATE, RECURRENCE-ID or SEQUENCE, and those lines' parameters and values; None as plain_event."""
    recurrence: Recurrence = {}
    try:
        event = _read(lines, origin, recurrence)
    except (_NotPlain, UnicodeDecodeError):
        return None
    return (event, recurrence) if event is not None else None


def when_value(params: dict[str, str], value: str) -> datetime | date | None:
    """One DTSTART-like value as the reader reads it, or None where it leaves it to icalendar."""
    try:
        return _when(params, value)
    except _NotPlain:
        return None


def _read(lines: list[bytes], origin: str, recurrence: Recurrence | None = None) -> SourceEvent | None:
    seen: dict[str, tuple[dict[str, str], str]] = {}
    categories: list[str] = []
    attendees: list[Attendee] = []
    for raw in lines[1:-1]:
        line = raw.decode("utf-8")
        if line.endswith("\r"):
            raise _NotPlain
        name, params, value = _split(line)
        if name in _NOT_PLAIN or name in ("BEGIN", "END") or (name == "SEQUENCE" and recurrence is not None):
            if recurrence is not None and name in _SERIES:
                recurrence.setdefault(name, []).append((params, value))
                continue
            raise _NotPlain
        if name in _SINGLE:
            if name in seen:
                raise _NotPlain
            seen[name] = (params, value)
        elif name == "CATEGORIES":
            if "\\" in value:
                raise _NotPlain
            categories.extend(value.split(","))
        elif name == "ATTENDEE":
            person, email = _address(params, value)
            partstat = params.get("PARTSTAT")
            attendees.append(Attendee(person, email, partstat.upper() if partstat else None))
    if "UID" not in seen or "DTSTART" not in seen:
        raise _NotPlain
    start = _when(*seen["DTSTART"])
    end: datetime | date | None = None
    if "DTEND" in seen:
        end = _when(*seen["DTEND"])
        if isinstance(end, datetime) != isinstance(start, datetime):
            raise _NotPlain
        if isinstance(end, datetime) and isinstance(start, datetime):
            if (end.tzinfo is None) != (start.tzinfo is None) or end < start:
                raise _NotPlain
        elif _before(end, start):
            raise _NotPlain
    if "DURATION" in seen:
        if end is not None:
            raise _NotPlain  # both: icalendar calls the event invalid
        end = _end_of(start, *seen["DURATION"])
    stamp = None
    for key in ("LAST-MODIFIED", "DTSTAMP"):
        if key in seen:
            stamp = _stamp(*seen[key])
            if stamp is not None:
                break
    organizer = Person(*_address(*seen["ORGANIZER"])) if "ORGANIZER" in seen else None
    kind = seen.get("X-FOLLOWCAL-KIND")
    if kind is not None and "\\" in kind[1]:
        raise _NotPlain  # read verbatim or unescaped depending on the icalendar version
    status = seen.get("STATUS")
    tzinfo = getattr(start, "tzinfo", None)
    return SourceEvent(
        uid=_text(seen["UID"][1]),
        summary=_text(seen["SUMMARY"][1]).strip() if "SUMMARY" in seen else "",
        start=start,
        end=end,
        recurrence_id=None,
        description=_text(seen["DESCRIPTION"][1]) if "DESCRIPTION" in seen else "",
        categories=tuple(categories),
        tzid=getattr(tzinfo, "key", None),
        status=_text(status[1]).upper() if status and status[1] else None,
        organizer=organizer,
        attendees=tuple(attendees),
        followcal_kind=kind[1] if kind is not None else None,
        stamp=stamp,
        origin=origin,
    )


_OWNED_SINGLE = frozenset({"UID", "X-FOLLOWCAL-KIND", "SUMMARY", "DESCRIPTION", "DTSTART", "DTEND", "DURATION",
                           "X-FOLLOWCAL-INTERVIEW-START", "RELATED-TO", "SEQUENCE", "X-FOLLOWCAL-HASH"})


_UTC_STAMP = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z")


def _utc_stamp(value: str) -> datetime | None:
    """`datetime.strptime(value, "%Y%m%dT%H%M%SZ")` in UTC, None where it raises; the form we
    write is read directly (strptime was a tenth of reading an export back)."""
    match = _UTC_STAMP.fullmatch(value)
    if match is not None:
        try:
            y, mo, d, h, mi, sec = (int(g) for g in match.groups())
            return datetime(y, mo, d, h, mi, sec, tzinfo=UTC)
        except ValueError:
            return None
    try:
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def owned_event(lines: list[bytes], ref: str | None = None, etag: str | None = None) -> OwnedEvent | None:
    """One of followcal's own reminder VEVENTs (its own lines, VALARM left out) as the OwnedEvent
    `own_events.owned_from_component` makes of icalendar's parse, or None to leave it to icalendar.
    Reading back an export to carry its SEQUENCE numbers was most of a repeated `export`."""
    try:
        return _read_owned(lines, ref, etag)
    except (_NotPlain, UnicodeDecodeError):
        return None


def _read_owned(lines: list[bytes], ref: str | None, etag: str | None) -> OwnedEvent | None:
    seen: dict[str, tuple[dict[str, str], str]] = {}
    for raw in lines[1:-1]:
        line = raw.decode("utf-8")
        if line.endswith("\r"):
            raise _NotPlain
        name, params, value = _split(line)
        if name in ("BEGIN", "END"):
            raise _NotPlain
        if name in _OWNED_SINGLE:
            if name in seen:
                raise _NotPlain
            seen[name] = (params, value)
    if "DURATION" in seen or "UID" not in seen or "X-FOLLOWCAL-KIND" not in seen:
        raise _NotPlain
    uid = _text(seen["UID"][1])
    kind = seen["X-FOLLOWCAL-KIND"][1]
    hashed = seen.get("X-FOLLOWCAL-HASH")
    if "\\" in kind or (hashed and "\\" in hashed[1]) or not uid.endswith(UID_SUFFIX):
        raise _NotPlain
    if "DTSTART" not in seen:  # not one we wrote: left to icalendar like any other odd event
        raise _NotPlain
    start = _when(*seen["DTSTART"])
    end = _when(*seen["DTEND"]) if "DTEND" in seen else None
    if end is not None and (isinstance(end, datetime) != isinstance(start, datetime) or _before(end, start)):
        raise _NotPlain
    interview_start = None
    raw_start = seen.get("X-FOLLOWCAL-INTERVIEW-START")
    if raw_start is not None:
        interview_start = _utc_stamp(raw_start[1])
    sequence = seen.get("SEQUENCE")
    if sequence is not None and (sequence[0] or not sequence[1].isdigit()):
        raise _NotPlain
    related = seen.get("RELATED-TO")
    return OwnedEvent(
        uid=uid,
        kind=kind,
        summary=_text(seen["SUMMARY"][1]) if "SUMMARY" in seen else "",
        description=_text(seen["DESCRIPTION"][1]) if "DESCRIPTION" in seen else "",
        start=start,
        end=end,
        sequence=int(sequence[1]) if sequence is not None else 0,
        stored_fingerprint=hashed[1] if hashed is not None else None,
        interview_uid=_text(related[1]) if related is not None else None,
        interview_start=interview_start,
        ref=ref,
        etag=etag,
    )
