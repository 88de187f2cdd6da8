"""Properties of the planner over random interviews (hypothesis): follow-ups and cut-offs fall on
working days of the employer's region, kinds come in order, the thank-you is due within 24 h of
the end, and the same input gives the same plan and byte-identical .ics output."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings, strategies as st

from followcal.config import RuleSettings, Settings
from followcal.core.model import CUT_OFF, THANK_YOU, SourceEvent, kind_order
from followcal.core.planner import plan_events
from followcal.core.workdays import work_calendar
from followcal.ical import read as ics

ZONES = ("America/New_York", "America/Los_Angeles", "Europe/London", "Europe/Berlin", "Asia/Tokyo", "UTC")
REGIONS = ("US", "US-CA", "GB", "DE-BY")
COMPANIES = ("Acme Corp", "Globex", "Initech")


@st.composite
def interview_events(draw, index: int) -> SourceEvent:
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    local = draw(st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31, 23, 59)))
    start = local.replace(second=0, microsecond=0, tzinfo=zone)
    minutes = draw(st.integers(min_value=15, max_value=8 * 60))
    company = draw(st.sampled_from(COMPANIES))
    region = draw(st.sampled_from(REGIONS))
    lines = [f"Company: {company}", f"Region: {region}"]
    if draw(st.booleans()):
        lines.append("Round: final")
    stated = draw(st.sampled_from(["", "decision", "timeline"]))
    if stated == "decision":
        offset = draw(st.integers(min_value=-5, max_value=40))
        lines.append(f"Decision by: {(start.date() + timedelta(days=offset)).isoformat()}")
    elif stated == "timeline":
        amount = draw(st.integers(min_value=1, max_value=6))
        lines.append(f"Timeline: {amount} {draw(st.sampled_from(['days', 'business days', 'weeks']))}")
    return SourceEvent(
        uid=f"ev-{index}@test", summary=f"Interview with {company}", start=start,
        end=start + timedelta(minutes=minutes), tzid=zone.key, description="\n".join(lines),
        stamp=datetime(2024, 1, 1, tzinfo=UTC),
    )


@st.composite
def scenarios(draw):
    count = draw(st.integers(min_value=1, max_value=4))
    events = [draw(interview_events(i)) for i in range(count)]
    rules = RuleSettings(max_follow_ups=draw(st.integers(min_value=0, max_value=5)))
    return events, Settings(rules=rules)


def plan(events, settings_):
    return plan_events(events, settings_, default_tz="America/New_York")


PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(scenarios())
def test_follow_ups_and_cut_off_fall_on_working_days(scenario) -> None:
    events, settings_ = scenario
    result = plan(events, settings_)
    assert len(result.interviews) == len(events)
    for p in result.interviews:
        calendar = work_calendar(p.interview.region)
        for r in p.reminders:
            if r.kind.startswith("follow-up-") or r.kind == CUT_OFF:
                assert calendar.is_working_day(r.date), (r.kind, r.date, p.interview.region)
                assert r.due.date() == r.date
                assert r.due.tzinfo.key == p.interview.timezone


@PROPS
@given(scenarios())
def test_kinds_in_order_and_thank_you_within_a_day(scenario) -> None:
    events, settings_ = scenario
    result = plan(events, settings_)
    with_chain = 0
    for p in result.interviews:
        kinds = [r.kind for r in p.reminders]
        assert kinds[0] == THANK_YOU and kinds.count(THANK_YOU) == 1
        by_due = sorted(p.reminders, key=lambda r: r.due)
        orders = [kind_order(r.kind) for r in by_due]
        assert orders == sorted(set(orders)), [(r.kind, r.due) for r in by_due]  # strictly increasing
        dates = [r.date for r in by_due]
        assert dates == sorted(dates)
        thanks = p.reminders[0]
        gap = thanks.due - p.interview.end
        assert timedelta(0) < gap <= timedelta(hours=24), (p.interview.end, thanks.due)
        if CUT_OFF in kinds:
            with_chain += 1
            assert kinds[1:] == [f"follow-up-{n}" for n in range(1, settings_.rules.max_follow_ups + 1)] + [CUT_OFF]
    # R6: exactly one chain per process; at least one process exists
    assert 1 <= with_chain <= len(result.interviews)


@PROPS
@given(scenarios())
def test_same_input_same_output(scenario) -> None:
    events, settings_ = scenario
    first, second = plan(events, settings_), plan(list(reversed(events)), settings_)
    assert first == second
    assert ics.calendar_bytes(first.reminders) == ics.calendar_bytes(second.reminders)
    warned = any("max_follow_ups" in w for w in first.warnings)
    assert warned is (settings_.rules.max_follow_ups > 2)
