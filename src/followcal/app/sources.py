"""SOURCE and target strings -> backends: a path, an http(s)/webcal URL, or ACCOUNT:CALENDAR.

Account backends (CalDAV, Google) are imported only when a spec names such an account, so plain
file work never loads caldav or googleapiclient.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from followcal.app.run import AccountPool, RunStore
from followcal.backends.base import Source, Target
from followcal.backends.registry import AccountCalendar
from followcal.config import AccountConfig, Settings
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


def _pool(settings: Settings, accounts: AccountPool | None) -> AccountPool:
    """The run's pool; without one (a test, a one-off call), a pool of its own whose store is
    opened on first use (and closed when the calendar is dropped)."""
    return accounts if accounts is not None else AccountPool(settings, RunStore())


def open_account_calendar(
    account: str, calendar: str, settings: Settings, *, create: bool, now: datetime, fast: bool = True,
    position: int = 0, accounts: AccountPool | None = None,
) -> AccountCalendar:
    """The calendar behind ACCOUNT:CALENDAR (both a Source and a Target), from the account the
    run opened once (registry.open_account picks the backend by the account's type). CalDAV
    objects are iCalendar text: with `fast`, only candidate events are fully parsed, as for files.
    `position`: this target's place among the account's targets in config order (Cyrus folds it
    into UIDs)."""
    keywords = settings.rules.keywords if fast else None
    opened = _pool(settings, accounts).get(account)
    return opened.calendar(calendar, create=create, now=now, keywords=keywords, position=position)


def open_source(
    spec: str, settings: Settings, *, now: datetime, fast: bool = True, accounts: AccountPool | None = None,
) -> Source:
    from followcal.backends.files import IcsSource

    pair = account_spec(spec, settings)
    if pair is not None:
        return open_account_calendar(*pair, settings, create=False, now=now, fast=fast, accounts=accounts)
    keywords = settings.rules.keywords if fast else None
    return IcsSource(spec, keywords=keywords, now=now)


def open_target(
    spec: str, settings: Settings, *, now: datetime, name: str = "followcal reminders", accounts: AccountPool | None = None,
) -> Target:
    from followcal.backends.files import IcsFileTarget

    if is_url(spec):
        raise ConfigError(f"{spec}: a URL can only be read; write to a file or ACCOUNT:CALENDAR")
    pair = account_spec(spec, settings)
    if pair is not None:
        return open_account_calendar(*pair, settings, create=True, now=now, position=target_position(spec, settings),
                                     accounts=accounts)
    return IcsFileTarget(spec, name=name)


def list_account_calendars(config: AccountConfig) -> list[tuple[str, str]]:
    """(name, URL or ID) of every calendar of an account (`followcal calendars`, `init`), with a
    state store opened for this one call."""
    from followcal.backends.registry import open_account

    store = RunStore()
    try:
        return open_account(config, store).list_calendars()
    finally:
        store.close()


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
