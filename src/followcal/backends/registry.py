"""Which code serves an account `type`: the one place that maps a config's account types to
backends (issue 11). Each entry imports its backend only when an account of that type is used,
so plain file work never loads caldav's or Google's libraries.

An account backend's calendar is both a Source and a Target (`AccountCalendar`); the openers'
return types are checked against that protocol by mypy, so a backend that lacks a method fails
the type check, not a user's sync.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from followcal.backends.base import Source, Target
from followcal.config import AccountConfig
from followcal.errors import ConfigError


@runtime_checkable
class AccountCalendar(Source, Target, Protocol):
    """A calendar of a CalDAV or Google account: read as a source, written as a target."""


@dataclass(frozen=True)
class Backend:
    """What an account type can do: open one of its calendars, and list them all."""

    open: Callable[..., AccountCalendar]
    list_calendars: Callable[[AccountConfig], list[tuple[str, str]]]


def _open_caldav(config: AccountConfig, calendar: str, *, create: bool, now: datetime,
                 keywords: Iterable[str] | None, position: int) -> AccountCalendar:
    from followcal.backends.caldav import open_calendar

    return open_calendar(config, calendar, create=create, now=now, keywords=keywords, position=position)


def _list_caldav(config: AccountConfig) -> list[tuple[str, str]]:
    from followcal.backends.caldav import list_calendars

    return list_calendars(config)


def _open_google(config: AccountConfig, calendar: str, *, create: bool, now: datetime,
                 keywords: Iterable[str] | None, position: int) -> AccountCalendar:
    from followcal.backends.google import open_calendar

    return open_calendar(config, calendar, create=create, now=now)  # JSON is mapped whole: no scan


def _list_google(config: AccountConfig) -> list[tuple[str, str]]:
    from followcal.backends.google_calendars import list_calendars

    return list_calendars(config)


# "imap" accounts have no calendars: [replies] reads them (backends/imap.py, through inbox.py).
BACKENDS: dict[str, Backend] = {
    "caldav": Backend(_open_caldav, _list_caldav),
    "google": Backend(_open_google, _list_google),
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
