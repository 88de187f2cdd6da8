"""Issue 17: the fast paths hold on the fuzz corpus (test_fuzz's mutated calendars), the bench
feeds and the samples, not only on well-formed input.

- `select.split_select` (one pass) == `scan.select_blocks(scan.split_calendar(...))`: the same
  calendar-level lines, the same blocks and the same warnings, or the same SourceError.
- `scan.normalized` == its definition (RFC 5545 unfolding, then CRLF and CR made LF).
- own serialiser == icalendar: each reminder VEVENT byte for byte as icalendar writes it, and
  our export read back by fast.owned_event as icalendar's reading gives it.
- the plain-VTIMEZONE shortcut, zones left out of icalendar's parse and series occurrences read
  without copies change no event and no warning (switched off for the reference).
- fast path == full parse: the same interviews and reminders. Warnings legitimately differ in one
  way only: the fast path reads only the candidate events (a keyword in SUMMARY or CATEGORIES,
  their series, the VTIMEZONEs), so a warning about a non-candidate event ("skipped event X:
  invalid DTSTART", "no UID", "cannot expand its recurrences") is given by the full parse alone.
  Every warning of the fast path is also one of the full parse's.
"""

from __future__ import annotations

import itertools
import re
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from followcal.config import DEFAULT_KEYWORDS
from followcal.errors import FollowcalError, SourceError
from followcal.ical import own_events, scan, select, zones

ROOT = Path(__file__).resolve().parents[1].parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_feed import generate_feed  # noqa: E402
from test_fast_path_equivalence import plans  # noqa: E402
from test_fuzz import mutated  # noqa: E402

KEYWORD_SETS = [DEFAULT_KEYWORDS, ("interview", "a,b", "面接", "ſcreen"), ()]
FUZZ = settings(max_examples=400, derandomize=True, database=None, deadline=None,
                suppress_health_check=list(HealthCheck))


def _reference(data: bytes, keywords) -> object:
    warnings: list[str] = []
    try:
        header, blocks = scan.split_calendar(data, "feed.ics", warnings)
    except SourceError as exc:
        return str(exc)
    return header, scan.select_blocks(blocks, keywords), warnings


def _one_pass(data: bytes, keywords) -> object:
    warnings: list[str] = []
    try:
        header, blocks = select.split_select(data, "feed.ics", keywords, warnings)
    except SourceError as exc:
        return str(exc)
    return header, blocks, warnings


def _corpus() -> list[tuple[str, bytes]]:
    files = [ROOT / "samples" / "interviews.ics", *sorted((ROOT / "tests" / "unit" / "tz_exports").glob("*.ics"))]
    feeds = [("feed-1000", generate_feed(1000)), ("feed-3000-x-wr", generate_feed(3000, seed=3, x_wr_timezone="Europe/Berlin"))]
    return [(p.name, p.read_bytes()) for p in files] + feeds


@pytest.mark.parametrize(("name", "data"), _corpus(), ids=[n for n, _ in _corpus()])
def test_one_pass_select_on_samples_and_bench_feeds(name: str, data: bytes) -> None:
    for keywords in KEYWORD_SETS:
        assert _one_pass(data, keywords) == _reference(data, keywords)
    assert select.plain_blocks(scan.normalized(data, name)) is not None or name.endswith(".ics")


@FUZZ
@given(mutated())
def test_one_pass_select_on_the_fuzz_corpus(case: tuple[bytes, int]) -> None:
    data, _ = case
    for keywords in KEYWORD_SETS:
        assert _one_pass(data, keywords) == _reference(data, keywords)
    try:
        text = scan.normalized(data, "x")
    except SourceError:
        return
    plain = select.plain_blocks(text)
    if plain is not None:  # the plain shape's blocks are split_text's, before the VTIMEZONE check
        header, blocks = scan.split_text(text, "x", [])
        assert [b for b in plain if b.name != "VTIMEZONE"] == [b for b in blocks if b.name != "VTIMEZONE"]


def test_the_plain_shape_is_common_in_the_fuzz_corpus() -> None:
    """Most mutations keep the plain shape, so the tests above exercise the one-pass path."""
    seen = []

    @FUZZ
    @given(mutated())
    def count(case: tuple[bytes, int]) -> None:
        try:
            seen.append(select.plain_blocks(scan.normalized(case[0], "x")) is not None)
        except SourceError:
            pass

    count()
    assert sum(seen) > len(seen) // 4 and not all(seen)


