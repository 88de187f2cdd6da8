"""Issue 19: a strict config (every table, unknown keys with the nearest known one, types), secrets
fetched once per account and run, a corrupt state file and a full disk as one line each."""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import NOW_TEXT as NOW, SAMPLE, run

from followcal import config as config_module
from followcal.backends.files import atomic_write
from followcal.config import parse_settings
from followcal.errors import ConfigError, WriteError


@pytest.fixture
def env(env: Path) -> Path:
    """Where the test's config goes (not written yet; the root conftest's state dir)."""
    return env / "followcal.toml"


def one_line(result) -> str:
    err = result.stderr.strip()
    assert "\n" not in err, err
    assert "Traceback" not in err and "internal error" not in err, err
    return err


ACCOUNT = '[accounts.work]\ntype = "caldav"\nurl = "https://dav.example.com/"\nusername = "me"\n'


@pytest.mark.parametrize(
    "text, table, key, nearest",
    [
        ('[serve]\ntokne = "abc"\n', "[serve]", "tokne", "token"),
        ('[serve]\nport = 8765\nhots = "0.0.0.0"\n', "[serve]", "hots", "host"),
        ('[feeds.f]\nfrom = ["a.ics"]\nrefresh_minute = 5\n', "[feeds.f]", "refresh_minute", "refresh_minutes"),
        ('[[sync]]\nname = "main"\nfrom = ["a.ics"]\nto = ["b.ics"]\nuntil_day = 5\n', "main", "until_day", "until_days"),
        ('[companies.Acme]\nregoin = "US-CA"\n', "[companies.Acme]", "regoin", "region"),
        (ACCOUNT + 'pasword_env = "X"\n', "[accounts.work]", "pasword_env", "password_env"),
        ('[rules]\nfollow_up_1_busines_days = 3\n', "[rules]", "follow_up_1_busines_days", "follow_up_1_business_days"),
        ('regoin = "US"\n', "top level", "regoin", "region"),
    ],
)
def test_unknown_keys_name_file_table_key_and_the_nearest(env: Path, text: str, table: str, key: str, nearest: str) -> None:
    env.write_text(text)
    result = run(env, "plan", str(SAMPLE), "--now", NOW)
    assert result.exit_code == 2
    err = one_line(result)
    assert str(env) in err and table in err and repr(key) in err and repr(nearest) in err


@pytest.mark.parametrize(
    "text, words",
    [
        ('[feeds.f]\nfrom = ["a.ics"]\nrefresh_minutes = "abc"\n', "refresh_minutes"),
        ('[feeds.f]\nfrom = ["a.ics"]\nrefresh_minutes = 0\n', "refresh_minutes"),
        (ACCOUNT + 'timeout = "abc"\n', "timeout"),
        (ACCOUNT + "timeout = -1\n", "timeout"),
        ('[accounts.work]\ntype = "caldav"\nurl = 5\n', "url must be a string"),
        (ACCOUNT + "verify_tls = 3\n", "verify_tls"),
        (ACCOUNT + "password_command = \"pass show 'unclosed\"\n", "password_command"),
        ('[companies.Acme]\nregion = 5\n', "companies.Acme.region must be a string"),
        ('[companies.Acme]\nregion = ""\n', "region is empty"),
        ('[serve]\ntoken = 12345\n', "serve.token must be a string"),
        ('[serve]\nport = true\n', "serve.port"),
        ("[[sync]]\nname = 5\nfrom = []\nto = []\n", "name must be a string"),
        ('[[sync]]\nfrom = ["a.ics"]\nto = ["b.ics"]\nsince_days = true\n', "since_days"),
        ('extra_holidays = "2026-12-24"\n', "extra_holidays must be a list"),
        ("templates = 5\n", "templates must be a string"),
        ('sync = "x"\n', "[[sync]] must be a list"),
        ('[[sync]]\nname = "a"\nfrom = ["x.ics"]\nto = ["y.ics"]\n' * 2, "two [[sync]] entries are named 'a'"),
    ],
)
def test_wrong_types_are_config_errors(env: Path, text: str, words: str) -> None:
    env.write_text(text)
    result = run(env, "plan", str(SAMPLE), "--now", NOW)
    assert result.exit_code == 2, result.stderr
    err = one_line(result)
    assert str(env) in err and words in err
    assert "unclosed" not in text or "pass show" not in err  # the command (maybe a secret) is not echoed


def test_the_sample_config_is_valid() -> None:
    config_module.load_settings(Path(__file__).resolve().parents[2] / "samples" / "followcal.toml")


