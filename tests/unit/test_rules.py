"""Rules R1-R9 of followup-rules.md as tables: the worked example, holidays of several regions,
the R1 edge cases, final rounds, stated decision dates, follow-up counts, processes, outcomes,
skipped events and what counts as an interview."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from followcal.config import RuleSettings, Settings
from followcal.core.model import (
    CUT_OFF,
    GRACIOUS_REPLY,
    THANK_YOU,
    Attendee,
    Interview,
    Outcome,
    OutcomeRecord,
    SourceEvent,
    Timeline,
    interview_id,
)
from followcal.core.planner import plan_events
from followcal.core.rules import processes, schedule, thank_you
from followcal.core.workdays import work_calendar

NY = "America/New_York"
RULES = RuleSettings()


def cal(region: str):
    return work_calendar(region)


def make(
    start: datetime,
    end: datetime | None = None,
    *,
    company: str = "Acme Corp",
    region: str = "US",
    final: bool = False,
    decision_by: date | None = None,
    timeline: Timeline | None = None,
    outcome: OutcomeRecord | None = None,
    uid: str | None = None,
) -> Interview:
    """An Interview built directly (start/end aware, in the start's zone)."""
    zone = start.tzinfo.key  # type: ignore[union-attr]
    uid = uid or f"{company}-{start.isoformat()}"
    return Interview(
        id=interview_id(uid, None), uid=uid, recurrence_id=None, summary=f"Interview with {company}",
        company=company, role=None, start=start, end=end or start + timedelta(hours=1), timezone=zone,
        region=region, final=final, round="final" if final else None, decision_by=decision_by,
        timeline=timeline, outcome=outcome,
    )


def at(y: int, mo: int, d: int, h: int = 14, mi: int = 0, tz: str = NY) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=ZoneInfo(tz))


def slots_of(interviews: list[Interview], rules: RuleSettings = RULES, marks=None):
    """{interview uid: {kind: slot}} through processes() and schedule()."""
    out = {}
    for process in processes(interviews, rules, cal):
        for s in schedule(process, rules, cal, marks):
            out[s.interview.uid] = {slot.kind: slot for slot in s.slots}
    return out


def dates(interview: Interview, rules: RuleSettings = RULES, marks=None) -> dict[str, date]:
    return {k: s.date for k, s in slots_of([interview], rules, marks)[interview.uid].items()}


# --- the worked example and holidays (R2-R4) --------------------------------------------------

HOLIDAY_TABLE = [
    # (label, start, region, final, thank-you due, fu1, fu2, cut-off)
    ("worked example: Thanksgiving skipped", at(2026, 11, 19), "US", False,
     at(2026, 11, 19, 16), date(2026, 11, 27), date(2026, 12, 11), date(2026, 12, 18)),
    ("US-CA: day after Thanksgiving is a CA holiday", at(2026, 11, 19, tz="America/Los_Angeles"), "US-CA", False,
     at(2026, 11, 19, 16, tz="America/Los_Angeles"), date(2026, 11, 30), date(2026, 12, 14), date(2026, 12, 21)),
    ("US Juneteenth (Fri 2026-06-19) and July 3 observed", at(2026, 6, 12, 10), "US", False,
     at(2026, 6, 12, 12), date(2026, 6, 22), date(2026, 7, 7), date(2026, 7, 14)),
    ("GB Christmas + Boxing Day observed Mon 2026-12-28", at(2026, 12, 21, 14, 30, tz="Europe/London"), "GB", False,
     at(2026, 12, 21, 16, 30, tz="Europe/London"), date(2026, 12, 30), date(2027, 1, 14), date(2027, 1, 21)),
    ("DE-BY Epiphany 2027-01-06", at(2027, 1, 5, 15, tz="Europe/Berlin"), "DE-BY", False,
     at(2027, 1, 5, 17, tz="Europe/Berlin"), date(2027, 1, 13), date(2027, 1, 27), date(2027, 2, 3)),
    ("DE (national) has no Epiphany", at(2027, 1, 5, 15, tz="Europe/Berlin"), "DE", False,
     at(2027, 1, 5, 17, tz="Europe/Berlin"), date(2027, 1, 12), date(2027, 1, 26), date(2027, 2, 2)),
    ("R2 final round: 10 business days", at(2026, 11, 19), "US", True,
     at(2026, 11, 19, 16), date(2026, 12, 4), date(2026, 12, 18), date(2026, 12, 28)),
]


