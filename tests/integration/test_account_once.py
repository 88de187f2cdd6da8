"""One opened account per run (issue 11): a sync that reads one calendar of a CalDAV account and
writes two others of it runs the account's discovery once and asks for its password once.

Real Radicale and Xandikos servers behind the CountingProxy of servers.py, which records every
request: the calendar home is listed (PROPFIND) once per run, however many calendars of the
account the run uses, and `password_command` runs once.
"""

from __future__ import annotations

import json
import sys
import urllib.parse
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from servers import CountingProxy, Server, start_server

from followcal import config as config_module
from followcal.backends import caldav_http
from followcal.cli.commands import cli

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

NOW = "2026-11-22T12:00"
INTERVIEW = "\r\n".join([
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tests//EN", "BEGIN:VEVENT", "UID:acme-1@example.com",
    "DTSTAMP:20261101T000000Z", "DTSTART:20261119T150000Z", "DTEND:20261119T160000Z",
    "SUMMARY:Interview: Acme Corp (Backend Engineer)", "END:VEVENT", "END:VCALENDAR", "",
])


@pytest.fixture(params=["radicale", "xandikos"])
def server(request: pytest.FixtureRequest, tmp_path: Path):
    started = start_server(request.param, tmp_path)
    yield started
    started.stop()


def write_config(tmp_path: Path, server: Server, proxy: CountingProxy, counter: Path) -> Path:
    home = proxy.url + server.home[len(server.url):]
    # the password comes from a command that notes each time it runs
    command = f"{sys.executable} -c \"open({str(counter)!r}, 'a').write('x'); print('pw')\""
    path = tmp_path / "config.toml"
    path.write_text(
        'region = "US"\ntimezone = "America/New_York"\n\n'
        f'[accounts.work]\ntype = "caldav"\nurl = "{home}"\nusername = "{server.username}"\n'
        f"password_command = {json.dumps(command)}\ntimeout = 5\n\n"
        '[[sync]]\nname = "main"\nfrom = ["work:Interviews"]\nto = ["work:Follow-ups", "work:Reminders"]\n',
        encoding="utf-8",
    )
    return path


def home_propfinds(proxy: CountingProxy, server: Server) -> tuple[int, int]:
    """PROPFINDs of the calendar home (discovery and its listing): (all, those after the first
    request to one of its calendars, i.e. a discovery run again for a later calendar)."""
    home = urllib.parse.urlsplit(server.home).path
    seen = list(proxy.seen)
    first = next((i for i, s in enumerate(seen) if s.path != home and s.path.startswith(home)), len(seen))
    on_home = [i for i, s in enumerate(seen) if s.method == "PROPFIND" and s.path == home]
    return len(on_home), sum(1 for i in on_home if i > first)


def test_a_sync_with_two_targets_on_one_account_discovers_once(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setattr(caldav_http, "BACKOFF", 0.01)
    source = server.make_calendar("interviews", "Interviews")
    server.put(source + "acme.ics", INTERVIEW)
    counter = tmp_path / "password-runs"
    with CountingProxy(server.upstream or server.url) as proxy:
        config = write_config(tmp_path, server, proxy, counter)
        for run in ("cold", "warm"):  # cold: nothing cached; warm: the home URL is in the state store
            monkeypatch.setattr(config_module, "_SECRETS", {})  # as a new process: asks again
            counter.write_text("")
            proxy.reset()
            result = CliRunner().invoke(cli, ["--config", str(config), "sync", "--now", NOW], catch_exceptions=False)
            assert result.exit_code == 0, result.output
            assert counter.read_text() == "x", run  # password_command ran once for three calendars
            total, again = home_propfinds(proxy, server)
            assert again == 0, (run, proxy.seen)  # each target once opened its account anew: 2 here
            # warm: the home is listed once (it was once per calendar: 3); cold adds the principal
            # lookups of discovery (Radicale 2, Xandikos 1), each made once
            assert (total == 1) if run == "warm" else (total <= 3), (run, proxy.seen)
        for slug in ("follow-ups", "reminders"):  # both targets were written
            assert any(b"X-FOLLOWCAL-KIND" in body for body in server.objects(server.calendar_url(slug)).values())


def test_the_run_opens_each_account_once(server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In process: the Context's account pool holds one opened account for the three calendars."""
    from followcal.app.pipeline import Context
    from followcal.app.sync import run_syncs
    from followcal.config import load_settings

    monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(tmp_path / "state"))
    source = server.make_calendar("interviews", "Interviews")
    server.put(source + "acme.ics", INTERVIEW)
    counter = tmp_path / "password-runs"
    with CountingProxy(server.upstream or server.url) as proxy:
        settings = load_settings(write_config(tmp_path, server, proxy, counter))
        with Context.create(settings, datetime.fromisoformat(NOW)) as ctx:
            reports = run_syncs(ctx, [])
            assert not any(r.failed for r in reports), reports
            assert ctx.accounts.opened == 1
            assert [t.result.created for t in reports[0].targets if t.result] == [4, 4]
        assert home_propfinds(proxy, server)[1] == 0


def test_a_google_account_is_opened_once_and_its_calendar_list_read_once(fake, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The same with Google (the loopback fake of Calendar v3): one authorised client and one
    calendar list for a source and two targets of one account; a calendar made by the first
    target is found, not made again, by a second sync entry in the same run."""
    from followcal.app.pipeline import Context
    from followcal.app.sync import run_syncs
    from followcal.config import load_settings

    monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(tmp_path / "state"))
    cid = fake.add_calendar("Interviews", tz="America/New_York")
    fake.add_event(cid, {"summary": "Interview: Acme Corp (Backend Engineer)", "iCalUID": "acme-1@example.com",
                         "start": {"dateTime": "2026-11-19T15:00:00Z"}, "end": {"dateTime": "2026-11-19T16:00:00Z"}})
    path = tmp_path / "config.toml"
    path.write_text(
        'region = "US"\ntimezone = "America/New_York"\n\n'
        f'[accounts.g]\ntype = "google"\napi_endpoint = "{fake.url}"\ntoken = "none"\n\n'
        '[[sync]]\nname = "main"\nfrom = ["g:Interviews"]\nto = ["g:Follow-ups", "g:Reminders"]\n\n'
        '[[sync]]\nname = "again"\nfrom = ["g:Interviews"]\nto = ["g:Follow-ups"]\n',
        encoding="utf-8",
    )
    fake.reset_counts()
    with Context.create(load_settings(path), datetime.fromisoformat(NOW)) as ctx:
        reports = run_syncs(ctx, [])
        assert not any(r.failed for r in reports), reports
        assert ctx.accounts.opened == 1
    assert [t.result.created for t in reports[0].targets if t.result] == [4, 4]
    assert [t.result.created for t in reports[1].targets if t.result] == [0]  # the second entry: all there
    made = [c for c in fake.calls if c.path == "/calendars" and c.method == "POST"]
    assert len(made) == 2  # Follow-ups and Reminders, each once
    listed = [c for c in fake.calls if c.path.endswith("/calendarList") and c.method == "GET"]
    assert len(listed) == 1, [c.path for c in fake.calls]  # once for the four calendar opens of the run
