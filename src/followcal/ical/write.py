"""followcal's own serialiser for the reminder events it writes (issue 17: export as fast as plan).

Why not icalendar's `to_ical`: it builds a component tree per event and folds every line in a
per-character Python loop; for a feed of a thousand reminders that was most of `export`. followcal
writes a fixed, small set of properties, so each VEVENT is produced here as text, in the layout
icalendar itself uses (its canonical property order, then the rest sorted; its TEXT escaping; its
folding at 75 octets that never splits a UTF-8 character or an escape), so the bytes are the ones
icalendar wrote before. icalendar stays the reader of record: the tests parse every export with it
and compare, and VTIMEZONEs (a few per feed) are still serialised by icalendar.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from followcal.core.mailto import first_link
from followcal.core.model import Reminder

PRODID = "-//followcal//followcal//EN"
CALENDAR_END = b"END:VCALENDAR\r\n"
_FOLD_LIMIT = 75  # octets per line before the CRLF, as RFC 5545 asks and icalendar does


def escape_text(text: str) -> str:
    """RFC 5545 TEXT escaping, in icalendar's order (backslash first, newlines normalised)."""
    if "\\" not in text and "\r" not in text:  # the other replaces have nothing to do
        return text.replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    return (
        text.replace("\\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def unknown_value(text: str) -> str:
    """An X- property's value as icalendar writes it (type UNKNOWN: verbatim, no escaping); a line
    break, which UNKNOWN cannot hold, becomes a space."""
    if "\n" not in text and "\r" not in text:
        return text
    return text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def fold(line: str) -> str:
    """One content line folded at 75 octets with CRLF + space (icalendar's rule: never inside a
    UTF-8 character, and a backslash or caret stays with the character it escapes)."""
    return fold_bytes(line.encode("utf-8")).decode("utf-8")


def _utf8_parts() -> re.Pattern[bytes]:
    """`fold_bytes_loop`'s parts of valid UTF-8 as one findall: the rest when at most 74 octets
    are left, else the cut at 74 - j octets, j the continuation bytes (at most 3) there, one
    octet earlier when the octet before the cut is a backslash or caret."""
    alternatives = [rb".{1,74}+\Z"]
    for k in (74, 73, 72, 71):
        after = rb"[^\x80-\xbf][\x80-\xbf]{%d}" % (74 - k)  # the cut: a lead byte, then 74 - k more
        alternatives.append(rb".{%d}[^\\^](?=%s)" % (k - 1, after))
        alternatives.append(rb".{%d}(?=[\\^]%s)" % (k - 1, after))
    return re.compile(rb"(?s)" + b"|".join(alternatives))


_UTF8_PARTS = _utf8_parts()


def fold_bytes(line: bytes) -> bytes:
    """`fold` on the UTF-8 bytes: each part holds at most 74 octets, a character that would cross
    that limit starts the next part, and so does an escaping backslash or caret.

    One findall (`_UTF8_PARTS`); `fold_bytes_loop` for bytes that are not UTF-8, where a part
    would be left out (the parts then do not add up to the line)."""
    if len(line) <= _FOLD_LIMIT - 1:
        return line
    parts = _UTF8_PARTS.findall(line)
    folded = b"\r\n ".join(parts)
    if len(folded) != len(line) + 3 * (len(parts) - 1):
        return fold_bytes_loop(line)
    return folded


def fold_bytes_loop(line: bytes) -> bytes:
    """`fold` on the UTF-8 bytes, by slicing (the reference `fold_bytes` short-cuts)."""
    limit = _FOLD_LIMIT - 1
    if len(line) <= limit:
        return line
    parts: list[bytes] = []
    start = 0
    end = len(line)
    while end - start > limit:
        cut = start + limit
        while 0x80 <= line[cut] < 0xC0:  # inside a UTF-8 character: it moves to the next part
            cut -= 1
        if cut - start > 1 and line[cut - 1] in b"\\^":
            cut -= 1
        parts.append(line[start:cut])
        start = cut
    parts.append(line[start:])
    return b"\r\n ".join(parts)


def _stamp(value: datetime) -> str:
    """A DATE-TIME value; UTC gets Z, a zone gets its TZID parameter (see `_when`)."""
    # printf-style: twice as fast as the f-string with format specs, and this runs 3x per event
    return "%04d%02d%02dT%02d%02d%02d" % (value.year, value.month, value.day, value.hour, value.minute, value.second)  # noqa: UP031


def _utc_stamp(value: datetime) -> str:
    """`value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")`, without strftime (three times slower)
    where the two agree: strftime writes a year before 1000 without its leading zeros."""
    value = value.astimezone(UTC)
    if value.year < 1000:
        return value.strftime("%Y%m%dT%H%M%SZ")
    return _stamp(value) + "Z"


def _is_utc(value: datetime) -> bool:
    offset = value.utcoffset()
    if offset is None or offset != timedelta(0):
        return False
    key = getattr(value.tzinfo, "key", None)
    return value.tzinfo is UTC or key in ("UTC", "Etc/UTC")


def _when(name: str, value: date | datetime) -> str:
    """DTSTART/DTEND/DTSTAMP as icalendar writes them: VALUE=DATE, Z for UTC, TZID for a zone."""
    if not isinstance(value, datetime):
        return f"{name};VALUE=DATE:{value.year:04}{value.month:02}{value.day:02}"
    zone = value.tzinfo
    if zone is None:
        return f"{name}:{_stamp(value)}"
    if zone is UTC:  # `_is_utc`, asked only where its answer is not known at once
        return f"{name}:{_stamp(value)}Z"
    key = getattr(zone, "key", None)
    if key in ("UTC", "Etc/UTC") and _is_utc(value):
        return f"{name}:{_stamp(value)}Z"
    return f"{name};TZID={key or str(zone)}:{_stamp(value)}"


def duration(value: timedelta) -> str:
    """An RFC 5545 DURATION the way icalendar's vDuration writes it (P0D, PT15M, P1DT2H)."""
    sign = ""
    if value.days < 0:
        sign, value = "-", -value
    timepart = ""
    if value.seconds:
        hours, minutes, seconds = value.seconds // 3600, value.seconds % 3600 // 60, value.seconds % 60
        timepart = "T" + (f"{hours}H" if hours else "")
        if minutes or (hours and seconds):
            timepart += f"{minutes}M"
        if seconds:
            timepart += f"{seconds}S"
    if value.days == 0 and timepart:
        return f"{sign}P{timepart}"
    return f"{sign}P{value.days}D{timepart}"


def event_bytes(reminder: Reminder, sequence: int) -> bytes:
    """The VEVENT of one reminder (DESIGN.md "Reminder events"), CRLF-terminated lines."""
    before, after = event_halves(reminder)
    return b"%s%d%s" % (before, sequence, after)


def event_halves(reminder: Reminder) -> tuple[bytes, bytes]:
    """`event_bytes` without its SEQUENCE number: the bytes up to "SEQUENCE:" and those after the
    number (ical/unchanged.py reads the number a file has there; the line never folds)."""
    if reminder.all_day:
        start: date | datetime = reminder.date
        end: date | datetime = reminder.date + timedelta(days=1)
    else:
        start, end = reminder.due, reminder.end
    summary = escape_text(reminder.summary)
    link = first_link(reminder.description)  # a URI: written as it is, never escaped
    stamp = _when("DTSTAMP", reminder.stamp)
    dtstart, dtend = _when("DTSTART", start), _when("DTEND", end)
    uid, related = escape_text(reminder.uid), escape_text(reminder.interview_uid)
    interview, kind = unknown_value(reminder.interview_id), unknown_value(reminder.kind)
    # DESCRIPTION, the long one, folded on its own: as bytes, so that a non-ASCII one is encoded once
    description = _line_bytes("DESCRIPTION:" + escape_text(reminder.description))
    # the first draft's mailto: link (one tap opens it), long too
    url = _line_bytes("URL:" + link) + b"\r\n" if link else b""
    if (len(summary) <= _FOLD_LIMIT - 1 - len("DESCRIPTION:") and len(uid) <= _FOLD_LIMIT - 1 - len("UID:")
            and len(related) <= _FOLD_LIMIT - 1 - len("RELATED-TO:") and len(dtstart) < _FOLD_LIMIT
            and len(dtend) < _FOLD_LIMIT and len(stamp) <= _FOLD_LIMIT - 7 and len(interview) + len(kind) <= 40):
        # every other line fits (the usual case): the lines of `_event_lines` as three texts
        head = f"BEGIN:VEVENT\r\nSUMMARY:{summary}\r\n{dtstart}\r\n{dtend}\r\n{stamp}\r\nUID:{uid}\r\nSEQUENCE:"
        rest = (f"LAST-MODIFIED{stamp[len('DTSTAMP'):]}\r\nRELATED-TO:{related}\r\nSTATUS:CONFIRMED\r\n"
                "TRANSP:TRANSPARENT\r\n")
        tail = (f"X-FOLLOWCAL-HASH:{unknown_value(reminder.fingerprint)}\r\nX-FOLLOWCAL-INTERVIEW:{interview}\r\n"
                f"X-FOLLOWCAL-INTERVIEW-START:{_utc_stamp(reminder.interview_start)}\r\nX-FOLLOWCAL-KIND:{kind}\r\n"
                f"BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:{summary}\r\nTRIGGER:P0D\r\nEND:VALARM\r\n"
                "END:VEVENT\r\n")
        if head.isascii() and tail.isascii() and rest.isascii():  # O(1): a str knows it is ASCII
            return head.encode("ascii"), b"".join((_AFTER_SEQUENCE, description, b"\r\n",
                                                   rest.encode("ascii"), url, tail.encode("ascii")))
    lines, rest_lines, tail_lines = _event_lines(reminder, summary, stamp, dtstart, dtend)
    return (content_lines(lines) + b"SEQUENCE:",
            b"".join((_AFTER_SEQUENCE, description, b"\r\n", content_lines(rest_lines), url,
                      content_lines(tail_lines))))


# what follows the SEQUENCE number: the line's end, then the first of the alphabetical rest
_AFTER_SEQUENCE = b"\r\nCATEGORIES:followcal\r\n"


def _event_lines(reminder: Reminder, summary: str, stamp: str, dtstart: str, dtend: str
                 ) -> tuple[list[str], list[str], list[str]]:
    """`event_halves`' content lines, unfolded: those before SEQUENCE, those between DESCRIPTION
    and URL, those after URL. The general case, and the reference of the usual one (the unit tests
    hold them equal)."""
    lines = [
        "BEGIN:VEVENT",
        # icalendar's canonical order first ...
        "SUMMARY:" + summary,
        dtstart,
        dtend,
        stamp,
        "UID:" + escape_text(reminder.uid),
        # ... then SEQUENCE, and the rest in alphabetical order (from CATEGORIES:followcal on)
    ]
    rest = [
        "LAST-MODIFIED" + stamp[len("DTSTAMP") :],  # the same value: _when only prefixes the name
        "RELATED-TO:" + escape_text(reminder.interview_uid),
        "STATUS:CONFIRMED",
        "TRANSP:TRANSPARENT",
    ]
    tail = [
        "X-FOLLOWCAL-HASH:" + unknown_value(reminder.fingerprint),
        "X-FOLLOWCAL-INTERVIEW:" + unknown_value(reminder.interview_id),
        "X-FOLLOWCAL-INTERVIEW-START:" + _utc_stamp(reminder.interview_start),
        "X-FOLLOWCAL-KIND:" + unknown_value(reminder.kind),
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        "DESCRIPTION:" + summary,
        "TRIGGER:P0D",
        "END:VALARM",
        "END:VEVENT",
    ]
    return lines, rest, tail


def _line_bytes(line: str) -> bytes:
    """`fold_bytes(line.encode("utf-8"))`, without the encoding for an ASCII line that fits."""
    if line.isascii():
        return (line if len(line) <= _FOLD_LIMIT - 1 else _fold_ascii(line)).encode("ascii")
    return fold_bytes(line.encode("utf-8"))


def content_lines(lines: Sequence[str]) -> bytes:
    """`b"".join(fold_bytes(line.encode()) + CRLF for line in lines)`, encoding once: a line of
    at most 74 ASCII characters (most of them) needs no folding, and a folded line decodes
    back, as the fold never cuts inside a UTF-8 character."""
    limit = _FOLD_LIMIT - 1
    if max(map(len, lines), default=0) <= limit:  # the lines fit (as octets too if ASCII)
        text = "\r\n".join(lines)
        if text.isascii():
            return (text + "\r\n").encode("ascii") if lines else b""
    out = [
        line if len(line) <= limit and line.isascii()
        else _fold_ascii(line) if line.isascii() else fold_bytes(line.encode("utf-8")).decode("utf-8")
        for line in lines
    ]
    out.append("")
    return "\r\n".join(out).encode("utf-8")


# `_fold_ascii_loop`'s parts, found by one findall: 74 characters unless the 74th is a backslash or
# caret and more follows (then 73), the rest when at most 74 are left
_ASCII_PARTS = re.compile(r"(?s).{73}[^\\^]|.{74}\Z|.{73}|.+")


def _fold_ascii(line: str) -> str:
    """`fold_bytes` of an ASCII line longer than 74 characters, on the text itself (a character is
    an octet): `_fold_ascii_loop` by one findall."""
    return "\r\n ".join(_ASCII_PARTS.findall(line))


def _fold_ascii_loop(line: str) -> str:
    """`fold_bytes` of an ASCII line, on the text itself (a character is an octet)."""
    limit = _FOLD_LIMIT - 1
    parts: list[str] = []
    start = 0
    end = len(line)
    while end - start > limit:
        cut = start + limit
        if cut - start > 1 and line[cut - 1] in "\\^":
            cut -= 1
        parts.append(line[start:cut])
        start = cut
    parts.append(line[start:])
    return "\r\n ".join(parts)


def timezones(reminders: Sequence[Reminder]) -> list[Any]:
    """The VTIMEZONEs the reminders use, a year either side (vtimezone.py: one RDATE per line)."""
    from followcal.ical.vtimezone import vtimezone  # one RDATE per line: every consumer reads every change

    return [vtimezone(tzid, first, last) for tzid, first, last in _zone_spans(reminders)]


def timezone_bytes(reminders: Sequence[Reminder]) -> list[bytes]:
    """`[tz.to_ical() for tz in timezones(reminders)]`, written without icalendar."""
    from followcal.ical.vtimezone import vtimezone_bytes

    return [vtimezone_bytes(tzid, first, last) for tzid, first, last in _zone_spans(reminders)]


def _zone_spans(reminders: Sequence[Reminder]) -> list[tuple[str, date, date]]:
    zones: dict[str, list[date]] = {}
    for r in reminders:
        if not r.all_day:
            zones.setdefault(r.timezone, []).append(r.date)
    return [(tzid, date(min(zones[tzid]).year - 1, 1, 1), date(max(zones[tzid]).year + 1, 12, 31))
            for tzid in sorted(zones) if tzid != "UTC"]


def calendar_bytes(
    reminders: Sequence[Reminder],
    sequences: dict[str, int] | None = None,
    *,
    name: str = "followcal reminders",
    refresh_minutes: int | None = None,
) -> bytes:
    """A whole reminder calendar; the same reminders give byte-identical output.

    The VEVENTs and VTIMEZONEs come from followcal's own serialiser (icalendar's layout, without
    its per-character folding); the tests compare both with icalendar's writing."""
    return b"".join(calendar_parts(reminders, sequences, name=name, refresh_minutes=refresh_minutes))


def calendar_parts(
    reminders: Sequence[Reminder],
    sequences: dict[str, int] | None = None,
    *,
    name: str = "followcal reminders",
    refresh_minutes: int | None = None,
) -> Iterator[bytes]:
    """`calendar_bytes` in pieces, made as they are asked for (ical/unchanged.py compares them
    with a file one by one, without joining megabytes it already has)."""
    sequences = sequences or {}
    yield calendar_head(name, refresh_minutes)
    yield from timezone_bytes(reminders)
    for reminder in in_due_order(reminders):
        yield event_bytes(reminder, sequences.get(reminder.uid, 0))
    yield CALENDAR_END


def calendar_head(name: str, refresh_minutes: int | None) -> bytes:
    """The VCALENDAR's opening lines, up to its first component."""
    head = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:" + escape_text(PRODID),
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALDESC:Thank-you notes, follow-ups and cut-offs after job interviews",
        "NAME:" + escape_text(name),
        "X-WR-CALNAME:" + unknown_value(name),
    ]
    if refresh_minutes:
        ttl = duration(timedelta(minutes=refresh_minutes))
        head += [f"REFRESH-INTERVAL;VALUE=DURATION:{ttl}", f"X-PUBLISHED-TTL:{ttl}"]
    return b"".join(fold_bytes(line.encode("utf-8")) + b"\r\n" for line in head)


def in_due_order(reminders: Sequence[Reminder]) -> list[Reminder]:
    """`sorted(reminders, key=lambda r: (r.due, r.uid))`, on naive UTC instants where they order
    the same (comparing aware datetimes asks both zones for their offset each time).

    They do when every due time is in a fixed-offset zone or a ZoneInfo at a wall time neither
    ambiguous nor missing: then two in different zones compare as their instants anyway, and two in
    the same zone compare by wall time, which orders as the instants do (only the excluded times
    break the order); otherwise (a naive time, another tzinfo, an overflow) the sort as it was."""
    keys: list[tuple[datetime, str]] = []
    try:
        for r in reminders:
            due = r.due
            zone = due.tzinfo if type(due) is datetime else None
            if type(zone) is ZoneInfo:
                offset = due.utcoffset()
                if offset is None or due.replace(fold=1 - due.fold).utcoffset() != offset:
                    break
            elif type(zone) is timezone:
                offset = zone.utcoffset(due)
            else:
                break
            keys.append((due.replace(tzinfo=None) - offset, r.uid))
        else:
            order = sorted(range(len(keys)), key=keys.__getitem__)
            return [reminders[i] for i in order]
    except OverflowError:
        pass
    return sorted(reminders, key=lambda r: (r.due, r.uid))


def single_event_bytes(reminder: Reminder, sequence: int) -> bytes:
    """One reminder in its own VCALENDAR (a CalDAV resource), with its VTIMEZONE."""
    parts = [("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:" + escape_text(PRODID) + "\r\n").encode("utf-8")]
    parts += timezone_bytes([reminder])
    parts += [event_bytes(reminder, sequence), CALENDAR_END]
    return b"".join(parts)