def _definition(data: bytes) -> bytes:
    text = re.sub(rb"\r?\n[ \t]", b"", data)
    return text.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def test_normalized_line_ends_match_the_definition_exhaustively() -> None:
    """Every string of up to 7 characters over the characters that matter (6^7 = 280,000)."""
    for n in range(8):
        for chars in itertools.product((b"a", b"\r", b"\n", b" ", b"\t", b"B"), repeat=n):
            data = b"BEGIN:VCALENDAR" + b"".join(chars)
            assert scan._unfolded_lf(data) == _definition(data), data


@settings(FUZZ, max_examples=75)
@given(mutated())
def test_fast_path_plan_equals_full_parse_on_the_fuzz_corpus(case: tuple[bytes, int]) -> None:
    data, _ = case
    try:
        fast, full = plans(data)
    except FollowcalError:
        return
    assert fast.interviews == full.interviews
    assert set(fast.warnings) <= set(full.warnings)


def _zone_blocks(data: bytes) -> list[scan.Block]:
    try:
        _, blocks = scan.split_calendar(data, "x")
    except SourceError:
        return []
    return [b for b in blocks if b.name == "VTIMEZONE"]


def _check_plain_zones(data: bytes) -> int:
    """Every VTIMEZONE zones.plain_iana_timezone lets skip icalendar is one icalendar reads
    without error as the IANA zone of its TZID (the shortcut's claim)."""
    accepted = 0
    for block in _zone_blocks(data):
        if zones.plain_iana_timezone(block):
            accepted += 1
            tz = zones.icalendar_zone(block)
            assert tz == ZoneInfo(zones._block_tzid(block) or "")
    return accepted


@pytest.mark.parametrize(("name", "data"), _corpus(), ids=[n for n, _ in _corpus()])
def test_plain_zones_on_samples_and_bench_feeds(name: str, data: bytes) -> None:
    accepted = _check_plain_zones(data)
    assert accepted or "tz_exports" in name or name.startswith(("outlook", "exchange"))


@FUZZ
@given(mutated())
def test_plain_zones_on_the_fuzz_corpus(case: tuple[bytes, int]) -> None:
    _check_plain_zones(case[0])


_OFFSET = st.builds(lambda s, h, m: f"{s}{h:02d}{m:02d}", st.sampled_from("+-"), st.integers(0, 23), st.integers(0, 59))
_STAMP = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)).map(
    lambda d: f"{d.year:04d}{d:%m%dT%H%M%S}")
_RULE = st.lists(st.sampled_from(["BYMONTH=3", "BYMONTH=11", "BYDAY=2SU", "BYDAY=-1SU", "BYDAY=SU", "BYMONTHDAY=31",
                                  "UNTIL=20070311T070000Z", "COUNT=10", "INTERVAL=1"]), max_size=4)


@st.composite
def _plain_zone(draw) -> bytes:
    lines = ["BEGIN:VTIMEZONE", f"TZID:{draw(st.sampled_from(['America/New_York', 'Europe/Berlin', 'UTC', 'Asia/Tokyo']))}"]
    if draw(st.booleans()):
        lines.append("X-LIC-LOCATION:Europe/Berlin")
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["STANDARD", "DAYLIGHT"]))
        lines += [f"BEGIN:{kind}", f"DTSTART:{draw(_STAMP)}", f"TZOFFSETFROM:{draw(_OFFSET)}", f"TZOFFSETTO:{draw(_OFFSET)}"]
        if draw(st.booleans()):
            lines.append(f"TZNAME:{draw(st.sampled_from(['CET', 'EST', 'GMT+1', 'X']))}")
        if draw(st.booleans()):
            lines.append("RRULE:" + ";".join(["FREQ=YEARLY", *draw(_RULE)]))
        if draw(st.booleans()):
            lines.append(f"RDATE:{draw(_STAMP)}")
        lines.append(f"END:{kind}")
    lines.append("END:VTIMEZONE")
    return "\n".join(lines).encode()


@settings(max_examples=300, deadline=None)
@given(_plain_zone())
def test_every_plain_zone_shape_reads_in_icalendar(text: bytes) -> None:
    block = scan.Block("VTIMEZONE", text)
    assert zones.plain_iana_timezone(block)
    assert zones.icalendar_zone(block) == ZoneInfo(zones._block_tzid(block) or "")


def _read_both_ways(data: bytes, keywords) -> tuple[object, object]:
    from followcal.core.model import Window
    from followcal.ical import read

    out = []
    for skip in (True, False):
        read.SKIP_PLAIN_ZONES = skip
        try:
            out.append(read.read_calendar(data, "feed.ics", Window(), keywords=keywords, now=NOW))
        except FollowcalError as exc:
            out.append(str(exc))
        finally:
            read.SKIP_PLAIN_ZONES = True
    return out[0], out[1]


