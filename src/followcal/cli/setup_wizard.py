"""`followcal init`: a few questions (or the same answers as options) -> a commented config file.

The answers are plain data (`Answers`) and the TOML is rendered from them by a pure function, so
what a terminal session writes and what `init --name ... --email ...` writes are the same bytes.
Only `run_init` talks to the terminal, the file system and, to test a CalDAV account on the spot,
the server. The file written always loads with `config.load_settings` (checked before returning).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from followcal.config import AccountConfig, check_timezone, default_config_path, load_settings
from followcal.errors import FollowcalError, UsageError

ACCOUNT_TYPES = ("none", "caldav", "google")
DEFAULT_REMINDERS = "Follow-ups"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Answers:
    """Everything `init` asks; None/empty means "not set" (the key is written commented out)."""

    name: str | None = None
    emails: tuple[str, ...] = ()
    region: str = "US"
    timezone: str = "UTC"
    account: str | None = None  # name of the [accounts.NAME] table; None: no account
    account_type: str | None = None  # "caldav" | "google"
    caldav_url: str | None = None
    username: str | None = None
    password_env: str | None = None
    password_command: str | None = None
    interviews: str | None = None  # the calendar holding the interviews ([[sync]] from)
    reminders: str | None = None  # the calendar for the reminders ([[sync]] to)


# --- checking answers (pure) --------------------------------------------------------------------


def check_email(value: str) -> str:
    value = value.strip()
    if not _EMAIL.match(value):
        raise UsageError(f"--email: {value!r} is not an email address")
    return value.casefold()


def split_emails(text: str) -> tuple[str, ...]:
    """'a@x.org, b@y.org' or 'a@x.org b@y.org' -> both addresses (checked)."""
    return tuple(dict.fromkeys(check_email(p) for p in re.split(r"[,;\s]+", text) if p.strip()))


def check_region(value: str) -> str:
    from followcal.core.workdays import check_region as known

    return known(value.strip())


def check_url(value: str) -> str:
    value = value.strip()
    if not value.lower().startswith(("http://", "https://")):
        raise UsageError(f"--caldav-url: {value!r} is not an http(s):// URL")
    return value


def account_config(a: Answers) -> AccountConfig | None:
    """The CalDAV account the answers describe (to test it before writing), else None."""
    if a.account_type != "caldav" or not a.caldav_url:
        return None
    return AccountConfig(name=a.account or "work", type="caldav", url=a.caldav_url, username=a.username,
                         password_env=a.password_env, password_command=a.password_command)


# --- the file (pure) ----------------------------------------------------------------------------


def _s(value: str) -> str:
    """A TOML basic string (JSON's escapes are a subset of TOML's)."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")  # TOML forbids a raw DEL


def _list(values: Sequence[str]) -> str:
    return "[" + ", ".join(_s(v) for v in values) + "]"


