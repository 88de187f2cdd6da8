"""Issue 12 building blocks: the company shapes of scheduling tools (companies.py), who the
user is (identity.py), R9 with its reasons (detect.classify), and what `plan` shows of them
(`me` in --json, one `-v` line per event)."""

from __future__ import annotations

import json
import socket
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from followcal.cli.commands import cli
from followcal.config import RuleSettings, Settings
from followcal.core.companies import company_and_role, company_from_description
from followcal.core.company_domains import company_from_email, name_from_domain, registrable_label
from followcal.core.detect import classify, detect, resolve_company, resolve_me
from followcal.core.identity import infer_me, owner_address
from followcal.core.model import Attendee, Person, SourceEvent

NY = ZoneInfo("America/New_York")
ME = "jordan.lee@gmail.com"


def ev(summary: str, organizer: str | None = None, attendees: tuple[str, ...] = (ME,),
       description: str = "", uid: str = "u@test", **kw) -> SourceEvent:
    def person(text: str) -> tuple[str | None, str]:
        if "<" in text:
            name, email = text.rsplit("<", 1)
            return name.strip(), email.rstrip(">")
        return None, text
    org = Person(*person(organizer)) if organizer else None
    people = tuple(Attendee(*person(a), "ACCEPTED") for a in attendees)
    return SourceEvent(uid=uid, summary=summary, start=datetime(2026, 11, 19, 14, tzinfo=NY),
                       end=datetime(2026, 11, 19, 15, tzinfo=NY), organizer=org, attendees=people,
                       description=description, **kw)


# --- the examples -------------------------------------------------------------------

@pytest.mark.parametrize("event, company", [
    (ev("Alex Kim <> Notion | Final Interview", "Notion <no-reply@goodtime.io>",
        ("Alex Kim <alex.kim@gmail.com>", "Priya <priya@makenotion.com>")), "Notion"),
    (ev("Interview: Product Designer", "Maya Chen <no-reply@hire.lever.co>",
        description="Thanks for your interest in Figma!"), "Figma"),
    (ev("Interview", "Bluefin Labs Careers <careers@bluefinlabs.com>"), "Bluefin Labs"),
    (ev("Interview", "careers@bluefinlabs.com"), "Bluefinlabs"),
    (ev("Phone Screen between Jordan Lee and Rachel Green", "Rachel Green <rachel.green@airtable.com>",
        ("Jordan Lee <jordan.lee@gmail.com>", "Rachel Green <rachel.green@airtable.com>")), "Airtable"),
    (ev("Invitation: Phone Screen: Jordan Lee / Stripe @ Thu Nov 19, 2026 2pm - 2:30pm (EST) "
        "(jordan.lee@gmail.com)", "Sam <sortiz@stripe.com>", ("Jordan Lee <jordan.lee@gmail.com>",)), "Stripe"),
    (ev("Updated invitation: Interview with Acme @ Thu Nov 19, 2026 2pm - 3pm (EST) (me@x.com)"), "Acme"),
    (ev("Interview", "Workday <acme@myworkday.com>",
        description="Black Mesa would like to invite you to an interview."), "Black Mesa"),
    (ev("Interview with Jordan Lee", "scheduling@modernloop.io", ("Jordan Lee <jordan.lee@gmail.com>",),
        description="On behalf of Brex, thank you."), "Brex"),
    (ev("Fwd: Interview with Hooli - Backend Engineer"), "Hooli"),
    (ev("FW: Interview - Initech - Senior Analyst"), "Initech"),
    (ev("Onsite loop - Soylent Corp (day 1)"), "Soylent Corp"),
    (ev("Interview with Ramp - Round 2"), "Ramp"),
    (ev("Interview with Umbrella Corp talent team"), "Umbrella Corp"),
    (ev("Virtual Onsite: Wayne Enterprises"), "Wayne Enterprises"),
    (ev("Bewerbungsgespräch mit Siemens"), "Siemens"),
    (ev("Interview", "jobs@sap.de", description="SAP interview"), "SAP"),
    (ev("Interview", "Anna <anna@weyland-yutani.co.uk>"), "Weyland-Yutani"),
    (ev("一次面接（株式会社メルカリ）"), "株式会社メルカリ"),
    (ev("Entrevista con Telefónica"), "Telefónica"), (ev("Entrevista - Telefónica"), "Telefónica"),
    (ev("Interview with Spark"), "Spark"), (ev("Interview with Visa"), "Visa"),
], ids=lambda x: x.summary[:40] if isinstance(x, SourceEvent) else x)
def test_company_shapes(event: SourceEvent, company: str) -> None:
    names = ("Jordan Lee", "Alex Kim")
    assert resolve_company(event, (ME, "alex.kim@gmail.com"), names)[0] == company


