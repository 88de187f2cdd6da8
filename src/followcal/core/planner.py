"""detect -> rules -> drafts: from source events to every interview's reminders. Pure.

`now` is passed in; nothing here reads the clock, the network or a file (templates aside).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from followcal.config import Settings
from followcal.core import drafts  # every plan words its reminders' summaries
from followcal.core.collector import collector_paused
from followcal.core.model import THANK_YOU, InterviewPlan, OutcomeRecord, PlanResult, Reminder, Slot, SourceEvent, reminder_uid
from followcal.core.rules import ScheduledInterview, processes, schedule

if TYPE_CHECKING:  # imported lazily at run time (start-up cost)
    from followcal.core.drafts import Sender
    from followcal.core.model import Interview
    from followcal.core.workdays import WorkCalendar

THANK_YOU_LENGTH = timedelta(minutes=30)
REMINDER_LENGTH = timedelta(minutes=15)


def calendar_for(settings: Settings) -> Callable[[str], WorkCalendar]:
    """The region -> WorkCalendar function every rule uses (cached in workdays)."""
    from followcal.core.workdays import work_calendar

    def lookup(region: str) -> WorkCalendar:
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
    private: bool = False,
) -> PlanResult:
    """Every interview in `events` with its reminders, sorted by start, plus warnings.

    `descriptions=False` leaves the drafted messages out (`plan` shows none): the dates, UIDs
    and summaries are the same, the reminders are just not fit for writing to a calendar.
    `private` (a feed with `drafts = false`): what to do and when, no drafts, names or addresses."""
    with collector_paused():  # planning and drafting: small objects, no reference cycles (collector.py)
        return _plan_events(events, settings, default_tz=default_tz, marks=marks, warnings=warnings,
                            descriptions=descriptions, private=private)


def _plan_events(
    events: Iterable[SourceEvent],
    settings: Settings,
    *,
    default_tz: str,
    marks: Mapping[str, OutcomeRecord] | None,
    warnings: Iterable[str],
    descriptions: bool,
    private: bool,
) -> PlanResult:
    from dataclasses import replace as _replace

    from followcal.core.detect import detect, resolve_me
    from followcal.core.regions import one_library_warning
    from followcal.core.workdays import check_region

    all_warnings = list(warnings)
    if settings.region:
        check_region(settings.region)
    events = list(events)
    me = resolve_me(events, settings)
    if me != tuple(settings.me):
        settings = _replace(settings, me=me)
    interviews, detect_warnings = detect(events, settings, default_tz, check_region)
    all_warnings.extend(detect_warnings)
    for region in sorted({i.region for i in interviews}):  # a region only one library knows
        warning = one_library_warning(region, calendar_for(settings)(region).sources)
        if warning:
            all_warnings.append(warning)
    unique: dict[str, Interview] = {}
    for interview in interviews:  # the same event from two merged sources counts once
        unique.setdefault(interview.id, interview)
    lookup = calendar_for(settings)
    texts = _invite_texts(events, unique) if descriptions else {}
    sender = _sender(settings, texts)
    plans: list[InterviewPlan] = []
    for process in processes(list(unique.values()), settings.rules, lookup):
        for scheduled in schedule(process, settings.rules, lookup, marks):
            language = settings.language or _language(texts.get(scheduled.interview.uid))
            reminders = tuple(
                compose(slot, scheduled, settings, descriptions, sender=sender, language=language,
                        private=private)
                for slot in scheduled.slots
            )
            plans.append(
                InterviewPlan(scheduled.interview, reminders, scheduled.decision_by, scheduled.outcome)
            )
    plans.sort(key=lambda p: (p.interview.start, p.interview.id))
    if settings.rules.max_follow_ups > 2:
        all_warnings.append(
            f"max_follow_ups = {settings.rules.max_follow_ups}: the advice is at most two follow-ups"
        )
    return PlanResult(tuple(plans), tuple(all_warnings), me=tuple(settings.me))


def _invite_texts(events: Iterable[SourceEvent], interviews: Mapping[str, Interview]) -> dict[str, SourceEvent]:
    """The source event of each interview by UID (for its language and the user's name)."""
    uids = {iv.uid for iv in interviews.values()}
    out: dict[str, SourceEvent] = {}
    for event in events:
        if event.uid in uids:
            out.setdefault(event.uid, event)
    return out


def _sender(settings: Settings, texts: Mapping[str, SourceEvent]) -> Sender:
    """Who signs the drafts: the config's name and phone; else the name the invites give the
    user (the attendee matching `me`, else the address on nearly every invite)."""
    from followcal.core.drafts import Sender
    from followcal.core.people import frequent_addresses, user_name

    me = tuple(settings.me) or frequent_addresses(
        [a.email for a in e.attendees] for e in texts.values())
    name = settings.name
    if name is None:
        name = user_name(((a.name, a.email) for e in texts.values() for a in e.attendees), me)
    return Sender(name=name, phone=settings.phone, addresses=me)


def _language(event: SourceEvent | None) -> str:
    from followcal.core.languages import detect_language

    return detect_language(event.summary, event.description) if event is not None else "en"


def compose(slot: Slot, scheduled: ScheduledInterview, settings: Settings, descriptions: bool = True,
            *, sender: Sender | None = None, language: str = "en", private: bool = False) -> Reminder:
    """A Slot plus its drafted text becomes a Reminder with a deterministic UID and stamp."""
    interview = scheduled.interview
    if descriptions:
        summary, description = drafts.draft(
            slot,
            interview,
            scheduled.decision_by,
            follow_up_count=settings.rules.max_follow_ups,
            templates_dir=settings.templates,
            sender=sender,
            language=language,
            private=private,
        )
    else:
        summary, description = drafts.summary(slot, interview), ""
    stamp = interview.stamp or interview.start.astimezone(UTC)
    if scheduled.outcome is not None:
        recorded = max(scheduled.outcome.on, scheduled.outcome.recorded_on or scheduled.outcome.on)
        stamp = max(stamp, datetime.combine(recorded, time(0), UTC))
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
        stamp=stamp.astimezone(UTC),
        all_day=slot.all_day,
    )
