"""Issue 19: calendars built to hang or crash followcal. Each ends in time with a warning about
the one series, event or zone at fault, and every other interview still comes out."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from support import NOW_TEXT as NOW, SAMPLE, run

from followcal.ical import scan as ics_scan

GOOD = "BEGIN:VEVENT\r\nUID:ok@x\r\nDTSTART:20261118T150000Z\r\nDURATION:PT1H\r\nSUMMARY:Interview with Globex\r\nEND:VEVENT\r\n"


@pytest.fixture(autouse=True)
def _own_state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(tmp_path / "state"))


def cal(*events: str) -> bytes:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n" + GOOD + "".join(events) + "END:VCALENDAR\r\n").encode()


def event(extra: str = "", start: str = "DTSTART:20261120T150000Z", summary: str = "Interview with Acme",
          end: str = "DURATION:PT1H") -> str:
    return f"BEGIN:VEVENT\r\nUID:bad@x\r\n{start}\r\n{end}\r\nSUMMARY:{summary}\r\n{extra}END:VEVENT\r\n"


def plan(tmp_path: Path, data: bytes, *extra: str) -> tuple[int, dict | None, str, float]:
    path = tmp_path / "cal.ics"
    path.write_bytes(data)
    started = time.monotonic()
    result = run(None, "plan", str(path), "--json", "--now", NOW, "--tz", "UTC", *extra)
    took = time.monotonic() - started
    data_out = json.loads(result.stdout) if result.exit_code == 0 else None
    warnings = "\n".join(data_out["warnings"]) if data_out else ""
    return result.exit_code, data_out, result.stderr + warnings, took


def uids(data: dict) -> set[str]:
    return {i["uid"] for i in data["interviews"]}


DAYS = ",".join(map(str, range(24)))
MINUTES = ",".join(map(str, range(60)))


@pytest.mark.timeout(30)
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize(
    "rule, words",
    [
        ("RRULE:FREQ=SECONDLY;COUNT=100000", "more often than hourly"),
        ("RRULE:FREQ=SECONDLY", "more often than hourly"),
        ("RRULE:FREQ=MINUTELY", "more often than hourly"),
        (f"RRULE:FREQ=DAILY;BYHOUR={DAYS};BYMINUTE={MINUTES};BYSECOND={MINUTES}", "more often than hourly"),
        ("RRULE:FREQ=HOURLY;BYSECOND=" + MINUTES, "more often than hourly"),
        ("RRULE:FREQ=DAILY;INTERVAL=0", "INTERVAL=0"),
    ],
)
def test_runaway_rules_are_not_interviews(tmp_path: Path, rule: str, words: str, full: bool) -> None:
    code, data, err, took = plan(tmp_path, cal(event(rule + "\r\n")), *(["--full-parse"] if full else []))
    assert code == 0, err
    assert took < 10
    assert uids(data) == {"ok@x"}
    assert "bad@x" in err and words in err


@pytest.mark.timeout(60)
def test_a_series_yields_at_most_max_per_series(tmp_path: Path) -> None:
    code, data, err, took = plan(tmp_path, cal(event("RRULE:FREQ=HOURLY\r\n", start="DTSTART:20261001T000000Z")))
    assert code == 0, err
    bad = [i for i in data["interviews"] if i["uid"] == "bad@x"]
    assert len(bad) == 1000
    assert "series bad@x" in err and "more than 1000 occurrences" in err


@pytest.mark.parametrize(
    "start, end",
    [
        ("DTSTART:99991231T230000Z", "DURATION:PT1H"),
        ("DTSTART:99991230T100000", "X-NONE:1"),
        ("DTSTART;TZID=America/New_York:99991231T220000", "DURATION:PT1H"),
        ("DTSTART;VALUE=DATE:99991231", "X-NONE:1"),
        ("DTSTART:00010101T000000Z", "DURATION:PT1H"),
        ("DTSTART:00010101T000000", "X-NONE:1"),
        ("DTSTART;TZID=America/New_York:00010101T000000", "DURATION:PT1H"),
        ("DTSTART;VALUE=DATE:00010101", "X-NONE:1"),
        ("DTSTART:99981230T100000Z", "RRULE:FREQ=YEARLY"),
    ],
)
def test_extreme_years_skip_the_one_event(tmp_path: Path, start: str, end: str) -> None:
    code, data, err, _ = plan(tmp_path, cal(event(start=start, end=end)))
    assert code == 0, err
    assert uids(data) == {"ok@x"}
    assert "bad@x" in err and "internal error" not in err


def _sample_lines() -> list[str]:
    return SAMPLE.read_text().splitlines()


def _edit(index_of: str, replacement: list[str], nth: int = 0) -> bytes:
    lines = _sample_lines()
    at = [i for i, ln in enumerate(lines) if ln == index_of][nth]
    return ("\r\n".join(lines[:at] + replacement + lines[at + 1 :]) + "\r\n").encode()


BROKEN = {  # the first VTIMEZONE (America/New_York) or the first VEVENT, broken in one way
    "repeated TZID": (_edit("TZID:America/New_York", ["TZID:America/New_York", "TZID:America/New_York"]), None),
    "two TZIDs": (_edit("TZID:America/New_York", ["TZID:America/New_York", "TZID:Foo/Bar"]), "2 different TZIDs"),
    "mangled END:STANDARD": (_edit("END:STANDARD", ["END:STANDARDX"]), "END:STANDARDX matches no BEGIN"),
    "cut END:STANDARD": (_edit("END:STANDARD", ["END:STAND"]), "matches no BEGIN"),
    "missing END:STANDARD": (_edit("END:STANDARD", []), "BEGIN:STANDARD has no END"),
    "missing END:DAYLIGHT": (_edit("END:DAYLIGHT", []), "BEGIN:DAYLIGHT has no END"),
    "missing END:VTIMEZONE": (_edit("END:VTIMEZONE", []), "BEGIN:VTIMEZONE has no END"),
    "unclosed X- component": (_edit("BEGIN:VEVENT", ["BEGIN:X-FOO", "BEGIN:VEVENT"]), "BEGIN:X-FOO has no END"),
}


@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_time_zone_costs_no_interview(tmp_path: Path, case: str, full: bool) -> None:
    data, words = BROKEN[case]
    _, whole, _, _ = plan(tmp_path, SAMPLE.read_bytes())
    code, got, err, _ = plan(tmp_path, data, *(["--full-parse"] if full else []))
    assert code == 0, err
    assert len(got["interviews"]) == len(whole["interviews"]) == 11  # the sample (its user inferred, the declined Wonka skipped)
    if words:
        assert words in err


@pytest.mark.parametrize(
    "case, replacement",
    [
        ("unclosed VALARM", ["BEGIN:VEVENT", "BEGIN:VALARM"]),
        ("missing END:VEVENT", None),
    ],
)
def test_an_unclosed_event_is_dropped_with_a_warning(tmp_path: Path, case: str, replacement: list[str] | None) -> None:
    if replacement is None:
        data = _edit("END:VEVENT", [])
    else:
        data = _edit("BEGIN:VEVENT", replacement)
    me = ("--me", "me@example.com")  # the user stated, not inferred from what is left of the file
    _, whole, _, _ = plan(tmp_path, SAMPLE.read_bytes(), *me)
    code, got, err, _ = plan(tmp_path, data, *me)
    assert code == 0, err
    assert "has no END line" in err and "skipped event" in err
    assert 0 < len(got["interviews"]) < len(whole["interviews"])
    assert uids(got) < uids(whole)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("where", ["DESCRIPTION:", "SUMMARY:", "X-JUNK:", ""])
def test_a_five_megabyte_line_of_keywords_is_scanned_linearly(where: str) -> None:
    line = where.encode() + b"interview " * 500_000
    block = ics_scan.Block("VEVENT", b"BEGIN:VEVENT\nUID:x\nSUMMARY:" + line + b"\nEND:VEVENT")
    started = time.monotonic()
    chosen = ics_scan.select_blocks([block] * 3, ["interview", "phone screen", "onsite"])
    assert time.monotonic() - started < 1.0
    assert len(chosen) == 3


@pytest.mark.timeout(60)
def test_a_five_megabyte_line_through_plan(tmp_path: Path) -> None:
    code, data, err, took = plan(tmp_path, cal(event("DESCRIPTION:" + "interview " * 500_000 + "\r\n")))
    assert code == 0, err
    assert uids(data) == {"ok@x", "bad@x"}
    assert took < 10


@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("line", ["TZOFFSETFROM:+9999", "TZOFFSETTO:garbage", "DTSTART:2026"])
def test_an_unparsable_time_zone_costs_no_interview(tmp_path: Path, line: str, full: bool) -> None:
    lines = _sample_lines()
    at = lines.index("BEGIN:STANDARD") + 1
    data = ("\r\n".join(lines[:at] + [line] + lines[at:]) + "\r\n").encode()
    code, got, err, _ = plan(tmp_path, data, *(["--full-parse"] if full else []))
    assert code == 0, err
    assert len(got["interviews"]) == 11


def test_an_unparsable_calendar_line_is_ignored(tmp_path: Path) -> None:
    lines = _sample_lines()
    broken = lines[:1] + ["PRODID garbage without a colon"] + lines[1:]
    code, got, err, _ = plan(tmp_path, ("\r\n".join(broken) + "\r\n").encode())
    assert code == 0, err
    assert ("calendar line" in err or "calendar property PRODID" in err) and len(got["interviews"]) == 11