def render_config(a: Answers) -> str:
    """The commented followcal.toml for these answers."""
    out = [
        "# followcal configuration, written by `followcal init`.",
        "# `followcal config` shows every setting in force and where it came from;",
        "# `followcal init --force` writes this file again. Paths are relative to this file.",
        "",
        "# Signs the drafted thank-you and follow-up messages.",
        f"name = {_s(a.name)}" if a.name else '# name = "Your Name"',
        "# For the call scripts of the second follow-up.",
        '# phone = "+1 555 0100"',
        "# Your addresses: never taken for an interviewer; an invitation you declined is skipped.",
        f"me = {_list(a.emails)}",
        "# Default employer region (ISO 3166: US, US-CA, GB, DE-BY): whose public holidays are skipped.",
        f"region = {_s(a.region)}",
        "# Time zone for events that carry none (IANA name).",
        f"timezone = {_s(a.timezone)}",
        "# Your own days off beyond the public holidays, and holidays you work on (YYYY-MM-DD).",
        "extra_holidays = []",
        "extra_working_days = []",
        "",
        "# The waiting times, in business days (these are the defaults):",
        "# [rules]",
        "# follow_up_1_business_days = 5",
        "# final_round_business_days = 10",
        "# follow_up_2_business_days = 10",
        "# cut_off_business_days = 5",
        "# max_follow_ups = 2",
        "",
        "# A company whose holidays differ from the default region:",
        '# [companies."Acme Corp"]',
        '# region = "DE-BY"',
        "",
    ]
    name = a.account or ("google" if a.account_type == "google" else "work")
    if a.account_type == "caldav":
        out += [
            f"[accounts.{name}]",
            'type = "caldav"',
            f"url = {_s(a.caldav_url or '')}",
            f"username = {_s(a.username)}" if a.username else '# username = "you"',
        ]
        if a.password_env:
            out.append(f"password_env = {_s(a.password_env)}   # the environment variable holding the password")
        elif a.password_command:
            out.append(f"password_command = {_s(a.password_command)}   # its first output line is the password")
        else:
            out.append('# password_env = "DAV_PASSWORD"   # or password_command = "pass show dav"')
        out += ["# verify_tls = true                 # or the path of a CA bundle (PEM) for a private CA", ""]
    elif a.account_type == "google":
        out += [
            f"[accounts.{name}]",
            'type = "google"',
            'token = "google-token.json"          # written by `followcal auth google`',
            '# client_secrets = "client_secret.json"   # the OAuth client from the Google Cloud console',
            "",
        ]
    else:
        out += [
            "# A calendar account (CalDAV: Nextcloud, Fastmail, iCloud, Radicale...; or Google):",
            "# [accounts.work]",
            '# type = "caldav"',
            '# url = "https://dav.example.com/"',
            '# username = "you"',
            '# password_env = "DAV_PASSWORD"',
            "",
        ]
    if a.account_type and a.interviews:
        out += [
            "# `followcal sync` reads interviews from `from` and keeps the reminders in `to`",
            "# (created on the first sync if missing); only events followcal made are ever changed.",
            "[[sync]]",
            'name = "main"',
            f"from = {_list([f'{name}:{a.interviews}'])}",
            f"to = {_list([f'{name}:{a.reminders or DEFAULT_REMINDERS}'])}",
            "since_days = 90                     # read interviews from 90 days ago ...",
            "until_days = 365                    # ... to a year ahead",
            "",
        ]
    else:
        account = name if a.account_type else "work"
        out += [
            "# `followcal sync` runs each [[sync]] entry:",
            "# [[sync]]",
            '# name = "main"',
            f'# from = ["{account}:Interviews"]',
            f'# to = ["{account}:{DEFAULT_REMINDERS}"]',
            "",
        ]
    out += [
        "# Publish the reminders as a feed to subscribe to (`followcal serve`):",
        "# [feeds.followups]",
        '# from = ["work:Interviews"]',
    ]
    return "\n".join(out) + "\n"


# --- the session (I/O) --------------------------------------------------------------------------


Echo = Callable[[str], Any]


def target_path(path: str | None, global_config: str | None) -> Path:
    """--path, else the global --config, else $FOLLOWCAL_CONFIG, else the user config dir."""
    chosen = path or global_config or os.environ.get("FOLLOWCAL_CONFIG")
    return Path(chosen).expanduser() if chosen else default_config_path()


def _ask(prompt: str, check: Callable[[str], Any], default: str | None = None, **kwargs: Any) -> Any:
    """Prompt until `check` accepts the answer (its UsageError is shown and asked again)."""
    import click

    while True:
        value = click.prompt(prompt, default=default, show_default=default not in (None, ""), **kwargs)
        try:
            return check(value)
        except FollowcalError as exc:
            click.echo(f"  {exc}", err=True)


def _optional(text: str) -> str | None:
    return text.strip() or None


def _default_name() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_gecos.split(",")[0].strip()
    except (ImportError, KeyError, OSError):
        return ""


def ask_missing(a: Answers, given: set[str]) -> Answers:
    """Ask at the terminal for every answer not given as an option."""
    import click

    changes: dict[str, Any] = {}
    if "name" not in given:
        changes["name"] = _ask("Your name (signs the drafts)", _optional, default=a.name or _default_name())
    if "emails" not in given:
        changes["emails"] = _ask("Your email address(es), comma-separated", split_emails, default=", ".join(a.emails))
    if "region" not in given:
        changes["region"] = _ask("Default employer region (US, US-CA, GB, DE-BY...)", check_region, default=a.region)
    if "timezone" not in given:
        changes["timezone"] = _ask("Your time zone", lambda v: check_timezone(v.strip(), "time zone"), default=a.timezone)
    a = replace(a, **changes)
    if "account" in given:
        return a
    kind = click.prompt("Calendar account", type=click.Choice(ACCOUNT_TYPES), default="none")
    if kind == "none":
        return a
    if kind == "google":
        return replace(a, account_type="google", account=a.account or "google",
                       interviews=_ask("Calendar that holds your interviews", str.strip, default="primary"),
                       reminders=_ask("Calendar for the reminders", str.strip, default=DEFAULT_REMINDERS))
    name = a.account or "work"
    url = _ask("CalDAV URL", check_url)
    username = _ask("Username", _optional, default="")
    source = click.prompt("Password from an environment variable or a command",
                          type=click.Choice(("env", "command")), default="env")
    env = command = None
    if source == "env":
        env = _ask("Environment variable holding the password", str.strip,
                   default=f"FOLLOWCAL_{re.sub(r'[^A-Z0-9]', '_', name.upper())}_PASSWORD")
    else:
        command = _ask("Command that prints the password", str.strip)
    return replace(a, account_type="caldav", account=name, caldav_url=url, username=username,
                   password_env=env, password_command=command)


