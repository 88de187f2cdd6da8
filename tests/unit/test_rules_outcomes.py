"""R7 in rules.schedule: each outcome's effect on a process's reminders (pure, no I/O).

The worked example of followup-rules.md: interview Thu 2026-11-19 14:00 New York, US; without an
outcome: thank-you 11-19 16:00, follow-up-1 Fri 11-27 (Thanksgiving skipped), follow-up-2 12-11,
cut-off 12-18.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings as hyp_settings, strategies as st

from followcal.config import RuleSettings, Settings
from followcal.core.model import Interview, Outcome, OutcomeRecord, Timeline, interview_id
from followcal.core.planner import calendar_for
from followcal.core.rules import Process, effective_outcome, processes, schedule

NY = ZoneInfo("America/New_York")
RULES = RuleSettings()
LOOKUP = calendar_for(Settings())
CHAIN = {"follow-up-1": date(2026, 11, 27), "follow-up-2": date(2026, 12, 11), "cut-off": date(2026, 12, 18)}


def interview(uid: str = "acme-1", day: date = date(2026, 11, 19), company: str = "Acme Corp",
              outcome: OutcomeRecord | None = None) -> Interview:
    start = datetime.combine(day, datetime.min.time(), NY).replace(hour=14)
    return Interview(
        id=interview_id(uid, None), uid=uid, recurrence_id=None, summary=f"Interview with {company}",
        company=company, role=None, start=start, end=start + timedelta(hours=1), timezone="America/New_York",
        region="US", outcome=outcome,
    )


def kinds(process: Process, marks: dict[str, OutcomeRecord] | None = None) -> dict[str, date]:
    """kind -> date of the latest interview's slots."""
    return {s.kind: s.date for s in schedule(process, RULES, LOOKUP, marks)[-1].slots}


def mark(outcome: Outcome, on: date, **kw) -> OutcomeRecord:
    return OutcomeRecord(outcome, on, source="mark", **kw)


ACME = interview()
ONE = Process("Acme Corp", (ACME,))


def test_no_outcome_is_the_worked_example() -> None:
    assert kinds(ONE) == {"thank-you": date(2026, 11, 19), **CHAIN}


@pytest.mark.parametrize("outcome", [Outcome.REPLIED, Outcome.OFFER, Outcome.ACCEPTED, Outcome.WITHDRAWN])
def test_outcome_ends_the_reminders_after_its_date(outcome: Outcome) -> None:
    got = kinds(ONE, {ACME.id: mark(outcome, date(2026, 12, 1))})
    assert got == {"thank-you": date(2026, 11, 19), "follow-up-1": date(2026, 11, 27)}


def test_outcome_before_any_follow_up_leaves_only_the_thank_you() -> None:
    assert kinds(ONE, {ACME.id: mark(Outcome.OFFER, date(2026, 11, 20))}) == {"thank-you": date(2026, 11, 19)}


def test_an_outcome_on_a_follow_up_day_keeps_that_follow_up() -> None:
    got = kinds(ONE, {ACME.id: mark(Outcome.WITHDRAWN, date(2026, 12, 11))})
    assert got == {"thank-you": date(2026, 11, 19), "follow-up-1": date(2026, 11, 27), "follow-up-2": date(2026, 12, 11)}


@pytest.mark.parametrize(
    ("on", "reply"),
    [
        (date(2026, 12, 1), date(2026, 12, 2)),  # Tue -> Wed
        (date(2026, 11, 27), date(2026, 11, 30)),  # Fri -> Mon
        (date(2026, 11, 25), date(2026, 11, 27)),  # Wed -> Fri: Thanksgiving (Thu) is skipped
        (date(2026, 11, 19), date(2026, 11, 20)),  # rejected on the interview day
    ],
)
def test_rejected_adds_a_gracious_reply_on_the_next_business_day(on: date, reply: date) -> None:
    scheduled = schedule(ONE, RULES, LOOKUP, {ACME.id: mark(Outcome.REJECTED, on)})[-1]
    slots = {s.kind: s for s in scheduled.slots}
    assert slots["gracious-reply"].date == reply
    assert slots["gracious-reply"].due == datetime.combine(reply, datetime.min.time(), NY).replace(hour=10)
    assert all(s.date <= on for k, s in slots.items() if k != "gracious-reply")
    assert "thank-you" in slots
    assert scheduled.outcome == mark(Outcome.REJECTED, on)


def test_replied_with_decision_by_restarts_the_chain_after_it() -> None:
    got = kinds(ONE, {ACME.id: mark(Outcome.REPLIED, date(2026, 12, 1), decision_by=date(2026, 12, 11))})
    # follow-up-1: first business day after Fri 12-11 = Mon 12-14; +10 business days (Christmas
    # skipped) = 12-29; +5 (New Year's Day skipped) = 01-06
    assert got == {"thank-you": date(2026, 11, 19), "follow-up-1": date(2026, 12, 14),
                   "follow-up-2": date(2026, 12, 29), "cut-off": date(2027, 1, 6)}


def test_replied_with_timeline_counts_from_the_reply() -> None:
    got = kinds(ONE, {ACME.id: mark(Outcome.REPLIED, date(2026, 12, 1), timeline=Timeline(2, "weeks"))})
    assert got["follow-up-1"] == date(2026, 12, 16)  # 12-15 + 1 business day


