"""`followcal sync`: every [[sync]] entry reads its sources once, plans once, and makes each
target hold exactly its reminders through one `apply` per target.

A conditional write that fails because the item changed under us (ConflictError) makes the target
be re-listed and re-planned once; a second conflict is reported, never overwritten. Two syncs of
the same entry at once are serialised by a lock file in the state dir.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from followcal.app.pipeline import Context, read_and_plan, source_window
from followcal.backends.base import Target
from followcal.config import SyncConfig, state_dir
from followcal.core.model import ApplyResult, Create, Delete, OwnedEvent, Plan, Reminder, Update, Window
from followcal.errors import ConflictError, DeletionGuardError, FollowcalError, UsageError

log = logging.getLogger(__name__)


class Progress(Protocol):
    """What a sync says while it works. The CLI draws it (a spinner, a bar for many writes);
    the default, `NoProgress`, says nothing."""

    def step(self, text: str) -> AbstractContextManager[None]:
        """Around a slow step: reading a source, listing a target."""
        ...

    def writes(self, label: str, total: int) -> AbstractContextManager[Callable[[int], None] | None]:
        """Around one target's `apply` of `total` writes: yields the callback it advances."""
        ...


class NoProgress:
    def step(self, text: str) -> AbstractContextManager[None]:
        return contextlib.nullcontext()

    def writes(self, label: str, total: int) -> AbstractContextManager[Callable[[int], None] | None]:
        return contextlib.nullcontext(None)


@dataclass
class TargetReport:
    target: str
    plan: Plan
    result: ApplyResult | None = None
    error: str | None = None


@dataclass
class SyncReport:
    name: str
    warnings: list[str] = field(default_factory=list)
    targets: list[TargetReport] = field(default_factory=list)
    error: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None or any(t.error for t in self.targets)