@pytest.mark.parametrize(
    "start,region,final,ty,fu1,fu2,cut", [row[1:] for row in HOLIDAY_TABLE], ids=[row[0] for row in HOLIDAY_TABLE]
)
def test_holiday_table(start, region, final, ty, fu1, fu2, cut) -> None:
    interview = make(start, region=region, final=final)
    slots = slots_of([interview])[interview.uid]
    assert list(slots) == [THANK_YOU, "follow-up-1", "follow-up-2", CUT_OFF]
    assert slots[THANK_YOU].due == ty
    assert slots["follow-up-1"].date == fu1
    assert slots["follow-up-2"].date == fu2
    assert slots[CUT_OFF].date == cut
    zone = ZoneInfo(interview.timezone)
    assert slots["follow-up-1"].due == datetime.combine(fu1, datetime.min.time().replace(hour=10), zone)
    assert slots["follow-up-2"].due.hour == 10 and slots[CUT_OFF].due.hour == 9
    assert slots["follow-up-1"].channel == "email"
    assert slots["follow-up-2"].channel == "phone"  # R3: suggested channel
    calendar = cal(region)
    for kind in ("follow-up-1", "follow-up-2", CUT_OFF):
        assert calendar.is_working_day(slots[kind].date), kind


def test_holidays_in_force() -> None:
    assert not cal("US").is_working_day(date(2026, 11, 26))  # Thanksgiving
    assert not cal("US").is_working_day(date(2026, 6, 19))  # Juneteenth (holidays pkg only)
    assert not cal("GB").is_working_day(date(2026, 12, 28))  # Boxing Day observed
    assert not cal("DE-BY").is_working_day(date(2027, 1, 6))
    assert cal("DE").is_working_day(date(2027, 1, 6))
    assert not cal("US-CA").is_working_day(date(2026, 11, 27))
    assert cal("US").is_working_day(date(2026, 11, 27))


def test_worked_example_through_plan_events() -> None:
    """The worked example from a SourceEvent: the same dates, the deadline in the description."""
    event = SourceEvent(
        uid="acme-1", summary="Interview with Acme Corp – Backend Engineer",
        start=at(2026, 11, 19), end=at(2026, 11, 19, 15), tzid=NY,
    )
    result = plan_events([event], Settings(), default_tz=NY)
    (plan,) = result.interviews
    got = {r.kind: (r.date, r.due) for r in plan.reminders}
    assert got == {
        THANK_YOU: (date(2026, 11, 19), at(2026, 11, 19, 16)),
        "follow-up-1": (date(2026, 11, 27), at(2026, 11, 27, 10)),
        "follow-up-2": (date(2026, 12, 11), at(2026, 12, 11, 10)),
        CUT_OFF: (date(2026, 12, 18), at(2026, 12, 18, 9)),
    }
    thanks = plan.reminders[0]
    assert thanks.kind == THANK_YOU
    assert "20 Nov 2026 15:00" in thanks.description  # R1 deadline: end + 24 h
    assert result.warnings == ()


# --- R1 ---------------------------------------------------------------------------------------

