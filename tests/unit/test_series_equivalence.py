"""Series expanded without icalendar (ical/series.py) give exactly the events of icalendar +
recurring-ical-events: on generated series in the shapes calendars write (daily, weekly, monthly
and yearly rules with COUNT, UNTIL, INTERVAL, BYDAY; EXDATEs at and beside occurrences, in the
series' zone or in UTC; moved, renamed and orphaned overrides; DTEND or DURATION; floating, UTC
and zoned times, including zones at UTC+0, half-hour DST and wall times in a DST gap), and on
shapes the module must leave to icalendar (which then still give the same events)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st

from followcal.core.model import Window
from followcal.ical import read as ics, series

# the odd shapes include COUNT with UNTIL, which dateutil (on icalendar's path) warns about
pytestmark = pytest.mark.filterwarnings("ignore:Using both 'count' and 'until':DeprecationWarning")

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=ZoneInfo("America/New_York"))
KEYWORDS = ("interview",)
ZONES = (None, "UTC", "Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "Europe/Berlin")
STEPS = {"DAILY": timedelta(days=1), "WEEKLY": timedelta(weeks=1), "MONTHLY": timedelta(days=30),
         "YEARLY": timedelta(days=365)}


def _stamp(when: datetime) -> str:
    return f"{when:%Y%m%dT%H%M%S}"


def _when(name: str, when: datetime, zone: str | None) -> str:
    if zone is None:
        return f"{name}:{_stamp(when)}"
    if zone == "UTC":
        return f"{name}:{_stamp(when)}Z"
    return f"{name};TZID={zone}:{_stamp(when)}"


def series_calendar(rng: random.Random, odd: bool = False) -> bytes:
    """A VCALENDAR with one series (master and overrides) and a plain neighbour; `odd` mixes in
    shapes series.py must leave to icalendar."""
    zone = rng.choice(ZONES)
    if rng.random() < 0.15 and zone == "America/New_York":
        start = datetime(2026, 3, 8, 2, 30)  # inside the spring-forward gap
    else:
        start = datetime(2025, 1, 1, 6) + timedelta(days=rng.randint(0, 900), minutes=15 * rng.randint(0, 50))
    freq = rng.choice(tuple(STEPS))
    step = STEPS[freq] * (interval := rng.choice((1, 1, 1, 2, 3)))
    rule = f"FREQ={freq}"
    if interval > 1 or rng.random() < 0.1:
        rule += f";INTERVAL={interval}"
    if freq in ("DAILY", "WEEKLY") and rng.random() < 0.4:
        rule += ";BYDAY=" + ",".join(sorted(rng.sample(["MO", "TU", "WE", "TH", "FR", "SA", "SU"], rng.randint(1, 4))))
    if freq == "WEEKLY" and rng.random() < 0.5:
        rule += ";WKST=" + rng.choice(("MO", "SU", "WE"))
    if freq == "MONTHLY" and rng.random() < 0.3:
        rule += rng.choice((";BYMONTHDAY=15", ";BYMONTHDAY=-1", ";BYDAY=2TU", ";BYDAY=-1FR"))
    ending = rng.random()
    if ending < 0.4:
        rule += f";COUNT={rng.randint(1, 80)}"
    elif ending < 0.8:
        until = start + step * rng.randint(0, 60) + rng.choice((timedelta(0), timedelta(hours=1), -timedelta(hours=1)))
        if zone is None:
            rule += f";UNTIL={_stamp(until)}"
        else:
            local = until.replace(tzinfo=ZoneInfo(zone)) if zone != "UTC" else until.replace(tzinfo=ZoneInfo("UTC"))
            rule += f";UNTIL={_stamp(local.astimezone(ZoneInfo('UTC')))}Z"
    if odd:
        rule = rng.choice((rule + ";BYHOUR=9,15", rule + ";BYSETPOS=1", rule.lower(), rule + ";UNTIL=20270101",
                           "FREQ=HOURLY;COUNT=5", rule + ";COUNT=3"))
    minutes = rng.choice((15, 30, 45, 60, 90))
    uid = f"series-{rng.randint(0, 10**6)}@example.com"
    title = rng.choice(("Interview with Acme", "Weekly interview prep", "Interview loop – Globex"))
    master = ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20250101T000000Z", f"SUMMARY:{title}", _when("DTSTART", start, zone)]
    if rng.random() < 0.3:
        master.append(f"DURATION:PT{minutes}M")
    else:
        master.append(_when("DTEND", start + timedelta(minutes=minutes), zone))
    master.append(f"RRULE:{rule}")
    if rng.random() < 0.2:
        master.append(f"SEQUENCE:{rng.randint(0, 3)}")
    for _ in range(rng.choice((0, 0, 1, 2, 3))):
        when = start + step * rng.randint(0, 40) + rng.choice((timedelta(0), timedelta(0), timedelta(hours=2)))
        exzone = "UTC" if (zone not in (None, "UTC") and rng.random() < 0.2) else zone
        if exzone == "UTC" and zone not in (None, "UTC"):
            when = when.replace(tzinfo=ZoneInfo(zone)).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
        master.append(_when("EXDATE", when, exzone))
    if odd and rng.random() < 0.5:
        master.append(rng.choice(("RDATE:20260101T100000Z", "EXDATE;VALUE=DATE:20260105", "DTSTART:20260101T100000")))
    blocks = [master + ["END:VEVENT"]]
    for n in range(rng.choice((0, 0, 1, 2, 3))):
        original = start + step * rng.randint(0, 40) + (timedelta(minutes=7) if rng.random() < 0.1 else timedelta(0))
        moved = original + rng.choice((timedelta(0), timedelta(hours=1), -timedelta(hours=2), timedelta(days=1)))
        override = ["BEGIN:VEVENT", f"UID:{uid}", _when("RECURRENCE-ID", original, zone),
                    f"SEQUENCE:{rng.randint(1, 3)}", f"SUMMARY:{title} (moved {n})", _when("DTSTART", moved, zone)]
        if rng.random() < 0.8:
            override.append(_when("DTEND", moved + timedelta(minutes=minutes), zone))
        if odd and rng.random() < 0.3:
            override.append("SEQUENCE:1")
        blocks.append(override + ["END:VEVENT"])
    rng.shuffle(blocks)
    neighbour = ["BEGIN:VEVENT", "UID:single@example.com", "DTSTAMP:20250101T000000Z", "SUMMARY:Interview with Initech",
                 "DTSTART:20261110T150000Z", "DTEND:20261110T160000Z", "END:VEVENT"]
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//series//EN", *[line for b in blocks for line in b],
             *neighbour, "END:VCALENDAR"]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def both_ways(data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[tuple[list, list], tuple[list, list]]:
    """(events, warnings) read with series.py, then with icalendar + recurring-ical-events."""
    own = ics.read_calendar(data, "s.ics", Window(), keywords=KEYWORDS, now=NOW)
    with monkeypatch.context() as m:
        m.setattr(ics, "PLAIN_SERIES", False)
        theirs = ics.read_calendar(data, "s.ics", Window(), keywords=KEYWORDS, now=NOW)
    return own, theirs


def took_own_path(data: bytes) -> bool:
    calendar = data.decode("utf-8").split("\r\n")
    groups: list[list[bytes]] = []
    for line in calendar:
        if line == "BEGIN:VEVENT":
            groups.append([])
        if groups and (not groups[-1] or groups[-1][-1] != b"END:VEVENT"):
            groups[-1].append(line.encode("utf-8"))
    group = [g for g in groups if not g[1].startswith(b"UID:single")]
    lo, hi = NOW - ics.SERIES_REACH, NOW + ics.SERIES_REACH
    span = ((lo - timedelta(days=2)).astimezone(ZoneInfo("UTC")), (hi + timedelta(days=2)).astimezone(ZoneInfo("UTC")))
    return series.plain_series(group, "s.ics", lambda s: lo <= ics._as_utc(s, NOW) < hi, span) is not None


@settings(max_examples=120, deadline=None)
@given(st.randoms(use_true_random=False), st.booleans())
def test_series_read_without_icalendar_equal_recurring_ical_events(rng: random.Random, odd: bool) -> None:
    data = series_calendar(rng, odd)
    with pytest.MonkeyPatch.context() as monkeypatch:
        own, theirs = both_ways(data, monkeypatch)
    assert own == theirs, data.decode()


def test_most_plain_series_take_the_own_path_and_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison above is not vacuous: most generated plain series are expanded by
    series.py (and the odd ones are not), with occurrences, and agree with icalendar's reading."""
    rng = random.Random(17)
    own_path = occurrences = 0
    for _ in range(150):
        data = series_calendar(rng)
        own, theirs = both_ways(data, monkeypatch)
        assert own == theirs, data.decode()
        own_path += took_own_path(data)
        occurrences += len(own[0])
    assert own_path >= 120
    assert occurrences >= 600
    odd = sum(took_own_path(series_calendar(rng, odd=True)) for _ in range(60))
    assert odd <= 15