def test_replied_with_an_early_date_never_nudges_before_r2_allows() -> None:
    """R7: a stated timeline restarts R2, and R2 takes the later of its default and the date."""
    got = kinds(ONE, {ACME.id: mark(Outcome.REPLIED, date(2026, 11, 20), decision_by=date(2026, 11, 23))})
    assert got["follow-up-1"] == CHAIN["follow-up-1"]


def test_replied_with_a_past_decision_date_restarts_after_the_reply() -> None:
    got = kinds(ONE, {ACME.id: mark(Outcome.REPLIED, date(2026, 12, 9), decision_by=date(2026, 12, 1))})
    assert got["follow-up-1"] == date(2026, 12, 10)


def test_event_outcome_hint_works_like_a_mark() -> None:
    hinted = interview(outcome=OutcomeRecord(Outcome.REJECTED, date(2026, 12, 1)))
    got = kinds(Process("Acme Corp", (hinted,)))
    assert got == {"thank-you": date(2026, 11, 19), "follow-up-1": date(2026, 11, 27), "gracious-reply": date(2026, 12, 2)}


def test_newest_outcome_wins_and_a_mark_wins_a_tie() -> None:
    hinted = interview(outcome=OutcomeRecord(Outcome.REJECTED, date(2026, 12, 1)))
    process = Process("Acme Corp", (hinted,))
    assert effective_outcome(process, {hinted.id: mark(Outcome.OFFER, date(2026, 12, 1))}).outcome is Outcome.OFFER
    assert effective_outcome(process, {hinted.id: mark(Outcome.OFFER, date(2026, 11, 30))}).outcome is Outcome.REJECTED


def test_an_interview_after_the_outcome_continues_the_process() -> None:
    first, second = interview("acme-1"), interview("acme-2", date(2026, 12, 3))
    process = Process("Acme Corp", (first, second))
    marks = {first.id: mark(Outcome.REPLIED, date(2026, 11, 24))}  # "come for a second round"
    scheduled = schedule(process, RULES, LOOKUP, marks)
    assert [s.kind for s in scheduled[0].slots] == ["thank-you"]
    assert [s.kind for s in scheduled[1].slots] == ["thank-you", "follow-up-1", "follow-up-2", "cut-off"]
    assert scheduled[1].outcome is None


def test_a_mark_on_an_earlier_interview_applies_to_the_process() -> None:
    first, second = interview("acme-1"), interview("acme-2", date(2026, 12, 3))
    process = Process("Acme Corp", (first, second))
    scheduled = schedule(process, RULES, LOOKUP, {first.id: mark(Outcome.REJECTED, date(2026, 12, 8))})
    assert [s.kind for s in scheduled[0].slots] == ["thank-you"]
    assert [s.kind for s in scheduled[1].slots] == ["thank-you", "gracious-reply"]
    assert scheduled[0].outcome is None and scheduled[1].outcome.outcome is Outcome.REJECTED


def test_marks_of_other_companies_change_nothing() -> None:
    other = interview("globex-1", company="Globex")
    assert kinds(ONE, {other.id: mark(Outcome.REJECTED, date(2026, 11, 20))}) == {"thank-you": date(2026, 11, 19), **CHAIN}


def test_processes_group_by_company_regardless_of_outcomes() -> None:
    a1, a2, g1 = interview("acme-1"), interview("acme-2", date(2026, 12, 3)), interview("globex-1", company="Globex")
    procs = processes([g1, a2, a1], RULES, LOOKUP)
    assert sorted([i.uid for i in p.interviews] for p in procs) == [["acme-1", "acme-2"], ["globex-1"]]


@hyp_settings(max_examples=60, deadline=None)
@given(
    outcome=st.sampled_from(list(Outcome)),
    offset=st.integers(min_value=0, max_value=60),
    decided=st.one_of(st.none(), st.integers(min_value=-10, max_value=60)),
)
def test_outcome_properties(outcome: Outcome, offset: int, decided: int | None) -> None:
    """Whatever the outcome: the thank-you stays, nothing lands on a non-working day, kinds
    come in order, and only `replied` with a new date schedules anything after the outcome
    (besides the gracious reply)."""
    on = date(2026, 11, 19) + timedelta(days=offset)
    decision_by = on + timedelta(days=decided) if decided is not None and outcome is Outcome.REPLIED else None
    slots = schedule(ONE, RULES, LOOKUP, {ACME.id: mark(outcome, on, decision_by=decision_by)})[-1].slots
    calendar = LOOKUP("US")
    assert slots[0].kind == "thank-you"
    assert all(calendar.is_working_day(s.date) for s in slots if s.kind != "thank-you")
    assert [s.due for s in slots] == sorted(s.due for s in slots)
    later = [s for s in slots if s.date > on]
    if outcome is Outcome.REJECTED:
        assert [s.kind for s in later] == ["gracious-reply"]
    elif decision_by is None:
        assert later == []
    else:
        assert [s.kind for s in later][-1] == "cut-off"
        assert later[0].date > max(on, decision_by)
