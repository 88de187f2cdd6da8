"""ics_fast, the direct reader of plain single events, against icalendar + to_source_event.

For every plain single VEVENT of the generated bench feeds, the sample and a generated mix of the
shapes invites take (quoted CN with commas, escapes, zones, UTC, floating, all-day, LANGUAGE
parameters, RFC 6868 carets, Windows TZIDs, DURATION, odd values), the direct reader either
declines (None: icalendar reads it) or returns exactly the SourceEvent icalendar's path makes."""

from __future__ import annotations

import sys
from collections import Counter

import icalendar
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from support import ROOT, SAMPLE

from followcal.config import DEFAULT_KEYWORDS
from followcal.ical import own_events, read as ics
from followcal.ical.fast import plain_event
from followcal.ical.scan import block_uid, own_lines, select_blocks, split_calendar, trimmed, used_lines

sys.path.insert(0, str(ROOT / "bench"))

from generate_feed import generate_feed  # noqa: E402


def reference(lines: list[bytes]):
    """What the icalendar path makes of the same lines (None where it would skip the event)."""
    data = b"\r\n".join([b"BEGIN:VCALENDAR", b"VERSION:2.0", *lines, b"END:VCALENDAR"]) + b"\r\n"
    calendar = icalendar.Calendar.from_ical(data)
    warnings: list[str] = []
    good = ics._drop_bad_events(calendar, "x", warnings)
    (event,) = calendar.walk("VEVENT") or [None]
    if warnings or event is None or not good.walk("VEVENT"):
        return None
    return ics.to_source_event(event, "x")


def plain_blocks(data: bytes) -> list[list[bytes]]:
    header, blocks = split_calendar(data, "x")
    chosen = [b for b in select_blocks(blocks, DEFAULT_KEYWORDS) if b.name == "VEVENT"]
    count = Counter(block_uid(b) for b in chosen)
    return [used_lines(own_lines(b, trimmed(b, "x", []))) for b in chosen if count[block_uid(b)] == 1]


def check(lines: list[bytes]) -> bool:
    """Asserts agreement; True when the direct reader took the event."""
    direct = plain_event(lines, "x")
    if direct is None:
        return False
    assert direct == reference(lines), b"\n".join(lines).decode("utf-8", "replace")
    return True


@pytest.mark.parametrize("seed", [1, 7, 11])
def test_bench_feeds(seed: int) -> None:
    blocks = plain_blocks(generate_feed(2000, seed=seed, interview_share=0.1))
    taken = sum(check(lines) for lines in blocks)
    assert blocks and taken >= 0.9 * len(blocks)  # the direct reader really carries the fast path


def test_sample() -> None:
    blocks = plain_blocks(SAMPLE.read_bytes())
    assert sum(check(lines) for lines in blocks) >= len(blocks) // 2


