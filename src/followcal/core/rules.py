"""The follow-up rules R1-R7 of followup-rules.md, as pure functions.

Input: detected interviews, the rule settings, one business-day calendar per region and the
outcomes. Output: `Slot`s (kind, date, due time, channel), no text: drafts.py writes the words.
Dates are computed in each interview's own zone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from followcal.config import RuleSettings
from followcal.core.model import (
    CUT_OFF,
    GRACIOUS_REPLY,
    THANK_YOU,
    Interview,
    Outcome,
    OutcomeRecord,
    Slot,
    Timeline,
    follow_up_kind,
    kind_order,
)
from followcal.core.workdays import WorkCalendar

FOLLOW_UP_TIME = time(10, 0)
CUT_OFF_TIME = time(9, 0)
THANK_YOU_EARLIEST = time(8, 0)
THANK_YOU_LATEST = time(20, 0)
THANK_YOU_MORNING = time(9, 0)

CalendarFor = Callable[[str], WorkCalendar]


@dataclass(frozen=True)
class Process:
    """R6: the interviews with one company that follow each other before a cut-off."""

    company: str
    interviews: tuple[Interview, ...]

    @property
    def latest(self) -> Interview:
        return self.interviews[-1]


def _at(day: date, at: time, zone: str) -> datetime:
    return datetime.combine(day, at, ZoneInfo(zone))


def thank_you(interview: Interview) -> Slot:
    """R1: end + 1 h; after 20:00 -> 09:00 next day; before 08:00 -> 09:00 that day."""
    zone = ZoneInfo(interview.timezone)
    end_utc = interview.end.astimezone(UTC)
    due = (end_utc + timedelta(hours=1)).astimezone(zone)
    if due.time() > THANK_YOU_LATEST:
        due = datetime.combine(due.date() + timedelta(days=1), THANK_YOU_MORNING, zone)
    elif due.time() < THANK_YOU_EARLIEST:
        due = datetime.combine(due.date(), THANK_YOU_MORNING, zone)
    deadline = (end_utc + timedelta(hours=24)).astimezone(zone)
    return Slot(THANK_YOU, due.date(), due, "email", deadline)


def decision_date(
    interview_day: date, decision_by: date | None, timeline: Timeline | None, calendar: WorkCalendar
) -> date | None:
    """The employer's stated date: `Decision by:` wins; else `Timeline:` counted from the day."""
    if decision_by is not None:
        return decision_by
    if timeline is None:
        return None
    if timeline.unit == "business days":
        return calendar.add_business_days(interview_day, timeline.amount)
    if timeline.unit == "weeks":
        return interview_day + timedelta(weeks=timeline.amount)
    return interview_day + timedelta(days=timeline.amount)


def chain(
    first_follow_up: date, interview: Interview, rules: RuleSettings, calendar: WorkCalendar
) -> list[Slot]:
    """R3-R5: follow-ups every N business days from the first, then the cut-off."""
    slots: list[Slot] = []
    day = first_follow_up
    for n in range(1, rules.max_follow_ups + 1):
        if n > 1:
            day = calendar.add_business_days(day, rules.follow_up_2_business_days)
        channel = "phone" if n == 2 else "email"
        slots.append(Slot(follow_up_kind(n), day, _at(day, FOLLOW_UP_TIME, interview.timezone), channel))
    if slots:
        cut = calendar.add_business_days(day, rules.cut_off_business_days)
    else:
        cut = first_follow_up  # no nudges at all: move on when the first one would have been due
    slots.append(Slot(CUT_OFF, cut, _at(cut, CUT_OFF_TIME, interview.timezone), "email"))
    return slots


def follow_ups(
    interview: Interview, rules: RuleSettings, calendar: WorkCalendar, decided_by: date | None
) -> list[Slot]:
    """R2 then R3-R5 for one interview."""
    day = interview.start.date()
    n = rules.final_round_business_days if interview.final else rules.follow_up_1_business_days
    first = calendar.add_business_days(day, n)
    if decided_by is not None:
        first = max(first, calendar.next_business_day_after(decided_by))
    return chain(first, interview, rules, calendar)


