"""The fast path (scan the text, parse only candidate VEVENTs) gives exactly the plan of the full
parse: on generated busy-calendar exports, on samples/interviews.ics, on hand-made edge cases, and
through the CLI (`plan --json` vs the hidden `plan --json --full-parse`). The scan's building
blocks are held to their simple reference definitions by property tests."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from followcal.cli.commands import cli
from followcal.config import RuleSettings, parse_settings
from followcal.core.model import Window
from followcal.core.planner import plan_events
from followcal.errors import SourceError
from followcal.ical import read as ics, scan as ics_scan

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from generate_feed import generate_feed  # noqa: E402

SAMPLE = ROOT / "samples" / "interviews.ics"
NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=NY)
SETTINGS = parse_settings({"timezone": "America/New_York", "me": ["me@example.com"]})


EVERYTHING = Window()


def plans(data: bytes, window: Window = EVERYTHING, settings_=SETTINGS):
    """(fast plan, full plan) of the same bytes."""
    out = []
    for keywords in (settings_.rules.keywords, None):
        events, warnings = ics.read_calendar(data, "feed.ics", window, keywords=keywords, now=NOW)
        out.append(plan_events(events, settings_, default_tz="America/New_York", marks={}, warnings=warnings))
    return out


@pytest.fixture(scope="module")
def feed_1k() -> bytes:
    return generate_feed(1000, seed=7)


def test_generated_feed_same_plan(feed_1k: bytes) -> None:
    fast, full = plans(feed_1k)
    assert fast == full
    assert len(fast.interviews) >= 5, "the generated feed should hold interviews"


def test_generated_feed_same_plan_in_a_window(feed_1k: bytes) -> None:
    window = Window(datetime(2026, 1, 1, tzinfo=NY), datetime(2027, 1, 1, tzinfo=NY))
    fast, full = plans(feed_1k, window)
    assert fast == full


def test_generated_feed_with_x_wr_timezone_same_plan() -> None:
    fast, full = plans(generate_feed(600, seed=3, interview_share=0.05, x_wr_timezone="Europe/Berlin"))
    assert fast == full
    assert fast.interviews


def test_generator_is_deterministic() -> None:
    assert generate_feed(200, seed=5) == generate_feed(200, seed=5)
    assert generate_feed(200, seed=5) != generate_feed(200, seed=6)


def test_sample_same_plan() -> None:
    fast, full = plans(SAMPLE.read_bytes())
    assert fast == full
    assert fast.interviews


def test_custom_keywords_same_plan(feed_1k: bytes) -> None:
    """Keywords TEXT escaping could hide (comma, backslash) or that are not ASCII take the slow
    line check; the plan is still the full parse's."""
    custom = replace(SETTINGS, rules=replace(RuleSettings(), keywords=("interview, final", "onsite", "gespräch", "ſcreen")))
    fast, full = plans(feed_1k, settings_=custom)
    assert fast == full


def _calendar(*events: str) -> bytes:
    body = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", *events, "END:VCALENDAR"])
    return (body + "\r\n").encode("utf-8")


def _event(uid: str, summary: str, start: str = "20261116T100000", extra: tuple[str, ...] = ()) -> str:
    return "\r\n".join(["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261101T000000Z",
                        f"DTSTART;TZID=America/New_York:{start}", "DURATION:PT1H", f"SUMMARY:{summary}",
                        *extra, "END:VEVENT"])


