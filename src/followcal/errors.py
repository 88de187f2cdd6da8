"""One error hierarchy. The CLI maps it to exit codes in one place (cli.main).

Every message is one line that names the file, URL, account or setting at fault, and never a
secret. Backends catch their library's exceptions at the boundary and raise these instead.
"""

from __future__ import annotations


class FollowcalError(Exception):
    """Base of everything followcal raises on purpose; shown to the user without a traceback."""

    exit_code = 1


class UsageError(FollowcalError):
    """Bad command line or config (exit 2): unknown region, missing setting, bad option value."""

    exit_code = 2


class ConfigError(UsageError):
    """The config file is missing, unreadable or invalid."""


class UnknownRegionError(UsageError):
    def __init__(self, region: str) -> None:
        super().__init__(
            f"unknown region {region!r}: neither workalendar nor holidays knows it "
            "(use an ISO 3166 code such as US, US-CA, GB, DE-BY)"
        )
        self.region = region


class SourceError(FollowcalError):
    """A source (file, URL) could not be read or parsed (exit 1)."""


class BackendError(FollowcalError):
    """A server failed: unreachable, 5xx after retries, unexpected answer (exit 1)."""


class AuthError(BackendError):
    """Credentials refused (401/403 or invalid_grant); the message says what to do."""


class NotFoundError(BackendError):
    """A calendar or account that does not exist; the message lists what does."""


class ConflictError(BackendError):
    """A conditional write failed (412): the item changed under us; re-read and re-plan."""


class PreconditionError(BackendError):
    """A server refused a request with a named precondition (CalDAV 403/409 with <D:error>)."""

    def __init__(self, message: str, precondition: str) -> None:
        super().__init__(message)
        self.precondition = precondition  # e.g. "CALDAV:no-uid-conflict"


class LockedError(FollowcalError):
    """Another followcal process holds the lock for the same sync."""


class SelectorError(FollowcalError):
    """`mark` selector matched no interview, or several (exit 1, candidates listed)."""


class WriteError(FollowcalError):
    """A file could not be written (disk full, read-only, permission): names the file (exit 1)."""


class DeletionGuardError(FollowcalError):
    """A sync would delete more than half of a target's future reminders at once (exit 1;
    `--force` overrides): a source that lost events by accident must not empty a calendar."""
