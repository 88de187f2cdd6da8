"""Zone names -> IANA, zone -> country, region codes and where a region comes from (issue 10),
and R7's late outcomes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from followcal.cli.commands import cli
from followcal.config import CompanyConfig, Settings
from followcal.core.detect import detect
from followcal.core.model import Outcome, OutcomeRecord, SourceEvent
from followcal.core.regions import normalise_code, one_library_warning
from followcal.core.workdays import check_region, work_calendar
from followcal.core.zone_countries import zone_country
from followcal.ical.tznames import fixed_offset_zone, iana_zone


@pytest.fixture(autouse=True)
def _own_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("FOLLOWCAL_CONFIG", raising=False)


# Windows display names of zones in fifteen and more regions, the way Windows and Outlook write them
DISPLAY = [
    ("(UTC-05:00) Eastern Time (US & Canada)", "America/New_York"),
    ("(UTC-05:00) Eastern Time (US and Canada)", "America/New_York"),
    ("(GMT-05:00) Eastern Time (US & Canada)", "America/New_York"),
    ("(UTC-06:00) Central Time (US & Canada)", "America/Chicago"),
    ("(UTC-08:00) Pacific Time (US & Canada)", "America/Los_Angeles"),
    ("(UTC-05:00) Bogota, Lima, Quito, Rio Branco", "America/Bogota"),
    ("(UTC-06:00) Guadalajara, Mexico City, Monterrey", "America/Mexico_City"),
    ("(UTC-04:00) Atlantic Time (Canada)", "America/Halifax"),
    ("(UTC-03:00) Brasilia", "America/Sao_Paulo"),
    ("(UTC-03:00) City of Buenos Aires", "America/Buenos_Aires"),
    ("(UTC+00:00) Dublin, Edinburgh, Lisbon, London", "Europe/London"),
    ("(UTC) Dublin, Edinburgh, Lisbon, London", "Europe/London"),
    ("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "Europe/Berlin"),
    ("(UTC+01:00) Brussels, Copenhagen, Madrid, Paris", "Europe/Paris"),
    ("(UTC+01:00) Sarajevo, Skopje, Warsaw, Zagreb", "Europe/Warsaw"),
    ("(UTC+01:00) Belgrade, Bratislava, Budapest, Ljubljana, Prague", "Europe/Budapest"),
    ("(UTC+02:00) Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius", "Europe/Kiev"),
    ("(UTC+02:00) Jerusalem", "Asia/Jerusalem"),
    ("(UTC+02:00) Harare, Pretoria", "Africa/Johannesburg"),
    ("(UTC+05:30) Chennai, Kolkata, Mumbai, New Delhi", "Asia/Calcutta"),
    ("(UTC+08:00) Beijing, Chongqing, Hong Kong, Urumqi", "Asia/Shanghai"),
    ("(UTC+08:00) Kuala Lumpur, Singapore", "Asia/Singapore"),
    ("(UTC+09:00) Osaka, Sapporo, Tokyo", "Asia/Tokyo"),
    ("(UTC+09:00) Seoul", "Asia/Seoul"),
    ("(UTC+10:00) Canberra, Melbourne, Sydney", "Australia/Sydney"),
    ("(UTC+12:00) Auckland, Wellington", "Pacific/Auckland"),
]
WINDOWS = [
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("w. europe standard time", "Europe/Berlin"),
    ("Tokyo Standard Time", "Asia/Tokyo"),
    ("GMT Standard Time", "Europe/London"),
    ("Eastern Standard Time", "America/New_York"),
    ("Romance Standard Time", "Europe/Paris"),
    ("AUS Eastern Standard Time", "Australia/Sydney"),
    ("India Standard Time", "Asia/Calcutta"),
    ('"Pacific Standard Time"', "America/Los_Angeles"),
    ("Europe/Berlin", "Europe/Berlin"),
]


@pytest.mark.parametrize(("name", "zone"), DISPLAY + WINDOWS)
def test_windows_and_display_names_resolve(name: str, zone: str) -> None:
    assert iana_zone(name) == zone


def test_display_names_cover_fifteen_regions() -> None:
    countries = {zone_country(zone) for _, zone in DISPLAY}
    assert len(countries - {None}) >= 15


@pytest.mark.parametrize("name", ["Customized Time Zone", "", "(UTC+01:00) Atlantis", "Not/AZone"])
def test_names_with_no_iana_meaning(name: str) -> None:
    assert iana_zone(name) is None


@pytest.mark.parametrize(("name", "zone"), [
    ("(UTC+01:00) Atlantis", "Etc/GMT-1"), ("(UTC-05:00) Somewhere", "Etc/GMT+5"), ("(UTC) Nowhere", "Etc/UTC"),
    ("(UTC+05:30) Half", None), ("Customized Time Zone", None),
])
def test_fixed_offsets_from_display_names(name: str, zone: str | None) -> None:
    assert fixed_offset_zone(name) == zone
    if zone:  # the stated offset, the right way round
        sign = -1 if "-" in name else 1
        hours = int(name[5:7]) if name[4] in "+-" else 0
        assert datetime(2026, 6, 1, tzinfo=ZoneInfo(zone)).utcoffset() == timedelta(hours=sign * hours)


@pytest.mark.parametrize(("zone", "country"), [
    ("Europe/Berlin", "DE"), ("Europe/London", "GB"), ("Asia/Tokyo", "JP"), ("America/Chicago", "US"),
    ("Australia/Sydney", "AU"), ("Asia/Calcutta", "IN"), ("Europe/Paris", "FR"),
    ("UTC", None), ("Etc/UTC", None), ("Etc/GMT-1", None), ("CET", None), ("EST5EDT", None), ("Nope/Nope", None),
])
def test_zone_country(zone: str, country: str | None) -> None:
    assert zone_country(zone) == country


@pytest.mark.parametrize(("code", "normal"), [
    ("UK", "GB"), ("uk", "GB"), (" gb ", "GB"), ("GBR", "GB"), ("DEU", "DE"), ("deu-by", "DE-BY"),
    ("USA", "US"), ("us_ca", "US-CA"), ("UK-SCT", "GB-SCT"), ("JPN", "JP"), ("NOR", "NO"), ("DE", "DE"),
])
def test_region_codes_are_normalised(code: str, normal: str) -> None:
    assert normalise_code(code) == normal
    assert check_region(code) == normal


@pytest.mark.parametrize("alias", ["UK", "GBR", "gb", "uk"])
def test_uk_aliases_get_every_england_bank_holiday(alias: str) -> None:
    gb = work_calendar("GB").holidays(2026)
    assert work_calendar(alias).holidays(2026) == gb
    assert {date(2026, 4, 6), date(2026, 8, 31)} <= {h.day for h in gb}  # Easter Monday, Summer bank holiday
    assert work_calendar(alias).sources == ("workalendar", "holidays")


def test_holidays_command_uk_lists_the_same_days_as_gb() -> None:
    runner = CliRunner()
    uk = runner.invoke(cli, ["holidays", "--region", "UK", "--year", "2026", "--json"])
    gb = runner.invoke(cli, ["holidays", "--region", "GB", "--year", "2026", "--json"])
    assert uk.exit_code == gb.exit_code == 0, uk.output
    assert json.loads(uk.stdout) == json.loads(gb.stdout)
    assert len(json.loads(gb.stdout)["holidays"]) >= 8


def test_a_region_only_one_library_knows_is_used_with_a_warning() -> None:
    calendar = work_calendar("GB-SCT")
    assert calendar.sources == ("holidays",)
    warning = one_library_warning("GB-SCT", calendar.sources)
    assert warning and "workalendar does not know it" in warning
    assert one_library_warning("GB", work_calendar("GB").sources) is None
    result = CliRunner().invoke(cli, ["holidays", "--region", "UK-SCT", "--year", "2026"])
    assert result.exit_code == 0 and "workalendar does not know it" in result.stderr


# --- where the region comes from ------------------------------------------------------------------


def event(uid: str, start: datetime | date, description: str = "", tzid: str | None = None,
          summary: str = "Interview with Acme Corp") -> SourceEvent:
    end = start + timedelta(hours=1) if isinstance(start, datetime) else start + timedelta(days=1)
    return SourceEvent(uid=uid, summary=summary, start=start, end=end, description=description, tzid=tzid,
                       stamp=datetime(2026, 11, 20, 9, tzinfo=UTC))


BERLIN = datetime(2026, 12, 3, 10, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.mark.parametrize(("ev", "settings", "region", "source"), [
    (event("a", BERLIN, "Region: fr"), Settings(region="GB"), "FR", "hint"),
    (event("b", BERLIN), Settings(region="GB", companies={"Acme Corp": CompanyConfig("Acme Corp", "AT")}), "AT", "company"),
    (event("c", BERLIN), Settings(region="GB"), "GB", "config"),
    (event("d", BERLIN), Settings().with_overrides(region="uk"), "GB", "option"),
    (event("e", BERLIN), Settings(), "DE", "zone"),
    (event("f", BERLIN, tzid="Europe/Berlin"), Settings(), "DE", "zone"),
    (event("g", datetime(2026, 12, 3, 10, tzinfo=ZoneInfo("Europe/London"))), Settings(), "GB", "zone"),
    (event("h", datetime(2026, 12, 3, 10, tzinfo=ZoneInfo("Asia/Tokyo"))), Settings(), "JP", "zone"),
    (event("i", datetime(2026, 12, 3, 9, tzinfo=UTC)), Settings(timezone="Europe/Berlin"), "US", "default"),
    (event("j", datetime(2026, 12, 3, 9)), Settings(timezone="Europe/Berlin"), "US", "default"),  # floating
    (event("k", date(2026, 12, 3)), Settings(timezone="Europe/Berlin"), "US", "default"),  # all day
    (event("l", BERLIN, "Region: Atlantis"), Settings(), "DE", "zone"),  # a bad hint warns, falls through
])
def test_region_precedence(ev: SourceEvent, settings: Settings, region: str, source: str) -> None:
    found, warnings = detect([ev], settings, settings.timezone or "America/Chicago", check_region)
    assert (found[0].region, found[0].region_from) == (region, source)
    assert ("Atlantis" in " ".join(warnings)) == ("Atlantis" in ev.description)


def test_region_from_in_plan_json(tmp_path: Path) -> None:
    path = tmp_path / "x.ics"
    path.write_bytes(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:u1\r\n"
                     b"DTSTAMP:20261120T090000Z\r\nSUMMARY:Interview with Globex\r\n"
                     b"DTSTART;TZID=Europe/London:20261203T100000\r\nDTEND;TZID=Europe/London:20261203T110000\r\n"
                     b"END:VEVENT\r\nEND:VCALENDAR\r\n")
    runner = CliRunner()
    plain = json.loads(runner.invoke(cli, ["plan", str(path), "--json", "--now", "2026-12-01T00:00Z"]).stdout)
    assert (plain["interviews"][0]["region"], plain["interviews"][0]["region_from"]) == ("GB", "zone")
    opt = json.loads(runner.invoke(cli, ["plan", str(path), "--json", "--region", "DEU",
                                         "--now", "2026-12-01T00:00Z"]).stdout)
    assert (opt["interviews"][0]["region"], opt["interviews"][0]["region_from"]) == ("DE", "option")


# --- Round: hint and final-round words ------------------------------------------------------------


@pytest.mark.parametrize(("description", "round_", "final"), [
    ("Round: second\nThe final round is in January.", "second", False),
    ("This is the final round.", "final", True),
    ("Round: final", "final", True),
    ("Round: first round\nfinal interview next month", "first", False),
])
def test_an_explicit_round_wins_over_final_round_words(description: str, round_: str, final: bool) -> None:
    found, _ = detect([event("r", BERLIN, description)], Settings(), "UTC", check_region)
    assert (found[0].round, found[0].final) == (round_, final)


# --- R7: an outcome recorded late -----------------------------------------------------------------


def test_outcome_hint_recorded_late_counts_from_last_modified() -> None:
    from followcal.core.planner import plan_events

    late = SourceEvent(uid="late", summary="Interview with Acme Corp", start=BERLIN, end=BERLIN + timedelta(hours=1),
                       description="Outcome: rejected 2026-12-04", tzid="Europe/Berlin",
                       stamp=datetime(2026, 12, 14, 16, tzinfo=UTC))  # LAST-MODIFIED, a Monday
    result = plan_events([late], Settings(), default_tz="UTC", descriptions=False)
    kinds = {r.kind: r.date for r in result.interviews[0].reminders}
    assert kinds == {"thank-you": date(2026, 12, 3), "gracious-reply": date(2026, 12, 15)}
    on_time = SourceEvent(**{**late.__dict__, "stamp": datetime(2026, 12, 4, 16, tzinfo=UTC)})
    kinds = {r.kind: r.date for r in plan_events([on_time], Settings(), default_tz="UTC",
                                                  descriptions=False).interviews[0].reminders}
    assert kinds["gracious-reply"] == date(2026, 12, 7)  # the next business day after Fri Dec 4


def test_a_mark_recorded_late_schedules_the_gracious_reply_after_it() -> None:
    from followcal.core.planner import calendar_for
    from followcal.core.rules import processes, schedule

    found, _ = detect([event("m", BERLIN)], Settings(), "UTC", check_region)
    lookup = calendar_for(Settings())
    (process,) = processes(found, Settings().rules, lookup)
    week_ago = OutcomeRecord(Outcome.REJECTED, date(2026, 12, 4), source="mark", recorded_on=date(2026, 12, 11))
    slots = {s.kind: s.date for s in schedule(process, Settings().rules, lookup, {found[0].id: week_ago})[0].slots}
    assert slots["gracious-reply"] == date(2026, 12, 14)  # after Fri Dec 11, when it was recorded
    old_row = OutcomeRecord(Outcome.REJECTED, date(2026, 12, 4), source="mark")  # a v2 state file
    slots = {s.kind: s.date for s in schedule(process, Settings().rules, lookup, {found[0].id: old_row})[0].slots}
    assert slots["gracious-reply"] == date(2026, 12, 7)


def test_the_state_store_keeps_when_a_mark_was_made(tmp_path: Path) -> None:
    """Schema migration: old files gain recorded_on (also one numbered by another branch's v3)."""
    import sqlite3

    from followcal.state import StateStore

    path = tmp_path / "state.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE outcomes (interview_id TEXT PRIMARY KEY, company TEXT NOT NULL, outcome TEXT NOT NULL,"
               " on_date TEXT NOT NULL, decision_by TEXT, note TEXT, timeline TEXT)")
    db.execute("CREATE TABLE written (target TEXT, uid TEXT, fingerprint TEXT, etag TEXT, PRIMARY KEY (target, uid))")
    db.execute("CREATE TABLE kv (namespace TEXT, key TEXT, value TEXT, PRIMARY KEY (namespace, key))")
    db.execute("INSERT INTO outcomes VALUES ('old', 'Acme', 'rejected', '2026-11-24', NULL, NULL, NULL)")
    db.execute("PRAGMA user_version = 3")
    db.commit()
    db.close()
    with StateStore(path) as store:
        assert store.outcomes()["old"].recorded_on is None
        record = OutcomeRecord(Outcome.REJECTED, date(2026, 11, 24), source="mark", recorded_on=date(2026, 12, 2))
        store.set_outcome("new", "Globex", record)
    with StateStore(path) as store:
        assert store.outcomes()["new"] == record
