"""Zones and calendar-level lines of an iCalendar stream, put right before icalendar parses it.

Works on the unfolded blocks of scan. Why before parsing: icalendar turns a VTIMEZONE whose
TZID is not an IANA name ("W. Europe Standard Time") into an anonymous zone, and followcal then
planned the interview in the user's zone; one broken VTIMEZONE or calendar-level line made the
whole file unreadable. Here every TZID is resolved to an IANA zone where it has one (its
VTIMEZONE is then dropped, the IANA rules are used), a custom VTIMEZONE is read by its own
offsets, and whatever cannot be parsed is dropped with a warning that names it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import cast
from zoneinfo import ZoneInfo

from followcal.ical.scan import Block
from followcal.ical.tznames import candidate_zones, fixed_offset_zone, iana_zone, known_zone

_TZID_PARAM = re.compile(rb';TZID=("[^"]*"|[^;:]*)', re.IGNORECASE)
_TZID_LINE = re.compile(rb"^TZID[;:]", re.IGNORECASE)
_TZID_LINES = re.compile(rb"^[^\n]*;TZID=[^\n]*", re.IGNORECASE | re.MULTILINE)
_DATE_VALUE = re.compile(rb"^RDATE;(?:[^:]*;)?VALUE=(?:DATE|PERIOD)[;:]", re.IGNORECASE)
_YEAR = re.compile(rb"[^:]*:(\d{4})\d{4}")


@contextmanager
def file_local_zones() -> Iterator[None]:
    """icalendar keeps every VTIMEZONE it parses in a process-wide cache by TZID, so a custom zone
    of one file answered for the same TZID in the next file read (serve and sync read many).
    Custom zones added while reading one file are forgotten afterwards; IANA lookups stay.
    icalendar is not imported for this: a read that never needed it has nothing to forget."""
    before = set(_tz_cache() or ()) if "icalendar" in sys.modules else set()
    try:
        yield
    finally:
        cache = _tz_cache() if "icalendar" in sys.modules else None
        for key in [k for k in list(cache or ()) if k not in before]:
            if not isinstance(cache.get(key), ZoneInfo):  # type: ignore[union-attr]
                cache.pop(key, None)  # type: ignore[union-attr]


def _tz_cache() -> dict[str, object] | None:
    try:
        from icalendar.timezone import tzp

        # a private, name-mangled attribute of icalendar's TZP: read through getattr on purpose
        cache: dict[str, object] = getattr(tzp, "_TZP__tz_cache")  # noqa: B009
        return cache
    except (ImportError, AttributeError):  # another icalendar: nothing to isolate
        return None


def prepare(
    header: list[bytes], blocks: list[Block], origin: str, warnings: list[str]
) -> tuple[list[bytes], list[Block]]:
    """The header without unparseable lines and the blocks with every TZID resolved."""
    header = _good_header(header, origin, warnings)
    zones: dict[str, tuple[Block, tzinfo]] = {}
    kept: list[Block] = []
    for block in blocks:
        if block.name != "VTIMEZONE":
            kept.append(block)
            continue
        found = _timezone(block, origin, warnings)
        if found is not None:
            name, tz = found
            zones.setdefault(name, (block, tz))
            kept.append(block)
    used: dict[bytes, set[int]] = {}
    for block in kept:
        if block.name == "VTIMEZONE" or _TZID_PARAM.search(block.text) is None:
            continue
        for line in _TZID_LINES.findall(block.text):  # the lines that can hold one, not all
            for match in _TZID_PARAM.finditer(line, 0, _params_end(line)):
                years = used.setdefault(match.group(1), set())
                year = _YEAR.match(line, match.end())
                if year:
                    years.add(int(year.group(1)))
    mapping: dict[bytes, bytes] = {}
    dropped: set[str] = set()
    for raw, years in sorted(used.items()):
        name = _unquote(raw)
        target = _resolve(name, zones, years, origin, warnings)
        if target is not None and target != name:
            mapping[raw] = target.encode()
            dropped.add(name)
    if not mapping:
        return header, kept
    out: list[Block] = []
    for block in kept:
        if block.name == "VTIMEZONE":
            if _block_tzid(block) not in dropped:
                out.append(block)
            continue
        if _TZID_PARAM.search(block.text) is None:
            out.append(block)
            continue
        lines = [_renamed(line, mapping) if b"=" in line else line for line in block.lines]
        out.append(Block(block.name, b"\n".join(lines)))
    return header, out


def _params_end(line: bytes) -> int:
    """Where a content line's value starts (its first colon outside quotes): TZID= in a
    DESCRIPTION's text is not a parameter."""
    colon = line.find(b":")
    if colon >= 0 and b'"' not in line[:colon]:
        return colon
    quoted = False
    for i, ch in enumerate(line):
        if ch == 0x22:  # "
            quoted = not quoted
        elif ch == 0x3A and not quoted:  # :
            return i
    return len(line)