@pytest.mark.parametrize("email, label", [
    ("a@talent.weyland-yutani.co.uk", "weyland-yutani"), ("a@jobs.sap.de", "sap"),
    ("a@acme.example", "acme"), ("a@nubank.com.br", "nubank"), ("a@cybozu.co.jp", "cybozu"),
])
def test_registrable_label_offline(email: str, label: str) -> None:
    assert registrable_label(email.split("@")[1]) == label


def test_tldextract_never_fetches(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundled public-suffix snapshot: no socket is opened."""
    from followcal.core import company_domains as companies

    companies._extractor.cache_clear()

    def no_network(*_a, **_k):
        raise AssertionError("network used")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    assert company_from_email("hr@bbc.co.uk") == "Bbc"
    companies._extractor.cache_clear()


@pytest.mark.parametrize("email", ["no-reply@greenhouse.io", "x@hire.lever.co", "n@ashbyhq.com",
                                   "s@goodtime.io", "a@myworkday.com", "c@calendly.com",
                                   "calendar-notification@google.com", "x@gmail.com", "x@libero.it",
                                   "no-reply@zoom.us", "invitations@linkedin.com"])
def test_service_domains_are_never_the_company(email: str) -> None:
    assert company_from_email(email) is None


def test_big_tech_employees_are_the_company() -> None:
    assert company_from_email("jane@google.com") == "Google"
    assert company_from_email("sam@microsoft.com") == "Microsoft"


def test_the_users_name_is_never_the_company() -> None:
    assert company_and_role("Jane Doe <> Stripe | Technical Interview", ["Jane Doe"])[0] == "Stripe"
    assert company_and_role("Interview with Jane Doe", ["Jane Doe"]) == (None, None)


def test_description_patterns() -> None:
    assert company_from_description("Thank you for your interest in Aperture Science.") == "Aperture Science"
    assert company_from_description("Die Infineon Technologies möchte Sie einladen") == "Die Infineon Technologies" \
        or company_from_description("Infineon Technologies möchte Sie einladen") == "Infineon Technologies"
    assert company_from_description("Merci pour votre intérêt pour Doctolib !") == "Doctolib"
    assert company_from_description("Please join the call.") is None


def test_name_from_domain_prefers_a_written_spelling() -> None:
    assert name_from_domain("smarthr.co.jp", "SmartHRの面接です") == "SmartHR"
    assert name_from_domain("bluefinlabs.com", "", ["Bluefin Labs Careers"]) == "Bluefin Labs"
    assert name_from_domain("weyland-yutani.com") == "Weyland-Yutani"


# --- R9 with reasons ------------------------------------------------------------------------

@pytest.mark.parametrize("summary, taken", [
    ("Bewerbungsgespräch mit Siemens", True), ("Vorstellungsgespräch", True),
    ("Entretien d'embauche - BNP", True), ("Entrevista con BBVA", True),
    ("Sollicitatiegesprek bij ING", True), ("Colloquio con Satispay", True), ("最終面接", True),
    ("Final round: Pied Piper", True), ("Coding round - Jane Street", True),
    ("Onsite loop - Soylent", True), ("Superday - Goldman Sachs", True),
    ("Hiring manager interview - Acme", True), ("Interview with Visa", True),
    ("Class of 2027 intern interview - Jane Street", True), ("Research Scientist interview", True),
    ("Customer Success Manager interview", True), ("Visa interview - consulate", False),
    ("Exit interview with HR", False), ("Interview prep", False), ("Mock interview", False),
    ("Rehearsal: onsite talk", False), ("Candidate interview: Mark", False),
    ("Debrief: Jane Doe", False), ("Podcast interview", False), ("Press interview with WSJ", False),
    ("User research interview", False), ("Customer interview: Globex", False),
    ("Workshop: interviewing", False), ("Webinar: interview tips", False),
    ("Interview skills class", False), ("Interviewer training", False),
    ("Weekly sync: hiring manager + recruiter", False), ("Hiring manager 1:1", False),
    ("Team onsite planning", False), ("Golf: final round", False), ("Entretien chaudière", False),
    ("Probeinterview mit Coach", False), ("模擬面接", False), ("面接官トレーニング", False),
    ("Colloquio con i professori", False), ("Entrevista de salida", False),
])
def test_classify(summary: str, taken: bool) -> None:
    ok, why = classify(ev(summary), RuleSettings())
    assert ok is taken, why
    assert why


def test_a_candidate_line_means_someone_elses_interview() -> None:
    event = ev("Interview: Jane Doe - Backend Engineer", description="Candidate: Jane Doe\nScorecard: ...")
    assert classify(event, RuleSettings())[0] is False


# --- the user -------------------------------------------------------------------------------

def test_owner_address() -> None:
    assert owner_address("Me@Example.com") == "me@example.com"
    assert owner_address("Alex – Job search") is None


def test_infer_me_from_nearly_every_interview() -> None:
    events = [ev(f"Interview with C{i}", f"R{i} <r{i}@c{i}.com>", (ME, f"x{i}@c{i}.com"), uid=f"{i}")
              for i in range(5)]
    assert infer_me(events, events) == (ME,)
    work = [ev("Interview with C", "r@c.com", ("a@work.com", "b@c.com"))]
    assert infer_me(work, work) == ()  # one interview, no personal address: nobody can tell


def test_a_scheduling_tool_in_every_invite_is_not_the_user() -> None:
    events = [ev(f"Interview with C{i}", "no-reply@greenhouse.io", (ME, f"x{i}@c{i}.com"), uid=f"{i}")
              for i in range(4)]
    assert infer_me(events, events) == (ME,)


def test_infer_me_from_a_single_recruiter_invite() -> None:
    """One invite: the one attendee at a mail provider, invited by the employer, is the user."""
    one = [ev("Interview with Acme", "Rita <rita@acme.com>", (f"Jordan <{ME}>", "Sam <sam@acme.com>"))]
    assert infer_me(one, one) == (ME,)
    two_personal = [ev("Interview", "Rita <rita@acme.com>", (ME, "friend@gmail.com"))]
    assert infer_me(two_personal, two_personal) == ()


def test_backends_can_name_the_account() -> None:
    from followcal.core.identity import with_owner

    events = with_owner([ev("Interview with Acme", attendees=())], "mailto:Jordan.Lee@Gmail.com")
    assert events[0].calendar_owner == ME and infer_me(events, events) == (ME,)
    assert with_owner(events, "Work calendar")[0] is events[0]


def test_infer_me_from_the_calendar_owner() -> None:
    events = [ev("Interview with Acme", calendar_owner="Owner@Gmail.com")]
    assert infer_me(events, events) == ("owner@gmail.com",)


def test_inferred_user_is_never_an_interviewer() -> None:
    events = [ev(f"Interview with C{i}", f"R{i} <r{i}@c{i}.com>", (f"Jordan <{ME}>", f"x{i}@c{i}.com"),
                 uid=f"{i}") for i in range(3)]
    me = resolve_me(events, Settings())
    interviews, _ = detect(events, Settings(me=me), "America/New_York", lambda r: r)
    assert me == (ME,) and len(interviews) == 3
    assert all(ME not in {p.email for p in iv.interviewers} for iv in interviews)


def test_configured_me_wins() -> None:
    assert resolve_me([ev("Interview with Acme")], Settings(me=("a@b.c",))) == ("a@b.c",)


# --- the CLI: `me` in plan --json, -v lines --------------------------------------------------

ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Google Inc//Google Calendar 70.9054//EN\r
X-WR-CALNAME:jordan.lee@gmail.com\r
BEGIN:VEVENT\r
UID:a@test\r
DTSTAMP:20261101T000000Z\r
DTSTART:20261119T190000Z\r
DTEND:20261119T200000Z\r
SUMMARY:Jordan Lee <> Notion | Final Interview\r
ORGANIZER;CN=Notion:mailto:no-reply@goodtime.io\r
ATTENDEE;CN=Jordan Lee;PARTSTAT=ACCEPTED:mailto:jordan.lee@gmail.com\r
ATTENDEE;CN=Priya Raman;PARTSTAT=NEEDS-ACTION:mailto:priya@makenotion.com\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:b@test\r
DTSTAMP:20261101T000000Z\r
DTSTART:20261120T190000Z\r
DTEND:20261120T200000Z\r
SUMMARY:Exit interview with HR\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_plan_json_me_and_verbose_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(tmp_path / "state"))
    source = tmp_path / "export.ics"
    source.write_text(ICS, encoding="utf-8")
    config = tmp_path / "followcal.toml"
    config.write_text('region = "US"\n', encoding="utf-8")
    args = ["--config", str(config), "plan", str(source), "--now", "2026-11-22T12:00", "--tz", "America/New_York"]
    result = CliRunner().invoke(cli, [*args, "--json"], catch_exceptions=False)
    data = json.loads(result.stdout)
    assert data["me"] == ["jordan.lee@gmail.com"]
    (iv,) = data["interviews"]
    assert iv["company"] == "Notion"
    # the scheduling tool's sender is not an interviewer, nor is the inferred user
    assert [p["email"] for p in iv["interviewers"]] == ["priya@makenotion.com"]


def test_verbose_explains_each_event(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from followcal.core.model import Window
    from followcal.ical import read as ics

    events, _ = ics.read_calendar(ICS.encode(), "export.ics", Window(), keywords=None,
                                  now=datetime(2026, 11, 22, tzinfo=NY))
    with caplog.at_level("INFO", logger="followcal.detect"):
        me = resolve_me(events, Settings())
        detect(events, Settings(me=me), "America/New_York", lambda r: r)
    lines = [r.getMessage() for r in caplog.records if r.name == "followcal.detect"]
    assert lines.pop(0) == "me (not configured): jordan.lee@gmail.com (inferred from the sources)"
    assert len(lines) == 2
    assert "taken a@test" in lines[0] and "'Notion'" in lines[0] and "priya@makenotion.com" in lines[0]
    assert lines[1].startswith("skipped b@test") and "exit interview" in lines[1]


# --- the fast scan picks every event R9 takes ------------------------------------------------

from hypothesis import given, settings as hyp_settings, strategies as st  # noqa: E402

_PIECES = ["Interview", "面接", "Bewerbungsgespräch", "BEWERBUNGSGESPRÄCH", "entrevista", "Colloquio",
           "sollicitatiegesprek", "Final Round", "onsite", "カジュアル面談", " with ", " mit ", ", ", ";",
           "\\", "\n", "Acme", "prep", "Übung", "é", "ß", "İ", " <> ", ":", "(day 1)", "–"]


@hyp_settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=6), st.booleans())
def test_scan_selects_every_event_r9_takes(parts: list[str], as_category: bool) -> None:
    import icalendar

    from followcal.core.model import Window
    from followcal.ical import read as ics

    text = "".join(parts)
    cal = icalendar.Calendar()
    cal.add("VERSION", "2.0")
    cal.add("PRODID", "-//test//EN")
    event = icalendar.Event()
    event.add("UID", "p@test")
    event.add("DTSTAMP", datetime(2026, 11, 1, tzinfo=NY))
    event.add("DTSTART", datetime(2026, 11, 19, 14, tzinfo=NY))
    if as_category:
        event.add("SUMMARY", "Meeting")
        event.add("CATEGORIES", [text])
    else:
        event.add("SUMMARY", text)
    cal.add_component(event)
    data = cal.to_ical()
    now = datetime(2026, 11, 22, tzinfo=NY)
    full, _ = ics.read_calendar(data, "p.ics", Window(), keywords=None, now=now)
    fast, _ = ics.read_calendar(data, "p.ics", Window(), keywords=RuleSettings().keywords, now=now)
    taken = [e.uid for e in full if classify(e, RuleSettings())[0]]
    assert set(taken) <= {e.uid for e in fast}