R1_TABLE = [
    # (label, end, expected due)
    ("end+1h in the afternoon", at(2026, 11, 19, 15), at(2026, 11, 19, 16)),
    ("exactly 20:00 is not after 20:00", at(2026, 11, 19, 19), at(2026, 11, 19, 20)),
    ("after 20:00 -> 09:00 next day", at(2026, 11, 19, 19, 30), at(2026, 11, 20, 9)),
    ("late night, past midnight -> 09:00 that day", at(2026, 11, 19, 23, 30), at(2026, 11, 20, 9)),
    ("before 08:00 -> 09:00 same day", at(2026, 11, 19, 6), at(2026, 11, 19, 9)),
    ("exactly 08:00 stays", at(2026, 11, 19, 7), at(2026, 11, 19, 8)),
    ("Friday evening -> Saturday 09:00 (weekends do not delay)", at(2026, 11, 20, 19, 30), at(2026, 11, 21, 9)),
    ("Saturday interview -> Saturday", at(2026, 11, 21, 11), at(2026, 11, 21, 12)),
    ("eve of Thanksgiving -> Thanksgiving 09:00 (holidays do not delay)", at(2026, 11, 25, 21), at(2026, 11, 26, 9)),
]


@pytest.mark.parametrize("end,due", [r[1:] for r in R1_TABLE], ids=[r[0] for r in R1_TABLE])
def test_r1_thank_you(end: datetime, due: datetime) -> None:
    interview = make(end - timedelta(hours=1), end)
    slot = thank_you(interview)
    assert slot.kind == THANK_YOU
    assert slot.due == due and slot.due.utcoffset() == due.utcoffset()
    assert slot.date == due.date()
    assert slot.channel == "email"
    assert slot.deadline == end + timedelta(hours=24)
    assert timedelta(0) < slot.due - end <= timedelta(hours=24)


def test_r1_deadline_is_24_real_hours_across_dst() -> None:
    end = at(2026, 10, 31, 15)  # DST ends in New York on 2026-11-01
    slot = thank_you(make(end - timedelta(hours=1), end))
    assert slot.deadline.astimezone(UTC) - end.astimezone(UTC) == timedelta(hours=24)
    assert slot.deadline.hour == 14  # wall clock moved back an hour


def test_r1_is_in_the_interviews_own_zone() -> None:
    """19:30 in Berlin is 13:30 in New York: the Berlin clock decides (next day 09:00)."""
    end = at(2026, 11, 19, 19, 30, tz="Europe/Berlin")
    slot = thank_you(make(end - timedelta(hours=1), end, region="DE-BY"))
    assert slot.due == at(2026, 11, 20, 9, tz="Europe/Berlin")


# --- R2: stated decision dates ------------------------------------------------------------------

DECISION_TABLE = [
    # (label, decision_by, timeline, expected fu1)
    ("no statement", None, None, date(2026, 11, 27)),
    ("Decision by after the default", date(2026, 12, 11), None, date(2026, 12, 14)),
    ("Decision by before the default: the default wins", date(2026, 11, 20), None, date(2026, 11, 27)),
    ("Decision by on a Friday -> the Monday", date(2026, 12, 4), None, date(2026, 12, 7)),
    ("Decision by the eve of Thanksgiving -> the Friday", date(2026, 11, 25), None, date(2026, 11, 27)),
    ("Timeline 14 days -> Thu 12-03 -> Fri 12-04", None, Timeline(14, "days"), date(2026, 12, 4)),
    ("Timeline 10 business days -> Fri 12-04 -> Mon 12-07", None, Timeline(10, "business days"), date(2026, 12, 7)),
    ("Timeline 3 weeks -> Thu 12-10 -> Fri 12-11", None, Timeline(3, "weeks"), date(2026, 12, 11)),
    ("Timeline 1 week: the 5-business-day default is later", None, Timeline(1, "weeks"), date(2026, 11, 27)),
    ("Decision by wins over a Timeline", date(2026, 12, 11), Timeline(1, "weeks"), date(2026, 12, 14)),
]


@pytest.mark.parametrize("decision_by,timeline,fu1", [r[1:] for r in DECISION_TABLE], ids=[r[0] for r in DECISION_TABLE])
def test_r2_decision_by_and_timeline(decision_by, timeline, fu1) -> None:
    interview = make(at(2026, 11, 19), decision_by=decision_by, timeline=timeline)
    got = dates(interview)
    assert got["follow-up-1"] == fu1
    calendar = cal("US")
    assert got["follow-up-2"] == calendar.add_business_days(fu1, 10)
    assert got[CUT_OFF] == calendar.add_business_days(got["follow-up-2"], 5)


