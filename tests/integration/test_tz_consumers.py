"""Our exported VTIMEZONEs as other software reads them (issue 10).

A year of interviews in six zones, planned at the end of 2026 so that the reminders cross every
2027 daylight-saving change, is exported; the export is then read by ical.js (Thunderbird's and
Nextcloud's parser, given only the file's own VTIMEZONEs), node-ical, and vobject (Python, which
builds its zones from the VTIMEZONE text with dateutil). Every reminder's start instant must be
the one `plan --json` states. The old writer (one multi-valued RDATE line) fails this: ical.js
reads only the first value.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from followcal.cli.commands import cli

JS = Path(__file__).resolve().parents[1] / "js"
ZONES = ("America/New_York", "Europe/Berlin", "Europe/London", "Australia/Sydney",
         "America/Sao_Paulo", "Asia/Tokyo")
NOW = "2026-12-01T12:00:00Z"


@pytest.fixture(scope="session")
def js_parsers() -> Path:
    """tests/js with its node_modules (`npm ci` from the committed lock file when missing)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    assert node and npm, "node and npm are needed (Debian: apt-get install nodejs npm)"
    if not (JS / "node_modules" / "ical.js").is_dir() or not (JS / "node_modules" / "node-ical").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=JS, check=True, timeout=300,
                       stdout=subprocess.DEVNULL)
    return JS


def _name(n: int) -> str:
    """A distinct company name per interview (Qa, Qb, ... Qza): each its own process."""
    letters = ""
    while True:
        n, rest = divmod(n, 26)
        letters = "abcdefghijklmnopqrstuvwxyz"[rest] + letters
        if not n:
            return "Q" + letters + " Corp"


