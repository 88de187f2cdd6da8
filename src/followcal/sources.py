"""SOURCE and target strings -> backends: a path, an http(s)/webcal URL, or ACCOUNT:CALENDAR.

Account backends (CalDAV, Google) are imported only when a spec names such an account, so plain
file work never loads caldav or googleapiclient.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from .backends.base import Source, Target
from .config import Settings
from .errors import ConfigError


def is_url(spec: str) -> bool:
    return spec.lower().startswith(("http://", "https://", "webcal://"))


def account_spec(spec: str, settings: Settings) -> tuple[str, str] | None:
    """(account, calendar) when `spec` is ACCOUNT:CALENDAR of the config, else None."""
    if is_url(spec) or ":" not in spec:
        return None
    account, calendar = spec.split(":", 1)
    if account in settings.accounts:
        return account, calendar
    if Path(spec).expanduser().exists() or "/" in account or "\\" in account or "." in account:
        return None
    known = ", ".join(sorted(settings.accounts)) or "none configured"
    where = f" in {settings.path}" if settings.path else ""
    raise ConfigError(f"{spec!r}: no account {account!r}{where} (accounts: {known})")


def open_account_calendar(
    account: str, calendar: str, settings: Settings, *, create: bool, now: datetime, fast: bool = True
):
    """The CalDAV or Google calendar behind ACCOUNT:CALENDAR (both a Source and a Target).

    CalDAV objects are iCalendar text: with `fast`, only candidate events are fully parsed, as
    for files. Google events arrive as JSON and are mapped directly."""
    config = settings.account(account)
    if config.type == "imap":
        raise ConfigError(f"account {account!r} is a mail account (type = \"imap\"): it has no calendars; [replies] reads it")
    if config.type == "caldav":
        from .backends.caldav import open_calendar as open_caldav

        keywords = settings.rules.keywords if fast else None
        return open_caldav(config, calendar, create=create, now=now, keywords=keywords)
    from .backends.google import open_calendar

    return open_calendar(config, calendar, create=create, now=now)


def open_source(spec: str, settings: Settings, *, now: datetime, fast: bool = True) -> Source:
    from .backends.ics import IcsSource

    pair = account_spec(spec, settings)
    if pair is not None:
        return open_account_calendar(*pair, settings, create=False, now=now, fast=fast)
    keywords = settings.rules.keywords if fast else None
    return IcsSource(spec, keywords=keywords, now=now)


def open_target(spec: str, settings: Settings, *, now: datetime, name: str = "followcal reminders") -> Target:
    from .backends.ics import IcsFileTarget

    if is_url(spec):
        raise ConfigError(f"{spec}: a URL can only be read; write to a file or ACCOUNT:CALENDAR")
    pair = account_spec(spec, settings)
    if pair is not None:
        return open_account_calendar(*pair, settings, create=True, now=now)
    return IcsFileTarget(spec, name=name)
