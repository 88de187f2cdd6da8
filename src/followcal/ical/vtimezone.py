"""VTIMEZONE components that every consumer reads (DESIGN.md "Reminder events").

Why our own: icalendar's Timezone.from_tzid puts every later transition of an observance into one
multi-valued RDATE line, and ical.js (Thunderbird, Nextcloud) reads only its first value, so
reminders in next year's daylight-saving period were read an hour off. Here each transition is
its own RDATE line, and each onset is the local time before the change (RFC 5545 3.6.5: DTSTART
and RDATE of an observance are in its TZOFFSETFROM), computed from the IANA zone itself.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

_DAY = timedelta(days=1)


class _State(NamedTuple):
    offset: timedelta
    dst: bool
    name: str


@lru_cache(maxsize=256)  # CalDAV and Google write one VTIMEZONE per reminder
def transitions(zone: ZoneInfo, first: date, last: date) -> tuple[_State, tuple[tuple[datetime, _State, _State], ...]]:
    """The zone's state at `first` 00:00 UTC and every change (UTC instant, before, after) until
    `last`: a weekly scan, then a bisection to the second."""
    return _scan(zone, first, last, _STEP)


# A week: no IANA zone changes state and back within seven days (test_vtimezone_scan checks every
# zone against a daily scan), and a weekly scan makes a fresh export's VTIMEZONEs 7x cheaper.
_STEP = timedelta(days=7)


def _scan(zone: ZoneInfo, first: date, last: date, step: timedelta) -> tuple[_State, tuple[tuple[datetime, _State, _State], ...]]:
    at = datetime.combine(first, time(0), UTC)
    end = datetime.combine(last + _DAY, time(0), UTC)
    start_state = current = _plain_state(zone, at)
    changes = []
    while at < end:
        nxt = min(at + step, end)
        after = _plain_state(zone, nxt)
        if after != current:
            lo, hi = int(at.timestamp()), int(nxt.timestamp())  # state(lo) == current
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if _plain_state(zone, datetime.fromtimestamp(mid, UTC)) == current:
                    lo = mid
                else:
                    hi = mid
            instant = datetime.fromtimestamp(hi, UTC)
            state = _plain_state(zone, instant)
            changes.append((instant, _State(*current), _State(*state)))
            current = state
            if current != after:  # two changes in one step: look again from the first one
                nxt = instant
        at = nxt
    return _State(*start_state), tuple(changes)


def _plain_state(zone: ZoneInfo, at: datetime) -> tuple[timedelta, bool, str]:
    """A zone's offset, DST flag and name at `at`, as a plain tuple: the scan makes and compares a
    few hundred per zone (as a _State, half of each call went to making the NamedTuple)."""
    local = at.astimezone(zone)
    return local.utcoffset() or timedelta(0), bool(local.dst()), local.tzname() or ""


def _observances(tzid: str, first: date, last: date) -> list[tuple[tuple[bool, timedelta, timedelta, str], list[datetime]]]:
    """(dst, offset from, offset to, name) -> its onsets, in the order of their first onset."""
    zone = ZoneInfo(tzid)
    initial, changes = transitions(zone, first, last)
    groups: dict[tuple[bool, timedelta, timedelta, str], list[datetime]] = {}
    onset0 = datetime.combine(first, time(0))
    groups[(initial.dst, initial.offset, initial.offset, initial.name)] = [onset0]
    for instant, before, after in changes:
        onset = (instant + before.offset).replace(tzinfo=None)
        groups.setdefault((after.dst, before.offset, after.offset, after.name), []).append(onset)
    return sorted(groups.items(), key=lambda kv: kv[1][0])


def _offset(value: timedelta) -> str:
    """A UTC offset as icalendar's vUTCOffset writes it (+hhmm, seconds only when there are)."""
    sign = "-" if value < timedelta(0) else "+"
    value = -value if value < timedelta(0) else value
    hours = abs(value.days * 24 + value.seconds // 3600)
    minutes, seconds = abs((value.seconds % 3600) // 60), abs(value.seconds % 60)
    return f"{sign}{hours:02}{minutes:02}{seconds:02}" if seconds else f"{sign}{hours:02}{minutes:02}"


def _local(value: datetime) -> str:
    return f"{value.year:04}{value.month:02}{value.day:02}T{value.hour:02}{value.minute:02}{value.second:02}"


@lru_cache(maxsize=256)
def vtimezone_bytes(tzid: str, first: date, last: date) -> bytes:
    """`vtimezone(tzid, first, last).to_ical()` written directly: exporting no longer imports
    icalendar for the few VTIMEZONEs (the tests compare the bytes for every zone)."""
    from followcal.ical.write import escape_text, fold_bytes

    lines = ["BEGIN:VTIMEZONE", "TZID:" + escape_text(tzid)]
    for (dst, off_from, off_to, name), onsets in _observances(tzid, first, last):
        kind = "DAYLIGHT" if dst else "STANDARD"
        lines += [f"BEGIN:{kind}", "DTSTART:" + _local(onsets[0])]
        lines += ["RDATE:" + _local(onset) for onset in onsets[1:]]
        if name:
            lines.append("TZNAME:" + escape_text(name))
        lines += ["TZOFFSETFROM:" + _offset(off_from), "TZOFFSETTO:" + _offset(off_to), f"END:{kind}"]
    lines.append("END:VTIMEZONE")
    return b"".join(fold_bytes(line.encode("utf-8")) + b"\r\n" for line in lines)


def vtimezone(tzid: str, first: date, last: date) -> Any:
    """The VTIMEZONE for `tzid` between `first` and `last`: an observance per distinct kind of
    change, DTSTART its first onset, one RDATE line per later onset."""
    from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

    component = Timezone()
    component.add("TZID", tzid)
    for (dst, off_from, off_to, name), onsets in _observances(tzid, first, last):
        sub = TimezoneDaylight() if dst else TimezoneStandard()
        sub.add("DTSTART", onsets[0])
        for onset in onsets[1:]:
            sub.add("RDATE", onset)
        if name:
            sub.add("TZNAME", name)
        sub.add("TZOFFSETFROM", off_from)
        sub.add("TZOFFSETTO", off_to)
        component.add_component(sub)
    return component