def test_r2_hints_through_plan_events() -> None:
    event = SourceEvent(
        uid="acme-t", summary="Interview with Acme Corp", start=at(2026, 11, 19), end=at(2026, 11, 19, 15),
        tzid=NY, description="Company: Acme Corp\nTimeline: 2 weeks\n",
    )
    (plan,) = plan_events([event], Settings(), default_tz=NY).interviews
    assert plan.decision_by == date(2026, 12, 3)
    assert {r.kind: r.date for r in plan.reminders}["follow-up-1"] == date(2026, 12, 4)
    final = replace(event, uid="acme-f", description="Round: final\nDecision by: 2026-12-11")
    (plan,) = plan_events([final], Settings(), default_tz=NY).interviews
    assert plan.interview.final
    # final round default 12-04, stated decision 12-11 -> first business day after: 12-14
    assert {r.kind: r.date for r in plan.reminders}["follow-up-1"] == date(2026, 12, 14)


def test_r2_final_round_from_summary_words() -> None:
    event = SourceEvent(uid="g", summary="Globex – Final round interview", start=at(2026, 11, 19), end=at(2026, 11, 19, 15),
                        tzid=NY)
    (plan,) = plan_events([event], Settings(), default_tz=NY).interviews
    assert plan.interview.final
    assert {r.kind: r.date for r in plan.reminders}["follow-up-1"] == date(2026, 12, 4)


def test_r2_configured_numbers() -> None:
    rules = RuleSettings(follow_up_1_business_days=7, follow_up_2_business_days=5, cut_off_business_days=3)
    got = dates(make(at(2026, 11, 19)), rules)
    # 7 bd from Thu 11-19 skipping Thanksgiving: 20,23,24,25,27,30,1 -> 12-01
    assert got["follow-up-1"] == date(2026, 12, 1)
    assert got["follow-up-2"] == date(2026, 12, 8)
    assert got[CUT_OFF] == date(2026, 12, 11)


# --- R3-R5: how many follow-ups ------------------------------------------------------------------

R5_TABLE = [
    (0, [], date(2026, 11, 27)),
    (1, [date(2026, 11, 27)], date(2026, 12, 4)),
    (2, [date(2026, 11, 27), date(2026, 12, 11)], date(2026, 12, 18)),
    (3, [date(2026, 11, 27), date(2026, 12, 11), date(2026, 12, 28)], date(2027, 1, 5)),
    (4, [date(2026, 11, 27), date(2026, 12, 11), date(2026, 12, 28), date(2027, 1, 12)], date(2027, 1, 20)),
    (5, [date(2026, 11, 27), date(2026, 12, 11), date(2026, 12, 28), date(2027, 1, 12), date(2027, 1, 27)],
     date(2027, 2, 3)),
]


@pytest.mark.parametrize("n,follow_ups,cut", R5_TABLE, ids=[f"max_follow_ups={r[0]}" for r in R5_TABLE])
def test_r3_r4_r5_follow_up_count(n: int, follow_ups: list[date], cut: date) -> None:
    interview = make(at(2026, 11, 19))
    slots = slots_of([interview], RuleSettings(max_follow_ups=n))[interview.uid]
    kinds = [f"follow-up-{i}" for i in range(1, n + 1)]
    assert list(slots) == [THANK_YOU, *kinds, CUT_OFF]
    assert [slots[k].date for k in kinds] == follow_ups
    assert slots[CUT_OFF].date == cut
    assert [slots[k].channel for k in kinds] == ["phone" if k == "follow-up-2" else "email" for k in kinds]


