"""Replies from the mailbox against a real Cyrus IMAP server (cyrus_imap.py) over verified TLS.

Six interview processes, one mailbox: a reply from an interviewer (Acme), from a role mailbox at
the company (Globex), from a scheduling tool naming the company (Initech), mail from an unrelated
sender whose address merely contains the company's domain (Umbrella), a message dated before the
interview (Hooli), and the user's own sent mail (Stark). The first three end their follow-ups,
the other three keep them; no flag in the mailbox changes; the replies are recorded, so a later
run with the server gone plans the same; an unreachable server is one warning.
"""

from __future__ import annotations

import itertools
import json
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import Result
from support import run

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

NOW = "2026-12-01T12:00"
NY = ZoneInfo("America/New_York")
ME = "me@example.org"
_users = itertools.count(1)

# company, uid, start (UTC, as Google exports), interviewer
INTERVIEWS = [
    ("Acme Corp", "acme-1@google.com", "20261116T150000Z", "Jane Roe <jane.roe@acme.com>"),
    ("Globex", "globex-1@google.com", "20261117T150000Z", "Sam Lee <sam.lee@globex.com>"),
    ("Initech", "initech-1@google.com", "20261117T190000Z", "Bill Lumbergh <bill@initech.com>"),
    ("Umbrella", "umbrella-1@google.com", "20261118T150000Z", "Alice Abernathy <alice@umbrella.com>"),
    ("Hooli", "hooli-1@google.com", "20261120T150000Z", "Gavin Belson <gavin@hooli.com>"),
    ("Stark Industries", "stark-1@google.com", "20261118T190000Z", "Tony Stark <tony@stark.com>"),
]


def ics() -> str:
    lines = ["BEGIN:VCALENDAR", "PRODID:-//Google Inc//Google Calendar 70.9054//EN", "VERSION:2.0",
             "CALSCALE:GREGORIAN", f"X-WR-CALNAME:{ME}"]
    for company, uid, start, person in INTERVIEWS:
        name, addr = person[:-1].split(" <")
        end = start[:9] + f"{int(start[9:11]) + 1:02d}" + start[11:]
        lines += [
            "BEGIN:VEVENT", f"DTSTART:{start}", f"DTEND:{end}", "DTSTAMP:20261101T000000Z",
            f"ORGANIZER;CN={name}:mailto:{addr}", f"UID:{uid}",
            f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN={name}:mailto:{addr}",
            f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN={ME}:mailto:{ME}",
            "CREATED:20261101T000000Z", "LAST-MODIFIED:20261101T000000Z", "SEQUENCE:0",
            "STATUS:CONFIRMED", f"SUMMARY:Interview with {company}", "TRANSP:OPAQUE", "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def mail(sender: str, subject: str, when: datetime, mid: str, reply_to: str | None = None, to: str = ME) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<{mid}@mail.example>"
    msg.set_content("Hello,\n\nThis body is never read by followcal.\n")
    return msg.as_bytes()


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=NY)


# (message, flags to leave on it): mixed, so a changed flag shows
INBOX = [
    (mail("Jane Roe <jane.roe@acme.com>", "Re: Thank you", at(18), "acme-reply"), ()),
    (mail("Globex Talent <talent@globex.com>", "Your application at Globex", at(19), "globex-reply"), (b"\\Seen",)),
    (mail("Initech Recruiting <no-reply@greenhouse.io>", "Next steps", at(20), "initech-reply",
          reply_to="Bill Lumbergh <bill@initech.com>"), (b"\\Flagged",)),
    (mail("Hooli via Greenhouse <no-reply@greenhouse.io>", "Looking forward to Friday", at(19), "hooli-early"), ()),
    (mail("Deals <deals@shopumbrella.com>", "Umbrellas 50% off", at(20), "umbrella-spam"), (b"\\Seen",)),
    (mail("Newsletter <news@example.net>", "Weekly digest", at(21), "unrelated"), ()),
]
SENT = [
    mail(f"Me <{ME}>", "Following up on my interview", at(25), "stark-sent", to="Tony Stark <tony@stark.com>"),
    mail(f"Me <{ME}>", "Re: Thank you", at(18, 12), "acme-sent", to="Jane Roe <jane.roe@acme.com>"),
]


