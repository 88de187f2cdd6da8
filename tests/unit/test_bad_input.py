"""Bad input never produces a traceback: bad files fail with one line and exit 1/2 and leave an
existing output untouched; bad events are skipped with a warning naming their UID while the
rest still get reminders; huge lines and deep nesting finish promptly."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from icalendar import Calendar
from support import NOW_TEXT, run

from followcal.cli.commands import cli

FIXED = ["--now", NOW_TEXT, "--tz", "America/New_York"]
GOOD = ("BEGIN:VEVENT\r\nUID:good-1\r\nDTSTAMP:20261101T120000Z\r\nSUMMARY:Interview with Acme Corp\r\n"
        "DTSTART;TZID=America/New_York:20261119T140000\r\nDTEND;TZID=America/New_York:20261119T150000\r\n"
        "END:VEVENT\r\n")


def calendar(*events: str) -> bytes:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + "".join(events) + "END:VCALENDAR\r\n").encode()


def vevent(uid: str, *lines: str, summary: str = "Interview with Globex") -> str:
    body = "".join(f"{line}\r\n" for line in lines)
    return f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261101T120000Z\r\nSUMMARY:{summary}\r\n{body}END:VEVENT\r\n"


@pytest.fixture
def env(env: Path) -> Path:
    """A config with a region (and the root conftest's state dir); returns its path."""
    config = env / "followcal.toml"
    config.write_text('region = "US"\n')
    return config


def assert_one_error_line(result, *names: str) -> None:
    assert result.exit_code in (1, 2), (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("followcal: error: ")
    for name in names:
        assert name in lines[0], (name, lines[0])


def _unparsable(p: Path) -> None:
    p.write_text("this is not a calendar\n")


def _binary(p: Path) -> None:
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))


def _empty(p: Path) -> None:
    p.write_bytes(b"")


def _blank(p: Path) -> None:
    p.write_bytes(b"\r\n  \n")


def _folder(p: Path) -> None:
    p.mkdir()


def _missing(p: Path) -> None:
    pass


BAD_FILES = {"unparsable": _unparsable, "binary": _binary, "empty": _empty, "blank": _blank,
             "directory": _folder, "missing": _missing}


@pytest.mark.parametrize("kind", BAD_FILES)
@pytest.mark.parametrize("command", ["plan", "plan-json", "export"])
def test_bad_source_file(env: Path, tmp_path: Path, kind: str, command: str) -> None:
    source = tmp_path / "input.ics"
    BAD_FILES[kind](source)
    out = tmp_path / "out.ics"
    out.write_bytes(b"previous export\r\n")
    before = (out.read_bytes(), out.stat().st_mtime_ns)
    args = {"plan": ["plan", str(source)], "plan-json": ["plan", str(source), "--json"],
            "export": ["export", str(source), "-o", str(out)]}[command]
    result = run(env, *args, *FIXED)
    assert_one_error_line(result, str(source))
    assert result.stdout == ""
    assert (out.read_bytes(), out.stat().st_mtime_ns) == before