@pytest.mark.parametrize("n", range(6))
def test_r5_warning_above_two(n: int) -> None:
    event = SourceEvent(uid="a", summary="Interview with Acme", start=at(2026, 11, 19), end=at(2026, 11, 19, 15), tzid=NY)
    result = plan_events([event], Settings(rules=RuleSettings(max_follow_ups=n)), default_tz=NY)
    warned = [w for w in result.warnings if "max_follow_ups" in w]
    assert len(warned) == (1 if n > 2 else 0)
    if warned:
        assert "at most two" in warned[0]
    assert len(result.interviews[0].reminders) == n + 2


# --- R6: one process per company ---------------------------------------------------------------

def test_r6_same_company_before_cut_off_is_one_process() -> None:
    first = make(at(2026, 11, 19))
    second = make(at(2026, 12, 3, 10), company="ACME CORP")  # case-insensitive company
    other = make(at(2026, 11, 20), company="Globex")
    got = slots_of([second, other, first])
    assert list(got[first.uid]) == [THANK_YOU]  # thank-you only
    assert list(got[second.uid]) == [THANK_YOU, "follow-up-1", "follow-up-2", CUT_OFF]
    assert got[second.uid]["follow-up-1"].date == date(2026, 12, 10)
    assert list(got[other.uid]) == [THANK_YOU, "follow-up-1", "follow-up-2", CUT_OFF]
    groups = processes([second, other, first], RULES, cal)
    assert [[i.uid for i in p.interviews] for p in groups] == [[first.uid, second.uid], [other.uid]]


@pytest.mark.parametrize(
    "second_day,same",
    [(date(2026, 12, 17), True), (date(2026, 12, 18), False), (date(2027, 2, 1), False)],
    ids=["day before cut-off: same process", "on the cut-off date: new process", "weeks later: new process"],
)
def test_r6_cut_off_boundary(second_day: date, same: bool) -> None:
    first = make(at(2026, 11, 19))  # cut-off 2026-12-18
    second = make(at(second_day.year, second_day.month, second_day.day, 10))
    got = slots_of([first, second])
    assert len(processes([first, second], RULES, cal)) == (1 if same else 2)
    assert (list(got[first.uid]) == [THANK_YOU]) is same
    assert CUT_OFF in got[second.uid]


def test_r6_three_rounds_chain_on_the_latest_only() -> None:
    rounds = [make(at(2026, 11, 2)), make(at(2026, 11, 10)), make(at(2026, 11, 19), final=True)]
    got = slots_of(rounds)
    assert [list(got[i.uid]) for i in rounds[:2]] == [[THANK_YOU], [THANK_YOU]]
    assert got[rounds[2].uid]["follow-up-1"].date == date(2026, 12, 4)


# --- R7: outcomes ---------------------------------------------------------------------------------

def _mark(outcome: Outcome, on: date, **kw) -> OutcomeRecord:
    return OutcomeRecord(outcome, on, source="mark", **kw)


R7_TABLE = [
    # (label, outcome record, expected {kind: date})
    ("replied ends pending follow-ups", _mark(Outcome.REPLIED, date(2026, 11, 25)), {THANK_YOU: date(2026, 11, 19)}),
    ("replied after follow-up-1 keeps the past one", _mark(Outcome.REPLIED, date(2026, 12, 1)),
     {THANK_YOU: date(2026, 11, 19), "follow-up-1": date(2026, 11, 27)}),
    ("replied with a new decision date restarts R2", _mark(Outcome.REPLIED, date(2026, 12, 1), decision_by=date(2026, 12, 18)),
     {THANK_YOU: date(2026, 11, 19), "follow-up-1": date(2026, 12, 21), "follow-up-2": date(2027, 1, 6),
      CUT_OFF: date(2027, 1, 13)}),
    ("replied with a new timeline restarts R2", _mark(Outcome.REPLIED, date(2026, 12, 1), timeline=Timeline(1, "weeks")),
     {THANK_YOU: date(2026, 11, 19), "follow-up-1": date(2026, 12, 9), "follow-up-2": date(2026, 12, 23),
      CUT_OFF: date(2026, 12, 31)}),
    ("rejected adds a gracious reply the next business day", _mark(Outcome.REJECTED, date(2026, 11, 25)),
     {THANK_YOU: date(2026, 11, 19), GRACIOUS_REPLY: date(2026, 11, 27)}),
    ("rejected on a Friday -> gracious reply Monday", _mark(Outcome.REJECTED, date(2026, 12, 4)),
     {THANK_YOU: date(2026, 11, 19), "follow-up-1": date(2026, 11, 27), GRACIOUS_REPLY: date(2026, 12, 7)}),
    ("offer ends them", _mark(Outcome.OFFER, date(2026, 11, 25)), {THANK_YOU: date(2026, 11, 19)}),
    ("accepted ends them", _mark(Outcome.ACCEPTED, date(2026, 11, 25)), {THANK_YOU: date(2026, 11, 19)}),
    ("withdrawn ends them", _mark(Outcome.WITHDRAWN, date(2026, 11, 25)), {THANK_YOU: date(2026, 11, 19)}),
]


