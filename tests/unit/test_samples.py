"""The shipped samples stay valid: samples/interviews.ics is well-formed RFC 5545 and
samples/followcal.toml loads with the real config loader."""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from followcal.config import RuleSettings, load_settings

ROOT = Path(__file__).resolve().parents[2]
ICS = ROOT / "samples" / "interviews.ics"
TOML = ROOT / "samples" / "followcal.toml"


@pytest.fixture(scope="module")
def raw() -> bytes:
    return ICS.read_bytes()


@pytest.fixture(scope="module")
def calendar(raw: bytes) -> Calendar:
    return Calendar.from_ical(raw)


def test_ics_uses_crlf_line_endings(raw: bytes) -> None:
    assert raw.endswith(b"\r\n")
    assert raw.count(b"\n") == raw.count(b"\r\n"), "bare LF in the file"
    assert b"\r\r" not in raw


def test_ics_lines_are_folded_at_75_octets(raw: bytes) -> None:
    lines = raw.split(b"\r\n")[:-1]
    too_long = [(n, len(line)) for n, line in enumerate(lines, 1) if len(line) > 75]
    assert not too_long, f"lines longer than 75 octets (line, length): {too_long}"
    # Folding never splits a UTF-8 character: every physical line decodes on its own.
    for line in lines:
        line.decode("utf-8")


def test_every_vevent_has_uid_dtstart_and_dtstamp(calendar: Calendar) -> None:
    events = calendar.walk("VEVENT")
    assert len(events) >= 15
    for event in events:
        assert event.get("UID"), event.get("SUMMARY")
        assert event.get("DTSTART") is not None, event.get("UID")
        assert event.get("DTSTAMP") is not None, event.get("UID")


def test_every_tzid_has_a_vtimezone(raw: bytes, calendar: Calendar) -> None:
    defined = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    assert defined == {"America/New_York", "America/Los_Angeles", "Europe/London", "Europe/Berlin"}
    unfolded = raw.replace(b"\r\n ", b"").decode("utf-8")
    used = {
        part.split("=", 1)[1].split(";")[0].split(":")[0]
        for line in unfolded.splitlines()
        for part in line.split(":", 1)[0].split(";")[1:]
        if part.startswith("TZID=")
    }
    assert used == defined


def test_worked_example_is_unchanged(calendar: Calendar) -> None:
    """followup-rules.md's worked example: Thu 2026-11-19 14:00-15:00 America/New_York."""
    (acme,) = [
        e for e in calendar.walk("VEVENT")
        if str(e["SUMMARY"]) == "Interview with Acme Corp – Backend Engineer"
    ]
    ny = ZoneInfo("America/New_York")
    assert acme["DTSTART"].dt == datetime(2026, 11, 19, 14, 0, tzinfo=ny)
    assert acme["DTEND"].dt == datetime(2026, 11, 19, 15, 0, tzinfo=ny)
    assert acme["DTSTART"].params["TZID"] == "America/New_York"
    assert "Region:" not in str(acme.get("DESCRIPTION", ""))


def test_sample_config_loads() -> None:
    settings = load_settings(TOML)
    assert settings.region == "US"
    assert settings.timezone == "America/New_York"
    assert settings.me == ("me@example.com",)
    assert settings.rules == RuleSettings()  # the sample spells out the defaults
    assert set(settings.accounts) == {"work", "fastmail", "personal"}
    assert settings.accounts["work"].type == "caldav"
    assert settings.accounts["personal"].type == "google"
    assert [s.name for s in settings.syncs] == ["main", "fastmail"]
    assert set(settings.feeds) == {"followups"}
    # The worked example's company keeps the US calendar.
    assert settings.company("acme corp").region == "US"


def test_sample_config_names_only_its_own_accounts_and_files() -> None:
    settings = load_settings(TOML)
    specs = [s for sync in settings.syncs for s in (*sync.sources, *sync.targets)]
    specs += [s for feed in settings.feeds.values() for s in feed.sources]
    for spec in specs:
        head = spec.split(":", 1)[0]
        if ":" in spec and "/" not in head and "." not in head:
            assert head in settings.accounts, spec
    for source in settings.feeds["followups"].sources:
        assert (ROOT / source).is_file(), source


def test_sample_config_shows_every_documented_setting() -> None:
    raw = tomllib.loads(TOML.read_text(encoding="utf-8"))
    assert {"region", "timezone", "me", "extra_holidays", "extra_working_days", "rules",
            "companies", "accounts", "sync", "feeds", "serve"} <= set(raw)
    assert set(raw["rules"]) == set(RuleSettings.__dataclass_fields__)
    assert {"host", "port", "token"} <= set(raw["serve"])
    assert {"type", "url", "username", "password_env", "verify_tls"} <= set(raw["accounts"]["work"])
    assert {"type", "token"} <= set(raw["accounts"]["personal"])
    first = raw["sync"][0]
    assert {"name", "from", "to", "since_days", "until_days"} <= set(first)
    assert {"since", "until"} <= set(raw["sync"][1])
    assert {"from", "refresh_minutes"} <= set(raw["feeds"]["followups"])