def test_export_to_a_folder_or_a_missing_folder(env: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.ics"
    source.write_bytes(calendar(GOOD))
    folder = tmp_path / "folder"
    folder.mkdir()
    assert_one_error_line(run(env, "export", str(source), "-o", str(folder), *FIXED), str(folder))
    nowhere = tmp_path / "no" / "such" / "out.ics"
    assert_one_error_line(run(env, "export", str(source), "-o", str(nowhere), *FIXED), "does not exist")
    assert not nowhere.parent.exists()


def test_export_over_a_non_calendar_file_is_refused(env: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.ics"
    source.write_bytes(calendar(GOOD))
    out = tmp_path / "notes.txt"
    out.write_text("my precious notes\n")
    before = (out.read_bytes(), out.stat().st_mtime_ns)
    result = run(env, "export", str(source), "-o", str(out), *FIXED)
    assert_one_error_line(result, str(out))
    assert result.exit_code == 2
    assert (out.read_bytes(), out.stat().st_mtime_ns) == before


def test_bad_config_is_one_line(env: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.ics"
    source.write_bytes(calendar(GOOD))
    env.write_text("region = \n[rules\n")
    result = run(env, "plan", str(source), *FIXED)
    assert_one_error_line(result, str(env))
    assert result.exit_code == 2
    env.write_text("[rules]\nmax_follow_ups = 9\n")
    result = run(env, "plan", str(source), *FIXED)
    assert_one_error_line(result, "max_follow_ups")
    assert result.exit_code == 2


def test_bad_options_exit_2(env: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.ics"
    source.write_bytes(calendar(GOOD))
    for args in (["--now", "yesterday"], ["--since", "2026-13-01"], ["--tz", "Mars/Olympus"],
                 ["--since", "2026-12-01", "--until", "2026-11-01"]):
        result = CliRunner().invoke(cli, ["--config", str(env), "plan", str(source), *args])
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output


BAD_EVENTS = calendar(
    vevent("no-dtstart-1", "DTEND:20261119T150000Z"),
    vevent("bad-date-2", "DTSTART:20261345T140000Z"),
    vevent("bad-zone-3", "DTSTART;TZID=Mars/Olympus_Mons:20261119T140000"),
    vevent("bad-end-4", "DTSTART:20261119T140000Z", "DTEND:2026111"),
    # a duration where a date belongs: icalendar reads it as a timedelta (found by the fuzz test)
    vevent("bad-rid-5", "DTSTART:20261119T140000Z", "RECURRENCE-ID;TZID=Europe/London:-PT1H"),
    GOOD,
    vevent("good-2", "DTSTART;TZID=Europe/London:20261216T100000", summary="Phone screen with Vandelay"),
)
BAD_UIDS = ("no-dtstart-1", "bad-date-2", "bad-zone-3", "bad-end-4", "bad-rid-5")


@pytest.mark.parametrize("full", [False, True], ids=["fast", "full-parse"])
def test_bad_events_are_skipped_with_a_warning(env: Path, tmp_path: Path, full: bool) -> None:
    source = tmp_path / "mixed.ics"
    source.write_bytes(BAD_EVENTS)
    extra = ["--full-parse"] if full else []
    result = run(env, "plan", str(source), *FIXED, "--json", *extra)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [iv["uid"] for iv in data["interviews"]] == ["good-1", "good-2"]
    assert all(len(iv["reminders"]) == 4 for iv in data["interviews"])
    for uid in BAD_UIDS:
        assert sum(uid in w for w in data["warnings"]) == 1, (uid, data["warnings"])

    table = run(env, "plan", str(source), *FIXED, *extra)
    assert table.exit_code == 0 and "Acme Corp" in table.stdout
    for uid in BAD_UIDS:
        assert uid in table.stderr
    assert "Traceback" not in table.stderr

    out = tmp_path / "out.ics"
    exported = run(env, "export", str(source), "-o", str(out), *FIXED, *extra)
    assert exported.exit_code == 0
    for uid in BAD_UIDS:
        assert uid in exported.stderr
    assert len(Calendar.from_ical(out.read_bytes()).walk("VEVENT")) == 8


# --- huge and deep input -----------------------------------------------------------------------

def _timed(env: Path, source: Path, tmp_path: Path, *extra: str) -> dict:
    """plan --json and export on `source`: both must finish in under 10 s; returns the plan."""
    started = time.perf_counter()
    result = run(env, "plan", str(source), *FIXED, "--json", *extra)
    planned = time.perf_counter() - started
    assert result.exit_code == 0, result.stderr
    assert planned < 10, f"plan took {planned:.1f} s"
    out = tmp_path / f"{source.stem}.out.ics"
    started = time.perf_counter()
    exported = run(env, "export", str(source), "-o", str(out), *FIXED, *extra)
    took = time.perf_counter() - started
    assert exported.exit_code == 0, exported.stderr
    assert took < 10, f"export took {took:.1f} s"
    assert "Traceback" not in result.stderr + exported.stderr
    data = json.loads(result.stdout)
    assert "good-1" in [iv["uid"] for iv in data["interviews"]]
    return data


@pytest.mark.parametrize("full", [False, True], ids=["fast", "full-parse"])
def test_twenty_megabyte_summary(env: Path, tmp_path: Path, full: bool) -> None:
    source = tmp_path / "huge.ics"
    source.write_bytes(calendar(vevent("huge-1", "DTSTART:20261120T150000Z",
                                       summary="Interview with " + "x" * 20_000_000), GOOD))
    data = _timed(env, source, tmp_path, *(["--full-parse"] if full else []))
    assert any("huge-1" in w for w in data["warnings"])
    sizes = {iv["uid"]: len(iv["summary"]) for iv in data["interviews"]}
    assert sizes.get("huge-1", 0) < 10_000


def test_five_megabyte_description_lines(env: Path, tmp_path: Path) -> None:
    blob = "y" * 5_000_000
    source = tmp_path / "desc.ics"
    source.write_bytes(calendar(
        vevent("lunch", "DTSTART:20261120T150000Z", f"DESCRIPTION:{blob}", summary="Team lunch"),
        vevent("long-desc", "DTSTART:20261121T150000Z", f"DESCRIPTION:Company: Globex\\n{blob}"),
        vevent("attach", "DTSTART:20261122T150000Z", f"ATTACH;ENCODING=BASE64;VALUE=BINARY:{blob}"),
        GOOD,
    ))
    data = _timed(env, source, tmp_path)
    uids = [iv["uid"] for iv in data["interviews"]]
    assert uids == ["good-1", "long-desc", "attach"]
    (globex,) = [iv for iv in data["interviews"] if iv["uid"] == "long-desc"]
    assert globex["company"] == "Globex"  # the hints at the top of a long description still count


@pytest.mark.parametrize("full", [False, True], ids=["fast", "full-parse"])
def test_ten_thousand_nested_valarms(env: Path, tmp_path: Path, full: bool) -> None:
    nested = ["BEGIN:VALARM"] * 10_000 + ["END:VALARM"] * 10_000
    source = tmp_path / "deep.ics"
    source.write_bytes(calendar(vevent("deep-1", "DTSTART:20261120T150000Z", *nested), GOOD))
    data = _timed(env, source, tmp_path, *(["--full-parse"] if full else []))
    assert any("deep-1" in w for w in data["warnings"])
    assert "deep-1" not in [iv["uid"] for iv in data["interviews"]]


@pytest.mark.parametrize("full", [False, True], ids=["fast", "full-parse"])
def test_ten_thousand_nested_x_components(env: Path, tmp_path: Path, full: bool) -> None:
    nested = "BEGIN:X-FOO\r\n" * 10_000 + "END:X-FOO\r\n" * 10_000
    source = tmp_path / "xfoo.ics"
    source.write_bytes(calendar(nested, GOOD))
    data = _timed(env, source, tmp_path, *(["--full-parse"] if full else []))
    assert [iv["uid"] for iv in data["interviews"]] == ["good-1"]
