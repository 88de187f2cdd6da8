"""init (without a server), config, clean on .ics files, --json on mark and export, --no-color,
and help texts that stand on their own."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings as hsettings, strategies as st
from support import NOW_TEXT as NOW, SAMPLE, run

from followcal.cli.commands import cli
from followcal.cli.setup_wizard import Answers, render_config
from followcal.config import load_settings, parse_settings

SGR_COLOUR = re.compile(r"\x1b\[[0-9;]*(3[0-9]|9[0-7]|38;)[0-9;]*m")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.delenv("FOLLOWCAL_CONFIG", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    return tmp_path


# --- the file init writes ------------------------------------------------------------------------

ANSWERS = [
    Answers(),
    Answers(name='Zoë "ZZ" O\'Brien \\ Søren', emails=("a@x.org",), region="DE-BY", timezone="Europe/Berlin"),
    Answers(account="work", account_type="caldav", caldav_url="https://dav.example.com/", username="me",
            password_command="pass show dav", interviews="Interviews"),
    Answers(account="work", account_type="caldav", caldav_url="https://dav.example.com/", password_env="X"),
    Answers(account="personal", account_type="google", interviews="primary", reminders="Job hunt"),
]


@pytest.mark.parametrize("answers", ANSWERS)
def test_rendered_config_loads_and_says_what_was_answered(answers: Answers, tmp_path: Path) -> None:
    path = tmp_path / "followcal.toml"
    path.write_text(render_config(answers), encoding="utf-8")
    settings = load_settings(path)
    assert (settings.name, settings.me, settings.region) == (answers.name, answers.emails, answers.region)
    assert settings.timezone == answers.timezone
    if answers.account_type:
        assert settings.accounts[answers.account].type == answers.account_type
    if answers.interviews:
        assert settings.syncs[0].sources == (f"{answers.account}:{answers.interviews}",)
        assert settings.syncs[0].targets == (f"{answers.account}:{answers.reminders or 'Follow-ups'}",)
    else:
        assert settings.syncs == ()
    assert sum(line.startswith("#") for line in render_config(answers).splitlines()) >= 20  # commented


@hsettings(max_examples=60, deadline=None)
@given(name=st.text(min_size=1, max_size=40))
def test_any_name_round_trips_through_the_toml(name: str) -> None:
    import tomllib

    # the config reads a name with its white space collapsed, and a blank one as not set
    assert parse_settings(tomllib.loads(render_config(Answers(name=name)))).name == (" ".join(name.split()) or None)


# --- init without a terminal -----------------------------------------------------------------------


def test_init_without_a_terminal_takes_defaults_and_writes_the_user_config(home: Path) -> None:
    done = run(None, "init")
    assert done.exit_code == 0, done.output
    path = home / "xdg" / "followcal" / "followcal.toml"
    assert f"Wrote {path}" in done.output
    settings = load_settings(path)
    assert settings.region == "US" and settings.timezone and settings.accounts == {}
    shown = json.loads(run(None, "config", "--json").stdout)
    assert shown["config"] == {"path": str(path), "from": "default", "exists": True}


@pytest.mark.parametrize("args, message", [
    (["--region", "Atlantis"], "unknown region"),
    (["--timezone", "Mars/Olympus"], "unknown time zone"),
    (["--email", "not-an-address"], "not an email address"),
    (["--caldav-url", "ftp://dav.example.com/"], "not an http(s):// URL"),
    (["--google", "--caldav-url", "https://x.example/"], "choose one"),
])
def test_init_bad_answers_are_one_line_and_exit_2(home: Path, args: list[str], message: str) -> None:
    done = run(None, "init", "--path", str(home / "c.toml"), *args)
    assert done.exit_code == 2 and message in done.output
    assert len(done.output.strip().splitlines()) == 1 and not (home / "c.toml").exists()


def test_init_google_points_at_auth_google(home: Path) -> None:
    path = home / "c.toml"
    done = run(None, "init", "--path", str(path), "--google")
    assert done.exit_code == 0, done.output
    assert f"followcal --config {path} auth google --account google" in done.output
    settings = load_settings(path)
    assert settings.accounts["google"].token == str(home / "google-token.json")
    assert settings.syncs[0].sources == ("google:primary",)


# --- config ------------------------------------------------------------------------------------


def test_config_says_where_each_setting_comes_from_and_hides_secrets(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = home / "conf.toml"
    path.write_text('region = "GB"\n[rules]\nmax_follow_ups = 1\n'
                    '[accounts.work]\ntype = "caldav"\nurl = "https://dav.example.com/"\npassword = "hunter2-secret"\n'
                    '[accounts.other]\ntype = "caldav"\nurl = "https://o.example.com/"\npassword_env = "OTHER_PW"\n'
                    '[serve]\ntoken = "tok-secret-123"\n', encoding="utf-8")
    monkeypatch.setenv("FOLLOWCAL_CONFIG", str(path))
    monkeypatch.setenv("TZ", "Europe/London")
    done = run(None, "config", "--json")
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert data["config"] == {"path": str(path), "from": "env", "exists": True}
    s = data["settings"]
    assert s["region"] == {"value": "GB", "from": "file"}
    assert s["rules.max_follow_ups"] == {"value": 1, "from": "file"}
    assert s["rules.cut_off_business_days"] == {"value": 5, "from": "default"}
    assert s["timezone"]["from"] == "env" and s["timezone"]["value"] == "Europe/London"
    assert s["accounts.work.password"] == {"value": "set", "from": "file"}
    assert s["accounts.other.password"] == {"value": "unset", "from": "default"}
    assert s["accounts.other.password_env"]["note"] == "$OTHER_PW is unset"
    assert s["serve.token"] == {"value": "set", "from": "file"}
    table = run(None, "config")
    for out in (done.output, table.output):
        assert "hunter2-secret" not in out and "tok-secret-123" not in out
    assert "rules.max_follow_ups" in table.stdout and f"config: {path} (from env)" in table.stdout


def test_config_without_a_file_shows_the_defaults(home: Path) -> None:
    done = run(None, "config")
    assert done.exit_code == 0, done.output
    assert "no file: every setting is a default" in done.stdout and "region" in done.stdout


# --- clean on an .ics target -----------------------------------------------------------------------


def test_clean_an_ics_target(home: Path) -> None:
    target = home / "reminders.ics"
    assert run(None, "export", str(SAMPLE), "-o", str(target), "--now", NOW).exit_code == 0
    before = target.read_bytes()
    count = before.count(b"BEGIN:VEVENT")
    listed = run(None, "clean", str(target), "--dry-run")
    assert listed.exit_code == 0, listed.output
    assert f"would delete {count} followcal reminder(s)" in listed.stdout and target.read_bytes() == before
    assert len(listed.stdout.splitlines()) == count + 1
    done = run(None, "clean", str(target))
    assert done.exit_code == 0 and f"deleted {count}" in done.stdout
    assert b"BEGIN:VEVENT" not in target.read_bytes()
    assert "nothing to clean" in run(None, "clean", str(target)).stdout
    assert "nothing to clean" in run(None, "clean", str(home / "missing.ics")).stdout


def test_clean_refuses_what_followcal_did_not_write(home: Path) -> None:
    foreign = home / "mine.ics"
    foreign.write_bytes(SAMPLE.read_bytes())
    done = run(None, "clean", str(foreign))
    assert done.exit_code == 2 and "did not make" in done.output and foreign.read_bytes() == SAMPLE.read_bytes()
    url = run(None, "clean", "https://example.com/cal.ics")
    assert url.exit_code == 2 and "read-only" in url.output


# --- --json on export and mark -------------------------------------------------------------------


def test_export_json(home: Path) -> None:
    target = home / "out.ics"
    first = run(None, "export", str(SAMPLE), "-o", str(target), "--now", NOW, "--json")
    assert first.exit_code == 0, first.output
    data = json.loads(first.stdout)
    assert data["output"] == str(target) and data["written"] is True and data["interviews"] == 11
    assert data["reminders"] == target.read_bytes().count(b"BEGIN:VEVENT") and data["warnings"] == []
    again = json.loads(run(None, "export", str(SAMPLE), "-o", str(target), "--now", NOW, "--json").stdout)
    assert again["written"] is False


def test_mark_json(home: Path) -> None:
    done = run(None, "mark", "Acme Corp", "rejected", "--on", "2026-11-25", "--source", str(SAMPLE), "--json")
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert data["company"] == "Acme Corp" and data["outcome"] == "rejected" and data["on"] == "2026-11-25"
    assert len(data["interview_id"]) == 12 and data["cleared"] is False
    assert [r["kind"] for r in data["reminders"]] == ["gracious-reply"]
    assert data["message"].startswith("Acme Corp")
    cleared = json.loads(run(None, "mark", data["interview_id"], "--clear", "--source", str(SAMPLE), "--json").stdout)
    assert cleared["cleared"] is True and cleared["outcome"] is None


# --- colour and help -----------------------------------------------------------------------------


def test_no_color_option_and_environment(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(None, "mark", "Acme Corp", "rejected", "--on", "2026-11-25", "--source", str(SAMPLE)).exit_code == 0
    monkeypatch.setenv("FORCE_COLOR", "1")
    args = ["plan", str(SAMPLE), "--now", NOW]  # the outcome line is yellow
    assert SGR_COLOUR.search(run(None, *args).stdout), "FORCE_COLOR should give colours (else this test proves nothing)"
    assert not SGR_COLOUR.search(run(None, "--no-color", *args).stdout)
    monkeypatch.setenv("NO_COLOR", "1")
    assert not SGR_COLOUR.search(run(None, *args).stdout)


def _commands(group, prefix=()):
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name)
        if hasattr(command, "commands"):
            yield from _commands(command, (*prefix, name))


def test_help_texts_stand_on_their_own(home: Path) -> None:
    for path in [(), *_commands(cli)]:
        out = run(None, *path, "--help").stdout
        assert "DESIGN.md" not in out and "design file" not in out, path
    top = run(None, "--help").stdout
    for command in ("init", "config", "clean"):
        assert re.search(rf"^\s+{command}\s", top, re.M), command
    assert "_FOLLOWCAL_COMPLETE" in top
