"""`plan` and `status` tables at 80 and 160 columns: no interview id and no date is ever split
across lines (other columns fold first), and the table fits the width."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support import NOW_TEXT as NOW, SAMPLE, run

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
LONG = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//tests//EN
BEGIN:VEVENT
UID:long-1@example.com
DTSTAMP:20261101T000000Z
DTSTART;TZID=America/Argentina/Buenos_Aires:20261118T100000
DTEND;TZID=America/Argentina/Buenos_Aires:20261118T110000
SUMMARY:Interview with Internationale Versicherungsgesellschaftsholding - Senior-Plattform-Infrastruktur-Entwicklerin
DESCRIPTION:Region: DE-BY
END:VEVENT
END:VCALENDAR
"""


@pytest.fixture
def sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(tmp_path / "state"))
    long = tmp_path / "long.ics"
    long.write_text(LONG.replace("\n", "\r\n"), encoding="utf-8")
    (tmp_path / "empty.toml").write_text("", encoding="utf-8")
    return [str(SAMPLE), str(long)]


def cli_run(tmp: Path, columns: int, *args: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COLUMNS", str(columns))
    result = run(tmp / "empty.toml", *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def assert_whole(out: str, ids: list[str], dates: list[str], columns: int) -> None:
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= columns
    assert all(line.rstrip().endswith(("┓", "┃", "┩", "│", "┤", "┘")) for line in lines[1:] if line.strip()), \
        "the table is wider than the terminal (its right edge is cut off)"
    for ident in ids:
        assert ident in out, f"id {ident} split at {columns} columns"
    for day in dates:
        assert day in out, f"date {day} split at {columns} columns"
    # nothing that looks like the start or the end of a date is left dangling at a cell edge
    for line in lines:
        for cell in re.split(r"[│┃]", line):
            text = cell.strip()
            assert not re.search(r"(^|\s)\d{4}-\d{0,2}-?\d?$", text) or DATE.search(text), (columns, line)
            assert not re.match(r"^-?\d{1,2}(\s|$)", text) or re.match(r"^\d{2}:\d{2}", text), (columns, line)


@pytest.mark.parametrize("columns", [80, 160])
def test_plan_table_keeps_ids_and_dates_whole(sources: list[str], tmp_path: Path, columns: int,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    data = json.loads(cli_run(tmp_path, 200, "plan", *sources, "--now", NOW, "--json", monkeypatch=monkeypatch))
    ids = [iv["id"] for iv in data["interviews"]]
    dates = sorted({r["date"] for iv in data["interviews"] for r in iv["reminders"]}
                   | {iv["start"][:10] for iv in data["interviews"]})
    out = cli_run(tmp_path, columns, "plan", *sources, "--now", NOW, monkeypatch=monkeypatch)
    assert len(ids) == 13 and "Versicherungs" in out
    assert_whole(out, ids, dates, columns)
    at_200 = cli_run(tmp_path, 200, "plan", *sources, "--now", NOW, monkeypatch=monkeypatch)
    assert sorted(DATE.findall(out)) == sorted(DATE.findall(at_200))  # every date there, each whole


@pytest.mark.parametrize("columns", [80, 160])
def test_status_table_keeps_ids_and_dates_whole(sources: list[str], tmp_path: Path, columns: int,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    args = [a for s in sources for a in ("--source", s)]
    rows = json.loads(cli_run(tmp_path, 200, "status", *args, "--now", NOW, "--json", monkeypatch=monkeypatch))
    ids = [r["interview_id"] for r in rows]
    dates = [r["last_interview"][:10] for r in rows] + [r["next_action"]["date"] for r in rows if r["next_action"]]
    out = cli_run(tmp_path, columns, "status", *args, "--now", NOW, monkeypatch=monkeypatch)
    assert len(ids) >= 8
    assert_whole(out, ids, dates, columns)
    at_200 = cli_run(tmp_path, 200, "status", *args, "--now", NOW, monkeypatch=monkeypatch)
    assert sorted(DATE.findall(out)) == sorted(DATE.findall(at_200))