class Env:
    def __init__(self, server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, starttls: bool = False,
                 port: int | None = None) -> None:
        self.server = server
        self.user = f"me{next(_users)}"
        self.password = f"pw-{self.user}-Secret"
        server.add_user(self.user, self.password)
        for message, _flags in INBOX:
            server.deliver(self.user, message)
        for message in SENT:
            server.append(self.user, "INBOX.Sent", message)
        with server.login(self.user, self.password) as imap:  # leave each message with its flags
            imap.select_folder("INBOX")
            uids = imap.search(["ALL"])
            for uid, (_message, flags) in zip(sorted(uids), INBOX, strict=False):
                imap.remove_flags([uid], [b"\\Seen"])
                if flags:
                    imap.add_flags([uid], list(flags))
        self.source = tmp_path / "interviews.ics"
        self.source.write_text(ics(), encoding="utf-8", newline="")
        self.config = tmp_path / "followcal.toml"
        monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(tmp_path / "state"))
        monkeypatch.setenv("MAIL_PASSWORD", self.password)
        self.write_config(port or (server.imap_port if starttls else server.imaps_port), starttls)

    def write_config(self, port: int, starttls: bool = False) -> None:
        self.config.write_text(
            f'region = "US"\ntimezone = "America/New_York"\nme = ["{ME}"]\n\n'
            f'[accounts.mail]\ntype = "imap"\nhost = "127.0.0.1"\nport = {port}\nstarttls = {str(starttls).lower()}\n'
            f'username = "{self.user}"\npassword_env = "MAIL_PASSWORD"\nfolders = ["INBOX", "INBOX.Sent"]\n'
            f'verify_tls = "{self.server.ca}"\ntimeout = 5\n\n'
            '[replies]\nfrom = ["mail"]\nmax_seconds = 20\n\n'
            f'[feeds.jobs]\nfrom = ["{self.source}"]\n',
            encoding="utf-8",
        )

    def run(self, *args: str) -> Result:
        return run(self.config, *args)

    def plan(self) -> dict[str, dict]:
        result = self.run("plan", str(self.source), "--json", "--now", NOW)
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        return {i["company"]: i for i in data["interviews"]} | {"_warnings": data["warnings"]}

    def flags(self) -> dict[str, dict[int, set[bytes]]]:
        """Every message's flags, read without changing them (EXAMINE, FLAGS only)."""
        out = {}
        with self.server.login(self.user, self.password) as imap:
            for folder in ("INBOX", "INBOX.Sent"):
                imap.select_folder(folder, readonly=True)
                out[folder] = {uid: set(v[b"FLAGS"]) for uid, v in imap.fetch(imap.search(["ALL"]), ["FLAGS"]).items()}
        return out


def kinds(interview: dict) -> list[str]:
    return [r["kind"] for r in interview["reminders"]]


