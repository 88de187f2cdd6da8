"""Plain recurring series read and expanded without icalendar (issue 17).

An export's interview candidates include a few dozen series (a recruiter's weekly call, a hold
with one renamed occurrence). Parsing them with icalendar and expanding them with
recurring-ical-events cost a fifth of reading a 20,000-event calendar, most of it importing and
building component trees. A series in the plain shape (one master with one RRULE of the common
kind, EXDATEs and RECURRENCE-ID overrides, every time an IANA, UTC or floating DATE-TIME that
`fast.py` reads) is expanded here with dateutil, the rule engine recurring-ical-events itself
uses, following recurring-ical-events' rules exactly:

- the occurrences are DTSTART (unless UNTIL is before it) and the rule's, each lasting the
  master's DTEND - DTSTART;
- an EXDATE or RECURRENCE-ID names an occurrence by its UTC time or its wall time
  (recurring_ical_events.util.to_recurrence_ids): either matching counts;
- an override replaces the occurrence it names and is an occurrence of its own where it names none.

Anything else (RDATE, RANGE, DURATION, an all-day series, several masters, an override that an
EXDATE also names, BYHOUR and finer rules, a rule part this module does not know) returns None
and the series takes icalendar's path as before. tests/unit/test_series_equivalence.py holds the
two to the same events on generated series (hypothesis), the bench feeds, samples and fuzz corpus.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from followcal.core.model import SourceEvent
from followcal.ical.fast import series_parts, when_value

# A series with this many occurrences in the read window takes icalendar's path, where
# limits.MAX_PER_SERIES caps it with a warning.
MAX_OCCURRENCES = 500

_DAY = r"(?:-?[1-5])?(?:MO|TU|WE|TH|FR|SA|SU)"
_PART = {
    "FREQ": re.compile(r"DAILY|WEEKLY|MONTHLY|YEARLY"),
    "INTERVAL": re.compile(r"[1-9][0-9]{0,2}"),
    "COUNT": re.compile(r"[1-9][0-9]{0,3}"),
    "BYDAY": re.compile(rf"{_DAY}(?:,{_DAY})*"),
    "BYMONTHDAY": re.compile(r"-?(?:[1-9]|[12][0-9]|3[01])(?:,-?(?:[1-9]|[12][0-9]|3[01]))*"),
    "BYMONTH": re.compile(r"(?:[1-9]|1[0-2])(?:,(?:[1-9]|1[0-2]))*"),
    "WKST": re.compile(r"MO|TU|WE|TH|FR|SA|SU"),
}
_SEQUENCE = re.compile(r"[0-9]{1,9}")
_UNTIL_UTC = re.compile(r"[0-9]{8}T[0-9]{6}Z")
_UNTIL_FLOATING = re.compile(r"[0-9]{8}T[0-9]{6}")
_UNTIL = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})([0-9]{2})Z?")

Key = datetime  # a naive date-time: a UTC time or a wall time (see the module docstring)


def read_plain_series(
    groups: dict[str, list[tuple[int, list[bytes]]]],
    origin: str,
    keep: Callable[[datetime], bool],
    span: tuple[datetime, datetime],
    limit: int,
) -> tuple[list[SourceEvent], set[int]]:
    """The occurrences of the UID groups (block index, own lines) in the plain shape, and the
    indices of the blocks they came from; at most `limit` occurrences in all (the rest is left to
    icalendar's path and its per-file bound)."""
    events: list[SourceEvent] = []
    indices: set[int] = set()
    for uid, group in groups.items():
        found = plain_series([lines for _, lines in group], origin, keep, span, uid)
        if found is None or len(events) + len(found) > limit:
            continue
        events += found
        indices.update(i for i, _ in group)
    return events, indices


def plain_series(
    group: list[list[bytes]],
    origin: str,
    keep: Callable[[datetime], bool],
    span: tuple[datetime, datetime],
    uid: str | None = None,
) -> list[SourceEvent] | None:
    """The occurrences (as read.occurrence_event makes them) of one UID's VEVENTs, each given as
    its own unfolded lines, whose start `keep` accepts; `span` (UTC) holds every start `keep`
    accepts. None when the series is not in the plain shape, or a UID read is not `uid` (spaces
    around it: icalendar groups by the exact text)."""
    master: tuple[SourceEvent, dict[str, list[tuple[dict[str, str], str]]]] | None = None
    overrides: list[SourceEvent] = []
    for lines in group:
        parts = series_parts(lines, origin)
        if parts is None:
            return None
        event, recurrence = parts
        if uid is not None and event.uid != uid:
            return None
        sequence = recurrence.pop("SEQUENCE", [])
        if len(sequence) > 1 or any(params or not _SEQUENCE.fullmatch(value) for params, value in sequence):
            return None  # recurring-ical-events compares SEQUENCE numbers: a list or a word breaks the series
        if "RECURRENCE-ID" in recurrence:
            override = _override(event, recurrence)
            if override is None:
                return None
            overrides.append(override)
        elif master is not None:
            return None
        else:
            master = parts
    if master is None:
        return None
    event, recurrence = master
    start, end = event.start, event.end
    if not isinstance(start, datetime) or not isinstance(end, datetime) or "RECURRENCE-ID" in recurrence:
        return None
    rules = recurrence.get("RRULE", [])
    if len(rules) != 1 or rules[0][0] or not _plain_rule(rules[0][1], aware=start.tzinfo is not None):
        return None
    excluded = _exdate_keys(recurrence.get("EXDATE", []), start)
    if excluded is None:
        return None
    by_key: dict[Key, SourceEvent] = {}
    for override in overrides:
        rid = override.recurrence_id
        assert isinstance(rid, datetime)
        if (rid.tzinfo is None) != (start.tzinfo is None):
            return None
        for key in set(_keys(rid)):  # a UTC time and a wall time are one key in a zone at UTC+0
            if key in by_key or key in excluded:
                return None  # two overrides of one occurrence, or one both moved and deleted
            by_key[key] = override
    starts = _starts(rules[0][1], start, span)
    if starts is None:
        return None
    duration = end - start
    out: list[SourceEvent] = []
    for when in starts:
        keys = _keys(when)
        if excluded.intersection(keys) or any(key in by_key for key in keys):
            continue  # deleted, or replaced by its override (added below)
        if keep(when):
            out.append(replace(event, start=when, end=when + duration, recurrence_id=when,
                               tzid=getattr(when.tzinfo, "key", None)))
    out += [override for override in overrides if keep(_start(override))]
    return out if len(out) < MAX_OCCURRENCES else None


def _start(event: SourceEvent) -> datetime:
    assert isinstance(event.start, datetime)
    return event.start


def _override(event: SourceEvent, recurrence: dict[str, list[tuple[dict[str, str], str]]]) -> SourceEvent | None:
    """An override (RECURRENCE-ID) as recurring-ical-events yields it: its own start and end
    (its start where it has no DTEND), its RECURRENCE-ID."""
    if set(recurrence) != {"RECURRENCE-ID"} or len(recurrence["RECURRENCE-ID"]) != 1:
        return None
    params, value = recurrence["RECURRENCE-ID"][0]
    rid = when_value(params, value)
    start = event.start
    if not isinstance(rid, datetime) or not isinstance(start, datetime):
        return None
    end = event.end if event.end is not None else start
    return replace(event, end=end, recurrence_id=rid)


def _plain_rule(value: str, *, aware: bool) -> bool:
    """An RRULE of the kinds this module expands (upper case, no repeated part, FREQ given,
    UNTIL in the form recurring-ical-events hands to dateutil unchanged)."""
    seen = set()
    for part in value.split(";"):
        name, _, text = part.partition("=")
        if name in seen:
            return False
        seen.add(name)
        if name == "UNTIL":
            if (_UNTIL_UTC if aware else _UNTIL_FLOATING).fullmatch(text) is None:
                return False
        elif name not in _PART or _PART[name].fullmatch(text) is None:
            return False
    return "FREQ" in seen and not ("COUNT" in seen and "UNTIL" in seen)


def _exdate_keys(exdates: list[tuple[dict[str, str], str]], start: datetime) -> set[Key] | None:
    """The keys the EXDATEs name occurrences by; None for a DATE or a floating/zoned mix."""
    keys: set[Key] = set()
    for params, value in exdates:
        for text in value.split(","):
            when = when_value(params, text)
            if not isinstance(when, datetime) or (when.tzinfo is None) != (start.tzinfo is None):
                return None
            keys.update(_keys(when))
    return keys


def _keys(when: datetime) -> tuple[Key, ...]:
    """recurring_ical_events.util.to_recurrence_ids of a date-time: its UTC time and its wall time."""
    if when.tzinfo is None:
        return (when,)
    return (when.astimezone(UTC).replace(tzinfo=None), when.replace(tzinfo=None))


def _starts(rule: str, start: datetime, span: tuple[datetime, datetime]) -> list[datetime] | None:
    """DTSTART and the rule's starts within `span` (a superset of it for a floating series)."""
    zone: tzinfo | None = start.tzinfo
    if zone is not None and type(zone) is not ZoneInfo:
        return None
    lo, hi = span
    if zone is None:  # floating: a wall time in any zone, so a day more either side
        lo, hi = lo.replace(tzinfo=None) - timedelta(days=1), hi.replace(tzinfo=None) + timedelta(days=1)
    try:
        found: list[datetime] = _rrule(rule, start).between(lo, hi, inc=True)
    except (ValueError, OverflowError, TypeError):
        return None
    until = _until(rule, zone is not None)
    if lo <= start <= hi and (until is None or not start > until) and start not in found:
        found.append(start)  # recurring-ical-events adds DTSTART as an RDATE
    found.sort()
    return found


def _rrule(rule: str, start: datetime) -> Any:
    """`dateutil.rrule.rrulestr(rule, dtstart=start)` for a rule `_plain_rule` accepts, built
    from its parts as rrulestr builds it, without dateutil's date parser (3 ms to import) for
    UNTIL: a UTC time compares with an aware start as rrulestr's tzutc() does."""
    from dateutil import rrule as rules  # recurring-ical-events' own rule engine

    kwargs: dict[str, Any] = {}
    freq: Any = rules.DAILY
    for part in rule.split(";"):
        name, _, value = part.partition("=")
        if name == "FREQ":
            freq = getattr(rules, value)
        elif name in ("INTERVAL", "COUNT"):
            kwargs[name.lower()] = int(value)
        elif name in ("BYMONTHDAY", "BYMONTH"):
            kwargs[name.lower()] = [int(v) for v in value.split(",")]
        elif name == "BYDAY":
            kwargs["byweekday"] = [rules.weekdays[_WEEKDAYS.index(day[-2:])](int(day[:-2])) if day[:-2]
                                   else rules.weekdays[_WEEKDAYS.index(day)] for day in value.split(",")]
        elif name == "WKST":
            kwargs["wkst"] = _WEEKDAYS.index(value)
        elif name == "UNTIL":
            kwargs["until"] = _until(rule, start.tzinfo is not None)
    return rules.rrule(freq, dtstart=start, **kwargs)


_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _until(rule: str, aware: bool) -> datetime | None:
    for part in rule.split(";"):
        if part.startswith("UNTIL="):
            match = _UNTIL.fullmatch(part[6:])
            assert match is not None  # _plain_rule checked it
            year, month, day, hour, minute, second = (int(g) for g in match.groups())
            value = datetime(year, month, day, hour, minute, second)
            return value.replace(tzinfo=UTC) if aware else value
    return None
