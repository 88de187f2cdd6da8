"""drafts.py: reminder SUMMARY/DESCRIPTION texts from templates."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followcal import drafts
from followcal.drafts import PLACEHOLDERS, draft, template_names
from followcal.model import Interview, Person, Slot

TZ = ZoneInfo("America/New_York")
JANE = Person("Jane Roe", "jane@acme.example")
SAM = Person("Sam Poe", None)
KIM = Person(None, "kim@acme.example")
KINDS = ("thank-you", "follow-up-1", "follow-up-2", "cut-off", "gracious-reply")


def make_interview(company="Acme Corp", role="Backend Engineer", interviewers=(JANE, SAM)):
    return Interview(
        id="abc123def456",
        uid="uid-1@example.com",
        recurrence_id=None,
        summary=f"Interview with {company}",
        company=company,
        role=role,
        start=datetime(2026, 11, 19, 14, 0, tzinfo=TZ),
        end=datetime(2026, 11, 19, 15, 0, tzinfo=TZ),
        timezone="America/New_York",
        region="US",
        interviewers=tuple(interviewers),
    )


def make_slot(kind, channel="email", deadline=None):
    if kind == "thank-you" and deadline is None:
        deadline = datetime(2026, 11, 20, 15, 0, tzinfo=TZ)
    day = {"thank-you": date(2026, 11, 19), "follow-up-1": date(2026, 11, 27),
           "follow-up-2": date(2026, 12, 11), "cut-off": date(2026, 12, 18)}.get(kind, date(2026, 12, 21))
    due = datetime.combine(day, datetime.min.time(), TZ).replace(hour=10)
    return Slot(kind=kind, date=day, due=due, channel=channel, deadline=deadline)


def run(kind, channel="email", interview=None, decision_by=None, count=2, **kw):
    return draft(make_slot(kind, channel, kw.pop("deadline", None)), interview or make_interview(),
                 decision_by, follow_up_count=count, **kw)


# --- summaries --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind, channel, expected", [
    ("thank-you", "email", "Thank-you note: Acme Corp (Backend Engineer)"),
    ("follow-up-1", "email", "Follow-up 1: Acme Corp (Backend Engineer)"),
    ("follow-up-2", "phone", "Follow-up 2 (call): Acme Corp (Backend Engineer)"),
    ("follow-up-2", "email", "Follow-up 2: Acme Corp (Backend Engineer)"),
    ("follow-up-5", "email", "Follow-up 5: Acme Corp (Backend Engineer)"),
    ("cut-off", "email", "Cut-off: move on from Acme Corp (Backend Engineer)"),
    ("gracious-reply", "email", "Gracious reply: Acme Corp (Backend Engineer)"),
])
def test_summary_with_role(kind, channel, expected):
    assert run(kind, channel, count=5)[0] == expected


@pytest.mark.parametrize("kind, channel, expected", [
    ("thank-you", "email", "Thank-you note: Acme Corp"),
    ("follow-up-1", "email", "Follow-up 1: Acme Corp"),
    ("follow-up-2", "phone", "Follow-up 2 (call): Acme Corp"),
    ("cut-off", "email", "Cut-off: move on from Acme Corp"),
    ("gracious-reply", "email", "Gracious reply: Acme Corp"),
])
def test_summary_without_role(kind, channel, expected):
    summary, description = run(kind, channel, interview=make_interview(role=None))
    assert summary == expected
    assert "None" not in description and "Backend Engineer" not in description
    if kind != "gracious-reply":
        assert "the open role" in description


def test_unknown_kind_is_an_error():
    with pytest.raises(ValueError):
        run("party")
    with pytest.raises(ValueError):
        run("follow-up-x")


# --- thank-you --------------------------------------------------------------------------------


def test_thank_you_deadline_and_one_draft_per_interviewer():
    _, text = run("thank-you", interview=make_interview(interviewers=(JANE, SAM, KIM)))
    assert text.startswith("Send a short thank-you email to each interviewer by "
                           "Fri 20 Nov 2026 15:00 (America/New_York).")
    assert text.count("--- Draft ") == 3
    assert "--- Draft 1 of 3: to Jane Roe <jane@acme.example> ---" in text
    assert "--- Draft 2 of 3: to Sam Poe ---" in text
    assert "--- Draft 3 of 3: to kim@acme.example ---" in text
    assert "Dear Jane," in text and "Dear Sam," in text
    assert "\nHello,\n" in text  # email only: no name known
    assert text.count("[something specific you discussed]") == 3
    assert text.count("our conversation on Thursday, 19 November") == 3
    assert "the Backend Engineer role at Acme Corp" in text
    assert "Tips:" in text


def test_thank_you_single_interviewer_is_named_in_the_task():
    _, text = run("thank-you", interview=make_interview(interviewers=(JANE,)))
    assert text.startswith("Send a short thank-you email to Jane Roe by ")
    assert text.count("--- Draft ") == 1


def test_thank_you_without_interviewers_falls_back_to_the_hiring_team():
    _, text = run("thank-you", interview=make_interview(interviewers=()))
    assert text.count("--- Draft ") == 1
    assert "Dear hiring team," in text
    assert "to the hiring team" in text


def test_thank_you_deadline_defaults_to_end_plus_24_hours():
    slot = Slot("thank-you", date(2026, 11, 19), datetime(2026, 11, 19, 16, 0, tzinfo=TZ), "email")
    _, text = draft(slot, make_interview(), None, follow_up_count=2)
    assert "by Fri 20 Nov 2026 15:00 (America/New_York)" in text


def test_duplicate_interviewers_get_one_draft():
    _, text = run("thank-you", interview=make_interview(interviewers=(JANE, JANE)))
    assert text.count("--- Draft ") == 1


@pytest.mark.parametrize("name, greeting", [
    ("Roe, Jane", "Dear Jane,"), ("Dr. Jane Roe", "Dear Jane,"), ("jane@acme.example", "Hello,"),
    ("Cher", "Dear Cher,"),
])
def test_first_name(name, greeting):
    _, text = run("thank-you", interview=make_interview(interviewers=(Person(name, None),)))
    assert f"\n{greeting}\n" in text


# --- follow-ups, cut-off, gracious reply --------------------------------------------------------


def test_follow_up_mentions_interview_and_decision_date():
    _, text = run("follow-up-1", decision_by=date(2026, 12, 11))
    assert text.startswith("Send a polite follow-up email about your interview on "
                           "Thursday, 19 November 2026.")
    assert "They said they would decide by Friday, 11 December 2026." in text
    assert "hoped to decide by Friday, 11 December" in text
    assert "background checks" in text  # why replies are late


def test_follow_up_without_decision_date_drops_the_line():
    _, text = run("follow-up-1")
    assert "They said" not in text
    assert "\n\n\n" not in text


def test_last_follow_up_wording():
    _, first = run("follow-up-1", count=2)
    _, last = run("follow-up-2", count=2)
    _, only = run("follow-up-1", count=1)
    assert "last nudge" not in first and "remind you about follow-up 2" in first
    assert "This is your last nudge" in last and "follow-up 2 of 2" in last
    assert "This is your last nudge" in only and "follow-up 1 of 1" in only


def test_follow_up_call_has_script_voicemail_and_email():
    _, text = run("follow-up-2", "phone")
    assert text.startswith("Call Acme Corp about your interview on Thursday, 19 November 2026")
    assert "Call script" in text and "Voicemail" in text and "Prefer email?" in text
    assert "[Your name]" in text and "[your phone number]" in text
    assert "the Backend Engineer role at Acme Corp" in text
    assert "I'm writing again" in text


def test_cut_off_moves_on_with_an_optional_note():
    _, text = run("cut-off", count=2)
    assert "move on from Acme Corp" in text
    assert "Stop following up" in text
    assert "your thank-you note and two follow-ups" in text
    assert "Optional closing note" in text
    _, one = run("cut-off", count=1)
    assert "your thank-you note and one follow-up\n" in one


def test_gracious_reply():
    _, text = run("gracious-reply", deadline=date(2026, 12, 22))
    assert "by Tue 22 Dec 2026" in text
    assert "keep me in mind" in text
    assert "argue" in text  # the tip says not to


@pytest.mark.parametrize("kind", KINDS)
def test_footer(kind):
    _, text = run(kind)
    assert "Reply received? Mark it: followcal mark abc123def456 replied" in text
    assert "'Outcome: replied'" in text
    assert text.endswith("Made by followcal: this event is regenerated; edit the interview event instead.")


@pytest.mark.parametrize("kind, channel", [(k, "email") for k in KINDS] + [("follow-up-2", "phone")])
@pytest.mark.parametrize("company", ["Acme Corp", "International Business Machines Corporation"])
def test_short_lines_and_no_leftover_placeholders(kind, channel, company):
    interview = make_interview(company=company, role="Senior Staff Distributed Systems Engineer",
                               interviewers=(JANE, SAM, KIM))
    summary, text = run(kind, channel, interview=interview, decision_by=date(2026, 12, 11))
    assert "\n" not in summary
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "$" not in text
    assert text == text.strip() and "\n\n\n" not in text


def test_dates_are_english_and_deterministic():
    results = {run(kind, decision_by=date(2026, 12, 11)) for kind in KINDS for _ in range(3)}
    assert len(results) == len(KINDS)
    drafts._shipped.cache_clear()
    assert run("thank-you") in results
    _, text = run("follow-up-1", decision_by=date(2027, 1, 4))
    assert "Monday, 4 January 2027" in text


# --- templates --------------------------------------------------------------------------------


def test_template_names_and_placeholders_are_documented():
    names = template_names()
    assert names == sorted([
        "cut-off.txt", "follow-up-call.txt", "follow-up.txt", "footer.txt", "gracious-reply.txt",
        "thank-you-intro.txt", "thank-you-tips.txt", "thank-you.txt",
    ])
    used = set()
    for name in names:
        used |= set(re.findall(r"\$\{?([a-z_]+)", drafts._shipped(name)))
    assert used <= set(PLACEHOLDERS), used - set(PLACEHOLDERS)


def test_user_templates_override_shipped_ones(tmp_path: Path):
    (tmp_path / "footer.txt").write_text("-- mine: $interview_id\n", encoding="utf-8")
    (tmp_path / "thank-you.txt").write_text("Hi $first_name at $company!\n", encoding="utf-8")
    _, text = run("thank-you", templates_dir=tmp_path)
    assert "Hi Jane at Acme Corp!" in text and "Hi Sam at Acme Corp!" in text
    assert text.endswith("-- mine: abc123def456")
    assert text.startswith("Send a short thank-you email")  # not overridden: shipped
    _, default = run("thank-you")
    assert "Made by followcal" in default  # the shipped footer is still the default


def test_user_template_change_is_picked_up(tmp_path: Path):
    path = tmp_path / "footer.txt"
    path.write_text("one\n", encoding="utf-8")
    assert run("cut-off", templates_dir=tmp_path)[1].endswith("one")
    path.write_text("two, longer\n", encoding="utf-8")
    assert run("cut-off", templates_dir=tmp_path)[1].endswith("two, longer")


def test_unknown_placeholder_in_user_template_does_not_crash(tmp_path: Path):
    (tmp_path / "cut-off.txt").write_text(
        "Bye $company, $no_such_thing ${also_unknown} costs $$5 and $ 3\n", encoding="utf-8")
    _, text = run("cut-off", templates_dir=tmp_path)
    assert "Bye Acme Corp, $no_such_thing ${also_unknown} costs $5 and $ 3" in text


def test_missing_templates_dir_uses_shipped(tmp_path: Path):
    assert run("gracious-reply", templates_dir=tmp_path / "nope") == run("gracious-reply")


# --- property ---------------------------------------------------------------------------------

TEXT = st.text(max_size=60)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    company=TEXT,
    role=st.none() | TEXT,
    people=st.lists(st.builds(Person, st.none() | TEXT, st.none() | TEXT), max_size=4),
    kind=st.sampled_from(KINDS + ("follow-up-3",)),
    channel=st.sampled_from(["email", "phone"]),
    count=st.integers(0, 5),
    decision=st.none() | st.dates(date(2000, 1, 1), date(2100, 1, 1)),
)
def test_draft_never_raises(company, role, people, kind, channel, count, decision):
    interview = make_interview(company=company, role=role, interviewers=people)
    first = run(kind, channel, interview=interview, decision_by=decision, count=count)
    summary, text = first
    assert "\n" not in summary and "\r" not in summary
    assert "Made by followcal" in text
    assert run(kind, channel, interview=interview, decision_by=decision, count=count) == first
