"""The `followcal` command through click's CliRunner: plan (table and the DESIGN.md JSON shape),
export (parsed back, byte-identical re-runs, SEQUENCE kept, foreign files refused), holidays,
--help speed and imports, unknown regions."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from icalendar import Calendar
from support import NOW_TEXT, SAMPLE, run

from followcal.core.model import interview_id

FIXED = ["--now", NOW_TEXT, "--tz", "America/New_York"]

INTERVIEW_KEYS = {"id", "uid", "recurrence_id", "summary", "company", "role", "start", "end", "timezone", "region",
                  "round", "interviewers", "decision_by", "outcome", "reminders"}
EXTENSIONS = {"final", "all_day", "outcome_on", "region_from"}  # compatible additions beyond DESIGN.md
REMINDER_KEYS = {"kind", "date", "due", "channel", "uid"}
REMINDER_EXTENSIONS = {"summary"}


@pytest.fixture
def env(env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tmp config (and the root conftest's state dir); returns the config path."""
    monkeypatch.setenv("COLUMNS", "200")
    config = env / "followcal.toml"
    config.write_text('region = "US"\nextra_holidays = ["2026-12-24"]\nextra_working_days = ["2026-11-11"]\n')
    return config


def plan_json(config: Path, *sources: str) -> dict:
    result = run(config, "plan", *sources, *FIXED, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


# --- plan --------------------------------------------------------------------------------------

def test_plan_table(env: Path) -> None:
    result = run(env, "plan", str(SAMPLE), *FIXED)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    ids = [iv["id"] for iv in plan_json(env, str(SAMPLE))["interviews"]]
    for text in ("Acme Corp", "Backend Engineer", "follow-up-1", "Fri 2026-11-27", "Fri 2026-12-18",
                 "final round", "Nordwind GmbH", *ids):
        assert text in out, text
    assert "Massive Dynamic" not in out and "Team standup" not in out
    assert result.stderr == ""


def test_plan_json_shape(env: Path) -> None:
    data = plan_json(env, str(SAMPLE))
    assert set(data) == {"me", "interviews", "warnings"}  # issue 12: the user's addresses
    assert data["me"] == ["me@example.com"]
    assert data["warnings"] == []
    interviews = data["interviews"]
    assert len(interviews) == 11  # issue 12: the user is inferred, so their declined Wonka is skipped
    for iv in interviews:
        assert INTERVIEW_KEYS <= set(iv) and set(iv) - INTERVIEW_KEYS <= EXTENSIONS, set(iv) ^ INTERVIEW_KEYS
        assert len(iv["id"]) == 12 and iv["id"] == interview_id_of(iv)
        assert isinstance(iv["summary"], str) and isinstance(iv["company"], str)
        assert iv["role"] is None or isinstance(iv["role"], str)
        assert datetime.fromisoformat(iv["start"]).tzinfo is not None
        assert datetime.fromisoformat(iv["end"]) >= datetime.fromisoformat(iv["start"])
        assert iv["round"] is None or isinstance(iv["round"], str)
        assert iv["decision_by"] is None or len(iv["decision_by"]) == 10
        assert iv["outcome"] in (None, "replied", "rejected", "offer", "accepted", "withdrawn")
        for person in iv["interviewers"]:
            assert set(person) == {"name", "email"}
        for r in iv["reminders"]:
            assert REMINDER_KEYS <= set(r) and set(r) - REMINDER_KEYS <= REMINDER_EXTENSIONS
            assert r["kind"] in ("thank-you", "follow-up-1", "follow-up-2", "cut-off", "gracious-reply")
            assert r["channel"] in ("email", "phone")
            assert r["uid"].endswith("@followcal")
            assert datetime.fromisoformat(r["due"]).date().isoformat() == r["date"]
    starts = [datetime.fromisoformat(iv["start"]) for iv in interviews]
    assert starts == sorted(starts)


def interview_id_of(iv: dict) -> str:
    rid = datetime.fromisoformat(iv["recurrence_id"]) if iv["recurrence_id"] else None
    return interview_id(iv["uid"], rid)


def test_plan_json_worked_example(env: Path) -> None:
    data = plan_json(env, str(SAMPLE))
    (acme,) = [iv for iv in data["interviews"] if iv["company"] == "Acme Corp"]
    assert acme["start"] == "2026-11-19T14:00:00-05:00" and acme["end"] == "2026-11-19T15:00:00-05:00"
    assert (acme["timezone"], acme["region"], acme["role"], acme["round"]) == (
        "America/New_York", "US", "Backend Engineer", None)
    assert acme["recurrence_id"] is None and acme["decision_by"] is None and acme["outcome"] is None
    assert {"name": "Marcus Lee", "email": "marcus.lee@acme.example"} in acme["interviewers"]
    assert [(r["kind"], r["date"], r["due"], r["channel"]) for r in acme["reminders"]] == [
        ("thank-you", "2026-11-19", "2026-11-19T16:00:00-05:00", "email"),
        ("follow-up-1", "2026-11-27", "2026-11-27T10:00:00-05:00", "email"),
        ("follow-up-2", "2026-12-11", "2026-12-11T10:00:00-05:00", "phone"),
        ("cut-off", "2026-12-18", "2026-12-18T09:00:00-05:00", "email"),
    ]
    (initech,) = [iv for iv in data["interviews"] if iv["company"] == "Initech"]
    assert initech["decision_by"] == "2026-11-11"  # "Timeline: 2 weeks" from 2026-10-28
    hooli = [iv for iv in data["interviews"] if iv["company"] == "Hooli"]
    assert [iv["recurrence_id"][:10] for iv in hooli] == ["2026-10-05", "2026-10-12", "2026-10-19"]


def test_plan_ids_stable_across_runs(env: Path, tmp_path: Path) -> None:
    first = plan_json(env, str(SAMPLE))
    copy = tmp_path / "copy.ics"
    copy.write_bytes(SAMPLE.read_bytes())
    second = plan_json(env, str(copy))
    assert [iv["id"] for iv in first["interviews"]] == [iv["id"] for iv in second["interviews"]]
    assert first == second
    full = json.loads(run(env, "plan", str(SAMPLE), *FIXED, "--json", "--full-parse").stdout)
    assert full == first


def test_plan_region_option(env: Path) -> None:
    data = plan_json(env, str(SAMPLE), "--region", "US-CA")
    regions = {iv["company"]: iv["region"] for iv in data["interviews"]}
    assert regions["Acme Corp"] == "US-CA" and regions["Vandelay Industries"] == "GB"
    (acme,) = [iv for iv in data["interviews"] if iv["company"] == "Acme Corp"]
    assert acme["reminders"][1]["date"] == "2026-11-30"  # the day after Thanksgiving is off in CA


@pytest.mark.parametrize("command", [["plan", str(SAMPLE), *FIXED, "--region", "XX-QQ"],
                                     ["holidays", "--region", "XX-QQ", "--year", "2026"]])
def test_unknown_region_exits_2_naming_it(env: Path, command: list[str]) -> None:
    result = run(env, *command)
    assert result.exit_code == 2
    assert "XX-QQ" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


# --- export ------------------------------------------------------------------------------------

def test_export_parses_back_and_reruns_identically(env: Path, tmp_path: Path) -> None:
    out = tmp_path / "reminders.ics"
    result = run(env, "export", str(SAMPLE), "-o", str(out), *FIXED)
    assert result.exit_code == 0, result.stderr
    assert "wrote 35 reminders for 11 interviews" in result.stderr
    data = out.read_bytes()
    events = Calendar.from_ical(data).walk("VEVENT")
    assert len(events) == 35
    assert all(str(e["UID"]).endswith("@followcal") and e.get("X-FOLLOWCAL-KIND") for e in events)
    assert {int(e["SEQUENCE"]) for e in events} == {0}
    mtime = out.stat().st_mtime_ns
    again = run(env, "export", str(SAMPLE), "-o", str(out), *FIXED)
    assert again.exit_code == 0 and "up to date" in again.stderr
    assert out.read_bytes() == data and out.stat().st_mtime_ns == mtime
    other = tmp_path / "other.ics"
    assert run(env, "export", str(SAMPLE), "-o", str(other), *FIXED).exit_code == 0
    assert other.read_bytes() == data


def test_export_keeps_and_bumps_sequence(env: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.ics"
    source.write_bytes(SAMPLE.read_bytes())
    out = tmp_path / "reminders.ics"
    assert run(env, "export", str(source), "-o", str(out), *FIXED).exit_code == 0
    before = {str(e["UID"]): e for e in Calendar.from_ical(out.read_bytes()).walk("VEVENT")}
    # the Acme interview moves from Thu 19 to Fri 20 November
    moved = SAMPLE.read_bytes().replace(b"20261119T140000", b"20261120T140000").replace(
        b"20261119T150000", b"20261120T150000")
    source.write_bytes(moved)
    assert run(env, "export", str(source), "-o", str(out), *FIXED).exit_code == 0
    after = {str(e["UID"]): e for e in Calendar.from_ical(out.read_bytes()).walk("VEVENT")}
    assert set(after) == set(before)
    changed = {uid for uid in after if after[uid]["DTSTART"].dt != before[uid]["DTSTART"].dt}
    assert len(changed) == 4  # the Acme reminders
    for uid, event in after.items():
        assert int(event["SEQUENCE"]) == (1 if uid in changed else 0), uid
    snapshot = out.read_bytes()
    assert run(env, "export", str(source), "-o", str(out), *FIXED).exit_code == 0
    assert out.read_bytes() == snapshot  # SEQUENCE is not bumped again


def test_export_refuses_a_file_with_foreign_events(env: Path, tmp_path: Path) -> None:
    out = tmp_path / "mine.ics"
    out.write_bytes(SAMPLE.read_bytes())
    mtime = out.stat().st_mtime_ns
    result = run(env, "export", str(SAMPLE), "-o", str(out), *FIXED)
    assert result.exit_code == 2
    assert str(out) in result.stderr and "did not make" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert out.read_bytes() == SAMPLE.read_bytes() and out.stat().st_mtime_ns == mtime


def test_export_name_and_refresh(env: Path, tmp_path: Path) -> None:
    out = tmp_path / "feed.ics"
    result = run(env, "export", str(SAMPLE), "-o", str(out), *FIXED, "--name", "Job hunt", "--refresh-minutes", "30")
    assert result.exit_code == 0, result.stderr
    data = out.read_bytes()
    assert b"NAME:Job hunt" in data and b"X-WR-CALNAME:Job hunt" in data
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT30M" in data and b"X-PUBLISHED-TTL:PT30M" in data


# --- holidays ----------------------------------------------------------------------------------

def test_holidays_json(env: Path) -> None:
    result = run(env, "holidays", "--region", "us", "--year", "2026", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["region"], data["year"]) == ("US", 2026)
    by_day = {h["date"]: h for h in data["holidays"]}
    assert by_day["2026-11-26"]["sources"] == ["workalendar", "holidays"]
    assert by_day["2026-06-19"]["sources"] == ["holidays"]  # Juneteenth: workalendar misses it
    assert by_day["2026-12-24"]["sources"] == ["config"]  # extra_holidays
    assert "2026-11-11" not in by_day  # extra_working_days
    assert all(set(h) == {"date", "names", "sources"} and h["names"] for h in data["holidays"])


def test_holidays_table(env: Path) -> None:
    result = run(env, "holidays", "--region", "GB", "--year", "2026")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Source" in out and "Mon 2026-12-28" in out and "Boxing Day" in out
    assert "workalendar, holidays" in out
    assert "Late Summer Bank Holiday" in out  # from workalendar only
    assert "config" in out  # 2026-12-24 from the config


def test_holidays_subdivision(env: Path) -> None:
    by_region = {}
    for region in ("DE", "DE-BY"):
        result = run(env, "holidays", "--region", region, "--year", "2027", "--json")
        by_region[region] = {h["date"] for h in json.loads(result.stdout)["holidays"]}
    assert "2027-01-06" in by_region["DE-BY"] and "2027-01-06" not in by_region["DE"]


# --- startup -----------------------------------------------------------------------------------

HEAVY = ("icalendar", "caldav", "googleapiclient", "waitress")


def test_help_is_fast_and_light() -> None:
    code = ("import sys, time; t = time.perf_counter(); import followcal.cli.commands; "
            f"heavy = [m for m in {HEAVY!r} if m in sys.modules]; "
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    helper = ("import sys; sys.argv = ['followcal', '--help']; from followcal.cli.commands import main\n"
              "try:\n    main()\nexcept SystemExit:\n    pass\n"
              f"print('HEAVY', [m for m in {HEAVY!r} if m in sys.modules])")
    best = 10.0
    for _ in range(3):  # best of three: a cold disk cache is not what is measured
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", helper], capture_output=True, text=True, check=True)
        best = min(best, time.perf_counter() - started)
    assert "Usage:" in done.stdout and "plan" in done.stdout and "export" in done.stdout
    assert "HEAVY []" in done.stdout
    assert best < 0.5, f"followcal --help took {best:.2f} s"
