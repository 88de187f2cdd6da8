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
from typing import TYPE_CHECKING, Any

from followcal.config import Settings
from followcal.core.model import ApplyResult, Delete, OwnedEvent, Plan
from followcal.errors import UsageError

if TYPE_CHECKING:  # imported lazily at run time
    from followcal.backends.base import Target


@dataclass(frozen=True)
class CleanResult:
    target: str
    owned: tuple[OwnedEvent, ...]
    result: ApplyResult | None  # None on --dry-run or when there was nothing to delete


def delete_plan(label: str, owned: list[OwnedEvent]) -> Plan:
    """Delete every owned event still there (Google keeps cancelled ones: skip those). Pure."""
    return Plan(label, tuple(Delete(e) for e in owned if not e.deleted))


def open_clean_target(spec: str, settings: Settings, now: datetime) -> Target:
    from followcal.app.sources import account_spec, is_url, open_account_calendar
    from followcal.backends.files import IcsFileTarget

    if is_url(spec):
        raise UsageError(f"{spec}: a URL is read-only; followcal never wrote there")
    pair = account_spec(spec, settings)
    if pair is not None:
        calendar: Target = open_account_calendar(*pair, settings, create=False, now=now)
        return calendar
    return IcsFileTarget(Path(spec).expanduser())


def clean_target(settings: Settings, spec: str, *, dry_run: bool, now: datetime) -> CleanResult:
    target = open_clean_target(spec, settings, now)
    owned = [e for e in target.list_owned() if not e.deleted]
    plan = delete_plan(target.label, owned)
    if dry_run or not plan.actions:
        return CleanResult(target.label, tuple(owned), None)
    result = target.apply(plan)
    _forget(target.label, [e.uid for e in owned])
    return CleanResult(target.label, tuple(owned), result)


def _forget(label: str, uids: list[str]) -> None:
    """The state store no longer says we wrote these (a later sync may write them afresh)."""
    from followcal.state import StateStore

    with StateStore() as store:
        store.record_written(label, {}, uids)


def clean_json(done: CleanResult, dry_run: bool) -> dict[str, Any]:
    from followcal.cli.render import _iso

    return {
        "target": done.target,
        "dry_run": dry_run,
        "events": [{"uid": e.uid, "kind": e.kind, "summary": e.summary, "start": _iso(e.start)} for e in done.owned],
        "deleted": done.result.deleted if done.result else 0,
    }


def clean_lines(done: CleanResult, dry_run: bool) -> list[str]:
    from followcal.cli.render import day_label

    if not done.owned:
        return [f"{done.target}: no followcal reminders; nothing to clean"]
    verb = "would delete" if dry_run else "deleted"
    count = len(done.owned) if dry_run or done.result is None else done.result.deleted
    lines = [f"{done.target}: {verb} {count} followcal reminder(s); other events are left as they are"]
    for e in sorted(done.owned, key=lambda e: (str(e.start), e.uid)):
        day = e.start.date() if isinstance(e.start, datetime) else e.start
        lines.append(f"  {e.kind:<14} {day_label(day) if day else '(no date)'}  {e.summary}")
    return lines