NOW = datetime(2026, 11, 22, 12, 0, tzinfo=ZoneInfo("America/New_York"))


@pytest.mark.parametrize(("name", "data"), _corpus(), ids=[n for n, _ in _corpus()])
def test_plain_zones_left_out_of_the_parse_change_nothing(name: str, data: bytes) -> None:
    for keywords in (DEFAULT_KEYWORDS, None):
        skipped, parsed = _read_both_ways(data, keywords)
        assert skipped == parsed


@settings(FUZZ, max_examples=60)
@given(mutated())
def test_plain_zones_left_out_of_the_parse_change_nothing_on_the_fuzz_corpus(case: tuple[bytes, int]) -> None:
    for keywords in (DEFAULT_KEYWORDS, None):
        skipped, parsed = _read_both_ways(case[0], keywords)
        assert skipped == parsed


@settings(max_examples=500, deadline=None)
@given(st.text(), st.sampled_from(["!$'()*,;:@", "!$'*+-.^_`{|}~@", "", "é/"]))
def test_mailto_quote_is_urllib_quote(text: str, safe: str) -> None:
    from urllib.parse import quote

    from followcal.core import mailto

    try:
        expected = quote(text, safe=safe, encoding="utf-8")
    except UnicodeEncodeError:
        with pytest.raises(UnicodeEncodeError):
            mailto._quote(text, safe)
        return
    assert mailto._quote(text, safe) == expected


def _reference_prop(block: scan.Block, name: bytes) -> list[bytes]:
    out = []
    for line in block.text.split(b"\n"):
        if line[: len(name)].upper() == name and line[len(name) : len(name) + 1] in (b":", b";"):
            value = scan._value_of(line)
            if value is not None:
                out.append(value)
    return out


@FUZZ
@given(mutated())
def test_block_prop_is_the_line_by_line_definition(case: tuple[bytes, int]) -> None:
    try:
        _, blocks = scan.split_calendar(case[0], "x")
    except SourceError:
        return
    for block in blocks:
        for name in (b"UID", b"TZID", b"X-FOLLOWCAL-KIND", b"SUMMARY", b"DTSTART"):
            assert block.prop(name) == _reference_prop(block, name)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"UID:a", b"uid;x=1:b", b'UID;X="a:b":c', b"UIDX:d", b" UID:e", b"UID", b"Uid:",
                                 b"\xc3\xa9UID:f", b"x", b""]), max_size=8))
def test_block_prop_on_odd_lines(lines: list[bytes]) -> None:
    block = scan.Block("VEVENT", b"\n".join([b"BEGIN:VEVENT", *lines, b"END:VEVENT"]))
    assert block.prop(b"UID") == _reference_prop(block, b"UID")


def _both_splits(data: bytes) -> tuple[object, object] | None:
    try:
        text = scan.normalized(data, "x")
    except SourceError:
        return None
    plain_warnings: list[str] = []
    text_warnings: list[str] = []
    plain = select.split_plain(text, "x", plain_warnings)
    if plain is None:
        return None
    return (plain, plain_warnings), (scan.split_text(text, "x", text_warnings), text_warnings)


@FUZZ
@given(mutated())
def test_split_plain_is_split_text_on_the_fuzz_corpus(case: tuple[bytes, int]) -> None:
    both = _both_splits(case[0])
    if both is not None:
        assert both[0] == both[1]


@pytest.mark.parametrize(("name", "data"), _corpus(), ids=[n for n, _ in _corpus()])
def test_split_plain_is_split_text_on_samples_and_bench_feeds(name: str, data: bytes) -> None:
    both = _both_splits(data)
    if both is not None:
        assert both[0] == both[1]


@settings(max_examples=500, deadline=None)
@given(st.from_regex(r"\A[0-9]{8}T[0-9]{6}Z\Z") | st.text(alphabet="0123456789TZ ", max_size=17))
def test_utc_stamp_is_strptime(value: str) -> None:
    from datetime import UTC

    from followcal.ical import fast

    try:
        expected = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        expected = None
    assert fast._utc_stamp(value) == expected


_EDGE_BYTES = st.lists(st.sampled_from([b" ", b"\t", b"\r", b"\n", b"\x0b", b"\x0c", b"\xef\xbb\xbf", b"\xef", b"begin:vcalendar",
                                        b"BEGIN:VCALENDAR", b"END:VCALENDAR", b"end:vcalendar", b"x", b"\x00"]), max_size=12)