def try_account(a: Answers, echo: Echo, interactive: bool) -> list[tuple[str, str]] | None:
    """List the calendars of the CalDAV account (as `followcal calendars` does); None on failure."""
    config = account_config(a)
    if config is None:
        return None
    if config.password_env and config.password_env not in os.environ and interactive:
        import click

        echo(f"{config.password_env} is not set in this shell; type the password to test the account "
             "(it is not stored).")
        config = replace(config, password_env=None, password=click.prompt("Password", hide_input=True, default="",
                                                                         show_default=False))
    from followcal.app.sources import list_account_calendars as list_calendars

    echo(f"Testing {a.caldav_url} ...")
    try:
        found = list_calendars(config)
    except FollowcalError as exc:
        echo(f"warning: the account does not work yet: {exc}")
        return None
    echo(f"Found {len(found)} calendar(s): " + (", ".join(n for n, _ in found) or "none"))
    return found


def _pick_interviews(found: Sequence[tuple[str, str]]) -> str | None:
    names = [n for n, _ in found]
    return next((n for n in names if "interview" in n.casefold()), names[0] if names else None)


def run_init(a: Answers, given: set[str], *, path: Path, force: bool, interactive: bool, echo: Echo) -> Path:
    """Ask (on a terminal) what options did not say, test the account, write and check the file."""
    import click

    if path.is_dir():
        raise UsageError(f"{path}: is a folder; give a file name for the config")
    if path.exists() and not force:
        if not interactive:
            raise UsageError(f"{path}: already exists; not overwriting it (use --force, or --path elsewhere)")
        if not click.confirm(f"{path} exists. Overwrite it (the old one is kept as {path.name}.bak)?", default=False):
            raise click.Abort()
    if interactive:
        echo(f"Writing {path}. Enter keeps the [default].")
        a = ask_missing(a, given)
    found = try_account(a, echo, interactive)
    if a.account_type == "caldav" and not a.interviews:
        guess = _pick_interviews(found or [])
        if interactive and found:
            choices = click.Choice([n for n, _ in found])
            a = replace(a, interviews=click.prompt("Calendar that holds your interviews", type=choices, default=guess))
        else:
            a = replace(a, interviews=guess)
        if interactive and a.interviews and "reminders" not in given:
            a = replace(a, reminders=_ask("Calendar for the reminders (created if missing)", str.strip,
                                          default=DEFAULT_REMINDERS))
    if a.account_type == "caldav" and found is None and interactive:
        if not click.confirm("Write the config anyway (fix the account later)?", default=True):
            raise click.Abort()
    write_config(path, render_config(a))
    load_settings(path)  # what init writes must load; a failure here is a bug, shown as one line
    echo(f"Wrote {path}")
    found_by_default = target_path(None, None)
    cmd = "followcal" if path.absolute() == found_by_default.absolute() else f"followcal --config {path}"
    echo("Next:")
    echo(f"  {cmd} config              # the settings in force")
    if a.account_type == "google":
        echo(f"  {cmd} auth google --account {a.account or 'google'} --client-secrets client_secret.json")
    if a.account_type:
        echo(f"  {cmd} calendars {a.account or 'work'}")
    echo(f"  {cmd} sync --dry-run      # what sync would write" if a.interviews and a.account_type else
         f"  {cmd} plan FILE.ics       # the reminders for an exported calendar")
    return path


def write_config(path: Path, text: str) -> None:
    """Atomically, mode 0600 (it may name a password command); an old file is kept as .bak."""
    from followcal.backends.files import atomic_write

    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        backup = path.with_name(path.name + ".bak")
        atomic_write(backup, path.read_bytes(), mode=0o600)
    atomic_write(path, text.encode("utf-8"), mode=0o600)
