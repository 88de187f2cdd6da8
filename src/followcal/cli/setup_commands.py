"""The setup commands: `followcal init`, `followcal config`, `followcal clean`.

Kept out of commands.py so that it stays a thin list of commands; like there, only click loads at
import time and each command imports what it needs. `commands.py` adds these to the group.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any

import click

from followcal.cli.console import console


@click.command()
@click.option("--name", default=None, help="Your name (signs the drafted messages).")
@click.option("--email", "emails", multiple=True, metavar="EMAIL",
              help="Your address (repeatable): never taken for an interviewer.")
@click.option("--region", default=None, help="Default employer region (ISO 3166: US, US-CA, GB, DE-BY).")
@click.option("--timezone", default=None, metavar="ZONE", help="Your time zone (IANA name; default: the system's).")
@click.option("--caldav-url", default=None, metavar="URL", help="A CalDAV account: the server's DAV URL.")
@click.option("--username", default=None, help="The CalDAV username.")
@click.option("--password-env", default=None, metavar="VAR", help="Environment variable holding the CalDAV password.")
@click.option(
    "--password-command", default=None, metavar="CMD",
    help="Command printing the CalDAV password (e.g. 'pass show dav').",
)
@click.option("--google", is_flag=True, help="A Google account instead (then run `followcal auth google`).")
@click.option(
    "--account", "account_name", default=None, metavar="NAME",
    help="Name of the account in the config (default: work, or google).",
)
@click.option(
    "--interviews-calendar", default=None, metavar="CALENDAR",
    help="The calendar holding your interviews (for [[sync]]).",
)
@click.option(
    "--reminders-calendar", default=None, metavar="CALENDAR",
    help="The calendar for the reminders (default: Follow-ups; created if missing).",
)
@click.option(
    "--path", default=None, metavar="PATH",
    help="Where to write (default: --config, $FOLLOWCAL_CONFIG, else the user config dir).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing config without asking (the old one is kept as .bak).")
@click.option("--no-input", is_flag=True, help="Ask nothing, even on a terminal: options and defaults only.")
@click.pass_obj
def init(state: Any, name: str | None, emails: tuple[str, ...], region: str | None, timezone: str | None,
         caldav_url: str | None, username: str | None, password_env: str | None, password_command: str | None,
         google: bool, account_name: str | None, interviews_calendar: str | None, reminders_calendar: str | None,
         path: str | None, force: bool, no_input: bool) -> None:
    """Write a commented config file, asking a few questions on a terminal.

    Asks for your name, addresses, default region and time zone, and optionally a CalDAV account
    (tested on the spot by listing its calendars) or a Google account. Every answer can be given
    as an option instead, so `init` also runs in scripts; what is not given takes its default.
    An existing config is never overwritten without asking (or --force).
    """
    from followcal.cli.setup_wizard import Answers, check_email, check_region, check_url, run_init, target_path
    from followcal.config import check_timezone, system_timezone
    from followcal.errors import UsageError

    if google and caldav_url:
        raise UsageError("--google and --caldav-url: choose one account type")
    if password_env and password_command:
        raise UsageError("--password-env and --password-command: choose one password source")
    given = {key for key, value in (("name", name), ("emails", emails), ("region", region), ("timezone", timezone),
                                    ("reminders", reminders_calendar)) if value}
    if caldav_url or google:
        given.add("account")
    answers = Answers(
        name=name,
        emails=tuple(dict.fromkeys(check_email(e) for e in emails)),
        region=check_region(region) if region else "US",
        timezone=check_timezone(timezone, "--timezone") if timezone else system_timezone(),
        account=account_name or ("google" if google else "work" if caldav_url else None),
        account_type="google" if google else "caldav" if caldav_url else None,
        caldav_url=check_url(caldav_url) if caldav_url else None,
        username=username,
        password_env=password_env,
        password_command=password_command,
        interviews=interviews_calendar or ("primary" if google else None),
        reminders=reminders_calendar,
    )
    interactive = not no_input and sys.stdin.isatty()
    run_init(answers, given, path=target_path(path, state.config_path), force=force, interactive=interactive,
             echo=click.echo)


@click.command("config")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON: config, state_dir, settings {key: {value, from}}.")
@click.pass_obj
def config_command(state: Any, as_json: bool) -> None:
    """Show every setting in force and where it came from (file, env, default).

    Also shows which config file is read (and why: --config, $FOLLOWCAL_CONFIG or the default)
    and the state folder. Passwords and tokens are shown only as set or unset.
    """
    from followcal.cli.showconfig import config_report, show_config

    show_config(config_report(state.settings(), state.config_path), as_json=as_json, echo=click.echo, console=console())


@click.command()
@click.argument("target")
@click.option("--dry-run", is_flag=True, help="List the reminders that would be deleted; delete nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the events (and how many were deleted) as JSON.")
@click.pass_obj
def clean(state: Any, target: str, dry_run: bool, as_json: bool) -> None:
    """Delete every reminder followcal wrote to TARGET, and nothing else.

    TARGET is an .ics file or ACCOUNT:CALENDAR of the config, as in a [[sync]] `to`. Use it
    for a target you dropped from `to`: sync no longer looks there, so its reminders stay until
    cleaned. Events followcal did not make are never touched. Try --dry-run first.
    """
    from followcal.app.clean import clean_target
    from followcal.cli.render import clean_json, clean_lines

    done = clean_target(state.settings(), target, dry_run=dry_run, now=datetime.now().astimezone())
    if as_json:
        click.echo(json.dumps(clean_json(done, dry_run), indent=2, ensure_ascii=False))
        return
    for line in clean_lines(done, dry_run):
        click.echo(line)


COMMANDS = (init, config_command, clean)