@settings(max_examples=500, deadline=None)
@given(_EDGE_BYTES.map(b"".join), st.sampled_from([0, 4090, 5000]))
def test_cheap_start_and_end_checks_are_the_definitions(data: bytes, pad: int) -> None:
    from followcal.backends import files

    for padded in (data, b" " * pad + data, data + b"\n" * pad, b"x" * pad + data):
        assert files._starts(padded, b"BEGIN:VCALENDAR") == padded.lstrip(b"\xef\xbb\xbf \t\r\n").upper().startswith(
            b"BEGIN:VCALENDAR")
        assert files._ends(padded, b"END:VCALENDAR") == padded.rstrip().upper().endswith(b"END:VCALENDAR")
        assert scan._blank(padded) == (not padded.strip())
        text = b"\n" + padded
        assert scan._FIRST_LINE.match(text).group(1) == text.lstrip().split(b"\n", 1)[0]  # type: ignore[union-attr]


def test_known_zone_is_membership_in_available_timezones() -> None:
    from zoneinfo import available_timezones

    from followcal.ical.tznames import known_zone

    zones = available_timezones()
    names = [*zones, "posixrules", "posix/Europe/Berlin", "right/UTC", "Europe/../Europe/Berlin", "zone.tab",
             "tzdata.zi", "Europe", "", "/Europe/Berlin", "Europe//Berlin", "europe/berlin", "Mars/Olympus",
             "iso3166.tab", "leap-seconds.list", "W. Europe Standard Time"]
    assert [n for n in names if known_zone(n) != (n in zones)] == []


def _read_lazy_and_copied(data: bytes, keywords, window) -> tuple[object, object]:
    from followcal.ical import limits, read

    out = []
    for lazy in (True, False):
        limits.LAZY_OCCURRENCES = lazy
        try:
            out.append(read.read_calendar(data, "feed.ics", window, keywords=keywords, now=NOW))
        except FollowcalError as exc:
            out.append(str(exc))
        finally:
            limits.LAZY_OCCURRENCES = True
    return out[0], out[1]


def _windows() -> list[object]:
    from followcal.core.model import Window

    return [Window(), Window(datetime(2026, 1, 1, tzinfo=NOW.tzinfo), datetime(2027, 3, 1, tzinfo=NOW.tzinfo))]


@pytest.mark.parametrize(("name", "data"), _corpus(), ids=[n for n, _ in _corpus()])
def test_occurrences_read_without_copies_on_samples_and_bench_feeds(name: str, data: bytes) -> None:
    """Issue 17: read.occurrence_event (no as_component copy) == to_source_event of the copy."""
    for keywords in (DEFAULT_KEYWORDS, None):
        for window in _windows():
            lazy, copied = _read_lazy_and_copied(data, keywords, window)
            assert lazy == copied


@settings(FUZZ, max_examples=75)
@given(mutated())
def test_occurrences_read_without_copies_on_the_fuzz_corpus(case: tuple[bytes, int]) -> None:
    for keywords in (DEFAULT_KEYWORDS, None):
        lazy, copied = _read_lazy_and_copied(case[0], keywords, _windows()[0])
        assert lazy == copied


def _serialiser_matches_icalendar(data: bytes) -> int:
    """The reminders of a calendar: each VEVENT byte for byte as icalendar writes it, and the
    whole export read back by fast.owned_event exactly as icalendar's reading gives it."""
    import icalendar
    from test_ics_write import icalendar_event

    from followcal.ical.write import calendar_bytes, event_bytes

    try:
        fast, _ = plans(data)
    except FollowcalError:
        return 0
    reminders = fast.reminders
    for reminder in reminders:
        assert event_bytes(reminder, 3) == icalendar_event(reminder, 3).to_ical()
    whole = calendar_bytes(reminders, {r.uid: 2 for r in reminders})
    reference = [own_events.owned_from_component(c) for c in icalendar.Calendar.from_ical(whole).walk("VEVENT")]
    assert own_events.owned_events(whole, "out.ics") == [o for o in reference if o is not None]
    return len(reminders)


@pytest.mark.parametrize(("name", "data"), _corpus(), ids=[n for n, _ in _corpus()])
def test_own_serialiser_is_icalendars_on_samples_and_bench_feeds(name: str, data: bytes) -> None:
    assert _serialiser_matches_icalendar(data) > 0 or name.startswith(("outlook", "exchange"))


@settings(FUZZ, max_examples=30)
@given(mutated())
def test_own_serialiser_is_icalendars_on_the_fuzz_corpus(case: tuple[bytes, int]) -> None:
    _serialiser_matches_icalendar(case[0])
