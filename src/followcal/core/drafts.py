"""SUMMARY and DESCRIPTION of each reminder event (DESIGN.md "Reminder events"). Pure: reading
the templates is the only I/O, and it is cached.

A description reads well on a phone: what to do and by when first, then the draft(s), each
followed by a `mailto:` link when its recipient has an address, then short tips, then a footer
that says what is true for that kind. Every paragraph is one line (the calendar app wraps it; a
hard break inside a sentence would end up in the email), and nothing is re-wrapped.

Templates (`templates/*.txt` in English, `templates/<de|fr|es>/*.txt`) are overridable by a
same-named file in the user's `templates` folder (`<folder>/<code>/` for the other languages).
They use `$name` placeholders (`PLACEHOLDERS`) and `safe_substitute`; a line whose placeholders
all expand to nothing is dropped. A template is split into sections by marker lines: the text
before any marker says what to do, `[script]` holds a call script, `[email]` the draft (its
first line `Subject: ...`), `[tips]` the tips. A feed with `drafts = false` keeps only what to
do, the tips and the footer, with no names or addresses."""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from followcal.core import mailto
from followcal.core.fill import (
    compile_line as compile_line,  # re-exported: the tests use them
    render as _render,
    substitute as substitute,
)
from followcal.core.languages import BY_CODE, EN, Lang
from followcal.core.model import CUT_OFF, GRACIOUS_REPLY, THANK_YOU, Interview, Slot
from followcal.core.people import Addressee, addressees
from followcal.errors import ConfigError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

PLACEHOLDERS: dict[str, str] = {
    "company": "the company name, e.g. Acme Corp",
    "role": "the role, e.g. Backend Engineer (empty when unknown)",
    "role_phrase": '" for the Backend Engineer role", or empty when the role is unknown',
    "position": '"the Backend Engineer role", or "the open role" when the role is unknown',
    "interview_id": "the interview's stable id, as used by `followcal mark`",
    "timezone": "the interview's time zone, e.g. America/New_York",
    "interview_date": "the interview date, e.g. Thursday, 19 November 2026",
    "interview_date_short": "the interview date without the year, e.g. Thursday, 19 November",
    "interview_weekday": "the interview's weekday, e.g. Thursday",
    "interview_time": "the interview's start time, e.g. 14:00",
    "deadline": "when to act by, e.g. Fri 20 Nov 2026 15:00 (America/New_York); may be empty",
    "by_deadline": '" by <deadline>", or empty when there is no deadline',
    "decision_by": "the employer's stated decision date, e.g. Friday, 11 December 2026, or empty",
    "decision_note": '"They said they would decide by <date>.", or empty',
    "update_request": "a sentence asking for an update (mentions the decision date if known)",
    "follow_up_number": "the number N of this follow-up (1 to 5; empty for other kinds)",
    "follow_up_count": "how many follow-ups this process gets (max_follow_ups)",
    "follow_up_progress": '"follow-up 1 of 2"',
    "last_note": "says whether this is the last nudge or another reminder will come",
    "again": '" again" from the second follow-up on, else empty',
    "follow_ups_sent": '"your thank-you note and two follow-ups"',
    "contact": 'whom to address: "Jane Roe or your recruiter", or "your recruiter or ..."',
    "greeting": '"Dear Jane,", "Dear Dr. Schneider,", "Hello," or "Dear hiring team,"',
    "interviewer_name": "the recipient's name, or the company's hiring team",
    "first_name": "the recipient's first name, or empty when no name is known",
    "interviewer_email": "the recipient's email, or empty",
    "recipient": '"Jane Roe <jane@acme.example>", "Jane Roe" or "the Acme Corp hiring team"',
    "recipients": '"each interviewer (3 notes)", "Jane Roe" or "the Acme Corp hiring team"',
    "draft_number": "thank-you drafts: the number of this draft (1, 2, ...)",
    "draft_count": "thank-you drafts: how many drafts there are (one per person)",
    "sender_name": 'your name (config `name`, else as your invites give it), else "[Your name]"',
    "phone": 'your phone number (config `phone`), else "[your phone number]"',
    "callback": "call script: a sentence offering your number for a call back",
    "voicemail_number": "voicemail: your number, said twice",
    "setup_hint": "how to set `name` / `phone` when a draft still needs them, else empty",
    "mark_line": "how to record an answer (`followcal mark ...`); empty after a rejection",
}