EDGE_CASES = {
    "override renamed away from an interview series": _calendar(
        _event("s1", "Recruiter call with Acme", "20261102T100000", ("RRULE:FREQ=WEEKLY;COUNT=4",)),
        _event("s1", "Dentist", "20261109T120000", ("RECURRENCE-ID;TZID=America/New_York:20261109T100000",)),
    ),
    "only an override is an interview": _calendar(
        _event("s2", "Weekly hold", "20261102T100000", ("RRULE:FREQ=WEEKLY;COUNT=4",)),
        _event("s2", "Interview with Globex", "20261109T120000",
               ("RECURRENCE-ID;TZID=America/New_York:20261109T100000",)),
    ),
    "VALARM with its own UID before the event's": "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "BEGIN:VEVENT", "BEGIN:VALARM", "UID:alarm-1", "ACTION:DISPLAY",
        "TRIGGER:-PT5M", "END:VALARM", "UID:ev-1", "DTSTAMP:20261101T000000Z",
        "DTSTART;TZID=America/New_York:20261102T100000", "DURATION:PT1H", "SUMMARY:Hold",
        "RRULE:FREQ=WEEKLY;COUNT=3", "END:VEVENT",
        _event("ev-1", "Onsite interview with Initech", "20261109T110000",
               ("RECURRENCE-ID;TZID=America/New_York:20261109T100000",)),
        "END:VCALENDAR", ""]).encode(),
    "keyword only in CATEGORIES, folded and lower-case names": _calendar(
        "begin:vevent\r\nuid:c1\r\ndtstamp:20261101T000000Z\r\ndtstart;tzid=America/New_York:20261117T090000\r\n"
        "duration:PT1H\r\nsummary:Acme Corp \u2013 Backend\r\ncategories:Job search,Inter\r\n view\r\nend:vevent"),
    "non-ASCII letters that casefold to the keyword": _calendar(
        _event("n1", "Phone \u017fcreen with Hooli"), _event("n2", "INTERVIEW MIT M\u00dcLLER"),
        _event("n3", "Interview prep"), _event("n4", "Interview\\, final round\\; Acme")),
    "CR-only line ends and a status change": _calendar(
        _event("r1", "Technical screen: Wayne", extra=("STATUS:CANCELLED",)),
        _event("r2", "Hiring manager chat \u2013 Stark")).replace(b"\r\n", b"\r"),
    "duplicate copies, newer one cancelled": _calendar(
        _event("d1", "Interview with Rekall"),
        _event("d1", "Lunch", extra=("STATUS:CANCELLED", "LAST-MODIFIED:20261110T000000Z"))),
}


@pytest.mark.parametrize("name", sorted(EDGE_CASES))
def test_edge_case_same_plan(name: str) -> None:
    fast, full = plans(EDGE_CASES[name])
    assert fast == full


def test_the_renamed_override_is_not_an_interview() -> None:
    fast, _ = plans(EDGE_CASES["override renamed away from an interview series"])
    starts = [p.interview.start.date() for p in fast.interviews]
    assert date(2026, 11, 9) not in starts and date(2026, 11, 2) in starts


def test_the_renamed_occurrence_is_the_only_interview() -> None:
    fast, _ = plans(EDGE_CASES["only an override is an interview"])
    assert [p.interview.start.date() for p in fast.interviews] == [date(2026, 11, 9)]


def test_selection_skips_unrelated_events() -> None:
    data = _calendar(_event("a", "Interview with Acme"), _event("b", "Team sync"),
                     "BEGIN:VTIMEZONE\r\nTZID:X\r\nEND:VTIMEZONE",
                     _event("c", "Notes", extra=("DESCRIPTION:about the interview",)))
    _, blocks = ics_scan.split_calendar(data, "x")
    chosen = ics_scan.select_blocks(blocks, RuleSettings().keywords)
    assert [(b.name, ics_scan.block_uid(b)) for b in chosen] == [("VEVENT", "a"), ("VTIMEZONE", "(no UID)")]


# --- the CLI ------------------------------------------------------------------------------------


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(tmp_path / "state"))
    config = tmp_path / "followcal.toml"
    config.write_text('timezone = "America/New_York"\nme = ["me@example.com"]\n', encoding="utf-8")

    def invoke(*args: str) -> str:
        result = CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    return invoke


@pytest.mark.parametrize("source", ["sample", "generated"])
def test_cli_plan_json_same_with_full_parse(run, tmp_path: Path, source: str) -> None:
    path = SAMPLE
    if source == "generated":
        path = tmp_path / "feed.ics"
        path.write_bytes(generate_feed(400, seed=11, interview_share=0.05))
    args = ["plan", str(path), "--json", "--now", "2026-11-22T12:00"]
    fast = run(*args)
    assert json.loads(fast)["interviews"]  # not an empty plan
    assert fast == run(*args, "--full-parse")