def _renamed(line: bytes, mapping: dict[bytes, bytes]) -> bytes:
    end = _params_end(line)
    head = _TZID_PARAM.sub(lambda m: b";TZID=" + mapping.get(m.group(1), m.group(1)), line[:end])
    return head + line[end:]


def _unquote(raw: bytes) -> str:
    return raw.decode("utf-8", "replace").strip().strip('"').strip()


def _block_tzid(block: Block) -> str | None:
    values = block.prop(b"TZID")
    if not values:
        return None
    text = values[0].decode("utf-8", "replace").replace("\\,", ",").replace("\\;", ";")  # Outlook escapes
    return text.strip().strip('"').strip()


# Calendar-level text properties with no parameters: every value is valid, so they need no
# trial parse (which would import icalendar on a fast path that may not need it otherwise).
_PLAIN_HEADER = re.compile(rb"^(?:X-[A-Za-z0-9-]+|VERSION|PRODID|CALSCALE|METHOD|NAME|DESCRIPTION|COLOR):",
                           re.IGNORECASE)


def _good_header(header: list[bytes], origin: str, warnings: list[str]) -> list[bytes]:
    """Calendar-level lines that icalendar can read; a broken one is dropped, not the file."""
    out = []
    for line in header:
        name = line.split(b":", 1)[0].split(b";", 1)[0].decode("utf-8", "replace")[:40]
        if not _PLAIN_HEADER.match(line):
            import icalendar

            try:
                icalendar.Calendar.from_ical(b"BEGIN:VCALENDAR\r\n" + line + b"\r\nEND:VCALENDAR\r\n")
            except Exception:  # noqa: BLE001 - icalendar raises assorted errors on odd lines
                warnings.append(f"{origin}: calendar property {name} could not be read; ignored")
                continue
        if name.upper() == "X-WR-TIMEZONE":
            value = line.split(b":", 1)[1].decode("utf-8", "replace") if b":" in line else ""
            zone = iana_zone(value)
            if zone is not None and zone != value.strip():
                line = b"X-WR-TIMEZONE:" + zone.encode()
        out.append(line)
    return out


def _timezone(block: Block, origin: str, warnings: list[str]) -> tuple[str, tzinfo] | None:
    """(TZID, its zone) of a VTIMEZONE, or None (with a warning) when it is broken."""
    tzid_lines = [ln for ln in block.lines if _TZID_LINE.match(ln)]
    name = _block_tzid(block) or "(no TZID)"
    problem = None
    if not tzid_lines:
        problem = "no TZID"
    elif len(tzid_lines) > 1:
        problem = "repeated TZID line"
    elif any(_DATE_VALUE.match(ln) for ln in block.lines):
        problem = "RDATE with a date instead of a date-time"
    if problem is None and plain_iana_timezone(block):
        # icalendar reads such a zone by its IANA name (its rules unused) and nothing in it can
        # fail to parse: skip importing and running icalendar for it (issue 17)
        return name, ZoneInfo(name)
    if problem is None:
        try:
            tz = icalendar_zone(block)
        except Exception as exc:  # noqa: BLE001 - icalendar/dateutil raise assorted errors
            problem = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
    if problem is not None:
        warnings.append(f"{origin}: time zone {name!r} (VTIMEZONE) dropped: {problem}")
        return None
    return name, tz


def icalendar_zone(block: Block) -> tzinfo:
    """The zone icalendar makes of a VTIMEZONE block; raises what icalendar or dateutil raise."""
    import icalendar

    # from_ical is typed as returning a Component; parsed from a VTIMEZONE block it is a Timezone
    component = cast(icalendar.Timezone, icalendar.Timezone.from_ical(block.text.replace(b"\n", b"\r\n") + b"\r\n"))
    tz: tzinfo = component.to_tz()
    datetime(2026, 6, 1, tzinfo=UTC).astimezone(tz).utcoffset()
    return tz