@contextlib.contextmanager
def sync_lock(name: str) -> Iterator[None]:
    """An exclusive lock per sync entry: a second process waits for the first to finish."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
    path = state_dir() / f"sync-{safe}.lock"
    with open(path, "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def select_entries(ctx: Context, names: Sequence[str]) -> list[SyncConfig]:
    entries = list(ctx.settings.syncs)
    if not entries:
        where = ctx.settings.path or "the config"
        raise UsageError(f"no [[sync]] entries in {where}")
    if not names:
        return entries
    known = {e.name: e for e in entries}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UsageError(f"no [[sync]] named {', '.join(unknown)} (known: {', '.join(known)})")
    return [known[n] for n in names]


def read_window(entry: SyncConfig, ctx: Context) -> tuple[list[tuple[str, Window]], Window]:
    """Each source with its read window, and the window inside which stale reminders may go."""
    pairs = [(spec, source_window(spec, entry.range, ctx)) for spec in entry.sources]
    windows = [w for _, w in pairs]
    since = None if any(w.since is None for w in windows) else min(w.since for w in windows)  # type: ignore[type-var]
    until = None if any(w.until is None for w in windows) else max(w.until for w in windows)  # type: ignore[type-var]
    return pairs, Window(since, until)


def run_syncs(
    ctx: Context, names: Sequence[str], *, dry_run: bool = False, force: bool = False, progress: Progress | None = None
) -> list[SyncReport]:
    reports = []
    for entry in select_entries(ctx, names):
        with sync_lock(entry.name):
            reports.append(run_sync(ctx, entry, dry_run=dry_run, force=force, progress=progress))
    return reports


def run_sync(
    ctx: Context, entry: SyncConfig, *, dry_run: bool = False, force: bool = False, progress: Progress | None = None
) -> SyncReport:
    from followcal.app.sources import open_target

    shown = progress or NoProgress()
    report = SyncReport(entry.name)
    pairs, delete_window = read_window(entry, ctx)
    try:  # marks + mail replies (recorded unless --dry-run); a source that fails fails this entry
        result = read_and_plan(ctx, pairs, each=lambda spec: shown.step(f"{entry.name}: reading {spec}"),
                               warnings=report.warnings, record=not dry_run, merge_warnings=True)
    except UsageError:
        raise
    except FollowcalError as exc:
        report.error = str(exc)
        return report
    report.warnings[:] = result.warnings
    desired = result.reminders
    for spec in entry.targets:
        try:
            target = open_target(spec, ctx.settings, now=ctx.now, name=f"followcal: {entry.name}", accounts=ctx.accounts)
        except UsageError:
            raise
        except FollowcalError as exc:
            report.targets.append(TargetReport(spec, Plan(spec), error=str(exc)))
            continue
        report.targets.append(_sync_target(ctx, target, desired, delete_window, dry_run=dry_run, force=force, progress=shown))
    return report


# The guard against a shrunken source (vdirsyncer's "more than half deleted"): a sync that would
# delete more than this share of a target's future reminders, and more than GUARD_MINIMUM of
# them, stops and asks for --force. A source that lost events (a cut download, a half-written
# export, a wrong calendar) must not empty the target.
GUARD_SHARE = 0.5
GUARD_MINIMUM = 8  # three interviews have up to nine future reminders: fewer goes through


def _plan_for(ctx: Context, target: Target, desired: Sequence[Reminder], window: Window, force: bool) -> Plan:
    from followcal.core.reconcile import reconcile

    written = ctx.store.get().written(target.label)  # what followcal last wrote there
    existing = target.list_owned()
    plan = reconcile(target.label, desired, existing, now=ctx.now, window=window, written=written, force=force)
    if not force:
        check_deletions(target.label, plan, existing, ctx.now)
    return plan


def check_deletions(label: str, plan: Plan, existing: Sequence[OwnedEvent], now: datetime) -> None:
    """Raise DeletionGuardError when the plan deletes too many of the target's future reminders."""
    from followcal.core.reconcile import _is_future

    deletes = sum(isinstance(a, Delete) for a in plan.actions)
    future = sum(1 for e in existing if not e.deleted and _is_future(e, now))
    if deletes > GUARD_MINIMUM and deletes > GUARD_SHARE * future:
        raise DeletionGuardError(
            f"{label}: this sync would delete {deletes} of its {future} future reminders; stopped, "
            "nothing changed (a source may have lost events). Check the sources, then run "
            "`followcal sync --force` if that is what you want"
        )


def _sync_target(
    ctx: Context, target: Target, desired: Sequence[Reminder], window: Window, *, dry_run: bool, force: bool,
    progress: Progress,
) -> TargetReport:
    try:
        with progress.step(f"listing {target.label}"):
            plan = _plan_for(ctx, target, desired, window, force)
    except UsageError:
        raise
    except FollowcalError as exc:
        return TargetReport(target.label, Plan(target.label), error=str(exc))
    if dry_run:
        return TargetReport(target.label, plan)
    for attempt in (1, 2):
        try:
            with progress.writes(target.label, len(plan.writes)) as advance:
                result = target.apply(plan, progress=advance)
            _remember(ctx, target.label, plan)
            return TargetReport(target.label, plan, result)
        except ConflictError as exc:
            if attempt == 2:
                return TargetReport(target.label, plan, error=f"{exc} (changed again; run sync once more)")
            log.info("%s: %s; re-reading and re-planning", target.label, exc)
            try:
                plan = _plan_for(ctx, target, desired, window, force)
            except FollowcalError as again:
                return TargetReport(target.label, plan, error=str(again))
        except UsageError:
            raise
        except FollowcalError as exc:
            return TargetReport(target.label, plan, error=str(exc))
    raise AssertionError("unreachable")


def _remember(ctx: Context, target: str, plan: Plan) -> None:
    """What this target now holds from us (UID -> fingerprint), in the state store."""
    written = {a.reminder.uid: a.reminder.fingerprint for a in plan.actions if isinstance(a, (Create, Update))}
    written.update({r.uid: r.fingerprint for r, _ in plan.final if r.uid not in written})
    removed = [a.existing.uid for a in plan.actions if isinstance(a, Delete)]
    ctx.store.get().record_written(target, written, removed)
