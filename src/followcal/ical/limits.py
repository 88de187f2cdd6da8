"""Bounds on what a calendar can make followcal do (issue 19), for read.read_calendar.

Hostile or broken input must cost a warning about one event, series or zone, never the file, a
hang or a traceback: sub-hourly or INTERVAL=0 rules and extreme years are skipped, expansion is
capped per series and per file, and a calendar icalendar rejects as a whole is parsed again one
component at a time.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from followcal.errors import SourceError
from followcal.ical.scan import block_uid


def short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


PARSE_ERRORS = (ValueError, IndexError, KeyError, RecursionError, TypeError, AttributeError, OverflowError)


def parse_each(header: list[bytes], pieces: list[tuple[Any, list[bytes]]], origin: str, warnings: list[str]) -> Any:
    """The slow path when the whole calendar does not parse: each component on its own, and the
    ones icalendar rejects are skipped with a warning naming them (time zones first, so events
    that use them still find them). Only a broken calendar header fails the file."""
    import icalendar

    def parses(lines: list[bytes]) -> Any:
        return icalendar.Calendar.from_ical(b"\r\n".join([b"BEGIN:VCALENDAR", *lines, b"END:VCALENDAR"]) + b"\r\n")

    try:
        calendar = parses(header)
    except PARSE_ERRORS:
        good = []
        for line in header:
            try:
                parses([line])
                good.append(line)
            except PARSE_ERRORS as exc:
                warnings.append(f"{origin}: calendar line {line[:40].decode('utf-8', 'replace')!r} ignored: {short(exc)}")
        try:
            calendar = parses(good)
        except PARSE_ERRORS as exc:
            raise SourceError(f"{origin}: cannot parse the calendar: {short(exc)}") from None
    ordered = [p for p in pieces if p[0].name == "VTIMEZONE"] + [p for p in pieces if p[0].name != "VTIMEZONE"]
    for block, lines in ordered:
        try:
            calendar.add_component(icalendar.Component.from_ical(b"\r\n".join(lines) + b"\r\n"))
        except PARSE_ERRORS as exc:
            if block.name == "VTIMEZONE":
                what = f"time zone {(block.prop(b'TZID') or [b'?'])[0].decode('utf-8', 'replace')[:80]}"
            else:
                what = f"event {block_uid(block)}"
            warnings.append(f"skipped {what} ({origin}): cannot parse it: {short(exc)}")
    return calendar


# Bounds on recurrence expansion (issue 19): a series yields at most MAX_PER_SERIES occurrences
# in the read window and a file at most MAX_PER_FILE; past them the rest is dropped with a warning
# naming the series. A rule that repeats more often than hourly is no interview and is skipped.
MAX_PER_SERIES = 1000
MAX_PER_FILE = 50_000
_TOO_FREQUENT = "repeats more often than hourly (not an interview)"


def rule_problem(component: Any) -> str | None:
    """Why a VEVENT's RRULE cannot be an interview series (or cannot be expanded safely)."""
    rules = component.get("RRULE")
    for rule in rules if isinstance(rules, list) else ([rules] if rules is not None else []):
        try:
            freq = str((rule.get("FREQ") or [""])[0]).upper()
            interval = int((rule.get("INTERVAL") or [1])[0])
            per_hour = len(rule.get("BYMINUTE") or [0]) * len(rule.get("BYSECOND") or [0])
            per_day = per_hour * len(rule.get("BYHOUR") or [0])
        except (TypeError, ValueError, AttributeError, IndexError):
            return "invalid RRULE"
        if interval < 1:
            return f"invalid RRULE: INTERVAL={interval}"
        if freq in ("SECONDLY", "MINUTELY") or (freq == "HOURLY" and per_hour > 1) or per_day > 24:
            return f"RRULE {_TOO_FREQUENT}"
    return None


# Dates outside these years are no interviews and break date arithmetic (year 9999 + 10 business
# days, 0001-01-01 in UTC-5): such an event is skipped with a warning. A series may start earlier.
MIN_YEAR, MAX_YEAR = 1900, 2200


def year_problem(component: Any) -> str | None:
    recurring = component.get("RRULE") is not None or component.get("RDATE") is not None
    for name in ("DTSTART", "DTEND", "RECURRENCE-ID", "DUE"):
        prop = component.get(name)
        value = getattr(prop, "dt", None)
        if not isinstance(value, date):
            continue
        if value.year > MAX_YEAR or (value.year < MIN_YEAR and not (recurring and name == "DTSTART")):
            return f"{name} in year {value.year} (outside {MIN_YEAR}-{MAX_YEAR})"
    try:
        end = component.end
    except Exception:  # noqa: BLE001 - an unreadable end is _event_problem's to report
        return None
    if isinstance(end, date) and end.year > MAX_YEAR:
        return f"end in year {end.year} (outside {MIN_YEAR}-{MAX_YEAR})"
    return None