_PLAIN_TZ_LINE = re.compile(
    rb"TZID:[A-Za-z0-9/_+-]+|X-LIC-LOCATION:[A-Za-z0-9/_+-]+|LAST-MODIFIED:\d{8}T\d{6}Z"
    rb"|TZURL:[A-Za-z0-9:/._~%?=&+-]+|BEGIN:(?:STANDARD|DAYLIGHT)|END:(?:STANDARD|DAYLIGHT)"
    rb"|DTSTART:\d{8}T\d{6}|TZOFFSET(?:FROM|TO):[+-](?:[01]\d|2[0-3])[0-5]\d|TZNAME:[A-Za-z0-9+-]{1,20}"
    rb"|RDATE:\d{8}T\d{6}(?:,\d{8}T\d{6})*"
    rb"|RRULE:FREQ=YEARLY(?:;(?:BYMONTH=(?:1[0-2]|[1-9])|BYDAY=(?:[+-]?[1-5])?(?:MO|TU|WE|TH|FR|SA|SU)"
    rb"|BYMONTHDAY=-?(?:[12]\d|3[01]|[1-9])|UNTIL=\d{8}T\d{6}Z|COUNT=[1-9]\d{0,3}|INTERVAL=[1-9]))*"
)
_PLAIN_TZ_SHAPE = re.compile(
    rb"BEGIN:VTIMEZONE\n(?:(?!BEGIN:|END:)[^\n]*\n)*"
    rb"(?:BEGIN:(STANDARD|DAYLIGHT)\n(?:(?!BEGIN:|END:)[^\n]*\n)*END:\1\n(?:(?!BEGIN:|END:)[^\n]*\n)*)+"
    rb"END:VTIMEZONE"
)
_STAMP = re.compile(rb"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})")


def plain_iana_timezone(block: Block) -> bool:
    """A VTIMEZONE icalendar is sure to read without error as the IANA zone its TZID names: the
    TZID an IANA name exactly, STANDARD/DAYLIGHT parts, every line one of the plain forms
    exporters write (offsets, names, yearly rules, valid date-times). Anything else is parsed by
    icalendar as before; the equivalence tests check the claim on every corpus zone."""
    tzids = block.prop(b"TZID")
    if len(tzids) != 1 or not _PLAIN_TZ_SHAPE.fullmatch(block.text):
        return False
    name = tzids[0].decode("ascii", "replace")
    if not known_zone(name) or iana_zone(name) != name:
        return False
    try:
        if ZoneInfo(name).key != name:
            return False
    except (KeyError, ValueError):
        return False
    for line in block.lines[1:-1]:
        if not _PLAIN_TZ_LINE.fullmatch(line):
            return False
        for stamp in _STAMP.finditer(line):
            y, mo, d, h, mi, sec = (int(g) for g in stamp.groups())
            try:
                datetime(y, mo, d, h, mi, sec)
            except ValueError:
                return False
    return True


def _resolve(
    name: str, zones: dict[str, tuple[Block, tzinfo]], years: set[int], origin: str, warnings: list[str]
) -> str | None:
    """The IANA zone events with TZID `name` are read in (None: leave the TZID as it is)."""
    iana = iana_zone(name)
    if iana is not None:
        return iana
    if name in zones:
        match = matching_zone(zones[name][1], years or {2026})
        if match is not None:
            warnings.append(
                f"{origin}: time zone {name!r} is not an IANA or Windows name; "
                f"read by its VTIMEZONE's offsets (the same as {match})"
            )
            return match
        warnings.append(
            f"{origin}: time zone {name!r} is not an IANA or Windows name and matches none; "
            "its VTIMEZONE's offsets are used, dates are counted in the default time zone"
        )
        return None
    fixed = fixed_offset_zone(name)
    if fixed is not None:
        warnings.append(
            f"{origin}: time zone {name!r} is unknown and has no VTIMEZONE; "
            f"read as the fixed offset its name states ({fixed}, no daylight saving time)"
        )
    return fixed


def _samples(years: Iterable[int], step: timedelta) -> list[datetime]:
    lo, hi = min(years), max(years)
    at = datetime(lo, 1, 1, tzinfo=UTC)
    end = datetime(hi + 1, 1, 1, tzinfo=UTC)
    out = []
    while at < end:
        out.append(at)
        at += step
    return out


@lru_cache(maxsize=4096)
def _offsets(zone: str, years: tuple[int, ...], step_hours: int) -> tuple[timedelta | None, ...]:
    tz = ZoneInfo(zone)
    return tuple(t.astimezone(tz).utcoffset() for t in _samples(years, timedelta(hours=step_hours)))


def matching_zone(tz: tzinfo, years: Iterable[int]) -> str | None:
    """The first IANA zone (rule zones and Etc/ first) whose offsets equal `tz`'s, every six hours
    of the given years; None when no zone does."""
    span = tuple(sorted(set(years)))
    coarse = tuple(t.astimezone(tz).utcoffset() for t in _samples(span, timedelta(days=15)))
    fine = tuple(t.astimezone(tz).utcoffset() for t in _samples(span, timedelta(hours=6)))
    for zone in candidate_zones():
        try:
            if _offsets(zone, span, 360) == coarse and _offsets(zone, span, 6) == fine:
                return zone
        except (KeyError, ValueError):
            continue
    return None