@pytest.mark.parametrize("record,expected", [r[1:] for r in R7_TABLE], ids=[r[0] for r in R7_TABLE])
def test_r7_outcomes(record: OutcomeRecord, expected: dict[str, date]) -> None:
    interview = make(at(2026, 11, 19))
    slots = slots_of([interview], marks={interview.id: record})[interview.uid]
    assert {k: s.date for k, s in slots.items()} == expected
    if GRACIOUS_REPLY in slots:
        assert slots[GRACIOUS_REPLY].due.hour == 10
    (scheduled,) = schedule(processes([interview], RULES, cal)[0], RULES, cal, {interview.id: record})
    assert scheduled.outcome == record


def test_r7_mark_on_an_earlier_round_ends_the_process() -> None:
    first, second = make(at(2026, 11, 19)), make(at(2026, 12, 3))
    marks = {first.id: _mark(Outcome.REJECTED, date(2026, 12, 8))}
    got = slots_of([first, second], marks=marks)
    assert {k: s.date for k, s in got[second.uid].items()} == {
        THANK_YOU: date(2026, 12, 3), GRACIOUS_REPLY: date(2026, 12, 9)}


def test_r7_an_interview_after_the_outcome_continues_the_process() -> None:
    first, second = make(at(2026, 11, 19)), make(at(2026, 12, 3))
    marks = {first.id: _mark(Outcome.REPLIED, date(2026, 11, 25))}  # "come for round two"
    got = slots_of([first, second], marks=marks)
    assert list(got[second.uid]) == [THANK_YOU, "follow-up-1", "follow-up-2", CUT_OFF]


def test_r7_outcome_hint_and_newest_wins() -> None:
    hinted = make(at(2026, 11, 19), outcome=OutcomeRecord(Outcome.REPLIED, date(2026, 11, 25)))
    assert dates(hinted) == {THANK_YOU: date(2026, 11, 19)}
    newer_mark = {hinted.id: _mark(Outcome.REJECTED, date(2026, 12, 1))}
    assert dates(hinted, marks=newer_mark)[GRACIOUS_REPLY] == date(2026, 12, 2)
    older_mark = {hinted.id: _mark(Outcome.REJECTED, date(2026, 11, 20))}
    assert GRACIOUS_REPLY not in dates(hinted, marks=older_mark)


def test_r7_outcome_hint_through_plan_events() -> None:
    event = SourceEvent(uid="r", summary="Interview with Acme", start=at(2026, 11, 19), end=at(2026, 11, 19, 15),
                        tzid=NY, description="Outcome: rejected 2026-11-30")
    (plan,) = plan_events([event], Settings(), default_tz=NY).interviews
    assert {r.kind: r.date for r in plan.reminders} == {
        THANK_YOU: date(2026, 11, 19), "follow-up-1": date(2026, 11, 27), GRACIOUS_REPLY: date(2026, 12, 1)}


# --- R8 and R9 through plan_events ----------------------------------------------------------------