def occurrences_each(
    calendar: Any, uids: set[str], lo: datetime, hi: datetime, origin: str, warnings: list[str], budget: int = MAX_PER_FILE
) -> list[Any]:
    """The occurrences of the events with these UIDs; when the expansion fails, each UID group on
    its own, and a series that cannot be expanded is skipped with a warning naming it. `budget`:
    MAX_PER_FILE less the occurrences the file's plain series gave (series.py)."""
    found: list[str] = []
    try:
        out = occurrences(subset(calendar, uids, True), lo, hi, origin, found, budget)
        warnings.extend(found)
        return out
    except Exception:  # noqa: BLE001 - recurring-ical-events and dateutil raise all sorts
        pass
    groups: dict[str, list[Any]] = {}
    others = []
    for component in calendar.subcomponents:
        if component.name == "VEVENT":
            groups.setdefault(str(component.get("UID")), []).append(component)
        else:
            others.append(component)
    out = []
    for uid in sorted(uids):
        part = type(calendar)()
        part.update(calendar)
        part.subcomponents = others + groups.get(uid, [])
        try:
            out += occurrences(part, lo, hi, origin, warnings, budget)
        except Exception as exc:  # noqa: BLE001
            warnings.append(f"skipped event {uid} ({origin}): cannot expand its recurrences: {short(exc)}")
    return out


def occurrences(
    calendar: Any, lo: datetime, hi: datetime, origin: str = "", warnings: list[str] | None = None,
    budget: int = MAX_PER_FILE,
) -> list[Any]:
    """recurring_ical_events' `between`, series by series, with MAX_PER_SERIES / MAX_PER_FILE."""
    import contextlib
    from itertools import islice

    import recurring_ical_events

    query = recurring_ical_events.of(calendar, skip_bad_series=True)
    start, stop = query.to_datetime(lo), query.to_datetime(hi)
    skip = tuple(query.suppressed_errors)
    found: list[Any] = []
    for series in query.series:
        if len(found) >= budget:
            if warnings is not None:
                warnings.append(f"{origin}: more than {MAX_PER_FILE} occurrences; the remaining series were not read")
            break
        taken: list[Any] = []
        with contextlib.suppress(*skip):
            taken.extend(islice(series.between(start, stop), MAX_PER_SERIES + 1))
        if len(taken) > MAX_PER_SERIES:
            taken = taken[:MAX_PER_SERIES]
            if warnings is not None:
                warnings.append(
                    f"series {series.uid} ({origin}): more than {MAX_PER_SERIES} occurrences in the window; "
                    f"only the first {MAX_PER_SERIES} read"
                )
        found.extend(taken[: budget - len(found)])
    keep = query.keep_recurrence_attributes
    if LAZY_OCCURRENCES:
        return [LazyOccurrence(occurrence, keep) for occurrence in found]
    return [occurrence.as_component(keep) for occurrence in found]


LAZY_OCCURRENCES = True  # tests switch it off to compare


class LazyOccurrence:
    """A recurring_ical_events occurrence not yet copied into a component of its own: the copy
    (as_component) was a third of reading a calendar's series, and read.occurrence_event needs
    only its start, end and source component. `get` answers for the copy's other properties."""

    __slots__ = ("keep", "occurrence")

    def __init__(self, occurrence: Any, keep: bool) -> None:
        self.occurrence = occurrence
        self.keep = keep

    @property
    def source(self) -> Any:
        return self.occurrence._adapter._component  # noqa: SLF001 - the adapter's own component

    def get(self, name: str, default: Any = None) -> Any:
        return self.source.get(name, default)  # UID: as_component copies it unchanged

    def as_component(self) -> Any:
        return self.occurrence.as_component(self.keep)


def subset(calendar: Any, uids: set[str], inside: bool) -> Any:
    """The calendar with only the VEVENTs whose UID is (or is not) in `uids`; whole UID groups,
    so a series keeps its overrides."""
    part = type(calendar)()
    part.update(calendar)
    part.subcomponents = [
        c for c in calendar.subcomponents if c.name != "VEVENT" or (str(c.get("UID")) in uids) == inside
    ]
    return part