_MARKERS = ("[script]", "[email]", "[tips]")
_SUBJECT = re.compile(r"^\s*(subject|betreff|objet|asunto)\s*:\s*(.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class Sender:
    """Who signs the drafts: `name` and `phone` from the config (or the invites), and the
    user's own addresses, which are never written to as an interviewer."""

    name: str | None = None
    phone: str | None = None
    addresses: tuple[str, ...] = ()


def template_names() -> list[str]:
    """The shipped English template file names; a same-named file in `templates_dir` overrides
    one (`templates_dir/<code>/` for German, French and Spanish)."""
    return sorted(item.name for item in _templates().iterdir() if item.name.endswith(".txt"))


def summary(slot: Slot, interview: Interview) -> str:
    """The reminder event's SUMMARY: cheap, no template is read."""
    kind = slot.kind
    number = _follow_up_number(kind)
    company = _clean(interview.company) or "the company"
    role = _clean(interview.role)
    suffix = f" ({role})" if role else ""
    if kind == THANK_YOU:
        return f"Thank-you note: {company}{suffix}"
    if number is not None:
        return f"Follow-up {number}{' (call)' if slot.channel == 'phone' else ''}: {company}{suffix}"
    if kind == CUT_OFF:
        return f"Cut-off: move on from {company}{suffix}"
    if kind == GRACIOUS_REPLY:
        return f"Gracious reply: {company}{suffix}"
    raise ValueError(f"unknown reminder kind {kind!r}")


def draft(slot: Slot, interview: Interview, decision_by: date | None, *, follow_up_count: int,
          templates_dir: Path | None = None, sender: Sender | None = None,
          language: str = "en", private: bool = False) -> tuple[str, str]:
    """(SUMMARY, DESCRIPTION) of the reminder event for `slot` of `interview`.

    `private` (a feed with `drafts = false`): what to do and when, without drafts, names or
    addresses."""
    title = summary(slot, interview)
    lang = BY_CODE.get(language, EN)
    sender = sender or Sender()
    kind = slot.kind
    number = _follow_up_number(kind)
    people, base = _interview_values(interview, decision_by, follow_up_count, lang, sender, private)
    values = _values(slot, interview, number, follow_up_count, lang, sender, people, private, base)
    if kind == THANK_YOU:
        name = "thank-you.txt"
    elif number is not None:
        name = "follow-up-call.txt" if slot.channel == "phone" else "follow-up.txt"
    elif kind == CUT_OFF:
        name = "cut-off.txt"
    else:
        name = "gracious-reply.txt"
    sections = _sections(_load(name, lang.code, templates_dir))
    parts = [_render(sections.get("", ""), values)]
    if not private:
        script = sections.get("[script]")
        if script:  # the call templates' script (rendering "" gives "", which the join leaves out)
            parts.append(_render(script, values))
        email = sections.get("[email]", "")
        if email and not email.isspace():
            targets = people if kind == THANK_YOU else people[:1]
            for i, who in enumerate(targets, start=1):
                # the first draft goes to people[0], whose placeholders `values` has (see
                # _base_values), with draft_number 1: no merged copy for it
                own = values if i == 1 else {**values, **_person_values(who, lang), "draft_number": str(i)}
                parts.append(_email_block(email, own, who, i, len(targets), lang))
        tips = _render(sections.get("[tips]", ""), values)
        parts.append(tips)
    else:
        parts.append(_render(sections.get("[tips]", ""), {**values, "setup_hint": ""}))
    parts.append(_render(_load("footer.txt", lang.code, templates_dir), values))
    return title, "\n\n".join(filter(None, parts))


def _email_block(template: str, values: dict[str, str], who: Addressee, i: int, n: int,
                 lang: Lang) -> str:
    """One draft: who it goes to, the subject and the text, then its mailto: link."""
    text = _render(template, values)
    newline = text.find("\n")  # the first line, and the text after it, without splitting them all
    subject = ""
    if match := _SUBJECT.match(text, 0, len(text) if newline < 0 else newline):
        subject = match.group(2).strip()
    recipient = values["recipient"]
    head = lang.say("draft_many", i=str(i), n=str(n), recipient=recipient) if n > 1 \
        else lang.say("draft_one", recipient=recipient)
    if not who.email:
        return f"{head}\n{text}"
    body = ((text[newline + 1 :] if newline >= 0 else "") if subject else text).strip()
    return f"{head}\n{text}\n\n{lang.say('open', link=mailto.link(who.email, subject, body))}"


# --- values -------------------------------------------------------------------------------------


def _addressees(iv: Interview, lang: Lang, sender: Sender) -> list[Addressee]:
    company = _clean(iv.company) or "the company"
    found = _people_of(tuple((_clean(p.name), _clean(p.email)) for p in iv.interviewers), company,
                       (*sender.addresses, sender.name or ""))
    team_name = lang.say("team", company=company)
    return [Addressee(team_name, a.email, team=True) if a.team else a for a in found]


@lru_cache(maxsize=1024)
def _people_of(people: tuple[tuple[str | None, str | None], ...], company: str,
               user: tuple[str, ...]) -> tuple[Addressee, ...]:
    """people.addressees, once per interview (each of its reminders asks again)."""
    return tuple(addressees(people, company, user=user))


# the last interview's part of the values: its reminders are drafted one after another
_LAST: list[tuple[tuple[object, ...], tuple[list[Addressee], dict[str, str]]]] = []


def _interview_values(iv: Interview, decision_by: date | None, count: int, lang: Lang, sender: Sender,
                      private: bool) -> tuple[list[Addressee], dict[str, str]]:
    """(addressees, the placeholders that depend on the interview alone), computed once for the
    reminders of one interview (drafted in a row: identity of the same objects is the key)."""
    key = (iv, decision_by, count, lang, sender, private)
    last = _LAST[0] if _LAST else None  # one read: the feed server may draft in threads
    if last is not None and all(map(operator.is_, last[0], key)):
        return last[1]  # the key holds the objects: an id is not reused while compared
    people = _addressees(iv, lang, sender)
    found = (people, _base_values(iv, decision_by, count, lang, sender, people, private))
    _LAST[:] = [(key, found)]
    return found


def _base_values(iv: Interview, decision_by: date | None, count: int, lang: Lang, sender: Sender,
                 people: list[Addressee], private: bool) -> dict[str, str]:
    company = _clean(iv.company) or "the company"
    role = _clean(iv.role)
    start = iv.start if isinstance(iv.start, datetime) else None
    day = start.date() if start is not None else iv.start
    count = max(count, 0)
    constant = _sender_values(lang, sender, count)
    decision_long = lang.long_date(decision_by) if decision_by is not None else ""
    update = constant["update_request"]
    if decision_by is not None:
        update = lang.say("update_dated", date=lang.short_date(decision_by))
    persons = [p for p in people if not p.team]
    first = persons[0] if persons else None
    if private:
        contact = lang.say("contact_private", company=company)
        recipients = (lang.say("each", n=str(len(persons))) if len(persons) > 1
                      else lang.say("your_interviewer") if persons else people[0].display)
    else:
        contact = (lang.say("contact", name=first.display) if first
                   else constant["contact"])
        recipients = (lang.say("each", n=str(len(persons))) if len(persons) > 1
                      else people[0].display)
    values = {
        **constant,
        "company": company,
        "role": role,
        "role_phrase": lang.say("role_phrase", role=role) if role else "",
        "position": lang.say("position", role=role) if role else constant["position"],
        "interview_id": _clean(iv.id),
        "timezone": _clean(iv.timezone),
        "interview_date": lang.long_date(day),
        "interview_date_short": lang.short_date(day),
        "interview_weekday": lang.weekdays[day.weekday()],
        "interview_time": f"{start.hour:02}:{start.minute:02}" if start is not None and not iv.all_day else "",
        "decision_by": decision_long,
        "decision_note": lang.say("decision_note", date=decision_long) if decision_long else "",
        "update_request": update,
        "contact": contact,
        "recipients": recipients,
        "mark_line": lang.say("mark", id=_clean(iv.id)),  # per interview: _values drops it for one kind
    }
    values.update(_person_values(people[0], lang))
    if private:
        values.update(interviewer_name="", first_name="", interviewer_email="", recipient="",
                      greeting="")
    return values


# the placeholders of the last (language, sender, follow-up count): the same for a whole run
_SENDER: list[tuple[Lang, Sender, int, dict[str, str]]] = []


def _sender_values(lang: Lang, sender: Sender, count: int) -> dict[str, str]:
    """The placeholders that depend on the language, the sender and `count` (>= 0) alone, with the
    defaults of three that may depend on the interview ("update_request", "contact", "position")
    and "setup_hint" / "setup_hint_phone" for `_values`, which are removed there."""
    last = _SENDER[0] if _SENDER else None  # one read, as in _interview_values
    if last is not None and last[0] is lang and last[1] is sender and last[2] == count:
        return last[3]
    name = _clean(sender.name)
    phone = _clean(sender.phone)
    hints = [] if name else [lang.say("hint_name")]
    values = {
        "update_request": lang.say("update"),
        "contact": lang.say("contact_unknown"),
        "position": lang.say("position_unknown"),
        "follow_up_count": str(count),
        "follow_ups_sent": lang.say("sent_none") if count <= 0 else lang.say("sent_one")
        if count == 1 else lang.say("sent", word=lang.number(count)),
        "draft_number": "1",
        "sender_name": name or lang.say("your_name"),
        "phone": phone or lang.say("your_phone"),
        "callback": lang.say("callback", phone=phone) if phone else lang.say("callback_unknown"),
        "voicemail_number": lang.say("voicemail_number", phone=phone) if phone
        else lang.say("voicemail_unknown", phone=lang.say("your_phone")),
        "setup_hint": " ".join(hints),
        "setup_hint_phone": " ".join(hints if phone else [*hints, lang.say("hint_phone")]),
    }
    _SENDER[:] = [(lang, sender, count, values)]
    return values


def _values(slot: Slot, iv: Interview, number: int | None, count: int, lang: Lang, sender: Sender,
            people: list[Addressee], private: bool, base: dict[str, str]) -> dict[str, str]:
    """`base` (the interview's placeholders) with the ones of this reminder."""
    start = iv.start if isinstance(iv.start, datetime) else None
    deadline = slot.deadline
    if deadline is None and slot.kind == THANK_YOU and start is not None and iv.end is not None:
        deadline = iv.end + timedelta(hours=24)
    deadline_text = lang.stamp(deadline, _clean(iv.timezone)) if deadline is not None else ""
    values = {
        **base,
        "deadline": deadline_text,
        "by_deadline": lang.say("by", deadline=deadline_text) if deadline_text else "",
        **_number_values(lang, number, max(count, 0)),
        "draft_count": str(len(people) if slot.kind == THANK_YOU else 1),
        "setup_hint": base["setup_hint_phone" if slot.channel == "phone" else "setup_hint"],
        "mark_line": "" if slot.kind == GRACIOUS_REPLY else base["mark_line"],
    }
    del values["setup_hint_phone"]
    return values


@lru_cache(maxsize=64)  # a few per run: (language, follow-up number, count)
def _number_values(lang: Lang, number: int | None, count: int) -> dict[str, str]:
    """The placeholders that depend on the follow-up number alone (`count` >= 0). Read-only."""
    last = number is not None and number >= count
    return {
        "follow_up_number": str(number) if number is not None else "",
        "follow_up_progress": lang.say("progress", n=str(number), count=str(max(count, number)))
        if number else "",
        "last_note": "" if number is None else lang.say("last") if last
        else lang.say("next", n=str(number + 1)),
        "again": lang.say("again") if number is not None and number > 1 else "",
    }


def _person_values(who: Addressee, lang: Lang) -> dict[str, str]:
    """Placeholders about one recipient (a person or the company's hiring team)."""
    email = who.email or ""
    return {
        "interviewer_name": who.display,
        "first_name": "" if who.team else who.given,
        "interviewer_email": email,
        "greeting": lang.greeting(who),
        "recipient": f"{who.display} <{email}>" if email else who.display,
    }


def _follow_up_number(kind: str) -> int | None:
    if not kind.startswith("follow-up-"):
        return None
    try:
        number = int(kind.removeprefix("follow-up-"))
    except ValueError:
        raise ValueError(f"unknown reminder kind {kind!r}") from None
    if number < 1:
        raise ValueError(f"unknown reminder kind {kind!r}")
    return number


@lru_cache(maxsize=4096)  # about ten calls per reminder, on a few short texts per interview
def _clean(text: str | None) -> str:
    """One line of printable text: whitespace runs (newlines included) become one space."""
    if not text:
        return ""
    if text.isprintable():  # the common case, without a Python loop over every character
        return " ".join(text.split())
    return " ".join("".join(ch for ch in text if ch.isprintable() or ch.isspace()).split())


# --- templates ----------------------------------------------------------------------------------


@cache
def _templates() -> Traversable:
    """The shipped templates' folder: the package's own folder where it is one (importlib.resources
    costs 3-5 ms to import, a tenth of drafting), else (a zip) importlib.resources' view of it."""
    folder = Path(__file__).resolve().parent.parent / "templates"
    if folder.is_dir():
        return folder
    from importlib import resources

    return resources.files("followcal") / "templates"


@cache
def _shipped(name: str, code: str = "en") -> str:
    root = _templates()
    if code != "en":
        localized = root / code / name
        if localized.is_file():
            return localized.read_text(encoding="utf-8")
    return (root / name).read_text(encoding="utf-8")


@lru_cache(maxsize=128)
def _user_file(path: str, mtime_ns: int, size: int) -> str:
    return Path(path).read_text(encoding="utf-8-sig")


def _load(name: str, code: str, templates_dir: Path | None) -> str:
    """The user's template `name` (for language `code`) when `templates_dir` has one, else the
    shipped one."""
    if templates_dir is not None:
        folder = Path(templates_dir).expanduser()
        path = folder / name if code == "en" else folder / code / name
        try:
            info = path.stat() if path.is_file() else None
            if info is not None:
                return _user_file(str(path), info.st_mtime_ns, info.st_size)
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"template {path}: cannot read ({type(exc).__name__})") from None
    return _shipped(name, code)


@lru_cache(maxsize=64)
def _sections(text: str) -> dict[str, str]:
    """A template's sections by marker ("" for the text before the first marker)."""
    out: dict[str, list[str]] = {"": []}
    current = ""
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        marker = line.strip().casefold()
        if marker in _MARKERS:
            current = marker
            out.setdefault(current, [])
            continue
        out[current].append(line)
    return {key: "\n".join(lines) for key, lines in out.items()}
