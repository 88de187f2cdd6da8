"""SUMMARY and DESCRIPTION of each reminder event (DESIGN.md "Reminder events"). Pure: reading
the templates (`followcal/templates/*.txt`, each overridable by a same-named file in the user's
`templates` folder) is the only I/O, and it is cached. Templates use `$name` placeholders
(`PLACEHOLDERS`) and `safe_substitute`; a line whose placeholders all expand to nothing is dropped,
and a line over 100 characters after substitution is re-wrapped."""

from __future__ import annotations

import textwrap
from datetime import date, datetime, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from string import Template

from .errors import ConfigError
from .model import CUT_OFF, GRACIOUS_REPLY, THANK_YOU, Interview, Person, Slot

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_HONORIFICS = {"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "sir", "madam"}
_WRAP_OVER = 100  # a substituted line longer than this ...
_WRAP_WIDTH = 80  # ... is re-wrapped to this width, keeping its indentation

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
    "greeting": '"Dear Jane,", "Hello," (no name known) or "Dear hiring team,"',
    "interviewer_name": "the interviewer's name (or email), else the first interviewer's",
    "first_name": "the interviewer's first name, or empty when no name is known",
    "interviewer_email": "the interviewer's email, or empty",
    "recipient": '"Jane Roe <jane@acme.example>", "Jane Roe" or "the hiring team"',
    "recipients": '"each interviewer", "Jane Roe" or "the hiring team" (thank-you intro)',
    "draft_number": "thank-you drafts: the number of this draft (1, 2, ...)",
    "draft_count": "thank-you drafts: how many drafts there are (one per interviewer)",
}


def template_names() -> list[str]:
    """The shipped template file names; a file of the same name in `templates_dir` overrides one."""
    root = resources.files("followcal") / "templates"
    return sorted(item.name for item in root.iterdir() if item.name.endswith(".txt"))


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
          templates_dir: Path | None = None) -> tuple[str, str]:
    """(SUMMARY, DESCRIPTION) of the reminder event for `slot` of `interview`."""
    title = summary(slot, interview)
    kind = slot.kind
    number = _follow_up_number(kind)
    values = _values(slot, interview, decision_by, number, follow_up_count)

    def render(name: str, extra: dict[str, str] | None = None) -> str:
        return _render(_load(name, templates_dir), {**values, **(extra or {})})

    if kind == THANK_YOU:
        people = _unique(interview.interviewers)
        blocks = [
            render("thank-you.txt", {**_person_values(p), "draft_number": str(i)})
            for i, p in enumerate(people or [None], start=1)
        ]
        parts = [render("thank-you-intro.txt"), *blocks, render("thank-you-tips.txt")]
    elif number is not None:
        parts = [render("follow-up-call.txt" if slot.channel == "phone" else "follow-up.txt")]
    elif kind == CUT_OFF:
        parts = [render("cut-off.txt")]
    else:
        parts = [render("gracious-reply.txt")]
    parts.append(render("footer.txt"))
    return title, "\n\n".join(p for p in parts if p)


# --- values -------------------------------------------------------------------------------------


def _values(slot: Slot, iv: Interview, decision_by: date | None, number: int | None, count: int
            ) -> dict[str, str]:
    company = _clean(iv.company) or "the company"
    role = _clean(iv.role)
    start = iv.start if isinstance(iv.start, datetime) else None
    day = start.date() if start is not None else iv.start
    deadline = slot.deadline
    if deadline is None and slot.kind == THANK_YOU and start is not None and iv.end is not None:
        deadline = iv.end + timedelta(hours=24)
    deadline_text = _stamp(deadline, iv.timezone) if deadline is not None else ""
    people = _unique(iv.interviewers)
    named = [p for p in people if _clean(p.name) or _clean(p.email)]
    first = named[0] if named else None
    count = max(count, 0)
    last = number is not None and number >= count
    decision_long = _long_date(decision_by) if decision_by is not None else ""
    update = "I'd be grateful for any update you can share on the timeline."
    if decision_by is not None:
        update = (f"I know you hoped to decide by {_short_date(decision_by)}, and I'd be grateful "
                  "for any update on the timeline.")
    values = {
        "company": company,
        "role": role,
        "role_phrase": f" for the {role} role" if role else "",
        "position": f"the {role} role" if role else "the open role",
        "interview_id": _clean(iv.id),
        "timezone": _clean(iv.timezone),
        "interview_date": _long_date(day),
        "interview_date_short": _short_date(day),
        "interview_weekday": _WEEKDAYS[day.weekday()],
        "interview_time": f"{start:%H:%M}" if start is not None and not iv.all_day else "",
        "deadline": deadline_text,
        "by_deadline": f" by {deadline_text}" if deadline_text else "",
        "decision_by": decision_long,
        "decision_note": f"They said they would decide by {decision_long}." if decision_long else "",
        "update_request": update,
        "follow_up_number": str(number) if number is not None else "",
        "follow_up_count": str(count),
        "follow_up_progress": f"follow-up {number} of {max(count, number)}" if number else "",
        "last_note": _last_note(number, last),
        "again": " again" if number is not None and number > 1 else "",
        "follow_ups_sent": _follow_ups_sent(count),
        "contact": f"{_label(first)} or your recruiter" if first
        else "your recruiter or the hiring manager",
        "recipients": "each interviewer" if len(people) > 1
        else _label(people[0]) if people else "the hiring team",
        "draft_count": str(max(len(people), 1)),
        "draft_number": "1",
    }
    if first is not None:
        values.update(_person_values(first))
    else:
        values.update(_person_values(None), greeting="Hello,", interviewer_name="", recipient="")
    return values