def _event(uid: str, summary: str, **kw) -> SourceEvent:
    return SourceEvent(uid=uid, summary=summary, start=at(2026, 11, 19), end=at(2026, 11, 19, 15), tzid=NY, **kw)


def test_r8_skipped_events() -> None:
    me = Attendee("Me", "me@example.com", "DECLINED")
    events = [
        _event("keep", "Interview with Acme"),
        _event("cancelled", "Interview with Globex", status="CANCELLED"),
        _event("declined", "Interview with Initech", attendees=(me, Attendee("Jo", "jo@initech.example", "ACCEPTED"))),
        _event("someone-else-declined", "Interview with Hooli", attendees=(Attendee("Jo", "jo@hooli.example", "DECLINED"),)),
        _event("thank-you-abc@followcal", "Thank-you note: Interview with Acme", followcal_kind="thank-you"),
        _event("x@followcal", "Follow-up: Acme interview"),
        _event("marker-only", "Cut-off: Acme interview", followcal_kind="cut-off"),
    ]
    result = plan_events(events, Settings(me=("ME@example.com",)), default_tz=NY)
    assert sorted(p.interview.uid for p in result.interviews) == ["keep", "someone-else-declined"]


R9_TABLE = [
    ("Interview with Acme", (), True),
    ("Phone screen - Initech", (), True),
    ("Screening call with Hooli", (), True),
    ("Technical screen: Globex", (), True),
    ("Onsite at Umbrella", (), True),
    ("On-site at Umbrella", (), True),
    ("Hiring manager chat - Acme", (), True),
    ("Recruiter call with Hooli", (), True),
    ("INTERVIEW WITH ACME", (), True),
    ("Team lunch", ("Interview",), True),  # CATEGORIES match
    ("Team lunch", ("Job search",), False),
    ("Mock interview practice", (), False),
    ("Interview prep", (), False),
    ("Interview preparation with Sam", (), False),
    ("Practicing interview answers", (), False),
    ("Interview with Mockingbird Inc", (), True),  # a word inside a name is not an exclusion
    ("Interview with Prepaid Corp", (), True),
    ("Dentist", (), False),
]


@pytest.mark.parametrize("summary,categories,found", R9_TABLE, ids=[f"{r[0]}|{','.join(r[1])}" for r in R9_TABLE])
def test_r9_default_keywords(summary: str, categories: tuple[str, ...], found: bool) -> None:
    result = plan_events([_event("e", summary, categories=categories)], Settings(), default_tz=NY)
    assert bool(result.interviews) is found


def test_r9_configured_keywords_replace_the_defaults() -> None:
    rules = RuleSettings(keywords=("gespräch",), exclude=("probe",))
    events = [_event("de", "Vorstellungsgespräch Nordwind GmbH"), _event("en", "Interview with Acme"),
              _event("probe", "Probe-Gespräch mit Jo")]
    result = plan_events(events, Settings(rules=rules), default_tz=NY)
    assert [p.interview.uid for p in result.interviews] == ["de"]


def test_unknown_default_region_is_an_error_naming_it() -> None:
    from followcal.errors import UnknownRegionError

    with pytest.raises(UnknownRegionError, match="XX-NOPE"):
        plan_events([_event("e", "Interview with Acme")], Settings(region="XX-NOPE"), default_tz=NY)


def test_region_hint_and_company_config() -> None:
    from followcal.config import CompanyConfig

    settings = Settings(companies={"Vandelay": CompanyConfig("Vandelay", region="GB")})
    events = [
        _event("hint", "Interview with Acme", description="Region: de-by"),
        _event("company", "Interview with Vandelay"),
        _event("default", "Interview with Globex"),
        _event("bad-hint", "Interview with Hooli", description="Region: Atlantis"),
    ]
    result = plan_events(events, settings, default_tz=NY)
    regions = {p.interview.uid: p.interview.region for p in result.interviews}
    assert regions == {"hint": "DE-BY", "company": "GB", "default": "US", "bad-hint": "US"}
    assert any("Atlantis" in w and "bad-hint" in w for w in result.warnings)
