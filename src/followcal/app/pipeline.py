"""The use cases behind the commands: read sources, plan, export, sync.

This is glue: it opens backends (I/O), calls the pure core (planner, reconcile) and hands plans
to `apply`. The CLI and the feed server both call it, so `export`, `sync` to a file and a served
feed produce the same bytes for the same input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from followcal.config import RangeConfig, Settings, system_timezone
from followcal.core.model import OutcomeRecord, Plan, PlanResult, SourceEvent, Window
from followcal.errors import UsageError


@dataclass(frozen=True)
class Context:
    """Everything a run needs that is not the input: settings, the clock, the fallback zone."""

    settings: Settings
    now: datetime
    default_tz: str

    @classmethod
    def create(cls, settings: Settings, now: datetime | None = None) -> Context:
        zone = settings.timezone or system_timezone()
        if now is None:
            now = datetime.now(ZoneInfo(zone))
        elif now.tzinfo is None:
            now = now.replace(tzinfo=ZoneInfo(zone))
        return cls(settings, now, zone)

    def window(self, since: date | None, until: date | None) -> Window:
        """--since/--until as a window; --until is inclusive of its day."""
        tz = ZoneInfo(self.default_tz)
        lo = datetime.combine(since, time(0), tz) if since else None
        hi = datetime.combine(until + timedelta(days=1), time(0), tz) if until else None
        if lo and hi and hi <= lo:
            raise UsageError("--until is before --since")
        return Window(lo, hi)


def source_window(spec: str, range_: RangeConfig | None, ctx: Context) -> Window:
    """The window a configured source is read over: accounts default to 90 days back and 365
    ahead, files and URLs are read whole unless the entry sets bounds (DESIGN.md "Config")."""
    from followcal.app.sources import account_spec

    if range_ is None:
        return Window()
    return range_.window(ctx.now, for_account=account_spec(spec, ctx.settings) is not None)


def read_sources(
    specs: Sequence[str], ctx: Context, window: Window, *, fast: bool = True
) -> tuple[list[SourceEvent], list[str]]:
    """Events of every source, merged; a source that fails raises (one clear line)."""
    from followcal.app.sources import open_source

    if not specs:
        raise UsageError("no source given: name an .ics file, a URL or ACCOUNT:CALENDAR")
    events: list[SourceEvent] = []
    warnings: list[str] = []
    for spec in specs:
        source = open_source(spec, ctx.settings, now=ctx.now, fast=fast)
        found, problems = source.read_events(window)
        events.extend(found)
        warnings.extend(problems)
    return events, warnings


def stored_marks(ctx: Context) -> Mapping[str, OutcomeRecord]:
    """Outcomes recorded with `followcal mark` (state store); empty when there is none yet."""
    try:
        from followcal.state import load_outcomes
    except ImportError:
        return {}
    return load_outcomes()


def _marks_or_warning(ctx: Context, warnings: list[str]) -> Mapping[str, OutcomeRecord]:
    """plan and export only read recorded outcomes: an unusable state store is a warning there
    (sync, mark and status, which write it, still stop with its one-line error)."""
    from followcal.errors import FollowcalError

    try:
        return stored_marks(ctx)
    except FollowcalError as exc:
        warnings.append(f"{exc}; outcomes recorded with `followcal mark` are ignored for now")
        return {}


def plan_sources(
    specs: Sequence[str],
    ctx: Context,
    window: Window,
    *,
    fast: bool = True,
    marks: Mapping[str, OutcomeRecord] | None = None,
    descriptions: bool = True,
) -> PlanResult:
    from followcal.core.planner import plan_events

    events, warnings = read_sources(specs, ctx, window, fast=fast)
    if marks is None:
        from followcal.app.inbox import planning_marks

        # marks (an unusable state store is a warning here), plus replies found by mail ([replies])
        marks = planning_marks(events, ctx, warnings, _marks_or_warning(ctx, warnings))
    return plan_events(
        events, ctx.settings, default_tz=ctx.default_tz, marks=marks, warnings=warnings, descriptions=descriptions
    )


def export_plan(
    result: PlanResult, output: Path, ctx: Context, *, refresh_minutes: int | None = None, name: str = "followcal reminders"
) -> tuple[Plan, bytes]:
    """The file target's plan for `result` (SEQUENCE carried over from a previous export)."""
    from followcal.backends.files import IcsFileTarget
    from followcal.core.reconcile import reconcile

    target = IcsFileTarget(output, name=name, refresh_minutes=refresh_minutes)
    existing = target.list_owned()
    plan = reconcile(target.label, result.reminders, existing, now=ctx.now, window=Window())
    return plan, target.render(plan)
