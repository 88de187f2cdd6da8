"""SOURCE and target strings -> backends: a path, an http(s)/webcal URL, or ACCOUNT:CALENDAR.

Account backends (CalDAV, Google) are imported only when a spec names such an account, so plain
file work never loads caldav or googleapiclient.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from followcal.backends.base import Source, Target
from followcal.backends.registry import AccountCalendar, calendar_backend
from followcal.config import Settings
from followcal.errors import ConfigError


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
    account: str, calendar: str, settings: Settings, *, create: bool, now: datetime, fast: bool = True,
    position: int = 0,
) -> AccountCalendar:
    """The calendar behind ACCOUNT:CALENDAR (both a Source and a Target), from the backend the
    registry names for the account's type. CalDAV objects are iCalendar text: with `fast`, only
    candidate events are fully parsed, as for files. `position`: this target's place among the
    account's targets in config order (Cyrus folds it into UIDs)."""
    config = settings.account(account)
    keywords = settings.rules.keywords if fast else None
    return calendar_backend(config).open(config, calendar, create=create, now=now, keywords=keywords, position=position)


def open_source(spec: str, settings: Settings, *, now: datetime, fast: bool = True) -> Source:
    from followcal.backends.files import IcsSource

    pair = account_spec(spec, settings)
    if pair is not None:
        return open_account_calendar(*pair, settings, create=False, now=now, fast=fast)
    keywords = settings.rules.keywords if fast else None
    return IcsSource(spec, keywords=keywords, now=now)


def open_target(spec: str, settings: Settings, *, now: datetime, name: str = "followcal reminders") -> Target:
    from followcal.backends.files import IcsFileTarget

    if is_url(spec):
        raise ConfigError(f"{spec}: a URL can only be read; write to a file or ACCOUNT:CALENDAR")
    pair = account_spec(spec, settings)
    if pair is not None:
        return open_account_calendar(*pair, settings, create=True, now=now, position=target_position(spec, settings))
    return IcsFileTarget(spec, name=name)


def target_position(spec: str, settings: Settings) -> int:
    """Where `spec` stands among its account's targets, in config order over every [[sync]] `to`
    (0 = first; CalDAV servers wanting account-wide unique UIDs fold the calendar into the rest)."""
    pair = account_spec(spec, settings)
    if pair is None:
        return 0
    seen: list[str] = []
    for entry in settings.syncs:
        for target in entry.targets:
            other = account_spec(target, settings)
            if other is not None and other[0] == pair[0] and other[1] not in seen:
                seen.append(other[1])
    return seen.index(pair[1]) if pair[1] in seen else len(seen)
