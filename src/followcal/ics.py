"""iCalendar text <-> domain objects. No network, no files: bytes in, bytes out.

Reading is built for large exports (tens of thousands of events, a few dozen interviews): the
unfolded text is scanned for candidate VEVENTs (keyword in SUMMARY or CATEGORIES), and only those,
every component sharing a candidate's UID (series masters and overrides) and the VTIMEZONEs are
handed to icalendar and recurring-ical-events. `read_calendar(..., keywords=None)` parses
everything: the equivalence test holds both paths to the same plan.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from .errors import SourceError
from .model import UID_SUFFIX, Attendee, OwnedEvent, Person, Reminder, SourceEvent, Window

_FOLD = re.compile(rb"\n[ \t]")
_BOUNDARY = re.compile(rb"\n(?:[Bb][Ee][Gg][Ii][Nn]|[Ee][Nn][Dd]):[^\n]*")
_NAME_RE = re.compile(rb"^([A-Za-z0-9-]+)")
# on text with lines joined by LF (the last two on lowercased text):
_UID_VALUE = re.compile(rb"\n[Uu][Ii][Dd]([;:][^\n]*)")
_TEXT_LINE = re.compile(rb"\n(?:summary|categories)[;:]")
_NON_ASCII_TEXT_LINE = re.compile(rb"\n(?:summary|categories)[;:][^\n\x80-\xff]*[\x80-\xff]")
_TEXT_PROPS = (b"summary:", b"summary;", b"categories:", b"categories;")
_ESCAPED = (",", ";", "\\", "\n", "\r")  # a keyword with one of these may be hidden by an escape
PRODID = "-//followcal//followcal//EN"
MAX_NESTING = 50


def unfold(data: bytes) -> bytes:
    """RFC 5545 unfolding, exactly `re.sub(rb"\\r?\\n[ \\t]", b"", data)`: a CR that precedes a
    folding LF goes with it. Splitting on the literal LF first is several times faster."""
    parts = _FOLD.split(data)
    last = parts.pop()
    return b"".join([p[:-1] if p.endswith(b"\r") else p for p in parts] + [last])


class Block(NamedTuple):
    """One top-level component of a VCALENDAR: its unfolded text, lines joined by LF.

    A NamedTuple: a large export makes tens of thousands of these, and a frozen dataclass's
    __init__ costs several times more."""

    name: str
    text: bytes

    @property
    def lines(self) -> list[bytes]:
        return self.text.split(b"\n")

    def prop(self, name: bytes) -> list[bytes]:
        """Raw values of a property (parameters dropped); cheap, no unescaping."""
        out = []
        for line in self.lines:
            if line[: len(name)].upper() == name and line[len(name) : len(name) + 1] in (b":", b";"):
                value = _value_of(line)
                if value is not None:
                    out.append(value)
        return out


def _value_of(line: bytes) -> bytes | None:
    """The value after the first colon that is not inside a quoted parameter."""
    colon = line.find(b":")
    if colon >= 0 and b'"' not in line[:colon]:
        return line[colon + 1 :]
    quoted = False
    for i, ch in enumerate(line):
        if ch == 0x22:  # "
            quoted = not quoted
        elif ch == 0x3A and not quoted:  # :
            return line[i + 1 :]
    return None


def split_calendar(data: bytes, origin: str) -> tuple[list[bytes], list[Block]]:
    """Calendar-level property lines and top-level component blocks, in one linear pass.

    Line ends are those of bytes.splitlines() (CRLF, LF, CR). Only BEGIN:/END: lines are visited
    in Python (a regex finds them); a block is a slice of the unfolded text. Raises SourceError
    when the data is not an iCalendar stream at all.
    """
    if not data.strip():
        raise SourceError(f"{origin}: the file is empty")
    text = unfold(data.lstrip(b"\xef\xbb\xbf"))
    text = b"\n" + text.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    first = text.lstrip().split(b"\n", 1)[0]
    if first.strip().upper() != b"BEGIN:VCALENDAR":
        raise SourceError(f"{origin}: not an iCalendar file (it does not start with BEGIN:VCALENDAR)")
    header: list[bytes] = []
    blocks: list[Block] = []
    depth = calendars = 0
    start, name, pos = -1, "", 0
    for match in _BOUNDARY.finditer(text):
        at = match.start() + 1
        if depth == 1 and at > pos + 1:
            header.extend(ln for ln in text[pos:at].split(b"\n") if ln.strip())
        pos = match.end()
        if text[at] in b"Bb":
            depth += 1
            if depth == 1:
                calendars += 1
            elif depth == 2:
                start, name = at, text[at + 6 : pos].strip().upper().decode("ascii", "replace")
        elif depth == 1 and text[at : at + 6].upper() == b"END:VC":
            depth = 0
        else:
            depth -= 1
            if depth == 1 and start >= 0:
                blocks.append(Block(name, text[start:pos]))
                start = -1
            elif depth < 1:
                depth = 0
    if depth == 1:
        header.extend(ln for ln in text[pos:].split(b"\n") if ln.strip())
    if calendars == 0:
        raise SourceError(f"{origin}: not an iCalendar file (no VCALENDAR)")
    return header, blocks


def _unescape(text: str) -> str:
    """TEXT unescaping the way icalendar does it for SUMMARY."""
    return text.replace("\\N", "\\n").replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")


def _text_line_matches(line: bytes, words: Sequence[str]) -> bool:
    """A SUMMARY/CATEGORIES line read as detect reads it (decoded, unescaped or not, casefolded)."""
    raw = line.decode("utf-8", "replace")
    variants = {raw.casefold(), _unescape(raw).casefold(), raw.replace("\\", "").casefold()}
    return any(w in v for v in variants for w in words)


def _own_uid(block: Block) -> bytes | None:
    """The component's own UID (not a VALARM's), raw and stripped; None when it has none."""
    depth = 0
    for line in block.lines:
        head = line[:6].upper()
        if head == b"BEGIN:":
            depth += 1
        elif head[:4] == b"END:":
            depth -= 1
        elif depth == 1 and head[:3] == b"UID" and head[3:4] in (b":", b";"):
            value = _value_of(line)
            if value is not None:
                return value.strip()
    return None


def select_blocks(blocks: list[Block], keywords: Iterable[str] | None) -> list[Block]:
    """VTIMEZONEs, candidate VEVENTs and every VEVENT sharing a candidate's UID.

    A candidate has a keyword in a SUMMARY or CATEGORIES line. That is a superset of what
    detect.is_interview accepts: ASCII lines are matched in bytes (lowercase == casefold there);
    lines with non-ASCII bytes, and every line when a keyword holds a character that TEXT escapes,
    are decoded and matched raw, unescaped and without backslashes. The blocks are searched as one
    lowercased text, so only keyword hits and UID lines are visited in Python.
    """
    if keywords is None:
        return blocks
    from bisect import bisect_right

    words = [k.casefold() for k in keywords if k.strip()]
    fast = [w.encode("ascii") for w in words if w.isascii() and not any(c in w for c in _ESCAPED)]
    starts, offset = [], 1
    for block in blocks:
        starts.append(offset)
        offset += len(block.text) + 1
    joined = b"\n" + b"\n".join(b.text for b in blocks)
    lowered = joined.lower()

    hits: set[int] = set()
    for word in fast:  # bytes.find beats a regex alternation several times over
        at = lowered.find(word)
        while at >= 0:
            if lowered.startswith(_TEXT_PROPS, lowered.rfind(b"\n", 0, at) + 1):
                hits.add(bisect_right(starts, at) - 1)
            at = lowered.find(word, at + 1)
    lines = _NON_ASCII_TEXT_LINE if len(fast) == len(words) else _TEXT_LINE
    for match in lines.finditer(lowered):
        end = joined.find(b"\n", match.end())
        if _text_line_matches(joined[match.start() + 1 : end if end >= 0 else None], words):
            hits.add(bisect_right(starts, match.start() + 1) - 1)

    # every VEVENT whose own UID is a candidate's (series masters, overrides); a UID line is
    # only looked at closely when its value is one of those few UIDs
    keys = {i: _own_uid(blocks[i]) for i in hits if blocks[i].name == "VEVENT"}
    chosen = set(keys)
    wanted = {k for k in keys.values() if k is not None}
    if wanted:
        for match in _UID_VALUE.finditer(joined):
            raw = match.group(1)
            key = raw[1:].strip() if raw[:1] == b":" else (_value_of(raw) or b"").strip()
            if key in wanted:
                i = bisect_right(starts, match.start() + 1) - 1
                if i not in chosen and blocks[i].name == "VEVENT" and _own_uid(blocks[i]) in wanted:
                    chosen.add(i)
    return [block for i, block in enumerate(blocks) if block.name == "VTIMEZONE" or i in chosen]


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

    header, blocks = split_calendar(data, origin)
    chosen = select_blocks(blocks, keywords)
    warnings: list[str] = []
    body = [b"BEGIN:VCALENDAR", *header]
    for block in chosen:
        if _too_deep(block):
            warnings.append(f"skipped event {_block_uid(block)} ({origin}): components nested too deeply")
            continue
        lines = _trimmed(block, origin, warnings)
        if block.name == "VEVENT":
            lines = _own_lines(block, lines)
            if keywords is not None:
                lines = _used_lines(lines)
        body.extend(lines)
    body.append(b"END:VCALENDAR")
    try:
        calendar = icalendar.Calendar.from_ical(b"\r\n".join(body) + b"\r\n")
    except (ValueError, IndexError, KeyError, RecursionError) as exc:
        raise SourceError(f"{origin}: cannot parse the calendar: {_short(exc)}") from None
    if header and any(h.upper().startswith(b"X-WR-TIMEZONE") for h in header):
        import x_wr_timezone

        try:
            calendar = x_wr_timezone.to_standard(calendar)
        except Exception as exc:  # the library raises assorted errors on odd input
            warnings.append(f"{origin}: X-WR-TIMEZONE ignored: {_short(exc)}")
    good = _drop_bad_events(calendar, origin, warnings)
    return _expand(good, origin, window, now, warnings), warnings


MAX_LINE = 64 * 1024  # bytes of one unfolded content line; longer ones are cut short or dropped
MAX_SUMMARY = 1024
_TRIMMABLE = (b"SUMMARY", b"DESCRIPTION")


def _trimmed(block: Block, origin: str, warnings: list[str]) -> list[bytes]:
    """The block's lines with absurdly long ones cut short (SUMMARY, DESCRIPTION) or dropped
    (attachments, anything else): one 20 MB line must not make parsing, drafting and writing the
    reminders crawl, and the event itself still counts."""
    lines = block.lines
    if max(map(len, lines), default=0) <= MAX_SUMMARY:
        return lines
    out = []
    for line in lines:
        match = _NAME_RE.match(line)
        name = match.group(1).upper() if match else b"?"
        limit = MAX_SUMMARY if name == b"SUMMARY" else MAX_LINE
        if len(line) <= limit:
            out.append(line)
            continue
        shown = f"event {_block_uid(block)} ({origin}): {name[:40].decode('ascii', 'replace')}"
        if name in _TRIMMABLE and _value_of(line[:limit]) is not None:
            end = limit
            while end > 0 and 0x80 <= line[end] < 0xC0:  # never split a UTF-8 character
                end -= 1
            cut = line[:end]
            if (len(cut) - len(cut.rstrip(b"\\"))) % 2:  # nor an escape
                cut = cut[:-1]
            out.append(cut)
            warnings.append(f"{shown} longer than {limit} bytes; cut short")
        else:
            warnings.append(f"{shown} longer than {limit} bytes; ignored")
    return out


_SUB_BEGIN = re.compile(rb"\n[Bb][Ee][Gg][Ii][Nn]:")


def _own_lines(block: Block, lines: list[bytes]) -> list[bytes]:
    """A VEVENT's lines without its sub-components (VALARMs): nothing is read from them, and
    icalendar would parse them and recurring-ical-events copy them into every occurrence."""
    if not _SUB_BEGIN.search(block.text):
        return lines
    out, depth = [], 0
    for line in lines:
        head = line[:6].upper()
        if head == b"BEGIN:":
            depth += 1
        if depth <= 1:
            out.append(line)
        if head[:4] == b"END:":
            depth -= 1
    return out


# Every VEVENT property followcal (to_source_event, _event_problem) or recurring-ical-events
# reads. The fast path hands icalendar only these; the full path parses everything, and the
# equivalence tests hold both to the same plan.
_USED = frozenset(
    b"BEGIN END UID SUMMARY DESCRIPTION CATEGORIES DTSTART DTEND DURATION RRULE RDATE EXDATE "
    b"EXRULE RECURRENCE-ID SEQUENCE STATUS ORGANIZER ATTENDEE LAST-MODIFIED DTSTAMP".split()
)


def _used_lines(lines: list[bytes]) -> list[bytes]:
    out = []
    for line in lines:
        match = _NAME_RE.match(line)
        name = match.group(1).upper() if match else b""
        if name in _USED or name.startswith(b"X-FOLLOWCAL-"):
            out.append(line)
    return out


def _too_deep(block: Block) -> bool:
    depth = 0
    for line in block.lines:
        head = line[:6].upper()
        if head == b"BEGIN:":
            depth += 1
            if depth > MAX_NESTING:
                return True
        elif line[:4].upper() == b"END:":
            depth -= 1
    return False


def _block_uid(block: Block) -> str:
    uid = block.prop(b"UID")
    return uid[0].decode("utf-8", "replace").strip() if uid else "(no UID)"


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
        problem = _event_problem(component)
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
        if window.since is None and window.until is None and recurring_uids:
            # series are kept only in [series_lo, series_hi): expanding them over the span of all
            # single events (years of history) would build occurrences just to drop them
            pad = timedelta(days=2)
            occurrences = _occurrences(_subset(calendar, recurring_uids, False), lo, hi)
            occurrences += _occurrences(_subset(calendar, recurring_uids, True), series_lo - pad, series_hi + pad)
        else:
            occurrences = _occurrences(calendar, lo, hi)
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


def _occurrences(calendar: Any, lo: datetime, hi: datetime) -> list[Any]:
    import recurring_ical_events

    return list(recurring_ical_events.of(calendar, skip_bad_series=True).between(lo, hi))


def _subset(calendar: Any, uids: set[str], inside: bool) -> Any:
    """The calendar with only the VEVENTs whose UID is (or is not) in `uids`; whole UID groups,
    so a series keeps its overrides."""
    part = type(calendar)()
    part.update(calendar)
    part.subcomponents = [
        c for c in calendar.subcomponents if c.name != "VEVENT" or (str(c.get("UID")) in uids) == inside
    ]
    return part


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