def cut_off_date(interview: Interview, rules: RuleSettings, calendar: WorkCalendar) -> date:
    decided = decision_date(interview.start.date(), interview.decision_by, interview.timeline, calendar)
    return follow_ups(interview, rules, calendar, decided)[-1].date


def processes(interviews: Sequence[Interview], rules: RuleSettings, calendar_for: CalendarFor) -> list[Process]:
    """R6: group by company; a new interview joins while it starts before the previous cut-off."""
    by_company: dict[str, list[Interview]] = {}
    for interview in sorted(interviews, key=lambda i: (i.start, i.id)):
        by_company.setdefault(interview.process_key, []).append(interview)
    out: list[Process] = []
    for group in by_company.values():
        current: list[Interview] = []
        for interview in group:
            if current:
                previous = current[-1]
                cut = cut_off_date(previous, rules, calendar_for(previous.region))
                if interview.start.date() >= cut:
                    out.append(Process(current[0].company, tuple(current)))
                    current = []
            current.append(interview)
        out.append(Process(current[0].company, tuple(current)))
    out.sort(key=lambda p: (p.interviews[0].start, p.interviews[0].id))
    return out


def effective_outcome(process: Process, marks: Mapping[str, OutcomeRecord]) -> OutcomeRecord | None:
    """The newest outcome recorded for any interview of the process (a mark wins a tie)."""
    found: list[tuple[date, int, OutcomeRecord]] = []
    for interview in process.interviews:
        if interview.outcome is not None:
            found.append((interview.outcome.on, 0, interview.outcome))
        if interview.id in marks:
            found.append((marks[interview.id].on, 1, marks[interview.id]))
    if not found:
        return None
    found.sort(key=lambda f: (f[0], f[1]))
    return found[-1][2]


@dataclass(frozen=True)
class ScheduledInterview:
    interview: Interview
    slots: tuple[Slot, ...]
    decision_by: date | None
    outcome: OutcomeRecord | None


def schedule(
    process: Process,
    rules: RuleSettings,
    calendar_for: CalendarFor,
    marks: Mapping[str, OutcomeRecord] | None = None,
) -> list[ScheduledInterview]:
    """Every interview of the process with its slots: thank-yous for all, the chain for the latest,
    cut short or restarted by an outcome (R7)."""
    outcome = effective_outcome(process, marks or {})
    latest = process.latest
    calendar = calendar_for(latest.region)
    if outcome is not None and latest.start.date() > outcome.on:
        outcome = None  # an interview after the outcome: the process goes on (e.g. next round)
    out = []
    for interview in process.interviews:
        cal = calendar_for(interview.region)
        decided = decision_date(interview.start.date(), interview.decision_by, interview.timeline, cal)
        slots = [thank_you(interview)]
        if interview is latest:
            slots.extend(_latest_chain(interview, rules, calendar, decided, outcome))
        slots.sort(key=lambda s: (s.due, kind_order(s.kind)))
        out.append(ScheduledInterview(interview, tuple(slots), decided, outcome if interview is latest else None))
    return out


def _latest_chain(
    interview: Interview,
    rules: RuleSettings,
    calendar: WorkCalendar,
    decided: date | None,
    outcome: OutcomeRecord | None,
) -> list[Slot]:
    planned = follow_ups(interview, rules, calendar, decided)
    if outcome is None:
        return planned
    restart = None
    if outcome.outcome is Outcome.REPLIED:
        restart = decision_date(outcome.on, outcome.decision_by, outcome.timeline, calendar)
    if restart is not None:
        # R2 again with the new date: the later of its default and the first business day after it
        return follow_ups(interview, rules, calendar, max(restart, outcome.on))
    kept = [s for s in planned if s.date <= outcome.on]
    if outcome.outcome is Outcome.REJECTED:  # never before the day the outcome was recorded
        day = calendar.next_business_day_after(max(outcome.on, outcome.recorded_on or outcome.on))
        kept.append(Slot(GRACIOUS_REPLY, day, _at(day, FOLLOW_UP_TIME, interview.timezone), "email"))
    return kept
