"""Replies from the mailbox: the pure matching (replies.py), the header parsing and SEARCH of
backends/imap.py, XOAUTH2, and the [replies] / imap config."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, strategies as st

from followcal.backends.imap import parse_headers, search_criteria, xoauth2_string
from followcal.config import parse_settings
from followcal.core.model import Interview, Outcome, OutcomeRecord, Person
from followcal.core.replies import (
    Address,
    MailMessage,
    MailReply,
    company_core,
    match,
    merge,
    registrable_domain,
    search_terms,
    watch_for,
    watchable,
    why,
)
from followcal.errors import ConfigError

NY = ZoneInfo("America/New_York")
START = datetime(2026, 11, 16, 10, 0, tzinfo=NY)


def interview(company: str = "Acme Corp", *people: tuple[str | None, str], iid: str = "acme1") -> Interview:
    return Interview(
        id=iid, uid=f"{iid}@x", recurrence_id=None, summary=f"Interview with {company}", company=company,
        role=None, start=START, end=START + timedelta(hours=1), timezone="America/New_York", region="US",
        interviewers=tuple(Person(n, e) for n, e in people),
    )


ACME = watch_for(interview("Acme Corp", ("Jane Roe", "jane.roe@acme.com"), (None, "sam@gmail.com")), date(2026, 12, 14))


def msg(sender: str | None, name: str | None = None, *, day: int = 18, reply_to: tuple[Address, ...] = (),
        mid: str = "<m@x>", subject: str = "Re: interview") -> MailMessage:
    return MailMessage(mid, Address(name, sender) if sender else None, reply_to,
                       datetime(2026, 11, day, 9, 0, tzinfo=NY), subject)


@pytest.mark.parametrize("message, reason", [
    (msg("jane.roe@acme.com"), "from an interviewer (jane.roe@acme.com)"),
    (msg("sam@gmail.com"), "from an interviewer (sam@gmail.com)"),  # a private address: matched exactly
    (msg("talent@acme.com", "Acme Talent"), "from the company's domain acme.com (talent@acme.com)"),
    (msg("no-reply@mail.eu.acme.com"), "from the company's domain acme.com (no-reply@mail.eu.acme.com)"),
    (msg("no-reply@greenhouse.io", "Acme Corp Recruiting"), "display name 'Acme Corp Recruiting'"),
    (msg("no-reply@us.greenhouse-mail.io", "Acme via Greenhouse"), "naming Acme Corp"),
    (msg("notifications@calendly.com", "Calendly", reply_to=(Address("Jane Roe", "jane.roe@acme.com"),)),
     "Reply-To jane.roe@acme.com at the company"),
    (msg("jobs@lever.co", "Jobs", reply_to=(Address(None, "recruiting@acme.io"),)), "naming Acme Corp"),
])
def test_a_message_from_the_employer_is_a_reply(message: MailMessage, reason: str) -> None:
    assert reason in (why(message, ACME) or "")


@pytest.mark.parametrize("message", [
    msg("other@gmail.com"),  # someone else at a public provider
    msg("deals@shopacme.com"),  # contains "acme.com", is not acme.com
    msg("no-reply@greenhouse.io", "Globex Recruiting"),  # a tool, naming another company
    msg("no-reply@greenhouse.io", "Acmes Pharmacy"),  # a word that merely starts like the company
    msg("no-reply@acme.com.evil.example"),
    msg("jane.roe@acme.com.evil.example"),
    msg(None),
])
def test_other_mail_is_not_a_reply(message: MailMessage) -> None:
    assert why(message, ACME) is None


def test_dates_me_and_the_first_reply() -> None:
    mine = msg("jane.roe@acme.com", mid="<mine@x>")
    messages = [
        msg("jane.roe@acme.com", day=16, mid="<early@x>"),  # 09:00, before the 10:00 interview
        msg("jane.roe@acme.com", day=15, mid="<15@x>"),
        msg("talent@acme.com", day=20, mid="<later@x>"),
        msg("jane.roe@acme.com", day=19, mid="<first@x>", subject="Thanks!"),
        MailMessage("<late@x>", Address(None, "jane.roe@acme.com"), (), datetime(2026, 12, 15, 0, 1, tzinfo=NY), "x"),
    ]
    found, verdicts = match(messages, [ACME], me=["ME@example.org"])
    assert found["acme1"].message_id == "<first@x>"
    assert found["acme1"].on == date(2026, 11, 19) and found["acme1"].subject == "Thanks!"
    notes = {v.message.message_id: v.note for v in verdicts}
    assert "before the interview" in notes["<early@x>"] and "before the interview" in notes["<15@x>"]
    assert "first one counts" in notes["<later@x>"]
    assert "after the cut-off" in notes["<late@x>"]
    # the user's own mail never counts, even from an address at the company
    own, verdicts = match([mine], [ACME], me=["Jane.Roe@acme.com"])
    assert own == {} and verdicts[0].note == "ignored: sent by you"


def test_the_cut_off_day_still_counts_in_the_interviews_zone() -> None:
    last_minute = MailMessage("<x>", Address(None, "jane.roe@acme.com"), (),
                              datetime(2026, 12, 15, 4, 59, tzinfo=UTC), "x")  # 23:59 in New York
    found, _ = match([last_minute], [ACME], me=[])
    assert found["acme1"].on == date(2026, 12, 14)


def test_watchable_only_after_the_interview() -> None:
    assert not watchable(ACME, START)
    assert watchable(ACME, START + timedelta(hours=2))
    assert not watchable(ACME, START + timedelta(days=300))


def test_search_terms_are_domains_addresses_and_tools_sorted() -> None:
    terms = search_terms([ACME])
    assert terms == sorted(terms)
    assert "acme.com" in terms and "sam@gmail.com" in terms and "greenhouse.io" in terms
    assert "jane.roe@acme.com" not in terms  # the domain term finds it already
    assert "gmail.com" not in terms


@pytest.mark.parametrize("host, domain", [
    ("mail.eu.acme.co.uk", "acme.co.uk"), ("ACME.com", "acme.com"), ("jobs.sap.de", "sap.de"),
    ("localhost", None), ("co.uk", None),
])
def test_registrable_domain_from_the_bundled_list(host: str, domain: str | None) -> None:
    assert registrable_domain(host) == domain


@pytest.mark.parametrize("name, core", [
    ("Acme Corp", "acme"), ("Acme Corp.", "acme"), ("Nordwind GmbH", "nordwind"), ("Globex", "globex"),
    ("Wayne Enterprises Inc.", "wayne enterprises"), ("Initech, LLC", "initech"),
])
def test_company_core(name: str, core: str) -> None:
    assert company_core(name) == core


def reply(iid: str, day: int) -> MailReply:
    sent = datetime(2026, 11, day, 9, tzinfo=NY)
    return MailReply(iid, "Acme Corp", f"<{iid}@x>", "jane", "Re", sent, sent.date(), "why")


def test_merge_a_mark_wins_and_the_latest_rounds_reply_counts() -> None:
    mark = OutcomeRecord(Outcome.REJECTED, date(2026, 11, 30), source="mark")
    replies = {"a1": reply("a1", 18), "a2": reply("a2", 25), "b1": reply("b1", 19)}
    merged = merge({"b2": mark}, [["a1", "a2"], ["b1", "b2"]], replies)
    assert merged["b2"] == mark and "b1" not in merged  # the process has a mark: mail is ignored
    assert merged["a2"].outcome is Outcome.REPLIED and merged["a2"].source == "mail"
    assert merged["a2"].on == date(2026, 11, 25) and "a1" not in merged


# --- backends/imap.py: what is sent to and read from the server ----------------------------------


def test_xoauth2_string() -> None:
    assert xoauth2_string("me@gmail.com", "ya29.token") == "user=me@gmail.com\x01auth=Bearer ya29.token\x01\x01"


@given(st.lists(st.from_regex(r"[a-z]{1,8}\.(com|io)", fullmatch=True), min_size=1, max_size=12, unique=True))
def test_search_criteria_is_one_or_tree(senders: list[str]) -> None:
    criteria = search_criteria(date(2026, 11, 15), senders)
    assert criteria[:2] == ["SINCE", date(2026, 11, 15)]
    rest = criteria[2:]
    assert rest.count("OR") == len(senders) - 1
    assert [rest[i + 1] for i, t in enumerate(rest) if t == "FROM"] == senders


def header_block(message: EmailMessage) -> bytes:
    """What a server returns for BODY.PEEK[HEADER.FIELDS (FROM REPLY-TO DATE SUBJECT MESSAGE-ID)]."""
    raw = message.as_bytes().split(b"\n\n", 1)[0].replace(b"\n", b"\r\n")
    keep = [line for line in raw.split(b"\r\n") if line.split(b":")[0].lower() in
            (b"from", b"reply-to", b"date", b"subject", b"message-id")]
    return b"\r\n".join(keep) + b"\r\n\r\n"


def test_parse_headers_of_real_mail() -> None:
    message = EmailMessage()
    message["From"] = "Jürgen Müller <J.Mueller@Nordwind.de>"
    message["Reply-To"] = "Talent <talent@nordwind.de>, other@nordwind.de"
    message["Subject"] = "Ihre Bewerbung – nächste Schritte"
    message["Date"] = format_datetime(datetime(2026, 11, 18, 9, 30, tzinfo=ZoneInfo("Europe/Berlin")))
    message["Message-ID"] = "<abc@nordwind.de>"
    message.set_content("body")
    parsed = parse_headers(header_block(message), "mail", "INBOX", 7)
    assert parsed is not None
    assert parsed.sender == Address("Jürgen Müller", "j.mueller@nordwind.de")
    assert [a.email for a in parsed.reply_to] == ["talent@nordwind.de", "other@nordwind.de"]
    assert parsed.subject == "Ihre Bewerbung – nächste Schritte"
    assert parsed.date == datetime(2026, 11, 18, 8, 30, tzinfo=UTC)
    assert parsed.message_id == "<abc@nordwind.de>"


def test_parse_headers_tolerates_missing_and_odd_fields() -> None:
    parsed = parse_headers(b"From: not an address\r\nDate: yesterday\r\n\r\n", "mail", "INBOX", 3)
    assert parsed is not None and parsed.sender is None and parsed.date is None
    assert parsed.message_id == "<uid-3@mail/INBOX>"


# --- config ------------------------------------------------------------------------------------------


IMAP = {"type": "imap", "host": "imap.example.com", "username": "me", "password_env": "X"}


def test_imap_account_and_replies_config(tmp_path: Path) -> None:
    settings = parse_settings({"accounts": {"mail": {**IMAP, "folders": ["INBOX", "Archive"], "verify_tls": "ca.pem"},
                                            "g": {"type": "google", "token": "t.json"},
                                            "gmail": {"type": "imap", "oauth": "g", "username": "me@gmail.com"}},
                               "replies": {"from": ["mail", "gmail"]}}, tmp_path / "c.toml")
    mail = settings.account("mail")
    assert mail.folders == ("INBOX", "Archive") and mail.port is None and mail.starttls is False
    assert mail.verify_tls == str(tmp_path / "ca.pem")
    assert settings.account("gmail").host == "imap.gmail.com"
    assert settings.replies is not None and settings.replies.accounts == ("mail", "gmail")


@pytest.mark.parametrize("raw, message", [
    ({"accounts": {"mail": {"type": "imap"}}}, "host is required"),
    ({"accounts": {"mail": {**IMAP, "port": "993"}}}, "port must be a port number"),
    ({"accounts": {"mail": IMAP}, "replies": {"from": []}}, "needs from"),
    ({"accounts": {"mail": IMAP}, "replies": {"from": ["nope"]}}, "'nope' is not an imap account"),
    ({"accounts": {"mail": IMAP}, "replies": {"from": ["mail"], "typo": 1}}, "unknown key 'typo' in [replies]"),
    ({"accounts": {"mail": {**IMAP, "oauth": "g"}}, "replies": {"from": ["mail"]}}, "not a Google account"),
])
def test_bad_replies_config_is_one_line(raw: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")):
        parse_settings(raw)


def _token(path: Path, scopes: list[str]) -> None:
    import json

    expiry = (datetime.now(UTC) + timedelta(hours=1)).replace(tzinfo=None).isoformat()
    path.write_text(json.dumps({"token": "ya29.access", "refresh_token": "r", "client_id": "c", "client_secret": "s",
                                "token_uri": "https://oauth2.googleapis.com/token", "scopes": scopes,
                                "expiry": expiry}), encoding="utf-8")


def test_gmail_reuses_the_google_sign_in_only_with_the_mail_scope(tmp_path: Path) -> None:
    from followcal.backends.google_auth import MAIL_SCOPE, SCOPES
    from followcal.backends.imap import google_access_token
    from followcal.errors import AuthError

    settings = parse_settings({"accounts": {"g": {"type": "google", "token": "t.json"}}}, tmp_path / "c.toml")
    _token(tmp_path / "t.json", SCOPES)
    with pytest.raises(AuthError, match="--with-mail"):
        google_access_token(settings, "g")
    _token(tmp_path / "t.json", [*SCOPES, MAIL_SCOPE])
    assert google_access_token(settings, "g") == "ya29.access"


@given(st.permutations(range(6)))
def test_the_order_of_the_mailbox_does_not_change_what_is_found(order: list[int]) -> None:
    messages = [msg("jane.roe@acme.com", day=d, mid=f"<{d}@x>") for d in (15, 17, 18, 19)]
    messages += [msg("talent@acme.com", day=18, mid="<0@x>"), msg("other@gmail.com", day=17, mid="<o@x>")]
    found, _ = match([messages[i] for i in order], [ACME], me=[])
    assert found["acme1"].message_id == "<17@x>"


def test_a_mail_account_is_no_calendar(tmp_path: Path) -> None:
    from datetime import datetime as dt

    from followcal.app.sources import open_source

    settings = parse_settings({"accounts": {"mail": IMAP}})
    with pytest.raises(ConfigError, match="mail account"):
        open_source("mail:INBOX", settings, now=dt(2026, 12, 1, tzinfo=UTC))
