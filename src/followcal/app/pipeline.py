"""The use cases behind the commands: read sources, plan, export, sync.

This is glue: it opens backends (I/O), calls the pure core (planner, reconcile) and hands plans
to `apply`. The CLI and the feed server both call it, so `export`, `sync` to a file and a served
feed produce the same bytes for the same input.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

from followcal.app.run import AccountPool, RunStore
from followcal.config import RangeConfig, Settings, system_timezone
from followcal.core.model import OutcomeRecord, Plan, PlanResult, SourceEvent, Window
from followcal.errors import UsageError


@dataclass(frozen=True)
class Context:
    """Everything a run needs that is not the input: settings, the clock, the fallback zone, and
    what the run opens once (the state store, each account). The command that creates it closes
    it (`with Context.create(...) as ctx:`)."""

    settings: Settings
    now: datetime
    default_tz: str
    store: RunStore = field(default_factory=RunStore, compare=False, repr=False)
    accounts: AccountPool = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "accounts", AccountPool(self.settings, self.store))

    @classmethod
    def create(cls, settings: Settings, now: datetime | None = None) -> Context:
        zone = settings.timezone or system_timezone()
        if now is None:
            now = datetime.now(ZoneInfo(zone))
        elif now.tzinfo is None:
            now = now.replace(tzinfo=ZoneInfo(zone))
        return cls(settings, now, zone)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Context:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def window(self, since: date | None, until: date | None) -> Window:
        """--since/--until as a window; --until is inclusive of its day."""
        tz = ZoneInfo(self.default_tz)
        lo = datetime.combine(since, time(0), tz) if since else None
        hi = datetime.combine(until + timedelta(days=1), time(0), tz) if until else None
        if lo and hi and hi <= lo:
            raise UsageError("--until is before --since")
        return Window(lo, hi)


Reads = Sequence[tuple[str, Window]]  # each source spec with the window it is read over


def source_window(spec: str, range_: RangeConfig | None, ctx: Context) -> Window:
    """The window a configured source is read over: accounts default to 90 days back and 365
    ahead, files and URLs are read whole unless the entry sets bounds (DESIGN.md "Config")."""
    from followcal.app.sources import account_spec

    if range_ is None:
        return Window()
    return range_.window(ctx.now, for_account=account_spec(spec, ctx.settings) is not None)


def configured_reads(specs: Iterable[tuple[str, RangeConfig | None]], ctx: Context) -> list[tuple[str, Window]]:
    """[[sync]]/[feeds.*] sources with their configured ranges -> (spec, window)."""
    return [(spec, source_window(spec, range_, ctx)) for spec, range_ in specs]


def one_window(specs: Sequence[str], window: Window) -> list[tuple[str, Window]]:
    """SOURCE... of the command line, all over the --since/--until window."""
    return [(spec, window) for spec in specs]


def read_sources(
    ctx: Context, reads: Reads, *, fast: bool = True, each: Callable[[str], AbstractContextManager[None]] | None = None,
    warnings: list[str] | None = None,
) -> tuple[list[SourceEvent], list[str]]:
    """Events of every source, each read over its own window, merged in order; a source that
    fails raises (one clear line). `each(spec)` wraps every read (a progress line in the CLI);
    `warnings`, when given, is the list the warnings go to (kept when a later source fails)."""
    from followcal.app.sources import open_source

    if not reads:
        raise UsageError("no source given: name an .ics file, a URL or ACCOUNT:CALENDAR")
    events: list[SourceEvent] = []
    warnings = [] if warnings is None else warnings
    for spec, window in reads:
        with each(spec) if each is not None else contextlib.nullcontext():
            found, problems = open_source(spec, ctx.settings, now=ctx.now, fast=fast, accounts=ctx.accounts).read_events(window)
        events.extend(found)
        warnings.extend(problems)
    return events, warnings


def stored_marks(ctx: Context) -> Mapping[str, OutcomeRecord]:
    """Outcomes recorded with `followcal mark` (state store); empty when there is none yet."""
    store = ctx.store.existing()
    return store.outcomes() if store is not None else {}


def _marks_or_warning(ctx: Context, warnings: list[str]) -> Mapping[str, OutcomeRecord]:
    """plan and export only read recorded outcomes: an unusable state store is a warning there
    (sync, mark and status, which write it, still stop with its one-line error)."""
    from followcal.errors import FollowcalError

    try:
        return stored_marks(ctx)
    except FollowcalError as exc:
        warnings.append(f"{exc}; outcomes recorded with `followcal mark` are ignored for now")
        return {}


def plan_read(
    ctx: Context,
    events: Sequence[SourceEvent],
    warnings: Sequence[str],
    *,
    marks: Mapping[str, OutcomeRecord] | None = None,
    tolerant: bool = False,
    mail: bool = True,
    record: bool = True,
    descriptions: bool = True,
    private: bool = False,
    merge_warnings: bool = False,
) -> PlanResult:
    """Plan events already read, with the same marks handling for every command: `marks` (None:
    those recorded with `followcal mark`; `tolerant`: an unusable store is a warning, for plan
    and export) plus, with `mail`, replies found in the mailbox ([replies]; recorded unless
    `record` is False). `merge_warnings`: planning warnings already given once are dropped."""
    from followcal.core.planner import plan_events

    given = list(warnings)
    if marks is None:
        marks = _marks_or_warning(ctx, given) if tolerant else stored_marks(ctx)
    if mail and ctx.settings.replies is not None:  # the mailbox code is imported only for [replies]
        from followcal.app.inbox import planning_marks

        marks = planning_marks(events, ctx, given, marks, record=record)
    result = plan_events(events, ctx.settings, default_tz=ctx.default_tz, marks=marks,
                         warnings=() if merge_warnings else given, descriptions=descriptions, private=private)
    if merge_warnings:
        given.extend(w for w in result.warnings if w not in given)
        result = replace(result, warnings=tuple(given))
    return result


def read_and_plan(
    ctx: Context,
    reads: Reads,
    *,
    fast: bool = True,
    each: Callable[[str], AbstractContextManager[None]] | None = None,
    warnings: list[str] | None = None,
    marks: Mapping[str, OutcomeRecord] | None = None,
    tolerant: bool = False,
    mail: bool = True,
    record: bool = True,
    descriptions: bool = True,
    merge_warnings: bool = False,
) -> PlanResult:
    """The one read-and-plan path of plan, export, sync, mark and status (the feed server plans
    the events it keeps with `plan_read`): read every source over its window, then `plan_read`."""
    events, read_warnings = read_sources(ctx, reads, fast=fast, each=each, warnings=warnings)
    return plan_read(ctx, events, read_warnings, marks=marks, tolerant=tolerant, mail=mail, record=record,
                     descriptions=descriptions, merge_warnings=merge_warnings)


def plan_sources(
    specs: Sequence[str],
    ctx: Context,
    window: Window,
    *,
    fast: bool = True,
    descriptions: bool = True,
) -> PlanResult:
    """`plan` and `export`: SOURCE... over one window; an unusable state store is a warning."""
    return read_and_plan(ctx, one_window(specs, window), fast=fast, tolerant=True, descriptions=descriptions)


class Export(NamedTuple):
    """A file target's plan and the bytes to write; `current`: the file holds those bytes already
    (then `data` is b"" when export_plan was told `bytes_if_current=False`)."""

    plan: Plan
    data: bytes
    current: bool = False


def export_plan(
    result: PlanResult, output: Path, ctx: Context, *, refresh_minutes: int | None = None, name: str = "followcal reminders",
    bytes_if_current: bool = True,
) -> Export:
    """The file target's plan for `result` (SEQUENCE carried over from a previous export).
    `bytes_if_current=False`: a caller that writes nothing to a current file gets b"" as its
    data then (the file is compared without being read into memory)."""
    from followcal.backends.files import IcsFileTarget

    target = IcsFileTarget(output, name=name, refresh_minutes=refresh_minutes)
    unchanged = target.unchanged_plan(result.reminders, with_bytes=bytes_if_current)
    if unchanged is not None:  # a re-export over our own, unchanged output: nothing to read back
        return Export(*unchanged, current=True)
    from followcal.core.reconcile import reconcile  # imported only here: the shortcut needs none

    existing = target.list_owned()
    plan = reconcile(target.label, result.reminders, existing, now=ctx.now, window=Window())
    return Export(plan, target.render(plan))