def _source(path: Path) -> None:
    """Interviews every 9 days from November 2026 to December 2027, at 14:00 local, in each zone."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//followcal tests//EN"]
    day, n = date(2026, 11, 2), 0
    while day < date(2027, 12, 10):
        for zone in ZONES:
            n += 1
            lines += ["BEGIN:VEVENT", f"UID:dst-{n}@tests", "DTSTAMP:20261120T090000Z",
                      f"SUMMARY:Interview with {_name(n)}",
                      f"DTSTART;TZID={zone}:{day:%Y%m%d}T140000", f"DTEND;TZID={zone}:{day:%Y%m%d}T150000",
                      "END:VEVENT"]
        day += timedelta(days=9)
    lines.append("END:VCALENDAR")
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")


def _expected(plan: dict) -> dict[str, str]:
    """uid -> the due instant in UTC (ISO, milliseconds as JavaScript prints them), or the date."""
    out = {}
    for interview in plan["interviews"]:
        for r in interview["reminders"]:
            if r.get("all_day"):
                out[r["uid"]] = r["date"]
            else:
                due = datetime.fromisoformat(r["due"]).astimezone(UTC)
                out[r["uid"]] = due.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return out


def _vobject(data: bytes) -> dict[str, str]:
    import vobject

    out = {}
    for calendar in vobject.readComponents(data.decode("utf-8")):
        for event in calendar.vevent_list:
            start = event.dtstart.value
            if isinstance(start, datetime):
                out[event.uid.value] = start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            else:
                out[event.uid.value] = start.isoformat()
    return out


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], bytes, Path]:
    folder = tmp_path_factory.mktemp("dst")
    source, target = folder / "interviews.ics", folder / "reminders.ics"
    _source(source)
    runner = CliRunner(env={"FOLLOWCAL_STATE_DIR": str(folder / "state"), "FOLLOWCAL_CONFIG": None})
    planned = runner.invoke(cli, ["plan", str(source), "--json", "--now", NOW, "--tz", "UTC"])
    assert planned.exit_code == 0, planned.output
    done = runner.invoke(cli, ["export", str(source), "-o", str(target), "--now", NOW, "--tz", "UTC"])
    assert done.exit_code == 0, done.output
    return _expected(json.loads(planned.output)), target.read_bytes(), target


def test_the_plan_crosses_every_2027_dst_change(exported: tuple[dict[str, str], bytes, Path]) -> None:
    from zoneinfo import ZoneInfo

    expected, _, _ = exported
    assert len(expected) > 500
    instants = [datetime.fromisoformat(v.replace(".000Z", "+00:00")) for v in expected.values() if "T" in v]
    for zone in ZONES[:4]:  # Sao Paulo and Tokyo have none
        tz = ZoneInfo(zone)
        offsets = {t.astimezone(tz).utcoffset() for t in instants if t.year == 2027}
        assert len(offsets) == 2, zone


def test_each_rdate_line_has_one_value(exported: tuple[dict[str, str], bytes, Path]) -> None:
    _, data, _ = exported
    rdates = [ln for ln in data.decode().splitlines() if ln.startswith("RDATE")]
    assert rdates and all("," not in ln for ln in rdates)
    assert data.count(b"BEGIN:VTIMEZONE") == len(ZONES)


@pytest.mark.parametrize("parser", ["ical.js", "node-ical"])
def test_javascript_parsers_read_every_start(
    js_parsers: Path, exported: tuple[dict[str, str], bytes, Path], parser: str
) -> None:
    expected, _, path = exported
    done = subprocess.run(["node", str(js_parsers / "parse.mjs"), str(path)], capture_output=True,
                          text=True, timeout=120, check=True)
    seen = json.loads(done.stdout)[parser]
    wrong = {uid: (want, seen.get(uid)) for uid, want in expected.items() if seen.get(uid) != want}
    assert not wrong, f"{len(wrong)} of {len(expected)} differ, e.g. {sorted(wrong.items())[:3]}"


def test_vobject_reads_every_start(exported: tuple[dict[str, str], bytes, Path]) -> None:
    expected, data, _ = exported
    seen = _vobject(data)
    wrong = {uid: (want, seen.get(uid)) for uid, want in expected.items() if seen.get(uid) != want}
    assert not wrong, f"{len(wrong)} of {len(expected)} differ, e.g. {sorted(wrong.items())[:3]}"


# The VTIMEZONE followcal wrote before this round, as icalendar 7.3's Timezone.from_tzid writes it:
# the DST changes after the first of each period on one multi-valued RDATE line.
_OLD_BERLIN = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//t//EN\r
BEGIN:VTIMEZONE\r
TZID:Europe/Berlin\r
COMMENT:This timezone only works from 2026-01-01 to 2028-12-31.\r
BEGIN:STANDARD\r
DTSTART:20260101T000000\r
TZNAME:CET\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0100\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:20260329T030000\r
RDATE:20270328T030000,20280326T030000\r
TZNAME:CEST\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0200\r
END:DAYLIGHT\r
BEGIN:STANDARD\r
DTSTART:20261025T030000\r
RDATE:20271031T030000,20281029T030000\r
TZNAME:CET\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
END:STANDARD\r
END:VTIMEZONE\r
BEGIN:VEVENT\r
UID:x\r
DTSTAMP:20260101T000000Z\r
DTSTART;TZID=Europe/Berlin:20280701T100000\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_the_old_multi_valued_rdate_misleads_ical_js(js_parsers: Path, tmp_path: Path) -> None:
    """Why the writer changed: a VTIMEZONE with all RDATEs of a period on one line (what
    followcal wrote before) is read an hour off by ical.js in the years after the first."""
    path = tmp_path / "old.ics"
    path.write_bytes(_OLD_BERLIN.encode())
    done = subprocess.run(["node", str(js_parsers / "parse.mjs"), str(path)], capture_output=True,
                          text=True, timeout=60, check=True)
    assert json.loads(done.stdout)["ical.js"]["x"] != "2028-07-01T08:00:00.000Z"


@pytest.mark.parametrize("name", ["exchange-2010.ics", "outlook-16.ics"])
def test_exports_of_outlook_invites_read_the_same_everywhere(
    js_parsers: Path, tmp_path: Path, name: str
) -> None:
    """Windows-named zones in, IANA VTIMEZONEs out: every parser sees the planned instants."""
    source = Path(__file__).resolve().parents[1] / "unit" / "tz_exports" / name
    target = tmp_path / "reminders.ics"
    runner = CliRunner(env={"FOLLOWCAL_STATE_DIR": str(tmp_path / "state"), "FOLLOWCAL_CONFIG": None})
    planned = runner.invoke(cli, ["plan", str(source), "--json", "--now", NOW, "--tz", "America/Chicago"])
    assert planned.exit_code == 0, planned.output
    done = runner.invoke(cli, ["export", str(source), "-o", str(target), "--now", NOW, "--tz", "America/Chicago"])
    assert done.exit_code == 0, done.output
    expected = _expected(json.loads(planned.output))
    assert len(expected) >= 24
    seen = json.loads(subprocess.run(["node", str(js_parsers / "parse.mjs"), str(target)], capture_output=True,
                                     text=True, timeout=120, check=True).stdout)
    seen["vobject"] = _vobject(target.read_bytes())
    for parser, starts in seen.items():
        wrong = {uid: (want, starts.get(uid)) for uid, want in expected.items() if starts.get(uid) != want}
        assert not wrong, f"{parser}: {sorted(wrong.items())[:3]}"