_PROPERTIES = [
    "SUMMARY:Interview with Acme Corp",
    "SUMMARY;LANGUAGE=de:Vorstellungsgespräch bei Nordwind GmbH",
    "SUMMARY:Interview\\, round 2\\; onsite\\nsecond line",
    "SUMMARY:Interview \\\\ backslash",
    "SUMMARY:  Interview padded  ",
    "DESCRIPTION:Company: Acme\\nRole: Engineer\\nTimeline: 2 weeks",
    "DESCRIPTION;ALTREP=\"cid:part1\":Join: https://zoom.us/j/1?pwd=a;b",
    "ORGANIZER;CN=\"Doe, Jane\":mailto:Jane.Doe@Acme.example",
    "ORGANIZER;CN=Sam Lee;SENT-BY=\"mailto:a@b.example\":MAILTO:sam@acme.example",
    "ORGANIZER;CN=Caret^'s:mailto:c@acme.example",
    "ORGANIZER:mailto:no-reply@greenhouse.io",
    "ATTENDEE;CN=\"Lee, Sam\";PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT:mailto:sam@acme.example",
    "ATTENDEE;PARTSTAT=declined;CN=me:mailto:me@example.com",
    "ATTENDEE;RSVP=TRUE:mailto:x@y.example",
    "ATTENDEE;CUTYPE=GROUP;MEMBER=\"mailto:a@x\",\"mailto:b@x\":mailto:team@x.example",
    "CATEGORIES:Interview,Jobs",
    "CATEGORIES:interview\\,odd",
    "STATUS:CONFIRMED",
    "STATUS:cancelled",
    "STATUS:",
    "DTSTAMP:20261101T120000Z",
    "DTSTAMP:20261101T120000",
    "LAST-MODIFIED:20261102T080000Z",
    "LAST-MODIFIED:20261102",
    "X-FOLLOWCAL-KIND:thank-you",
    "X-MICROSOFT-CDO-BUSYSTATUS:BUSY",
    "DURATION:PT1H",
]
_STARTS = [
    ("DTSTART;TZID=America/New_York:20261119T140000", "DTEND;TZID=America/New_York:20261119T150000"),
    ("DTSTART:20261119T190000Z", "DTEND:20261119T200000Z"),
    ("DTSTART:20261119T140000", "DTEND:20261119T150000"),
    ("DTSTART;VALUE=DATE:20261119", "DTEND;VALUE=DATE:20261120"),
    ("DTSTART;TZID=Europe/Berlin:20260329T020000", "DTEND;TZID=Europe/London:20260329T030000"),
    ("DTSTART;TZID=W. Europe Standard Time:20261119T100000", "DTEND;TZID=W. Europe Standard Time:20261119T110000"),
    ("DTSTART;TZID=\"America/Chicago\":20261119T100000", "DURATION:PT1H"),
    ("DTSTART;VALUE=DATE-TIME:20261119T100000Z", "DTEND:20261119T090000Z"),
    ("DTSTART:20261319T100000Z", "DTEND;VALUE=DATE:20261120"),
    ("DTSTART;TZID=Mars/Olympus:20261119T100000", ""),
    ("DTSTART;TZID=UTC:20261119T100000", "DTEND:20261119T110000Z"),
    ("DTSTART:20261119T190000Z", "DURATION:PT45M"),
    ("DTSTART;TZID=America/New_York:20261031T013000", "DURATION:P1DT2H"),
    ("DTSTART;TZID=America/New_York:20260308T013000", "DURATION:PT1H30M"),
    ("DTSTART;VALUE=DATE:20261119", "DURATION:P2D"),
    ("DTSTART;VALUE=DATE:20261119", "DURATION:P1W"),
    ("DTSTART;VALUE=DATE:20261119", "DURATION:PT1H"),
    ("DTSTART:20261119T140000", "DURATION:PT0S"),
    ("DTSTART:20261119T140000", "DURATION:-PT1H"),
    ("DTSTART:20261119T140000", "DURATION:PT"),
    ("DTSTART:20261119T140000", "DURATION;X-P=1:PT1H"),
    ("DTSTART:21991231T230000Z", "DURATION:P400D"),
]


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_STARTS), st.lists(st.sampled_from(_PROPERTIES), max_size=8),
       st.sampled_from(["UID:a1@x", "UID:a\\,1@x", ""]))
def test_invite_shapes(start: tuple[str, str], extra: list[str], uid: str) -> None:
    lines = ["BEGIN:VEVENT", uid, *start, *extra, "END:VEVENT"]
    check([line.encode("utf-8") for line in lines if line])


def test_own_events_read_back_as_icalendar_reads_them(sample_reminders) -> None:
    """Reading a previous export (to carry SEQUENCE): the direct reader agrees with icalendar on
    every reminder, and takes all of them."""
    from followcal.ical.fast import owned_event

    data = ics.calendar_bytes(sample_reminders, {sample_reminders[0].uid: 3})
    calendar = icalendar.Calendar.from_ical(data)
    expected = [own_events.owned_from_component(c) for c in calendar.walk("VEVENT")]
    header, blocks = split_calendar(data, "x")
    direct = [owned_event(own_lines(b, b.lines)) for b in blocks if b.name == "VEVENT"]
    assert direct == expected and all(direct) and len(direct) == len(sample_reminders)
    assert own_events.owned_events(data, "x") == expected


def test_declined_own_events_still_come_back_through_icalendar(sample_reminders) -> None:
    """An edited reminder with an escaped backslash or a DURATION: icalendar reads it, in place."""
    data = ics.calendar_bytes(sample_reminders[:3])
    edited = data.replace(b"SUMMARY:Thank-you note", b"SUMMARY:Thank-you \\\\ note", 1)
    assert edited != data
    got = own_events.owned_events(edited, "x")
    expected = [own_events.owned_from_component(c) for c in icalendar.Calendar.from_ical(edited).walk("VEVENT")]
    assert got == expected and len(got) == 3 and "\\" in got[0].summary