# --- the scan's pieces against their reference definitions --------------------------------------

_pieces = st.sampled_from([
    b"BEGIN:VCALENDAR", b"END:VCALENDAR", b"BEGIN:VEVENT", b"END:VEVENT", b"begin:valarm", b"END:VALARM",
    b"END:VC", b"BEGIN:VTIMEZONE", b"END:VTIMEZONE", b"UID:x", b"SUMMARY:Interview", b"X-A:1", b"", b" ",
    b"\t", b"END:", b"BEGIN:", b"\xef\xbb\xbf", b"\xc3\xa9",
])
_line_ends = st.sampled_from([b"\r\n", b"\n", b"\r", b"\r\n ", b"\n\t", b"\r\r\n", b"\n "])


@st.composite
def _streams(draw) -> bytes:
    parts = draw(st.lists(st.tuples(_pieces, _line_ends), max_size=30))
    return b"BEGIN:VCALENDAR\r\n" + b"".join(p + e for p, e in parts)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=60) | st.lists(st.sampled_from([b"a", b"\r", b"\n", b" ", b"\t"]), max_size=40).map(b"".join))
def test_unfold_is_the_rfc_regex(data: bytes) -> None:
    assert ics_scan.unfold(data) == re.sub(rb"\r?\n[ \t]", b"", data)


_TOP = {"VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE", "VAVAILABILITY"}


def _reference_split(data: bytes) -> tuple[list[bytes], list[tuple[str, list[bytes]]]]:
    """The line-by-line definition split_calendar must agree with: BEGIN/END matched by name;
    a component whose END is missing, mangled or unmatched is dropped (issue 19)."""
    text = re.sub(rb"\r?\n[ \t]", b"", data.lstrip(b"\xef\xbb\xbf"))
    first = next((ln for ln in text.splitlines() if ln.strip()), b"")
    if not data.strip() or first.strip().upper() != b"BEGIN:VCALENDAR":
        raise SourceError("not a calendar")
    header: list[bytes] = []
    blocks: list[tuple[str, list[bytes]]] = []
    current: list[bytes] = []
    stack: list[str] = []
    inside, broken, calendars = False, False, 0

    def finish() -> None:
        if not broken:
            blocks.append((stack[0], current))

    for raw in text.splitlines():
        line = raw.rstrip(b"\r")
        begin, end = line[:6].upper() == b"BEGIN:", line[:4].upper() == b"END:"
        name = (line[6:] if begin else line[4:]).strip().upper().decode("ascii", "replace")
        if not inside:
            if begin:
                inside, calendars = True, calendars + 1
            continue
        if not stack:
            if begin:
                current, stack, broken = [line], [name], False
            elif end:
                inside = name != "VCALENDAR"
            elif line.strip():
                header.append(line)
            continue
        if begin:
            if name in _TOP:
                broken = True
                finish()
                current, stack, broken = [line], [name], False
            else:
                current.append(line)
                stack.append(name)
            continue
        if not end:
            current.append(line)
            continue
        if name == stack[-1]:
            current.append(line)
            if len(stack) == 1:
                finish()
            stack.pop()
        elif name in stack:
            current.append(line)
            broken = True
            del stack[len(stack) - 1 - stack[::-1].index(name):]  # if now empty: dropped, broken
        elif name == "VCALENDAR":
            broken = True
            stack, inside = [], False
        else:
            current.append(line)
            broken = True
    if calendars == 0:
        raise SourceError("no VCALENDAR")
    return header, blocks


def _split(data: bytes) -> tuple[list[bytes], list[tuple[str, list[bytes]]]]:
    header, blocks = ics_scan.split_calendar(data, "x")
    return header, [(b.name, b.lines) for b in blocks]


def _outcome(split, data: bytes):
    try:
        header, blocks = split(data)
    except SourceError:
        return "SourceError"
    return header, [(name, list(lines)) for name, lines in blocks]


@settings(max_examples=300, deadline=None)
@given(_streams())
def test_split_calendar_matches_the_line_by_line_definition(data: bytes) -> None:
    assert _outcome(_split, data) == _outcome(_reference_split, data)
