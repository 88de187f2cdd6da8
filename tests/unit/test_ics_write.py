"""followcal's own reminder serialiser (ics_write) against icalendar, the reader of record.

Two properties: icalendar reads back exactly what each reminder says (every property, for any
text, zone and kind), and the bytes are those icalendar's own writer produces for the same
component, folding included, so the switch changed no export."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from icalendar import Alarm, Calendar, Event, vCategory

from followcal.core.mailto import first_link
from followcal.core.model import Reminder
from followcal.ical import read as ics
from followcal.ical.write import duration, escape_text, event_bytes, fold

ZONES = ["America/New_York", "Europe/Berlin", "Asia/Tokyo", "Australia/Sydney", "UTC"]
KINDS = ["thank-you", "follow-up-1", "follow-up-2", "cut-off", "gracious-reply"]
STAMP = datetime(2026, 11, 1, 12, 30, 5, tzinfo=UTC)


def icalendar_event(reminder: Reminder, sequence: int) -> Event:
    """The reference: the VEVENT as followcal built it with icalendar before ics_write."""
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
    link = first_link(reminder.description)
    if link:
        event.add("URL", link)
    event.add("CATEGORIES", vCategory(["followcal"]))
    event.add("RELATED-TO", reminder.interview_uid)
    event.add("TRANSP", "TRANSPARENT")
    event.add("STATUS", "CONFIRMED")
    event.add("X-FOLLOWCAL-KIND", reminder.kind)
    event.add("X-FOLLOWCAL-INTERVIEW", reminder.interview_id)
    start = reminder.interview_start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    event.add("X-FOLLOWCAL-INTERVIEW-START", start)
    event.add("X-FOLLOWCAL-HASH", reminder.fingerprint)
    alarm = Alarm()
    alarm.add("ACTION", "DISPLAY")
    alarm.add("DESCRIPTION", reminder.summary)
    alarm.add("TRIGGER", timedelta(0))
    event.add_component(alarm)
    return event


# Text as drafts and invites hold it: accents, CJK, emoji, the characters TEXT escapes, line
# breaks of every kind, and runs long enough to fold many times.
_text = st.text(
    alphabet=st.sampled_from(list("abc XYZ019.:-'\"()") + list("\\;,\n\r\t^") + list("éüß€日本語🙂")),
    max_size=400,
)


@st.composite
def reminders(draw: st.DrawFn) -> Reminder:
    zone = draw(st.sampled_from(ZONES))
    day = draw(st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)))
    due = datetime(day.year, day.month, day.day, draw(st.integers(0, 23)), draw(st.sampled_from([0, 15, 30])),
                   tzinfo=ZoneInfo(zone))
    return Reminder(
        uid=f"{draw(st.sampled_from(KINDS))}-{draw(st.text('0123456789abcdef', min_size=8, max_size=24))}@followcal",
        kind=draw(st.sampled_from(KINDS)),
        interview_id=draw(st.text("0123456789abcdef", min_size=12, max_size=12)),
        interview_uid=draw(st.text(alphabet=st.sampled_from(list("ab-@.;,\\") + ["é"]), min_size=1, max_size=90)),
        interview_start=due - timedelta(days=3),
        company=draw(_text),
        role=None,
        date=day,
        due=due,
        duration=timedelta(minutes=draw(st.sampled_from([15, 30]))),
        timezone=zone,
        channel="email",
        summary=draw(_text),
        description=draw(_text),
        stamp=STAMP,
        all_day=draw(st.booleans()),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(reminders(), st.integers(0, 40))
def test_icalendar_reads_back_every_property(reminder: Reminder, sequence: int) -> None:
    text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n" + event_bytes(reminder, sequence).decode() + "END:VCALENDAR\r\n"
    (event,) = Calendar.from_ical(text.encode("utf-8")).walk("VEVENT")
    normal = reminder.summary.replace("\r\n", "\n").replace("\r", "\n")
    assert str(event["SUMMARY"]) == normal
    assert str(event["DESCRIPTION"]) == reminder.description.replace("\r\n", "\n").replace("\r", "\n")
    assert str(event["UID"]) == reminder.uid and int(event["SEQUENCE"]) == sequence
    assert str(event["RELATED-TO"]) == reminder.interview_uid
    assert str(event["X-FOLLOWCAL-KIND"]) == reminder.kind
    assert str(event["X-FOLLOWCAL-HASH"]) == reminder.fingerprint
    if reminder.all_day:
        assert event["DTSTART"].dt == reminder.date
        assert event["DTEND"].dt == reminder.date + timedelta(days=1)
    else:
        assert event["DTSTART"].dt == reminder.due and event["DTEND"].dt == reminder.end
        assert event["DTSTART"].dt.utcoffset() == reminder.due.utcoffset()
    assert event["DTSTAMP"].dt == STAMP and event["LAST-MODIFIED"].dt == STAMP
    (alarm,) = event.walk("VALARM")
    assert str(alarm["DESCRIPTION"]) == normal and alarm["TRIGGER"].dt == timedelta(0)
    for line in text.encode("utf-8").split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # never folded inside a UTF-8 character


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(reminders(), st.integers(0, 40))
def test_bytes_are_those_icalendar_writes(reminder: Reminder, sequence: int) -> None:
    assert event_bytes(reminder, sequence) == icalendar_event(reminder, sequence).to_ical()


@pytest.mark.parametrize("minutes", [1, 15, 59, 60, 90, 1440, 1441, 2880, 10080])
def test_duration_matches_icalendar(minutes: int) -> None:
    from icalendar import vDuration

    assert duration(timedelta(minutes=minutes)).encode() == vDuration(timedelta(minutes=minutes)).to_ical()


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None, derandomize=True)
def test_fold_matches_icalendar(text: str) -> None:
    """Any text, folded as a SUMMARY line, as icalendar folds it (UTF-8 and escapes intact)."""
    event = Event()
    event.add("SUMMARY", text)
    expected = event.to_ical().decode("utf-8").split("\r\n", 1)[1].rsplit("\r\nEND:VEVENT", 1)[0]
    assert fold("SUMMARY:" + escape_text(text)) == expected


def test_whole_sample_export_is_what_icalendar_wrote(sample_reminders: list[Reminder]) -> None:
    """The calendar around the events too: header, VTIMEZONEs, order, the refresh properties."""
    from icalendar import vDuration

    data = ics.calendar_bytes(sample_reminders, {sample_reminders[0].uid: 4}, name="Jobs", refresh_minutes=15)
    calendar = Calendar()
    calendar.add("PRODID", ics.PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    calendar.add("NAME", "Jobs")
    calendar.add("X-WR-CALNAME", "Jobs")
    calendar.add("X-WR-CALDESC", "Thank-you notes, follow-ups and cut-offs after job interviews")
    calendar.add("REFRESH-INTERVAL", timedelta(minutes=15), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(timedelta(minutes=15)))
    for tz in ics._timezones(sample_reminders):
        calendar.add_component(tz)
    for r in sorted(sample_reminders, key=lambda r: (r.due, r.uid)):
        calendar.add_component(icalendar_event(r, 4 if r.uid == sample_reminders[0].uid else 0))
    assert data == calendar.to_ical()


def test_own_vtimezone_bytes_are_icalendars_for_every_zone() -> None:
    """Issue 17: the VTIMEZONEs of an export are written without icalendar, byte for byte as its
    to_ical wrote them, for every zone on the system and spans of one and three years."""
    from datetime import date
    from zoneinfo import available_timezones

    from followcal.ical.vtimezone import vtimezone, vtimezone_bytes

    for tzid in sorted(available_timezones()):
        for first, last in ((date(2025, 1, 1), date(2027, 12, 31)), (date(1970, 1, 1), date(1970, 12, 31))):
            assert vtimezone_bytes(tzid, first, last) == vtimezone(tzid, first, last).to_ical(), tzid