@pytest.mark.parametrize("zone", ["Europe/London", "UTC", None])
def test_an_override_at_utc_plus_0_and_an_exdate_replace_and_delete_occurrences(zone: str | None,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    start = datetime(2026, 1, 6, 9, 0)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t//EN",
             "BEGIN:VEVENT", "UID:w@example.com", "SUMMARY:Interview prep", _when("DTSTART", start, zone),
             _when("DTEND", start + timedelta(hours=1), zone), "RRULE:FREQ=WEEKLY;COUNT=5",
             _when("EXDATE", start + timedelta(weeks=1), zone), "END:VEVENT",
             "BEGIN:VEVENT", "UID:w@example.com", _when("RECURRENCE-ID", start + timedelta(weeks=2), zone),
             "SUMMARY:Interview with Acme", _when("DTSTART", start + timedelta(weeks=2, hours=3), zone),
             _when("DTEND", start + timedelta(weeks=2, hours=4), zone), "END:VEVENT", "END:VCALENDAR"]
    data = ("\r\n".join(lines) + "\r\n").encode()
    own, theirs = both_ways(data, monkeypatch)
    assert own == theirs
    assert took_own_path(data)
    assert [e.summary for e in own[0]] == ["Interview prep", "Interview with Acme", "Interview prep", "Interview prep"]


