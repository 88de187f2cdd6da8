"""`followcal clean TARGET`: remove every reminder followcal wrote to a target, nothing else.

A target dropped from a [[sync]] `to` keeps its reminders until this runs. The backend lists only
followcal's own events (UID @followcal + X-FOLLOWCAL-KIND; Google's private property), and the
plan holds nothing but deletes of those, so a foreign event cannot be touched. An account calendar
is never created here; a missing .ics file is "nothing to clean".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from followcal.config import Settings
from followcal.core.model import ApplyResult, Delete, OwnedEvent, Plan
from followcal.errors import UsageError

if TYPE_CHECKING:  # imported lazily at run time
    from followcal.app.run import AccountPool
    from followcal.backends.base import Target


@dataclass(frozen=True)
class CleanResult:
    target: str
    owned: tuple[OwnedEvent, ...]
    result: ApplyResult | None  # None on --dry-run or when there was nothing to delete


def delete_plan(label: str, owned: list[OwnedEvent]) -> Plan:
    """Delete every owned event still there (Google keeps cancelled ones: skip those). Pure."""
    return Plan(label, tuple(Delete(e) for e in owned if not e.deleted))


def open_clean_target(spec: str, settings: Settings, now: datetime, accounts: AccountPool | None = None) -> Target:
    from followcal.app.sources import account_spec, is_url, open_account_calendar
    from followcal.backends.files import IcsFileTarget

    if is_url(spec):
        raise UsageError(f"{spec}: a URL is read-only; followcal never wrote there")
    pair = account_spec(spec, settings)
    if pair is not None:
        calendar: Target = open_account_calendar(*pair, settings, create=False, now=now, accounts=accounts)
        return calendar
    return IcsFileTarget(Path(spec).expanduser())


def clean_target(settings: Settings, spec: str, *, dry_run: bool, now: datetime) -> CleanResult:
    """Delete followcal's reminders from `spec` (none with `dry_run`); the CLI prints the result."""
    from followcal.app.pipeline import Context

    with Context.create(settings, now) as ctx:
        target = open_clean_target(spec, settings, now, ctx.accounts)
        owned = [e for e in target.list_owned() if not e.deleted]
        plan = delete_plan(target.label, owned)
        if dry_run or not plan.actions:
            return CleanResult(target.label, tuple(owned), None)
        result = target.apply(plan)
        # the state store no longer says we wrote these (a later sync may write them afresh)
        ctx.store.get().record_written(target.label, {}, [e.uid for e in owned])
        return CleanResult(target.label, tuple(owned), result)
