"""The `followcal` command. Thin: parse options, call service/backends, print, map errors.

Only click and the standard library load at import time, so `followcal --help` is instant;
everything else is imported inside the command that needs it. Errors become one line and an exit
code here and nowhere else (see `main`).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import date, datetime
from typing import Any

import click

log = logging.getLogger("followcal")

SOURCE_HELP = "SOURCE is an .ics file, an http(s):// or webcal:// URL, or ACCOUNT:CALENDAR of the config."


class State:
    """What the group options give every command."""

    def __init__(self, config: str | None, verbose: int, quiet: bool) -> None:
        self.config_path = config
        self.verbose = verbose
        self.quiet = quiet
        self._settings: Any = None

    def settings(self, region: str | None = None, tz: str | None = None, me: tuple[str, ...] = ()) -> Any:
        from followcal.config import load_settings

        if self._settings is None:
            self._settings = load_settings(self.config_path)
        return self._settings.with_overrides(region=region, tz=tz, me=me)

    def warn(self, messages: Any) -> None:
        if self.quiet:
            return
        for message in messages:
            click.echo(f"warning: {message}", err=True)


pass_state = click.make_pass_decorator(State)


def _parse_date(_ctx: Any, param: Any, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param=param) from None


def _parse_now(_ctx: Any, param: Any, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date or date-time (ISO 8601)", param=param) from None


def plan_options(func: Any) -> Any:
    """--region/--tz/--since/--until/--now, shared by plan and export."""
    options = [
        click.option("--region", help="Default employer region (ISO 3166, e.g. US, US-CA, GB, DE-BY)."),
        click.option("--tz", "tz", metavar="ZONE", help="Time zone for floating times (IANA name)."),
        click.option("--me", "me", multiple=True, metavar="EMAIL",
                     help="Your address (repeatable): never an interviewer; your DECLINED skips an event."),
        click.option("--since", callback=_parse_date, metavar="DATE", help="Only interviews from this day."),
        click.option("--until", callback=_parse_date, metavar="DATE", help="Only interviews up to this day (inclusive)."),
        click.option("--now", callback=_parse_now, metavar="TIME", help="Pretend it is this time (ISO 8601)."),
        click.option("--full-parse", is_flag=True, hidden=True, help="Parse every event (slow path; for testing)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


class FollowcalGroup(click.Group):
    """The one place where errors become a message line and an exit code (1 failed, 2 usage)."""

    def invoke(self, ctx: click.Context) -> Any:
        from followcal.errors import FollowcalError

        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except FollowcalError as exc:
            if _verbose(ctx):
                raise
            click.echo(f"followcal: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except Exception as exc:  # a bug: still one line unless -v
            if _verbose(ctx):
                raise
            click.echo(f"followcal: internal error: {type(exc).__name__}: {exc} (run with -v for details)", err=True)
            ctx.exit(1)


def _verbose(ctx: click.Context) -> bool:
    return bool(ctx.obj and getattr(ctx.obj, "verbose", 0))


@click.group(cls=FollowcalGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", metavar="PATH", help="Config file (default: $FOLLOWCAL_CONFIG, else the user config dir).")
@click.option("-v", "--verbose", count=True, help="More output; -v also shows tracebacks.")
@click.option("-q", "--quiet", is_flag=True, help="No warnings, only errors.")
@click.option("--no-color", is_flag=True, help="No colours (also when NO_COLOR is set).")
@click.version_option(package_name="followcal")
@click.pass_context
def cli(ctx: click.Context, config: str | None, verbose: int, quiet: bool, no_color: bool) -> None:
    """Holiday-aware thank-you, follow-up and cut-off reminders for your job interviews.

    followcal reads interview events from a calendar (.ics file or URL, CalDAV, Google), computes
    when to send the thank-you note, the follow-ups and when to move on (in business days of the
    employer's region), and writes them back as calendar events with drafted messages.

    \b
    Quick start:
      followcal plan samples/interviews.ics
      followcal export samples/interviews.ics -o reminders.ics
      followcal init            # asks a few questions, writes your config
      followcal config          # the settings in force
      followcal sync --dry-run  # what a sync would write

    Shell completion (bash, zsh, fish): eval "$(_FOLLOWCAL_COMPLETE=bash_source followcal)".
    """
    logging.basicConfig(
        level=logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = State(config, verbose, quiet)
    from followcal.cli.console import no_color as colour_off, set_no_color

    set_no_color(no_color)
    if colour_off():
        ctx.color = False


@cli.command()
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@plan_options
@click.option("--json", "as_json", is_flag=True,
              help="Print the plan as JSON: interviews (id, company, start, reminders...) and warnings.")
@pass_state
def plan(state: State, sources: tuple[str, ...], region: str | None, tz: str | None, me: tuple[str, ...], since: date | None,
         until: date | None, now: datetime | None, full_parse: bool, as_json: bool) -> None:
    """Show the interviews found in SOURCE... and their reminders.

    SOURCE is an .ics file, an http(s):// or webcal:// URL, or ACCOUNT:CALENDAR of the config.
    Without --since/--until every interview in the source is planned (recurring series are
    expanded one year either side of now).
    """
    from followcal.app.pipeline import Context, plan_sources

    with Context.create(state.settings(region, tz, me), now) as ctx:
        result = plan_sources(sources, ctx, ctx.window(since, until), fast=not full_parse, descriptions=False)
    if as_json:
        from followcal.cli.render import plan_json

        # Indented for people at a terminal; compact (and C-encoded, far faster) for scripts.
        indent = 2 if sys.stdout.isatty() else None
        click.echo(json.dumps(plan_json(result), indent=indent, ensure_ascii=False))
        return
    state.warn(result.warnings)
    from followcal.cli.console import console as make_console
    from followcal.cli.render import plan_table

    console = make_console()
    if not result.interviews:
        console.print("No interviews found.")
        return
    console.print(plan_table(result))


@cli.command()
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@click.option("-o", "--output", required=True, metavar="FILE.ics", help="The reminder calendar to write.")
@plan_options
@click.option("--name", default="followcal reminders", show_default=True, help="Calendar name (NAME/X-WR-CALNAME).")
@click.option("--refresh-minutes", type=click.IntRange(1), default=None, help="REFRESH-INTERVAL for subscribers.")
@click.option(
    "--json", "as_json", is_flag=True,
    help="Print what was written as JSON (output, written, reminders, interviews, warnings).",
)
@pass_state
def export(state: State, sources: tuple[str, ...], output: str, region: str | None, tz: str | None,
           me: tuple[str, ...], since: date | None, until: date | None, now: datetime | None, full_parse: bool, name: str,
           refresh_minutes: int | None, as_json: bool) -> None:
    """Write the reminders for SOURCE... to FILE.ics (atomically; same input, same bytes).

    SOURCE is an .ics file, an http(s):// or webcal:// URL, or ACCOUNT:CALENDAR of the config.
    An existing FILE.ics from an earlier export keeps its SEQUENCE numbers; a file that holds
    events followcal did not make is never overwritten.
    """
    from pathlib import Path

    from followcal.app.pipeline import Context, export_plan, plan_sources
    from followcal.backends.files import atomic_write

    ctx = Context.create(state.settings(region, tz, me), now)
    path = Path(output).expanduser()
    if path.is_dir():
        from followcal.errors import UsageError

        raise UsageError(f"{path}: is a folder; give a file name for the output")
    from followcal.cli.console import activity, interactive_stderr

    with activity(interactive_stderr() and not as_json, f"reading {len(sources)} source(s), building {path.name}"), ctx:
        result = plan_sources(sources, ctx, ctx.window(since, until), fast=not full_parse)
        export = export_plan(result, path, ctx, refresh_minutes=refresh_minutes, name=name, bytes_if_current=False)
    if not as_json:
        state.warn(result.warnings)
    written = not export.current and not (path.exists() and path.read_bytes() == export.data)
    if written:
        atomic_write(path, export.data)
    if as_json:
        click.echo(json.dumps({"output": str(path), "written": written, "reminders": len(result.reminders),
                               "interviews": len(result.interviews), "warnings": list(result.warnings)},
                              indent=2, ensure_ascii=False))
    elif written:
        click.echo(f"{path}: wrote {len(result.reminders)} reminders for {len(result.interviews)} interviews", err=True)
    else:
        click.echo(f"{path}: up to date ({len(result.reminders)} reminders)", err=True)


@cli.command()
@click.option("--region", required=True, help="ISO 3166 code, subdivision allowed: US, US-CA, GB, DE-BY.")
@click.option("--year", type=click.IntRange(1900, 2200), default=None, help="Default: this year.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_state
def holidays(state: State, region: str, year: int | None, as_json: bool) -> None:
    """List the non-working days in force for a region, and which source contributed each.

    Non-working days = workalendar's calendar united with the `holidays` package, plus the
    config's extra_holidays, minus its extra_working_days. Weekends never count as working days.
    """
    from followcal.core.workdays import work_calendar

    settings = state.settings()
    year = year or date.today().year
    calendar = work_calendar(region, settings.extra_holidays, settings.extra_working_days)
    days = calendar.holidays(year)
    from followcal.core.regions import one_library_warning  # issue 10: a region only one library knows

    state.warn([w for w in [one_library_warning(calendar.region, calendar.sources)] if w])
    if as_json:
        click.echo(json.dumps({"region": calendar.region, "year": year, "holidays": [
            {"date": h.day.isoformat(), "names": list(h.names), "sources": list(h.sources)} for h in days
        ]}, indent=2, ensure_ascii=False))
        return
    from rich.table import Table

    from followcal.cli.console import console
    from followcal.cli.render import day_label

    table = Table(title=f"Non-working days {calendar.region} {year} (plus every Saturday and Sunday)")
    table.add_column("Date", no_wrap=True)
    table.add_column("Holiday")
    table.add_column("Source")
    for h in days:
        table.add_row(day_label(h.day), " / ".join(h.names), ", ".join(h.sources))
    console().print(table)


@cli.command()
@click.argument("names", nargs=-1, metavar="[NAME...]")
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan (or the result) as JSON.")
@click.option("--force", is_flag=True, help="Overwrite reminders you edited and re-create ones you deleted.")
@click.option("--now", callback=_parse_now, metavar="TIME", hidden=True)
@pass_state
def sync(state: State, names: tuple[str, ...], dry_run: bool, as_json: bool, force: bool, now: datetime | None) -> None:
    """Run the [[sync]] entries of the config (all, or those NAMEd).

    Each entry reads interviews from its `from` sources and makes every `to` target hold exactly
    its reminders: creating, updating (SEQUENCE + 1) and deleting only events followcal made.
    A re-run with nothing changed writes nothing.
    """
    from followcal.app.pipeline import Context
    from followcal.app.sync import run_syncs
    from followcal.cli.console import SyncProgress

    progress = SyncProgress(not as_json and sys.stderr.isatty())
    with Context.create(state.settings(), now) as ctx:
        reports = run_syncs(ctx, names, dry_run=dry_run, force=force, progress=progress)
    from followcal.cli.render import sync_report

    failed = sync_report(reports, as_json=as_json, dry_run=dry_run, warn=state.warn)
    from followcal.retries import retry_summary, take_retries

    summary = retry_summary(take_retries())
    if summary and not state.quiet and not failed:  # a failure's one line already says "after N attempts"
        click.echo(summary, err=True)
    if failed:
        sys.exit(1)


@cli.command()
@click.option("--host", default=None, help="Address to listen on (default: [serve] host, else 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="Port (default: [serve] port, else 8765).")
@pass_state
def serve(state: State, host: str | None, port: int | None) -> None:
    """Publish the [feeds.*] of the config as subscribable .ics feeds over HTTP.

    A feed is served at /feeds/<token>/<name>.ics (/feeds/<name>.ics only without a token on a
    loopback host). Run it behind a TLS reverse proxy to subscribe from Google Calendar.
    """
    from followcal.app.serve import run_server

    run_server(state.settings(), host=host, port=port, echo=click.echo)


@cli.command()
@click.argument("selector")
@click.argument("outcome", metavar="OUTCOME", required=False)
@click.option("--on", "on", callback=_parse_date, metavar="DATE", help="When it happened (default: today).")
@click.option("--note", default=None, help="A note to keep with the outcome.")
@click.option("--decision-by", callback=_parse_date, metavar="DATE", help="With replied: their new decision date.")
@click.option("--timeline", default=None, metavar="TEXT", help='With replied: a new timeline, e.g. "2 weeks".')
@click.option("--clear", is_flag=True, help="Forget the recorded outcome instead.")
@click.option(
    "--source", "sources", multiple=True, metavar="SOURCE",
    help="Where to look up SELECTOR (default: the sync and feed sources of the config).",
)
@click.option("--now", callback=_parse_now, metavar="TIME", hidden=True)
@click.option(
    "--json", "as_json", is_flag=True,
    help="Print the result as JSON (interview_id, company, outcome, on, reminders, message).",
)
@pass_state
def mark(state: State, selector: str, outcome: str | None, on: date | None, note: str | None, decision_by: date | None,
         timeline: str | None, clear: bool, sources: tuple[str, ...], as_json: bool, now: datetime | None = None) -> None:
    """Record an OUTCOME for an interview: replied, rejected, offer, accepted, withdrawn.

    SELECTOR is an interview id from `plan --json` or a company name (case-insensitive).
    replied ends the pending follow-ups (a new --decision-by/--timeline restarts them);
    rejected ends them and adds a gracious-reply reminder; offer, accepted, withdrawn end them.
    """
    from followcal.app.outcomes import mark_outcome

    details: dict[str, Any] = {}
    message = mark_outcome(state.settings(), selector, outcome, on=on, note=note, decision_by=decision_by,
                           timeline=timeline, clear=clear, sources=sources, warn=state.warn, now=now, details=details)
    if as_json:
        click.echo(json.dumps({**details, "message": message}, indent=2, ensure_ascii=False))
        return
    click.echo(message)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.option(
    "--source", "sources", multiple=True, metavar="SOURCE",
    help="Sources to read (default: the sync and feed sources of the config).",
)
@click.option("--now", callback=_parse_now, metavar="TIME", hidden=True)
@pass_state
def status(state: State, as_json: bool, sources: tuple[str, ...], now: datetime | None) -> None:
    """One row per application process: last interview, next action and its date, outcome."""
    from followcal.app.outcomes import status as status_of

    rows, warnings = status_of(state.settings(), sources=sources, now=now)
    state.warn(warnings)
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("No interviews found.")
        return
    from followcal.cli.console import console
    from followcal.cli.render import status_table

    console().print(status_table(rows))


@cli.command()
@click.argument("account")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_state
def calendars(state: State, account: str, as_json: bool) -> None:
    """List the calendars of a CalDAV or Google ACCOUNT of the config (names and URLs/IDs)."""
    settings = state.settings()
    from followcal.app.sources import list_account_calendars

    found = list_account_calendars(settings.account(account))
    if as_json:
        click.echo(json.dumps([{"name": n, "id": i} for n, i in found], indent=2, ensure_ascii=False))
        return
    for name, ident in found:
        click.echo(f"{name}\t{ident}")


@cli.group()
def auth() -> None:
    """Sign in to an account (Google)."""


@auth.command("google")
@click.option("--account", default=None, help="The [accounts.NAME] to authorise (default: the only Google account).")
@click.option(
    "--client-secrets", type=click.Path(dir_okay=False), default=None,
    help="OAuth client JSON from the Google Cloud console.",
)
@click.option("--no-browser", is_flag=True, help="Print the URL instead of opening a browser (SSH, headless).")
@click.option("--with-mail", is_flag=True, help="Also allow Gmail over IMAP (read-only use) for [replies].")
@pass_state
def auth_google(state: State, account: str | None, client_secrets: str | None, no_browser: bool, with_mail: bool) -> None:
    """Run the OAuth installed-app flow and store the token (JSON, mode 0600)."""
    from followcal.backends.google_auth import authorize

    click.echo(authorize(state.settings(), account, client_secrets, open_browser=not no_browser, echo=click.echo,
                         with_mail=with_mail))


# --- issue 18: replies from the mailbox ---------------------------------------------------------


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.option("--dry-run", is_flag=True, help="Look, but record nothing in the state store.")
@click.option(
    "--source", "sources", multiple=True, metavar="SOURCE",
    help="Sources to read (default: the sync and feed sources of the config).",
)
@click.option("--now", callback=_parse_now, metavar="TIME", hidden=True)
@pass_state
def replies(state: State, as_json: bool, dry_run: bool, sources: tuple[str, ...], now: datetime | None) -> None:
    """What the mailbox says: per application, the reply found ([replies] accounts) and why.

    Read-only: the mailbox is opened with EXAMINE and only headers are read. A reply found ends
    that process's follow-ups (R7 replied); a `followcal mark` always wins over it.
    """
    from followcal.app.inbox import look_for_replies, report
    from followcal.cli.render import replies_lines

    check, warnings = look_for_replies(state.settings(), dry_run=dry_run, sources=sources, now=now)
    rows = report(check)
    state.warn(warnings)
    if as_json:
        click.echo(json.dumps({"processes": rows, "searched_since": check.since.isoformat() if check.since else None,
                               "dry_run": dry_run, "warnings": warnings}, indent=2, ensure_ascii=False))
        return
    for line in replies_lines(rows, new=len(check.found), dry_run=dry_run):
        click.echo(line)


from followcal.cli.setup_commands import COMMANDS  # noqa: E402  (init, config, clean: their own module)

for _command in COMMANDS:
    cli.add_command(_command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="followcal")