def test_password_command_runs_once_per_account_and_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    counter = tmp_path / "count"
    script = tmp_path / "secret.py"
    script.write_text(
        f"import pathlib\np = pathlib.Path({str(counter)!r})\n"
        "p.write_text(p.read_text() + 'x' if p.exists() else 'x')\nprint('s3cret')\n"
    )
    monkeypatch.setattr(config_module, "_SECRETS", {})
    settings = parse_settings({"accounts": {"work": {
        "type": "caldav", "url": "https://dav.example.com/", "password_command": f"{sys.executable} {script}",
    }}})
    account = settings.account("work")
    assert [account.password_value() for _ in range(3)] == ["s3cret"] * 3
    from dataclasses import replace

    assert replace(account, timeout=5.0).password_value() == "s3cret"  # a copy for another target
    assert counter.read_text() == "x"


def test_an_unclosed_quote_found_late_is_still_a_config_error() -> None:
    account = config_module.AccountConfig("work", "caldav", url="https://x/", password_command="pass 'x")
    with pytest.raises(ConfigError, match="password_command"):
        account.password_value()


# --- the state store --------------------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["garbage", "truncated", "newer"])
def test_a_corrupt_state_file_does_not_stop_plan_and_is_one_line_for_sync(env: Path, tmp_path: Path, damage: str) -> None:
    import sqlite3

    state = tmp_path / "state"
    state.mkdir()
    db = state / "state.sqlite3"
    if damage == "garbage":
        db.write_bytes(b"this is not a database at all\n" * 200)
    elif damage == "truncated":
        conn = sqlite3.connect(db)
        conn.execute("CREATE TABLE t (x)")
        conn.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 200)
        conn.commit()
        conn.close()
        db.write_bytes(db.read_bytes()[:5000])
    else:
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA user_version = 99")
        conn.close()
    before = db.read_bytes()
    source = tmp_path / "in.ics"
    source.write_bytes(SAMPLE.read_bytes())
    env.write_text(f'[[sync]]\nname = "main"\nfrom = ["{source}"]\nto = ["{tmp_path / "out.ics"}"]\n')
    planned = run(env, "plan", str(source), "--now", NOW, "--json")
    assert planned.exit_code == 0, planned.stderr
    assert "state.sqlite3" in planned.stdout  # the warning names the file
    synced = run(env, "sync", "--now", NOW)
    assert synced.exit_code == 1
    err = synced.stderr.strip().splitlines()[-1]
    assert str(db) in err and ("move it away" in err or "upgrade followcal" in err)
    assert "Traceback" not in synced.stderr and "internal error" not in synced.stderr
    assert db.read_bytes() == before  # never "repaired" behind the user's back
    assert not (tmp_path / "out.ics").exists()


# --- a full disk ------------------------------------------------------------------------------------


@contextlib.contextmanager
def tiny_disk() -> Iterator[Path]:
    """A 64 KB tmpfs when we may mount (root, as in CI); else a file size limit (EFBIG)."""
    folder = Path(tempfile.mkdtemp(prefix="followcal-full-"))
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], capture_output=True, check=False
    ).returncode == 0
    old = resource.getrlimit(resource.RLIMIT_FSIZE)
    try:
        if not mounted:
            resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, old[1]))
        yield folder
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=False)
        else:
            resource.setrlimit(resource.RLIMIT_FSIZE, old)
        with contextlib.suppress(OSError):
            for child in folder.iterdir():
                child.unlink()
            folder.rmdir()


def test_a_full_disk_during_export_is_one_line_naming_the_file(env: Path, tmp_path: Path) -> None:
    big = SAMPLE.read_bytes().replace(b"SUMMARY:", b"DESCRIPTION:" + b"x" * 70 + b"\r\n " + b"y" * 70 + b"\r\nSUMMARY:")
    env.write_text('region = "US"\n')
    with tiny_disk() as disk:
        out = disk / "reminders.ics"
        out.write_bytes(b"")  # an earlier (empty) export stays as it was
        ballast = disk / "ballast"
        with contextlib.suppress(OSError):
            ballast.write_bytes(b"\0" * 60 * 1024)
        result = run(env, "export", str(SAMPLE), "-o", str(out), "--now", NOW)
        assert result.exit_code == 1, result.stderr
        err = one_line(result)
        assert str(out) in err and "cannot write" in err
        assert out.read_bytes() == b""
        assert [p.name for p in disk.iterdir() if p.name.endswith(".tmp")] == []
        with pytest.raises(WriteError, match="reminders.ics"):
            atomic_write(out, big * 50)
    del big