@pytest.mark.parametrize("rule", [
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU,MO,SA;WKST=SU;COUNT=12",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU,MO,SA;WKST=MO;COUNT=12",
    "FREQ=MONTHLY;BYDAY=-1FR;COUNT=6",
    "FREQ=MONTHLY;BYDAY=2TU;UNTIL=20261231T235959Z",
    "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=6",
    "FREQ=YEARLY;BYMONTH=2,3;BYMONTHDAY=28;COUNT=4",
    "FREQ=DAILY;INTERVAL=3;BYDAY=MO,WE,FR;COUNT=20",
])
def test_rule_parts_read_as_rrulestr_reads_them(rule: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """WKST, numbered BYDAY, BYMONTHDAY and BYMONTH: the parts series.py builds dateutil's rule
    from give recurring-ical-events' occurrences (WKST changes them: the first two differ)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t//EN", "BEGIN:VEVENT", "UID:r@example.com",
             "SUMMARY:Interview prep", "DTSTART;TZID=Europe/Berlin:20260104T090000",
             "DTEND;TZID=Europe/Berlin:20260104T100000", f"RRULE:{rule}", "END:VEVENT", "END:VCALENDAR"]
    data = ("\r\n".join(lines) + "\r\n").encode()
    own, theirs = both_ways(data, monkeypatch)
    assert took_own_path(data)
    assert own == theirs and len(own[0]) >= 2


def test_wkst_changes_the_occurrences(monkeypatch: pytest.MonkeyPatch) -> None:
    starts = []
    for wkst in ("SU", "MO"):
        lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t//EN", "BEGIN:VEVENT", "UID:r@example.com",
                 "SUMMARY:Interview prep", "DTSTART;TZID=Europe/Berlin:20260104T090000",
                 "DTEND;TZID=Europe/Berlin:20260104T100000",
                 f"RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=SU,MO,SA;WKST={wkst};COUNT=12", "END:VEVENT", "END:VCALENDAR"]
        own, _ = both_ways(("\r\n".join(lines) + "\r\n").encode(), monkeypatch)
        starts.append([e.start for e in own[0]])
    assert starts[0] != starts[1]
