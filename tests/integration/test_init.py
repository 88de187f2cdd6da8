"""From nothing to a working sync against a real Radicale (with a password), the way a new user
gets there: `followcal init` (once with options through CliRunner, once in a real pseudo-terminal
with the answers typed at the prompts), then `config --json`, `calendars` and `sync`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pexpect
import pytest
from servers import Server
from support import NOW_TEXT as NOW, event_ics, run

from followcal.backends import caldav_http
from followcal.config import load_settings

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


@pytest.fixture
def dav(radicale_auth: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Server:
    """Radicale with a password and an Interviews calendar holding two interviews."""
    monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("DAV_PASSWORD", radicale_auth.password)
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.delenv("FOLLOWCAL_CONFIG", raising=False)
    monkeypatch.setattr(caldav_http, "BACKOFF", 0.01)
    source = radicale_auth.make_calendar("interviews", "Interviews")
    radicale_auth.put(source + "acme.ics", event_ics("acme-1@example.com", "Interview: Acme Corp (Backend Engineer)",
                                                     "20261119T150000Z", "20261119T160000Z"))
    radicale_auth.put(source + "beta.ics", event_ics("beta-1@example.com", "Phone screen: Beta Labs",
                                                     "20261120T170000Z", "20261120T173000Z"))
    return radicale_auth


def check_working_setup(config: Path, server: Server) -> None:
    """config --json, calendars and sync all work with the config init wrote."""
    shown = run(config, "config", "--json")
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    assert data["config"] == {"path": str(config), "from": "option", "exists": True}
    assert data["state_dir"]["from"] == "env"
    settings = data["settings"]
    assert settings["name"] == {"value": "Jane Doe", "from": "file"}
    assert settings["region"]["from"] == "file" and settings["timezone"]["value"] == "America/New_York"
    assert settings["rules.max_follow_ups"] == {"value": 2, "from": "default"}
    assert settings["accounts.work.url"]["value"] == server.url
    assert settings["accounts.work.password"]["value"] == "unset"
    assert server.password not in shown.output

    listed = run(config, "calendars", "work")
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.startswith("Interviews\t") and server.calendar_url("interviews") in listed.stdout

    synced = run(config, "sync", "--now", NOW)
    assert synced.exit_code == 0, synced.output
    assert "main -> work:Follow-ups: did" in synced.stdout
    reminders = server.objects(server.calendar_url("follow-ups"))
    assert len(reminders) >= 4
    assert all(b"X-FOLLOWCAL-KIND" in body for body in reminders.values())
    again = run(config, "sync", "--now", NOW)
    assert again.exit_code == 0 and "up to date" in again.stdout


def test_init_with_options_then_config_calendars_sync(dav: Server, tmp_path: Path) -> None:
    config = tmp_path / "conf" / "followcal.toml"
    done = run(None, "init", "--path", str(config), "--name", "Jane Doe", "--email", "jane@example.com",
               "--email", "JD@Example.org", "--region", "US", "--timezone", "America/New_York",
               "--caldav-url", dav.url, "--username", dav.username, "--password-env", "DAV_PASSWORD")
    assert done.exit_code == 0, done.output
    assert "Found 1 calendar(s): Interviews" in done.output and f"Wrote {config}" in done.output
    assert oct(config.stat().st_mode & 0o777) == "0o600"
    settings = load_settings(config)
    assert settings.me == ("jane@example.com", "jd@example.org") and settings.name == "Jane Doe"
    assert [(s.sources, s.targets) for s in settings.syncs] == [(("work:Interviews",), ("work:Follow-ups",))]
    check_working_setup(config, dav)
    # never overwritten without being asked; --force keeps the old one as .bak
    before = config.read_bytes()
    refused = run(None, "init", "--path", str(config), "--name", "Other")
    assert refused.exit_code == 2 and "already exists" in refused.output and config.read_bytes() == before
    forced = run(None, "init", "--path", str(config), "--name", "Other", "--force")
    assert forced.exit_code == 0 and config.with_name("followcal.toml.bak").read_bytes() == before
    assert load_settings(config).name == "Other" and load_settings(config).accounts == {}


def test_init_with_a_password_command_and_a_wrong_password(dav: Server, tmp_path: Path) -> None:
    """The account is tested on the spot: a refused password is one warning line, the config is
    still written (fix it later), and the password never appears."""
    config = tmp_path / "followcal.toml"
    done = run(None, "init", "--path", str(config), "--caldav-url", dav.url, "--username", dav.username,
               "--password-command", "echo not-the-password", "--interviews-calendar", "Interviews")
    assert done.exit_code == 0, done.output
    assert "warning: the account does not work yet" in done.output and "401" in done.output
    assert "not-the-password" not in done.output
    settings = load_settings(config)
    assert settings.accounts["work"].password_command == "echo not-the-password"
    assert settings.syncs[0].sources == ("work:Interviews",)


def spawn(args: list[str], env: dict[str, str]) -> pexpect.spawn:
    return pexpect.spawn(sys.executable, ["-m", "followcal", *args], env=env, encoding="utf-8", timeout=30,
                         dimensions=(40, 120))


def test_init_typed_at_a_terminal_then_config_calendars_sync(dav: Server, tmp_path: Path) -> None:
    config = tmp_path / "typed" / "followcal.toml"
    env = {**os.environ, "NO_COLOR": "1"}
    child = spawn(["init", "--path", str(config)], env)
    child.expect(r"Your name \(signs the drafts\).*: ")
    child.sendline("Jane Doe")
    child.expect(r"Your email address\(es\), comma-separated: ")
    child.sendline("jane@example.com, jd@example.org")
    child.expect(r"Default employer region .*\[US\]: ")
    child.sendline("Atlantis")
    child.expect(r"unknown region '(?i:atlantis)'")  # asked again, not a crash
    child.expect(r"Default employer region .*\[US\]: ")
    child.sendline("US-NY")
    child.expect(r"Your time zone \[.+\]: ")
    child.sendline("Mars/Olympus")
    child.expect("unknown time zone")
    child.expect(r"Your time zone \[.+\]: ")
    child.sendline("America/New_York")
    child.expect(r"Calendar account \(none, caldav, google\) \[none\]: ")
    child.sendline("caldav")
    child.expect("CalDAV URL: ")
    child.sendline(dav.url)
    child.expect("Username: ")
    child.sendline(dav.username)
    child.expect(r"or a command \(env, command\) \[env\]: ")
    child.sendline("command")
    child.expect("Command that prints the password: ")
    child.sendline("printenv DAV_PASSWORD")
    child.expect(r"Found 1 calendar\(s\): Interviews")
    child.expect(r"Calendar that holds your interviews \(Interviews\) \[Interviews\]: ")
    child.sendline("")
    child.expect(r"Calendar for the reminders \(created if missing\) \[Follow-ups\]: ")
    child.sendline("")
    child.expect("Wrote ")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    settings = load_settings(config)
    assert (settings.name, settings.me, settings.region) == ("Jane Doe", ("jane@example.com", "jd@example.org"), "US-NY")
    assert settings.accounts["work"].password_command == "printenv DAV_PASSWORD"
    check_working_setup(config, dav)

    # a second init asks before overwriting; "no" leaves the file as it was
    before = config.read_bytes()
    child = spawn(["init", "--path", str(config)], env)
    child.expect(r"exists\. Overwrite it .*\[y/N\]: ")
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1 and config.read_bytes() == before


def test_clean_removes_only_followcals_events(dav: Server, tmp_path: Path) -> None:
    """A target dropped from `to` is emptied of followcal's reminders by `clean`; a foreign event
    in the same calendar stays byte for byte."""
    config = tmp_path / "followcal.toml"
    assert run(None, "init", "--path", str(config), "--name", "Jane Doe", "--caldav-url", dav.url, "--username", dav.username,
               "--password-env", "DAV_PASSWORD", "--timezone", "America/New_York").exit_code == 0
    assert run(config, "sync", "--now", NOW).exit_code == 0
    target = dav.calendar_url("follow-ups")
    foreign = event_ics("dentist-7@example.com", "Dentist", "20261201T090000Z", "20261201T100000Z")
    dav.put(target + "dentist.ics", foreign)
    foreign_as_stored = dav.get(target + "dentist.ics").body
    ours = [h for h in dav.hrefs(target) if not h.endswith("dentist.ics")]
    assert len(ours) >= 4

    listed = run(config, "clean", "work:Follow-ups", "--dry-run")
    assert listed.exit_code == 0, listed.output
    assert f"would delete {len(ours)} followcal reminder(s)" in listed.stdout and "Dentist" not in listed.stdout
    assert len(dav.hrefs(target)) == len(ours) + 1

    done = run(config, "clean", "work:Follow-ups", "--json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["deleted"] == len(ours)
    left = dav.objects(target)
    assert list(left) == [h for h in dav.hrefs(target)] and len(left) == 1
    assert next(iter(left.values())) == foreign_as_stored
    again = run(config, "clean", "work:Follow-ups")
    assert again.exit_code == 0 and "nothing to clean" in again.stdout
    missing = run(config, "clean", "work:Nope")
    assert missing.exit_code == 1 and "Nope" in missing.output


def test_retries_are_reported_at_v_and_summarised_and_progress_only_on_a_terminal(dav: Server, tmp_path: Path) -> None:
    """Two PUTs answered 503 by a proxy: the sync still succeeds; -v shows each retry, and one
    summary line says how many there were. Piped, no progress output; on a terminal, progress."""
    import subprocess

    from servers import CountingProxy

    with CountingProxy(dav.url) as proxy:
        faults = {"left": 2}

        def before(method: str, path: str) -> int | None:
            if method == "PUT" and faults["left"]:
                faults["left"] -= 1
                return 503
            return None

        config = tmp_path / "followcal.toml"
        assert run(None, "init", "--path", str(config), "--name", "Jane Doe", "--caldav-url", proxy.url,
                   "--username", dav.username, "--password-env", "DAV_PASSWORD", "--timezone", "America/New_York").exit_code == 0
        proxy.before = before
        env = {**os.environ, "NO_COLOR": "1"}
        done = subprocess.run([sys.executable, "-m", "followcal", "-v", "--config", str(config), "sync", "--now", NOW],
                              capture_output=True, text=True, env=env, timeout=60)
        assert done.returncode == 0, done.stderr
        assert done.stderr.count("retrying account 'work': PUT") == 2 and "server error 503" in done.stderr
        assert "note: 2 request(s) were retried" in done.stderr
        assert "reading" not in done.stderr and "writing" not in done.stderr  # piped: no progress
        assert dav.password not in done.stdout + done.stderr

        proxy.before = None
        run(config, "clean", "work:Follow-ups")
        faults["left"] = 1
        proxy.before = before
        quiet = subprocess.run([sys.executable, "-m", "followcal", "--config", str(config), "sync", "--now", NOW],
                               capture_output=True, text=True, env=env, timeout=60)
        assert quiet.returncode == 0, quiet.stderr
        assert "retrying" not in quiet.stderr and "note: 1 request(s) were retried" in quiet.stderr

        run(config, "clean", "work:Follow-ups")
        child = spawn(["--config", str(config), "sync", "--now", NOW], env)
        child.expect(r"main: reading work:Interviews|writing work:Follow-ups")
        child.expect("main -> work:Follow-ups: did")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0
