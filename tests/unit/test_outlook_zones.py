"""Exchange and Outlook exports as those programs write them (issue 10): Windows zone ids and
quoted display names, with and without VTIMEZONE, a customised zone, DST changes in between.

Every reminder must be in the interview's own IANA zone, at the local time its rule says, and
on the business day of the zone's country. The expected first follow-ups were counted by hand
from the countries' public holidays (Easter 2027 is March 28; Golden Week; Republic Day; Ascension).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from followcal.cli.commands import cli
from followcal.core.model import Window
from followcal.ical.read import read_calendar

HERE = Path(__file__).parent / "tz_exports"
EXCHANGE = HERE / "exchange-2010.ics"
OUTLOOK = HERE / "outlook-16.ics"
NOW = "2026-12-01T12:00:00Z"

# summary -> (IANA zone, region, region_from, first follow-up's local date)
EXPECTED = {
    "Interview with Globex - Backend Engineer": ("Europe/Berlin", "DE", "zone", date(2027, 4, 2)),
    "Interview with Hooli": ("Europe/London", "GB", "zone", date(2027, 3, 31)),
    "Phone screen with Initech": ("America/New_York", "US", "zone", date(2027, 3, 15)),
    "Interview with Wallaby Labs": ("Australia/Sydney", "AU", "zone", date(2027, 4, 7)),
    "Interview with Sakura KK": ("Asia/Tokyo", "JP", "zone", date(2027, 5, 11)),
    "Interview with Sakura KK (second round)": ("Asia/Tokyo", "JP", "zone", date(2026, 12, 10)),
    "Interview with Fromagerie SA": ("Europe/Paris", "FR", "zone", date(2027, 5, 13)),
    "Interview with Vandelay Industries": ("America/New_York", "US", "zone", date(2026, 11, 5)),
    "Interview with Chai Systems": ("Asia/Calcutta", "IN", "zone", date(2027, 1, 28)),
    "Interview with Bratwurst GmbH": ("Europe/Berlin", "DE", "zone", date(2026, 10, 29)),
    "Interview with Stroopwafel BV": ("CET", "NL", "hint", date(2026, 11, 2)),
    "Interview with Kramerica": ("America/Los_Angeles", "US", "zone", date(2026, 11, 6)),
}


@pytest.fixture(autouse=True)
def _own_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("FOLLOWCAL_CONFIG", raising=False)


def plan(path: Path, *extra: str) -> dict:
    result = CliRunner().invoke(cli, ["plan", str(path), "--json", "--now", NOW, "--tz", "America/Chicago", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def check_reminders(interview: dict) -> None:
    """Every reminder in the interview's zone at its rule's local time."""
    zone = ZoneInfo(interview["timezone"])
    end = datetime.fromisoformat(interview["end"])
    for r in interview["reminders"]:
        due = datetime.fromisoformat(r["due"])
        local = due.replace(tzinfo=None)
        assert due.utcoffset() == local.replace(tzinfo=zone).utcoffset(), (interview["summary"], r)
        if r["kind"] == "thank-you":
            assert due == (end + timedelta(hours=1)).astimezone(zone)
        elif r["kind"].startswith("follow-up"):
            assert local.time() == time(10, 0), r
        elif r["kind"] == "cut-off":
            assert local.time() == time(9, 0), r
        assert datetime.fromisoformat(r["date"] if "T" in r["date"] else r["date"] + "T00:00").date() == local.date()


@pytest.mark.parametrize("path", [EXCHANGE, OUTLOOK], ids=["exchange-2010", "outlook-16"])
def test_every_reminder_in_the_interviews_own_zone(path: Path) -> None:
    data = plan(path)
    found = {i["summary"]: i for i in data["interviews"]}
    mine = {k: v for k, v in EXPECTED.items() if k in found}
    assert len(mine) == len(found) >= 6
    for summary, (zone, region, region_from, follow_up) in mine.items():
        interview = found[summary]
        assert (interview["timezone"], interview["region"], interview["region_from"]) == (zone, region, region_from)
        kinds = {r["kind"]: r for r in interview["reminders"]}
        assert set(kinds) == {"thank-you", "follow-up-1", "follow-up-2", "cut-off"}
        assert kinds["follow-up-1"]["date"] == follow_up.isoformat(), summary
        check_reminders(interview)


def test_the_regions_of_the_exports() -> None:
    regions = {i["region"] for p in (EXCHANGE, OUTLOOK) for i in plan(p)["interviews"]}
    assert regions >= {"US", "DE", "GB", "JP", "AU", "FR", "IN", "NL"}


def test_wall_clock_times_are_kept_across_dst() -> None:
    """10:00 Berlin stays 10:00 Berlin (not 09:00 UTC); the offsets change with the season."""
    found = {i["summary"]: i for i in plan(EXCHANGE)["interviews"]}
    globex = found["Interview with Globex - Backend Engineer"]
    assert globex["start"] == "2027-03-24T10:00:00+01:00"
    fu1 = next(r for r in globex["reminders"] if r["kind"] == "follow-up-1")
    assert fu1["due"] == "2027-04-02T10:00:00+02:00"  # after the March 28 change
    wallaby = found["Interview with Wallaby Labs"]
    assert wallaby["start"].endswith("+11:00")
    assert next(r for r in wallaby["reminders"] if r["kind"] == "follow-up-1")["due"].endswith("+10:00")


def _without_vtimezones(text: str) -> str:
    return re.sub(r"BEGIN:VTIMEZONE\r\n.*?END:VTIMEZONE\r\n", "", text, flags=re.DOTALL)


@pytest.mark.parametrize("path", [EXCHANGE, OUTLOOK], ids=["exchange-2010", "outlook-16"])
def test_the_same_plan_without_vtimezone(path: Path, tmp_path: Path) -> None:
    bare = tmp_path / path.name
    bare.write_bytes(_without_vtimezones(path.read_bytes().decode("utf-8")).encode("utf-8"))
    assert b"VTIMEZONE" not in bare.read_bytes()
    before = {i["summary"]: i for i in plan(path)["interviews"]}
    after = {i["summary"]: i for i in plan(bare)["interviews"]}
    # the customised zone has no name to go by without its VTIMEZONE: it is skipped with a warning
    custom = "Interview with Stroopwafel BV"
    assert custom not in after or path is EXCHANGE
    for summary, interview in after.items():
        assert interview["reminders"] == before[summary]["reminders"], summary
    assert set(before) - set(after) <= {custom}


@pytest.mark.parametrize("keywords", [None, ("interview", "phone screen")], ids=["full", "fast"])
def test_both_read_paths_resolve_windows_names(keywords: tuple[str, ...] | None) -> None:
    now = datetime(2026, 12, 1, 12, tzinfo=ZoneInfo("UTC"))
    events, warnings = read_calendar(EXCHANGE.read_bytes(), "x.ics", Window(), keywords=keywords, now=now)
    assert warnings == []
    assert {e.tzid for e in events} == {"Europe/Berlin", "Europe/London", "America/New_York",
                                        "Australia/Sydney", "Asia/Tokyo"}
    for event in events:
        assert isinstance(event.start.tzinfo, ZoneInfo) and event.start.tzinfo.key == event.tzid


def test_a_customised_zone_is_read_by_its_offsets_with_a_warning() -> None:
    data = plan(OUTLOOK)
    assert any("'Customized Time Zone'" in w and "offsets" in w for w in data["warnings"])
    custom = next(i for i in data["interviews"] if i["summary"] == "Interview with Stroopwafel BV")
    assert custom["start"] == "2026-10-26T09:00:00+01:00"  # the day after the October change


def _calendar(*blocks: str) -> bytes:
    body = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:Microsoft Exchange Server 2010", *blocks,
                        "END:VCALENDAR"])
    return (body + "\r\n").encode()


def _event(uid: str, tzid: str, start: str = "20261203T100000") -> str:
    quoted = f'"{tzid}"' if any(c in tzid for c in ",:;") else tzid
    return "\r\n".join(["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261120T090000Z", f"SUMMARY:Interview with {uid}",
                        f"DTSTART;TZID={quoted}:{start}", f"DTEND;TZID={quoted}:{start[:9]}235900", "END:VEVENT"])


def _read(data: bytes) -> tuple[dict[str, object], list[str]]:
    now = datetime(2026, 12, 1, 12, tzinfo=ZoneInfo("UTC"))
    events, warnings = read_calendar(data, "x.ics", Window(), keywords=None, now=now)
    return {e.uid: e for e in events}, warnings


def test_an_unknown_display_name_without_vtimezone_uses_the_offset_it_states() -> None:
    events, warnings = _read(_calendar(_event("Odd", "(UTC+03:00) Somewhere Unknown")))
    assert events["Odd"].tzid == "Etc/GMT-3"
    assert any("Somewhere Unknown" in w and "fixed offset" in w for w in warnings)


def test_a_custom_zone_matching_no_iana_zone_warns() -> None:
    strange = "\r\n".join([
        "BEGIN:VTIMEZONE", "TZID:Mars Base", "BEGIN:STANDARD", "DTSTART:16010101T030000", "TZOFFSETFROM:+0417",
        "TZOFFSETTO:+0317", "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=2", "END:STANDARD", "BEGIN:DAYLIGHT",
        "DTSTART:16010101T020000", "TZOFFSETFROM:+0317", "TZOFFSETTO:+0417", "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=9",
        "END:DAYLIGHT", "END:VTIMEZONE"])
    events, warnings = _read(_calendar(strange, _event("Mars", "Mars Base")))
    assert "Mars" in events
    assert any("'Mars Base'" in w and "matches none" in w for w in warnings)


BERLIN_VTZ = ["BEGIN:VTIMEZONE", "TZID:W. Europe Standard Time", "BEGIN:STANDARD", "DTSTART:16010101T030000",
              "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10",
              "END:STANDARD", "BEGIN:DAYLIGHT", "DTSTART:16010101T020000", "TZOFFSETFROM:+0100",
              "TZOFFSETTO:+0200", "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3", "END:DAYLIGHT",
              "END:VTIMEZONE"]
CUSTOM_VTZ = [line.replace("W. Europe Standard Time", "Customized Time Zone") for line in BERLIN_VTZ]


@pytest.mark.parametrize(("broken", "problem"), [
    ([*CUSTOM_VTZ[:12], "RDATE;VALUE=DATE:20270328", *CUSTOM_VTZ[12:]], "RDATE with a date"),
    ([CUSTOM_VTZ[0], CUSTOM_VTZ[1], "TZID:Romance Standard Time", *CUSTOM_VTZ[2:]], "repeated TZID"),
    ([*CUSTOM_VTZ[:5], "TZOFFSETTO:+01:00:00:00", *CUSTOM_VTZ[6:]], ""),
])
def test_a_broken_vtimezone_is_dropped_not_the_file(broken: list[str], problem: str) -> None:
    data = _calendar("\r\n".join(broken), "\r\n".join(BERLIN_VTZ), _event("Custom", "Customized Time Zone"),
                     _event("Globex", "W. Europe Standard Time"), _event("Tokyo", "Tokyo Standard Time"))
    events, warnings = _read(data)
    assert events["Globex"].tzid == "Europe/Berlin" and events["Tokyo"].tzid == "Asia/Tokyo"
    assert "Custom" not in events  # its zone is gone and its name means nothing: skipped, named
    # named by whichever check caught it: the zone reader, or the block splitter (two TZIDs in one)
    assert any(("'Customized Time Zone' (VTIMEZONE) dropped" in w and problem in w)
               or ("skipped time zone Customized Time Zone" in w and "2 different TZIDs" in w) for w in warnings), warnings
    assert any("Custom" in w and "unknown time zone" in w for w in warnings), warnings


@pytest.mark.parametrize("line", [
    'X-WR-CALNAME;X="oops:Calendar',
    "REFRESH-INTERVAL;VALUE=DURATION:PXT1H",
])
def test_a_broken_calendar_property_is_dropped_not_the_file(line: str) -> None:
    data = _calendar(line, _event("Globex", "W. Europe Standard Time"))
    events, warnings = _read(data)
    assert events["Globex"].tzid == "Europe/Berlin"
    name = line.split(";")[0]
    assert any(f"calendar property {name}" in w for w in warnings), warnings


def test_x_wr_timezone_with_a_windows_name(tmp_path: Path) -> None:
    data = _calendar("X-WR-TIMEZONE:Tokyo Standard Time", "\r\n".join([
        "BEGIN:VEVENT", "UID:u", "DTSTAMP:20261120T090000Z", "SUMMARY:Interview with Sakura",
        "DTSTART:20261203T010000Z", "DTEND:20261203T020000Z", "END:VEVENT"]))
    events, warnings = _read(data)
    assert warnings == []
    assert events["u"].start.astimezone(ZoneInfo("Asia/Tokyo")).hour == 10


def test_a_custom_zone_of_one_file_never_answers_for_the_next() -> None:
    """icalendar caches VTIMEZONEs process-wide; serve and sync read many files in one process."""
    strange = "\r\n".join([
        "BEGIN:VTIMEZONE", "TZID:Lunar Time", "BEGIN:STANDARD", "DTSTART:16010101T000000",
        "TZOFFSETFROM:+0123", "TZOFFSETTO:+0123", "END:STANDARD", "END:VTIMEZONE"])
    first, _ = _read(_calendar(strange, _event("A", "Lunar Time")))
    assert "A" in first
    second, warnings = _read(_calendar(_event("B", "Lunar Time")))
    assert "B" not in second and any("unknown time zone 'Lunar Time'" in w for w in warnings)


def test_a_series_with_a_quoted_display_name_and_no_vtimezone_expands() -> None:
    tz = '"(UTC-05:00) Eastern Time (US & Canada)"'
    series = "\r\n".join([
        "BEGIN:VEVENT", "UID:series-1", "DTSTAMP:20261120T090000Z", "SUMMARY:Interview loop with Initech",
        f"DTSTART;TZID={tz}:20261102T140000", f"DTEND;TZID={tz}:20261102T150000",
        "RRULE:FREQ=WEEKLY;COUNT=3", f"EXDATE;TZID={tz}:20261109T140000", "END:VEVENT"])
    events, warnings = _read(_calendar(series))
    assert warnings == []
    now = datetime(2026, 12, 1, 12, tzinfo=ZoneInfo("UTC"))
    found, _ = read_calendar(_calendar(series), "x.ics", Window(), keywords=None, now=now)
    starts = sorted(e.start.isoformat() for e in found)
    assert starts == ["2026-11-02T14:00:00-05:00", "2026-11-16T14:00:00-05:00"]
    assert {e.tzid for e in found} == {"America/New_York"}
