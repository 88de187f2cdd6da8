"""ics.py: reading (fast candidate scan vs full parse, zones, recurrences) and writing (the
reminder calendar's content, determinism, and reading our own events back)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from followcal.config import DEFAULT_KEYWORDS, Settings
from followcal.core.model import Window
from followcal.core.planner import plan_events
from followcal.errors import SourceError
from followcal.ical import own_events, read as ics

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "interviews.ics"
NY = "America/New_York"
NOW = datetime(2026, 11, 22, 12, tzinfo=ZoneInfo(NY))


EVERYTHING = Window()  # no bounds


def read(data: bytes, keywords=DEFAULT_KEYWORDS, window: Window = EVERYTHING):
    return ics.read_calendar(data, "test.ics", window, keywords=keywords, now=NOW)


def cal(*events: str, header: str = "") -> bytes:
    body = "".join(events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{header}{body}END:VCALENDAR\r\n".encode()


def vevent(uid: str, start: str, summary: str = "Interview with Acme Corp", extra: str = "") -> str:
    return (f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261101T120000Z\r\nSUMMARY:{summary}\r\n{start}\r\n"
            f"{extra}END:VEVENT\r\n")


def plan(events, warnings=()):
    return plan_events(events, Settings(), default_tz=NY, warnings=warnings)


# --- reading -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_plans():
    data = SAMPLE.read_bytes()
    fast_events, fast_warn = read(data)
    full_events, full_warn = read(data, keywords=None)
    return fast_events, full_events, plan(fast_events, fast_warn), plan(full_events, full_warn)


def test_sample_fast_path_equals_full_path(sample_plans) -> None:
    fast_events, full_events, fast, full = sample_plans
    assert len(fast_events) < len(full_events)  # the scan really skipped the standups
    assert fast.interviews == full.interviews
    assert fast.warnings == full.warnings == ()
    companies = [p.interview.company for p in fast.interviews]
    assert "Acme Corp" in companies and "Nordwind GmbH" in companies
    assert "Massive Dynamic" not in companies  # cancelled
    assert not any("prep" in p.interview.summary.lower() or "mock" in p.interview.summary.lower()
                   for p in fast.interviews)


def test_sample_worked_example_and_regions(sample_plans) -> None:
    _, _, result, _ = sample_plans
    by_company = {}
    for p in result.interviews:
        by_company.setdefault(p.interview.company, []).append(p)
    (acme,) = by_company["Acme Corp"]
    assert {r.kind: r.due.isoformat() for r in acme.reminders} == {
        "thank-you": "2026-11-19T16:00:00-05:00", "follow-up-1": "2026-11-27T10:00:00-05:00",
        "follow-up-2": "2026-12-11T10:00:00-05:00", "cut-off": "2026-12-18T09:00:00-05:00"}
    (vandelay,) = by_company["Vandelay Industries"]
    assert vandelay.interview.region == "GB"
    assert {r.kind: r.date for r in vandelay.reminders}["follow-up-1"] == date(2026, 12, 30)
    (nordwind,) = by_company["Nordwind GmbH"]
    assert nordwind.interview.region == "DE-BY"
    assert {r.kind: r.date for r in nordwind.reminders}["follow-up-1"] == date(2027, 1, 13)
    globex = by_company["Globex"]  # R6: two rounds, chain on the final one only
    assert [len(p.reminders) for p in globex] == [1, 4]
    starts = [p.interview.start for p in result.interviews]
    assert starts == sorted(starts)


def test_x_wr_timezone_google_export() -> None:
    data = cal(vevent("g1@google.com", "DTSTART:20261119T130000Z", extra="DTEND:20261119T140000Z\r\n"),
               header="X-WR-CALNAME:Me\r\nX-WR-TIMEZONE:Europe/Berlin\r\n")
    for keywords in (DEFAULT_KEYWORDS, None):
        (event,), warnings = read(data, keywords)
        assert warnings == []
        assert event.start == datetime(2026, 11, 19, 14, tzinfo=ZoneInfo("Europe/Berlin"))
        (p,) = plan([event]).interviews
        assert p.interview.timezone == "Europe/Berlin"
        assert p.reminders[0].due == datetime(2026, 11, 19, 16, tzinfo=ZoneInfo("Europe/Berlin"))


def test_windows_tzid_resolves() -> None:
    start = "DTSTART;TZID=W. Europe Standard Time:20261119T140000"
    data = cal(vevent("outlook-1", start, extra="DTEND;TZID=W. Europe Standard Time:20261119T150000\r\n"))
    (event,), warnings = read(data)
    assert warnings == []
    assert event.start.utcoffset() == timedelta(hours=1)
    assert event.tzid == "Europe/Berlin"
    (p,) = plan([event]).interviews
    assert p.interview.timezone == "Europe/Berlin"
    assert p.reminders[0].due.hour == 16


def test_floating_and_all_day_interviews() -> None:
    data = cal(
        vevent("floating", "DTSTART:20261119T140000", extra="DTEND:20261119T150000\r\n"),
        vevent("allday", "DTSTART;VALUE=DATE:20261120", summary="Onsite at Umbrella",
               extra="DTEND;VALUE=DATE:20261121\r\n"),
    )
    events, warnings = read(data)
    assert warnings == []
    by_uid = {e.uid: e for e in events}
    assert by_uid["floating"].start == datetime(2026, 11, 19, 14) and by_uid["floating"].start.tzinfo is None
    assert by_uid["allday"].start == date(2026, 11, 20)
    result = plan(events)
    floating, allday = result.interviews
    assert floating.interview.timezone == NY  # floating time: the configured zone
    assert floating.reminders[0].due == datetime(2026, 11, 19, 16, tzinfo=ZoneInfo(NY))
    assert allday.interview.all_day
    assert {r.kind: r.date for r in allday.reminders}["follow-up-1"] == date(2026, 11, 30)


SERIES = cal(
    vevent("series-1", "DTSTART;TZID=America/New_York:20261102T100000", summary="Recruiter call with Hooli",
           extra="DTEND;TZID=America/New_York:20261102T103000\r\nRRULE:FREQ=WEEKLY;COUNT=5\r\n"
                 "EXDATE;TZID=America/New_York:20261116T100000\r\n"),
    vevent("series-1", "DTSTART;TZID=America/New_York:20261110T150000", summary="Recruiter call with Hooli (moved)",
           extra="DTEND;TZID=America/New_York:20261110T153000\r\n"
                 "RECURRENCE-ID;TZID=America/New_York:20261109T100000\r\n"),
    vevent("series-2", "DTSTART;TZID=America/New_York:20261103T090000", summary="Standup",
           extra="RRULE:FREQ=DAILY;COUNT=30\r\n"),
    vevent("series-3", "DTSTART;TZID=America/New_York:20261104T090000", summary="Weekly sync",
           extra="RRULE:FREQ=WEEKLY;COUNT=3\r\n"),
    vevent("series-3", "DTSTART;TZID=America/New_York:20261111T090000", summary="Interview with Globex",
           extra="RECURRENCE-ID;TZID=America/New_York:20261111T090000\r\n"),
)


@pytest.mark.parametrize("keywords", [DEFAULT_KEYWORDS, None], ids=["fast", "full"])
def test_rrule_exdate_recurrence_id(keywords) -> None:
    events, warnings = read(SERIES, keywords)
    assert warnings == []
    hooli = [e for e in events if e.uid == "series-1"]
    assert [e.start.strftime("%m-%d %H:%M") for e in hooli] == ["11-02 10:00", "11-10 15:00", "11-23 10:00", "11-30 10:00"]
    assert hooli[1].summary.endswith("(moved)")
    assert hooli[1].recurrence_id == datetime(2026, 11, 9, 10, tzinfo=ZoneInfo(NY))
    assert [e.recurrence_id.date() for e in hooli] == [date(2026, 11, d) for d in (2, 9, 23, 30)]
    interviews = plan(events).interviews
    assert [(p.interview.uid, p.interview.start.day) for p in interviews] == [
        ("series-1", 2), ("series-1", 10), ("series-3", 11), ("series-1", 23), ("series-1", 30)]
    assert len({p.interview.id for p in interviews}) == 5  # each occurrence has its own id


def test_series_fast_equals_full() -> None:
    fast = plan(read(SERIES)[0]).interviews
    full = plan(read(SERIES, None)[0]).interviews
    assert fast == full


def test_window_limits_occurrences() -> None:
    tz = ZoneInfo(NY)
    window = Window(datetime(2026, 11, 9, tzinfo=tz), datetime(2026, 11, 24, tzinfo=tz))
    events, _ = read(SERIES, window=window)
    hooli = [e.start.day for e in events if e.uid == "series-1"]
    assert hooli == [10, 23]


def test_not_a_calendar_and_empty() -> None:
    with pytest.raises(SourceError, match="test.ics: the file is empty"):
        read(b"  \r\n")
    with pytest.raises(SourceError, match="test.ics: not an iCalendar file"):
        read(b"<html>hello</html>")


def test_bad_events_are_skipped_with_a_warning_naming_their_uid() -> None:
    data = cal(
        vevent("no-start", "DESCRIPTION:none"),
        vevent("bad-date", "DTSTART:20261341T140000"),
        vevent("bad-zone", "DTSTART;TZID=Mars/Olympus_Mons:20261119T140000"),
        vevent("good", "DTSTART;TZID=America/New_York:20261119T140000"),
    )
    for keywords in (DEFAULT_KEYWORDS, None):
        events, warnings = read(data, keywords)
        assert [e.uid for e in events] == ["good"]
        for uid in ("no-start", "bad-date", "bad-zone"):
            assert sum(uid in w for w in warnings) == 1, (uid, warnings)


# --- writing -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def reminders(sample_plans):
    return sample_plans[2].reminders


def test_calendar_bytes_is_deterministic(reminders) -> None:
    first = ics.calendar_bytes(reminders)
    assert first == ics.calendar_bytes(list(reversed(reminders)))
    again = plan(read(SAMPLE.read_bytes())[0]).reminders
    assert ics.calendar_bytes(again) == first
    assert ics.calendar_bytes(reminders, refresh_minutes=15) == ics.calendar_bytes(reminders, refresh_minutes=15)


def test_calendar_bytes_content(reminders) -> None:
    data = ics.calendar_bytes(reminders, {reminders[0].uid: 3}, name="My follow-ups", refresh_minutes=15)
    parsed = Calendar.from_ical(data)
    assert str(parsed["NAME"]) == "My follow-ups" and str(parsed["X-WR-CALNAME"]) == "My follow-ups"
    assert parsed["REFRESH-INTERVAL"].dt == timedelta(minutes=15)
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT15M" in data
    assert b"X-PUBLISHED-TTL:PT15M" in data
    events = parsed.walk("VEVENT")
    assert len(events) == len(reminders)
    by_uid = {str(e["UID"]): e for e in events}
    for r in reminders:
        e = by_uid[r.uid]
        assert r.uid.endswith("@followcal")
        assert str(e["X-FOLLOWCAL-KIND"]) == r.kind
        assert str(e["RELATED-TO"]) == r.interview_uid
        assert int(e["SEQUENCE"]) == (3 if r.uid == reminders[0].uid else 0)
        assert e["DTSTART"].dt == r.due and e["DTSTART"].dt.tzinfo.key == r.timezone
        assert e["DTEND"].dt - e["DTSTART"].dt == r.duration
        assert str(e["SUMMARY"]) == r.summary
        assert e["DTSTAMP"].dt == r.stamp
        (alarm,) = e.walk("VALARM")
        assert alarm["TRIGGER"].dt == timedelta(0) and str(alarm["ACTION"]) == "DISPLAY"
        assert "followcal" in [str(c) for c in e["CATEGORIES"].cats]
    zones_used = {r.timezone for r in reminders}
    assert {str(tz["TZID"]) for tz in parsed.walk("VTIMEZONE")} == zones_used
    assert zones_used == {"America/New_York", "America/Los_Angeles", "Europe/London", "Europe/Berlin"}


def test_calendar_without_refresh_has_no_refresh_interval(reminders) -> None:
    data = ics.calendar_bytes(reminders[:2])
    assert b"REFRESH-INTERVAL" not in data and b"X-PUBLISHED-TTL" not in data
    assert b"X-WR-CALNAME:followcal reminders" in data
    zones = {str(tz["TZID"]) for tz in Calendar.from_ical(data).walk("VTIMEZONE")}
    assert zones == {reminders[0].timezone}


def test_stamp_comes_from_the_input_not_the_clock(reminders) -> None:
    acme = [r for r in reminders if r.company == "Acme Corp"]
    assert {r.stamp for r in acme} == {datetime(2026, 11, 10, 9, 3, 12, tzinfo=UTC)}  # LAST-MODIFIED


def test_owned_round_trip(reminders) -> None:
    sequences = {r.uid: i % 3 for i, r in enumerate(reminders)}
    data = ics.calendar_bytes(reminders, sequences)
    owned = {o.uid: o for o in own_events.owned_events(data, "out.ics")}
    assert set(owned) == {r.uid for r in reminders}
    for r in reminders:
        o = owned[r.uid]
        assert o.kind == r.kind
        assert o.sequence == sequences[r.uid]
        assert o.fingerprint == r.fingerprint == o.stored_fingerprint
        assert not o.user_edited
        assert o.interview_uid == r.interview_uid
        assert o.interview_start == r.interview_start
        assert o.start == r.due
    one = Calendar.from_ical(ics.single_event_bytes(reminders[0], 7)).walk("VEVENT")[0]
    got = own_events.owned_from_component(one, ref="/cal/1.ics", etag='"e1"')
    assert (got.sequence, got.ref, got.etag, got.fingerprint) == (7, "/cal/1.ics", '"e1"', reminders[0].fingerprint)


def test_owned_detects_a_user_edit(reminders) -> None:
    event = Calendar.from_ical(ics.single_event_bytes(reminders[0], 0)).walk("VEVENT")[0]
    event["SUMMARY"] = "my own words"
    owned = own_events.owned_from_component(event)
    assert owned.user_edited and owned.stored_fingerprint == reminders[0].fingerprint


def test_foreign_events_are_not_owned(reminders) -> None:
    event = Calendar.from_ical(ics.single_event_bytes(reminders[0], 0)).walk("VEVENT")[0]
    del event["X-FOLLOWCAL-KIND"]
    assert own_events.owned_from_component(event) is None  # our UID but no marker
    event = Calendar.from_ical(ics.single_event_bytes(reminders[0], 0)).walk("VEVENT")[0]
    event["UID"] = "thank-you-abc@example.com"
    assert own_events.owned_from_component(event) is None  # marker but a foreign UID
    assert own_events.owned_events(SAMPLE.read_bytes(), "sample") == []


def test_own_output_read_back_as_input_plans_nothing(reminders) -> None:
    events, warnings = read(ics.calendar_bytes(reminders), keywords=None)
    assert len(events) == len(reminders)
    assert plan(events).interviews == ()
