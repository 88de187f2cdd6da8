"""Which code serves an account `type`: the one place that maps a config's account types to
backends (issue 11). Each entry imports its backend only when an account of that type is used,
so plain file work never loads caldav's or Google's libraries.

An account backend's calendar is both a Source and a Target (`AccountCalendar`); an opened
account (`Account`) hands them out. The connectors' return types are checked against these
protocols by mypy, so a backend that lacks a method fails the type check, not a user's sync.
The state store is passed in (`KeyValueStore`); no backend opens it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from followcal.backends.base import KeyValueStore, Source, Target
from followcal.config import AccountConfig
from followcal.errors import ConfigError


@runtime_checkable
class AccountCalendar(Source, Target, Protocol):
    """A calendar of a CalDAV or Google account: read as a source, written as a target."""


class Account(Protocol):
    """One opened account (a CalDAV client that ran discovery, an authorised Google service).
    The app opens each account once per run and asks it for every calendar of it the run uses."""

    def calendar(self, calendar: str, *, create: bool, now: datetime, keywords: Iterable[str] | None,
                 position: int) -> AccountCalendar:
        """ACCOUNT:CALENDAR; a missing one is made at the first write when `create`. `keywords`:
        parse only candidate events (iCalendar backends); `position`: this target's place among
        the account's targets in config order (Cyrus folds it into UIDs)."""
        ...

    def list_calendars(self) -> list[tuple[str, str]]:
        """(name, URL or ID) of every calendar (`followcal calendars`)."""
        ...


@dataclass(frozen=True)
class Backend:
    """What an account type needs: a way to open an account with the run's state store."""

    connect: Callable[[AccountConfig, KeyValueStore], Account]


def _connect_caldav(config: AccountConfig, store: KeyValueStore) -> Account:
    from followcal.backends.caldav import CalDAVAccount

    return CalDAVAccount(config, store)


def _connect_google(config: AccountConfig, store: KeyValueStore) -> Account:
    from followcal.backends.google_calendars import GoogleAccount

    return GoogleAccount(config, store)


# "imap" accounts have no calendars: [replies] reads them (backends/imap.py, through inbox.py).
BACKENDS: dict[str, Backend] = {
    "caldav": Backend(_connect_caldav),
    "google": Backend(_connect_google),
}


def calendar_backend(config: AccountConfig) -> Backend:
    """The backend of an account with calendars; a mail account is one clear config error."""
    backend = BACKENDS.get(config.type)
    if backend is None:
        raise ConfigError(
            f"account {config.name!r} is a mail account (type = \"{config.type}\"): it has no calendars; "
            "[replies] reads it"
        )
    return backend


def open_account(config: AccountConfig, store: KeyValueStore) -> Account:
    """The account behind `config`, opened (credentials loaded, client built) with `store`."""
    return calendar_backend(config).connect(config, store)
