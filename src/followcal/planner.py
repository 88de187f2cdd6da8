"""detect -> rules -> drafts: from source events to every interview's reminders. Pure.

`now` is passed in; nothing here reads the clock, the network or a file (templates aside).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, time, timedelta, timezone

from .config import Settings
from .model import (
    THANK_YOU,
    InterviewPlan,
    OutcomeRecord,
    PlanResult,
    Reminder,
    Slot,
    SourceEvent,
    reminder_uid,
)
from .rules import ScheduledInterview, processes, schedule

THANK_YOU_LENGTH = timedelta(minutes=30)
REMINDER_LENGTH = timedelta(minutes=15)


def calendar_for(settings: Settings):
    """The region -> WorkCalendar function every rule uses (cached in workdays)."""
    from .workdays import work_calendar

    def lookup(region: str):
        return work_calendar(region, settings.extra_holidays, settings.extra_working_days)

    return lookup


def plan_events(
    events: Iterable[SourceEvent],
    settings: Settings,
    *,
    default_tz: str,
    marks: Mapping[str, OutcomeRecord] | None = None,
    warnings: Iterable[str] = (),
    descriptions: bool = True,
) -> PlanResult:
    """Every interview in `events` with its reminders, sorted by start, plus warnings.

    `descriptions=False` leaves the drafted messages out (`plan` shows none): the dates, UIDs
    and summaries are the same, the reminders are just not fit for writing to a calendar."""
    from dataclasses import replace as _replace

    from .detect import detect, resolve_me
    from .workdays import check_region

    all_warnings = list(warnings)
    check_region(settings.region)
    events = list(events)
    me = resolve_me(events, settings)
    if me != tuple(settings.me):
        settings = _replace(settings, me=me)
    interviews, detect_warnings = detect(events, settings, default_tz, check_region)
    all_warnings.extend(detect_warnings)
    unique = {}
    for interview in interviews:  # the same event from two merged sources counts once
        unique.setdefault(interview.id, interview)
    lookup = calendar_for(settings)
    plans: list[InterviewPlan] = []
    for process in processes(list(unique.values()), settings.rules, lookup):
        for scheduled in schedule(process, settings.rules, lookup, marks):
            reminders = tuple(compose(slot, scheduled, settings, descriptions) for slot in scheduled.slots)
            plans.append(
                InterviewPlan(scheduled.interview, reminders, scheduled.decision_by, scheduled.outcome)
            )
    plans.sort(key=lambda p: (p.interview.start, p.interview.id))
    if settings.rules.max_follow_ups > 2:
        all_warnings.append(
            f"max_follow_ups = {settings.rules.max_follow_ups}: the advice is at most two follow-ups"
        )
    return PlanResult(tuple(plans), tuple(all_warnings), me=tuple(settings.me))


def compose(slot: Slot, scheduled: ScheduledInterview, settings: Settings, descriptions: bool = True) -> Reminder:
    """A Slot plus its drafted text becomes a Reminder with a deterministic UID and stamp."""
    from . import drafts

    interview = scheduled.interview
    if descriptions:
        summary, description = drafts.draft(
            slot,
            interview,
            scheduled.decision_by,
            follow_up_count=settings.rules.max_follow_ups,
            templates_dir=settings.templates,
        )
    else:
        summary, description = drafts.summary(slot, interview), ""
    stamp = interview.stamp or interview.start.astimezone(timezone.utc)
    if scheduled.outcome is not None:
        stamp = max(stamp, datetime.combine(scheduled.outcome.on, time(0), timezone.utc))
    return Reminder(
        uid=reminder_uid(interview.uid, interview.recurrence_id, slot.kind),
        kind=slot.kind,
        interview_id=interview.id,
        interview_uid=interview.uid,
        interview_start=interview.start,
        company=interview.company,
        role=interview.role,
        date=slot.date,
        due=slot.due,
        duration=THANK_YOU_LENGTH if slot.kind == THANK_YOU else REMINDER_LENGTH,
        timezone=interview.timezone,
        channel=slot.channel,
        summary=summary,
        description=description,
        stamp=stamp.astimezone(timezone.utc),
        all_day=slot.all_day,
    )
