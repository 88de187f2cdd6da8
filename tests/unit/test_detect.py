"""detect.py: hints, company/role from summaries, R8 skips, R9 detection, and detect() itself."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings as hyp_settings, strategies as st

from followcal.config import CompanyConfig, RuleSettings, Settings
from followcal.core.detect import Hints, company_and_role, company_from_email, detect, is_interview, parse_hints, skip_reason
from followcal.core.model import Attendee, Outcome, OutcomeRecord, Person, SourceEvent, Timeline, interview_id
from followcal.errors import UnknownRegionError

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
KNOWN_REGIONS = {"US", "US-CA", "GB", "DE", "DE-BY", "FR"}


def resolve(region: str) -> str:
    code = region.strip().upper()
    if code not in KNOWN_REGIONS:
        raise UnknownRegionError(region)
    return code


def event(**kw) -> SourceEvent:
    base = dict(
        uid="u1@test", summary="Interview with Acme Corp",
        start=datetime(2026, 11, 19, 14, 0, tzinfo=NY), end=datetime(2026, 11, 19, 15, 0, tzinfo=NY),
        origin="test.ics",
    )
    base.update(kw)
    return SourceEvent(**base)


def run(*events: SourceEvent, settings: Settings | None = None, tz: str = "America/New_York"):
    return detect(list(events), settings or Settings(), tz, resolve)


def one(ev: SourceEvent, settings: Settings | None = None, tz: str = "America/New_York"):
    interviews, warnings = run(ev, settings=settings, tz=tz)
    assert len(interviews) == 1, warnings
    return interviews[0], warnings


# --- parse_hints ------------------------------------------------------------------------------


def test_parse_hints_all_keys():
    text = (
        "Hi! Looking forward to talking.\n\n"
        "company: Acme Corp\r\n"
        "  - ROLE : Backend Engineer\n"
        "Round: Final\n"
        "Decision by: 2026-12-11\n"
        "Timeline: 2 weeks\n"
        "Region: DE-BY\n"
        "Interviewers: Jane Roe <Jane@Acme.example>, Sam Poe\n"
        "Zoom: https://zoom.example/j/1\n"
    )
    hints, problems = parse_hints(text)
    assert problems == []
    assert hints == Hints(
        company="Acme Corp", role="Backend Engineer", round="final",
        decision_by=date(2026, 12, 11), timeline=Timeline(2, "weeks"), region="DE-BY",
        interviewers=(Person("Jane Roe", "jane@acme.example"), Person("Sam Poe", None)),
    )


def test_parse_hints_empty_and_unrelated_text():
    assert parse_hints("") == (Hints(), [])
    assert parse_hints("Location: Room 4\nCompany:\nAgenda: intro") == (Hints(), [])


def test_parse_hints_html_breaks_and_last_line_wins():
    hints, problems = parse_hints("Company: Acme<br>Role: SRE<br/>Company: Acme Corp")
    assert (hints.company, hints.role) == ("Acme Corp", "SRE")
    assert problems == ["Company: given more than once; using the last ('Acme Corp')"]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2026-12-11", date(2026, 12, 11)),
        ("Dec 11, 2026", date(2026, 12, 11)),
        ("11 December 2026", date(2026, 12, 11)),
        ("Friday, December 11th, 2026", date(2026, 12, 11)),
        ("by Dec 11", date(2026, 12, 11)),  # year from the interview date
        ("Jan 8", date(2027, 1, 8)),  # nearest to the interview: next January
    ],
)
def test_decision_by_dates(value, expected):
    hints, problems = parse_hints(f"Decision by: {value}", reference=date(2026, 11, 19))
    assert problems == []
    assert hints.decision_by == expected


@pytest.mark.parametrize(
    "value, problem",
    [
        ("soonish", "Decision by: 'soonish' is not a date"),
        ("next week", "Decision by: 'next week' is not a date"),
        ("December", "Decision by: 'December' is not a date"),
        ("2026-02-30", "Decision by: '2026-02-30' is not a date"),
        ("12/11/2026", "Decision by: '12/11/2026' is not a date (write YYYY-MM-DD or name the month)"),
        ("9999-12-31", "Decision by: '9999-12-31' is too far from the interview date"),
    ],
)
def test_decision_by_rejects_guesses(value, problem):
    hints, problems = parse_hints(f"Decision by: {value}", reference=date(2026, 11, 19))
    assert hints.decision_by is None
    assert problems == [problem]


def test_date_without_year_needs_a_reference():
    hints, problems = parse_hints("Decision by: Dec 11")
    assert hints.decision_by is None
    assert problems == ["Decision by: 'Dec 11' has no year"]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2 weeks", Timeline(2, "weeks")),
        ("1 week", Timeline(1, "weeks")),
        ("two weeks", Timeline(2, "weeks")),
        ("a week", Timeline(1, "weeks")),
        ("10 business days", Timeline(10, "business days")),
        ("3 working days", Timeline(3, "business days")),
        ("within 5 workdays", Timeline(5, "business days")),
        ("5 days", Timeline(5, "days")),
        ("1 day", Timeline(1, "days")),
        ("2-3 weeks", Timeline(3, "weeks")),  # wait until the stated time is up
        ("about 2 weeks (recruiter said)", Timeline(2, "weeks")),
    ],
)
def test_timeline(value, expected):
    hints, problems = parse_hints(f"Timeline: {value}")
    assert (hints.timeline, problems) == (expected, [])


@pytest.mark.parametrize("value", ["soon", "a few weeks", "1 month", "0 days", "999 weeks"])
def test_timeline_problems(value):
    hints, problems = parse_hints(f"Timeline: {value}")
    assert hints.timeline is None
    assert len(problems) == 1 and problems[0].startswith(f"Timeline: {value!r}")


@pytest.mark.parametrize(
    "line, outcome, on, note",
    [
        ("Outcome: replied", Outcome.REPLIED, date(2026, 11, 25), None),
        ("Outcome: Rejected 2026-12-02", Outcome.REJECTED, date(2026, 12, 2), None),
        ("Outcome: offer on 2026-12-02", Outcome.OFFER, date(2026, 12, 2), None),
        ("Outcome: offer on Dec 3", Outcome.OFFER, date(2026, 12, 3), None),
        ("Outcome: rejected 2026-12-02 - went with an internal candidate", Outcome.REJECTED,
         date(2026, 12, 2), "went with an internal candidate"),
        ("Outcome: withdrawn, took another offer", Outcome.WITHDRAWN, date(2026, 11, 25),
         "took another offer"),
        ("Outcome: accepted", Outcome.ACCEPTED, date(2026, 11, 25), None),
    ],
)
def test_outcome(line, outcome, on, note):
    hints, problems = parse_hints(line, reference=date(2026, 11, 19), outcome_default=date(2026, 11, 25))
    assert problems == []
    assert hints.outcome == OutcomeRecord(outcome, on, note=note)


def test_outcome_problems():
    hints, problems = parse_hints("Outcome: ghosted", reference=date(2026, 11, 19))
    assert hints.outcome is None
    assert problems == ["Outcome: 'ghosted' is not one of replied, rejected, offer, accepted, withdrawn"]
    hints, problems = parse_hints("Outcome: rejected on 13/13/13", reference=date(2026, 11, 19))
    assert hints.outcome == OutcomeRecord(Outcome.REJECTED, date(2026, 11, 19))
    assert problems == ["Outcome: '13/13/13' is not a date (write YYYY-MM-DD or name the month)"]


def test_replied_carries_new_timeline():
    hints, _ = parse_hints(
        "Outcome: replied 2026-11-24\nTimeline: 10 business days\nDecision by: 2026-12-18",
        reference=date(2026, 11, 19),
    )
    assert hints.outcome == OutcomeRecord(
        Outcome.REPLIED, date(2026, 11, 24), decision_by=date(2026, 12, 18),
        timeline=Timeline(10, "business days"),
    )
    rejected, _ = parse_hints("Outcome: rejected 2026-11-24\nTimeline: 1 week", reference=date(2026, 11, 19))
    assert rejected.outcome.timeline is None and rejected.timeline == Timeline(1, "weeks")


@pytest.mark.parametrize(
    "value, people",
    [
        ("Jane Roe <jane@acme.example>, Sam Poe",
         (Person("Jane Roe", "jane@acme.example"), Person("Sam Poe", None))),
        ("jane@acme.example; \"Sam Poe\" <SAM@acme.example>",
         (Person(None, "jane@acme.example"), Person("Sam Poe", "sam@acme.example"))),
        ("Jane Roe and Sam Poe", (Person("Jane Roe", None), Person("Sam Poe", None))),
        ("Jane <jane@a.example>, J. Roe <JANE@a.example>", (Person("Jane", "jane@a.example"),)),
    ],
)
def test_interviewers_hint(value, people):
    assert parse_hints(f"Interviewers: {value}")[0].interviewers == people


@pytest.mark.parametrize("value, expected", [("Final", "final"), ("second round", "second"),
                                             ("  FIRST ", "first"), ("2nd", "2nd")])
def test_round_hint(value, expected):
    assert parse_hints(f"Round: {value}")[0].round == expected


# --- company_and_role -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "summary, expected",
    [
        ("Interview with Acme Corp", ("Acme Corp", None)),
        ("Interview with Acme Corp – Backend Engineer", ("Acme Corp", "Backend Engineer")),
        ("Interview with Acme Corp — Backend Engineer", ("Acme Corp", "Backend Engineer")),
        ("Acme Corp interview", ("Acme Corp", None)),
        ("Acme Corp - Interview", ("Acme Corp", None)),
        ("Interview: Acme Corp", ("Acme Corp", None)),
        ("Acme Corp: Interview", ("Acme Corp", None)),
        ("Phone screen with Globex", ("Globex", None)),
        ("Onsite at Initech", ("Initech", None)),
        ("Onsite interview with Initech", ("Initech", None)),
        ("Technical screen with Hooli", ("Hooli", None)),
        ("Recruiter call with Pied Piper", ("Pied Piper", None)),
        ("Hiring manager interview with Umbrella", ("Umbrella", None)),
        ("Final round interview with Wayne Enterprises", ("Wayne Enterprises", None)),
        ("Screening call with Stark Industries", ("Stark Industries", None)),
        ("Acme Corp | Staff SRE interview", ("Acme Corp", "Staff SRE")),
        ("Staff SRE interview | Acme Corp", ("Acme Corp", "Staff SRE")),
        ("Interview - Acme Corp - Senior Backend Engineer", ("Acme Corp", "Senior Backend Engineer")),
        ("Backend Engineer – Acme Corp – Onsite", ("Acme Corp", "Backend Engineer")),
        ("Acme Corp interview – Backend Engineer", ("Acme Corp", "Backend Engineer")),
        ("Google onsite (final round)", ("Google", None)),
        ("Stripe phone screen", ("Stripe", None)),
        ("Phone screen w/ Stripe", ("Stripe", None)),
        ("Recruiter call - Datadog", ("Datadog", None)),
        ("Coding interview — Jane Street", ("Jane Street", None)),
        ("Interview with Jane Roe at Acme", ("Acme", None)),
        ("Call with a recruiter from Acme", ("Acme", None)),
        ("Interview with Acme at 3pm", ("Acme", None)),
        ("Interview with Acme Corp (Zoom)", ("Acme Corp", None)),
        ("Phone screen: Acme Corp (Backend Engineer)", ("Acme Corp", "Backend Engineer")),
        ("Interview with Acme Corp for the Staff Engineer role", ("Acme Corp", "Staff Engineer")),
        ("Engineering Manager interview at Acme", ("Acme", "Engineering Manager")),
        ("Hiring Manager Interview - Acme - Product Manager", ("Acme", "Product Manager")),
        ("[Acme] Technical Interview #2", ("Acme", None)),
        ("Zoom interview: Acme", ("Acme", None)),
        ("Re: Interview with Acme", ("Acme", None)),
        ("Second interview with Bank of America", ("Bank of America", None)),
        ("Interview with AT&T", ("AT&T", None)),
        ("interview with acme corp", ("acme corp", None)),  # the company's own case is kept
        ("Interview", (None, None)),
        ("Dentist", (None, None)),
        ("", (None, None)),
    ],
)
def test_company_and_role(summary, expected):
    assert company_and_role(summary) == expected


@pytest.mark.parametrize(
    "email, expected",
    [
        # issue 12: the registrable domain's name, title-cased (followup-rules.md "Hints")
        ("jane@acme.example", "Acme"),
        ("mailto:Jane@Talent.ACME.com", "Acme"),
        ("talent@weyland-yutani.co.uk", "Weyland-Yutani"), ("jobs@sap.de", "Sap"),
        ("x@gmail.com", None), ("x@googlemail.com", None), ("x@outlook.com", None),
        ("x@hotmail.de", None), ("x@yahoo.co.uk", None), ("x@icloud.com", None), ("x@me.com", None),
        ("x@mac.com", None), ("x@aol.com", None), ("x@proton.me", None), ("x@protonmail.com", None),
        ("x@gmx.net", None), ("x@web.de", None), ("x@mail.com", None), ("x@yandex.ru", None),
        ("x@zoho.com", None), ("x@fastmail.com", None), ("x@live.com", None), ("x@msn.com", None),
        ("no-reply@greenhouse.io", None), ("c_123@group.calendar.google.com", None),
        ("jane@mail.acme.example", "Acme"),
        ("no-reply@hire.lever.co", None), ("x@ashbyhq.com", None), ("acme@myworkday.com", None),
        ("not an email", None), ("", None), (None, None), ("a@b@c", None),
    ],
)
def test_company_from_email(email, expected):
    assert company_from_email(email) == expected


# --- R9 is_interview, R8 skip_reason ------------------------------------------------------------


@pytest.mark.parametrize(
    "summary, categories, expected",
    [
        ("Interview with Acme", (), True),
        ("INTERVIEW", (), True),
        ("Phone screen - Globex", (), True),
        ("Onsite at Initech", (), True),
        ("On-site, Initech", (), True),
        ("Chat with Jane", ("Interview",), True),
        ("Chat with Jane", ("Work",), False),
        ("Dentist", (), False),
        ("Interview prep", (), False),
        ("Mock interview with Sam", (), False),
        ("Practice interview", (), False),
        ("Interview preparation", (), False),  # inflections of "prep" count
        ("Prepping for the Acme interview", (), False),
        ("Practising interviews", (), False),
        ("Interview with Mockingbird Inc", (), True),  # no whole-word "mock"
        ("Interview with Prepaid Cards Ltd", (), True),
        ("Acme interview", ("prep",), False),
    ],
)
def test_is_interview_defaults(summary, categories, expected):
    assert is_interview(event(summary=summary, categories=categories), RuleSettings()) is expected


def test_is_interview_configured_lists():
    rules = RuleSettings(keywords=("vorstellungsgespräch", "call"), exclude=("dry run",))
    assert is_interview(event(summary="Vorstellungsgespräch bei Acme"), rules)
    assert is_interview(event(summary="Call with Acme"), rules)
    assert not is_interview(event(summary="Interview with Acme"), rules)  # list replaced
    assert not is_interview(event(summary="Call with Acme: dry runs"), rules)
    assert is_interview(event(summary="Mock call"), rules)  # "mock" no longer excluded


ME = ("me@example.com",)


@pytest.mark.parametrize(
    "kw, expected",
    [
        ({}, None),
        ({"status": "CANCELLED"}, "cancelled"),
        ({"status": "cancelled"}, "cancelled"),
        ({"status": "CONFIRMED"}, None),
        ({"attendees": (Attendee("Me", "ME@example.com", "DECLINED"),)}, "declined"),
        ({"attendees": (Attendee("Me", "mailto:me@example.com", "declined"),)}, "declined"),
        ({"attendees": (Attendee("Me", "me@example.com", "ACCEPTED"),)}, None),
        ({"attendees": (Attendee("Jane", "jane@acme.example", "DECLINED"),)}, None),
        ({"followcal_kind": "thank-you"}, "followcal reminder"),
        ({"uid": "thank-you-abc@followcal", "status": "CANCELLED"}, "followcal reminder"),
    ],
)
def test_skip_reason(kw, expected):
    assert skip_reason(event(**kw), ME) == expected


# --- detect -----------------------------------------------------------------------------------


def test_aware_event_keeps_its_zone():
    iv, warnings = one(event(tzid="America/New_York"))
    assert warnings == []
    assert iv.id == interview_id("u1@test", None)
    assert (iv.company, iv.role, iv.region, iv.timezone) == ("Acme Corp", None, "US", "America/New_York")
    assert iv.start == datetime(2026, 11, 19, 14, 0, tzinfo=NY) and iv.start.tzinfo == NY
    assert iv.end - iv.start == timedelta(hours=1)
    assert (iv.all_day, iv.final, iv.round, iv.origin) == (False, False, None, "test.ics")


def test_aware_zone_without_tzid_and_windows_tzid():
    start = datetime(2026, 11, 19, 10, 0, tzinfo=BERLIN)
    for tzid in (None, "W. Europe Standard Time"):  # not an IANA name: the ZoneInfo key is used
        iv, _ = one(event(start=start, end=start + timedelta(hours=1), tzid=tzid))
        assert iv.timezone == "Europe/Berlin"
        assert (iv.start.hour, iv.start.tzinfo) == (10, BERLIN)


def test_tzid_wins_over_the_datetime_zone():
    start = datetime(2026, 11, 19, 19, 0, tzinfo=ZoneInfo("Europe/London"))
    iv, _ = one(event(start=start, end=None, tzid="America/New_York"))
    assert (iv.timezone, iv.start.hour, iv.end) == ("America/New_York", 14, iv.start)


def test_floating_time_uses_default_tz():
    iv, _ = one(event(start=datetime(2026, 11, 19, 9, 30), end=datetime(2026, 11, 19, 10, 30)),
                tz="Europe/Berlin")
    assert iv.timezone == "Europe/Berlin"
    assert iv.start == datetime(2026, 11, 19, 9, 30, tzinfo=BERLIN)
    assert iv.end == datetime(2026, 11, 19, 10, 30, tzinfo=BERLIN)


@pytest.mark.parametrize("utc", [UTC, ZoneInfo("UTC"), ZoneInfo("Etc/UTC"),
                                 timezone(timedelta(0))])
def test_utc_is_a_transport_form(utc):
    start = datetime(2026, 11, 20, 3, 0, tzinfo=utc)  # 22:00 the evening before in New York
    iv, _ = one(event(start=start, end=start + timedelta(hours=1)))
    assert iv.timezone == "America/New_York"
    assert iv.start == datetime(2026, 11, 19, 22, 0, tzinfo=NY) and iv.start.date() == date(2026, 11, 19)


def test_utc_with_tzid_uses_tzid():
    start = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)
    iv, _ = one(event(start=start, end=None, tzid="Europe/Berlin"), tz="America/New_York")
    assert (iv.timezone, iv.start.hour) == ("Europe/Berlin", 10)


def test_fixed_offset_goes_to_default_tz():
    start = datetime(2026, 11, 19, 14, 0, tzinfo=timezone(timedelta(hours=-5)))
    iv, _ = one(event(start=start, end=None), tz="America/Chicago")
    assert (iv.timezone, iv.start.hour) == ("America/Chicago", 13)


def test_all_day():
    iv, _ = one(event(start=date(2026, 11, 19), end=date(2026, 11, 21)), tz="Europe/Berlin")
    assert iv.all_day and iv.timezone == "Europe/Berlin"
    assert iv.start == datetime(2026, 11, 19, 0, 0, tzinfo=BERLIN)
    assert iv.end == datetime(2026, 11, 21, 0, 0, tzinfo=BERLIN)
    iv, _ = one(event(start=date(2026, 11, 19), end=None))
    assert iv.end == datetime(2026, 11, 20, 0, 0, tzinfo=NY)


def test_all_day_on_dst_change_ends_at_next_midnight():
    iv, _ = one(event(start=date(2026, 11, 1), end=None))  # US DST ends on Nov 1, 2026
    assert iv.end == datetime(2026, 11, 2, 0, 0, tzinfo=NY)
    assert iv.end.astimezone(UTC) - iv.start.astimezone(UTC) == timedelta(hours=25)


def test_end_before_start_warns_and_uses_start():
    start = datetime(2026, 11, 19, 14, 0, tzinfo=NY)
    iv, warnings = one(event(start=start, end=start - timedelta(hours=1)))
    assert iv.end == iv.start
    assert warnings == ["event u1@test: ends before it starts; using its start as its end"]


def test_company_precedence():
    hint = event(description="Company: Hint Co")
    assert one(hint)[0].company == "Hint Co"
    org = event(summary="Interview", organizer=Person("Jane", "jane@globex.example"))
    assert one(org)[0].company == "Globex"  # issue 12: the domain's name, not the domain
    public = event(summary="Interview", organizer=Person("Jane", "jane@gmail.com"))
    assert one(public)[0].company == "Interview"
    role = event(summary="Interview with Acme – SRE", description="Role: Staff SRE")
    assert one(role)[0].role == "Staff SRE"
    assert one(event(summary="Interview with Acme – SRE"))[0].role == "SRE"


def test_region_precedence():
    cfg = Settings(region="GB", companies={"Acme Corp": CompanyConfig("Acme Corp", region="DE-BY")})
    assert one(event(), settings=cfg)[0].region == "DE-BY"  # company beats the default
    assert one(event(description="Region: fr"), settings=cfg)[0].region == "FR"  # hint beats company
    assert one(event(summary="Interview with Globex"), settings=cfg)[0].region == "GB"
    assert one(event(summary="Interview with Globex"))[0].region == "US"
    company_without_region = Settings(companies={"Acme Corp": CompanyConfig("Acme Corp")}, region="DE")
    assert one(event(), settings=company_without_region)[0].region == "DE"


def test_unknown_hint_region_warns_and_falls_through():
    cfg = Settings(region="GB")
    iv, warnings = one(event(description="Region: Atlantis"), settings=cfg)
    assert iv.region == "GB"
    assert warnings == ["event u1@test: Region: unknown region 'Atlantis'; ignored"]


def test_unknown_default_region_is_a_usage_error():
    with pytest.raises(UnknownRegionError):
        run(event(), settings=Settings(region="XX"))
    bad_company = Settings(companies={"acme corp": CompanyConfig("acme corp", region="Narnia")})
    with pytest.raises(UnknownRegionError):
        run(event(), settings=bad_company)


def test_resolve_region_called_once_per_value():
    calls: list[str] = []

    def counting(region: str) -> str:
        calls.append(region)
        return resolve(region)

    events = [event(uid=f"u{i}") for i in range(5)]
    detect(events, Settings(), "America/New_York", counting)
    assert calls == ["US"]


def test_interviewers_from_attendees_minus_me():
    ev = event(
        organizer=Person("Recruiter", "mailto:Rita@Acme.example"),
        attendees=(
            Attendee("Me Myself", "ME@example.com", "ACCEPTED"),
            Attendee("Jane Roe", "mailto:Jane@Acme.example", "ACCEPTED"),
            Attendee(None, "sam@acme.example", "NEEDS-ACTION"),
            Attendee("Jane again", "jane@acme.example", "ACCEPTED"),
            Attendee("Bob", "bob@acme.example", "DECLINED"),
            Attendee("Room 4", "c_1@resource.calendar.google.com", "ACCEPTED"),
            Attendee("rita@acme.example", "rita@acme.example", "ACCEPTED"),
        ),
    )
    iv, _ = one(ev, settings=Settings(me=("me@example.com",)))
    assert iv.interviewers == (
        Person("Jane Roe", "jane@acme.example"),
        Person(None, "sam@acme.example"),
        Person(None, "rita@acme.example"),
    )


def test_organizer_is_me_and_hint_overrides_attendees():
    ev = event(organizer=Person("Me", "me@example.com"), attendees=(Attendee("Jane", "jane@acme.example"),))
    assert one(ev, settings=Settings(me=("me@example.com",)))[0].interviewers == (Person("Jane", "jane@acme.example"),)
    ev = event(description="Interviewers: Sam Poe", attendees=(Attendee("Jane", "jane@acme.example"),))
    assert one(ev)[0].interviewers == (Person("Sam Poe", None),)


@pytest.mark.parametrize(
    "summary, description, final, round_",
    [
        ("Interview with Acme", "", False, None),
        ("Final round interview with Acme", "", True, "final"),
        ("Acme - final interview", "", True, "final"),
        ("Interview with Acme", "This is the FINAL ROUND.", True, "final"),
        ("Interview with Acme", "Round: final", True, "final"),
        ("Interview with Acme", "Round: second", False, "second"),
        ("Interview with Acme", "Final thoughts: none", False, None),
    ],
)
def test_final_round(summary, description, final, round_):
    iv, _ = one(event(summary=summary, description=description))
    assert (iv.final, iv.round) == (final, round_)


def test_hints_reach_the_interview():
    ev = event(description="Decision by: Dec 11\nTimeline: 2 weeks\nOutcome: replied",
               stamp=datetime(2026, 11, 25, 3, 0, tzinfo=UTC))
    iv, warnings = one(ev)
    assert warnings == []
    assert iv.decision_by == date(2026, 12, 11) and iv.timeline == Timeline(2, "weeks")
    # the stamp (03:00 UTC) is Nov 24 in New York
    assert iv.outcome == OutcomeRecord(Outcome.REPLIED, date(2026, 11, 24), decision_by=date(2026, 12, 11),
                                       timeline=Timeline(2, "weeks"), recorded_on=date(2026, 11, 24))
    assert iv.stamp == ev.stamp
    no_stamp, _ = one(event(description="Outcome: rejected"))
    assert no_stamp.outcome == OutcomeRecord(Outcome.REJECTED, date(2026, 11, 19))


def test_bad_hints_warn_and_are_ignored():
    ev = event(description="Decision by: soonish\nTimeline: forever\nOutcome: ghosted")
    iv, warnings = one(ev)
    assert (iv.decision_by, iv.timeline, iv.outcome) == (None, None, None)
    assert warnings == [
        "event u1@test: Decision by: 'soonish' is not a date",
        "event u1@test: Timeline: 'forever' is not N days, N business days or N weeks",
        "event u1@test: Outcome: 'ghosted' is not one of replied, rejected, offer, accepted, withdrawn",
    ]


def test_skips_are_silent():
    events = [
        event(uid="a", status="CANCELLED"),
        event(uid="b", attendees=(Attendee("Me", "me@example.com", "DECLINED"),)),
        event(uid="c", followcal_kind="thank-you"),
        event(uid="d@followcal"),
        event(uid="e", summary="Dentist"),
        event(uid="f", summary="Interview prep"),
        event(uid="g"),
    ]
    interviews, warnings = run(*events, settings=Settings(me=("me@example.com",)))
    assert [i.uid for i in interviews] == ["g"] and warnings == []


def test_broken_event_is_skipped_and_neighbours_survive():
    good1 = event(uid="good1", start=datetime(2026, 11, 20, 9, 0, tzinfo=NY), end=None)
    broken = event(uid="broken", start="tomorrow-ish", end=None)
    good2 = event(uid="good2", start=datetime(2026, 11, 18, 9, 0, tzinfo=NY), end=None)
    interviews, warnings = run(good1, broken, good2)
    assert [i.uid for i in interviews] == ["good2", "good1"]
    assert len(warnings) == 1 and warnings[0].startswith("skipped event broken (test.ics): ")


def test_sorted_by_start_uid_recurrence():
    t = datetime(2026, 11, 19, 14, 0, tzinfo=NY)
    events = [
        event(uid="b", start=t, end=None),
        event(uid="a", start=t, end=None, recurrence_id=datetime(2026, 11, 19, 19, 0, tzinfo=UTC)),
        event(uid="a", start=t, end=None, recurrence_id=None),
        event(uid="c", start=t - timedelta(days=1), end=None),
        event(uid="a", start=t, end=None, recurrence_id=date(2026, 11, 19)),
    ]
    interviews, _ = run(*events)
    assert [(i.uid, i.recurrence_id) for i in interviews] == [
        ("c", None), ("a", None), ("a", date(2026, 11, 19)),
        ("a", datetime(2026, 11, 19, 19, 0, tzinfo=UTC)), ("b", None),
    ]
    assert len({i.id for i in interviews}) == 5


def test_same_event_from_two_sources_counts_once_newest_wins():
    old = event(uid="x", summary="Interview with Acme", stamp=datetime(2026, 11, 1, tzinfo=UTC),
                origin="a.ics")
    new = event(uid="x", summary="Interview with Acme Corp", stamp=datetime(2026, 11, 2, tzinfo=UTC),
                origin="b.ics")
    interviews, _ = run(old, new)
    assert [(i.company, i.origin) for i in interviews] == [("Acme Corp", "b.ics")]
    cancelled = event(uid="x", status="CANCELLED", stamp=datetime(2026, 11, 3, tzinfo=UTC))
    assert run(old, new, cancelled)[0] == []


def test_bad_default_tz_is_a_usage_error():
    from followcal.errors import UsageError

    with pytest.raises(UsageError):
        run(event(), tz="Mars/Olympus")


# --- properties -------------------------------------------------------------------------------

_hint_line = st.sampled_from(
    ["Company: ", "Role: ", "Round: ", "Decision by: ", "Timeline: ", "Region: ", "Interviewers: ",
     "Outcome: ", "outcome: replied ", "Decision by: 20", "Timeline: 9"]
)
_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
_description = st.lists(st.one_of(_text, st.builds(lambda k, v: k + v, _hint_line, _text)), max_size=8).map(
    "\n".join
)
_start = st.one_of(
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1)),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1),
                 timezones=st.sampled_from([UTC, NY, BERLIN, ZoneInfo("Asia/Kolkata")])),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 1, 1)),
)


@hyp_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    summary=st.one_of(_text, _text.map(lambda s: "Interview " + s), _text.map(lambda s: s + " interview")),
    description=_description,
    start=_start,
    tzid=st.sampled_from([None, "Europe/Berlin", "Not/AZone", ""]),
)
def test_detect_never_raises_and_is_deterministic(summary, description, start, tzid):
    ev = event(summary=summary, description=description, start=start, end=None, tzid=tzid,
               organizer=Person(None, "jane@acme.example"),
               attendees=(Attendee("Jane", "jane@acme.example"), Attendee("Me", "me@example.com")))
    cfg = Settings(me=("me@example.com",))
    first = detect([ev, event(uid="other")], cfg, "America/New_York", resolve)
    second = detect([ev, event(uid="other")], cfg, "America/New_York", resolve)
    assert first == second
    interviews, warnings = first
    assert "other" in [i.uid for i in interviews]  # a neighbour is never lost
    for iv in interviews:
        assert iv.start.tzinfo is not None and iv.end >= iv.start
        assert iv.company and iv.region in KNOWN_REGIONS
        assert str(iv.start.tzinfo) == iv.timezone
    assert not any(w.startswith("skipped event") for w in warnings), warnings