def _person_values(person: Person | None) -> dict[str, str]:
    """Placeholders about one person; None means nobody is known (the hiring team)."""
    if person is None:
        return {"interviewer_name": "the hiring team", "first_name": "", "interviewer_email": "",
                "greeting": "Dear hiring team,", "recipient": "the hiring team"}
    name, email = _clean(person.name), _clean(person.email)
    first = _first_name(name)
    label = name or email or "the interviewer"
    return {
        "interviewer_name": label,
        "first_name": first,
        "interviewer_email": email,
        "greeting": f"Dear {first}," if first else "Hello,",
        "recipient": f"{name} <{email}>" if name and email else label,
    }


def _last_note(number: int | None, last: bool) -> str:
    if number is None:
        return ""
    if last:
        return "This is your last nudge: if nothing comes back, the cut-off reminder follows."
    return f"No reply after this? followcal will remind you about follow-up {number + 1}."


def _follow_ups_sent(n: int) -> str:
    if n <= 0:
        return "your thank-you note"
    word = _NUMBER_WORDS[n] if n < len(_NUMBER_WORDS) else str(n)
    return f"your thank-you note and {word} follow-up{'s' if n != 1 else ''}"


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


def _unique(people: tuple[Person, ...]) -> list[Person]:
    seen: set[tuple[str, str]] = set()
    out = []
    for person in people:
        key = (_clean(person.name).casefold(), _clean(person.email).casefold())
        if key not in seen:
            seen.add(key)
            out.append(person)
    return out


def _label(person: Person) -> str:
    return _clean(person.name) or _clean(person.email) or "the interviewer"


def _first_name(name: str) -> str:
    """"Jane" from "Jane Roe", "Roe, Jane" or "Dr. Jane Roe"; "" when no name is known."""
    if not name or "@" in name:
        return ""
    if name.count(",") == 1:
        last, _, given = name.partition(",")
        name = given.strip() or last.strip()
    words = name.split()
    while len(words) > 1 and words[0].rstrip(".").casefold() in _HONORIFICS:
        words = words[1:]
    return words[0] if words else ""


def _clean(text: str | None) -> str:
    """One line of printable text: whitespace runs (newlines included) become one space."""
    if not text:
        return ""
    if text.isprintable():  # the common case, without a Python loop over every character
        return " ".join(text.split())
    return " ".join("".join(ch for ch in text if ch.isprintable() or ch.isspace()).split())


# --- dates (English, independent of the locale) ------------------------------------------------


def _long_date(day: date) -> str:
    return f"{_WEEKDAYS[day.weekday()]}, {day.day} {_MONTHS[day.month - 1]} {day.year}"


def _short_date(day: date) -> str:
    return f"{_WEEKDAYS[day.weekday()]}, {day.day} {_MONTHS[day.month - 1]}"


def _stamp(value: datetime | date, zone: str) -> str:
    """"Fri 20 Nov 2026 15:00 (America/New_York)", or "Fri 20 Nov 2026" for a date."""
    day = value.date() if isinstance(value, datetime) else value
    text = f"{_WEEKDAYS[day.weekday()][:3]} {day.day} {_MONTHS[day.month - 1][:3]} {day.year}"
    if not isinstance(value, datetime):
        return text
    label = getattr(value.tzinfo, "key", None) or (value.tzname() if value.tzinfo else None)
    return f"{text} {value:%H:%M} ({label or _clean(zone) or 'local time'})"


# --- templates ----------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def _shipped(name: str) -> str:
    return (resources.files("followcal") / "templates" / name).read_text(encoding="utf-8")


@lru_cache(maxsize=128)
def _user_file(path: str, mtime_ns: int, size: int) -> str:
    return Path(path).read_text(encoding="utf-8-sig")


def _load(name: str, templates_dir: Path | None) -> str:
    """The user's template `name` when `templates_dir` has one, else the shipped one."""
    if templates_dir is not None:
        path = Path(templates_dir).expanduser() / name
        try:
            info = path.stat() if path.is_file() else None
            if info is not None:
                return _user_file(str(path), info.st_mtime_ns, info.st_size)
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"template {path}: cannot read ({type(exc).__name__})") from None
    return _shipped(name)


@lru_cache(maxsize=64)
def _template_lines(text: str) -> tuple[tuple[str, Template], ...]:
    """A template's lines, each compiled once (drafting runs per reminder, hundreds of times)."""
    return tuple((line, Template(line)) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def _render(text: str, values: dict[str, str]) -> str:
    lines: list[str] = []
    for line, template in _template_lines(text):
        out = template.safe_substitute(values).rstrip()
        if line.strip() and not out.strip():
            continue  # a line of placeholders that all expanded to nothing
        lines.extend(_wrap(out))
    tidy: list[str] = []
    for line in lines:
        if line.strip() or (tidy and tidy[-1]):
            tidy.append(line if line.strip() else "")
    while tidy and not tidy[-1]:
        tidy.pop()
    return "\n".join(tidy)


def _wrap(line: str) -> list[str]:
    if len(line) <= _WRAP_OVER:
        return [line]
    indent = line[: len(line) - len(line.lstrip())]
    wrapped = textwrap.wrap(line.strip(), width=_WRAP_WIDTH, initial_indent=indent,
                            subsequent_indent=indent, break_long_words=False,
                            break_on_hyphens=False)
    return wrapped or [line]