def test_replies_end_or_keep_follow_ups_and_change_no_flag(cyrus_imap, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = Env(cyrus_imap, tmp_path, monkeypatch)
    before = env.flags()
    plan = env.plan()
    assert plan["_warnings"] == []
    # replied: only the thank-you (already due on the interview day) is left; R7 `replied` with the mail's date
    for company, _day in (("Acme Corp", "2026-11-18"), ("Globex", "2026-11-19"), ("Initech", "2026-11-20")):
        assert kinds(plan[company]) == ["thank-you"], company
        assert plan[company]["outcome"] == "replied"
    # kept: unrelated sender, a message before the interview, the user's own mail
    for company in ("Umbrella", "Hooli", "Stark Industries"):
        assert kinds(plan[company]) == ["thank-you", "follow-up-1", "follow-up-2", "cut-off"], company
        assert plan[company]["outcome"] is None
    assert env.flags() == before  # EXAMINE + BODY.PEEK: \Seen, \Flagged, \Recent as they were

    # why: `followcal replies --json` names the reason of each match
    result = env.run("replies", "--json", "--now", NOW)
    assert result.exit_code == 0, result.output
    rows = {r["company"]: r for r in json.loads(result.stdout)["processes"]}
    assert "interviewer" in rows["Acme Corp"]["reply"]["reason"]
    assert "domain globex.com" in rows["Globex"]["reply"]["reason"]
    assert "greenhouse.io" in rows["Initech"]["reply"]["reason"]
    assert rows["Initech"]["reply"]["subject"] == "Next steps"
    assert rows["Umbrella"]["reply"] is None and rows["Umbrella"]["state"] == "no reply yet"
    assert env.flags() == before

    # status shows where the outcome came from
    result = env.run("status", "--json", "--now", NOW)
    status = {r["company"]: r for r in json.loads(result.stdout)}
    assert status["Acme Corp"]["outcome"] == "replied" and status["Acme Corp"]["outcome_from"] == "mail"
    assert status["Acme Corp"]["outcome_subject"] == "Re: Thank you"
    monkeypatch.setenv("COLUMNS", "200")  # rich: one line per row
    result = env.run("status", "--now", NOW)
    assert "replied (mail, 2026-11-18, Re: Thank you)" in result.output

    # recorded: with the server gone the plan is the same, plus one warning
    env.write_config(1)
    again = env.plan()
    assert [w for w in again.pop("_warnings")] and len(plan.pop("_warnings")) == 0
    assert again == plan


def test_a_mark_wins_over_a_mail_reply(cyrus_imap, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = Env(cyrus_imap, tmp_path, monkeypatch)
    assert env.plan()["Acme Corp"]["outcome"] == "replied"
    result = env.run("mark", "Acme Corp", "rejected", "--on", "2026-11-24", "--source", str(env.source))
    assert result.exit_code == 0, result.output
    acme = env.plan()["Acme Corp"]
    assert acme["outcome"] == "rejected" and "gracious-reply" in kinds(acme)


def test_starttls_on_the_plain_port_and_dry_run_records_nothing(cyrus_imap, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    env = Env(cyrus_imap, tmp_path, monkeypatch, starttls=True)
    result = env.run("replies", "--dry-run", "--now", NOW)
    assert result.exit_code == 0, result.output
    assert "Acme Corp" in result.output and "from an interviewer (jane.roe@acme.com)" in result.output
    assert "3 new replies not recorded" in result.output
    env.write_config(1, starttls=True)  # nothing was recorded: without the server, no reply is known
    plan = env.plan()
    assert plan["Acme Corp"]["outcome"] is None and len(plan["_warnings"]) == 1


def test_an_unreachable_or_untrusted_server_is_one_warning(cyrus_imap, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from cyrus_imap import _free_port

    env = Env(cyrus_imap, tmp_path, monkeypatch, port=_free_port())
    plan = env.plan()
    assert len(plan["_warnings"]) == 1 and "mail account 'mail'" in plan["_warnings"][0]
    assert kinds(plan["Acme Corp"]) == ["thank-you", "follow-up-1", "follow-up-2", "cut-off"]
    # the server's certificate is not trusted by the system store: refused, one warning, no traceback
    text = env.config.read_text().replace(f'verify_tls = "{cyrus_imap.ca}"\n', "")
    env.config.write_text(text.replace(f"port = {_port(text)}", f"port = {cyrus_imap.imaps_port}"))
    plan = env.plan()
    assert len(plan["_warnings"]) == 1 and "certificate" in plan["_warnings"][0]
    assert plan["Acme Corp"]["outcome"] is None
    # a wrong password: one warning as well; sync and status keep running
    env.write_config(cyrus_imap.imaps_port)
    monkeypatch.setenv("MAIL_PASSWORD", "wrong")
    plan = env.plan()
    assert len(plan["_warnings"]) == 1 and "login refused" in plan["_warnings"][0]
    assert "wrong" not in plan["_warnings"][0]


def _port(text: str) -> int:
    return int(next(line for line in text.splitlines() if line.startswith("port = ")).split("=")[1])


def test_a_server_that_never_answers_is_cut_off_by_the_deadline(cyrus_imap, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A loopback socket that accepts and then says nothing (no IMAP greeting): the run ends in
    about `timeout` seconds with one warning, not after the pytest timeout."""
    import socket
    import time

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)
    try:
        env = Env(cyrus_imap, tmp_path, monkeypatch, port=silent.getsockname()[1])
        env.config.write_text(env.config.read_text().replace("timeout = 5", "timeout = 1"))
        began = time.monotonic()
        plan = env.plan()
        assert time.monotonic() - began < 8
        assert len(plan["_warnings"]) == 1 and "timed out" in plan["_warnings"][0]
        assert plan["Acme Corp"]["outcome"] is None
    finally:
        silent.close()


def test_verbose_explains_every_message_and_never_logs_the_password(cyrus_imap, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess
    import sys

    env = Env(cyrus_imap, tmp_path, monkeypatch)
    done = subprocess.run([sys.executable, "-m", "followcal", "--config", str(env.config), "-vv", "replies",
                           "--now", NOW], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "reply from Acme Corp: from an interviewer (jane.roe@acme.com)" in done.stderr
    assert "ignored: not from any watched employer" in done.stderr  # deals@shopumbrella.com
    assert "dated before the interview ended" in done.stderr  # Hooli's early mail
    assert env.password not in done.stderr + done.stdout


def test_sync_to_a_file_drops_the_answered_follow_ups(cyrus_imap, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import icalendar

    env = Env(cyrus_imap, tmp_path, monkeypatch)
    out = tmp_path / "followups.ics"
    env.config.write_text(env.config.read_text() + f'\n[[sync]]\nname = "main"\nfrom = ["{env.source}"]\nto = ["{out}"]\n')
    dry = env.run("sync", "--dry-run", "--now", NOW)
    assert dry.exit_code == 0, dry.output
    assert _recorded(tmp_path) == 0  # a dry run records nothing
    result = env.run("sync", "--now", NOW)
    assert result.exit_code == 0, result.output
    events = list(icalendar.Calendar.from_ical(out.read_bytes()).walk("VEVENT"))
    acme = [str(e["X-FOLLOWCAL-KIND"]) for e in events if "Acme" in str(e["SUMMARY"])]
    umbrella = [str(e["X-FOLLOWCAL-KIND"]) for e in events if "Umbrella" in str(e["SUMMARY"])]
    assert acme == ["thank-you"] and len(umbrella) == 4
    assert _recorded(tmp_path) == 3


def _recorded(tmp_path: Path) -> int:
    """Rows in the state store's mail_replies table (0 when there is no store yet)."""
    import sqlite3

    path = tmp_path / "state" / "state.sqlite3"
    if not path.exists():
        return 0
    db = sqlite3.connect(path)
    try:
        return int(db.execute("SELECT COUNT(*) FROM mail_replies").fetchone()[0])
    finally:
        db.close()
