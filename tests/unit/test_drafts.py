"""drafts.py: reminder SUMMARY/DESCRIPTION texts from templates."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from followcal.core import drafts
from followcal.core.drafts import PLACEHOLDERS, Sender, draft, template_names
from followcal.core.model import Interview, Person, Slot

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

ALEX = Sender("Alex Rivera", "+1 555 0100", ("me@example.com",))


def test_thank_you_deadline_and_one_draft_per_person():
    _, text = run("thank-you", interview=make_interview(interviewers=(JANE, SAM, KIM)), sender=ALEX)
    assert text.startswith("Send a thank-you email to each interviewer (2 notes) by "
                           "Fri 20 Nov 2026 15:00 (America/New_York).")
    assert text.count("Draft ") == 2  # kim@ has no name: not a person to greet
    assert "Draft 1 of 2, to Jane Roe <jane@acme.example>:" in text
    assert "Draft 2 of 2, to Sam Poe:" in text
    assert "Dear Jane," in text and "Dear Sam," in text
    assert text.count("mailto:") == 1  # Sam has no address
    assert "the Backend Engineer role at Acme Corp" in text
    assert text.count("Alex Rivera") == 2 and "[Your name]" not in text
    assert text.index("Send a thank-you") < text.index("Draft 1") < text.index("Tips:") < text.index("--\n")


def test_thank_you_single_interviewer_is_named_in_the_task():
    _, text = run("thank-you", interview=make_interview(interviewers=(JANE,)), sender=ALEX)
    assert text.startswith("Send a thank-you email to Jane Roe by ")
    assert "To: Jane Roe <jane@acme.example>" in text and "Draft 1" not in text
    assert len(text) < 1500, len(text)


def test_thank_you_without_interviewers_goes_to_the_hiring_team():
    _, text = run("thank-you", interview=make_interview(interviewers=()))
    assert "Dear hiring team," in text
    assert "to the Acme Corp hiring team by" in text
    assert "mailto:" not in text


@pytest.mark.parametrize("people", [
    (Person("Globex Talent", "talent@globex.example"),),
    (Person("Talent Acquisition", "ta@globex.example"),),
    (Person("Recruiting Team", "recruiting@globex.example"),),
    (Person(None, "careers@globex.example"), Person(None, "no-reply@greenhouse.io")),
])
def test_role_mailbox_only_gets_one_team_draft(people):
    _, text = run("thank-you", interview=make_interview(company="Globex", interviewers=people))
    assert "Dear hiring team," in text and "Draft 1" not in text
    for word in ("Globex,", "Talent,", "Recruiting,", "Careers,"):
        assert f"Dear {word}" not in text
    assert "to the Globex hiring team" in text
    assert "mailto:no-reply" not in text


def test_role_mailbox_beside_a_person_gets_no_draft():
    people = (Person("Globex Talent", "talent@globex.example"), Person("Hank Scorpio", "hank@globex.example"))
    _, text = run("thank-you", interview=make_interview(company="Globex", interviewers=people))
    assert "To: Hank Scorpio <hank@globex.example>" in text and "Dear Hank," in text
    assert "talent@" not in text and "hiring team" not in text


def test_the_user_is_never_greeted():
    people = (Person("Alex Rivera", "me@example.com"), JANE)
    _, text = run("thank-you", interview=make_interview(interviewers=people), sender=ALEX)
    assert "Dear Alex" not in text and "To: Jane Roe" in text


def test_duplicate_interviewers_get_one_draft():
    _, text = run("thank-you", interview=make_interview(interviewers=(JANE, JANE)))
    assert text.count("To: Jane Roe") == 1


@pytest.mark.parametrize("name, greeting", [
    ("Roe, Jane", "Dear Jane,"), ("Dr. Eva Schneider", "Dear Dr. Schneider,"),
    ("Prof. Dr. Hans Meier", "Dear Prof. Meier,"), ("Dr.-Ing. Karl Braun", "Dear Dr. Braun,"),
    ("Ms. Jane Roe", "Dear Ms. Roe,"), ("Cher", "Dear Cher,"),
    ("Gavin Belson Jr. (Hooli Recruiting)", "Dear Gavin,"),
])
def test_greetings(name, greeting):
    _, text = run("thank-you", interview=make_interview(interviewers=(Person(name, "x@acme.example"),)))
    assert f"\n{greeting}\n" in text


def test_unset_name_leaves_one_placeholder_per_draft_and_says_how_to_set_it():
    _, text = run("thank-you", interview=make_interview(interviewers=(JANE,)))
    assert text.count("[Your name]") == 1
    assert 'Set name = "Your Name" in followcal.toml' in text


# --- follow-ups, cut-off, gracious reply --------------------------------------------------------


def test_follow_up_mentions_interview_and_decision_date():
    _, text = run("follow-up-1", decision_by=date(2026, 12, 11))
    assert text.startswith("Send a polite follow-up email about your interview on "
                           "Thursday, 19 November 2026.")
    assert "They said they would decide by Friday, 11 December 2026." in text
    assert "hoped to decide by Friday, 11 December" in text
    assert "background checks" in text


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


def test_follow_up_call_with_phone_set():
    _, text = run("follow-up-2", "phone", sender=ALEX)
    assert text.startswith("Call Acme Corp about your interview on Thursday, 19 November 2026")
    assert "Call script" in text and "Voicemail" in text and "Prefer email?" in text
    assert "[" not in text
    assert text.count("+1 555 0100") == 3  # once in the script, twice on the voicemail
    assert "this is Alex Rivera" in text and "I'm writing again" in text


def test_follow_up_call_without_phone_has_one_placeholder():
    _, text = run("follow-up-2", "phone", sender=Sender("Alex Rivera"))
    assert text.count("[your phone number]") == 1
    assert 'Set phone = ' in text


def test_cut_off_moves_on_with_an_optional_note():
    _, text = run("cut-off", count=2)
    assert "move on from Acme Corp" in text
    assert "Stop following up" in text
    assert "your thank-you note and two follow-ups" in text
    _, one = run("cut-off", count=1)
    assert "your thank-you note and one follow-up for" in one


def test_gracious_reply():
    _, text = run("gracious-reply", deadline=date(2026, 12, 22))
    assert "by Tue 22 Dec 2026" in text
    assert "keep me in mind" in text
    assert "argue" in text
    assert "Reply received" not in text and "replied" not in text and "Got an answer" not in text
    assert text.endswith("Your edits to this reminder are kept unless the interview itself changes. (followcal)")


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "gracious-reply"])
def test_footer(kind):
    _, text = run(kind)
    assert "Got an answer? Run: followcal mark abc123def456 replied" in text
    assert '"Outcome: replied"' in text
    assert "edit the interview event instead" not in text
    assert text.endswith("Your edits to this reminder are kept unless the interview itself changes. (followcal)")


@pytest.mark.parametrize("kind, channel", [(k, "email") for k in KINDS] + [("follow-up-2", "phone")])
@pytest.mark.parametrize("language", ["en", "de", "fr", "es"])
def test_one_line_per_paragraph_and_no_leftover_placeholders(kind, channel, language):
    interview = make_interview(role="Senior Staff Distributed Systems Engineer",
                               interviewers=(JANE, SAM, KIM))
    summary, text = run(kind, channel, interview=interview, decision_by=date(2026, 12, 11),
                        sender=ALEX, language=language)
    assert "\n" not in summary
    assert "$" not in text and "[" not in text
    assert text == text.strip() and "\n\n\n" not in text
    assert_no_break_inside_a_sentence(text)


def assert_no_break_inside_a_sentence(text: str) -> None:
    """A line followed by another non-empty line ends a sentence, a salutation or a header: a
    wrapped sentence would end mid-phrase and continue in lower case."""
    lines = text.split("\n")
    for line, after in zip(lines, lines[1:], strict=False):
        if not line.strip() or not after.strip() or line == "--":
            continue
        closing = re.search(r"[.!?:,;\"»“”)]$", line) or re.match(r"^(To|An|À|Para|Subject|Betreff|Objet|Asunto)\s?:", line)
        closing = closing or re.fullmatch(
            r"(Mit freundlichen Grüßen|Freundliche Grüße|"
            r"Vielen Dank für Ihre Zeit und freundliche Grüße|Alles Gute und freundliche Grüße)", line)
        assert closing, f"line ends mid-sentence: {line!r} / {after!r}"


def test_long_drafts_get_a_trimmed_link_that_still_decodes():
    from urllib.parse import parse_qs, urlsplit

    interview = make_interview(company="株式会社さくら" * 8, role="分散システム担当" * 12, interviewers=(JANE,))
    _, text = run("follow-up-1", interview=interview, sender=ALEX)
    (link,) = re.findall(r"mailto:\S+", text)
    assert len(link) <= 2000
    body = parse_qs(urlsplit(link).query)["body"][0].replace("\r\n", "\n")
    draft_text = text.split("Subject: ", 1)[1].split("\n\n", 1)[1]
    assert body.startswith("Dear Jane,") and draft_text.startswith(body) and len(body) < len(draft_text)


def test_dates_are_deterministic():
    results = {run(kind, decision_by=date(2026, 12, 11)) for kind in KINDS for _ in range(3)}
    assert len(results) == len(KINDS)
    drafts._shipped.cache_clear()
    assert run("thank-you") in results
    _, text = run("follow-up-1", decision_by=date(2027, 1, 4))
    assert "Monday, 4 January 2027" in text


# --- languages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("language, expected", [
    ("de", ["Schreiben Sie bis Fr. 20. Nov. 2026 15:00 (America/New_York)", "Guten Tag Jane Roe,",
            "Betreff: Vielen Dank für das Gespräch am Donnerstag, 19. November", "Mit freundlichen Grüßen"]),
    ("fr", ["avant le ven. 20 nov. 2026 15:00", "Bonjour Jane Roe,", "Objet : Merci pour notre entretien du jeudi 19 novembre",
            "concernant le poste de Backend Engineer chez Acme Corp"]),
    ("es", ["antes del vie. 20 nov. 2026 15:00", "Buenos días, Jane Roe:",
            "Asunto: Gracias por la conversación del jueves, 19 de noviembre",
            "sobre el puesto de Backend Engineer en Acme Corp"]),
])
def test_languages(language, expected):
    _, text = run("thank-you", interview=make_interview(interviewers=(JANE,)), sender=ALEX, language=language)
    for part in expected:
        assert part in text, part
    assert "Dear" not in text and "Thank you" not in text


def test_french_elision():
    interview = make_interview(company="Aperture", role="Ingénieur logiciel", interviewers=())
    _, text = run("thank-you", interview=interview, sender=ALEX, language="fr")
    assert "concernant le poste d'Ingénieur logiciel chez Aperture" in text
    assert "à l'équipe de recrutement d'Aperture avant le" in text


def test_titled_name_in_german():
    people = (Person("Dr. Eva Schneider", "eva.schneider@nordwind.example"),)
    _, text = run("gracious-reply", interview=make_interview(interviewers=people), language="de")
    assert "Guten Tag Dr. Eva Schneider," in text and "[Ihr Name]" in text


def test_private_drafts_say_what_and_when_without_names_or_addresses():
    interview = make_interview(interviewers=(JANE, SAM))
    for kind, channel in [(k, "email") for k in KINDS] + [("follow-up-2", "phone")]:
        _, text = run(kind, channel, interview=interview, sender=ALEX, private=True)
        for secret in ("Jane", "Sam", "Roe", "acme.example", "Alex", "555", "mailto:", "Subject:"):
            assert secret not in text, (kind, secret)
    _, text = run("thank-you", interview=interview, private=True)
    assert text.startswith("Send a thank-you email to each interviewer (2 notes) by Fri 20 Nov 2026")


# --- templates --------------------------------------------------------------------------------


def test_template_names_and_placeholders_are_documented():
    names = template_names()
    assert names == sorted(["cut-off.txt", "follow-up-call.txt", "follow-up.txt", "footer.txt",
                            "gracious-reply.txt", "thank-you.txt"])
    used = set()
    for code in ("en", "de", "fr", "es"):
        for name in names:
            used |= set(re.findall(r"\$\{?([a-z_]+)", drafts._shipped(name, code)))
            if code != "en":
                assert drafts._shipped(name, code) != drafts._shipped(name), (code, name)
    assert used <= set(PLACEHOLDERS), used - set(PLACEHOLDERS)


def test_user_templates_override_shipped_ones(tmp_path: Path):
    (tmp_path / "footer.txt").write_text("-- mine: $interview_id\n", encoding="utf-8")
    (tmp_path / "thank-you.txt").write_text("Hi $first_name at $company!\n", encoding="utf-8")
    _, text = run("thank-you", templates_dir=tmp_path)
    assert text.startswith("Hi Jane at Acme Corp!")
    assert text.endswith("-- mine: abc123def456")
    _, default = run("thank-you")
    assert "(followcal)" in default


def test_user_template_with_an_email_section_gets_a_link(tmp_path: Path):
    (tmp_path / "follow-up.txt").write_text(
        "Nudge $contact.\n[email]\nSubject: Hi again\n\n$greeting\n\nAny news?\n\n$sender_name\n", encoding="utf-8")
    _, text = run("follow-up-1", templates_dir=tmp_path, sender=ALEX)
    assert ("mailto:jane@acme.example?subject=Hi%20again"
            "&body=Dear%20Jane,%0D%0A%0D%0AAny%20news%3F%0D%0A%0D%0AAlex%20Rivera") in text


def test_user_templates_per_language(tmp_path: Path):
    (tmp_path / "de").mkdir()
    (tmp_path / "de" / "cut-off.txt").write_text("Schluss mit $company.\n", encoding="utf-8")
    assert run("cut-off", templates_dir=tmp_path, language="de")[1].startswith("Schluss mit Acme Corp.")
    assert run("cut-off", templates_dir=tmp_path)[1].startswith("Time to move on")


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
    language=st.sampled_from(["en", "de", "fr", "es"]),
    private=st.booleans(),
    channel=st.sampled_from(["email", "phone"]),
    count=st.integers(0, 5),
    decision=st.none() | st.dates(date(2000, 1, 1), date(2100, 1, 1)),
)
def test_draft_never_raises(company, role, people, kind, channel, count, decision, language, private):
    interview = make_interview(company=company, role=role, interviewers=people)
    first = run(kind, channel, interview=interview, decision_by=decision, count=count, language=language, private=private)
    summary, text = first
    assert "\n" not in summary and "\r" not in summary
    assert "(followcal)" in text
    assert run(kind, channel, interview=interview, decision_by=decision, count=count, language=language, private=private) == first
