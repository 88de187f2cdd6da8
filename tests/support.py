"""Constants and small helpers the tests share (importable from every test: tests/ is on sys.path
through the root conftest). One copy each: the sample, its config, the fixed clock, a one-event
calendar, and `run`, the CLI called in-process."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from click.testing import Result

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "interviews.ics"
SAMPLE_CONFIG = ROOT / "samples" / "followcal.toml"
NOW = datetime(2026, 11, 22, 12, tzinfo=ZoneInfo("America/New_York"))
NOW_TEXT = "2026-11-22T12:00"  # NOW as `--now` takes it (the config's timezone: America/New_York)


def event_ics(uid: str, summary: str, start: str, end: str, extra: str = "") -> str:
    """A VCALENDAR with one VEVENT (UTC start and end like 20261119T150000Z; `extra`: more
    property lines, one per line), CRLF-separated as calendar servers store it."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tests//EN", "BEGIN:VEVENT", f"UID:{uid}",
             "DTSTAMP:20261101T000000Z", f"DTSTART:{start}", f"DTEND:{end}", f"SUMMARY:{summary}"]
    lines += [x for x in extra.split("\n") if x]
    lines += ["END:VEVENT", "END:VCALENDAR", ""]
    return "\r\n".join(lines)


def run(config: Path | str | None, *args: str, **invoke: Any) -> Result:
    """`followcal [--config CONFIG] ARGS...` in-process (click's CliRunner; stdout and stderr apart).
    An exception other than SystemExit fails the test with its traceback, unless the caller
    passes catch_exceptions=True to look at result.exception itself."""
    from click.testing import CliRunner  # imported late: the root conftest imports this module

    from followcal.cli.commands import cli

    invoke.setdefault("catch_exceptions", False)
    argv = ["--config", str(config), *args] if config is not None else list(args)
    return CliRunner().invoke(cli, argv, **invoke)
